//! Tests of the MIKEY message codec through the public API:
//!
//! * the sample GMK I_MESSAGE and every published vendor message: field values and
//!   exact round trips (octets → message → octets, message → octets → message);
//! * the text forms (`mikey <base64>`, `a=key-mgmt:mikey <base64>`);
//! * one negative test per structural rejection of SPEC §9 (E1–E5, E8, E9, H1–H6),
//!   each asserting the exact `MikeyError`;
//! * property tests: round trips of generated messages, no panic on arbitrary input.

use mikey_sakke::kdf::KeyId;
use mikey_sakke::mikey::key_params::ProtectedPayload;
use mikey_sakke::mikey::*;
use proptest::prelude::*;

fn sample() -> serde_json::Value {
    serde_json::from_str(include_str!("data/sample_imessage_gmk.json")).unwrap()
}

fn vendors() -> serde_json::Value {
    serde_json::from_str(include_str!("data/published_vendor_imessages.json")).unwrap()
}

fn h(s: &serde_json::Value) -> Vec<u8> {
    hex::decode(s.as_str().unwrap()).unwrap()
}

fn sample_bytes() -> Vec<u8> {
    h(&sample()["case"]["parsed"]["i_message_hex"])
}

/// Every published message: (label, text form, parsed JSON).
fn vendor_messages() -> Vec<(String, String, serde_json::Value)> {
    let v = vendors();
    let mut out = Vec::new();
    for set in ["streamwide_v5", "alea_v3"] {
        for (i, m) in v[set]["i_messages"].as_array().unwrap().iter().enumerate() {
            out.push((
                format!("{set}[{i}]"),
                m["i_message_b64"].as_str().unwrap().to_string(),
                m["parsed"].clone(),
            ));
        }
    }
    out
}

