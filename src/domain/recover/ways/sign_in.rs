//! Way 1: sign in with the identity the organization lets in.

use crate::domain::recover::assessment::{Way, WayId, WayStatus, way};
use crate::domain::recover::facts::Facts;
use crate::domain::verify::Access;

pub(crate) fn sign_in_way(f: &Facts, needs: Option<&str>) -> Way {
    let who = f
        .identities
        .iter()
        .find(|i| *i.access() == Access::Works)
        .map(|i| i.in_tenant.upn().unwrap_or(&i.address).to_string())
        .unwrap_or_default();
    let tenant = needs.unwrap_or("consumers");
    let (why, whom) = match (who.is_empty(), needs) {
        (false, _) => (
            format!("'{}' lets you in as {who} in {}.", f.org, f.tenant_name()),
            who,
        ),
        (true, Some(_)) => (
            format!(
                "'{}' lives in {}; you signed in elsewhere.",
                f.org,
                f.tenant_name()
            ),
            format!("your account of {}", f.tenant_name()),
        ),
        (true, None) => (
            format!(
                "'{}' uses personal Microsoft accounts; you signed in with a work account.",
                f.org
            ),
            "your personal Microsoft account".to_string(),
        ),
    };
    let mut w = way(WayId::SignIn, WayStatus::Available, why);
    let cmd = format!("ado-entra login --tenant {tenant}");
    w.steps = vec![
        format!(
            "Sign in with {whom}: {cmd} (or `ado-entra recover --org {} --way sign-in`, which signs in and verifies).",
            f.org
        ),
        format!("Then: ado-entra verify --org {}", f.org),
    ];
    w.command = Some(format!("ado-entra recover --org {} --way sign-in", f.org));
    w
}
