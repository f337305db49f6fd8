//! mikey-sakke SRTP/SRTCP against libsrtp2: packets protected by one are
//! unprotected by the other, for every profile, with and without MKI, across
//! a ROC wrap; and both produce the same octets for the same input.
//!
//! A profile the installed libsrtp2 does not support (e.g. GCM in a build
//! without OpenSSL/NSS) is detected through libsrtp's error at session
//! creation and makes the test fail with a message naming it, unless
//! `LIBSRTP_INTEROP_ALLOW_UNSUPPORTED=1` is set, in which case it is
//! reported on stderr as not tested.

use libsrtp_interop::{Params, Session, Status};
use mikey_sakke::srtp::{Profile, SrtpContext, SrtpError, SrtpOptions, SrtpPolicy};

const SSRC: u32 = 0x0bad_cafe;
const MKIS: [Option<&[u8]>; 3] = [
    None,
    Some(&[0xa5, 0x01, 0x02, 0x03]),
    Some(&[0x0e, 0xed, 0x18, 0xca, 0x0e, 0x4d, 0xe7, 0x01]),
];

fn key_salt(profile: Profile) -> (Vec<u8>, Vec<u8>) {
    let key = (0..profile.master_key_len())
        .map(|i| (i as u8).wrapping_mul(31) ^ 0x3c)
        .collect();
    let salt = (0..profile.master_salt_len())
        .map(|i| (i as u8).wrapping_mul(17) ^ 0xa1)
        .collect();
    (key, salt)
}

fn rtp(seq: u16, csrc: bool) -> Vec<u8> {
    let mut p = vec![if csrc { 0x91 } else { 0x80 }, 0x60];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&SSRC.to_be_bytes());
    if csrc {
        p.extend_from_slice(&0x1111_2222u32.to_be_bytes());
        p.extend_from_slice(&[0xbe, 0xde, 0x00, 0x01, 0x22, 0xaa, 0xbb, 0x00]);
    }
    p.extend((0..160u32).map(|i| (i as u8) ^ (seq as u8)));
    p
}

fn rtcp(n: u8) -> Vec<u8> {
    let mut p = vec![0x80, 0xc9, 0x00, 0x07];
    p.extend_from_slice(&SSRC.to_be_bytes());
    p.extend(std::iter::repeat_n(n, 24));
    p
}

/// Sequence numbers crossing the wrap into ROC 1.
fn seqs() -> Vec<u16> {
    (65530..=65535).chain(0..6).collect()
}

fn ours(
    profile: Profile,
    mki: Option<&[u8]>,
    srtcp_encrypt: bool,
    srtcp_start: u32,
) -> SrtpContext {
    let (k, s) = key_salt(profile);
    let policy = SrtpPolicy::new(profile).with_srtcp_encryption(srtcp_encrypt);
    let options = SrtpOptions {
        mki,
        initial_srtcp_index: srtcp_start,
        ..SrtpOptions::default()
    };
    SrtpContext::new(policy, &k, &s, &options).expect("context")
}

/// libsrtp sessions (outbound, inbound), or `None` if libsrtp rejects the profile.
fn theirs(
    profile: Profile,
    mki: Option<&[u8]>,
    srtcp_encrypt: bool,
    unsupported: &mut Vec<String>,
) -> Option<(Session, Session)> {
    let (k, s) = key_salt(profile);
    let n = Profile::ALL
        .iter()
        .position(|p| *p == profile)
        .expect("profile");
    let params = Params {
        profile: n,
        key: &k,
        salt: &s,
        mki,
        srtcp_encrypt,
    };
    match (Session::new(&params, true), Session::new(&params, false)) {
        (Ok(tx), Ok(rx)) => Some((tx, rx)),
        (Err(e), _) | (_, Err(e)) => {
            let msg = format!("{profile}: the installed libsrtp2 rejects it ({e})");
            if !unsupported.contains(&msg) {
                unsupported.push(msg);
            }
            None
        }
    }
}

fn finish(unsupported: Vec<String>, what: &str) {
    if unsupported.is_empty() {
        return;
    }
    let list = unsupported.join("; ");
    if std::env::var("LIBSRTP_INTEROP_ALLOW_UNSUPPORTED").as_deref() == Ok("1") {
        eprintln!("NOT TESTED against libsrtp2 ({what}): {list}");
    } else {
        panic!("profiles not supported by the installed libsrtp2 ({what}): {list} (set LIBSRTP_INTEROP_ALLOW_UNSUPPORTED=1 to accept)");
    }
}

