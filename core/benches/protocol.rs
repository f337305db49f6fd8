//! Criterion benchmarks of the ECCSI and SAKKE operations.
//!
//! `cargo bench -p mikey-sakke --bench protocol`. For ratios to OpenSSL
//! measured in the same run, use `msk speed --compare-openssl`.

use criterion::{criterion_group, criterion_main, Criterion};
use mikey_sakke::eccsi::{self, EccsiKms, SigningKey, Verifier};
use mikey_sakke::random::OsRandom;
use mikey_sakke::sakke::{EncapsulatedData, KmsContext, ReceiverKey, SakkeKms, Ssv};
use std::hint::black_box;

const ID: &[u8] = b"2026-11\0tel:+447700900123\0";

fn bench_eccsi(c: &mut Criterion) {
    let mut rng = OsRandom;
    let kms = EccsiKms::generate(&mut rng).unwrap();
    let (ssk, pvt) = kms.issue(ID, &mut rng).unwrap();
    let key = SigningKey::new(kms.kpak(), ID, ssk, pvt.clone()).unwrap();
    let msg = [0x5au8; 600];
    let sig = key.sign(&msg, &mut rng).unwrap();
    let verifier = Verifier::new(kms.kpak(), ID, &pvt).unwrap();

    let mut g = c.benchmark_group("eccsi");
    g.bench_function("sign", |b| {
        b.iter(|| key.sign(black_box(&msg), &mut rng).unwrap())
    });
    g.bench_function("verify", |b| {
        b.iter(|| eccsi::verify(kms.kpak(), ID, black_box(&msg), sig.as_bytes()).unwrap())
    });
    g.bench_function("verify_cached", |b| {
        b.iter(|| verifier.verify(black_box(&msg), sig.as_bytes()).unwrap())
    });
    g.bench_function("issue", |b| {
        b.iter(|| kms.issue(black_box(ID), &mut rng).unwrap())
    });
    g.bench_function("validate", |b| {
        b.iter(|| {
            let (ssk, pvt) = kms.issue(ID, &mut rng).unwrap();
            SigningKey::new(kms.kpak(), ID, ssk, pvt).unwrap()
        })
    });
    g.finish();
}

fn bench_sakke(c: &mut Criterion) {
    let mut rng = OsRandom;
    let kms = SakkeKms::generate(&mut rng).unwrap();
    let ctx = KmsContext::new(kms.public_key());
    let ssv = Ssv::from_bytes(&[0x42; 16]).unwrap();
    let sed: EncapsulatedData = ctx.encapsulate(ID, &ssv).unwrap();
    let plain = ReceiverKey::new(&ctx, ID, kms.issue_rsk(ID).unwrap()).unwrap();
    let fast = ReceiverKey::new(&ctx, ID, kms.issue_rsk(ID).unwrap())
        .unwrap()
        .with_precomputation();

    let mut g = c.benchmark_group("sakke");
    g.sample_size(20);
    g.bench_function("encapsulate", |b| {
        b.iter(|| ctx.encapsulate(black_box(ID), &ssv).unwrap())
    });
    g.bench_function("decapsulate", |b| {
        b.iter(|| plain.decapsulate(black_box(&sed)).unwrap())
    });
    g.bench_function("decapsulate_precomputed", |b| {
        b.iter(|| fast.decapsulate(black_box(&sed)).unwrap())
    });
    g.bench_function("issue_rsk", |b| {
        b.iter(|| kms.issue_rsk(black_box(ID)).unwrap())
    });
    g.bench_function("validate_rsk", |b| {
        let rsk = kms.issue_rsk(ID).unwrap();
        b.iter(|| ctx.validate_rsk(black_box(ID), &rsk).unwrap())
    });
    g.sample_size(10);
    g.bench_function("kms_context", |b| {
        b.iter(|| KmsContext::new(black_box(kms.public_key())))
    });
    g.bench_function("precompute", |b| {
        b.iter(|| {
            ReceiverKey::new(&ctx, ID, kms.issue_rsk(ID).unwrap())
                .unwrap()
                .with_precomputation()
        })
    });
    g.finish();
}

criterion_group!(benches, bench_eccsi, bench_sakke);
criterion_main!(benches);