fn check_against_json(label: &str, m: &Message, bytes: &[u8], p: &serde_json::Value) {
    let hdr = &p["header"];
    assert_eq!(bytes.len() as u64, p["length"].as_u64().unwrap(), "{label}");
    assert_eq!(
        u8::from(m.header.data_type) as u64,
        hdr["data_type"].as_u64().unwrap()
    );
    assert_eq!(
        m.header.prf.value() as u64,
        hdr["prf_func"].as_u64().unwrap()
    );
    assert_eq!(m.header.v as u64, hdr["V"].as_u64().unwrap());
    assert_eq!(
        m.header.csb_id.to_be_bytes().to_vec(),
        h(&hdr["csb_id"]),
        "{label}"
    );
    assert_eq!(m.header.cs_map.len() as u64, hdr["n_cs"].as_u64().unwrap());
    assert_eq!(
        m.header.cs_map.map_type() as u64,
        hdr["cs_id_map_type"].as_u64().unwrap()
    );
    let info = hdr["cs_id_map_info"].as_array().unwrap();
    match &m.header.cs_map {
        CsIdMap::GenericId(entries) => {
            for (e, j) in entries.iter().zip(info) {
                assert_eq!(e.cs_id as u64, j["cs_id"].as_u64().unwrap());
                assert_eq!(e.prot_type as u64, j["prot_type"].as_u64().unwrap());
                assert_eq!(e.s_flag as u64, j["S"].as_u64().unwrap());
                let pol: Vec<u8> = j["policies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap() as u8)
                    .collect();
                assert_eq!(e.policies, pol);
                assert_eq!(e.session_data, h(&j["session_data"]));
                assert_eq!(e.spi, h(&j["spi"]));
            }
        }
        CsIdMap::SrtpId(entries) => {
            for (e, j) in entries.iter().zip(info) {
                assert_eq!(e.policy_no as u64, j["policy_no"].as_u64().unwrap());
                assert_eq!(e.ssrc.to_be_bytes().to_vec(), h(&j["ssrc"]));
                assert_eq!(e.roc.to_be_bytes().to_vec(), h(&j["roc"]));
            }
        }
        CsIdMap::Empty => assert!(info.is_empty()),
    }
    // Payload order.
    let names: Vec<&str> = m
        .payloads
        .iter()
        .map(|p| match p {
            Payload::Timestamp(_) => "T",
            Payload::Rand(_) => "RAND",
            Payload::Idr(_) => "IDR",
            Payload::SecurityPolicy(_) => "SP",
            Payload::Sakke(_) => "SAKKE",
            Payload::GeneralExtension(_) => "GENERAL_EXT",
            Payload::Error(_) => "ERR",
        })
        .chain(m.sign.iter().map(|_| "SIGN"))
        .collect();
    let expected: Vec<&str> = p["payload_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(names, expected, "{label}");
    assert_eq!(m.rand().unwrap(), h(&p["rand"]).as_slice());
    let ts = &p["timestamp"][0];
    let Timestamp::NtpUtc(t) = m.timestamp().unwrap() else {
        panic!("{label}: not NTP-UTC")
    };
    assert_eq!(t.to_be_bytes().to_vec(), h(&ts["value"]));
    let idrs: Vec<&IdrPayload> = m.idrs().collect();
    for (i, j) in idrs.iter().zip(p["idr"].as_array().unwrap()) {
        assert_eq!(u8::from(i.role) as u64, j["id_role"].as_u64().unwrap());
        assert_eq!(u8::from(i.id_type) as u64, j["id_type"].as_u64().unwrap());
        assert_eq!(i.data, h(&j["id_data"]));
    }
    for (s, j) in m.security_policies().zip(p["sp"].as_array().unwrap()) {
        assert_eq!(s.policy_no as u64, j["policy_no"].as_u64().unwrap());
        assert_eq!(s.prot_type as u64, j["prot_type"].as_u64().unwrap());
        let params = j["params"].as_array().unwrap();
        assert_eq!(s.params.len(), params.len());
        for (a, b) in s.params.iter().zip(params) {
            assert_eq!(a.param_type as u64, b["type"].as_u64().unwrap());
            assert_eq!(a.value, h(&b["value"]));
        }
    }
    let exts: Vec<&GeneralExtension> = m.extensions().collect();
    let jexts = p["general_ext"].as_array().unwrap();
    assert_eq!(exts.len(), jexts.len());
    for (e, j) in exts.iter().zip(jexts) {
        assert_eq!(e.ext_type() as u64, j["ext_type"].as_u64().unwrap());
        match e {
            GeneralExtension::KeyParameters(d) => assert_eq!(*d, h(&j["data"])),
            other => panic!("{label}: unexpected extension {other:?}"),
        }
    }
    let sakke = m.sakke().unwrap();
    let js = &p["sakke_payload"];
    assert_eq!(
        u8::from(sakke.params) as u64,
        js["sakke_params"].as_u64().unwrap()
    );
    assert_eq!(
        u8::from(sakke.id_scheme) as u64,
        js["id_scheme"].as_u64().unwrap()
    );
    assert_eq!(sakke.data, h(&js["sakke_data"]));
    assert_eq!(&sakke.data[257..], h(&js["H"]).as_slice());
    let sign = m.sign.as_ref().unwrap();
    assert_eq!(sign.sig_type, SignatureType::Eccsi);
    assert_eq!(sign.signature, h(&p["sign_payload"]["signature"]));
    assert_eq!(
        m.signed_len().unwrap().unwrap() as u64,
        p["sign_payload"]["signed_octets"].as_u64().unwrap(),
        "{label}"
    );
}

#[test]
fn sample_message_fields() {
    let s = sample();
    let text = s["case"]["i_message_b64"].as_str().unwrap();
    let bytes = decode_text(text).unwrap();
    assert_eq!(bytes, sample_bytes());
    let m = Message::parse_i_message(&bytes).unwrap();
    check_against_json("sample", &m, &bytes, &s["case"]["parsed"]);

    assert_eq!(m.header.data_type, DataType::SakkeInit);
    assert_eq!(m.header.prf, PrfFunc::HmacSha256);
    assert!(!m.header.v);
    assert_eq!(m.header.csb_id, 0x0e4de701);
    let CsIdMap::GenericId(entries) = &m.header.cs_map else {
        panic!("GENERIC-ID expected")
    };
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].cs_id, 4);
    assert_eq!(entries[0].spi, hex::decode("0eed18ca0e4de701").unwrap());
    assert_eq!(m.timestamp().unwrap().ntp_seconds(), Some(0xeeb2e462));
    assert_eq!(
        m.rand().unwrap(),
        hex::decode("dc4af69d54ada5ea8229dc299515e2d5").unwrap()
    );
    assert_eq!(
        m.idr(IdRole::InitiatorUid).unwrap().data,
        h(&s["case"]["initiator"]["uid"])
    );
    assert_eq!(
        m.idr(IdRole::ResponderUid).unwrap().data,
        h(&s["case"]["responder"]["uid"])
    );
    assert_eq!(
        m.idr(IdRole::InitiatorKms).unwrap().data,
        b"kms.mcptt.example.org"
    );
    assert_eq!(
        m.idr(IdRole::ResponderKms).unwrap().data,
        b"kms.mcptt.example.org"
    );
    let sp = m.security_policy(0).unwrap();
    assert_eq!(sp, &SpPayload::ts33180_observed(0));
    let pol = sp.srtp_policy();
    assert_eq!(pol.encryption, Some(EncryptionAlgorithm::AesGcm));
    assert_eq!(pol.authentication, Some(AuthAlgorithm::RccM3));
    assert_eq!(pol.master_key_len(), 16);
    assert_eq!(pol.master_salt_len(), 12);
    assert_eq!(pol.aead_tag_len, Some(16));
    assert_eq!(pol.rcc_tag_len, Some(4));
    assert_eq!(pol.srtcp_tag_len, Some(0));
    assert_eq!(pol.roc_transmission_rate, None);
    assert_eq!(pol.kdr, Some(vec![0]));
    let sakke = m.sakke().unwrap();
    assert_eq!(sakke.params, SakkeParams::Set1);
    assert_eq!(sakke.id_scheme, IdScheme::HashedUid);
    assert_eq!(sakke.data.len(), 273);
    assert_eq!(m.signed_len().unwrap(), Some(566));
    assert_eq!(&bytes[564..566], &[0x20, 0x81]);
    assert_eq!(m.eccsi_signed_octets().unwrap(), &bytes[..566]);
    // Key-parameters extension: protected-payload structure.
    let kp = ProtectedPayload::parse(m.key_parameters().unwrap()).unwrap();
    assert_eq!(kp.message_type, 0x43);
    assert_eq!(kp.dppk_id, KeyId::new(0x0e4de701));
    assert_eq!(kp.algorithm, 1);
    assert_eq!(kp.ciphertext.len(), 36);
    assert_eq!(kp.to_bytes().unwrap(), m.key_parameters().unwrap());
    // Exact round trips.
    assert_eq!(m.to_bytes().unwrap(), bytes);
    assert_eq!(Message::parse(&m.to_bytes().unwrap()).unwrap(), m);
    assert_eq!(encode_text(&bytes), text);
}

