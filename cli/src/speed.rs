//! `msk speed`: in-process timing of every operation, like `openssl speed`.
//!
//! Each operation is called once cold (to fill lazily built process-wide
//! tables), warmed up for a tenth of its budget, and then run in batches
//! sized so that about ten batches fill the budget (at least five batches
//! in any case). The reported figure is the median of the per-batch means.
//!
//! By default time is the calling thread's CPU time, which is what
//! `openssl speed` reports by default (user CPU time) and which is far less
//! disturbed by other load on the machine than elapsed time; `--wall`
//! measures elapsed time instead.

use std::hint::black_box;
use std::time::{Duration, Instant};

use clap::Args;
use mikey_sakke::eccsi::{self, EccsiKms, Pvt, SigningKey, Ssk, Verifier};
use mikey_sakke::random::OsRandom;
use mikey_sakke::sakke::{KmsContext, ReceiverKey, Rsk, SakkeKms, Ssv};
use serde_json::{json, Map, Value};

use crate::error::{line, CliError};
use crate::openssl;

/// Arguments of `msk speed`.
#[derive(Debug, Args)]
pub struct SpeedArgs {
    /// Print one JSON object {"unit":"us","median":{..}} instead of a table.
    #[arg(long)]
    json: bool,
    /// Measuring time per operation, in seconds (plus a tenth for warm-up).
    #[arg(long, value_name = "S", default_value_t = 1.0)]
    seconds: f64,
    /// Also run `openssl speed -seconds 2 rsa2048 ecdsap256` and check the
    /// required ratios to RSA-2048 and ECDSA P-256.
    #[arg(long)]
    compare_openssl: bool,
    /// Measure elapsed (wall-clock) time instead of the thread's CPU time.
    #[arg(long)]
    wall: bool,
}

/// Names of the measured operations, in output order.
pub const OPS: [&str; 12] = [
    "eccsi-sign",
    "eccsi-verify",
    "eccsi-verify-cached",
    "eccsi-validate",
    "eccsi-issue",
    "sakke-issue",
    "sakke-validate",
    "sakke-encap",
    "sakke-decap",
    "sakke-decap-table",
    "sakke-kms-context",
    "sakke-precompute",
];

const WARMUP_FRACTION: f64 = 0.1;
const TARGET_BATCHES: f64 = 10.0;
const MIN_BATCHES: usize = 5;
const MAX_BATCHES: usize = 1000;
const MAX_SECONDS: f64 = 60.0;

/// A ratio of one of our operations to an OpenSSL reference, with its bound.
struct RatioSpec {
    ours: &'static str,
    theirs: &'static str,
    bound: f64,
}

const RATIOS: [RatioSpec; 5] = [
    RatioSpec {
        ours: "eccsi-sign",
        theirs: "ecdsa-p256-sign",
        bound: 2.1,
    },
    RatioSpec {
        ours: "eccsi-verify",
        theirs: "ecdsa-p256-verify",
        bound: 3.3,
    },
    RatioSpec {
        ours: "sakke-encap",
        theirs: "rsa2048-sign",
        bound: 15.0,
    },
    RatioSpec {
        ours: "sakke-decap",
        theirs: "rsa2048-sign",
        bound: 42.0,
    },
    RatioSpec {
        ours: "sakke-decap-table",
        theirs: "rsa2048-sign",
        bound: 15.0,
    },
];

// ---------------------------------------------------------------------------
// Clocks
// ---------------------------------------------------------------------------

/// The time base of the measurements.
#[derive(Debug, Clone, Copy)]
enum Clock {
    /// CPU time of the calling thread.
    ThreadCpu,
    /// Elapsed time since `origin`.
    Wall(Instant),
}

impl Clock {
    /// Thread CPU time where the platform offers it, else elapsed time.
    fn new(wall: bool) -> Clock {
        if !wall && thread_cpu_time().is_some() {
            Clock::ThreadCpu
        } else {
            Clock::Wall(Instant::now())
        }
    }

    fn name(self) -> &'static str {
        match self {
            Clock::ThreadCpu => "thread-cpu",
            Clock::Wall(_) => "wall",
        }
    }

    fn now(self) -> Duration {
        match self {
            Clock::ThreadCpu => thread_cpu_time().unwrap_or_default(),
            Clock::Wall(origin) => origin.elapsed(),
        }
    }
}

