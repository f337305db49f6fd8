//! `msk testbed`: a local two-organisation KMS testbed to develop and test
//! apps (and the language bindings) against.
//!
//! One process starts KMS A (`kms.org-a.example`) and KMS B
//! (`kms.org-b.example`), each a real TS 33.180 Annex D server on 127.0.0.1
//! (an OS-chosen port, TLS with a self-signed certificate for 127.0.0.1),
//! trusting each other; it enrols `sip:alice@org-a.example` and
//! `sip:carol@org-a.example` on A and `sip:bob@org-b.example` on B. The
//! state (stores, TLS keys, `ca.pem` with both TLS certificates) lives in
//! `--dir`, by default a temporary directory removed at exit; the master
//! secrets are sealed under an operator secret drawn for the run.
//!
//! It then writes the env file atomically (a temporary file, then a rename),
//! one shell-sourceable `KEY=value` line each: `MSK_TESTBED_CA`,
//! `MSK_KMS_A_URL`, `MSK_KMS_A_URI`, `MSK_KMS_B_URL`, `MSK_KMS_B_URI`,
//! `MSK_ALICE_URI`, `MSK_ALICE_TOKEN`, `MSK_BOB_URI`, `MSK_BOB_TOKEN`,
//! `MSK_CAROL_URI`, `MSK_CAROL_TOKEN` (a value is single-quoted only if it
//! needs quoting), prints `ready PATH` on stdout and serves until SIGTERM or
//! SIGINT, then stops both servers gracefully and exits 0. The env file is
//! left in place.

use std::future::Future;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::{line, CliError};
use crate::kms_cmd::write_private;
use crate::loopback::{
    add_user, run_secret, runtime, start_kms, stop_kms, trust_each_other, ALICE, BOB, CAROL, KMS_A,
    KMS_B,
};

#[derive(Debug, Args)]
pub struct TestbedArgs {
    /// Where to write the URLs, URIs, tokens and CA path (shell-sourceable
    /// KEY=value lines), once the servers are up.
    #[arg(long, value_name = "PATH")]
    env_file: PathBuf,
    /// The state directory (created if missing; must not hold a testbed
    /// already). Default: a temporary directory removed at exit.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// The state directory: the one given (kept) or a temporary one.
enum StateDir {
    Given(PathBuf),
    Temp(tempfile::TempDir),
}

impl StateDir {
    fn path(&self) -> &Path {
        match self {
            StateDir::Given(p) => p,
            StateDir::Temp(t) => t.path(),
        }
    }
}

fn bad_dir(e: impl std::fmt::Display) -> CliError {
    CliError::bad("--dir", e.to_string())
}

/// Prepares the state directory and the two KMS store directories in it.
fn state_dir(dir: Option<&Path>) -> Result<(StateDir, PathBuf, PathBuf), CliError> {
    let state = match dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(bad_dir)?;
            StateDir::Given(std::fs::canonicalize(d).map_err(bad_dir)?)
        }
        None => StateDir::Temp(
            tempfile::Builder::new()
                .prefix("msk-testbed-")
                .tempdir()
                .map_err(|e| CliError::Internal(format!("creating a temporary directory: {e}")))?,
        ),
    };
    let (a, b) = (state.path().join("kms-a"), state.path().join("kms-b"));
    for d in [&a, &b] {
        std::fs::create_dir_all(d).map_err(bad_dir)?;
        if d.join(mikey_sakke_kms::store::DB_FILE).exists() {
            return Err(CliError::bad("--dir", "a testbed already exists here"));
        }
    }
    Ok((state, a, b))
}

/// A value as the shell reads it back: bare if it needs no quoting, else in
/// single quotes.
fn shell_value(v: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-.,/:@%+=".contains(c);
    if !v.is_empty() && v.chars().all(plain) {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', r"'\''"))
    }
}

