//! AVX-512 IFMA Montgomery multiplication in `F_p` (x86-64 only).
//!
//! This is the one module of the crate that uses `unsafe`: a measured
//! speed-up of the 1024-bit Montgomery multiplication (the cost of every
//! SAKKE operation) needs the `vpmadd52luq` / `vpmadd52huq` instructions,
//! which are reachable only through `core::arch` intrinsics in
//! `#[target_feature]` functions. Those are `unsafe` to call unless the CPU
//! is known to have the features, and the vector loads take raw pointers.
//! Everything unsafe stays private here behind a safe API: [`available`]
//! (run-time CPU detection, computed once) and [`mont_mul`] / [`mont_sqr`],
//! which fall back to the portable code when the features are missing. On
//! other architectures the module compiles to that fallback alone and
//! [`available`] is false.
//!
//! # Algorithm
//!
//! OpenSSL's `rsaz_amm52x20` "almost Montgomery multiplication" in radix
//! `2^52` with 20 limbs (`R' = 2^1040`), keeping the field's `R = 2^1024`:
//! `a` is converted with a 16-bit left shift (limb `j` holds bits
//! `[52j - 16, 52j + 36)` of `a`, i.e. the radix-`2^52` digits of
//! `a·2^16 < 2^1040`) and `b` plainly, so that
//! `AMM(a·2^16, b) = a·2^16·b·2^-1040 = a·b·2^-1024 (mod p)`, and the result
//! is below `(2^1040·p + 2^1040·p) / 2^1040 = 2p`. Each of the 20 iterations
//! adds `a·b_i + m·p` (low 52-bit halves, then the accumulators shift down
//! one lane, then the high halves) with `m = acc_0·(-p^-1) mod 2^52`. The
//! products with `a` and with `p` go to two separate accumulators, so the
//! `a` side never waits for `m`. Lane 0 lives in a scalar register (as in
//! OpenSSL), where the full 104-bit products `a_0·b_i` and `m·p_0` and the
//! low half of `m·p_1` give the next digit, so that `m` reaches the next
//! iteration without waiting for the vector unit's products with it. At
//! the end the lanes are carried into exact 52-bit digits, `p` is
//! subtracted digit-wise (both with carry-lookahead on 20-bit masks), `v`
//! or `v - p` is kept by a mask and the digits are packed into 16 64-bit
//! limbs, all in vector registers.
//!
//! Measured with `benches/fp.rs` on an AMD EPYC (Zen 4): about 0.15 µs per
//! multiplication or squaring against 0.32–0.35 µs for the portable code.
//! The first straightforward version (one accumulator, scalar
//! normalization and packing) took 0.23 µs.
//!
//! Constant time: no branch or memory index depends on the operands (the
//! only branch is the dispatch on the CPU's features). The radix-`2^52`
//! digits of `b`, the one secret-derived array kept in memory, are
//! zeroized before returning; the rest lives in registers (whatever the
//! compiler spills to the stack is not wiped, as in the portable code).
#![allow(unsafe_code)]

use super::LIMBS;

/// Radix-`2^52` digits of a field element.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
const DIGITS: usize = 20;

/// Whether the CPU has AVX-512F and AVX-512 IFMA (cached after the first
/// call). Always false on architectures other than x86-64.
#[inline]
pub(super) fn available() -> bool {
    imp::available()
}

/// Montgomery product `a·b·2^-1024 mod p` for `a, b < p`, fully reduced;
/// the same value as the portable `mont_mul`. Uses AVX-512 IFMA when
/// [`available`] and the portable code otherwise.
#[inline]
pub(super) fn mont_mul(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
    imp::mont_mul(a, b)
}

/// Montgomery square `a^2·2^-1024 mod p` for `a < p` (see [`mont_mul`]).
#[inline]
pub(super) fn mont_sqr(a: &[u64; LIMBS]) -> [u64; LIMBS] {
    imp::mont_mul(a, a)
}

#[cfg(not(target_arch = "x86_64"))]
mod imp {
    use super::LIMBS;

