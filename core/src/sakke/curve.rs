//! The supersingular curve `E: y^2 = x^3 - 3x` over `F_p` of parameter set 1
//! (RFC 6509 Appendix A) and its point arithmetic.
//!
//! Points are held in Jacobian coordinates `(X, Y, Z)` (`x = X/Z^2`,
//! `y = Y/Z^3`, `Z = 0` is the point at infinity) so that no step inverts.
//! Scalar multiplication by secret scalars uses fixed-base tables with
//! signed radix-32 digits and constant-time table scans
//! ([`FixedBaseTable`]); every base the protocol multiplies is fixed (`P`,
//! or a KMS public key `Z`), because `[r]([b]P + Z) = [r·b]P + [r]Z`.

use std::sync::OnceLock;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};

use super::fp::{batch_invert, Fp};
use super::params::{FIELD_LEN, POINT_LEN, PX, PY, Q};
use super::scalar::Scalar;
use super::SakkeError;

/// A point of `E(F_p)` other than the point at infinity, in affine form.
#[derive(Clone, Copy, Default)]
pub(crate) struct Affine {
    pub(crate) x: Fp,
    pub(crate) y: Fp,
}

/// Intermediates of a doubling of `(X, Y, Z)`: `α = 3(X^2 - Z^4)`,
/// `δ = Z^2`, `γ = Y^2`.
pub(crate) struct DoubleParts {
    pub(crate) alpha: Fp,
    pub(crate) delta: Fp,
    pub(crate) gamma: Fp,
}

/// Intermediates of a mixed addition `(X, Y, Z) + (x2, y2)`: `Z^2`,
/// `r = 2(y2·Z^3 - Y)` and `H = x2·Z^2 - X`.
pub(crate) struct AddParts {
    pub(crate) z1z1: Fp,
    pub(crate) r: Fp,
    pub(crate) h: Fp,
}

/// A point of `E(F_p)` in Jacobian coordinates.
#[derive(Clone, Copy)]
pub(crate) struct Jacobian {
    pub(crate) x: Fp,
    pub(crate) y: Fp,
    pub(crate) z: Fp,
}

impl Affine {
    /// The base point `P` of parameter set 1.
    pub(crate) fn generator() -> Affine {
        static GEN: OnceLock<(Fp, Fp)> = OnceLock::new();
        let (x, y) = *GEN.get_or_init(|| {
            let x = Option::<Fp>::from(Fp::from_be_bytes(&PX)).unwrap_or(Fp::ZERO);
            let y = Option::<Fp>::from(Fp::from_be_bytes(&PY)).unwrap_or(Fp::ZERO);
            (x, y)
        });
        Affine { x, y }
    }

    /// `y^2 == x^3 - 3x` (constant time).
    pub(crate) fn is_on_curve(&self) -> Choice {
        let x2 = self.x.square();
        let rhs = self.x.mul(&x2.sub(&Fp::from_u64(3)));
        self.y.square().ct_eq(&rhs)
    }

