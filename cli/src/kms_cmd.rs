//! `msk kms ...`: the TS 33.180 Annex D key management server (KMS) and its
//! client.
//!
//! The operator secret that protects the KMS master secrets comes from
//! `MSK_KMS_SECRET`, or the file named by `MSK_KMS_SECRET_FILE` or
//! `--secret-file`; only `init` and `serve` need it.
//!
//! The state lives in `DIR/kms.db` (SQLite), or, when
//! `MSK_KMS_DATABASE_URL` holds a PostgreSQL connection string (for example
//! `host=127.0.0.1 user=kms dbname=kms`), in that database, shared by any
//! number of `serve` processes (`backup`/`restore` are for SQLite only;
//! use `pg_dump` for PostgreSQL).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use mikey_sakke::identity::KeyPeriod;
use mikey_sakke::kms::KmsConfig;
use mikey_sakke_kms::client::KmsClient;
use mikey_sakke_kms::seal::{KdfParams, OperatorSecret};
use mikey_sakke_kms::server::{self, ServerConfig};
use mikey_sakke_kms::service::{self, Kms};
use mikey_sakke_kms::store::{self as kms_store, KmsStore, SqliteStore};

use crate::error::{line, CliError};
use crate::uid_cmd::parse_u64;

/// KMS subcommands.
#[derive(Debug, Subcommand)]
pub enum KmsCommand {
    /// Create a KMS in DIR: fresh master secrets (sealed under the operator
    /// secret) and the root certificate.
    Init(InitArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage trusted external KMSs.
    #[command(subcommand)]
    Trust(TrustCommand),
    /// The KMS certificate.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Serve the KMS over HTTPS (or plain HTTP with --insecure-http).
    Serve(ServeArgs),
    /// Write a consistent copy of the KMS database to FILE (safe while serving).
    Backup(BackupArgs),
    /// Replace the KMS database of DIR with a backup (stop the server first).
    Restore(RestoreArgs),
    /// Fetch, validate and write a user's keys from a KMS (JSON, hex octet strings).
    Provision(ProvisionArgs),
}

/// `msk kms user ...`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; prints its bearer token (once) alone on stdout.
    Add(UserArgs),
    /// Revoke a user: its token stops working.
    Revoke(UserArgs),
    /// List users (URI and state).
    List(DirArgs),
}

/// `msk kms trust ...`.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Trust the KMS whose KmsCertificate XML is in FILE.
    Add(TrustArgs),
}

/// `msk kms cert ...`.
#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Print the KMS's KmsCertificate XML on stdout.
    Export(DirArgs),
}

/// A KMS directory.
#[derive(Debug, Args)]
pub struct DirArgs {
    /// The KMS directory (holds kms.db).
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
}

/// Arguments of `msk kms init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The KMS directory (created if missing).
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// The KMS URI (KmsUri of the certificate, P2 of every UID).
    #[arg(long, value_name = "URI")]
    kms_uri: String,
    /// UserKeyPeriod, seconds.
    #[arg(long, value_name = "SECONDS", default_value = "2592000")]
    key_period: String,
    /// UserKeyOffset, seconds.
    #[arg(long, value_name = "SECONDS", default_value = "0")]
    key_period_offset: String,
    /// A user domain served by this KMS (KmsDomainList); repeatable.
    #[arg(long, value_name = "DOMAIN")]
    domain: Vec<String>,
    /// File holding the operator secret (else MSK_KMS_SECRET / MSK_KMS_SECRET_FILE).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
}

/// Arguments of `msk kms user add|revoke`.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// The KMS directory.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// The user URI, e.g. sip:alice@example.org.
    #[arg(long, value_name = "URI")]
    uri: String,
}

/// Arguments of `msk kms trust add`.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// The KMS directory.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// A file with the other KMS's KmsCertificate XML (from `msk kms cert export`).
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
}

