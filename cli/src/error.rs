//! The CLI's error type, its exit codes, and checked writes to stdout.

use std::fmt::Display;
use std::io::{self, Write};
use std::process::ExitCode;

/// Why a command did not succeed; each variant has its own exit status.
#[derive(Debug)]
pub enum CliError {
    /// A verification, key validation or decapsulation failed: `invalid` on
    /// stdout, exit status 1.
    Invalid,
    /// An argument is malformed: `error: ARG: REASON` on stderr, exit status 2.
    BadInput {
        /// The argument, as spelled on the command line (`--kpak`).
        arg: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Something that is not the user's input failed (random generator, a
    /// demo step, writing the output): message on stderr, exit status 3.
    Internal(String),
    /// Writing to stdout failed (for example a closed pipe): exit status 3,
    /// with a message unless the pipe was simply closed.
    Output(io::Error),
}

impl CliError {
    /// A malformed argument.
    pub fn bad(arg: &'static str, reason: impl Into<String>) -> Self {
        CliError::BadInput {
            arg,
            reason: reason.into(),
        }
    }

    /// The exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Invalid => 1,
            CliError::BadInput { .. } => 2,
            CliError::Internal(_) | CliError::Output(_) => 3,
        }
    }

    /// Prints the error where it belongs and returns the exit status.
    pub fn report(&self) -> ExitCode {
        match self {
            CliError::Invalid => {
                // Nothing more can be done if stdout is gone.
                let _ = line("invalid");
            }
            CliError::BadInput { arg, reason } => err_line(format_args!("error: {arg}: {reason}")),
            CliError::Internal(msg) => err_line(format_args!("error: {msg}")),
            CliError::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
            CliError::Output(e) => err_line(format_args!("error: writing the output: {e}")),
        }
        ExitCode::from(self.exit_code())
    }
}

impl From<mikey_sakke::random::RandomError> for CliError {
    fn from(e: mikey_sakke::random::RandomError) -> Self {
        CliError::Internal(e.to_string())
    }
}

/// Writes one line to stdout and flushes it.
pub fn line(text: impl Display) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(CliError::Output)
}

/// Writes one line to stderr, ignoring failures (there is nowhere left to
/// report them).
pub fn err_line(text: impl Display) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{text}");
}
