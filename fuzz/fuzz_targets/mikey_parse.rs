//! Fuzzes the MIKEY message codec (RFC 3830 §6, RFC 6509 §4).
//!
//! The input is parsed with `Message::parse`; when it is accepted, encoding the
//! parsed message must reproduce the input exactly, and parsing that again must
//! give the same message. `Message::check_i_message`, the signed-length computation
//! and the key-parameters view are exercised as well. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey_sakke::mikey::key_params::ProtectedPayload;
use mikey_sakke::mikey::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Message::parse(data) {
        let bytes = m.to_bytes().expect("a parsed message encodes");
        assert_eq!(bytes, data, "build(parse(x)) must equal x");
        let again = Message::parse(&bytes).expect("an encoded message parses");
        assert_eq!(again, m, "parse(build(m)) must equal m");
        let _ = m.check_i_message();
        if let Some(len) = m.signed_len().expect("signed length") {
            assert!(len <= data.len());
        }
        if let Some(kp) = m.key_parameters() {
            if let Ok(p) = ProtectedPayload::parse(kp) {
                assert_eq!(p.to_bytes().expect("encodes"), kp);
            }
        }
    }
});