/// Arguments of `msk kms serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The KMS directory.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// Address to listen on, e.g. 127.0.0.1:8443.
    #[arg(long, value_name = "ADDR")]
    listen: String,
    /// TLS certificate chain, PEM.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key, PEM.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve plain HTTP (only for loopback tests).
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
    insecure_http: bool,
    /// Largest request body, octets.
    #[arg(long, value_name = "BYTES", default_value = "65536")]
    body_limit: String,
    /// Sustained requests per second per user.
    #[arg(long, value_name = "N", default_value = "5")]
    rate: String,
    /// Burst of requests per user.
    #[arg(long, value_name = "N", default_value = "20")]
    burst: String,
    /// Log as JSON lines instead of text.
    #[arg(long)]
    log_json: bool,
    /// File holding the operator secret (else MSK_KMS_SECRET / MSK_KMS_SECRET_FILE).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
}

/// Arguments of `msk kms backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The KMS directory.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// The backup file to write (must not exist).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Arguments of `msk kms restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The KMS directory (created if missing).
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// The backup file.
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
}

/// Arguments of `msk kms provision`.
#[derive(Debug, Args)]
pub struct ProvisionArgs {
    /// The KMS server URL, e.g. `https://kms.example.org:8443`.
    #[arg(long, value_name = "URL")]
    server: String,
    /// The user's bearer token.
    #[arg(long, value_name = "TOKEN")]
    token: String,
    /// The user URI.
    #[arg(long, value_name = "URI")]
    user_uri: String,
    /// The JSON file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Trust only the CA certificates in this PEM file (else the system roots).
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
}

fn internal(e: impl std::fmt::Display) -> CliError {
    CliError::Internal(e.to_string())
}

fn secret(file: Option<&Path>) -> Result<OperatorSecret, CliError> {
    match file {
        Some(f) => {
            OperatorSecret::from_file(f).map_err(|e| CliError::bad("--secret-file", e.to_string()))
        }
        None => OperatorSecret::from_env().map_err(internal),
    }
}

/// The PostgreSQL connection string, if the state lives there.
const DATABASE_URL_ENV: &str = "MSK_KMS_DATABASE_URL";

fn postgres_url() -> Option<String> {
    std::env::var(DATABASE_URL_ENV)
        .ok()
        .filter(|s| !s.is_empty())
}

fn open_postgres(url: &str) -> Result<Arc<dyn KmsStore>, CliError> {
    let store = mikey_sakke_kms::pg_store::PgStore::connect(url)
        .map_err(|e| CliError::Internal(format!("{DATABASE_URL_ENV}: {e}")))?;
    Ok(Arc::new(store))
}

fn open_store(dir: &Path) -> Result<Arc<dyn KmsStore>, CliError> {
    if let Some(url) = postgres_url() {
        return open_postgres(&url);
    }
    if !dir.join(kms_store::DB_FILE).exists() {
        return Err(CliError::bad(
            "--dir",
            "no KMS here (run `msk kms init` first)",
        ));
    }
    let store = SqliteStore::open_dir(dir).map_err(internal)?;
    Ok(Arc::new(store))
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(internal)
}