    #[inline(always)]
    pub(super) fn available() -> bool {
        false
    }

    #[inline(always)]
    pub(super) fn mont_mul(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
        super::super::mont_mul_portable(a, b)
    }
}

// The AVX-512 intrinsics are stable since Rust 1.89, the workspace's
// `rust-version`.
#[cfg(target_arch = "x86_64")]
#[clippy::msrv = "1.89"]
mod imp {
    use core::arch::x86_64::{
        __m512i, _mm512_add_epi64, _mm512_alignr_epi64, _mm512_and_si512, _mm512_castsi512_si128,
        _mm512_cmpeq_epi64_mask, _mm512_cmpgt_epu64_mask, _mm512_cmplt_epi64_mask,
        _mm512_loadu_si512, _mm512_madd52hi_epu64, _mm512_madd52lo_epu64, _mm512_mask_add_epi64,
        _mm512_mask_blend_epi64, _mm512_mask_set1_epi64, _mm512_mask_sub_epi64,
        _mm512_maskz_permutex2var_epi64, _mm512_permutex2var_epi64, _mm512_set1_epi64,
        _mm512_setzero_si512, _mm512_sllv_epi64, _mm512_srli_epi64, _mm512_srlv_epi64,
        _mm512_storeu_si512, _mm512_sub_epi64, _mm512_ternarylogic_epi64, _mm_extract_epi64,
    };
    use core::sync::atomic::{AtomicU8, Ordering};

    use zeroize::Zeroize;

    use super::super::{INV, P};
    use super::{DIGITS, LIMBS};

    /// Mask of a 52-bit digit.
    const MASK52: u64 = (1 << 52) - 1;

    /// Digits padded to three 8-lane vectors.
    const LANES: usize = 24;

    /// `-p^-1 mod 2^52`.
    const K0: u64 = INV & MASK52;

    /// `p` in radix `2^52`, padded with zero lanes.
    static P52: [u64; LANES] = to_radix52(&P, 0);

    /// Bits `[o, o + 52)` of the 1024-bit `x` (zero outside), `o` possibly
    /// negative. Only public constants steer the branches.
    #[inline(always)]
    const fn digit(x: &[u64; LIMBS], o: isize) -> u64 {
        if o < 0 {
            (x[0] << (-o) as u32) & MASK52
        } else {
            let w = (o / 64) as usize;
            let s = (o % 64) as u32;
            let mut v = x[w] >> s;
            if s > 12 && w + 1 < LIMBS {
                v |= x[w + 1] << (64 - s);
            }
            v & MASK52
        }
    }

    /// Radix-`2^52` digits of `x·2^shift` (`shift < 64`, the product below
    /// `2^1040`), padded with zero lanes.
    #[inline(always)]
    const fn to_radix52(x: &[u64; LIMBS], shift: isize) -> [u64; LANES] {
        let mut out = [0u64; LANES];
        let mut j = 0;
        while j < DIGITS {
            out[j] = digit(x, 52 * j as isize - shift);
            j += 1;
        }
        out
    }

    /// 0: not yet detected, 1: unavailable, 2: available.
    static STATE: AtomicU8 = AtomicU8::new(0);

    #[inline]
    pub(super) fn available() -> bool {
        match STATE.load(Ordering::Relaxed) {
            2 => true,
            1 => false,
            _ => detect(),
        }
    }

    #[cold]
    #[inline(never)]
    fn detect() -> bool {
        // `MIKEY_SAKKE_PORTABLE_FP=1` forces the portable code, so that CI
        // runs the protocol tests on both paths on an IFMA machine.
        let forced_off = std::env::var_os("MIKEY_SAKKE_PORTABLE_FP").is_some_and(|v| v == "1");
        let yes = !forced_off
            && std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512ifma");
        STATE.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
        yes
    }

    #[inline]
    pub(super) fn mont_mul(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
        if available() {
            // SAFETY: the CPU supports AVX-512F and AVX-512 IFMA (checked
            // at run time just above), the only requirement of
            // `mont_mul_ifma`.
            unsafe { mont_mul_ifma(a, b) }
        } else {
            super::super::mont_mul_portable(a, b)
        }
    }

