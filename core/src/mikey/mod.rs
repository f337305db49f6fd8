//! MIKEY-SAKKE messages (RFC 3830, RFC 6043, RFC 6509, TS 33.180 Annex E).
//!
//! * A typed, bounds-checked codec: [`Message`] ([`Message::parse`],
//!   [`Message::to_bytes`]) with the common header ([`CommonHeader`]) and every
//!   payload a MIKEY-SAKKE I_MESSAGE uses ([`Payload`], [`SignPayload`]). Parsing
//!   rejects every length that leaves the message, unknown payload types and trailing
//!   octets; unknown enumerated values are kept, so a parsed message re-encodes to
//!   exactly the octets received.
//! * The text forms `mikey <base64>` and `a=key-mgmt:mikey <base64>` (RFC 4567):
//!   [`encode_text`], [`decode_text`], [`encode_sdp_attribute`],
//!   [`decode_sdp_attribute`].
//!
//! * The I_MESSAGE procedures: [`initiate`] builds and signs an I_MESSAGE
//!   ([`InitiateRequest`] → [`InitiatedMessage`]); a [`Responder`] checks, verifies
//!   and decapsulates one ([`Responder::receive`] → [`ReceivedKey`]) against the
//!   KMSs it trusts ([`TrustStore`], [`TrustedKms`]), the user's key sets
//!   ([`LocalUser`], [`KeySet`]) and a [`ReplayCache`]. No clock is read: callers pass
//!   the time.
//! * [`key_params`]: the type-7 key-parameters extension (TS 33.180 E.6).
//! * SRTP keying: both ends get the same SRTP/SRTCP context for a crypto session
//!   in one call ([`InitiatedMessage::srtp_context`], [`ReceivedKey::srtp_context`],
//!   [`CryptoSession::srtp_context`]): TEK and salt of the cs_id ([`cs_id`]), the
//!   policy of the SP payload or the TS 33.180 default profile, the §7.4 MKI. Group
//!   media from another member: [`ReceivedKey::sender_srtp_context`].
//!
//! Errors are [`MikeyError`], one variant per SPEC §9 checklist condition.
//!
//! ```
//! use mikey_sakke::eccsi::{EccsiKms, SigningKey};
//! use mikey_sakke::identity::{KeyPeriod, NtpTime, Uid};
//! use mikey_sakke::kdf::KeyType;
//! use mikey_sakke::mikey::*;
//! use mikey_sakke::random::OsRandom;
//! use mikey_sakke::sakke::{KmsContext, ReceiverKey, SakkeKms};
//! # fn main() -> Result<(), mikey_sakke::Error> {
//! // A KMS (normally reached through the KMS client) and the KMS the users trust.
//! let eccsi = EccsiKms::generate(&mut OsRandom)?;
//! let sakke = SakkeKms::generate(&mut OsRandom)?;
//! let kms = TrustedKms::with_context(
//!     "kms.example.org",
//!     eccsi.kpak().clone(),
//!     KmsContext::new(sakke.public_key()),
//!     KeyPeriod::new(2_592_000, 0)?,
//! );
//! let mut trust = TrustStore::new();
//! trust.insert(kms.clone());
//! let now = NtpTime::from_unix_seconds(1_795_000_000)?;
//! let n = kms.key_period().number_at(now)?;
//!
//! // Each user's key set for period n: SSK/PVT for signing, RSK for receiving.
//! let keys = |uri: &str| -> Result<KeySet, mikey_sakke::Error> {
//!     let uid = Uid::derive(uri, kms.uri(), kms.key_period(), n)?;
//!     let id = uid.as_bytes();
//!     let (ssk, pvt) = eccsi.issue(id, &mut OsRandom)?;
//!     let signing = SigningKey::new(eccsi.kpak(), id, ssk, pvt)?;
//!     let receiving = ReceiverKey::new(kms.sakke(), id, sakke.issue_rsk(id)?)?;
//!     Ok(KeySet::new(kms.uri(), n, id, Some(signing), Some(receiving))?)
//! };
//! let mut gms = LocalUser::new("sip:gms@example.org", kms.uri());
//! gms.add_key_set(keys("sip:gms@example.org")?);
//! let mut alice = LocalUser::new("sip:alice@example.org", kms.uri());
//! alice.add_key_set(keys("sip:alice@example.org")?);
//! alice.precompute();
//!
//! // Initiator: a GMK for alice.
//! let request = InitiateRequest::new(KeyType::Gmk, "sip:alice@example.org", kms.uri(), now);
//! let sent = initiate(&gms, &trust, request, &mut OsRandom)?;
//! // sent.text == "mikey ARoF…", sent.key is the GMK, sent.key_id the GMK-ID.
//!
//! // Responder.
//! let mut responder = Responder::new(alice, trust, ResponderConfig::default());
//! let received = responder.receive_text(&sent.text, now)?;
//! assert_eq!(received.key_id, sent.key_id);
//! let session = received.session(cs_id::MCPTT_GROUP).expect("cs_id 4"); // TEK, salt, MKI
//!
//! // SRTP: both ends derive the same context (group profile: AES-128-GCM, RCCm3).
//! let mut tx = sent.srtp_context(cs_id::MCPTT_GROUP)?;
//! let mut rx = received.srtp_context(cs_id::MCPTT_GROUP)?;
//! let mut packet = vec![0x80, 0x60, 0, 1, 0, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe, 1, 2, 3];
//! tx.protect_rtp(&mut packet)?;
//! rx.unprotect_rtp(&mut packet)?;
//! # let _ = session;
//! # Ok(())
//! # }
//! ```

mod codec;
mod error;
mod header;
mod initiator;
pub mod key_params;
mod keys;
mod media;
mod message;
mod payload;
mod replay;
mod responder;
mod text;

pub use error::MikeyError;
pub use header::{
    CommonHeader, CsIdMap, DataType, GenericIdEntry, PrfFunc, SrtpIdEntry, MIKEY_VERSION,
};
pub use initiator::{initiate, CsMapChoice, GroupKey, InitiateRequest, InitiatedMessage, RAND_LEN};
pub use keys::{identifier, KeySet, LocalUser, TrustStore, TrustedKms};
pub use media::cs_id;
pub use message::{Message, MIN_RAND_LEN};
pub use payload::{
    payload_type, srtp_param, AuthAlgorithm, EncryptionAlgorithm, ErrPayload, GeneralExtension,
    IdRole, IdScheme, IdType, IdrPayload, Payload, PolicyParam, SakkeParams, SakkePayload,
    SignPayload, SignatureType, SpPayload, SrtpPolicy, Timestamp, EXT_KEY_PARAMETERS,
    EXT_SAKKE_TO_SELF, PROT_TYPE_SRTP, SIGN_HEADER_LEN,
};
pub use replay::{ReplayCache, DEFAULT_REPLAY_CAPACITY};
pub use responder::{
    default_cs_ids, default_profile, CryptoSession, InitiatorIdentity, KeyIdSource, ReceivedKey,
    Responder, ResponderConfig, DEFAULT_MAX_SKEW_SECONDS,
};
pub use text::{
    decode_sdp_attribute, decode_text, encode_sdp_attribute, encode_text, PROTOCOL_ID,
    SDP_ATTRIBUTE_PREFIX,
};
