//! Arithmetic in the 1024-bit prime field `F_p` of SAKKE parameter set 1
//! (RFC 6508 §2.1, RFC 6509 Appendix A), over which the curve
//! `E: y^2 = x^3 - 3x` and the pairing of RFC 6508 are computed.
//!
//! Elements are kept in Montgomery form `a·R mod p` with `R = 2^1024`, as
//! sixteen little-endian 64-bit limbs, and are always fully reduced into
//! `[0, p)`, so every element has exactly one representation and equality is
//! a limb-wise comparison.
//!
//! Everything here is constant time in the values of the field elements
//! (no secret-dependent branches, memory indices or early exits; every
//! conditional subtraction of `p` is done with masks), except the functions
//! whose names end in `_vartime`, which may only be given public values (or,
//! for [`Fp::pow_vartime`], a public exponent).
//!
//! # Algorithms
//!
//! * Multiplication: one level of subtractive Karatsuba on 8-limb halves
//!   (192 word products instead of 256; the sign of `(a0 - a1)·(b1 - b0)`
//!   is applied with masks) followed by word-by-word Montgomery reduction
//!   of the 2048-bit product (256 word products), then one masked
//!   subtraction of `p`.
//! * Squaring: Karatsuba as `2·a0·a1 = a0^2 + a1^2 - (a0 - a1)^2` over three
//!   8-limb squarings (108 word products), then the same reduction.
//! * On x86-64 CPUs with AVX-512 IFMA (detected once at run time),
//!   multiplication and squaring go to `fp_ifma.rs` instead: radix-2^52
//!   Montgomery multiplication with 52-bit multiply-accumulate instructions
//!   (about 0.15 µs instead of 0.30 µs here), tested for equality with the
//!   portable code. It is the crate's only `unsafe` code.
//! * Inversion: crypto-bigint's constant-time Bernstein–Yang (safegcd)
//!   inversion, about ten times faster than Fermat's `a^(p-2)` here.
//!
//! `p` has its top bit set (`p > 2^1023`, top limb `0x997abb1f0a563fda`), so
//! the "no final carry" shortcut of CIOS Montgomery multiplication (which
//! needs the top limb below `2^63`) does not apply, nor does lazy reduction
//! into `[0, 2p)` (`2p > 2^1024`): the reduction keeps its extra carry word
//! and folds it into the final masked subtraction.
//!
//! On the x86-64 development machine (generic `x86-64` target, no
//! `target-cpu`), `benches/fp.rs` measured about 0.30 µs per
//! multiplication and 0.26 µs per squaring against 0.46 µs for
//! crypto-bigint's `FixedMontyForm<U1024>` multiplication. CIOS (looped and
//! fully unrolled), SOS, FIPS / Comba product scanning (several carry
//! formulations), a radix-2^61 unsaturated FIPS and two-level Karatsuba were
//! also measured and were slower (0.30–0.53 µs).

use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};

// A child of this module (so that `benches/fp.rs`, which compiles this file
// directly, gets it too); the path is relative to this file's directory.
#[path = "fp_ifma.rs"]
mod fp_ifma;

/// Number of 64-bit limbs of an element.
const LIMBS: usize = 16;

/// Octets of an encoded element (`L` of RFC 6508 §2.1 for parameter set 1).
const BYTES: usize = 128;

/// The field prime `p` of RFC 6509 Appendix A as 256 hex digits.
const P_HEX: &str = "997abb1f0a563fda65c61198dad0657a416c0ce19cb48261be9ae358b3e01a2ef40aab27e2fc0f1b228730d531a59cb0e791b39ff7c88a19356d27f4a666a6d0e26c6487326b4cd4512ac5cd65681ce1b6aff4a831852a82a7cf3c521c3c09aa9f94d6af56971f1ffce3e82389857db080c5df10ac7ace87666d807afea85feb";

/// The field prime `p` of RFC 6509 Appendix A, big-endian (RFC 6508 §2.1).
#[allow(dead_code)] // see the note on `impl Fp`
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

/// Value of one hex digit (compile time; panics on anything else).
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

