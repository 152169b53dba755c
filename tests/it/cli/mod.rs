//! Integration tests: the binary as users and scripts meet it, one module
//! per feature.

mod args;
mod check;
mod docs;
mod fleet;
mod headless;
mod safety;
mod wizard;

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ado-entra"))
}

/// Run `args` with no terminal and a fresh home: (exit code, stderr).
fn without_terminal(args: &[&str]) -> (Option<i32>, String) {
    let home = tempfile::tempdir().unwrap();
    let out = bin()
        .args(args)
        .env("ADO_ENTRA_HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}
