//! `msk srtp ...` and `msk srtcp ...`: SRTP/SRTCP session key derivation and
//! packet protection (RFC 3711, RFC 6188, RFC 7714, RFC 4771).
//!
//! Packets given on the command line are processed in order by one crypto
//! context (so ROC, replay window and SRTCP index carry from one to the next)
//! and printed one per line, in hex. `unprotect` prints `invalid` for a
//! packet that does not verify (authentication, replay, MKI, format) and
//! exits with status 1 at the end if any did.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use mikey_sakke::srtp::{
    derive_session_keys, Profile, SessionKeys, SrtpContext, SrtpError, SrtpOptions, SrtpPolicy,
    DEFAULT_REPLAY_WINDOW,
};
use serde_json::{json, Map, Value};

use crate::error::{line, CliError};
use crate::hexarg;

/// SRTP subcommands.
#[derive(Debug, Subcommand)]
pub enum SrtpCommand {
    /// Derive the SRTP and SRTCP session keys (RFC 3711 §4.3): prints JSON
    /// {"srtp": {"cipher_key", "salt", "auth_key"}, "srtcp": {...}}; AEAD
    /// profiles derive no authentication key, so "auth_key" is null.
    Derive(DeriveArgs),
    /// Protect RTP packets (RFC 3711 §3.3, RFC 7714 §8): prints the SRTP packets.
    Protect(PacketArgs),
    /// Unprotect SRTP packets: prints the RTP packets, `invalid` for a packet
    /// that fails (exit status 1 at the end).
    Unprotect(PacketArgs),
}

/// SRTCP subcommands.
#[derive(Debug, Subcommand)]
pub enum SrtcpCommand {
    /// Protect RTCP packets (RFC 3711 §3.4, RFC 7714 §9): prints the SRTCP packets.
    Protect(SrtcpProtectArgs),
    /// Unprotect SRTCP packets: prints the RTCP packets, `invalid` for a
    /// packet that fails (exit status 1 at the end).
    Unprotect(PacketArgs),
}

/// Arguments of `msk srtp derive`.
#[derive(Debug, Args)]
pub struct DeriveArgs {
    /// Protection profile: AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32,
    /// AES_256_CM_HMAC_SHA1_80, AES_256_CM_HMAC_SHA1_32, AEAD_AES_128_GCM or
    /// AEAD_AES_256_GCM.
    #[arg(long, value_name = "NAME")]
    profile: String,
    /// Master key (16 or 32 octets, by profile).
    #[arg(long, value_name = "HEX")]
    master_key: String,
    /// Master salt (14 octets; 12 for AEAD profiles).
    #[arg(long, value_name = "HEX")]
    master_salt: String,
    /// Key derivation rate: 0 (derive once) or a power of two up to 2^24.
    #[arg(long, value_name = "N", default_value_t = 0)]
    kdr: u64,
    /// SRTP packet index (48 bits) the SRTP keys are derived for.
    #[arg(long, value_name = "N", default_value_t = 0)]
    index: u64,
    /// SRTCP index (31 bits) the SRTCP keys are derived for.
    #[arg(long, value_name = "N", default_value_t = 0)]
    srtcp_index: u32,
}

/// Keys and context options shared by protect / unprotect.
#[derive(Debug, Args)]
pub struct ContextArgs {
    /// Protection profile (see `msk srtp derive --help`).
    #[arg(long, value_name = "NAME")]
    profile: String,
    /// Master key (16 or 32 octets, by profile).
    #[arg(long, value_name = "HEX", required_unless_present = "session_key")]
    master_key: Option<String>,
    /// Master salt (14 octets; 12 for AEAD profiles).
    #[arg(long, value_name = "HEX", required_unless_present = "session_key")]
    master_salt: Option<String>,
    /// Use this session encryption key for SRTP and SRTCP instead of deriving
    /// keys from a master key (e.g. for the RFC 7714 vectors).
    #[arg(long, value_name = "HEX", conflicts_with_all = ["master_key", "master_salt", "kdr"], requires = "session_salt")]
    session_key: Option<String>,
    /// Session salt (with --session-key).
    #[arg(long, value_name = "HEX", requires = "session_key")]
    session_salt: Option<String>,
    /// Session authentication key, 20 octets (with --session-key, AES-CM profiles).
    #[arg(long, value_name = "HEX", requires = "session_key")]
    session_auth_key: Option<String>,
    /// Key derivation rate: 0 (derive once) or a power of two up to 2^24.
    #[arg(long, value_name = "N")]
    kdr: Option<u64>,
    /// Initial rollover counter of every SSRC.
    #[arg(long, value_name = "N", default_value_t = 0)]
    roc: u32,
    /// Master key identifier carried in every packet.
    #[arg(long, value_name = "HEX")]
    mki: Option<String>,
    /// RFC 4771 RCCm3 ROC carriage with this ROC transmission rate (AEAD
    /// profiles; the TS 33.180 group-call default is 1).
    #[arg(long, value_name = "R")]
    rccm3: Option<u16>,
    /// SRTCP without encryption (E = 0, authentication only).
    #[arg(long)]
    srtcp_auth_only: bool,
    /// Replay window size in packets (64 to 32768).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_REPLAY_WINDOW)]
    replay_window: u32,
}

