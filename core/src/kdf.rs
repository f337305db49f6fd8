//! Key derivation: the MIKEY PRF (RFC 3830 §4.1.2, RFC 6043), traffic keys
//! (RFC 3830 §4.1.3) and the TS 33.180 / TS 33.220 derivations.
//!
//! | Item | Standard |
//! |---|---|
//! | [`prf`], [`PrfFunc`] | RFC 3830 §4.1.2 (HMAC-SHA-1), RFC 6043 §6.1 (PRF-HMAC-SHA-256) |
//! | [`derive_tek`], [`derive_salt`], [`derive_auth_key`], [`derive_enc_key`] | RFC 3830 §4.1.3 |
//! | [`kdf_33220`], [`kdf_33220_truncated`] | TS 33.220 Annex B.2 |
//! | [`KeyId`], [`KeyType`] | TS 33.180 §5.2, Annex G (purpose tags) |
//! | [`user_salt`], [`guk_id`], [`gmk_id_from_guk_id`] | TS 33.180 F.1.3 |
//! | [`dpck`] | TS 33.180 F.1 (FC 0x53), §8.5 |
//! | [`signalling_key`] | TS 33.180 F.1.4 (FC 0x51 / 0x52) |
//! | [`mki`], [`parse_mki`] | TS 33.180 §7.4 |
//!
//! Key inputs are `&[u8]` views, so that any of the crate's secret types can
//! be passed (`ssv.as_bytes()`). Derived secrets are returned in types that
//! are not `Copy`, zeroize on drop and print as `Name(..)`.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroize;

use crate::identity::IdentityError;
use crate::random::{RandomError, SecureRandom};

/// The TS 33.220 Annex B.2 input string builder (defined in
/// [`crate::identity`], shared with the UID derivation).
pub use crate::identity::{minimal_be, KdfInput};

/// Errors of this module.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum KdfError {
    /// An empty key where a key is required (PRF inkey, KDF key).
    #[error("empty key")]
    EmptyKey,
    /// A key of the wrong length.
    #[error("key length {got} octets, expected {expected}")]
    KeyLength {
        /// Expected length, octets.
        expected: usize,
        /// Actual length, octets.
        got: usize,
    },
    /// A requested output length of zero, or one longer than the function
    /// can produce.
    #[error("output length {0} octets is not supported")]
    OutputLength(usize),
    /// An unknown MIKEY PRF function number (RFC 3830 §6.1, RFC 6043 §6.1).
    #[error("unknown MIKEY PRF function {0}")]
    UnknownPrf(u8),
    /// A parameter is longer than 65535 octets (TS 33.220 B.2).
    #[error("a parameter of {len} octets is longer than 65535 octets")]
    ParameterTooLong {
        /// The parameter's length.
        len: usize,
    },
    /// An empty URI.
    #[error("empty URI")]
    EmptyUri,
    /// An MKI whose length is not 4 or 8 octets (TS 33.180 §7.4).
    #[error("MKI of {0} octets: expected 4 or 8")]
    MkiLength(usize),
    /// The key type has no MKI rule, or a GMK MKI without a GUK-ID.
    #[error("no MKI rule for this key type or missing GUK-ID")]
    MkiKeyType,
    /// The random generator failed.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// An error of the shared TS 33.220 input builder other than the ones
    /// mapped to [`KdfError::ParameterTooLong`] and [`KdfError::EmptyUri`].
    #[error(transparent)]
    Identity(IdentityError),
}

impl From<IdentityError> for KdfError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::ParameterTooLong { len } => KdfError::ParameterTooLong { len },
            IdentityError::EmptyUri => KdfError::EmptyUri,
            other => KdfError::Identity(other),
        }
    }
}

macro_rules! secret_bytes {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Zeroized on drop; `Debug` does not show the value; compare with
        /// [`ConstantTimeEq`].
        pub struct $name(Vec<u8>);

        impl $name {
            /// Wraps octets (taking ownership; they are zeroized on drop).
            pub fn from_vec(bytes: Vec<u8>) -> $name {
                $name(bytes)
            }

            /// The octets.
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }

            /// Length in octets.
            pub fn len(&self) -> usize {
                self.0.len()
            }

            /// Whether the value is empty.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.0.zeroize();
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }

        impl ConstantTimeEq for $name {
            fn ct_eq(&self, other: &Self) -> Choice {
                self.0.ct_eq(&other.0)
            }
        }

        impl AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                &self.0
            }
        }
    };
}

