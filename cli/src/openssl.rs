//! Running `openssl speed` and reading its table, for `msk speed --compare-openssl`.

use std::io;
use std::process::Command;

/// The command line that is run.
pub const ARGS: [&str; 5] = ["speed", "-seconds", "2", "rsa2048", "ecdsap256"];

/// OpenSSL's times, in microseconds per operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reference {
    /// RSA-2048 private-key operation (sign).
    pub rsa2048_sign_us: f64,
    /// ECDSA P-256 sign.
    pub ecdsa_p256_sign_us: f64,
    /// ECDSA P-256 verify.
    pub ecdsa_p256_verify_us: f64,
}

/// Runs `openssl speed -seconds 2 rsa2048 ecdsap256` (about 8 s) and parses it.
/// `Err` with a human-readable reason if openssl is missing, fails, or
/// prints something unexpected.
pub fn run() -> Result<(Reference, String), String> {
    let output = Command::new("openssl").args(ARGS).output().map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            "no `openssl` binary on PATH".to_string()
        } else {
            format!("could not run openssl: {e}")
        }
    })?;
    if !output.status.success() {
        return Err(format!(
            "`openssl {}` failed ({})",
            ARGS.join(" "),
            output.status
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let version = stdout
        .lines()
        .find_map(|l| l.strip_prefix("version:"))
        .map(|v| format!("OpenSSL {}", v.trim()))
        .unwrap_or_else(|| "OpenSSL".to_string());
    parse(&stdout).map(|r| (r, version))
}

/// Parses the human-readable tables of `openssl speed`: each table has a
/// header line naming its columns (`sign verify sign/s verify/s`, with more
/// columns in newer versions) followed by rows whose last fields line up
/// with the header. The per-second rates are used (the time columns are
/// printed with too few digits for fast operations).
pub fn parse(text: &str) -> Result<Reference, String> {
    let mut header: Vec<&str> = Vec::new();
    let mut rsa = None;
    let mut ecdsa = None;
    for row in text.lines() {
        let fields: Vec<&str> = row.split_whitespace().collect();
        if fields.contains(&"sign/s") {
            header = fields;
            continue;
        }
        let normalized = fields.join(" ");
        let slot = if normalized.starts_with("rsa 2048 bits") {
            &mut rsa
        } else if normalized.contains("ecdsa (nistp256)") {
            &mut ecdsa
        } else {
            continue;
        };
        if header.is_empty() || fields.len() < header.len() {
            continue;
        }
        let tail = &fields[fields.len() - header.len()..];
        let rate = |column: &str| -> Option<f64> {
            let i = header.iter().position(|h| *h == column)?;
            tail.get(i)?
                .parse::<f64>()
                .ok()
                .filter(|r| r.is_finite() && *r > 0.0)
        };
        if let (Some(sign), Some(verify)) = (rate("sign/s"), rate("verify/s")) {
            *slot = Some((1e6 / sign, 1e6 / verify));
        }
    }
    let (rsa_sign, _) = rsa.ok_or("no RSA 2048 row in the openssl speed output")?;
    let (ec_sign, ec_verify) = ecdsa.ok_or("no ECDSA P-256 row in the openssl speed output")?;
    Ok(Reference {
        rsa2048_sign_us: rsa_sign,
        ecdsa_p256_sign_us: ec_sign,
        ecdsa_p256_verify_us: ec_verify,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPENSSL_3_0: &str = "\
version: 3.0.19
built on: Fri Apr  3 12:29:32 2026 UTC
options: bn(64,64)
                  sign    verify    sign/s verify/s
rsa 2048 bits 0.000245s 0.000016s   4084.1  62267.7
                              sign    verify    sign/s verify/s
 256 bits ecdsa (nistp256)   0.0000s   0.0001s  51959.7  16931.0
";

    // Layout of OpenSSL 3.2 and later, with encryption columns for RSA.
    const OPENSSL_3_2: &str = "\
                   sign    verify    encrypt   decrypt   sign/s verify/s  encr./s  decr./s
rsa   2048 bits 0.000500s 0.000020s 0.000021s 0.000510s   2000.0  50000.0  47619.0   1960.8
                              sign    verify    sign/s verify/s
 256 bits ecdsa (nistp256)   0.0000s   0.0001s  40000.0  12500.0
";

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6 * b.abs().max(1.0)
    }

    #[test]
    fn parses_3_0() {
        let r = parse(OPENSSL_3_0).unwrap();
        assert!(close(r.rsa2048_sign_us, 1e6 / 4084.1));
        assert!(close(r.ecdsa_p256_sign_us, 1e6 / 51959.7));
        assert!(close(r.ecdsa_p256_verify_us, 1e6 / 16931.0));
    }

    #[test]
    fn parses_wider_rsa_table() {
        let r = parse(OPENSSL_3_2).unwrap();
        assert!(close(r.rsa2048_sign_us, 500.0));
        assert!(close(r.ecdsa_p256_sign_us, 25.0));
        assert!(close(r.ecdsa_p256_verify_us, 80.0));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse("").is_err());
        assert!(parse("rsa 2048 bits x y z w").is_err());
    }
}
