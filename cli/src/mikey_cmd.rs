//! `msk mikey ...`: MIKEY-SAKKE (RFC 3830, RFC 6043, RFC 6509, TS 33.180
//! Annex E) subcommands.

use clap::Subcommand;

use crate::derive_cmd;
use crate::error::CliError;

#[path = "mikey_common.rs"]
mod mikey_common;
#[path = "mikey_initiate.rs"]
mod mikey_initiate;
#[path = "mikey_inspect.rs"]
mod mikey_inspect;
#[path = "mikey_receive.rs"]
mod mikey_receive;

/// MIKEY subcommands.
#[derive(Debug, Subcommand)]
pub enum MikeyCommand {
    /// Derive the SRTP master key (TEK) and salt from a TGK: prints JSON
    /// {"tek": .., "salt": ..} (RFC 3830 §4.1.3, RFC 6043 PRF-HMAC-SHA-256).
    Derive(derive_cmd::DeriveArgs),
    /// Decode a MIKEY message (text, SDP line, base64 or hex) to JSON: header,
    /// every payload, "signed_len" and the I_MESSAGE structure check.
    Inspect(mikey_inspect::InspectArgs),
    /// Build and sign a MIKEY-SAKKE I_MESSAGE: prints `mikey BASE64`.
    Initiate(Box<mikey_initiate::InitiateArgs>),
    /// Verify and decapsulate a MIKEY-SAKKE I_MESSAGE: prints JSON with the key,
    /// its ids, RAND, the sender id and each crypto session's TEK, salt and MKI;
    /// `invalid` (exit 1) if it is rejected.
    Receive(Box<mikey_receive::ReceiveArgs>),
}

/// Runs a MIKEY subcommand.
pub fn run(cmd: MikeyCommand) -> Result<(), CliError> {
    match cmd {
        MikeyCommand::Derive(a) => derive_cmd::run(&a),
        MikeyCommand::Inspect(a) => mikey_inspect::run(&a),
        MikeyCommand::Initiate(a) => mikey_initiate::run(&a),
        MikeyCommand::Receive(a) => mikey_receive::run(&a),
    }
}
