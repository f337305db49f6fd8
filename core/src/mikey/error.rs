//! The MIKEY error type, one variant per rejection condition of the SPEC §9 checklist.

use crate::eccsi::EccsiError;
use crate::kdf::KdfError;
use crate::random::RandomError;
use crate::sakke::SakkeError;

/// Errors of MIKEY message parsing, building and processing.
///
/// Every rejection condition of the SPEC §9 checklist that this module checks has its
/// own variant; [`MikeyError::check_id`] returns the checklist identifier (`"E2"`,
/// `"H5"`, `"C1"`, …) so that tests and logs can name the exact reason.
///
/// Cryptographic failures ([`MikeyError::SignatureInvalid`],
/// [`MikeyError::DecapsulationFailed`]) deliberately carry no detail, and no variant
/// ever carries key material.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum MikeyError {
    /// E1: the text form does not start with `mikey` and whitespace, or its base64 is
    /// malformed (RFC 4567).
    #[error("malformed MIKEY text form: {0}")]
    Text(&'static str),
    /// E2: a length field points beyond the end of the message (RFC 3830 §6).
    #[error("MIKEY message truncated in {0}")]
    Truncated(&'static str),
    /// E3: octets follow the last payload (or the SIGN payload, which must be last).
    #[error("{0} trailing octets after the last MIKEY payload")]
    TrailingOctets(usize),
    /// E3: the payload chain ends without the SIGN payload an I_MESSAGE requires.
    #[error("the payload chain ends before the SIGN payload")]
    MissingSignature,
    /// E4: a payload type this implementation cannot parse (its length is unknown, so
    /// the rest of the chain cannot be walked).
    #[error("unknown or unsupported MIKEY payload type {0}")]
    UnknownPayload(u8),
    /// E5: a T payload with a TS type other than NTP-UTC (0), NTP (1) or COUNTER (2);
    /// for an I_MESSAGE, anything but NTP-UTC (TS 33.180 E.1.1).
    #[error("unsupported timestamp type {0}")]
    UnsupportedTimestampType(u8),
    /// E8: the SIGN payload's S type is not ECCSI (2).
    #[error("unsupported signature type {0}")]
    UnsupportedSignatureType(u8),
    /// E8: the ECCSI signature is not 129 octets long.
    #[error("ECCSI signature is {0} octets long, expected 129")]
    SignatureLength(usize),
    /// E9: SAKKE data length outside 258…273 (SPEC §3.10).
    #[error("SAKKE data is {0} octets long, expected 258 to 273")]
    SakkeDataLength(usize),
    /// H1: the header version is not 1 (RFC 3830 §6.1).
    #[error("unsupported MIKEY version {0}")]
    UnsupportedVersion(u8),
    /// H2: the data type is not the one expected (26 for an I_MESSAGE).
    #[error("unexpected MIKEY data type {0}")]
    UnexpectedDataType(u8),
    /// H3: the PRF function is not supported.
    #[error("unsupported MIKEY PRF function {0}")]
    UnsupportedPrf(u8),
    /// H4: the CS ID map type is unknown (its length cannot be known).
    #[error("unknown CS ID map type {0}")]
    UnknownCsIdMapType(u8),
    /// H4: the empty CS ID map with `#CS ≠ 0` (rejected by the parser), or
    /// `#CS = 0` with an SRTP-ID or GENERIC-ID map when the responder has no
    /// default profile (`ResponderConfig::allow_default_profile` false; the
    /// parser accepts it and by default the key type's default profile applies).
    #[error("CS ID map inconsistent with #CS")]
    CsIdMapCount,
    /// H5: a mandatory payload is missing (RFC 6509 §4, TS 33.180 E.1.2).
    #[error("mandatory payload {0} is missing")]
    MissingPayload(&'static str),
    /// H5: a payload that must appear once appears more than once.
    #[error("payload {0} appears more than once")]
    DuplicatePayload(&'static str),
    /// H6: SAKKE params other than parameter set 1.
    #[error("unsupported SAKKE parameter set {0}")]
    UnsupportedSakkeParams(u8),
    /// H6: SAKKE ID scheme other than 1 (RFC 6509) or 2 (TS 33.180 UID), or other
    /// than 2 in a SAKKE-to-self extension (type 6, SPEC §5.9).
    #[error("unsupported SAKKE ID scheme {0}")]
    UnsupportedIdScheme(u8),
    /// H7: the key type (purpose tag of the CSB ID) is not the expected one, or the
    /// key-parameters extension names another key type.
    #[error("key type does not match the expected or declared key type")]
    KeyTypeMismatch,
    /// H7: a GENERIC-ID SPI (MKI) disagrees with the key identity: for a GMK an
    /// 8-octet SPI other than GMK-ID ‖ GUK-ID (the GMK-ID as recovered for this
    /// receiver, the GUK-ID the CSB ID), for other keys a 4-octet SPI other than
    /// the key id, or an SPI whose purpose tag is not the key's.
    #[error("the GENERIC-ID SPI does not match the key identity")]
    KeyIdMismatch,
    /// H8: the DPPK-ID of the key-parameters extension differs from the CSB ID.
    #[error("key-parameters DPPK-ID differs from the CSB ID")]
    KeyParametersId,
    /// H8: the key-parameters extension does not decrypt (GCM tag failure) or is malformed.
    #[error("key-parameters extension cannot be decrypted")]
    KeyParametersInvalid,
    /// K1: IDRkmsi or IDRkmsr names a KMS that is not trusted, whose
    /// certificate is revoked, or outside its validity period.
    #[error("unknown KMS")]
    UnknownKms,
    /// K2: the message is not addressed to any of the receiver's identities.
    #[error("the message is not addressed to this receiver")]
    NotForReceiver,
    /// K3: no key set is held for the key period of the message (N−1, N, N+1 tried).
    #[error("no key set for the key period of the message")]
    NoKeyForPeriod,
    /// K5: the initiator URI learned later does not hash to the UID in IDRuidi.
    #[error("initiator identity does not match the hidden initiator UID")]
    InitiatorIdentityMismatch,
    /// R1: the timestamp is outside the allowed clock skew.
    #[error("timestamp outside the allowed clock skew")]
    ClockSkew,
    /// R2: the message replays one already accepted.
    #[error("replayed MIKEY message")]
    Replay,
    /// R2: the replay cache is full of unexpired entries, so the message cannot be
    /// recorded and is refused (RFC 3830 §5.4).
    #[error("replay cache full")]
    ReplayCacheFull,
    /// C1: the ECCSI signature does not verify. Deliberately uninformative.
    #[error("MIKEY signature verification failed")]
    SignatureInvalid,
    /// C2: SAKKE decapsulation failed. Deliberately uninformative.
    #[error("SAKKE decapsulation failed")]
    DecapsulationFailed,
    /// RAND shorter than 16 octets (SPEC §5.5 receiver policy).
    #[error("RAND of {0} octets is too short")]
    RandTooShort(usize),
    /// An identity payload is malformed for its role (e.g. a UID that is not 32 octets,
    /// a KMS URI that is not UTF-8).
    #[error("malformed identity in {0}")]
    InvalidIdentity(&'static str),
    /// A value does not fit its wire field when building a message.
    #[error("{0} is too long for its MIKEY field")]
    FieldTooLong(&'static str),
    /// Invalid input to the initiator (e.g. a key id whose purpose tag does not match
    /// the key type).
    #[error("invalid initiator input: {0}")]
    InvalidInput(&'static str),
    /// An explicit identifier given to the initiator is unusable: empty, or not a
    /// 32-octet UID where identities are hidden (IDRuidi / IDRuidr carry UIDs,
    /// TS 33.180 E.7).
    #[error("the {name} identifier of {len} octets is unusable: {reason}")]
    InvalidIdentifier {
        /// `"initiator"` or `"responder"`.
        name: &'static str,
        /// Its length in octets.
        len: usize,
        /// Why it is refused.
        reason: &'static str,
    },
    /// An identifier must be derived from the URI of a user whose URI is not known
    /// ([`LocalUser::without_uri`](super::LocalUser::without_uri)) and no explicit
    /// identifier was given.
    #[error("the {0} URI is not known and no identifier was given")]
    UnknownUri(&'static str),
    /// A SAKKE error while encapsulating (initiator side).
    #[error(transparent)]
    Sakke(SakkeError),
    /// An ECCSI error while signing (initiator side).
    #[error(transparent)]
    Eccsi(EccsiError),
    /// E6/E7: the SAKKE data's `R` is not a valid point (encoding, coordinate range,
    /// curve equation).
    #[error("invalid SAKKE data: {0}")]
    InvalidSakkeData(SakkeError),
    /// A key-derivation error.
    #[error(transparent)]
    Kdf(KdfError),
    /// The random number generator failed.
    #[error(transparent)]
    Random(#[from] RandomError),
}

impl MikeyError {
    /// The SPEC §9 checklist identifier of this rejection, if it has one.
    pub fn check_id(&self) -> Option<&'static str> {
        use MikeyError::*;
        Some(match self {
            Text(_) => "E1",
            Truncated(_) => "E2",
            TrailingOctets(_) | MissingSignature => "E3",
            UnknownPayload(_) => "E4",
            UnsupportedTimestampType(_) => "E5",
            UnsupportedSignatureType(_) | SignatureLength(_) => "E8",
            SakkeDataLength(_) => "E9",
            UnsupportedVersion(_) => "H1",
            UnexpectedDataType(_) => "H2",
            UnsupportedPrf(_) => "H3",
            UnknownCsIdMapType(_) | CsIdMapCount => "H4",
            MissingPayload(_) | DuplicatePayload(_) => "H5",
            UnsupportedSakkeParams(_) | UnsupportedIdScheme(_) => "H6",
            KeyTypeMismatch | KeyIdMismatch => "H7",
            KeyParametersId | KeyParametersInvalid => "H8",
            UnknownKms => "K1",
            NotForReceiver => "K2",
            NoKeyForPeriod => "K3",
            InitiatorIdentityMismatch => "K5",
            ClockSkew => "R1",
            Replay | ReplayCacheFull => "R2",
            InvalidSakkeData(SakkeError::PointLength(_) | SakkeError::PointFormat(_)) => "E6",
            InvalidSakkeData(_) => "E7",
            SignatureInvalid => "C1",
            DecapsulationFailed => "C2",
            _ => return None,
        })
    }
}
