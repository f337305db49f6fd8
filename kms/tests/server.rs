//! Real KMS servers on 127.0.0.1: provisioning over HTTPS and HTTP, every
//! error status, persistence across a restart, and trust between two KMSs.

mod common;

use std::time::Duration;

use common::*;
use mikey_sakke::eccsi::{self, SigningKey, Ssk};
use mikey_sakke::kms::{CertRole, KmsDocError, KmsResponse};
use mikey_sakke::random::OsRandom;
use mikey_sakke::sakke::{KmsContext, ReceiverKey, Rsk};
use mikey_sakke_kms::client::{ClientError, KmsClient};
use mikey_sakke_kms::keystore::{
    ClientKeyStore, ClientKeys, EncryptedFileKeyStore, KeyStoreError, UserKeySet,
};
use mikey_sakke_kms::seal::KdfParams;
use mikey_sakke_kms::server::{ServerConfig, PREFIX};
use mikey_sakke_kms::service::{Kms, ServiceError};
use mikey_sakke_kms::store::{KmsStore, SqliteStore};

const ALICE: &str = "sip:alice@example.org";
const BOB: &str = "sip:bob@example.org";

fn client(url: &str, token: &str, user: &str) -> KmsClient {
    KmsClient::new(url, token, user)
        .unwrap()
        .with_timeout(Duration::from_secs(20))
        .with_retries(1, Duration::from_millis(10))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_over_tls_and_repeat_returns_same_keys() {
    let dir = tempfile::tempdir().unwrap();
    let kms = init_kms(dir.path(), "kms-a.example.org");
    let token = kms.add_user(ALICE).unwrap();
    assert_eq!(token.len(), 64);
    let tls = tls(dir.path());
    let srv = start(
        kms.clone(),
        Some(tls.server.clone()),
        ServerConfig::default(),
    )
    .await;
    let c = client(&srv.url(true), &token, ALICE)
        .with_roots_pem(tls.ca_pem.as_bytes())
        .unwrap();

    let cert = c.init().await.unwrap();
    assert_eq!(&cert, kms.certificate());
    assert_eq!(cert.role, CertRole::Root);

    let first = c.key_provision(&cert, None).await.unwrap();
    assert_eq!(first.len(), 1);
    let n = first[0].key_period_no;
    assert_eq!(first[0].user_uri, ALICE);
    assert_eq!(first[0].user_id, kms.issuer().uid(ALICE, n).unwrap());
    // Repeated keyprov: the same SSK/PVT (stored), the same RSK (deterministic).
    let again = c.key_provision(&cert, Some(n)).await.unwrap();
    assert_eq!(again, first);
    // Current and next period.
    let both = c.key_provision_current_and_next(&cert).await.unwrap();
    assert_eq!(
        both.iter().map(|s| s.key_period_no).collect::<Vec<_>>(),
        vec![n, n + 1]
    );
    assert_eq!(both[0], first[0]);
    // Audit log: one issuance per period.
    let log = kms.store().audit_log(100).unwrap();
    let issued: Vec<_> = log.iter().filter(|e| e.event == "issue").collect();
    assert_eq!(issued.len(), 2);
    assert_eq!(issued[0].user_uri.as_deref(), Some(ALICE));

    // Without the test CA the TLS handshake fails (system roots only).
    let untrusted = client(&srv.url(true), &token, ALICE);
    assert!(matches!(
        untrusted.init().await,
        Err(ClientError::Network(_))
    ));

    // The keys go to the encrypted client key store and come back.
    let mut keys = ClientKeys::new(ALICE, cert.clone());
    keys.insert_key_sets(both.into_iter().map(UserKeySet::from));
    let path = dir.path().join("alice.keys");
    let secret = secret();
    let ks = EncryptedFileKeyStore::open(&path, &secret, KdfParams::fast_for_tests()).unwrap();
    ks.save(&keys).unwrap();
    let raw = std::fs::read(&path).unwrap();
    let ssk_hex = hex::encode(&keys.key_sets[0].ssk.to_bytes()[..]);
    assert!(!String::from_utf8_lossy(&raw).contains(&ssk_hex));
    let ks2 = EncryptedFileKeyStore::open(&path, &secret, KdfParams::fast_for_tests()).unwrap();
    let loaded = ks2.load().unwrap().unwrap();
    assert_eq!(loaded.kms, cert);
    assert_eq!(loaded.key_sets.len(), 2);
    assert_eq!(
        *loaded.key_sets[1].ssk.to_bytes(),
        *keys.key_sets[1].ssk.to_bytes()
    );
    let wrong =
        mikey_sakke_kms::seal::OperatorSecret::new(b"not the right secret".to_vec()).unwrap();
    let ks3 = EncryptedFileKeyStore::open(&path, &wrong, KdfParams::fast_for_tests()).unwrap();
    assert!(matches!(ks3.load(), Err(KeyStoreError::Seal(_))));
    srv.stop().await;
}

fn kms_error(body: &[u8]) -> (u64, String) {
    let r = KmsResponse::from_xml(std::str::from_utf8(body).unwrap()).unwrap();
    let e = r.error.unwrap();
    (e.code, e.msg)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_status() {
    let dir = tempfile::tempdir().unwrap();
    let kms = init_kms(dir.path(), "kms-a.example.org");
    let alice = kms.add_user(ALICE).unwrap();
    let bob = kms.add_user(BOB).unwrap();
    let carol = kms.add_user("sip:carol@example.org").unwrap();
    kms.store().revoke_user("sip:carol@example.org").unwrap();
    let cfg = ServerConfig {
        body_limit: 4096,
        ..ServerConfig::default()
    };
    let srv = start(kms.clone(), None, cfg).await;
    let url = srv.url(false);
    let c = client(&url, &alice, ALICE);
    let cert = c.init().await.unwrap();

    // 401: missing, unknown and revoked tokens.
    let (status, body) = client(&url, "", ALICE)
        .post_raw(&format!("{PREFIX}/init"), Vec::new())
        .await
        .unwrap();
    assert_eq!(status, 401);
    assert_eq!(kms_error(&body), (401, "missing bearer token".into()));
    let err = client(&url, "00", ALICE).init().await.unwrap_err();
    assert!(
        matches!(err, ClientError::Http { status: 401, .. }),
        "{err}"
    );
    let err = client(&url, &carol, "sip:carol@example.org")
        .init()
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Http { status: 401, .. }),
        "{err}"
    );

    // 403: another user's URI in the path or in the request.
    let err = client(&url, &alice, BOB)
        .key_provision(&cert, None)
        .await
        .unwrap_err();
    match err {
        ClientError::Http { status: 403, error } => {
            assert_eq!(error.unwrap().msg, "UserUri is not the authenticated user")
        }
        other => panic!("{other}"),
    }
    let (status, body) = c
        .post_raw(
            &format!("{PREFIX}/keyprov/sip%3Abob%40example.org"),
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(status, 403);
    assert_eq!(kms_error(&body), (403, "keys of another user".into()));
    let bob_client = client(&url, &bob, BOB);
    let (status, body) = bob_client
        .post_raw(
            &format!("{PREFIX}/keyprov"),
            request_xml(ALICE, "kms-a.example.org").into_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(status, 403);
    assert_eq!(kms_error(&body).0, 403);

    // 400: malformed XML, a wrong KMS, a malformed time, a period out of range.
    let (status, body) = c
        .post_raw(&format!("{PREFIX}/keyprov"), b"<KmsRequest".to_vec())
        .await
        .unwrap();
    assert_eq!(status, 400);
    let (code, msg) = kms_error(&body);
    assert_eq!(code, 400);
    assert!(
        msg.starts_with("malformed KmsRequest: malformed XML"),
        "{msg}"
    );
    let (status, body) = c
        .post_raw(
            &format!("{PREFIX}/keyprov"),
            request_xml(ALICE, "kms-z.example.org").into_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(status, 400);
    assert_eq!(kms_error(&body).1, "KmsUri does not name this KMS");
    let (status, body) = c
        .post_raw(
            &format!("{PREFIX}/keyprov/sip%3Aalice%40example.org/XYZ"),
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(status, 400);
    assert_eq!(kms_error(&body).1, "time is not 16 hex digits");
    let err = c.key_provision(&cert, Some(3)).await.unwrap_err();
    assert!(
        matches!(err, ClientError::Http { status: 400, .. }),
        "{err}"
    );
    // A valid request is accepted, and its ClientReqUrl echoed.
    let (status, body) = c
        .post_raw(
            &format!("{PREFIX}/certcache"),
            request_xml(ALICE, "kms-a.example.org").into_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
    let r = KmsResponse::from_xml(std::str::from_utf8(&body).unwrap()).unwrap();
    assert_eq!(r.client_req_url, "https://kms-a.example.org/x");

    // 413: body over the limit.
    let (status, _) = c
        .post_raw(&format!("{PREFIX}/init"), vec![b' '; 5000])
        .await
        .unwrap();
    assert_eq!(status, 413);
    srv.stop().await;

    // 429: rate limit (burst 3, no refill to speak of).
    let cfg = ServerConfig {
        rate_per_sec: 0.001,
        burst: 3.0,
        ..ServerConfig::default()
    };
    let srv = start(kms.clone(), None, cfg).await;
    let c = client(&srv.url(false), &alice, ALICE);
    for _ in 0..3 {
        c.init().await.unwrap();
    }
    let err = c.init().await.unwrap_err();
    match err {
        ClientError::Http { status: 429, error } => {
            assert_eq!(error.unwrap().msg, "rate limit exceeded")
        }
        other => panic!("{other}"),
    }
    // Another user has its own budget.
    client(&srv.url(false), &bob, BOB).init().await.unwrap();
    // Unknown resource.
    let (status, _) = c
        .post_raw(&format!("{PREFIX}/redirect"), Vec::new())
        .await
        .unwrap();
    assert_eq!(status, 404);
    // Failed authentications from one address: 401 three times, then 429
    // before any lookup, even for a valid token from that address.
    for _ in 0..3 {
        let err = client(&srv.url(false), "bad", ALICE)
            .init()
            .await
            .unwrap_err();
        assert!(
            matches!(err, ClientError::Http { status: 401, .. }),
            "{err}"
        );
    }
    match client(&srv.url(false), "bad", ALICE)
        .init()
        .await
        .unwrap_err()
    {
        ClientError::Http { status: 429, error } => {
            assert_eq!(error.unwrap().msg, "too many failed authentications")
        }
        other => panic!("{other}"),
    }
    let err = client(&srv.url(false), &bob, BOB).init().await.unwrap_err();
    assert!(
        matches!(err, ClientError::Http { status: 429, .. }),
        "{err}"
    );
    srv.stop().await;
}

fn request_xml(user: &str, kms: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0" Version="1.1.0"><UserUri>{user}</UserUri><KmsUri>{kms}</KmsUri><Time>2026-01-01T00:00:00Z</Time><ClientReqUrl>https://{kms}/x</ClientReqUrl></KmsRequest>"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let kms = init_kms(dir.path(), "kms-a.example.org");
    let token = kms.add_user(ALICE).unwrap();
    let b = init_kms(other.path(), "kms-b.example.org");
    kms.add_trust(&b.certificate().to_xml()).unwrap();
    let srv = start(kms.clone(), None, ServerConfig::default()).await;
    let c = client(&srv.url(false), &token, ALICE);
    let cert = c.init().await.unwrap();
    let before = c.key_provision(&cert, None).await.unwrap();
    srv.stop().await;
    drop(kms);

    // A new process: the store is opened again with the operator secret.
    let kms = open_kms(dir.path());
    assert_eq!(kms.certificate(), &cert);
    let srv = start(kms.clone(), None, ServerConfig::default()).await;
    let c = client(&srv.url(false), &token, ALICE);
    assert_eq!(c.init().await.unwrap(), cert);
    assert_eq!(c.key_provision(&cert, None).await.unwrap(), before);
    let cache = c.cert_cache(None).await.unwrap();
    assert_eq!(cache.cache_num, 1);
    assert_eq!(cache.certificates.len(), 1);
    assert_eq!(cache.certificates[0].kms_uri, "kms-b.example.org");
    srv.stop().await;

    // A wrong operator secret does not open the master secrets.
    let store: std::sync::Arc<dyn KmsStore> =
        std::sync::Arc::new(SqliteStore::open_dir(dir.path()).unwrap());
    let wrong =
        mikey_sakke_kms::seal::OperatorSecret::new(b"wrong operator secret".to_vec()).unwrap();
    assert!(matches!(
        Kms::open(store.clone(), &wrong),
        Err(ServiceError::Seal(mikey_sakke_kms::seal::SealError::Open))
    ));
    // The database holds no master secret in clear.
    let ksak = kms.issuer().master_secrets().unwrap().ksak_bytes();
    let db = std::fs::read(dir.path().join("kms.db")).unwrap();
    assert!(!db.windows(32).any(|w| w == &ksak[..]));
    // Backup and restore.
    let backup = dir.path().join("backup.db");
    SqliteStore::open_dir(dir.path())
        .unwrap()
        .backup(&backup)
        .unwrap();
    let restored = tempfile::tempdir().unwrap();
    mikey_sakke_kms::store::restore(restored.path(), &backup).unwrap();
    let k2 = open_kms(restored.path());
    assert_eq!(k2.certificate(), &cert);
    assert_eq!(k2.authenticate(&token).unwrap().unwrap().uri, ALICE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_kms_trust_each_other() {
    let da = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    let dc = tempfile::tempdir().unwrap();
    let a = init_kms(da.path(), "kms-a.example.org");
    let b = init_kms(db.path(), "kms-b.example.net");
    let c_kms = init_kms(dc.path(), "kms-c.example.com");
    let alice_token = a.add_user(ALICE).unwrap();
    let bob_token = b.add_user("sip:bob@example.net").unwrap();
    // Exchange of certificates between the enterprises.
    a.add_trust(&b.certificate().to_xml()).unwrap();
    b.add_trust(&a.certificate().to_xml()).unwrap();
    assert!(matches!(
        a.add_trust(&a.certificate().to_xml()),
        Err(ServiceError::OwnCertificate)
    ));
    assert!(matches!(
        a.add_trust("<KmsCertificate/>"),
        Err(ServiceError::Doc(KmsDocError::WrongNamespace { .. }))
    ));
    let tls_a = tls(da.path());
    let tls_b = tls(db.path());
    let sa = start(
        a.clone(),
        Some(tls_a.server.clone()),
        ServerConfig::default(),
    )
    .await;
    let sb = start(
        b.clone(),
        Some(tls_b.server.clone()),
        ServerConfig::default(),
    )
    .await;

    let provision = |url: String, token: String, user: &'static str, ca: String| async move {
        let c = client(&url, &token, user)
            .with_roots_pem(ca.as_bytes())
            .unwrap();
        let cert = c.init().await.unwrap();
        let sets = c.key_provision(&cert, None).await.unwrap();
        let cache = c.cert_cache(None).await.unwrap();
        // Up to date: nothing newer than the current cache number.
        let newer = c.cert_cache(Some(cache.cache_num)).await.unwrap();
        assert_eq!(newer.cache_num, cache.cache_num);
        assert!(newer.certificates.is_empty());
        let mut keys = ClientKeys::new(user, cert);
        keys.insert_key_sets(sets.into_iter().map(UserKeySet::from));
        keys.set_trusted(cache);
        keys
    };
    let alice = provision(
        sa.url(true),
        alice_token.to_string(),
        ALICE,
        tls_a.ca_pem.clone(),
    )
    .await;
    let bob = provision(
        sb.url(true),
        bob_token.to_string(),
        "sip:bob@example.net",
        tls_b.ca_pem.clone(),
    )
    .await;
    assert_eq!(alice.trusted.len(), 1);
    assert_eq!(alice.trusted[0].role, CertRole::External);
    assert_eq!(
        &alice.trusted[0].pub_auth_key,
        &b.certificate().pub_auth_key
    );
    let provision_json = serde_json::to_value(alice.to_provision_file()).unwrap();
    assert_eq!(provision_json["trusted_kms"][0]["uri"], "kms-b.example.net");
    assert_eq!(provision_json["kms"]["user_key_period"], 2_592_000);

    // Alice calls Bob: she signs with her keys and encapsulates to Bob's UID
    // under Bob's KMS (from her certcache); Bob verifies with Alice's KMS
    // KPAK (from his certcache) and decapsulates with his RSK.
    let a_set = &alice.key_sets[0];
    let b_set = &bob.key_sets[0];
    let bob_kms = alice.kms_certificate("kms-b.example.net").unwrap();
    let bob_uid = mikey_sakke::identity::Uid::derive(
        "sip:bob@example.net",
        &bob_kms.kms_uri,
        &bob_kms.key_period().unwrap(),
        b_set.key_period_no,
    )
    .unwrap();
    assert_eq!(bob_uid, b_set.uid);
    let (ssv, sed) = KmsContext::new(&bob_kms.pub_enc_key)
        .encapsulate_fresh(bob_uid.as_bytes(), &mut OsRandom)
        .unwrap();
    let signer = SigningKey::new(
        &alice.kms.pub_auth_key,
        a_set.uid.as_bytes(),
        Ssk::from_bytes(&*a_set.ssk.to_bytes()).unwrap(),
        a_set.pvt.clone(),
    )
    .unwrap();
    let sig = signer.sign(sed.as_bytes(), &mut OsRandom).unwrap();

    let alice_kms = bob.kms_certificate("kms-a.example.org").unwrap();
    eccsi::verify(
        &alice_kms.pub_auth_key,
        a_set.uid.as_bytes(),
        sed.as_bytes(),
        sig.as_bytes(),
    )
    .unwrap();
    let rk = ReceiverKey::new(
        &KmsContext::new(&bob.kms.pub_enc_key),
        b_set.uid.as_bytes(),
        Rsk::from_bytes(&*b_set.rsk.to_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(rk.decapsulate(&sed).unwrap().as_bytes(), ssv.as_bytes());

    // A KMS that Bob does not trust is rejected.
    assert!(matches!(
        bob.kms_certificate(&c_kms.certificate().kms_uri),
        Err(KeyStoreError::UntrustedKms(u)) if u == "kms-c.example.com"
    ));
    // And a signature made under C's keys does not verify under A's KPAK.
    let mallory = c_kms
        .issuer()
        .issue_key_set(ALICE, a_set.key_period_no, &mut OsRandom);
    let mallory = mallory.unwrap();
    let forged = SigningKey::new(
        &c_kms.certificate().pub_auth_key,
        mallory.user_id.as_bytes(),
        mallory.ssk,
        mallory.pvt,
    )
    .unwrap()
    .sign(sed.as_bytes(), &mut OsRandom)
    .unwrap();
    assert!(eccsi::verify(
        &alice_kms.pub_auth_key,
        a_set.uid.as_bytes(),
        sed.as_bytes(),
        forged.as_bytes()
    )
    .is_err());
    sa.stop().await;
    sb.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_network_errors_timeouts_and_retries() {
    // Nothing listens: a network error after every attempt, with backoff.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = KmsClient::new(&format!("http://127.0.0.1:{port}"), "t", ALICE)
        .unwrap()
        .with_retries(3, Duration::from_millis(50));
    let t = std::time::Instant::now();
    assert!(matches!(c.init().await, Err(ClientError::Network(_))));
    assert!(
        t.elapsed() >= Duration::from_millis(150),
        "{:?}",
        t.elapsed()
    );

    // A server that accepts and never answers: a timeout.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut conns = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            conns.push(s);
        }
    });
    let c = KmsClient::new(&format!("http://{addr}"), "t", ALICE)
        .unwrap()
        .with_timeout(Duration::from_millis(300))
        .with_retries(2, Duration::from_millis(10));
    let t = std::time::Instant::now();
    assert!(matches!(c.init().await, Err(ClientError::Timeout)));
    assert!(
        t.elapsed() >= Duration::from_millis(600),
        "{:?}",
        t.elapsed()
    );
    hold.abort();

    // Not a server URL; roots PEM without a certificate.
    assert!(matches!(
        KmsClient::new("kms.example.org", "t", ALICE),
        Err(ClientError::BadUrl(_))
    ));
    assert!(matches!(
        KmsClient::new("https://127.0.0.1:1", "t", ALICE)
            .unwrap()
            .with_roots_pem(b"no pem here"),
        Err(ClientError::TlsConfig(_))
    ));
}
