//! `msk kms`: two KMS directories, a TLS server process on 127.0.0.1,
//! `provision` against it (success, 401, 403), SIGTERM, restart, backup and
//! restore.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

const SECRET: &str = "operator secret of the CLI tests";

fn msk(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_msk"))
        .args(args)
        .env("MSK_KMS_SECRET", SECRET)
        .output()
        .expect("run msk");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "msk {args:?} panicked"
    );
    out
}

fn ok(args: &[&str]) -> String {
    let out = msk(args);
    assert!(
        out.status.success(),
        "msk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(dir: &Path, tls_dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_msk"))
            .args([
                "kms",
                "serve",
                "--dir",
                p(dir),
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                p(&tls_dir.join("tls.crt")),
                "--tls-key",
                p(&tls_dir.join("tls.key")),
            ])
            .env("MSK_KMS_SECRET", SECRET)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = loop {
            let l = lines.next().expect("server exited").unwrap();
            if let Some(a) = l.strip_prefix("listening on ") {
                break a.to_owned();
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            url: format!("https://{addr}"),
        }
    }

    /// SIGKILL: no chance to flush anything.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
        #[cfg(unix)]
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        #[cfg(not(unix))]
        let _ = self.child.kill();
        self.child.wait().unwrap()
    }
}

fn provision(srv: &Server, ca: &Path, token: &str, user: &str, out: &Path) -> Output {
    msk(&[
        "kms",
        "provision",
        "--server",
        &srv.url,
        "--token",
        token,
        "--user-uri",
        user,
        "--out",
        p(out),
        "--ca",
        p(ca),
    ])
}

