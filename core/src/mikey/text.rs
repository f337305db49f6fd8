//! The text forms of a MIKEY message: `mikey <base64>` and the SDP attribute
//! `a=key-mgmt:mikey <base64>` (RFC 4567; SPEC §5.1).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::MikeyError;

/// The RFC 4567 protocol identifier of MIKEY.
pub const PROTOCOL_ID: &str = "mikey";

/// The SDP attribute prefix (RFC 4567).
pub const SDP_ATTRIBUTE_PREFIX: &str = "a=key-mgmt:";

/// `"mikey " + base64(message)` (standard alphabet, padded, no line breaks).
pub fn encode_text(message: &[u8]) -> String {
    let mut s = String::with_capacity(6 + message.len().div_ceil(3) * 4);
    s.push_str(PROTOCOL_ID);
    s.push(' ');
    s.push_str(&STANDARD.encode(message));
    s
}

/// Decodes `mikey <base64>`: surrounding whitespace is ignored, the `mikey` token
/// must be followed by at least one whitespace character, and the base64 must be
/// strict (RFC 4648 alphabet, canonical padding, no embedded whitespace). Any
/// failure is [`MikeyError::Text`] (checklist E1).
pub fn decode_text(text: &str) -> Result<Vec<u8>, MikeyError> {
    let t = text.trim();
    let rest = t
        .strip_prefix(PROTOCOL_ID)
        .ok_or(MikeyError::Text("missing 'mikey' protocol identifier"))?;
    if !rest.starts_with(|c: char| c.is_ascii_whitespace()) {
        return Err(MikeyError::Text("no whitespace after 'mikey'"));
    }
    let b64 = rest.trim_start();
    if b64.is_empty() {
        return Err(MikeyError::Text("empty key-management data"));
    }
    STANDARD
        .decode(b64)
        .map_err(|_| MikeyError::Text("malformed base64"))
}

/// `"a=key-mgmt:mikey " + base64(message)` (RFC 4567).
pub fn encode_sdp_attribute(message: &[u8]) -> String {
    let mut s = String::from(SDP_ATTRIBUTE_PREFIX);
    s.push_str(&encode_text(message));
    s
}

/// Decodes an SDP line `a=key-mgmt:mikey <base64>` (surrounding whitespace, including
/// a final CRLF, ignored). Fails with [`MikeyError::Text`] (E1) if the line is not a
/// `key-mgmt` attribute with protocol `mikey` or the base64 is malformed.
pub fn decode_sdp_attribute(line: &str) -> Result<Vec<u8>, MikeyError> {
    let rest = line
        .trim()
        .strip_prefix(SDP_ATTRIBUTE_PREFIX)
        .ok_or(MikeyError::Text("not an a=key-mgmt attribute"))?;
    decode_text(rest)
}
