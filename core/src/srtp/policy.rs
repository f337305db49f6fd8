//! Protection profiles and SRTP policies (RFC 3711 §8.2, RFC 6188, RFC 7714,
//! RFC 3830 §6.10.1, TS 33.180 Annex E).

use core::fmt;
use core::str::FromStr;

use super::SrtpError;

/// The six SRTP protection profiles, named as in the IANA "DTLS-SRTP
/// Protection Profiles" / SDES crypto-suite registries (RFC 5764, RFC 6188,
/// RFC 7714).
///
/// | Profile | Cipher | Master key / salt | SRTP tag | SRTCP tag |
/// |---|---|---|---|---|
/// | `AES_CM_128_HMAC_SHA1_80` | AES-128-CM + HMAC-SHA1 (RFC 3711) | 16 / 14 | 10 | 10 |
/// | `AES_CM_128_HMAC_SHA1_32` | AES-128-CM + HMAC-SHA1 (RFC 3711) | 16 / 14 | 4 | 10 |
/// | `AES_256_CM_HMAC_SHA1_80` | AES-256-CM + HMAC-SHA1 (RFC 6188) | 32 / 14 | 10 | 10 |
/// | `AES_256_CM_HMAC_SHA1_32` | AES-256-CM + HMAC-SHA1 (RFC 6188) | 32 / 14 | 4 | 10 |
/// | `AEAD_AES_128_GCM` | AES-128-GCM (RFC 7714) | 16 / 12 | 16 | 16 |
/// | `AEAD_AES_256_GCM` | AES-256-GCM (RFC 7714) | 32 / 12 | 16 | 16 |
///
/// The SRTCP tag of the `_32` suites is 80 bits (RFC 4568 §6.2.1; the 32-bit
/// tag applies to SRTP only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum Profile {
    /// `AES_CM_128_HMAC_SHA1_80` (RFC 3711 §8.2, RFC 4568).
    AesCm128HmacSha1_80,
    /// `AES_CM_128_HMAC_SHA1_32` (RFC 3711 §8.2, RFC 4568).
    AesCm128HmacSha1_32,
    /// `AES_256_CM_HMAC_SHA1_80` (RFC 6188 §2, §3).
    Aes256CmHmacSha1_80,
    /// `AES_256_CM_HMAC_SHA1_32` (RFC 6188 §2, §3).
    Aes256CmHmacSha1_32,
    /// `AEAD_AES_128_GCM` (RFC 7714).
    AeadAes128Gcm,
    /// `AEAD_AES_256_GCM` (RFC 7714).
    AeadAes256Gcm,
}

impl Profile {
    /// All six profiles.
    pub const ALL: [Profile; 6] = [
        Profile::AesCm128HmacSha1_80,
        Profile::AesCm128HmacSha1_32,
        Profile::Aes256CmHmacSha1_80,
        Profile::Aes256CmHmacSha1_32,
        Profile::AeadAes128Gcm,
        Profile::AeadAes256Gcm,
    ];