secret_bytes!(
    /// A traffic-encrypting key (SRTP master key) derived from a TGK
    /// (RFC 3830 §4.1.3, constant `0x2AD01C64`).
    Tek
);
secret_bytes!(
    /// A salting key (SRTP master salt) derived from a TGK (RFC 3830 §4.1.3,
    /// constant `0x39A2C14B`).
    Salt
);
secret_bytes!(
    /// An authentication key (RFC 3830 §4.1.3, constant `0x1B5C7973`).
    AuthKey
);
secret_bytes!(
    /// An encryption key (RFC 3830 §4.1.3, constant `0x15798CEF`).
    EncKey
);
secret_bytes!(
    /// Raw MIKEY PRF output (RFC 3830 §4.1.2).
    PrfOutput
);
secret_bytes!(
    /// A TS 33.220 Annex B.2 KDF output (least-significant octets when
    /// shorter than 256 bits).
    DerivedKey
);
secret_bytes!(
    /// A signalling protection key (TS 33.180 F.1.4): confidentiality (FC
    /// 0x51) or integrity (FC 0x52).
    SignallingKey
);

/// The payload protection key DPCK (TS 33.180 F.1, FC 0x53): 16 octets,
/// the AES-128-GCM key of the key-parameters extension and MCData payloads.
pub struct Dpck([u8; 16]);

impl Dpck {
    /// From 16 octets.
    pub fn from_bytes(bytes: &[u8]) -> Result<Dpck, KdfError> {
        bytes.try_into().map(Dpck).map_err(|_| KdfError::KeyLength {
            expected: 16,
            got: bytes.len(),
        })
    }

    /// The 16 octets.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl Drop for Dpck {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Dpck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Dpck(..)")
    }
}

impl ConstantTimeEq for Dpck {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

// ---------------------------------------------------------------------------
// MIKEY PRF
// ---------------------------------------------------------------------------

/// The MIKEY PRF function of the common header (RFC 3830 §6.1 "PRF func",
/// RFC 6043 §6.1). TS 33.180 uses [`PrfFunc::HmacSha256`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrfFunc {
    /// `0`: MIKEY-1, HMAC-SHA-1 (RFC 3830 §4.1.2).
    HmacSha1,
    /// `1`: PRF-HMAC-SHA-256 (RFC 6043 §6.1).
    HmacSha256,
}

impl PrfFunc {
    /// From the HDR "PRF func" value (7 bits).
    pub fn from_u8(v: u8) -> Result<PrfFunc, KdfError> {
        match v {
            0 => Ok(PrfFunc::HmacSha1),
            1 => Ok(PrfFunc::HmacSha256),
            other => Err(KdfError::UnknownPrf(other)),
        }
    }

    /// The HDR "PRF func" value.
    pub fn to_u8(self) -> u8 {
        match self {
            PrfFunc::HmacSha1 => 0,
            PrfFunc::HmacSha256 => 1,
        }
    }

    /// The HMAC output length `hlen` in octets (20 or 32).
    pub fn hash_len(self) -> usize {
        match self {
            PrfFunc::HmacSha1 => 20,
            PrfFunc::HmacSha256 => 32,
        }
    }
}

/// Length of the pieces the PRF splits its inkey into (256 bits, RFC 3830
/// §4.1.2, for both hashes).
pub const PRF_INKEY_CHUNK: usize = 32;

/// HMAC with `func` over the concatenation of `parts`, written to `out`
/// (`hlen` octets).
fn hmac_parts(func: PrfFunc, key: &[u8], parts: &[&[u8]], out: &mut [u8]) -> Result<(), KdfError> {
    macro_rules! run {
        ($h:ty) => {{
            // HMAC takes keys of any length; map the impossible error anyway.
            let mut mac =
                <Hmac<$h> as KeyInit>::new_from_slice(key).map_err(|_| KdfError::KeyLength {
                    expected: 0,
                    got: key.len(),
                })?;
            for p in parts {
                mac.update(p);
            }
            let tag = mac.finalize().into_bytes();
            out.copy_from_slice(&tag);
            Ok(())
        }};
    }
    match func {
        PrfFunc::HmacSha1 => run!(Sha1),
        PrfFunc::HmacSha256 => run!(Sha256),
    }
}