#[test]
fn vendor_messages_parse_and_round_trip() {
    let msgs = vendor_messages();
    assert_eq!(msgs.len(), 6);
    for (label, text, parsed) in msgs {
        let bytes = decode_text(&text).unwrap();
        assert_eq!(bytes, h(&parsed["i_message_hex"]), "{label}");
        let m = Message::parse_i_message(&bytes).unwrap_or_else(|e| panic!("{label}: {e}"));
        check_against_json(&label, &m, &bytes, &parsed);
        assert_eq!(m.to_bytes().unwrap(), bytes, "{label}");
        assert_eq!(Message::parse(&m.to_bytes().unwrap()).unwrap(), m);
        assert_eq!(encode_text(&bytes), text, "{label}");
    }
}

#[test]
fn vendor_key_parameter_layouts() {
    // The legacy-format GMK message carries a type-7 extension that is not a
    // protected payload: it is kept raw and round-trips.
    let msgs = vendor_messages();
    let legacy = &msgs[3];
    let m = Message::parse(&decode_text(&legacy.1).unwrap()).unwrap();
    let raw = m.key_parameters().unwrap();
    assert_eq!(raw.len(), 17);
    assert!(ProtectedPayload::parse(raw).is_err());
    // The other vendor puts the extension before SAKKE, message type 0x40.
    let alea = Message::parse(&decode_text(&msgs[4].1).unwrap()).unwrap();
    let kp = ProtectedPayload::parse(alea.key_parameters().unwrap()).unwrap();
    assert_eq!(kp.message_type, 0x40);
    assert_eq!(kp.dppk_id, KeyId::new(alea.header.csb_id));
    assert_eq!(alea.header.cs_map, CsIdMap::Empty);
    assert_eq!(
        alea.security_policy(1)
            .unwrap()
            .srtp_policy()
            .roc_transmission_rate,
        Some(1)
    );
}