#[test]
fn srtp_both_directions_across_roc_wrap() {
    let mut unsupported = Vec::new();
    for profile in Profile::ALL {
        for mki in MKIS {
            for csrc in [false, true] {
                let Some((mut their_tx, mut their_rx)) =
                    theirs(profile, mki, true, &mut unsupported)
                else {
                    continue;
                };
                let mut our_tx = ours(profile, mki, true, 1);
                let mut our_rx = ours(profile, mki, true, 1);
                for seq in seqs() {
                    let plain = rtp(seq, csrc);
                    // Ours -> libsrtp.
                    let mut a = plain.clone();
                    our_tx.protect_rtp(&mut a).unwrap();
                    let mut b = plain.clone();
                    their_tx.protect_rtp(&mut b).unwrap();
                    assert_eq!(
                        hex(&a),
                        hex(&b),
                        "{profile} mki={mki:?} seq {seq}: same SRTP octets"
                    );
                    their_rx.unprotect_rtp(&mut a).unwrap_or_else(|e| {
                        panic!("{profile} seq {seq}: libsrtp rejects ours: {e}")
                    });
                    assert_eq!(a, plain);
                    // libsrtp -> ours.
                    our_rx.unprotect_rtp(&mut b).unwrap_or_else(|e| {
                        panic!("{profile} seq {seq}: we reject libsrtp's: {e}")
                    });
                    assert_eq!(b, plain);
                }
                assert_eq!(our_tx.send_roc(SSRC), Some(1));
                assert_eq!(our_rx.recv_roc(SSRC), Some(1));
                assert_eq!(their_tx.roc(SSRC), Ok(1), "{profile}: libsrtp sender ROC");
                assert_eq!(their_rx.roc(SSRC), Ok(1), "{profile}: libsrtp receiver ROC");
                // A replayed packet is refused by both.
                let mut again = rtp(3, csrc);
                let mut t = Session::new(
                    &Params {
                        profile: Profile::ALL.iter().position(|p| *p == profile).unwrap(),
                        key: &key_salt(profile).0,
                        salt: &key_salt(profile).1,
                        mki,
                        srtcp_encrypt: true,
                    },
                    true,
                )
                .unwrap();
                t.protect_rtp(&mut again).unwrap();
                assert!(matches!(
                    our_rx.unprotect_rtp(&mut again.clone()),
                    Err(SrtpError::ReplayDuplicate { .. })
                ));
                assert_eq!(their_rx.unprotect_rtp(&mut again), Err(Status::REPLAY_FAIL));
            }
        }
    }
    finish(unsupported, "SRTP");
}

#[test]
fn srtcp_both_directions() {
    let mut unsupported = Vec::new();
    for profile in Profile::ALL {
        for mki in MKIS {
            for encrypt in [true, false] {
                let Some((mut their_tx, mut their_rx)) =
                    theirs(profile, mki, encrypt, &mut unsupported)
                else {
                    continue;
                };
                // libsrtp's first SRTCP index is 1.
                let mut our_tx = ours(profile, mki, encrypt, 1);
                let mut our_rx = ours(profile, mki, encrypt, 1);
                for n in 0..20u8 {
                    let plain = rtcp(n);
                    let mut a = plain.clone();
                    our_tx.protect_rtcp(&mut a).unwrap();
                    let mut b = plain.clone();
                    their_tx.protect_rtcp(&mut b).unwrap();
                    assert_eq!(
                        hex(&a),
                        hex(&b),
                        "{profile} mki={mki:?} E={encrypt} #{n}: same SRTCP octets"
                    );
                    match their_rx.unprotect_rtcp(&mut a) {
                        Ok(()) => assert_eq!(a, plain),
                        // libsrtp2 2.x looks for the SRTCP MKI before the
                        // *SRTP* tag length (4 for the _32 suites) and so
                        // rejects its own packets; ours are octet for octet
                        // the same (checked above).
                        Err(Status::BAD_MKI) if mki.is_some() && profile.srtp_tag_len() == 4 => {
                            let (_, mut fresh) =
                                theirs(profile, mki, encrypt, &mut unsupported).expect("session");
                            assert_eq!(fresh.unprotect_rtcp(&mut b.clone()), Err(Status::BAD_MKI));
                            if n == 0 {
                                eprintln!("libsrtp2 limitation: {profile} SRTCP with MKI is rejected by libsrtp2 itself (bad_mki), also for its own packets; direction ours -> libsrtp2 covered by identical octets only");
                            }
                        }
                        Err(e) => panic!(
                            "{profile} mki={mki:?} E={encrypt} #{n}: libsrtp rejects ours: {e}"
                        ),
                    }
                    our_rx.unprotect_rtcp(&mut b).unwrap_or_else(|e| {
                        panic!("{profile} E={encrypt}: we reject libsrtp's: {e}")
                    });
                    assert_eq!(b, plain);
                }
            }
        }
    }
    finish(unsupported, "SRTCP");
}

#[test]
fn tampered_packets_rejected_by_both() {
    let mut unsupported = Vec::new();
    for profile in Profile::ALL {
        let Some((mut their_tx, mut their_rx)) = theirs(profile, None, true, &mut unsupported)
        else {
            continue;
        };
        let mut our_rx = ours(profile, None, true, 1);
        let mut p = rtp(100, false);
        their_tx.protect_rtp(&mut p).unwrap();
        let n = p.len();
        p[n - 1] ^= 0x80;
        assert_eq!(
            our_rx.unprotect_rtp(&mut p.clone()),
            Err(SrtpError::AuthenticationFailed)
        );
        assert_eq!(their_rx.unprotect_rtp(&mut p), Err(Status::AUTH_FAIL));
    }
    finish(unsupported, "tampering");
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
