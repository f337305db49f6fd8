//! Fuzzes SRTCP unprotection (RFC 3711 §3.4, RFC 7714 §9, E = 1 and E = 0).
//!
//! Input layout: one selector octet, then the packet. The selector picks the
//! profile (`s % 6`), whether the context uses a 4-octet MKI (bit 3) and
//! whether the sender encrypts SRTCP (bit 4 clear) or not (E = 0).
//!
//! Every input is given to `unprotect_rtcp` as is (must not panic). If the
//! input is acceptable RTCP, it is also protected, the result must
//! unprotect to the same octets, and a replay must be rejected.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey_sakke::srtp::{Profile, SrtpContext, SrtpError, SrtpOptions, SrtpPolicy};

const MKI: [u8; 4] = [0x0e, 0xed, 0x18, 0xca];

fn context(selector: u8) -> SrtpContext {
    let profile = Profile::ALL[usize::from(selector % 6)];
    let policy = SrtpPolicy::new(profile).with_srtcp_encryption(selector & 0x10 == 0);
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
    let _ = rx.unprotect_rtcp_in_place(&mut buf);
    let _ = rx.rtcp_packet_mki(packet);

    let mut tx = context(selector);
    let mut rx = context(selector);
    let mut p = packet.to_vec();
    if tx.protect_rtcp(&mut p).is_ok() {
        let protected = p.clone();
        rx.unprotect_rtcp(&mut p).expect("own packet must unprotect");
        assert_eq!(p, packet, "round trip changed the packet");
        let mut again = protected;
        assert!(matches!(
            rx.unprotect_rtcp(&mut again),
            Err(SrtpError::ReplayDuplicate { .. })
        ));
    }
});
