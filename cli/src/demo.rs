//! `msk demo`: a MIKEY-SAKKE key exchange between Alice and Bob, step by step.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use mikey_sakke::eccsi::{self, EccsiKms, SigningKey};
use mikey_sakke::random::OsRandom;
use mikey_sakke::sakke::{EncapsulatedData, KmsContext, ReceiverKey, SakkeKms, Ssv};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{line, CliError};
use crate::hexarg;

/// A step's failure, as an internal error naming the step.
fn failed(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Internal(format!("demo: {what} failed: {e}"))
}

/// Runs `f`, then prints the step's title with the time it took.
fn step<T>(
    number: u32,
    title: &str,
    f: impl FnOnce() -> Result<T, CliError>,
) -> Result<T, CliError> {
    let start = Instant::now();
    let value = f()?;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    line(format_args!("\n{number:>2}. {title}  [{ms:.2} ms]"))?;
    Ok(value)
}

/// Prints a detail line under a step.
fn detail(text: impl std::fmt::Display) -> Result<(), CliError> {
    line(format_args!("    {text}"))
}

/// The first 8 octets of a public value, for display.
fn short(bytes: &[u8]) -> String {
    let n = bytes.len().min(8);
    format!("{}… ({} octets)", hexarg::encode(&bytes[..n]), bytes.len())
}

/// The first 4 octets of SHA-256 of a secret: shows that two secrets are
/// equal without showing them.
fn fingerprint(secret: &[u8]) -> String {
    hexarg::encode(&Sha256::digest(secret)[..4])
}

/// The current year and month (UTC), from the days since 1970-01-01
/// (H. Hinnant's civil-from-days algorithm).
fn year_month_now() -> (i64, u32) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    year_month_from_days(days)
}

fn year_month_from_days(days: i64) -> (i64, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, u32::try_from(month).unwrap_or(1))
}

/// An RFC 6509 §4.2-style identifier: `"YYYY-MM\0tel:+NUMBER\0"`.
fn identifier(year: i64, month: u32, number: &str) -> Vec<u8> {
    format!("{year:04}-{month:02}\0tel:+{number}\0").into_bytes()
}

/// The identifier with its NUL octets shown as `\0`.
fn show_id(id: &[u8]) -> String {
    String::from_utf8_lossy(id).replace('\0', "\\0")
}