    /// Permutation indices and shift counts that gather the radix-`2^52`
    /// digits `8v .. 8v + 8` of `x·2^shift` from the 16 limbs of `x`:
    /// digit `j` is `((x[w] >> s) | (x[w + 1] << (64 - s))) & MASK52` with
    /// `52j - shift = 64w + s`; out-of-range words are masked to zero.
    struct Gather {
        lo_idx: [u64; 8],
        hi_idx: [u64; 8],
        lo_mask: u8,
        hi_mask: u8,
        rshift: [u64; 8],
        lshift: [u64; 8],
    }

    const fn gather(v: usize, shift: isize) -> Gather {
        let mut g = Gather {
            lo_idx: [0; 8],
            hi_idx: [0; 8],
            lo_mask: 0,
            hi_mask: 0,
            rshift: [0; 8],
            lshift: [0; 8],
        };
        let mut l = 0;
        while l < 8 {
            let j = 8 * v + l;
            if j < DIGITS {
                // Offset in the 17-word view [0, x_0, .., x_15] (x·2^64).
                let o = 52 * j as isize - shift + 64;
                let w = (o / 64) as usize;
                let s = (o % 64) as u64;
                if w >= 1 && w <= LIMBS {
                    g.lo_idx[l] = (w - 1) as u64;
                    g.lo_mask |= 1 << l;
                }
                if w < LIMBS {
                    g.hi_idx[l] = w as u64;
                    g.hi_mask |= 1 << l;
                }
                g.rshift[l] = s;
                // 64 (s = 0) shifts everything out, as wanted.
                g.lshift[l] = 64 - s;
            }
            l += 1;
        }
        g
    }

    static GATHER_A: [Gather; 3] = [gather(0, 16), gather(1, 16), gather(2, 16)];
    static GATHER_B: [Gather; 3] = [gather(0, 0), gather(1, 0), gather(2, 0)];

    /// Loads 8 lanes.
    ///
    /// # Safety
    ///
    /// AVX-512F must be available.
    #[inline(always)]
    unsafe fn ld8(x: &[u64; 8]) -> __m512i {
        // SAFETY: `x` is 64 readable bytes; `loadu` needs no alignment.
        unsafe { _mm512_loadu_si512(x.as_ptr().cast::<__m512i>()) }
    }

    /// Digits `8v .. 8v + 8` (per `g`) of the limbs `x0 = x[0..8]`,
    /// `x1 = x[8..16]`.
    ///
    /// # Safety
    ///
    /// AVX-512F must be available.
    #[inline(always)]
    unsafe fn to_digits(x0: __m512i, x1: __m512i, g: &Gather) -> __m512i {
        // SAFETY: AVX-512F is available (caller); `ld8` reads `[u64; 8]`s.
        unsafe {
            let lo = _mm512_maskz_permutex2var_epi64(g.lo_mask, x0, ld8(&g.lo_idx), x1);
            let hi = _mm512_maskz_permutex2var_epi64(g.hi_mask, x0, ld8(&g.hi_idx), x1);
            let lo = _mm512_srlv_epi64(lo, ld8(&g.rshift));
            let hi = _mm512_sllv_epi64(hi, ld8(&g.lshift));
            // (lo | hi) & MASK52
            _mm512_ternarylogic_epi64::<0xA8>(lo, hi, _mm512_set1_epi64(MASK52 as i64))
        }
    }

