//! SRTP/SRTCP against the RFC 3711, RFC 6188 and NIST ACVP vectors, plus
//! round trips, ROC wrap, replay, tampering, MKI and RCC behaviour.

use mikey_sakke::srtp::{
    aes_cm_xor, derive_session_keys, prf, Profile, SrtpContext, SrtpError, SrtpOptions, SrtpPolicy,
    SrtpPolicyParams,
};
use proptest::prelude::*;
use serde_json::Value;

fn data(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("read vector file")).expect("JSON")
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("hex")
}

fn hx(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

fn counter(v: &Value) -> [u8; 16] {
    h(v).try_into().expect("16 octets")
}

/// Checks the keystream blocks of RFC 3711 B.2 / RFC 6188 §7.1, §7.3.
fn check_keystream(key: &[u8], first: &[u8; 16], blocks: &Value) {
    let mut ks = vec![0u8; 0xff02 * 16];
    aes_cm_xor(key, first, &mut ks).expect("keystream");
    for (ctr, expected) in blocks.as_object().expect("blocks") {
        let j = usize::from_str_radix(ctr, 16).expect("counter");
        assert_eq!(
            hex::encode(&ks[j * 16..j * 16 + 16]),
            expected.as_str().unwrap(),
            "block {ctr}"
        );
    }
}

#[test]
fn rfc3711_b2_keystream() {
    let v = &data("rfc3711_srtp_kdf_keystream.json")["b2_aes_cm_keystream"];
    check_keystream(
        &h(&v["session_key"]),
        &counter(&v["first_counter"]),
        &v["keystream_blocks_by_counter_low16"],
    );
}

#[test]
fn rfc6188_keystreams() {
    let all = data("rfc6188_srtp_aes192_256.json");
    for case in ["aes256_cm_keystream_7_1", "aes192_cm_keystream_7_3"] {
        let v = &all[case];
        check_keystream(
            &h(&v["session_key"]),
            &counter(&v["first_counter"]),
            &v["keystream_blocks_by_counter_low16"],
        );
    }
}

#[test]
fn rfc3711_b3_key_derivation() {
    let v = &data("rfc3711_srtp_kdf_keystream.json")["b3_key_derivation"];
    let (mk, ms) = (h(&v["master_key"]), h(&v["master_salt"]));
    let keys =
        derive_session_keys(Profile::AesCm128HmacSha1_80, &mk, &ms, 0, 0, 0).expect("derive");
    assert_eq!(keys.srtp.cipher_key().as_bytes(), h(&v["cipher_key"]));
    assert_eq!(keys.srtp.salt().as_bytes(), h(&v["cipher_salt"]));
    assert_eq!(
        keys.srtp.auth_key().expect("auth key").as_bytes(),
        h(&v["auth_key_20_octets"])
    );
    // The full 94-octet label-1 output of B.3.
    let mut long = [0u8; 94];
    prf(&mk, &ms, 0, 1, 0, &mut long).expect("prf");
    assert_eq!(long.to_vec(), h(&v["auth_key_94_octets"]));
    // Same keys for any index with kdr = 0.
    let again = derive_session_keys(Profile::AesCm128HmacSha1_80, &mk, &ms, 0, 123_456_789, 77)
        .expect("derive");
    assert_eq!(again.srtp.cipher_key().as_bytes(), h(&v["cipher_key"]));
}

#[test]
fn nist_acvp_kdr_cases() {
    let v = &data("rfc3711_srtp_kdf_keystream.json")["kdf_with_kdr_nist_acvp"]["cases"];
    let cases = v.as_array().expect("cases");
    assert_eq!(cases.len(), 18);
    for c in cases {
        let idx = u64::from_str_radix(c["index"].as_str().unwrap(), 16).unwrap();
        let label = u8::try_from(c["label"].as_u64().unwrap()).unwrap();
        let expected = h(&c["output"]);
        let mut out = vec![0u8; expected.len()];
        prf(
            &h(&c["master_key"]),
            &h(&c["master_salt"]),
            c["key_derivation_rate"].as_u64().unwrap(),
            label,
            idx,
            &mut out,
        )
        .expect("prf");
        assert_eq!(
            out, expected,
            "label {label} kdr {}",
            c["key_derivation_rate"]
        );
        // The same through derive_session_keys.
        let kdr = c["key_derivation_rate"].as_u64().unwrap();
        let (srtp_i, srtcp_i) = if label < 3 {
            (idx, 0)
        } else {
            (0, u32::try_from(idx).unwrap())
        };
        let keys = derive_session_keys(
            Profile::AesCm128HmacSha1_80,
            &h(&c["master_key"]),
            &h(&c["master_salt"]),
            kdr,
            srtp_i,
            srtcp_i,
        )
        .expect("derive");
        let got = match label {
            0 => keys.srtp.cipher_key().as_bytes().to_vec(),
            1 => keys.srtp.auth_key().unwrap().as_bytes().to_vec(),
            2 => keys.srtp.salt().as_bytes().to_vec(),
            3 => keys.srtcp.cipher_key().as_bytes().to_vec(),
            4 => keys.srtcp.auth_key().unwrap().as_bytes().to_vec(),
            _ => keys.srtcp.salt().as_bytes().to_vec(),
        };
        assert_eq!(got, expected);
    }
}

#[test]
fn rfc6188_prf_and_extra_packet() {
    let all = data("rfc6188_srtp_aes192_256.json");
    let v = &all["aes256_cm_prf_7_2"];
    let keys = derive_session_keys(
        Profile::Aes256CmHmacSha1_80,
        &h(&v["master_key"]),
        &h(&v["master_salt"]),
        0,
        0,
        0,
    )
    .unwrap();
    assert_eq!(keys.srtp.cipher_key().as_bytes(), h(&v["cipher_key"]));
    assert_eq!(keys.srtp.salt().as_bytes(), h(&v["cipher_salt"]));
    assert_eq!(keys.srtp.auth_key().unwrap().as_bytes(), h(&v["auth_key"]));
    let x = &all["extra_aes256_packet"]["session_keys"];
    assert_eq!(
        keys.srtcp.cipher_key().as_bytes(),
        h(&x["srtcp_encryption_key"])
    );
    assert_eq!(keys.srtcp.salt().as_bytes(), h(&x["srtcp_salt"]));
    assert_eq!(
        keys.srtcp.auth_key().unwrap().as_bytes(),
        h(&x["srtcp_auth_key"])
    );

    // AES-192 PRF (§7.4): no profile uses it, the PRF does.
    let v = &all["aes192_cm_prf_7_4"];
    let (mk, ms) = (h(&v["master_key"]), h(&v["master_salt"]));
    for (label, field) in [(0u8, "cipher_key"), (1, "auth_key"), (2, "cipher_salt")] {
        let expected = h(&v[field]);
        let mut out = vec![0; expected.len()];
        prf(&mk, &ms, 0, label, 0, &mut out).unwrap();
        assert_eq!(out, expected, "{field}");
    }

    // The extra AES_256_CM_HMAC_SHA1_80 packet.
    let p = &all["extra_aes256_packet"];
    let v = &all["aes256_cm_prf_7_2"];
    let mut tx = SrtpContext::new(
        Profile::Aes256CmHmacSha1_80,
        &h(&v["master_key"]),
        &h(&v["master_salt"]),
        &SrtpOptions::default(),
    )
    .unwrap();
    let mut packet = h(&p["rtp"]);
    tx.protect_rtp(&mut packet).unwrap();
    assert_eq!(hex::encode(&packet), p["srtp"].as_str().unwrap());
    let mut rx = SrtpContext::new(
        Profile::Aes256CmHmacSha1_80,
        &h(&v["master_key"]),
        &h(&v["master_salt"]),
        &SrtpOptions::default(),
    )
    .unwrap();
    rx.unprotect_rtp(&mut packet).unwrap();
    assert_eq!(packet, h(&p["rtp"]));
}

// ---------------------------------------------------------------- helpers

fn key_salt(profile: Profile) -> (Vec<u8>, Vec<u8>) {
    let key = (0..profile.master_key_len())
        .map(|i| i as u8 ^ 0x5a)
        .collect();
    let salt = (0..profile.master_salt_len())
        .map(|i| (i as u8).wrapping_mul(7))
        .collect();
    (key, salt)
}

fn ctx(policy: impl Into<SrtpPolicy>, mki: Option<&[u8]>, roc: u32) -> SrtpContext {
    let policy = policy.into();
    let (k, s) = key_salt(policy.profile());
    let options = SrtpOptions {
        mki,
        initial_roc: roc,
        ..SrtpOptions::default()
    };
    SrtpContext::new(policy, &k, &s, &options).expect("context")
}

/// RTP packet with 2 CSRCs and a 1-word header extension.
fn rtp(seq: u16, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x92, 0x60];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&0x1122_3344u32.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[1, 1, 1, 1, 2, 2, 2, 2]); // CSRCs
    p.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0]); // extension
    p.extend_from_slice(payload);
    p
}

