//! SAKKE key encapsulation (RFC 6508) with parameter set 1 of RFC 6509
//! Appendix A, as used by MIKEY-SAKKE (RFC 6509) and 3GPP TS 33.180.
//!
//! * A KMS holds a master secret `z` ([`MasterSecret`]) and publishes
//!   `Z = [z]P` ([`KmsPublicKey`]); it issues each identifier its receiver
//!   secret key `RSK = [(b + z)^-1]P` ([`SakkeKms::issue_rsk`], RFC 6508 §6.1.1).
//! * A sender encapsulates a shared secret value ([`Ssv`]) to an identifier
//!   under the receiver's KMS ([`KmsContext::encapsulate`], §6.2.1), producing
//!   the 273-octet [`EncapsulatedData`] `R || H`.
//! * A receiver validates its RSK once ([`ReceiverKey::new`], §6.1.2) and
//!   decapsulates ([`ReceiverKey::decapsulate`], §6.2.2), including the
//!   mandatory re-encapsulation check.
//!
//! Precomputation: a [`KmsContext`] holds a table for the KMS public key
//! `Z` (and shares process-wide tables for `P` and `g`), which makes
//! encapsulation and the re-encapsulation check cheap; a [`ReceiverKey`] can
//! additionally precompute the Miller lines of its RSK
//! and a table for its `[b]P + Z` ([`ReceiverKey::precompute`]), which
//! makes decapsulation about three times faster.
//!
//! Every operation on `z`, an RSK, an SSV or the exponent `r` is constant
//! time: fixed-window table scans with signed digits, Montgomery arithmetic
//! without data-dependent branches, and constant-time inversion.

mod curve;
mod fp;
mod fp2;
mod hash;
mod pairing;
pub mod params;
mod scalar;

use std::fmt;
use std::sync::Arc;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

use crate::random::{RandomError, SecureRandom};
use curve::{Affine, FixedBaseTable, Jacobian};
use fp::Fp;
use pairing::{GtTable, PairingTable};
use params::{FIELD_LEN, POINT_LEN, SED_LEN, SSV_LEN};
use scalar::Scalar;

/// Errors of SAKKE key handling, encapsulation and decapsulation.
///
/// Failures of a cryptographic check ([`SakkeError::InvalidRsk`],
/// [`SakkeError::DecapsulationFailed`]) deliberately carry no detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SakkeError {
    /// A point encoding was not 257 octets (SPEC §9.1 E6).
    #[error("a point must be encoded in {POINT_LEN} octets, got {0}")]
    PointLength(usize),
    /// A point encoding did not start with `0x04` (uncompressed); compressed
    /// and hybrid forms are not used by SAKKE (SPEC §9.1 E6).
    #[error("a point encoding must start with 0x04, got 0x{0:02x}")]
    PointFormat(u8),
    /// A point coordinate was not below `p` (SPEC §9.1 E7).
    #[error("a point coordinate is not below p")]
    CoordinateRange,
    /// A point is not on the curve `y^2 = x^3 - 3x` (SPEC §9.1 E7).
    #[error("the point is not on the curve")]
    NotOnCurve,
    /// A KMS public key is not in the order-`q` subgroup (an RSK outside it
    /// fails validation with [`SakkeError::InvalidRsk`]).
    #[error("the point is not in the order-q subgroup")]
    NotInSubgroup,
    /// Encapsulated data was not 258 to 273 octets (SPEC §3.10, §9.1 E9).
    #[error("encapsulated data must be 258 to 273 octets, got {0}")]
    EncapsulatedDataLength(usize),
    /// An SSV was not 16 octets.
    #[error("an SSV must be {SSV_LEN} octets, got {0}")]
    SsvLength(usize),
    /// A master secret encoding was empty or longer than 128 octets.
    #[error("a master secret must be 1 to {FIELD_LEN} octets, got {0}")]
    MasterSecretLength(usize),
    /// A master secret was outside `[2, q-1]` (RFC 6508 §2.2).
    #[error("the master secret is outside [2, q-1]")]
    MasterSecretRange,
    /// `(b + z) mod q = 0`: issuing this identifier's key would reveal the
    /// master secret; the KMS must change its master secret (RFC 6508 §6.1.1,
    /// SPEC §9.5 C4).
    #[error(
        "the identifier collides with the master secret; the KMS must change its master secret"
    )]
    IdentifierCollision,
    /// An RSK failed validation against the identifier and KMS public key
    /// (RFC 6508 §6.1.2).
    #[error("the receiver secret key is not valid for this identifier and KMS")]
    InvalidRsk,
    /// Decapsulation failed: the re-encapsulation check did not match, or the
    /// pairing degenerated (RFC 6508 §6.2.2; SPEC §9.5 C2, C3).
    #[error("decapsulation failed")]
    DecapsulationFailed,
    /// The random number generator failed.
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// A shared secret value: the 16-octet key that SAKKE transports (in
/// MIKEY-SAKKE, the TGK / GMK / PCK / CSK itself).
///
/// Zeroized on drop, redacted in `Debug`, compared only in constant time.
pub struct Ssv([u8; SSV_LEN]);