    /// See the module documentation.
    ///
    /// # Safety
    ///
    /// The CPU must support AVX-512F and AVX-512 IFMA.
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn mont_mul_ifma(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; LIMBS] {
        // SAFETY (the whole body): AVX-512F and IFMA are available (the
        // caller's contract); every pointer access is to a whole array of
        // the size accessed (the `loadu`/`storeu` forms need no alignment).
        unsafe {
            let (xa0, xa1) = (
                _mm512_loadu_si512(a.as_ptr().cast::<__m512i>()),
                _mm512_loadu_si512(a.as_ptr().add(8).cast::<__m512i>()),
            );
            let (xb0, xb1) = (
                _mm512_loadu_si512(b.as_ptr().cast::<__m512i>()),
                _mm512_loadu_si512(b.as_ptr().add(8).cast::<__m512i>()),
            );
            let a0 = to_digits(xa0, xa1, &GATHER_A[0]);
            let a1 = to_digits(xa0, xa1, &GATHER_A[1]);
            let a2 = to_digits(xa0, xa1, &GATHER_A[2]);
            let mut b52 = [0u64; LANES];
            _mm512_storeu_si512(
                b52.as_mut_ptr().cast::<__m512i>(),
                to_digits(xb0, xb1, &GATHER_B[0]),
            );
            _mm512_storeu_si512(
                b52.as_mut_ptr().add(8).cast::<__m512i>(),
                to_digits(xb0, xb1, &GATHER_B[1]),
            );
            _mm512_storeu_si512(
                b52.as_mut_ptr().add(16).cast::<__m512i>(),
                to_digits(xb0, xb1, &GATHER_B[2]),
            );
            let (p0, p1, p2) = (ld8(&P52_V[0]), ld8(&P52_V[1]), ld8(&P52_V[2]));
            let zero = _mm512_setzero_si512();
            // Two accumulators, both shifted down one lane per iteration:
            // `r` collects the products with `a`, `q` those with `p` (so the
            // `a` side does not wait for `m`). Lane 0 of each is never read
            // (the scalar `acc` holds the true lane 0).
            let (mut r0, mut r1, mut r2) = (zero, zero, zero);
            let (mut q0, mut q1, mut q2) = (zero, zero, zero);
            // Lane 0 of the accumulator: everything at the current digit.
            let mut acc: u64 = 0;
            let a_0 = (a[0] << 16) & MASK52;
            let (p_0, p_1) = (P52[0], P52[1]);

            for &bi in b52.iter().take(DIGITS) {
                let vb = _mm512_set1_epi64(bi as i64);
                r0 = _mm512_madd52lo_epu64(r0, a0, vb);
                r1 = _mm512_madd52lo_epu64(r1, a1, vb);
                r2 = _mm512_madd52lo_epu64(r2, a2, vb);
                // The next digit, except what `m` adds to it (taken before
                // `q`'s low products with `m` and computed in scalar).
                let next = (_mm_extract_epi64::<1>(_mm512_castsi512_si128(r0)) as u64)
                    .wrapping_add(_mm_extract_epi64::<1>(_mm512_castsi512_si128(q0)) as u64);

                // Scalar digit: acc + a_0·b_i + m·p_0 has its low 52 bits
                // zero by the choice of m; the rest carries into the next.
                let t = acc as u128 + a_0 as u128 * bi as u128;
                let m = (t as u64).wrapping_mul(K0) & MASK52;
                let t = t + m as u128 * p_0 as u128;
                acc = ((t >> 52) as u64)
                    .wrapping_add((m.wrapping_mul(p_1)) & MASK52)
                    .wrapping_add(next);

                let vm = _mm512_set1_epi64(m as i64);
                q0 = _mm512_madd52lo_epu64(q0, p0, vm);
                q1 = _mm512_madd52lo_epu64(q1, p1, vm);
                q2 = _mm512_madd52lo_epu64(q2, p2, vm);
                // Shift down one lane.
                r0 = _mm512_alignr_epi64::<1>(r1, r0);
                r1 = _mm512_alignr_epi64::<1>(r2, r1);
                r2 = _mm512_alignr_epi64::<1>(zero, r2);
                q0 = _mm512_alignr_epi64::<1>(q1, q0);
                q1 = _mm512_alignr_epi64::<1>(q2, q1);
                q2 = _mm512_alignr_epi64::<1>(zero, q2);
                // High halves (lane 0's are already in `acc`).
                r0 = _mm512_madd52hi_epu64(r0, a0, vb);
                r1 = _mm512_madd52hi_epu64(r1, a1, vb);
                r2 = _mm512_madd52hi_epu64(r2, a2, vb);
                q0 = _mm512_madd52hi_epu64(q0, p0, vm);
                q1 = _mm512_madd52hi_epu64(q1, p1, vm);
                q2 = _mm512_madd52hi_epu64(q2, p2, vm);
            }
            let r0 = _mm512_add_epi64(r0, q0);
            let r1 = _mm512_add_epi64(r1, q1);
            let r2 = _mm512_add_epi64(r2, q2);

            // The true lane 0.
            let r0 = _mm512_mask_set1_epi64(r0, 1, acc as i64);
            let out = finish(r0, r1, r2);
            // The only secret-derived array in memory (the rest stays in
            // registers).
            b52.zeroize();
            out
        }
    }

