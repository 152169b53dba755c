//! The one advice function: what went wrong (a [`Failure`], described as
//! data by whoever met it) → what to do next. The knowledge base answers
//! first (by code, then by the message's text); the rules here cover what it
//! does not know. Every surface (the wizard, the commands) renders the one
//! answer, so they cannot disagree.

use super::diagnose::KnowledgeBase;

/// Which service answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Azure DevOps (dev.azure.com, vssps, the entitlement APIs).
    AzureDevOps,
    /// Microsoft Graph.
    Graph,
    /// The Entra sign-in service (login.microsoftonline.com).
    SignIn,
}

/// What kind of failure it was, as the layer that met it knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A service answered with an error status.
    Service {
        /// Which service.
        service: Answered,
        /// The HTTP status.
        status: u16,
    },
    /// Azure DevOps answered with its HTML sign-in page (the credentials were not accepted).
    SignInPage,
    /// The network or TLS failed after every retry.
    Unreachable,
    /// A 2xx answer of the wrong shape.
    Unexpected,
    /// No organization by that name.
    NoSuchOrganization,
    /// No cached sign-in.
    NotSignedIn,
    /// The device code expired before it was used.
    SignInCodeExpired,
    /// The user declined consent.
    SignInDeclined,
    /// The device code was not recognised.
    SignInCodeUnknown,
    /// The sign-in service refused (with an AADSTS or OAuth code).
    SignInRefused,
    /// The session can no longer be refreshed.
    SessionExpired,
    /// The browser answered with another `state` (possible CSRF).
    BrowserStateMismatch,
    /// The browser flow failed (no browser, no loopback port...).
    BrowserFailed,
    /// A PAT was given as an argument.
    PatOnCommandLine,
    /// No PAT in the environment or on stdin.
    NoPat,
    /// A PAT is malformed (from the environment or stdin).
    PatInvalid,
    /// Azure DevOps refused a PAT.
    PatRefused,
    /// A PAT was used where only Entra tokens go (Graph, PAT administration).
    PatCannotBeUsed,
    /// `az` is not on PATH.
    AzureCliMissing,
    /// `az account get-access-token` failed.
    AzureCliFailed,
    /// The token cache cannot be read.
    BadTokenCache,
    /// An unattended sign-in lacks an environment variable; the hint says which.
    MissingEnvironment {
        /// Which variable to set, in the words of the flow that needs it.
        hint: String,
    },
    /// The service principal's certificate cannot be used.
    Certificate,
    /// The workload identity's token file cannot be used.
    FederatedTokenFile,
    /// No managed identity endpoint answered.
    ManagedIdentityUnavailable,
    /// A managed identity asked to act in another directory.
    IdentityBoundToItsTenant,
    /// `--auto` found no unattended credential.
    NoUnattendedCredential,
    /// The emulator URL was given empty.
    EmptyEmulatorUrl,
    /// Anything else.
    Other,
}

/// A failure as data: its kind, the service's code and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What kind of failure.
    pub kind: Kind,
    /// TF/VS/AADSTS or Graph code, when known.
    pub code: Option<String>,
    /// What was said (facts only, no advice).
    pub message: String,
}

/// What to do about a failure.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Advice {
    /// One sentence, with the exact command when there is one.
    pub next_step: Option<String>,
    /// The knowledge base entry (`ado-entra explain ID`), when one matches.
    pub kb_id: Option<String>,
}

/// The advice for `f`: the knowledge base's first fix when an entry matches
/// its code (then its text), else the rule for its kind.
pub fn advise(f: &Failure) -> Advice {
    let kb = KnowledgeBase::builtin();
    let entry = f
        .code
        .as_deref()
        .and_then(|c| kb.best(c))
        .or_else(|| match f.kind {
            Kind::SignInPage => kb.get("sign-in-page"),
            _ => None,
        })
        .or_else(|| {
            // The status-code entries are for what people paste; a service
            // answer we met has a rule for its service and status instead.
            kb.lookup(&f.message)
                .into_iter()
                .map(|m| m.entry)
                .find(|e| !(matches!(f.kind, Kind::Service { .. }) && e.id.starts_with("http-")))
        });
    let kb_id = entry.map(|e| e.id.clone());
    let next_step = entry
        .and_then(|e| e.fix.first().cloned())
        .or_else(|| rule(f).map(str::to_string))
        .or_else(|| match &f.kind {
            Kind::MissingEnvironment { hint } => Some(hint.clone()),
            _ => None,
        });
    Advice { next_step, kb_id }
}

