//! `msk mikey derive`: TEK and salt from a TGK (RFC 3830 §4.1.2, §4.1.3;
//! RFC 6043 §6.1).

use clap::Args;
use mikey_sakke::kdf::{derive_salt, derive_tek, KdfError, PrfFunc, TrafficKeyContext};
use serde_json::json;

use crate::error::{line, CliError};
use crate::hexarg;
use crate::uid_cmd::parse_u64;

/// Largest accepted output length, octets.
const MAX_OUT_LEN: u64 = 1024;

/// Arguments of `msk mikey derive`.
#[derive(Debug, Args)]
pub struct DeriveArgs {
    /// The TGK (the SSV of the SAKKE payload: GMK, PCK or CSK), 1 or more octets.
    #[arg(long, value_name = "HEX")]
    tgk: String,
    /// The HDR CSB ID, 4 octets (for a GMK the GUK-ID).
    #[arg(long, value_name = "HEX")]
    csb_id: String,
    /// The RAND payload value (`''` for an empty RAND).
    #[arg(long, value_name = "HEX")]
    rand: String,
    /// The crypto session id, 0..=255.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    cs_id: String,
    /// TEK (SRTP master key) length, octets.
    #[arg(
        long,
        value_name = "OCTETS",
        allow_hyphen_values = true,
        default_value = "16"
    )]
    tek_len: String,
    /// Salt (SRTP master salt) length, octets.
    #[arg(
        long,
        value_name = "OCTETS",
        allow_hyphen_values = true,
        default_value = "12"
    )]
    salt_len: String,
    /// The MIKEY PRF: hmac-sha256 (PRF func 1, TS 33.180) or hmac-sha1 (PRF func 0).
    #[arg(long, value_name = "PRF", default_value = "hmac-sha256")]
    prf: String,
}

fn out_len(arg: &'static str, value: &str) -> Result<usize, CliError> {
    let n = parse_u64(arg, value)?;
    if n == 0 || n > MAX_OUT_LEN {
        return Err(CliError::bad(
            arg,
            format!("expected 1 to {MAX_OUT_LEN} octets, got {n}"),
        ));
    }
    // n <= 1024.
    Ok(n as usize)
}

/// Runs `msk mikey derive`.
pub fn run(a: &DeriveArgs) -> Result<(), CliError> {
    let tgk = hexarg::decode_secret("--tgk", &a.tgk)?;
    if tgk.is_empty() {
        return Err(CliError::bad("--tgk", "must not be empty"));
    }
    let csb = hexarg::decode("--csb-id", &a.csb_id)?;
    let csb: [u8; 4] = csb
        .as_slice()
        .try_into()
        .map_err(|_| CliError::bad("--csb-id", format!("expected 4 octets, got {}", csb.len())))?;
    let rand = hexarg::decode("--rand", &a.rand)?;
    let cs_id = parse_u64("--cs-id", &a.cs_id)?;
    let cs_id = u8::try_from(cs_id)
        .map_err(|_| CliError::bad("--cs-id", format!("expected 0 to 255, got {cs_id}")))?;
    let tek_len = out_len("--tek-len", &a.tek_len)?;
    let salt_len = out_len("--salt-len", &a.salt_len)?;
    let prf = match a.prf.trim() {
        "hmac-sha256" => PrfFunc::HmacSha256,
        "hmac-sha1" => PrfFunc::HmacSha1,
        _ => return Err(CliError::bad("--prf", "expected hmac-sha256 or hmac-sha1")),
    };
    let ctx = TrafficKeyContext {
        prf,
        cs_id,
        csb_id: u32::from_be_bytes(csb),
        rand: &rand,
    };
    let internal = |e: KdfError| CliError::Internal(e.to_string());
    let tek = derive_tek(&ctx, &tgk, tek_len).map_err(internal)?;
    let salt = derive_salt(&ctx, &tgk, salt_len).map_err(internal)?;
    let tek_hex = hexarg::encode_secret(tek.as_bytes());
    let salt_hex = hexarg::encode_secret(salt.as_bytes());
    line(json!({ "tek": tek_hex.as_str(), "salt": salt_hex.as_str() }))
}
