//! End-to-end tests of the `msk` binary against the RFC 6507 / RFC 6508 test
//! vectors and its exit-status contract (0 valid, 1 invalid, 2 bad input).

mod common;
use common::*;

use serde_json::Value;

fn field(v: &Value, key: &str) -> String {
    v[key].as_str().expect("string field").to_string()
}

/// Flips the lowest bit of the octet at `index` (negative: from the end).
fn flip(hex_str: &str, index: isize) -> String {
    let mut bytes = hex::decode(hex_str).expect("hex");
    let i = if index < 0 {
        bytes.len() - index.unsigned_abs()
    } else {
        index.unsigned_abs()
    };
    bytes[i] ^= 0x01;
    hex::encode(bytes)
}

// ---------------------------------------------------------------------------
// ECCSI
// ---------------------------------------------------------------------------

struct Eccsi {
    ksak: String,
    kpak: String,
    id: String,
    ssk: String,
    pvt: String,
    msg: String,
    sig: String,
}

fn eccsi_vector() -> Eccsi {
    let v = vector("rfc6507_eccsi.json");
    Eccsi {
        ksak: field(&v, "ksak"),
        kpak: field(&v, "kpak"),
        id: field(&v, "id"),
        ssk: field(&v, "ssk"),
        pvt: field(&v, "pvt"),
        msg: field(&v, "message"),
        sig: field(&v, "signature"),
    }
}

fn eccsi_verify(v: &Eccsi, sig: &str) -> Run {
    msk(&[
        "eccsi", "verify", "--kpak", &v.kpak, "--id", &v.id, "--msg", &v.msg, "--sig", sig,
    ])
}

fn eccsi_validate(kpak: &str, id: &str, ssk: &str, pvt: &str) -> Run {
    msk(&[
        "eccsi", "validate", "--kpak", kpak, "--id", id, "--ssk", ssk, "--pvt", pvt,
    ])
}

#[test]
fn eccsi_verify_rfc6507_vector() {
    let v = eccsi_vector();
    assert_valid(&eccsi_verify(&v, &v.sig));
}

#[test]
fn eccsi_verify_rejects_flipped_bits() {
    let v = eccsi_vector();
    // A bit of s, and a bit of r.
    assert_invalid(&eccsi_verify(&v, &flip(&v.sig, 40)));
    assert_invalid(&eccsi_verify(&v, &flip(&v.sig, 0)));
    // The message changed.
    let run = msk(&[
        "eccsi",
        "verify",
        "--kpak",
        &v.kpak,
        "--id",
        &v.id,
        "--msg",
        "6d657373616765",
        "--sig",
        &v.sig,
    ]);
    assert_invalid(&run);
}

#[test]
fn eccsi_verify_malformed_signature_is_invalid() {
    let v = eccsi_vector();
    // Too short, too long, empty.
    assert_invalid(&eccsi_verify(&v, &v.sig[..v.sig.len() - 2]));
    assert_invalid(&eccsi_verify(&v, &format!("{}00", v.sig)));
    assert_invalid(&eccsi_verify(&v, ""));
    // PVT inside the signature with a compressed prefix / off the curve.
    let mut bad_prefix = hex::decode(&v.sig).unwrap();
    bad_prefix[64] = 0x02;
    assert_invalid(&eccsi_verify(&v, &hex::encode(bad_prefix)));
    assert_invalid(&eccsi_verify(&v, &flip(&v.sig, -1)));
    // r = 0, s = q - 1 + 1 = q (out of range).
    let mut r_zero = hex::decode(&v.sig).unwrap();
    r_zero[..32].fill(0);
    assert_invalid(&eccsi_verify(&v, &hex::encode(r_zero)));
    let mut s_big = hex::decode(&v.sig).unwrap();
    s_big[32..64].fill(0xff);
    assert_invalid(&eccsi_verify(&v, &hex::encode(s_big)));
}

