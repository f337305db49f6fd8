//! End-to-end tests of `msk mikey inspect`, `initiate` and `receive` against
//! the TS 33.180 sample I_MESSAGE and through initiate → receive round trips.

mod common;
use common::*;

use std::path::PathBuf;

use mikey_sakke::kdf::{gmk_id_from_guk_id, guk_id, KeyId};
use mikey_sakke::mikey::encode_text;
use serde_json::Value;

fn s(v: &Value) -> String {
    v.as_str().expect("string").to_string()
}

/// The sample I_MESSAGE case.
fn sample() -> Value {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "core",
        "tests",
        "data",
        "sample_imessage_gmk.json",
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(&path).expect("read sample");
    let v: Value = serde_json::from_str(&text).expect("parse sample");
    v["case"].clone()
}

/// The T payload time of the sample (2026-11-26T17:01:22Z) plus a minute.
const SAMPLE_AT: &str = "2026-11-26T17:02:22Z";

fn sample_hex(c: &Value) -> String {
    s(&c["parsed"]["i_message_hex"])
}

// ---------------------------------------------------------------------------
// inspect
// ---------------------------------------------------------------------------

#[track_caller]
fn check_sample_inspection(v: &Value, c: &Value) {
    let p = &c["parsed"];
    let h = &v["header"];
    assert_eq!(v["length"], 695);
    assert_eq!(v["signed_len"], 566);
    assert_eq!(v["i_message_check"]["ok"], true);
    assert_eq!(h["version"], 1);
    assert_eq!(h["data_type"], 26);
    assert_eq!(h["data_type_name"], "SAKKE init");
    assert_eq!(h["prf_func"], 1);
    assert_eq!(h["prf_func_name"], "PRF-HMAC-SHA-256");
    assert_eq!(h["v"], false);
    assert_eq!(h["csb_id"], "0e4de701");
    assert_eq!(h["n_cs"], 1);
    assert_eq!(h["cs_id_map_type"], 2);
    assert_eq!(h["cs_id_map_type_name"], "GENERIC-ID");
    assert_eq!(h["cs_id_map"][0]["cs_id"], 4);
    assert_eq!(h["cs_id_map"][0]["prot_type"], 0);
    assert_eq!(h["cs_id_map"][0]["policies"][0], 0);
    assert_eq!(h["cs_id_map"][0]["session_data"], "");
    assert_eq!(h["cs_id_map"][0]["spi"], "0eed18ca0e4de701");

    let pl = v["payloads"].as_array().expect("payloads");
    let order: Vec<&str> = pl.iter().map(|x| x["payload"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        p["payload_order"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect::<Vec<_>>()
    );
    let t = &pl[0];
    assert_eq!(t["payload_type"], 5);
    assert_eq!(t["ts_type"], 0);
    assert_eq!(t["ts_type_name"], "NTP-UTC");
    assert_eq!(t["value"], p["timestamp"][0]["value"]);
    assert_eq!(t["time"], "2026-11-26T17:01:22Z");
    assert_eq!(pl[1]["value"], p["rand"]);
    let roles = ["IDRuidi", "IDRuidr", "IDRkmsi", "IDRkmsr"];
    for (i, name) in roles.iter().enumerate() {
        let idr = &pl[2 + i];
        let want = &p["idr"][i];
        assert_eq!(idr["role"], want["id_role"]);
        assert_eq!(idr["role_name"], *name);
        assert_eq!(idr["id_type"], want["id_type"]);
        assert_eq!(idr["id_type_name"], "URI");
        assert_eq!(idr["data"], want["id_data"]);
    }
    assert_eq!(pl[2]["text"], Value::Null);
    assert_eq!(pl[4]["text"], "kms.mcptt.example.org");
    assert_eq!(pl[5]["text"], "kms.mcptt.example.org");
    let sp = &pl[6];
    assert_eq!(sp["policy_no"], 0);
    assert_eq!(sp["prot_type"], 0);
    assert_eq!(sp["prot_type_name"], "SRTP");
    let want_params = p["sp"][0]["params"].as_array().unwrap();
    let params = sp["params"].as_array().unwrap();
    assert_eq!(params.len(), want_params.len());
    for (got, want) in params.iter().zip(want_params) {
        assert_eq!(got["type"], want["type"]);
        assert_eq!(got["value"], want["value"]);
        assert!(got["name"].is_string(), "{got}");
    }
    assert_eq!(params[0]["name"], "encryption algorithm");
    let sakke = &pl[7];
    assert_eq!(sakke["params"], 1);
    assert_eq!(sakke["id_scheme"], 2);
    assert_eq!(sakke["id_scheme_name"], "hashed UID");
    assert_eq!(sakke["data"], p["sakke_payload"]["sakke_data"]);
    let ext = &pl[8];
    assert_eq!(ext["ext_type"], 7);
    assert_eq!(ext["data"], p["general_ext"][0]["data"]);
    let pp = &ext["protected_payload"];
    assert_eq!(pp["message_type"], 0x43);
    assert_eq!(pp["encrypted"], true);
    assert_eq!(pp["algorithm"], 1);
    assert_eq!(pp["algorithm_name"], "AES-128-GCM");
    assert_eq!(pp["iv"], "36bc36ef178155e19753f7b4ea458fad");
    assert_eq!(pp["dppk_id"], "0e4de701");
    assert_eq!(pp["iei"], 0);
    let sign = &pl[9];
    assert_eq!(sign["sig_type"], 2);
    assert_eq!(sign["sig_type_name"], "ECCSI");
    assert_eq!(sign["signature"], p["sign_payload"]["signature"]);
    assert_eq!(sign["pvt"], c["initiator"]["pvt"]);
}

#[test]
fn inspect_sample_in_every_form() {
    let c = sample();
    let text = s(&c["i_message_b64"]);
    let bare = text.strip_prefix("mikey ").unwrap().to_string();
    let sdp = format!("a=key-mgmt:{text}\r\n");
    let hex_form = sample_hex(&c);
    let first = json_out(&msk(&["mikey", "inspect", &text]));
    check_sample_inspection(&first, &c);
    for form in [bare, sdp, hex_form.clone(), hex_form.to_uppercase()] {
        let v = json_out(&msk(&["mikey", "inspect", &form]));
        assert_eq!(v, first, "{form}");
    }
}

#[test]
fn inspect_malformed_exits_2() {
    let c = sample();
    let hex_form = sample_hex(&c);
    // Truncated signature.
    let run = msk(&["mikey", "inspect", &hex_form[..hex_form.len() - 2]]);
    assert_bad_input(&run, "MESSAGE", "check E2");
    // A trailing octet.
    let run = msk(&["mikey", "inspect", &format!("{hex_form}00")]);
    assert_bad_input(&run, "MESSAGE", "check E3");
    // Version 2.
    let run = msk(&["mikey", "inspect", &format!("02{}", &hex_form[2..])]);
    assert_bad_input(&run, "MESSAGE", "check H1");
    // Malformed base64, and a text form without payload.
    assert_bad_input(
        &msk(&["mikey", "inspect", "mikey AR!F"]),
        "MESSAGE",
        "check E1",
    );
    assert_bad_input(&msk(&["mikey", "inspect", "mikey"]), "MESSAGE", "check E1");
    assert_bad_input(
        &msk(&["mikey", "inspect", "a=key-mgmt:foo AAAA"]),
        "MESSAGE",
        "E1",
    );
    assert_bad_input(&msk(&["mikey", "inspect", ""]), "MESSAGE", "empty");
    assert_bad_input(&msk(&["mikey", "inspect", "0"]), "MESSAGE", "E1");
}

#[test]
fn inspect_reports_structure_check() {
    // The sample without its SIGN payload: it parses (next payload 0) but is
    // not an I_MESSAGE.
    let c = sample();
    let hex_form = sample_hex(&c);
    let mut b = hex::decode(&hex_form).unwrap();
    b.truncate(566 - 2);
    // The GENERAL_EXT payload's next-payload octet: SIGN (4) → last (0).
    let ext_at = b.len() - (1 + 1 + 2 + 71); // next, type, len, data(71)
    assert_eq!(b[ext_at], 4);
    b[ext_at] = 0;
    let v = json_out(&msk(&["mikey", "inspect", &hex::encode(&b)]));
    assert_eq!(v["signed_len"], Value::Null);
    assert_eq!(v["i_message_check"]["ok"], false);
    assert_eq!(v["i_message_check"]["check_id"], "E3");
}

// ---------------------------------------------------------------------------
// receive: the sample
// ---------------------------------------------------------------------------

fn receive_sample(c: &Value, message: &str, extra: &[&str]) -> Run {
    let kpak = s(&c["kms"]["kpak"]);
    let z = s(&c["kms"]["Z"]);
    let id = s(&c["responder"]["uid"]);
    let rsk = s(&c["responder"]["rsk"]);
    let mut args = vec![
        "mikey",
        "receive",
        "--message",
        message,
        "--sender-kpak",
        &kpak,
        "--receiver-id",
        &id,
        "--receiver-kms-public",
        &z,
        "--receiver-rsk",
        &rsk,
    ];
    args.extend_from_slice(extra);
    msk(&args)
}

#[track_caller]
fn check_sample_received(v: &Value) {
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "key_type",
            "ssv",
            "key_id",
            "csb_id",
            "rand",
            "sender_id",
            "sessions"
        ]
    );
    assert_eq!(v["key_type"], "gmk");
    assert_eq!(v["ssv"], "bf5885136cabcb4aff6cdb8e9df47ce2");
    assert_eq!(v["key_id"], "0eed18ca");
    assert_eq!(v["csb_id"], "0e4de701");
    assert_eq!(v["rand"], "dc4af69d54ada5ea8229dc299515e2d5");
    assert_eq!(
        v["sender_id"],
        "2036884e4022b4c7d116b6053343f76dcb908e973fe77f446180a1940d8962ab"
    );
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["cs_id"], 4);
    assert_eq!(sessions[0]["tek"], "183914b1b16eb55080a661b159dd7c6d");
    assert_eq!(sessions[0]["salt"], "0ecaf9a7d350d04c3267afe0");
    assert_eq!(sessions[0]["mki"], "0eed18ca0e4de701");
}

