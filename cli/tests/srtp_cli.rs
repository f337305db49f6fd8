//! End-to-end tests of `msk srtp ...` / `msk srtcp ...` with the RFC 3711,
//! RFC 6188 and RFC 7714 vector values, and the exit-status contract
//! (0 ok, 1 a packet failed, 2 bad input naming the argument).

mod common;
use common::*;

use serde_json::Value;

fn s(v: &Value) -> &str {
    v.as_str().expect("string")
}

#[test]
fn derive_rfc3711_b3() {
    let v = &vector("rfc3711_srtp_kdf_keystream.json")["b3_key_derivation"];
    let run = msk(&[
        "srtp",
        "derive",
        "--profile",
        "AES_CM_128_HMAC_SHA1_80",
        "--master-key",
        s(&v["master_key"]),
        "--master-salt",
        s(&v["master_salt"]),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out: Value = serde_json::from_str(run.stdout.trim()).expect("JSON");
    assert_eq!(out["srtp"]["cipher_key"], v["cipher_key"]);
    assert_eq!(out["srtp"]["salt"], v["cipher_salt"]);
    assert_eq!(out["srtp"]["auth_key"], v["auth_key_20_octets"]);
    assert!(out["srtcp"]["auth_key"].is_string());
}

#[test]
fn derive_with_kdr_nist_acvp() {
    let cases =
        vector("rfc3711_srtp_kdf_keystream.json")["kdf_with_kdr_nist_acvp"]["cases"].clone();
    for c in cases.as_array().unwrap() {
        let label = c["label"].as_u64().unwrap();
        let idx = u64::from_str_radix(s(&c["index"]), 16).unwrap().to_string();
        let kdr = c["key_derivation_rate"].to_string();
        let index_arg = if label < 3 {
            "--index"
        } else {
            "--srtcp-index"
        };
        let run = msk(&[
            "srtp",
            "derive",
            "--profile",
            "AES_CM_128_HMAC_SHA1_80",
            "--master-key",
            s(&c["master_key"]),
            "--master-salt",
            s(&c["master_salt"]),
            "--kdr",
            &kdr,
            index_arg,
            &idx,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let out: Value = serde_json::from_str(run.stdout.trim()).unwrap();
        let family = if label < 3 { "srtp" } else { "srtcp" };
        let field = ["cipher_key", "auth_key", "salt"][(label % 3) as usize];
        assert_eq!(out[family][field], c["output"], "label {label}");
    }
}

#[test]
fn derive_aead_has_no_auth_key() {
    let run = msk(&[
        "srtp",
        "derive",
        "--profile",
        "AEAD_AES_128_GCM",
        "--master-key",
        "000102030405060708090a0b0c0d0e0f",
        "--master-salt",
        "517569642070726f2071756f",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    // AEAD profiles derive no authentication key: "auth_key" is null.
    for part in ["srtp", "srtcp"] {
        let auth = out[part].get("auth_key");
        assert_eq!(auth, Some(&Value::Null), "{out}");
    }
    assert_eq!(out["srtp"]["salt"].as_str().unwrap().len(), 24);
}

#[test]
fn rfc6188_packet_protect_and_unprotect() {
    let all = vector("rfc6188_srtp_aes192_256.json");
    let (mk, ms) = (
        s(&all["aes256_cm_prf_7_2"]["master_key"]),
        s(&all["aes256_cm_prf_7_2"]["master_salt"]),
    );
    let p = &all["extra_aes256_packet"];
    let base = [
        "--profile",
        "AES_256_CM_HMAC_SHA1_80",
        "--master-key",
        mk,
        "--master-salt",
        ms,
    ];
    let run = msk(&[&["srtp", "protect"][..], &base, &[s(&p["rtp"])]].concat());
    assert_eq!(
        (run.code, run.lines()),
        (0, vec![s(&p["srtp"])]),
        "{}",
        run.stderr
    );
    // The second copy is a replay, the third is tampered: both `invalid`, exit 1.
    let mut bad = s(&p["srtp"]).to_string();
    bad.replace_range(30..32, "00");
    let run = msk(&[
        &["srtp", "unprotect"][..],
        &base,
        &[s(&p["srtp"]), s(&p["srtp"]), &bad],
    ]
    .concat());
    assert_eq!(run.code, 1);
    assert_eq!(run.lines(), vec![s(&p["rtp"]), "invalid", "invalid"]);
}

#[test]
fn rfc7714_vectors_with_session_keys() {
    let all = vector("rfc7714_srtp_aes_gcm.json");
    for name in ["AEAD_AES_128_GCM", "AEAD_AES_256_GCM"] {
        let v = &all["vectors"][name];
        let base = [
            "--profile",
            name,
            "--session-key",
            s(&v["session_key"]),
            "--session-salt",
            s(&v["session_salt"]),
        ];
        let run = msk(&[
            &["srtp", "protect"][..],
            &base,
            &[s(&v["rtp"]["plaintext"])],
        ]
        .concat());
        assert_eq!(
            (run.code, run.lines()),
            (0, vec![s(&v["rtp"]["protected"])]),
            "{}",
            run.stderr
        );
        let run = msk(&[
            &["srtp", "unprotect"][..],
            &base,
            &[s(&v["rtp"]["protected"])],
        ]
        .concat());
        assert_eq!(
            (run.code, run.lines()),
            (0, vec![s(&v["rtp"]["plaintext"])]),
            "{}",
            run.stderr
        );

        let c = &v["rtcp_encrypted"];
        let run = msk(&[
            &["srtcp", "protect", "--index", "1492"][..],
            &base,
            &[s(&c["plaintext"])],
        ]
        .concat());
        assert_eq!(
            (run.code, run.lines()),
            (0, vec![s(&c["protected"])]),
            "{}",
            run.stderr
        );
        let run = msk(&[&["srtcp", "unprotect"][..], &base, &[s(&c["protected"])]].concat());
        assert_eq!(
            (run.code, run.lines()),
            (0, vec![s(&c["plaintext"])]),
            "{}",
            run.stderr
        );

        let c = &v["rtcp_auth_only"];
        let run = msk(&[
            &["srtcp", "protect", "--srtcp-auth-only", "--index", "1492"][..],
            &base,
            &[s(&c["plaintext"])],
        ]
        .concat());
        assert_eq!(
            (run.code, run.lines()),
            (0, vec![s(&c["protected"])]),
            "{}",
            run.stderr
        );
        let run = msk(&[&["srtcp", "unprotect"][..], &base, &[s(&c["protected"])]].concat());
        assert_eq!(
            (run.code, run.lines()),
            (0, vec![s(&c["plaintext"])]),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn round_trip_with_mki_roc_and_rcc() {
    let key = "00112233445566778899aabbccddeeff";
    let salt = "0102030405060708090a0b0c";
    let rtp = [
        "8060ffff00000000cafebabe01020304",
        "8060000000000000cafebabe05060708",
    ];
    let base = [
        "--profile",
        "AEAD_AES_128_GCM",
        "--master-key",
        key,
        "--master-salt",
        salt,
        "--mki",
        "0eed18ca0e4de701",
        "--rccm3",
        "1",
    ];
    let run = msk(&[&["srtp", "protect", "--roc", "7"][..], &base, &rtp].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let srtp = run
        .lines()
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>();
    // ROC carried after the MKI: 7 then 8 after the wrap.
    assert!(srtp[0].ends_with("0eed18ca0e4de70100000007"), "{}", srtp[0]);
    assert!(srtp[1].ends_with("0eed18ca0e4de70100000008"), "{}", srtp[1]);
    // A receiver starting at ROC 0 decodes both thanks to RCC.
    let run = msk(&[
        &["srtp", "unprotect"][..],
        &base,
        &[srtp[0].as_str(), srtp[1].as_str()],
    ]
    .concat());
    assert_eq!((run.code, run.lines()), (0, rtp.to_vec()), "{}", run.stderr);
    // Wrong MKI.
    let wrong = [
        "--profile",
        "AEAD_AES_128_GCM",
        "--master-key",
        key,
        "--master-salt",
        salt,
        "--mki",
        "0eed18ca0e4de702",
        "--rccm3",
        "1",
    ];
    let run = msk(&[&["srtp", "unprotect"][..], &wrong, &[srtp[0].as_str()]].concat());
    assert_eq!((run.code, run.lines()), (1, vec!["invalid"]));

    let rtcp = "80c8000600000001aaaaaaaabbbbbbbbccccccccdddddddd";
    let cm = [
        "--profile",
        "AES_CM_128_HMAC_SHA1_32",
        "--master-key",
        key,
        "--master-salt",
        "0102030405060708090a0b0c0d0e",
    ];
    let run = msk(&[
        &["srtcp", "protect", "--index", "5"][..],
        &cm,
        &[rtcp, rtcp],
    ]
    .concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = run.lines();
    // E || index 5 and 6, then an 80-bit tag.
    assert_eq!(&lines[0][rtcp.len()..rtcp.len() + 8], "80000005");
    assert_eq!(lines[1].len(), rtcp.len() + 8 + 20);
    let run = msk(&[
        &["srtcp", "unprotect"][..],
        &cm,
        &[lines[1], lines[0], lines[1]],
    ]
    .concat());
    assert_eq!((run.code, run.lines()), (1, vec![rtcp, rtcp, "invalid"]));
}

#[test]
fn bad_input_names_the_argument() {
    let key = "00112233445566778899aabbccddeeff";
    let salt = "0102030405060708090a0b0c0d0e";
    let p = "8060000100000000cafebabe";
    assert_bad_input(
        &msk(&[
            "srtp",
            "derive",
            "--profile",
            "AES_CM_128",
            "--master-key",
            key,
            "--master-salt",
            salt,
        ]),
        "--profile",
        "unknown profile",
    );
    assert_bad_input(
        &msk(&[
            "srtp",
            "derive",
            "--profile",
            "AEAD_AES_256_GCM",
            "--master-key",
            key,
            "--master-salt",
            salt,
        ]),
        "--master-key",
        "expected 32 octets",
    );
    assert_bad_input(
        &msk(&[
            "srtp",
            "derive",
            "--profile",
            "AEAD_AES_128_GCM",
            "--master-key",
            key,
            "--master-salt",
            salt,
        ]),
        "--master-salt",
        "expected 12 octets",
    );
    assert_bad_input(
        &msk(&[
            "srtp",
            "derive",
            "--profile",
            "AES_CM_128_HMAC_SHA1_80",
            "--master-key",
            key,
            "--master-salt",
            salt,
            "--kdr",
            "3",
        ]),
        "--kdr",
        "power of two",
    );
    assert_bad_input(
        &msk(&[
            "srtp",
            "protect",
            "--profile",
            "AES_CM_128_HMAC_SHA1_80",
            "--master-key",
            "0g",
            "--master-salt",
            salt,
            p,
        ]),
        "--master-key",
        "invalid hex",
    );
    assert_bad_input(
        &msk(&[
            "srtp",
            "protect",
            "--profile",
            "AES_CM_128_HMAC_SHA1_80",
            "--master-key",
            key,
            "--master-salt",
            salt,
            "--mki",
            "",
            p,
        ]),
        "--mki",
        "1 to 128",
    );
    assert_bad_input(
        &msk(&[
            "srtp",
            "protect",
            "--profile",
            "AES_CM_128_HMAC_SHA1_80",
            "--master-key",
            key,
            "--master-salt",
            salt,
            "8060",
        ]),
        "PACKET_HEX",
        "packet 1",
    );
    assert_bad_input(
        &msk(&[
            "srtp",
            "protect",
            "--profile",
            "AES_CM_128_HMAC_SHA1_80",
            "--master-key",
            key,
            "--master-salt",
            salt,
            "--rccm3",
            "1",
            p,
        ]),
        "--rccm3",
        "AEAD",
    );
    assert_bad_input(
        &msk(&[
            "srtcp",
            "protect",
            "--profile",
            "AES_CM_128_HMAC_SHA1_80",
            "--master-key",
            key,
            "--master-salt",
            salt,
            "--index",
            "2147483648",
            p,
        ]),
        "--index",
        "2^31",
    );
    // Missing packets: a clap usage error, also exit status 2.
    assert_eq!(
        msk(&[
            "srtp",
            "protect",
            "--profile",
            "AES_CM_128_HMAC_SHA1_80",
            "--master-key",
            key,
            "--master-salt",
            salt
        ])
        .code,
        2
    );
}
