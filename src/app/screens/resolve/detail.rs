//! One user's candidates on the Resolve screen: the entries listed (the
//! suggestions not rejected, then directory search results), the keys in
//! that view and in the search field, and the search's answer.

use super::bindings::{Action, DETAIL};
use super::{Outcome, ResolveScreen, capitalise};
use crate::app::Job;
use crate::app::keys::{self, Key};
use crate::app::model::{Candidate, Problem};
use crate::app::screens::Loadable;

/// One account in a user's candidate list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub upn: String,
    /// Display name, UPN, and the primary mail when it differs.
    pub title: String,
    /// Confidence, the account's kind and state, and why, in words.
    pub detail: String,
}

fn account_title(display_name: &str, upn: &str, mail: Option<&str>) -> String {
    match mail {
        Some(m) if !m.eq_ignore_ascii_case(upn) => format!("{display_name} · {upn} · mail {m}"),
        _ => format!("{display_name} · {upn}"),
    }
}

/// One user's candidates and the live search.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    /// Row index in the plan.
    pub row: usize,
    /// Highlighted entry: suggestions first, then search results.
    pub cursor: usize,
    pub query: String,
    /// The search field has the keyboard.
    pub typing: bool,
    pub results: Option<Loadable<Vec<Candidate>>>,
}

impl ResolveScreen {
    /// Entries of the detail view: the suggestions not rejected, then the
    /// search results not already listed.
    pub fn detail_entries(&self) -> Vec<Entry> {
        let (Some(d), Loadable::Ready(plan)) = (&self.detail, &self.plan) else {
            return Vec::new();
        };
        let Some(row) = plan.rows.get(d.row) else {
            return Vec::new();
        };
        let mut v: Vec<Entry> = row
            .suggestions
            .iter()
            .filter(|s| !row.rejected.contains(&s.tenant_user_id))
            .map(|s| Entry {
                id: s.tenant_user_id.clone(),
                upn: s.upn.clone(),
                title: account_title(&s.display_name, &s.upn, s.mail.as_deref()),
                detail: format!(
                    "{} · {} · {}",
                    s.confidence.word(),
                    s.account_words(),
                    s.why()
                ),
            })
            .collect();
        if let Some(Loadable::Ready(found)) = &d.results {
            for c in found {
                if !v.iter().any(|e| e.id == c.id) {
                    v.push(Entry {
                        id: c.id.clone(),
                        upn: c.upn.clone(),
                        title: account_title(&c.display_name, &c.upn, None),
                        detail: format!(
                            "search result · {}, {}",
                            if c.guest { "guest" } else { "member" },
                            if c.enabled { "enabled" } else { "disabled" }
                        ),
                    });
                }
            }
        }
        v
    }

    /// The flags of the row the detail view shows, in words.
    pub fn detail_flags(&self) -> Vec<&'static str> {
        match (&self.detail, &self.plan) {
            (Some(d), Loadable::Ready(plan)) => plan
                .rows
                .get(d.row)
                .map(|r| r.flags.iter().map(|f| f.describe()).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    pub(super) fn detail_key(
        &mut self,
        action: Option<Action>,
        key: Key,
        status: &mut Option<String>,
    ) -> Outcome {
        let entries = self.detail_entries();
        let Some(d) = self.detail.as_mut() else {
            return Outcome::Stay(vec![]);
        };
        if d.typing {
            match (action, key) {
                (Some(Action::StopTyping), _) => d.typing = false,
                (Some(Action::RunSearch), _) => {
                    d.typing = false;
                    let q = d.query.trim().to_string();
                    if q.chars().count() < 2 {
                        *status = Some("Type at least two characters to search.".into());
                    } else {
                        d.results = Some(Loadable::Loading);
                        return Outcome::Stay(vec![Job::Search {
                            org: self.org.clone(),
                            query: q,
                        }]);
                    }
                }
                (_, k) => {
                    keys::edit(&mut d.query, k);
                }
            }
            return Outcome::Stay(vec![]);
        }
        match action {
            Some(Action::CloseDetail) => self.detail = None,
            Some(Action::Search) => d.typing = true,
            Some(Action::Up) => d.cursor = d.cursor.saturating_sub(1),
            Some(Action::Down) => d.cursor = (d.cursor + 1).min(entries.len().saturating_sub(1)),
            Some(Action::MapTo) => {
                let row = d.row;
                if let Some(Entry { id, upn, .. }) = entries.get(d.cursor).cloned() {
                    let r = self
                        .with_plan(|p| p.map_to(row, &id, &upn).map_err(|e| e.to_string()))
                        .unwrap_or(Ok(()));
                    match r {
                        Ok(()) => {
                            self.detail = None;
                            *status = Some(format!("Mapped to {upn}."));
                            self.refilter();
                        }
                        Err(e) => *status = Some(capitalise(&e)),
                    }
                } else {
                    *status = Some(format!(
                        "No candidate: press {} to search the directory.",
                        keys::hint_for(DETAIL, Action::Search)
                            .split(' ')
                            .next()
                            .unwrap_or("/")
                    ));
                }
            }
            _ => {}
        }
        Outcome::Stay(vec![])
    }

    pub fn searched(&mut self, query: &str, r: Result<Vec<Candidate>, Problem>) {
        if let Some(d) = self.detail.as_mut()
            && d.query.trim() == query
        {
            d.results = Some(match r {
                Ok(v) => Loadable::Ready(v),
                Err(e) => Loadable::Failed(e),
            });
        }
    }
}