#[test]
fn receive_sample_gives_the_expected_values() {
    let c = sample();
    let text = s(&c["i_message_b64"]);
    let v = json_out(&receive_sample(&c, &text, &["--at", SAMPLE_AT]));
    check_sample_received(&v);
    // Also from the SDP line, and with the receiver URI (GMK-ID from the
    // GUK-ID, TS 33.180 F.1.3).
    let sdp = format!("a=key-mgmt:{text}");
    let uri = s(&c["responder"]["uri"]);
    let v = json_out(&receive_sample(
        &c,
        &sdp,
        &["--at", "2026-11-26T18:01:22+01:00", "--receiver-uri", &uri],
    ));
    check_sample_received(&v);
    // The session keys agree with `msk mikey derive`.
    let d = json_out(&msk(&[
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
    ]));
    assert_eq!(d["tek"], v["sessions"][0]["tek"]);
    assert_eq!(d["salt"], v["sessions"][0]["salt"]);
}

#[test]
fn receive_sample_with_flipped_signature_is_invalid() {
    let c = sample();
    let hex_form = sample_hex(&c);
    let mut b = hex::decode(&hex_form).unwrap();
    let n = b.len();
    for i in [n - 129, n - 70, n - 1] {
        b[i] ^= 0x01;
        assert_invalid(&receive_sample(&c, &hex::encode(&b), &["--at", SAMPLE_AT]));
        b[i] ^= 0x01;
    }
    // A flipped octet in the signed part (the RAND).
    let rand_at = hex_form.find("dc4af69d").unwrap() / 2;
    b[rand_at] ^= 0x80;
    assert_invalid(&receive_sample(&c, &hex::encode(&b), &["--at", SAMPLE_AT]));
}