/// Runs a KMS subcommand.
pub fn run(cmd: KmsCommand) -> Result<(), CliError> {
    match cmd {
        KmsCommand::Init(a) => init(&a),
        KmsCommand::User(UserCommand::Add(a)) => {
            let store = open_store(&a.dir)?;
            let token = service::add_user(store.as_ref(), &a.uri).map_err(|e| match e {
                service::ServiceError::BadUri => CliError::bad("--uri", "not a URI (scheme:...)"),
                service::ServiceError::Store(kms_store::StoreError::UserExists(_)) => {
                    CliError::bad("--uri", "the user exists")
                }
                other => internal(other),
            })?;
            line(token.as_str())
        }
        KmsCommand::User(UserCommand::Revoke(a)) => {
            let store = open_store(&a.dir)?;
            store.revoke_user(&a.uri).map_err(|e| match e {
                kms_store::StoreError::NoSuchUser(_) => CliError::bad("--uri", "no such user"),
                other => internal(other),
            })?;
            line(format_args!("revoked {}", a.uri))
        }
        KmsCommand::User(UserCommand::List(a)) => {
            let store = open_store(&a.dir)?;
            for u in store.users().map_err(internal)? {
                line(format_args!(
                    "{} {}",
                    u.uri,
                    if u.enabled { "enabled" } else { "revoked" }
                ))?;
            }
            Ok(())
        }
        KmsCommand::Trust(TrustCommand::Add(a)) => {
            let store = open_store(&a.dir)?;
            let xml = std::fs::read_to_string(&a.cert)
                .map_err(|e| CliError::bad("--cert", e.to_string()))?;
            let cert = service::add_trust(store.as_ref(), &xml).map_err(|e| match e {
                service::ServiceError::Doc(d) => CliError::bad("--cert", d.to_string()),
                service::ServiceError::OwnCertificate => {
                    CliError::bad("--cert", "this is the KMS's own certificate")
                }
                other => internal(other),
            })?;
            line(format_args!("trusted {}", cert.kms_uri))
        }
        KmsCommand::Cert(CertCommand::Export(a)) => {
            let store = open_store(&a.dir)?;
            let rec = store
                .load_kms()
                .map_err(internal)?
                .ok_or_else(|| internal("no KMS in this directory"))?;
            line(rec.cert_xml)
        }
        KmsCommand::Serve(a) => serve(&a),
        KmsCommand::Backup(_) | KmsCommand::Restore(_) if postgres_url().is_some() => {
            Err(CliError::bad(
                "--dir",
                "backup/restore are for SQLite; use pg_dump for PostgreSQL",
            ))
        }
        KmsCommand::Backup(a) => {
            if a.out.exists() {
                return Err(CliError::bad("--out", "the file exists"));
            }
            let _ = open_store(&a.dir)?;
            SqliteStore::open_dir(&a.dir)
                .and_then(|s| s.backup(&a.out))
                .map_err(internal)?;
            line(format_args!("backup written to {}", a.out.display()))
        }
        KmsCommand::Restore(a) => {
            std::fs::create_dir_all(&a.dir).map_err(|e| CliError::bad("--dir", e.to_string()))?;
            kms_store::restore(&a.dir, &a.from)
                .map_err(|e| CliError::bad("--from", e.to_string()))?;
            line(format_args!("restored {}", a.dir.display()))
        }
        KmsCommand::Provision(a) => provision(&a),
    }
}

fn init(a: &InitArgs) -> Result<(), CliError> {
    let period = parse_u64("--key-period", &a.key_period)?;
    let offset = parse_u64("--key-period-offset", &a.key_period_offset)?;
    let key_period = KeyPeriod::new(period, offset)
        .map_err(|_| CliError::bad("--key-period", "must not be zero"))?;
    if a.kms_uri.trim().is_empty() {
        return Err(CliError::bad("--kms-uri", "must not be empty"));
    }
    let secret = secret(a.secret_file.as_deref())?;
    let store: Arc<dyn KmsStore> = match postgres_url() {
        Some(url) => open_postgres(&url)?,
        None => {
            std::fs::create_dir_all(&a.dir).map_err(|e| CliError::bad("--dir", e.to_string()))?;
            if a.dir.join(kms_store::DB_FILE).exists() {
                return Err(CliError::bad("--dir", "a KMS already exists here"));
            }
            Arc::new(SqliteStore::open_dir(&a.dir).map_err(internal)?)
        }
    };
    if store.load_kms().map_err(internal)?.is_some() {
        return Err(CliError::bad("--dir", "a KMS already exists here"));
    }
    let config = KmsConfig {
        kms_uri: a.kms_uri.clone(),
        key_period,
        domains: (!a.domain.is_empty()).then(|| a.domain.clone()),
        valid_from: None,
        valid_to: None,
        issuer: None,
        cert_uri: None,
    };
    let kms = Kms::init(store, &secret, config, KdfParams::default()).map_err(internal)?;
    match postgres_url() {
        Some(_) => line(format_args!(
            "KMS {} created in {DATABASE_URL_ENV}",
            kms.certificate().kms_uri
        )),
        None => line(format_args!(
            "KMS {} created in {}",
            kms.certificate().kms_uri,
            a.dir.display()
        )),
    }
}

