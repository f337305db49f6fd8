//! A MIKEY-SAKKE result to SRTP in one call (RFC 3830 §4.1.3, TS 33.180 §7.4,
//! E.1.3; SPEC §5.8, §6.2, §6.7, §7):
//!
//! * initiator and responder contexts for PCK (private profile, AES-128-GCM, one
//!   cs_id per direction), GMK (group profile, RCCm3) and CSK, with and without SP
//!   payload, same and cross KMS: packets protected by one end are unprotected by
//!   the other, and both ends' contexts protect to identical octets;
//! * group media between two members (per-member GUK-ID, per-sender keys);
//! * the sample message: MKI `0eed18ca0e4de701`, master key and salt of cs_id 4;
//! * the SP-policy → SRTP-policy mapping and its typed errors.
//!
//! Run with `--release`: SAKKE and ECCSI are slow in debug builds.

use mikey_sakke::eccsi::{EccsiKms, Kpak, Pvt, SigningKey, Ssk};
use mikey_sakke::identity::{KeyPeriod, NtpTime, Uid};
use mikey_sakke::kdf::{KeyId, KeyType, Salt, Tek};
use mikey_sakke::mikey::*;
use mikey_sakke::random::OsRandom;
use mikey_sakke::sakke::{KmsContext, KmsPublicKey, ReceiverKey, Rsk, SakkeKms, Ssv};
use mikey_sakke::srtp::{self, Profile, RocCarriage, SrtpContext, SrtpError, SrtpOptions};
use mikey_sakke::Error;

// ---------------------------------------------------------------------------------
// Set-up: two KMSs, users, trust
// ---------------------------------------------------------------------------------

const PERIOD: u64 = 2_592_000;
const ALICE: &str = "sip:alice@org-a.example";
const BOB: &str = "sip:bob@org-b.example";
const CAROL: &str = "sip:carol@org-a.example";
const GMS: &str = "sip:gms@org-a.example";
const KMS_A: &str = "kms.org-a.example";
const KMS_B: &str = "kms.org-b.example";

struct Kms {
    trusted: TrustedKms,
    eccsi: EccsiKms,
    sakke: SakkeKms,
}

fn new_kms(uri: &str) -> Kms {
    let eccsi = EccsiKms::generate(&mut OsRandom).unwrap();
    let sakke = SakkeKms::generate(&mut OsRandom).unwrap();
    let trusted = TrustedKms::with_context(
        uri,
        eccsi.kpak().clone(),
        KmsContext::new(sakke.public_key()),
        KeyPeriod::new(PERIOD, 0).unwrap(),
    );
    Kms {
        trusted,
        eccsi,
        sakke,
    }
}

/// 2026-11-26 17:01:22 UTC.
fn t0() -> NtpTime {
    NtpTime::from_parts(0xeeb2e462, 0)
}

fn new_user(kms: &Kms, uri: &str) -> LocalUser {
    let n = kms.trusted.key_period().number_at(t0()).unwrap();
    let id = Uid::derive(uri, kms.trusted.uri(), kms.trusted.key_period(), n).unwrap();
    let id = id.as_bytes();
    let (ssk, pvt) = kms.eccsi.issue(id, &mut OsRandom).unwrap();
    let signing = SigningKey::new(kms.eccsi.kpak(), id, ssk, pvt).unwrap();
    let rsk = kms.sakke.issue_rsk(id).unwrap();
    let receiving = ReceiverKey::new(kms.trusted.sakke(), id, rsk).unwrap();
    let mut u = LocalUser::new(uri, kms.trusted.uri());
    u.add_key_set(KeySet::new(kms.trusted.uri(), n, id, Some(signing), Some(receiving)).unwrap());
    u
}

/// Alice, Carol and the GMS under KMS A; Bob under KMS B (or A when `same_kms`);
/// everyone trusts both KMSs.
struct World {
    alice: LocalUser,
    gms: LocalUser,
    bob: Option<LocalUser>,
    carol: Option<LocalUser>,
    trust: TrustStore,
}