/// The next step by kind, for what the knowledge base does not cover.
fn rule(f: &Failure) -> Option<&'static str> {
    let code = f.code.as_deref().unwrap_or("");
    Some(match &f.kind {
        Kind::NotSignedIn => {
            "Sign in: `ado-entra login` (with `--tenant TENANT` for an organization connected to a directory)."
        }
        Kind::SignInCodeExpired => {
            "Run `ado-entra login` again and enter the code within the time shown."
        }
        Kind::SignInDeclined => "Run `ado-entra login` again and accept the consent prompt.",
        Kind::SignInCodeUnknown => "Run `ado-entra login` again.",
        Kind::SessionExpired => "Sign in again: `ado-entra login`.",
        Kind::BrowserStateMismatch => "Run `ado-entra login --browser` again.",
        Kind::BrowserFailed => "Sign in with a code instead: `ado-entra login --device-code`.",
        Kind::PatOnCommandLine => {
            "Set AZURE_DEVOPS_EXT_PAT, or pipe the token into `ado-entra login --pat-stdin`."
        }
        Kind::NoPat => {
            "Set AZURE_DEVOPS_EXT_PAT, or pipe a token into `ado-entra login --pat-stdin`."
        }
        Kind::PatInvalid => {
            "Copy the whole token again (it is shown once when created), or unset the variable."
        }
        Kind::PatRefused => {
            "Create a new token at https://dev.azure.com/{org}/_usersSettings/tokens (for all accessible organizations, or prove one scoped to an organization with `ado-entra login --pat-stdin --org ORG`)."
        }
        Kind::PatCannotBeUsed => {
            "Sign in with an Entra token instead: `ado-entra login --device-code` or `--browser` (or `--azure-cli`)."
        }
        Kind::AzureCliMissing => {
            "Install the Azure CLI and run `az login`, or use `ado-entra login --device-code`."
        }
        Kind::AzureCliFailed => "Run `az login` (with `--allow-no-subscriptions` if needed).",
        Kind::BadTokenCache => "Run `ado-entra logout`, then `ado-entra login`.",
        Kind::Certificate => {
            "Give a PEM file holding the certificate and its unencrypted RSA private key (from a .pfx: `openssl pkcs12 -in cert.pfx -out cert.pem -nodes`)."
        }
        Kind::FederatedTokenFile => {
            "Check that AZURE_FEDERATED_TOKEN_FILE points at the token the platform writes (AKS workload identity, or the file your pipeline saves the OIDC token to)."
        }
        Kind::ManagedIdentityUnavailable => {
            "Run on an Azure VM, App Service or Container App with a managed identity assigned (a user-assigned one with --client-id), or use `--service-principal`."
        }
        Kind::IdentityBoundToItsTenant => {
            "Use a service principal registered in (or consented to by) that directory."
        }
        Kind::NoUnattendedCredential => {
            "Set one up (see `ado-entra login --help`), or sign in interactively with `ado-entra login`."
        }
        Kind::SignInPage => {
            "Sign in again with an identity that belongs to the organization: `ado-entra login --tenant TENANT`."
        }
        Kind::EmptyEmulatorUrl => {
            "Give the emulator's base URL, or unset ADO_ENTRA_EMULATOR_URL to use Azure."
        }
        Kind::SignInRefused if code == "AADSTS700027" => {
            "The certificate is not one of the app's: upload its public part under the app registration's Certificates & secrets, or point AZURE_CLIENT_CERTIFICATE_PATH at the registered one."
        }
        Kind::Unreachable => "Check the network connection and proxy settings, then retry.",
        Kind::Unexpected => {
            "Retry; if it persists, the service answered in a shape this version does not know: quote the request in a report."
        }
        Kind::NoSuchOrganization => {
            "Check the organization's name: the part after dev.azure.com/ (`ado-entra orgs` lists yours, `ado-entra orgs --tenant TENANT` a directory's)."
        }
        Kind::SignInRefused if code == "invalid_grant" => {
            "Your sign-in expired or was revoked: run `ado-entra login` again."
        }
        Kind::SignInRefused => {
            "Run `ado-entra login` again; if it keeps failing, give the directory: `--tenant TENANT`."
        }
        Kind::Service { .. } if code == "VS800075" => {
            "Check the name: that organization or project does not exist."
        }
        Kind::Service { .. } if code == "TF24668" => {
            "The organization is stopped or deactivated: an owner must reactivate it first."
        }
        Kind::Service {
            service: Answered::AzureDevOps,
            status: 401,
        } => {
            "Sign in with an identity that belongs to the organization (`ado-entra verify --org ORG` says which)."
        }
        Kind::Service {
            service: Answered::AzureDevOps,
            status: 403,
        } => {
            "Ask a Project Collection Administrator of the organization to run this step, or to grant you that role."
        }
        Kind::Service {
            service: Answered::AzureDevOps,
            status: 404,
        } => "Check the organization name and that your identity can see it.",
        Kind::Service {
            service: Answered::Graph,
            status: 401,
        } => "Sign in again: `ado-entra login` (the Microsoft Graph token was rejected).",
        Kind::Service {
            service: Answered::Graph,
            status: 403,
        } => {
            "Your Entra account lacks the directory permission for this call: ask a tenant administrator (User.Read.All, User.Invite.All)."
        }
        Kind::Service {
            service: Answered::SignIn,
            ..
        } => {
            "Run `ado-entra login` again; if it keeps failing, give the directory: `--tenant TENANT`."
        }
        Kind::Service {
            status: 429 | 503, ..
        } => "The service is throttling requests: wait a few minutes and retry.",
        Kind::Service { status, .. } if *status >= 500 => {
            "The service had an internal error: retry later, and quote the request id if it persists."
        }
        Kind::Service { .. } => {
            "Check the input and retry; quote the request id if you ask for help."
        }
        Kind::MissingEnvironment { .. } | Kind::Other => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(kind: Kind, code: Option<&str>, message: &str) -> Failure {
        Failure {
            kind,
            code: code.map(str::to_string),
            message: message.into(),
        }
    }

    #[test]
    fn the_knowledge_base_answers_first_then_the_rules() {
        let a = advise(&failure(
            Kind::Service {
                service: Answered::AzureDevOps,
                status: 401,
            },
            Some("TF400813"),
            "TF400813: The user is not authorized",
        ));
        assert_eq!(a.kb_id.as_deref(), Some("TF400813"));
        assert!(a.next_step.is_some());
        let a = advise(&failure(Kind::NotSignedIn, None, "not signed in"));
        assert!(a.next_step.unwrap().contains("ado-entra login"));
        let a = advise(&failure(
            Kind::MissingEnvironment {
                hint: "set AZURE_CLIENT_ID".into(),
            },
            None,
            "x",
        ));
        assert_eq!(a.next_step.as_deref(), Some("set AZURE_CLIENT_ID"));
        let a = advise(&failure(
            Kind::Service {
                service: Answered::Graph,
                status: 503,
            },
            None,
            "busy",
        ));
        assert!(a.next_step.unwrap().contains("throttling"));
    }

    #[test]
    fn a_service_status_gets_its_rule_not_the_pasted_status_entry() {
        let a = advise(&failure(
            Kind::Service {
                service: Answered::Graph,
                status: 401,
            },
            None,
            "Microsoft Graph answered 401 to GET https://graph.microsoft.com/v1.0/me",
        ));
        assert_eq!(a.kb_id, None);
        assert!(a.next_step.unwrap().contains("Microsoft Graph token"));
        // Pasted by a person, the same status finds its entry.
        let kb = KnowledgeBase::builtin();
        assert_eq!(
            kb.best("The remote server returned an error: (401) Unauthorized.")
                .map(|e| e.id.as_str()),
            Some("http-401")
        );
    }

    #[test]
    fn every_unattended_sign_in_error_has_its_entry() {
        for code in [
            "AADSTS7000215",
            "AADSTS7000222",
            "AADSTS700016",
            "AADSTS70021",
        ] {
            let a = advise(&failure(Kind::SignInRefused, Some(code), ""));
            assert_eq!(a.kb_id.as_deref(), Some(code), "{code}");
            assert!(a.next_step.is_some(), "{code}");
        }
    }
}