/// Arguments of `msk srtp protect|unprotect` and `msk srtcp unprotect`.
#[derive(Debug, Args)]
pub struct PacketArgs {
    #[command(flatten)]
    context: ContextArgs,
    /// The packets, in hex, processed in order.
    #[arg(value_name = "PACKET_HEX", required = true)]
    packets: Vec<String>,
}

/// Arguments of `msk srtcp protect`.
#[derive(Debug, Args)]
pub struct SrtcpProtectArgs {
    #[command(flatten)]
    context: ContextArgs,
    /// SRTCP index of the first packet (31 bits); incremented per packet.
    #[arg(long, value_name = "N", default_value_t = 0)]
    index: u32,
    /// The RTCP packets, in hex, processed in order.
    #[arg(value_name = "PACKET_HEX", required = true)]
    packets: Vec<String>,
}

/// Runs an SRTP subcommand.
pub fn run_srtp(cmd: SrtpCommand) -> Result<ExitCode, CliError> {
    match cmd {
        SrtpCommand::Derive(a) => derive(&a).map(|()| ExitCode::SUCCESS),
        SrtpCommand::Protect(a) => protect(&a.context, 0, &a.packets, false),
        SrtpCommand::Unprotect(a) => unprotect(&a.context, &a.packets, false),
    }
}

/// Runs an SRTCP subcommand.
pub fn run_srtcp(cmd: SrtcpCommand) -> Result<ExitCode, CliError> {
    match cmd {
        SrtcpCommand::Protect(a) => protect(&a.context, a.index, &a.packets, true),
        SrtcpCommand::Unprotect(a) => unprotect(&a.context, &a.packets, true),
    }
}

fn profile(name: &str) -> Result<Profile, CliError> {
    name.trim().parse().map_err(|_| {
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
        CliError::bad(
            "--profile",
            format!("unknown profile; expected one of {}", names.join(", ")),
        )
    })
}

/// The message for a key, salt, MKI or option the library rejects.
fn key_error(e: SrtpError, key_arg: &'static str, salt_arg: &'static str) -> CliError {
    match e {
        SrtpError::MasterKeyLength { expected, got } => CliError::bad(
            key_arg,
            format!("expected {expected} octets for this profile, got {got}"),
        ),
        SrtpError::MasterSaltLength { expected, got } => CliError::bad(
            salt_arg,
            format!("expected {expected} octets for this profile, got {got}"),
        ),
        SrtpError::KeyLength { len } => CliError::bad(key_arg, format!("unsupported length {len}")),
        SrtpError::MkiLength { len } => {
            CliError::bad("--mki", format!("expected 1 to 128 octets, got {len}"))
        }
        SrtpError::KeyDerivationRate { .. } => {
            CliError::bad("--kdr", "must be 0 or a power of two up to 2^24 (16777216)")
        }
        SrtpError::ReplayWindowSize { .. } => {
            CliError::bad("--replay-window", "must be in 64..=32768")
        }
        SrtpError::KeyExhausted => CliError::bad("--index", "must be below 2^31"),
        other => CliError::bad("--profile", other.to_string()),
    }
}

fn derive(a: &DeriveArgs) -> Result<(), CliError> {
    let profile = profile(&a.profile)?;
    let key = hexarg::decode_secret("--master-key", &a.master_key)?;
    let salt = hexarg::decode_secret("--master-salt", &a.master_salt)?;
    if a.index >= 1 << 48 {
        return Err(CliError::bad("--index", "must be below 2^48"));
    }
    if a.srtcp_index >= 1 << 31 {
        return Err(CliError::bad("--srtcp-index", "must be below 2^31"));
    }
    let keys = derive_session_keys(profile, &key, &salt, a.kdr, a.index, a.srtcp_index)
        .map_err(|e| key_error(e, "--master-key", "--master-salt"))?;
    let out = json!({ "srtp": keys_json(&keys.srtp), "srtcp": keys_json(&keys.srtcp) });
    line(out)
}

