//! Two-organisation KMS servers on loopback, shared by `msk demo` and `msk
//! testbed`: real `mikey-sakke-kms` servers on 127.0.0.1 (an ephemeral port,
//! TLS with a self-signed certificate generated for the run) over SQLite
//! stores, master secrets sealed under an operator secret drawn for the run.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use mikey_sakke::identity::KeyPeriod;
use mikey_sakke::kms::KmsConfig;
use mikey_sakke::random::{OsRandom, SecureRandom};
use mikey_sakke_kms::seal::{KdfParams, OperatorSecret};
use mikey_sakke_kms::server::{self, ServerConfig, ServerError};
use mikey_sakke_kms::service::Kms;
use mikey_sakke_kms::store::{KmsStore, SqliteStore};
use tokio::sync::oneshot;
use zeroize::Zeroizing;

use crate::error::CliError;

/// `UserKeyPeriod` of both KMSs: 30 days, in seconds.
pub const KEY_PERIOD: u64 = 2_592_000;
pub const KMS_A: &str = "kms.org-a.example";
pub const KMS_B: &str = "kms.org-b.example";
pub const ALICE: &str = "sip:alice@org-a.example";
pub const BOB: &str = "sip:bob@org-b.example";
pub const CAROL: &str = "sip:carol@org-a.example";

/// A failure, as an internal error naming what failed.
fn failed(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Internal(format!("{what} failed: {e}"))
}

/// A KMS server running on 127.0.0.1 over TLS, its state in `dir`.
pub struct LoopbackKms {
    pub kms: Arc<Kms>,
    pub dir: PathBuf,
    pub url: String,
    /// The server's self-signed TLS certificate (PEM): the root a client trusts.
    pub ca_pem: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

/// The async runtime the servers run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| failed("starting the async runtime", e))
}

/// The operator secret that seals the KMSs' master secrets: drawn for this
/// run (a deployment reads it from MSK_KMS_SECRET or a file).
pub fn run_secret() -> Result<OperatorSecret, CliError> {
    let mut secret = Zeroizing::new([0u8; 32]);
    OsRandom.fill(&mut secret[..])?;
    OperatorSecret::new(secret.to_vec()).map_err(|e| failed("operator secret", e))
}

/// Creates a KMS in the existing directory `dir` (master secrets sealed
/// under `secret`) and starts serving it on 127.0.0.1 over TLS.
pub fn start_kms(
    rt: &tokio::runtime::Runtime,
    uri: &str,
    secret: &OperatorSecret,
    dir: &Path,
) -> Result<LoopbackKms, CliError> {
    let store: Arc<dyn KmsStore> =
        Arc::new(SqliteStore::open_dir(dir).map_err(|e| failed("opening the store", e))?);
    let config = KmsConfig {
        kms_uri: uri.to_string(),
        key_period: KeyPeriod::new(KEY_PERIOD, 0).map_err(|e| failed("key period", e))?,
        domains: None,
        valid_from: None,
        valid_to: None,
        issuer: None,
        cert_uri: None,
    };
    let kms = Arc::new(
        Kms::init(store, secret, config, KdfParams::default())
            .map_err(|e| failed(&format!("creating {uri}"), e))?,
    );
    let tls = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()])
        .map_err(|e| failed("generating the TLS certificate", e))?;
    let ca_pem = tls.cert.pem();
    let (cert_file, key_file) = (dir.join("tls.crt"), dir.join("tls.key"));
    std::fs::write(&cert_file, &ca_pem).map_err(|e| failed("writing the TLS certificate", e))?;
    crate::kms_cmd::write_private(&key_file, tls.signing_key.serialize_pem().as_bytes())
        .map_err(|e| failed("writing the TLS key", e))?;
    let tls = server::load_tls(&cert_file, &key_file).map_err(|e| failed("TLS", e))?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| failed("listening on 127.0.0.1", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| failed("listening on 127.0.0.1", e))?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = server::router(kms.clone(), ServerConfig::default());
    let task = rt.spawn(server::serve(listener, app, Some(tls), async {
        let _ = stopped.await;
    }));
    Ok(LoopbackKms {
        kms,
        dir: dir.to_path_buf(),
        url: format!("https://{addr}"),
        ca_pem,
        stop: Some(stop),
        task,
    })
}

/// Makes `a` trust `b` and `b` trust `a` (each imports the other's
/// KmsCertificate as External, served to its users by certcache).
pub fn trust_each_other(a: &LoopbackKms, b: &LoopbackKms) -> Result<(), CliError> {
    for (k, other) in [(a, b), (b, a)] {
        k.kms
            .add_trust(&other.kms.certificate().to_xml())
            .map_err(|e| failed("adding a trusted KMS", e))?;
    }
    Ok(())
}

/// Enrols `uri` on `kms`; returns its bearer token (hex).
pub fn add_user(kms: &LoopbackKms, uri: &str) -> Result<Zeroizing<String>, CliError> {
    kms.kms
        .add_user(uri)
        .map_err(|e| failed(&format!("adding {uri}"), e))
}

/// Stops the server gracefully (open connections finish); returns the
/// number of key sets the KMS issued. The store directory is left as is.
pub fn stop_kms(rt: &tokio::runtime::Runtime, mut kms: LoopbackKms) -> Result<usize, CliError> {
    if let Some(stop) = kms.stop.take() {
        let _ = stop.send(());
    }
    rt.block_on(kms.task)
        .map_err(|e| failed("stopping the KMS", e))?
        .map_err(|e| failed("the KMS server", e))?;
    let issued = kms
        .kms
        .store()
        .audit_log(1000)
        .map_err(|e| failed("reading the audit log", e))?
        .iter()
        .filter(|e| e.event == "issue")
        .count();
    Ok(issued)
}
