//! Performs effects: long calls become tokio tasks whose results come back as
//! messages; quick local effects (browser, clipboard) happen inline.

use std::io::Write;
use std::sync::Arc;

use base64::Engine;
use tokio::task::JoinHandle;

use super::services::{Outbox, Services};
use crate::app::{Effect, Msg};

pub struct EffectRunner<S: Services> {
    services: Arc<S>,
    out: Outbox,
    no_browser: bool,
    sign_in: Option<JoinHandle<()>>,
    tasks: Vec<JoinHandle<()>>,
}

impl<S: Services> EffectRunner<S> {
    pub fn new(services: Arc<S>, out: Outbox, no_browser: bool) -> Self {
        Self {
            services,
            out,
            no_browser,
            sign_in: None,
            tasks: Vec::new(),
        }
    }

    /// Start `effect`. Returns a status note for effects that finish at once.
    pub fn run(&mut self, effect: Effect) -> Option<String> {
        self.tasks.retain(|t| !t.is_finished());
        let s = Arc::clone(&self.services);
        let out = self.out.clone();
        match effect {
            Effect::Quit => None,
            Effect::SignIn { tenant } => {
                if let Some(h) = self.sign_in.take() {
                    h.abort();
                }
                self.sign_in = Some(tokio::spawn(async move {
                    let r = s.sign_in(tenant, out.clone()).await;
                    let _ = out.send(Msg::SignedIn(r));
                }));
                None
            }
            Effect::CancelSignIn => {
                if let Some(h) = self.sign_in.take() {
                    h.abort();
                }
                None
            }
            Effect::LoadOrgs => self.spawn(async move {
                let r = s.list_orgs(out.clone()).await;
                let _ = out.send(Msg::OrgsLoaded(r));
            }),
            Effect::LoadTenants { org } => self.spawn(async move {
                let r = s.list_tenants(org, out.clone()).await;
                let _ = out.send(Msg::TenantsLoaded(r));
            }),
            Effect::RunChecks { op, org, tenant } => self.spawn(async move {
                let r = s.run_checks(op, org, tenant, out.clone()).await;
                let _ = out.send(Msg::ChecksDone(r));
            }),
            Effect::Apply {
                op,
                org,
                tenant,
                accepted,
            } => self.spawn(async move {
                let r = s.apply(op, org, tenant, accepted, out.clone()).await;
                let _ = out.send(Msg::Applied(r));
            }),
            Effect::SignOutAndVerify { org, tenant } => self.spawn(async move {
                let r = s.sign_out_and_verify(org, tenant, out.clone()).await;
                let _ = out.send(Msg::Verified(r));
            }),
            Effect::ExportChecklist { markdown } => self.spawn(async move {
                let r = s.export_checklist(markdown).await;
                let _ = out.send(Msg::Exported(r));
            }),
            Effect::Audit { org } => self.spawn(async move {
                let r = s.audit(org, out.clone()).await;
                let _ = out.send(Msg::Audited(r));
            }),
            Effect::LoadResolve { org } => self.spawn(async move {
                let r = s.load_resolve(org, out.clone()).await;
                let _ = out.send(Msg::ResolveLoaded(r));
            }),
            Effect::SearchDirectory { org, query } => self.spawn(async move {
                let result = s.search_directory(org, query.clone(), out.clone()).await;
                let _ = out.send(Msg::DirectorySearched { query, result });
            }),
            Effect::ApplyResolve { org, jobs } => self.spawn(async move {
                let r = s.apply_resolve(org, jobs, out.clone()).await;
                let _ = out.send(Msg::ResolveApplied(r));
            }),
            Effect::ExportResolve { org, csv } => self.spawn(async move {
                let r = s.export_resolve(org, csv).await;
                let _ = out.send(Msg::ResolveExported(r));
            }),
            Effect::OpenBrowser(url) => Some(open_browser(&url, self.no_browser)),
            Effect::Copy(text) => Some(copy_osc52(&text)),
        }
    }

    fn spawn(&mut self, fut: impl Future<Output = ()> + Send + 'static) -> Option<String> {
        self.tasks.push(tokio::spawn(fut));
        None
    }

    /// Stop everything in flight (on quit).
    pub fn abort_all(&mut self) {
        if let Some(h) = self.sign_in.take() {
            h.abort();
        }
        for t in self.tasks.drain(..) {
            t.abort();
        }
    }
}

/// Launch the system browser, never blocking and never printing over the UI.
fn open_browser(url: &str, disabled: bool) -> String {
    if disabled {
        return format!("Open {url} in a browser (--no-browser is set)");
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    match std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(_) => format!("Opened {url} in your browser"),
        Err(_) => format!("Could not start a browser; open {url} yourself"),
    }
}

/// Ask the terminal to put `text` on the clipboard (OSC 52; works over SSH and in tmux
/// with `set-clipboard on`).
fn copy_osc52(text: &str) -> String {
    let seq = format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    );
    let mut out = std::io::stdout();
    match out.write_all(seq.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => "Code copied to the clipboard (if your terminal allows OSC 52)".into(),
        Err(_) => "Could not copy; select the code and copy it by hand".into(),
    }
}
