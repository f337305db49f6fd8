//! Fuzzes the MIKEY text decoders: `mikey <base64>` and the SDP attribute
//! `a=key-mgmt:mikey <base64>` (RFC 4567).
//!
//! Arbitrary strings go to `decode_text` and `decode_sdp_attribute` (also with the
//! prefixes prepended, so that the base64 decoder is reached). Whatever decodes
//! must re-encode to a string that decodes to the same octets. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey_sakke::mikey::{
    decode_sdp_attribute, decode_text, encode_sdp_attribute, encode_text, Message,
};

fuzz_target!(|s: &str| {
    for candidate in [
        s.to_string(),
        format!("mikey {s}"),
        format!("a=key-mgmt:mikey {s}"),
    ] {
        if let Ok(bytes) = decode_text(&candidate) {
            assert_eq!(decode_text(&encode_text(&bytes)).as_deref(), Ok(&bytes[..]));
            let _ = Message::parse(&bytes);
        }
        if let Ok(bytes) = decode_sdp_attribute(&candidate) {
            assert_eq!(
                decode_sdp_attribute(&encode_sdp_attribute(&bytes)).as_deref(),
                Ok(&bytes[..])
            );
        }
    }
});
