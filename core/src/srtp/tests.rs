//! Unit tests with the RFC 7714 §16–17 vectors, which give session keys
//! directly (no KDF), so they need the crate-internal constructor.

use serde_json::Value;

use super::{Profile, SessionKeys, SrtpContext, SrtpError, SrtpOptions, SrtpPolicy};

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../tests/data/rfc7714_srtp_aes_gcm.json"))
        .expect("vector JSON")
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("hex")
}

fn context(profile: Profile, v: &Value, srtcp_encryption: bool) -> SrtpContext {
    let key = h(&v["session_key"]);
    let salt = h(&v["session_salt"]);
    let keys = SessionKeys::new(&key, &salt, None).expect("keys");
    let policy = SrtpPolicy::new(profile).with_srtcp_encryption(srtcp_encryption);
    SrtpContext::from_session_keys(policy, &keys, &keys, &SrtpOptions::default()).expect("context")
}

#[test]
fn rfc7714_rtp_and_rtcp_vectors() {
    let all = vectors();
    for (name, profile) in [
        ("AEAD_AES_128_GCM", Profile::AeadAes128Gcm),
        ("AEAD_AES_256_GCM", Profile::AeadAes256Gcm),
    ] {
        let v = &all["vectors"][name];
        // RTP, ROC 0, SEQ 61819.
        let mut tx = context(profile, v, true);
        let mut packet = h(&v["rtp"]["plaintext"]);
        tx.protect_rtp(&mut packet).expect("protect");
        assert_eq!(
            hex::encode(&packet),
            v["rtp"]["protected"].as_str().unwrap(),
            "{name}"
        );
        let mut rx = context(profile, v, true);
        rx.unprotect_rtp(&mut packet).expect("unprotect");
        assert_eq!(packet, h(&v["rtp"]["plaintext"]));
        let mut again = h(&v["rtp"]["protected"]);
        assert_eq!(
            rx.unprotect_rtp(&mut again),
            Err(SrtpError::ReplayDuplicate { index: 61819 })
        );

        // SRTCP with E = 1 and E = 0, index 0x5d4.
        for (case, enc) in [("rtcp_encrypted", true), ("rtcp_auth_only", false)] {
            let c = &v[case];
            let mut tx = context(profile, v, enc);
            tx.set_srtcp_index(0x4d61_7273, 1492).expect("index");
            let mut packet = h(&c["plaintext"]);
            tx.protect_rtcp(&mut packet).expect("protect");
            assert_eq!(
                hex::encode(&packet),
                c["protected"].as_str().unwrap(),
                "{name} {case}"
            );
            let mut rx = context(profile, v, !enc);
            rx.unprotect_rtcp(&mut packet).expect("unprotect");
            assert_eq!(packet, h(&c["plaintext"]), "{name} {case}");
            // A flipped tag bit fails and leaves the packet unchanged.
            let mut bad = h(&c["protected"]);
            let n = bad.len();
            bad[n - 5] ^= 1;
            let before = bad.clone();
            let mut rx = context(profile, v, enc);
            assert_eq!(
                rx.unprotect_rtcp(&mut bad),
                Err(SrtpError::AuthenticationFailed)
            );
            assert_eq!(bad, before);
        }
    }
}
