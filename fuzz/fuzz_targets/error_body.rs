//! Error bodies from Azure DevOps and Microsoft Graph are untrusted input:
//! `api_error` must never panic, must keep its strings bounded, and its
//! `Display` must not panic either. The same bytes, when UTF-8, also go
//! through the `WWW-Authenticate` parser.
#![no_main]

use ado_entra::client::Service;
use ado_entra::client::ado::parse_authorization_uri;
use ado_entra::client::error::{MAX_MESSAGE, api_error};
use libfuzzer_sys::fuzz_target;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

fuzz_target!(|data: &[u8]| {
    // The first two bytes pick an error status in 400..=599; the rest is the body.
    let (status, body) = match data {
        [a, b, rest @ ..] => (400 + u16::from_be_bytes([*a, *b]) % 200, rest),
        _ => (500, data),
    };
    let status = StatusCode::from_u16(status).expect("400..=599 is a valid status");
    let headers = HeaderMap::new();
    for service in [Service::AzureDevOps, Service::Graph] {
        let e = api_error(service, status, "GET x".into(), &headers, body);
        assert_eq!(e.status, status.as_u16());
        assert!(!e.next_step.is_empty());
        if let Some(m) = &e.message {
            // MAX_MESSAGE characters plus the truncation mark.
            assert!(m.chars().count() <= MAX_MESSAGE + 1, "{m:?}");
        }
        let _ = e.to_string();
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = parse_authorization_uri(s);
    }
});