#[test]
fn text_forms() {
    let bytes = sample_bytes();
    let text = encode_text(&bytes);
    assert!(text.starts_with("mikey ARoFAQ5N5wEBAgQAAQ"));
    assert_eq!(decode_text(&text).unwrap(), bytes);
    assert_eq!(decode_text(&format!("  {text}\r\n")).unwrap(), bytes);
    assert_eq!(decode_text(&text.replacen(' ', "\t  ", 1)).unwrap(), bytes);
    let sdp = encode_sdp_attribute(&bytes);
    assert_eq!(sdp, format!("a=key-mgmt:{text}"));
    assert_eq!(decode_sdp_attribute(&sdp).unwrap(), bytes);
    assert_eq!(decode_sdp_attribute(&format!("{sdp}\r\n")).unwrap(), bytes);
}

// ---------------------------------------------------------------------------------
// Negative tests (SPEC §9)
// ---------------------------------------------------------------------------------

fn patched(offset: usize, value: u8) -> Vec<u8> {
    let mut b = sample_bytes();
    b[offset] = value;
    b
}

fn sample_message() -> Message {
    Message::parse(&sample_bytes()).unwrap()
}

/// Encodes `m` and runs the full I_MESSAGE parse.
fn reparse_i(m: &Message) -> Result<Message, MikeyError> {
    Message::parse_i_message(&m.to_bytes().unwrap())
}

fn assert_id(r: Result<Message, MikeyError>, err: MikeyError, id: &str) {
    let e = r.unwrap_err();
    assert_eq!(e, err);
    assert_eq!(e.check_id(), Some(id));
}

#[test]
fn e1_text_form() {
    let text = encode_text(&sample_bytes());
    let b64 = &text[6..];
    for bad in [
        String::new(),
        "mikey".to_string(),
        "mikey ".to_string(),
        format!("mikey{b64}"),
        format!("MIKEY {b64}"),
        format!("kmikey {b64}"),
        b64.to_string(),
        format!("mikey {}", &b64[1..]),                 // bad length
        format!("mikey {}", b64.replace('=', "")),      // missing padding
        format!("mikey {}A", b64),                      // trailing garbage
        format!("mikey {}", b64.replacen('A', "-", 1)), // URL-safe alphabet
        format!("mikey {} {}", &b64[..8], &b64[8..]),   // embedded space
    ] {
        let e = decode_text(&bad).unwrap_err();
        assert_eq!(e.check_id(), Some("E1"), "{bad:.20}");
    }
    for bad in [
        format!("a=key-mgmt:kms {b64}"),
        format!("a=crypto:mikey {b64}"),
        format!("key-mgmt:mikey {b64}"),
    ] {
        assert_eq!(
            decode_sdp_attribute(&bad).unwrap_err().check_id(),
            Some("E1")
        );
    }
}

#[test]
fn e2_every_truncation() {
    let b = sample_bytes();
    for len in 0..b.len() {
        let e = Message::parse(&b[..len]).unwrap_err();
        assert!(matches!(e, MikeyError::Truncated(_)), "len {len}: {e:?}");
        assert_eq!(e.check_id(), Some("E2"));
    }
}

#[test]
fn e2_length_fields_beyond_end() {
    // IDR length (offset 56..58), SP param length (182..184), SAKKE length (214..216),
    // general extension length (491..493), RAND length (36),
    // GENERIC-ID session data length (14..16), #CS (8).
    for (off, val) in [
        (57usize, 0xffu8),
        (56, 0x7f),
        (183, 0xff),
        (214, 0x7f),
        (491, 0x7f),
        (36, 0xff),
        (14, 0xff),
        (8, 0xff),
    ] {
        let e = Message::parse(&patched(off, val)).unwrap_err();
        assert!(matches!(e, MikeyError::Truncated(_)), "offset {off}: {e:?}");
    }
    // An SP parameter whose length leaves the SP payload.
    let e = Message::parse(&patched(185, 0x30)).unwrap_err();
    assert_eq!(e, MikeyError::Truncated("SP parameter value"));
    // A malformed type-6 extension (nested SAKKE length beyond the extension).
    let mut m = sample_message();
    m.payloads.insert(
        8,
        Payload::GeneralExtension(GeneralExtension::Other {
            ext_type: 6,
            data: vec![0, 1, 2, 0xff, 0xff],
        }),
    );
    let e = Message::parse(&m.to_bytes().unwrap()).unwrap_err();
    assert_eq!(e, MikeyError::Truncated("SAKKE data"));
}