#[test]
fn kms_workflow() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let out = ok(&[
        "kms",
        "init",
        "--dir",
        p(&a),
        "--kms-uri",
        "kms-a.example.org",
        "--key-period",
        "86400",
        "--domain",
        "example.org",
    ]);
    assert_eq!(
        out.trim(),
        format!("KMS kms-a.example.org created in {}", p(&a))
    );
    ok(&[
        "kms",
        "init",
        "--dir",
        p(&b),
        "--kms-uri",
        "kms-b.example.net",
    ]);
    // A second init in the same directory is refused.
    let again = msk(&["kms", "init", "--dir", p(&a), "--kms-uri", "x"]);
    assert_eq!(again.status.code(), Some(2));

    // The token alone on stdout.
    let token = ok(&[
        "kms",
        "user",
        "add",
        "--dir",
        p(&a),
        "--uri",
        "sip:alice@example.org",
    ]);
    let token = token.trim_end_matches('\n');
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|c| c.is_ascii_hexdigit()));
    let dup = msk(&[
        "kms",
        "user",
        "add",
        "--dir",
        p(&a),
        "--uri",
        "sip:alice@example.org",
    ]);
    assert_eq!(dup.status.code(), Some(2));
    let bob = ok(&[
        "kms",
        "user",
        "add",
        "--dir",
        p(&a),
        "--uri",
        "sip:bob@example.org",
    ]);

    // Certificate exchange.
    let b_cert = ok(&["kms", "cert", "export", "--dir", p(&b)]);
    assert!(b_cert.contains("<KmsUri>kms-b.example.net</KmsUri>"));
    let b_file = tmp.path().join("b.xml");
    std::fs::write(&b_file, &b_cert).unwrap();
    let out = ok(&["kms", "trust", "add", "--dir", p(&a), "--cert", p(&b_file)]);
    assert_eq!(out.trim(), "trusted kms-b.example.net");
    let bad_file = tmp.path().join("bad.xml");
    std::fs::write(
        &bad_file,
        b_cert.replace("<UserIdFormat>2<", "<UserIdFormat>9<"),
    )
    .unwrap();
    let bad = msk(&[
        "kms",
        "trust",
        "add",
        "--dir",
        p(&a),
        "--cert",
        p(&bad_file),
    ]);
    assert_eq!(bad.status.code(), Some(2));

    // TLS server.
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    std::fs::write(tmp.path().join("tls.crt"), ck.cert.pem()).unwrap();
    std::fs::write(tmp.path().join("tls.key"), ck.signing_key.serialize_pem()).unwrap();
    let ca = tmp.path().join("tls.crt");
    let srv = Server::start(&a, tmp.path());

    let json_path = tmp.path().join("alice.json");
    let out = provision(&srv, &ca, token, "sip:alice@example.org", &json_path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("trusted KMS kms-b.example.net"), "{stdout}");
    let json: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["kms", "user_uri", "key_sets", "trusted_kms"]);
    let kms = json["kms"].as_object().unwrap();
    assert_eq!(
        kms.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "uri",
            "kpak",
            "kms_public",
            "user_key_period",
            "user_key_offset"
        ]
    );
    assert_eq!(kms["uri"], "kms-a.example.org");
    assert_eq!(kms["kpak"].as_str().unwrap().len(), 130);
    assert_eq!(kms["kms_public"].as_str().unwrap().len(), 514);
    assert_eq!(kms["user_key_period"], 86400);
    assert_eq!(kms["user_key_offset"], 0);
    assert_eq!(json["user_uri"], "sip:alice@example.org");
    let sets = json["key_sets"].as_array().unwrap();
    assert_eq!(sets.len(), 2);
    let n0 = sets[0]["key_period_no"].as_u64().unwrap();
    assert_eq!(sets[1]["key_period_no"].as_u64().unwrap(), n0 + 1);
    for s in sets {
        assert_eq!(
            s.as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["key_period_no", "uid", "ssk", "pvt", "rsk"]
        );
        assert_eq!(s["uid"].as_str().unwrap().len(), 64);
        assert_eq!(s["ssk"].as_str().unwrap().len(), 64);
        assert_eq!(s["pvt"].as_str().unwrap().len(), 130);
        assert_eq!(s["rsk"].as_str().unwrap().len(), 514);
    }
    // The UID is the one `msk uid` computes.
    let uid = ok(&[
        "uid",
        "--uri",
        "sip:alice@example.org",
        "--kms-uri",
        "kms-a.example.org",
        "--key-period",
        "86400",
        "--key-period-offset",
        "0",
        "--period-no",
        &n0.to_string(),
    ]);
    assert_eq!(uid.trim(), sets[0]["uid"]);
    let trusted = json["trusted_kms"].as_array().unwrap();
    assert_eq!(trusted.len(), 1);
    assert_eq!(trusted[0]["uri"], "kms-b.example.net");

    // 401 and 403 fail with a clear message.
    let x = tmp.path().join("x.json");
    let out = provision(&srv, &ca, "00", "sip:alice@example.org", &x);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 401"));
    let out = provision(&srv, &ca, bob.trim(), "sip:alice@example.org", &x);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 403"));
    assert!(!x.exists());
    // Revoked while the server runs.
    ok(&[
        "kms",
        "user",
        "revoke",
        "--dir",
        p(&a),
        "--uri",
        "sip:bob@example.org",
    ]);
    let out = provision(&srv, &ca, bob.trim(), "sip:bob@example.org", &x);
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 401"));
    let users = ok(&["kms", "user", "list", "--dir", p(&a)]);
    assert_eq!(
        users,
        "sip:alice@example.org enabled\nsip:bob@example.org revoked\n"
    );

    // Backup while serving.
    let backup = tmp.path().join("a.backup");
    ok(&["kms", "backup", "--dir", p(&a), "--out", p(&backup)]);

    // SIGTERM: graceful exit 0.
    assert!(srv.terminate().success());

    // Restart: the same keys for the same periods. Then keys issued just
    // before a SIGKILL are there after the next restart.
    let srv = Server::start(&a, tmp.path());
    let again_path = tmp.path().join("again.json");
    let out = provision(&srv, &ca, token, "sip:alice@example.org", &again_path);
    assert!(out.status.success());
    let again: Value = serde_json::from_slice(&std::fs::read(&again_path).unwrap()).unwrap();
    assert_eq!(again["key_sets"][0]["ssk"], json["key_sets"][0]["ssk"]);
    assert_eq!(again["key_sets"][0]["pvt"], json["key_sets"][0]["pvt"]);
    let carol = ok(&[
        "kms",
        "user",
        "add",
        "--dir",
        p(&a),
        "--uri",
        "sip:carol@example.org",
    ]);
    let carol_path = tmp.path().join("carol.json");
    let out = provision(
        &srv,
        &ca,
        carol.trim(),
        "sip:carol@example.org",
        &carol_path,
    );
    assert!(out.status.success());
    srv.kill();
    let srv = Server::start(&a, tmp.path());
    let carol_again = tmp.path().join("carol2.json");
    let out = provision(
        &srv,
        &ca,
        carol.trim(),
        "sip:carol@example.org",
        &carol_again,
    );
    assert!(out.status.success());
    let c1: Value = serde_json::from_slice(&std::fs::read(&carol_path).unwrap()).unwrap();
    let c2: Value = serde_json::from_slice(&std::fs::read(&carol_again).unwrap()).unwrap();
    assert_eq!(c1["key_sets"], c2["key_sets"]);
    assert!(srv.terminate().success());

    // Restore into a new directory and serve from it.
    let c = tmp.path().join("c");
    ok(&["kms", "restore", "--dir", p(&c), "--from", p(&backup)]);
    assert_eq!(
        ok(&["kms", "cert", "export", "--dir", p(&c)]),
        ok(&["kms", "cert", "export", "--dir", p(&a)])
    );
    // serve without TLS or --insecure-http is refused.
    let out = msk(&["kms", "serve", "--dir", p(&c), "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
}
