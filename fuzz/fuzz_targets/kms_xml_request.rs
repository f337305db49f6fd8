//! Fuzzes the TS 33.180 Annex D document parsers (KmsRequest as a KMS
//! receives it; KmsResponse and KmsCertificate as a client receives them).
//!
//! Any input must be rejected with a typed error or parsed; a parsed document
//! must rebuild to XML that parses back to the same value (exact round trip).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey_sakke::kms::{KmsCertificate, KmsRequest, KmsResponse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(req) = KmsRequest::from_xml(text) {
        let again = KmsRequest::from_xml(&req.to_xml()).expect("rebuilt request parses");
        assert_eq!(again, req);
    }
    if let Ok(resp) = KmsResponse::from_xml(text) {
        let again = KmsResponse::from_xml(&resp.to_xml()).expect("rebuilt response parses");
        assert_eq!(again, resp);
    }
    if let Ok(cert) = KmsCertificate::from_xml(text) {
        let again = KmsCertificate::from_xml(&cert.to_xml()).expect("rebuilt certificate parses");
        assert_eq!(again, cert);
    }
});
