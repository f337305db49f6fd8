//! Per-session cipher state: AES-CM + HMAC-SHA1 (RFC 3711 §4.1.1, §4.2.1)
//! and AES-GCM (RFC 7714). Key schedules and the keyed HMAC state are built
//! once per session key and reused for every packet.

use aes::cipher::{Array, BlockCipherEncrypt, BlockSizeUser, KeyInit};
use aes::{Aes128, Aes256};
use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::keys::{Kdf, SessionKeys};
use super::{Profile, SrtpError};

/// AES-CM block cipher (AES-128 or AES-256 session key).
pub(crate) enum CmAes {
    A128(Aes128),
    A256(Aes256),
}

/// Number of counter blocks encrypted per call (AES-NI pipelines 8).
const PAR: usize = 8;

/// XORs `data` with the AES-CM key stream starting at counter block `iv`,
/// incrementing the low 16 bits per block (RFC 3711 §4.1.1).
fn cm_xor<C>(cipher: &C, iv: &[u8; 16], data: &mut [u8])
where
    C: BlockCipherEncrypt + BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
{
    let base = u128::from_be_bytes(*iv);
    let high = base & !0xffff;
    // Truncation intended: the low 16 bits are the block counter.
    let mut low = (base & 0xffff) as u16;
    let mut blocks = [Array::<u8, aes::cipher::consts::U16>::default(); PAR];
    for chunk in data.chunks_mut(16 * PAR) {
        let n = chunk.len().div_ceil(16);
        for block in blocks.iter_mut().take(n) {
            *block = Array::from((high | u128::from(low)).to_be_bytes());
            low = low.wrapping_add(1);
        }
        let used = blocks.get_mut(..n).unwrap_or(&mut []);
        cipher.encrypt_blocks(used);
        for (d, k) in chunk.iter_mut().zip(used.iter().flat_map(|b| b.iter())) {
            *d ^= k;
        }
    }
    for b in &mut blocks {
        b.as_mut_slice().zeroize();
    }
}

/// XORs `data` with the AES-CM key stream of RFC 3711 §4.1.1 (AES-128) or
/// RFC 6188 §2 (AES-192/256) under `session_key` (16, 24 or 32 octets),
/// starting at the 128-bit counter block `first_counter` and incrementing
/// its low 16 bits per block. Encryption and decryption are the same.
pub fn aes_cm_xor(
    session_key: &[u8],
    first_counter: &[u8; 16],
    data: &mut [u8],
) -> Result<(), SrtpError> {
    let bad = |_| SrtpError::KeyLength {
        len: session_key.len(),
    };
    match session_key.len() {
        16 => cm_xor(
            &Aes128::new_from_slice(session_key).map_err(bad)?,
            first_counter,
            data,
        ),
        24 => cm_xor(
            &aes::Aes192::new_from_slice(session_key).map_err(bad)?,
            first_counter,
            data,
        ),
        32 => cm_xor(
            &Aes256::new_from_slice(session_key).map_err(bad)?,
            first_counter,
            data,
        ),
        len => return Err(SrtpError::KeyLength { len }),
    }
    Ok(())
}

/// The cipher state of one key family (SRTP or SRTCP) for one value of
/// `r = index DIV kdr`.
// Two of these live in a context, inline so that no packet chases a pointer.
#[allow(clippy::large_enum_variant)]
pub(crate) enum SessionCipher {
    Cm {
        aes: CmAes,
        hmac: Hmac<Sha1>,
        salt: [u8; 14],
    },
    Gcm128 {
        gcm: Aes128Gcm,
        salt: [u8; 12],
    },
    Gcm256 {
        gcm: Aes256Gcm,
        salt: [u8; 12],
    },
}

impl Drop for SessionCipher {
    fn drop(&mut self) {
        match self {
            SessionCipher::Cm { salt, .. } => salt.zeroize(),
            SessionCipher::Gcm128 { salt, .. } | SessionCipher::Gcm256 { salt, .. } => {
                salt.zeroize()
            }
        }
    }
}

/// An HMAC-SHA1 tag (full 20 octets), zeroized on drop.
pub(crate) struct FullTag(pub(crate) [u8; 20]);

impl Drop for FullTag {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl SessionCipher {
    pub(crate) fn from_keys(profile: Profile, keys: &SessionKeys) -> Result<Self, SrtpError> {
        let key = keys.cipher_key().as_bytes();
        let bad = |_| SrtpError::KeyLength { len: key.len() };
        let salt = keys.salt().as_bytes();
        Ok(if profile.is_aead() {
            let mut s = [0u8; 12];
            s.copy_from_slice(
                salt.get(..12)
                    .ok_or(SrtpError::KeyLength { len: salt.len() })?,
            );
            match key.len() {
                16 => SessionCipher::Gcm128 {
                    gcm: Aes128Gcm::new_from_slice(key).map_err(bad)?,
                    salt: s,
                },
                _ => SessionCipher::Gcm256 {
                    gcm: Aes256Gcm::new_from_slice(key).map_err(bad)?,
                    salt: s,
                },
            }
        } else {
            let mut s = [0u8; 14];
            s.copy_from_slice(
                salt.get(..14)
                    .ok_or(SrtpError::KeyLength { len: salt.len() })?,
            );
            let aes = match key.len() {
                16 => CmAes::A128(Aes128::new_from_slice(key).map_err(bad)?),
                _ => CmAes::A256(Aes256::new_from_slice(key).map_err(bad)?),
            };
            let auth = keys.auth_key().map(|k| k.as_bytes()).unwrap_or(&[]);
            let hmac = <Hmac<Sha1> as hmac::KeyInit>::new_from_slice(auth)
                .map_err(|_| SrtpError::KeyLength { len: auth.len() })?;
            SessionCipher::Cm { aes, hmac, salt: s }
        })
    }

