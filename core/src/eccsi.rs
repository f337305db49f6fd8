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
//! All curve arithmetic is done by the constant-time `p256` crate. Operations on
//! secrets (KSAK, SSK, the ephemeral `v` and `j`, `t = HE + r·SSK`) use only
//! constant-time scalar multiplication by the generator (`p256`'s precomputed basepoint
//! table) and constant-time scalar inversion, and the secret intermediates are
//! zeroized after use. Verification works on public data only and uses variable-time
//! wNAF multi-scalar multiplication from the `wnaf` crate (the engine behind `p256`'s
//! `lincomb_vartime`), with window tables for G computed once per process and, in a
//! [`Verifier`], for the signer's `Y = [HS]PVT + KPAK`.
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

use p256::elliptic_curve::{ff::PrimeField, group::Group, ops::Reduce, point::AffineCoordinates};
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};
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
fn encode_affine(point: &AffinePoint) -> [u8; POINT_LEN] {
    let mut out = [0u8; POINT_LEN];
    out[0] = 0x04;
    out[1..33].copy_from_slice(&point.x());
    out[33..].copy_from_slice(&point.y());
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
        let point: Option<AffinePoint> =
            AffinePoint::from_coordinates(&FieldBytes::from(x), &FieldBytes::from(y)).into();
        match point {
            // `from_coordinates` never yields the identity; check anyway.
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
    <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*hash))
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
#[derive(Clone, PartialEq, Eq)]
pub struct Kpak(PublicPoint);

impl Kpak {
    /// Decodes `E(KPAK)` = `0x04 || x || y` (RFC 6507 §3.3) and validates it.
    ///
    /// Errors: [`EccsiError::PointLength`] (not 65 octets), [`EccsiError::PointPrefix`]
    /// (not `0x04`), [`EccsiError::CoordinateOutOfRange`] (x or y ≥ p),
    /// [`EccsiError::PointNotOnCurve`], [`EccsiError::PointAtInfinity`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EccsiError> {
        PublicPoint::decode(bytes).map(Self)
    }

    /// Returns `E(KPAK)`, 65 octets.
    pub fn to_bytes(&self) -> [u8; POINT_LEN] {
        self.0.bytes
    }

    /// Borrows `E(KPAK)`, 65 octets.
    pub fn as_bytes(&self) -> &[u8; POINT_LEN] {
        &self.0.bytes
    }
}

