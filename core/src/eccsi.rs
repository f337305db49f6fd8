//! ECCSI identity-based signatures (RFC 6507) over NIST P-256 with SHA-256.
//!
//! MIKEY-SAKKE uses ECCSI only with the P-256 curve and SHA-256 (RFC 6509, RFC 6507
//! Appendix A), so every length here is fixed: scalars are `N = 32` octets, points are
//! 65 octets (`0x04 || x || y`) and a signature is `r || s || PVT` = 129 octets
//! (RFC 6507 §3.3).
//!
//! | RFC 6507 | Role | This module |
//! |---|---|---|
//! | §4.2 | KMS creates KSAK / KPAK | [`EccsiKms::generate`], [`EccsiKms::from_ksak`] |
//! | §5.1.1 | KMS issues (SSK, PVT) for an identifier | [`EccsiKms::issue`] |
//! | §5.1.2 | user validates the received (SSK, PVT) | [`SigningKey::new`] |
//! | §5.2.1 | sign | [`SigningKey::sign`] |
//! | §5.2.2 | verify | [`verify`], [`Verifier::verify`] |
//!
//! All curve arithmetic (field arithmetic, complete point addition and doubling,
//! normalisation to affine coordinates) is done by the constant-time `p256` crate;
//! this module only chooses how scalar multiplications are split into those library
//! operations (see [the section on scalar multiplication](#scalar-multiplication)).
//!
//! Operations on secrets (KSAK, SSK, the ephemeral `v` and `j`, `t = HE + r·SSK`) use
//! only a constant-time fixed-base multiplication by G and a blinded scalar inversion,
//! and the secret intermediates are zeroized after use. Verification works on public
//! data only and uses variable-time arithmetic.
//!
//! # Scalar multiplication
//!
//! * **`[k]G` for secret k** (KPAK from KSAK, PVT = `[v]G`, `J = [j]G`, `[SSK]G` in
//!   key validation): a fixed-base comb. k is recoded in constant time into 43 signed
//!   radix-2^6 digits `d_i ∈ [-31, 32]`, and `[k]G = Σ [d_i]([2^(6i)]G)`. The table
//!   holds `[d·2^(6i)]G` for `d = 1..32` in affine form (43 × 32 points, about 100 KiB,
//!   built on first use, once per process, with library additions and doublings and
//!   one `to_affine` per entry: about 11 ms). Each digit is looked up by scanning its
//!   whole row with `ConditionallySelectable` and negated with a conditional select,
//!   then added with the library's complete mixed addition, so neither the memory
//!   access pattern nor the sequence of operations depends on k. No doublings are
//!   needed.
//! * **Verification** `J = [s·HE]G + [s·r·HS]PVT + [s·r]KPAK`: one Straus / wNAF
//!   multi-scalar multiplication with a single chain of 256 doublings. PVT (the only
//!   per-signature base) gets a width-5 wNAF table computed on the fly; G and KPAK use
//!   wide width-12 / width-10 wNAF tables of odd multiples (1024 and 256 projective
//!   points): G's is built once per process, KPAK's once per [`Kpak`] value (lazily,
//!   on its first verification, about 0.13 ms, and shared by its clones).
//! * **[`Verifier`]**: both bases (G and the cached `Y = [HS]PVT + KPAK`) are fixed, so
//!   `J = [s·HE]G + [s·r]Y` is computed with the comb tables of G and Y and no
//!   doublings at all.
//!
//! The scalar inversion in signing (`s = t⁻¹·j`) is blinded with a fresh random
//! factor and then done by `crypto-bigint`'s fast variable-time safegcd inversion (see
//! [`SigningKey::sign`]); the one field inversion per operation (the affine x of J) is
//! the library's constant-time `to_affine`.
//!
//! ECCSI signatures are malleable like ECDSA ones: if `(r, s, PVT)` is valid then so
//! is `(r, q − s, PVT)` (verification only compares `J.x` with `r`, and RFC 6507 has no
//! low-s rule). Never use signature octets to detect replays.
//!
//! # Example
//!
//! ```
//! use mikey_sakke::eccsi::{self, EccsiKms, SigningKey, Verifier};
//! use mikey_sakke::random::OsRandom;
//!
//! # fn main() -> Result<(), eccsi::EccsiError> {
//! let mut rng = OsRandom;
//! let kms = EccsiKms::generate(&mut rng)?;
//! let id = b"2011-02\0tel:+447700900123\0";
//! let (ssk, pvt) = kms.issue(id, &mut rng)?;
//!
//! // The user validates the key pair once (RFC 6507 §5.1.2) and then signs.
//! let key = SigningKey::new(kms.kpak(), id, ssk, pvt)?;
//! let sig = key.sign(b"message\0", &mut rng)?;
//!
//! // Anyone holding the KMS public key can verify (RFC 6507 §5.2.2).
//! eccsi::verify(kms.kpak(), id, b"message\0", sig.as_bytes())?;
//! let verifier = Verifier::new(kms.kpak(), id, key.pvt())?;
//! verifier.verify(b"message\0", sig.as_bytes())?;
//! assert_eq!(
//!     eccsi::verify(kms.kpak(), id, b"other message", sig.as_bytes()),
//!     Err(eccsi::EccsiError::InvalidSignature)
//! );
//! # Ok(())
//! # }
//! ```

use core::fmt;
use std::sync::{Arc, LazyLock, OnceLock};

use crypto_bigint::Odd;
use p256::elliptic_curve::{
    ff::PrimeField,
    group::Group,
    ops::Reduce,
    point::AffineCoordinates,
    sec1::{FromEncodedPoint, ToEncodedPoint},
};
use p256::{AffinePoint, EncodedPoint, FieldBytes, ProjectivePoint, Scalar};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::random::{RandomError, SecureRandom};

/// Length in octets of a scalar (KSAK, SSK, r, s): `N = 32` for P-256 (RFC 6507 §4.1, §3.3).
pub const SCALAR_LEN: usize = 32;

/// Length in octets of an uncompressed P-256 point `0x04 || x || y` (KPAK, PVT)
/// (RFC 6507 §3.3, SEC1 §2.3.3).
pub const POINT_LEN: usize = 1 + 2 * SCALAR_LEN;

/// Length in octets of an ECCSI signature `r || s || PVT` (RFC 6507 §3.3): 129.
pub const SIGNATURE_LEN: usize = 2 * SCALAR_LEN + POINT_LEN;

/// Length in octets of the hash outputs HS and HE (SHA-256, RFC 6507 §4.1).
const HASH_LEN: usize = 32;

/// Upper bound on random draws (rejection sampling plus the RFC 6507 restart rules)
/// before an operation gives up. With a working generator a single draw is rejected
/// with probability below 2^-32, so reaching this bound means the generator is broken
/// (for example it returns a constant); it is reported as [`EccsiError::Random`].
const MAX_RANDOM_DRAWS: usize = 64;

/// The P-256 field prime p, big-endian (RFC 6507 §4.1, SPEC §2.1).
const P_BYTES: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

/// The uncompressed encoding E(G) of the P-256 base point, the first input of HS
/// (RFC 6507 §5.1.1 step 3).
const G_BYTES: [u8; POINT_LEN] = [
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40,
    0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2,
    0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e,
    0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51,
    0xf5,
];

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// Errors of the ECCSI module.
///
/// Malformed encodings are reported precisely (one variant per rejection condition of
/// RFC 6507 §5.1.2 / §5.2.2, SPEC §2.9 and checklist items E6, E7, E8, E10) so callers
/// and tests can tell them apart. A well-formed signature that fails the final check
/// is reported only as [`EccsiError::InvalidSignature`], and a key pair that fails
/// validation only as [`EccsiError::InvalidKeyPair`]; neither says why. No message
/// contains key material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EccsiError {
    /// A point encoding (KPAK, PVT) is not exactly 65 octets long (checklist E6).
    #[error("ECCSI point encoding is {len} octets long, expected 65")]
    PointLength {
        /// The length that was received.
        len: usize,
    },
    /// A point encoding does not start with `0x04`: compressed (`02`, `03`), hybrid
    /// (`06`, `07`) and other prefixes are refused (RFC 6507 §3.3, checklist E6).
    #[error("ECCSI point encoding has prefix 0x{prefix:02x}, only uncompressed (0x04) is allowed")]
    PointPrefix {
        /// The first octet that was received.
        prefix: u8,
    },
    /// A point coordinate is not less than the field prime p (checklist E7).
    #[error("ECCSI point coordinate is not less than the field prime")]
    CoordinateOutOfRange,
    /// The coordinates do not satisfy the P-256 curve equation (RFC 6507 §5.1.2, checklist E7).
    #[error("ECCSI point is not on the curve")]
    PointNotOnCurve,
    /// The encoding denotes the point at infinity (checklist E7).
    #[error("ECCSI point is the point at infinity")]
    PointAtInfinity,
    /// A secret scalar (KSAK, SSK) is not exactly 32 octets long.
    #[error("ECCSI scalar is {len} octets long, expected 32")]
    ScalarLength {
        /// The length that was received.
        len: usize,
    },
    /// A secret scalar (KSAK, SSK) is not in `[1, q-1]` (checklist E10).
    #[error("ECCSI scalar is not in the range [1, q-1]")]
    ScalarOutOfRange,
    /// A signature is not exactly 129 octets long (RFC 6507 §3.3, checklist E8).
    #[error("ECCSI signature is {len} octets long, expected 129")]
    SignatureLength {
        /// The length that was received.
        len: usize,
    },
    /// The signature's `r` is 0 or not less than q (RFC 6507 §5.2.2, checklist E10; the
    /// `r < q` bound is a policy, see [`verify`]).
    #[error("ECCSI signature component r is out of range")]
    SignatureROutOfRange,
    /// The signature's `s` is 0 or not less than q (checklist E10).
    #[error("ECCSI signature component s is out of range")]
    SignatureSOutOfRange,
    /// The signature is well formed but does not verify (RFC 6507 §5.2.2 step 6,
    /// checklist C1). Deliberately uninformative.
    #[error("ECCSI signature verification failed")]
    InvalidSignature,
    /// The (SSK, PVT) pair does not validate against KPAK and the identifier
    /// (RFC 6507 §5.1.2, checklist K4). Deliberately uninformative.
    #[error("ECCSI key pair (SSK, PVT) is not valid for this KPAK and identifier")]
    InvalidKeyPair,
    /// The random number generator failed, or kept producing unusable values.
    #[error(transparent)]
    Random(#[from] RandomError),
}