    /// Decodes `0x04 || I2OSP(x, 128) || I2OSP(y, 128)` (RFC 6508 §2.1),
    /// rejecting wrong lengths, other prefixes, coordinates `>= p` and points
    /// off the curve (SPEC §9.1 E6, E7). The point at infinity has no such
    /// encoding. Subgroup membership is not checked here.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Affine, SakkeError> {
        if bytes.len() != POINT_LEN {
            return Err(SakkeError::PointLength(bytes.len()));
        }
        if bytes[0] != 0x04 {
            return Err(SakkeError::PointFormat(bytes[0]));
        }
        let mut xb = [0u8; FIELD_LEN];
        let mut yb = [0u8; FIELD_LEN];
        xb.copy_from_slice(&bytes[1..1 + FIELD_LEN]);
        yb.copy_from_slice(&bytes[1 + FIELD_LEN..]);
        let x = Option::<Fp>::from(Fp::from_be_bytes(&xb)).ok_or(SakkeError::CoordinateRange)?;
        let y = Option::<Fp>::from(Fp::from_be_bytes(&yb)).ok_or(SakkeError::CoordinateRange)?;
        let point = Affine { x, y };
        if !bool::from(point.is_on_curve()) {
            return Err(SakkeError::NotOnCurve);
        }
        Ok(point)
    }

    /// The uncompressed encoding (257 octets).
    pub(crate) fn encode(&self) -> [u8; POINT_LEN] {
        let mut out = [0u8; POINT_LEN];
        out[0] = 0x04;
        out[1..1 + FIELD_LEN].copy_from_slice(&self.x.to_be_bytes());
        out[1 + FIELD_LEN..].copy_from_slice(&self.y.to_be_bytes());
        out
    }

    pub(crate) fn neg(&self) -> Affine {
        Affine {
            x: self.x,
            y: self.y.neg(),
        }
    }

    pub(crate) fn to_jacobian(self) -> Jacobian {
        Jacobian {
            x: self.x,
            y: self.y,
            z: Fp::ONE,
        }
    }

    /// Whether the point lies in the order-`q` subgroup: `[q-1]A == -A`,
    /// computed along the fixed NAF of `q - 1` (its control flow depends only
    /// on the public constant `q`).
    pub(crate) fn is_torsion_free(&self) -> Choice {
        let naf = q_minus_1_naf();
        let neg = self.neg();
        let mut acc = self.to_jacobian();
        for &d in &naf[1..] {
            acc = acc.double();
            if d > 0 {
                acc = acc.add_mixed(self);
            } else if d < 0 {
                acc = acc.add_mixed(&neg);
            }
        }
        acc.ct_eq_affine(&neg)
    }
}

impl ConditionallySelectable for Affine {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Affine {
            x: Fp::conditional_select(&a.x, &b.x, choice),
            y: Fp::conditional_select(&a.y, &b.y, choice),
        }
    }
}

impl ConditionallySelectable for Jacobian {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Jacobian {
            x: Fp::conditional_select(&a.x, &b.x, choice),
            y: Fp::conditional_select(&a.y, &b.y, choice),
            z: Fp::conditional_select(&a.z, &b.z, choice),
        }
    }
}

impl Jacobian {
    pub(crate) fn identity() -> Jacobian {
        Jacobian {
            x: Fp::ONE,
            y: Fp::ONE,
            z: Fp::ZERO,
        }
    }

    pub(crate) fn is_identity(&self) -> Choice {
        self.z.is_zero()
    }

    /// Doubling for `a = -3` ("dbl-2001-b", 3M + 5S). Maps the identity and
    /// points of order 2 to the identity.
    pub(crate) fn double(&self) -> Jacobian {
        self.double_with_parts().0
    }

    /// [`Jacobian::double`], also returning the intermediates the Miller
    /// loop needs for the tangent line.
    #[inline]
    pub(crate) fn double_with_parts(&self) -> (Jacobian, DoubleParts) {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        let alpha = self.x.sub(&delta).mul(&self.x.add(&delta));
        let alpha = alpha.double().add(&alpha);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let z3 = self.y.add(&self.z).square().sub(&gamma).sub(&delta);
        let gamma2_8 = gamma.square().double().double().double();
        let y3 = alpha.mul(&beta4.sub(&x3)).sub(&gamma2_8);
        (
            Jacobian {
                x: x3,
                y: y3,
                z: z3,
            },
            DoubleParts {
                alpha,
                delta,
                gamma,
            },
        )
    }

    /// Mixed addition `self + b` ("madd-2007-bl", 7M + 4S). Not valid when
    /// `self` is the identity or `self = ±b`; callers rule those out.
    pub(crate) fn add_mixed(&self, b: &Affine) -> Jacobian {
        self.add_mixed_with_parts(b).0
    }

