//! The crate-level error type.

/// Any error of this crate: one variant per module, each wrapping that
/// module's own error enum.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An ECCSI (RFC 6507) error.
    #[error(transparent)]
    Eccsi(#[from] crate::eccsi::EccsiError),
    /// A SAKKE (RFC 6508) error.
    #[error(transparent)]
    Sakke(#[from] crate::sakke::SakkeError),
    /// An identifier or key-period error.
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
    /// A key-derivation error.
    #[error(transparent)]
    Kdf(#[from] crate::kdf::KdfError),
    /// A KMS document, issuance or key-set validation error.
    #[error(transparent)]
    Kms(#[from] crate::kms::KmsDocError),
    /// A MIKEY message error.
    #[error(transparent)]
    Mikey(#[from] crate::mikey::MikeyError),
    /// An SRTP/SRTCP error.
    #[error(transparent)]
    Srtp(#[from] crate::srtp::SrtpError),
    /// The system random number generator failed.
    #[error(transparent)]
    Random(#[from] crate::random::RandomError),
}
