//! User identifiers and key periods (RFC 6509 §3.2, TS 33.180 F.2.1).

/// Errors of this module.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum IdentityError {}
