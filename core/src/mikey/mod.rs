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
//!
//! Errors are [`MikeyError`], one variant per SPEC §9 checklist condition.

mod codec;
mod error;
mod header;
mod initiator;
pub mod key_params;
mod keys;
mod message;
mod payload;
mod replay;
mod responder;
mod text;

pub use error::MikeyError;
pub use header::{
    CommonHeader, CsIdMap, DataType, GenericIdEntry, PrfFunc, SrtpIdEntry, MIKEY_VERSION,
};
pub use initiator::{initiate, CsMapChoice, InitiateRequest, InitiatedMessage, RAND_LEN};
pub use keys::{identifier, KeySet, LocalUser, TrustStore, TrustedKms};
pub use message::{Message, MIN_RAND_LEN};
pub use payload::{
    payload_type, srtp_param, AuthAlgorithm, EncryptionAlgorithm, ErrPayload, GeneralExtension,
    IdRole, IdScheme, IdType, IdrPayload, Payload, PolicyParam, SakkeParams, SakkePayload,
    SignPayload, SignatureType, SpPayload, SrtpPolicy, Timestamp, EXT_KEY_PARAMETERS,
    EXT_SAKKE_TO_SELF, PROT_TYPE_SRTP, SIGN_HEADER_LEN,
};
pub use replay::{ReplayCache, DEFAULT_REPLAY_CAPACITY};
pub use responder::{
    default_cs_ids, default_profile, CryptoSession, InitiatorIdentity, ReceivedKey, Responder,
    ResponderConfig, DEFAULT_MAX_SKEW_SECONDS,
};
pub use text::{
    decode_sdp_attribute, decode_text, encode_sdp_attribute, encode_text, PROTOCOL_ID,
    SDP_ATTRIBUTE_PREFIX,
};