// ---------------------------------------------------------------------------------------
// Encoding helpers
// ---------------------------------------------------------------------------------------

/// Writes `bytes` as lower-case hex.
fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

/// Big-endian 32-octet integer comparison `a < b` (public values only: variable time).
fn lt_be(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a < b
}

/// Splits off a fixed-size array; `None` if `bytes` is too short.
fn take<const L: usize>(bytes: &[u8], at: usize) -> Option<[u8; L]> {
    bytes.get(at..at.checked_add(L)?)?.try_into().ok()
}

/// `E(P)`: the 65-octet uncompressed encoding of a finite point (RFC 6507 §3.3).
/// Callers never pass the identity; it would be encoded as 65 zero octets.
fn encode_affine(point: &AffinePoint) -> [u8; POINT_LEN] {
    let encoded = point.to_encoded_point(false);
    let mut out = [0u8; POINT_LEN];
    if let Some(bytes) = encoded.as_bytes().get(..POINT_LEN) {
        out.copy_from_slice(bytes);
    }
    out
}

/// A validated public point together with the octets it was decoded from.
#[derive(Clone, Copy)]
struct PublicPoint {
    point: AffinePoint,
    bytes: [u8; POINT_LEN],
}

impl PublicPoint {
    /// Decodes and validates `0x04 || x || y` (RFC 6507 §5.1.2 / §5.2.2 step 1,
    /// checklist E6, E7).
    ///
    /// The SEC1 identity encoding (a single `0x00`), 65 zero octets and `0x04` followed
    /// by 64 zero octets (the affine `(0, 0)` some encoders use for infinity) are
    /// reported as [`EccsiError::PointAtInfinity`].
    fn decode(bytes: &[u8]) -> Result<Self, EccsiError> {
        let is_infinity = bytes == [0x00]
            || (bytes.len() == POINT_LEN
                && matches!(bytes.first(), Some(0x00 | 0x04))
                && bytes.iter().skip(1).all(|&b| b == 0));
        if is_infinity {
            return Err(EccsiError::PointAtInfinity);
        }
        let encoded: [u8; POINT_LEN] = bytes
            .try_into()
            .map_err(|_| EccsiError::PointLength { len: bytes.len() })?;
        if encoded[0] != 0x04 {
            return Err(EccsiError::PointPrefix { prefix: encoded[0] });
        }
        let (x, y) = match (take::<32>(&encoded, 1), take::<32>(&encoded, 33)) {
            (Some(x), Some(y)) => (x, y),
            _ => return Err(EccsiError::PointLength { len: bytes.len() }),
        };
        if !lt_be(&x, &P_BYTES) || !lt_be(&y, &P_BYTES) {
            return Err(EccsiError::CoordinateOutOfRange);
        }
        let encoded_point = EncodedPoint::from_affine_coordinates(
            &FieldBytes::from(x),
            &FieldBytes::from(y),
            false,
        );
        let point: Option<AffinePoint> = AffinePoint::from_encoded_point(&encoded_point).into();
        match point {
            // An uncompressed encoding never yields the identity; check anyway.
            Some(point) if !bool::from(point.is_identity()) => Ok(Self {
                point,
                bytes: encoded,
            }),
            Some(_) => Err(EccsiError::PointAtInfinity),
            None => Err(EccsiError::PointNotOnCurve),
        }
    }

    /// Wraps a point computed here; `None` for the identity.
    fn from_projective(point: &ProjectivePoint) -> Option<Self> {
        let point = point.to_affine();
        if bool::from(point.is_identity()) {
            return None;
        }
        Some(Self {
            point,
            bytes: encode_affine(&point),
        })
    }

    fn projective(&self) -> ProjectivePoint {
        ProjectivePoint::from(self.point)
    }
}

impl PartialEq for PublicPoint {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for PublicPoint {}

/// Reads a 32-octet big-endian integer reduced mod q (used for HS and HE, which are
/// `OS2IP` of a SHA-256 output and may exceed q; only their value mod q matters as a
/// multiplier of points of order q).
fn reduce_hash(hash: &[u8; HASH_LEN]) -> Scalar {
    <Scalar as Reduce<p256::U256>>::reduce_bytes(&FieldBytes::from(*hash))
}

/// Parses a 32-octet big-endian integer in `[1, q-1]`; `None` otherwise.
/// Constant time in the value (the result's validity is not secret).
fn scalar_from_bytes_nonzero(bytes: &[u8; SCALAR_LEN]) -> Option<Scalar> {
    let mut repr = FieldBytes::from(*bytes);
    let scalar = Scalar::from_repr(repr);
    repr.zeroize();
    let valid = scalar.is_some() & !scalar.unwrap_or(Scalar::ZERO).ct_eq(&Scalar::ZERO);
    if bool::from(valid) {
        Option::from(scalar)
    } else {
        None
    }
}

/// Draws a scalar uniformly from `[1, q-1]` by rejection sampling on 32 random octets
/// (RFC 6507 §4.2, §5.1.1 step 1, §5.2.1 step 1).
fn random_nonzero_scalar(
    rng: &mut (impl SecureRandom + ?Sized),
) -> Result<Zeroizing<Scalar>, EccsiError> {
    let mut buf = Zeroizing::new([0u8; SCALAR_LEN]);
    for _ in 0..MAX_RANDOM_DRAWS {
        rng.fill(&mut buf[..])?;
        if let Some(scalar) = scalar_from_bytes_nonzero(&buf) {
            return Ok(Zeroizing::new(scalar));
        }
    }
    Err(EccsiError::Random(RandomError))
}

/// `HS = hash( E(G) || E(KPAK) || ID || E(PVT) )` (RFC 6507 §5.1.1 step 3,
/// §5.1.2 step 2, §5.2.2 step 2).
fn hash_hs(kpak: &[u8; POINT_LEN], id: &[u8], pvt: &[u8; POINT_LEN]) -> [u8; HASH_LEN] {
    Sha256::new()
        .chain_update(G_BYTES)
        .chain_update(kpak)
        .chain_update(id)
        .chain_update(pvt)
        .finalize()
        .into()
}

/// `HE = hash( HS || r || M )` (RFC 6507 §5.2.1 step 3, §5.2.2 step 3).
fn hash_he(hs: &[u8; HASH_LEN], r: &[u8; SCALAR_LEN], msg: &[u8]) -> [u8; HASH_LEN] {
    Sha256::new()
        .chain_update(hs)
        .chain_update(r)
        .chain_update(msg)
        .finalize()
        .into()
}

// ---------------------------------------------------------------------------------------
// Secret scalars
// ---------------------------------------------------------------------------------------

/// A secret scalar in `[1, q-1]` that zeroizes itself on drop.
struct SecretScalar(Scalar);

impl SecretScalar {
    fn from_bytes(bytes: &[u8]) -> Result<Self, EccsiError> {
        let mut array = Zeroizing::new([0u8; SCALAR_LEN]);
        if bytes.len() != SCALAR_LEN {
            return Err(EccsiError::ScalarLength { len: bytes.len() });
        }
        array.copy_from_slice(bytes);
        scalar_from_bytes_nonzero(&array)
            .map(Self)
            .ok_or(EccsiError::ScalarOutOfRange)
    }

    fn to_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        let mut repr = self.0.to_bytes();
        let mut out = Zeroizing::new([0u8; SCALAR_LEN]);
        out.copy_from_slice(&repr);
        repr.zeroize();
        out
    }
}

impl Drop for SecretScalar {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The KMS Secret Authentication Key (RFC 6507 §2, §4.2): a scalar in `[1, q-1]`.
///
/// Not `Clone`/`Copy`, no `PartialEq` (use [`ConstantTimeEq`]), zeroized on drop,
/// printed as `Ksak(..)`.
pub struct Ksak(SecretScalar);

impl Ksak {
    /// Parses `I2OSP(KSAK, 32)` (RFC 6507 §3.3): exactly 32 octets encoding a value in
    /// `[1, q-1]`. Errors: [`EccsiError::ScalarLength`], [`EccsiError::ScalarOutOfRange`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EccsiError> {
        SecretScalar::from_bytes(bytes).map(Self)
    }

    /// Returns `I2OSP(KSAK, 32)` in a buffer that is zeroized when dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        self.0.to_bytes()
    }
}

impl fmt::Debug for Ksak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ksak(..)")
    }
}

impl ConstantTimeEq for Ksak {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0 .0.ct_eq(&other.0 .0)
    }
}

impl ZeroizeOnDrop for Ksak {}