fn rtcp(ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 0xc8, 0x00, 0x06];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[0x42; 20]);
    p
}

const MKIS: [Option<&[u8]>; 3] = [
    None,
    Some(&[0xa5, 0, 0, 1]),
    Some(&[0x0e, 0xed, 0x18, 0xca, 0x0e, 0x4d, 0xe7, 0x01]),
];

#[test]
fn round_trip_every_profile_with_and_without_mki() {
    for profile in Profile::ALL {
        for mki in MKIS {
            let mut tx = ctx(profile, mki, 0);
            let mut rx = ctx(profile, mki, 0);
            for seq in [1000u16, 1001, 1003] {
                let plain = rtp(seq, 0xdead_beef, b"payload of some length");
                let mut p = plain.clone();
                tx.protect_rtp(&mut p).unwrap();
                let mki_len = mki.map_or(0, <[u8]>::len);
                assert_eq!(
                    p.len(),
                    plain.len() + profile.srtp_tag_len() + mki_len,
                    "{profile}"
                );
                assert_eq!(p[..24], plain[..24], "header is not encrypted");
                assert_ne!(p[24..plain.len()], plain[24..]);
                if let Some(m) = mki {
                    assert_eq!(tx.rtp_packet_mki(&p), Some(m));
                }
                rx.unprotect_rtp(&mut p).unwrap();
                assert_eq!(p, plain, "{profile}");

                let plain = rtcp(0xdead_beef);
                let mut p = plain.clone();
                tx.protect_rtcp(&mut p).unwrap();
                assert_eq!(p.len(), plain.len() + 4 + profile.srtcp_tag_len() + mki_len);
                if let Some(m) = mki {
                    assert_eq!(tx.rtcp_packet_mki(&p), Some(m));
                }
                rx.unprotect_rtcp(&mut p).unwrap();
                assert_eq!(p, plain, "{profile}");
            }
            // SRTCP with encryption off (E = 0), received by an E = 1 context.
            let mut tx = ctx(
                SrtpPolicy::new(profile).with_srtcp_encryption(false),
                mki,
                0,
            );
            let plain = rtcp(7);
            let mut p = plain.clone();
            tx.protect_rtcp(&mut p).unwrap();
            if !profile.is_aead() {
                assert_eq!(
                    p[..plain.len()],
                    plain[..],
                    "E = 0 leaves the packet in clear"
                );
            }
            rx.unprotect_rtcp(&mut p).unwrap();
            assert_eq!(p, plain);
        }
    }
}