    /// [`Jacobian::add_mixed`], also returning the intermediates the Miller
    /// loop needs for the chord line.
    #[inline]
    pub(crate) fn add_mixed_with_parts(&self, b: &Affine) -> (Jacobian, AddParts) {
        let z1z1 = self.z.square();
        let u2 = b.x.mul(&z1z1);
        let s2 = b.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let hh = h.square();
        let i = hh.double().double();
        let j = h.mul(&i);
        let r = s2.sub(&self.y).double();
        let v = self.x.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&self.y.mul(&j).double());
        let z3 = self.z.add(&h).square().sub(&z1z1).sub(&hh);
        (
            Jacobian {
                x: x3,
                y: y3,
                z: z3,
            },
            AddParts { z1z1, r, h },
        )
    }

    /// `self + b`, or `self` unchanged when `skip` is set, correct when
    /// `self` is the identity (constant time).
    fn add_mixed_ct(&self, b: &Affine, skip: Choice) -> Jacobian {
        let sum = self.add_mixed(b);
        let sum = Jacobian::conditional_select(&sum, &b.to_jacobian(), self.is_identity());
        Jacobian::conditional_select(&sum, self, skip)
    }

    /// Complete addition `self + other` for any inputs (constant time):
    /// "add-2007-bl" with the doubling and identity cases selected in.
    pub(crate) fn add(&self, other: &Jacobian) -> Jacobian {
        let z1z1 = self.z.square();
        let z2z2 = other.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = other.x.mul(&z1z1);
        let s1 = self.y.mul(&other.z).mul(&z2z2);
        let s2 = other.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let i = h.double().square();
        let j = h.mul(&i);
        let r = s2.sub(&s1).double();
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = self.z.add(&other.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
        let sum = Jacobian {
            x: x3,
            y: y3,
            z: z3,
        };
        let same = h.is_zero() & r.is_zero();
        let sum = Jacobian::conditional_select(&sum, &self.double(), same);
        let sum = Jacobian::conditional_select(&sum, other, self.is_identity());
        Jacobian::conditional_select(&sum, self, other.is_identity())
    }

    /// The affine point (constant time); none for the identity.
    pub(crate) fn to_affine(self) -> CtOption<Affine> {
        self.z.invert().map(|zi| {
            let zi2 = zi.square();
            Affine {
                x: self.x.mul(&zi2),
                y: self.y.mul(&zi2).mul(&zi),
            }
        })
    }

    /// `self == a` without inversion (constant time).
    pub(crate) fn ct_eq_affine(&self, a: &Affine) -> Choice {
        let z2 = self.z.square();
        let z3 = z2.mul(&self.z);
        !self.is_identity() & self.x.ct_eq(&a.x.mul(&z2)) & self.y.ct_eq(&a.y.mul(&z3))
    }
}

/// Normalises many Jacobian points with a single inversion. Returns none if
/// any of them is the identity.
pub(crate) fn batch_to_affine(points: &[Jacobian]) -> CtOption<Vec<Affine>> {
    let mut zs: Vec<Fp> = points.iter().map(|p| p.z).collect();
    let ok = batch_invert(&mut zs);
    let out = points
        .iter()
        .zip(zs.iter())
        .map(|(p, zi)| {
            let zi2 = zi.square();
            Affine {
                x: p.x.mul(&zi2),
                y: p.y.mul(&zi2).mul(zi),
            }
        })
        .collect();
    CtOption::new(out, ok)
}

/// Window width of the fixed-base tables (signed digits radix `2^W`).
pub(crate) const W: usize = 5;
/// Table entries per window: `d·2^(W·i)·B` for `d = 1..=2^(W-1)`.
pub(crate) const ENTRIES: usize = 1 << (W - 1);
/// Number of windows for scalars below `q < 2^1022`.
pub(crate) const WINDOWS: usize = 1023 / W + 1;

/// A table of `[d·2^(W·i)]B` for `d = 1..2^(W-1)` and every window `i`,
/// turning `[k]B` into one mixed addition per window with constant-time
/// table scans and no doublings.
pub(crate) struct FixedBaseTable {
    rows: Vec<[Affine; ENTRIES]>,
}

