//! Failures as people see them: every error or refusal an operation meets
//! becomes one [`Problem`] (what happened, its code, the knowledge base's
//! cause and next step). The wizard and the commands render that one answer.

use super::change::ChangeError;
use super::model::Problem;
use super::resolve::ResolveError;
use crate::client::ClientError;
use crate::domain::diagnose::KnowledgeBase;

/// A client error, matched against the knowledge base (its code first, then its text).
pub fn client(e: &ClientError) -> Problem {
    let message = e.to_string();
    let code = e.code().map(str::to_string);
    let kb = KnowledgeBase::builtin();
    let entry = code
        .as_deref()
        .and_then(|c| kb.best(c))
        .or_else(|| kb.best(&message));
    Problem {
        next_step: entry.and_then(|k| k.fix.first().cloned()),
        kb_id: entry.map(|k| k.id.clone()),
        message,
        code,
        auth_failure: e.is_auth() || matches!(e.status(), Some(401 | 403)),
        request_id: e.request_id().map(str::to_string),
    }
}

/// A directory change's error.
pub fn change(e: &ChangeError) -> Problem {
    match e.client() {
        Some(c) => client(c),
        None => Problem::msg(e.to_string()),
    }
}

/// A Resolve error.
pub fn resolve(e: &ResolveError) -> Problem {
    match e {
        ResolveError::Client(c) => client(c),
        other => Problem::msg(other.to_string()),
    }
}