#[test]
fn srtcp_tag_is_80_bits_for_32_bit_suites() {
    for profile in [Profile::AesCm128HmacSha1_32, Profile::Aes256CmHmacSha1_32] {
        let mut tx = ctx(profile, None, 0);
        let mut p = rtcp(1);
        tx.protect_rtcp(&mut p).unwrap();
        assert_eq!(p.len(), rtcp(1).len() + 4 + 10);
        let mut p = rtp(1, 1, b"x");
        tx.protect_rtp(&mut p).unwrap();
        assert_eq!(p.len(), rtp(1, 1, b"x").len() + 4);
    }
}

#[test]
fn srtp_encryption_off_authenticates_only() {
    let policy = SrtpPolicy::new(Profile::AesCm128HmacSha1_80)
        .with_srtp_encryption(false)
        .unwrap();
    let mut tx = ctx(policy, None, 0);
    let mut rx = ctx(policy, None, 0);
    let plain = rtp(5, 5, b"clear");
    let mut p = plain.clone();
    tx.protect_rtp(&mut p).unwrap();
    assert_eq!(p[..plain.len()], plain[..]);
    rx.unprotect_rtp(&mut p).unwrap();
    assert_eq!(p, plain);
    assert!(SrtpPolicy::new(Profile::AeadAes128Gcm)
        .with_srtp_encryption(false)
        .is_err());
}