/// A user's Secret Signing Key (RFC 6507 §2, §5.1.1 step 4): a scalar in `[1, q-1]`.
///
/// Not `Clone`/`Copy`, no `PartialEq` (use [`ConstantTimeEq`]), zeroized on drop,
/// printed as `Ssk(..)`. Validate it together with its PVT with [`SigningKey::new`]
/// before use (RFC 6507 §5.1.2).
pub struct Ssk(SecretScalar);

impl Ssk {
    /// Parses `I2OSP(SSK, 32)` (RFC 6507 §3.3): exactly 32 octets encoding a value in
    /// `[1, q-1]`. Errors: [`EccsiError::ScalarLength`], [`EccsiError::ScalarOutOfRange`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EccsiError> {
        SecretScalar::from_bytes(bytes).map(Self)
    }

    /// Returns `I2OSP(SSK, 32)` in a buffer that is zeroized when dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        self.0.to_bytes()
    }
}

impl fmt::Debug for Ssk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ssk(..)")
    }
}

impl ConstantTimeEq for Ssk {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0 .0.ct_eq(&other.0 .0)
    }
}

impl ZeroizeOnDrop for Ssk {}

// ---------------------------------------------------------------------------------------
// Public points
// ---------------------------------------------------------------------------------------

/// The KMS Public Authentication Key `KPAK = [KSAK]G` (RFC 6507 §2, §4.2).
///
/// Besides the point, a `Kpak` carries a verification table (256 odd multiples of
/// KPAK, about 24 KiB) that is built on its first use by [`verify`] (in about the time
/// of one verification) and then shared by all clones of this value. Keep one `Kpak` per KMS around to benefit from it; equality
/// compares the points only.
#[derive(Clone)]
pub struct Kpak {
    point: PublicPoint,
    table: Arc<OnceLock<OddMultiples>>,
}

impl Kpak {
    /// Decodes `E(KPAK)` = `0x04 || x || y` (RFC 6507 §3.3) and validates it.
    ///
    /// Errors: [`EccsiError::PointLength`] (not 65 octets), [`EccsiError::PointPrefix`]
    /// (not `0x04`), [`EccsiError::CoordinateOutOfRange`] (x or y ≥ p),
    /// [`EccsiError::PointNotOnCurve`], [`EccsiError::PointAtInfinity`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EccsiError> {
        PublicPoint::decode(bytes).map(Self::new)
    }

    fn new(point: PublicPoint) -> Self {
        Self {
            point,
            table: Arc::new(OnceLock::new()),
        }
    }

    /// Returns `E(KPAK)`, 65 octets.
    pub fn to_bytes(&self) -> [u8; POINT_LEN] {
        self.point.bytes
    }

    /// Borrows `E(KPAK)`, 65 octets.
    pub fn as_bytes(&self) -> &[u8; POINT_LEN] {
        &self.point.bytes
    }

    /// The wNAF table of KPAK used by [`verify`], built on first use.
    fn odd_multiples(&self) -> &OddMultiples {
        self.table
            .get_or_init(|| OddMultiples::new(&self.point.projective(), KPAK_WNAF_WIDTH))
    }
}

impl PartialEq for Kpak {
    fn eq(&self, other: &Self) -> bool {
        self.point == other.point
    }
}

impl Eq for Kpak {}

impl fmt::Debug for Kpak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Kpak(")?;
        write_hex(f, &self.point.bytes)?;
        f.write_str(")")
    }
}

/// A user's Public Validation Token `PVT = [v]G` (RFC 6507 §2, §5.1.1 step 2).
#[derive(Clone, PartialEq, Eq)]
pub struct Pvt(PublicPoint);

impl Pvt {
    /// Decodes `E(PVT)` = `0x04 || x || y` (RFC 6507 §3.3) and validates it
    /// (RFC 6507 §5.1.2 / §5.2.2 step 1).
    ///
    /// Errors: as for [`Kpak::from_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EccsiError> {
        PublicPoint::decode(bytes).map(Self)
    }

    /// Returns `E(PVT)`, 65 octets.
    pub fn to_bytes(&self) -> [u8; POINT_LEN] {
        self.0.bytes
    }

    /// Borrows `E(PVT)`, 65 octets.
    pub fn as_bytes(&self) -> &[u8; POINT_LEN] {
        &self.0.bytes
    }
}

impl fmt::Debug for Pvt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pvt(")?;
        write_hex(f, &self.0.bytes)?;
        f.write_str(")")
    }
}

// ---------------------------------------------------------------------------------------
// KMS
// ---------------------------------------------------------------------------------------

/// The KMS side of ECCSI: holds KSAK and KPAK (RFC 6507 §4.2) and issues (SSK, PVT)
/// pairs (RFC 6507 §5.1.1).
#[derive(Debug)]
pub struct EccsiKms {
    ksak: Ksak,
    kpak: Kpak,
}

impl EccsiKms {
    /// Creates a KMS key pair (RFC 6507 §4.2): KSAK uniform in `[1, q-1]` (rejection
    /// sampling on 32 random octets), `KPAK = [KSAK]G`.
    pub fn generate(rng: &mut (impl SecureRandom + ?Sized)) -> Result<Self, EccsiError> {
        let ksak = random_nonzero_scalar(rng)?;
        Ok(Self::from_ksak(Ksak(SecretScalar(*ksak))))
    }

    /// Rebuilds the KMS from a stored KSAK, computing `KPAK = [KSAK]G` (RFC 6507 §4.2)
    /// with a constant-time fixed-base multiplication.
    pub fn from_ksak(ksak: Ksak) -> Self {
        // KSAK is in [1, q-1] by construction (every constructor checks it), so KPAK
        // is never the identity.
        let point = G_COMB.mul(&ksak.0 .0).to_affine();
        let kpak = Kpak::new(PublicPoint {
            point,
            bytes: encode_affine(&point),
        });
        Self { ksak, kpak }
    }

    /// The KMS Public Authentication Key.
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// The KMS Secret Authentication Key.
    pub fn ksak(&self) -> &Ksak {
        &self.ksak
    }

    /// Issues `(SSK, PVT)` for identifier `id` (RFC 6507 §5.1.1):
    ///
    /// 1. v uniform in `[1, q-1]`; 2. `PVT = [v]G`;
    /// 3. `HS = hash(E(G) || E(KPAK) || ID || E(PVT))`; 4. `SSK = (KSAK + HS·v) mod q`;
    /// 5. if `SSK = 0` or `HS·v ≡ 0 (mod q)`, restart with a fresh v (checklist C4).
    ///
    /// v and HS·v are zeroized. Fails only if the random generator fails.
    pub fn issue(
        &self,
        id: &[u8],
        rng: &mut (impl SecureRandom + ?Sized),
    ) -> Result<(Ssk, Pvt), EccsiError> {
        for _ in 0..MAX_RANDOM_DRAWS {
            let v = random_nonzero_scalar(rng)?;
            if let Some(pair) = self.issue_with_v(id, &v) {
                return Ok(pair);
            }
        }
        Err(EccsiError::Random(RandomError))
    }

    /// RFC 6507 §5.1.1 steps 2–5 for a given v; `None` if step 5 requires a restart
    /// (SSK = 0, HS·v ≡ 0 or v = 0).
    fn issue_with_v(&self, id: &[u8], v: &Scalar) -> Option<(Ssk, Pvt)> {
        let pvt = PublicPoint::from_projective(&G_COMB.mul(v))?;
        let hs = hash_hs(&self.kpak.point.bytes, id, &pvt.bytes);
        let hs_v = Zeroizing::new(reduce_hash(&hs) * v);
        let ssk = SecretScalar(self.ksak.0 .0 + *hs_v);
        let restart = ssk.0.ct_eq(&Scalar::ZERO) | hs_v.ct_eq(&Scalar::ZERO);
        if bool::from(restart) {
            return None;
        }
        Some((Ssk(ssk), Pvt(pvt)))
    }
}

// ---------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------

/// An ECCSI signature `I2OSP(r, 32) || I2OSP(s, 32) || E(PVT)` (RFC 6507 §3.3), 129 octets.
///
/// [`Signature::from_bytes`] checks only the length; the range and point checks are
/// part of verification (RFC 6507 §5.2.2).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; SIGNATURE_LEN]);

impl Signature {
    /// Wraps 129 octets. Error: [`EccsiError::SignatureLength`] (checklist E8).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EccsiError> {
        bytes
            .try_into()
            .map(Self)
            .map_err(|_| EccsiError::SignatureLength { len: bytes.len() })
    }

    /// Returns the 129 octets.
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        self.0
    }

    /// Borrows the 129 octets.
    pub fn as_bytes(&self) -> &[u8; SIGNATURE_LEN] {
        &self.0
    }

    /// The octets of `r` (RFC 6507 §3.3): signature octets 0–31.
    pub fn r(&self) -> &[u8] {
        &self.0[..SCALAR_LEN]
    }

    /// The octets of `s` (RFC 6507 §3.3): signature octets 32–63.
    pub fn s(&self) -> &[u8] {
        &self.0[SCALAR_LEN..2 * SCALAR_LEN]
    }

    /// The octets of `E(PVT)` (RFC 6507 §3.3): signature octets 64–128 (not validated).
    pub fn pvt(&self) -> &[u8] {
        &self.0[2 * SCALAR_LEN..]
    }
}

impl AsRef<[u8]> for Signature {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signature(")?;
        write_hex(f, &self.0)?;
        f.write_str(")")
    }
}

