//! Protect + unprotect of an RTP packet with a 160-octet payload (12-octet
//! header), mikey-sakke vs libsrtp2, in the same run, for
//! `AES_CM_128_HMAC_SHA1_80` and `AEAD_AES_128_GCM`.
//!
//! Criterion reports the time per packet and packets/s (throughput: one
//! element = one packet protected and unprotected); a summary with the
//! ratio (ours / libsrtp, packets per second) is printed at the end.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use libsrtp_interop::{max_trailer, Params, Session};
use mikey_sakke::srtp::{Profile, SrtpContext, SrtpOptions};

const PAYLOAD: usize = 160;

fn packet_template() -> Vec<u8> {
    let mut p = vec![0x80, 0x60, 0, 0, 0, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe];
    p.extend((0..PAYLOAD).map(|i| i as u8));
    p
}

fn key_salt(profile: Profile) -> (Vec<u8>, Vec<u8>) {
    (
        vec![0x42; profile.master_key_len()],
        vec![0x24; profile.master_salt_len()],
    )
}

struct Ours {
    tx: SrtpContext,
    rx: SrtpContext,
    seq: u16,
    buf: Vec<u8>,
    template: Vec<u8>,
}

impl Ours {
    fn new(profile: Profile) -> Self {
        let (k, s) = key_salt(profile);
        let o = SrtpOptions::default();
        Ours {
            tx: SrtpContext::new(profile, &k, &s, &o).unwrap(),
            rx: SrtpContext::new(profile, &k, &s, &o).unwrap(),
            seq: 0,
            buf: vec![0; 12 + PAYLOAD + 64],
            template: packet_template(),
        }
    }

    fn round(&mut self) {
        let len = self.template.len();
        self.buf[..len].copy_from_slice(&self.template);
        self.seq = self.seq.wrapping_add(1);
        self.buf[2..4].copy_from_slice(&self.seq.to_be_bytes());
        let n = self.tx.protect_rtp_in_place(&mut self.buf, len).unwrap();
        let m = self.rx.unprotect_rtp_in_place(&mut self.buf[..n]).unwrap();
        black_box(m);
    }
}

struct Theirs {
    tx: Session,
    rx: Session,
    seq: u16,
    buf: Vec<u8>,
    template: Vec<u8>,
}

impl Theirs {
    fn new(profile: Profile) -> Self {
        let (k, s) = key_salt(profile);
        let n = Profile::ALL.iter().position(|p| *p == profile).unwrap();
        let params = Params {
            profile: n,
            key: &k,
            salt: &s,
            mki: None,
            srtcp_encrypt: true,
        };
        Theirs {
            tx: Session::new(&params, true).expect("libsrtp supports the profile"),
            rx: Session::new(&params, false).expect("libsrtp supports the profile"),
            seq: 0,
            buf: vec![0; 12 + PAYLOAD + max_trailer()],
            template: packet_template(),
        }
    }

    fn round(&mut self) {
        let len = self.template.len();
        self.buf[..len].copy_from_slice(&self.template);
        self.seq = self.seq.wrapping_add(1);
        self.buf[2..4].copy_from_slice(&self.seq.to_be_bytes());
        let n = self.tx.protect_rtp_in_place(&mut self.buf, len).unwrap();
        let m = self.rx.unprotect_rtp_in_place(&mut self.buf[..n]).unwrap();
        black_box(m);
    }
}

const PROFILES: [Profile; 2] = [Profile::AesCm128HmacSha1_80, Profile::AeadAes128Gcm];

fn bench(c: &mut Criterion) {
    for profile in PROFILES {
        let mut g = c.benchmark_group(format!("protect_unprotect_160/{profile}"));
        g.throughput(Throughput::Elements(1));
        let mut ours = Ours::new(profile);
        g.bench_function("mikey-sakke", |b| b.iter(|| ours.round()));
        let mut theirs = Theirs::new(profile);
        g.bench_function("libsrtp2", |b| b.iter(|| theirs.round()));
        g.finish();
    }
}

/// Packets per second of `f` over about `secs` seconds.
fn pps(mut f: impl FnMut(), secs: f64) -> f64 {
    for _ in 0..10_000 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs_f64(secs) {
        for _ in 0..1000 {
            f();
        }
        n += 1000;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn summary() {
    println!("\nSummary (protect + unprotect, 160-octet payload, packets/s):");
    for profile in PROFILES {
        let mut ours = Ours::new(profile);
        let mut theirs = Theirs::new(profile);
        // Interleave to share any frequency drift.
        let (mut o, mut t) = (0.0, 0.0);
        for _ in 0..3 {
            o += pps(|| ours.round(), 1.0);
            t += pps(|| theirs.round(), 1.0);
        }
        println!(
            "  {profile:<24} mikey-sakke {:>10.0}  libsrtp2 {:>10.0}  ratio {:.2}",
            o / 3.0,
            t / 3.0,
            o / t
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    if std::env::args().all(|a| a != "--list") {
        summary();
    }
}
