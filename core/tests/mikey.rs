//! End-to-end tests of the MIKEY-SAKKE I_MESSAGE procedures (SPEC §5.12–§5.15, §9):
//!
//! * the sample GMK message: SSV, GMK-ID, TEK/salt for every cs_id 0–9, key
//!   parameters, identity binding;
//! * the published vendor messages (GMK, CSK, PCK, legacy GMK; a second vendor's GMK
//!   and CSK) with the keys in the file, and the vendor's invalid key set;
//! * initiate → respond round trips for GMK, PCK, CSK, MuSiK, same KMS and cross-KMS,
//!   UIDs with identity hiding and RFC 6509 identifiers with URIs;
//! * one negative test per responder line of the SPEC §9 checklist (H1–H8, K1–K3,
//!   K5, R1, R2, C1, C2, E6), each asserting the exact `MikeyError`, and the
//!   signature-before-decapsulation order.
//!
//! Run with `--release`: SAKKE and ECCSI are slow in debug builds.

use mikey_sakke::eccsi::{EccsiKms, Kpak, Pvt, SigningKey, Ssk};
use mikey_sakke::identity::{KeyPeriod, NtpTime, Rfc6509Id, Uid};
use mikey_sakke::kdf::{KeyId, KeyType};
use mikey_sakke::mikey::key_params::{self, KeyParameters, ProtectedPayload};
use mikey_sakke::mikey::*;
use mikey_sakke::random::OsRandom;
use mikey_sakke::sakke::{KmsContext, KmsPublicKey, ReceiverKey, Rsk, SakkeKms, Ssv};

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

