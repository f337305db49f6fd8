//! `msk mikey initiate`: builds and signs a MIKEY-SAKKE I_MESSAGE (RFC 6509
//! §4, TS 33.180 Annex E) from explicitly given identifiers and keys.

use clap::Args;
use mikey_sakke::eccsi::{EccsiError, Kpak, Pvt, SigningKey, Ssk};
use mikey_sakke::identity::NtpTime;
use mikey_sakke::kdf::{self, KeyId, KeyType};
use mikey_sakke::mikey::{
    encode_text, CommonHeader, CsIdMap, DataType, GenericIdEntry, IdRole, IdScheme, IdrPayload,
    Message, Payload, PrfFunc, SakkeParams, SakkePayload, SignPayload, SignatureType, SpPayload,
    Timestamp, MIN_RAND_LEN, PROT_TYPE_SRTP, RAND_LEN,
};
use mikey_sakke::random::{OsRandom, SecureRandom};
use mikey_sakke::sakke::{KmsContext, KmsPublicKey, SakkeError, Ssv};

use super::mikey_common::parse_rfc3339;
use crate::error::{line, CliError};
use crate::hexarg;

/// Length of a TS 33.180 UID, the identifier carried in IDRuidi / IDRuidr.
const UID_LEN: usize = 32;

/// Arguments of `msk mikey initiate`.
///
/// The message follows the TS 33.180 profile of the sample I_MESSAGE: HDR
/// (data type 26, PRF-HMAC-SHA-256, CSB ID; GENERIC-ID map with cs_id 4 for
/// a GMK and 6 for a CSK, MKI as SPI; the empty map for a PCK), T (NTP-UTC),
/// RAND, IDRuidi (role 8) = --sender-id, IDRuidr (role 9) = --receiver-id
/// (identities hidden, TS 33.180 E.7; both must be 32-octet UIDs, SAKKE ID
/// scheme 2), IDRkmsi = --sender-kms-uri, IDRkmsr = --receiver-kms-uri, the
/// observed SP payload (policy 0), SAKKE (the key encapsulated to
/// --receiver-id under --receiver-kms-public), SIGN (ECCSI with the sender's
/// SSK/PVT). The URIs of the users are not carried: --receiver-uri is the
/// GUK-ID member URI; --sender-uri is only checked to be non-empty.
#[derive(Debug, Args)]
pub struct InitiateArgs {
    /// The key type: gmk, pck or csk.
    #[arg(long, value_name = "TYPE")]
    key_type: String,
    /// The key (GMK, PCK, CSK) to distribute, 16 octets.
    #[arg(long, value_name = "HEX")]
    key: String,
    /// The key id (GMK-ID, PCK-ID, CSK-ID), 4 octets whose purpose tag (top 4
    /// bits) is the key type's (0 GMK, 1 PCK, 2 CSK).
    #[arg(long, value_name = "HEX")]
    key_id: String,
    /// The HDR CSB ID, 4 octets with the key type's purpose tag; default the
    /// GUK-ID for a GMK (TS 33.180 F.1.3, from the key, key id and
    /// --receiver-uri), the key id otherwise. A GMK's CSB ID other than its
    /// GUK-ID makes a receiver that recovers the GMK-ID from its URI
    /// (TS 33.180 F.1.3) find another GMK-ID.
    #[arg(long, value_name = "HEX")]
    csb_id: Option<String>,
    /// RAND, 16 to 255 octets; default 16 random octets.
    #[arg(long, value_name = "HEX")]
    rand: Option<String>,
    /// The sender's URI (MC service user ID); not carried (identities hidden).
    #[arg(long, value_name = "URI")]
    sender_uri: String,
    /// The sender's KMS URI (IDRkmsi).
    #[arg(long, value_name = "URI")]
    sender_kms_uri: String,
    /// The sender's ECCSI identifier (its UID), 32 octets (IDRuidi).
    #[arg(long, value_name = "HEX")]
    sender_id: String,
    /// The sender's KMS public authentication key KPAK, 65 octets.
    #[arg(long, value_name = "HEX")]
    sender_kpak: String,
    /// The sender's secret signing key SSK, 32 octets.
    #[arg(long, value_name = "HEX")]
    sender_ssk: String,
    /// The sender's public validation token PVT, 65 octets.
    #[arg(long, value_name = "HEX")]
    sender_pvt: String,
    /// The receiver's URI (the GUK-ID member URI for a GMK).
    #[arg(long, value_name = "URI")]
    receiver_uri: String,
    /// The receiver's KMS URI (IDRkmsr).
    #[arg(long, value_name = "URI")]
    receiver_kms_uri: String,
    /// The receiver's SAKKE identifier (its UID), 32 octets (IDRuidr).
    #[arg(long, value_name = "HEX")]
    receiver_id: String,
    /// The receiver's KMS SAKKE public key Z, 257 octets.
    #[arg(long, value_name = "HEX")]
    receiver_kms_public: String,
    /// The T payload time (RFC 3339, e.g. 2026-11-26T12:00:00Z); default now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
}

