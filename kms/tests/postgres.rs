//! The PostgreSQL store against a real server: the test starts a throw-away
//! cluster on 127.0.0.1 (initdb + pg_ctl from Debian's `postgresql`
//! package, run as the `postgres` user when the tests run as root) and
//! stops it at the end. Two stateless KMS processes share the database.
//!
//! When no PostgreSQL binaries are found the test is skipped with a
//! message, unless `MSK_KMS_REQUIRE_POSTGRES=1` (set it in CI), in which
//! case it fails. `MSK_KMS_PG_BIN` names the directory of `initdb` and
//! `pg_ctl` (default: the newest `/usr/lib/postgresql/*/bin`).
#![cfg(feature = "postgres")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use mikey_sakke_kms::client::KmsClient;
use mikey_sakke_kms::pg_store::PgStore;
use mikey_sakke_kms::seal::KdfParams;
use mikey_sakke_kms::server::ServerConfig;
use mikey_sakke_kms::service::Kms;
use mikey_sakke_kms::store::{KmsStore, StoreError};

struct Pg {
    _dir: tempfile::TempDir,
    data: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    port: u16,
}

fn pg_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MSK_KMS_PG_BIN") {
        return Some(PathBuf::from(p));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn run(pg: &Pg, tool: &str, args: &[&str]) {
    let exe = pg.bin.join(tool);
    let mut cmd = if pg.as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    let out = cmd
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn start_pg() -> Option<Pg> {
    let bin = pg_bin()?;
    let dir = tempfile::tempdir().unwrap();
    let as_postgres = is_root();
    if as_postgres {
        let ok = Command::new("chown")
            .args(["postgres:postgres", dir.path().to_str().unwrap()])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "chown to the postgres user failed");
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let pg = Pg {
        data: dir.path().join("data"),
        _dir: dir,
        bin,
        as_postgres,
        port,
    };
    let data = pg.data.to_str().unwrap().to_owned();
    run(
        &pg,
        "initdb",
        &[
            "-D",
            &data,
            "-U",
            "kms",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
    );
    let sock = pg.data.parent().unwrap().to_str().unwrap().to_owned();
    let opts = format!(
        "-p {port} -c listen_addresses=127.0.0.1 -k {sock} -c fsync=off -c synchronous_commit=on"
    );
    let log = Path::new(&sock).join("pg.log");
    run(
        &pg,
        "pg_ctl",
        &[
            "-D",
            &data,
            "-l",
            log.to_str().unwrap(),
            "-o",
            &opts,
            "-w",
            "-t",
            "60",
            "start",
        ],
    );
    Some(pg)
}

impl Drop for Pg {
    fn drop(&mut self) {
        let data = self.data.to_str().unwrap().to_owned();
        let exe = self.bin.join("pg_ctl");
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let _ = cmd
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn client(url: &str, token: &str, user: &str) -> KmsClient {
    KmsClient::new(url, token, user)
        .unwrap()
        .with_timeout(Duration::from_secs(30))
        .with_retries(1, Duration::from_millis(10))
}

#[test]
fn two_kms_processes_share_one_postgres() {
    let Some(pg) = start_pg() else {
        if std::env::var_os("MSK_KMS_REQUIRE_POSTGRES").is_some() {
            panic!("MSK_KMS_REQUIRE_POSTGRES is set but no PostgreSQL binaries were found");
        }
        eprintln!("skipped: no PostgreSQL (install Debian's postgresql package)");
        return;
    };
    let conn = format!("host=127.0.0.1 port={} user=kms dbname=postgres", pg.port);

    // Process 1 creates the KMS; process 2 opens it.
    let s1: Arc<dyn KmsStore> = Arc::new(PgStore::connect(&conn).unwrap());
    let k1 = Arc::new(
        Kms::init(
            s1.clone(),
            &secret(),
            config("kms-pg.example.org", 2_592_000),
            KdfParams::fast_for_tests(),
        )
        .unwrap(),
    );
    let s2: Arc<dyn KmsStore> = Arc::new(PgStore::connect(&conn).unwrap());
    let k2 = Arc::new(Kms::open(s2.clone(), &secret()).unwrap());
    assert_eq!(k1.certificate(), k2.certificate());
    assert!(matches!(
        Kms::init(
            s2.clone(),
            &secret(),
            config("kms-pg.example.org", 2_592_000),
            KdfParams::fast_for_tests()
        ),
        Err(mikey_sakke_kms::service::ServiceError::Store(
            StoreError::AlreadyInitialised
        ))
    ));

    let alice = k1.add_user("sip:alice@example.org").unwrap();
    let bob = k2.add_user("sip:bob@example.org").unwrap();
    assert!(matches!(
        k2.add_user("sip:alice@example.org"),
        Err(mikey_sakke_kms::service::ServiceError::Store(
            StoreError::UserExists(_)
        ))
    ));
    let other = tempfile::tempdir().unwrap();
    let ext = init_kms(other.path(), "kms-ext.example.net");
    k1.add_trust(&ext.certificate().to_xml()).unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let cert = k1.certificate().clone();
    let (a1, a2, b1, b2, cache) = rt.block_on(async {
        let srv1 = start(k1.clone(), None, ServerConfig::default()).await;
        let srv2 = start(k2.clone(), None, ServerConfig::default()).await;
        let (u1, u2) = (srv1.url(false), srv2.url(false));
        // Alice via process 1, then via process 2: the same keys.
        let a1 = client(&u1, &alice, "sip:alice@example.org")
            .key_provision(&cert, None)
            .await
            .unwrap();
        let a2 = client(&u2, &alice, "sip:alice@example.org")
            .key_provision(&cert, None)
            .await
            .unwrap();
        // Bob through both processes at once: one issuance wins, both agree.
        let c1 = client(&u1, &bob, "sip:bob@example.org");
        let c2 = client(&u2, &bob, "sip:bob@example.org");
        let (b1, b2) = tokio::join!(c1.key_provision(&cert, None), c2.key_provision(&cert, None));
        let cache = client(&u2, &alice, "sip:alice@example.org")
            .cert_cache(None)
            .await
            .unwrap();
        srv1.stop().await;
        srv2.stop().await;
        (a1, a2, b1.unwrap(), b2.unwrap(), cache)
    });
    assert_eq!(a1, a2);
    assert_eq!(b1, b2);
    assert_eq!(cache.cache_num, 1);
    assert_eq!(cache.certificates[0].kms_uri, "kms-ext.example.net");
    let log = s1.audit_log(100).unwrap();
    let issues: Vec<_> = log.iter().filter(|e| e.event == "issue").collect();
    assert_eq!(issues.len(), 2, "{log:?}");

    // Revocation through one process is seen by the other.
    s1.revoke_user("sip:bob@example.org").unwrap();
    assert!(k2.authenticate(&bob).unwrap().is_none());
    assert_eq!(
        k2.authenticate(&alice).unwrap().unwrap().uri,
        "sip:alice@example.org"
    );

    // A new process after all others are gone: everything is there.
    drop((k1, k2, s1, s2));
    let s3: Arc<dyn KmsStore> = Arc::new(PgStore::connect(&conn).unwrap());
    let k3 = Kms::open(s3.clone(), &secret()).unwrap();
    assert_eq!(k3.certificate(), &cert);
    let n = a1[0].key_period_no;
    let again = k3.key_set("sip:alice@example.org", n).unwrap();
    assert_eq!(again, a1[0]);
    assert_eq!(s3.users().unwrap().len(), 2);
}