    /// AES-CM encryption/decryption of `data` for `ssrc` and `index`
    /// (RFC 3711 §4.1.1: `IV = k_s·2^16 ⊕ SSRC·2^64 ⊕ i·2^16`). No-op for
    /// GCM sessions.
    pub(crate) fn cm_apply(&self, ssrc: u32, index: u64, data: &mut [u8]) {
        if let SessionCipher::Cm { aes, salt, .. } = self {
            let mut iv = [0u8; 16];
            iv[..14].copy_from_slice(salt);
            for (b, s) in iv[4..8].iter_mut().zip(&ssrc.to_be_bytes()) {
                *b ^= s;
            }
            for (b, s) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
                *b ^= s;
            }
            match aes {
                CmAes::A128(c) => cm_xor(c, &iv, data),
                CmAes::A256(c) => cm_xor(c, &iv, data),
            }
            iv.zeroize();
        }
    }

    /// `HMAC-SHA1(k_a, parts[0] || parts[1] || ...)` (RFC 3711 §4.2.1), from
    /// the precomputed keyed state.
    pub(crate) fn hmac(&self, parts: &[&[u8]]) -> FullTag {
        let mut out = FullTag([0u8; 20]);
        if let SessionCipher::Cm { hmac, .. } = self {
            let mut mac = hmac.clone();
            for p in parts {
                mac.update(p);
            }
            out.0.copy_from_slice(&mac.finalize().into_bytes());
        }
        out
    }

    /// Constant-time check of a truncated HMAC tag.
    pub(crate) fn hmac_verify(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        let full = self.hmac(parts);
        full.0
            .get(..tag.len())
            .is_some_and(|t| bool::from(t.ct_eq(tag)))
    }

    fn nonce(salt: &[u8; 12], iv: [u8; 12]) -> Array<u8, aes::cipher::consts::U12> {
        let mut n = iv;
        for (b, s) in n.iter_mut().zip(salt) {
            *b ^= s;
        }
        Array::from(n)
    }

    /// AES-GCM encryption in place; returns the 16-octet tag (RFC 7714 §8).
    /// `iv` is the 12-octet value before the XOR with the session salt.
    pub(crate) fn gcm_seal(
        &self,
        iv: [u8; 12],
        aad: &[u8],
        data: &mut [u8],
    ) -> Result<[u8; 16], SrtpError> {
        let tag = match self {
            SessionCipher::Gcm128 { gcm, salt } => {
                gcm.encrypt_inout_detached(&Self::nonce(salt, iv), aad, data.into())
            }
            SessionCipher::Gcm256 { gcm, salt } => {
                gcm.encrypt_inout_detached(&Self::nonce(salt, iv), aad, data.into())
            }
            SessionCipher::Cm { .. } => return Err(SrtpError::UnsupportedPolicy("not AEAD")),
        }
        .map_err(|_| SrtpError::BufferTooSmall {
            needed: data.len(),
            capacity: 0,
        })?;
        Ok(tag.into())
    }

    /// AES-GCM decryption in place with tag check (RFC 7714 §8, §9).
    pub(crate) fn gcm_open(
        &self,
        iv: [u8; 12],
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8; 16],
    ) -> Result<(), SrtpError> {
        let tag = Array::from(*tag);
        match self {
            SessionCipher::Gcm128 { gcm, salt } => {
                gcm.decrypt_inout_detached(&Self::nonce(salt, iv), aad, data.into(), &tag)
            }
            SessionCipher::Gcm256 { gcm, salt } => {
                gcm.decrypt_inout_detached(&Self::nonce(salt, iv), aad, data.into(), &tag)
            }
            SessionCipher::Cm { .. } => return Err(SrtpError::AuthenticationFailed),
        }
        .map_err(|_| SrtpError::AuthenticationFailed)
    }
}

/// Session cipher state plus the `r` it was derived for (RFC 3711 §4.3.1:
/// re-derive when `index DIV kdr` changes).
pub(crate) struct Session {
    r: u64,
    rtcp: bool,
    profile: Profile,
    pub(crate) cipher: SessionCipher,
}

impl Session {
    pub(crate) fn new(kdf: &Kdf, profile: Profile, rtcp: bool) -> Result<Self, SrtpError> {
        let keys = kdf.session_keys(profile, rtcp, 0);
        Ok(Session {
            r: 0,
            rtcp,
            profile,
            cipher: SessionCipher::from_keys(profile, &keys)?,
        })
    }

    pub(crate) fn from_keys(
        profile: Profile,
        keys: &SessionKeys,
        rtcp: bool,
    ) -> Result<Self, SrtpError> {
        Ok(Session {
            r: 0,
            rtcp,
            profile,
            cipher: SessionCipher::from_keys(profile, keys)?,
        })
    }

    /// The cipher for packet `index`, re-derived if `index DIV kdr` changed.
    pub(crate) fn for_index(
        &mut self,
        kdf: Option<&Kdf>,
        index: u64,
    ) -> Result<&SessionCipher, SrtpError> {
        let Some(kdf) = kdf else {
            return Ok(&self.cipher);
        };
        let r = kdf.r(index);
        if r != self.r {
            let keys = kdf.session_keys(self.profile, self.rtcp, index);
            self.cipher = SessionCipher::from_keys(self.profile, &keys)?;
            self.r = r;
        }
        Ok(&self.cipher)
    }
}
