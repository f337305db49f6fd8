//! The one error type of the bindings: small and stable, so apps can branch
//! on it across releases. Messages never carry key material; verification
//! failures are deliberately uninformative.

use mikey_sakke::mikey::MikeyError;
use mikey_sakke::srtp::SrtpError;
use mikey_sakke_kms::client::ClientError;
use mikey_sakke_kms::keystore::KeyStoreError;

/// What went wrong. Kotlin sees `MikeySakkeException.<Variant>`, Swift
/// `MikeySakkeError.<variant>`, Python `MikeySakkeError.<Variant>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum MikeySakkeError {
    /// An argument is unusable (bad URI, bad hex, closed object, buffer too
    /// small, wrong cs_id).
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What was wrong.
        reason: String,
    },
    /// A MIKEY message, SDP line or packet cannot be decoded.
    #[error("malformed message: {reason}")]
    MalformedMessage {
        /// What was wrong.
        reason: String,
    },
    /// A signature, decapsulation or SRTP authentication tag did not verify.
    #[error("verification failed")]
    VerificationFailed,
    /// No usable key: no key set for the key period, a revoked or expired
    /// certificate, a message for someone else, keys that fail validation.
    #[error("key not valid: {reason}")]
    KeyNotValid {
        /// Which check failed.
        reason: String,
    },
    /// The message names a KMS this device does not trust.
    #[error("unknown KMS")]
    UnknownKms,
    /// Outside the allowed clock skew, or a replay (MIKEY or SRTP).
    #[error("stale or replayed message")]
    StaleOrReplayed,
    /// The KMS could not be reached or refused the request.
    #[error("KMS: {reason}")]
    Kms {
        /// What happened (network error, HTTP status, KMS error text).
        reason: String,
    },
    /// Anything else (random source, key store I/O).
    #[error("internal error: {reason}")]
    Internal {
        /// What happened.
        reason: String,
    },
}

impl MikeySakkeError {
    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        MikeySakkeError::InvalidInput {
            reason: reason.into(),
        }
    }

    pub(crate) fn closed() -> Self {
        Self::invalid("the object was wiped or closed")
    }

    pub(crate) fn internal(reason: impl std::fmt::Display) -> Self {
        MikeySakkeError::Internal {
            reason: reason.to_string(),
        }
    }

    fn malformed(reason: impl std::fmt::Display) -> Self {
        MikeySakkeError::MalformedMessage {
            reason: reason.to_string(),
        }
    }

    fn key(reason: impl std::fmt::Display) -> Self {
        MikeySakkeError::KeyNotValid {
            reason: reason.to_string(),
        }
    }
}

impl From<MikeyError> for MikeySakkeError {
    fn from(e: MikeyError) -> Self {
        use MikeyError as M;
        match e {
            M::SignatureInvalid
            | M::DecapsulationFailed
            | M::KeyParametersInvalid
            | M::InitiatorIdentityMismatch => MikeySakkeError::VerificationFailed,
            M::UnknownKms => MikeySakkeError::UnknownKms,
            M::ClockSkew | M::Replay => MikeySakkeError::StaleOrReplayed,
            M::NotForReceiver | M::NoKeyForPeriod | M::Eccsi(_) | M::Sakke(_) => Self::key(e),
            M::FieldTooLong(_)
            | M::InvalidInput(_)
            | M::InvalidIdentifier { .. }
            | M::UnknownUri(_) => Self::invalid(e.to_string()),
            M::Random(_) | M::ReplayCacheFull | M::Kdf(_) => Self::internal(e),
            _ => Self::malformed(e),
        }
    }
}

impl From<SrtpError> for MikeySakkeError {
    fn from(e: SrtpError) -> Self {
        use SrtpError as S;
        match e {
            S::AuthenticationFailed => MikeySakkeError::VerificationFailed,
            S::ReplayDuplicate { .. } | S::ReplayTooOld { .. } => MikeySakkeError::StaleOrReplayed,
            S::PacketTooShort { .. } | S::BadVersion { .. } | S::UnknownMki => Self::malformed(e),
            S::BufferTooSmall { .. } => Self::invalid(e.to_string()),
            S::KeyExhausted => Self::key(e),
            _ => Self::invalid(e.to_string()),
        }
    }
}

impl From<mikey_sakke::Error> for MikeySakkeError {
    fn from(e: mikey_sakke::Error) -> Self {
        use mikey_sakke::Error as E;
        match e {
            E::Mikey(m) => m.into(),
            E::Srtp(s) => s.into(),
            E::Random(r) => Self::internal(r),
            E::Kms(d) => Self::malformed(d),
            other => Self::key(other),
        }
    }
}

impl From<ClientError> for MikeySakkeError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::BadUrl(_) | ClientError::TlsConfig(_) => Self::invalid(e.to_string()),
            ClientError::Validation { .. } => Self::key(e),
            _ => MikeySakkeError::Kms {
                reason: e.to_string(),
            },
        }
    }
}

impl From<KeyStoreError> for MikeySakkeError {
    fn from(e: KeyStoreError) -> Self {
        match e {
            KeyStoreError::UntrustedKms(_) => MikeySakkeError::UnknownKms,
            KeyStoreError::Mikey(m) => m.into(),
            KeyStoreError::Doc(_) => Self::key(e),
            _ => Self::internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_is_by_category() {
        assert_eq!(
            MikeySakkeError::from(MikeyError::SignatureInvalid),
            MikeySakkeError::VerificationFailed
        );
        assert_eq!(
            MikeySakkeError::from(MikeyError::Replay),
            MikeySakkeError::StaleOrReplayed
        );
        assert_eq!(
            MikeySakkeError::from(MikeyError::UnknownKms),
            MikeySakkeError::UnknownKms
        );
        assert!(matches!(
            MikeySakkeError::from(MikeyError::Truncated("HDR")),
            MikeySakkeError::MalformedMessage { .. }
        ));
        assert!(matches!(
            MikeySakkeError::from(MikeyError::NoKeyForPeriod),
            MikeySakkeError::KeyNotValid { .. }
        ));
        assert_eq!(
            MikeySakkeError::from(SrtpError::AuthenticationFailed),
            MikeySakkeError::VerificationFailed
        );
        assert!(matches!(
            MikeySakkeError::from(ClientError::Timeout),
            MikeySakkeError::Kms { .. }
        ));
        assert!(matches!(
            MikeySakkeError::from(ClientError::BadUrl("x".into())),
            MikeySakkeError::InvalidInput { .. }
        ));
    }
}
