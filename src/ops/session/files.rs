//! The files the wizard writes beside its state (0600, never through a
//! link): the user checklist, the change-approval report with the notice to
//! users, and the Resolve plan.

use chrono::Utc;

use super::Session;
use crate::ops::model::{ChecksReport, Operation, Problem};

impl Session {
    /// Write the user checklist into the state directory; returns where.
    pub async fn export_checklist(&self, markdown: String) -> Result<String, Problem> {
        let path = self.paths.root().join(format!(
            "checklist-{}.md",
            Utc::now().format("%Y%m%d-%H%M%S")
        ));
        // Names in it come from Azure: no escape sequence or bidirectional
        // override reaches whoever opens the file.
        let markdown = crate::domain::text::printable_lines(&markdown).into_owned();
        self.write_private(path, markdown).await
    }

    /// The change-approval report (Markdown) and the notice to users beside
    /// it, from the report on screen, as `check --report --notice` writes
    /// them; returns the report's path.
    pub async fn export_report(
        &self,
        org: &str,
        operation: Operation,
        prepared_by: Option<String>,
        report: &ChecksReport,
    ) -> Result<String, Problem> {
        let now = Utc::now();
        let to = report
            .destination
            .as_ref()
            .filter(|_| operation != Operation::Disconnect)
            .map(|d| format!(" --to {}", d.id))
            .unwrap_or_default();
        let subject = crate::ops::approval::Subject {
            org: org.to_string(),
            operation,
            prepared_by,
            prepared_at: now.format("%Y-%m-%d %H:%M UTC").to_string(),
            command: format!("ado-entra check --org {org}{to}"),
        };
        let stamp = now.format("%Y%m%d-%H%M%S");
        let md = crate::ops::approval::Format::Markdown;
        self.write_private_file(
            &format!("notice-{org}-{stamp}.md"),
            crate::ops::approval::notice(&subject, report, md),
        )
        .await?;
        self.write_private_file(
            &format!("approval-{org}-{stamp}.md"),
            crate::ops::approval::approval(&subject, report, md),
        )
        .await
    }

    /// Write the Resolve plan CSV into the state directory; returns where.
    pub async fn export_resolve(&self, org: &str, csv: String) -> Result<String, Problem> {
        let path = self.paths.root().join(format!(
            "resolve-{}-{}.csv",
            org,
            Utc::now().format("%Y%m%d-%H%M%S")
        ));
        self.write_private(path, csv).await
    }

    /// Write `text` to `name` in the state directory (0600); returns its path.
    pub(crate) async fn write_private_file(
        &self,
        name: &str,
        text: String,
    ) -> Result<String, Problem> {
        self.write_private(self.paths.root().join(name), text).await
    }

    /// Write `text` to a new private file (0600) beside the state; returns its path.
    async fn write_private(
        &self,
        path: std::path::PathBuf,
        text: String,
    ) -> Result<String, Problem> {
        let dir = self.paths.root().to_path_buf();
        tokio::task::spawn_blocking(move || {
            crate::paths::create_private_dir(&dir)
                .and_then(|()| crate::paths::write_private(&path, text.as_bytes()))
                .map(|()| path.display().to_string())
                .map_err(|e| format!("Cannot write {}: {e}", path.display()))
        })
        .await
        .map_err(|e| Problem::msg(e.to_string()))?
        .map_err(Problem::msg)
    }
}
