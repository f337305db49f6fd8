//! The SAKKE pairing `<R, Q>` (RFC 6508 §3.2) and the `PF_p` exponentiation
//! table for `g` (RFC 6508 §6.2.1 step 4).
//!
//! The Miller loop runs over the non-adjacent form of `q - 1` rather than
//! its binary expansion. The two computations differ only by vertical-line
//! factors and constants, all of which lie in `F_p` when evaluated at the
//! distorted point `ψ(Q) = (-Q.x, i·Q.y)`, so they give the same element of
//! `PF_p`; the tests check this against RFC 6508 Appendix A and `<P, P> = g`.
//! Lines are scaled by their `F_p` denominators for the same reason, so the
//! loop needs no inversion.

use std::sync::OnceLock;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::curve::{q_minus_1_naf, Affine, Jacobian, ENTRIES, W, WINDOWS};
use super::fp::{batch_invert, Fp};
use super::fp2::Fp2;
use super::params::G;
use super::scalar::Scalar;

/// One Miller doubling step on `c`; returns the new point and the line
/// `(A·x + B) + D·y·i` through `c` (tangent), evaluated later at `ψ(x, y)`,
/// as `(A, B, D)`.
#[inline]
fn double_step(c: &Jacobian) -> (Jacobian, Fp, Fp, Fp) {
    let delta = c.z.square();
    let gamma = c.y.square();
    let beta = c.x.mul(&gamma);
    let alpha = c.x.sub(&delta).mul(&c.x.add(&delta));
    let alpha = alpha.double().add(&alpha);
    let beta4 = beta.double().double();
    let x3 = alpha.square().sub(&beta4.double());
    let z3 = c.y.add(&c.z).square().sub(&gamma).sub(&delta);
    let gamma2_8 = gamma.square().double().double().double();
    let y3 = alpha.mul(&beta4.sub(&x3)).sub(&gamma2_8);
    // λ = 3(x^2 - 1)/(2y); the line scaled by 2·Y·Z^3 is
    // α·(Q.x·Z^2 + X) - 2Y^2  +  (Z3·Z^2)·Q.y·i.
    let a = alpha.mul(&delta);
    let b = alpha.mul(&c.x).sub(&gamma.double());
    let d = z3.mul(&delta);
    (
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        },
        a,
        b,
        d,
    )
}

/// One Miller addition step `c + m`; returns the new point and the chord
/// line as `(A, B, D)` like [`double_step`].
#[inline]
fn add_step(c: &Jacobian, m: &Affine) -> (Jacobian, Fp, Fp, Fp) {
    let z1z1 = c.z.square();
    let u2 = m.x.mul(&z1z1);
    let s2 = m.y.mul(&c.z).mul(&z1z1);
    let h = u2.sub(&c.x);
    let hh = h.square();
    let i = hh.double().double();
    let j = h.mul(&i);
    let r = s2.sub(&c.y).double();
    let v = c.x.mul(&i);
    let x3 = r.square().sub(&j).sub(&v.double());
    let y_h2 = c.y.mul(&h).double();
    let y3 = r.mul(&v.sub(&x3)).sub(&c.y.mul(&j).double());
    let z3 = c.z.add(&h).square().sub(&z1z1).sub(&hh);
    // λ = (m.y - y)/(m.x - x); the line scaled by 2·Z^3·H is
    // r·(Q.x·Z^2 + X) - 2·Y·H  +  (Z^2·Z3)·Q.y·i.
    let a = r.mul(&z1z1);
    let b = r.mul(&c.x).sub(&y_h2);
    let d = z1z1.mul(&z3);
    (
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        },
        a,
        b,
        d,
    )
}

