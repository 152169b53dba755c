//! What the binary says about itself: version, help, `explain`, shell
//! completions and the man page.

use super::bin;

#[test]
fn version_and_help() {
    let out = bin().arg("--version").output().unwrap();
    assert!(out.status.success());
    let v = String::from_utf8(out.stdout).unwrap();
    assert_eq!(v.trim(), format!("ado-entra {}", env!("CARGO_PKG_VERSION")));

    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for cmd in ["demo", "wizard", "emulator"] {
        assert!(help.contains(cmd), "--help lacks {cmd}:\n{help}");
    }
    for sub in ["demo", "wizard", "emulator"] {
        let out = bin().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success(), "{sub} --help failed");
    }
}

#[test]
fn explain_finds_entries_and_says_when_nothing_matches() {
    let out = bin()
        .args([
            "explain",
            "Only active members of the AAD tenant are allowed to perform the link.",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[only-active-members]"), "{text}");
    assert!(text.contains("What to do:"), "{text}");

    let out = bin()
        .args(["explain", "--json", "TF401444"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["match"]["id"], "TF401444");

    let out = bin().args(["explain", "all good here"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("--list"));

    let out = bin().args(["explain", "--markdown"]).output().unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/troubleshooting.md"
    ))
    .unwrap();
    assert_eq!(md, doc);

    let out = bin().arg("explain").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "no text is a usage error");
}

#[test]
fn completions_and_man_page_generate() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef ado-entra"),
        ("fish", "complete -c ado-entra"),
    ] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell} completions lack {marker:?}");
        assert!(
            text.contains("explain"),
            "{shell} completions lack subcommands"
        );
    }
    let out = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin().arg("man").output().unwrap();
    assert!(out.status.success());
    let roff = String::from_utf8(out.stdout).unwrap();
    assert!(
        roff.starts_with(".ie") || roff.contains(".TH"),
        "{roff:.200}"
    );
    assert!(roff.contains("ado\\-entra"), "{roff:.400}");
}

#[test]
fn explain_understands_what_people_paste() {
    for (pasted, id) in [
        (
            "The remote server returned an error: (401) Unauthorized.",
            "http-401",
        ),
        (
            "Invoke-RestMethod : The remote server returned an error: (403) Forbidden.",
            "http-401",
        ),
        (
            "Response status code does not indicate success: 401 (Unauthorized).",
            "http-401",
        ),
        ("401", "http-401"),
        ("403 Forbidden", "http-401"),
        ("unauthorized", "http-401"),
        (
            "ERROR: Before you can run Azure DevOps commands, you need to run the login command",
            "http-401",
        ),
        (
            "The remote server returned an error: (404) Not Found.",
            "http-404",
        ),
        // .NET, PowerShell and `az devops` wrappers around the same refusal.
        (
            "Exception calling \"GetResponse\" with \"0\" argument(s): \"The remote server returned an error: (401) Unauthorized.\"",
            "http-401",
        ),
        (
            "System.Net.WebException: The remote server returned an error: (403) Forbidden.",
            "http-401",
        ),
        (
            "VS30063: You are not authorized to access https://dev.azure.com/fabrikam.",
            "http-401",
        ),
        (
            "ERROR: The requested resource requires user authentication: https://dev.azure.com/fabrikam/_apis",
            "http-401",
        ),
        (
            "ERROR: TF400813: Resource not available for anonymous access. Client authentication required.",
            "TF400813",
        ),
        ("HTTP 404 Not Found", "http-404"),
        // A code in the text still wins over the status around it.
        (
            "(401) Unauthorized: TF400813: The user is not authorized",
            "TF400813",
        ),
    ] {
        let out = bin().args(["explain", "--json", pasted]).output().unwrap();
        assert!(out.status.success(), "{pasted}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["match"]["id"], id, "{pasted}: {v}");
    }
    // No internal references in any entry's source.
    let out = bin().args(["explain", "--markdown"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for internal in ["api-notes", "seed 0", "../shared"] {
        assert!(!text.contains(internal), "{internal} in the knowledge base");
    }
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    // The reader is gone before the command starts (as `| head` is once it
    // has its lines): every write meets a closed pipe, whatever the timing.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = bin()
        .args(["completions", "bash"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.stderr.is_empty(),
        "no panic, no message: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{:?}", out.status);
    }
}
