//! Authorization code + PKCE (S256) with a loopback redirect listener.
//!
//! The listener binds 127.0.0.1 on a random port, accepts the one redirect that
//! carries the matching `state`, answers a small "you can close this tab" page
//! and hands the code to [`OAuthClient::exchange_code`].

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

use super::AuthError;
use super::oauth::{OAuthClient, TokenResponse};
use crate::client::error::ClientError;

/// How long to wait for the browser to come back.
pub const BROWSER_TIMEOUT: Duration = Duration::from_secs(300);

/// A PKCE verifier and its S256 challenge.
pub struct Pkce {
    pub verifier: SecretString,
    pub challenge: String,
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &"[REDACTED]")
            .field("challenge", &self.challenge)
            .finish()
    }
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// The S256 challenge of a verifier.
pub fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Pkce {
    /// A fresh 43-character verifier (32 random bytes).
    pub fn generate() -> Self {
        let v = random_token(32);
        Self {
            challenge: challenge_of(&v),
            verifier: SecretString::from(v),
        }
    }
}

/// A bound loopback listener waiting for one redirect.
pub struct Loopback {
    listener: TcpListener,
    pub redirect_uri: String,
    state: String,
}

impl std::fmt::Debug for Loopback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loopback")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

const DONE_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>ado-entra</title></head><body><h1>Signed in.</h1><p>You can close this tab and return to ado-entra.</p></body></html>";
const FAIL_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>ado-entra</title></head><body><h1>Sign-in failed.</h1><p>Return to ado-entra for details.</p></body></html>";

impl Loopback {
    /// Bind 127.0.0.1 on a random port.
    pub async fn bind() -> Result<Self, ClientError> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}/"),
            state: random_token(16),
        })
    }

    /// The URL to open in the browser.
    pub fn authorize_url(&self, oauth: &OAuthClient, scope: &str, pkce: &Pkce) -> Url {
        let mut u = oauth.endpoint("authorize");
        u.query_pairs_mut()
            .append_pair("client_id", &oauth.config.client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("response_mode", "query")
            .append_pair("scope", scope)
            .append_pair("state", &self.state)
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("prompt", "select_account");
        u
    }

    /// Wait for the redirect carrying our state; return the code.
    pub async fn wait_for_code(self, timeout: Duration) -> Result<String, ClientError> {
        tokio::time::timeout(timeout, self.accept_loop())
            .await
            .map_err(|_| AuthError::Browser("no answer from the browser in time".into()))?
    }

    async fn accept_loop(self) -> Result<String, ClientError> {
        loop {
            let (mut sock, _) = self.listener.accept().await?;
            let mut buf = vec![0u8; 16 * 1024];
            let mut n = 0;
            // Read until the end of the request line/headers (or the buffer is full).
            while n < buf.len() {
                let read = sock.read(&mut buf[n..]).await.unwrap_or(0);
                if read == 0 {
                    break;
                }
                n += read;
                if buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            let head = String::from_utf8_lossy(&buf[..n]);
            let target = head
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("GET "))
                .and_then(|l| l.split(' ').next())
                .unwrap_or("");
            let Ok(url) = Url::parse("http://127.0.0.1").and_then(|b| b.join(target)) else {
                respond(&mut sock, 400, FAIL_PAGE).await;
                continue;
            };
            let get = |k: &str| {
                url.query_pairs()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.into_owned())
            };
            let (code, state, error) = (get("code"), get("state"), get("error"));
            if code.is_none() && error.is_none() {
                // favicon.ico and friends.
                respond(&mut sock, 404, "").await;
                continue;
            }
            if state.as_deref() != Some(self.state.as_str()) {
                respond(&mut sock, 400, FAIL_PAGE).await;
                return Err(AuthError::StateMismatch.into());
            }
            if let Some(err) = error {
                respond(&mut sock, 200, FAIL_PAGE).await;
                let desc = get("error_description").unwrap_or_default();
                return Err(match err.as_str() {
                    "access_denied" => AuthError::Declined,
                    _ => AuthError::Browser(format!(
                        "{err}: {}",
                        crate::client::error::truncate(&desc, 300)
                    )),
                }
                .into());
            }
            respond(&mut sock, 200, DONE_PAGE).await;
            return code.ok_or_else(|| AuthError::Browser("no code".into()).into());
        }
    }
}

async fn respond(sock: &mut tokio::net::TcpStream, status: u16, body: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let msg = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = sock.write_all(msg.as_bytes()).await;
    let _ = sock.shutdown().await;
}

/// Try to open `url` in the user's browser (`open` on macOS, `xdg-open` elsewhere).
pub fn open_browser(url: &Url) -> bool {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(cmd)
        .arg(url.as_str())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}

/// Full browser sign-in: bind, show the URL (`on_url`), wait, redeem.
pub async fn sign_in(
    oauth: &OAuthClient,
    scope: &str,
    on_url: impl FnOnce(&Url),
    timeout: Duration,
) -> Result<TokenResponse, ClientError> {
    let pkce = Pkce::generate();
    let lb = Loopback::bind().await?;
    let redirect = lb.redirect_uri.clone();
    on_url(&lb.authorize_url(oauth, scope, &pkce));
    let code = lb.wait_for_code(timeout).await?;
    oauth
        .exchange_code(&code, &pkce.verifier, &redirect, scope)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn rfc7636_example_challenge() {
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let p = Pkce::generate();
        assert_eq!(p.verifier.expose_secret().len(), 43);
        assert!(!format!("{p:?}").contains(p.verifier.expose_secret()));
    }

    async fn hit(uri: &str, path: &str) -> String {
        let u = Url::parse(uri).unwrap();
        let mut s = tokio::net::TcpStream::connect((u.host_str().unwrap(), u.port().unwrap()))
            .await
            .unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn listener_checks_state() {
        let lb = Loopback::bind().await.unwrap();
        let uri = lb.redirect_uri.clone();
        let state = lb.state.clone();
        let h = tokio::spawn(lb.wait_for_code(Duration::from_secs(5)));
        assert!(hit(&uri, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        let page = hit(&uri, &format!("/?code=abc&state={state}")).await;
        assert!(page.contains("close this tab"));
        assert_eq!(h.await.unwrap().unwrap(), "abc");

        let lb = Loopback::bind().await.unwrap();
        let uri = lb.redirect_uri.clone();
        let h = tokio::spawn(lb.wait_for_code(Duration::from_secs(5)));
        hit(&uri, "/?code=abc&state=forged").await;
        let err = h.await.unwrap().unwrap_err();
        assert!(
            matches!(err, ClientError::Auth(AuthError::StateMismatch)),
            "{err}"
        );
    }
}