/// `P(s, label, m)` XORed into `out` (RFC 3830 §4.1.2).
fn p_xor(func: PrfFunc, s: &[u8], label: &[u8], out: &mut [u8]) -> Result<(), KdfError> {
    let hlen = func.hash_len();
    // a: A_i; next: A_(i+1); block: HMAC(s, A_i || label).
    let mut a = [0u8; 32];
    let mut next = [0u8; 32];
    let mut block = [0u8; 32];
    let result = (|| {
        // A_1 = HMAC(s, A_0), A_0 = label.
        hmac_parts(func, s, &[label], &mut a[..hlen])?;
        for chunk in out.chunks_mut(hlen) {
            hmac_parts(func, s, &[&a[..hlen], label], &mut block[..hlen])?;
            for (o, b) in chunk.iter_mut().zip(block.iter()) {
                *o ^= b;
            }
            hmac_parts(func, s, &[&a[..hlen]], &mut next[..hlen])?;
            a.copy_from_slice(&next);
        }
        Ok(())
    })();
    a.zeroize();
    next.zeroize();
    block.zeroize();
    result
}

/// The MIKEY PRF `PRF(inkey, label)` filling `out` (RFC 3830 §4.1.2 with
/// HMAC-SHA-1; RFC 6043 §6.1 PRF-HMAC-SHA-256): the inkey is split into
/// 256-bit pieces (the last one may be shorter, not padded), and the
/// outputs `P(inkey_i, label, m)` are XORed and truncated to `out.len()`.
///
/// Errors: empty `inkey`, empty `out`.
pub fn prf_into(func: PrfFunc, inkey: &[u8], label: &[u8], out: &mut [u8]) -> Result<(), KdfError> {
    if inkey.is_empty() {
        return Err(KdfError::EmptyKey);
    }
    if out.is_empty() {
        return Err(KdfError::OutputLength(0));
    }
    out.fill(0);
    for piece in inkey.chunks(PRF_INKEY_CHUNK) {
        p_xor(func, piece, label, out)?;
    }
    Ok(())
}

/// [`prf_into`] returning `out_len` octets.
pub fn prf(
    func: PrfFunc,
    inkey: &[u8],
    label: &[u8],
    out_len: usize,
) -> Result<PrfOutput, KdfError> {
    let mut out = PrfOutput(vec![0u8; out_len]);
    prf_into(func, inkey, label, &mut out.0)?;
    Ok(out)
}

/// The RFC 3830 §4.1.3 constant selecting the derived key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyConstant {
    /// `0x2AD01C64`: TEK (SRTP master key).
    Tek,
    /// `0x39A2C14B`: salting key (SRTP master salt).
    Salt,
    /// `0x1B5C7973`: authentication key.
    Auth,
    /// `0x15798CEF`: encryption key.
    Enc,
}

impl KeyConstant {
    /// The 32-bit constant.
    pub fn value(self) -> u32 {
        match self {
            KeyConstant::Tek => 0x2AD0_1C64,
            KeyConstant::Salt => 0x39A2_C14B,
            KeyConstant::Auth => 0x1B5C_7973,
            KeyConstant::Enc => 0x1579_8CEF,
        }
    }
}

/// The TGK label of RFC 3830 §4.1.3:
/// `constant (4) || cs_id (1) || CSB ID (4) || RAND`.
pub fn tgk_label(constant: KeyConstant, cs_id: u8, csb_id: u32, rand: &[u8]) -> Vec<u8> {
    let mut label = Vec::with_capacity(9 + rand.len());
    label.extend_from_slice(&constant.value().to_be_bytes());
    label.push(cs_id);
    label.extend_from_slice(&csb_id.to_be_bytes());
    label.extend_from_slice(rand);
    label
}

/// The inputs of an RFC 3830 §4.1.3 traffic-key derivation other than the
/// TGK: PRF function, crypto session id, CSB ID and RAND.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrafficKeyContext<'a> {
    /// The PRF of the MIKEY HDR (TS 33.180: [`PrfFunc::HmacSha256`]).
    pub prf: PrfFunc,
    /// The crypto session id (cs_id).
    pub cs_id: u8,
    /// The HDR CSB ID (for a GMK the GUK-ID).
    pub csb_id: u32,
    /// The RAND payload value (may be empty).
    pub rand: &'a [u8],
}

