//! `msk mikey inspect`: decodes a MIKEY message (RFC 3830, RFC 6043, RFC 6509,
//! TS 33.180 Annex E) to JSON.

use clap::Args;
use mikey_sakke::identity::NtpTime;
use mikey_sakke::mikey::key_params::{ProtectedPayload, ALGORITHM_AES_128_GCM};
use mikey_sakke::mikey::{
    srtp_param, CommonHeader, CsIdMap, DataType, GeneralExtension, IdRole, IdScheme, IdType,
    IdrPayload, Message, Payload, PrfFunc, SakkeParams, SakkePayload, SignPayload, SignatureType,
    SpPayload, Timestamp, PROT_TYPE_SRTP,
};
use serde_json::{json, Value};

use crate::error::{line, CliError};
use crate::hexarg::encode;
use crate::mikey_common::{decode_message, format_rfc3339, key_type_name, mikey_reason};

/// Arguments of `msk mikey inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The message: `mikey BASE64`, an SDP line `a=key-mgmt:mikey BASE64`, bare
    /// base64 or hex.
    #[arg(value_name = "MESSAGE")]
    message: String,
}

fn data_type_name(t: DataType) -> Option<&'static str> {
    use DataType::*;
    Some(match t {
        PskInit => "PSK init",
        PskResp => "PSK response",
        PkInit => "PK init",
        PkResp => "PK response",
        DhInit => "DH init",
        DhResp => "DH response",
        Error => "error",
        DhHmacInit => "DHHMAC init",
        DhHmacResp => "DHHMAC response",
        RsaRInit => "RSA-R init",
        RsaRResp => "RSA-R response",
        SakkeInit => "SAKKE init",
        SakkeResp => "SAKKE response",
        Unknown(_) => return None,
    })
}

fn prf_name(p: PrfFunc) -> Option<&'static str> {
    match p {
        PrfFunc::Mikey1 => Some("MIKEY-1"),
        PrfFunc::HmacSha256 => Some("PRF-HMAC-SHA-256"),
        PrfFunc::Unknown(_) => None,
    }
}

fn role_name(r: IdRole) -> Option<&'static str> {
    use IdRole::*;
    Some(match r {
        Initiator => "IDRi",
        Responder => "IDRr",
        Kms => "IDRkms",
        Psk => "IDRpsk",
        App => "IDRapp",
        InitiatorKms => "IDRkmsi",
        ResponderKms => "IDRkmsr",
        InitiatorUid => "IDRuidi",
        ResponderUid => "IDRuidr",
        Unknown(_) => return None,
    })
}

fn id_type_name(t: IdType) -> Option<&'static str> {
    match t {
        IdType::Nai => Some("NAI"),
        IdType::Uri => Some("URI"),
        IdType::ByteString => Some("byte string"),
        IdType::Unknown(_) => None,
    }
}

fn srtp_param_name(t: u8) -> Option<&'static str> {
    use srtp_param::*;
    Some(match t {
        ENCR_ALG => "encryption algorithm",
        ENCR_KEY_LEN => "session encryption key length",
        AUTH_ALG => "authentication algorithm",
        AUTH_KEY_LEN => "session authentication key length",
        SALT_KEY_LEN => "session salt key length",
        PRF => "SRTP PRF",
        KDR => "key derivation rate",
        SRTP_ENCR => "SRTP encryption",
        SRTCP_ENCR => "SRTCP encryption",
        FEC_ORDER => "sender's FEC order",
        SRTP_AUTH => "SRTP authentication",
        AUTH_TAG_LEN => "authentication tag length",
        PREFIX_LEN => "SRTP prefix length",
        ROC_RATE => "ROC transmission rate",
        RCC_TAG_LEN => "SRTP authentication tag length with RCC",
        SRTCP_TAG_LEN => "SRTCP authentication tag length",
        AEAD_TAG_LEN => "AEAD authentication tag length",
        _ => return None,
    })
}

/// Printable text: UTF-8 without control characters.
fn printable(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data)
        .ok()
        .filter(|s| !s.is_empty() && !s.chars().any(char::is_control))
}