/// The pairing `<m, e>` of RFC 6508 §3.2 with `m` as the Miller point,
/// returned as the `F_p^2` value `t = v^c` (c = 4) before the final
/// normalisation `t.c1 / t.c0`. Constant time in both points (the control
/// flow follows the public constant `q - 1`).
pub(crate) fn pairing(m: &Affine, e: &Affine) -> Fp2 {
    let naf = q_minus_1_naf();
    let neg_m = m.neg();
    let mut v = Fp2::ONE;
    let mut c = m.to_jacobian();
    for &digit in &naf[1..] {
        // Doubling step (dbl-2001-b) with the tangent line at ψ(e), scaled
        // by 2·Y·Z^3: (α·(e.x·Z^2 + X) - 2Y^2) + (Z3·Z^2·e.y)·i.
        let delta = c.z.square();
        let gamma = c.y.square();
        let beta = c.x.mul(&gamma);
        let alpha = c.x.sub(&delta).mul(&c.x.add(&delta));
        let alpha = alpha.double().add(&alpha);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let z3 = c.y.add(&c.z).square().sub(&gamma).sub(&delta);
        let gamma2_8 = gamma.square().double().double().double();
        let y3 = alpha.mul(&beta4.sub(&x3)).sub(&gamma2_8);
        let line = Fp2 {
            c0: alpha.mul(&e.x.mul(&delta).add(&c.x)).sub(&gamma.double()),
            c1: z3.mul(&delta).mul(&e.y),
        };
        v = v.square().mul(&line);
        c = Jacobian {
            x: x3,
            y: y3,
            z: z3,
        };
        if digit != 0 {
            // Addition step (madd-2007-bl) with the chord line at ψ(e),
            // scaled by 2·Z^3·H: (r·(e.x·Z^2 + X) - 2·Y·H) + (Z^2·Z3·e.y)·i.
            let addend = if digit > 0 { m } else { &neg_m };
            let z1z1 = c.z.square();
            let u2 = addend.x.mul(&z1z1);
            let s2 = addend.y.mul(&c.z).mul(&z1z1);
            let h = u2.sub(&c.x);
            let hh = h.square();
            let i = hh.double().double();
            let j = h.mul(&i);
            let r = s2.sub(&c.y).double();
            let vv = c.x.mul(&i);
            let x3 = r.square().sub(&j).sub(&vv.double());
            let y3 = r.mul(&vv.sub(&x3)).sub(&c.y.mul(&j).double());
            let z3 = c.z.add(&h).square().sub(&z1z1).sub(&hh);
            let line = Fp2 {
                c0: r.mul(&e.x.mul(&z1z1).add(&c.x)).sub(&c.y.mul(&h).double()),
                c1: z1z1.mul(&z3).mul(&e.y),
            };
            v = v.mul(&line);
            c = Jacobian {
                x: x3,
                y: y3,
                z: z3,
            };
        }
    }
    // Final exponentiation by c = (p + 1)/q = 4.
    v.square().square()
}

/// Precomputed Miller lines for a fixed Miller point (a user's RSK, fixed for
/// a key period), normalised to `(λ·x + μ) + y·i`, so that evaluating the
/// pairing at a new point costs 4 `F_p` multiplications per addition step
/// and 6 per doubling step instead of about 17.
pub(crate) struct PairingTable {
    /// `(λ, μ)` per step, in loop order.
    lines: Vec<(Fp, Fp)>,
}

impl Drop for PairingTable {
    fn drop(&mut self) {
        for (l, m) in self.lines.iter_mut() {
            zeroize::Zeroize::zeroize(l);
            zeroize::Zeroize::zeroize(m);
        }
    }
}

impl PairingTable {
    /// Records the lines of the Miller loop of `m` (constant time).
    /// Returns `None` if a line degenerates, which only happens for points
    /// outside the order-`q` subgroup.
    pub(crate) fn new(m: &Affine) -> Option<PairingTable> {
        let naf = q_minus_1_naf();
        let neg_m = m.neg();
        let mut num = Vec::with_capacity(2 * naf.len());
        let mut den = Vec::with_capacity(naf.len() + naf.len() / 2);
        let mut c = m.to_jacobian();
        for &digit in &naf[1..] {
            let (c2, a, b, d) = double_step(&c);
            num.push((a, b));
            den.push(d);
            c = c2;
            if digit != 0 {
                let addend = if digit > 0 { m } else { &neg_m };
                let (c2, a, b, d) = add_step(&c, addend);
                num.push((a, b));
                den.push(d);
                c = c2;
            }
        }
        let ok = batch_invert(&mut den);
        if !bool::from(ok) {
            return None;
        }
        let lines = num
            .iter()
            .zip(den.iter())
            .map(|((a, b), di)| (a.mul(di), b.mul(di)))
            .collect();
        Some(PairingTable { lines })
    }

