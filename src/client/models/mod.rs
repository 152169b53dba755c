//! Typed serde models of the responses the client reads.
//!
//! Every struct tolerates unknown fields and missing optional ones: Azure adds
//! fields freely and different api-versions omit different ones.

pub mod ado;
pub mod graph;

use serde::Deserialize;

/// The ADO list envelope `{"count": n, "value": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ListOf<T> {
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
}

/// Deserialize `null` as the type's default (ADO sends `null` for empty strings at times).
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