/// A validated signing key: KPAK, the signer's identifier, SSK and PVT, plus the cached
/// HS (computed during RFC 6507 §5.1.2 validation, used by §5.2.1 signing).
pub struct SigningKey {
    kpak: Kpak,
    id: Vec<u8>,
    ssk: Ssk,
    pvt: Pvt,
    hs: [u8; HASH_LEN],
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kpak", &self.kpak)
            .field("id", &self.id)
            .field("ssk", &self.ssk)
            .field("pvt", &self.pvt)
            .finish()
    }
}

impl SigningKey {
    /// Validates a received `(SSK, PVT)` for `id` against `kpak` (RFC 6507 §5.1.2) and
    /// returns a key ready for signing.
    ///
    /// PVT was already decoded and checked by [`Pvt::from_bytes`] and SSK's range by
    /// [`Ssk::from_bytes`]. This computes `HS = hash(E(G) || E(KPAK) || ID || E(PVT))`
    /// and checks `[SSK]G == KPAK + [HS]PVT` (`[SSK]G` by the constant-time fixed-base
    /// comb, `[HS]PVT` of public values in variable time; the check is that
    /// `[SSK]G − KPAK − [HS]PVT` is the identity, tested in constant time). On mismatch
    /// it returns [`EccsiError::InvalidKeyPair`] and the SSK is zeroized.
    pub fn new(kpak: &Kpak, id: &[u8], ssk: Ssk, pvt: Pvt) -> Result<Self, EccsiError> {
        let hs = hash_hs(&kpak.point.bytes, id, &pvt.0.bytes);
        let lhs = G_COMB.mul(&ssk.0 .0);
        let hs_pvt = lincomb_vartime(&[(
            &pvt_odd_multiples(&pvt.0.projective()),
            &Wnaf::new(&reduce_hash(&hs), PVT_WNAF_WIDTH),
        )]);
        let difference = ((lhs - hs_pvt) - kpak.point.point).to_affine();
        if !bool::from(difference.is_identity()) {
            return Err(EccsiError::InvalidKeyPair);
        }
        Ok(Self {
            kpak: kpak.clone(),
            id: id.to_vec(),
            ssk,
            pvt,
            hs,
        })
    }

    /// The signer's identifier.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The signer's PVT.
    pub fn pvt(&self) -> &Pvt {
        &self.pvt
    }

    /// The KMS public key this key was validated against.
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// The SSK.
    pub fn ssk(&self) -> &Ssk {
        &self.ssk
    }

    /// Signs `msg` (RFC 6507 §5.2.1) with a fresh ephemeral j drawn uniformly from
    /// `[1, q-1]`:
    ///
    /// 1. `J = [j]G` (constant-time fixed-base comb), `r = J.x`; a new j is drawn if
    ///    `r = 0` or `r ≥ q` (interoperability with verifiers that require `r < q`);
    /// 2. `HE = hash(HS || r || M)`; 3. `t = HE + r·SSK mod q`, new j if `t = 0`
    ///    (checklist C5); 4. `s = t⁻¹·j mod q`; 5. "fit s into N octets" is a no-op for
    ///    P-256 since `q < 2^256`.
    ///
    /// The inversion in step 4 is blinded: a second scalar β is drawn uniformly from
    /// `[1, q-1]` and `t⁻¹ = (t·β)⁻¹·β`, where `(t·β)⁻¹` is computed by a fast
    /// variable-time inversion. Its timing depends only on `t·β`, which is uniformly
    /// distributed and independent of t (β is secret, fresh and never reused), so
    /// nothing about t, SSK or j leaks. β cancels out: the signature depends only on j.
    ///
    /// j, β, t, `t·β` and the inverses are zeroized. Fails only if the random generator
    /// fails.
    pub fn sign(
        &self,
        msg: &[u8],
        rng: &mut (impl SecureRandom + ?Sized),
    ) -> Result<Signature, EccsiError> {
        for _ in 0..MAX_RANDOM_DRAWS {
            let j = random_nonzero_scalar(rng)?;
            let blind = random_nonzero_scalar(rng)?;
            if let Some(sig) = self.sign_with_j(msg, &j, &blind) {
                return Ok(sig);
            }
        }
        Err(EccsiError::Random(RandomError))
    }

    /// RFC 6507 §5.2.1 steps 2–6 for a given j and blinding factor β ≠ 0 (see
    /// [`SigningKey::sign`]); `None` if a new j is needed.
    fn sign_with_j(&self, msg: &[u8], j: &Scalar, blind: &Scalar) -> Option<Signature> {
        let (r_bytes, r) = commitment_r(&G_COMB.mul(j))?;
        let he = hash_he(&self.hs, &r_bytes, msg);
        let r_ssk = Zeroizing::new(r * self.ssk.0 .0);
        let t = Zeroizing::new(reduce_hash(&he) + *r_ssk);
        if bool::from(t.ct_eq(&Scalar::ZERO)) {
            return None;
        }
        let t_blinded = Zeroizing::new(*t * blind);
        let t_blinded_inv = invert_blinded(&t_blinded)?;
        let t_inv = Zeroizing::new(*t_blinded_inv * blind);
        let s = *t_inv * j;
        let mut out = [0u8; SIGNATURE_LEN];
        out[..SCALAR_LEN].copy_from_slice(&r_bytes);
        out[SCALAR_LEN..2 * SCALAR_LEN].copy_from_slice(&s.to_bytes());
        out[2 * SCALAR_LEN..].copy_from_slice(&self.pvt.0.bytes);
        Some(Signature(out))
    }
}

/// `r = J.x` as 32 octets and as a scalar (RFC 6507 §5.2.1 step 2); `None` if J is the
/// identity, `r = 0` or `r ≥ q`.
fn commitment_r(j_point: &ProjectivePoint) -> Option<([u8; SCALAR_LEN], Scalar)> {
    let affine = j_point.to_affine();
    if bool::from(affine.is_identity()) {
        return None;
    }
    let mut r_bytes = [0u8; SCALAR_LEN];
    r_bytes.copy_from_slice(&affine.x());
    let r = scalar_from_bytes_nonzero(&r_bytes)?;
    Some((r_bytes, r))
}

/// The group order q of P-256 (RFC 6507 §4.1), for `crypto-bigint`'s inversion.
const Q: Odd<crypto_bigint::U256> = Odd::<crypto_bigint::U256>::from_be_hex(
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
);

/// `x⁻¹ mod q` by `crypto-bigint`'s variable-time safegcd (Bernstein–Yang) inversion,
/// about 2.3 µs against 5.3 µs for its constant-time variant and 21 µs for the Fermat
/// exponentiation of `p256`'s `Scalar::invert`. `None` for x = 0.
///
/// Only for values whose timing may leak: public values, or secrets multiplied by a
/// fresh uniformly random secret blinding factor (the product is then uniform and
/// independent of the secret). All copies of x and of its inverse outside the result
/// are zeroized.
fn invert_blinded(x: &Scalar) -> Option<Zeroizing<Scalar>> {
    let mut bytes = x.to_bytes();
    let value = Zeroizing::new(crypto_bigint::U256::from_be_slice(&bytes));
    bytes.iter_mut().for_each(Zeroize::zeroize);
    let inverse = Zeroizing::new(value.invert_odd_mod_vartime(&Q).into_option()?);
    let mut inverse_bytes = Zeroizing::new(inverse.to_be_bytes());
    let mut repr = FieldBytes::default();
    repr.copy_from_slice(inverse_bytes.as_slice());
    inverse_bytes.zeroize();
    let scalar = Scalar::from_repr(repr);
    repr.iter_mut().for_each(Zeroize::zeroize);
    Option::<Scalar>::from(scalar).map(Zeroizing::new)
}

// ---------------------------------------------------------------------------------------
// Scalar multiplication strategies on top of the library's point operations
// ---------------------------------------------------------------------------------------
//
// Everything below uses only `p256`'s own curve arithmetic: complete projective
// addition, complete mixed (projective + affine) addition, doubling, negation,
// `ConditionallySelectable` for affine points and `to_affine`. What is added here is
// the choice of which multiples of a point to precompute and in which order to add
// them.
//
// `p256` 0.13 offers no batch normalisation (its `BatchNormalize` needs a field
// `Invert` impl that this version lacks), so converting a point to affine form costs
// a full field inversion (about 7 µs). Only the comb table of G, which is built once
// per process and used for secrets (where affine entries make both the constant-time
// scan and the mixed addition cheaper), is stored in affine form. The tables used in
// variable time (G and KPAK for `verify`, Y in a `Verifier`) stay projective: they
// are built with one addition per entry and cost only 10% more per addition.

/// Width in bits of one comb digit.
const COMB_WIDTH: usize = 6;

/// Points per comb row: `[d·2^(6i)]P` for `d = 1..=32`.
const COMB_ENTRIES: usize = 1 << (COMB_WIDTH - 1);

/// Mask of one unsigned comb window.
const COMB_MASK: u16 = (1 << COMB_WIDTH) - 1;

/// Number of signed radix-2^6 digits of a 256-bit scalar: ⌈256/6⌉ = 43 (the top
/// digit takes 4 bits plus a carry and never carries out).
const COMB_ROWS: usize = (8 * SCALAR_LEN).div_ceil(COMB_WIDTH);

/// A point that can be added to an [`Accumulator`]: table entries are either affine
/// (mixed addition) or projective.
trait TablePoint: Copy {
    fn add_to(&self, acc: &mut Accumulator, negate: bool);
}

impl TablePoint for AffinePoint {
    fn add_to(&self, acc: &mut Accumulator, negate: bool) {
        acc.add_affine(self, negate);
    }
}

impl TablePoint for ProjectivePoint {
    fn add_to(&self, acc: &mut Accumulator, negate: bool) {
        acc.add_projective(self, negate);
    }
}

