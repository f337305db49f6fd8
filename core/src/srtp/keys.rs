//! Master keys, session keys and the AES-CM key derivation (RFC 3711 §4.3,
//! RFC 6188 §3, RFC 7714 §11).

use core::fmt;

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes::{Aes128, Aes192, Aes256};
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{Profile, SrtpError};

macro_rules! secret_bytes {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        ///
        #[doc = concat!("Not `Copy`, zeroized on drop, printed as `", stringify!($name),
            "(..)` by `Debug`; compare with [`ConstantTimeEq`].")]
        pub struct $name {
            bytes: [u8; $max],
            len: usize,
        }

        impl $name {
            /// Copies `bytes` (at most the maximum length of this type).
            pub(crate) fn from_slice(bytes: &[u8]) -> Result<Self, SrtpError> {
                let mut out = $name {
                    bytes: [0; $max],
                    len: bytes.len(),
                };
                out.bytes
                    .get_mut(..bytes.len())
                    .ok_or(SrtpError::KeyLength { len: bytes.len() })?
                    .copy_from_slice(bytes);
                Ok(out)
            }

            /// The octets.
            pub fn as_bytes(&self) -> &[u8] {
                self.bytes.get(..self.len).unwrap_or(&[])
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.bytes.zeroize();
            }
        }

        impl ZeroizeOnDrop for $name {}

        impl ConstantTimeEq for $name {
            fn ct_eq(&self, other: &Self) -> Choice {
                self.as_bytes().ct_eq(other.as_bytes())
            }
        }
    };
}

secret_bytes!(
    /// An SRTP master key (16, 24 or 32 octets).
    MasterKey,
    32
);
secret_bytes!(
    /// An SRTP master salt (14 octets, or 12 for AEAD profiles).
    MasterSalt,
    14
);
secret_bytes!(
    /// A session encryption key `k_e` (RFC 3711 §4.3, labels 0 and 3).
    SessionKey,
    32
);
secret_bytes!(
    /// A session salt `k_s` (labels 2 and 5): 14 octets, 12 for AEAD.
    SessionSalt,
    14
);
secret_bytes!(
    /// A session authentication key `k_a` (labels 1 and 4), 20 octets.
    SessionAuthKey,
    20
);

impl MasterKey {
    /// A master key of 16, 24 or 32 octets.
    pub fn new(bytes: &[u8]) -> Result<Self, SrtpError> {
        match bytes.len() {
            16 | 24 | 32 => Self::from_slice(bytes),
            len => Err(SrtpError::KeyLength { len }),
        }
    }
}

impl MasterSalt {
    /// A master salt of 14 octets (AES-CM) or 12 octets (AEAD, RFC 7714 §11).
    pub fn new(bytes: &[u8]) -> Result<Self, SrtpError> {
        match bytes.len() {
            12 | 14 => Self::from_slice(bytes),
            len => Err(SrtpError::KeyLength { len }),
        }
    }
}

/// The session keys of one direction family (SRTP or SRTCP).
#[derive(Debug)]
pub struct SessionKeys {
    cipher_key: SessionKey,
    salt: SessionSalt,
    auth_key: Option<SessionAuthKey>,
}

impl SessionKeys {
    /// The session encryption key (label 0 for SRTP, 3 for SRTCP).
    pub fn cipher_key(&self) -> &SessionKey {
        &self.cipher_key
    }

    /// The session salt (label 2 / 5): 14 octets, or 12 for AEAD (the first
    /// 12 octets of the PRF output, RFC 7714 §11).
    pub fn salt(&self) -> &SessionSalt {
        &self.salt
    }

    /// The session authentication key (label 1 / 4); `None` for AEAD
    /// profiles, which derive none.
    pub fn auth_key(&self) -> Option<&SessionAuthKey> {
        self.auth_key.as_ref()
    }
}

impl SessionKeys {
    /// Session keys given directly (for [`SrtpContext::from_session_keys`](super::SrtpContext::from_session_keys)):
    /// encryption key of 16, 24 or 32 octets, salt of 14 or 12 octets,
    /// authentication key of at most 20 octets (`None` for AEAD).
    pub fn new(cipher_key: &[u8], salt: &[u8], auth_key: Option<&[u8]>) -> Result<Self, SrtpError> {
        Ok(SessionKeys {
            cipher_key: SessionKey::from_slice(cipher_key)?,
            salt: SessionSalt::from_slice(salt)?,
            auth_key: auth_key.map(SessionAuthKey::from_slice).transpose()?,
        })
    }