fn uri_arg(arg: &'static str, value: &str) -> Result<(), CliError> {
    if value.is_empty() {
        return Err(CliError::bad(arg, "must not be empty"));
    }
    if value.len() > usize::from(u16::MAX) {
        return Err(CliError::bad(arg, "longer than 65535 octets"));
    }
    Ok(())
}

fn key_id_arg(arg: &'static str, value: &str, key_type: KeyType) -> Result<KeyId, CliError> {
    let bytes = hexarg::decode(arg, value)?;
    let arr: [u8; 4] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| CliError::bad(arg, format!("expected 4 octets, got {}", bytes.len())))?;
    let id = KeyId::from_bytes(arr);
    if id.key_type() != key_type {
        return Err(CliError::bad(
            arg,
            format!(
                "purpose tag {} does not match the key type (tag {})",
                id.purpose_tag(),
                key_type.tag()
            ),
        ));
    }
    Ok(id)
}

fn uid_arg(arg: &'static str, value: &str) -> Result<Vec<u8>, CliError> {
    let id = hexarg::decode(arg, value)?;
    if id.len() != UID_LEN {
        return Err(CliError::bad(
            arg,
            format!(
                "expected a {UID_LEN}-octet UID (carried in IDRuidi/IDRuidr), got {} octets",
                id.len()
            ),
        ));
    }
    Ok(id)
}

/// Parses the key type name of `--key-type`.
pub fn key_type_arg(value: &str) -> Result<KeyType, CliError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "gmk" => Ok(KeyType::Gmk),
        "pck" => Ok(KeyType::Pck),
        "csk" => Ok(KeyType::Csk),
        _ => Err(CliError::bad("--key-type", "expected gmk, pck or csk")),
    }
}

fn signing_key(a: &InitiateArgs, id: &[u8]) -> Result<SigningKey, CliError> {
    let kpak = hexarg::decode("--sender-kpak", &a.sender_kpak)?;
    let kpak = Kpak::from_bytes(&kpak).map_err(|e| hexarg::eccsi_point("--sender-kpak", e))?;
    let ssk = hexarg::decode_secret("--sender-ssk", &a.sender_ssk)?;
    let ssk = Ssk::from_bytes(&ssk).map_err(|e| hexarg::eccsi_scalar("--sender-ssk", e))?;
    let pvt = hexarg::decode("--sender-pvt", &a.sender_pvt)?;
    let pvt = Pvt::from_bytes(&pvt).map_err(|e| hexarg::eccsi_point("--sender-pvt", e))?;
    SigningKey::new(&kpak, id, ssk, pvt).map_err(|e| match e {
        EccsiError::InvalidKeyPair => CliError::bad(
            "--sender-ssk",
            "the SSK and --sender-pvt do not validate for --sender-id under --sender-kpak \
             (RFC 6507 §5.1.2)",
        ),
        other => CliError::bad("--sender-ssk", other.to_string()),
    })
}

