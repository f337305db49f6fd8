//! Hex-encoded command-line arguments, and the messages for malformed ones.

use mikey_sakke::eccsi::EccsiError;
use mikey_sakke::sakke::SakkeError;
use zeroize::Zeroizing;

use crate::error::CliError;

/// Decodes the hex value of argument `arg` (surrounding white space is
/// ignored; upper-case digits are accepted).
pub fn decode(arg: &'static str, value: &str) -> Result<Vec<u8>, CliError> {
    hex::decode(value.trim()).map_err(|e| {
        let reason = match e {
            hex::FromHexError::OddLength => "invalid hex: odd number of hex digits".to_string(),
            // The offending character is not echoed: the value may be a secret.
            hex::FromHexError::InvalidHexCharacter { index, .. } => {
                format!("invalid hex: non-hex character at position {index}")
            }
            other => format!("invalid hex: {other}"),
        };
        CliError::bad(arg, reason)
    })
}

/// [`decode`] for a secret value: the octets are zeroized when dropped.
pub fn decode_secret(arg: &'static str, value: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    decode(arg, value).map(Zeroizing::new)
}

/// Lower-case hex of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Lower-case hex of secret `bytes`, zeroized when dropped.
pub fn encode_secret(bytes: &[u8]) -> Zeroizing<String> {
    Zeroizing::new(hex::encode(bytes))
}

/// The message for an ECCSI point (KPAK, PVT) that does not decode.
pub fn eccsi_point(arg: &'static str, e: EccsiError) -> CliError {
    let reason = match e {
        EccsiError::PointLength { len } => {
            format!("expected 65 octets (0x04 || x || y), got {len}")
        }
        EccsiError::PointPrefix { prefix } => {
            format!("expected an uncompressed point (0x04 || x || y), got prefix 0x{prefix:02x}")
        }
        EccsiError::CoordinateOutOfRange => {
            "a coordinate is not less than the P-256 field prime".to_string()
        }
        EccsiError::PointNotOnCurve => "the point is not on the P-256 curve".to_string(),
        EccsiError::PointAtInfinity => "the point at infinity is not allowed".to_string(),
        other => other.to_string(),
    };
    CliError::bad(arg, reason)
}

/// The message for an ECCSI secret scalar (KSAK, SSK) that does not decode.
pub fn eccsi_scalar(arg: &'static str, e: EccsiError) -> CliError {
    let reason = match e {
        EccsiError::ScalarLength { len } => format!("expected 32 octets, got {len}"),
        EccsiError::ScalarOutOfRange => {
            "the value must be in [1, q-1] (q: the P-256 group order)".to_string()
        }
        other => other.to_string(),
    };
    CliError::bad(arg, reason)
}

/// The message for a SAKKE point (Z, RSK) that does not decode.
pub fn sakke_point(arg: &'static str, e: SakkeError) -> CliError {
    let reason = match e {
        SakkeError::PointLength(len) => {
            format!("expected 257 octets (0x04 || x || y), got {len}")
        }
        SakkeError::PointFormat(prefix) => {
            format!("expected an uncompressed point (0x04 || x || y), got prefix 0x{prefix:02x}")
        }
        SakkeError::CoordinateRange => {
            "a coordinate is not less than the SAKKE field prime p".to_string()
        }
        SakkeError::NotOnCurve => "the point is not on the SAKKE curve y^2 = x^3 - 3x".to_string(),
        SakkeError::NotInSubgroup => "the point is not in the order-q subgroup".to_string(),
        other => other.to_string(),
    };
    CliError::bad(arg, reason)
}

/// Maps an error of an ECCSI operation that can only fail through the random
/// generator.
pub fn eccsi_internal(e: EccsiError) -> CliError {
    CliError::Internal(e.to_string())
}

/// Maps an error of a SAKKE operation that can only fail through the random
/// generator.
pub fn sakke_internal(e: SakkeError) -> CliError {
    CliError::Internal(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_cases_and_trims() {
        assert_eq!(decode("--x", " 0aFf\n").ok(), Some(vec![0x0a, 0xff]));
        assert_eq!(decode("--x", "").ok(), Some(vec![]));
    }

    #[test]
    fn names_the_argument() {
        match decode("--id", "0g") {
            Err(CliError::BadInput { arg, reason }) => {
                assert_eq!(arg, "--id");
                assert!(reason.starts_with("invalid hex"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            decode("--id", "abc"),
            Err(CliError::BadInput { arg: "--id", .. })
        ));
    }

    #[test]
    fn point_length_message() {
        match eccsi_point("--kpak", EccsiError::PointLength { len: 64 }) {
            CliError::BadInput { arg, reason } => {
                assert_eq!(arg, "--kpak");
                assert_eq!(reason, "expected 65 octets (0x04 || x || y), got 64");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