    /// Checks the lengths against `profile`.
    pub(crate) fn check(&self, profile: Profile) -> Result<(), SrtpError> {
        let key = self.cipher_key.as_bytes().len();
        if key != profile.master_key_len() {
            return Err(SrtpError::MasterKeyLength {
                expected: profile.master_key_len(),
                got: key,
            });
        }
        let salt = self.salt.as_bytes().len();
        if salt != profile.master_salt_len() {
            return Err(SrtpError::MasterSaltLength {
                expected: profile.master_salt_len(),
                got: salt,
            });
        }
        if profile.is_aead() != self.auth_key.is_none() {
            return Err(SrtpError::KeyLength {
                len: self.auth_key.as_ref().map_or(0, |k| k.as_bytes().len()),
            });
        }
        Ok(())
    }
}

/// The SRTP and SRTCP session keys for one packet index.
#[derive(Debug)]
pub struct DerivedKeys {
    /// SRTP keys (labels 0, 1, 2).
    pub srtp: SessionKeys,
    /// SRTCP keys (labels 3, 4, 5).
    pub srtcp: SessionKeys,
}

/// The key derivation labels of RFC 3711 §4.3.1 / §4.3.2.
pub mod label {
    /// SRTP encryption key.
    pub const SRTP_ENCRYPTION: u8 = 0x00;
    /// SRTP authentication key.
    pub const SRTP_AUTHENTICATION: u8 = 0x01;
    /// SRTP salt.
    pub const SRTP_SALT: u8 = 0x02;
    /// SRTCP encryption key.
    pub const SRTCP_ENCRYPTION: u8 = 0x03;
    /// SRTCP authentication key.
    pub const SRTCP_AUTHENTICATION: u8 = 0x04;
    /// SRTCP salt.
    pub const SRTCP_SALT: u8 = 0x05;
}

/// The PRF's AES instance: AES-128/192/256 by master key length (RFC 6188
/// §3 for 192 and 256). The key schedules zeroize on drop.
enum PrfCipher {
    A128(Aes128),
    A192(Aes192),
    A256(Aes256),
}

impl PrfCipher {
    fn new(key: &[u8]) -> Result<Self, SrtpError> {
        let bad = |_| SrtpError::KeyLength { len: key.len() };
        Ok(match key.len() {
            16 => PrfCipher::A128(Aes128::new_from_slice(key).map_err(bad)?),
            24 => PrfCipher::A192(Aes192::new_from_slice(key).map_err(bad)?),
            32 => PrfCipher::A256(Aes256::new_from_slice(key).map_err(bad)?),
            len => return Err(SrtpError::KeyLength { len }),
        })
    }

    fn encrypt_block(&self, block: &mut [u8; 16]) {
        let b = block.into();
        match self {
            PrfCipher::A128(c) => c.encrypt_block(b),
            PrfCipher::A192(c) => c.encrypt_block(b),
            PrfCipher::A256(c) => c.encrypt_block(b),
        }
    }
}

/// A master key and salt ready for repeated key derivation.
pub(crate) struct Kdf {
    cipher: PrfCipher,
    /// The master salt extended to 14 octets (AEAD: `k_s || 00 00`, RFC 7714 §11).
    salt: [u8; 14],
    kdr: u32,
}

impl Drop for Kdf {
    fn drop(&mut self) {
        self.salt.zeroize();
    }
}

impl fmt::Debug for Kdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Kdf(..)")
    }
}

impl Kdf {
    pub(crate) fn new(master_key: &[u8], master_salt: &[u8], kdr: u32) -> Result<Self, SrtpError> {
        let cipher = PrfCipher::new(master_key)?;
        let mut salt = [0u8; 14];
        match master_salt.len() {
            12 | 14 => salt
                .get_mut(..master_salt.len())
                .ok_or(SrtpError::KeyLength {
                    len: master_salt.len(),
                })?
                .copy_from_slice(master_salt),
            len => return Err(SrtpError::KeyLength { len }),
        }
        Ok(Kdf { cipher, salt, kdr })
    }

    /// `r = index DIV kdr` (0 when kdr = 0), RFC 3711 §4.3.1.
    pub(crate) fn r(&self, index: u64) -> u64 {
        if self.kdr == 0 {
            0
        } else {
            index / u64::from(self.kdr)
        }
    }