    /// 20 one-bit flags (lanes 0..20 of three vectors) as an integer.
    #[inline(always)]
    fn flags(k0: u8, k1: u8, k2: u8) -> u32 {
        (k0 as u32 | (k1 as u32) << 8 | (k2 as u32) << 16) & ((1 << DIGITS) - 1)
    }

    /// Carry-in bits from generate and propagate flags (carry-lookahead by
    /// one integer addition): bit `j` is set iff a carry (or borrow) enters
    /// digit `j`; bit 20 is the carry out of the top digit.
    #[inline(always)]
    fn lookahead(g: u32, p: u32) -> u32 {
        ((g << 1).wrapping_add(p)) ^ p
    }

    /// From the accumulator lanes (each below `2^60`, 20 used, value
    /// `v < 2p`) to the fully reduced 16-limb `v mod p`, all in vector
    /// registers and constant time: carry into 52-bit digits, subtract `p`
    /// digit-wise, keep `v` or `v - p` by the final borrow (a mask, not a
    /// branch), pack into 64-bit limbs.
    ///
    /// # Safety
    ///
    /// AVX-512F must be available.
    #[inline(always)]
    unsafe fn finish(r0: __m512i, r1: __m512i, r2: __m512i) -> [u64; LIMBS] {
        // SAFETY: AVX-512F is available (caller); the loads and stores
        // access whole arrays of the accessed size.
        unsafe {
            let mask = _mm512_set1_epi64(MASK52 as i64);
            let zero = _mm512_setzero_si512();
            // One carry step: lanes become <= 2^52 - 1 + 2^8.
            let (h0, h1, h2) = (
                _mm512_srli_epi64::<52>(r0),
                _mm512_srli_epi64::<52>(r1),
                _mm512_srli_epi64::<52>(r2),
            );
            let n0 = _mm512_add_epi64(
                _mm512_and_si512(r0, mask),
                _mm512_alignr_epi64::<7>(h0, zero),
            );
            let n1 = _mm512_add_epi64(_mm512_and_si512(r1, mask), _mm512_alignr_epi64::<7>(h1, h0));
            let n2 = _mm512_add_epi64(_mm512_and_si512(r2, mask), _mm512_alignr_epi64::<7>(h2, h1));
            // Exact carries: digits above 2^52 - 1 generate, digits equal
            // to it propagate (no carry leaves digit 19: v < 2^1025).
            let g = flags(
                _mm512_cmpgt_epu64_mask(n0, mask),
                _mm512_cmpgt_epu64_mask(n1, mask),
                _mm512_cmpgt_epu64_mask(n2, mask),
            );
            let p = flags(
                _mm512_cmpeq_epi64_mask(n0, mask),
                _mm512_cmpeq_epi64_mask(n1, mask),
                _mm512_cmpeq_epi64_mask(n2, mask),
            );
            let c = lookahead(g, p);
            let one = _mm512_set1_epi64(1);
            let n0 = _mm512_and_si512(_mm512_mask_add_epi64(n0, c as u8, n0, one), mask);
            let n1 = _mm512_and_si512(_mm512_mask_add_epi64(n1, (c >> 8) as u8, n1, one), mask);
            let n2 = _mm512_and_si512(_mm512_mask_add_epi64(n2, (c >> 16) as u8, n2, one), mask);

            // v - p digit-wise, then exact borrows the same way.
            let d0 = _mm512_sub_epi64(n0, ld8(&P52_V[0]));
            let d1 = _mm512_sub_epi64(n1, ld8(&P52_V[1]));
            let d2 = _mm512_sub_epi64(n2, ld8(&P52_V[2]));
            let g = flags(
                _mm512_cmplt_epi64_mask(d0, zero),
                _mm512_cmplt_epi64_mask(d1, zero),
                _mm512_cmplt_epi64_mask(d2, zero),
            );
            let p = flags(
                _mm512_cmpeq_epi64_mask(d0, zero),
                _mm512_cmpeq_epi64_mask(d1, zero),
                _mm512_cmpeq_epi64_mask(d2, zero),
            );
            let b = lookahead(g, p);
            let d0 = _mm512_and_si512(_mm512_mask_sub_epi64(d0, b as u8, d0, one), mask);
            let d1 = _mm512_and_si512(_mm512_mask_sub_epi64(d1, (b >> 8) as u8, d1, one), mask);
            let d2 = _mm512_and_si512(_mm512_mask_sub_epi64(d2, (b >> 16) as u8, d2, one), mask);
            // All ones iff v >= p (no final borrow): take v - p.
            let take = ((b >> DIGITS) as u8 & 1).wrapping_sub(1);
            let n0 = _mm512_mask_blend_epi64(take, n0, d0);
            let n1 = _mm512_mask_blend_epi64(take, n1, d1);
            let n2 = _mm512_mask_blend_epi64(take, n2, d2);

            // Pack: limb k = (d[a] >> s) | (d[a+1] << (52-s)) | (d[a+2] << (104-s))
            // with 64k = 52a + s (shift counts >= 64 give zero).
            let mut out = [0u64; LIMBS];
            for (h, (x, y)) in [(n0, n1), (n1, n2)].into_iter().enumerate() {
                let pk = &PACK[h];
                let t0 = _mm512_srlv_epi64(
                    _mm512_permutex2var_epi64(x, ld8(&pk.idx[0]), y),
                    ld8(&pk.cnt[0]),
                );
                let t1 = _mm512_sllv_epi64(
                    _mm512_permutex2var_epi64(x, ld8(&pk.idx[1]), y),
                    ld8(&pk.cnt[1]),
                );
                let t2 = _mm512_sllv_epi64(
                    _mm512_permutex2var_epi64(x, ld8(&pk.idx[2]), y),
                    ld8(&pk.cnt[2]),
                );
                let w = _mm512_ternarylogic_epi64::<0xFE>(t0, t1, t2);
                _mm512_storeu_si512(out.as_mut_ptr().add(8 * h).cast::<__m512i>(), w);
            }
            out
        }
    }