#[test]
fn eccsi_verify_bad_input_exits_2() {
    let v = eccsi_vector();
    let short_kpak = &v.kpak[..128];
    let run = msk(&[
        "eccsi", "verify", "--kpak", short_kpak, "--id", &v.id, "--msg", &v.msg, "--sig", &v.sig,
    ]);
    assert_bad_input(
        &run,
        "--kpak",
        "expected 65 octets (0x04 || x || y), got 64",
    );

    let run = msk(&[
        "eccsi", "verify", "--kpak", &v.kpak, "--id", "32x0", "--msg", &v.msg, "--sig", &v.sig,
    ]);
    assert_bad_input(&run, "--id", "invalid hex");

    let run = msk(&[
        "eccsi", "verify", "--kpak", &v.kpak, "--id", &v.id, "--msg", "abc", "--sig", &v.sig,
    ]);
    assert_bad_input(&run, "--msg", "invalid hex");

    let run = msk(&[
        "eccsi", "verify", "--kpak", &v.kpak, "--id", &v.id, "--msg", &v.msg, "--sig", "zz",
    ]);
    assert_bad_input(&run, "--sig", "invalid hex");

    // KPAK not on the curve.
    let run = msk(&[
        "eccsi",
        "verify",
        "--kpak",
        &flip(&v.kpak, -1),
        "--id",
        &v.id,
        "--msg",
        &v.msg,
        "--sig",
        &v.sig,
    ]);
    assert_bad_input(&run, "--kpak", "not on the P-256 curve");
}

#[test]
fn eccsi_validate_vector_and_wrong_id() {
    let v = eccsi_vector();
    assert_valid(&eccsi_validate(&v.kpak, &v.id, &v.ssk, &v.pvt));
    let wrong_id = hex::encode(b"2011-02\0tel:+447700900124\0");
    assert_invalid(&eccsi_validate(&v.kpak, &wrong_id, &v.ssk, &v.pvt));
    // A different SSK for the right identifier.
    assert_invalid(&eccsi_validate(&v.kpak, &v.id, &flip(&v.ssk, -1), &v.pvt));
}

#[test]
fn eccsi_validate_malformed_encodings_exit_2() {
    let v = eccsi_vector();
    assert_bad_input(
        &eccsi_validate(&v.kpak, &v.id, &v.ssk[2..], &v.pvt),
        "--ssk",
        "expected 32 octets, got 31",
    );
    assert_bad_input(
        &eccsi_validate(&v.kpak, &v.id, &"00".repeat(32), &v.pvt),
        "--ssk",
        "[1, q-1]",
    );
    assert_bad_input(
        &eccsi_validate(&v.kpak, &v.id, &v.ssk, &format!("02{}", &v.pvt[2..])),
        "--pvt",
        "0x02",
    );
    assert_bad_input(
        &eccsi_validate(&v.kpak, &v.id, &v.ssk, "0g"),
        "--pvt",
        "invalid hex",
    );
}

#[test]
fn eccsi_issue_with_vector_ksak_validates() {
    let v = eccsi_vector();
    let out = json_out(&msk(&[
        "eccsi", "issue", "--ksak", &v.ksak, "--kpak", &v.kpak, "--id", &v.id,
    ]));
    let (ssk, pvt) = (field(&out, "ssk"), field(&out, "pvt"));
    assert_eq!(ssk.len(), 64);
    assert_eq!(pvt.len(), 130);
    assert_valid(&eccsi_validate(&v.kpak, &v.id, &ssk, &pvt));
}

#[test]
fn eccsi_issue_rejects_mismatched_kpak() {
    let v = eccsi_vector();
    let other = json_out(&msk(&["eccsi", "kms-keygen"]));
    let run = msk(&[
        "eccsi",
        "issue",
        "--ksak",
        &v.ksak,
        "--kpak",
        &field(&other, "kpak"),
        "--id",
        &v.id,
    ]);
    assert_bad_input(&run, "--kpak", "[KSAK]G");
    let run = msk(&[
        "eccsi", "issue", "--ksak", "00", "--kpak", &v.kpak, "--id", &v.id,
    ]);
    assert_bad_input(&run, "--ksak", "expected 32 octets, got 1");
}