fn header_json(h: &CommonHeader) -> Value {
    let (map_name, map): (&str, Value) = match &h.cs_map {
        CsIdMap::SrtpId(v) => (
            "SRTP-ID",
            v.iter()
                .enumerate()
                .map(|(i, e)| {
                    json!({"cs_id": i + 1, "policy_no": e.policy_no, "ssrc": e.ssrc, "roc": e.roc})
                })
                .collect(),
        ),
        CsIdMap::Empty => ("empty", json!([])),
        CsIdMap::GenericId(v) => (
            "GENERIC-ID",
            v.iter()
                .map(|e| {
                    json!({
                        "cs_id": e.cs_id,
                        "prot_type": e.prot_type,
                        "s_flag": e.s_flag,
                        "policies": e.policies,
                        "session_data": encode(&e.session_data),
                        "spi": encode(&e.spi),
                    })
                })
                .collect(),
        ),
    };
    json!({
        "version": mikey_sakke::mikey::MIKEY_VERSION,
        "data_type": u8::from(h.data_type),
        "data_type_name": data_type_name(h.data_type),
        "v": h.v,
        "prf_func": h.prf.value(),
        "prf_func_name": prf_name(h.prf),
        "csb_id": encode(&h.csb_id.to_be_bytes()),
        "csb_id_key_type": key_type_name(mikey_sakke::kdf::KeyId::new(h.csb_id).key_type()),
        "n_cs": h.cs_map.len(),
        "cs_id_map_type": h.cs_map.map_type(),
        "cs_id_map_type_name": map_name,
        "cs_id_map": map,
    })
}

fn sakke_json(s: &SakkePayload) -> Value {
    json!({
        "params": u8::from(s.params),
        "params_name": match s.params {
            SakkeParams::Set1 => Some("parameter set 1"),
            SakkeParams::Unknown(_) => None,
        },
        "id_scheme": u8::from(s.id_scheme),
        "id_scheme_name": match s.id_scheme {
            IdScheme::TelUriMonthly => Some("tel URI with monthly keys"),
            IdScheme::HashedUid => Some("hashed UID"),
            IdScheme::Unknown(_) => None,
        },
        "data": encode(&s.data),
    })
}