/// Fixed-base comb table of a point P: row i holds `[d·2^(6i)]P` for `d = 1..=32`.
/// `[k]P = Σ_i [d_i]([2^(6i)]P)` for the signed digits `d_i` of k, so a
/// multiplication is 43 table lookups and 42 additions, without doublings.
struct CombTable<T>(Box<[[T; COMB_ENTRIES]]>);

/// The rows of a comb table in projective form, built with library additions and
/// doublings (one point operation per entry).
fn comb_rows(base: &ProjectivePoint) -> Vec<[ProjectivePoint; COMB_ENTRIES]> {
    let mut rows = Vec::with_capacity(COMB_ROWS);
    let mut row_base = *base;
    for _ in 0..COMB_ROWS {
        let mut row = [ProjectivePoint::IDENTITY; COMB_ENTRIES];
        row[0] = row_base;
        for d in 2..=COMB_ENTRIES {
            // [d]B: double [d/2]B for even d, add B to [d-1]B for odd d.
            row[d - 1] = if d % 2 == 0 {
                row[d / 2 - 1].double()
            } else {
                row[d - 2] + row_base
            };
        }
        // [2^6]B = [2]([32]B): the base of the next row.
        row_base = row[COMB_ENTRIES - 1].double();
        rows.push(row);
    }
    rows
}

impl CombTable<ProjectivePoint> {
    /// A projective comb table, for variable-time use (about 1400 point operations).
    fn new_projective(base: &ProjectivePoint) -> Self {
        Self(comb_rows(base).into_boxed_slice())
    }
}

impl CombTable<AffinePoint> {
    /// An affine comb table, for constant-time use (about 1400 point operations and as
    /// many conversions to affine form: some 10 ms, done once per process for G).
    fn new_affine(base: &ProjectivePoint) -> Self {
        Self(
            comb_rows(base)
                .iter()
                .map(|row| core::array::from_fn(|d| row[d].to_affine()))
                .collect(),
        )
    }

    /// `[k]P` in constant time (k may be secret): every row is scanned completely, the
    /// sign is applied with a conditional select and every digit costs one complete
    /// mixed addition (also a zero digit, which selects the identity).
    fn mul(&self, k: &Scalar) -> ProjectivePoint {
        let digits = comb_digits(k);
        let mut term = AffinePoint::IDENTITY;
        let mut acc = ProjectivePoint::IDENTITY;
        for (i, (row, &digit)) in self.0.iter().zip(digits.iter()).enumerate() {
            select_ct(row, digit, &mut term);
            acc = if i == 0 {
                ProjectivePoint::from(term)
            } else {
                acc + term
            };
        }
        term.zeroize();
        acc
    }
}

impl<T: TablePoint> CombTable<T> {
    /// Adds `[k]P` to `acc` in variable time (public k only): rows are indexed
    /// directly and zero digits are skipped.
    fn mul_add_vartime(&self, k: &Scalar, acc: &mut Accumulator) {
        let digits = comb_digits(k);
        for (row, &digit) in self.0.iter().zip(digits.iter()) {
            let index = usize::from(digit.unsigned_abs());
            if let Some(point) = index.checked_sub(1).and_then(|i| row.get(i)) {
                point.add_to(acc, digit < 0);
            }
        }
    }
}

/// The signed radix-2^6 digits `d_i ∈ [-31, 32]` of k, least significant first, with
/// `k = Σ d_i·2^(6i)`. Constant time: the same operations for every k, no branches or
/// memory accesses that depend on k.
fn comb_digits(k: &Scalar) -> Zeroizing<[i8; COMB_ROWS]> {
    let mut be = k.to_bytes();
    // Little-endian with one spare zero octet, so that every digit can read two octets.
    let mut le = Zeroizing::new([0u8; SCALAR_LEN + 1]);
    for (dst, src) in le.iter_mut().zip(be.iter().rev()) {
        *dst = *src;
    }
    be.iter_mut().for_each(Zeroize::zeroize);
    let mut digits = Zeroizing::new([0i8; COMB_ROWS]);
    let mut carry = 0u16;
    for (i, digit) in digits.iter_mut().enumerate() {
        let bit = i * COMB_WIDTH;
        let lo = le.get(bit / 8).copied().unwrap_or(0);
        let hi = le.get(bit / 8 + 1).copied().unwrap_or(0);
        let pair = u16::from(lo) | (u16::from(hi) << 8);
        // 0..=64
        let value = ((pair >> (bit % 8)) & COMB_MASK) + carry;
        // 1 iff value > 32, in which case the digit is value - 64 ∈ [-31, 0].
        carry = (value + COMB_MASK / 2) >> COMB_WIDTH;
        let signed = value.wrapping_sub(carry << COMB_WIDTH);
        // `signed` is a 16-bit two's complement value in [-31, 32]; its low byte is
        // the digit.
        *digit = i8::from_le_bytes([signed.to_le_bytes()[0]]);
    }
    digits
}

/// `out = [digit]·row_base` from one comb row, in constant time: all 32 entries are
/// read, `out` is the identity for a zero digit and negated for a negative one.
fn select_ct(row: &[AffinePoint; COMB_ENTRIES], digit: i8, out: &mut AffinePoint) {
    let [byte] = digit.to_le_bytes();
    let negative = byte >> 7;
    // |digit| without branches: (digit XOR mask) - mask with mask = 0 or -1.
    let mask = 0u8.wrapping_sub(negative);
    let magnitude = (byte ^ mask).wrapping_sub(mask);
    *out = AffinePoint::IDENTITY;
    for (entry, index) in row.iter().zip(1u8..) {
        out.conditional_assign(entry, magnitude.ct_eq(&index));
    }
    let negated = -*out;
    out.conditional_assign(&negated, Choice::from(negative));
}

/// A running sum for the variable-time algorithms that skips operations on the
/// identity.
struct Accumulator(Option<ProjectivePoint>);

impl Accumulator {
    fn new() -> Self {
        Self(None)
    }

    fn double(&mut self) {
        if let Some(point) = &mut self.0 {
            *point = point.double();
        }
    }

    fn add_affine(&mut self, point: &AffinePoint, negate: bool) {
        self.0 = Some(match (self.0, negate) {
            (Some(acc), false) => acc + point,
            (Some(acc), true) => acc - point,
            (None, false) => ProjectivePoint::from(*point),
            (None, true) => ProjectivePoint::from(-*point),
        });
    }

    fn add_projective(&mut self, point: &ProjectivePoint, negate: bool) {
        self.0 = Some(match (self.0, negate) {
            (Some(acc), false) => acc + point,
            (Some(acc), true) => acc - point,
            (None, false) => *point,
            (None, true) => -*point,
        });
    }

    fn finish(self) -> ProjectivePoint {
        self.0.unwrap_or(ProjectivePoint::IDENTITY)
    }
}

/// wNAF window width for the generator's verification table: 2^10 odd multiples.
const G_WNAF_WIDTH: usize = 12;

/// wNAF window width for a KPAK's verification table: 2^8 odd multiples.
const KPAK_WNAF_WIDTH: usize = 10;

/// wNAF window width for PVT, whose table is computed for each verification.
const PVT_WNAF_WIDTH: usize = 5;

/// Number of odd multiples for [`PVT_WNAF_WIDTH`].
const PVT_ENTRIES: usize = 1 << (PVT_WNAF_WIDTH - 2);

/// Digits of a width-w NAF of a 256-bit scalar: one more than its bit length.
const WNAF_LEN: usize = 8 * SCALAR_LEN + 1;

// Digits must fit an i16 (and window values an i32) in `Wnaf::new`.
const _: () = assert!(G_WNAF_WIDTH <= 16 && KPAK_WNAF_WIDTH <= 16 && PVT_WNAF_WIDTH >= 2);

/// The width-w NAF of a public scalar: `k = Σ d_i·2^i` with every nonzero `d_i` odd,
/// `|d_i| < 2^(w-1)`, and at least w−1 zeros after each nonzero digit.
struct Wnaf {
    digits: [i16; WNAF_LEN],
    /// Index of the most significant nonzero digit; `None` for k = 0.
    top: Option<usize>,
}

impl Wnaf {
    /// Variable-time recoding; only for public scalars.
    fn new(k: &Scalar, width: usize) -> Self {
        let be = k.to_bytes();
        // Little-endian 64-bit limbs with a zero limb on top.
        let mut limbs = [0u64; 5];
        for (limb, chunk) in limbs.iter_mut().zip(be.rchunks_exact(8)) {
            let mut octets = [0u8; 8];
            octets.copy_from_slice(chunk);
            *limb = u64::from_be_bytes(octets);
        }
        let window = 1i32 << width;
        let mask = (1u64 << width) - 1;
        let mut digits = [0i16; WNAF_LEN];
        let mut top = None;
        let mut carry = 0i32;
        let mut pos = 0;
        while pos < WNAF_LEN {
            let (limb, bit) = (pos / 64, pos % 64);
            let low = limbs.get(limb).copied().unwrap_or(0) >> bit;
            let high = match bit {
                0 => 0,
                _ => limbs.get(limb + 1).copied().unwrap_or(0) << (64 - bit),
            };
            // The window value is at most 2^width ≤ 2^16, so it fits an i32.
            let value = carry + i32::try_from((low | high) & mask).unwrap_or(0);
            if value & 1 == 0 {
                pos += 1;
                continue;
            }
            let digit = if value < window / 2 {
                carry = 0;
                value
            } else {
                carry = 1;
                value - window
            };
            if let Some(slot) = digits.get_mut(pos) {
                *slot = i16::try_from(digit).unwrap_or(0);
                top = Some(pos);
            }
            pos += width;
        }
        Self { digits, top }
    }
}

