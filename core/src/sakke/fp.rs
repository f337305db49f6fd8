//! Arithmetic in the 1024-bit prime field `F_p` of SAKKE parameter set 1
//! (RFC 6508 §2.1, RFC 6509 Appendix A).
//!
//! Elements are kept in Montgomery form `a·R mod p` with `R = 2^1024`, as
//! sixteen little-endian 64-bit limbs, and are always fully reduced into
//! `[0, p)`, so every element has exactly one representation and equality is
//! a limb-wise comparison.
//!
//! Everything here is constant time in the values of the field elements
//! (no secret-dependent branches, memory indices or early exits; the final
//! conditional subtraction of `p` is done with masks), except the functions
//! whose names end in `_vartime`, which may only be given public values (or,
//! for [`Fp::pow_vartime`], a public exponent).
//!
//! `p` has its top bit set (`p > 2^1023`), so the "no final carry"
//! shortcut of CIOS Montgomery multiplication does not apply: the
//! multiplication keeps the extra carry word and folds it into the final
//! masked subtraction.

use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};

/// Number of 64-bit limbs of an element.
const LIMBS: usize = 16;

/// Octets of an encoded element (`L` of RFC 6508 §2.1 for parameter set 1).
const BYTES: usize = 128;

/// The field prime `p` of RFC 6509 Appendix A as 256 hex digits.
const P_HEX: &str = "997abb1f0a563fda65c61198dad0657a416c0ce19cb48261be9ae358b3e01a2ef40aab27e2fc0f1b228730d531a59cb0e791b39ff7c88a19356d27f4a666a6d0e26c6487326b4cd4512ac5cd65681ce1b6aff4a831852a82a7cf3c521c3c09aa9f94d6af56971f1ffce3e82389857db080c5df10ac7ace87666d807afea85feb";

/// The field prime `p` of RFC 6509 Appendix A, big-endian (RFC 6508 §2.1).
pub(crate) const P_BYTES: [u8; BYTES] = hex_decode(P_HEX);

/// `p` for crypto-bigint's safegcd inversion.
const P_ODD: crypto_bigint::Odd<crypto_bigint::U1024> =
    crypto_bigint::Odd::<crypto_bigint::U1024>::from_be_hex(P_HEX);

/// `p` as little-endian limbs.
const P: [u64; LIMBS] = limbs_from_be(&P_BYTES);

/// `-p^-1 mod 2^64`, the Montgomery reduction factor.
const INV: u64 = neg_inv_mod_2_64(P[0]);

/// `R mod p = 2^1024 - p` (as `p > 2^1023`): the Montgomery form of 1.
const R1: [u64; LIMBS] = wrapping_neg_limbs(&P);

/// `R^2 mod p`: converts into Montgomery form.
const R2: [u64; LIMBS] = r_squared();

/// `R^3 mod p`: used to bring a plain inverse of a Montgomery form back into
/// Montgomery form.
const R3: [u64; LIMBS] = mont_mul_const(&R2, &R2);

/// `p - 2`, big-endian: the Fermat exponent (public).
const P_MINUS_2_BYTES: [u8; BYTES] = {
    let mut b = P_BYTES;
    // p is odd and its last octet is 0xeb >= 2, so no borrow propagates.
    b[BYTES - 1] -= 2;
    b
};

// ---------------------------------------------------------------------------
// Compile-time helpers
// ---------------------------------------------------------------------------

const fn hex_nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("bad hex digit"),
    }
}