#[cfg(unix)]
fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call,
    // and CLOCK_THREAD_CPUTIME_ID is a clock id every supported Unix defines.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return None;
    }
    let secs = u64::try_from(ts.tv_sec).ok()?;
    let nanos = u32::try_from(ts.tv_nsec).ok()?;
    Some(Duration::new(secs, nanos))
}

#[cfg(not(unix))]
fn thread_cpu_time() -> Option<Duration> {
    None
}

// ---------------------------------------------------------------------------
// Sampling
// ---------------------------------------------------------------------------

/// Runs the sampling schedule over `run_batch(k)`, which performs `k`
/// operations and returns the measured time of those `k` operations in
/// seconds. Returns the median per-operation time in seconds.
fn sample(budget: f64, mut run_batch: impl FnMut(u64) -> f64) -> f64 {
    // Cold call: lazily built tables, page faults, caches.
    run_batch(1);

    let warmup = Instant::now();
    let mut warm_ops = 0u64;
    let mut warm_time = 0.0;
    while warm_ops == 0 || warmup.elapsed().as_secs_f64() < budget * WARMUP_FRACTION {
        warm_time += run_batch(1);
        warm_ops += 1;
    }
    let estimate = (warm_time / warm_ops as f64).max(1e-9);
    let per_batch = (budget / TARGET_BATCHES / estimate).floor().max(1.0) as u64;

    let mut means = Vec::new();
    let start = Instant::now();
    while means.len() < MIN_BATCHES
        || (start.elapsed().as_secs_f64() < budget && means.len() < MAX_BATCHES)
    {
        means.push(run_batch(per_batch) / per_batch as f64);
    }
    median(&mut means)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Times `op`, batch by batch.
fn time_op<R>(clock: Clock, budget: f64, mut op: impl FnMut() -> R) -> f64 {
    sample(budget, |k| {
        let t0 = clock.now();
        for _ in 0..k {
            black_box(op());
        }
        (clock.now().saturating_sub(t0)).as_secs_f64()
    })
}

/// Times `op` on a fresh input from `setup` each time; neither `setup` nor
/// dropping the result is timed.
fn time_op_with_setup<S, R>(
    clock: Clock,
    budget: f64,
    mut setup: impl FnMut() -> S,
    mut op: impl FnMut(S) -> R,
) -> f64 {
    sample(budget, |k| {
        let mut total = Duration::ZERO;
        for _ in 0..k {
            let input = black_box(setup());
            let t0 = clock.now();
            let out = black_box(op(input));
            total += clock.now().saturating_sub(t0);
            drop(out);
        }
        total.as_secs_f64()
    })
}

// ---------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------

fn check<T, E: std::fmt::Display>(what: &str, r: Result<T, E>) -> Result<T, CliError> {
    r.map_err(|e| CliError::Internal(format!("speed: setting up {what} failed: {e}")))
}

/// Runs all measurements, calling `report(name, microseconds)` after each.
fn measure_all(
    clock: Clock,
    budget: f64,
    mut report: impl FnMut(&'static str, f64) -> Result<(), CliError>,
) -> Result<Vec<(&'static str, f64)>, CliError> {
    let mut rng = OsRandom;
    let id: &[u8] = b"2011-02\0tel:+447700900123\0";
    let msg = [0x5au8; 64];

    // ECCSI fixtures.
    let eccsi_kms = check("the ECCSI KMS", EccsiKms::generate(&mut rng))?;
    let kpak = eccsi_kms.kpak().clone();
    let (ssk, pvt) = check("ECCSI issuance", eccsi_kms.issue(id, &mut rng))?;
    let ssk_bytes = ssk.to_bytes();
    let pvt_bytes = pvt.to_bytes();
    let key = check("ECCSI validation", SigningKey::new(&kpak, id, ssk, pvt))?;
    let sig = check("ECCSI signing", key.sign(&msg, &mut rng))?;
    let verifier = check("the ECCSI verifier", Verifier::new(&kpak, id, key.pvt()))?;
    check(
        "ECCSI verification",
        eccsi::verify(&kpak, id, &msg, sig.as_bytes()),
    )?;
    check(
        "cached ECCSI verification",
        verifier.verify(&msg, sig.as_bytes()),
    )?;

    // SAKKE fixtures.
    let sakke_kms = check("the SAKKE KMS", SakkeKms::generate(&mut rng))?;
    let public = sakke_kms.public_key().clone();
    let ctx = KmsContext::new(&public);
    let rsk_bytes = check("SAKKE issuance", sakke_kms.issue_rsk(id))?.to_bytes();
    let fresh_rsk = || Rsk::from_bytes(&rsk_bytes[..]);
    let rsk = check("the RSK", fresh_rsk())?;
    check("RSK validation", ctx.validate_rsk(id, &rsk))?;
    let ssv = check("the SSV", Ssv::from_bytes(&[0x42; 16]))?;
    let sed = check("SAKKE encapsulation", ctx.encapsulate(id, &ssv))?;
    let receiver = check("the receiver key", ReceiverKey::new(&ctx, id, rsk))?;
    let receiver_table = check(
        "the receiver key",
        fresh_rsk().and_then(|rsk| ReceiverKey::new(&ctx, id, rsk)),
    )?
    .with_precomputation();
    check("SAKKE decapsulation", receiver.decapsulate(&sed))?;
    check("SAKKE decapsulation", receiver_table.decapsulate(&sed))?;

    let mut results = Vec::with_capacity(OPS.len());
    let mut record = |name: &'static str, seconds: f64| -> Result<(), CliError> {
        let us = seconds * 1e6;
        results.push((name, us));
        report(name, us)
    };

    record(
        "eccsi-sign",
        time_op(clock, budget, || key.sign(&msg, &mut rng)),
    )?;
    record(
        "eccsi-verify",
        time_op(clock, budget, || {
            eccsi::verify(&kpak, id, &msg, sig.as_bytes())
        }),
    )?;
    record(
        "eccsi-verify-cached",
        time_op(clock, budget, || verifier.verify(&msg, sig.as_bytes())),
    )?;
    record(
        "eccsi-validate",
        time_op_with_setup(
            clock,
            budget,
            || (Ssk::from_bytes(&ssk_bytes[..]), Pvt::from_bytes(&pvt_bytes)),
            |(ssk, pvt)| match (ssk, pvt) {
                (Ok(ssk), Ok(pvt)) => SigningKey::new(&kpak, id, ssk, pvt).is_ok(),
                _ => false,
            },
        ),
    )?;
    record(
        "eccsi-issue",
        time_op(clock, budget, || eccsi_kms.issue(id, &mut rng)),
    )?;
    record(
        "sakke-issue",
        time_op(clock, budget, || sakke_kms.issue_rsk(id)),
    )?;
    let rsk = check("the RSK", fresh_rsk())?;
    record(
        "sakke-validate",
        time_op(clock, budget, || ctx.validate_rsk(id, &rsk)),
    )?;
    record(
        "sakke-encap",
        time_op(clock, budget, || ctx.encapsulate(id, &ssv)),
    )?;
    record(
        "sakke-decap",
        time_op(clock, budget, || receiver.decapsulate(&sed)),
    )?;
    record(
        "sakke-decap-table",
        time_op(clock, budget, || receiver_table.decapsulate(&sed)),
    )?;
    record(
        "sakke-kms-context",
        time_op(clock, budget, || KmsContext::new(&public)),
    )?;
    record(
        "sakke-precompute",
        time_op_with_setup(
            clock,
            budget,
            || fresh_rsk().and_then(|rsk| ReceiverKey::new(&ctx, id, rsk)),
            |key| key.map(ReceiverKey::with_precomputation),
        ),
    )?;
    Ok(results)
}

fn lookup(results: &[(&'static str, f64)], name: &str) -> f64 {
    results
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(f64::NAN, |(_, v)| *v)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn reference_value(r: &openssl::Reference, name: &str) -> f64 {
    match name {
        "rsa2048-sign" => r.rsa2048_sign_us,
        "ecdsa-p256-sign" => r.ecdsa_p256_sign_us,
        "ecdsa-p256-verify" => r.ecdsa_p256_verify_us,
        _ => f64::NAN,
    }
}

/// Runs `msk speed`.
pub fn run(args: &SpeedArgs) -> Result<(), CliError> {
    if !(args.seconds.is_finite() && args.seconds > 0.0 && args.seconds <= MAX_SECONDS) {
        return Err(CliError::bad(
            "--seconds",
            format!("must be a number of seconds in (0, {MAX_SECONDS}]"),
        ));
    }
    let clock = Clock::new(args.wall);
    let budget = args.seconds;

    if !args.json {
        line(format_args!(
            "msk speed: {budget} s per operation, median of batch means, {} time",
            match clock {
                Clock::ThreadCpu => "thread CPU",
                Clock::Wall(_) => "elapsed",
            }
        ))?;
        line(format_args!(
            "{:<22}{:>14}{:>14}",
            "op", "median µs", "ops/s"
        ))?;
    }
    let json = args.json;
    let results = measure_all(clock, budget, |name, us| {
        if json {
            Ok(())
        } else {
            line(format_args!("{name:<22}{us:>14.2}{:>14.1}", 1e6 / us))
        }
    })?;

    let reference = if args.compare_openssl {
        match openssl::run() {
            Ok(r) => Some(r),
            Err(reason) => {
                crate::error::err_line(format_args!(
                    "msk speed: skipping the OpenSSL comparison: {reason}"
                ));
                None
            }
        }
    } else {
        None
    };

    if json {
        let mut median = Map::new();
        for (name, us) in &results {
            median.insert((*name).to_string(), json!(round3(*us)));
        }
        let mut out = Map::new();
        out.insert("unit".into(), json!("us"));
        out.insert("clock".into(), json!(clock.name()));
        out.insert("median".into(), Value::Object(median));
        if let Some((r, _)) = &reference {
            out.insert(
                "openssl".into(),
                json!({
                    "rsa2048-sign": round3(r.rsa2048_sign_us),
                    "ecdsa-p256-sign": round3(r.ecdsa_p256_sign_us),
                    "ecdsa-p256-verify": round3(r.ecdsa_p256_verify_us),
                }),
            );
            let mut ratios = Map::new();
            for spec in &RATIOS {
                let ratio = lookup(&results, spec.ours) / reference_value(r, spec.theirs);
                ratios.insert(
                    format!("{}/{}", spec.ours, spec.theirs),
                    json!({
                        "ratio": round3(ratio),
                        "bound": spec.bound,
                        "pass": ratio <= spec.bound,
                    }),
                );
            }
            out.insert("ratios".into(), Value::Object(ratios));
        }
        return line(Value::Object(out));
    }

    if let Some((r, version)) = &reference {
        line("")?;
        line(format_args!(
            "openssl {} ({version}), µs per op:",
            openssl::ARGS.join(" ")
        ))?;
        for name in ["rsa2048-sign", "ecdsa-p256-sign", "ecdsa-p256-verify"] {
            line(format_args!(
                "  {name:<20}{:>14.2}",
                reference_value(r, name)
            ))?;
        }
        line("")?;
        line(format_args!(
            "{:<38}{:>8}{:>9}  result",
            "ratio", "value", "bound"
        ))?;
        for spec in &RATIOS {
            let ratio = lookup(&results, spec.ours) / reference_value(r, spec.theirs);
            let pass = ratio <= spec.bound;
            line(format_args!(
                "{:<38}{ratio:>8.2}{:>9}  {}",
                format!("{} / {}", spec.ours, spec.theirs),
                format!("≤ {}", spec.bound),
                if pass { "PASS" } else { "FAIL" }
            ))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&mut []), 0.0);
    }

    #[test]
    fn sample_runs_at_least_the_minimum_batches() {
        let mut calls = 0u64;
        let m = sample(1e-6, |k| {
            calls += k;
            k as f64 * 2e-6
        });
        assert!((m - 2e-6).abs() < 1e-12);
        assert!(calls >= 2 + MIN_BATCHES as u64);
    }

    #[test]
    fn thread_clock_advances() {
        let clock = Clock::new(false);
        let t0 = clock.now();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        black_box(x);
        assert!(clock.now() > t0);
    }
}
