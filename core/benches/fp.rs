//! Criterion benchmarks of the SAKKE base field `F_p` (RFC 6508 §2.1,
//! RFC 6509 Appendix A parameter set 1) against crypto-bigint's
//! `FixedMontyForm<U1024>`.
//!
//! `sakke::fp` is crate-private, so its source is compiled into this bench
//! directly; it only depends on `subtle`, `zeroize` and `crypto-bigint`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U1024};

#[allow(dead_code)]
#[path = "../src/sakke/fp.rs"]
mod fp;

use fp::Fp;

/// A fixed pseudo-random element below `p` (top octet cleared).
fn element(seed: u8) -> Fp {
    let mut bytes = [0u8; 128];
    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ u64::from(seed);
    for b in bytes.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    bytes[0] &= 0x7f;
    Fp::from_be_bytes(&bytes).unwrap()
}

fn bench_fp(c: &mut Criterion) {
    let a = element(1);
    let b = element(2);
    c.bench_function("fp_mul", |bn| bn.iter(|| black_box(&a).mul(black_box(&b))));
    // `fp_mul` / `fp_square` dispatch (AVX-512 IFMA when the CPU has it);
    // `fp_mul_portable` is always the portable Karatsuba code.
    c.bench_function("fp_mul_portable", |bn| {
        bn.iter(|| black_box(&a).mul_portable(black_box(&b)))
    });
    c.bench_function("fp_square", |bn| bn.iter(|| black_box(&a).square()));
    c.bench_function("fp_add", |bn| bn.iter(|| black_box(&a).add(black_box(&b))));
    c.bench_function("fp_sub", |bn| bn.iter(|| black_box(&a).sub(black_box(&b))));
    c.bench_function("fp_invert", |bn| bn.iter(|| black_box(&a).invert()));
    c.bench_function("fp_invert_vartime", |bn| {
        bn.iter(|| black_box(&a).invert_vartime())
    });
    c.bench_function("fp_invert_fermat", |bn| {
        bn.iter(|| black_box(&a).invert_fermat())
    });
    c.bench_function("fp_from_be_bytes", |bn| {
        let bytes = a.to_be_bytes();
        bn.iter(|| Fp::from_be_bytes(black_box(&bytes)))
    });

    let params =
        FixedMontyParams::new_vartime(Odd::new(U1024::from_be_slice(&fp::P_BYTES)).unwrap());
    let x = FixedMontyForm::new(&U1024::from_be_slice(&a.to_be_bytes()), &params);
    let y = FixedMontyForm::new(&U1024::from_be_slice(&b.to_be_bytes()), &params);
    c.bench_function("crypto_bigint_mul", |bn| {
        bn.iter(|| black_box(&x).mul(black_box(&y)))
    });
    c.bench_function("crypto_bigint_square", |bn| {
        bn.iter(|| black_box(&x).square())
    });
}

criterion_group!(benches, bench_fp);
criterion_main!(benches);