    /// The registry name, e.g. `AES_CM_128_HMAC_SHA1_80`.
    pub const fn name(self) -> &'static str {
        match self {
            Profile::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Profile::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
            Profile::Aes256CmHmacSha1_80 => "AES_256_CM_HMAC_SHA1_80",
            Profile::Aes256CmHmacSha1_32 => "AES_256_CM_HMAC_SHA1_32",
            Profile::AeadAes128Gcm => "AEAD_AES_128_GCM",
            Profile::AeadAes256Gcm => "AEAD_AES_256_GCM",
        }
    }

    /// Whether this is an AEAD (AES-GCM, RFC 7714) profile.
    pub const fn is_aead(self) -> bool {
        matches!(self, Profile::AeadAes128Gcm | Profile::AeadAes256Gcm)
    }

    /// Master key length = session encryption key length, in octets.
    pub const fn master_key_len(self) -> usize {
        match self {
            Profile::AesCm128HmacSha1_80
            | Profile::AesCm128HmacSha1_32
            | Profile::AeadAes128Gcm => 16,
            _ => 32,
        }
    }

    /// Master salt length = session salt length: 14 (AES-CM) or 12 (AEAD,
    /// RFC 7714 §11).
    pub const fn master_salt_len(self) -> usize {
        if self.is_aead() {
            12
        } else {
            14
        }
    }

    /// Session authentication key length: 20 (HMAC-SHA1) or 0 (AEAD).
    pub const fn auth_key_len(self) -> usize {
        if self.is_aead() {
            0
        } else {
            20
        }
    }

    /// The SRTP authentication tag length: 10, 4, or 16 for the GCM tag.
    pub const fn srtp_tag_len(self) -> usize {
        match self {
            Profile::AesCm128HmacSha1_80 | Profile::Aes256CmHmacSha1_80 => 10,
            Profile::AesCm128HmacSha1_32 | Profile::Aes256CmHmacSha1_32 => 4,
            Profile::AeadAes128Gcm | Profile::AeadAes256Gcm => 16,
        }
    }

    /// The SRTCP authentication tag length: 10 for every AES-CM profile
    /// (also the `_32` ones), 16 for GCM.
    pub const fn srtcp_tag_len(self) -> usize {
        if self.is_aead() {
            16
        } else {
            10
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = SrtpError;

    /// Parses a registry name (exact, upper case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or(SrtpError::UnknownProfile)
    }
}

/// The RFC 4771 integrity transform carrying the ROC ("RCC" modes).
///
/// Only RCCm3 is implemented, and only together with an AEAD profile (the
/// TS 33.180 group-call default, SPEC §7.7): the ROC is carried without a MAC
/// of its own because the GCM tag authenticates the packet and the ROC enters
/// the GCM IV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RocCarriage {
    /// ROC transmission rate R (RFC 4771 §3): the ROC is appended to packets
    /// whose `SEQ mod R = 0`. At least 1.
    pub rate: u16,
}

/// A complete SRTP policy: profile, key derivation rate, RCC mode and the
/// encryption switches (the parameters of a MIKEY SP payload, RFC 3830
/// §6.10.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SrtpPolicy {
    profile: Profile,
    kdr: u32,
    rcc: Option<RocCarriage>,
    srtp_encryption: bool,
    srtcp_encryption: bool,
}

impl From<Profile> for SrtpPolicy {
    fn from(profile: Profile) -> Self {
        SrtpPolicy::new(profile)
    }
}

/// Checks a key derivation rate: 0 or 2^0..2^24 (RFC 3711 §4.3.1).
pub(crate) fn check_kdr(kdr: u64) -> Result<u32, SrtpError> {
    if kdr == 0 || (kdr.is_power_of_two() && kdr <= 1 << 24) {
        u32::try_from(kdr).map_err(|_| SrtpError::KeyDerivationRate { kdr })
    } else {
        Err(SrtpError::KeyDerivationRate { kdr })
    }
}

impl SrtpPolicy {
    /// The policy of `profile` with kdr 0, no RCC, SRTP and SRTCP encryption on.
    pub const fn new(profile: Profile) -> Self {
        SrtpPolicy {
            profile,
            kdr: 0,
            rcc: None,
            srtp_encryption: true,
            srtcp_encryption: true,
        }
    }

    /// TS 33.180 default profile for group calls (GMK; TS 33.180 E.2, SPEC
    /// §5.8): `AEAD_AES_128_GCM`, kdr 0, RCCm3 with the ROC in every packet
    /// (R = 1), no ROC in SRTCP.
    pub const fn ts33180_group() -> Self {
        SrtpPolicy {
            rcc: Some(RocCarriage { rate: 1 }),
            ..SrtpPolicy::new(Profile::AeadAes128Gcm)
        }
    }

    /// TS 33.180 default profile for private calls (PCK; TS 33.180 E.3.2):
    /// `AEAD_AES_128_GCM`, kdr 0, no RCC.
    pub const fn ts33180_private() -> Self {
        SrtpPolicy::new(Profile::AeadAes128Gcm)
    }