/// Expands `$body` once per listed index, with `$i` bound to that index as
/// a constant, so that row loops are fully unrolled whatever LLVM's
/// unrolling heuristics decide (the inner loops have constant bounds and
/// are unrolled by LLVM).
macro_rules! unroll {
    ($i:ident in [$($n:literal),* $(,)?] $body:block) => {
        $({
            const $i: usize = $n;
            $body
        })*
    };
}

/// `p`'s limbs read through an optimisation barrier, so that the
/// multiplications take them as memory operands instead of rematerialising
/// 64-bit immediates (a measured ~5% gain in the reduction). Only a hint: the
/// value is `P` either way.
#[inline(always)]
fn p_limbs() -> &'static [u64; LIMBS] {
    core::hint::black_box(&P)
}

/// `a + b + carry` with a one-bit carry in and out (compiles to `adc`).
#[inline(always)]
const fn adcb(a: u64, b: u64, carry: bool) -> (u64, bool) {
    let (s1, o1) = a.overflowing_add(b);
    let (s2, o2) = s1.overflowing_add(carry as u64);
    (s2, o1 | o2)
}

/// `a - b - borrow` with a one-bit borrow in and out (compiles to `sbb`).
#[inline(always)]
const fn sbbb(a: u64, b: u64, borrow: bool) -> (u64, bool) {
    let (s1, o1) = a.overflowing_sub(b);
    let (s2, o2) = s1.overflowing_sub(borrow as u64);
    (s2, o1 | o2)
}

/// Schoolbook 8×8-limb product (rows fully unrolled).
#[inline(always)]
fn mul_8x8(a: &[u64; 8], b: &[u64; 8]) -> [u64; 16] {
    let mut t = [0u64; 16];
    unroll!(I in [0, 1, 2, 3, 4, 5, 6, 7] {
        let mut c = 0u64;
        for j in 0..8 {
            (t[I + j], c) = mac(t[I + j], a[j], b[I], c);
        }
        t[I + 8] = c;
    });
    t
}

/// `|x - y|` of two 8-limb halves and an all-ones mask iff `x < y`
/// (constant time: the negation is masked, not branched).
#[inline(always)]
fn abs_diff_8(x: &[u64; 8], y: &[u64; 8]) -> ([u64; 8], u64) {
    let mut d = [0u64; 8];
    let mut borrow = false;
    for i in 0..8 {
        (d[i], borrow) = sbbb(x[i], y[i], borrow);
    }
    let mask = (borrow as u64).wrapping_neg();
    let mut c = borrow;
    for di in d.iter_mut() {
        (*di, c) = adcb(*di ^ mask, 0, c);
    }
    (d, mask)
}

/// Full 2048-bit product `a·b` by one level of (subtractive) Karatsuba:
/// `a0·b1 + a1·b0 = a0·b0 + a1·b1 + (a0 - a1)·(b1 - b0)`, 192 word
/// products instead of 256. Constant time (signs handled with masks).
#[inline(always)]
fn mul_wide(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; 2 * LIMBS] {
    let (a0, a1) = split_halves(a);
    let (b0, b1) = split_halves(b);
    let z0 = mul_8x8(a0, b0);
    let z2 = mul_8x8(a1, b1);
    let (da, sa) = abs_diff_8(a0, a1);
    let (db, sb) = abs_diff_8(b1, b0);
    let z1 = mul_8x8(&da, &db);
    let neg = sa ^ sb;
    // mid = z0 + z2 ± z1 (17 limbs, non-negative).
    let mut mid = [0u64; 17];
    let mut c = false;
    for i in 0..16 {
        (mid[i], c) = adcb(z0[i], z2[i], c);
    }
    mid[16] = c as u64;
    let mut c = neg & 1 != 0;
    for i in 0..16 {
        (mid[i], c) = adcb(mid[i], z1[i] ^ neg, c);
    }
    mid[16] = mid[16].wrapping_add(neg).wrapping_add(c as u64);
    let mut t = [0u64; 2 * LIMBS];
    t[..16].copy_from_slice(&z0);
    t[16..].copy_from_slice(&z2);
    let mut c = false;
    for i in 0..17 {
        (t[8 + i], c) = adcb(t[8 + i], mid[i], c);
    }
    for ti in t[25..].iter_mut() {
        (*ti, c) = adcb(*ti, 0, c);
    }
    t
}

