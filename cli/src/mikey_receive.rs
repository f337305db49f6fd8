//! `msk mikey receive`: verifies and decapsulates a MIKEY-SAKKE I_MESSAGE
//! (RFC 6509 §4, TS 33.180 Annex E) with explicitly given keys.

use clap::Args;
use mikey_sakke::eccsi::Kpak;
use mikey_sakke::identity::NtpTime;
use mikey_sakke::mikey::{
    IdRole, KeyIdSource, KeySet, LocalUser, Message, MikeyError, Responder, ResponderConfig,
    DEFAULT_MAX_SKEW_SECONDS,
};
use mikey_sakke::sakke::{KmsContext, KmsPublicKey, ReceiverKey, Rsk};
use serde_json::{json, Value};

use crate::error::{err_line, line, CliError};
use crate::hexarg;
use crate::mikey_common::{
    command_line_trust, decode_message, key_type_name, mikey_reason, parse_rfc3339,
};
use crate::uid_cmd::parse_u64;

/// Arguments of `msk mikey receive`.
///
/// The trust store is built from the message: the KMS URIs of IDRkmsi and
/// IDRkmsr are trusted with --sender-kpak (used for the signature) and
/// --receiver-kms-public (used for decapsulation). The receiver's key set
/// has identifier --receiver-id and matches an IDRuidr (role 9) equal to it.
/// A message with IDRr (role 2, URI) instead is accepted only when its SAKKE
/// ID scheme is 1 (RFC 6509 monthly identifiers, computable from the URI);
/// with hashed UIDs the key period parameters would be needed, which are not
/// given. Likewise an IDRi (role 1) initiator is verified with the
/// identifier computed from its URI, which only works for ID scheme 1.
///
/// The GMK-ID (key_id of a GMK) is recovered from the GUK-ID with the
/// receiver's URI (--receiver-uri, or the IDRr URI) as TS 33.180 F.1.3 says;
/// without a URI it is read from the GMK-ID || GUK-ID MKI (SPI) of the
/// GENERIC-ID map, and is null if there is none.
///
/// Exit 1 (`invalid`, reason and check id on stderr) whenever the decoded
/// message is rejected: malformed structure (truncated, bad lengths, unknown
/// or misplaced payloads, unsupported parameters), signature, decapsulation,
/// time window, not addressed to --receiver-id, key type, key parameters.
/// Exit 2 when --message is not decodable text (base64, hex, SDP line), for
/// malformed other arguments, and for key arguments that do not parse or
/// validate (an RSK that does not validate for --receiver-id).
#[derive(Debug, Args)]
pub struct ReceiveArgs {
    /// The I_MESSAGE: `mikey BASE64`, an SDP line `a=key-mgmt:mikey BASE64`,
    /// bare base64 or hex.
    #[arg(long, value_name = "MESSAGE")]
    message: String,
    /// The KPAK of the sender's KMS (IDRkmsi), 65 octets.
    #[arg(long, value_name = "HEX")]
    sender_kpak: String,
    /// The receiver's SAKKE identifier (its UID).
    #[arg(long, value_name = "HEX")]
    receiver_id: String,
    /// The SAKKE public key Z of the receiver's KMS (IDRkmsr), 257 octets.
    #[arg(long, value_name = "HEX")]
    receiver_kms_public: String,
    /// The receiver's secret key RSK, 257 octets.
    #[arg(long, value_name = "HEX")]
    receiver_rsk: String,
    /// The receiver's URI: recovers the GMK-ID from the GUK-ID (TS 33.180 F.1.3).
    #[arg(long, value_name = "URI")]
    receiver_uri: Option<String>,
    /// Evaluate the time window as if now were this instant (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// The allowed clock skew between the T payload and now, seconds.
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true, default_value_t = DEFAULT_MAX_SKEW_SECONDS.to_string())]
    window: String,
}

/// Maps a rejection by the responder to exit 1 (`invalid`, with the reason and
/// its check id on stderr); a random-generator failure is internal (exit 3).
fn rejected(e: MikeyError) -> CliError {
    match e {
        MikeyError::Random(r) => CliError::from(r),
        other => {
            err_line(format_args!("rejected: {}", mikey_reason(&other)));
            CliError::Invalid
        }
    }
}

/// The URI of an IDR payload of the message; one that is not UTF-8 is a
/// rejection of the message (exit 1).
fn idr_text(m: &Message, role: IdRole, name: &'static str) -> Result<Option<String>, CliError> {
    match m.idr(role) {
        None => Ok(None),
        Some(i) => String::from_utf8(i.data.clone())
            .map(Some)
            .map_err(|_| rejected(MikeyError::InvalidIdentity(name))),
    }
}