impl FixedBaseTable {
    /// Builds the table of `base`, which must be a point of order `q`.
    pub(crate) fn new(base: &Affine) -> FixedBaseTable {
        let mut jac = Vec::with_capacity(WINDOWS * ENTRIES);
        let mut row_base = base.to_jacobian();
        for _ in 0..WINDOWS {
            let mut e = row_base;
            jac.push(e);
            e = e.double();
            jac.push(e);
            for _ in 2..ENTRIES {
                e = e.add(&row_base);
                jac.push(e);
            }
            // 2^(W-1)·base doubled is the next window's base.
            row_base = e.double();
        }
        // Every entry is a non-zero multiple below q of a point of order q.
        let affine = Option::<Vec<Affine>>::from(batch_to_affine(&jac))
            .unwrap_or_else(|| vec![Affine::default(); WINDOWS * ENTRIES]);
        let rows = affine
            .chunks_exact(ENTRIES)
            .map(|c| {
                let mut row = [Affine::default(); ENTRIES];
                row.copy_from_slice(c);
                row
            })
            .collect();
        FixedBaseTable { rows }
    }

    /// The shared table of the base point `P`.
    pub(crate) fn generator() -> &'static FixedBaseTable {
        static TABLE: OnceLock<FixedBaseTable> = OnceLock::new();
        TABLE.get_or_init(|| FixedBaseTable::new(&Affine::generator()))
    }

    /// `[k]B` in constant time (no secret-dependent branch or index).
    ///
    /// The accumulator before window `i` is `[s]B` with `|s| < 2^(W·i)`, so
    /// it never equals `±[d_i 2^(W·i)]B` except in the top windows for
    /// scalars within a few bits of a multiple of `q`, which hashed or random
    /// scalars reach with probability about `2^-1000`.
    pub(crate) fn mul(&self, k: &Scalar) -> Jacobian {
        let mut digits = k.signed_digits::<W, WINDOWS>();
        let mut acc = Jacobian::identity();
        for (row, &d) in self.rows.iter().zip(digits.iter()) {
            let sign = d >> 7; // 0 or -1
            let abs = ((d ^ sign) - sign) as u8;
            let mut e = row[0];
            for (j, cand) in row.iter().enumerate().skip(1) {
                e.conditional_assign(cand, abs.ct_eq(&(j as u8 + 1)));
            }
            let neg_y = e.y.neg();
            e.y.conditional_assign(&neg_y, Choice::from((sign & 1) as u8));
            acc = acc.add_mixed_ct(&e, abs.ct_eq(&0));
        }
        zeroize::Zeroize::zeroize(&mut digits[..]);
        acc
    }
}

/// The non-adjacent form of `q - 1`, most significant digit first (the
/// first digit is 1). Used for the Miller loop and the subgroup check; both
/// only need a fixed public addition chain for `q - 1` (RFC 6508 §3.2).
pub(crate) fn q_minus_1_naf() -> &'static [i8] {
    static NAF: OnceLock<Vec<i8>> = OnceLock::new();
    NAF.get_or_init(|| {
        // Little-endian u64 limbs of q - 1 (q is odd, so just clear bit 0).
        let mut limbs = [0u64; 17];
        for (i, chunk) in Q.rchunks(8).enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            limbs[i] = u64::from_be_bytes(b);
        }
        limbs[0] &= !1;
        let mut digits = Vec::with_capacity(1024);
        while limbs.iter().any(|&l| l != 0) {
            let d: i8 = if limbs[0] & 1 == 1 {
                2 - (limbs[0] & 3) as i8
            } else {
                0
            };
            if d == 1 {
                limbs[0] -= 1; // was odd: no borrow
            } else if d == -1 {
                // add 1 with carry
                for l in limbs.iter_mut() {
                    let (v, c) = l.overflowing_add(1);
                    *l = v;
                    if !c {
                        break;
                    }
                }
            }
            digits.push(d);
            // shift right by one
            for i in 0..limbs.len() {
                let hi = if i + 1 < limbs.len() {
                    limbs[i + 1] << 63
                } else {
                    0
                };
                limbs[i] = (limbs[i] >> 1) | hi;
            }
        }
        digits.reverse();
        digits
    })
}