impl TrafficKeyContext<'_> {
    fn derive(&self, c: KeyConstant, tgk: &[u8], len: usize) -> Result<Vec<u8>, KdfError> {
        let label = tgk_label(c, self.cs_id, self.csb_id, self.rand);
        let mut out = vec![0u8; len];
        prf_into(self.prf, tgk, &label, &mut out)?;
        Ok(out)
    }
}

/// `TEK = PRF(TGK, 0x2AD01C64 || cs_id || CSB ID || RAND)`, `len` octets
/// (RFC 3830 §4.1.3; 16 for AES-128 SRTP).
pub fn derive_tek(ctx: &TrafficKeyContext<'_>, tgk: &[u8], len: usize) -> Result<Tek, KdfError> {
    ctx.derive(KeyConstant::Tek, tgk, len).map(Tek)
}

/// `salt = PRF(TGK, 0x39A2C14B || cs_id || CSB ID || RAND)`, `len` octets
/// (RFC 3830 §4.1.3; 12 for AES-GCM SRTP, 14 for AES-CM).
pub fn derive_salt(ctx: &TrafficKeyContext<'_>, tgk: &[u8], len: usize) -> Result<Salt, KdfError> {
    ctx.derive(KeyConstant::Salt, tgk, len).map(Salt)
}

/// Authentication key, constant `0x1B5C7973` (RFC 3830 §4.1.3).
pub fn derive_auth_key(
    ctx: &TrafficKeyContext<'_>,
    tgk: &[u8],
    len: usize,
) -> Result<AuthKey, KdfError> {
    ctx.derive(KeyConstant::Auth, tgk, len).map(AuthKey)
}

/// Encryption key, constant `0x15798CEF` (RFC 3830 §4.1.3).
pub fn derive_enc_key(
    ctx: &TrafficKeyContext<'_>,
    tgk: &[u8],
    len: usize,
) -> Result<EncKey, KdfError> {
    ctx.derive(KeyConstant::Enc, tgk, len).map(EncKey)
}

// ---------------------------------------------------------------------------
// TS 33.220 KDF
// ---------------------------------------------------------------------------

/// The TS 33.220 Annex B.2 KDF: `HMAC-SHA-256(key, S)` (32 octets).
pub fn kdf_33220(key: &[u8], s: &KdfInput) -> Result<DerivedKey, KdfError> {
    if key.is_empty() {
        return Err(KdfError::EmptyKey);
    }
    let mut out = vec![0u8; 32];
    hmac_parts(PrfFunc::HmacSha256, key, &[s.as_bytes()], &mut out)?;
    Ok(DerivedKey(out))
}

/// [`kdf_33220`] keeping the `out_len` **least significant** octets (the
/// last ones), as TS 33.180 Annex F does for keys shorter than 256 bits.
/// `out_len` must be in 1..=32.
pub fn kdf_33220_truncated(
    key: &[u8],
    s: &KdfInput,
    out_len: usize,
) -> Result<DerivedKey, KdfError> {
    if out_len == 0 || out_len > 32 {
        return Err(KdfError::OutputLength(out_len));
    }
    let full = kdf_33220(key, s)?;
    Ok(DerivedKey(full.0[32 - out_len..].to_vec()))
}

// ---------------------------------------------------------------------------
// Key identifiers
// ---------------------------------------------------------------------------

/// The purpose tag of a key identifier: its top 4 bits (TS 33.180 §5.2,
/// Annex G). Tags 7..=15 are reserved and kept as [`KeyType::Reserved`].
///
/// Tags 0 (GMK), 1 (PCK) and 2 (CSK) are confirmed by TS 33.180 text and
/// sample messages; 3..=6 follow the SPEC §5.13 table and are unverified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// 0: group master key.
    Gmk,
    /// 1: private call key.
    Pck,
    /// 2: client-server key.
    Csk,
    /// 3: signalling protection key.
    Spk,
    /// 4: MCData key for the MC functional channel (MKFC).
    Mkfc,
    /// 5: MC service client-server confidentiality key (MSCCK).
    Mscck,
    /// 6: multicast signalling key (MuSiK).
    Musik,
    /// 7..=15: reserved (the value is kept).
    Reserved(u8),
}