/// Odd multiples `[1]P, [3]P, …, [2^(w-2)·2 − 1]P` of a fixed point (projective): the
/// table of a width-w NAF, built with one addition per entry.
struct OddMultiples(Vec<ProjectivePoint>);

impl OddMultiples {
    fn new(base: &ProjectivePoint, width: usize) -> Self {
        let count = 1usize << (width - 2);
        let twice = base.double();
        let mut table = Vec::with_capacity(count);
        let mut current = *base;
        for _ in 0..count {
            table.push(current);
            current += twice;
        }
        Self(table)
    }
}

/// Odd multiples `[1]P, [3]P, …, [15]P` of a per-signature point.
fn pvt_odd_multiples(base: &ProjectivePoint) -> [ProjectivePoint; PVT_ENTRIES] {
    let twice = base.double();
    let mut table = [*base; PVT_ENTRIES];
    for i in 1..PVT_ENTRIES {
        table[i] = table[i - 1] + twice;
    }
    table
}

/// `Σ [k_i]P_i` in variable time by interleaved wNAF (Straus): one shared chain of
/// doublings, one addition per nonzero digit. `terms` pairs each table of odd
/// multiples with the wNAF of its scalar (of the table's width). Public scalars only.
fn lincomb_vartime(terms: &[(&[ProjectivePoint], &Wnaf)]) -> ProjectivePoint {
    let mut acc = Accumulator::new();
    let Some(top) = terms.iter().filter_map(|(_, wnaf)| wnaf.top).max() else {
        return acc.finish();
    };
    for i in (0..=top).rev() {
        acc.double();
        for (table, wnaf) in terms {
            let digit = wnaf.digits.get(i).copied().unwrap_or(0);
            if digit != 0 {
                if let Some(point) = table.get(usize::from(digit.unsigned_abs() >> 1)) {
                    acc.add_projective(point, digit < 0);
                }
            }
        }
    }
    acc.finish()
}

/// The comb table of G, built on first use.
static G_COMB: LazyLock<CombTable<AffinePoint>> =
    LazyLock::new(|| CombTable::new_affine(&ProjectivePoint::GENERATOR));

/// The wNAF table of G for verification, built on first use.
static G_ODD_MULTIPLES: LazyLock<OddMultiples> =
    LazyLock::new(|| OddMultiples::new(&ProjectivePoint::GENERATOR, G_WNAF_WIDTH));

// ---------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------

/// A signature split and range-checked per RFC 6507 §5.2.2 step 1.
struct ParsedSignature {
    r_bytes: [u8; SCALAR_LEN],
    r: Scalar,
    s: Scalar,
    pvt: PublicPoint,
}

impl ParsedSignature {
    /// Length (129), PVT decoding, `r ∈ [1, q-1]`, `s ∈ [1, q-1]`, in that order
    /// (see [`verify`] for the `r < q` policy).
    fn parse(sig: &[u8]) -> Result<Self, EccsiError> {
        if sig.len() != SIGNATURE_LEN {
            return Err(EccsiError::SignatureLength { len: sig.len() });
        }
        let pvt = PublicPoint::decode(sig.get(2 * SCALAR_LEN..).unwrap_or_default())?;
        let r_bytes: [u8; SCALAR_LEN] =
            take(sig, 0).ok_or(EccsiError::SignatureLength { len: sig.len() })?;
        let s_bytes: [u8; SCALAR_LEN] =
            take(sig, SCALAR_LEN).ok_or(EccsiError::SignatureLength { len: sig.len() })?;
        let r = scalar_from_bytes_nonzero(&r_bytes).ok_or(EccsiError::SignatureROutOfRange)?;
        let s = scalar_from_bytes_nonzero(&s_bytes).ok_or(EccsiError::SignatureSOutOfRange)?;
        Ok(Self { r_bytes, r, s, pvt })
    }
}

/// RFC 6507 §5.2.2 step 6: accept iff J is not the identity and `J.x = r`
/// (`J.x ≠ 0` follows from `r ≠ 0`). The comparison is constant time.
fn check_j(j_point: &ProjectivePoint, r_bytes: &[u8; SCALAR_LEN]) -> Result<(), EccsiError> {
    let affine = j_point.to_affine();
    let x = affine.x();
    let ok = !affine.is_identity() & x[..].ct_eq(&r_bytes[..]);
    if bool::from(ok) {
        Ok(())
    } else {
        Err(EccsiError::InvalidSignature)
    }
}

/// Verifies an ECCSI signature (RFC 6507 §5.2.2) by the signer `id` under the KMS key
/// `kpak` on `msg`.
///
/// Checks, in this order:
///
/// 1. `sig` is 129 octets, else [`EccsiError::SignatureLength`].
/// 2. PVT (`sig[64..129]`) decodes: 0x04 prefix, coordinates < p, on the curve, not
///    infinity; else the point errors of [`Pvt::from_bytes`].
/// 3. `r` is in `[1, q-1]`, else [`EccsiError::SignatureROutOfRange`]. RFC 6507 only
///    demands `r < p`; since `p > q` this policy is stricter, as in widely deployed
///    verifiers. A conforming signer produces `q ≤ r < p` with probability ≈ 2^-128
///    and [`SigningKey::sign`] never does.
/// 4. `s` is in `[1, q-1]`, else [`EccsiError::SignatureSOutOfRange`].
/// 5. `HS = hash(E(G) || E(KPAK) || ID || E(PVT))`, `HE = hash(HS || r || M)`,
///    `J = [s]([HE]G + [r]([HS]PVT + KPAK))`, computed as the single multi-scalar
///    multiplication `[s·HE]G + [s·r·HS]PVT + [s·r]KPAK`.
/// 6. Accept iff `J ≠ O` and `J.x = r`; otherwise [`EccsiError::InvalidSignature`].
///
/// Only public data is involved; variable-time arithmetic is used. The first call
/// with a given [`Kpak`] value (or a clone of it) also builds its verification table
/// (about the cost of one verification). For repeated verification of the same signer,
/// [`Verifier`] is faster.
pub fn verify(kpak: &Kpak, id: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), EccsiError> {
    let parsed = ParsedSignature::parse(sig)?;
    let hs = hash_hs(&kpak.point.bytes, id, &parsed.pvt.bytes);
    let he = hash_he(&hs, &parsed.r_bytes, msg);
    let sr = parsed.s * parsed.r;
    let g_digits = Wnaf::new(&(parsed.s * reduce_hash(&he)), G_WNAF_WIDTH);
    let kpak_digits = Wnaf::new(&sr, KPAK_WNAF_WIDTH);
    let pvt_digits = Wnaf::new(&(sr * reduce_hash(&hs)), PVT_WNAF_WIDTH);
    let pvt_table = pvt_odd_multiples(&parsed.pvt.projective());
    let j_point = lincomb_vartime(&[
        (&G_ODD_MULTIPLES.0, &g_digits),
        (&kpak.odd_multiples().0, &kpak_digits),
        (&pvt_table, &pvt_digits),
    ]);
    check_j(&j_point, &parsed.r_bytes)
}

/// A verifier for one signer (KPAK, ID, PVT) with `HS` and `Y = [HS]PVT + KPAK`
/// (RFC 6507 §5.2.2 steps 2 and 4) computed once.
///
/// [`Verifier::new`] computes Y and a comb table of Y (43 × 32 projective points,
/// about 130 KiB, shared by clones); it costs about five uncached verifications. With it,
/// [`Verifier::verify`] needs no doublings and is several times as fast as [`verify`].
/// If a signature carries a PVT other than the cached one (for example after the
/// signer's key period changed), it falls back to [`verify`] with the same KPAK and
/// ID, so `Verifier::verify` always returns exactly what [`verify`] returns. Compare
/// [`Verifier::pvt`] with [`Signature::pvt`] if a PVT change must be noticed.
#[derive(Clone)]
pub struct Verifier {
    kpak: Kpak,
    id: Vec<u8>,
    pvt: Pvt,
    hs: [u8; HASH_LEN],
    y_comb: Arc<CombTable<ProjectivePoint>>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("kpak", &self.kpak)
            .field("id", &self.id)
            .field("pvt", &self.pvt)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Precomputes `HS = hash(E(G) || E(KPAK) || ID || E(PVT))` and
    /// `Y = [HS]PVT + KPAK` (RFC 6507 §5.2.2 steps 2, 4).
    ///
    /// Currently infallible (all inputs are already validated types); the `Result`
    /// leaves room for future checks.
    pub fn new(kpak: &Kpak, id: &[u8], pvt: &Pvt) -> Result<Self, EccsiError> {
        let hs = hash_hs(&kpak.point.bytes, id, &pvt.0.bytes);
        let hs_pvt = lincomb_vartime(&[(
            &pvt_odd_multiples(&pvt.0.projective()),
            &Wnaf::new(&reduce_hash(&hs), PVT_WNAF_WIDTH),
        )]);
        let y = hs_pvt + kpak.point.point;
        Ok(Self {
            kpak: kpak.clone(),
            id: id.to_vec(),
            pvt: pvt.clone(),
            hs,
            y_comb: Arc::new(CombTable::new_projective(&y)),
        })
    }

    /// The signer's identifier.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The PVT whose `Y` is cached.
    pub fn pvt(&self) -> &Pvt {
        &self.pvt
    }