    /// Sets the key derivation rate: 0 (derive once) or a power of two
    /// 2^0..2^24 (RFC 3711 §4.3.1).
    pub fn with_kdr(mut self, kdr: u64) -> Result<Self, SrtpError> {
        self.kdr = check_kdr(kdr)?;
        Ok(self)
    }

    /// Enables RFC 4771 RCCm3 ROC carriage with ROC transmission rate `rate`
    /// (AEAD profiles only).
    pub fn with_rccm3(mut self, rate: u16) -> Result<Self, SrtpError> {
        if !self.profile.is_aead() {
            return Err(SrtpError::UnsupportedPolicy(
                "RCCm3 is only supported with an AEAD profile",
            ));
        }
        if rate == 0 {
            return Err(SrtpError::PolicyParameter {
                param: 13,
                reason: "ROC transmission rate must be at least 1",
            });
        }
        self.rcc = Some(RocCarriage { rate });
        Ok(self)
    }

    /// Switches SRTP payload encryption (AES-CM profiles only: RFC 7714 has
    /// no unencrypted SRTP mode). With encryption off the payload is sent in
    /// the clear and still authenticated (RFC 3711 §9.5 null cipher).
    pub fn with_srtp_encryption(mut self, on: bool) -> Result<Self, SrtpError> {
        if !on && self.profile.is_aead() {
            return Err(SrtpError::UnsupportedPolicy(
                "SRTP encryption cannot be off with an AEAD profile",
            ));
        }
        self.srtp_encryption = on;
        Ok(self)
    }

    /// Switches SRTCP encryption: off sends E = 0 packets (RFC 3711 §3.4,
    /// RFC 7714 §9.3 authentication-only SRTCP).
    pub const fn with_srtcp_encryption(mut self, on: bool) -> Self {
        self.srtcp_encryption = on;
        self
    }

    /// The protection profile.
    pub const fn profile(&self) -> Profile {
        self.profile
    }

    /// The key derivation rate (0 = derive once).
    pub const fn kdr(&self) -> u32 {
        self.kdr
    }

    /// RCC ROC carriage, if enabled.
    pub const fn rcc(&self) -> Option<RocCarriage> {
        self.rcc
    }

    /// Whether SRTP payloads are encrypted.
    pub const fn srtp_encryption(&self) -> bool {
        self.srtp_encryption
    }

    /// Whether SRTCP packets are encrypted (E = 1).
    pub const fn srtcp_encryption(&self) -> bool {
        self.srtcp_encryption
    }

    /// Builds the policy from MIKEY SP payload parameters (SPEC §5.8).
    pub fn from_params(params: &SrtpPolicyParams) -> Result<Self, SrtpError> {
        params.to_policy()
    }
}

/// The SRTP policy parameters of a MIKEY SP payload (RFC 3830 §6.10.1, RFC
/// 4771, TS 33.180 Annex E); `None` = absent (the RFC 3830 default applies,
/// or the value implied by the encryption algorithm).
///
/// Feed the `type || length || value` entries of the payload to
/// [`SrtpPolicyParams::set`] in order (a repeated type: the last one wins)
/// and convert with [`SrtpPolicy::from_params`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SrtpPolicyParams {
    /// Type 0: encryption algorithm (0 NULL, 1 AES-CM, 2 AES-F8, 6 AES-GCM).
    pub encryption_algorithm: Option<u8>,
    /// Type 1: session encryption key length in octets.
    pub encryption_key_len: Option<u8>,
    /// Type 2: authentication algorithm (0 NULL, 1 HMAC-SHA-1, 2 RCCm1,
    /// 3 RCCm2, 4 RCCm3).
    pub authentication_algorithm: Option<u8>,
    /// Type 3: session authentication key length in octets.
    pub auth_key_len: Option<u8>,
    /// Type 4: session salt length in octets.
    pub salt_len: Option<u8>,
    /// Type 5: SRTP PRF (0 AES-CM).
    pub prf: Option<u8>,
    /// Type 6: key derivation rate (taken as the rate itself, big-endian;
    /// the encoding of non-zero values is not fixed by the sources at hand).
    pub kdr: Option<u64>,
    /// Type 7: SRTP encryption on (1) / off (0).
    pub srtp_encryption: Option<bool>,
    /// Type 8: SRTCP encryption on (1) / off (0).
    pub srtcp_encryption: Option<bool>,
    /// Type 9: sender's FEC order (0 = FEC before SRTP).
    pub fec_order: Option<u8>,
    /// Type 10: SRTP authentication on (1) / off (0).
    pub srtp_authentication: Option<bool>,
    /// Type 11: authentication tag length in octets.
    pub auth_tag_len: Option<u8>,
    /// Type 12: SRTP prefix length.
    pub prefix_len: Option<u8>,
    /// Type 13: ROC transmission rate R (RFC 4771).
    pub roc_transmission_rate: Option<u16>,
    /// Type 18: SRTP tag length used for RCC ROC carriage (TS 33.180).
    pub rcc_tag_len: Option<u8>,
    /// Type 19: SRTCP authentication tag length (TS 33.180; 0 = no ROC in SRTCP).
    pub srtcp_auth_tag_len: Option<u8>,
    /// Type 20: AEAD authentication tag length in octets.
    pub aead_tag_len: Option<u8>,
}

