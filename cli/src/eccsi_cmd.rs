//! `msk eccsi ...`: RFC 6507 ECCSI over P-256 / SHA-256.

use clap::{Args, Subcommand};
use mikey_sakke::eccsi::{self, EccsiError, EccsiKms, Kpak, Ksak, Pvt, SigningKey, Ssk};
use mikey_sakke::random::OsRandom;
use serde_json::json;

use crate::error::{line, CliError};
use crate::hexarg;

/// ECCSI subcommands.
#[derive(Debug, Subcommand)]
pub enum EccsiCommand {
    /// Generate a KMS key pair: prints JSON {"ksak": .., "kpak": ..} (RFC 6507 §4.2).
    KmsKeygen,
    /// Issue (SSK, PVT) for an identifier: prints JSON {"ssk": .., "pvt": ..} (RFC 6507 §5.1.1).
    Issue(IssueArgs),
    /// Validate a received (SSK, PVT) (RFC 6507 §5.1.2): prints `valid` or `invalid`.
    Validate(KeyArgs),
    /// Sign a message (RFC 6507 §5.2.1): prints the 129-octet signature r || s || PVT.
    Sign(SignArgs),
    /// Verify a signature (RFC 6507 §5.2.2): prints `valid` or `invalid`.
    Verify(VerifyArgs),
}

/// Arguments of `msk eccsi issue`.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// KMS Secret Authentication Key, 32 octets.
    #[arg(long, value_name = "HEX")]
    ksak: String,
    /// KMS Public Authentication Key 0x04 || x || y, 65 octets; must be the public key of --ksak.
    #[arg(long, value_name = "HEX")]
    kpak: String,
    /// The user's identifier (e.g. "2011-02\0tel:+447700900123\0" in hex).
    #[arg(long, value_name = "HEX")]
    id: String,
}

/// A user's key pair and the KMS public key it belongs to.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// KMS Public Authentication Key 0x04 || x || y, 65 octets.
    #[arg(long, value_name = "HEX")]
    kpak: String,
    /// The user's identifier.
    #[arg(long, value_name = "HEX")]
    id: String,
    /// Secret Signing Key, 32 octets.
    #[arg(long, value_name = "HEX")]
    ssk: String,
    /// Public Validation Token 0x04 || x || y, 65 octets.
    #[arg(long, value_name = "HEX")]
    pvt: String,
}

/// Arguments of `msk eccsi sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// The message to sign.
    #[arg(long, value_name = "HEX")]
    msg: String,
}

/// Arguments of `msk eccsi verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// KMS Public Authentication Key 0x04 || x || y, 65 octets.
    #[arg(long, value_name = "HEX")]
    kpak: String,
    /// The signer's identifier.
    #[arg(long, value_name = "HEX")]
    id: String,
    /// The signed message.
    #[arg(long, value_name = "HEX")]
    msg: String,
    /// The signature r || s || PVT, 129 octets.
    #[arg(long, value_name = "HEX")]
    sig: String,
}

/// Runs an ECCSI subcommand.
pub fn run(cmd: EccsiCommand) -> Result<(), CliError> {
    match cmd {
        EccsiCommand::KmsKeygen => kms_keygen(),
        EccsiCommand::Issue(a) => issue(&a),
        EccsiCommand::Validate(a) => validate(&a),
        EccsiCommand::Sign(a) => sign(&a),
        EccsiCommand::Verify(a) => verify(&a),
    }
}

fn kms_keygen() -> Result<(), CliError> {
    let kms = EccsiKms::generate(&mut OsRandom).map_err(hexarg::eccsi_internal)?;
    let ksak = hexarg::encode_secret(&kms.ksak().to_bytes()[..]);
    let out = json!({
        "ksak": ksak.as_str(),
        "kpak": hexarg::encode(kms.kpak().as_bytes()),
    });
    line(out)
}

fn issue(a: &IssueArgs) -> Result<(), CliError> {
    let ksak_bytes = hexarg::decode_secret("--ksak", &a.ksak)?;
    let kpak_bytes = hexarg::decode("--kpak", &a.kpak)?;
    let id = hexarg::decode("--id", &a.id)?;
    let ksak = Ksak::from_bytes(&ksak_bytes).map_err(|e| hexarg::eccsi_scalar("--ksak", e))?;
    let kpak = Kpak::from_bytes(&kpak_bytes).map_err(|e| hexarg::eccsi_point("--kpak", e))?;
    let kms = EccsiKms::from_ksak(ksak);
    if kms.kpak() != &kpak {
        return Err(CliError::bad(
            "--kpak",
            "does not match the given --ksak (KPAK must equal [KSAK]G)",
        ));
    }
    let (ssk, pvt) = kms
        .issue(&id, &mut OsRandom)
        .map_err(hexarg::eccsi_internal)?;
    let ssk_hex = hexarg::encode_secret(&ssk.to_bytes()[..]);
    let out = json!({
        "ssk": ssk_hex.as_str(),
        "pvt": hexarg::encode(pvt.as_bytes()),
    });
    line(out)
}

/// Decodes the key arguments and validates the key pair (RFC 6507 §5.1.2).
/// Malformed encodings are bad input; a pair that fails validation is
/// [`CliError::Invalid`].
fn signing_key(a: &KeyArgs) -> Result<SigningKey, CliError> {
    let kpak_bytes = hexarg::decode("--kpak", &a.kpak)?;
    let id = hexarg::decode("--id", &a.id)?;
    let ssk_bytes = hexarg::decode_secret("--ssk", &a.ssk)?;
    let pvt_bytes = hexarg::decode("--pvt", &a.pvt)?;
    let kpak = Kpak::from_bytes(&kpak_bytes).map_err(|e| hexarg::eccsi_point("--kpak", e))?;
    let ssk = Ssk::from_bytes(&ssk_bytes).map_err(|e| hexarg::eccsi_scalar("--ssk", e))?;
    let pvt = Pvt::from_bytes(&pvt_bytes).map_err(|e| hexarg::eccsi_point("--pvt", e))?;
    SigningKey::new(&kpak, &id, ssk, pvt).map_err(|e| match e {
        EccsiError::InvalidKeyPair => CliError::Invalid,
        other => hexarg::eccsi_internal(other),
    })
}

fn validate(a: &KeyArgs) -> Result<(), CliError> {
    signing_key(a)?;
    line("valid")
}

fn sign(a: &SignArgs) -> Result<(), CliError> {
    // Decode every argument before the (costlier) validation so that
    // malformed input is reported as such.
    let msg = hexarg::decode("--msg", &a.msg)?;
    let key = signing_key(&a.key)?;
    let sig = key
        .sign(&msg, &mut OsRandom)
        .map_err(hexarg::eccsi_internal)?;
    line(hexarg::encode(sig.as_bytes()))
}

fn verify(a: &VerifyArgs) -> Result<(), CliError> {
    let kpak_bytes = hexarg::decode("--kpak", &a.kpak)?;
    let id = hexarg::decode("--id", &a.id)?;
    let msg = hexarg::decode("--msg", &a.msg)?;
    let sig = hexarg::decode("--sig", &a.sig)?;
    let kpak = Kpak::from_bytes(&kpak_bytes).map_err(|e| hexarg::eccsi_point("--kpak", e))?;
    // The signature is received data: any defect in it (length, PVT
    // encoding, r or s out of range) is a verification failure.
    match eccsi::verify(&kpak, &id, &msg, &sig) {
        Ok(()) => line("valid"),
        Err(_) => Err(CliError::Invalid),
    }
}
