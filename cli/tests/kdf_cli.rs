//! End-to-end tests of `msk uid` and `msk mikey derive` against the
//! published UID vectors, the sample I_MESSAGE's TEK/salt and the published
//! PRF vectors, and their exit-status contract (0 ok, 2 bad input).

mod common;
use common::*;

use serde_json::Value;

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn uid_published_vectors() {
    let v = vector("published_vendor_imessages.json");
    for c in v["uid_vectors"]["cases"].as_array().unwrap() {
        let run = msk(&[
            "uid",
            "--uri",
            &s(&c["uri"]),
            "--kms-uri",
            &s(&c["kms_uri"]),
            "--key-period",
            &s(&c["key_period"]),
            "--key-period-offset",
            &s(&c["key_period_offset"]),
            "--period-no",
            &s(&c["key_period_no"]),
        ]);
        assert_eq!(
            (run.code, run.out()),
            (0, s(&c["uid"]).as_str()),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn uid_minimal_integers_not_fixed_width() {
    let run = msk(&[
        "uid",
        "--uri",
        "sip:user@example.org",
        "--kms-uri",
        "kms.example.org",
        "--key-period",
        "2592000",
        "--key-period-offset",
        "0",
        "--period-no",
        "1388",
    ]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.out(),
        "3a81fb14c3b1d0fe43c9c577104d55a6d81788bfd2f09743c4557746a5a0353b"
    );
    assert_ne!(
        run.out(),
        "e8b070857e7de8ad9194145956174810ace9291a74a8e597e3bd9c8228341f66"
    );
}

#[test]
fn uid_bad_input() {
    let base = [
        "uid",
        "--uri",
        "sip:a@b",
        "--kms-uri",
        "kms",
        "--key-period",
        "10",
        "--key-period-offset",
        "0",
        "--period-no",
        "1",
    ];
    let with = |i: usize, value: &'static str| {
        let mut a = base;
        a[i] = value;
        msk(&a)
    };
    assert_bad_input(&with(2, ""), "--uri", "empty");
    assert_bad_input(&with(4, ""), "--kms-uri", "empty");
    assert_bad_input(&with(6, "0"), "--key-period", "zero");
    assert_bad_input(&with(6, "-1"), "--key-period", "integer");
    assert_bad_input(&with(8, "x"), "--key-period-offset", "integer");
    assert_bad_input(&with(10, "18446744073709551616"), "--period-no", "64 bits");
    let long = "a".repeat(65_536);
    let mut a = base.to_vec();
    a[2] = &long;
    assert_bad_input(&msk(&a), "--uri", "65535");
}

#[test]
fn derive_sample_every_cs_id() {
    let v = vector("sample_imessage_gmk.json");
    let c = &v["case"];
    let tgk = s(&c["expected"]["ssv_tgk"]);
    let rand = s(&c["expected"]["rand"]);
    let csb = s(&c["expected"]["csb_id"]);
    for cs_id in 0..=9 {
        let want = &c["derived_srtp_master_keys_by_cs_id"][cs_id.to_string()];
        let cs = cs_id.to_string();
        let out = json_out(&msk(&[
            "mikey", "derive", "--tgk", &tgk, "--csb-id", &csb, "--rand", &rand, "--cs-id", &cs,
        ]));
        assert_eq!(out["tek"], want["tek"], "cs_id {cs_id}");
        assert_eq!(out["salt"], want["salt"], "cs_id {cs_id}");
        assert_eq!(out.as_object().unwrap().len(), 2);
    }
}

/// `keyDeriv2` TEK vector: TEK (16) || salt (12).
#[test]
fn derive_published_prf_vector() {
    let v = vector("published_vendor_imessages.json");
    let c = &v["prf_vectors"]["cases"][2];
    assert!(s(&c["kind"]).starts_with("TEK"));
    let expected = s(&c["expected"]);
    let out = json_out(&msk(&[
        "mikey",
        "derive",
        "--tgk",
        &s(&c["tgk"]),
        "--csb-id",
        &s(&c["csb_id"]),
        "--rand",
        &s(&c["rand"]),
        "--cs-id",
        &s(&c["cs_id"]),
        "--prf",
        "hmac-sha256",
    ]));
    assert_eq!(s(&out["tek"]), expected[..32]);
    assert_eq!(s(&out["salt"]), expected[32..]);
}

/// HMAC-SHA-1, a 33-octet TGK, an empty RAND and other lengths (values from
/// an independent Python implementation of RFC 3830 §4.1.2).
#[test]
fn derive_sha1_long_tgk_empty_rand() {
    let tgk33: String = (0u8..33).map(|b| format!("{b:02x}")).collect();
    let out = json_out(&msk(&[
        "mikey",
        "derive",
        "--tgk",
        &tgk33,
        "--csb-id",
        "0e4de701",
        "--rand",
        "",
        "--cs-id",
        "4",
        "--prf",
        "hmac-sha1",
        "--salt-len",
        "14",
    ]));
    assert_eq!(out["tek"], "806f375f10e71e4de5e226998616b2b3");
    assert_eq!(out["salt"], "0e94559a139987a5293409ef7fcc");
    let out = json_out(&msk(&[
        "mikey",
        "derive",
        "--tgk",
        "bf5885136cabcb4aff6cdb8e9df47ce2",
        "--csb-id",
        "0e4de701",
        "--rand",
        "",
        "--cs-id",
        "4",
        "--salt-len",
        "14",
    ]));
    assert_eq!(out["tek"], "57ef571b80e86fafe549d8f1272bb87e");
    assert_eq!(out["salt"], "ebdaee44227abd41d8cbd7a57194");
}

#[test]
fn derive_bad_input() {
    let base = [
        "mikey",
        "derive",
        "--tgk",
        "bf5885136cabcb4aff6cdb8e9df47ce2",
        "--csb-id",
        "0e4de701",
        "--rand",
        "dc4af69d54ada5ea8229dc299515e2d5",
        "--cs-id",
        "4",
    ];
    let with = |i: usize, value: &'static str| {
        let mut a = base;
        a[i] = value;
        msk(&a)
    };
    assert_bad_input(&with(3, ""), "--tgk", "empty");
    assert_bad_input(&with(3, "abc"), "--tgk", "odd number");
    assert_bad_input(&with(5, "0e4de7"), "--csb-id", "expected 4 octets, got 3");
    assert_bad_input(&with(7, "zz"), "--rand", "invalid hex");
    assert_bad_input(&with(9, "256"), "--cs-id", "0 to 255");
    let extra = |k: &'static str, v: &'static str| {
        let mut a = base.to_vec();
        a.extend([k, v]);
        msk(&a)
    };
    assert_bad_input(&extra("--tek-len", "0"), "--tek-len", "1 to 1024");
    assert_bad_input(&extra("--salt-len", "2000"), "--salt-len", "1 to 1024");
    assert_bad_input(&extra("--prf", "md5"), "--prf", "hmac-sha256 or hmac-sha1");
    // The secret is not echoed in the message.
    let run = with(3, "bf5885136cabcb4aff6cdb8e9df47ceZ");
    assert_bad_input(&run, "--tgk", "position 31");
    assert!(!run.stderr.contains("bf5885"));
}
