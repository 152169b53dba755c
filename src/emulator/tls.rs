//! `emulator --tls`: a certificate authority generated at start, whose PEM
//! is written to a file clients can trust (`ca_cert` in the first JSON
//! line), and a server certificate it signs for 127.0.0.1 and localhost,
//! served with rustls (the ring provider already in the tree). Each
//! connection's handshake runs in its own task, so a slow or broken client
//! never holds up the others.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// The generated certificates: the acceptor that serves them and where
/// the authority's PEM was written.
pub struct Tls {
    pub acceptor: TlsAcceptor,
    pub ca_cert: PathBuf,
    dir: PathBuf,
}

impl Tls {
    /// Generate an authority and a server certificate for 127.0.0.1 and
    /// localhost; write the authority's PEM to a fresh directory under the
    /// temporary directory (removed by [`Tls::remove_files`]).
    pub fn generate() -> Result<Self, String> {
        let fail = |what: &str, e: &dyn std::fmt::Display| format!("TLS: {what}: {e}");
        let mut ca =
            CertificateParams::new(Vec::<String>::new()).map_err(|e| fail("authority", &e))?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca.distinguished_name
            .push(DnType::CommonName, "ado-entra emulator local CA");
        let ca_key = KeyPair::generate().map_err(|e| fail("authority key", &e))?;
        let ca_cert = ca.self_signed(&ca_key).map_err(|e| fail("authority", &e))?;
        let issuer = Issuer::new(ca, ca_key);

        let mut leaf =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .map_err(|e| fail("server certificate", &e))?;
        leaf.distinguished_name
            .push(DnType::CommonName, "ado-entra emulator");
        let leaf_key = KeyPair::generate().map_err(|e| fail("server key", &e))?;
        let leaf_cert = leaf
            .signed_by(&leaf_key, &issuer)
            .map_err(|e| fail("server certificate", &e))?;

        let chain: Vec<CertificateDer<'static>> =
            vec![leaf_cert.der().clone(), ca_cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| fail("protocol versions", &e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| fail("server configuration", &e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];

        let dir = std::env::temp_dir().join(format!(
            "ado-entra-emulator-{}-{}",
            std::process::id(),
            super::ids::random_token(6)
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| fail(&format!("create {}", dir.display()), &e))?;
        let path = dir.join("ca.pem");
        std::fs::write(&path, ca_cert.pem())
            .map_err(|e| fail(&format!("write {}", path.display()), &e))?;
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            ca_cert: path,
            dir,
        })
    }

    /// Remove the written PEM and its directory.
    pub fn remove_files(dir: &Path) {
        let _ = std::fs::remove_dir_all(dir);
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A listener whose connections have completed the TLS handshake.
pub struct TlsListener {
    rx: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    accept: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub fn new(listener: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<Self> {
        let local = listener.local_addr()?;
        let (tx, rx) = mpsc::channel(64);
        let accept = tokio::spawn(async move {
            loop {
                let Ok((tcp, peer)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let handshake =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await;
                    match handshake {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { rx, local, accept })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(conn) => conn,
            // The accept task ended (it never does on its own): serve nothing more.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