    /// `p`'s digits as three 8-lane vectors.
    static P52_V: [[u64; 8]; 3] = {
        let mut v = [[0u64; 8]; 3];
        let mut j = 0;
        while j < LANES {
            v[j / 8][j % 8] = P52[j];
            j += 1;
        }
        v
    };

    /// Permutation indices (into two consecutive digit vectors) and shift
    /// counts that pack 52-bit digits into limbs `8h .. 8h + 8`.
    struct Pack {
        idx: [[u64; 8]; 3],
        cnt: [[u64; 8]; 3],
    }

    const fn pack_table(h: usize) -> Pack {
        let mut pk = Pack {
            idx: [[0; 8]; 3],
            cnt: [[0; 8]; 3],
        };
        let mut l = 0;
        while l < 8 {
            let k = 8 * h + l;
            let a = 64 * k / 52;
            let s = (64 * k - 52 * a) as u64;
            let mut t = 0;
            while t < 3 {
                // Digit a + t, relative to the first of the two vectors.
                pk.idx[t][l] = (a + t - 8 * h) as u64;
                t += 1;
            }
            pk.cnt[0][l] = s;
            pk.cnt[1][l] = 52 - s;
            pk.cnt[2][l] = 104 - s;
            l += 1;
        }
        pk
    }

