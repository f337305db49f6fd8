//! `msk mikey ...`: MIKEY-SAKKE (RFC 3830, RFC 6043, RFC 6509, TS 33.180
//! Annex E) subcommands.

use clap::Subcommand;

use crate::error::CliError;
use crate::{derive_cmd, mikey_initiate, mikey_inspect, mikey_receive};

/// MIKEY subcommands.
#[derive(Debug, Subcommand)]
pub enum MikeyCommand {
    /// Derive the SRTP master key (TEK) and salt from a TGK: prints JSON
    /// {"tek": .., "salt": ..} (RFC 3830 §4.1.3, RFC 6043 PRF-HMAC-SHA-256).
    Derive(derive_cmd::DeriveArgs),
    /// Decode a MIKEY message (text, SDP line, base64 or hex) to JSON: header,
    /// every payload, "signed_len" and the I_MESSAGE structure check.
    ///
    /// Octet strings are hex; enumerated fields are numbers with a `_name`
    /// field (null when unknown); IDR data also as text when printable; T
    /// also as RFC 3339 time; the key-parameters extension (type 7) also as
    /// its protected-payload fields (not decrypted); the SAKKE-to-self
    /// extension (type 6) as its nested SAKKE payload. "i_message_check" is
    /// the RFC 6509 / TS 33.180 structure check ({"ok": true}, or the error
    /// and its check id). A message that does not parse: exit 2 with the
    /// error and its check id.
    Inspect(mikey_inspect::InspectArgs),
    /// Build and sign a MIKEY-SAKKE I_MESSAGE: prints `mikey BASE64`.
    ///
    /// The identifiers are given explicitly. When --sender-id and
    /// --receiver-id are both 32 octets they are UIDs (SAKKE ID scheme 2) and
    /// the identities are hidden (TS 33.180 E.7): IDRuidi (role 8) carries
    /// --sender-id and IDRuidr (role 9) --receiver-id; the users' URIs are not
    /// carried (--receiver-uri is the GUK-ID member URI of a GMK, --sender-uri
    /// is only checked to be non-empty). Otherwise they are RFC 6509
    /// identifiers (`YYYY-MM\0URI\0`, SAKKE ID scheme 1) and the identities
    /// are not hidden: IDRi (role 1) carries --sender-uri and IDRr (role 2)
    /// --receiver-uri. IDRkmsi / IDRkmsr carry --sender-kms-uri /
    /// --receiver-kms-uri.
    ///
    /// Message layout (as the TS 33.180 sample): HDR (data type 26, V 0,
    /// PRF-HMAC-SHA-256, CSB ID; a GENERIC-ID map with cs_id 4 for a GMK or 6
    /// for a CSK, policy 0, the MKI as SPI: GMK-ID || GUK-ID, or the key id;
    /// the empty map for a PCK), T (NTP-UTC, --at or now), RAND, IDRuidi
    /// and IDRuidr (or IDRi and IDRr), IDRkmsi, IDRkmsr, SP (policy 0, the
    /// observed TS 33.180 SRTP parameters), SAKKE (the key encapsulated to --receiver-id under
    /// --receiver-kms-public), SIGN (ECCSI with --sender-ssk / --sender-pvt,
    /// validated against --sender-kpak and --sender-id first).
    Initiate(Box<mikey_initiate::InitiateArgs>),
    /// Verify and decapsulate a MIKEY-SAKKE I_MESSAGE: prints JSON with the key,
    /// its ids, RAND, the sender id and each crypto session's TEK, salt and MKI;
    /// `invalid` (exit 1) if it is rejected.
    ///
    /// The trust store is built from the message: the KMS URIs of IDRkmsi and
    /// IDRkmsr are trusted with --sender-kpak (the signature) and
    /// --receiver-kms-public (decapsulation); their key period parameters are
    /// not needed. The receiver's key set has the identifier --receiver-id and
    /// matches an IDRuidr (role 9) equal to it. With IDRr (role 2, a URI) or
    /// IDRi (role 1) instead, the identifier is computed from the URI, which
    /// works only for SAKKE ID scheme 1 (RFC 6509 monthly identifiers): hashed
    /// UIDs would need the KMS's key period parameters.
    ///
    /// A GMK's key_id (GMK-ID) is recovered from the GUK-ID with the receiver's
    /// URI (--receiver-uri, else the IDRr URI) as TS 33.180 F.1.3 says;
    /// without a URI it is the GMK-ID of the GMK-ID || GUK-ID MKI (SPI) of the
    /// GENERIC-ID map, or null if the message has none.
    ///
    /// Exit 1 (`invalid` on stdout, the reason and its check id on stderr)
    /// whenever the decoded message is rejected: malformed structure
    /// (truncated, bad lengths, wrong data type, unsupported parameters),
    /// signature, decapsulation, time window (|T - now| > --window), not
    /// addressed to --receiver-id, key type, key parameters. Exit 2 when
    /// MESSAGE is not decodable text (base64, hex, SDP line), for malformed
    /// other arguments, and for key arguments that do not parse or validate
    /// (an RSK that does not validate for --receiver-id).
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