impl fmt::Debug for Kpak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Kpak(")?;
        write_hex(f, &self.0.bytes)?;
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
        let point = ProjectivePoint::mul_by_generator(&ksak.0 .0).to_affine();
        let kpak = Kpak(PublicPoint {
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
        let pvt = PublicPoint::from_projective(&ProjectivePoint::mul_by_generator(v))?;
        let hs = hash_hs(&self.kpak.0.bytes, id, &pvt.bytes);
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
    /// and checks `[SSK]G == KPAK + [HS]PVT` (compared in constant time; `[SSK]G` by a
    /// constant-time fixed-base multiplication). On mismatch it returns
    /// [`EccsiError::InvalidKeyPair`] and the SSK is zeroized.
    pub fn new(kpak: &Kpak, id: &[u8], ssk: Ssk, pvt: Pvt) -> Result<Self, EccsiError> {
        let hs = hash_hs(&kpak.0.bytes, id, &pvt.0.bytes);
        let lhs = ProjectivePoint::mul_by_generator(&ssk.0 .0);
        let rhs = kpak.0.projective() + pvt.0.projective().mul_vartime(&reduce_hash(&hs));
        if !bool::from(lhs.ct_eq(&rhs)) {
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
    /// 1. `J = [j]G` (constant-time fixed-base), `r = J.x`; a new j is drawn if
    ///    `r = 0` or `r ≥ q` (interoperability with verifiers that require `r < q`);
    /// 2. `HE = hash(HS || r || M)`; 3. `t = HE + r·SSK mod q`, new j if `t = 0`
    ///    (checklist C5); 4. `s = t⁻¹·j mod q` (constant-time inversion);
    /// 5. "fit s into N octets" is a no-op for P-256 since `q < 2^256`.
    ///
    /// j, t and t⁻¹ are zeroized. Fails only if the random generator fails.
    pub fn sign(
        &self,
        msg: &[u8],
        rng: &mut (impl SecureRandom + ?Sized),
    ) -> Result<Signature, EccsiError> {
        for _ in 0..MAX_RANDOM_DRAWS {
            let j = random_nonzero_scalar(rng)?;
            if let Some(sig) = self.sign_with_j(msg, &j) {
                return Ok(sig);
            }
        }
        Err(EccsiError::Random(RandomError))
    }

    /// RFC 6507 §5.2.1 steps 2–6 for a given j; `None` if a new j is needed.
    fn sign_with_j(&self, msg: &[u8], j: &Scalar) -> Option<Signature> {
        let (r_bytes, r) = commitment_r(&ProjectivePoint::mul_by_generator(j))?;
        let he = hash_he(&self.hs, &r_bytes, msg);
        let r_ssk = Zeroizing::new(r * self.ssk.0 .0);
        let t = Zeroizing::new(reduce_hash(&he) + *r_ssk);
        if bool::from(t.ct_eq(&Scalar::ZERO)) {
            return None;
        }
        let t_inv: Zeroizing<Scalar> = Zeroizing::new(Option::from(t.invert())?);
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
    let r_bytes: [u8; SCALAR_LEN] = affine.x().into();
    let r = scalar_from_bytes_nonzero(&r_bytes)?;
    Some((r_bytes, r))
}

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
    let ok = !affine.is_identity() & x.as_slice().ct_eq(r_bytes.as_slice());
    if bool::from(ok) {
        Ok(())
    } else {
        Err(EccsiError::InvalidSignature)
    }
}

// Multi-scalar multiplication for verification (public data, variable time).
//
// Everything below is built from library operations only: `wnaf::WnafBase` window
// tables and Straus multi-exponentiation (the same code `p256`'s `lincomb_vartime` runs)
// and `p256`'s point doubling. Fixed points (G always, Y in a cached `Verifier`) are
// stored as tables of `[2^(64·i)]P`, i = 0..3, so that a 256-bit scalar becomes four
// 64-bit scalars and the shared doubling chain shrinks from 256 to 64 doublings.

/// wNAF window width used for every table.
type Window = p256::elliptic_curve::consts::U6;

/// A wNAF window table (odd multiples of one point).
type WindowTable = wnaf::WnafBase<ProjectivePoint, Window>;

/// A scalar (or a 64-bit part of one) in wNAF form.
type WnafDigits = wnaf::WnafScalar<Scalar, Window>;

/// Number of 64-bit parts a scalar is split into for fixed points.
const SPLIT_PARTS: usize = 4;

/// Octets per part.
const SPLIT_OCTETS: usize = SCALAR_LEN / SPLIT_PARTS;

/// Window tables of `[2^(64·i)]P` for i = 0..3, for a fixed point P.
#[derive(Clone)]
struct SplitTables([WindowTable; SPLIT_PARTS]);

impl SplitTables {
    fn new(point: &ProjectivePoint) -> Self {
        let mut shifted = *point;
        Self(core::array::from_fn(|i| {
            if i > 0 {
                for _ in 0..8 * SPLIT_OCTETS {
                    shifted = shifted.double();
                }
            }
            WindowTable::new(&shifted)
        }))
    }
}

/// `k = Σ k_i · 2^(64·i)`: the four 64-bit parts of k in wNAF form.
fn split_scalar(k: &Scalar) -> [WnafDigits; SPLIT_PARTS] {
    let mut le: [u8; SCALAR_LEN] = k.to_bytes().into();
    le.reverse();
    core::array::from_fn(|i| {
        let start = i * SPLIT_OCTETS;
        WnafDigits::from_le_bytes(le.get(start..start + SPLIT_OCTETS).unwrap_or_default())
    })
}

/// Tables for the base point G, computed once per process.
static G_TABLES: std::sync::LazyLock<SplitTables> =
    std::sync::LazyLock::new(|| SplitTables::new(&ProjectivePoint::GENERATOR));

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
/// Only public data is involved; variable-time arithmetic is used. For repeated
/// verification of the same signer, [`Verifier`] is faster.
pub fn verify(kpak: &Kpak, id: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), EccsiError> {
    let parsed = ParsedSignature::parse(sig)?;
    let hs = hash_hs(&kpak.0.bytes, id, &parsed.pvt.bytes);
    let he = hash_he(&hs, &parsed.r_bytes, msg);
    let sr = parsed.s * parsed.r;
    let g_digits = split_scalar(&(parsed.s * reduce_hash(&he)));
    let pvt_table = WindowTable::new(&parsed.pvt.projective());
    let pvt_digits = WnafDigits::new(&(sr * reduce_hash(&hs)));
    let kpak_table = WindowTable::new(&kpak.0.projective());
    let kpak_digits = WnafDigits::new(&sr);
    let j_point = WindowTable::multiscalar_mul(
        G_TABLES
            .0
            .iter()
            .zip(g_digits.iter())
            .chain([(&pvt_table, &pvt_digits), (&kpak_table, &kpak_digits)]),
    );
    check_j(&j_point, &parsed.r_bytes)
}

/// A verifier for one signer (KPAK, ID, PVT) with `HS` and `Y = [HS]PVT + KPAK`
/// (RFC 6507 §5.2.2 steps 2 and 4) computed once.
///
/// [`Verifier::new`] costs about one uncached verification (it computes Y and window
/// tables of `[2^(64·i)]Y`, about 6 KiB); [`Verifier::verify`] is then roughly twice
/// as fast as [`verify`]. If a signature carries a PVT other than the cached one (for
/// example after the signer's key period changed), it falls back to [`verify`] with the
/// same KPAK and ID, so `Verifier::verify` always returns exactly what [`verify`]
/// returns. Compare [`Verifier::pvt`] with [`Signature::pvt`] if a PVT change must be
/// noticed.
#[derive(Clone)]
pub struct Verifier {
    kpak: Kpak,
    id: Vec<u8>,
    pvt: Pvt,
    hs: [u8; HASH_LEN],
    y_tables: SplitTables,
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
        let hs = hash_hs(&kpak.0.bytes, id, &pvt.0.bytes);
        let y = pvt.0.projective().mul_vartime(&reduce_hash(&hs)) + kpak.0.projective();
        Ok(Self {
            kpak: kpak.clone(),
            id: id.to_vec(),
            pvt: pvt.clone(),
            hs,
            y_tables: SplitTables::new(&y),
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
        let g_digits = split_scalar(&(parsed.s * reduce_hash(&he)));
        let y_digits = split_scalar(&(parsed.s * parsed.r));
        let j_point = WindowTable::multiscalar_mul(
            G_TABLES
                .0
                .iter()
                .zip(g_digits.iter())
                .chain(self.y_tables.0.iter().zip(y_digits.iter())),
        );
        check_j(&j_point, &parsed.r_bytes)
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

    #[test]
    fn vector_sign_intermediates_j_r_he_s() {
        let v = vector();
        let key = signing_key(&v);
        let j = scalar(&v.j);
        let j_point = ProjectivePoint::mul_by_generator(&j);
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
        assert_eq!(s.to_bytes().as_slice(), v.s.as_slice());
    }

    #[test]
    fn vector_sign_with_j_gives_full_signature() {
        let v = vector();
        let key = signing_key(&v);
        let sig = key.sign_with_j(&v.message, &scalar(&v.j)).unwrap();
        assert_eq!(sig.as_bytes().as_slice(), v.signature.as_slice());
        assert_eq!(sig.r(), v.r.as_slice());
        assert_eq!(sig.s(), v.s.as_slice());
        assert_eq!(sig.pvt(), v.pvt.as_slice());
    }

    /// `Σ k_i·T_i` over split tables: `[k]P` for the tables of P.
    fn split_mul(tables: &SplitTables, k: &Scalar) -> ProjectivePoint {
        WindowTable::multiscalar_mul(tables.0.iter().zip(split_scalar(k).iter()))
    }

    #[test]
    fn vector_verifier_y_and_verify() {
        let v = vector();
        let kpak = Kpak::from_bytes(&v.kpak).unwrap();
        let pvt = Pvt::from_bytes(&v.pvt).unwrap();
        let verifier = Verifier::new(&kpak, &v.id, &pvt).unwrap();
        let y = split_mul(&verifier.y_tables, &Scalar::ONE);
        assert_eq!(
            encode_affine(&y.to_affine()).as_slice(),
            v.verifier_y.as_slice()
        );
        assert_eq!(verifier.hs.as_slice(), v.hs.as_slice());
        assert_eq!(verify(&kpak, &v.id, &v.message, &v.signature), Ok(()));
        assert_eq!(verifier.verify(&v.message, &v.signature), Ok(()));
        // Y = [SSK]G for a valid pair (RFC 6507 §5.1.2).
        assert_eq!(y, ProjectivePoint::mul_by_generator(&scalar(&v.ssk)));
    }

    #[test]
    fn split_tables_multiply_correctly() {
        let v = vector();
        let y = Verifier::new(
            &Kpak::from_bytes(&v.kpak).unwrap(),
            &v.id,
            &Pvt::from_bytes(&v.pvt).unwrap(),
        )
        .unwrap()
        .y_tables;
        let y_point = split_mul(&y, &Scalar::ONE);
        // Scalars exercising every 64-bit part, the top of the range and carries.
        let mut ks = vec![
            Scalar::ONE,
            -Scalar::ONE,
            scalar(&v.ssk),
            scalar(&v.hs),
            Scalar::from(u64::MAX),
            Scalar::from(u128::MAX),
        ];
        for i in 0..40u64 {
            let h = Sha256::digest(i.to_be_bytes());
            ks.push(reduce_hash(&h.into()));
        }
        for k in ks {
            assert_eq!(split_mul(&G_TABLES, &k), ProjectivePoint::GENERATOR * k);
            assert_eq!(split_mul(&y, &k), y_point * k);
        }
        assert_eq!(
            split_mul(&G_TABLES, &Scalar::ZERO),
            ProjectivePoint::IDENTITY
        );
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
        let (r_bytes, r) = commitment_r(&ProjectivePoint::mul_by_generator(&j)).unwrap();
        let he = reduce_hash(&hash_he(&key.hs, &r_bytes, &v.message));
        let bad_ssk = -(he * Option::<Scalar>::from(r.invert()).unwrap());
        let bad = SigningKey {
            ssk: Ssk(SecretScalar(bad_ssk)),
            ..signing_key(&v)
        };
        assert!(bad.sign_with_j(&v.message, &j).is_none());
        assert!(key.sign_with_j(&v.message, &j).is_some());
    }

    #[test]
    fn sign_with_zero_j_is_refused() {
        let v = vector();
        assert!(signing_key(&v)
            .sign_with_j(&v.message, &Scalar::ZERO)
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
        let j_point = ProjectivePoint::mul_by_generator(&scalar(&v.j));
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