#[test]
fn receive_sample_outside_the_window_is_invalid() {
    let c = sample();
    let text = s(&c["i_message_b64"]);
    for at in [
        "2026-11-26T17:06:23Z",
        "2026-11-26T16:56:21Z",
        "2030-01-01T00:00:00Z",
    ] {
        let run = receive_sample(&c, &text, &["--at", at]);
        assert_invalid(&run);
        assert!(run.stderr.contains("R1"), "{}", run.stderr);
    }
    // The edge of the default 300 s window, and a wider window.
    json_out(&receive_sample(
        &c,
        &text,
        &["--at", "2026-11-26T17:06:22Z"],
    ));
    let v = json_out(&receive_sample(
        &c,
        &text,
        &["--at", "2026-11-26T18:01:22Z", "--window", "3600"],
    ));
    check_sample_received(&v);
    assert_invalid(&receive_sample(
        &c,
        &text,
        &["--at", "2026-11-26T17:01:32Z", "--window", "0"],
    ));
}

#[test]
fn receive_sample_with_wrong_receiver_keys() {
    let c = sample();
    let text = s(&c["i_message_b64"]);
    let kpak = s(&c["kms"]["kpak"]);
    let z = s(&c["kms"]["Z"]);
    let base = |id: &str, rsk: &str| {
        msk(&[
            "mikey",
            "receive",
            "--message",
            &text,
            "--sender-kpak",
            &kpak,
            "--receiver-id",
            id,
            "--receiver-kms-public",
            &z,
            "--receiver-rsk",
            rsk,
            "--at",
            SAMPLE_AT,
        ])
    };
    // The initiator's RSK with the responder's id: does not validate → 2.
    let run = base(&s(&c["responder"]["uid"]), &s(&c["initiator"]["rsk"]));
    assert_bad_input(&run, "--receiver-rsk", "does not validate");
    // A consistent key set of someone else (the initiator's): not addressed
    // to it → 1.
    let run = base(&s(&c["initiator"]["uid"]), &s(&c["initiator"]["rsk"]));
    assert_invalid(&run);
    assert!(run.stderr.contains("K2"), "{}", run.stderr);
    // The wrong KPAK (the responder's PVT is a valid P-256 point): signature
    // fails → 1.
    let run = msk(&[
        "mikey",
        "receive",
        "--message",
        &text,
        "--sender-kpak",
        &s(&c["responder"]["pvt"]),
        "--receiver-id",
        &s(&c["responder"]["uid"]),
        "--receiver-kms-public",
        &z,
        "--receiver-rsk",
        &s(&c["responder"]["rsk"]),
        "--at",
        SAMPLE_AT,
    ]);
    assert_invalid(&run);
    assert!(run.stderr.contains("C1"), "{}", run.stderr);
}