    static PACK: [Pack; 2] = [pack_table(0), pack_table(1)];
}

#[cfg(test)]
mod tests {
    // Glob imports only: with `harness = false` (benches/fp.rs compiles
    // this file) the `#[test]` functions are dropped and named imports
    // would be unused.
    use super::super::*;
    use super::available;

    /// A tiny deterministic generator (xorshift64*), for reproducible tests.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        /// A uniformly random-ish value below p (top limb reduced).
        fn below_p(&mut self) -> [u64; LIMBS] {
            let mut x = [0u64; LIMBS];
            for l in x.iter_mut() {
                *l = self.next();
            }
            // Vary the top limb across its whole range below p's top limb
            // (and sometimes equal to it with smaller lower limbs).
            x[LIMBS - 1] %= P[LIMBS - 1];
            x
        }
    }

    /// Edge values below p.
    fn edges() -> Vec<[u64; LIMBS]> {
        let mut v = Vec::new();
        let mut one = [0u64; LIMBS];
        one[0] = 1;
        let mut pm1 = P;
        pm1[0] -= 1;
        let mut pm2 = P;
        pm2[0] -= 2;
        v.extend([[0u64; LIMBS], one, pm1, pm2, R1, R2]);
        // p's top limbs with all ones below, and all ones with p's top limb
        // minus one.
        for k in 1..LIMBS {
            let mut x = P;
            x[k] -= 1;
            for l in x.iter_mut().take(k) {
                *l = u64::MAX;
            }
            v.push(x);
        }
        let mut x = [u64::MAX; LIMBS];
        x[LIMBS - 1] = P[LIMBS - 1] - 1;
        v.push(x);
        // Alternating and sparse patterns.
        let mut x = [0xaaaa_aaaa_aaaa_aaaa; LIMBS];
        x[LIMBS - 1] = 0x5555_5555_5555_5555;
        v.push(x);
        let mut x = [0u64; LIMBS];
        x[LIMBS - 1] = 1 << 63;
        v.push(x);
        let mut x = [0u64; LIMBS];
        x[0] = u64::MAX;
        v.push(x);
        for x in &v {
            assert!(super::super::lt_p(x).unwrap_u8() == 1);
        }
        v
    }

    /// Whether the IFMA path is under test; prints a note if not.
    fn ifma() -> bool {
        let yes = available();
        if !yes {
            eprintln!("note: CPU lacks AVX-512F/IFMA; fp_ifma test skipped");
        }
        yes
    }

    #[test]
    fn edges_match_portable() {
        if !ifma() {
            return;
        }
        let es = edges();
        for a in &es {
            assert_eq!(super::mont_sqr(a), mont_sqr_portable(a));
            for b in &es {
                let want = mont_mul_portable(a, b);
                assert_eq!(super::mont_mul(a, b), want);
                assert_eq!(want, mont_mul_const(a, b));
            }
        }
    }

    #[test]
    fn random_match_portable() {
        if !ifma() {
            return;
        }
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        for _ in 0..20_000 {
            let a = rng.below_p();
            let b = rng.below_p();
            assert_eq!(super::mont_mul(&a, &b), mont_mul_portable(&a, &b));
            assert_eq!(super::mont_sqr(&a), mont_sqr_portable(&a));
        }
    }

    #[test]
    fn chained_match_portable() {
        // Long chains, as in an exponentiation, starting from edge values.
        if !ifma() {
            return;
        }
        for start in edges() {
            let (mut x, mut y) = (start, start);
            for i in 0..500 {
                x = if i % 3 == 0 {
                    super::mont_sqr(&x)
                } else {
                    super::mont_mul(&x, &start)
                };
                y = if i % 3 == 0 {
                    mont_sqr_portable(&y)
                } else {
                    mont_mul_portable(&y, &start)
                };
                assert_eq!(x, y);
            }
        }
    }
}