/// Runs `msk mikey receive`.
pub fn run(a: &ReceiveArgs) -> Result<(), CliError> {
    let bytes = decode_message("--message", &a.message)?;
    let kpak = hexarg::decode("--sender-kpak", &a.sender_kpak)?;
    let kpak = Kpak::from_bytes(&kpak).map_err(|e| hexarg::eccsi_point("--sender-kpak", e))?;
    let receiver_id = hexarg::decode("--receiver-id", &a.receiver_id)?;
    if receiver_id.is_empty() {
        return Err(CliError::bad("--receiver-id", "must not be empty"));
    }
    let z = hexarg::decode("--receiver-kms-public", &a.receiver_kms_public)?;
    let z = KmsPublicKey::from_bytes(&z)
        .map_err(|e| hexarg::sakke_point("--receiver-kms-public", e))?;
    let rsk = hexarg::decode_secret("--receiver-rsk", &a.receiver_rsk)?;
    let rsk = Rsk::from_bytes(&rsk).map_err(|e| hexarg::sakke_point("--receiver-rsk", e))?;
    if a.receiver_uri.as_deref() == Some("") {
        return Err(CliError::bad("--receiver-uri", "must not be empty"));
    }
    let now = match &a.at {
        Some(v) => parse_rfc3339("--at", v)?,
        None => NtpTime::now().map_err(|e| CliError::Internal(e.to_string()))?,
    };
    let window = parse_u64("--window", &a.window)?;
    let window = u32::try_from(window)
        .map_err(|_| CliError::bad("--window", "larger than 4294967295 seconds"))?;

    let ctx = KmsContext::new(&z);
    let receiver_key = ReceiverKey::new(&ctx, &receiver_id, rsk).map_err(|_| {
        CliError::bad(
            "--receiver-rsk",
            "does not validate for --receiver-id under --receiver-kms-public (RFC 6508 §6.1.2)",
        )
    })?;

    // The arguments are valid: from here on any fault of the message is a
    // rejection (exit 1), structural ones included.
    let message = Message::parse_i_message(&bytes).map_err(rejected)?;
    let kmsi_uri = idr_text(&message, IdRole::InitiatorKms, "IDRkmsi")?.unwrap_or_default();
    let kmsr_uri = idr_text(&message, IdRole::ResponderKms, "IDRkmsr")?.unwrap_or_default();
    // An IDRr URI that is not UTF-8 is a rejected message (exit 1).
    idr_text(&message, IdRole::Responder, "IDRr")?;
    // Same KMS: one entry with both keys. Different KMSs: only the KPAK of
    // IDRkmsi and the Z of IDRkmsr are used by the responder.
    let (trust, period) = command_line_trust([&kmsi_uri, &kmsr_uri], &kpak, &ctx)?;

    // Without --receiver-uri the receiver is known by its identifier only: the
    // core matches IDRuidr (or an IDRr URI mapping to the identifier) and takes
    // a GMK-ID from the signed MKI (GMK-ID || GUK-ID).
    let mut user = match &a.receiver_uri {
        Some(uri) => LocalUser::new(uri, &kmsr_uri),
        None => LocalUser::without_uri(&kmsr_uri),
    };
    let period_no = period.number_at(now).unwrap_or(0);
    let set = KeySet::new(&kmsr_uri, period_no, &receiver_id, None, Some(receiver_key))
        .map_err(|e| CliError::Internal(e.to_string()))?;
    user.add_key_set(set);

    let config = ResponderConfig {
        max_skew_seconds: window,
        ..ResponderConfig::default()
    };
    let mut responder = Responder::new(user, trust, config);
    let r = responder.receive(&bytes, now).map_err(rejected)?;

    let key_id = (r.key_id_source != KeyIdSource::Unknown).then_some(r.key_id);
    let sessions: Vec<Value> = r
        .sessions
        .iter()
        .map(|s| {
            let tek = hexarg::encode_secret(s.tek.as_bytes());
            let salt = hexarg::encode_secret(s.salt.as_bytes());
            json!({
                "cs_id": s.cs_id,
                "tek": tek.as_str(),
                "salt": salt.as_str(),
                "mki": (!s.mki.is_empty()).then(|| hexarg::encode(&s.mki)),
            })
        })
        .collect();
    let ssv = hexarg::encode_secret(r.key.as_bytes());
    line(json!({
        "key_type": key_type_name(r.key_type),
        "ssv": ssv.as_str(),
        "key_id": key_id.map(|k| hexarg::encode(&k.to_bytes())),
        "csb_id": hexarg::encode(&r.csb_id.to_bytes()),
        "rand": hexarg::encode(&r.rand),
        "sender_id": hexarg::encode(&r.initiator_id),
        "sessions": sessions,
    }))
}
