//! Load test (ignored by default): provisions the keys of many users against
//! one KMS server on 127.0.0.1 and reports keyprov requests per second and
//! latency percentiles; also measures SSK/PVT and RSK issuance per second on
//! one core.
//!
//! ```sh
//! cargo test -p mikey-sakke-kms --release --test load -- --ignored --nocapture
//! # fewer users / more concurrency:
//! MSK_LOAD_USERS=2000 MSK_LOAD_CONCURRENCY=64 cargo test -p mikey-sakke-kms --release --test load -- --ignored --nocapture
//! ```
//!
//! Each keyprov is a fresh plain-HTTP connection with an empty body; the
//! server authenticates the token (SHA-256 lookup), issues and stores
//! (SSK, PVT) in a committed SQLite transaction, computes the RSK and
//! returns the KmsKeySet XML. Client-side key validation is not part of
//! the measurement.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use mikey_sakke::random::OsRandom;
use mikey_sakke_kms::client::KmsClient;
use mikey_sakke_kms::server::{ServerConfig, PREFIX};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore = "load test; run explicitly (see the module documentation)"]
fn issuance_per_core() {
    let dir = tempfile::tempdir().unwrap();
    let kms = init_kms(dir.path(), "kms-load.example.org");
    let issuer = kms.issuer();
    let uid = issuer.uid("sip:user@example.org", 1).unwrap();
    let n: u32 = 200;
    let t = Instant::now();
    for _ in 0..n {
        issuer.issue_signing_key(&uid, &mut OsRandom).unwrap();
    }
    let ssk = f64::from(n) / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for i in 0..n {
        let uid = issuer.uid("sip:user@example.org", u64::from(i)).unwrap();
        issuer.issue_rsk(&uid).unwrap();
    }
    let rsk = f64::from(n) / t.elapsed().as_secs_f64();
    println!("issuance on one core: SSK/PVT {ssk:.0}/s, RSK {rsk:.0}/s");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "load test; run explicitly (see the module documentation)"]
async fn keyprov_load() {
    let users = env("MSK_LOAD_USERS", 10_000);
    let concurrency = env("MSK_LOAD_CONCURRENCY", 32);
    let dir = tempfile::tempdir().unwrap();
    let kms = init_kms(dir.path(), "kms-load.example.org");
    let t = Instant::now();
    let tokens: Vec<(String, String)> = (0..users)
        .map(|i| {
            let uri = format!("sip:user{i}@example.org");
            let token = kms.add_user(&uri).unwrap().to_string();
            (uri, token)
        })
        .collect();
    println!("{users} users added in {:.1} s", t.elapsed().as_secs_f64());
    let cfg = ServerConfig {
        rate_per_sec: 1e9,
        burst: 1e9,
        ..ServerConfig::default()
    };
    let srv = start(kms.clone(), None, cfg).await;
    let url = srv.url(false);
    let tokens = Arc::new(tokens);
    let next = Arc::new(AtomicUsize::new(0));
    let start_all = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (tokens, next, url) = (tokens.clone(), next.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((uri, token)) = tokens.get(i) else {
                    break;
                };
                let c = KmsClient::new(&url, token, uri)
                    .unwrap()
                    .with_timeout(Duration::from_secs(60));
                let t = Instant::now();
                let (status, body) = c
                    .post_raw(&format!("{PREFIX}/keyprov"), Vec::new())
                    .await
                    .unwrap();
                lat.push(t.elapsed());
                assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let total = start_all.elapsed();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    println!(
        "keyprov: {users} users, concurrency {concurrency}, {} cores: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        users as f64 / total.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        lat[lat.len() - 1].as_secs_f64() * 1e3,
    );
    let issued = kms
        .store()
        .audit_log(users + 10)
        .unwrap()
        .iter()
        .filter(|e| e.event == "issue")
        .count();
    assert_eq!(issued, users);
    srv.stop().await;
}
