//! Every host the client talks to, in one value.
//!
//! Real Azure is the default. [`Endpoints::emulator`] points each host at a
//! path prefix under one emulator base URL, so the rest of the client never
//! knows whether it talks to Azure or to the emulator.

use std::net::IpAddr;

use url::Url;

use super::error::ClientError;

/// Base URLs of every service the client calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://dev.azure.com`: organization-scoped core APIs.
    pub dev: Url,
    /// `https://vssps.dev.azure.com`: identities, graph, organization settings.
    pub vssps: Url,
    /// `https://vsaex.dev.azure.com`: user entitlements.
    pub vsaex: Url,
    /// `https://app.vssps.visualstudio.com`: profile and accounts (not org-scoped).
    pub app_vssps: Url,
    /// `https://aexprodcus1.vsaex.visualstudio.com`: the EnterpriseCatalog host.
    pub aex: Url,
    /// `https://aex.dev.azure.com`: the profile pages (`/me`), where an
    /// owner locked out of an organization still signs in (a page, not an API).
    pub aex_web: Url,
    /// `https://auditservice.dev.azure.com`: the organization's audit log.
    pub audit: Url,
    /// `https://graph.microsoft.com`: Microsoft Graph.
    pub graph: Url,
    /// `https://login.microsoftonline.com`: Entra ID sign-in (OAuth 2.0 v2 endpoints).
    pub login: Url,
    /// `http://169.254.169.254`: the instance metadata endpoint (managed identity
    /// on a VM); plain http on the link-local address by design.
    pub imds: Url,
}

impl Default for Endpoints {
    fn default() -> Self {
        Self::azure()
    }
}

fn fixed(s: &str) -> Url {
    // The literals below are valid URLs; a failure here is a programming error.
    Url::parse(s).unwrap_or_else(|e| panic!("built-in endpoint {s} is invalid: {e}"))
}

impl Endpoints {
    /// The real Azure public cloud.
    pub fn azure() -> Self {
        Self {
            dev: fixed("https://dev.azure.com/"),
            vssps: fixed("https://vssps.dev.azure.com/"),
            vsaex: fixed("https://vsaex.dev.azure.com/"),
            app_vssps: fixed("https://app.vssps.visualstudio.com/"),
            aex: fixed("https://aexprodcus1.vsaex.visualstudio.com/"),
            aex_web: fixed("https://aex.dev.azure.com/"),
            audit: fixed("https://auditservice.dev.azure.com/"),
            graph: fixed("https://graph.microsoft.com/"),
            login: fixed("https://login.microsoftonline.com/"),
            imds: fixed("http://169.254.169.254/"),
        }
    }

    /// Every host under one emulator base: `{base}/dev`, `{base}/vssps`, `{base}/vsaex`,
    /// `{base}/app-vssps`, `{base}/aex`, `{base}/auditservice`, `{base}/graph`,
    /// `{base}/login`, `{base}/imds`.
    ///
    /// `http://` is accepted only for loopback hosts.
    pub fn emulator(base: &str) -> Result<Self, ClientError> {
        let base = parse_base(base)?;
        let under = |prefix: &str| -> Result<Url, ClientError> {
            let mut u = base.clone();
            {
                let mut segs = u
                    .path_segments_mut()
                    .map_err(|()| ClientError::InvalidUrl {
                        url: base.to_string(),
                        reason: "the URL cannot be a base".into(),
                    })?;
                segs.pop_if_empty().push(prefix).push("");
            }
            Ok(u)
        };
        Ok(Self {
            dev: under("dev")?,
            vssps: under("vssps")?,
            vsaex: under("vsaex")?,
            app_vssps: under("app-vssps")?,
            aex: under("aex")?,
            // The emulator serves both aex hosts' paths under one prefix.
            aex_web: under("aex")?,
            audit: under("auditservice")?,
            graph: under("graph")?,
            login: under("login")?,
            imds: under("imds")?,
        })
    }