/// Writes `text` to `path` atomically: a private temporary file next to it,
/// then a rename over it.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = write_private(&tmp, text.as_bytes()).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A future that completes on SIGTERM or SIGINT; the handlers are installed
/// before this returns, so no signal is missed once it has.
#[cfg(unix)]
fn stop_signal(rt: &tokio::runtime::Runtime) -> Result<impl Future<Output = ()>, CliError> {
    use tokio::signal::unix::{signal, SignalKind};
    let _enter = rt.enter();
    let install = |kind| {
        signal(kind).map_err(|e| CliError::Internal(format!("installing a signal handler: {e}")))
    };
    let (mut term, mut int) = (
        install(SignalKind::terminate())?,
        install(SignalKind::interrupt())?,
    );
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn stop_signal(_rt: &tokio::runtime::Runtime) -> Result<impl Future<Output = ()>, CliError> {
    Ok(mikey_sakke_kms::server::shutdown_signal())
}

/// Runs the testbed until SIGTERM or SIGINT.
pub fn run(a: &TestbedArgs) -> Result<(), CliError> {
    let (state, dir_a, dir_b) = state_dir(a.dir.as_deref())?;
    let rt = runtime()?;
    let secret = run_secret()?;
    let kms_a = start_kms(&rt, KMS_A, &secret, &dir_a)?;
    let kms_b = start_kms(&rt, KMS_B, &secret, &dir_b)?;
    drop(secret);
    trust_each_other(&kms_a, &kms_b)?;
    let users = [(&kms_a, ALICE), (&kms_a, CAROL), (&kms_b, BOB)]
        .into_iter()
        .map(|(kms, uri)| add_user(kms, uri))
        .collect::<Result<Vec<_>, _>>()?;

    let ca = state.path().join("ca.pem");
    std::fs::write(&ca, format!("{}{}", kms_a.ca_pem, kms_b.ca_pem))
        .map_err(|e| CliError::Internal(format!("writing {}: {e}", ca.display())))?;
    let ca = std::path::absolute(&ca)
        .map_err(|e| CliError::Internal(format!("{}: {e}", ca.display())))?
        .to_string_lossy()
        .into_owned();
    let vars = [
        ("MSK_TESTBED_CA", ca.as_str()),
        ("MSK_KMS_A_URL", kms_a.url.as_str()),
        ("MSK_KMS_A_URI", KMS_A),
        ("MSK_KMS_B_URL", kms_b.url.as_str()),
        ("MSK_KMS_B_URI", KMS_B),
        ("MSK_ALICE_URI", ALICE),
        ("MSK_ALICE_TOKEN", users[0].as_str()),
        ("MSK_BOB_URI", BOB),
        ("MSK_BOB_TOKEN", users[2].as_str()),
        ("MSK_CAROL_URI", CAROL),
        ("MSK_CAROL_TOKEN", users[1].as_str()),
    ];
    let env: String = vars
        .iter()
        .map(|(k, v)| format!("{k}={}\n", shell_value(v)))
        .collect();
    let env = zeroize::Zeroizing::new(env);
    drop(users);

    let stopped = stop_signal(&rt)?;
    write_atomically(&a.env_file, &env).map_err(|e| CliError::bad("--env-file", e.to_string()))?;
    line(format_args!("ready {}", a.env_file.display()))?;
    rt.block_on(stopped);

    stop_kms(&rt, kms_a)?;
    stop_kms(&rt, kms_b)?;
    if let StateDir::Temp(t) = state {
        t.close().map_err(|e| {
            CliError::Internal(format!("removing the temporary state directory: {e}"))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_values() {
        assert_eq!(
            shell_value("https://127.0.0.1:8443"),
            "https://127.0.0.1:8443"
        );
        assert_eq!(
            shell_value("sip:alice@org-a.example"),
            "sip:alice@org-a.example"
        );
        assert_eq!(shell_value("/tmp/a b/ca.pem"), "'/tmp/a b/ca.pem'");
        assert_eq!(shell_value("it's"), r"'it'\''s'");
        assert_eq!(shell_value(""), "''");
    }
}