/// Decodes 256 hex digits at compile time.
const fn hex_decode(s: &str) -> [u8; BYTES] {
    let s = s.as_bytes();
    assert!(s.len() == 2 * BYTES);
    let mut out = [0u8; BYTES];
    let mut i = 0;
    while i < BYTES {
        out[i] = (hex_nibble(s[2 * i]) << 4) | hex_nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

/// Big-endian octets to little-endian limbs (no reduction).
const fn limbs_from_be(bytes: &[u8; BYTES]) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    let mut i = 0;
    while i < LIMBS {
        let mut w = 0u64;
        let mut k = 0;
        while k < 8 {
            w = (w << 8) | bytes[BYTES - 8 * (i + 1) + k] as u64;
            k += 1;
        }
        out[i] = w;
        i += 1;
    }
    out
}

/// Little-endian limbs to big-endian octets.
const fn limbs_to_be(x: &[u64; LIMBS]) -> [u8; BYTES] {
    let mut out = [0u8; BYTES];
    let mut i = 0;
    while i < LIMBS {
        let b = x[i].to_be_bytes();
        let mut k = 0;
        while k < 8 {
            out[BYTES - 8 * (i + 1) + k] = b[k];
            k += 1;
        }
        i += 1;
    }
    out
}

/// `-x^-1 mod 2^64` for odd `x` (Newton iteration).
const fn neg_inv_mod_2_64(x: u64) -> u64 {
    let mut inv = 1u64;
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(x.wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
}

/// `2^1024 - x` for `x != 0`.
const fn wrapping_neg_limbs(x: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    let mut borrow = 0u64;
    let mut i = 0;
    while i < LIMBS {
        let (d, b) = sbb(0, x[i], borrow);
        out[i] = d;
        borrow = b;
        i += 1;
    }
    out
}

/// `R^2 mod p`, by doubling `R mod p` 1024 times modulo `p`.
const fn r_squared() -> [u64; LIMBS] {
    let mut r = R1;
    let mut i = 0;
    while i < 64 * LIMBS {
        r = add_mod(&r, &r);
        i += 1;
    }
    r
}

/// Simple (slow) CIOS Montgomery multiplication usable in constant
/// evaluation; the reference the fast code is tested against.
const fn mont_mul_const(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut t = [0u64; LIMBS];
    let mut top = 0u64;
    let mut i = 0;
    while i < LIMBS {
        let mut c = 0u64;
        let mut j = 0;
        while j < LIMBS {
            (t[j], c) = mac(t[j], a[j], b[i], c);
            j += 1;
        }
        let (s, t17) = adc(top, c, 0);
        let m = t[0].wrapping_mul(INV);
        let (_, mut c) = mac(t[0], m, P[0], 0);
        let mut j = 1;
        while j < LIMBS {
            (t[j - 1], c) = mac(t[j], m, P[j], c);
            j += 1;
        }
        let (s2, c2) = adc(s, c, 0);
        t[LIMBS - 1] = s2;
        top = t17 + c2;
        i += 1;
    }
    sub_p_if_ge(&t, top)
}

// ---------------------------------------------------------------------------
// Word primitives
// ---------------------------------------------------------------------------

/// `t + a·b + c` as (low, high) words; never overflows 128 bits.
#[inline(always)]
const fn mac(t: u64, a: u64, b: u64, c: u64) -> (u64, u64) {
    let r = (t as u128) + (a as u128) * (b as u128) + (c as u128);
    (r as u64, (r >> 64) as u64)
}

/// `a + b + c` as (sum, carry word).
#[inline(always)]
const fn adc(a: u64, b: u64, c: u64) -> (u64, u64) {
    let r = (a as u128) + (b as u128) + (c as u128);
    (r as u64, (r >> 64) as u64)
}

/// `a - b - (borrow >> 63)` as (difference, borrow mask: 0 or all ones).
#[inline(always)]
const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let r = (a as u128).wrapping_sub((b as u128) + ((borrow >> 63) as u128));
    (r as u64, (r >> 64) as u64)
}

/// Given `top·2^1024 + t < 2p`, returns that value reduced into `[0, p)`,
/// choosing between `t` and `t - p` with a mask (constant time).
#[inline(always)]
const fn sub_p_if_ge(t: &[u64; LIMBS], top: u64) -> [u64; LIMBS] {
    let mut r = [0u64; LIMBS];
    let mut borrow = 0u64;
    let mut i = 0;
    while i < LIMBS {
        let (d, b) = sbb(t[i], P[i], borrow);
        r[i] = d;
        borrow = b;
        i += 1;
    }
    // All ones iff top·2^1024 + t < p, i.e. keep t.
    let (_, keep) = sbb(top, 0, borrow);
    let mut i = 0;
    while i < LIMBS {
        r[i] = (t[i] & keep) | (r[i] & !keep);
        i += 1;
    }
    r
}

/// `a + b mod p` for `a, b < p`.
#[inline(always)]
const fn add_mod(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut t = [0u64; LIMBS];
    let mut c = 0u64;
    let mut i = 0;
    while i < LIMBS {
        (t[i], c) = adc(a[i], b[i], c);
        i += 1;
    }
    sub_p_if_ge(&t, c)
}

/// `a - b mod p` for `a, b < p`.
#[inline(always)]
fn sub_mod(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut t = [0u64; LIMBS];
    let mut borrow = 0u64;
    for i in 0..LIMBS {
        (t[i], borrow) = sbb(a[i], b[i], borrow);
    }
    // Add p back iff the subtraction borrowed.
    let mut c = 0u64;
    for i in 0..LIMBS {
        (t[i], c) = adc(t[i], P[i] & borrow, c);
    }
    t
}

/// Constant-time `x < p`.
#[inline(always)]
fn lt_p(x: &[u64; LIMBS]) -> Choice {
    let mut borrow = 0u64;
    for i in 0..LIMBS {
        (_, borrow) = sbb(x[i], P[i], borrow);
    }
    Choice::from((borrow & 1) as u8)
}

// ---------------------------------------------------------------------------
// Montgomery multiplication and squaring
// ---------------------------------------------------------------------------

/// Montgomery product `a·b·R^-1 mod p` for `a, b < p` (CIOS, 16×64-bit).
///
/// Each of the 16 rows adds `a·b[i]` and then `m·p` (with
/// `m = t[0]·(-p^-1) mod 2^64`) and shifts one limb; the running value stays
/// below `2p`, so one extra carry word suffices and one masked subtraction
/// reduces the result fully.
#[inline]
fn mont_mul(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut t = [0u64; LIMBS];
    let mut top = 0u64;
    for &bi in b.iter() {
        let mut c = 0u64;
        for j in 0..LIMBS {
            (t[j], c) = mac(t[j], a[j], bi, c);
        }
        let (s, t17) = adc(top, c, 0);
        let m = t[0].wrapping_mul(INV);
        let (_, mut c) = mac(t[0], m, P[0], 0);
        for j in 1..LIMBS {
            (t[j - 1], c) = mac(t[j], m, P[j], c);
        }
        let (s2, c2) = adc(s, c, 0);
        t[LIMBS - 1] = s2;
        top = t17 + c2;
    }
    sub_p_if_ge(&t, top)
}

/// Montgomery reduction of a 2048-bit `t < p·R`: `t·R^-1 mod p`.
#[inline(always)]
fn mont_reduce(t: &mut [u64; 2 * LIMBS]) -> [u64; LIMBS] {
    let mut carry = 0u64;
    for i in 0..LIMBS {
        let m = t[i].wrapping_mul(INV);
        let (_, mut c) = mac(t[i], m, P[0], 0);
        for j in 1..LIMBS {
            (t[i + j], c) = mac(t[i + j], m, P[j], c);
        }
        (t[i + LIMBS], carry) = adc(t[i + LIMBS], c, carry);
    }
    let mut r = [0u64; LIMBS];
    r.copy_from_slice(&t[LIMBS..]);
    sub_p_if_ge(&r, carry)
}

/// Montgomery square `a^2·R^-1 mod p` for `a < p`: half the cross
/// products, doubled, plus the diagonal, then a separate reduction.
#[inline]
fn mont_sqr(a: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut t = [0u64; 2 * LIMBS];
    for i in 0..LIMBS - 1 {
        let mut c = 0u64;
        for j in i + 1..LIMBS {
            (t[i + j], c) = mac(t[i + j], a[j], a[i], c);
        }
        t[i + LIMBS] = c;
    }
    t[2 * LIMBS - 1] = t[2 * LIMBS - 2] >> 63;
    for i in (2..2 * LIMBS - 1).rev() {
        t[i] = (t[i] << 1) | (t[i - 1] >> 63);
    }
    t[1] <<= 1;
    let mut c = 0u64;
    for i in 0..LIMBS {
        let (lo, hi) = mac(0, a[i], a[i], 0);
        let (s, c1) = adc(t[2 * i], lo, c);
        t[2 * i] = s;
        let (s, c2) = adc(t[2 * i + 1], hi, c1);
        t[2 * i + 1] = s;
        c = c2;
    }
    mont_reduce(&mut t)
}

// ---------------------------------------------------------------------------
// The field element
// ---------------------------------------------------------------------------

/// An element of F_p in Montgomery form (16 little-endian u64 limbs), always fully reduced.
///
/// `p` is the 1024-bit prime of RFC 6509 Appendix A (parameter set 1), the
/// field over which the SAKKE curve `E: y^2 = x^3 - 3x` is defined
/// (RFC 6508 §2.1).
#[derive(Clone, Copy)]
pub(crate) struct Fp([u64; LIMBS]);

impl Fp {
    /// The additive identity.
    pub(crate) const ZERO: Fp = Fp([0u64; LIMBS]);

    /// The multiplicative identity (`R mod p` in Montgomery form).
    pub(crate) const ONE: Fp = Fp(R1);

    /// Big-endian 128-octet decode; None (CtOption none) if >= p. Constant time.
    ///
    /// This is the octet-string to field element conversion of RFC 6508
    /// §2.1 for `L = 128`.
    pub(crate) fn from_be_bytes(bytes: &[u8; 128]) -> CtOption<Fp> {
        let x = limbs_from_be(bytes);
        let ok = lt_p(&x);
        // Converted whatever the value, so the time does not depend on it.
        CtOption::new(Fp(mont_mul(&x, &R2)), ok)
    }

    /// Big-endian encode (fixed 128 octets).
    ///
    /// The field element to octet-string conversion of RFC 6508 §2.1
    /// (`L = 128`, leading zero octets kept).
    pub(crate) fn to_be_bytes(&self) -> [u8; 128] {
        limbs_to_be(&self.to_canonical_limbs())
    }

    /// From a small integer.
    pub(crate) fn from_u64(v: u64) -> Fp {
        let mut x = [0u64; LIMBS];
        x[0] = v;
        Fp(mont_mul(&x, &R2))
    }

    /// The plain (non-Montgomery) value as little-endian limbs.
    #[inline]
    fn to_canonical_limbs(&self) -> [u64; LIMBS] {
        let mut one = [0u64; LIMBS];
        one[0] = 1;
        mont_mul(&self.0, &one)
    }

    /// `self + rhs mod p`.
    #[inline]
    pub(crate) fn add(&self, rhs: &Fp) -> Fp {
        Fp(add_mod(&self.0, &rhs.0))
    }

    /// `self - rhs mod p`.
    #[inline]
    pub(crate) fn sub(&self, rhs: &Fp) -> Fp {
        Fp(sub_mod(&self.0, &rhs.0))
    }

    /// `-self mod p` (zero stays zero).
    #[inline]
    pub(crate) fn neg(&self) -> Fp {
        Fp(sub_mod(&[0u64; LIMBS], &self.0))
    }

    /// `2·self mod p`.
    #[inline]
    pub(crate) fn double(&self) -> Fp {
        Fp(add_mod(&self.0, &self.0))
    }

    /// `self · rhs mod p` (Montgomery multiplication).
    #[inline]
    pub(crate) fn mul(&self, rhs: &Fp) -> Fp {
        Fp(mont_mul(&self.0, &rhs.0))
    }

    /// `self^2 mod p` (dedicated Montgomery squaring).
    #[inline]
    pub(crate) fn square(&self) -> Fp {
        Fp(mont_sqr(&self.0))
    }

    /// `self^(2^n)`: `n` squarings (`n` public).
    #[inline]
    pub(crate) fn square_n(&self, n: u32) -> Fp {
        let mut x = *self;
        for _ in 0..n {
            x = x.square();
        }
        x
    }

    /// Constant-time inversion; none for zero.
    ///
    /// Uses the constant-time Bernstein–Yang "safegcd" inversion of
    /// crypto-bigint (`Uint::invert_odd_mod`) on the Montgomery
    /// representation `a·R`, which yields `a^-1·R^-1`; one Montgomery
    /// multiplication by `R^3` brings it back to `a^-1·R`. About ten times
    /// faster than Fermat's `a^(p-2)` here (measured in `benches/fp.rs`).
    pub(crate) fn invert(&self) -> CtOption<Fp> {
        let (inv, ok) = self.invert_with::<false>();
        CtOption::new(inv, ok)
    }

    /// Variable-time inversion, ONLY for public values; None for zero.
    pub(crate) fn invert_vartime(&self) -> Option<Fp> {
        let (inv, ok) = self.invert_with::<true>();
        if bool::from(ok) {
            Some(inv)
        } else {
            None
        }
    }

    /// Shared body of [`Fp::invert`] and [`Fp::invert_vartime`]: the
    /// inverse (unspecified when the flag is false) and whether `self != 0`.
    fn invert_with<const VARTIME: bool>(&self) -> (Fp, Choice) {
        use crypto_bigint::U1024;
        use zeroize::Zeroize;
        let p = &P_ODD;
        let mut bytes = limbs_to_be(&self.0);
        let mut x = U1024::from_be_slice(&bytes);
        let r = if VARTIME {
            x.invert_odd_mod_vartime(p)
        } else {
            x.invert_odd_mod(p)
        };
        let ok = Choice::from(r.is_some().to_u8());
        // Unspecified (but harmless) when `self` is zero; flagged by `ok`.
        let mut inv = r.to_inner_unchecked();
        let mut inv_bytes = [0u8; BYTES];
        inv_bytes.copy_from_slice(inv.to_be_bytes().as_ref());
        let mut y = limbs_from_be(&inv_bytes);
        let out = Fp(mont_mul(&y, &R3));
        bytes.zeroize();
        inv_bytes.zeroize();
        x.zeroize();
        inv.zeroize();
        y.zeroize();
        (out, ok & !self.is_zero())
    }

    /// Fermat inversion `self^(p-2)` (sliding window over the public
    /// exponent), constant time in `self`; kept as a cross-check and for the
    /// benchmark comparison with [`Fp::invert`].
    #[allow(dead_code)]
    pub(crate) fn invert_fermat(&self) -> CtOption<Fp> {
        let r = self.pow_vartime(&P_MINUS_2_BYTES);
        CtOption::new(r, !self.is_zero())
    }

    /// Whether this is zero (constant time).
    #[inline]
    pub(crate) fn is_zero(&self) -> Choice {
        let mut acc = 0u64;
        for limb in &self.0 {
            acc |= limb;
        }
        acc.ct_eq(&0)
    }

    /// Exponentiation by a public exponent given as big-endian bytes (variable time in the exponent only).
    ///
    /// Sliding window of 5 bits over the exponent; the base may be secret
    /// (only public exponent bits steer branches and table indices). An
    /// empty or all-zero exponent gives one.
    pub(crate) fn pow_vartime(&self, exp_be: &[u8]) -> Fp {
        const W: usize = 5;
        // table[k] = self^(2k+1)
        let mut table = [*self; 1 << (W - 1)];
        let sq = self.square();
        for k in 1..table.len() {
            table[k] = table[k - 1].mul(&sq);
        }
        let nbits = exp_be.len() * 8;
        let bit = |i: usize| -> usize {
            // i counts from the least significant bit
            let byte = exp_be[exp_be.len() - 1 - i / 8];
            ((byte >> (i % 8)) & 1) as usize
        };
        let mut acc = Fp::ONE;
        let mut started = false;
        let mut i = nbits;
        while i > 0 {
            let top = i - 1;
            if bit(top) == 0 {
                if started {
                    acc = acc.square();
                }
                i -= 1;
                continue;
            }
            // Window [low, top] ending in a set bit.
            let mut low = top.saturating_sub(W - 1);
            while bit(low) == 0 {
                low += 1;
            }
            let mut val = 0usize;
            for k in (low..=top).rev() {
                val = (val << 1) | bit(k);
            }
            if started {
                for _ in low..=top {
                    acc = acc.square();
                }
                acc = acc.mul(&table[val >> 1]);
            } else {
                acc = table[val >> 1];
                started = true;
            }
            i = low;
        }
        acc
    }
}

/// Montgomery trick for many inversions of public or secret values (uses one `invert`).
///
/// Every non-zero element is replaced by its inverse; zero elements stay
/// zero. Returns false if any element was zero. Constant time in the values
/// (the length is public).
pub(crate) fn batch_invert(elems: &mut [Fp]) -> Choice {
    let n = elems.len();
    if n == 0 {
        return Choice::from(1);
    }
    // Zeros are replaced by one for the products, so the others still invert.
    let mut all_nonzero = Choice::from(1);
    let mut acc = Fp::ONE;
    // prods[i] = product of elems[0..i] (with zeros as one).
    let mut prods = vec![Fp::ZERO; n];
    for (i, e) in elems.iter().enumerate() {
        let z = e.is_zero();
        all_nonzero &= !z;
        prods[i] = acc;
        acc = acc.mul(&Fp::conditional_select(e, &Fp::ONE, z));
    }
    let mut inv = acc.invert().unwrap_or(Fp::ONE);
    for i in (0..n).rev() {
        let e = elems[i];
        let z = e.is_zero();
        let e1 = Fp::conditional_select(&e, &Fp::ONE, z);
        let r = inv.mul(&prods[i]);
        inv = inv.mul(&e1);
        elems[i] = Fp::conditional_select(&r, &Fp::ZERO, z);
    }
    all_nonzero
}

impl ConstantTimeEq for Fp {
    fn ct_eq(&self, other: &Fp) -> Choice {
        self.0[..].ct_eq(&other.0[..])
    }
}

impl ConditionallySelectable for Fp {
    fn conditional_select(a: &Fp, b: &Fp, choice: Choice) -> Fp {
        let mut r = [0u64; LIMBS];
        for i in 0..LIMBS {
            r[i] = u64::conditional_select(&a.0[i], &b.0[i], choice);
        }
        Fp(r)
    }
}

impl Default for Fp {
    /// Zero.
    fn default() -> Fp {
        Fp::ZERO
    }
}

impl zeroize::DefaultIsZeroes for Fp {}

impl core::fmt::Debug for Fp {
    /// Redacted: an element may be secret.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Fp(..)")
    }
}