fn world(same_kms: bool) -> World {
    let a = new_kms(KMS_A);
    let b = if same_kms { None } else { Some(new_kms(KMS_B)) };
    let mut trust = TrustStore::new();
    trust.insert(a.trusted.clone());
    if let Some(b) = &b {
        trust.insert(b.trusted.clone());
    }
    World {
        alice: new_user(&a, ALICE),
        gms: new_user(&a, GMS),
        bob: Some(new_user(b.as_ref().unwrap_or(&a), BOB)),
        carol: Some(new_user(&a, CAROL)),
        trust,
    }
}

impl World {
    fn bob_kms(&self) -> String {
        self.bob.as_ref().unwrap().kms_uri().to_string()
    }

    fn responder(&mut self, who: &str) -> Responder {
        let user = match who {
            BOB => self.bob.take(),
            _ => self.carol.take(),
        };
        Responder::new(
            user.unwrap(),
            self.trust.clone(),
            ResponderConfig::default(),
        )
    }
}

fn rtp(seq: u16, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x80, 0x60];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&0x0102_0304u32.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(payload);
    p
}

fn rtcp(ssrc: u32) -> Vec<u8> {
    // A receiver report with no report blocks.
    let mut p = vec![0x80, 201, 0, 1];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p
}

/// `tx` protects a few packets that `rx` unprotects; returns the first protected
/// packet.
#[track_caller]
fn media(tx: &mut SrtpContext, rx: &mut SrtpContext, ssrc: u32) -> Vec<u8> {
    let mut first = Vec::new();
    for seq in [1u16, 2, 3, 100] {
        let plain = rtp(seq, ssrc, format!("media {seq}").as_bytes());
        let mut p = plain.clone();
        tx.protect_rtp(&mut p).unwrap();
        assert_ne!(p, plain);
        if first.is_empty() {
            first = p.clone();
        }
        rx.unprotect_rtp(&mut p).unwrap();
        assert_eq!(p, plain);
    }
    // A replay is rejected.
    let mut again = first.clone();
    assert!(matches!(
        rx.unprotect_rtp(&mut again),
        Err(SrtpError::ReplayDuplicate { .. })
    ));
    first
}

/// Both ends' contexts for `cs`: identical protection, and each unprotects the
/// other's packets (SRTP and SRTCP).
#[track_caller]
fn both_ends_agree(sent: &InitiatedMessage, received: &ReceivedKey, cs: u8) -> SrtpContext {
    let mut i_tx = sent.srtp_context(cs).unwrap();
    let mut r_rx = received.srtp_context(cs).unwrap();
    let mut r_tx = received.srtp_context(cs).unwrap();
    let mut i_rx = sent.srtp_context(cs).unwrap();
    assert_eq!(i_tx.policy(), r_rx.policy());
    assert_eq!(i_tx.mki(), r_rx.mki());
    // Same packet, same keys: the same octets.
    let plain = rtp(7, 0x1234_5678, b"identical");
    let (mut a, mut b) = (plain.clone(), plain.clone());
    i_tx.protect_rtp(&mut a).unwrap();
    r_tx.protect_rtp(&mut b).unwrap();
    assert_eq!(a, b, "cs_id {cs}");
    // Each direction.
    media(&mut i_tx, &mut r_rx, 0x1111);
    media(&mut r_tx, &mut i_rx, 0x2222);
    // SRTCP.
    let plain = rtcp(0x1111);
    let mut p = plain.clone();
    i_tx.protect_rtcp(&mut p).unwrap();
    r_rx.unprotect_rtcp(&mut p).unwrap();
    assert_eq!(p, plain);
    received.srtp_context(cs).unwrap()
}

// ---------------------------------------------------------------------------------
// Private call (PCK)
// ---------------------------------------------------------------------------------