fn be_value(param: u8, value: &[u8], max_len: usize) -> Result<u64, SrtpError> {
    if value.is_empty() || value.len() > max_len {
        return Err(SrtpError::PolicyParameter {
            param,
            reason: "bad value length",
        });
    }
    Ok(value.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

fn octet(param: u8, value: &[u8]) -> Result<u8, SrtpError> {
    match value {
        [v] => Ok(*v),
        _ => Err(SrtpError::PolicyParameter {
            param,
            reason: "expected a one-octet value",
        }),
    }
}

fn flag(param: u8, value: &[u8]) -> Result<bool, SrtpError> {
    match octet(param, value)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(SrtpError::PolicyParameter {
            param,
            reason: "expected 0 (off) or 1 (on)",
        }),
    }
}

impl SrtpPolicyParams {
    /// The TS 33.180 group-call default parameters (E.2; SPEC §5.8).
    pub fn ts33180_group() -> Self {
        SrtpPolicyParams {
            encryption_algorithm: Some(6),
            encryption_key_len: Some(16),
            authentication_algorithm: Some(4),
            salt_len: Some(12),
            prf: Some(0),
            kdr: Some(0),
            roc_transmission_rate: Some(1),
            rcc_tag_len: Some(4),
            srtcp_auth_tag_len: Some(0),
            aead_tag_len: Some(16),
            ..Default::default()
        }
    }

    /// The TS 33.180 private-call default parameters (E.3.2).
    pub fn ts33180_private() -> Self {
        SrtpPolicyParams {
            encryption_algorithm: Some(6),
            encryption_key_len: Some(16),
            salt_len: Some(12),
            prf: Some(0),
            kdr: Some(0),
            aead_tag_len: Some(16),
            ..Default::default()
        }
    }

    /// Records one SP parameter `type || length || value`. Unknown types are
    /// ignored (RFC 3830: skipped using their length).
    pub fn set(&mut self, param: u8, value: &[u8]) -> Result<(), SrtpError> {
        match param {
            0 => self.encryption_algorithm = Some(octet(param, value)?),
            1 => self.encryption_key_len = Some(octet(param, value)?),
            2 => self.authentication_algorithm = Some(octet(param, value)?),
            3 => self.auth_key_len = Some(octet(param, value)?),
            4 => self.salt_len = Some(octet(param, value)?),
            5 => self.prf = Some(octet(param, value)?),
            6 => self.kdr = Some(be_value(param, value, 8)?),
            7 => self.srtp_encryption = Some(flag(param, value)?),
            8 => self.srtcp_encryption = Some(flag(param, value)?),
            9 => self.fec_order = Some(octet(param, value)?),
            10 => self.srtp_authentication = Some(flag(param, value)?),
            11 => self.auth_tag_len = Some(octet(param, value)?),
            12 => self.prefix_len = Some(octet(param, value)?),
            13 => {
                let rate = be_value(param, value, 2)?;
                // Two octets at most, so this fits.
                self.roc_transmission_rate = Some(u16::try_from(rate).unwrap_or(u16::MAX));
            }
            18 => self.rcc_tag_len = Some(octet(param, value)?),
            19 => self.srtcp_auth_tag_len = Some(octet(param, value)?),
            20 => self.aead_tag_len = Some(octet(param, value)?),
            _ => {}
        }
        Ok(())
    }

    /// Collects parameters from `(type, value)` pairs (see [`Self::set`]).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (u8, &'a [u8])>,
    ) -> Result<Self, SrtpError> {
        let mut params = SrtpPolicyParams::default();
        for (param, value) in pairs {
            params.set(param, value)?;
        }
        Ok(params)
    }

    fn to_policy(&self) -> Result<SrtpPolicy, SrtpError> {
        let bad = |param, reason| Err(SrtpError::PolicyParameter { param, reason });
        let aead = match self.encryption_algorithm.unwrap_or(1) {
            1 => false,
            6 => true,
            0 => {
                return bad(
                    0,
                    "NULL encryption is not supported (use SRTP encryption off)",
                )
            }
            _ => return bad(0, "only AES-CM (1) and AES-GCM (6) are supported"),
        };
        let key_len = self.encryption_key_len.unwrap_or(16);
        let rcc = match self.authentication_algorithm.unwrap_or(1) {
            1 => false,
            0 if aead => false,
            4 if aead => true,
            0 => return bad(2, "NULL authentication is not supported"),
            2..=4 => return bad(2, "only RCCm3 with AES-GCM is supported"),
            _ => return bad(2, "unknown authentication algorithm"),
        };
        if self.srtp_authentication == Some(false) && !aead {
            return bad(10, "SRTP authentication off is not supported");
        }
        if self.prf.unwrap_or(0) != 0 {
            return bad(5, "only the AES-CM PRF (0) is supported");
        }
        if self.fec_order.unwrap_or(0) != 0 {
            return bad(9, "only FEC order 0 is supported");
        }
        if self.prefix_len.unwrap_or(0) != 0 {
            return bad(12, "SRTP prefix length must be 0");
        }
        let profile = if aead {
            if self.aead_tag_len.unwrap_or(16) != 16 {
                return bad(20, "AEAD tag length must be 16");
            }
            match key_len {
                16 => Profile::AeadAes128Gcm,
                32 => Profile::AeadAes256Gcm,
                _ => return bad(1, "AES-GCM key length must be 16 or 32"),
            }
        } else {
            if self.auth_key_len.unwrap_or(20) != 20 {
                return bad(3, "HMAC-SHA-1 key length must be 20");
            }
            match (key_len, self.auth_tag_len.unwrap_or(10)) {
                (16, 10) => Profile::AesCm128HmacSha1_80,
                (16, 4) => Profile::AesCm128HmacSha1_32,
                (32, 10) => Profile::Aes256CmHmacSha1_80,
                (32, 4) => Profile::Aes256CmHmacSha1_32,
                (16 | 32, _) => return bad(11, "tag length must be 10 or 4"),
                _ => return bad(1, "AES-CM key length must be 16 or 32"),
            }
        };
        if self
            .salt_len
            .is_some_and(|l| usize::from(l) != profile.master_salt_len())
        {
            return bad(4, "salt length must be 14 (AES-CM) or 12 (AES-GCM)");
        }
        let mut policy = SrtpPolicy::new(profile)
            .with_kdr(self.kdr.unwrap_or(0))?
            .with_srtp_encryption(self.srtp_encryption.unwrap_or(true))?
            .with_srtcp_encryption(self.srtcp_encryption.unwrap_or(true));
        if rcc {
            if self.rcc_tag_len.unwrap_or(4) != 4 {
                return bad(18, "RCCm3 ROC tag length must be 4");
            }
            policy = policy.with_rccm3(self.roc_transmission_rate.unwrap_or(1))?;
        }
        Ok(policy)
    }
}