impl KeyType {
    /// From a 4-bit purpose tag (only the low 4 bits of `tag` are used).
    pub fn from_tag(tag: u8) -> KeyType {
        match tag & 0x0f {
            0 => KeyType::Gmk,
            1 => KeyType::Pck,
            2 => KeyType::Csk,
            3 => KeyType::Spk,
            4 => KeyType::Mkfc,
            5 => KeyType::Mscck,
            6 => KeyType::Musik,
            other => KeyType::Reserved(other),
        }
    }

    /// The 4-bit purpose tag.
    pub fn tag(self) -> u8 {
        match self {
            KeyType::Gmk => 0,
            KeyType::Pck => 1,
            KeyType::Csk => 2,
            KeyType::Spk => 3,
            KeyType::Mkfc => 4,
            KeyType::Mscck => 5,
            KeyType::Musik => 6,
            KeyType::Reserved(t) => t & 0x0f,
        }
    }
}

/// A 32-bit key identifier (GMK-ID, GUK-ID, PCK-ID, CSK-ID, ...): purpose
/// tag in the top 4 bits, 28 random bits (TS 33.180 §5.2, Annex G). Used as
/// the MIKEY HDR CSB ID.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(u32);

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({:08x})", self.0)
    }
}

impl KeyId {
    /// From the 32-bit value.
    pub const fn new(value: u32) -> KeyId {
        KeyId(value)
    }

    /// From a key type and 28 bits (the top 4 bits of `low28` are ignored).
    pub const fn from_parts(key_type_tag: u8, low28: u32) -> KeyId {
        KeyId(((key_type_tag as u32 & 0x0f) << 28) | (low28 & 0x0fff_ffff))
    }

    /// A fresh identifier: 28 random bits with the purpose tag of `key_type`
    /// (`id = (random32 & 0x0FFFFFFF) | tag << 28`).
    pub fn generate(
        key_type: KeyType,
        rng: &mut (impl SecureRandom + ?Sized),
    ) -> Result<KeyId, KdfError> {
        let mut b = [0u8; 4];
        rng.fill(&mut b)?;
        Ok(KeyId::from_parts(key_type.tag(), u32::from_be_bytes(b)))
    }

    /// From 4 big-endian octets.
    pub const fn from_bytes(bytes: [u8; 4]) -> KeyId {
        KeyId(u32::from_be_bytes(bytes))
    }

    /// The 32-bit value.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// The 4 big-endian octets.
    pub const fn to_bytes(self) -> [u8; 4] {
        self.0.to_be_bytes()
    }

    /// The purpose tag (top 4 bits).
    pub const fn purpose_tag(self) -> u8 {
        (self.0 >> 28) as u8
    }

    /// The key type of the purpose tag.
    pub fn key_type(self) -> KeyType {
        KeyType::from_tag(self.purpose_tag())
    }
}

impl From<u32> for KeyId {
    fn from(v: u32) -> Self {
        KeyId(v)
    }
}

