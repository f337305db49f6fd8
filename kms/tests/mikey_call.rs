//! A cross-KMS MIKEY-SAKKE call through real KMS servers on 127.0.0.1 (TLS):
//! Alice under KMS A calls Bob under KMS B, both provisioned over HTTPS with
//! `KmsClient`, each trusting the other KMS through its certcache; a user of a
//! third KMS C, which neither A nor B trusts, is rejected by Bob's responder,
//! and so is one signed under C's keys that claims to come from KMS A.
//! Run with `--release` (SAKKE and ECCSI are slow in debug).

mod common;

use std::time::Duration;

use common::*;
use mikey_sakke::eccsi::SigningKey;
use mikey_sakke::identity::{NtpTime, Uid};
use mikey_sakke::kdf::KeyType;
use mikey_sakke::mikey::{
    cs_id, initiate, IdRole, InitiateRequest, KeySet, LocalUser, MikeyError, Responder,
    ResponderConfig, TrustedKms,
};
use mikey_sakke::random::OsRandom;
use mikey_sakke_kms::client::KmsClient;
use mikey_sakke_kms::keystore::{ClientKeys, UserKeySet};
use mikey_sakke_kms::server::ServerConfig;

const KMS_A: &str = "kms.org-a.example";
const KMS_B: &str = "kms.org-b.example";
const KMS_C: &str = "kms.org-c.example";
const ALICE: &str = "sip:alice@org-a.example";
const GMS: &str = "sip:gms@org-a.example";
const BOB: &str = "sip:bob@org-b.example";
const MALLORY: &str = "sip:mallory@org-c.example";

/// Provisions `user` over HTTPS: init, keyprov (validated), certcache.
async fn provision(url: &str, ca_pem: &str, token: &str, user: &str) -> ClientKeys {
    let c = KmsClient::new(url, token, user)
        .unwrap()
        .with_roots_pem(ca_pem.as_bytes())
        .unwrap()
        .with_timeout(Duration::from_secs(20))
        .with_retries(1, Duration::from_millis(10));
    let cert = c.init().await.unwrap();
    let sets = c.key_provision(&cert, None).await.unwrap();
    let mut keys = ClientKeys::new(user, cert);
    keys.insert_key_sets(sets.into_iter().map(UserKeySet::from));
    keys.set_trusted(c.cert_cache(None).await.unwrap());
    keys
}

