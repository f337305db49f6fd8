//! MIKEY-SAKKE for mission-critical and government secure calling.
//!
//! This crate is the sans-I/O core of the SDK: it performs no networking,
//! spawns no threads and knows nothing of any async runtime or FFI.
//!
//! | Module | Standard |
//! |---|---|
//! | [`eccsi`] | RFC 6507 ECCSI signatures over NIST P-256 / SHA-256 |
//! | [`sakke`] | RFC 6508 SAKKE key encapsulation with RFC 6509 Appendix A parameter set 1 |
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
pub mod random;
pub mod sakke;

mod error;
pub use error::Error;
