//! Failures as people see them: every error or refusal an operation meets
//! becomes one [`Problem`]: what happened, its code, and the next step from
//! the one advice function ([`crate::domain::advice::advise`], knowledge base
//! first). The wizard and the commands render that one answer.

use super::change::ChangeError;
use super::model::Problem;
use super::resolve::ResolveError;
use crate::client::auth::AuthError;
use crate::client::{ClientError, Service};
use crate::domain::advice::{Answered, Failure, Kind, advise};

/// A client error as a [`Problem`].
pub fn client(e: &ClientError) -> Problem {
    let failure = failure(e);
    let advice = advise(&failure);
    Problem {
        message: failure.message,
        code: failure.code,
        next_step: advice.next_step,
        kb_id: advice.kb_id,
        auth_failure: e.is_auth() || matches!(e.status(), Some(401 | 403)),
        request_id: e.request_id().map(str::to_string),
        sign_in_at: None,
    }
}

/// A directory change's error.
pub fn change(e: &ChangeError) -> Problem {
    let step = |s: &str| Problem {
        next_step: Some(s.to_string()),
        ..Problem::msg(e.to_string())
    };
    match e {
        ChangeError::Client(c) => client(c),
        ChangeError::UnknownTenant { .. } => {
            step("Give the directory's tenant id (a GUID) or one of its verified domains.")
        }
        ChangeError::UnknownBacking { .. } => step("Try again in a minute."),
        ChangeError::NotLanded { .. } => step(
            "Run the same command again: it reads the journal and Azure, then finishes or retries.",
        ),
        _ => Problem::msg(e.to_string()),
    }
}

/// A Resolve error.
pub fn resolve(e: &ResolveError) -> Problem {
    match e {
        ResolveError::Client(c) => client(c),
        ResolveError::NotConnected(org) => Problem {
            next_step: Some(format!(
                "Connect it first: `ado-entra connect --org {org} --to TENANT`."
            )),
            ..Problem::msg(e.to_string())
        },
        ResolveError::BadJournal(_) => Problem {
            next_step: Some("Start a new run instead of resuming.".into()),
            ..Problem::msg(e.to_string())
        },
        other => Problem::msg(other.to_string()),
    }
}

/// A client error as data for the advice function.
fn failure(e: &ClientError) -> Failure {
    let message = e.to_string();
    let mut code = e.code().map(str::to_string);
    let kind = match e {
        ClientError::Api(a) => Kind::Service {
            service: match a.service {
                Service::AzureDevOps => Answered::AzureDevOps,
                Service::Graph => Answered::Graph,
                Service::Login => Answered::SignIn,
            },
            status: a.status,
        },
        ClientError::SignInPage { .. } => Kind::SignInPage,
        ClientError::Transport { .. } => Kind::Unreachable,
        ClientError::Decode { .. } => Kind::Unexpected,
        ClientError::EmptyEmulatorUrl => Kind::EmptyEmulatorUrl,
        ClientError::NoSuchOrganization { .. } => Kind::NoSuchOrganization,
        ClientError::PatCannotReachGraph { .. } | ClientError::PatNotAccepted { .. } => {
            Kind::PatCannotBeUsed
        }
        ClientError::Auth(a) => {
            if let AuthError::Refused {
                code: c,
                description,
            } = a
            {
                // The AADSTS code names the cause more precisely than the OAuth error.
                code =
                    crate::client::auth::app::find_aadsts(description).or_else(|| Some(c.clone()));
            }
            auth_kind(a)
        }
        _ => Kind::Other,
    };
    Failure {
        kind,
        code,
        message,
    }
}

fn auth_kind(e: &AuthError) -> Kind {
    match e {
        AuthError::NotSignedIn => Kind::NotSignedIn,
        AuthError::ExpiredToken => Kind::SignInCodeExpired,
        AuthError::Declined => Kind::SignInDeclined,
        AuthError::BadVerificationCode => Kind::SignInCodeUnknown,
        AuthError::Refused { .. } => Kind::SignInRefused,
        AuthError::RefreshUnavailable { .. } => Kind::SessionExpired,
        AuthError::StateMismatch => Kind::BrowserStateMismatch,
        AuthError::Browser(_) => Kind::BrowserFailed,
        AuthError::PatOnCommandLine => Kind::PatOnCommandLine,
        AuthError::NoPat => Kind::NoPat,
        AuthError::AzCliMissing => Kind::AzureCliMissing,
        AuthError::AzCliFailed(_) => Kind::AzureCliFailed,
        AuthError::BadCache { .. } => Kind::BadTokenCache,
        AuthError::MissingEnv { hint, .. } => Kind::MissingEnvironment {
            hint: hint.to_string(),
        },
        AuthError::Certificate { .. } => Kind::Certificate,
        AuthError::FederatedTokenFile { .. } => Kind::FederatedTokenFile,
        AuthError::ManagedIdentityUnavailable(_) => Kind::ManagedIdentityUnavailable,
        AuthError::FixedTenant { .. } => Kind::IdentityBoundToItsTenant,
        AuthError::InvalidPat { .. } => Kind::PatInvalid,
        AuthError::PatRefused { .. } => Kind::PatRefused,
        AuthError::NoUnattendedCredential(_) => Kind::NoUnattendedCredential,
        AuthError::CacheWrite { .. } | AuthError::Protocol(_) | AuthError::InvalidTenant { .. } => {
            Kind::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(e: impl Into<ClientError>) -> String {
        client(&e.into()).next_step.unwrap_or_default()
    }

    #[test]
    fn sign_in_failures_get_their_next_step_here_not_in_their_text() {
        let bad_cache = AuthError::BadCache {
            path: "/x/tokens.json".into(),
            reason: "not JSON".into(),
        };
        assert!(!bad_cache.to_string().contains("ado-entra"));
        assert!(next(bad_cache).contains("ado-entra logout"));
        let cert = AuthError::Certificate {
            path: "c.pem".into(),
            reason: "no CERTIFICATE block".into(),
        };
        assert!(next(cert).contains("openssl pkcs12"));
        assert!(next(AuthError::NotSignedIn).contains("ado-entra login"));
    }

    #[test]
    fn an_aadsts_code_in_the_description_picks_the_entry() {
        let e = AuthError::Refused {
            code: "invalid_client".into(),
            description: "AADSTS7000215: Invalid client secret provided".into(),
        };
        let p = client(&e.into());
        assert_eq!(p.code.as_deref(), Some("AADSTS7000215"));
        assert_eq!(p.kb_id.as_deref(), Some("AADSTS7000215"));
        assert!(p.next_step.is_some());
    }

    #[test]
    fn change_refusals_say_what_to_do() {
        let e = ChangeError::NotLanded {
            org: "fabrikam".into(),
            now: "personal accounts".into(),
        };
        assert!(change(&e).next_step.unwrap().contains("same command"));
        let e = ResolveError::NotConnected("fabrikam".into());
        assert!(
            resolve(&e)
                .next_step
                .unwrap()
                .contains("ado-entra connect --org fabrikam")
        );
    }
}