impl From<KeyId> for u32 {
    fn from(k: KeyId) -> Self {
        k.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

// ---------------------------------------------------------------------------
// TS 33.180 Annex F derivations
// ---------------------------------------------------------------------------

/// FC of the GUK-ID user salt (TS 33.180 F.1.3).
pub const FC_GUK_ID: u8 = 0x50;
/// FC of the signalling confidentiality key (TS 33.180 F.1.4).
pub const FC_SIGNALLING_CONFIDENTIALITY: u8 = 0x51;
/// FC of the signalling integrity key (TS 33.180 F.1.4).
pub const FC_SIGNALLING_INTEGRITY: u8 = 0x52;
/// FC of the DPCK (TS 33.180 F.1).
pub const FC_DPCK: u8 = 0x53;

/// The GUK-ID user salt (TS 33.180 F.1.3): the 28 least significant bits of
/// `HMAC-SHA-256(GMK, 0x50 || member URI || L0)`, where the member is the
/// receiving user (the identity the GMK is encapsulated to).
pub fn user_salt(gmk: &[u8], member_uri: &str) -> Result<u32, KdfError> {
    if member_uri.is_empty() {
        return Err(KdfError::EmptyUri);
    }
    let s = KdfInput::new(FC_GUK_ID).param(member_uri.as_bytes())?;
    let out = kdf_33220(gmk, &s)?;
    // The last 4 of the 32 octets of HMAC-SHA-256.
    let &[.., b28, b29, b30, b31] = out.as_bytes() else {
        return Err(KdfError::OutputLength(out.as_bytes().len()));
    };
    Ok(u32::from_be_bytes([b28, b29, b30, b31]) & 0x0fff_ffff)
}

/// `GUK-ID = GMK-ID XOR UserSalt` (TS 33.180 F.1.3); the purpose tag is
/// unchanged.
pub fn guk_id(gmk: &[u8], gmk_id: KeyId, member_uri: &str) -> Result<KeyId, KdfError> {
    Ok(KeyId(gmk_id.0 ^ user_salt(gmk, member_uri)?))
}

/// `GMK-ID = GUK-ID XOR UserSalt` (TS 33.180 F.1.3, receiver side;
/// `member_uri` is the receiver's own URI).
pub fn gmk_id_from_guk_id(gmk: &[u8], guk_id: KeyId, member_uri: &str) -> Result<KeyId, KdfError> {
    Ok(KeyId(guk_id.0 ^ user_salt(gmk, member_uri)?))
}

/// The payload protection key (TS 33.180 F.1, FC 0x53, §8.5):
/// `DPCK = last 16 octets of HMAC-SHA-256(DPPK, 0x53 || DPPK-ID || 0x00 0x04)`.
/// `dppk` is the 16-octet key distributed by MIKEY (GMK, PCK, CSK, ...);
/// `dppk_id` its id as carried in the CSB ID (GUK-ID for a GMK).
pub fn dpck(dppk: &[u8], dppk_id: KeyId) -> Result<Dpck, KdfError> {
    if dppk.len() != 16 {
        return Err(KdfError::KeyLength {
            expected: 16,
            got: dppk.len(),
        });
    }
    let s = KdfInput::new(FC_DPCK).param(&dppk_id.to_bytes())?;
    let out = kdf_33220_truncated(dppk, &s, 16)?;
    Dpck::from_bytes(out.as_bytes())
}

/// Which TS 33.180 F.1.4 signalling protection key to derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignallingKeyKind {
    /// FC 0x51: confidentiality.
    Confidentiality,
    /// FC 0x52: integrity.
    Integrity,
}

/// A signalling protection key (TS 33.180 F.1.4):
/// `HMAC-SHA-256(XPK, FC || user URI || L0 || XPK-ID || L1)`, keeping the
/// least significant `xpk.len()` octets (16 for a 128-bit XPK). XPK-ID is
/// encoded as its 4 octets. Not exercised by published test data.
pub fn signalling_key(
    kind: SignallingKeyKind,
    xpk: &[u8],
    xpk_id: KeyId,
    user_uri: &str,
) -> Result<SignallingKey, KdfError> {
    if user_uri.is_empty() {
        return Err(KdfError::EmptyUri);
    }
    if xpk.len() != 16 && xpk.len() != 32 {
        return Err(KdfError::KeyLength {
            expected: 16,
            got: xpk.len(),
        });
    }
    let fc = match kind {
        SignallingKeyKind::Confidentiality => FC_SIGNALLING_CONFIDENTIALITY,
        SignallingKeyKind::Integrity => FC_SIGNALLING_INTEGRITY,
    };
    let s = KdfInput::new(fc)
        .param(user_uri.as_bytes())?
        .param(&xpk_id.to_bytes())?;
    let out = kdf_33220_truncated(xpk, &s, xpk.len())?;
    Ok(SignallingKey(out.as_bytes().to_vec()))
}

// ---------------------------------------------------------------------------
// MKI
// ---------------------------------------------------------------------------

/// The SRTP MKI for a key (TS 33.180 §7.4): `GMK-ID || GUK-ID` (8 octets)
/// for a GMK, the 4-octet key id for a PCK (§7.4.1) or CSK (unverified).
/// `guk_id` is required for a GMK and ignored otherwise; other key types
/// give [`KdfError::MkiKeyType`].
pub fn mki(key_id: KeyId, guk_id: Option<KeyId>) -> Result<Vec<u8>, KdfError> {
    match key_id.key_type() {
        KeyType::Gmk => {
            let guk = guk_id.ok_or(KdfError::MkiKeyType)?;
            let mut out = key_id.to_bytes().to_vec();
            out.extend_from_slice(&guk.to_bytes());
            Ok(out)
        }
        KeyType::Pck | KeyType::Csk => Ok(key_id.to_bytes().to_vec()),
        _ => Err(KdfError::MkiKeyType),
    }
}

/// The key ids carried in a received MKI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MkiKeyIds {
    /// A 4-octet MKI (PCK-ID, CSK-ID), or an 8-octet `ID || ID` MKI with
    /// identical halves whose tag is not GMK (one deployed implementation
    /// sends `PCK-ID || PCK-ID` for private calls).
    Single(KeyId),
    /// An 8-octet group MKI `GMK-ID || GUK-ID`.
    Gmk {
        /// The GMK-ID (first 4 octets).
        gmk_id: KeyId,
        /// The GUK-ID (last 4 octets).
        guk_id: KeyId,
    },
}

