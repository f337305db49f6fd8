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
    /// The system random number generator failed.
    #[error(transparent)]
    Random(#[from] crate::random::RandomError),
}