/// Runs `msk mikey initiate`: prints `mikey BASE64`.
pub fn run(a: &InitiateArgs) -> Result<(), CliError> {
    let key_type = key_type_arg(&a.key_type)?;
    let key = hexarg::decode_secret("--key", &a.key)?;
    let key = Ssv::from_bytes(&key).map_err(|e| match e {
        SakkeError::SsvLength(len) => {
            CliError::bad("--key", format!("expected 16 octets, got {len}"))
        }
        other => CliError::bad("--key", other.to_string()),
    })?;
    let key_id = key_id_arg("--key-id", &a.key_id, key_type)?;
    uri_arg("--sender-uri", &a.sender_uri)?;
    uri_arg("--sender-kms-uri", &a.sender_kms_uri)?;
    uri_arg("--receiver-uri", &a.receiver_uri)?;
    uri_arg("--receiver-kms-uri", &a.receiver_kms_uri)?;
    let csb_id = match &a.csb_id {
        Some(v) => key_id_arg("--csb-id", v, key_type)?,
        None if key_type == KeyType::Gmk => kdf::guk_id(key.as_bytes(), key_id, &a.receiver_uri)
            .map_err(|e| CliError::bad("--receiver-uri", e.to_string()))?,
        None => key_id,
    };
    let mut rng = OsRandom;
    let rand = match &a.rand {
        Some(v) => {
            let r = hexarg::decode("--rand", v)?;
            if r.len() < MIN_RAND_LEN || r.len() > 255 {
                return Err(CliError::bad(
                    "--rand",
                    format!("expected {MIN_RAND_LEN} to 255 octets, got {}", r.len()),
                ));
            }
            r
        }
        None => {
            let mut r = vec![0u8; RAND_LEN];
            rng.fill(&mut r)?;
            r
        }
    };
    let sender_id = uid_arg("--sender-id", &a.sender_id)?;
    let signer = signing_key(a, &sender_id)?;
    let receiver_id = uid_arg("--receiver-id", &a.receiver_id)?;
    let z = hexarg::decode("--receiver-kms-public", &a.receiver_kms_public)?;
    let z = KmsPublicKey::from_bytes(&z)
        .map_err(|e| hexarg::sakke_point("--receiver-kms-public", e))?;
    let time = match &a.at {
        Some(v) => parse_rfc3339("--at", v)?,
        None => NtpTime::now().map_err(|e| CliError::Internal(e.to_string()))?,
    };

    let sed = KmsContext::new(&z)
        .encapsulate(&receiver_id, &key)
        .map_err(|e| match e {
            SakkeError::IdentifierCollision => CliError::bad(
                "--receiver-id",
                "the encapsulation degenerated for this identifier ((b + z) mod q = 0)",
            ),
            other => hexarg::sakke_internal(other),
        })?;

    let sp = SpPayload::ts33180_observed(0);
    let guk = (key_type == KeyType::Gmk).then_some(csb_id);
    let mki = kdf::mki(key_id, guk).map_err(|e| CliError::Internal(e.to_string()))?;
    let generic = |cs_id: u8| {
        CsIdMap::GenericId(vec![GenericIdEntry {
            cs_id,
            prot_type: PROT_TYPE_SRTP,
            s_flag: false,
            policies: vec![sp.policy_no],
            session_data: Vec::new(),
            spi: mki.clone(),
        }])
    };
    let cs_map = match key_type {
        KeyType::Gmk => generic(4),
        KeyType::Csk => generic(6),
        _ => CsIdMap::Empty,
    };
    let mut message = Message {
        header: CommonHeader {
            data_type: DataType::SakkeInit,
            v: false,
            prf: PrfFunc::HmacSha256,
            csb_id: csb_id.value(),
            cs_map,
        },
        payloads: vec![
            Payload::Timestamp(Timestamp::NtpUtc(time.to_bits())),
            Payload::Rand(rand),
            Payload::Idr(IdrPayload::uri(IdRole::InitiatorUid, sender_id)),
            Payload::Idr(IdrPayload::uri(IdRole::ResponderUid, receiver_id)),
            Payload::Idr(IdrPayload::uri(
                IdRole::InitiatorKms,
                a.sender_kms_uri.as_bytes(),
            )),
            Payload::Idr(IdrPayload::uri(
                IdRole::ResponderKms,
                a.receiver_kms_uri.as_bytes(),
            )),
            Payload::SecurityPolicy(sp.clone()),
            Payload::Sakke(SakkePayload {
                params: SakkeParams::Set1,
                id_scheme: IdScheme::HashedUid,
                data: sed.to_bytes().to_vec(),
            }),
        ],
        sign: None,
    };
    let internal = |e: mikey_sakke::mikey::MikeyError| CliError::Internal(e.to_string());
    let signed = message.eccsi_signed_octets().map_err(internal)?;
    let signature = signer
        .sign(&signed, &mut rng)
        .map_err(hexarg::eccsi_internal)?;
    message.sign = Some(SignPayload {
        sig_type: SignatureType::Eccsi,
        signature: signature.to_bytes().to_vec(),
    });
    message.check_i_message().map_err(internal)?;
    let bytes = message.to_bytes().map_err(internal)?;
    line(encode_text(&bytes))
}