fn h(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn s(v: &serde_json::Value) -> &str {
    v.as_str().unwrap()
}

fn sample() -> serde_json::Value {
    json(include_str!("data/sample_imessage_gmk.json"))
}

fn vendors() -> serde_json::Value {
    json(include_str!("data/published_vendor_imessages.json"))
}

/// A key set from the hex fields of a user (ssk, pvt, rsk) for identifier `id`.
fn key_set(
    kms: &TrustedKms,
    period: u64,
    id: &[u8],
    u: &serde_json::Value,
) -> Result<KeySet, String> {
    let ssk = Ssk::from_bytes(&h(&u["ssk"])).map_err(|e| e.to_string())?;
    let pvt = Pvt::from_bytes(&h(&u["pvt"])).map_err(|e| e.to_string())?;
    let rsk = Rsk::from_bytes(&h(&u["rsk"])).map_err(|e| e.to_string())?;
    let signing = SigningKey::new(kms.kpak(), id, ssk, pvt).map_err(|e| e.to_string())?;
    let receiving = ReceiverKey::new(kms.sakke(), id, rsk).map_err(|e| e.to_string())?;
    KeySet::new(kms.uri(), period, id, Some(signing), Some(receiving)).map_err(|e| e.to_string())
}

fn trusted(uri: &str, kpak: &[u8], z: &[u8], period: u64, offset: u64) -> TrustedKms {
    TrustedKms::new(
        uri,
        Kpak::from_bytes(kpak).unwrap(),
        &KmsPublicKey::from_bytes(z).unwrap(),
        KeyPeriod::new(period, offset).unwrap(),
    )
}

fn ntp_of_message(m: &Message) -> NtpTime {
    match m.timestamp().unwrap() {
        Timestamp::NtpUtc(v) => NtpTime::from_bits(*v),
        _ => panic!("not NTP-UTC"),
    }
}

// ---------------------------------------------------------------------------------
// The sample message
// ---------------------------------------------------------------------------------

struct SampleSetup {
    responder: Responder,
    bytes: Vec<u8>,
    text: String,
    now: NtpTime,
    gms: LocalUser,
    trust: TrustStore,
}

fn sample_setup() -> SampleSetup {
    let v = sample();
    let c = &v["case"];
    let kms_uri = s(&c["community"]["kms_uri"]);
    let kms = trusted(
        kms_uri,
        &h(&c["kms"]["kpak"]),
        &h(&c["kms"]["Z"]),
        c["community"]["user_key_period"].as_u64().unwrap(),
        c["community"]["user_key_offset"].as_u64().unwrap(),
    );
    let n = c["community"]["key_period_no"].as_u64().unwrap();
    assert_eq!(n, 1500);
    // The UIDs of the file are those of period 1500.
    let uid_r = Uid::derive(s(&c["responder"]["uri"]), kms_uri, kms.key_period(), n).unwrap();
    assert_eq!(uid_r.as_bytes().to_vec(), h(&c["responder"]["uid"]));
    let mut alice = LocalUser::new(s(&c["responder"]["uri"]), kms_uri);
    alice.add_key_set(key_set(&kms, n, uid_r.as_bytes(), &c["responder"]).unwrap());
    let mut gms = LocalUser::new(s(&c["initiator"]["uri"]), kms_uri);
    gms.add_key_set(key_set(&kms, n, &h(&c["initiator"]["uid"]), &c["initiator"]).unwrap());
    let mut trust = TrustStore::new();
    trust.insert(kms);
    let text = s(&c["i_message_b64"]).to_string();
    let bytes = decode_text(&text).unwrap();
    let now = ntp_of_message(&Message::parse(&bytes).unwrap());
    let config = ResponderConfig {
        key_period: Some(n),
        ..ResponderConfig::default()
    };
    SampleSetup {
        responder: Responder::new(alice, trust.clone(), config),
        bytes,
        text,
        now,
        gms,
        trust,
    }
}

#[test]
fn sample_end_to_end() {
    let v = sample();
    let c = &v["case"];
    let mut st = sample_setup();
    let r = st.responder.receive_text(&st.text, st.now).unwrap();
    assert_eq!(
        r.key.as_bytes().to_vec(),
        hex::decode("bf5885136cabcb4aff6cdb8e9df47ce2").unwrap()
    );
    assert_eq!(r.key.as_bytes().to_vec(), h(&c["expected"]["ssv_tgk"]));
    assert_eq!(r.key_type, KeyType::Gmk);
    assert_eq!(r.key_id, KeyId::new(0x0eed18ca));
    assert_eq!(r.csb_id, KeyId::new(0x0e4de701));
    assert_eq!(r.rand, h(&c["expected"]["rand"]));
    assert_eq!(r.period_no, 1500);
    assert_eq!(
        r.initiator,
        InitiatorIdentity::Uid(h(&c["initiator"]["uid"]))
    );
    assert_eq!(r.initiator_kms, "kms.mcptt.example.org");
    assert_eq!(r.responder_kms, "kms.mcptt.example.org");
    assert_eq!(r.message.to_bytes().unwrap(), st.bytes);
    // The map's crypto session: cs_id 4, the SP policy, MKI = SPI.
    assert_eq!(r.sessions.len(), 1);
    let cs4 = r.session(4).unwrap();
    assert_eq!(cs4.policy_no, Some(0));
    assert_eq!(
        cs4.tek.as_bytes().to_vec(),
        hex::decode("183914b1b16eb55080a661b159dd7c6d").unwrap()
    );
    assert_eq!(
        cs4.salt.as_bytes().to_vec(),
        hex::decode("0ecaf9a7d350d04c3267afe0").unwrap()
    );
    assert_eq!(cs4.mki, h(&c["mki"]));
    // Every cs_id 0–9 of the file.
    let policy = r.message.security_policy(0).unwrap().srtp_policy();
    for cs in 0u8..10 {
        let e = &c["derived_srtp_master_keys_by_cs_id"][cs.to_string()];
        let d = r.derive_session(cs, &policy).unwrap();
        assert_eq!(d.tek.as_bytes().to_vec(), h(&e["tek"]), "cs_id {cs}");
        assert_eq!(d.salt.as_bytes().to_vec(), h(&e["salt"]), "cs_id {cs}");
    }
    // Key parameters (type 7) decrypted and consistent.
    let kp = r.key_parameters.as_ref().unwrap();
    assert_eq!(kp.key_type, KeyType::Gmk);
    // Identity hiding: the GMS URI binds to IDRuidi; another does not (K5).
    r.check_initiator_uri(s(&c["initiator"]["uri"])).unwrap();
    let e = r
        .check_initiator_uri("sip:mallory@mcptt.example.org")
        .unwrap_err();
    assert_eq!(e, MikeyError::InitiatorIdentityMismatch);
    assert_eq!(e.check_id(), Some("K5"));
    // Secrets are redacted.
    let dbg = format!("{r:?}");
    assert!(!dbg.contains("bf5885"), "{dbg}");
    assert!(!dbg.contains("183914"), "{dbg}");
}

#[test]
fn sample_default_candidates_find_the_held_period() {
    // Without the fixed period: T is in period 1545, IDRuidr matches the held key
    // set of period 1500 (SPEC §4.3 "any period for which it holds keys").
    let mut st = sample_setup();
    st.responder.config_mut().key_period = None;
    let r = st.responder.receive(&st.bytes, st.now).unwrap();
    assert_eq!(r.key_id, KeyId::new(0x0eed18ca));
}

// ---------------------------------------------------------------------------------
// Published vendor messages
// ---------------------------------------------------------------------------------

#[test]
fn streamwide_messages() {
    let v = vendors();
    let sw = &v["streamwide_v5"];
    let kms_uri = s(&sw["kms"]["kms_uri"]);
    let kms = trusted(
        kms_uri,
        &h(&sw["kms"]["KPAK"]),
        &h(&sw["kms"]["Z"]),
        sw["kms"]["user_key_period"].as_u64().unwrap(),
        sw["kms"]["user_key_offset"].as_u64().unwrap(),
    );
    let mut trust = TrustStore::new();
    trust.insert(kms.clone());
    let users = sw["users"].as_object().unwrap();
    let user_by_uri =
        |uri: &str| -> &serde_json::Value { users.values().find(|u| s(&u["uri"]) == uri).unwrap() };
    for m in sw["i_messages"].as_array().unwrap() {
        let title = s(&m["title"]);
        let ru = user_by_uri(s(&m["responder_uri"]));
        let n = ru["key_period_no"].as_u64().unwrap();
        let uid = h(&ru["uid"]);
        assert_eq!(
            Uid::derive(s(&ru["uri"]), kms_uri, kms.key_period(), n)
                .unwrap()
                .as_bytes()
                .to_vec(),
            uid
        );
        let mut user = LocalUser::new(s(&ru["uri"]), kms_uri);
        user.add_key_set(key_set(&kms, n, &uid, ru).unwrap());
        // Default candidates from T (period 236 contains the timestamps).
        let text = s(&m["i_message_b64"]);
        let parsed = Message::parse(&decode_text(text).unwrap()).unwrap();
        let now = ntp_of_message(&parsed);
        // The legacy message's type-7 extension is not a protected payload:
        // rejected by default (H8), ignored by policy.
        let legacy = parsed
            .key_parameters()
            .is_some_and(|raw| ProtectedPayload::parse(raw).is_err());
        let mut resp = Responder::new(user, trust.clone(), ResponderConfig::default());
        if legacy {
            expect(
                resp.receive_text(text, now),
                MikeyError::KeyParametersInvalid,
                "H8",
            );
            resp.config_mut().reject_bad_key_parameters = false;
        }
        let r = resp
            .receive_text(text, now)
            .unwrap_or_else(|e| panic!("{title}: {e}"));
        assert_eq!(r.key.as_bytes().to_vec(), h(&m["expected_key"]), "{title}");
        assert_eq!(r.key_id.to_bytes().to_vec(), h(&m["key_id"]), "{title}");
        assert_eq!(r.rand, h(&m["rand"]), "{title}");
        assert_eq!(r.initiator_id, h(&m["initiator_uid"]), "{title}");
        let expected_type = match s(&m["key_type"]) {
            "GMK" => KeyType::Gmk,
            "CSK" => KeyType::Csk,
            "PCK" => KeyType::Pck,
            other => panic!("{other}"),
        };
        assert_eq!(r.key_type, expected_type, "{title}");
        if !m["guk_id"].is_null() {
            assert_eq!(r.csb_id.to_bytes().to_vec(), h(&m["guk_id"]));
        }
        // TEK/salt for every cs_id, with the message's policy.
        let policy = r.message.security_policies().next().unwrap().srtp_policy();
        for cs in 0u8..10 {
            let e = &m["derived_srtp_master_keys_by_cs_id_python"][cs.to_string()];
            let d = r.derive_session(cs, &policy).unwrap();
            assert_eq!(d.tek.as_bytes().to_vec(), h(&e["tek"]), "{title} {cs}");
            assert_eq!(d.salt.as_bytes().to_vec(), h(&e["salt"]), "{title} {cs}");
        }
        // The sessions of the map are among them.
        for cs in &r.sessions {
            let e = &m["derived_srtp_master_keys_by_cs_id_python"][cs.cs_id.to_string()];
            assert_eq!(cs.tek.as_bytes().to_vec(), h(&e["tek"]), "{title}");
        }
        // The initiator's URI binds to IDRuidi.
        r.check_initiator_uri(s(&m["initiator_uri"])).unwrap();
    }
}

#[test]
fn alea_messages_and_invalid_key_set() {
    let v = vendors();
    let a = &v["alea_v3"];
    let kms_uri = s(&a["community"]["kms_uri"]);
    let kms = trusted(
        kms_uri,
        &h(&a["community"]["KPAK"]),
        &h(&a["community"]["Z"]),
        a["community"]["user_key_period"].as_u64().unwrap(),
        a["community"]["user_key_offset"].as_u64().unwrap(),
    );
    let n = a["community"]["key_period_no"].as_u64().unwrap();
    let mut trust = TrustStore::new();
    trust.insert(kms.clone());
    for m in a["i_messages"].as_array().unwrap() {
        let label = s(&m["label"]);
        let ru = &a["users"][s(&m["responder"])];
        let mut user = LocalUser::new(s(&ru["uri"]), kms_uri);
        user.add_key_set(key_set(&kms, n, &h(&ru["uid"]), ru).unwrap());
        let mut resp = Responder::new(user, trust.clone(), ResponderConfig::default());
        let text = s(&m["i_message_b64"]);
        let now = ntp_of_message(&Message::parse(&decode_text(text).unwrap()).unwrap());
        let r = resp
            .receive_text(text, now)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(r.key.as_bytes().to_vec(), h(&m["expected_key"]), "{label}");
        let ex = &m["expected_from_sw_test"];
        match s(&m["key_type"]) {
            "GMK" => {
                assert_eq!(r.key_type, KeyType::Gmk);
                let gmk_id = u32::from_str_radix(s(&ex["gmk_id"]), 16).unwrap();
                let guk_id = u32::from_str_radix(s(&ex["gmk_guk_id"]), 16).unwrap();
                assert_eq!(r.key_id, KeyId::new(gmk_id), "{label}");
                assert_eq!(r.csb_id, KeyId::new(guk_id), "{label}");
                // Empty map: the default group cs_ids.
                assert_eq!(r.message.header.cs_map, CsIdMap::Empty);
                assert_eq!(
                    r.sessions.iter().map(|c| c.cs_id).collect::<Vec<_>>(),
                    vec![4, 5]
                );
                // The type-7 extension (before SAKKE) decrypts.
                assert_eq!(r.key_parameters.as_ref().unwrap().key_type, KeyType::Gmk);
            }
            "CSK" => {
                assert_eq!(r.key_type, KeyType::Csk);
                assert_eq!(r.key_id.to_bytes().to_vec(), h(&ex["csk_id"]));
            }
            other => panic!("{other}"),
        }
        let policy = r.message.security_policies().next().unwrap().srtp_policy();
        for cs in 0u8..10 {
            let e = &m["derived_srtp_master_keys_by_cs_id_python"][cs.to_string()];
            let d = r.derive_session(cs, &policy).unwrap();
            assert_eq!(d.tek.as_bytes().to_vec(), h(&e["tek"]), "{label} {cs}");
            assert_eq!(d.salt.as_bytes().to_vec(), h(&e["salt"]), "{label} {cs}");
        }
    }
    // bob's key set (PVT copied from alice) does not validate: K4, surfaced by the
    // key types before any message is processed.
    let bob = &a["users"]["bob"];
    assert_eq!(bob["expected_valid"], false);
    let e = key_set(&kms, n, &h(&bob["uid"]), bob).unwrap_err();
    assert!(e.contains("valid"), "{e}");
}

// ---------------------------------------------------------------------------------
// Round trips with freshly generated KMSs and users
// ---------------------------------------------------------------------------------

const PERIOD: u64 = 2_592_000;

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

/// A user of `kms` with key sets for `periods` (UIDs), and optionally the RFC 6509
/// identifier of `month_of`.
fn new_user(kms: &Kms, uri: &str, periods: &[u64], month_of: Option<NtpTime>) -> LocalUser {
    let mut u = LocalUser::new(uri, kms.trusted.uri());
    let mut ids: Vec<(u64, Vec<u8>)> = periods
        .iter()
        .map(|&n| {
            let uid = Uid::derive(uri, kms.trusted.uri(), kms.trusted.key_period(), n).unwrap();
            (n, uid.as_bytes().to_vec())
        })
        .collect();
    if let Some(t) = month_of {
        let (y, m) = t.year_month();
        ids.push((
            u64::from(y) * 12 + u64::from(m),
            Rfc6509Id::for_time(t, uri).unwrap().to_bytes(),
        ));
    }
    for (n, id) in ids {
        let (ssk, pvt) = kms.eccsi.issue(&id, &mut OsRandom).unwrap();
        let signing = SigningKey::new(kms.eccsi.kpak(), &id, ssk, pvt).unwrap();
        let rsk = kms.sakke.issue_rsk(&id).unwrap();
        let receiving = ReceiverKey::new(kms.trusted.sakke(), &id, rsk).unwrap();
        u.add_key_set(
            KeySet::new(kms.trusted.uri(), n, &id, Some(signing), Some(receiving)).unwrap(),
        );
    }
    u
}

/// 2026-11-26 17:01:22 UTC (the sample's T); period 1545.
fn t0() -> NtpTime {
    NtpTime::from_parts(0xeeb2e462, 0)
}

const ALICE: &str = "sip:alice@a.example.org";
const BOB: &str = "sip:bob@b.example.org";
const KMS_A: &str = "kms.a.example.org";
const KMS_B: &str = "kms.b.example.org";

struct World {
    alice: LocalUser,
    bob: LocalUser,
    trust: TrustStore,
}

/// Alice under KMS A; Bob under KMS B (or also A when `same_kms`).
fn world(same_kms: bool) -> World {
    let a = new_kms(KMS_A);
    let b = if same_kms { None } else { Some(new_kms(KMS_B)) };
    let n = KeyPeriod::new(PERIOD, 0).unwrap().number_at(t0()).unwrap();
    let alice = new_user(&a, ALICE, &[n], Some(t0()));
    let bob = new_user(b.as_ref().unwrap_or(&a), BOB, &[n], Some(t0()));
    let mut trust = TrustStore::new();
    trust.insert(a.trusted.clone());
    if let Some(b) = &b {
        trust.insert(b.trusted.clone());
    }
    World { alice, bob, trust }
}

fn bob_kms(w: &World) -> String {
    w.bob.kms_uri().to_string()
}

fn responder_bob(w: World) -> Responder {
    Responder::new(w.bob, w.trust, ResponderConfig::default())
}

fn round_trip(w: World, req: InitiateRequest) -> (InitiatedMessage, ReceivedKey) {
    let msg = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    let mut bob = responder_bob(w);
    let r = bob.receive_text(&msg.text, t0()).unwrap();
    assert_eq!(r.key.as_bytes(), msg.key.as_bytes());
    assert_eq!(r.key_id, msg.key_id);
    assert_eq!(r.csb_id, msg.csb_id);
    assert_eq!(r.rand, msg.rand);
    assert_eq!(r.key_type, msg.key_type);
    assert_eq!(r.initiator_id, msg.initiator_id);
    assert_eq!(r.message, msg.message);
    assert_eq!(Message::parse(&msg.bytes).unwrap(), msg.message);
    r.check_initiator_uri(ALICE).unwrap();
    (msg, r)
}

#[test]
fn round_trip_gmk_same_and_cross_kms() {
    for same in [true, false] {
        let w = world(same);
        let mut req = InitiateRequest::new(KeyType::Gmk, BOB, &bob_kms(&w), t0());
        req.key_parameters = Some(KeyParameters {
            key_type: KeyType::Gmk,
            status: 1,
            activation_time: 0,
            expiry_time: 0,
            text: Vec::new(),
            group_ids: Some(vec![key_params::GroupId {
                iei: 0x7b,
                id: b"sip:group1@a.example.org".to_vec(),
            }]),
        });
        req.sakke_to_self = true;
        let (msg, r) = round_trip(w, req);
        // CSB ID = GUK-ID for Bob, SPI = MKI = GMK-ID || GUK-ID, cs_id 4.
        assert_eq!(
            msg.csb_id,
            mikey_sakke::kdf::guk_id(msg.key.as_bytes(), msg.key_id, BOB).unwrap()
        );
        let cs = r.session(4).unwrap();
        let mut mki = msg.key_id.to_bytes().to_vec();
        mki.extend_from_slice(&msg.csb_id.to_bytes());
        assert_eq!(cs.mki, mki);
        assert_eq!(cs.tek.len(), 16);
        assert_eq!(cs.salt.len(), 12);
        assert_eq!(
            r.key_parameters
                .as_ref()
                .unwrap()
                .group_ids
                .as_ref()
                .unwrap()[0]
                .id,
            b"sip:group1@a.example.org"
        );
        assert!(msg.message.sakke_to_self().is_some());
        assert_eq!(
            msg.message.idr(IdRole::InitiatorKms).unwrap().data,
            KMS_A.as_bytes()
        );
        let kmsr = if same { KMS_A } else { KMS_B };
        assert_eq!(r.responder_kms, kmsr);
    }
}

#[test]
fn round_trip_pck_and_csk() {
    for same in [true, false] {
        for kt in [KeyType::Pck, KeyType::Csk, KeyType::Musik] {
            let w = world(same);
            let req = InitiateRequest::new(kt, BOB, &bob_kms(&w), t0());
            let (msg, r) = round_trip(w, req);
            assert_eq!(msg.csb_id, msg.key_id);
            assert_eq!(msg.key_id.key_type(), kt);
            match kt {
                KeyType::Pck => {
                    assert_eq!(msg.message.header.cs_map, CsIdMap::Empty);
                    assert_eq!(
                        r.sessions.iter().map(|c| c.cs_id).collect::<Vec<_>>(),
                        vec![0, 1, 2, 3]
                    );
                    assert_eq!(r.sessions[0].mki, msg.key_id.to_bytes());
                }
                KeyType::Csk => assert_eq!(r.sessions[0].cs_id, 6),
                _ => assert_eq!(r.sessions[0].cs_id, 7),
            }
        }
    }
}

#[test]
fn round_trip_fixed_inputs_and_rfc6509_identifiers() {
    let w = world(false);
    let mut req = InitiateRequest::new(KeyType::Pck, BOB, &bob_kms(&w), t0());
    req.key = Some(Ssv::from_bytes(&[7u8; 16]).unwrap());
    req.key_id = Some(KeyId::new(0x1234_5678));
    req.rand = Some(vec![9u8; 16]);
    req.id_scheme = IdScheme::TelUriMonthly;
    req.hide_identities = false;
    req.security_policy = None;
    req.cs_map = CsMapChoice::GenericId(0);
    let (msg, r) = round_trip(w, req);
    assert_eq!(msg.key.as_bytes(), &[7u8; 16]);
    assert_eq!(msg.csb_id, KeyId::new(0x1234_5678));
    assert_eq!(msg.rand, vec![9u8; 16]);
    assert_eq!(msg.responder_id, b"2026-11\0sip:bob@b.example.org\0");
    assert_eq!(r.initiator, InitiatorIdentity::Uri(ALICE.to_string()));
    assert!(msg.message.security_policies().next().is_none());
    // No SP: the private-call default profile.
    assert_eq!(r.sessions[0].cs_id, 0);
    assert_eq!(r.sessions[0].policy_no, None);
    assert_eq!(
        r.sessions[0].policy,
        default_profile(KeyType::Pck).srtp_policy()
    );
    assert_eq!(
        r.check_initiator_uri("sip:eve@a.example.org"),
        Err(MikeyError::InitiatorIdentityMismatch)
    );
}

#[test]
fn initiator_input_errors() {
    let w = world(true);
    let mut req = InitiateRequest::new(KeyType::Pck, BOB, KMS_A, t0());
    req.key_id = Some(KeyId::new(0x2000_0001)); // CSK tag
    assert!(matches!(
        initiate(&w.alice, &w.trust, req, &mut OsRandom),
        Err(MikeyError::InvalidInput(_))
    ));
    let req = InitiateRequest::new(KeyType::Pck, BOB, "kms.unknown", t0());
    assert_eq!(
        initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap_err(),
        MikeyError::UnknownKms
    );
    let mut req = InitiateRequest::new(KeyType::Pck, BOB, KMS_A, t0());
    req.period_no = Some(7);
    assert_eq!(
        initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap_err(),
        MikeyError::NoKeyForPeriod
    );
}

// ---------------------------------------------------------------------------------
// Negative tests (SPEC §9, responder lines)
// ---------------------------------------------------------------------------------

/// Re-signs `m` with `signer` and returns the octets.
fn resign(m: &mut Message, signer: &SigningKey) -> Vec<u8> {
    let signed = m.eccsi_signed_octets().unwrap();
    let sig = signer.sign(&signed, &mut OsRandom).unwrap();
    m.sign = Some(SignPayload {
        sig_type: SignatureType::Eccsi,
        signature: sig.to_bytes().to_vec(),
    });
    m.to_bytes().unwrap()
}

/// A PCK message from Alice to Bob (cross-KMS), the world and Bob's responder.
fn pck_case() -> (InitiatedMessage, Vec<u8>, Responder, SigningKeyHolder) {
    let w = world(false);
    let req = InitiateRequest::new(KeyType::Pck, BOB, &bob_kms(&w), t0());
    let msg = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    let bytes = msg.bytes.clone();
    let holder = SigningKeyHolder(w.alice);
    let resp = Responder::new(w.bob, w.trust, ResponderConfig::default());
    (msg, bytes, resp, holder)
}

struct SigningKeyHolder(LocalUser);

impl SigningKeyHolder {
    fn signer(&self) -> &SigningKey {
        self.0.key_sets()[0].signing_key().unwrap()
    }
}

fn expect(r: Result<ReceivedKey, MikeyError>, err: MikeyError, id: &str) {
    let e = r.unwrap_err();
    assert_eq!(e, err);
    assert_eq!(e.check_id(), Some(id), "{e:?}");
}

#[test]
fn structural_rejections_through_the_responder() {
    let (_, bytes, mut resp, _) = pck_case();
    let mut b = bytes.clone();
    b[0] = 2;
    expect(
        resp.receive(&b, t0()),
        MikeyError::UnsupportedVersion(2),
        "H1",
    );
    let mut b = bytes.clone();
    b[1] = 27;
    expect(
        resp.receive(&b, t0()),
        MikeyError::UnexpectedDataType(27),
        "H2",
    );
    let mut b = bytes.clone();
    b[3] = 5;
    expect(resp.receive(&b, t0()), MikeyError::UnsupportedPrf(5), "H3");
    let mut b = bytes.clone();
    b[9] = 7;
    expect(
        resp.receive(&b, t0()),
        MikeyError::UnknownCsIdMapType(7),
        "H4",
    );
    let mut b = bytes.clone();
    b.push(0);
    expect(resp.receive(&b, t0()), MikeyError::TrailingOctets(1), "E3");
    let b = &bytes[..bytes.len() - 1];
    expect(
        resp.receive(b, t0()),
        MikeyError::Truncated("SIGN signature"),
        "E2",
    );
    expect(
        resp.receive_text("mikey !!!", t0()),
        MikeyError::Text("malformed base64"),
        "E1",
    );
    // H5 and H6 after re-signing.
    let mut m = Message::parse(&bytes).unwrap();
    m.payloads.retain(|p| !matches!(p, Payload::Rand(_)));
    expect(
        resp.receive(&m.to_bytes().unwrap(), t0()),
        MikeyError::MissingPayload("RAND"),
        "H5",
    );
    let mut m = Message::parse(&bytes).unwrap();
    for p in &mut m.payloads {
        if let Payload::Sakke(s) = p {
            s.params = SakkeParams::Unknown(2);
        }
    }
    expect(
        resp.receive(&m.to_bytes().unwrap(), t0()),
        MikeyError::UnsupportedSakkeParams(2),
        "H6",
    );
}

#[test]
fn h7_key_type() {
    // Expected GMK, got PCK.
    let (_, bytes, mut resp, signer) = pck_case();
    resp.config_mut().expected_key_type = Some(KeyType::Gmk);
    expect(
        resp.receive(&bytes, t0()),
        MikeyError::KeyTypeMismatch,
        "H7",
    );
    resp.config_mut().expected_key_type = Some(KeyType::Pck);
    let key = resp.receive(&bytes, t0()).unwrap().key;
    // Key parameters naming CSK in a PCK message (re-signed by the initiator).
    let mut m = Message::parse(&bytes).unwrap();
    let kp = KeyParameters {
        key_type: KeyType::Csk,
        status: 0,
        activation_time: 0,
        expiry_time: 0,
        text: Vec::new(),
        group_ids: None,
    };
    let pp = key_params::seal(key.as_bytes(), KeyId::new(m.header.csb_id), &kp, [3; 16]).unwrap();
    m.payloads
        .push(Payload::GeneralExtension(GeneralExtension::KeyParameters(
            pp.to_bytes().unwrap(),
        )));
    let b = resign(&mut m, signer.signer());
    let mut r = fresh_responder(&mut resp);
    r.config_mut().expected_key_type = None;
    expect(r.receive(&b, t0()), MikeyError::KeyTypeMismatch, "H7");
    // A reserved purpose tag in the CSB ID.
    let mut m = Message::parse(&bytes).unwrap();
    m.header.csb_id = 0xf000_0001;
    let b = resign(&mut m, signer.signer());
    expect(r.receive(&b, t0()), MikeyError::KeyTypeMismatch, "H7");
}

/// GENERIC-ID SPIs that disagree with the key identity (TS 33.180 §7.4): H7.
#[test]
fn h7_spi_mismatch() {
    let w = world(false);
    let mut req = InitiateRequest::new(KeyType::Pck, BOB, &bob_kms(&w), t0());
    req.cs_map = CsMapChoice::GenericId(2);
    let msg = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    let signer = SigningKeyHolder(w.alice);
    let mut resp = Responder::new(w.bob, w.trust, ResponderConfig::default());
    let base = Message::parse(&msg.bytes).unwrap();
    let id = msg.key_id.to_bytes();
    let with_spi = |spi: Vec<u8>| {
        let mut m = base.clone();
        let CsIdMap::GenericId(entries) = &mut m.header.cs_map else {
            panic!("GENERIC-ID map expected");
        };
        entries[0].spi = spi;
        resign(&mut m, signer.signer())
    };
    // The key id itself, and ID ‖ ID, are accepted.
    let mut r = fresh_responder(&mut resp);
    r.receive(&with_spi(id.to_vec()), t0()).unwrap();
    let mut r = fresh_responder(&mut r);
    r.receive(&with_spi([id, id].concat()), t0()).unwrap();
    // Another PCK-ID.
    let mut other = id;
    other[3] ^= 1;
    let mut r = fresh_responder(&mut r);
    expect(
        r.receive(&with_spi(other.to_vec()), t0()),
        MikeyError::KeyIdMismatch,
        "H7",
    );
    // The same id with a GMK purpose tag (0000).
    let mut gmk_tagged = id;
    gmk_tagged[0] &= 0x0f;
    expect(
        r.receive(&with_spi(gmk_tagged.to_vec()), t0()),
        MikeyError::KeyIdMismatch,
        "H7",
    );
    // A group MKI GMK-ID ‖ GUK-ID in a PCK message.
    expect(
        r.receive(&with_spi([gmk_tagged, id].concat()), t0()),
        MikeyError::KeyIdMismatch,
        "H7",
    );
}

/// `#CS = 0` with a GENERIC-ID map: the default profile applies, unless the
/// responder has none (`allow_default_profile` false): H4.
#[test]
fn h4_no_default_profile() {
    let (_, bytes, mut resp, signer) = pck_case();
    let mut m = Message::parse(&bytes).unwrap();
    m.header.cs_map = CsIdMap::GenericId(Vec::new());
    let b = resign(&mut m, signer.signer());
    let mut r = fresh_responder(&mut resp);
    r.config_mut().allow_default_profile = false;
    expect(r.receive(&b, t0()), MikeyError::CsIdMapCount, "H4");
    r.config_mut().allow_default_profile = true;
    let got = r.receive(&b, t0()).unwrap();
    assert!(!got.sessions.is_empty());
    // The empty map (type 1) is not affected.
    let mut m = Message::parse(&bytes).unwrap();
    m.header.cs_map = CsIdMap::Empty;
    let b = resign(&mut m, signer.signer());
    let mut r = fresh_responder(&mut r);
    r.config_mut().allow_default_profile = false;
    r.receive(&b, t0()).unwrap();
}

/// Bob's responder with a fresh replay cache and the same keys.
fn fresh_responder(resp: &mut Responder) -> Responder {
    let user = std::mem::replace(resp.user_mut(), LocalUser::new("x", "y"));
    Responder::new(user, resp.trust_store().clone(), resp.config().clone())
}

#[test]
fn h8_key_parameters() {
    let (_, bytes, mut resp, signer) = pck_case();
    let key = resp.receive(&bytes, t0()).unwrap().key;
    let base = Message::parse(&bytes).unwrap();
    let csb = KeyId::new(base.header.csb_id);
    let kp = KeyParameters {
        key_type: KeyType::Pck,
        status: 1,
        activation_time: 0,
        expiry_time: 0,
        text: Vec::new(),
        group_ids: None,
    };
    let with_ext = |pp: ProtectedPayload| {
        let mut m = base.clone();
        m.payloads
            .push(Payload::GeneralExtension(GeneralExtension::KeyParameters(
                pp.to_bytes().unwrap(),
            )));
        resign(&mut m, signer.signer())
    };
    // A correct extension is accepted and decrypted.
    let good = with_ext(key_params::seal(key.as_bytes(), csb, &kp, [1; 16]).unwrap());
    let mut r = fresh_responder(&mut resp);
    assert_eq!(r.receive(&good, t0()).unwrap().key_parameters.unwrap(), kp);
    // DPPK-ID ≠ CSB ID.
    let other = KeyId::new(csb.value() ^ 1);
    let b = with_ext(key_params::seal(key.as_bytes(), other, &kp, [1; 16]).unwrap());
    let mut r = fresh_responder(&mut r);
    expect(r.receive(&b, t0()), MikeyError::KeyParametersId, "H8");
    // GCM tag failure.
    let mut pp = key_params::seal(key.as_bytes(), csb, &kp, [1; 16]).unwrap();
    pp.ciphertext[0] ^= 1;
    let b = with_ext(pp);
    expect(r.receive(&b, t0()), MikeyError::KeyParametersInvalid, "H8");
    // By policy the bad extension may be ignored.
    r.config_mut().reject_bad_key_parameters = false;
    assert!(r.receive(&b, t0()).unwrap().key_parameters.is_none());
    // Content that is not a protected payload: rejected by default, ignored by
    // policy.
    let mut m = base.clone();
    m.payloads
        .push(Payload::GeneralExtension(GeneralExtension::KeyParameters(
            vec![0x01, 0x02, 0x03],
        )));
    let b = resign(&mut m, signer.signer());
    let mut r = fresh_responder(&mut r);
    r.config_mut().reject_bad_key_parameters = true;
    expect(r.receive(&b, t0()), MikeyError::KeyParametersInvalid, "H8");
    r.config_mut().reject_bad_key_parameters = false;
    assert!(r.receive(&b, t0()).unwrap().key_parameters.is_none());
}

#[test]
fn k1_unknown_kms() {
    let (_, bytes, mut resp, _) = pck_case();
    resp.trust_store_mut().remove(KMS_A); // the initiator's KMS
    expect(resp.receive(&bytes, t0()), MikeyError::UnknownKms, "K1");
    let (_, bytes, mut resp, _) = pck_case();
    resp.trust_store_mut().remove(KMS_B); // the responder's KMS
    expect(resp.receive(&bytes, t0()), MikeyError::UnknownKms, "K1");
    // A certificate outside ValidFrom/ValidTo.
    let (_, bytes, mut resp, _) = pck_case();
    let a = resp.trust_store().get(KMS_A).unwrap().clone();
    let expired = NtpTime::from_parts(t0().seconds() - 1, 0);
    resp.trust_store_mut()
        .insert(a.clone().with_validity(None, Some(expired)));
    expect(resp.receive(&bytes, t0()), MikeyError::UnknownKms, "K1");
    resp.trust_store_mut()
        .insert(a.with_validity(Some(expired), Some(t0())));
    resp.receive(&bytes, t0()).unwrap();
    // A revoked certificate, of either KMS.
    for uri in [KMS_A, KMS_B] {
        let (_, bytes, mut resp, _) = pck_case();
        let k = resp.trust_store().get(uri).unwrap().clone();
        assert!(!k.is_revoked());
        let revoked = k.clone().revoked(true);
        assert!(revoked.is_revoked() && !revoked.is_valid_at(t0()));
        resp.trust_store_mut().insert(revoked);
        assert_eq!(
            resp.trust_store().require_valid(uri, t0()).unwrap_err(),
            MikeyError::UnknownKms
        );
        expect(resp.receive(&bytes, t0()), MikeyError::UnknownKms, "K1");
        resp.trust_store_mut().insert(k.revoked(false));
        resp.receive(&bytes, t0()).unwrap();
    }
}

#[test]
fn k2_not_for_this_receiver() {
    // A message for Bob received by Alice (same KMS so that K1 does not apply).
    let w = world(true);
    let req = InitiateRequest::new(KeyType::Pck, BOB, KMS_A, t0());
    let msg = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    let mut alice = Responder::new(w.alice, w.trust.clone(), ResponderConfig::default());
    expect(
        alice.receive(&msg.bytes, t0()),
        MikeyError::NotForReceiver,
        "K2",
    );
    // Same with URIs (IDRr).
    let w = world(true);
    let mut req = InitiateRequest::new(KeyType::Pck, BOB, KMS_A, t0());
    req.hide_identities = false;
    let msg = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    let mut alice = Responder::new(w.alice, w.trust.clone(), ResponderConfig::default());
    expect(
        alice.receive(&msg.bytes, t0()),
        MikeyError::NotForReceiver,
        "K2",
    );
}

#[test]
fn k3_no_key_for_period() {
    let (_, bytes, mut resp, _) = pck_case();
    let n = KeyPeriod::new(PERIOD, 0).unwrap().number_at(t0()).unwrap();
    resp.user_mut().remove_key_sets_before(n + 1);
    expect(resp.receive(&bytes, t0()), MikeyError::NoKeyForPeriod, "K3");
}

#[test]
fn r1_clock_skew() {
    let (_, bytes, mut resp, _) = pck_case();
    let late = NtpTime::from_parts(t0().seconds() + 301, 0);
    expect(resp.receive(&bytes, late), MikeyError::ClockSkew, "R1");
    let early = NtpTime::from_parts(t0().seconds() - 301, 0);
    expect(resp.receive(&bytes, early), MikeyError::ClockSkew, "R1");
    // Inside the window on both sides.
    resp.receive(&bytes, NtpTime::from_parts(t0().seconds() + 300, 0))
        .unwrap();
    resp.config_mut().max_skew_seconds = 3600;
    let mut r = fresh_responder(&mut resp);
    r.receive(&bytes, NtpTime::from_parts(t0().seconds() - 3600, 0))
        .unwrap();
}

#[test]
fn r2_replay() {
    let (_, bytes, mut resp, _) = pck_case();
    resp.receive(&bytes, t0()).unwrap();
    expect(resp.receive(&bytes, t0()), MikeyError::Replay, "R2");
    assert_eq!(resp.replay_cache().len(), 1);
    // A rejected message is not recorded.
    let (_, bytes, mut resp, _) = pck_case();
    let mut bad = bytes.clone();
    bad[40] ^= 1; // RAND octet: signature fails
    expect(resp.receive(&bad, t0()), MikeyError::SignatureInvalid, "C1");
    assert!(resp.replay_cache().is_empty());
    resp.receive(&bytes, t0()).unwrap();
}

#[test]
fn c1_signature() {
    let (_, bytes, mut resp, _) = pck_case();
    let m = Message::parse(&bytes).unwrap();
    let signed = m.signed_len().unwrap().unwrap();
    let find = |needle: &[u8]| {
        bytes
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
    };
    let rand_at = find(m.rand().unwrap());
    let sakke_at = find(&m.sakke().unwrap().data);
    let must_fail_signature = |off: usize| {
        (rand_at..rand_at + 16).contains(&off)
            || (sakke_at..sakke_at + 273).contains(&off)
            || off >= signed
            || (16..20).contains(&off) // T fraction
    };
    // Flipping any octet is rejected, never accepted and never reaches
    // decapsulation; in the RAND, the SAKKE data, the T fraction and the
    // signature it is the signature check that rejects it.
    for off in 0..bytes.len() {
        let mut b = bytes.clone();
        b[off] ^= 0x01;
        let e = resp.receive(&b, t0()).unwrap_err();
        assert_ne!(e, MikeyError::DecapsulationFailed, "offset {off}");
        if must_fail_signature(off) {
            assert_eq!(e, MikeyError::SignatureInvalid, "offset {off}");
            assert_eq!(e.check_id(), Some("C1"));
        }
    }
    resp.receive(&bytes, t0()).unwrap();
}

#[test]
fn c2_decapsulation_and_order() {
    let (_, bytes, mut resp, signer) = pck_case();
    let m = Message::parse(&bytes).unwrap();
    let sakke_h_last = {
        // Offset of the last octet of H: the SAKKE payload ends 2 + 129 octets
        // before the message ends (no extension after it in this message).
        bytes.len() - 131 - 1
    };
    assert_eq!(bytes[sakke_h_last], m.sakke().unwrap().data[272]);
    // Bad H without re-signing: the signature error comes first.
    let mut b = bytes.clone();
    b[sakke_h_last] ^= 1;
    expect(resp.receive(&b, t0()), MikeyError::SignatureInvalid, "C1");
    // Bad H, re-signed: decapsulation fails.
    let mut m2 = m.clone();
    for p in &mut m2.payloads {
        if let Payload::Sakke(s) = p {
            s.data[272] ^= 1;
        }
    }
    let b = resign(&mut m2, signer.signer());
    expect(
        resp.receive(&b, t0()),
        MikeyError::DecapsulationFailed,
        "C2",
    );
    // R with a compressed-point prefix, re-signed: E6; a bad signature still wins.
    let mut m3 = m.clone();
    for p in &mut m3.payloads {
        if let Payload::Sakke(s) = p {
            s.data[0] = 0x02;
        }
    }
    let unsigned = m3.to_bytes().unwrap();
    let e = resp.receive(&unsigned, t0()).unwrap_err();
    assert_eq!(e, MikeyError::SignatureInvalid);
    let b = resign(&mut m3, signer.signer());
    let e = resp.receive(&b, t0()).unwrap_err();
    assert!(matches!(e, MikeyError::InvalidSakkeData(_)), "{e:?}");
    assert_eq!(e.check_id(), Some("E6"));
    // R not on the curve: E7.
    let mut m4 = m.clone();
    for p in &mut m4.payloads {
        if let Payload::Sakke(s) = p {
            s.data[100] ^= 1;
        }
    }
    let b = resign(&mut m4, signer.signer());
    assert_eq!(resp.receive(&b, t0()).unwrap_err().check_id(), Some("E7"));
}

#[test]
fn sample_negative_cases() {
    let mut st = sample_setup();
    // Flip an octet before offset 566 (RAND): the signature fails.
    let mut b = st.bytes.clone();
    b[40] ^= 1;
    expect(
        st.responder.receive(&b, st.now),
        MikeyError::SignatureInvalid,
        "C1",
    );
    // An octet of H: the signature fails first (H is signed).
    let mut b = st.bytes.clone();
    b[480] ^= 1;
    expect(
        st.responder.receive(&b, st.now),
        MikeyError::SignatureInvalid,
        "C1",
    );
    // The GMS re-signs a message whose H is corrupted: decapsulation fails.
    let mut m = Message::parse(&st.bytes).unwrap();
    for p in &mut m.payloads {
        if let Payload::Sakke(s) = p {
            s.data[260] ^= 1;
        }
    }
    let signer = st.gms.key_sets()[0].signing_key().unwrap();
    let b = resign(&mut m, signer);
    expect(
        st.responder.receive(&b, st.now),
        MikeyError::DecapsulationFailed,
        "C2",
    );
    // A changed responder UID: not for this receiver.
    let mut m = Message::parse(&st.bytes).unwrap();
    for p in &mut m.payloads {
        if let Payload::Idr(i) = p {
            if i.role == IdRole::ResponderUid {
                i.data[0] ^= 1;
            }
        }
    }
    let b = resign(&mut m, signer);
    expect(
        st.responder.receive(&b, st.now),
        MikeyError::NotForReceiver,
        "K2",
    );
    // SIGN length 128: structural; data type 27; SAKKE params 2.
    let mut b = st.bytes.clone();
    b[565] = 0x80;
    expect(
        st.responder.receive(&b, st.now),
        MikeyError::TrailingOctets(1),
        "E3",
    );
    let mut b = st.bytes.clone();
    b[1] = 27;
    expect(
        st.responder.receive(&b, st.now),
        MikeyError::UnexpectedDataType(27),
        "H2",
    );
    let mut b = st.bytes.clone();
    b[212] = 2;
    expect(
        st.responder.receive(&b, st.now),
        MikeyError::UnsupportedSakkeParams(2),
        "H6",
    );
    // Truncated.
    expect(
        st.responder.receive(&st.bytes[..600], st.now),
        MikeyError::Truncated("SIGN signature"),
        "E2",
    );
    // The untouched message is still accepted after all these rejections.
    st.responder.receive(&st.bytes, st.now).unwrap();
    assert_eq!(st.trust.len(), 1);
}

#[test]
fn sakke_to_self_reaches_the_initiators_other_device() {
    for (kt, hide) in [(KeyType::Pck, true), (KeyType::Gmk, false)] {
        let w = world(false);
        let mut req = InitiateRequest::new(kt, BOB, &bob_kms(&w), t0());
        req.sakke_to_self = true;
        req.hide_identities = hide;
        let msg = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
        // Alice's other device holds Alice's keys.
        let mut other = Responder::new(w.alice, w.trust.clone(), ResponderConfig::default());
        let r = other.receive(&msg.bytes, t0()).unwrap();
        assert!(r.via_sakke_to_self);
        assert_eq!(r.key.as_bytes(), msg.key.as_bytes());
        assert_eq!(r.key_id, msg.key_id);
        // Bob gets it through the main SAKKE payload.
        let mut bob = responder_bob(World {
            alice: LocalUser::new("x", "y"),
            bob: w.bob,
            trust: w.trust,
        });
        let r = bob.receive(&msg.bytes, t0()).unwrap();
        assert!(!r.via_sakke_to_self);
        assert_eq!(r.key.as_bytes(), msg.key.as_bytes());
    }
}

/// SAKKE-to-self uses ID scheme 2 only (SPEC §5.9): the initiator refuses
/// another scheme and a received type-6 extension with scheme 1 is H6.
#[test]
fn sakke_to_self_needs_id_scheme_2() {
    let w = world(false);
    let mut req = InitiateRequest::new(KeyType::Pck, BOB, &bob_kms(&w), t0());
    req.sakke_to_self = true;
    req.id_scheme = IdScheme::TelUriMonthly;
    req.hide_identities = false;
    assert!(matches!(
        initiate(&w.alice, &w.trust, req, &mut OsRandom),
        Err(MikeyError::InvalidInput(_))
    ));
    let mut req = InitiateRequest::new(KeyType::Pck, BOB, &bob_kms(&w), t0());
    req.sakke_to_self = true;
    let msg = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    assert_eq!(
        msg.message.sakke_to_self().unwrap().id_scheme,
        IdScheme::HashedUid
    );
    let signer = SigningKeyHolder(w.alice);
    let mut m = msg.message.clone();
    for p in &mut m.payloads {
        if let Payload::GeneralExtension(GeneralExtension::SakkeToSelf { sakke, .. }) = p {
            sakke.id_scheme = IdScheme::TelUriMonthly;
        }
    }
    let b = resign(&mut m, signer.signer());
    assert_eq!(
        Message::parse_i_message(&b).unwrap_err(),
        MikeyError::UnsupportedIdScheme(1)
    );
    let mut bob = Responder::new(w.bob, w.trust, ResponderConfig::default());
    expect(
        bob.receive(&b, t0()),
        MikeyError::UnsupportedIdScheme(1),
        "H6",
    );
}

#[test]
fn initiator_reproduces_the_sample_signed_octets() {
    // With the sample's key, key id, RAND, time, period and key-parameters IV, the
    // initiator builds exactly the sample's 566 signed octets (SAKKE encapsulation
    // is deterministic); only the ECCSI signature (random j) differs.
    let v = sample();
    let c = &v["case"];
    let st = sample_setup();
    let m = Message::parse(&st.bytes).unwrap();
    let pp = ProtectedPayload::parse(m.key_parameters().unwrap()).unwrap();
    let mut req = InitiateRequest::new(
        KeyType::Gmk,
        s(&c["responder"]["uri"]),
        s(&c["community"]["kms_uri"]),
        st.now,
    );
    req.key = Some(Ssv::from_bytes(&h(&c["expected"]["ssv_tgk"])).unwrap());
    req.key_id = Some(KeyId::from_bytes(
        h(&c["expected"]["key_id"]).try_into().unwrap(),
    ));
    req.rand = Some(h(&c["expected"]["rand"]));
    req.period_no = Some(1500);
    req.key_parameters = Some(KeyParameters {
        key_type: KeyType::Gmk,
        status: 1,
        activation_time: 0,
        expiry_time: 0,
        text: Vec::new(),
        group_ids: Some(Vec::new()),
    });
    req.key_parameters_iv = Some(pp.iv);
    let sent = initiate(&st.gms, &st.trust, req, &mut OsRandom).unwrap();
    assert_eq!(sent.bytes.len(), st.bytes.len());
    assert_eq!(sent.bytes[..566], st.bytes[..566]);
    assert_ne!(sent.bytes[566..], st.bytes[566..]);
    assert_eq!(sent.csb_id, KeyId::new(0x0e4de701));
    // And alice accepts it (fresh responder: same T, RAND and CSB ID as the sample).
    let mut st2 = sample_setup();
    let r = st2.responder.receive(&sent.bytes, st2.now).unwrap();
    assert_eq!(r.key_id, KeyId::new(0x0eed18ca));
}

mod generated {
    use super::*;
    use proptest::prelude::*;
    use std::sync::{Mutex, OnceLock};

    struct Shared {
        alice: LocalUser,
        trust: TrustStore,
        bob: Responder,
    }

    fn shared() -> &'static Mutex<Shared> {
        static S: OnceLock<Mutex<Shared>> = OnceLock::new();
        S.get_or_init(|| {
            let w = world(false);
            let bob = Responder::with_replay_cache(
                w.bob,
                w.trust.clone(),
                ResponderConfig::default(),
                ReplayCache::new(1 << 16),
            );
            Mutex::new(Shared {
                alice: w.alice,
                trust: w.trust,
                bob,
            })
        })
    }

    fn key_type() -> impl Strategy<Value = KeyType> {
        prop_oneof![
            Just(KeyType::Gmk),
            Just(KeyType::Pck),
            Just(KeyType::Csk),
            Just(KeyType::Spk),
            Just(KeyType::Mkfc),
            Just(KeyType::Mscck),
            Just(KeyType::Musik),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Any combination of key type, identity form, CS map, SP, key parameters and
        /// SAKKE-to-self round-trips from Alice (KMS A) to Bob (KMS B).
        #[test]
        fn initiate_then_receive(
            kt in key_type(),
            hide in any::<bool>(),
            rfc6509 in any::<bool>(),
            map in prop_oneof![
                Just(CsMapChoice::Default),
                Just(CsMapChoice::Empty),
                (0u8..10).prop_map(CsMapChoice::GenericId),
            ],
            with_sp in any::<bool>(),
            with_kp in any::<bool>(),
            to_self in any::<bool>(),
        ) {
            let mut s = shared().lock().unwrap_or_else(|p| p.into_inner());
            let mut req = InitiateRequest::new(kt, BOB, KMS_B, t0());
            req.hide_identities = hide;
            if rfc6509 && !hide {
                req.id_scheme = IdScheme::TelUriMonthly;
            }
            req.cs_map = map;
            if !with_sp {
                req.security_policy = None;
            }
            if with_kp {
                req.key_parameters = Some(KeyParameters {
                    key_type: kt,
                    status: 1,
                    activation_time: 0,
                    expiry_time: 0xff_ffff_ffff,
                    text: b"x".to_vec(),
                    group_ids: None,
                });
            }
            // SAKKE-to-self only exists with ID scheme 2.
            req.sakke_to_self = to_self && req.id_scheme == IdScheme::HashedUid;
            let sent = initiate(&s.alice, &s.trust, req, &mut OsRandom).unwrap();
            prop_assert_eq!(Message::parse(&sent.bytes).unwrap(), sent.message.clone());
            let r = s.bob.receive_text(&sent.text, t0()).unwrap();
            prop_assert_eq!(r.key.as_bytes(), sent.key.as_bytes());
            prop_assert_eq!(r.key_type, kt);
            prop_assert_eq!(r.key_id, sent.key_id);
            prop_assert_eq!(r.key_parameters.is_some(), with_kp);
            for cs in &r.sessions {
                prop_assert_eq!(cs.tek.len(), cs.policy.master_key_len());
                prop_assert_eq!(cs.salt.len(), cs.policy.master_salt_len());
            }
            // A replay of the same message is refused.
            prop_assert_eq!(
                s.bob.receive(&sent.bytes, t0()).unwrap_err(),
                MikeyError::Replay
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// Explicit identifiers (initiator) and receivers known by identifier only
// ---------------------------------------------------------------------------------

/// Alice under KMS A and Bob under KMS B; the KMS of Bob to issue his keys again.
struct IdWorld {
    alice: LocalUser,
    alice_no_uri: LocalUser,
    kms_b: Kms,
    trust: TrustStore,
}

/// The key period of `t0()`.
fn n0() -> u64 {
    KeyPeriod::new(PERIOD, 0).unwrap().number_at(t0()).unwrap()
}

/// A user of `kms` whose URI is not known, with the key sets of `uri` (the UID of
/// period `n0()` and the RFC 6509 identifier of `t0()`).
fn uri_less_user(kms: &Kms, uri: &str) -> LocalUser {
    let with_uri = new_user(kms, uri, &[n0()], Some(t0()));
    let mut u = LocalUser::without_uri(kms.trusted.uri());
    for set in with_uri.key_sets() {
        let id = set.identifier();
        let (ssk, pvt) = kms.eccsi.issue(id, &mut OsRandom).unwrap();
        let signing = SigningKey::new(kms.eccsi.kpak(), id, ssk, pvt).unwrap();
        let rsk = kms.sakke.issue_rsk(id).unwrap();
        let receiving = ReceiverKey::new(kms.trusted.sakke(), id, rsk).unwrap();
        u.add_key_set(
            KeySet::new(
                kms.trusted.uri(),
                set.period_no(),
                id,
                Some(signing),
                Some(receiving),
            )
            .unwrap(),
        );
    }
    u
}

fn id_world() -> IdWorld {
    let a = new_kms(KMS_A);
    let kms_b = new_kms(KMS_B);
    let mut trust = TrustStore::new();
    trust.insert(a.trusted.clone());
    trust.insert(kms_b.trusted.clone());
    IdWorld {
        alice: new_user(&a, ALICE, &[n0()], Some(t0())),
        alice_no_uri: uri_less_user(&a, ALICE),
        kms_b,
        trust,
    }
}

/// A responder for Bob, knowing his URI or only his identifiers.
fn bob_responder(w: &IdWorld, with_uri: bool) -> Responder {
    let bob = if with_uri {
        new_user(&w.kms_b, BOB, &[n0()], Some(t0()))
    } else {
        uri_less_user(&w.kms_b, BOB)
    };
    Responder::new(bob, w.trust.clone(), ResponderConfig::default())
}

/// A GMK request with fixed key, key id and RAND.
fn fixed_gmk_request() -> InitiateRequest {
    let mut req = InitiateRequest::new(KeyType::Gmk, BOB, KMS_B, t0());
    req.key = Some(Ssv::from_bytes(&[5u8; 16]).unwrap());
    req.key_id = Some(KeyId::new(0x0123_abcd));
    req.rand = Some(vec![3u8; 16]);
    req
}

#[test]
fn explicit_identifiers_give_the_derived_message() {
    let w = id_world();
    let derived = initiate(&w.alice, &w.trust, fixed_gmk_request(), &mut OsRandom).unwrap();
    assert_eq!(derived.initiator_id.len(), 32);
    assert_eq!(derived.responder_id.len(), 32);
    // The same UIDs given explicitly, by an initiator with and without a URI.
    for initiator in [&w.alice, &w.alice_no_uri] {
        let mut req = fixed_gmk_request();
        req.initiator_id = Some(derived.initiator_id.clone());
        req.responder_id = Some(derived.responder_id.clone());
        let sent = initiate(initiator, &w.trust, req, &mut OsRandom).unwrap();
        // Every octet but the ECCSI signature (random j) is the same.
        let signed = sent.bytes.len() - mikey_sakke::eccsi::SIGNATURE_LEN;
        assert_eq!(sent.bytes.len(), derived.bytes.len());
        assert_eq!(sent.bytes[..signed], derived.bytes[..signed]);
        assert_eq!(sent.initiator_id, derived.initiator_id);
        assert_eq!(sent.responder_id, derived.responder_id);
        assert_eq!(
            sent.message.idr(IdRole::ResponderUid).unwrap().data,
            derived.responder_id
        );

        // Bob, knowing his URI: GMK-ID by the GUK-ID rule, agreeing with the MKI.
        let mut bob = bob_responder(&w, true);
        let r = bob.receive(&sent.bytes, t0()).unwrap();
        assert_eq!(r.key.as_bytes(), &[5u8; 16]);
        assert_eq!(r.key_id, KeyId::new(0x0123_abcd));
        assert_eq!(
            r.key_id_source,
            KeyIdSource::GukIdRule {
                matches_mki: Some(true)
            }
        );
        assert_eq!(r.initiator_id, derived.initiator_id);
        r.check_initiator_uri(ALICE).unwrap();

        // Bob known by his identifier only: GMK-ID from the signed MKI.
        let mut bob = bob_responder(&w, false);
        let r = bob.receive(&sent.bytes, t0()).unwrap();
        assert_eq!(r.key_id, KeyId::new(0x0123_abcd));
        assert_eq!(r.key_id_source, KeyIdSource::Mki);
        let mut mki = r.key_id.to_bytes().to_vec();
        mki.extend_from_slice(&r.csb_id.to_bytes());
        assert_eq!(r.session(4).unwrap().mki, mki);
    }
}

#[test]
fn explicit_identifier_errors() {
    let w = id_world();
    let uid = vec![0x11u8; 32];
    let mut req = fixed_gmk_request();
    req.responder_id = Some(vec![0x11u8; 31]);
    assert_eq!(
        initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap_err(),
        MikeyError::InvalidIdentifier {
            name: "responder",
            len: 31,
            reason: "hidden identities carry 32-octet UIDs",
        }
    );
    let mut req = fixed_gmk_request();
    req.initiator_id = Some(Vec::new());
    assert!(matches!(
        initiate(&w.alice, &w.trust, req, &mut OsRandom),
        Err(MikeyError::InvalidIdentifier {
            name: "initiator",
            len: 0,
            ..
        })
    ));
    // An initiator without URI needs its identifier.
    let req = fixed_gmk_request();
    assert_eq!(
        initiate(&w.alice_no_uri, &w.trust, req, &mut OsRandom).unwrap_err(),
        MikeyError::UnknownUri("initiator")
    );
    // An identifier the initiator holds no key set for.
    let mut req = fixed_gmk_request();
    req.initiator_id = Some(uid.clone());
    assert_eq!(
        initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap_err(),
        MikeyError::NoKeyForPeriod
    );
    // Not hidden: any non-empty identifier, but IDRi needs the initiator's URI.
    let mut req = fixed_gmk_request();
    req.id_scheme = IdScheme::TelUriMonthly;
    req.hide_identities = false;
    req.initiator_id = Some(Rfc6509Id::for_time(t0(), ALICE).unwrap().to_bytes());
    assert_eq!(
        initiate(&w.alice_no_uri, &w.trust, req, &mut OsRandom).unwrap_err(),
        MikeyError::UnknownUri("initiator")
    );
    assert_eq!(
        MikeyError::UnknownUri("initiator").check_id(),
        None,
        "an input error, not a checklist rejection"
    );
}

#[test]
fn receiver_without_uri() {
    let w = id_world();
    let receive = |with_uri: bool, sent: &InitiatedMessage| {
        bob_responder(&w, with_uri).receive(&sent.bytes, t0())
    };
    // A GMK with the empty CS ID map: no MKI, so no GMK-ID without the URI.
    let mut req = fixed_gmk_request();
    req.cs_map = CsMapChoice::Empty;
    let sent = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    let r = receive(false, &sent).unwrap();
    assert_eq!(r.key_id_source, KeyIdSource::Unknown);
    assert_eq!(r.key_id, r.csb_id);
    assert_eq!(r.sessions.len(), 2);
    assert!(r.sessions.iter().all(|s| s.mki.is_empty()));
    let r = receive(true, &sent).unwrap();
    assert_eq!(
        r.key_id_source,
        KeyIdSource::GukIdRule { matches_mki: None }
    );
    assert_eq!(r.key_id, sent.key_id);

    // A CSB ID that is not Bob's GUK-ID: the rule and the signed MKI disagree,
    // H7 for a receiver that knows its URI.
    let mut req = fixed_gmk_request();
    req.csb_id = Some(KeyId::new(0x0765_4321));
    let sent = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    let e = receive(true, &sent).unwrap_err();
    assert_eq!(e, MikeyError::KeyIdMismatch);
    assert_eq!(e.check_id(), Some("H7"));
    let r = receive(false, &sent).unwrap();
    assert_eq!(r.key_id_source, KeyIdSource::Mki);
    assert_eq!(r.key_id, sent.key_id);

    // A PCK: the key id is the CSB ID.
    let req = InitiateRequest::new(KeyType::Pck, BOB, KMS_B, t0());
    let sent = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    let r = receive(false, &sent).unwrap();
    assert_eq!(r.key_id_source, KeyIdSource::CsbId);
    assert_eq!(r.key_id, sent.key_id);
    assert_eq!(r.sessions[0].mki, sent.key_id.to_bytes());

    // IDRr with RFC 6509 identifiers: the URI is accepted when it maps to a held
    // identifier, and then salts the GUK-ID.
    let mut req = fixed_gmk_request();
    req.id_scheme = IdScheme::TelUriMonthly;
    req.hide_identities = false;
    let sent = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    let r = receive(false, &sent).unwrap();
    assert_eq!(r.key_id, KeyId::new(0x0123_abcd));
    assert_eq!(
        r.key_id_source,
        KeyIdSource::GukIdRule {
            matches_mki: Some(true)
        }
    );
    // Addressed to someone else (Carol's IDRr URI): K2.
    let mut req = fixed_gmk_request();
    req.responder_uri = "sip:carol@b.example.org".into();
    req.id_scheme = IdScheme::TelUriMonthly;
    req.hide_identities = false;
    let sent = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    assert_eq!(
        receive(false, &sent).unwrap_err(),
        MikeyError::NotForReceiver
    );
    // A hidden identity that is not Bob's: K2.
    let mut req = fixed_gmk_request();
    req.responder_id = Some(vec![0x42u8; 32]);
    let sent = initiate(&w.alice, &w.trust, req, &mut OsRandom).unwrap();
    assert_eq!(
        receive(false, &sent).unwrap_err(),
        MikeyError::NotForReceiver
    );
}