impl Ssv {
    /// Takes exactly 16 octets.
    pub fn from_bytes(bytes: &[u8]) -> Result<Ssv, SakkeError> {
        let arr: [u8; SSV_LEN] = bytes
            .try_into()
            .map_err(|_| SakkeError::SsvLength(bytes.len()))?;
        Ok(Ssv(arr))
    }

    /// Draws a fresh random SSV.
    pub fn generate(rng: &mut (impl SecureRandom + ?Sized)) -> Result<Ssv, SakkeError> {
        let mut s = Ssv([0u8; SSV_LEN]);
        rng.fill(&mut s.0)?;
        Ok(s)
    }

    /// The 16 octets.
    pub fn as_bytes(&self) -> &[u8; SSV_LEN] {
        &self.0
    }
}

impl Drop for Ssv {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Ssv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ssv(..)")
    }
}

impl ConstantTimeEq for Ssv {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

/// The KMS master secret `z` in `[2, q-1]` (RFC 6508 §2.2).
pub struct MasterSecret(Scalar);

impl MasterSecret {
    /// Decodes a big-endian integer of 1 to 128 octets (leading zeros
    /// allowed) and checks `2 <= z <= q - 1`.
    pub fn from_bytes(bytes: &[u8]) -> Result<MasterSecret, SakkeError> {
        if bytes.is_empty() || bytes.len() > FIELD_LEN {
            return Err(SakkeError::MasterSecretLength(bytes.len()));
        }
        let mut buf = Zeroizing::new([0u8; FIELD_LEN]);
        buf[FIELD_LEN - bytes.len()..].copy_from_slice(bytes);
        let z = Option::<Scalar>::from(Scalar::from_be_bytes_canonical(&buf))
            .ok_or(SakkeError::MasterSecretRange)?;
        let mut one = [0u8; FIELD_LEN];
        one[FIELD_LEN - 1] = 1;
        let small = z.is_zero()
            | Option::<Scalar>::from(Scalar::from_be_bytes_canonical(&one))
                .map(|o| o.ct_eq(&z))
                .unwrap_or(Choice::from(0));
        if bool::from(small) {
            return Err(SakkeError::MasterSecretRange);
        }
        Ok(MasterSecret(z))
    }

    /// The fixed 128-octet big-endian encoding.
    pub fn to_bytes(&self) -> Zeroizing<[u8; FIELD_LEN]> {
        Zeroizing::new(self.0.to_be_bytes())
    }
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterSecret(..)")
    }
}

impl ConstantTimeEq for MasterSecret {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

/// A KMS public key `Z = [z]P` (`PubEncKey`, 257 octets), checked to lie on
/// the curve and in the order-`q` subgroup.
#[derive(Clone, PartialEq, Eq)]
pub struct KmsPublicKey {
    bytes: [u8; POINT_LEN],
}

impl KmsPublicKey {
    /// Decodes and validates `0x04 || x || y` (SPEC §9.1 E6, E7, and
    /// subgroup membership).
    pub fn from_bytes(bytes: &[u8]) -> Result<KmsPublicKey, SakkeError> {
        let point = Affine::decode(bytes)?;
        if !bool::from(point.is_torsion_free()) {
            return Err(SakkeError::NotInSubgroup);
        }
        Ok(KmsPublicKey {
            bytes: point.encode(),
        })
    }

