//! MIKEY-SAKKE messages (RFC 3830, RFC 6043, RFC 6509, TS 33.180 Annex E).

pub mod key_params;
/// Errors of this module.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum MikeyError {}
