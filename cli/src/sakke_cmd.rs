//! `msk sakke ...`: RFC 6508 SAKKE with RFC 6509 parameter set 1.

use clap::{Args, Subcommand};
use mikey_sakke::random::OsRandom;
use mikey_sakke::sakke::{
    EncapsulatedData, KmsContext, KmsPublicKey, MasterSecret, ReceiverKey, Rsk, SakkeError,
    SakkeKms, Ssv,
};
use serde_json::json;

use crate::error::{line, CliError};
use crate::hexarg;

/// SAKKE subcommands.
#[derive(Debug, Subcommand)]
pub enum SakkeCommand {
    /// Generate a KMS key pair: prints JSON {"z": .., "kms_public": ..} (RFC 6508 §2.2).
    KmsKeygen,
    /// Issue the receiver secret key for an identifier: prints JSON {"rsk": ..} (RFC 6508 §6.1.1).
    Issue(IssueArgs),
    /// Validate a receiver secret key (RFC 6508 §6.1.2): prints `valid` or `invalid`.
    Validate(ValidateArgs),
    /// Encapsulate an SSV to an identifier: prints JSON {"ssv": .., "sed": ..} (RFC 6508 §6.2.1).
    Encap(EncapArgs),
    /// Decapsulate (RFC 6508 §6.2.2): prints the SSV, or `invalid`.
    Decap(DecapArgs),
}

/// Arguments of `msk sakke issue`.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// KMS master secret z, 1 to 128 octets (big-endian).
    #[arg(long, value_name = "HEX")]
    z: String,
    /// The user's identifier.
    #[arg(long, value_name = "HEX")]
    id: String,
}

/// Arguments of `msk sakke validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// KMS public key Z = 0x04 || x || y, 257 octets.
    #[arg(long, value_name = "HEX")]
    kms_public: String,
    /// The user's identifier.
    #[arg(long, value_name = "HEX")]
    id: String,
    /// Receiver secret key 0x04 || x || y, 257 octets.
    #[arg(long, value_name = "HEX")]
    rsk: String,
}

/// Arguments of `msk sakke encap`.
#[derive(Debug, Args)]
pub struct EncapArgs {
    /// KMS public key Z = 0x04 || x || y, 257 octets.
    #[arg(long, value_name = "HEX")]
    kms_public: String,
    /// The receiver's identifier.
    #[arg(long, value_name = "HEX")]
    id: String,
    /// The SSV to transport, 16 octets; a fresh random one if omitted.
    #[arg(long, value_name = "HEX")]
    ssv: Option<String>,
}

/// Arguments of `msk sakke decap`.
#[derive(Debug, Args)]
pub struct DecapArgs {
    /// KMS public key Z = 0x04 || x || y, 257 octets.
    #[arg(long, value_name = "HEX")]
    kms_public: String,
    /// The receiver's identifier.
    #[arg(long, value_name = "HEX")]
    id: String,
    /// Receiver secret key 0x04 || x || y, 257 octets.
    #[arg(long, value_name = "HEX")]
    rsk: String,
    /// Encapsulated data R || H, 273 octets.
    #[arg(long, value_name = "HEX")]
    sed: String,
}

/// Runs a SAKKE subcommand.
pub fn run(cmd: SakkeCommand) -> Result<(), CliError> {
    match cmd {
        SakkeCommand::KmsKeygen => kms_keygen(),
        SakkeCommand::Issue(a) => issue(&a),
        SakkeCommand::Validate(a) => validate(&a),
        SakkeCommand::Encap(a) => encap(&a),
        SakkeCommand::Decap(a) => decap(&a),
    }
}

fn kms_keygen() -> Result<(), CliError> {
    let kms = SakkeKms::generate(&mut OsRandom).map_err(hexarg::sakke_internal)?;
    let z = hexarg::encode_secret(&kms.master_secret().to_bytes()[..]);
    let out = json!({
        "z": z.as_str(),
        "kms_public": hexarg::encode(&kms.public_key().to_bytes()),
    });
    line(out)
}