fn keys_json(keys: &SessionKeys) -> Value {
    let mut m = Map::new();
    let key = hexarg::encode_secret(keys.cipher_key().as_bytes());
    m.insert("cipher_key".into(), Value::String(key.as_str().to_string()));
    let salt = hexarg::encode_secret(keys.salt().as_bytes());
    m.insert("salt".into(), Value::String(salt.as_str().to_string()));
    let auth = match keys.auth_key() {
        Some(auth) => Value::String(hexarg::encode_secret(auth.as_bytes()).as_str().to_string()),
        None => Value::Null,
    };
    m.insert("auth_key".into(), auth);
    Value::Object(m)
}

fn context(a: &ContextArgs, srtcp_index: u32) -> Result<SrtpContext, CliError> {
    let profile = profile(&a.profile)?;
    let mut policy = SrtpPolicy::new(profile).with_srtcp_encryption(!a.srtcp_auth_only);
    if let Some(kdr) = a.kdr {
        policy = policy
            .with_kdr(kdr)
            .map_err(|e| key_error(e, "--master-key", "--master-salt"))?;
    }
    if let Some(rate) = a.rccm3 {
        policy = policy.with_rccm3(rate).map_err(|e| {
            let reason = match e {
                SrtpError::UnsupportedPolicy(r) => r.to_string(),
                _ => "the ROC transmission rate must be at least 1".to_string(),
            };
            CliError::bad("--rccm3", reason)
        })?;
    }
    let mki = a
        .mki
        .as_deref()
        .map(|m| hexarg::decode("--mki", m))
        .transpose()?;
    let options = SrtpOptions {
        mki: mki.as_deref(),
        replay_window: a.replay_window,
        initial_roc: a.roc,
        initial_srtcp_index: srtcp_index,
    };
    match (&a.session_key, &a.session_salt) {
        (Some(k), Some(s)) => {
            let key = hexarg::decode_secret("--session-key", k)?;
            let salt = hexarg::decode_secret("--session-salt", s)?;
            let auth = a
                .session_auth_key
                .as_deref()
                .map(|v| hexarg::decode_secret("--session-auth-key", v))
                .transpose()?;
            if profile.is_aead() == auth.is_some() {
                let reason = if profile.is_aead() {
                    "not used by AEAD profiles"
                } else {
                    "required (20 octets) for AES-CM profiles"
                };
                return Err(CliError::bad("--session-auth-key", reason));
            }
            let keys = SessionKeys::new(&key, &salt, auth.as_deref().map(|v| &v[..]))
                .map_err(|_| CliError::bad("--session-key", "unsupported key or salt length"))?;
            SrtpContext::from_session_keys(policy, &keys, &keys, &options)
                .map_err(|e| key_error(e, "--session-key", "--session-salt"))
        }
        _ => {
            let key = a.master_key.as_deref().unwrap_or_default();
            let salt = a.master_salt.as_deref().unwrap_or_default();
            let key = hexarg::decode_secret("--master-key", key)?;
            let salt = hexarg::decode_secret("--master-salt", salt)?;
            SrtpContext::new(policy, &key, &salt, &options)
                .map_err(|e| key_error(e, "--master-key", "--master-salt"))
        }
    }
}

fn packets(values: &[String]) -> Result<Vec<Vec<u8>>, CliError> {
    values
        .iter()
        .map(|v| hexarg::decode("PACKET_HEX", v))
        .collect()
}

fn protect(
    a: &ContextArgs,
    srtcp_index: u32,
    values: &[String],
    rtcp: bool,
) -> Result<ExitCode, CliError> {
    if srtcp_index >= 1 << 31 {
        return Err(CliError::bad("--index", "must be below 2^31"));
    }
    let mut ctx = context(a, srtcp_index)?;
    let packets = packets(values)?;
    let mut out = Vec::with_capacity(packets.len());
    for (n, mut p) in packets.into_iter().enumerate() {
        let r = if rtcp {
            ctx.protect_rtcp(&mut p)
        } else {
            ctx.protect_rtp(&mut p)
        };
        r.map_err(|e| CliError::bad("PACKET_HEX", format!("packet {}: {e}", n + 1)))?;
        out.push(hexarg::encode(&p));
    }
    for p in out {
        line(p)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn unprotect(a: &ContextArgs, values: &[String], rtcp: bool) -> Result<ExitCode, CliError> {
    let mut ctx = context(a, 0)?;
    let packets = packets(values)?;
    let mut failed = false;
    for mut p in packets {
        let r = if rtcp {
            ctx.unprotect_rtcp(&mut p)
        } else {
            ctx.unprotect_rtp(&mut p)
        };
        match r {
            Ok(()) => line(hexarg::encode(&p))?,
            Err(_) => {
                failed = true;
                line("invalid")?;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
