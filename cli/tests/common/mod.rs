//! What the `msk` integration tests share: running the binary, the exit
//! status contract (0 valid, 1 `invalid`, 2 bad input) and the test vectors.
// Each test crate uses a different part of this module.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// One run of `msk`.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Standard output without surrounding white space.
    pub fn out(&self) -> &str {
        self.stdout.trim()
    }

    /// Standard output, line by line.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// Runs `msk` with `args`; fails the test if it panicked.
pub fn msk(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_msk"))
        .args(args)
        .output()
        .expect("run msk");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "msk {args:?} panicked: {}",
        run.stderr
    );
    run
}

/// Exit status 0 with `valid` on stdout.
#[track_caller]
pub fn assert_valid(run: &Run) {
    assert_eq!(
        (run.code, run.out()),
        (0, "valid"),
        "stderr: {}",
        run.stderr
    );
}

/// Exit status 1 with `invalid` on stdout.
#[track_caller]
pub fn assert_invalid(run: &Run) {
    assert_eq!(
        (run.code, run.out()),
        (1, "invalid"),
        "stderr: {}",
        run.stderr
    );
}

/// Exit status 2 with a message naming `arg` (and containing `words`).
#[track_caller]
pub fn assert_bad_input(run: &Run, arg: &str, words: &str) {
    assert_eq!(run.code, 2, "stdout: {} stderr: {}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("error: {arg}: ")) && first.contains(words),
        "stderr: {}",
        run.stderr
    );
}

/// Exit status 0 with one JSON value on stdout.
#[track_caller]
pub fn json_out(run: &Run) -> Value {
    assert_eq!(run.code, 0, "stdout: {} stderr: {}", run.stdout, run.stderr);
    serde_json::from_str(run.out()).expect("JSON output")
}

/// A test vector file from `core/tests/data/`.
pub fn vector(name: &str) -> Value {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "core",
        "tests",
        "data",
        name,
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(&path).expect("read test vector");
    serde_json::from_str(&text).expect("parse test vector")
}