    fn from_point(point: &Affine) -> KmsPublicKey {
        KmsPublicKey {
            bytes: point.encode(),
        }
    }

    fn point(&self) -> Affine {
        // Validated at construction.
        Affine::decode(&self.bytes).unwrap_or_default()
    }

    /// The 257-octet encoding.
    pub fn to_bytes(&self) -> [u8; POINT_LEN] {
        self.bytes
    }
}

impl fmt::Debug for KmsPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KmsPublicKey(")?;
        for b in &self.bytes[1..9] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "..)")
    }
}

/// A receiver secret key `RSK = [(b + z)^-1]P` (`UserDecryptKey`, 257
/// octets). Zeroized on drop, redacted in `Debug`, compared in constant time.
pub struct Rsk(Affine);

impl Rsk {
    /// Decodes `0x04 || x || y` and checks it is a curve point. Validation
    /// against an identifier and KMS happens in [`ReceiverKey::new`] or
    /// [`KmsContext::validate_rsk`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Rsk, SakkeError> {
        Affine::decode(bytes).map(Rsk)
    }

    /// The 257-octet encoding.
    pub fn to_bytes(&self) -> Zeroizing<[u8; POINT_LEN]> {
        Zeroizing::new(self.0.encode())
    }
}

impl Drop for Rsk {
    fn drop(&mut self) {
        self.0.x.zeroize();
        self.0.y.zeroize();
    }
}

impl fmt::Debug for Rsk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rsk(..)")
    }
}

impl ConstantTimeEq for Rsk {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.x.ct_eq(&other.0.x) & self.0.y.ct_eq(&other.0.y)
    }
}

/// SAKKE encapsulated data `R || H` (RFC 6508 §4), held in the canonical
/// 273-octet form.
#[derive(Clone, PartialEq, Eq)]
pub struct EncapsulatedData {
    bytes: [u8; SED_LEN],
}

impl EncapsulatedData {
    /// Parses received encapsulated data. Accepts 258 to 273 octets: `R` is
    /// the first 257 (checked as a curve point) and a short `H`, as one
    /// deployed producer writes it, is left-padded to 16 octets (SPEC §3.10).
    pub fn from_bytes(bytes: &[u8]) -> Result<EncapsulatedData, SakkeError> {
        if bytes.len() <= POINT_LEN || bytes.len() > SED_LEN {
            return Err(SakkeError::EncapsulatedDataLength(bytes.len()));
        }
        let point = Affine::decode(&bytes[..POINT_LEN])?;
        let mut out = [0u8; SED_LEN];
        out[..POINT_LEN].copy_from_slice(&point.encode());
        let h = &bytes[POINT_LEN..];
        out[SED_LEN - h.len()..].copy_from_slice(h);
        Ok(EncapsulatedData { bytes: out })
    }

    /// The canonical 273-octet encoding (always emitted at full length).
    pub fn to_bytes(&self) -> [u8; SED_LEN] {
        self.bytes
    }

    /// The canonical 273-octet encoding.
    pub fn as_bytes(&self) -> &[u8; SED_LEN] {
        &self.bytes
    }

    fn r(&self) -> Affine {
        // Validated at construction.
        Affine::decode(&self.bytes[..POINT_LEN]).unwrap_or_default()
    }

    fn h(&self) -> &[u8] {
        &self.bytes[POINT_LEN..]
    }
}

impl fmt::Debug for EncapsulatedData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EncapsulatedData(")?;
        for b in &self.bytes[1..9] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "..)")
    }
}

/// The KMS side of SAKKE: master secret `z` and public key `Z`.
pub struct SakkeKms {
    z: MasterSecret,
    public: KmsPublicKey,
}

impl fmt::Debug for SakkeKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SakkeKms")
            .field("z", &self.z)
            .field("public", &self.public)
            .finish()
    }
}

