//! SRTP and SRTCP (RFC 3711, RFC 6188, RFC 7714, RFC 4771), sans-I/O.
//!
//! | Standard | Content | Here |
//! |---|---|---|
//! | RFC 3711 §4.3, RFC 6188 §3, RFC 7714 §11 | session key derivation (AES-CM PRF, any kdr) | [`derive_session_keys`], [`prf`] |
//! | RFC 3711 §3.3, §3.4, §4.1.1, §4.2.1 | AES-CM + HMAC-SHA1 SRTP/SRTCP | [`SrtpContext`] |
//! | RFC 6188 | AES-256-CM suites | [`Profile::Aes256CmHmacSha1_80`], [`Profile::Aes256CmHmacSha1_32`] |
//! | RFC 7714 §8, §9 | AES-GCM SRTP/SRTCP (E = 1 and E = 0) | [`Profile::AeadAes128Gcm`], [`Profile::AeadAes256Gcm`] |
//! | RFC 3711 §3.3.1, Appendix A | ROC / packet index estimation | [`SrtpContext::unprotect_rtp_in_place`] |
//! | RFC 3711 §3.3.2 | replay window (default 128) | [`SrtpOptions::replay_window`] |
//! | RFC 4771 | RCCm3 ROC carriage (TS 33.180 group calls) | [`SrtpPolicy::ts33180_group`] |
//! | RFC 3830 §6.10.1 | SP payload policy parameters | [`SrtpPolicyParams`], [`SrtpPolicy::from_params`] |
//!
//! # Example
//!
//! ```
//! use mikey_sakke::srtp::{Profile, SrtpContext, SrtpOptions, SrtpPolicy};
//!
//! # fn main() -> Result<(), mikey_sakke::srtp::SrtpError> {
//! let key = [0x11; 16];
//! let salt = [0x22; 12];
//! let mki = [0, 0, 0, 1];
//! let options = SrtpOptions { mki: Some(&mki), ..SrtpOptions::default() };
//! // TS 33.180 private call: AEAD_AES_128_GCM, kdr 0.
//! let mut tx = SrtpContext::new(SrtpPolicy::ts33180_private(), &key, &salt, &options)?;
//! let mut rx = SrtpContext::new(Profile::AeadAes128Gcm, &key, &salt, &options)?;
//!
//! let rtp = [0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe, 1, 2, 3];
//! let mut packet = Vec::with_capacity(rtp.len() + tx.rtp_overhead());
//! packet.extend_from_slice(&rtp);
//! tx.protect_rtp(&mut packet)?; // no allocation: the capacity suffices
//! assert_eq!(packet.len(), rtp.len() + 16 + 4);
//! rx.unprotect_rtp(&mut packet)?;
//! assert_eq!(packet, rtp);
//! // The same packet again is a replay (RFC 3711 §3.3.2).
//! # Ok(())
//! # }
//! ```
//!
//! # Secrets
//!
//! Master keys, salts and session keys ([`MasterKey`], [`SessionKey`], …)
//! are not `Copy`, zeroize on drop, print as `Name(..)` and compare only in
//! constant time. A context keeps no copy of the master key, only the AES key
//! schedules (zeroized on drop by the `aes` crate) and the HMAC state.
//! Authentication tags are compared in constant time; a failed check gives
//! the uninformative [`SrtpError::AuthenticationFailed`].

mod context;
mod crypto;
mod error;
mod keys;
mod policy;
mod replay;
#[cfg(test)]
mod tests;

pub use context::{SrtpContext, SrtpOptions, DEFAULT_REPLAY_WINDOW, MAX_MKI_LEN};
pub use crypto::aes_cm_xor;
pub use error::SrtpError;
pub use keys::{
    derive_session_keys, label, prf, DerivedKeys, MasterKey, MasterSalt, SessionAuthKey,
    SessionKey, SessionKeys, SessionSalt,
};
pub use policy::{Profile, RocCarriage, SrtpPolicy, SrtpPolicyParams};
