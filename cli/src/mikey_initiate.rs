//! `msk mikey initiate`: builds and signs a MIKEY-SAKKE I_MESSAGE (RFC 6509
//! §4, TS 33.180 Annex E) from explicitly given identifiers and keys.

use clap::Args;
use mikey_sakke::eccsi::{EccsiError, Kpak, Pvt, SigningKey, Ssk};
use mikey_sakke::identity::NtpTime;
use mikey_sakke::kdf::{KeyId, KeyType};
use mikey_sakke::mikey::{
    initiate, IdScheme, InitiateRequest, KeySet, LocalUser, MikeyError, MIN_RAND_LEN,
};
use mikey_sakke::random::OsRandom;
use mikey_sakke::sakke::{KmsContext, KmsPublicKey, SakkeError, Ssv};

use crate::error::{line, CliError};
use crate::hexarg;
use crate::mikey_common::{command_line_trust, parse_rfc3339};

/// Length of a TS 33.180 UID, the identifier carried in IDRuidi / IDRuidr.
const UID_LEN: usize = 32;

/// Arguments of `msk mikey initiate`.
///
/// The message follows the TS 33.180 profile of the sample I_MESSAGE: HDR
/// (data type 26, PRF-HMAC-SHA-256, CSB ID; GENERIC-ID map with cs_id 4 for
/// a GMK and 6 for a CSK, MKI as SPI; the empty map for a PCK), T (NTP-UTC),
/// RAND, the identities, IDRkmsi = --sender-kms-uri, IDRkmsr =
/// --receiver-kms-uri, the observed SP payload (policy 0), SAKKE (the key
/// encapsulated to --receiver-id under --receiver-kms-public), SIGN (ECCSI
/// with the sender's SSK/PVT).
///
/// When --sender-id and --receiver-id are both 32 octets they are TS 33.180
/// UIDs and the identities are hidden (TS 33.180 E.7, SAKKE ID scheme 2):
/// IDRuidi (role 8) = --sender-id, IDRuidr (role 9) = --receiver-id; the
/// users' URIs are not carried (--receiver-uri is the GUK-ID member URI,
/// --sender-uri is only checked to be non-empty). Otherwise they are RFC 6509
/// identifiers (`YYYY-MM\0URI\0`, SAKKE ID scheme 1) and the identities are
/// not hidden: IDRi (role 1) = --sender-uri, IDRr (role 2) = --receiver-uri.
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
    /// GUK-ID is rejected (H7) by a receiver that recovers the GMK-ID from its
    /// URI (TS 33.180 F.1.3): that GMK-ID disagrees with the MKI.
    #[arg(long, value_name = "HEX")]
    csb_id: Option<String>,
    /// RAND, 16 to 255 octets; default 16 random octets.
    #[arg(long, value_name = "HEX")]
    rand: Option<String>,
    /// The sender's URI (MC service user ID); carried in IDRi only with RFC 6509
    /// identifiers.
    #[arg(long, value_name = "URI")]
    sender_uri: String,
    /// The sender's KMS URI (IDRkmsi).
    #[arg(long, value_name = "URI")]
    sender_kms_uri: String,
    /// The sender's ECCSI identifier: a 32-octet UID (IDRuidi) or an RFC 6509
    /// identifier of another length.
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
    /// The receiver's URI (the GUK-ID member URI for a GMK; IDRr with RFC 6509
    /// identifiers).
    #[arg(long, value_name = "URI")]
    receiver_uri: String,
    /// The receiver's KMS URI (IDRkmsr).
    #[arg(long, value_name = "URI")]
    receiver_kms_uri: String,
    /// The receiver's SAKKE identifier: a 32-octet UID (IDRuidr) or an RFC 6509
    /// identifier of another length.
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