/// The low and high 8-limb halves.
#[inline(always)]
fn split_halves(x: &[u64; LIMBS]) -> (&[u64; 8], &[u64; 8]) {
    let (lo, hi) = x.split_at(8);
    (lo.try_into().unwrap(), hi.try_into().unwrap())
}

/// Montgomery product `a·b·R^-1 mod p` for `a, b < p`: Karatsuba product
/// ([`mul_wide`]) then word-by-word reduction ([`mont_reduce`]).
///
/// Measured against CIOS (interleaved rows, with and without full
/// unrolling), SOS, FIPS/Comba product scanning and a radix-2^61 variant;
/// this separated form was the fastest on x86-64 (see `benches/fp.rs`).
// Kept out of line: inlining the unrolled product and reduction into
// every caller bloats the Miller loop and costs ~25% (measured).
#[inline(never)]
fn mont_mul_portable(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut t = mul_wide(a, b);
    mont_reduce(&mut t)
}

/// 8-limb square: 28 cross products, doubled, plus 8 diagonal squares.
#[inline(always)]
fn sqr_8(a: &[u64; 8]) -> [u64; 16] {
    let mut t = [0u64; 16];
    unroll!(I in [0, 1, 2, 3, 4, 5, 6] {
        let mut c = 0u64;
        for j in I + 1..8 {
            (t[I + j], c) = mac(t[I + j], a[j], a[I], c);
        }
        t[I + 8] = c;
    });
    t[15] = t[14] >> 63;
    for i in (2..15).rev() {
        t[i] = (t[i] << 1) | (t[i - 1] >> 63);
    }
    t[1] <<= 1;
    let mut c = false;
    for i in 0..8 {
        let (lo, hi) = mac(0, a[i], a[i], 0);
        (t[2 * i], c) = adcb(t[2 * i], lo, c);
        (t[2 * i + 1], c) = adcb(t[2 * i + 1], hi, c);
    }
    t
}

/// Full 2048-bit square by one level of Karatsuba:
/// `2·a0·a1 = a0^2 + a1^2 - (a0 - a1)^2` (108 word products instead of 136).
#[inline(always)]
fn sqr_wide(a: &[u64; LIMBS]) -> [u64; 2 * LIMBS] {
    let (a0, a1) = split_halves(a);
    let z0 = sqr_8(a0);
    let z2 = sqr_8(a1);
    let (d, _) = abs_diff_8(a0, a1);
    let z1 = sqr_8(&d);
    // mid = z0 + z2 - z1 (17 limbs, non-negative).
    let mut mid = [0u64; 17];
    let mut c = false;
    for i in 0..16 {
        (mid[i], c) = adcb(z0[i], z2[i], c);
    }
    mid[16] = c as u64;
    let mut b = false;
    for i in 0..16 {
        (mid[i], b) = sbbb(mid[i], z1[i], b);
    }
    mid[16] = mid[16].wrapping_sub(b as u64);
    let mut t = [0u64; 2 * LIMBS];
    t[..16].copy_from_slice(&z0);
    t[16..].copy_from_slice(&z2);
    let mut c = false;
    for i in 0..17 {
        (t[8 + i], c) = adcb(t[8 + i], mid[i], c);
    }
    for ti in t[25..].iter_mut() {
        (*ti, c) = adcb(*ti, 0, c);
    }
    t
}

/// Montgomery square `a^2·R^-1 mod p` for `a < p`: Karatsuba square
/// ([`sqr_wide`]) then [`mont_reduce`].
#[inline(never)]
fn mont_sqr_portable(a: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut t = sqr_wide(a);
    mont_reduce(&mut t)
}

/// Montgomery product `a·b·R^-1 mod p` for `a, b < p`, fully reduced:
/// AVX-512 IFMA ([`fp_ifma`]) when the CPU has it (detected once at run
/// time; the branch depends only on the CPU), else [`mont_mul_portable`].
#[inline]
fn mont_mul(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
    if fp_ifma::available() {
        fp_ifma::mont_mul(a, b)
    } else {
        mont_mul_portable(a, b)
    }
}

