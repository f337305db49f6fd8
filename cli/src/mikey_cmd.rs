//! `msk mikey ...`: MIKEY-SAKKE (RFC 3830, RFC 6043, RFC 6509, TS 33.180
//! Annex E) subcommands.

use clap::Subcommand;

use crate::derive_cmd;
use crate::error::CliError;

/// MIKEY subcommands.
#[derive(Debug, Subcommand)]
pub enum MikeyCommand {
    /// Derive the SRTP master key (TEK) and salt from a TGK: prints JSON
    /// {"tek": .., "salt": ..} (RFC 3830 §4.1.3, RFC 6043 PRF-HMAC-SHA-256).
    Derive(derive_cmd::DeriveArgs),
}

/// Runs a MIKEY subcommand.
pub fn run(cmd: MikeyCommand) -> Result<(), CliError> {
    match cmd {
        MikeyCommand::Derive(a) => derive_cmd::run(&a),
    }
}
