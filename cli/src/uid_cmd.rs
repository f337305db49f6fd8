//! `msk uid`: the TS 33.180 F.2.1 MIKEY-SAKKE UID of a user for a key period.

use clap::Args;
use mikey_sakke::identity::{IdentityError, KeyPeriod, Uid};

use crate::error::{line, CliError};
use crate::hexarg;

/// Arguments of `msk uid`.
#[derive(Debug, Args)]
pub struct UidArgs {
    /// The user's URI (MC service user ID), exactly as provisioned.
    #[arg(long, value_name = "URI")]
    uri: String,
    /// The KMS URI, exactly as in the KMS certificate.
    #[arg(long, value_name = "URI")]
    kms_uri: String,
    /// Key period length UserKeyPeriod, seconds (not zero).
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
    key_period: String,
    /// Key period offset UserKeyOffset, seconds.
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
    key_period_offset: String,
    /// The key period number N.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    period_no: String,
}

/// Parses a non-negative decimal integer argument.
pub fn parse_u64(arg: &'static str, value: &str) -> Result<u64, CliError> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|c| c.is_ascii_digit()) {
        return Err(CliError::bad(
            arg,
            "expected a non-negative decimal integer",
        ));
    }
    v.parse()
        .map_err(|_| CliError::bad(arg, "the value does not fit in 64 bits"))
}

fn uri_arg(arg: &'static str, value: &str) -> Result<(), CliError> {
    if value.is_empty() {
        return Err(CliError::bad(arg, "must not be empty"));
    }
    if value.len() > usize::from(u16::MAX) {
        return Err(CliError::bad(
            arg,
            format!("{} octets is longer than 65535 octets", value.len()),
        ));
    }
    Ok(())
}

/// Runs `msk uid`: prints the 32-octet UID in hex.
pub fn run(a: &UidArgs) -> Result<(), CliError> {
    uri_arg("--uri", &a.uri)?;
    uri_arg("--kms-uri", &a.kms_uri)?;
    let period = parse_u64("--key-period", &a.key_period)?;
    let offset = parse_u64("--key-period-offset", &a.key_period_offset)?;
    let n = parse_u64("--period-no", &a.period_no)?;
    let period = KeyPeriod::new(period, offset).map_err(|e| match e {
        IdentityError::ZeroKeyPeriod => CliError::bad("--key-period", "must not be zero"),
        other => CliError::bad("--key-period", other.to_string()),
    })?;
    let uid = Uid::derive(&a.uri, &a.kms_uri, &period, n)
        .map_err(|e| CliError::Internal(e.to_string()))?;
    line(hexarg::encode(uid.as_bytes()))
}
