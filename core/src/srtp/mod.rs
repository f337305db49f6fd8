//! SRTP and SRTCP (RFC 3711, RFC 6188, RFC 7714, RFC 4771).

/// Errors of this module.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum SrtpError {}