#[test]
fn eccsi_sign_verify_round_trip() {
    let v = eccsi_vector();
    let msg = hex::encode(b"an I_MESSAGE to be signed");
    let run = msk(&[
        "eccsi", "sign", "--kpak", &v.kpak, "--id", &v.id, "--ssk", &v.ssk, "--pvt", &v.pvt,
        "--msg", &msg,
    ]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let sig = run.out().to_string();
    assert_eq!(sig.len(), 2 * 129);
    assert!(sig.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
    assert_valid(&msk(&[
        "eccsi", "verify", "--kpak", &v.kpak, "--id", &v.id, "--msg", &msg, "--sig", &sig,
    ]));
    assert_invalid(&msk(&[
        "eccsi", "verify", "--kpak", &v.kpak, "--id", &v.id, "--msg", &v.msg, "--sig", &sig,
    ]));
}

#[test]
fn eccsi_sign_with_invalid_key_pair_is_invalid() {
    let v = eccsi_vector();
    let wrong_id = hex::encode(b"someone else");
    let run = msk(&[
        "eccsi", "sign", "--kpak", &v.kpak, "--id", &wrong_id, "--ssk", &v.ssk, "--pvt", &v.pvt,
        "--msg", &v.msg,
    ]);
    assert_invalid(&run);
}

#[test]
fn eccsi_keygen_issue_sign_verify() {
    let kms = json_out(&msk(&["eccsi", "kms-keygen"]));
    let (ksak, kpak) = (field(&kms, "ksak"), field(&kms, "kpak"));
    assert_eq!((ksak.len(), kpak.len()), (64, 130));
    let id = hex::encode(b"2026-01\0tel:+447700900999\0");
    let key = json_out(&msk(&[
        "eccsi", "issue", "--ksak", &ksak, "--kpak", &kpak, "--id", &id,
    ]));
    let (ssk, pvt) = (field(&key, "ssk"), field(&key, "pvt"));
    let run = msk(&[
        "eccsi", "sign", "--kpak", &kpak, "--id", &id, "--ssk", &ssk, "--pvt", &pvt, "--msg", "",
    ]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let sig = run.out().to_string();
    assert_valid(&msk(&[
        "eccsi", "verify", "--kpak", &kpak, "--id", &id, "--msg", "", "--sig", &sig,
    ]));
}

// ---------------------------------------------------------------------------
// SAKKE
// ---------------------------------------------------------------------------

struct Sakke {
    z: String,
    kms_public: String,
    id: String,
    rsk: String,
    ssv: String,
    sed: String,
}

fn sakke_vector() -> Sakke {
    let v = vector("rfc6508_sakke.json");
    Sakke {
        z: field(&v, "z"),
        kms_public: field(&v, "Z"),
        id: field(&v, "id"),
        rsk: field(&v, "rsk"),
        ssv: field(&v, "ssv"),
        sed: field(&v, "encapsulated_data"),
    }
}

fn sakke_decap(v: &Sakke, rsk: &str, sed: &str) -> Run {
    msk(&[
        "sakke",
        "decap",
        "--kms-public",
        &v.kms_public,
        "--id",
        &v.id,
        "--rsk",
        rsk,
        "--sed",
        sed,
    ])
}

#[test]
fn sakke_issue_gives_vector_rsk() {
    let v = sakke_vector();
    let out = json_out(&msk(&["sakke", "issue", "--z", &v.z, "--id", &v.id]));
    assert_eq!(field(&out, "rsk"), v.rsk);
    let run = msk(&["sakke", "issue", "--z", "01", "--id", &v.id]);
    assert_bad_input(&run, "--z", "[2, q-1]");
    let run = msk(&["sakke", "issue", "--z", "", "--id", &v.id]);
    assert_bad_input(&run, "--z", "got 0");
}

#[test]
fn sakke_validate_vector() {
    let v = sakke_vector();
    let validate = |id: &str, rsk: &str| {
        msk(&[
            "sakke",
            "validate",
            "--kms-public",
            &v.kms_public,
            "--id",
            id,
            "--rsk",
            rsk,
        ])
    };
    assert_valid(&validate(&v.id, &v.rsk));
    assert_invalid(&validate(
        &hex::encode(b"2011-02\0tel:+447700900124\0"),
        &v.rsk,
    ));
    let run = validate(&v.id, &v.rsk[..v.rsk.len() - 2]);
    assert_bad_input(
        &run,
        "--rsk",
        "expected 257 octets (0x04 || x || y), got 256",
    );
    let run = msk(&[
        "sakke",
        "validate",
        "--kms-public",
        &flip(&v.kms_public, -1),
        "--id",
        &v.id,
        "--rsk",
        &v.rsk,
    ]);
    assert_bad_input(&run, "--kms-public", "curve");
}

#[test]
fn sakke_encap_with_ssv_gives_vector_sed() {
    let v = sakke_vector();
    let out = json_out(&msk(&[
        "sakke",
        "encap",
        "--kms-public",
        &v.kms_public,
        "--id",
        &v.id,
        "--ssv",
        &v.ssv,
    ]));
    assert_eq!(field(&out, "ssv"), v.ssv);
    assert_eq!(field(&out, "sed"), v.sed);
    let run = msk(&[
        "sakke",
        "encap",
        "--kms-public",
        &v.kms_public,
        "--id",
        &v.id,
        "--ssv",
        "1234",
    ]);
    assert_bad_input(&run, "--ssv", "expected 16 octets, got 2");
}

#[test]
fn sakke_decap_gives_vector_ssv() {
    let v = sakke_vector();
    let run = sakke_decap(&v, &v.rsk, &v.sed);
    assert_eq!(
        (run.code, run.out()),
        (0, v.ssv.as_str()),
        "stderr: {}",
        run.stderr
    );
}

#[test]
fn sakke_decap_failures_are_invalid() {
    let v = sakke_vector();
    // A flipped bit of H.
    assert_invalid(&sakke_decap(&v, &v.rsk, &flip(&v.sed, -1)));
    // R not on the curve, a truncated SED, an empty SED.
    assert_invalid(&sakke_decap(&v, &v.rsk, &flip(&v.sed, 256)));
    assert_invalid(&sakke_decap(&v, &v.rsk, &v.sed[..200]));
    assert_invalid(&sakke_decap(&v, &v.rsk, ""));
    // An RSK that does not validate for this identifier: the RSK of another one.
    let other = json_out(&msk(&["sakke", "issue", "--z", &v.z, "--id", "00"]));
    assert_invalid(&sakke_decap(&v, &field(&other, "rsk"), &v.sed));
    // Non-hex input is still bad input.
    assert_bad_input(&sakke_decap(&v, &v.rsk, "xyz"), "--sed", "invalid hex");
    assert_bad_input(&sakke_decap(&v, "0", &v.sed), "--rsk", "invalid hex");
}

#[test]
fn sakke_round_trip_through_the_cli() {
    let kms = json_out(&msk(&["sakke", "kms-keygen"]));
    let (z, public) = (field(&kms, "z"), field(&kms, "kms_public"));
    assert_eq!(public.len(), 2 * 257);
    assert!(!z.is_empty() && z.len() <= 2 * 128);
    let id = hex::encode(b"2026-01\0tel:+447700900456\0");
    let rsk = field(
        &json_out(&msk(&["sakke", "issue", "--z", &z, "--id", &id])),
        "rsk",
    );
    assert_valid(&msk(&[
        "sakke",
        "validate",
        "--kms-public",
        &public,
        "--id",
        &id,
        "--rsk",
        &rsk,
    ]));
    let enc = json_out(&msk(&[
        "sakke",
        "encap",
        "--kms-public",
        &public,
        "--id",
        &id,
    ]));
    let (ssv, sed) = (field(&enc, "ssv"), field(&enc, "sed"));
    assert_eq!((ssv.len(), sed.len()), (32, 2 * 273));
    let run = msk(&[
        "sakke",
        "decap",
        "--kms-public",
        &public,
        "--id",
        &id,
        "--rsk",
        &rsk,
        "--sed",
        &sed,
    ]);
    assert_eq!(
        (run.code, run.out()),
        (0, ssv.as_str()),
        "stderr: {}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------
// Usage, speed, demo
// ---------------------------------------------------------------------------

#[test]
fn usage_errors_exit_2() {
    assert_eq!(msk(&[]).code, 2);
    assert_eq!(msk(&["eccsi", "frobnicate"]).code, 2);
    assert_eq!(msk(&["eccsi", "verify", "--kpak", "04"]).code, 2);
    assert_eq!(msk(&["speed", "--seconds", "fast"]).code, 2);
    assert_bad_input(&msk(&["speed", "--seconds", "0"]), "--seconds", "seconds");
    assert_eq!(msk(&["--help"]).code, 0);
}

#[test]
fn speed_json_has_every_operation() {
    let run = msk(&["speed", "--json", "--seconds", "0.02"]);
    let out = json_out(&run);
    assert_eq!(run.out().lines().count(), 1, "exactly one JSON object");
    assert_eq!(out["unit"], "us");
    let median = out["median"].as_object().expect("median object");
    for op in [
        "eccsi-sign",
        "eccsi-verify",
        "eccsi-verify-cached",
        "eccsi-validate",
        "eccsi-issue",
        "sakke-issue",
        "sakke-validate",
        "sakke-encap",
        "sakke-decap",
        "sakke-decap-table",
        "sakke-kms-context",
        "sakke-precompute",
    ] {
        let us = median[op].as_f64().unwrap_or(f64::NAN);
        assert!(us > 0.0, "{op}: {us}");
    }
    assert_eq!(median.len(), 12);
}