#[test]
fn private_call_pck_each_direction_same_and_cross_kms() {
    for same in [true, false] {
        for with_sp in [true, false] {
            let mut w = world(same);
            let mut req = InitiateRequest::new(KeyType::Pck, BOB, &w.bob_kms(), t0());
            if !with_sp {
                req.security_policy = None;
            }
            let sent = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
            let received = w.responder(BOB).receive_text(&sent.text, t0()).unwrap();
            assert_eq!(received.initiator_kms, KMS_A);
            assert_eq!(received.responder_kms, if same { KMS_A } else { KMS_B });

            // Both ends list the same sessions: the empty map gives cs_ids 0-3
            // with the private-call default profile whatever SP is sent.
            let s_i = sent.sessions().unwrap();
            assert_eq!(s_i.len(), received.sessions.len());
            for (a, b) in s_i.iter().zip(&received.sessions) {
                assert_eq!(a.cs_id, b.cs_id);
                assert_eq!(a.tek.as_bytes(), b.tek.as_bytes());
                assert_eq!(a.salt.as_bytes(), b.salt.as_bytes());
                assert_eq!(a.mki, b.mki);
                assert_eq!(a.policy, b.policy);
            }

            let up = both_ends_agree(&sent, &received, cs_id::MCPTT_PRIVATE_INITIATOR);
            both_ends_agree(&sent, &received, cs_id::MCPTT_PRIVATE_RESPONDER);
            assert_eq!(up.policy(), &srtp::SrtpPolicy::ts33180_private());
            assert_eq!(up.policy().profile(), Profile::AeadAes128Gcm);
            assert_eq!(up.policy().rcc(), None);
            // MKI = PCK-ID (TS 33.180 §7.4.1).
            assert_eq!(up.mki(), Some(&sent.key_id.to_bytes()[..]));
            assert_eq!(sent.key_id.key_type(), KeyType::Pck);

            // The two directions have different keys: a packet the initiator
            // sends (cs_id 0) does not authenticate under cs_id 1.
            let mut a_tx = sent.srtp_context(0).unwrap();
            let mut b_rx1 = received.srtp_context(1).unwrap();
            let mut p = rtp(1, 9, b"wrong direction");
            a_tx.protect_rtp(&mut p).unwrap();
            assert_eq!(
                b_rx1.unprotect_rtp(&mut p),
                Err(SrtpError::AuthenticationFailed)
            );
        }
    }
}

#[test]
fn private_call_with_sp_payload_and_generic_id_map() {
    // An AES-CM SP payload referenced by a GENERIC-ID map listing cs_id 0 only:
    // cs_id 0 takes the SP policy, cs_id 1 (not listed) the same policy.
    let mut w = world(false);
    let mut req = InitiateRequest::new(KeyType::Pck, BOB, &w.bob_kms(), t0());
    req.security_policy = Some(SpPayload {
        policy_no: 3,
        prot_type: PROT_TYPE_SRTP,
        params: [(0u8, 1u8), (1, 16), (2, 1), (3, 20), (4, 14), (11, 4)]
            .iter()
            .map(|&(t, v)| PolicyParam {
                param_type: t,
                value: vec![v],
            })
            .collect(),
    });
    req.cs_map = CsMapChoice::GenericId(cs_id::MCPTT_PRIVATE_INITIATOR);
    let sent = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    let received = w.responder(BOB).receive(&sent.bytes, t0()).unwrap();
    assert_eq!(received.sessions.len(), 1);
    assert_eq!(received.sessions[0].policy_no, Some(3));
    assert!(received.session(1).is_none());
    let s1 = received.crypto_session(1).unwrap();
    assert_eq!(s1.policy_no, Some(3));
    assert_eq!(s1.salt.len(), 14);
    for cs in [0, 1] {
        let ctx = both_ends_agree(&sent, &received, cs);
        assert_eq!(ctx.policy().profile(), Profile::AesCm128HmacSha1_32);
        assert_eq!(ctx.mki(), Some(&sent.key_id.to_bytes()[..]));
    }
}

