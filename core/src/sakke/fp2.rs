//! The quadratic extension `F_p^2 = F_p[i]/(i^2 + 1)` and its projective
//! quotient `PF_p` (RFC 6508 §2.1).
//!
//! An element `x1 + x2·i` is stored as `(c0, c1) = (x1, x2)`. The class of
//! `x1 + x2·i` in `PF_p = F_p^2* / F_p*` is represented by the single integer
//! `x2 / x1 mod p`, so multiplying an element by any non-zero `F_p` scalar
//! does not change its `PF_p` value: the pairing code uses this to skip every
//! denominator that lies in `F_p`.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};

use super::fp::Fp;

/// An element `c0 + c1·i` of `F_p^2`.
#[derive(Clone, Copy, Default)]
pub(crate) struct Fp2 {
    pub(crate) c0: Fp,
    pub(crate) c1: Fp,
}

impl Fp2 {
    pub(crate) const ONE: Fp2 = Fp2 {
        c0: Fp::ONE,
        c1: Fp::ZERO,
    };

    /// Karatsuba multiplication: 3 `F_p` multiplications.
    #[inline]
    pub(crate) fn mul(&self, rhs: &Fp2) -> Fp2 {
        let t0 = self.c0.mul(&rhs.c0);
        let t1 = self.c1.mul(&rhs.c1);
        let s = self.c0.add(&self.c1).mul(&rhs.c0.add(&rhs.c1));
        Fp2 {
            c0: t0.sub(&t1),
            c1: s.sub(&t0).sub(&t1),
        }
    }

    /// `(a + bi)^2 = (a + b)(a - b) + 2ab·i`: 2 `F_p` multiplications.
    #[inline]
    pub(crate) fn square(&self) -> Fp2 {
        let c0 = self.c0.add(&self.c1).mul(&self.c0.sub(&self.c1));
        let c1 = self.c0.mul(&self.c1).double();
        Fp2 { c0, c1 }
    }

    /// Multiplication by the normalised element `1 + a·i`: 2 multiplications.
    #[inline]
    pub(crate) fn mul_by_normalised(&self, a: &Fp) -> Fp2 {
        Fp2 {
            c0: self.c0.sub(&self.c1.mul(a)),
            c1: self.c0.mul(a).add(&self.c1),
        }
    }

    /// The `PF_p` representative `c1 / c0` (constant time); none if `c0 = 0`,
    /// which only happens for invalid inputs (RFC 6508 §2.1; SPEC §3.3 step 4).
    pub(crate) fn to_pf(self) -> CtOption<Fp> {
        self.c0.invert().map(|inv| self.c1.mul(&inv))
    }

    /// Whether `self` represents the `PF_p` element `a`, without inverting:
    /// `c1 == a·c0` and `c0 != 0`.
    pub(crate) fn pf_eq(&self, a: &Fp) -> Choice {
        self.c1.ct_eq(&a.mul(&self.c0)) & !self.c0.is_zero()
    }
}

impl ConditionallySelectable for Fp2 {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Fp2 {
            c0: Fp::conditional_select(&a.c0, &b.c0, choice),
            c1: Fp::conditional_select(&a.c1, &b.c1, choice),
        }
    }
}
