//! Performs effects: each job becomes a tokio task calling the application
//! layer (`ops::Session`); its progress events and its result come back as
//! messages carrying the job's id. Quick local effects (browser, clipboard)
//! happen inline.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use base64::Engine;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::app::{Done, Effect, Job, JobId, Msg};
use crate::ops::Session;
use crate::ops::model::{Event, Events};

pub struct EffectRunner {
    session: Arc<Session>,
    out: UnboundedSender<Msg>,
    no_browser: bool,
    tasks: HashMap<JobId, JoinHandle<()>>,
}

impl EffectRunner {
    pub fn new(session: Arc<Session>, out: UnboundedSender<Msg>, no_browser: bool) -> Self {
        Self {
            session,
            out,
            no_browser,
            tasks: HashMap::new(),
        }
    }

    /// Perform `effect`. Returns a status note for effects that finish at once.
    pub fn run(&mut self, effect: Effect) -> Option<String> {
        self.tasks.retain(|_, t| !t.is_finished());
        match effect {
            Effect::Quit => None,
            Effect::Start { id, job } => {
                let task = tokio::spawn(perform(
                    Arc::clone(&self.session),
                    self.out.clone(),
                    id,
                    job,
                ));
                self.tasks.insert(id, task);
                None
            }
            Effect::Cancel(id) => {
                if let Some(t) = self.tasks.remove(&id) {
                    t.abort();
                }
                None
            }
            Effect::OpenBrowser(url) => Some(open_browser(&url, self.no_browser)),
            Effect::Copy(text) => Some(copy_osc52(&text)),
        }
    }

    /// Stop everything in flight (on quit).
    pub fn abort_all(&mut self) {
        for (_, t) in self.tasks.drain() {
            t.abort();
        }
    }
}

/// Run one job against the session; every event and the result go back
/// tagged with `id`.
async fn perform(s: Arc<Session>, out: UnboundedSender<Msg>, id: JobId, job: Job) {
    let progress = out.clone();
    let events: Events = Arc::new(move |event: Event| {
        let _ = progress.send(Msg::Progress { id, event });
    });
    let done = match job {
        Job::SignIn { tenant } => Done::SignedIn(s.sign_in(tenant.as_deref(), &events).await),
        Job::SignInDirectory { tenant } => {
            Done::DirectorySignedIn(s.sign_in_directory(&tenant, &events).await)
        }
        Job::ListOrgs => Done::Orgs(s.list_orgs(&events).await),
        Job::SurveyOrgs { orgs, op, tenant } => Done::Surveyed(
            s.survey(&orgs, op, tenant.as_deref(), &events)
                .await
                .map(|_| ()),
        ),
        Job::ProbeBacking { org } => Done::Backing(s.org_backing(&org, &events).await),
        Job::ListTenants { org } => Done::Tenants(s.list_tenants(&org, &events).await),
        Job::RunChecks { op, org, tenant } => {
            Done::Checks(s.run_checks(op, &org, tenant.as_deref(), &events).await)
        }
        Job::Apply {
            op,
            org,
            tenant,
            accepted,
        } => Done::Applied(
            s.apply(op, &org, tenant.as_deref(), accepted, &events)
                .await,
        ),
        Job::Verify { org, tenant } => Done::Verified(
            s.sign_out_and_verify(&org, tenant.as_deref(), &events)
                .await,
        ),
        Job::Audit { org } => Done::Audited(s.audit(&org, &events).await),
        Job::ExportChecklist { markdown } => Done::Exported(s.export_checklist(markdown).await),
        Job::ExportReport {
            org,
            operation,
            prepared_by,
            report,
        } => Done::Exported(s.export_report(&org, operation, prepared_by, &report).await),
        Job::LoadResolve { org } => Done::ResolveLoaded(s.load_resolve(&org, &events).await),
        Job::Search { org, query } => {
            let result = s.search_directory(&org, &query, &events).await;
            Done::Searched { query, result }
        }
        Job::ApplyResolve { org, jobs } => {
            Done::ResolveApplied(s.apply_resolve(&org, jobs, &events).await)
        }
        Job::ExportResolve { org, csv } => Done::Exported(s.export_resolve(&org, csv).await),
        Job::Recover { org } => Done::Recovered(s.recover(&org, &events).await.map(Box::new)),
        Job::RecoverRun {
            org,
            action,
            wait_secs,
            every_secs,
        } => {
            let opts = crate::ops::recover::WayOptions {
                wait: std::time::Duration::from_secs(wait_secs),
                every: std::time::Duration::from_secs(every_secs),
            };
            Done::RecoverRan(
                s.recover_run(&org, action, &opts, &events)
                    .await
                    .map(Box::new),
            )
        }
    };
    let _ = out.send(Msg::Done {
        id,
        done: Box::new(done),
    });
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
        Ok(()) => "Copied to the clipboard (if your terminal allows OSC 52)".into(),
        Err(_) => "Could not copy; select the code and copy it by hand".into(),
    }
}