// ---------------------------------------------------------------------------------
// Group call (GMK)
// ---------------------------------------------------------------------------------

#[test]
fn group_call_gmk_rccm3_same_and_cross_kms() {
    for same in [true, false] {
        for with_sp in [true, false] {
            let mut w = world(same);
            let mut req = InitiateRequest::new(KeyType::Gmk, BOB, &w.bob_kms(), t0());
            if !with_sp {
                req.security_policy = None;
            }
            let sent = initiate(&w.gms, &w.trust, req, &mut OsRandom).unwrap();
            let received = w.responder(BOB).receive_text(&sent.text, t0()).unwrap();
            let ctx = both_ends_agree(&sent, &received, cs_id::MCPTT_GROUP);
            // With the observed SP (no type 13) or the E.2 default (13 = 1): the
            // TS 33.180 group profile, the ROC in every packet.
            assert_eq!(ctx.policy(), &srtp::SrtpPolicy::ts33180_group());
            assert_eq!(ctx.policy().rcc(), Some(RocCarriage { rate: 1 }));
            assert_eq!(received.session(4).unwrap().policy_no, with_sp.then_some(0));
            // MKI = GMK-ID || GUK-ID.
            let mut mki = sent.key_id.to_bytes().to_vec();
            mki.extend_from_slice(&sent.csb_id.to_bytes());
            assert_eq!(ctx.mki(), Some(&mki[..]));
            // 12 + payload, then the GCM tag, the MKI and the ROC.
            let mut tx = sent.srtp_context(4).unwrap();
            let plain = rtp(0x2a, 5, b"rcc");
            let mut p = plain.clone();
            tx.protect_rtp(&mut p).unwrap();
            assert_eq!(p.len(), plain.len() + 16 + 8 + 4);
            assert_eq!(&p[p.len() - 12..p.len() - 4], &mki[..]);
            assert_eq!(&p[p.len() - 4..], &[0, 0, 0, 0]);
        }
    }
}