/// Runs the demo.
pub fn run() -> Result<(), CliError> {
    let total = Instant::now();
    let mut rng = OsRandom;
    line("MIKEY-SAKKE demo: one KMS, two users (Alice and Bob).")?;
    line("ECCSI (RFC 6507) signs, SAKKE (RFC 6508) carries the shared secret value (SSV).")?;

    let eccsi_kms = step(
        1,
        "The KMS creates its ECCSI master key pair: secret KSAK, public KPAK = [KSAK]G",
        || EccsiKms::generate(&mut rng).map_err(|e| failed("ECCSI key generation", e)),
    )?;
    detail(format_args!("KPAK: {}", short(eccsi_kms.kpak().as_bytes())))?;

    let sakke_kms = step(
        2,
        "The KMS creates its SAKKE master key pair: secret z, public Z = [z]P",
        || SakkeKms::generate(&mut rng).map_err(|e| failed("SAKKE key generation", e)),
    )?;
    detail(format_args!(
        "Z: {}",
        short(&sakke_kms.public_key().to_bytes())
    ))?;

    let (year, month) = year_month_now();
    let alice_id = identifier(year, month, "447700900123");
    let bob_id = identifier(year, month, "447700900456");
    line(format_args!(
        "\n 3. Identities for this month's key period (RFC 6509 style):"
    ))?;
    detail(format_args!("Alice: \"{}\"", show_id(&alice_id)))?;
    detail(format_args!("Bob:   \"{}\"", show_id(&bob_id)))?;

    let issue = |who: &str, id: &[u8], rng: &mut OsRandom| {
        let (ssk, pvt) = eccsi_kms
            .issue(id, rng)
            .map_err(|e| failed(&format!("issuing {who}'s ECCSI key"), e))?;
        let rsk = sakke_kms
            .issue_rsk(id)
            .map_err(|e| failed(&format!("issuing {who}'s SAKKE key"), e))?;
        Ok::<_, CliError>((ssk, pvt, rsk))
    };
    let (alice_ssk, alice_pvt, alice_rsk) = step(
        4,
        "The KMS issues Alice's keys: ECCSI (SSK, PVT) and SAKKE RSK",
        || issue("Alice", &alice_id, &mut rng),
    )?;
    detail(format_args!("Alice's PVT: {}", short(alice_pvt.as_bytes())))?;
    let (bob_ssk, bob_pvt, bob_rsk) = step(
        5,
        "The KMS issues Bob's keys: ECCSI (SSK, PVT) and SAKKE RSK",
        || issue("Bob", &bob_id, &mut rng),
    )?;
    detail(format_args!("Bob's PVT:   {}", short(bob_pvt.as_bytes())))?;

    let kpak = eccsi_kms.kpak().clone();
    let public = sakke_kms.public_key().clone();
    let ctx = step(
        6,
        "Each device loads the KMS public key Z and precomputes its tables (KmsContext)",
        || Ok(KmsContext::new(&public)),
    )?;

    let (alice_key, _alice_receiver) = step(
        7,
        "Alice validates her SSK/PVT (RFC 6507 §5.1.2) and her RSK (RFC 6508 §6.1.2)",
        || {
            let sk = SigningKey::new(&kpak, &alice_id, alice_ssk, alice_pvt)
                .map_err(|e| failed("validating Alice's SSK/PVT", e))?;
            let rk = ReceiverKey::new(&ctx, &alice_id, alice_rsk)
                .map_err(|e| failed("validating Alice's RSK", e))?;
            Ok((sk, rk))
        },
    )?;
    detail("valid")?;
    let (_bob_key, bob_receiver) = step(8, "Bob validates his SSK/PVT and his RSK", || {
        let sk = SigningKey::new(&kpak, &bob_id, bob_ssk, bob_pvt)
            .map_err(|e| failed("validating Bob's SSK/PVT", e))?;
        let rk = ReceiverKey::new(&ctx, &bob_id, bob_rsk)
            .map_err(|e| failed("validating Bob's RSK", e))?;
        Ok((sk, rk))
    })?;
    detail("valid")?;

    let (alice_ssv, sed) = step(
        9,
        "Alice draws a fresh SSV and encapsulates it to Bob's identity (SAKKE)",
        || {
            ctx.encapsulate_fresh(&bob_id, &mut rng)
                .map_err(|e| failed("encapsulation", e))
        },
    )?;
    detail(format_args!(
        "encapsulated data R || H: {}",
        short(sed.as_bytes())
    ))?;
    detail(format_args!(
        "SSV fingerprint (first 4 octets of SHA-256): {}",
        fingerprint(alice_ssv.as_bytes())
    ))?;

    let sig = step(
        10,
        "Alice signs the encapsulated data with her ECCSI key",
        || {
            alice_key
                .sign(sed.as_bytes(), &mut rng)
                .map_err(|e| failed("signing", e))
        },
    )?;
    detail(format_args!(
        "signature r || s || PVT: {}",
        short(sig.as_bytes())
    ))?;

    step(
        11,
        "Bob verifies Alice's signature with her identity and the KPAK",
        || {
            eccsi::verify(&kpak, &alice_id, sed.as_bytes(), sig.as_bytes())
                .map_err(|e| failed("verifying Alice's signature", e))
        },
    )?;
    detail("valid: the message comes from Alice")?;

    let bob_ssv: Ssv = step(12, "Bob decapsulates the SSV with his RSK", || {
        bob_receiver
            .decapsulate(&sed)
            .map_err(|e| failed("decapsulation", e))
    })?;
    detail(format_args!(
        "SSV fingerprint: {}",
        fingerprint(bob_ssv.as_bytes())
    ))?;
    if !bool::from(alice_ssv.ct_eq(&bob_ssv)) {
        return Err(CliError::Internal(
            "demo: Alice's and Bob's SSVs differ".into(),
        ));
    }
    detail("Alice and Bob now share the same SSV.")?;

    let mut tampered = *sed.as_bytes();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    let (sig_rejected, decap_rejected) = step(
        13,
        "An attacker flips one bit of the encapsulated data; Bob checks it again",
        || {
            let sig_rejected = eccsi::verify(&kpak, &alice_id, &tampered, sig.as_bytes()).is_err();
            let decap_rejected = EncapsulatedData::from_bytes(&tampered)
                .map_or(true, |t| bob_receiver.decapsulate(&t).is_err());
            Ok((sig_rejected, decap_rejected))
        },
    )?;
    detail(format_args!(
        "signature: {}",
        if sig_rejected {
            "invalid (rejected)"
        } else {
            "ACCEPTED"
        }
    ))?;
    detail(format_args!(
        "decapsulation: {}",
        if decap_rejected {
            "failed (rejected)"
        } else {
            "SUCCEEDED"
        }
    ))?;
    if !(sig_rejected && decap_rejected) {
        return Err(CliError::Internal(
            "demo: the tampered message was not rejected".into(),
        ));
    }

    line(format_args!(
        "\nDone: all steps succeeded in {:.1} ms.",
        total.elapsed().as_secs_f64() * 1e3
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(year_month_from_days(0), (1970, 1));
        // 2011-02-01 is day 15006.
        assert_eq!(year_month_from_days(15_006), (2011, 2));
        // 2024-02-29 is day 19782; 2024-03-01 is day 19783.
        assert_eq!(year_month_from_days(19_782), (2024, 2));
        assert_eq!(year_month_from_days(19_783), (2024, 3));
        assert_eq!(year_month_from_days(-1), (1969, 12));
    }

    #[test]
    fn rfc_identifier() {
        assert_eq!(
            identifier(2011, 2, "447700900123"),
            b"2011-02\0tel:+447700900123\0".to_vec()
        );
    }
}