fn id_arg(arg: &'static str, value: &str) -> Result<Vec<u8>, CliError> {
    let id = hexarg::decode(arg, value)?;
    if id.is_empty() {
        return Err(CliError::bad(arg, "must not be empty"));
    }
    if id.len() > usize::from(u16::MAX) {
        return Err(CliError::bad(arg, "longer than 65535 octets"));
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

fn signing_key(a: &InitiateArgs, kpak: &Kpak, id: &[u8]) -> Result<SigningKey, CliError> {
    let ssk = hexarg::decode_secret("--sender-ssk", &a.sender_ssk)?;
    let ssk = Ssk::from_bytes(&ssk).map_err(|e| hexarg::eccsi_scalar("--sender-ssk", e))?;
    let pvt = hexarg::decode("--sender-pvt", &a.sender_pvt)?;
    let pvt = Pvt::from_bytes(&pvt).map_err(|e| hexarg::eccsi_point("--sender-pvt", e))?;
    SigningKey::new(kpak, id, ssk, pvt).map_err(|e| match e {
        EccsiError::InvalidKeyPair => CliError::bad(
            "--sender-ssk",
            "the SSK and --sender-pvt do not validate for --sender-id under --sender-kpak \
             (RFC 6507 §5.1.2)",
        ),
        other => CliError::bad("--sender-ssk", other.to_string()),
    })
}

/// Runs `msk mikey initiate`: prints `mikey BASE64` of the message built and
/// signed by the core initiator ([`initiate`]) with the explicit identifiers.
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
    let csb_id = a
        .csb_id
        .as_deref()
        .map(|v| key_id_arg("--csb-id", v, key_type))
        .transpose()?;
    let rand = match &a.rand {
        Some(v) => {
            let r = hexarg::decode("--rand", v)?;
            if r.len() < MIN_RAND_LEN || r.len() > 255 {
                return Err(CliError::bad(
                    "--rand",
                    format!("expected {MIN_RAND_LEN} to 255 octets, got {}", r.len()),
                ));
            }
            Some(r)
        }
        None => None,
    };
    let sender_id = id_arg("--sender-id", &a.sender_id)?;
    let kpak = hexarg::decode("--sender-kpak", &a.sender_kpak)?;
    let kpak = Kpak::from_bytes(&kpak).map_err(|e| hexarg::eccsi_point("--sender-kpak", e))?;
    let signer = signing_key(a, &kpak, &sender_id)?;
    let receiver_id = id_arg("--receiver-id", &a.receiver_id)?;
    // Two 32-octet UIDs: hidden identities (IDRuidi / IDRuidr, ID scheme 2);
    // otherwise RFC 6509 identifiers (ID scheme 1) with IDRi / IDRr URIs.
    let hidden = sender_id.len() == UID_LEN && receiver_id.len() == UID_LEN;
    let z = hexarg::decode("--receiver-kms-public", &a.receiver_kms_public)?;
    let z = KmsPublicKey::from_bytes(&z)
        .map_err(|e| hexarg::sakke_point("--receiver-kms-public", e))?;
    let time = match &a.at {
        Some(v) => parse_rfc3339("--at", v)?,
        None => NtpTime::now().map_err(|e| CliError::Internal(e.to_string()))?,
    };

    let internal = |e: MikeyError| CliError::Internal(e.to_string());
    // The initiator signs with its own key set and encapsulates under the
    // receiver KMS's Z; with explicit identifiers no key period is used.
    let ctx = KmsContext::new(&z);
    let (trust, _) = command_line_trust([&a.sender_kms_uri, &a.receiver_kms_uri], &kpak, &ctx)?;
    let mut sender = LocalUser::new(&a.sender_uri, &a.sender_kms_uri);
    sender.add_key_set(
        KeySet::new(&a.sender_kms_uri, 0, &sender_id, Some(signer), None).map_err(internal)?,
    );
    let mut request = InitiateRequest::new(key_type, &a.receiver_uri, &a.receiver_kms_uri, time);
    request.key = Some(key);
    request.key_id = Some(key_id);
    request.csb_id = csb_id;
    request.rand = rand;
    if !hidden {
        request.id_scheme = IdScheme::TelUriMonthly;
        request.hide_identities = false;
    }
    request.initiator_id = Some(sender_id);
    request.responder_id = Some(receiver_id);
    let sent = initiate(&sender, &trust, request, &mut OsRandom).map_err(|e| match e {
        MikeyError::Sakke(SakkeError::IdentifierCollision) => CliError::bad(
            "--receiver-id",
            "the encapsulation degenerated for this identifier ((b + z) mod q = 0)",
        ),
        MikeyError::Kdf(e) => CliError::bad("--receiver-uri", e.to_string()),
        MikeyError::Random(r) => CliError::from(r),
        other => internal(other),
    })?;
    sent.message.check_i_message().map_err(internal)?;
    line(sent.text)
}
