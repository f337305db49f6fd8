//! `msk testbed`: started as a child, it writes the env file and prints
//! `ready`; alice (KMS A) and bob (KMS B) are provisioned over HTTPS with
//! the KMS client trusting the testbed's CA file, each learns the other KMS
//! from certcache; SIGTERM stops it with exit status 0 and its temporary
//! state removed. A bad `--dir` is bad input.
#![cfg(unix)]

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mikey_sakke_kms::client::KmsClient;
use mikey_sakke_kms::keystore::{ClientKeys, UserKeySet};

/// The testbed process; killed if the test fails before it is stopped.
struct Testbed(Child);

impl Drop for Testbed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The env file's `KEY=value` lines (single quotes removed).
fn parse_env(text: &str) -> HashMap<String, String> {
    text.lines()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or_else(|| panic!("line {l:?}"));
            let v = v
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .map_or_else(|| v.to_string(), |v| v.replace(r"'\''", "'"));
            (k.to_string(), v)
        })
        .collect()
}

async fn provision(url: &str, ca_pem: &str, token: &str, user: &str) -> ClientKeys {
    let c = KmsClient::new(url, token, user)
        .unwrap()
        .with_roots_pem(ca_pem.as_bytes())
        .unwrap()
        .with_timeout(Duration::from_secs(60));
    let cert = c.init().await.unwrap();
    let sets = c.key_provision(&cert, None).await.unwrap();
    let mut keys = ClientKeys::new(user, cert);
    keys.insert_key_sets(sets.into_iter().map(UserKeySet::from));
    keys.set_trusted(c.cert_cache(None).await.unwrap());
    keys
}

#[test]
fn testbed_serves_two_kmss_until_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let env_path = tmp.path().join("testbed.env");
    let mut child = Command::new(env!("CARGO_BIN_EXE_msk"))
        .args(["testbed", "--env-file", env_path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start msk testbed");
    let stdout = child.stdout.take().unwrap();
    let mut testbed = Testbed(child);
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    assert_eq!(first.trim_end(), format!("ready {}", env_path.display()));

    let env = parse_env(&std::fs::read_to_string(&env_path).unwrap());
    let mut keys: Vec<&str> = env.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "MSK_ALICE_TOKEN",
            "MSK_ALICE_URI",
            "MSK_BOB_TOKEN",
            "MSK_BOB_URI",
            "MSK_CAROL_TOKEN",
            "MSK_CAROL_URI",
            "MSK_KMS_A_URI",
            "MSK_KMS_A_URL",
            "MSK_KMS_B_URI",
            "MSK_KMS_B_URL",
            "MSK_TESTBED_CA",
        ]
    );
    let v = |k: &str| env[k].as_str();
    assert_eq!(v("MSK_KMS_A_URI"), "kms.org-a.example");
    assert_eq!(v("MSK_KMS_B_URI"), "kms.org-b.example");
    assert_eq!(v("MSK_ALICE_URI"), "sip:alice@org-a.example");
    assert_eq!(v("MSK_BOB_URI"), "sip:bob@org-b.example");
    assert_eq!(v("MSK_CAROL_URI"), "sip:carol@org-a.example");
    for url in [v("MSK_KMS_A_URL"), v("MSK_KMS_B_URL")] {
        assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    }
    assert_ne!(v("MSK_KMS_A_URL"), v("MSK_KMS_B_URL"));
    for token in ["MSK_ALICE_TOKEN", "MSK_BOB_TOKEN", "MSK_CAROL_TOKEN"] {
        assert!(
            v(token).len() >= 32 && v(token).bytes().all(|b| b.is_ascii_hexdigit()),
            "{token}"
        );
    }
    let ca_path = Path::new(v("MSK_TESTBED_CA"));
    assert!(ca_path.is_absolute(), "{}", ca_path.display());
    let ca = std::fs::read_to_string(ca_path).unwrap();
    assert_eq!(ca.matches("-----BEGIN CERTIFICATE-----").count(), 2);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (alice, bob) = rt.block_on(async {
        let alice = provision(
            v("MSK_KMS_A_URL"),
            &ca,
            v("MSK_ALICE_TOKEN"),
            v("MSK_ALICE_URI"),
        )
        .await;
        let bob = provision(
            v("MSK_KMS_B_URL"),
            &ca,
            v("MSK_BOB_TOKEN"),
            v("MSK_BOB_URI"),
        )
        .await;
        // Carol's token is accepted by KMS A (init needs a valid token).
        let carol = KmsClient::new(v("MSK_KMS_A_URL"), v("MSK_CAROL_TOKEN"), v("MSK_CAROL_URI"))
            .unwrap()
            .with_roots_pem(ca.as_bytes())
            .unwrap();
        assert_eq!(carol.init().await.unwrap().kms_uri, "kms.org-a.example");
        (alice, bob)
    });
    let trusted =
        |k: &ClientKeys| -> Vec<String> { k.trusted.iter().map(|c| c.kms_uri.clone()).collect() };
    assert_eq!(alice.kms.kms_uri, "kms.org-a.example");
    assert_eq!(bob.kms.kms_uri, "kms.org-b.example");
    assert!(!alice.key_sets.is_empty() && !bob.key_sets.is_empty());
    assert_eq!(trusted(&alice), ["kms.org-b.example"]);
    assert_eq!(trusted(&bob), ["kms.org-a.example"]);

    unsafe {
        libc::kill(testbed.0.id() as libc::pid_t, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = testbed.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "msk testbed did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    // The temporary state (stores, CA file) is gone; the env file stays.
    assert!(!ca_path.exists());
    assert!(env_path.exists());
}

#[test]
fn testbed_bad_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, "").unwrap();
    let env = tmp.path().join("testbed.env");
    let run = common::msk(&[
        "testbed",
        "--env-file",
        env.to_str().unwrap(),
        "--dir",
        file.to_str().unwrap(),
    ]);
    common::assert_bad_input(&run, "--dir", "");
    assert!(!env.exists());
}