/// Montgomery square `a^2·R^-1 mod p` for `a < p`, dispatched like
/// [`mont_mul`].
#[inline]
fn mont_sqr(a: &[u64; LIMBS]) -> [u64; LIMBS] {
    if fp_ifma::available() {
        fp_ifma::mont_sqr(a)
    } else {
        mont_sqr_portable(a)
    }
}

/// Montgomery reduction of a 2048-bit `t < p·R`: `t·R^-1 mod p`
/// (word-by-word, operand scanning).
#[inline(always)]
fn mont_reduce(t: &mut [u64; 2 * LIMBS]) -> [u64; LIMBS] {
    let p = p_limbs();
    let mut carry = 0u64;
    unroll!(I in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] {
        let m = t[I].wrapping_mul(INV);
        let (_, mut c) = mac(t[I], m, p[0], 0);
        for j in 1..LIMBS {
            (t[I + j], c) = mac(t[I + j], m, p[j], c);
        }
        (t[I + LIMBS], carry) = adc(t[I + LIMBS], c, carry);
    });
    let mut r = [0u64; LIMBS];
    r.copy_from_slice(&t[LIMBS..]);
    sub_p_if_ge(&r, carry)
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

/// Field operations on `F_p` (RFC 6508 §2.1).
// The API is shared with the rest of `sakke` (and compiled into
// `benches/fp.rs`); not every item is used by every caller.
#[allow(dead_code)]
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
    #[allow(clippy::wrong_self_convention)] // API: `&self` like the other methods
    pub(crate) fn to_be_bytes(&self) -> [u8; 128] {
        limbs_to_be(&self.canonical_limbs())
    }

    /// From a small integer.
    pub(crate) fn from_u64(v: u64) -> Fp {
        let mut x = [0u64; LIMBS];
        x[0] = v;
        Fp(mont_mul(&x, &R2))
    }

    /// The plain (non-Montgomery) value as little-endian limbs.
    #[inline]
    fn canonical_limbs(&self) -> [u64; LIMBS] {
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

    /// `self · rhs mod p` with the portable multiplication only (for the
    /// benchmark comparison with the AVX-512 IFMA path of [`Fp::mul`]).
    #[inline]
    pub(crate) fn mul_portable(&self, rhs: &Fp) -> Fp {
        Fp(mont_mul_portable(&self.0, &rhs.0))
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
        /// Window width in bits.
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

#[allow(dead_code)] // see the note on `impl Fp`
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

/// Constant-time equality (elements are fully reduced, so limb equality is
/// field equality).
impl ConstantTimeEq for Fp {
    fn ct_eq(&self, other: &Fp) -> Choice {
        self.0[..].ct_eq(&other.0[..])
    }
}

/// Constant-time selection, limb by limb.
impl ConditionallySelectable for Fp {
    fn conditional_select(a: &Fp, b: &Fp, choice: Choice) -> Fp {
        Fp(core::array::from_fn(|i| {
            u64::conditional_select(&a.0[i], &b.0[i], choice)
        }))
    }
}

/// Zero.
impl Default for Fp {
    /// Zero.
    fn default() -> Fp {
        Fp::ZERO
    }
}

/// Zeroizing writes `Fp::ZERO` (the `Default`).
impl zeroize::DefaultIsZeroes for Fp {}

/// Redacted: prints `Fp(..)`, never the value, which may be secret.
impl core::fmt::Debug for Fp {
    /// Redacted: an element may be secret.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Fp(..)")
    }
}

/// Equality through `ConstantTimeEq` (for tests and public values).
impl PartialEq for Fp {
    /// Constant-time comparison (see [`ConstantTimeEq`]).
    fn eq(&self, other: &Fp) -> bool {
        self.ct_eq(other).into()
    }
}

/// Fully reduced elements: equality is an equivalence.
impl Eq for Fp {}

/// Implements a binary operator for all owned/borrowed operand combinations
/// by delegating to the inherent method.
macro_rules! impl_binop {
    ($tr:ident, $f:ident, $atr:ident, $af:ident) => {
        /// Delegates to the inherent method.
        impl $tr<&Fp> for &Fp {
            type Output = Fp;
            #[inline]
            fn $f(self, rhs: &Fp) -> Fp {
                Fp::$f(self, rhs)
            }
        }
        /// Delegates to the inherent method.
        impl $tr<Fp> for &Fp {
            type Output = Fp;
            #[inline]
            fn $f(self, rhs: Fp) -> Fp {
                Fp::$f(self, &rhs)
            }
        }
        /// Delegates to the inherent method.
        impl $tr<&Fp> for Fp {
            type Output = Fp;
            #[inline]
            fn $f(self, rhs: &Fp) -> Fp {
                Fp::$f(&self, rhs)
            }
        }
        /// Delegates to the inherent method.
        impl $tr<Fp> for Fp {
            type Output = Fp;
            #[inline]
            fn $f(self, rhs: Fp) -> Fp {
                Fp::$f(&self, &rhs)
            }
        }
        /// Delegates to the inherent method.
        impl $atr<&Fp> for Fp {
            #[inline]
            fn $af(&mut self, rhs: &Fp) {
                *self = Fp::$f(self, rhs);
            }
        }
        /// Delegates to the inherent method.
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

/// `-self mod p`, delegating to `Fp::neg`.
impl Neg for Fp {
    type Output = Fp;
    #[inline]
    fn neg(self) -> Fp {
        Fp::neg(&self)
    }
}

/// `-self mod p`, delegating to `Fp::neg`.
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
    #[allow(clippy::op_ref)] // the `&Fp` operator impls are under test
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

    fn wide_big(t: &[u64; 2 * LIMBS]) -> BigUint {
        let mut b = Vec::with_capacity(256);
        for limb in t.iter().rev() {
            b.extend_from_slice(&limb.to_be_bytes());
        }
        BigUint::from_bytes_be(&b)
    }

    /// 1024-bit inputs with structured halves: the Karatsuba sign cases
    /// (`a0 < a1`, `a0 > a1`, `a0 = a1`) and extreme limbs.
    fn structured_limbs() -> Vec<[u64; LIMBS]> {
        let mut v = Vec::new();
        let halves: [[u64; 8]; 5] = [
            [0; 8],
            [u64::MAX; 8],
            [1, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 1 << 63],
            [
                u64::MAX,
                0,
                u64::MAX,
                0,
                7,
                0,
                u64::MAX,
                0x997a_bb1f_0a56_3fda,
            ],
        ];
        for lo in &halves {
            for hi in &halves {
                let mut x = [0u64; LIMBS];
                x[..8].copy_from_slice(lo);
                x[8..].copy_from_slice(hi);
                v.push(x);
            }
        }
        v.push(P);
        v.push(R1);
        v
    }

    #[test]
    fn wide_products_structured() {
        let xs = structured_limbs();
        for a in &xs {
            let ab = limbs_big(a);
            assert_eq!(wide_big(&sqr_wide(a)), &ab * &ab);
            for b in &xs {
                assert_eq!(wide_big(&mul_wide(a, b)), &ab * limbs_big(b));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn prop_wide_products(a in proptest::array::uniform16(any::<u64>()), b in proptest::array::uniform16(any::<u64>())) {
            let (ab, bb) = (limbs_big(&a), limbs_big(&b));
            prop_assert_eq!(wide_big(&mul_wide(&a, &b)), &ab * &bb);
            prop_assert_eq!(wide_big(&sqr_wide(&a)), &ab * &ab);
        }

        #[test]
        fn prop_reduce(a in arb_big(), b in arb_big()) {
            // mont_reduce(t) = t / R mod p for t = a·b < p^2.
            let p = p_big();
            let t = &a * &b;
            let mut w = [0u64; 2 * LIMBS];
            let bytes = t.to_bytes_le();
            for (i, chunk) in bytes.chunks(8).enumerate() {
                let mut l = [0u8; 8];
                l[..chunk.len()].copy_from_slice(chunk);
                w[i] = u64::from_le_bytes(l);
            }
            let rinv = (BigUint::one() << 1024u32).modpow(&(&p - 2u8), &p);
            prop_assert_eq!(limbs_big(&mont_reduce(&mut w)), (t * rinv) % &p);
        }

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
