//! Criterion benchmarks of the MIKEY-SAKKE I_MESSAGE procedures: building and
//! signing a GMK I_MESSAGE, and receiving one (parse, checks, ECCSI verification,
//! SAKKE decapsulation with a precomputed receiver key, key derivation), plus the
//! codec alone.
//!
//! `cargo bench -p mikey-sakke --bench mikey`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use mikey_sakke::eccsi::{EccsiKms, SigningKey};
use mikey_sakke::identity::{KeyPeriod, NtpTime, Uid};
use mikey_sakke::kdf::{KeyId, KeyType};
use mikey_sakke::mikey::{
    initiate, InitiateRequest, KeySet, LocalUser, Message, ReplayCache, Responder, ResponderConfig,
    TrustStore, TrustedKms,
};
use mikey_sakke::random::OsRandom;
use mikey_sakke::sakke::{KmsContext, ReceiverKey, SakkeKms, Ssv};
use std::hint::black_box;

const KMS: &str = "kms.example.org";
const PERIOD: u64 = 2_592_000;

fn user(eccsi: &EccsiKms, sakke: &SakkeKms, kms: &TrustedKms, uri: &str, n: u64) -> LocalUser {
    let id = Uid::derive(uri, KMS, kms.key_period(), n).unwrap();
    let id = id.as_bytes();
    let (ssk, pvt) = eccsi.issue(id, &mut OsRandom).unwrap();
    let signing = SigningKey::new(eccsi.kpak(), id, ssk, pvt).unwrap();
    let receiving = ReceiverKey::new(kms.sakke(), id, sakke.issue_rsk(id).unwrap())
        .unwrap()
        .with_precomputation();
    let mut u = LocalUser::new(uri, KMS);
    u.add_key_set(KeySet::new(KMS, n, id, Some(signing), Some(receiving)).unwrap());
    u
}

fn bench_mikey(c: &mut Criterion) {
    let eccsi = EccsiKms::generate(&mut OsRandom).unwrap();
    let sakke = SakkeKms::generate(&mut OsRandom).unwrap();
    let kms = TrustedKms::with_context(
        KMS,
        eccsi.kpak().clone(),
        KmsContext::new(sakke.public_key()),
        KeyPeriod::new(PERIOD, 0).unwrap(),
    );
    let now = NtpTime::from_parts(0xeeb2_e462, 0);
    let n = kms.key_period().number_at(now).unwrap();
    let gms = user(&eccsi, &sakke, &kms, "sip:gms@example.org", n);
    let alice = user(&eccsi, &sakke, &kms, "sip:alice@example.org", n);
    let mut trust = TrustStore::new();
    trust.insert(kms);

    let request = || {
        let mut r = InitiateRequest::new(KeyType::Gmk, "sip:alice@example.org", KMS, now);
        r.key = Some(Ssv::from_bytes(&[0x42; 16]).unwrap());
        r.key_id = Some(KeyId::new(0x0123_4567));
        r
    };
    let sample = initiate(&gms, &trust, request(), &mut OsRandom).unwrap();
    let mut responder = Responder::with_replay_cache(
        alice,
        trust.clone(),
        ResponderConfig::default(),
        ReplayCache::new(1 << 20),
    );

    let mut g = c.benchmark_group("mikey");
    g.sample_size(20);
    g.bench_function("initiate_gmk", |b| {
        b.iter(|| initiate(&gms, &trust, request(), &mut OsRandom).unwrap())
    });
    // Each receive needs a fresh message (the replay cache rejects repeats); the
    // messages are built outside the measurement.
    g.bench_function("receive_gmk_precomputed", |b| {
        b.iter_batched(
            || {
                initiate(&gms, &trust, request(), &mut OsRandom)
                    .unwrap()
                    .bytes
            },
            |bytes| responder.receive(black_box(&bytes), now).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("parse", |b| {
        b.iter(|| Message::parse(black_box(&sample.bytes)).unwrap())
    });
    g.bench_function("encode", |b| b.iter(|| sample.message.to_bytes().unwrap()));
    g.finish();
}

criterion_group!(benches, bench_mikey);
criterion_main!(benches);