/// Protects `seqs` in order with `tx`, returns the SRTP packets.
fn send(tx: &mut SrtpContext, seqs: &[u16]) -> Vec<(u16, Vec<u8>)> {
    seqs.iter()
        .map(|&s| {
            let mut p = rtp(s, 0x1234, &s.to_be_bytes());
            tx.protect_rtp(&mut p).unwrap();
            (s, p)
        })
        .collect()
}

#[test]
fn roc_wrap_in_order_and_out_of_order() {
    for profile in Profile::ALL {
        for start_roc in [0u32, 0x1234] {
            let mut tx = ctx(profile, None, start_roc);
            let packets = send(&mut tx, &[65533, 65534, 65535, 0, 1, 2]);
            assert_eq!(tx.send_roc(0x1234), Some(start_roc + 1));
            // In order, then the late 65535 (a replay) after 2.
            let mut rx = ctx(profile, None, start_roc);
            for (s, p) in &packets {
                let mut q = p.clone();
                rx.unprotect_rtp(&mut q)
                    .unwrap_or_else(|e| panic!("{profile} seq {s}: {e}"));
                assert_eq!(q, rtp(*s, 0x1234, &s.to_be_bytes()));
            }
            assert_eq!(rx.recv_roc(0x1234), Some(start_roc + 1));
            let mut late = packets[2].1.clone();
            let idx = (u64::from(start_roc) << 16) | 65535;
            assert_eq!(
                rx.unprotect_rtp(&mut late),
                Err(SrtpError::ReplayDuplicate { index: idx })
            );

            // Out of order around the wrap: 0, 65534, 2, 65535, 1, 65533.
            // Out of order around the wrap: 65533, 0, 65534, 2, 65535, 1.
            let mut rx = ctx(profile, None, start_roc);
            for i in [0usize, 3, 1, 5, 2, 4] {
                let (s, p) = &packets[i];
                let mut q = p.clone();
                rx.unprotect_rtp(&mut q)
                    .unwrap_or_else(|e| panic!("{profile} seq {s}: {e}"));
                assert_eq!(q, rtp(*s, 0x1234, &s.to_be_bytes()));
            }
            assert_eq!(rx.recv_roc(0x1234), Some(start_roc + 1));
        }
    }
}

#[test]
fn replay_duplicate_and_too_old() {
    for profile in [Profile::AesCm128HmacSha1_80, Profile::AeadAes256Gcm] {
        let mut tx = ctx(profile, None, 0);
        let seqs: Vec<u16> = (0..300).collect();
        let packets = send(&mut tx, &seqs);
        let mut rx = ctx(profile, None, 0);
        let mut q = packets[299].1.clone();
        rx.unprotect_rtp(&mut q).unwrap();
        let mut q = packets[299].1.clone();
        assert_eq!(
            rx.unprotect_rtp(&mut q),
            Err(SrtpError::ReplayDuplicate { index: 299 })
        );
        // Window 128: 299 - 127 = 172 is the oldest accepted.
        let mut q = packets[172].1.clone();
        rx.unprotect_rtp(&mut q).unwrap();
        let mut q = packets[171].1.clone();
        assert_eq!(
            rx.unprotect_rtp(&mut q),
            Err(SrtpError::ReplayTooOld { index: 171 })
        );
        // SRTCP likewise.
        let mut rtcps = Vec::new();
        for _ in 0..200 {
            let mut p = rtcp(9);
            tx.protect_rtcp(&mut p).unwrap();
            rtcps.push(p);
        }
        let mut q = rtcps[199].clone();
        rx.unprotect_rtcp(&mut q).unwrap();
        let mut q = rtcps[199].clone();
        assert_eq!(
            rx.unprotect_rtcp(&mut q),
            Err(SrtpError::ReplayDuplicate { index: 199 })
        );
        let mut q = rtcps[10].clone();
        assert_eq!(
            rx.unprotect_rtcp(&mut q),
            Err(SrtpError::ReplayTooOld { index: 10 })
        );
        let mut q = rtcps[150].clone();
        rx.unprotect_rtcp(&mut q).unwrap();
    }
    // A configurable window.
    let (k, s) = key_salt(Profile::AesCm128HmacSha1_80);
    let opts = SrtpOptions {
        replay_window: 1024,
        ..SrtpOptions::default()
    };
    let mut tx = SrtpContext::new(Profile::AesCm128HmacSha1_80, &k, &s, &opts).unwrap();
    let mut rx = SrtpContext::new(Profile::AesCm128HmacSha1_80, &k, &s, &opts).unwrap();
    let packets = send(&mut tx, &(0..1100).collect::<Vec<_>>());
    rx.unprotect_rtp(&mut packets[1099].1.clone()).unwrap();
    rx.unprotect_rtp(&mut packets[100].1.clone()).unwrap();
    assert_eq!(
        rx.unprotect_rtp(&mut packets[50].1.clone()),
        Err(SrtpError::ReplayTooOld { index: 50 })
    );
    for size in [0, 63, 32769] {
        let opts = SrtpOptions {
            replay_window: size,
            ..SrtpOptions::default()
        };
        assert_eq!(
            SrtpContext::new(Profile::AesCm128HmacSha1_80, &k, &s, &opts).err(),
            Some(SrtpError::ReplayWindowSize { size })
        );
    }
}

