//! MIKEY-SAKKE for mission-critical and government secure calling.
//!
//! This crate is the sans-I/O core of the SDK: it performs no networking,
//! spawns no threads and knows nothing of any async runtime or FFI.
//!
//! | Module | Standard |
//! |---|---|
//! | [`eccsi`] | RFC 6507 ECCSI signatures over NIST P-256 / SHA-256 |
//! | [`sakke`] | RFC 6508 SAKKE key encapsulation with RFC 6509 Appendix A parameter set 1 |
//! | [`identity`] | RFC 6509 identifiers, TS 33.180 UIDs and key periods |
//! | [`mikey`] | MIKEY-SAKKE I_MESSAGEs (RFC 3830, RFC 6043, RFC 6509, TS 33.180 Annex E) |
//! | [`kms`] | TS 33.180 Annex D KMS documents, key-set issuance and validation |
//! | [`kdf`] | MIKEY PRF and traffic keys, TS 33.180 key identifiers and derivations |
//! | [`srtp`] | SRTP/SRTCP protection (RFC 3711, RFC 6188, RFC 7714, RFC 4771) |
//! | [`random`] | the source of randomness every operation that needs it takes |
//!
//! Secrets (KSAK, SSK, z, RSK, SSV) live in types that are not `Copy`,
//! zeroize on drop, print as `Name(..)` in `Debug` and are compared only in
//! constant time.
// `deny`, not `forbid`: the one exception is `sakke::fp::fp_ifma`
// (AVX-512 IFMA intrinsics), which allows it with its justification.
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod eccsi;
pub mod identity;
pub mod kdf;
pub mod kms;
pub mod mikey;
pub mod random;
pub mod sakke;
pub mod srtp;

mod error;
pub use error::Error;