fn protected_payload_json(data: &[u8]) -> Value {
    match ProtectedPayload::parse(data) {
        Ok(p) => json!({
            "message_type": p.message_type,
            "encrypted": p.is_encrypted(),
            "date_time": p.date_time,
            "payload_id": p.payload_id,
            "payload_seq": p.payload_seq,
            "algorithm": p.algorithm,
            "algorithm_name": (p.algorithm == ALGORITHM_AES_128_GCM).then_some("AES-128-GCM"),
            "iv": encode(&p.iv),
            "dppk_id": encode(&p.dppk_id.to_bytes()),
            "iei": p.iei,
            "ciphertext": encode(&p.ciphertext),
        }),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

fn timestamp_json(t: &Timestamp) -> Value {
    let (name, value, time) = match *t {
        Timestamp::NtpUtc(v) => ("NTP-UTC", encode(&v.to_be_bytes()), Some(v)),
        Timestamp::Ntp(v) => ("NTP", encode(&v.to_be_bytes()), Some(v)),
        Timestamp::Counter(v) => ("COUNTER", encode(&v.to_be_bytes()), None),
    };
    json!({
        "payload": "T",
        "payload_type": 5,
        "ts_type": t.ts_type(),
        "ts_type_name": name,
        "value": value,
        "time": time.map(|v| format_rfc3339(NtpTime::from_bits(v))),
    })
}

fn idr_json(i: &IdrPayload) -> Value {
    json!({
        "payload": "IDR",
        "payload_type": 14,
        "role": u8::from(i.role),
        "role_name": role_name(i.role),
        "id_type": u8::from(i.id_type),
        "id_type_name": id_type_name(i.id_type),
        "data": encode(&i.data),
        "text": printable(&i.data),
    })
}

fn sp_json(s: &SpPayload) -> Value {
    let srtp = s.prot_type == PROT_TYPE_SRTP;
    let params: Vec<Value> = s
        .params
        .iter()
        .map(|p| {
            json!({
                "type": p.param_type,
                "name": if srtp { srtp_param_name(p.param_type) } else { None },
                "value": encode(&p.value),
            })
        })
        .collect();
    json!({
        "payload": "SP",
        "payload_type": 10,
        "policy_no": s.policy_no,
        "prot_type": s.prot_type,
        "prot_type_name": srtp.then_some("SRTP"),
        "params": params,
    })
}

fn extension_json(e: &GeneralExtension) -> Value {
    let mut v = json!({
        "payload": "GENERAL_EXT",
        "payload_type": 21,
        "ext_type": e.ext_type(),
    });
    match e {
        GeneralExtension::SakkeToSelf { inner_next, sakke } => {
            v["ext_type_name"] = json!("SAKKE-to-self");
            v["inner_next"] = json!(inner_next);
            v["sakke"] = sakke_json(sakke);
        }
        GeneralExtension::KeyParameters(d) => {
            v["ext_type_name"] = json!("key parameters");
            v["data"] = json!(encode(d));
            v["protected_payload"] = protected_payload_json(d);
        }
        GeneralExtension::Other { data, .. } => {
            v["ext_type_name"] = Value::Null;
            v["data"] = json!(encode(data));
        }
    }
    v
}

fn payload_json(p: &Payload) -> Value {
    match p {
        Payload::Timestamp(t) => timestamp_json(t),
        Payload::Rand(r) => json!({
            "payload": "RAND",
            "payload_type": 11,
            "length": r.len(),
            "value": encode(r),
        }),
        Payload::Idr(i) => idr_json(i),
        Payload::SecurityPolicy(s) => sp_json(s),
        Payload::Sakke(s) => {
            let mut v = json!({"payload": "SAKKE", "payload_type": 26});
            if let (Some(o), Value::Object(s)) = (v.as_object_mut(), sakke_json(s)) {
                o.extend(s);
            }
            v
        }
        Payload::GeneralExtension(e) => extension_json(e),
        Payload::Error(e) => json!({
            "payload": "ERR",
            "payload_type": 12,
            "error_no": e.error_no,
            "reserved": e.reserved,
        }),
    }
}

fn sign_json(s: &SignPayload) -> Value {
    let mut v = json!({
        "payload": "SIGN",
        "payload_type": 4,
        "sig_type": s.sig_type.value(),
        "sig_type_name": match s.sig_type {
            SignatureType::RsaPkcs1 => Some("RSA/PKCS#1 v1.5"),
            SignatureType::RsaPss => Some("RSA/PSS"),
            SignatureType::Eccsi => Some("ECCSI"),
            SignatureType::Unknown(_) => None,
        },
        "signature": encode(&s.signature),
    });
    if s.sig_type == SignatureType::Eccsi && s.signature.len() == 129 {
        v["r"] = json!(encode(&s.signature[..32]));
        v["s"] = json!(encode(&s.signature[32..64]));
        v["pvt"] = json!(encode(&s.signature[64..]));
    }
    v
}

/// The JSON description of `bytes`, or the parse error.
pub fn describe(arg: &'static str, bytes: &[u8]) -> Result<Value, CliError> {
    let m = Message::parse(bytes).map_err(|e| CliError::bad(arg, mikey_reason(&e)))?;
    let mut payloads: Vec<Value> = m.payloads.iter().map(payload_json).collect();
    if let Some(s) = &m.sign {
        payloads.push(sign_json(s));
    }
    let signed_len = m
        .signed_len()
        .map_err(|e| CliError::Internal(e.to_string()))?;
    let check = match m.check_i_message() {
        Ok(()) => json!({ "ok": true }),
        Err(e) => json!({ "ok": false, "error": e.to_string(), "check_id": e.check_id() }),
    };
    Ok(json!({
        "length": bytes.len(),
        "header": header_json(&m.header),
        "payloads": payloads,
        "signed_len": signed_len,
        "i_message_check": check,
    }))
}

/// Runs `msk mikey inspect`.
pub fn run(a: &InspectArgs) -> Result<(), CliError> {
    let bytes = decode_message("MESSAGE", &a.message)?;
    line(describe("MESSAGE", &bytes)?)
}