    /// `<m, e>` as [`pairing`] computes it, for the `m` of this table.
    pub(crate) fn pairing(&self, e: &Affine) -> Fp2 {
        let naf = q_minus_1_naf();
        let mut v = Fp2::ONE;
        let mut lines = self.lines.iter();
        let y = e.y;
        let step = |v: &Fp2, line: Option<&(Fp, Fp)>| -> Fp2 {
            let (l, m) = line.copied().unwrap_or_default();
            // v · (a + y·i), a = λ·x + μ, Karatsuba: 4 multiplications.
            let a = l.mul(&e.x).add(&m);
            let t0 = v.c0.mul(&a);
            let t1 = v.c1.mul(&y);
            let s = v.c0.add(&v.c1).mul(&a.add(&y));
            Fp2 {
                c0: t0.sub(&t1),
                c1: s.sub(&t0).sub(&t1),
            }
        };
        for &digit in &naf[1..] {
            v = step(&v.square(), lines.next());
            if digit != 0 {
                v = step(&v, lines.next());
            }
        }
        v.square().square()
    }
}

/// `g` of parameter set 1 as an element of `F_p`.
pub(crate) fn g() -> Fp {
    Option::<Fp>::from(Fp::from_be_bytes(&G)).unwrap_or(Fp::ZERO)
}

/// A table of `g^(d·2^(W·i))` (as normalised `PF_p` representatives) for
/// `d = 1..2^(W-1)` and every window `i`: `g^r` then costs one
/// multiplication by a normalised element (2 `F_p` multiplications) per
/// window and one inversion. `g` is a constant of the parameter set, so one
/// table serves every KMS.
pub(crate) struct GtTable {
    rows: Vec<[Fp; ENTRIES]>,
}

impl GtTable {
    fn new(g: &Fp) -> GtTable {
        let base = Fp2 {
            c0: Fp::ONE,
            c1: *g,
        };
        let mut all = Vec::with_capacity(WINDOWS * ENTRIES);
        let mut row_base = base;
        for _ in 0..WINDOWS {
            let mut e = row_base;
            all.push(e);
            for _ in 1..ENTRIES {
                e = e.mul(&row_base);
                all.push(e);
            }
            row_base = e.square();
        }
        let mut c0: Vec<Fp> = all.iter().map(|e| e.c0).collect();
        // Elements of order q never have c0 = 0 (RFC 6508 §2.1).
        let _ = batch_invert(&mut c0);
        let reps: Vec<Fp> = all
            .iter()
            .zip(c0.iter())
            .map(|(e, i)| e.c1.mul(i))
            .collect();
        let rows = reps
            .chunks_exact(ENTRIES)
            .map(|c| {
                let mut row = [Fp::ZERO; ENTRIES];
                row.copy_from_slice(c);
                row
            })
            .collect();
        GtTable { rows }
    }

    /// The shared table for `g`.
    pub(crate) fn get() -> &'static GtTable {
        static TABLE: OnceLock<GtTable> = OnceLock::new();
        TABLE.get_or_init(|| GtTable::new(&g()))
    }

    /// `g^k` in `F_p^2` (before normalisation), constant time.
    pub(crate) fn pow(&self, k: &Scalar) -> Fp2 {
        let mut digits = k.signed_digits::<W, WINDOWS>();
        let mut acc = Fp2::ONE;
        for (row, &d) in self.rows.iter().zip(digits.iter()) {
            let sign = d >> 7;
            let abs = ((d ^ sign) - sign) as u8;
            let mut a = row[0];
            for (j, cand) in row.iter().enumerate().skip(1) {
                a.conditional_assign(cand, abs.ct_eq(&(j as u8 + 1)));
            }
            // (1 + a·i)^-1 = (1 - a·i) in PF_p.
            let neg_a = a.neg();
            a.conditional_assign(&neg_a, Choice::from((sign & 1) as u8));
            let prod = acc.mul_by_normalised(&a);
            acc = Fp2::conditional_select(&prod, &acc, abs.ct_eq(&0));
        }
        zeroize::Zeroize::zeroize(&mut digits[..]);
        acc
    }
}