impl SakkeKms {
    /// Draws a master secret uniformly in `[2, q-1]` and computes `Z = [z]P`
    /// (RFC 6508 §2.2).
    pub fn generate(rng: &mut (impl SecureRandom + ?Sized)) -> Result<SakkeKms, SakkeError> {
        let z = Scalar::random(rng, 2)?;
        Ok(SakkeKms::from_master_secret(MasterSecret(z)))
    }

    /// Recreates the KMS from a stored master secret.
    pub fn from_master_secret(z: MasterSecret) -> SakkeKms {
        let zp = FixedBaseTable::generator().mul(&z.0);
        // z in [2, q-1], so [z]P is not the identity.
        let point = Option::<Affine>::from(zp.to_affine()).unwrap_or_default();
        SakkeKms {
            public: KmsPublicKey::from_point(&point),
            z,
        }
    }

    /// The master secret.
    pub fn master_secret(&self) -> &MasterSecret {
        &self.z
    }

    /// The public key `Z`.
    pub fn public_key(&self) -> &KmsPublicKey {
        &self.public
    }

    /// Issues `RSK = [(b + z)^-1]P` for identifier `id`, `b = OS2IP(id)`
    /// (RFC 6508 §6.1.1). Deterministic; constant time in `z`.
    pub fn issue_rsk(&self, id: &[u8]) -> Result<Rsk, SakkeError> {
        let b = Scalar::reduce_vartime(id);
        let sum = b.add(&self.z.0);
        let inv = Option::<Scalar>::from(sum.invert()).ok_or(SakkeError::IdentifierCollision)?;
        let point = FixedBaseTable::generator().mul(&inv);
        Option::<Affine>::from(point.to_affine())
            .map(Rsk)
            .ok_or(SakkeError::IdentifierCollision)
    }
}

struct KmsContextInner {
    public: KmsPublicKey,
    z_point: Affine,
    z_table: FixedBaseTable,
}

/// Per-KMS precomputation for senders and receivers: the KMS public key
/// `Z` with a fixed-base table for it. Cheap to clone (shared).
///
/// Building one costs a few tens of milliseconds; keep one per KMS for as
/// long as its public key is in use.
#[derive(Clone)]
pub struct KmsContext(Arc<KmsContextInner>);

impl fmt::Debug for KmsContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("KmsContext").field(&self.0.public).finish()
    }
}

/// Outcome of the shared encapsulation core.
struct Encapsulation {
    sed: EncapsulatedData,
    /// `g^r` or `H` starts with a zero octet (SPEC §3.10).
    ambiguous: bool,
}

impl KmsContext {
    /// Precomputes the tables for `public`.
    pub fn new(public: &KmsPublicKey) -> KmsContext {
        let z_point = public.point();
        KmsContext(Arc::new(KmsContextInner {
            public: public.clone(),
            z_point,
            z_table: FixedBaseTable::new(&z_point),
        }))
    }

    /// The KMS public key.
    pub fn public_key(&self) -> &KmsPublicKey {
        &self.0.public
    }

    /// `[r]([b]P + Z) = [r·b]P + [r]Z` in constant time.
    fn r_times_x(&self, r: &Scalar, b: &Scalar) -> Jacobian {
        let rb = r.mul(b);
        let p_part = FixedBaseTable::generator().mul(&rb);
        let z_part = self.0.z_table.mul(r);
        p_part.add(&z_part)
    }

    fn encapsulate_inner(&self, id: &[u8], ssv: &Ssv) -> Result<Encapsulation, SakkeError> {
        let b = Scalar::reduce_vartime(id);
        let r = hash::hash_to_scalar(&[&ssv.0, id]);
        let big_r = Option::<Affine>::from(self.r_times_x(&r, &b).to_affine())
            .ok_or(SakkeError::IdentifierCollision)?;
        let gr = Option::<Fp>::from(GtTable::get().pow(&r).to_pf())
            .ok_or(SakkeError::IdentifierCollision)?;
        let gr_bytes = Zeroizing::new(gr.to_be_bytes());
        let mask = hash::hash_to_mask(&gr_bytes[..]);
        let mut bytes = [0u8; SED_LEN];
        bytes[..POINT_LEN].copy_from_slice(&big_r.encode());
        for (i, out) in bytes[POINT_LEN..].iter_mut().enumerate() {
            *out = ssv.0[i] ^ mask[i];
        }
        let ambiguous = gr_bytes[0] == 0 || bytes[POINT_LEN] == 0;
        Ok(Encapsulation {
            sed: EncapsulatedData { bytes },
            ambiguous,
        })
    }

