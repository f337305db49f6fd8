//! Integration tests of the identity module (RFC 6509 §3.2 identifiers,
//! TS 33.180 F.2.1 UIDs, key periods) against published vectors:
//!
//! * the five published MIKEY-SAKKE UID vectors (S and UID), and the
//!   fixed-width integer pitfall (SPEC §4.2);
//! * the UIDs of the sample I_MESSAGE's and the published vendor messages'
//!   users;
//! * the RFC 6509 identifier example (RFC 6507/6508 Appendix A);
//! * key period numbers at boundaries and with offsets (SPEC §4.3);
//! * property tests of the round trips.

mod identity_vectors {
    use mikey_sakke::identity::{
        minimal_be, IdentityError, KdfInput, KeyPeriod, NtpTime, Rfc6509Id, Uid, NTP_UNIX_OFFSET,
    };
    use proptest::prelude::*;
    use serde_json::Value;
    use sha2::{Digest, Sha256};

    fn load(name: &str) -> Value {
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn h(v: &Value) -> Vec<u8> {
        hex::decode(v.as_str().unwrap()).unwrap()
    }

    #[test]
    fn published_uid_vectors() {
        let v = load("published_vendor_imessages.json");
        let cases = v["uid_vectors"]["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 5);
        for c in cases {
            let period = KeyPeriod::new(
                c["key_period"].as_u64().unwrap(),
                c["key_period_offset"].as_u64().unwrap(),
            )
            .unwrap();
            let n = c["key_period_no"].as_u64().unwrap();
            let uri = c["uri"].as_str().unwrap();
            let kms = c["kms_uri"].as_str().unwrap();
            let s = Uid::kdf_input(uri, kms, &period, n).unwrap();
            assert_eq!(
                s.as_bytes(),
                h(&c["kdf_input_S"]).as_slice(),
                "test {}",
                c["test"]
            );
            let uid = Uid::derive(uri, kms, &period, n).unwrap();
            assert_eq!(uid.as_bytes().as_slice(), h(&c["uid"]).as_slice());
        }
    }

    /// SPEC §4.2: 4-octet fixed-width integers give a different, wrong UID.
    #[test]
    fn fixed_width_pitfall() {
        let period = KeyPeriod::new(2_592_000, 0).unwrap();
        let uid = Uid::derive("sip:user@example.org", "kms.example.org", &period, 1388).unwrap();
        assert_eq!(
            hex::encode(uid.as_bytes()),
            "3a81fb14c3b1d0fe43c9c577104d55a6d81788bfd2f09743c4557746a5a0353b"
        );
        // The wrong, fixed-width encoding.
        let wrong: Vec<u8> = KdfInput::new(0)
            .param(b"MIKEY-SAKKE-UID")
            .unwrap()
            .param(b"sip:user@example.org")
            .unwrap()
            .param(b"kms.example.org")
            .unwrap()
            .param(&2_592_000u32.to_be_bytes())
            .unwrap()
            .param(&0u32.to_be_bytes())
            .unwrap()
            .param(&1388u32.to_be_bytes())
            .unwrap()
            .into_bytes();
        let wrong_uid = Sha256::digest(&wrong);
        assert_eq!(
            hex::encode(wrong_uid),
            "e8b070857e7de8ad9194145956174810ace9291a74a8e597e3bd9c8228341f66"
        );
        assert_ne!(uid.as_bytes().as_slice(), wrong_uid.as_slice());
    }

    #[test]
    fn sample_message_uids() {
        let v = load("sample_imessage_gmk.json");
        let c = &v["case"];
        let com = &c["community"];
        let period = KeyPeriod::new(
            com["user_key_period"].as_u64().unwrap(),
            com["user_key_offset"].as_u64().unwrap(),
        )
        .unwrap();
        let kms = com["kms_uri"].as_str().unwrap();
        let n = com["key_period_no"].as_u64().unwrap();
        for who in ["initiator", "responder"] {
            let uid = Uid::derive(c[who]["uri"].as_str().unwrap(), kms, &period, n).unwrap();
            assert_eq!(uid.as_bytes().as_slice(), h(&c[who]["uid"]).as_slice());
        }
        // Observation: the sample's T payload (eeb2e462.00000000) lies in
        // key period 1545, not in the period 1500 its UIDs were made for. A
        // responder therefore has to try the periods it holds keys for, not
        // only N(T) and its neighbours (SPEC §4.3).
        let t = NtpTime::from_bytes(h(&c["parsed"]["timestamp"][0]["value"]).try_into().unwrap());
        assert_eq!(period.number_at(t), Ok(1545));
        let at = Uid::at_time(c["responder"]["uri"].as_str().unwrap(), kms, &period, t).unwrap();
        assert_ne!(
            at.as_bytes().as_slice(),
            h(&c["responder"]["uid"]).as_slice()
        );
    }

    #[test]
    fn vendor_user_uids() {
        let v = load("published_vendor_imessages.json");
        for set in ["streamwide_v5", "alea_v3"] {
            let d = &v[set];
            let (kms, p, o) = if set == "streamwide_v5" {
                let k = &d["kms"];
                (
                    k["kms_uri"].as_str().unwrap(),
                    k["user_key_period"].as_u64().unwrap(),
                    k["user_key_offset"].as_u64().unwrap(),
                )
            } else {
                let k = &d["community"];
                (
                    k["kms_uri"].as_str().unwrap(),
                    k["user_key_period"].as_u64().unwrap(),
                    k["user_key_offset"].as_u64().unwrap(),
                )
            };
            let period = KeyPeriod::new(p, o).unwrap();
            for (_, u) in d["users"].as_object().unwrap() {
                let n = u["key_period_no"]
                    .as_u64()
                    .or_else(|| d["community"]["key_period_no"].as_u64())
                    .unwrap();
                let uid = Uid::derive(u["uri"].as_str().unwrap(), kms, &period, n).unwrap();
                assert_eq!(uid.as_bytes().as_slice(), h(&u["uid"]).as_slice(), "{set}");
            }
        }
        // The Streamwide GMK message's T payload is in period 236.
        let t = NtpTime::from_bits(0xec89_8da8_0000_0000);
        assert_eq!(KeyPeriod::new(16_777_215, 0).unwrap().number_at(t), Ok(236));
    }

    #[test]
    fn uid_errors() {
        let p = KeyPeriod::new(10, 0).unwrap();
        assert_eq!(Uid::derive("", "kms", &p, 1), Err(IdentityError::EmptyUri));
        assert_eq!(
            Uid::derive("sip:a", "", &p, 1),
            Err(IdentityError::EmptyUri)
        );
        let long = "a".repeat(65_536);
        assert_eq!(
            Uid::derive(&long, "kms", &p, 1),
            Err(IdentityError::ParameterTooLong { len: 65_536 })
        );
        assert!(Uid::derive(&"a".repeat(65_535), "kms", &p, 1).is_ok());
        assert_eq!(Uid::from_bytes(&[0; 31]), Err(IdentityError::UidLength(31)));
        let uid = Uid::from_bytes(&[7; 32]).unwrap();
        assert_eq!(uid.as_bytes(), &[7; 32]);
    }

    #[test]
    fn kdf_input_layout() {
        let s = KdfInput::new(0x53)
            .param(&[0x0e, 0x4d, 0xe7, 0x01])
            .unwrap()
            .uint(0);
        assert_eq!(s.as_bytes(), [0x53, 0x0e, 0x4d, 0xe7, 0x01, 0, 4, 0, 0, 1]);
        assert_eq!(KdfInput::new(1).param(&[]).unwrap().as_bytes(), [1, 0, 0]);
        assert_eq!(minimal_be(20_393_844), [0x01, 0x37, 0x2f, 0x74]);
    }

    #[test]
    fn rfc6509_identifier_example() {
        let v = load("rfc6509_mikey_sakke.json");
        let expected = h(&v["identifier_example"]["hex"]);
        let id = Rfc6509Id::new(2011, 2, "tel:+447700900123").unwrap();
        assert_eq!(id.to_bytes(), expected);
        assert_eq!(Rfc6509Id::parse(&expected), Ok(id.clone()));
        // From a time in February 2011 (2011-02-14 12:00:00 UTC).
        let t = NtpTime::from_unix_seconds(1_297_684_800).unwrap();
        assert_eq!(Rfc6509Id::for_time(t, "tel:+447700900123"), Ok(id));
        // The last second of January 2011 is in the previous month.
        let t = NtpTime::from_unix_seconds(1_296_518_399).unwrap();
        assert_eq!(
            Rfc6509Id::for_time(t, "tel:+447700900123")
                .unwrap()
                .to_bytes()[..7],
            *b"2011-01"
        );
    }

    #[test]
    fn rfc6509_identifier_errors() {
        assert_eq!(
            Rfc6509Id::new(2011, 0, "tel:+1"),
            Err(IdentityError::BadMonth(0))
        );
        assert_eq!(
            Rfc6509Id::new(2011, 13, "tel:+1"),
            Err(IdentityError::BadMonth(13))
        );
        assert_eq!(
            Rfc6509Id::new(10_000, 1, "tel:+1"),
            Err(IdentityError::BadYear(10_000))
        );
        assert_eq!(Rfc6509Id::new(2011, 1, ""), Err(IdentityError::EmptyUri));
        assert_eq!(
            Rfc6509Id::new(2011, 1, "a\0b"),
            Err(IdentityError::UriContainsNul)
        );
        for bad in [
            &b"2011-02\0tel:+1"[..], // no final NUL
            b"2011-02tel:+1\0\0",    // no NUL after the date
            b"2011/02\0tel:+1\0",    // separator
            b"20x1-02\0tel:+1\0",    // digit
            b"2011-02\0\0",          // too short / empty URI
            b"2011-02\0\xff\xfe\0",  // not UTF-8
        ] {
            assert!(
                matches!(
                    Rfc6509Id::parse(bad),
                    Err(IdentityError::MalformedRfc6509Id(_))
                ),
                "{bad:?}"
            );
        }
        assert_eq!(
            Rfc6509Id::parse(b"2011-13\0tel:+1\0"),
            Err(IdentityError::BadMonth(13))
        );
        assert_eq!(
            Rfc6509Id::parse(b"2011-02\0a\0b\0"),
            Err(IdentityError::UriContainsNul)
        );
    }

    #[test]
    fn key_period_numbers() {
        let p = KeyPeriod::new(2_592_000, 0).unwrap();
        assert_eq!(p.number_at_ntp_seconds(0), Ok(0));
        assert_eq!(p.number_at_ntp_seconds(2_591_999), Ok(0));
        assert_eq!(p.number_at_ntp_seconds(2_592_000), Ok(1));
        assert_eq!(p.start(1500), Ok(3_888_000_000));
        assert_eq!(p.end(1500), Ok(3_890_592_000));
        assert_eq!(p.number_at_ntp_seconds(3_888_000_000), Ok(1500));
        assert_eq!(p.number_at_ntp_seconds(3_890_591_999), Ok(1500));
        assert_eq!(p.number_at_ntp_seconds(3_890_592_000), Ok(1501));

        // Offset: subtract it (SPEC §4.3).
        let p = KeyPeriod::new(100, 30).unwrap();
        assert_eq!(
            p.number_at_ntp_seconds(29),
            Err(IdentityError::BeforeFirstPeriod)
        );
        assert_eq!(p.number_at_ntp_seconds(30), Ok(0));
        assert_eq!(p.number_at_ntp_seconds(129), Ok(0));
        assert_eq!(p.number_at_ntp_seconds(130), Ok(1));
        assert_eq!(p.start(1), Ok(130));
        assert_eq!(p.end(1), Ok(230));
        assert!(!p.is_expired(1, NtpTime::from_parts(229, 0xffff_ffff)));
        assert!(p.is_expired(1, NtpTime::from_parts(230, 0)));

        // Published vector 5: period 25920000, offset 45920000, N = 20393844 is
        // not reachable in NTP era 0, but start/end still compute.
        let p = KeyPeriod::new(25_920_000, 45_920_000).unwrap();
        assert_eq!(
            p.start(20_393_844),
            Ok(20_393_844 * 25_920_000 + 45_920_000)
        );
        assert_eq!(
            p.start(u64::MAX),
            Err(IdentityError::PeriodOutOfRange(u64::MAX))
        );
        assert_eq!(
            p.end(u64::MAX),
            Err(IdentityError::PeriodOutOfRange(u64::MAX))
        );
        assert_eq!(KeyPeriod::new(0, 0), Err(IdentityError::ZeroKeyPeriod));
    }

    #[test]
    fn candidate_periods() {
        let p = KeyPeriod::new(10, 0).unwrap();
        assert_eq!(p.candidates(NtpTime::from_parts(25, 0)), Ok(vec![2, 1, 3]));
        assert_eq!(p.candidates(NtpTime::from_parts(5, 0)), Ok(vec![0, 1]));
        let p = KeyPeriod::new(10, 100).unwrap();
        assert_eq!(
            p.candidates(NtpTime::from_parts(50, 0)),
            Err(IdentityError::BeforeFirstPeriod)
        );
    }

    #[test]
    fn ntp_time() {
        let t = NtpTime::from_bits(0xeeb2_e462_0000_0000);
        assert_eq!(t.seconds(), 0xeeb2_e462);
        assert_eq!(t.fraction(), 0);
        assert_eq!(t.to_bytes(), [0xee, 0xb2, 0xe4, 0x62, 0, 0, 0, 0]);
        assert_eq!(t.to_unix_seconds(), 0xeeb2_e462 - NTP_UNIX_OFFSET as i64);
        assert_eq!(
            NtpTime::from_unix_seconds(t.to_unix_seconds() as u64),
            Ok(t)
        );
        assert_eq!(t.year_month(), (2026, 11));
        assert_eq!(
            NtpTime::from_unix_seconds(u64::MAX),
            Err(IdentityError::TimeOutOfRange)
        );
        assert!(NtpTime::now().is_ok());
    }

    proptest! {
        #[test]
        fn rfc6509_round_trip(year in 0u32..=9999, month in 1u8..=12, uri in "[ -~]{1,40}") {
            let id = Rfc6509Id::new(year, month, &uri).unwrap();
            let bytes = id.to_bytes();
            prop_assert_eq!(bytes.len(), uri.len() + 9);
            prop_assert_eq!(Rfc6509Id::parse(&bytes), Ok(id));
        }

        #[test]
        fn rfc6509_parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(id) = Rfc6509Id::parse(&bytes) {
                prop_assert_eq!(id.to_bytes(), bytes);
            }
        }

        #[test]
        fn period_contains_its_time(p in 1u64..=1_000_000_000, o in 0u64..=1_000_000_000, t in 0u32..=u32::MAX) {
            let kp = KeyPeriod::new(p, o).unwrap();
            match kp.number_at_ntp_seconds(u64::from(t)) {
                Ok(n) => {
                    prop_assert!(kp.start(n).unwrap() <= u64::from(t));
                    prop_assert!(u64::from(t) < kp.end(n).unwrap());
                    prop_assert!(!kp.is_expired(n, NtpTime::from_parts(t, 0)));
                }
                Err(e) => {
                    prop_assert_eq!(e, IdentityError::BeforeFirstPeriod);
                    prop_assert!(u64::from(t) < o);
                }
            }
        }

        #[test]
        fn ntp_unix_round_trip(u in 0u64..=(u64::from(u32::MAX) - NTP_UNIX_OFFSET)) {
            let t = NtpTime::from_unix_seconds(u).unwrap();
            prop_assert_eq!(t.to_unix_seconds(), u as i64);
            prop_assert_eq!(NtpTime::from_bytes(t.to_bytes()), t);
        }

        #[test]
        fn minimal_be_round_trip(v in any::<u64>()) {
            let b = minimal_be(v);
            prop_assert!(!b.is_empty() && b.len() <= 8);
            prop_assert!(b.len() == 1 || b[0] != 0);
            let back = b.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x));
            prop_assert_eq!(back, v);
        }
    }
}