#[test]
fn e3_trailing_octets_and_missing_sign() {
    let mut b = sample_bytes();
    b.push(0);
    assert_id(Message::parse(&b), MikeyError::TrailingOctets(1), "E3");
    // The payload before SIGN says "last payload": SIGN becomes trailing data.
    assert_id(
        Message::parse(&patched(489, 0)),
        MikeyError::TrailingOctets(131),
        "E3",
    );
    // SIGN with a shorter length: the rest is trailing data.
    assert_id(
        Message::parse(&patched(565, 0x80)),
        MikeyError::TrailingOctets(1),
        "E3",
    );
    // A chain that ends without SIGN.
    let mut m = sample_message();
    m.sign = None;
    assert_id(reparse_i(&m), MikeyError::MissingSignature, "E3");
}

#[test]
fn e4_unknown_payload_type() {
    // next payload of T (offset 25) → 3 (DH, unsupported), 99 (unknown), 1 (KEMAC).
    for t in [3u8, 99, 1, 13] {
        assert_id(
            Message::parse(&patched(25, t)),
            MikeyError::UnknownPayload(t),
            "E4",
        );
    }
    // HDR next payload.
    assert_id(
        Message::parse(&patched(2, 200)),
        MikeyError::UnknownPayload(200),
        "E4",
    );
}

#[test]
fn e5_timestamp_type() {
    assert_id(
        Message::parse(&patched(26, 3)),
        MikeyError::UnsupportedTimestampType(3),
        "E5",
    );
    let mut m = sample_message();
    m.payloads[0] = Payload::Timestamp(Timestamp::Counter(7));
    assert_id(reparse_i(&m), MikeyError::UnsupportedTimestampType(2), "E5");
    m.payloads[0] = Payload::Timestamp(Timestamp::Ntp(7));
    assert_id(reparse_i(&m), MikeyError::UnsupportedTimestampType(1), "E5");
}

#[test]
fn e8_signature_format() {
    // S type RSA-PSS (octet 564 high nibble).
    assert_id(
        Message::parse_i_message(&patched(564, 0x10)),
        MikeyError::UnsupportedSignatureType(1),
        "E8",
    );
    let mut m = sample_message();
    m.sign.as_mut().unwrap().signature.pop();
    assert_id(reparse_i(&m), MikeyError::SignatureLength(128), "E8");
    m.sign
        .as_mut()
        .unwrap()
        .signature
        .extend_from_slice(&[0, 0]);
    assert_id(reparse_i(&m), MikeyError::SignatureLength(130), "E8");
}

#[test]
fn e9_sakke_data_length() {
    for len in [0usize, 257, 274, 300] {
        let mut m = sample_message();
        for p in &mut m.payloads {
            if let Payload::Sakke(s) = p {
                s.data.resize(len, 0);
            }
        }
        assert_id(reparse_i(&m), MikeyError::SakkeDataLength(len), "E9");
    }
    // 258..=273 pass the structural check (short H, SPEC §3.10).
    let mut m = sample_message();
    for p in &mut m.payloads {
        if let Payload::Sakke(s) = p {
            s.data.truncate(258);
        }
    }
    assert!(reparse_i(&m).is_ok());
}

#[test]
fn h1_version() {
    for v in [0u8, 2, 255] {
        assert_id(
            Message::parse(&patched(0, v)),
            MikeyError::UnsupportedVersion(v),
            "H1",
        );
    }
}

#[test]
fn h2_data_type() {
    for t in [27u8, 6, 0, 99] {
        let b = patched(1, t);
        // Structurally fine, rejected as an I_MESSAGE.
        assert!(Message::parse(&b).is_ok());
        assert_id(
            Message::parse_i_message(&b),
            MikeyError::UnexpectedDataType(t),
            "H2",
        );
    }
}

#[test]
fn h3_prf() {
    for (octet, prf) in [(0x02u8, 2u8), (0x03, 3), (0x7f, 0x7f), (0x82, 2)] {
        assert_id(
            Message::parse_i_message(&patched(3, octet)),
            MikeyError::UnsupportedPrf(prf),
            "H3",
        );
    }
}

