//! The input validators see whatever a user types or pastes. None may panic,
//! every error must display, and what they accept must be stable (the same
//! properties the unit tests check on random inputs).
#![no_main]

use ado_entra::domain::validate::{
    TenantRef, normalize_email, parse_org_name, parse_tenant, validate_connector_name,
    validate_org_name,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match parse_org_name(s) {
        Ok(name) => assert!(validate_org_name(&name).is_ok(), "{s:?} -> {name:?}"),
        Err(e) => {
            let _ = e.to_string();
        }
    }
    if let Err(e) = validate_connector_name(s) {
        let _ = e.to_string();
    }
    match parse_tenant(s) {
        Ok(TenantRef::Domain(d)) => {
            assert_eq!(parse_tenant(&d), Ok(TenantRef::Domain(d.clone())), "{s:?}");
        }
        Ok(TenantRef::Id(id)) => {
            assert_eq!(parse_tenant(&id), Ok(TenantRef::Id(id.clone())), "{s:?}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    match normalize_email(s) {
        Ok(e) => assert_eq!(normalize_email(&e).as_deref(), Ok(e.as_str()), "{s:?}"),
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