    /// Encapsulates `ssv` to identifier `id` under this KMS (RFC 6508
    /// §6.2.1). Deterministic: the same SSV to the same identifier gives the
    /// same data. Always emits the fixed-length encodings (SPEC §3.10).
    pub fn encapsulate(&self, id: &[u8], ssv: &Ssv) -> Result<EncapsulatedData, SakkeError> {
        self.encapsulate_inner(id, ssv).map(|e| e.sed)
    }

    /// Draws a fresh SSV for a single recipient and encapsulates it,
    /// redrawing whenever `g^r` or `H` would begin with a zero octet, so
    /// that receivers using either deployed encoding recover it (SPEC §3.10).
    /// Not for keys shared by a group, which must encapsulate the same SSV
    /// to every member with [`KmsContext::encapsulate`].
    pub fn encapsulate_fresh(
        &self,
        id: &[u8],
        rng: &mut (impl SecureRandom + ?Sized),
    ) -> Result<(Ssv, EncapsulatedData), SakkeError> {
        loop {
            let ssv = Ssv::generate(rng)?;
            let e = self.encapsulate_inner(id, &ssv)?;
            if !e.ambiguous {
                return Ok((ssv, e.sed));
            }
        }
    }

    /// Validates a received RSK for `id` (RFC 6508 §6.1.2): it must be in
    /// the order-`q` subgroup and `<[b]P + Z, RSK> = g`.
    pub fn validate_rsk(&self, id: &[u8], rsk: &Rsk) -> Result<(), SakkeError> {
        self.validate_rsk_inner(id, rsk).map(|_| ())
    }

    /// [`KmsContext::validate_rsk`], returning `X = [b]P + Z`.
    fn validate_rsk_inner(&self, id: &[u8], rsk: &Rsk) -> Result<Affine, SakkeError> {
        if !bool::from(rsk.0.is_torsion_free()) {
            return Err(SakkeError::InvalidRsk);
        }
        let b = Scalar::reduce_vartime(id);
        let x = FixedBaseTable::generator()
            .mul(&b)
            .add(&self.0.z_point.to_jacobian());
        let x = Option::<Affine>::from(x.to_affine()).ok_or(SakkeError::InvalidRsk)?;
        let t = pairing::pairing(&x, &rsk.0);
        if bool::from(t.pf_eq(&pairing::g())) {
            Ok(x)
        } else {
            Err(SakkeError::InvalidRsk)
        }
    }
}

/// Per-RSK precomputation: the Miller lines of the RSK and a fixed-base
/// table for the receiver's `X = [b]P + Z`, which turns the
/// re-encapsulation check into a single table multiplication.
struct ReceiverTables {
    lines: PairingTable,
    x: FixedBaseTable,
}

/// A receiver's validated SAKKE key for one identifier (one key period):
/// identifier, RSK and its KMS, optionally with precomputed tables.
pub struct ReceiverKey {
    kms: KmsContext,
    id: Vec<u8>,
    b: Scalar,
    x: Affine,
    rsk: Rsk,
    table: Option<ReceiverTables>,
}

impl fmt::Debug for ReceiverKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiverKey")
            .field("kms", &self.kms)
            .field("id_len", &self.id.len())
            .field("rsk", &self.rsk)
            .field("precomputed", &self.table.is_some())
            .finish()
    }
}

impl ReceiverKey {
    /// Validates `rsk` for `id` under `kms` (RFC 6508 §6.1.2) and keeps it.
    pub fn new(kms: &KmsContext, id: &[u8], rsk: Rsk) -> Result<ReceiverKey, SakkeError> {
        let x = kms.validate_rsk_inner(id, &rsk)?;
        Ok(ReceiverKey {
            kms: kms.clone(),
            id: id.to_vec(),
            b: Scalar::reduce_vartime(id),
            x,
            rsk,
            table: None,
        })
    }

