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

/// One Miller doubling step on `c`: the new point and the tangent line at
/// `c`, scaled by the `F_p` factor `2·Y·Z^3`, as `(A, B, D)` meaning
/// `(A·x + B) + D·y·i` at `ψ(x, y)`:
/// `λ = 3(x^2 - 1)/(2y)` gives `A = α·Z^2`, `B = α·X - 2Y^2`, `D = Z3·Z^2`.
#[inline]
fn double_step(c: &Jacobian) -> (Jacobian, Fp, Fp, Fp) {
    let (c2, parts) = c.double_with_parts();
    let a = parts.alpha.mul(&parts.delta);
    let b = parts.alpha.mul(&c.x).sub(&parts.gamma.double());
    let d = c2.z.mul(&parts.delta);
    (c2, a, b, d)
}

/// One Miller addition step `c + m`: the new point and the chord line,
/// scaled by `2·Z^3·H`, as `(A, B, D)` like [`double_step`]:
/// `A = r·Z^2`, `B = r·X - 2·Y·H`, `D = Z^2·Z3`.
#[inline]
fn add_step(c: &Jacobian, m: &Affine) -> (Jacobian, Fp, Fp, Fp) {
    let (c2, parts) = c.add_mixed_with_parts(m);
    let a = parts.r.mul(&parts.z1z1);
    let b = parts.r.mul(&c.x).sub(&c.y.mul(&parts.h).double());
    let d = parts.z1z1.mul(&c2.z);
    (c2, a, b, d)
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
        // Tangent line at ψ(e) in the factored form
        // (α·(e.x·Z^2 + X) - 2Y^2) + (Z3·Z^2·e.y)·i: 4 multiplications.
        let (c2, d) = c.double_with_parts();
        let line = Fp2 {
            c0: d
                .alpha
                .mul(&e.x.mul(&d.delta).add(&c.x))
                .sub(&d.gamma.double()),
            c1: c2.z.mul(&d.delta).mul(&e.y),
        };
        v = v.square().mul(&line);
        c = c2;
        if digit != 0 {
            // Chord line (r·(e.x·Z^2 + X) - 2·Y·H) + (Z^2·Z3·e.y)·i.
            let addend = if digit > 0 { m } else { &neg_m };
            let (c2, a) = c.add_mixed_with_parts(addend);
            let line = Fp2 {
                c0: a
                    .r
                    .mul(&e.x.mul(&a.z1z1).add(&c.x))
                    .sub(&c.y.mul(&a.h).double()),
                c1: a.z1z1.mul(&c2.z).mul(&e.y),
            };
            v = v.mul(&line);
            c = c2;
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