fn issue(a: &IssueArgs) -> Result<(), CliError> {
    let z_bytes = hexarg::decode_secret("--z", &a.z)?;
    let id = hexarg::decode("--id", &a.id)?;
    let z = MasterSecret::from_bytes(&z_bytes).map_err(|e| {
        let reason = match e {
            SakkeError::MasterSecretLength(len) => {
                format!("expected 1 to 128 octets (big-endian), got {len}")
            }
            SakkeError::MasterSecretRange => {
                "the value must be in [2, q-1] (q: the SAKKE group order)".to_string()
            }
            other => other.to_string(),
        };
        CliError::bad("--z", reason)
    })?;
    let kms = SakkeKms::from_master_secret(z);
    let rsk = kms.issue_rsk(&id).map_err(|e| match e {
        SakkeError::IdentifierCollision => CliError::bad(
            "--id",
            "collides with the master secret ((b + z) mod q = 0); the KMS must change z",
        ),
        other => hexarg::sakke_internal(other),
    })?;
    let rsk_hex = hexarg::encode_secret(&rsk.to_bytes()[..]);
    line(json!({ "rsk": rsk_hex.as_str() }))
}

fn kms_public(value: &str) -> Result<KmsPublicKey, CliError> {
    let bytes = hexarg::decode("--kms-public", value)?;
    KmsPublicKey::from_bytes(&bytes).map_err(|e| hexarg::sakke_point("--kms-public", e))
}

fn rsk(value: &str) -> Result<Rsk, CliError> {
    let bytes = hexarg::decode_secret("--rsk", value)?;
    Rsk::from_bytes(&bytes).map_err(|e| hexarg::sakke_point("--rsk", e))
}

fn validate(a: &ValidateArgs) -> Result<(), CliError> {
    let public = kms_public(&a.kms_public)?;
    let id = hexarg::decode("--id", &a.id)?;
    let rsk = rsk(&a.rsk)?;
    match KmsContext::new(&public).validate_rsk(&id, &rsk) {
        Ok(()) => line("valid"),
        Err(_) => Err(CliError::Invalid),
    }
}

fn encap(a: &EncapArgs) -> Result<(), CliError> {
    let public = kms_public(&a.kms_public)?;
    let id = hexarg::decode("--id", &a.id)?;
    let ssv = match &a.ssv {
        Some(value) => {
            let bytes = hexarg::decode_secret("--ssv", value)?;
            Some(Ssv::from_bytes(&bytes).map_err(|e| match e {
                SakkeError::SsvLength(len) => {
                    CliError::bad("--ssv", format!("expected 16 octets, got {len}"))
                }
                other => CliError::bad("--ssv", other.to_string()),
            })?)
        }
        None => None,
    };
    let ctx = KmsContext::new(&public);
    let collision = |e: SakkeError| match e {
        SakkeError::IdentifierCollision => CliError::bad(
            "--id",
            "the encapsulation degenerated for this identifier ((b + z) mod q = 0)",
        ),
        other => hexarg::sakke_internal(other),
    };
    let (ssv, sed) = match ssv {
        Some(ssv) => {
            let sed = ctx.encapsulate(&id, &ssv).map_err(collision)?;
            (ssv, sed)
        }
        None => ctx
            .encapsulate_fresh(&id, &mut OsRandom)
            .map_err(collision)?,
    };
    let ssv_hex = hexarg::encode_secret(ssv.as_bytes());
    line(json!({
        "ssv": ssv_hex.as_str(),
        "sed": hexarg::encode(sed.as_bytes()),
    }))
}

fn decap(a: &DecapArgs) -> Result<(), CliError> {
    let public = kms_public(&a.kms_public)?;
    let id = hexarg::decode("--id", &a.id)?;
    let rsk = rsk(&a.rsk)?;
    let sed_bytes = hexarg::decode("--sed", &a.sed)?;
    // The encapsulated data is received data: a bad length or point
    // encoding is a decapsulation failure, not a usage error.
    let sed = EncapsulatedData::from_bytes(&sed_bytes).map_err(|_| CliError::Invalid)?;
    let ctx = KmsContext::new(&public);
    let key = ReceiverKey::new(&ctx, &id, rsk).map_err(|_| CliError::Invalid)?;
    let ssv = key.decapsulate(&sed).map_err(|_| CliError::Invalid)?;
    line(hexarg::encode_secret(ssv.as_bytes()).as_str())
}