    /// The emulator base when `emulator_url` is set, real Azure otherwise. A
    /// set but empty value is an error, never a silent switch to real Azure.
    pub fn from_option(emulator_url: Option<&str>) -> Result<Self, ClientError> {
        match emulator_url {
            Some(u) if !u.trim().is_empty() => Self::emulator(u.trim()),
            Some(_) => Err(ClientError::EmptyEmulatorUrl),
            None => Ok(Self::azure()),
        }
    }

    /// Check every host is https, or http on loopback only.
    pub fn validate(&self) -> Result<(), ClientError> {
        for u in [
            &self.dev,
            &self.vssps,
            &self.vsaex,
            &self.app_vssps,
            &self.aex,
            &self.aex_web,
            &self.audit,
            &self.graph,
            &self.login,
        ] {
            check_scheme(u)?;
        }
        Ok(())
    }
}

fn parse_base(base: &str) -> Result<Url, ClientError> {
    let url = Url::parse(base).map_err(|e| ClientError::InvalidUrl {
        url: base.to_string(),
        reason: e.to_string(),
    })?;
    check_scheme(&url)?;
    Ok(url)
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn check_scheme(url: &Url) -> Result<(), ClientError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(ClientError::InsecureUrl {
            url: url.to_string(),
        }),
        other => Err(ClientError::InvalidUrl {
            url: url.to_string(),
            reason: format!("unsupported scheme `{other}` (use https)"),
        }),
    }
}

/// Append percent-encoded path segments to `base` (which ends with `/`).
pub fn join(base: &Url, segments: &[&str]) -> Url {
    let mut u = base.clone();
    if let Ok(mut segs) = u.path_segments_mut() {
        segs.pop_if_empty();
        for s in segments {
            segs.push(s);
        }
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_is_default() {
        let e = Endpoints::default();
        assert_eq!(e.vssps.as_str(), "https://vssps.dev.azure.com/");
        e.validate().unwrap();
    }

    #[test]
    fn emulator_prefixes_every_host() {
        let e = Endpoints::emulator("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            join(&e.vssps, &["myorg", "_apis", "graph", "users"]).as_str(),
            "http://127.0.0.1:8080/vssps/myorg/_apis/graph/users"
        );
        assert_eq!(
            join(&e.graph, &["v1.0", "me"]).as_str(),
            "http://127.0.0.1:8080/graph/v1.0/me"
        );
        assert_eq!(e.app_vssps.as_str(), "http://127.0.0.1:8080/app-vssps/");
        let e = Endpoints::emulator("http://localhost:1/base/").unwrap();
        assert_eq!(e.login.as_str(), "http://localhost:1/base/login/");
        Endpoints::emulator("http://[::1]:9/").unwrap();
        Endpoints::emulator("https://emu.example.com").unwrap();
        let e = Endpoints::emulator("http://127.0.0.1:8080").unwrap();
        assert_eq!(e.imds.as_str(), "http://127.0.0.1:8080/imds/");
        assert_eq!(
            join(&e.aex_web, &["me"]).as_str(),
            "http://127.0.0.1:8080/aex/me"
        );
    }

    #[test]
    fn an_empty_emulator_url_is_an_error_not_azure() {
        for empty in ["", "  "] {
            let e = Endpoints::from_option(Some(empty)).unwrap_err();
            assert!(e.to_string().contains("set but empty"), "{e}");
        }
        assert_eq!(Endpoints::from_option(None).unwrap(), Endpoints::azure());
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let err = Endpoints::emulator("http://example.com").unwrap_err();
        assert!(matches!(err, ClientError::InsecureUrl { .. }), "{err}");
        assert!(err.to_string().contains("loopback"));
        assert!(Endpoints::emulator("http://10.0.0.1").is_err());
        assert!(Endpoints::emulator("ftp://127.0.0.1").is_err());
        assert!(Endpoints::emulator("not a url").is_err());
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        let e = Endpoints::azure();
        let u = join(&e.dev, &["my org/x?y#z", "_apis"]);
        assert_eq!(
            u.as_str(),
            "https://dev.azure.com/my%20org%2Fx%3Fy%23z/_apis"
        );
    }
}