    /// Precomputes the Miller lines of the RSK and a table for
    /// `X = [b]P + Z` (once per key period: a few tens of milliseconds and
    /// about 1.2 MB), which makes every later [`ReceiverKey::decapsulate`]
    /// about three times as fast.
    pub fn precompute(&mut self) {
        if self.table.is_none() {
            self.table = PairingTable::new(&self.rsk.0).map(|lines| ReceiverTables {
                lines,
                x: FixedBaseTable::new(&self.x),
            });
        }
    }

    /// Builder form of [`ReceiverKey::precompute`].
    pub fn with_precomputation(mut self) -> ReceiverKey {
        self.precompute();
        self
    }

    /// Whether the Miller lines are precomputed.
    pub fn is_precomputed(&self) -> bool {
        self.table.is_some()
    }

    /// The identifier this key belongs to.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The KMS this key belongs to.
    pub fn kms(&self) -> &KmsContext {
        &self.kms
    }

    /// Recovers the SSV from encapsulated data (RFC 6508 §6.2.2), with the
    /// re-encapsulation check `[r]([b]P + Z) = R`. If that check fails and
    /// `w` begins with a zero octet, the minimal-length encoding of `w` is
    /// tried as well (SPEC §3.10). Any failure is [`SakkeError::DecapsulationFailed`].
    ///
    /// Timing: data that passes with the fixed encoding takes one
    /// re-encapsulation check; every other input takes two, independently
    /// of `w`, so a rejection reveals nothing about the pairing value.
    pub fn decapsulate(&self, sed: &EncapsulatedData) -> Result<Ssv, SakkeError> {
        let r_point = sed.r();
        let t = match &self.table {
            // <RSK, R> = <R, RSK> for R of order q; any other R fails the
            // re-encapsulation check below.
            Some(tables) => tables.lines.pairing(&r_point),
            None => pairing::pairing(&r_point, &self.rsk.0),
        };
        let w = Option::<Fp>::from(t.to_pf()).ok_or(SakkeError::DecapsulationFailed)?;
        let w_bytes = Zeroizing::new(w.to_be_bytes());
        let (ssv, ok) = self.try_candidate(&w_bytes[..], sed, &r_point);
        if bool::from(ok) {
            return Ok(ssv);
        }
        // The fixed encoding failed. Always run the second attempt, whatever
        // `w` is, so that the time a rejection takes does not reveal whether
        // `w` begins with a zero octet. When it does not, the second attempt
        // repeats the first (and fails again).
        let mut leading_zeros = 0usize;
        let mut still_zero = Choice::from(1u8);
        for &byte in w_bytes.iter().take(FIELD_LEN - 1) {
            still_zero &= byte.ct_eq(&0);
            leading_zeros += usize::from(still_zero.unwrap_u8());
        }
        let (ssv, ok) = self.try_candidate(&w_bytes[leading_zeros..], sed, &r_point);
        if bool::from(ok) {
            return Ok(ssv);
        }
        Err(SakkeError::DecapsulationFailed)
    }

    /// Steps 3–5 of RFC 6508 §6.2.2 for one encoding of `w`.
    fn try_candidate(
        &self,
        w_enc: &[u8],
        sed: &EncapsulatedData,
        r_point: &Affine,
    ) -> (Ssv, Choice) {
        let mask = hash::hash_to_mask(w_enc);
        let mut ssv = Ssv([0u8; SSV_LEN]);
        for (i, (h, m)) in sed.h().iter().zip(mask.iter()).enumerate() {
            ssv.0[i] = h ^ m;
        }
        let r = hash::hash_to_scalar(&[&ssv.0, &self.id]);
        let test = match &self.table {
            Some(tables) => tables.x.mul(&r),
            None => self.kms.r_times_x(&r, &self.b),
        };
        let ok = test.ct_eq_affine(r_point);
        (ssv, ok)
    }
}

#[cfg(test)]
mod tests;