fn serve(a: &ServeArgs) -> Result<(), CliError> {
    let addr: SocketAddr = a
        .listen
        .parse()
        .map_err(|_| CliError::bad("--listen", "expected IP:PORT"))?;
    let tls = match (&a.tls_cert, &a.tls_key, a.insecure_http) {
        (Some(c), Some(k), false) => {
            Some(server::load_tls(c, k).map_err(|e| CliError::bad("--tls-cert", e.to_string()))?)
        }
        (None, None, true) => None,
        _ => {
            return Err(CliError::bad(
                "--tls-cert",
                "give --tls-cert and --tls-key, or --insecure-http",
            ))
        }
    };
    let config = ServerConfig {
        body_limit: usize::try_from(parse_u64("--body-limit", &a.body_limit)?)
            .map_err(|_| CliError::bad("--body-limit", "too large"))?,
        rate_per_sec: parse_u64("--rate", &a.rate)? as f64,
        burst: parse_u64("--burst", &a.burst)? as f64,
        ..ServerConfig::default()
    };
    let secret = secret(a.secret_file.as_deref())?;
    let store = open_store(&a.dir)?;
    let kms = Arc::new(Kms::open(store, &secret).map_err(internal)?);
    drop(secret);
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO);
    if a.log_json {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.with_ansi(false).try_init();
    }
    let rt = runtime()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| CliError::bad("--listen", e.to_string()))?;
        // The one line a supervisor (or a test) waits for.
        let bound = listener.local_addr().map_err(internal)?;
        crate::error::err_line(format_args!("listening on {bound}"));
        let app = server::router(kms, config);
        server::serve(listener, app, tls, server::shutdown_signal())
            .await
            .map_err(internal)
    })
}

fn provision(a: &ProvisionArgs) -> Result<(), CliError> {
    let mut client = KmsClient::new(&a.server, &a.token, &a.user_uri)
        .map_err(|e| CliError::bad("--server", e.to_string()))?
        .with_timeout(Duration::from_secs(15));
    if let Some(ca) = &a.ca {
        let pem = std::fs::read(ca).map_err(|e| CliError::bad("--ca", e.to_string()))?;
        client = client
            .with_roots_pem(&pem)
            .map_err(|e| CliError::bad("--ca", e.to_string()))?;
    }
    let rt = runtime()?;
    let keys = rt.block_on(async {
        client
            .provision()
            .await
            .map_err(|e| CliError::Internal(format!("provisioning: {e}")))
    })?;
    let json = zeroize::Zeroizing::new(
        serde_json::to_string_pretty(&keys.to_provision_file()).map_err(internal)?,
    );
    write_private(&a.out, json.as_bytes()).map_err(|e| CliError::bad("--out", e.to_string()))?;
    line(format_args!(
        "KMS {} (UserKeyPeriod {}, UserKeyOffset {})",
        keys.kms.kms_uri, keys.kms.user_key_period, keys.kms.user_key_offset
    ))?;
    for s in &keys.key_sets {
        line(format_args!(
            "key period {}: UID {} (SSK, PVT, RSK validated)",
            s.key_period_no,
            hex::encode(s.uid.as_bytes())
        ))?;
    }
    for t in &keys.trusted {
        line(format_args!("trusted KMS {}", t.kms_uri))?;
    }
    line(format_args!("written to {}", a.out.display()))
}

/// Writes `bytes` to `path`, readable only by the owner on Unix.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
