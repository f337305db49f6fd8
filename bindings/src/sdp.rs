//! SDP `a=key-mgmt:mikey` helpers (RFC 4567 §3.1, TS 24.379 §6.2): the
//! I_MESSAGE travels in the SDP offer of the SIP INVITE.

use mikey_sakke::mikey::{decode_sdp_attribute, decode_text, encode_sdp_attribute};

use crate::MikeySakkeError;

/// The SDP attribute line (`a=key-mgmt:mikey <base64>`, no line break) for
/// a message in the text form `initiate` returns (`mikey <base64>`).
#[uniffi::export]
pub fn sdp_key_mgmt_attribute(message: String) -> Result<String, MikeySakkeError> {
    Ok(encode_sdp_attribute(&decode_text(&message)?))
}

/// The message (text form, for `Device.receive`) in an SDP body or a single
/// `a=key-mgmt` line. Exactly one `a=key-mgmt:mikey` attribute must be
/// present (session or media level).
#[uniffi::export]
pub fn message_from_sdp(sdp: String) -> Result<String, MikeySakkeError> {
    let mut found = None;
    for line in sdp.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with("a=key-mgmt:") {
            let bytes = decode_sdp_attribute(line)?;
            if found.replace(bytes).is_some() {
                return Err(MikeySakkeError::MalformedMessage {
                    reason: "more than one a=key-mgmt attribute".into(),
                });
            }
        }
    }
    let bytes = found.ok_or_else(|| MikeySakkeError::MalformedMessage {
        reason: "no a=key-mgmt attribute".into(),
    })?;
    Ok(mikey_sakke::mikey::encode_text(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_round_trip() {
        let text = "mikey AQIDBA==".to_string();
        let line = sdp_key_mgmt_attribute(text.clone()).unwrap();
        assert_eq!(line, "a=key-mgmt:mikey AQIDBA==");
        let sdp = format!("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n{line}\r\nm=audio 4000 RTP/SAVP 0\r\n");
        assert_eq!(message_from_sdp(sdp).unwrap(), text);
    }

    #[test]
    fn rejects_missing_duplicate_and_bad() {
        assert!(matches!(
            message_from_sdp("v=0\r\n".into()),
            Err(MikeySakkeError::MalformedMessage { .. })
        ));
        let two = "a=key-mgmt:mikey AQ==\na=key-mgmt:mikey Ag==\n".to_string();
        assert!(matches!(
            message_from_sdp(two),
            Err(MikeySakkeError::MalformedMessage { .. })
        ));
        assert!(matches!(
            message_from_sdp("a=key-mgmt:mikey !!".into()),
            Err(MikeySakkeError::MalformedMessage { .. })
        ));
        assert!(matches!(
            sdp_key_mgmt_attribute("kerberos AQ==".into()),
            Err(MikeySakkeError::MalformedMessage { .. })
        ));
    }
}