    /// Fills `out` with the PRF output for `label` and `index` (RFC 3711
    /// §4.3.1–4.3.3; label and r placement of SPEC §7.2).
    pub(crate) fn derive(&self, label: u8, index: u64, out: &mut [u8]) {
        let r = self.r(index);
        let mut x = self.salt;
        if self.kdr == 0 || label < label::SRTCP_ENCRYPTION {
            // key_id = label || r(48 bits), right-aligned: label at octet 7.
            x[7] ^= label;
            for (b, rb) in x[8..].iter_mut().zip(&r.to_be_bytes()[2..]) {
                *b ^= rb;
            }
        } else {
            // SRTCP with kdr != 0: key_id = label || r(32 bits): label at octet 9.
            x[9] ^= label;
            // The SRTCP index is 31 bits, so r fits in 32.
            let r32 = u32::try_from(r).unwrap_or(u32::MAX);
            for (b, rb) in x[10..].iter_mut().zip(&r32.to_be_bytes()) {
                *b ^= rb;
            }
        }
        let mut block = [0u8; 16];
        for (j, chunk) in out.chunks_mut(16).enumerate() {
            block[..14].copy_from_slice(&x);
            // At most a few blocks are ever requested.
            let j = u16::try_from(j).unwrap_or(u16::MAX);
            block[14..].copy_from_slice(&j.to_be_bytes());
            self.cipher.encrypt_block(&mut block);
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
        block.zeroize();
        x.zeroize();
    }

    pub(crate) fn session_keys(&self, profile: Profile, rtcp: bool, index: u64) -> SessionKeys {
        let base = if rtcp { label::SRTCP_ENCRYPTION } else { 0 };
        let mut buf = [0u8; 32];
        let key_len = profile.master_key_len();
        self.derive(base, index, &mut buf[..key_len]);
        let cipher_key = SessionKey {
            bytes: buf,
            len: key_len,
        };
        let mut salt_buf = [0u8; 14];
        self.derive(base + 2, index, &mut salt_buf);
        let salt = SessionSalt {
            bytes: salt_buf,
            len: profile.master_salt_len(),
        };
        salt_buf.zeroize();
        let auth_key = (!profile.is_aead()).then(|| {
            let mut a = [0u8; 20];
            self.derive(base + 1, index, &mut a);
            SessionAuthKey { bytes: a, len: 20 }
        });
        buf.zeroize();
        SessionKeys {
            cipher_key,
            salt,
            auth_key,
        }
    }
}

/// The AES-CM PRF of RFC 3711 §4.3.3 (AES-128) / RFC 6188 §3 (AES-192/256):
/// fills `out` with the key stream for `label` at packet index `index`.
///
/// `master_key`: 16, 24 or 32 octets; `master_salt`: 14 octets, or 12 for
/// AEAD (extended with two zero octets, RFC 7714 §11); `kdr`: 0 or a power of
/// two up to 2^24 (RFC 3711 §4.3.1). `index` is the 48-bit SRTP packet index
/// for labels 0–2 and the 31-bit SRTCP index for labels 3–5.
pub fn prf(
    master_key: &[u8],
    master_salt: &[u8],
    kdr: u64,
    label: u8,
    index: u64,
    out: &mut [u8],
) -> Result<(), SrtpError> {
    let kdr = super::policy::check_kdr(kdr)?;
    Kdf::new(master_key, master_salt, kdr)?.derive(label, index, out);
    Ok(())
}

/// Derives the SRTP session keys for packet index `srtp_index` and the SRTCP
/// session keys for SRTCP index `srtcp_index` (RFC 3711 §4.3; RFC 6188;
/// RFC 7714 §11). With `kdr = 0` the indices do not matter.
pub fn derive_session_keys(
    profile: Profile,
    master_key: &[u8],
    master_salt: &[u8],
    kdr: u64,
    srtp_index: u64,
    srtcp_index: u32,
) -> Result<DerivedKeys, SrtpError> {
    check_master(profile, master_key, master_salt)?;
    if srtp_index >= 1 << 48 || srtcp_index >= 1 << 31 {
        return Err(SrtpError::KeyExhausted);
    }
    let kdr = super::policy::check_kdr(kdr)?;
    let kdf = Kdf::new(master_key, master_salt, kdr)?;
    Ok(DerivedKeys {
        srtp: kdf.session_keys(profile, false, srtp_index),
        srtcp: kdf.session_keys(profile, true, u64::from(srtcp_index)),
    })
}

/// Checks the master key and salt lengths against the profile.
pub(crate) fn check_master(
    profile: Profile,
    master_key: &[u8],
    master_salt: &[u8],
) -> Result<(), SrtpError> {
    if master_key.len() != profile.master_key_len() {
        return Err(SrtpError::MasterKeyLength {
            expected: profile.master_key_len(),
            got: master_key.len(),
        });
    }
    if master_salt.len() != profile.master_salt_len() {
        return Err(SrtpError::MasterSaltLength {
            expected: profile.master_salt_len(),
            got: master_salt.len(),
        });
    }
    Ok(())
}