impl MkiKeyIds {
    /// The id to look the key up by: the single id or the GMK-ID.
    pub fn lookup_id(&self) -> KeyId {
        match *self {
            MkiKeyIds::Single(id) => id,
            MkiKeyIds::Gmk { gmk_id, .. } => gmk_id,
        }
    }
}

/// Splits a received MKI into key ids (TS 33.180 §7.4, SPEC §6.7).
pub fn parse_mki(mki: &[u8]) -> Result<MkiKeyIds, KdfError> {
    match *mki {
        [a, b, c, d] => Ok(MkiKeyIds::Single(KeyId::from_bytes([a, b, c, d]))),
        [a, b, c, d, e, f, g, h] => {
            let first = KeyId::from_bytes([a, b, c, d]);
            let second = KeyId::from_bytes([e, f, g, h]);
            if first == second && first.key_type() != KeyType::Gmk {
                Ok(MkiKeyIds::Single(first))
            } else {
                Ok(MkiKeyIds::Gmk {
                    gmk_id: first,
                    guk_id: second,
                })
            }
        }
        _ => Err(KdfError::MkiLength(mki.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// SPEC §6.2 sample, cs_id 4.
    #[test]
    fn sample_tek_salt() {
        let rand = x("dc4af69d54ada5ea8229dc299515e2d5");
        let ctx = TrafficKeyContext {
            prf: PrfFunc::HmacSha256,
            cs_id: 4,
            csb_id: 0x0e4d_e701,
            rand: &rand,
        };
        let tgk = x("bf5885136cabcb4aff6cdb8e9df47ce2");
        let tek = derive_tek(&ctx, &tgk, 16).unwrap();
        let salt = derive_salt(&ctx, &tgk, 12).unwrap();
        assert_eq!(tek.as_bytes(), x("183914b1b16eb55080a661b159dd7c6d"));
        assert_eq!(salt.as_bytes(), x("0ecaf9a7d350d04c3267afe0"));
    }

    /// SPEC §6.4 worked example.
    #[test]
    fn sample_guk_id() {
        let gmk = x("bf5885136cabcb4aff6cdb8e9df47ce2");
        let uri = "sip:alice@mcptt.example.org";
        assert_eq!(user_salt(&gmk, uri), Ok(0x00a0_ffcb));
        assert_eq!(
            guk_id(&gmk, KeyId::new(0x0eed_18ca), uri),
            Ok(KeyId::new(0x0e4d_e701))
        );
        assert_eq!(format!("{:?}", KeyId::new(0x0e4d_e701)), "KeyId(0e4de701)");
    }

    #[test]
    fn prf_xor_of_pieces() {
        // A 33-octet inkey is P(first 32) XOR P(last 1).
        let key: Vec<u8> = (0..33).collect();
        let label = [1u8, 2, 3];
        let whole = prf(PrfFunc::HmacSha1, &key, &label, 45).unwrap();
        let a = prf(PrfFunc::HmacSha1, &key[..32], &label, 45).unwrap();
        let b = prf(PrfFunc::HmacSha1, &key[32..], &label, 45).unwrap();
        let xored: Vec<u8> = a
            .as_bytes()
            .iter()
            .zip(b.as_bytes())
            .map(|(p, q)| p ^ q)
            .collect();
        assert_eq!(whole.as_bytes(), xored.as_slice());
    }
}
