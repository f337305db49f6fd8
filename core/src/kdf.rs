//! Key derivation: the MIKEY PRF (RFC 3830 §4.1.2, RFC 6043), traffic keys
//! (RFC 3830 §4.1.3) and the TS 33.180 / TS 33.220 derivations.

/// Errors of this module.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum KdfError {}
