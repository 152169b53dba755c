//! The EnterpriseCatalog answer is an undocumented CSV: parsing any text
//! must return rows or an error message, never panic.
#![no_main]

use ado_entra::client::ado::undocumented::parse_catalog_csv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_catalog_csv(text) {
        Ok(rows) => {
            for r in rows {
                let _ = format!("{r:?}");
            }
        }
        Err(e) => assert!(!e.is_empty()),
    }
});