#[test]
fn h4_cs_id_map() {
    for t in [3u8, 255] {
        assert_id(
            Message::parse(&patched(9, t)),
            MikeyError::UnknownCsIdMapType(t),
            "H4",
        );
    }
    // Empty map with #CS = 1.
    let mut m = sample_message();
    m.header.cs_map = CsIdMap::Empty;
    let mut b = m.to_bytes().unwrap();
    assert_eq!(b[8], 0);
    b[8] = 1;
    assert_id(Message::parse(&b), MikeyError::CsIdMapCount, "H4");
}

#[test]
fn h5_missing_and_duplicate_payloads() {
    let base = sample_message();
    let remove = |pred: &dyn Fn(&Payload) -> bool| {
        let mut m = base.clone();
        m.payloads.retain(|p| !pred(p));
        reparse_i(&m)
    };
    assert_id(
        remove(&|p| matches!(p, Payload::Timestamp(_))),
        MikeyError::MissingPayload("T"),
        "H5",
    );
    assert_id(
        remove(&|p| matches!(p, Payload::Rand(_))),
        MikeyError::MissingPayload("RAND"),
        "H5",
    );
    assert_id(
        remove(&|p| matches!(p, Payload::Sakke(_))),
        MikeyError::MissingPayload("SAKKE"),
        "H5",
    );
    for (role, name) in [
        (IdRole::InitiatorUid, "IDRi"),
        (IdRole::ResponderUid, "IDRr"),
        (IdRole::InitiatorKms, "IDRkmsi"),
        (IdRole::ResponderKms, "IDRkmsr"),
    ] {
        assert_id(
            remove(&|p| matches!(p, Payload::Idr(i) if i.role == role)),
            MikeyError::MissingPayload(name),
            "H5",
        );
    }
    // Duplicates.
    for (idx, name) in [(0usize, "T"), (1, "RAND"), (2, "IDR"), (7, "SAKKE")] {
        let mut m = base.clone();
        let p = m.payloads[idx].clone();
        m.payloads.insert(idx, p);
        assert_id(reparse_i(&m), MikeyError::DuplicatePayload(name), "H5");
    }
}

#[test]
fn h6_sakke_params_and_scheme() {
    assert_id(
        Message::parse_i_message(&patched(212, 2)),
        MikeyError::UnsupportedSakkeParams(2),
        "H6",
    );
    for s in [0u8, 3, 240] {
        assert_id(
            Message::parse_i_message(&patched(213, s)),
            MikeyError::UnsupportedIdScheme(s),
            "H6",
        );
    }
    // Unknown values survive a round trip.
    let b = patched(213, 240);
    let m = Message::parse(&b).unwrap();
    assert_eq!(m.sakke().unwrap().id_scheme, IdScheme::Unknown(240));
    assert_eq!(m.to_bytes().unwrap(), b);
}

#[test]
fn rand_policy() {
    let mut m = sample_message();
    m.payloads[1] = Payload::Rand(vec![1; 15]);
    assert_eq!(reparse_i(&m).unwrap_err(), MikeyError::RandTooShort(15));
}

#[test]
fn build_rejects_oversized_fields() {
    let mut m = sample_message();
    m.payloads[1] = Payload::Rand(vec![0; 256]);
    assert_eq!(m.to_bytes().unwrap_err(), MikeyError::FieldTooLong("RAND"));
    let mut m = sample_message();
    m.sign.as_mut().unwrap().signature = vec![0; 4096];
    assert_eq!(
        m.to_bytes().unwrap_err(),
        MikeyError::FieldTooLong("SIGN signature")
    );
}

// ---------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..=max)
}