/// An RTP packet: V=2, PT 96, `seq`, `ssrc`, `payload`.
fn rtp(seq: u16, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x80, 0x60];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(payload);
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_kms_call_through_real_servers() {
    let (da, db, dc) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let a = init_kms(da.path(), KMS_A);
    let b = init_kms(db.path(), KMS_B);
    let c = init_kms(dc.path(), KMS_C);
    let alice_token = a.add_user(ALICE).unwrap();
    let gms_token = a.add_user(GMS).unwrap();
    let bob_token = b.add_user(BOB).unwrap();
    let mallory_token = c.add_user(MALLORY).unwrap();
    // A and B exchange certificates (`msk kms cert export` / `trust add`).
    a.add_trust(&b.certificate().to_xml()).unwrap();
    b.add_trust(&a.certificate().to_xml()).unwrap();
    // C imports B's public certificate so that its users can address Bob,
    // but neither A nor B trusts C.
    c.add_trust(&b.certificate().to_xml()).unwrap();

    let (tls_a, tls_b, tls_c) = (tls(da.path()), tls(db.path()), tls(dc.path()));
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
    let sc = start(
        c.clone(),
        Some(tls_c.server.clone()),
        ServerConfig::default(),
    )
    .await;

    let alice = provision(&sa.url(true), &tls_a.ca_pem, &alice_token, ALICE).await;
    let gms = provision(&sa.url(true), &tls_a.ca_pem, &gms_token, GMS).await;
    let bob = provision(&sb.url(true), &tls_b.ca_pem, &bob_token, BOB).await;
    let mallory = provision(&sc.url(true), &tls_c.ca_pem, &mallory_token, MALLORY).await;
    assert_eq!(alice.kms.kms_uri, KMS_A);
    assert_eq!(bob.kms.kms_uri, KMS_B);
    let uris = |k: &ClientKeys| {
        k.trusted
            .iter()
            .map(|c| c.kms_uri.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(uris(&alice), [KMS_B]);
    assert_eq!(uris(&bob), [KMS_A]);
    assert_eq!(uris(&mallory), [KMS_B]);

    // Each side's MIKEY view of what its client learned.
    let alice_trust = alice.trust_store().unwrap();
    let alice_user = alice.local_user().unwrap();
    let gms_user = gms.local_user().unwrap();
    let bob_trust = bob.trust_store().unwrap();
    let mut bob_user = bob.local_user().unwrap();
    bob_user.precompute();
    assert_eq!(alice_trust.len(), 2);
    assert_eq!(bob_trust.len(), 2);
    assert_eq!(
        bob_trust.require(KMS_C).unwrap_err(),
        MikeyError::UnknownKms
    );
    let mut bob_side = Responder::new(bob_user, bob_trust, ResponderConfig::default());

    // Alice → Bob: a PCK across the two KMSs.
    let now = NtpTime::now().unwrap();
    let req = InitiateRequest::new(KeyType::Pck, BOB, KMS_B, now);
    let call = initiate(&alice_user, &alice_trust, req, &mut OsRandom).unwrap();
    let idr = |role| String::from_utf8(call.message.idr(role).unwrap().data.clone()).unwrap();
    assert_eq!(idr(IdRole::InitiatorKms), KMS_A);
    assert_eq!(idr(IdRole::ResponderKms), KMS_B);

    let got = bob_side.receive_text(&call.text, now).unwrap();
    assert_eq!(got.initiator_kms, KMS_A);
    assert_eq!(got.responder_kms, KMS_B);
    assert_eq!(got.key_id, call.key_id);
    assert_eq!(got.key.as_bytes(), call.key.as_bytes());
    got.check_initiator_uri(ALICE).unwrap();

    // SRTP in one call on each side; Alice protects, Bob unprotects.
    let up = cs_id::MCPTT_PRIVATE_INITIATOR;
    let mut alice_tx = call.srtp_context(up).unwrap();
    let mut bob_rx = got.srtp_context(up).unwrap();
    let plain = rtp(1, 0xa11c_e001, b"Hello Bob, it's Alice.");
    let mut packet = plain.clone();
    alice_tx.protect_rtp(&mut packet).unwrap();
    assert_ne!(packet[12..plain.len()], plain[12..]);
    let mut received = packet.clone();
    bob_rx.unprotect_rtp(&mut received).unwrap();
    assert_eq!(received, plain);
    // Replays of the packet and of the I_MESSAGE are refused.
    assert!(bob_rx.unprotect_rtp(&mut packet.clone()).is_err());
    assert_eq!(
        bob_side.receive_text(&call.text, now).unwrap_err(),
        MikeyError::Replay
    );

    // A GMK from Org A's group management server to Bob (under KMS B).
    let req = InitiateRequest::new(KeyType::Gmk, BOB, KMS_B, now);
    let gmk = initiate(&gms_user, &alice_trust, req, &mut OsRandom).unwrap();
    let got_gmk = bob_side.receive(&gmk.bytes, now).unwrap();
    assert_eq!(got_gmk.initiator_kms, KMS_A);
    assert_eq!(got_gmk.key.as_bytes(), gmk.key.as_bytes());
    assert_eq!(got_gmk.key_id, gmk.key_id);
    let mut gms_tx = gmk.srtp_context(cs_id::MCPTT_GROUP).unwrap();
    let mut bob_grx = got_gmk.srtp_context(cs_id::MCPTT_GROUP).unwrap();
    let plain = rtp(7, 0x0000_0a11, b"to the group");
    let mut packet = plain.clone();
    gms_tx.protect_rtp(&mut packet).unwrap();
    bob_grx.unprotect_rtp(&mut packet).unwrap();
    assert_eq!(packet, plain);

    // Mallory, provisioned by KMS C, signs and encapsulates correctly to
    // Bob under KMS B, but Bob does not trust C: the typed unknown-KMS error
    // (checklist K1), and nothing is recorded for it.
    let mallory_trust = mallory.trust_store().unwrap();
    let mallory_user = mallory.local_user().unwrap();
    let req = InitiateRequest::new(KeyType::Pck, BOB, KMS_B, now);
    let forged = initiate(&mallory_user, &mallory_trust, req, &mut OsRandom).unwrap();
    let err = bob_side.receive_text(&forged.text, now).unwrap_err();
    assert_eq!(err, MikeyError::UnknownKms);
    assert_eq!(err.check_id(), Some("K1"));

    // Mallory claims to be under KMS A (IDRkmsi = A) with a signing key KMS C
    // issued for her UID under A: Bob verifies with A's real KPAK and rejects
    // the signature (checklist C1).
    let period = bob.key_sets[0].key_period_no;
    let fake_a = TrustedKms::new(
        KMS_A,
        c.certificate().pub_auth_key.clone(),
        &c.certificate().pub_enc_key,
        a.certificate().key_period().unwrap(),
    );
    let uid = Uid::derive(MALLORY, KMS_A, fake_a.key_period(), period).unwrap();
    let (ssk, pvt) = c.issuer().issue_signing_key(&uid, &mut OsRandom).unwrap();
    let signer = SigningKey::new(fake_a.kpak(), uid.as_bytes(), ssk, pvt).unwrap();
    let mut impostor = LocalUser::new(MALLORY, KMS_A);
    impostor.add_key_set(KeySet::new(KMS_A, period, uid.as_bytes(), Some(signer), None).unwrap());
    let mut impostor_trust = mallory_trust.clone();
    impostor_trust.insert(fake_a);
    let req = InitiateRequest::new(KeyType::Pck, BOB, KMS_B, now);
    let forged = initiate(&impostor, &impostor_trust, req, &mut OsRandom).unwrap();
    let idr = |role| String::from_utf8(forged.message.idr(role).unwrap().data.clone()).unwrap();
    assert_eq!(idr(IdRole::InitiatorKms), KMS_A);
    assert_eq!(
        bob_side.receive_text(&forged.text, now).unwrap_err(),
        MikeyError::SignatureInvalid
    );

    sa.stop().await;
    sb.stop().await;
    sc.stop().await;
}
