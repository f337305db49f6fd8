//! Fuzzes SRTP unprotection (RFC 3711 §3.3, RFC 7714 §8, RFC 4771) and the
//! RTP header parser.
//!
//! Input layout: one selector octet, then the packet. The selector picks the
//! profile (`s % 6`), whether the context uses a 4-octet MKI (bit 3) and
//! whether RCCm3 ROC carriage is on (bit 4, AEAD profiles only).
//!
//! Every input is given to `unprotect_rtp` as is (must not panic; must fail
//! unless it happens to carry a valid tag). If the input is a well-formed
//! RTP packet, it is also protected, the result must unprotect to the same
//! octets, and the same packet again must be rejected as a replay.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey_sakke::srtp::{Profile, SrtpContext, SrtpError, SrtpOptions, SrtpPolicy};

const MKI: [u8; 4] = [0x0e, 0xed, 0x18, 0xca];

fn context(selector: u8) -> SrtpContext {
    let profile = Profile::ALL[usize::from(selector % 6)];
    let mut policy = SrtpPolicy::new(profile);
    if selector & 0x10 != 0 && profile.is_aead() {
        policy = policy.with_rccm3(1).expect("AEAD");
    }
    let options = SrtpOptions {
        mki: (selector & 0x08 != 0).then_some(&MKI[..]),
        ..SrtpOptions::default()
    };
    let key = vec![0x5a; profile.master_key_len()];
    let salt = vec![0xa5; profile.master_salt_len()];
    SrtpContext::new(policy, &key, &salt, &options).expect("context")
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, packet)) = data.split_first() else {
        return;
    };
    let mut rx = context(selector);
    let mut buf = packet.to_vec();
    let _ = rx.unprotect_rtp_in_place(&mut buf);
    let _ = rx.rtp_packet_mki(packet);

    // Round trip through a fresh sender and receiver.
    let mut tx = context(selector);
    let mut rx = context(selector);
    let mut p = packet.to_vec();
    if tx.protect_rtp(&mut p).is_ok() {
        let protected = p.clone();
        rx.unprotect_rtp(&mut p).expect("own packet must unprotect");
        assert_eq!(p, packet, "round trip changed the packet");
        let mut again = protected;
        assert!(matches!(
            rx.unprotect_rtp(&mut again),
            Err(SrtpError::ReplayDuplicate { .. })
        ));
    }
});
