//! The error type of the SRTP module.

/// Errors of the SRTP/SRTCP layer.
///
/// No variant carries key material; [`SrtpError::AuthenticationFailed`] says
/// nothing about why a tag did not verify (RFC 3711 §3.3 step 5: the packet is
/// simply dropped).
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum SrtpError {
    /// The profile name is not one of the six supported SRTP protection profiles.
    #[error("unknown SRTP protection profile")]
    UnknownProfile,
    /// The master key has the wrong length for the profile.
    #[error("master key must be {expected} octets, got {got}")]
    MasterKeyLength {
        /// The length the profile needs.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// The master salt has the wrong length for the profile (14 for AES-CM,
    /// 12 for AEAD, RFC 7714 §11).
    #[error("master salt must be {expected} octets, got {got}")]
    MasterSaltLength {
        /// The length the profile needs.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A key or salt given to a low-level function has an unsupported length.
    #[error("unsupported key length {len}")]
    KeyLength {
        /// The length given.
        len: usize,
    },
    /// The MKI is empty or longer than [`MAX_MKI_LEN`](super::MAX_MKI_LEN) octets.
    #[error("MKI length {len} is not in 1..=128")]
    MkiLength {
        /// The length given.
        len: usize,
    },
    /// The key derivation rate is not 0 or a power of two 2^0..2^24
    /// (RFC 3711 §4.3.1).
    #[error("key derivation rate {kdr} is not 0 or a power of two up to 2^24")]
    KeyDerivationRate {
        /// The rate given.
        kdr: u64,
    },
    /// The replay window size is outside 64..=32768 (RFC 3711 §3.3.2 requires
    /// at least 64).
    #[error("replay window size {size} is not in 64..=32768")]
    ReplayWindowSize {
        /// The size given.
        size: u32,
    },
    /// An SRTP policy parameter (MIKEY SP payload, RFC 3830 §6.10.1) has a
    /// value this implementation cannot use.
    #[error("SRTP policy parameter type {param}: {reason}")]
    PolicyParameter {
        /// The parameter type.
        param: u8,
        /// What is wrong with its value.
        reason: &'static str,
    },
    /// The combination of policy parameters is not supported.
    #[error("unsupported SRTP policy: {0}")]
    UnsupportedPolicy(&'static str),
    /// The packet is shorter than its headers, MKI and tag (RFC 3711 §3.3,
    /// §3.4).
    #[error("packet too short: {len} octets, at least {min} needed")]
    PacketTooShort {
        /// The packet length.
        len: usize,
        /// The minimum length for this packet's header, MKI and tag.
        min: usize,
    },
    /// The RTP/RTCP version field is not 2.
    #[error("RTP/RTCP version {version}, expected 2")]
    BadVersion {
        /// The version found.
        version: u8,
    },
    /// The buffer cannot hold the protected packet.
    #[error("buffer too small: {needed} octets needed, {capacity} available")]
    BufferTooSmall {
        /// Octets needed.
        needed: usize,
        /// Octets available.
        capacity: usize,
    },
    /// The packet carries an MKI that is not this context's (RFC 3711 §3.3
    /// step 2).
    #[error("unknown MKI")]
    UnknownMki,
    /// The authentication tag (HMAC-SHA1 or GCM) did not verify.
    #[error("authentication failed")]
    AuthenticationFailed,
    /// The packet index was already received (RFC 3711 §3.3.2).
    #[error("replayed packet (index {index} already received)")]
    ReplayDuplicate {
        /// The SRTP packet index or SRTCP index.
        index: u64,
    },
    /// The packet index is older than the replay window (RFC 3711 §3.3.2).
    #[error("packet index {index} is older than the replay window")]
    ReplayTooOld {
        /// The SRTP packet index or SRTCP index.
        index: u64,
    },
    /// The master key has protected 2^48 SRTP or 2^31 SRTCP packets and must
    /// be replaced (RFC 3711 §9.2).
    #[error("master key exhausted: re-key")]
    KeyExhausted,
}