#[test]
fn group_media_between_members() {
    for same in [true, false] {
        let mut w = world(same);
        // One GMK, GMK-ID and RAND, sent to Bob and to Carol.
        let gmk = Ssv::generate(&mut OsRandom).unwrap();
        let gmk_id = KeyId::generate(KeyType::Gmk, &mut OsRandom).unwrap();
        let rand = vec![0x5a; RAND_LEN];
        let send_to = |w: &World, uri: &str, kms: &str, rand: &[u8]| {
            let mut req = InitiateRequest::new(KeyType::Gmk, uri, kms, t0());
            req.key = Some(Ssv::from_bytes(gmk.as_bytes()).unwrap());
            req.key_id = Some(gmk_id);
            req.rand = Some(rand.to_vec());
            initiate(&w.gms, &w.trust, req, &mut OsRandom).unwrap()
        };
        let to_bob = send_to(&w, BOB, &w.bob_kms(), &rand);
        let to_carol = send_to(&w, CAROL, KMS_A, &rand);
        assert_ne!(to_bob.csb_id, to_carol.csb_id);
        let bob = w.responder(BOB).receive(&to_bob.bytes, t0()).unwrap();
        let carol = w.responder(CAROL).receive(&to_carol.bytes, t0()).unwrap();
        assert_eq!(bob.key_id, gmk_id);
        assert_eq!(carol.key_id, gmk_id);
        assert_eq!(bob.key.as_bytes(), carol.key.as_bytes());

        // Each member's own session has its own keys and MKI.
        let mut bob_tx = bob.srtp_context(4).unwrap();
        let mut carol_own = carol.srtp_context(4).unwrap();
        assert_ne!(bob_tx.mki(), carol_own.mki());
        assert_ne!(
            bob.session(4).unwrap().tek.as_bytes(),
            carol.session(4).unwrap().tek.as_bytes()
        );

        // Bob talks: Carol reads the MKI, derives Bob's keys and unprotects.
        let plain = rtp(1, 0xb0b, b"Bob to the group");
        let mut p = plain.clone();
        bob_tx.protect_rtp(&mut p).unwrap();
        let mki = carol_own.rtp_packet_mki(&p).unwrap().to_vec();
        assert_eq!(Some(&mki[..]), bob_tx.mki());
        let mut wrong = p.clone();
        assert_eq!(
            carol_own.unprotect_rtp(&mut wrong),
            Err(SrtpError::UnknownMki)
        );
        let mut carol_rx = carol.sender_srtp_context(4, &mki).unwrap();
        carol_rx.unprotect_rtp(&mut p).unwrap();
        assert_eq!(p, plain);
        // The sender's session as Carol derives it equals Bob's own.
        let s = carol.sender_session(4, &mki).unwrap();
        assert_eq!(s.tek.as_bytes(), bob.session(4).unwrap().tek.as_bytes());
        assert_eq!(s.salt.as_bytes(), bob.session(4).unwrap().salt.as_bytes());

        // Carol talks, Bob listens.
        let mut carol_tx = carol.srtp_context(4).unwrap();
        let mut bob_rx = bob.sender_srtp_context(4, carol_tx.mki().unwrap()).unwrap();
        media(&mut carol_tx, &mut bob_rx, 0xca201);

        // An MKI of another GMK, or not a group MKI: unknown.
        let mut other = mki.clone();
        other[0] ^= 0x01;
        for bad in [&other[..], &mki[..4], &[0x10, 0, 0, 1, 0x10, 0, 0, 1][..]] {
            assert_eq!(
                carol.sender_srtp_context(4, bad).unwrap_err(),
                Error::Srtp(SrtpError::UnknownMki)
            );
        }

        // Had the GMS sent Carol the GMK with another RAND, her derivation of
        // Bob's keys would differ from his: the per-sender derivation needs one
        // RAND for the whole group.
        let mut w2 = world(true);
        let to_carol2 = send_to(&w2, CAROL, KMS_A, &[0xa5; RAND_LEN]);
        let carol2 = w2.responder(CAROL).receive(&to_carol2.bytes, t0()).unwrap();
        assert_eq!(carol2.key_id, gmk_id);
        let s2 = carol2.sender_session(4, &mki).unwrap();
        assert_ne!(s2.tek.as_bytes(), bob.session(4).unwrap().tek.as_bytes());
    }
}

#[test]
fn group_key_sends_one_gmk_gmk_id_and_rand_to_every_member() {
    let mut w = world(false);
    let bob_kms = w.bob_kms();
    let key = GroupKey::generate(&mut OsRandom).unwrap();
    assert_eq!(key.gmk_id.key_type(), KeyType::Gmk);
    assert_eq!(key.rand.len(), RAND_LEN);
    let send = |w: &World, uri: &str, kms: &str| {
        let req = key.request(uri, kms, Some(b"group-7"), t0()).unwrap();
        initiate(&w.gms, &w.trust, req, &mut OsRandom).unwrap()
    };
    let to_bob = send(&w, BOB, &bob_kms);
    let to_carol = send(&w, CAROL, KMS_A);
    assert_eq!(to_bob.rand, key.rand);
    assert_eq!(to_carol.rand, key.rand);
    assert_ne!(to_bob.csb_id, to_carol.csb_id);
    let bob = w.responder(BOB).receive(&to_bob.bytes, t0()).unwrap();
    let carol = w.responder(CAROL).receive(&to_carol.bytes, t0()).unwrap();
    for r in [&bob, &carol] {
        assert_eq!(r.key_id, key.gmk_id);
        assert_eq!(r.key.as_bytes(), key.gmk.as_bytes());
        let groups = r
            .key_parameters
            .as_ref()
            .unwrap()
            .group_ids
            .as_ref()
            .unwrap();
        assert_eq!(groups[0].id, b"group-7");
    }
    // Bob talks, Carol derives his keys from the MKI.
    let mut bob_tx = bob.srtp_context(4).unwrap();
    let mut carol_rx = carol.sender_srtp_context(4, bob_tx.mki().unwrap()).unwrap();
    media(&mut bob_tx, &mut carol_rx, 0xb0b7);
    // Without a group id there is no key-parameters extension.
    let req = key.request(BOB, &bob_kms, None, t0()).unwrap();
    assert!(req.key_parameters.is_none());
}

