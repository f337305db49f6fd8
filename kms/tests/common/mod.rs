//! Helpers: KMSs in temporary directories, served on 127.0.0.1 (ephemeral
//! ports), with TLS certificates generated at test time.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mikey_sakke::identity::KeyPeriod;
use mikey_sakke::kms::KmsConfig;
use mikey_sakke_kms::seal::{KdfParams, OperatorSecret};
use mikey_sakke_kms::server::{self, ServerConfig};
use mikey_sakke_kms::service::Kms;
use mikey_sakke_kms::store::{KmsStore, SqliteStore};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub fn secret() -> OperatorSecret {
    OperatorSecret::new(b"operator secret for the tests".to_vec()).unwrap()
}

pub fn config(kms_uri: &str, period: u64) -> KmsConfig {
    KmsConfig {
        kms_uri: kms_uri.into(),
        key_period: KeyPeriod::new(period, 0).unwrap(),
        domains: Some(vec!["example.org".into()]),
        valid_from: None,
        valid_to: None,
        issuer: None,
        cert_uri: None,
    }
}

/// Creates a KMS in `dir` (30-day periods).
pub fn init_kms(dir: &Path, kms_uri: &str) -> Arc<Kms> {
    let store: Arc<dyn KmsStore> = Arc::new(SqliteStore::open_dir(dir).unwrap());
    Arc::new(
        Kms::init(
            store,
            &secret(),
            config(kms_uri, 2_592_000),
            KdfParams::fast_for_tests(),
        )
        .unwrap(),
    )
}

/// Opens the KMS of `dir` again (as after a restart).
pub fn open_kms(dir: &Path) -> Arc<Kms> {
    let store: Arc<dyn KmsStore> = Arc::new(SqliteStore::open_dir(dir).unwrap());
    Arc::new(Kms::open(store, &secret()).unwrap())
}

pub struct Tls {
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
    pub dir: PathBuf,
}

/// A self-signed certificate for 127.0.0.1, written as PEM files to `dir`.
pub fn tls(dir: &Path) -> Tls {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let cert_pem = ck.cert.pem();
    let key_pem = ck.signing_key.serialize_pem();
    std::fs::write(dir.join("tls.crt"), &cert_pem).unwrap();
    std::fs::write(dir.join("tls.key"), &key_pem).unwrap();
    let server = server::load_tls(&dir.join("tls.crt"), &dir.join("tls.key")).unwrap();
    Tls {
        ca_pem: cert_pem,
        server,
        dir: dir.to_owned(),
    }
}

pub struct Running {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    pub fn url(&self, tls: bool) -> String {
        format!("{}://{}", if tls { "https" } else { "http" }, self.addr)
    }

    /// Graceful shutdown, waiting for the server to stop.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = (&mut self.task).await;
    }
}

pub async fn start(
    kms: Arc<Kms>,
    tls: Option<Arc<rustls::ServerConfig>>,
    config: ServerConfig,
) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel();
    let app = server::router(kms, config);
    let task = tokio::spawn(async move {
        server::serve(listener, app, tls, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Running {
        addr,
        stop: Some(tx),
        task,
    }
}