fn header() -> impl Strategy<Value = CommonHeader> {
    let srtp = prop::collection::vec(
        (any::<u8>(), any::<u32>(), any::<u32>()).prop_map(|(policy_no, ssrc, roc)| SrtpIdEntry {
            policy_no,
            ssrc,
            roc,
        }),
        0..4,
    )
    .prop_map(CsIdMap::SrtpId);
    let generic = prop::collection::vec(
        (
            any::<u8>(),
            any::<u8>(),
            any::<bool>(),
            bytes(5),
            bytes(10),
            bytes(12),
        )
            .prop_map(|(cs_id, prot_type, s_flag, policies, session_data, spi)| {
                GenericIdEntry {
                    cs_id,
                    prot_type,
                    s_flag,
                    policies,
                    session_data,
                    spi,
                }
            }),
        0..4,
    )
    .prop_map(CsIdMap::GenericId);
    let map = prop_oneof![srtp, Just(CsIdMap::Empty), generic];
    (any::<u8>(), any::<bool>(), 0u8..128, any::<u32>(), map).prop_map(
        |(dt, v, prf, csb_id, cs_map)| CommonHeader {
            data_type: DataType::from(dt),
            v,
            prf: PrfFunc::from_value(prf),
            csb_id,
            cs_map,
        },
    )
}

fn sakke_payload() -> impl Strategy<Value = SakkePayload> {
    (any::<u8>(), any::<u8>(), bytes(300)).prop_map(|(p, s, data)| SakkePayload {
        params: SakkeParams::from(p),
        id_scheme: IdScheme::from(s),
        data,
    })
}

fn payload() -> impl Strategy<Value = Payload> {
    let ts = prop_oneof![
        any::<u64>().prop_map(Timestamp::NtpUtc),
        any::<u64>().prop_map(Timestamp::Ntp),
        any::<u32>().prop_map(Timestamp::Counter),
    ]
    .prop_map(Payload::Timestamp);
    let idr = (any::<u8>(), any::<u8>(), bytes(40)).prop_map(|(r, t, data)| {
        Payload::Idr(IdrPayload {
            role: IdRole::from(r),
            id_type: IdType::from(t),
            data,
        })
    });
    let sp = (
        any::<u8>(),
        any::<u8>(),
        prop::collection::vec(
            (any::<u8>(), bytes(4))
                .prop_map(|(param_type, value)| PolicyParam { param_type, value }),
            0..12,
        ),
    )
        .prop_map(|(policy_no, prot_type, params)| {
            Payload::SecurityPolicy(SpPayload {
                policy_no,
                prot_type,
                params,
            })
        });
    let ext = prop_oneof![
        (any::<u8>(), sakke_payload())
            .prop_map(|(inner_next, sakke)| GeneralExtension::SakkeToSelf { inner_next, sakke }),
        bytes(80).prop_map(GeneralExtension::KeyParameters),
        (
            any::<u8>().prop_filter("typed", |t| *t != 6 && *t != 7),
            bytes(20)
        )
            .prop_map(|(ext_type, data)| GeneralExtension::Other { ext_type, data }),
    ]
    .prop_map(Payload::GeneralExtension);
    prop_oneof![
        ts,
        bytes(32).prop_map(Payload::Rand),
        idr,
        sp,
        sakke_payload().prop_map(Payload::Sakke),
        ext,
        (any::<u8>(), any::<u16>())
            .prop_map(|(error_no, reserved)| Payload::Error(ErrPayload { error_no, reserved })),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    let sign = prop::option::of(
        (0u8..16, bytes(200)).prop_map(|(t, signature)| SignPayload {
            sig_type: SignatureType::from_value(t),
            signature,
        }),
    );
    (header(), prop::collection::vec(payload(), 0..12), sign).prop_map(
        |(header, payloads, sign)| Message {
            header,
            payloads,
            sign,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_messages_round_trip(m in message()) {
        let b = m.to_bytes().unwrap();
        let back = Message::parse(&b).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(back.to_bytes().unwrap(), b.clone());
        let t = encode_text(&b);
        prop_assert_eq!(decode_text(&t).unwrap(), b.clone());
        prop_assert_eq!(decode_sdp_attribute(&encode_sdp_attribute(&b)).unwrap(), b);
    }

    #[test]
    fn arbitrary_octets_never_panic_and_round_trip_when_accepted(b in bytes(700)) {
        if let Ok(m) = Message::parse(&b) {
            prop_assert_eq!(m.to_bytes().unwrap(), b);
        }
    }

    #[test]
    fn corrupted_sample_round_trips_when_accepted(off in 0usize..695, val in any::<u8>()) {
        let b = patched(off, val);
        if let Ok(m) = Message::parse(&b) {
            prop_assert_eq!(m.to_bytes().unwrap(), b);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,64}") {
        let _ = decode_text(&s);
        let _ = decode_sdp_attribute(&s);
        let _ = decode_text(&format!("mikey {s}"));
    }
}