#[test]
fn receive_bad_input_exits_2() {
    let c = sample();
    let text = s(&c["i_message_b64"]);
    let kpak = s(&c["kms"]["kpak"]);
    assert_bad_input(
        &receive_sample(&c, &text, &["--at", "yesterday"]),
        "--at",
        "RFC 3339",
    );
    assert_bad_input(
        &receive_sample(&c, &text, &["--at", SAMPLE_AT, "--window", "-5"]),
        "--window",
        "non-negative",
    );
    assert_bad_input(
        &receive_sample(&c, "mikey ARo%", &["--at", SAMPLE_AT]),
        "--message",
        "E1",
    );
    // A decodable but truncated message with a malformed argument: the
    // argument is reported (exit 2), not the message.
    let hex_form = sample_hex(&c);
    assert_bad_input(
        &receive_sample(&c, &hex_form[..600], &["--at", "yesterday"]),
        "--at",
        "RFC 3339",
    );
    let run = msk(&[
        "mikey",
        "receive",
        "--message",
        &text,
        "--sender-kpak",
        "04zz",
        "--receiver-id",
        "00",
        "--receiver-kms-public",
        "00",
        "--receiver-rsk",
        "00",
    ]);
    assert_bad_input(&run, "--sender-kpak", "invalid hex");
    let run = msk(&[
        "mikey",
        "receive",
        "--message",
        &text,
        "--sender-kpak",
        &kpak,
        "--receiver-id",
        "0",
        "--receiver-kms-public",
        "00",
        "--receiver-rsk",
        "00",
    ]);
    assert_bad_input(&run, "--receiver-id", "invalid hex");
    let run = msk(&[
        "mikey",
        "receive",
        "--message",
        &text,
        "--sender-kpak",
        &kpak,
        "--receiver-id",
        &s(&c["responder"]["uid"]),
        "--receiver-kms-public",
        &s(&c["kms"]["Z"]),
        "--receiver-rsk",
        "04abc",
    ]);
    assert_bad_input(&run, "--receiver-rsk", "invalid hex");
    let run = msk(&[
        "mikey",
        "receive",
        "--message",
        &text,
        "--sender-kpak",
        &kpak,
        "--receiver-id",
        &s(&c["responder"]["uid"]),
        "--receiver-kms-public",
        "04",
        "--receiver-rsk",
        "04",
    ]);
    assert_bad_input(&run, "--receiver-kms-public", "257 octets");
}

/// A message that decodes to octets but is rejected by the core for its
/// structure: exit 1 `invalid`, the check id on stderr.
#[test]
fn receive_garbled_message_is_invalid() {
    let c = sample();
    let hex_form = sample_hex(&c);
    let at = ["--at", SAMPLE_AT];
    // Truncated.
    let run = receive_sample(&c, &hex_form[..600], &at);
    assert_invalid(&run);
    assert!(run.stderr.contains("E2"), "{}", run.stderr);
    // Data type 27 instead of 26: not an I_MESSAGE.
    let run = receive_sample(&c, &format!("011b{}", &hex_form[4..]), &at);
    assert_invalid(&run);
    assert!(run.stderr.contains("H2"), "{}", run.stderr);
    // One octet, and trailing garbage.
    assert_invalid(&receive_sample(&c, "01", &at));
    assert_invalid(&receive_sample(&c, &format!("{hex_form}00"), &at));
    // The base64 form of a truncated message.
    let bytes = hex::decode(&hex_form[..200]).expect("hex");
    assert_invalid(&receive_sample(&c, &encode_text(&bytes), &at));
}

// ---------------------------------------------------------------------------
// initiate → receive
// ---------------------------------------------------------------------------

struct Kms {
    uri: String,
    ksak: String,
    kpak: String,
    z: String,
    public: String,
}

struct User {
    uri: String,
    uid: String,
    ssk: String,
    pvt: String,
    rsk: String,
}

fn kms(uri: &str) -> Kms {
    let e = json_out(&msk(&["eccsi", "kms-keygen"]));
    let k = json_out(&msk(&["sakke", "kms-keygen"]));
    Kms {
        uri: uri.to_string(),
        ksak: s(&e["ksak"]),
        kpak: s(&e["kpak"]),
        z: s(&k["z"]),
        public: s(&k["kms_public"]),
    }
}