// ---------------------------------------------------------------------------------
// CSK
// ---------------------------------------------------------------------------------

#[test]
fn csk_same_and_cross_kms() {
    for same in [true, false] {
        for with_sp in [true, false] {
            let mut w = world(same);
            let mut req = InitiateRequest::new(KeyType::Csk, BOB, &w.bob_kms(), t0());
            if !with_sp {
                req.security_policy = None;
            }
            let sent = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
            let received = w.responder(BOB).receive_text(&sent.text, t0()).unwrap();
            let ctx = both_ends_agree(&sent, &received, cs_id::MCPTT_CSK);
            assert_eq!(ctx.mki(), Some(&sent.key_id.to_bytes()[..]));
            assert_eq!(ctx.policy().profile(), Profile::AeadAes128Gcm);
            // Every party of a CSK shares the session.
            let s = received.sender_session(6, &sent.key_id.to_bytes()).unwrap();
            assert_eq!(
                s.tek.as_bytes(),
                sent.crypto_session(6).unwrap().tek.as_bytes()
            );
            assert_eq!(
                received.sender_session(6, &[0, 0, 0, 1]).unwrap_err(),
                Error::Srtp(SrtpError::UnknownMki)
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// The sample message
// ---------------------------------------------------------------------------------

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

fn h(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn s(v: &serde_json::Value) -> &str {
    v.as_str().unwrap()
}

#[test]
fn sample_message_gives_the_cs_id_4_context() {
    let v = json(include_str!("data/sample_imessage_gmk.json"));
    let c = &v["case"];
    let kms_uri = s(&c["community"]["kms_uri"]);
    let kms = TrustedKms::new(
        kms_uri,
        Kpak::from_bytes(&h(&c["kms"]["kpak"])).unwrap(),
        &KmsPublicKey::from_bytes(&h(&c["kms"]["Z"])).unwrap(),
        KeyPeriod::new(
            c["community"]["user_key_period"].as_u64().unwrap(),
            c["community"]["user_key_offset"].as_u64().unwrap(),
        )
        .unwrap(),
    );
    let n = c["community"]["key_period_no"].as_u64().unwrap();
    let r = &c["responder"];
    let id = h(&r["uid"]);
    let signing = SigningKey::new(
        kms.kpak(),
        &id,
        Ssk::from_bytes(&h(&r["ssk"])).unwrap(),
        Pvt::from_bytes(&h(&r["pvt"])).unwrap(),
    )
    .unwrap();
    let receiving =
        ReceiverKey::new(kms.sakke(), &id, Rsk::from_bytes(&h(&r["rsk"])).unwrap()).unwrap();
    let mut alice = LocalUser::new(s(&r["uri"]), kms_uri);
    alice.add_key_set(KeySet::new(kms_uri, n, &id, Some(signing), Some(receiving)).unwrap());
    let mut trust = TrustStore::new();
    trust.insert(kms);
    let text = s(&c["i_message_b64"]);
    let bytes = decode_text(text).unwrap();
    let now = match Message::parse(&bytes).unwrap().timestamp().unwrap() {
        Timestamp::NtpUtc(t) => NtpTime::from_bits(*t),
        _ => panic!("not NTP-UTC"),
    };
    let config = ResponderConfig {
        key_period: Some(n),
        ..ResponderConfig::default()
    };
    let received = Responder::new(alice, trust, config)
        .receive_text(text, now)
        .unwrap();

    let mut ctx = received.srtp_context(cs_id::MCPTT_GROUP).unwrap();
    assert_eq!(hex::encode(ctx.mki().unwrap()), "0eed18ca0e4de701");
    assert_eq!(h(&c["mki"]), ctx.mki().unwrap());
    assert_eq!(ctx.policy(), &srtp::SrtpPolicy::ts33180_group());

    // The file's TEK and salt for cs_id 4, given directly.
    let e = &c["derived_srtp_master_keys_by_cs_id"]["4"];
    let mki = h(&c["mki"]);
    let options = SrtpOptions {
        mki: Some(&mki),
        ..SrtpOptions::default()
    };
    let mut direct = SrtpContext::new(
        srtp::SrtpPolicy::ts33180_group(),
        &h(&e["tek"]),
        &h(&e["salt"]),
        &options,
    )
    .unwrap();
    let ssrc = u32::try_from(c["sender_ssrc"].as_u64().unwrap()).unwrap();
    for seq in [0u16, 1, 2, 0x7000] {
        let plain = rtp(seq, ssrc, b"sample group media");
        let (mut a, mut b) = (plain.clone(), plain.clone());
        ctx.protect_rtp(&mut a).unwrap();
        direct.protect_rtp(&mut b).unwrap();
        assert_eq!(a, b, "seq {seq}");
        let mut rx = SrtpContext::new(
            srtp::SrtpPolicy::ts33180_group(),
            &h(&e["tek"]),
            &h(&e["salt"]),
            &options,
        )
        .unwrap();
        rx.unprotect_rtp(&mut a).unwrap();
        assert_eq!(a, plain);
    }
}

// ---------------------------------------------------------------------------------
// SP policy → SRTP policy
// ---------------------------------------------------------------------------------

fn sp(pairs: &[(u8, &[u8])]) -> SrtpPolicy {
    SpPayload {
        policy_no: 0,
        prot_type: PROT_TYPE_SRTP,
        params: pairs
            .iter()
            .map(|&(t, v)| PolicyParam {
                param_type: t,
                value: v.to_vec(),
            })
            .collect(),
    }
    .srtp_policy()
}

#[test]
fn sp_policy_mapping() {
    let group = srtp::SrtpPolicy::ts33180_group();
    let private = srtp::SrtpPolicy::ts33180_private();
    assert_eq!(
        SpPayload::ts33180_observed(0)
            .srtp_policy()
            .to_srtp_policy(),
        Ok(group)
    );
    assert_eq!(
        srtp::SrtpPolicy::try_from(&SpPayload::ts33180_group_default(0).srtp_policy()),
        Ok(group)
    );
    assert_eq!(
        default_profile(KeyType::Pck).srtp_policy().to_srtp_policy(),
        Ok(private)
    );
    // No parameters: the RFC 3830 defaults.
    assert_eq!(
        sp(&[]).to_srtp_policy(),
        Ok(srtp::SrtpPolicy::new(Profile::AesCm128HmacSha1_80))
    );
    assert_eq!(
        sp(&[(0, &[1]), (1, &[32]), (11, &[4])])
            .to_srtp_policy()
            .map(|p| p.profile()),
        Ok(Profile::Aes256CmHmacSha1_32)
    );
    assert_eq!(
        sp(&[(0, &[6]), (1, &[32])])
            .to_srtp_policy()
            .map(|p| p.profile()),
        Ok(Profile::AeadAes256Gcm)
    );
    let p = sp(&[(6, &[0, 0, 1, 0]), (8, &[0])])
        .to_srtp_policy()
        .unwrap();
    assert_eq!(p.kdr(), 256);
    assert!(!p.srtcp_encryption());
    assert_eq!(
        sp(&[(0, &[6]), (2, &[4]), (13, &[4])])
            .to_srtp_policy()
            .unwrap()
            .rcc(),
        Some(RocCarriage { rate: 4 })
    );

    // Unsupported combinations: typed errors naming the parameter.
    let param = |r: Result<srtp::SrtpPolicy, SrtpError>| match r {
        Err(SrtpError::PolicyParameter { param, .. }) => param,
        other => panic!("{other:?}"),
    };
    assert_eq!(param(sp(&[(0, &[2])]).to_srtp_policy()), 0); // AES-F8
    assert_eq!(param(sp(&[(0, &[0])]).to_srtp_policy()), 0); // NULL
    assert_eq!(param(sp(&[(2, &[4])]).to_srtp_policy()), 2); // RCCm3 with AES-CM
    assert_eq!(param(sp(&[(0, &[6]), (2, &[2])]).to_srtp_policy()), 2); // RCCm1
    assert_eq!(param(sp(&[(0, &[6]), (4, &[14])]).to_srtp_policy()), 4);
    assert_eq!(param(sp(&[(1, &[24])]).to_srtp_policy()), 1);
    assert_eq!(param(sp(&[(11, &[8])]).to_srtp_policy()), 11);
    assert_eq!(param(sp(&[(0, &[6]), (20, &[8])]).to_srtp_policy()), 20);
    assert_eq!(param(sp(&[(5, &[1])]).to_srtp_policy()), 5);
    assert_eq!(param(sp(&[(12, &[4])]).to_srtp_policy()), 12);
    assert_eq!(
        sp(&[(6, &[3])]).to_srtp_policy(),
        Err(SrtpError::KeyDerivationRate { kdr: 3 })
    );
    assert_eq!(param(sp(&[(6, &[1; 9])]).to_srtp_policy()), 6);
}

#[test]
fn session_lengths_must_match_the_profile() {
    let session = |tek: usize, salt: usize, policy: SrtpPolicy| CryptoSession {
        cs_id: 0,
        policy_no: None,
        policy,
        tek: Tek::from_vec(vec![1; tek]),
        salt: Salt::from_vec(vec![2; salt]),
        mki: vec![0x10, 0, 0, 1],
        ssrc: None,
        roc: None,
    };
    let gcm = default_profile(KeyType::Pck).srtp_policy();
    assert!(session(16, 12, gcm.clone()).srtp_context().is_ok());
    assert_eq!(
        session(32, 12, gcm.clone()).srtp_context().unwrap_err(),
        SrtpError::MasterKeyLength {
            expected: 16,
            got: 32
        }
    );
    assert_eq!(
        session(16, 14, gcm.clone()).srtp_context().unwrap_err(),
        SrtpError::MasterSaltLength {
            expected: 12,
            got: 14
        }
    );
    // No MKI.
    let mut s = session(16, 12, gcm.clone());
    s.mki.clear();
    assert_eq!(s.srtp_context().unwrap().mki(), None);
    // An SRTP-ID map entry's ROC is set for its SSRC.
    let mut s = session(16, 12, gcm);
    s.ssrc = Some(0xabc);
    s.roc = Some(3);
    let ctx = s.srtp_context().unwrap();
    assert_eq!(ctx.send_roc(0xabc), Some(3));
    assert_eq!(ctx.recv_roc(0xabc), Some(3));
    // Options: a larger replay window, the session's MKI kept.
    let s = session(16, 12, default_profile(KeyType::Gmk).srtp_policy());
    let opts = SrtpOptions {
        replay_window: 1024,
        ..s.srtp_options()
    };
    let ctx = s.srtp_context_with(&opts).unwrap();
    assert_eq!(ctx.mki(), Some(&[0x10, 0, 0, 1][..]));
    assert_eq!(ctx.policy().rcc(), Some(RocCarriage { rate: 1 }));
}