#[test]
fn every_flipped_bit_is_rejected() {
    for profile in Profile::ALL {
        for mki in [None, MKIS[2]] {
            let mut tx = ctx(profile, mki, 0);
            let mut p = rtp(77, 0xabcd, b"0123456789");
            tx.protect_rtp(&mut p).unwrap();
            let mut c = rtcp(0xabcd);
            tx.protect_rtcp(&mut c).unwrap();
            let mki_len = mki.map_or(0, <[u8]>::len);
            for (packet, is_rtp) in [(&p, true), (&c, false)] {
                let n = packet.len();
                let mki_range = if profile.is_aead() {
                    n - mki_len..n
                } else {
                    let tag = if is_rtp { profile.srtp_tag_len() } else { 10 };
                    n - tag - mki_len..n - tag
                };
                for byte in 0..n {
                    for bit in 0..8 {
                        let mut q = packet.clone();
                        q[byte] ^= 1 << bit;
                        let mut rx = ctx(profile, mki, 0);
                        let r = if is_rtp {
                            rx.unprotect_rtp(&mut q)
                        } else {
                            rx.unprotect_rtcp(&mut q)
                        };
                        let err = r.expect_err("tampered packet accepted");
                        if mki_range.contains(&byte) {
                            assert_eq!(err, SrtpError::UnknownMki);
                        } else if byte == 0 && bit >= 6 {
                            assert!(matches!(err, SrtpError::BadVersion { .. }));
                        } else if is_rtp && (byte == 0 || byte == 22 || byte == 23) {
                            // CC, X or the extension length: the header
                            // length changes, any error will do.
                        } else {
                            assert_eq!(
                                err,
                                SrtpError::AuthenticationFailed,
                                "{profile} rtp={is_rtp} byte {byte} bit {bit}"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn wrong_mki_and_truncation() {
    for profile in Profile::ALL {
        let mut tx = ctx(profile, Some(&[1, 2, 3, 4]), 0);
        let mut rx = ctx(profile, Some(&[1, 2, 3, 5]), 0);
        let mut p = rtp(1, 1, b"abc");
        tx.protect_rtp(&mut p).unwrap();
        assert_eq!(rx.unprotect_rtp(&mut p.clone()), Err(SrtpError::UnknownMki));
        let mut c = rtcp(1);
        tx.protect_rtcp(&mut c).unwrap();
        assert_eq!(
            rx.unprotect_rtcp(&mut c.clone()),
            Err(SrtpError::UnknownMki)
        );
        // Every truncation fails cleanly.
        let mut rx = ctx(profile, Some(&[1, 2, 3, 4]), 0);
        for n in 0..p.len() {
            assert!(
                rx.unprotect_rtp(&mut p[..n].to_vec()).is_err(),
                "{profile} rtp {n}"
            );
        }
        for n in 0..c.len() {
            assert!(
                rx.unprotect_rtcp(&mut c[..n].to_vec()).is_err(),
                "{profile} rtcp {n}"
            );
        }
        assert!(matches!(
            rx.unprotect_rtp(&mut vec![0x80; 5]),
            Err(SrtpError::PacketTooShort { len: 5, .. })
        ));
        assert!(matches!(
            rx.unprotect_rtp(&mut vec![0x40; 60]),
            Err(SrtpError::BadVersion { version: 1 })
        ));
        rx.unprotect_rtp(&mut p).unwrap();
        rx.unprotect_rtcp(&mut c).unwrap();
    }
    // Header extension longer than the packet.
    let mut tx = ctx(Profile::AesCm128HmacSha1_80, None, 0);
    let mut bad = vec![
        0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0xff, 0xff, 1, 2,
    ];
    assert!(matches!(
        tx.protect_rtp(&mut bad),
        Err(SrtpError::PacketTooShort { .. })
    ));
    // CSRC count beyond the packet.
    let mut bad = vec![0x8f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0];
    assert!(matches!(
        tx.protect_rtp(&mut bad),
        Err(SrtpError::PacketTooShort { .. })
    ));
    // In-place API with too little room.
    let mut buf = [0u8; 20];
    buf[0] = 0x80;
    assert!(matches!(
        tx.protect_rtp_in_place(&mut buf, 15),
        Err(SrtpError::BufferTooSmall {
            needed: 25,
            capacity: 20
        })
    ));
}

#[test]
fn rccm3_group_profile_carries_the_roc() {
    let mki = [0x0e, 0xed, 0x18, 0xca, 0x0e, 0x4d, 0xe7, 0x01];
    let mut tx = ctx(SrtpPolicy::ts33180_group(), Some(&mki), 5);
    let packets = send(&mut tx, &[65534, 65535, 0, 1]);
    let (_, p) = &packets[2];
    // | header | C || tag | MKI (8) | ROC (4) |
    assert_eq!(&p[p.len() - 4..], &6u32.to_be_bytes());
    assert_eq!(&p[p.len() - 12..p.len() - 4], &mki);
    assert_eq!(p.len(), rtp(0, 0x1234, &[0, 0]).len() + 16 + 8 + 4);
    // A late joiner with ROC 0 decodes every packet.
    let mut rx = ctx(SrtpPolicy::ts33180_group(), Some(&mki), 0);
    for (s, p) in &packets {
        let mut q = p.clone();
        rx.unprotect_rtp(&mut q).unwrap();
        assert_eq!(q, rtp(*s, 0x1234, &s.to_be_bytes()));
    }
    assert_eq!(rx.recv_roc(0x1234), Some(6));
    // A forged ROC fails GCM.
    let mut forged = packets[3].1.clone();
    let n = forged.len();
    forged[n - 1] ^= 1;
    let mut rx = ctx(SrtpPolicy::ts33180_group(), Some(&mki), 6);
    assert_eq!(
        rx.unprotect_rtp(&mut forged),
        Err(SrtpError::AuthenticationFailed)
    );

    // R = 2: only even SEQs carry the ROC.
    let policy = SrtpPolicy::new(Profile::AeadAes128Gcm)
        .with_rccm3(2)
        .unwrap();
    let mut tx = ctx(policy, None, 3);
    let packets = send(&mut tx, &[10, 11]);
    assert_eq!(packets[0].1.len(), packets[1].1.len() + 4);
    let mut rx = ctx(policy, None, 0);
    rx.unprotect_rtp(&mut packets[0].1.clone()).unwrap();
    rx.unprotect_rtp(&mut packets[1].1.clone()).unwrap();
    assert!(SrtpPolicy::new(Profile::AesCm128HmacSha1_80)
        .with_rccm3(1)
        .is_err());
}

#[test]
fn kdr_rederives_per_index() {
    let p16 = SrtpPolicy::new(Profile::AesCm128HmacSha1_80)
        .with_kdr(16)
        .unwrap();
    let p0 = SrtpPolicy::new(Profile::AesCm128HmacSha1_80);
    let mut a = ctx(p16, None, 0);
    let mut b = ctx(p0, None, 0);
    let seqs: Vec<u16> = (0..40).collect();
    let pa = send(&mut a, &seqs);
    let pb = send(&mut b, &seqs);
    // r = 0 for indices 0..15: the same keys as kdr = 0.
    for i in 0..40 {
        assert_eq!(pa[i].1 == pb[i].1, i < 16, "index {i}");
    }
    let mut rx = ctx(p16, None, 0);
    for (s, p) in pa.iter().rev() {
        let mut q = p.clone();
        rx.unprotect_rtp(&mut q).unwrap();
        assert_eq!(q, rtp(*s, 0x1234, &s.to_be_bytes()));
    }
    for kdr in [3u64, 1 << 25] {
        assert_eq!(p0.with_kdr(kdr), Err(SrtpError::KeyDerivationRate { kdr }));
    }
}

#[test]
fn profiles_policies_and_parameters() {
    for p in Profile::ALL {
        assert_eq!(p.to_string().parse::<Profile>(), Ok(p));
    }
    assert_eq!(
        "AES_CM_128_HMAC_SHA1_80".parse(),
        Ok(Profile::AesCm128HmacSha1_80)
    );
    assert_eq!(
        "aead_aes_128_gcm".parse::<Profile>(),
        Err(SrtpError::UnknownProfile)
    );

    // The SP parameters observed on the wire (SPEC §5.8).
    let wire = hx("00010601011002010404010c050100060100120104130100140110");
    let mut pairs = Vec::new();
    let mut rest = &wire[..];
    while let [t, l, tail @ ..] = rest {
        let (v, r) = tail.split_at(usize::from(*l));
        pairs.push((*t, v));
        rest = r;
    }
    let params = SrtpPolicyParams::from_pairs(pairs).unwrap();
    assert_eq!(
        SrtpPolicy::from_params(&params),
        Ok(SrtpPolicy::ts33180_group())
    );
    assert_eq!(
        SrtpPolicy::from_params(&SrtpPolicyParams::ts33180_group()),
        Ok(SrtpPolicy::ts33180_group())
    );
    assert_eq!(
        SrtpPolicy::from_params(&SrtpPolicyParams::ts33180_private()),
        Ok(SrtpPolicy::ts33180_private())
    );
    assert_eq!(
        SrtpPolicy::ts33180_private().profile(),
        Profile::AeadAes128Gcm
    );
    assert_eq!(SrtpPolicy::ts33180_group().rcc().map(|r| r.rate), Some(1));
    // RFC 3830 defaults: AES_CM_128_HMAC_SHA1_80.
    assert_eq!(
        SrtpPolicy::from_params(&SrtpPolicyParams::default()),
        Ok(SrtpPolicy::new(Profile::AesCm128HmacSha1_80))
    );
    let p = SrtpPolicyParams::from_pairs([
        (1, &[32u8][..]),
        (11, &[4][..]),
        (8, &[0][..]),
        (6, &[0, 0, 1, 0][..]),
    ])
    .unwrap();
    let policy = SrtpPolicy::from_params(&p).unwrap();
    assert_eq!(policy.profile(), Profile::Aes256CmHmacSha1_32);
    assert!(!policy.srtcp_encryption());
    assert_eq!(policy.kdr(), 256);
    for (t, v) in [(0u8, 2u8), (2, 2), (4, 12), (5, 1), (12, 4)] {
        let p = SrtpPolicyParams::from_pairs([(t, &[v][..])]).unwrap();
        assert!(
            matches!(SrtpPolicy::from_params(&p), Err(SrtpError::PolicyParameter { param, .. }) if param == t),
            "type {t}"
        );
    }
    assert!(SrtpPolicyParams::from_pairs([(7, &[2u8][..])]).is_err());
    // Unknown types are skipped.
    assert!(SrtpPolicyParams::from_pairs([(99, &[1u8, 2, 3][..])]).is_ok());
}

#[test]
fn bad_keys_and_secret_debug() {
    let e = SrtpContext::new(
        Profile::AeadAes128Gcm,
        &[0; 16],
        &[0; 14],
        &SrtpOptions::default(),
    )
    .err();
    assert_eq!(
        e,
        Some(SrtpError::MasterSaltLength {
            expected: 12,
            got: 14
        })
    );
    let e = SrtpContext::new(
        Profile::Aes256CmHmacSha1_80,
        &[0; 16],
        &[0; 14],
        &SrtpOptions::default(),
    )
    .err();
    assert_eq!(
        e,
        Some(SrtpError::MasterKeyLength {
            expected: 32,
            got: 16
        })
    );
    let opts = SrtpOptions {
        mki: Some(&[]),
        ..SrtpOptions::default()
    };
    let e = SrtpContext::new(Profile::AesCm128HmacSha1_80, &[0; 16], &[0; 14], &opts).err();
    assert_eq!(e, Some(SrtpError::MkiLength { len: 0 }));
    let keys =
        derive_session_keys(Profile::AesCm128HmacSha1_80, &[7; 16], &[7; 14], 0, 0, 0).unwrap();
    let dbg = format!("{keys:?}");
    assert!(
        dbg.contains("SessionKey(..)") && dbg.contains("SessionAuthKey(..)"),
        "{dbg}"
    );
    assert!(!dbg.contains(&hex::encode(keys.srtp.cipher_key().as_bytes())));
    let c = SrtpContext::new(
        Profile::AesCm128HmacSha1_80,
        &[7; 16],
        &[7; 14],
        &SrtpOptions::default(),
    )
    .unwrap();
    assert!(!format!("{c:?}").contains("[7, 7"));
    let gcm = derive_session_keys(Profile::AeadAes128Gcm, &[7; 16], &[7; 12], 0, 0, 0).unwrap();
    assert!(gcm.srtp.auth_key().is_none());
    assert_eq!(gcm.srtp.salt().as_bytes().len(), 12);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn prop_round_trip(
        pi in 0usize..6,
        seq in any::<u16>(),
        ssrc in any::<u32>(),
        cc in 0u8..4,
        ext in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..3usize).prop_map(|v| v.len())),
        marker_pt in any::<u8>(),
        payload in proptest::collection::vec(any::<u8>(), 0..300),
        with_mki in any::<bool>(),
    ) {
        let profile = Profile::ALL[pi];
        let mki: Option<&[u8]> = if with_mki { Some(&[9, 9, 9]) } else { None };
        let mut plain = vec![0x80 | cc | if ext.is_some() { 0x10 } else { 0 }, marker_pt];
        plain.extend_from_slice(&seq.to_be_bytes());
        plain.extend_from_slice(&[0; 4]);
        plain.extend_from_slice(&ssrc.to_be_bytes());
        plain.extend(std::iter::repeat_n(0x33, 4 * usize::from(cc)));
        if let Some(words) = ext {
            plain.extend_from_slice(&[0xbe, 0xde, 0, words as u8]);
            plain.extend(std::iter::repeat_n(0x44, 4 * words));
        }
        plain.extend_from_slice(&payload);
        let mut tx = ctx(profile, mki, 0);
        let mut rx = ctx(profile, mki, 0);
        let mut p = plain.clone();
        tx.protect_rtp(&mut p).unwrap();
        let mut q = p.clone();
        rx.unprotect_rtp(&mut q).unwrap();
        prop_assert_eq!(&q, &plain);

        let mut r = plain.clone();
        r[1] = 200;
        let rtcp_plain = r.clone();
        tx.protect_rtcp(&mut r).unwrap();
        rx.unprotect_rtcp(&mut r).unwrap();
        prop_assert_eq!(r, rtcp_plain);
    }

    #[test]
    fn prop_corruption_rejected(
        pi in 0usize..6,
        payload in proptest::collection::vec(any::<u8>(), 0..100),
        pos in any::<prop::sample::Index>(),
        mask in 1u8..=255,
        cut in 0usize..40,
    ) {
        let profile = Profile::ALL[pi];
        let mut tx = ctx(profile, None, 0);
        let mut p = rtp(500, 77, &payload);
        tx.protect_rtp(&mut p).unwrap();
        let mut q = p.clone();
        let i = pos.index(q.len());
        q[i] ^= mask;
        let mut rx = ctx(profile, None, 0);
        prop_assert!(rx.unprotect_rtp(&mut q).is_err());
        let mut t = p[..p.len().saturating_sub(cut + 1)].to_vec();
        prop_assert!(rx.unprotect_rtp(&mut t).is_err());
        // Arbitrary bytes never panic.
        let _ = rx.unprotect_rtp(&mut payload.clone());
        let _ = rx.unprotect_rtcp(&mut payload.clone());
    }
}

#[test]
fn context_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<SrtpContext>();
    check::<SrtpError>();
}