fn user(uri: &str, kms: &Kms) -> User {
    let uid = msk(&[
        "uid",
        "--uri",
        uri,
        "--kms-uri",
        &kms.uri,
        "--key-period",
        "2592000",
        "--key-period-offset",
        "0",
        "--period-no",
        "1500",
    ]);
    assert_eq!(uid.code, 0, "{}", uid.stderr);
    let uid = uid.out().to_string();
    let e = json_out(&msk(&[
        "eccsi", "issue", "--ksak", &kms.ksak, "--kpak", &kms.kpak, "--id", &uid,
    ]));
    let r = json_out(&msk(&["sakke", "issue", "--z", &kms.z, "--id", &uid]));
    User {
        uri: uri.to_string(),
        uid,
        ssk: s(&e["ssk"]),
        pvt: s(&e["pvt"]),
        rsk: s(&r["rsk"]),
    }
}

const AT: &str = "2030-05-01T10:00:00Z";

#[allow(clippy::too_many_arguments)]
fn initiate(
    key_type: &str,
    key: &str,
    key_id: &str,
    extra: &[&str],
    sender: &User,
    skms: &Kms,
    receiver: &User,
    rkms: &Kms,
) -> Run {
    let mut args = vec![
        "mikey",
        "initiate",
        "--key-type",
        key_type,
        "--key",
        key,
        "--key-id",
        key_id,
        "--sender-uri",
        &sender.uri,
        "--sender-kms-uri",
        &skms.uri,
        "--sender-id",
        &sender.uid,
        "--sender-kpak",
        &skms.kpak,
        "--sender-ssk",
        &sender.ssk,
        "--sender-pvt",
        &sender.pvt,
        "--receiver-uri",
        &receiver.uri,
        "--receiver-kms-uri",
        &rkms.uri,
        "--receiver-id",
        &receiver.uid,
        "--receiver-kms-public",
        &rkms.public,
    ];
    args.extend_from_slice(extra);
    msk(&args)
}

fn receive(message: &str, skms: &Kms, receiver: &User, rkms: &Kms, extra: &[&str]) -> Run {
    let mut args = vec![
        "mikey",
        "receive",
        "--message",
        message,
        "--sender-kpak",
        &skms.kpak,
        "--receiver-id",
        &receiver.uid,
        "--receiver-kms-public",
        &rkms.public,
        "--receiver-rsk",
        &receiver.rsk,
    ];
    args.extend_from_slice(extra);
    msk(&args)
}

struct Case<'a> {
    key_type: &'a str,
    key: &'a str,
    key_id: &'a str,
    csb_id: Option<&'a str>,
    rand: Option<&'a str>,
}