impl PartialEq for Fp {
    /// Constant-time comparison (see [`ConstantTimeEq`]).
    fn eq(&self, other: &Fp) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Fp {}

/// Implements a binary operator for all owned/borrowed operand combinations
/// by delegating to the inherent method.
macro_rules! impl_binop {
    ($tr:ident, $f:ident, $atr:ident, $af:ident) => {
        impl $tr<&Fp> for &Fp {
            type Output = Fp;
            #[inline]
            fn $f(self, rhs: &Fp) -> Fp {
                Fp::$f(self, rhs)
            }
        }
        impl $tr<Fp> for &Fp {
            type Output = Fp;
            #[inline]
            fn $f(self, rhs: Fp) -> Fp {
                Fp::$f(self, &rhs)
            }
        }
        impl $tr<&Fp> for Fp {
            type Output = Fp;
            #[inline]
            fn $f(self, rhs: &Fp) -> Fp {
                Fp::$f(&self, rhs)
            }
        }
        impl $tr<Fp> for Fp {
            type Output = Fp;
            #[inline]
            fn $f(self, rhs: Fp) -> Fp {
                Fp::$f(&self, &rhs)
            }
        }
        impl $atr<&Fp> for Fp {
            #[inline]
            fn $af(&mut self, rhs: &Fp) {
                *self = Fp::$f(self, rhs);
            }
        }
        impl $atr<Fp> for Fp {
            #[inline]
            fn $af(&mut self, rhs: Fp) {
                *self = Fp::$f(self, &rhs);
            }
        }
    };
}

impl_binop!(Add, add, AddAssign, add_assign);
impl_binop!(Sub, sub, SubAssign, sub_assign);
impl_binop!(Mul, mul, MulAssign, mul_assign);

impl Neg for Fp {
    type Output = Fp;
    #[inline]
    fn neg(self) -> Fp {
        Fp::neg(&self)
    }
}

impl Neg for &Fp {
    type Output = Fp;
    #[inline]
    fn neg(self) -> Fp {
        Fp::neg(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use num_traits::{One, Zero};
    use proptest::prelude::*;

    fn p_big() -> BigUint {
        BigUint::from_bytes_be(&P_BYTES)
    }

    fn big(x: &Fp) -> BigUint {
        BigUint::from_bytes_be(&x.to_be_bytes())
    }

    fn bytes_of(x: &BigUint) -> [u8; 128] {
        let v = x.to_bytes_be();
        assert!(v.len() <= 128);
        let mut out = [0u8; 128];
        out[128 - v.len()..].copy_from_slice(&v);
        out
    }

    fn fp(x: &BigUint) -> Fp {
        Fp::from_be_bytes(&bytes_of(&(x % p_big()))).unwrap()
    }

    fn limbs_big(x: &[u64; LIMBS]) -> BigUint {
        BigUint::from_bytes_be(&limbs_to_be(x))
    }

    /// Edge values (all below p).
    fn edges() -> Vec<BigUint> {
        let p = p_big();
        let one = BigUint::one();
        let mut v = vec![
            BigUint::zero(),
            one.clone(),
            BigUint::from(2u8),
            BigUint::from(3u8),
            &p - 1u8,
            &p - 2u8,
            &p - 3u8,
            (&p - 1u8) >> 1,
            (&p + 1u8) >> 1,
            one.clone() << 1023,
            (one.clone() << 1023) - 1u8,
            (one.clone() << 1023) + 1u8,
            BigUint::from(u64::MAX),
            (one.clone() << 512) - 1u8,
            (one.clone() << 1000) - 1u8,
            BigUint::from(2u8).modpow(&BigUint::from(1024u32), &p), // R mod p
        ];
        // p's top limbs with all-ones limbs below (the largest values with
        // those top limbs that are still below p), and p - 2^(64k).
        for k in 1..LIMBS {
            let shift = 64 * k;
            v.push(((&p >> shift) << shift) - 1u8);
            v.push(&p - (one.clone() << shift));
        }
        // Top limb of p - 1 and every lower limb all ones.
        let mut l = [u64::MAX; LIMBS];
        l[LIMBS - 1] = P[LIMBS - 1] - 1;
        v.push(limbs_big(&l));
        v
    }

    fn arb_big() -> impl Strategy<Value = BigUint> {
        prop_oneof![
            3 => proptest::collection::vec(any::<u8>(), 128)
                .prop_map(|b| BigUint::from_bytes_be(&b) % p_big()),
            1 => proptest::sample::select(edges()),
        ]
    }

    #[test]
    fn constants() {
        let p = p_big();
        let r = BigUint::one() << 1024;
        assert_eq!(
            P_BYTES.to_vec(),
            hex::decode(P_HEX).unwrap(),
            "P_BYTES is the hex of RFC 6509 Appendix A"
        );
        assert!(&p % 4u8 == BigUint::from(3u8));
        assert_eq!(p.bits(), 1024);
        assert_eq!(limbs_big(&P), p);
        assert_eq!(P[0].wrapping_mul(INV), u64::MAX, "INV = -p^-1 mod 2^64");
        assert_eq!(limbs_big(&R1), &r % &p);
        assert_eq!(limbs_big(&R2), (&r * &r) % &p);
        assert_eq!(limbs_big(&R3), (&r * &r * &r) % &p);
        assert_eq!(
            BigUint::from_bytes_be(&P_MINUS_2_BYTES),
            &p - 2u8,
            "Fermat exponent"
        );
        assert_eq!(Fp::ONE.to_be_bytes(), bytes_of(&BigUint::one()));
        assert_eq!(Fp::ZERO.to_be_bytes(), [0u8; 128]);
        assert_eq!(Fp::default(), Fp::ZERO);
        let pb = crypto_bigint::U1024::from_be_slice(&P_BYTES);
        assert_eq!(*P_ODD.as_ref(), pb);
    }

    #[test]
    fn rejects_non_canonical() {
        let p = p_big();
        let one = BigUint::one();
        for x in [
            p.clone(),
            &p + 1u8,
            &p + 2u8,
            (&p << 0) + (one.clone() << 64),
            (one.clone() << 1024) - 1u8,
            (one.clone() << 1024) - 2u8,
            one.clone() << 1023 | (&p + 12345u32),
        ] {
            if x.bits() > 1024 {
                continue;
            }
            assert!(bool::from(Fp::from_be_bytes(&bytes_of(&x)).is_none()));
        }
        assert!(bool::from(Fp::from_be_bytes(&[0xff; 128]).is_none()));
        assert!(bool::from(Fp::from_be_bytes(&P_BYTES).is_none()));
        let mut below = P_BYTES;
        below[127] -= 1;
        assert!(bool::from(Fp::from_be_bytes(&below).is_some()));
    }

    #[test]
    fn edge_values() {
        let p = p_big();
        let es = edges();
        for a in &es {
            let fa = fp(a);
            assert_eq!(&big(&fa), a);
            assert_eq!(fa.to_be_bytes(), bytes_of(a));
            assert_eq!(big(&fa.neg()), (&p - a) % &p);
            assert_eq!(big(&fa.double()), (a * 2u8) % &p);
            assert_eq!(big(&fa.square()), (a * a) % &p);
            assert_eq!(bool::from(fa.is_zero()), a.is_zero());
            for b in &es {
                let fb = fp(b);
                assert_eq!(big(&fa.mul(&fb)), (a * b) % &p);
                assert_eq!(big(&fa.add(&fb)), (a + b) % &p);
                assert_eq!(big(&fa.sub(&fb)), (a + &p - b) % &p);
                assert_eq!(bool::from(fa.ct_eq(&fb)), a == b);
            }
            let inv = fa.invert();
            let inv_vt = fa.invert_vartime();
            if a.is_zero() {
                assert!(bool::from(inv.is_none()));
                assert!(inv_vt.is_none());
            } else {
                let want = a.modpow(&(&p - 2u8), &p);
                assert_eq!(big(&inv.unwrap()), want);
                assert_eq!(big(&inv_vt.unwrap()), want);
            }
        }
    }

    #[test]
    fn fermat_matches_safegcd() {
        for a in edges().iter().take(8) {
            let fa = fp(a);
            let x = fa.invert();
            let y = fa.invert_fermat();
            assert_eq!(bool::from(x.is_some()), bool::from(y.is_some()));
            if bool::from(x.is_some()) {
                assert_eq!(x.unwrap(), y.unwrap());
            }
        }
    }

    #[test]
    fn const_mul_matches_fast() {
        for a in &edges() {
            for b in &edges() {
                let (la, lb) = (fp(a).0, fp(b).0);
                assert_eq!(mont_mul_const(&la, &lb), mont_mul(&la, &lb));
            }
        }
    }

    #[test]
    fn batch_invert_matches() {
        let p = p_big();
        let mut vals: Vec<Fp> = edges().iter().map(fp).collect();
        let orig = vals.clone();
        let ok = batch_invert(&mut vals);
        assert!(!bool::from(ok), "edges include zero");
        for (x, y) in orig.iter().zip(&vals) {
            if bool::from(x.is_zero()) {
                assert!(bool::from(y.is_zero()));
            } else {
                assert_eq!(big(y), big(x).modpow(&(&p - 2u8), &p));
            }
        }
        let mut none: [Fp; 0] = [];
        assert!(bool::from(batch_invert(&mut none)));
        let mut zero = [Fp::ZERO];
        assert!(!bool::from(batch_invert(&mut zero)));
        assert!(bool::from(zero[0].is_zero()));
    }

    #[test]
    fn matches_crypto_bigint_monty() {
        use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
        use crypto_bigint::U1024;
        let params = FixedMontyParams::new_vartime(P_ODD);
        let es = edges();
        for a in &es {
            for b in es.iter().step_by(3) {
                let x = FixedMontyForm::new(&U1024::from_be_slice(&bytes_of(a)), &params);
                let y = FixedMontyForm::new(&U1024::from_be_slice(&bytes_of(b)), &params);
                let want = x.mul(&y).retrieve();
                let got = fp(a).mul(&fp(b)).to_be_bytes();
                assert_eq!(U1024::from_be_slice(&got), want);
                // Same Montgomery constant R = 2^1024: same internal form.
                assert_eq!(
                    U1024::from_be_slice(&limbs_to_be(&fp(a).mul(&fp(b)).0)),
                    *x.mul(&y).as_montgomery()
                );
            }
        }
    }

    #[test]
    fn operators_delegate() {
        let a = fp(&BigUint::from(1234567u32));
        let b = fp(&(p_big() - 99u8));
        assert_eq!(a + b, a.add(&b));
        assert_eq!(&a + &b, a.add(&b));
        assert_eq!(a + &b, a.add(&b));
        assert_eq!(&a + b, a.add(&b));
        assert_eq!(a - b, a.sub(&b));
        assert_eq!(&a - &b, a.sub(&b));
        assert_eq!(a * b, a.mul(&b));
        assert_eq!(&a * &b, a.mul(&b));
        assert_eq!(-a, a.neg());
        assert_eq!(-&a, a.neg());
        let mut c = a;
        c += b;
        assert_eq!(c, a.add(&b));
        c -= &b;
        assert_eq!(c, a);
        c *= b;
        assert_eq!(c, a.mul(&b));
        c *= &b;
        assert_eq!(c, a.mul(&b).mul(&b));
        assert_eq!(Fp::conditional_select(&a, &b, Choice::from(0)), a);
        assert_eq!(Fp::conditional_select(&a, &b, Choice::from(1)), b);
        let mut z = a;
        zeroize::Zeroize::zeroize(&mut z);
        assert!(bool::from(z.is_zero()));
        assert_eq!(format!("{a:?}"), "Fp(..)");
        assert_eq!(Fp::from_u64(7), fp(&BigUint::from(7u8)));
        assert_eq!(Fp::from_u64(0), Fp::ZERO);
        assert_eq!(Fp::from_u64(1), Fp::ONE);
        assert_eq!(a.square_n(3), a.square().square().square());
    }

    #[test]
    fn pow_edge_exponents() {
        let a = fp(&BigUint::from(5u8));
        assert_eq!(a.pow_vartime(&[]), Fp::ONE);
        assert_eq!(a.pow_vartime(&[0, 0, 0]), Fp::ONE);
        assert_eq!(a.pow_vartime(&[1]), a);
        assert_eq!(a.pow_vartime(&[0, 2]), a.square());
        assert_eq!(Fp::ZERO.pow_vartime(&[0]), Fp::ONE);
        assert_eq!(Fp::ZERO.pow_vartime(&[3]), Fp::ZERO);
        // Fermat: a^(p-1) = 1.
        let mut e = P_BYTES;
        e[127] -= 1;
        assert_eq!(a.pow_vartime(&e), Fp::ONE);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn prop_bytes_round_trip(a in arb_big()) {
            let b = bytes_of(&a);
            let x = Fp::from_be_bytes(&b).unwrap();
            prop_assert_eq!(x.to_be_bytes(), b);
        }

        #[test]
        fn prop_rejects_ge_p(b in proptest::collection::vec(any::<u8>(), 128)) {
            let x = BigUint::from_bytes_be(&b);
            let arr: [u8; 128] = b.try_into().unwrap();
            prop_assert_eq!(bool::from(Fp::from_be_bytes(&arr).is_some()), x < p_big());
        }

        #[test]
        fn prop_rejects_p_plus(d in proptest::collection::vec(any::<u8>(), 0..100)) {
            // p + d with d < 2^1024 - p.
            let x = p_big() + BigUint::from_bytes_be(&d);
            if x.bits() <= 1024 {
                prop_assert!(bool::from(Fp::from_be_bytes(&bytes_of(&x)).is_none()));
            }
        }

        #[test]
        fn prop_field_ops(a in arb_big(), b in arb_big()) {
            let p = p_big();
            let (x, y) = (fp(&a), fp(&b));
            prop_assert_eq!(big(&x.mul(&y)), (&a * &b) % &p);
            prop_assert_eq!(big(&x.square()), (&a * &a) % &p);
            prop_assert_eq!(big(&x.add(&y)), (&a + &b) % &p);
            prop_assert_eq!(big(&x.sub(&y)), (&a + &p - &b) % &p);
            prop_assert_eq!(big(&x.neg()), (&p - &a) % &p);
            prop_assert_eq!(big(&x.double()), (&a << 1) % &p);
            prop_assert_eq!(mont_mul_const(&x.0, &y.0), x.mul(&y).0);
        }

        #[test]
        fn prop_invert(a in arb_big()) {
            let p = p_big();
            let x = fp(&a);
            let inv = x.invert();
            let inv_vt = x.invert_vartime();
            if a.is_zero() {
                prop_assert!(bool::from(inv.is_none()));
                prop_assert!(inv_vt.is_none());
            } else {
                let want = a.modpow(&(&p - 2u8), &p);
                prop_assert_eq!(big(&inv.unwrap()), want.clone());
                prop_assert_eq!(big(&inv_vt.unwrap()), want);
                prop_assert_eq!(x.mul(&inv.unwrap()), Fp::ONE);
            }
        }

        #[test]
        fn prop_pow(a in arb_big(), e in proptest::collection::vec(any::<u8>(), 0..130)) {
            let p = p_big();
            let want = a.modpow(&BigUint::from_bytes_be(&e), &p);
            prop_assert_eq!(big(&fp(&a).pow_vartime(&e)), want);
        }

        #[test]
        fn prop_from_u64(v in any::<u64>()) {
            prop_assert_eq!(big(&Fp::from_u64(v)), BigUint::from(v));
        }

        #[test]
        fn prop_batch_invert(v in proptest::collection::vec(arb_big(), 0..12)) {
            let p = p_big();
            let mut xs: Vec<Fp> = v.iter().map(fp).collect();
            let ok = batch_invert(&mut xs);
            prop_assert_eq!(bool::from(ok), v.iter().all(|a| !a.is_zero()));
            for (a, x) in v.iter().zip(&xs) {
                if a.is_zero() {
                    prop_assert!(bool::from(x.is_zero()));
                } else {
                    prop_assert_eq!(big(x), a.modpow(&(&p - 2u8), &p));
                }
            }
        }
    }
}
