//! Deterministic ids, so a scenario always yields the same GUIDs and descriptors.

use base64::Engine;
use sha2::{Digest, Sha256};

// The well-known Azure ids, as the services being stood in for use them.
pub use crate::azure::{
    ADO_RESOURCE_ID as ADO_AUDIENCE, CONSUMERS_TENANT, GRAPH_RESOURCE as GRAPH_AUDIENCE, ZERO_GUID,
};

/// A GUID derived from `parts` (stable across runs).
pub fn guid(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let d = h.finalize();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        u32::from_be_bytes([d[0], d[1], d[2], d[3]]),
        u16::from_be_bytes([d[4], d[5]]),
        u16::from_be_bytes([d[6], d[7]]) & 0x0fff,
        (u16::from_be_bytes([d[8], d[9]]) & 0x3fff) | 0x8000,
        u64::from_be_bytes([0, 0, d[10], d[11], d[12], d[13], d[14], d[15]])
    )
}

/// `s` as a lower-case GUID when it is exactly the hyphenated form
/// (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, any case); braces, `urn:uuid:`,
/// the 32-digit form and surrounding spaces are refused (the strict choice:
/// Azure DevOps documents only the hyphenated form).
pub fn canonical_guid(s: &str) -> Option<String> {
    let hyphens = [8, 13, 18, 23];
    let ok = s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| {
            if hyphens.contains(&i) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    ok.then(|| s.to_ascii_lowercase())
}

/// A personal account's PUID-like origin id: 16 upper-case hex digits.
pub fn puid(email: &str) -> String {
    let d = Sha256::digest(email.to_ascii_lowercase().as_bytes());
    d[..8].iter().map(|b| format!("{b:02X}")).collect()
}

/// An Azure DevOps subject descriptor: `{kind}.{base64url(value)}`.
pub fn descriptor(kind: &str, value: &str) -> String {
    format!(
        "{kind}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.as_bytes())
    )
}

/// The value a user descriptor wraps (the storage key), for any kind.
pub fn descriptor_key(d: &str) -> Option<String> {
    let (_, value) = d.split_once('.')?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// Random URL-safe token material.
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_and_well_formed() {
        let a = guid(&["tenant", "contoso"]);
        assert_eq!(a, guid(&["tenant", "contoso"]));
        assert_ne!(a, guid(&["tenant", "fabrikam"]));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(uuid::Uuid::parse_str(&a).is_ok());
        assert_eq!(puid("A@x.com"), puid("a@x.com"));
        assert_eq!(puid("a@x.com").len(), 16);
        let key = guid(&["orguser", "x"]);
        assert_eq!(descriptor_key(&descriptor("msa", &key)), Some(key.clone()));
        assert_eq!(descriptor_key(&descriptor("aad", &key)), Some(key));
        assert_eq!(descriptor_key("nodot"), None);
    }

    #[test]
    fn only_the_hyphenated_guid_form_is_canonical() {
        let g = "AFADE585-1111-4222-8333-444455556666";
        assert_eq!(canonical_guid(g).unwrap(), g.to_ascii_lowercase());
        for bad in [
            "fabrikam.onmicrosoft.com",
            "{afade585-1111-4222-8333-444455556666}",
            "afade58511114222833344445555666",
            " afade585-1111-4222-8333-444455556666",
            "afade585-1111-4222-8333-44445555666g",
            "",
        ] {
            assert_eq!(canonical_guid(bad), None, "{bad}");
        }
    }
}
