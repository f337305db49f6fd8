//! `msk`: command-line tool for the MIKEY-SAKKE SDK (RFC 6507 ECCSI, RFC 6508
//! SAKKE, RFC 6509).
//!
//! All octet strings are hex on the command line and in the output. Exit
//! status: 0 success / valid, 1 a verification or decapsulation that failed
//! (`invalid` on stdout), 2 bad input (message on stderr naming the
//! argument), 3 an internal failure (random generator, I/O, a failed demo).

mod demo;
mod derive_cmd;
mod eccsi_cmd;
mod error;
mod hexarg;
mod kms_cmd;
mod loopback;
mod mikey_cmd;
mod mikey_common;
mod mikey_initiate;
mod mikey_inspect;
mod mikey_receive;
mod openssl;
mod sakke_cmd;
mod speed;
mod srtp_cmd;
mod testbed;
mod uid_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// MIKEY-SAKKE command-line tool: ECCSI signatures (RFC 6507), SAKKE key
/// encapsulation (RFC 6508), benchmarks, a walk-through demo and a local
/// two-organisation KMS testbed.
///
/// Octet strings are hex. Exit status: 0 success or valid, 1 invalid
/// (verification or decapsulation failed), 2 bad input, 3 internal error.
#[derive(Debug, Parser)]
#[command(name = "msk", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// ECCSI identity-based signatures (RFC 6507, P-256 / SHA-256).
    #[command(subcommand)]
    Eccsi(eccsi_cmd::EccsiCommand),
    /// SAKKE key encapsulation (RFC 6508, RFC 6509 parameter set 1).
    #[command(subcommand)]
    Sakke(sakke_cmd::SakkeCommand),
    /// MIKEY-SAKKE key derivation (RFC 3830, RFC 6043, TS 33.180).
    #[command(subcommand)]
    Mikey(mikey_cmd::MikeyCommand),
    /// Key management server (TS 33.180 Annex D) and its client.
    #[command(subcommand)]
    Kms(kms_cmd::KmsCommand),
    /// The TS 33.180 F.2.1 MIKEY-SAKKE UID of a user for a key period (hex).
    Uid(uid_cmd::UidArgs),
    /// SRTP session keys and packet protection (RFC 3711, RFC 6188, RFC 7714).
    #[command(subcommand)]
    Srtp(srtp_cmd::SrtpCommand),
    /// SRTCP packet protection (RFC 3711 §3.4, RFC 7714 §9).
    #[command(subcommand)]
    Srtcp(srtp_cmd::SrtcpCommand),
    /// Time every operation in-process, like `openssl speed`.
    Speed(speed::SpeedArgs),
    /// Walk through a secure call across two organisations (two KMS servers
    /// on loopback, provisioning over HTTPS, I_MESSAGE, SRTP) and a group key
    /// for two members.
    Demo,
    /// A local two-organisation KMS testbed for app and binding tests: KMS A
    /// and KMS B on 127.0.0.1 over TLS, trusting each other, with users
    /// enrolled; writes their URLs, tokens and CA to the env file, prints
    /// `ready PATH` and serves until SIGTERM or SIGINT.
    Testbed(testbed::TestbedArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Srtp(cmd) => return finish(srtp_cmd::run_srtp(cmd)),
        Command::Srtcp(cmd) => return finish(srtp_cmd::run_srtcp(cmd)),
        Command::Eccsi(cmd) => eccsi_cmd::run(cmd),
        Command::Sakke(cmd) => sakke_cmd::run(cmd),
        Command::Mikey(cmd) => mikey_cmd::run(cmd),
        Command::Kms(cmd) => kms_cmd::run(cmd),
        Command::Uid(args) => uid_cmd::run(&args),
        Command::Speed(args) => speed::run(&args),
        Command::Demo => demo::run(),
        Command::Testbed(args) => testbed::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

/// The exit status of a command that chooses its own (SRTP/SRTCP unprotect
/// exits 1 after printing every packet's result).
fn finish(result: Result<ExitCode, error::CliError>) -> ExitCode {
    result.unwrap_or_else(|e| e.report())
}