/// initiate, inspect, receive and cross-check one case.
fn round_trip(case: &Case<'_>, sender: &User, skms: &Kms, receiver: &User, rkms: &Kms) {
    let mut extra = vec!["--at", AT];
    if let Some(c) = case.csb_id {
        extra.extend_from_slice(&["--csb-id", c]);
    }
    if let Some(r) = case.rand {
        extra.extend_from_slice(&["--rand", r]);
    }
    let run = initiate(
        case.key_type,
        case.key,
        case.key_id,
        &extra,
        sender,
        skms,
        receiver,
        rkms,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.out().to_string();
    assert!(text.starts_with("mikey "), "{text}");

    let info = json_out(&msk(&["mikey", "inspect", &text]));
    assert_eq!(info["i_message_check"]["ok"], true, "{info}");
    let payloads = info["payloads"].as_array().unwrap();
    assert_eq!(payloads[0]["time"], AT);
    let rand = s(&payloads[1]["value"]);
    if let Some(r) = case.rand {
        assert_eq!(rand, r);
    } else {
        assert_eq!(rand.len(), 32);
    }
    let idr = |role: u64| {
        payloads
            .iter()
            .find(|p| p["payload"] == "IDR" && p["role"] == role)
            .map(|p| s(&p["data"]))
    };
    assert_eq!(idr(8), Some(sender.uid.clone()));
    assert_eq!(idr(9), Some(receiver.uid.clone()));
    assert_eq!(idr(6), Some(hex::encode(&skms.uri)));
    assert_eq!(idr(7), Some(hex::encode(&rkms.uri)));

    let key_id = KeyId::from_bytes(hex::decode(case.key_id).unwrap().try_into().unwrap());
    let key = hex::decode(case.key).unwrap();
    let want_csb = match (case.csb_id, case.key_type) {
        (Some(c), _) => c.to_string(),
        (None, "gmk") => hex::encode(guk_id(&key, key_id, &receiver.uri).unwrap().to_bytes()),
        (None, _) => case.key_id.to_string(),
    };
    assert_eq!(info["header"]["csb_id"], want_csb.as_str());

    // Receive, with and without the receiver URI (it only matters for a GMK).
    for extra in [
        vec!["--at", AT],
        vec!["--at", AT, "--receiver-uri", &receiver.uri],
    ] {
        // A GMK whose CSB ID is not its GUK-ID: a receiver that knows its URI
        // recovers another GMK-ID (TS 33.180 F.1.3), which disagrees with the
        // signed MKI (GMK-ID || GUK-ID): rejected (H7). Without the URI the
        // GMK-ID of the MKI is reported.
        if case.key_type == "gmk" && extra.len() > 2 {
            let csb = KeyId::from_bytes(hex::decode(&want_csb).unwrap().try_into().unwrap());
            if gmk_id_from_guk_id(&key, csb, &receiver.uri).unwrap() != key_id {
                let run = receive(&text, skms, receiver, rkms, &extra);
                assert_invalid(&run);
                assert!(run.stderr.contains("H7"), "{}", run.stderr);
                continue;
            }
        }
        let v = json_out(&receive(&text, skms, receiver, rkms, &extra));
        assert_eq!(v["key_type"], case.key_type);
        assert_eq!(v["ssv"], case.key);
        assert_eq!(v["key_id"], case.key_id);
        assert_eq!(v["csb_id"], want_csb.as_str());
        assert_eq!(v["rand"], rand.as_str());
        assert_eq!(v["sender_id"], sender.uid.as_str());
        let sessions = v["sessions"].as_array().unwrap();
        let cs_ids: Vec<u64> = sessions
            .iter()
            .map(|x| x["cs_id"].as_u64().unwrap())
            .collect();
        let (want_cs, want_mki) = match case.key_type {
            "gmk" => (vec![4], format!("{}{}", case.key_id, want_csb)),
            "csk" => (vec![6], case.key_id.to_string()),
            _ => (vec![0, 1, 2, 3], case.key_id.to_string()),
        };
        assert_eq!(cs_ids, want_cs);
        for x in sessions {
            assert_eq!(x["mki"], want_mki.as_str());
            let cs = x["cs_id"].to_string();
            let d = json_out(&msk(&[
                "mikey", "derive", "--tgk", case.key, "--csb-id", &want_csb, "--rand", &rand,
                "--cs-id", &cs,
            ]));
            assert_eq!(d["tek"], x["tek"]);
            assert_eq!(d["salt"], x["salt"]);
        }
    }
    // Far from the T payload: rejected.
    assert_invalid(&receive(
        &text,
        skms,
        receiver,
        rkms,
        &["--at", "2030-05-01T11:00:00Z"],
    ));
}

#[test]
fn initiate_receive_round_trips() {
    let kms_a = kms("kms.a.example.org");
    let gms = user("sip:gms@a.example.org", &kms_a);
    let alice = user("sip:alice@a.example.org", &kms_a);
    let cases = [
        Case {
            key_type: "gmk",
            key: "000102030405060708090a0b0c0d0e0f",
            key_id: "0123abcd",
            csb_id: None,
            rand: Some("f0e1d2c3b4a5968778695a4b3c2d1e0f"),
        },
        Case {
            key_type: "pck",
            key: "ffeeddccbbaa99887766554433221100",
            key_id: "1abcdef0",
            csb_id: None,
            rand: None,
        },
        Case {
            key_type: "csk",
            key: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            key_id: "2fedcba9",
            csb_id: None,
            rand: Some("00112233445566778899aabbccddeeff0011"),
        },
        Case {
            key_type: "gmk",
            key: "00112233445566778899aabbccddeeff",
            key_id: "0badcafe",
            csb_id: Some("01234567"),
            rand: None,
        },
    ];
    for case in &cases {
        round_trip(case, &gms, &kms_a, &alice, &kms_a);
    }
}

#[test]
fn initiate_receive_across_kmss() {
    let kms_a = kms("kms.a.example.org");
    let kms_b = kms("kms.b.example.net");
    let bob = user("sip:bob@a.example.org", &kms_a);
    let carol = user("sip:carol@b.example.net", &kms_b);
    for case in [
        Case {
            key_type: "gmk",
            key: "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
            key_id: "0000beef",
            csb_id: None,
            rand: None,
        },
        Case {
            key_type: "pck",
            key: "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
            key_id: "10000001",
            csb_id: None,
            rand: None,
        },
    ] {
        round_trip(&case, &bob, &kms_a, &carol, &kms_b);
    }
    // The sender's KPAK is needed, not the receiver KMS's: swapping fails the
    // signature.
    let run = initiate(
        "csk",
        "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf",
        "2000c0de",
        &["--at", AT],
        &bob,
        &kms_a,
        &carol,
        &kms_b,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = receive(run.out(), &kms_b, &carol, &kms_b, &["--at", AT]);
    assert_invalid(&run);
    assert!(run.stderr.contains("C1"), "{}", run.stderr);
}

#[test]
fn initiate_bad_input_exits_2() {
    let kms_a = kms("kms.a.example.org");
    let gms = user("sip:gms@a.example.org", &kms_a);
    let alice = user("sip:alice@a.example.org", &kms_a);
    let key = "000102030405060708090a0b0c0d0e0f";
    let at = ["--at", AT];
    let go = |key_type: &str, key: &str, key_id: &str, extra: &[&str], sender: &User| {
        initiate(key_type, key, key_id, extra, sender, &kms_a, &alice, &kms_a)
    };
    assert_bad_input(&go("xyz", key, "0123abcd", &at, &gms), "--key-type", "gmk");
    assert_bad_input(
        &go("gmk", &key[2..], "0123abcd", &at, &gms),
        "--key",
        "16 octets",
    );
    assert_bad_input(
        &go("gmk", "0g", "0123abcd", &at, &gms),
        "--key",
        "invalid hex",
    );
    assert_bad_input(
        &go("pck", key, "0123abcd", &at, &gms),
        "--key-id",
        "purpose tag",
    );
    assert_bad_input(&go("gmk", key, "0123ab", &at, &gms), "--key-id", "4 octets");
    assert_bad_input(
        &go(
            "csk",
            key,
            "2123abcd",
            &["--csb-id", "1123abcd", "--at", AT],
            &gms,
        ),
        "--csb-id",
        "purpose tag",
    );
    assert_bad_input(
        &go(
            "gmk",
            key,
            "0123abcd",
            &["--rand", "00112233", "--at", AT],
            &gms,
        ),
        "--rand",
        "16 to 255",
    );
    assert_bad_input(
        &go("gmk", key, "0123abcd", &["--at", "2030-05-01"], &gms),
        "--at",
        "RFC 3339",
    );
    // Alice's SSK/PVT with the GMS id: does not validate.
    let mut wrong = user("sip:gms@a.example.org", &kms_a);
    wrong.ssk = alice.ssk.clone();
    assert_bad_input(
        &go("gmk", key, "0123abcd", &at, &wrong),
        "--sender-ssk",
        "validate",
    );
    wrong.pvt = alice.pvt.clone();
    assert_bad_input(
        &go("gmk", key, "0123abcd", &at, &wrong),
        "--sender-ssk",
        "validate",
    );
    // A 31-octet identifier is taken as an RFC 6509 identifier, for which
    // the SSK does not validate.
    wrong.uid = alice.uid[2..].to_string();
    assert_bad_input(
        &go("gmk", key, "0123abcd", &at, &wrong),
        "--sender-ssk",
        "validate",
    );
    wrong.uid = String::new();
    assert_bad_input(
        &go("gmk", key, "0123abcd", &at, &wrong),
        "--sender-id",
        "empty",
    );
    let mut short = user("sip:gms@a.example.org", &kms_a);
    short.pvt = "04".to_string();
    assert_bad_input(
        &go("gmk", key, "0123abcd", &at, &short),
        "--sender-pvt",
        "65 octets",
    );
    short.uri = String::new();
    assert_bad_input(
        &go("gmk", key, "0123abcd", &at, &short),
        "--sender-uri",
        "empty",
    );
}

// ---------------------------------------------------------------------------
// receive: identities not hidden (IDRi / IDRr), RFC 6509 identifiers
// ---------------------------------------------------------------------------

/// A PCK message built by the core initiator with ID scheme 1 (RFC 6509
/// monthly identifiers) and IDRi / IDRr URIs: `receive` computes the
/// receiver's and the initiator's identifiers from the URIs.
#[test]
fn receive_uri_identities_with_rfc6509_identifiers() {
    use mikey_sakke::eccsi::{EccsiKms, SigningKey};
    use mikey_sakke::identity::{KeyPeriod, NtpTime, Rfc6509Id};
    use mikey_sakke::kdf::KeyType;
    use mikey_sakke::mikey::{
        initiate, IdScheme, InitiateRequest, KeySet, LocalUser, TrustStore, TrustedKms,
    };
    use mikey_sakke::random::OsRandom;
    use mikey_sakke::sakke::SakkeKms;

    let kms_uri = "kms.example.org";
    let ekms = EccsiKms::generate(&mut OsRandom).unwrap();
    let skms = SakkeKms::generate(&mut OsRandom).unwrap();
    let period = KeyPeriod::new(2_592_000, 0).unwrap();
    let mut trust = TrustStore::new();
    trust.insert(TrustedKms::new(
        kms_uri,
        ekms.kpak().clone(),
        skms.public_key(),
        period,
    ));
    let now = NtpTime::from_unix_seconds(1_900_000_000).unwrap();
    let n = period.number_at(now).unwrap();
    let (uri_i, uri_r) = ("tel:+447700900123", "tel:+447700900124");
    let id_i = Rfc6509Id::for_time(now, uri_i).unwrap().to_bytes();
    let id_r = Rfc6509Id::for_time(now, uri_r).unwrap().to_bytes();
    let (ssk, pvt) = ekms.issue(&id_i, &mut OsRandom).unwrap();
    let signing = SigningKey::new(ekms.kpak(), &id_i, ssk, pvt).unwrap();
    let mut sender = LocalUser::new(uri_i, kms_uri);
    sender.add_key_set(KeySet::new(kms_uri, n, &id_i, Some(signing), None).unwrap());
    let mut request = InitiateRequest::new(KeyType::Pck, uri_r, kms_uri, now);
    request.id_scheme = IdScheme::TelUriMonthly;
    request.hide_identities = false;
    let sent = initiate(&sender, &trust, request, &mut OsRandom).unwrap();
    let rsk = skms.issue_rsk(&id_r).unwrap();

    let info = json_out(&msk(&["mikey", "inspect", &sent.text]));
    let idr_r = info["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["payload"] == "IDR" && p["role"] == 2)
        .cloned()
        .unwrap();
    assert_eq!(idr_r["role_name"], "IDRr");
    assert_eq!(idr_r["text"], uri_r);

    let at = "2030-03-17T17:46:40Z"; // Unix time 1 900 000 000
    let kpak = hex::encode(ekms.kpak().as_bytes());
    let z = hex::encode(skms.public_key().to_bytes());
    let rsk = hex::encode(&rsk.to_bytes()[..]);
    let run = msk(&[
        "mikey",
        "receive",
        "--message",
        &sent.text,
        "--sender-kpak",
        &kpak,
        "--receiver-id",
        &hex::encode(&id_r),
        "--receiver-kms-public",
        &z,
        "--receiver-rsk",
        &rsk,
        "--at",
        at,
    ]);
    let v = json_out(&run);
    assert_eq!(v["key_type"], "pck");
    assert_eq!(v["ssv"], hex::encode(sent.key.as_bytes()));
    assert_eq!(v["key_id"], hex::encode(sent.key_id.to_bytes()));
    assert_eq!(v["sender_id"], hex::encode(&id_i));
}

/// `initiate` with RFC 6509 identifiers (not 32 octets): ID scheme 1, IDRi /
/// IDRr with the URIs, identities not hidden; `receive` computes both
/// identifiers from the URIs.
#[test]
fn initiate_receive_with_rfc6509_identifiers() {
    use mikey_sakke::eccsi::EccsiKms;
    use mikey_sakke::random::OsRandom;
    use mikey_sakke::sakke::SakkeKms;

    let kms_uri = "kms.example.org";
    let ekms = EccsiKms::generate(&mut OsRandom).unwrap();
    let skms = SakkeKms::generate(&mut OsRandom).unwrap();
    let at = "2026-11-26T12:00:00Z";
    let (uri_i, uri_r) = ("tel:+447700900123", "tel:+447700900124");
    let id_i = format!("2026-11\0{uri_i}\0").into_bytes();
    let id_r = format!("2026-11\0{uri_r}\0").into_bytes();
    let (ssk, pvt) = ekms.issue(&id_i, &mut OsRandom).unwrap();
    let rsk = skms.issue_rsk(&id_r).unwrap();
    let kpak = hex::encode(ekms.kpak().as_bytes());
    let z = hex::encode(skms.public_key().to_bytes());
    let key = "00112233445566778899aabbccddeeff";
    let run = msk(&[
        "mikey",
        "initiate",
        "--key-type",
        "pck",
        "--key",
        key,
        "--key-id",
        "1123abcd",
        "--sender-uri",
        uri_i,
        "--sender-kms-uri",
        kms_uri,
        "--sender-id",
        &hex::encode(&id_i),
        "--sender-kpak",
        &kpak,
        "--sender-ssk",
        &hex::encode(&ssk.to_bytes()[..]),
        "--sender-pvt",
        &hex::encode(pvt.to_bytes()),
        "--receiver-uri",
        uri_r,
        "--receiver-kms-uri",
        kms_uri,
        "--receiver-id",
        &hex::encode(&id_r),
        "--receiver-kms-public",
        &z,
        "--at",
        at,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.out().to_string();

    let info = json_out(&msk(&["mikey", "inspect", &text]));
    assert_eq!(info["i_message_check"]["ok"], true, "{info}");
    let payloads = info["payloads"].as_array().unwrap();
    let idr = |role: u64| {
        payloads
            .iter()
            .find(|p| p["payload"] == "IDR" && p["role"] == role)
            .cloned()
    };
    assert_eq!(idr(1).unwrap()["text"], uri_i);
    assert_eq!(idr(2).unwrap()["text"], uri_r);
    assert!(idr(8).is_none() && idr(9).is_none());
    let sakke = payloads.iter().find(|p| p["payload"] == "SAKKE").unwrap();
    assert_eq!(sakke["id_scheme"], 1);

    let run = msk(&[
        "mikey",
        "receive",
        "--message",
        &text,
        "--sender-kpak",
        &kpak,
        "--receiver-id",
        &hex::encode(&id_r),
        "--receiver-kms-public",
        &z,
        "--receiver-rsk",
        &hex::encode(&rsk.to_bytes()[..]),
        "--at",
        at,
    ]);
    let v = json_out(&run);
    assert_eq!(v["key_type"], "pck");
    assert_eq!(v["ssv"], key);
    assert_eq!(v["key_id"], "1123abcd");
    assert_eq!(v["sender_id"], hex::encode(&id_i));
}