    /// The KMS public key.
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// Verifies `sig` on `msg` (RFC 6507 §5.2.2) with the cached `Y`:
    /// `J = [s·HE]G + [s·r]Y`. Same checks, order and errors as [`verify`]; a
    /// signature whose PVT differs from [`Verifier::pvt`] is verified by [`verify`].
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), EccsiError> {
        let parsed = ParsedSignature::parse(sig)?;
        if parsed.pvt.bytes != self.pvt.0.bytes {
            return verify(&self.kpak, &self.id, msg, sig);
        }
        let he = hash_he(&self.hs, &parsed.r_bytes, msg);
        let mut acc = Accumulator::new();
        G_COMB.mul_add_vartime(&(parsed.s * reduce_hash(&he)), &mut acc);
        self.y_comb
            .mul_add_vartime(&(parsed.s * parsed.r), &mut acc);
        check_j(&acc.finish(), &parsed.r_bytes)
    }
}

// ---------------------------------------------------------------------------------------
// Tests with the RFC 6507 Appendix A data
// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    struct Vector {
        ksak: Vec<u8>,
        kpak: Vec<u8>,
        id: Vec<u8>,
        v: Vec<u8>,
        pvt: Vec<u8>,
        hs: Vec<u8>,
        ssk: Vec<u8>,
        message: Vec<u8>,
        j: Vec<u8>,
        big_j: Vec<u8>,
        r: Vec<u8>,
        he: Vec<u8>,
        s: Vec<u8>,
        signature: Vec<u8>,
        verifier_y: Vec<u8>,
    }

    fn vector() -> Vector {
        let json: serde_json::Value =
            serde_json::from_str(include_str!("../tests/data/rfc6507_eccsi.json"))
                .expect("vector JSON");
        let field = |name: &str| {
            hex::decode(json[name].as_str().expect("vector field")).expect("vector hex")
        };
        Vector {
            ksak: field("ksak"),
            kpak: field("kpak"),
            id: field("id"),
            v: field("v"),
            pvt: field("pvt"),
            hs: field("hs"),
            ssk: field("ssk"),
            message: field("message"),
            j: field("j"),
            big_j: field("J"),
            r: field("r"),
            he: field("he"),
            s: field("s"),
            signature: field("signature"),
            verifier_y: field("verifier_Y"),
        }
    }

    fn scalar(bytes: &[u8]) -> Scalar {
        scalar_from_bytes_nonzero(bytes.try_into().expect("32 octets")).expect("in range")
    }

    fn kms(v: &Vector) -> EccsiKms {
        EccsiKms::from_ksak(Ksak::from_bytes(&v.ksak).expect("KSAK"))
    }

    fn signing_key(v: &Vector) -> SigningKey {
        let kms = kms(v);
        let (ssk, pvt) = kms.issue_with_v(&v.id, &scalar(&v.v)).expect("no restart");
        SigningKey::new(kms.kpak(), &v.id, ssk, pvt).expect("vector key pair validates")
    }

    #[test]
    fn vector_kpak_from_ksak() {
        let v = vector();
        assert_eq!(kms(&v).kpak().to_bytes().as_slice(), v.kpak.as_slice());
        assert_eq!(Kpak::from_bytes(&v.kpak).unwrap(), *kms(&v).kpak());
    }

    #[test]
    fn vector_issue_with_v_gives_pvt_hs_ssk() {
        let v = vector();
        let kms = kms(&v);
        let (ssk, pvt) = kms.issue_with_v(&v.id, &scalar(&v.v)).unwrap();
        assert_eq!(pvt.to_bytes().as_slice(), v.pvt.as_slice());
        assert_eq!(ssk.to_bytes().as_slice(), v.ssk.as_slice());
        let hs = hash_hs(kms.kpak().as_bytes(), &v.id, pvt.as_bytes());
        assert_eq!(hs.as_slice(), v.hs.as_slice());
    }

    #[test]
    fn vector_signing_key_validates_and_caches_hs() {
        let v = vector();
        let key = signing_key(&v);
        assert_eq!(key.hs.as_slice(), v.hs.as_slice());
        assert_eq!(key.id(), v.id.as_slice());
        assert_eq!(key.pvt().as_bytes().as_slice(), v.pvt.as_slice());
        assert_eq!(key.kpak().as_bytes().as_slice(), v.kpak.as_slice());

        // The same pair decoded from octets validates as well.
        let kpak = Kpak::from_bytes(&v.kpak).unwrap();
        let ssk = Ssk::from_bytes(&v.ssk).unwrap();
        let pvt = Pvt::from_bytes(&v.pvt).unwrap();
        assert!(SigningKey::new(&kpak, &v.id, ssk, pvt).is_ok());
    }

    /// `[k]G` with the library's own (double-and-add) scalar multiplication, as the
    /// reference for the tables.
    fn plain_mul_g(k: &Scalar) -> ProjectivePoint {
        ProjectivePoint::GENERATOR * k
    }

    /// Affine encodings, to compare points without the library's costly projective
    /// equality.
    fn enc(point: &ProjectivePoint) -> Vec<u8> {
        point
            .to_affine()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    #[test]
    fn vector_sign_intermediates_j_r_he_s() {
        let v = vector();
        let key = signing_key(&v);
        let j = scalar(&v.j);
        let j_point = G_COMB.mul(&j);
        assert_eq!(
            encode_affine(&j_point.to_affine()).as_slice(),
            v.big_j.as_slice()
        );
        let (r_bytes, r) = commitment_r(&j_point).unwrap();
        assert_eq!(r_bytes.as_slice(), v.r.as_slice());
        let he = hash_he(&key.hs, &r_bytes, &v.message);
        assert_eq!(he.as_slice(), v.he.as_slice());
        let t = reduce_hash(&he) + r * scalar(&v.ssk);
        let s = Option::<Scalar>::from(t.invert()).unwrap() * j;
        assert_eq!(&s.to_bytes()[..], v.s.as_slice());
        // The safegcd inversion agrees with the library's.
        assert_eq!(*invert_blinded(&t).unwrap() * j, s);
    }

    #[test]
    fn vector_sign_with_j_gives_full_signature() {
        let v = vector();
        let key = signing_key(&v);
        let sig = key
            .sign_with_j(&v.message, &scalar(&v.j), &Scalar::ONE)
            .unwrap();
        // The blinding factor cancels out.
        for blind in [Scalar::from(2u64), -Scalar::ONE, scalar(&v.ssk)] {
            let blinded = key.sign_with_j(&v.message, &scalar(&v.j), &blind);
            assert_eq!(blinded, Some(sig));
        }
        assert_eq!(sig.as_bytes().as_slice(), v.signature.as_slice());
        assert_eq!(sig.r(), v.r.as_slice());
        assert_eq!(sig.s(), v.s.as_slice());
        assert_eq!(sig.pvt(), v.pvt.as_slice());
    }

    #[test]
    fn vector_verifier_y_and_verify() {
        let v = vector();
        let kpak = Kpak::from_bytes(&v.kpak).unwrap();
        let pvt = Pvt::from_bytes(&v.pvt).unwrap();
        let verifier = Verifier::new(&kpak, &v.id, &pvt).unwrap();
        let y = verifier.y_comb.0[0][0];
        assert_eq!(enc(&y).as_slice(), v.verifier_y.as_slice());
        assert_eq!(verifier.hs.as_slice(), v.hs.as_slice());
        assert_eq!(verify(&kpak, &v.id, &v.message, &v.signature), Ok(()));
        assert_eq!(verifier.verify(&v.message, &v.signature), Ok(()));
        // Y = [SSK]G for a valid pair (RFC 6507 §5.1.2).
        assert_eq!(enc(&y), enc(&plain_mul_g(&scalar(&v.ssk))));
    }

    /// Scalars for the table tests: 0, 1, 2, q−1, q−2, values with long runs of ones or
    /// zeros (carries through every comb digit and wNAF window), single bits, and
    /// pseudo-random values.
    fn test_scalars() -> Vec<Scalar> {
        let v = vector();
        let mut ks = vec![
            Scalar::ZERO,
            Scalar::ONE,
            Scalar::from(2u64),
            -Scalar::ONE,
            -Scalar::from(2u64),
            Scalar::from(u64::MAX),
            // 2^255 - 1 and 2^255 (fit below q).
            reduce_hash(&{
                let mut b = [0xffu8; 32];
                b[0] = 0x7f;
                b
            }),
            reduce_hash(&{
                let mut b = [0u8; 32];
                b[0] = 0x80;
                b
            }),
            // Every comb digit 32 (carry-free maximum) and every digit -31 patterns.
            reduce_hash(&[0x82u8; 32]),
            reduce_hash(&[0x21u8; 32]),
            scalar(&v.ssk),
            scalar(&v.hs),
        ];
        for bit in [0u32, 5, 6, 63, 64, 127, 128, 200, 251, 252, 255] {
            let mut b = [0u8; 32];
            b[31 - (bit / 8) as usize] = 1 << (bit % 8);
            ks.push(reduce_hash(&b));
        }
        for i in 0..40u64 {
            let h = Sha256::digest(i.to_be_bytes());
            ks.push(reduce_hash(&h.into()));
        }
        ks
    }

    #[test]
    fn comb_digits_recompose_the_scalar() {
        for k in test_scalars() {
            let digits = comb_digits(&k);
            let mut sum = Scalar::ZERO;
            for &d in digits.iter().rev() {
                let half = i8::try_from(COMB_ENTRIES).unwrap();
                assert!((1 - half..=half).contains(&d));
                for _ in 0..COMB_WIDTH {
                    sum = sum.double();
                }
                let magnitude = Scalar::from(u64::from(d.unsigned_abs()));
                sum += if d < 0 { -magnitude } else { magnitude };
            }
            assert_eq!(sum, k);
        }
    }

    #[test]
    fn wnaf_recomposes_the_scalar() {
        for width in [PVT_WNAF_WIDTH, KPAK_WNAF_WIDTH, G_WNAF_WIDTH] {
            for k in test_scalars() {
                let wnaf = Wnaf::new(&k, width);
                let mut sum = Scalar::ZERO;
                for &d in wnaf.digits.iter().rev() {
                    sum = sum.double();
                    let magnitude = Scalar::from(u64::from(d.unsigned_abs()));
                    sum += if d < 0 { -magnitude } else { magnitude };
                    assert!(d == 0 || (d % 2 != 0 && d.unsigned_abs() < 1 << (width - 1)));
                }
                assert_eq!(sum, k);
                assert_eq!(wnaf.top.is_none(), k == Scalar::ZERO);
            }
        }
    }

    #[test]
    fn g_and_kpak_tables_match_library_multiplication() {
        let v = vector();
        let kpak = Kpak::from_bytes(&v.kpak).unwrap();
        let kpak_point = kpak.point.projective();
        let pvt_point = Pvt::from_bytes(&v.pvt).unwrap().0.projective();
        let y_comb = CombTable::new_projective(&kpak_point);
        for k in test_scalars() {
            let expected_g = enc(&plain_mul_g(&k));
            let expected_kpak = enc(&(kpak_point * k));
            // Constant-time comb of G.
            assert_eq!(enc(&G_COMB.mul(&k)), expected_g);
            // Variable-time use of the comb tables (G affine, a projective one for KPAK).
            let mut acc = Accumulator::new();
            G_COMB.mul_add_vartime(&k, &mut acc);
            assert_eq!(enc(&acc.finish()), expected_g);
            let mut acc = Accumulator::new();
            y_comb.mul_add_vartime(&k, &mut acc);
            assert_eq!(enc(&acc.finish()), expected_kpak);
            // wNAF tables of G and KPAK, and the on-the-fly PVT table.
            let g_wnaf = Wnaf::new(&k, G_WNAF_WIDTH);
            assert_eq!(
                enc(&lincomb_vartime(&[(&G_ODD_MULTIPLES.0, &g_wnaf)])),
                expected_g
            );
            let kpak_wnaf = Wnaf::new(&k, KPAK_WNAF_WIDTH);
            assert_eq!(
                enc(&lincomb_vartime(&[(&kpak.odd_multiples().0, &kpak_wnaf)])),
                expected_kpak
            );
            let pvt_wnaf = Wnaf::new(&k, PVT_WNAF_WIDTH);
            assert_eq!(
                enc(&lincomb_vartime(&[(
                    &pvt_odd_multiples(&pvt_point),
                    &pvt_wnaf
                )])),
                enc(&(pvt_point * k))
            );
            // A three-term combination as in verification.
            let k2 = k * k + Scalar::ONE;
            let k3 = k2 * k2;
            let expected = plain_mul_g(&k) + pvt_point * k2 + kpak_point * k3;
            let got = lincomb_vartime(&[
                (&G_ODD_MULTIPLES.0, &g_wnaf),
                (&kpak.odd_multiples().0, &Wnaf::new(&k3, KPAK_WNAF_WIDTH)),
                (
                    &pvt_odd_multiples(&pvt_point),
                    &Wnaf::new(&k2, PVT_WNAF_WIDTH),
                ),
            ]);
            assert_eq!(enc(&got), enc(&expected));
        }
        // Clones share the lazily built KPAK table.
        let clone = kpak.clone();
        assert!(core::ptr::eq(clone.odd_multiples(), kpak.odd_multiples()));
    }

    #[test]
    fn select_ct_picks_signed_entries() {
        let row = &G_COMB.0[0];
        let mut out = AffinePoint::IDENTITY;
        select_ct(row, 0, &mut out);
        assert!(bool::from(out.is_identity()));
        let half = i8::try_from(COMB_ENTRIES).unwrap();
        for d in [1i8, 2, 3, half - 1, half, -1, -2, -3, 1 - half] {
            select_ct(row, d, &mut out);
            let expected = plain_mul_g(&Scalar::from(u64::from(d.unsigned_abs())));
            let expected = if d < 0 { -expected } else { expected };
            assert_eq!(enc(&ProjectivePoint::from(out)), enc(&expected));
        }
    }

    #[test]
    fn invert_blinded_matches_library_inversion() {
        assert!(invert_blinded(&Scalar::ZERO).is_none());
        for k in test_scalars().into_iter().filter(|k| *k != Scalar::ZERO) {
            let inverse = invert_blinded(&k).unwrap();
            assert_eq!(*inverse * k, Scalar::ONE);
            assert_eq!(*inverse, Option::<Scalar>::from(k.invert()).unwrap());
        }
    }

    #[test]
    fn vector_signature_roundtrips_through_type() {
        let v = vector();
        let sig = Signature::from_bytes(&v.signature).unwrap();
        assert_eq!(sig.to_bytes().as_slice(), v.signature.as_slice());
        assert_eq!(sig.as_ref(), v.signature.as_slice());
    }

    #[test]
    fn issue_with_v_restarts_when_hs_v_is_zero() {
        // v = 0 makes HS·v ≡ 0 (and PVT = O): issue_with_v must refuse (C4).
        let v = vector();
        assert!(kms(&v).issue_with_v(&v.id, &Scalar::ZERO).is_none());
    }

    #[test]
    fn issue_with_v_restarts_when_ssk_is_zero() {
        // SSK = KSAK + HS·v = 0 (C4) cannot be provoked with a consistent KMS, because HS
        // depends on KPAK = [KSAK]G. A KMS whose KSAK is set to -HS·v (inconsistent with
        // its KPAK) exercises the restart rule of RFC 6507 §5.1.1 step 5.
        let v = vector();
        let good = kms(&v);
        let vv = scalar(&v.v);
        let hs = reduce_hash(&hash_hs(good.kpak().as_bytes(), &v.id, &{
            let mut b = [0u8; POINT_LEN];
            b.copy_from_slice(&v.pvt);
            b
        }));
        let bad = EccsiKms {
            ksak: Ksak(SecretScalar(-(hs * vv))),
            kpak: good.kpak().clone(),
        };
        assert!(bad.issue_with_v(&v.id, &vv).is_none());
    }

    #[test]
    fn sign_with_j_redraws_when_t_is_zero() {
        // t = HE + r·SSK ≡ 0 (C5): pick SSK = -HE/r for the vector's j and message.
        let v = vector();
        let key = signing_key(&v);
        let j = scalar(&v.j);
        let (r_bytes, r) = commitment_r(&plain_mul_g(&j)).unwrap();
        let he = reduce_hash(&hash_he(&key.hs, &r_bytes, &v.message));
        let bad_ssk = -(he * Option::<Scalar>::from(r.invert()).unwrap());
        let bad = SigningKey {
            ssk: Ssk(SecretScalar(bad_ssk)),
            ..signing_key(&v)
        };
        assert!(bad.sign_with_j(&v.message, &j, &Scalar::ONE).is_none());
        assert!(key.sign_with_j(&v.message, &j, &Scalar::ONE).is_some());
    }

    #[test]
    fn sign_with_zero_j_is_refused() {
        let v = vector();
        assert!(signing_key(&v)
            .sign_with_j(&v.message, &Scalar::ZERO, &Scalar::ONE)
            .is_none());
    }

    #[test]
    fn check_j_rejects_identity_and_wrong_x() {
        let v = vector();
        let r: [u8; 32] = v.r.as_slice().try_into().unwrap();
        assert_eq!(
            check_j(&ProjectivePoint::IDENTITY, &r),
            Err(EccsiError::InvalidSignature)
        );
        assert_eq!(
            check_j(&ProjectivePoint::GENERATOR, &r),
            Err(EccsiError::InvalidSignature)
        );
        let j_point = plain_mul_g(&scalar(&v.j));
        assert_eq!(check_j(&j_point, &r), Ok(()));
        // The identity must not pass for r = 0 either (J.x = 0 case of step 6).
        assert!(check_j(&ProjectivePoint::IDENTITY, &[0u8; 32]).is_err());
    }

    #[test]
    fn constants_match_p256() {
        assert_eq!(
            encode_affine(&ProjectivePoint::GENERATOR.to_affine()),
            G_BYTES
        );
        // p - 1 is a valid coordinate; p is not.
        let mut p_minus_1 = P_BYTES;
        p_minus_1[31] -= 1;
        assert!(lt_be(&p_minus_1, &P_BYTES));
        assert!(!lt_be(&P_BYTES, &P_BYTES));
    }

    #[test]
    fn secrets_do_not_print() {
        let v = vector();
        let key = signing_key(&v);
        let text = format!("{key:?} {:?}", kms(&v));
        assert!(text.contains("Ssk(..)"));
        assert!(text.contains("Ksak(..)"));
        assert!(!text.contains("23f374ae"));
        assert!(!text.to_lowercase().contains("12345"));
    }

    #[test]
    fn ksak_roundtrip_and_ct_eq() {
        let v = vector();
        let a = Ksak::from_bytes(&v.ksak).unwrap();
        let b = Ksak::from_bytes(&v.ksak).unwrap();
        assert_eq!(a.to_bytes().as_slice(), v.ksak.as_slice());
        assert!(bool::from(a.ct_eq(&b)));
        let c = Ksak::from_bytes(&v.ssk).unwrap();
        assert!(!bool::from(a.ct_eq(&c)));
    }
}
