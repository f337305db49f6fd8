//! Integration tests of the ECCSI module (RFC 6507): the rejection conditions of
//! SPEC §2.9 / §9 (E6, E7, E8, E10, C1, C4, C5, K4), property tests, and cross-checks
//! of the two verification paths against a plain step-by-step implementation of
//! RFC 6507 §5.2.2.

// Everything lives in a module whose name contains `eccsi`, so that
// `cargo test -p mikey-sakke eccsi` selects these tests.
mod eccsi_rfc6507 {
    use std::sync::OnceLock;

    use mikey_sakke::eccsi::{
        self, EccsiError, EccsiKms, Kpak, Ksak, Pvt, Signature, SigningKey, Ssk, Verifier,
        POINT_LEN, SCALAR_LEN, SIGNATURE_LEN,
    };
    use mikey_sakke::random::{OsRandom, RandomError, SecureRandom};
    use num_bigint::BigUint;
    use p256::elliptic_curve::{
        ff::PrimeField,
        ops::Reduce,
        point::{AffineCoordinates, DecompressPoint},
        sec1::{FromEncodedPoint, ToEncodedPoint},
    };
    use p256::{AffinePoint, EncodedPoint, FieldBytes, ProjectivePoint, Scalar, U256};
    use proptest::prelude::*;
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;

    const P_HEX: &str = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
    const Q_HEX: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
    const G_HEX: &str = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

    // ---------------------------------------------------------------------------------------
    // Fixtures
    // ---------------------------------------------------------------------------------------

    struct Vector {
        ksak: Vec<u8>,
        kpak: Vec<u8>,
        id: Vec<u8>,
        pvt: Vec<u8>,
        ssk: Vec<u8>,
        message: Vec<u8>,
        signature: Vec<u8>,
    }

    fn vector() -> Vector {
        let json: serde_json::Value =
            serde_json::from_str(include_str!("data/rfc6507_eccsi.json")).unwrap();
        let field = |name: &str| hex::decode(json[name].as_str().unwrap()).unwrap();
        Vector {
            ksak: field("ksak"),
            kpak: field("kpak"),
            id: field("id"),
            pvt: field("pvt"),
            ssk: field("ssk"),
            message: field("message"),
            signature: field("signature"),
        }
    }

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    fn arr32(s: &str) -> [u8; 32] {
        h(s).try_into().unwrap()
    }

    /// `x + k` as 32 big-endian octets (wrapping), for building boundary values.
    fn add_small(x: &[u8; 32], k: u64) -> [u8; 32] {
        let n: BigUint = (BigUint::from_bytes_be(x) + k) % (BigUint::from(1u8) << 256usize);
        let bytes = n.to_bytes_be();
        let mut out = [0u8; 32];
        out[32 - bytes.len()..].copy_from_slice(&bytes);
        out
    }

    /// `x - k` as 32 big-endian octets (x ≥ k).
    fn sub_small(x: &[u8; 32], k: u64) -> [u8; 32] {
        let n = BigUint::from_bytes_be(x) - k;
        let bytes = n.to_bytes_be();
        let mut out = [0u8; 32];
        out[32 - bytes.len()..].copy_from_slice(&bytes);
        out
    }

    /// Deterministic SHA-256 counter-mode generator for reproducible tests.
    struct TestRng {
        seed: [u8; 32],
        counter: u64,
    }

    impl TestRng {
        fn new(seed: u64) -> Self {
            Self {
                seed: Sha256::digest(seed.to_be_bytes()).into(),
                counter: 0,
            }
        }
    }

    impl SecureRandom for TestRng {
        fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
            for chunk in dest.chunks_mut(32) {
                let block = Sha256::new()
                    .chain_update(self.seed)
                    .chain_update(self.counter.to_be_bytes())
                    .finalize();
                self.counter += 1;
                chunk.copy_from_slice(&block[..chunk.len()]);
            }
            Ok(())
        }
    }

    /// A generator that always fails.
    struct FailingRng;

    impl SecureRandom for FailingRng {
        fn fill(&mut self, _dest: &mut [u8]) -> Result<(), RandomError> {
            Err(RandomError)
        }
    }

    /// A generator that returns the same octet forever.
    struct ConstantRng(u8);

    impl SecureRandom for ConstantRng {
        fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
            dest.fill(self.0);
            Ok(())
        }
    }

    /// Returns the queued blocks first, then deterministic random octets.
    struct ScriptedRng {
        script: Vec<Vec<u8>>,
        rest: TestRng,
    }

    impl SecureRandom for ScriptedRng {
        fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
            if self.script.is_empty() {
                return self.rest.fill(dest);
            }
            let block = self.script.remove(0);
            dest.copy_from_slice(&block);
            Ok(())
        }
    }

    struct Fixture {
        kms: EccsiKms,
        other_kms: EccsiKms,
        alice_id: Vec<u8>,
        alice: SigningKey,
        bob_id: Vec<u8>,
        bob: SigningKey,
        /// A second key pair for Alice's identifier (a re-issue by the same KMS).
        alice2: SigningKey,
    }

    fn fixture() -> &'static Fixture {
        static FIXTURE: OnceLock<Fixture> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let mut rng = TestRng::new(1);
            let kms = EccsiKms::generate(&mut rng).unwrap();
            let other_kms = EccsiKms::generate(&mut rng).unwrap();
            let alice_id = b"2026-11\0tel:+447700900001\0".to_vec();
            let bob_id = b"2026-11\0tel:+447700900002\0".to_vec();
            let key = |id: &[u8], rng: &mut TestRng| {
                let (ssk, pvt) = kms.issue(id, rng).unwrap();
                SigningKey::new(kms.kpak(), id, ssk, pvt).unwrap()
            };
            let alice = key(&alice_id, &mut rng);
            let bob = key(&bob_id, &mut rng);
            let alice2 = key(&alice_id, &mut rng);
            Fixture {
                kms,
                other_kms,
                alice_id,
                alice,
                bob_id,
                bob,
                alice2,
            }
        })
    }

    /// A valid signature by Alice on `msg`.
    fn alice_sig(msg: &[u8]) -> [u8; SIGNATURE_LEN] {
        fixture()
            .alice
            .sign(msg, &mut TestRng::new(99))
            .unwrap()
            .to_bytes()
    }

    /// Verifies with both paths and asserts they agree; returns the common result.
    fn verify_both(
        kpak: &Kpak,
        id: &[u8],
        pvt: &Pvt,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), EccsiError> {
        let plain = eccsi::verify(kpak, id, msg, sig);
        let cached = Verifier::new(kpak, id, pvt).unwrap().verify(msg, sig);
        assert_eq!(plain, cached, "verify() and Verifier::verify disagree");
        plain
    }

    fn verify_alice(msg: &[u8], sig: &[u8]) -> Result<(), EccsiError> {
        let f = fixture();
        verify_both(f.kms.kpak(), &f.alice_id, f.alice.pvt(), msg, sig)
    }

    fn with_r(sig: &[u8; SIGNATURE_LEN], r: &[u8; 32]) -> [u8; SIGNATURE_LEN] {
        let mut out = *sig;
        out[..32].copy_from_slice(r);
        out
    }

    fn with_s(sig: &[u8; SIGNATURE_LEN], s: &[u8; 32]) -> [u8; SIGNATURE_LEN] {
        let mut out = *sig;
        out[32..64].copy_from_slice(s);
        out
    }

    fn with_pvt(sig: &[u8; SIGNATURE_LEN], pvt: &[u8]) -> Vec<u8> {
        let mut out = sig[..64].to_vec();
        out.extend_from_slice(pvt);
        out
    }

    /// Every point decoder (KPAK, PVT, PVT inside a signature, for both verify paths)
    /// reports `expected` for `bytes`.
    fn assert_point_error(bytes: &[u8], expected: EccsiError) {
        assert_eq!(
            Kpak::from_bytes(bytes),
            Err(expected),
            "Kpak {}",
            hex::encode(bytes)
        );
        assert_eq!(
            Pvt::from_bytes(bytes),
            Err(expected),
            "Pvt {}",
            hex::encode(bytes)
        );
        let sig = alice_sig(b"m");
        let bad = with_pvt(&sig, bytes);
        if bad.len() == SIGNATURE_LEN {
            assert_eq!(verify_alice(b"m", &bad), Err(expected), "in signature");
        } else {
            assert_eq!(
                verify_alice(b"m", &bad),
                Err(EccsiError::SignatureLength { len: bad.len() })
            );
        }
    }

    // ---------------------------------------------------------------------------------------
    // Positive baseline
    // ---------------------------------------------------------------------------------------

    #[test]
    fn rfc6507_vector_verifies_with_both_paths() {
        let v = vector();
        let kpak = Kpak::from_bytes(&v.kpak).unwrap();
        let pvt = Pvt::from_bytes(&v.pvt).unwrap();
        assert_eq!(
            verify_both(&kpak, &v.id, &pvt, &v.message, &v.signature),
            Ok(())
        );
        assert_eq!(pvt.to_bytes().as_slice(), v.pvt.as_slice());
        assert_eq!(kpak.to_bytes().as_slice(), v.kpak.as_slice());
    }

    #[test]
    fn rfc6507_vector_keys_from_bytes() {
        let v = vector();
        let kms = EccsiKms::from_ksak(Ksak::from_bytes(&v.ksak).unwrap());
        assert_eq!(kms.kpak().as_bytes().as_slice(), v.kpak.as_slice());
        assert_eq!(kms.ksak().to_bytes().as_slice(), v.ksak.as_slice());
        let key = SigningKey::new(
            kms.kpak(),
            &v.id,
            Ssk::from_bytes(&v.ssk).unwrap(),
            Pvt::from_bytes(&v.pvt).unwrap(),
        )
        .unwrap();
        assert_eq!(key.ssk().to_bytes().as_slice(), v.ssk.as_slice());
        let sig = key.sign(&v.message, &mut OsRandom).unwrap();
        assert_eq!(sig.pvt(), v.pvt.as_slice());
        assert_eq!(
            eccsi::verify(kms.kpak(), &v.id, &v.message, sig.as_bytes()),
            Ok(())
        );
    }

    #[test]
    fn fixture_signatures_verify() {
        let f = fixture();
        let sig = alice_sig(b"hello");
        assert_eq!(verify_alice(b"hello", &sig), Ok(()));
        let sig = f.bob.sign(b"", &mut OsRandom).unwrap();
        assert_eq!(
            verify_both(f.kms.kpak(), &f.bob_id, f.bob.pvt(), b"", sig.as_bytes()),
            Ok(())
        );
        // Two signatures of the same message differ (fresh j) and both verify.
        let a = f.alice.sign(b"x", &mut OsRandom).unwrap();
        let b = f.alice.sign(b"x", &mut OsRandom).unwrap();
        assert_ne!(a, b);
        assert_eq!(verify_alice(b"x", a.as_bytes()), Ok(()));
        assert_eq!(verify_alice(b"x", b.as_bytes()), Ok(()));
    }

    #[test]
    fn kms_roundtrip_through_ksak_bytes() {
        let f = fixture();
        let bytes = f.kms.ksak().to_bytes();
        let kms = EccsiKms::from_ksak(Ksak::from_bytes(&bytes[..]).unwrap());
        assert_eq!(kms.kpak(), f.kms.kpak());
        assert!(bool::from(kms.ksak().ct_eq(f.kms.ksak())));
        assert!(!bool::from(kms.ksak().ct_eq(f.other_kms.ksak())));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let f = fixture();
        let ksak_hex = hex::encode(&f.kms.ksak().to_bytes()[..]);
        let ssk_hex = hex::encode(&f.alice.ssk().to_bytes()[..]);
        let text = format!("{:?} {:?} {:?}", f.kms, f.alice, f.alice.ssk());
        assert!(
            text.contains("Ksak(..)") && text.contains("Ssk(..)"),
            "{text}"
        );
        assert!(!text.contains(&ksak_hex) && !text.contains(&ssk_hex));
        // Public values print in hex.
        let kpak_hex = hex::encode(f.kms.kpak().as_bytes());
        assert_eq!(format!("{:?}", f.kms.kpak()), format!("Kpak({kpak_hex})"));
    }

    // ---------------------------------------------------------------------------------------
    // E6: point encoding prefix and length
    // ---------------------------------------------------------------------------------------

    #[test]
    fn e6_point_prefixes_other_than_04_are_rejected() {
        let v = vector();
        for prefix in [0x02u8, 0x03, 0x05, 0x06, 0x07, 0x01, 0x40, 0xff] {
            let mut bad = v.pvt.clone();
            bad[0] = prefix;
            assert_point_error(&bad, EccsiError::PointPrefix { prefix });
            let mut bad = v.kpak.clone();
            bad[0] = prefix;
            assert_eq!(
                Kpak::from_bytes(&bad),
                Err(EccsiError::PointPrefix { prefix })
            );
        }
    }

    #[test]
    fn e6_compressed_encodings_are_rejected_by_length() {
        let v = vector();
        // Proper SEC1 compressed encodings of the vector PVT (y is odd -> 03).
        let y_odd = v.pvt[64] & 1 == 1;
        let mut compressed = vec![if y_odd { 0x03 } else { 0x02 }];
        compressed.extend_from_slice(&v.pvt[1..33]);
        assert_point_error(&compressed, EccsiError::PointLength { len: 33 });
        compressed[0] ^= 0x01;
        assert_point_error(&compressed, EccsiError::PointLength { len: 33 });
    }

    #[test]
    fn e6_wrong_point_lengths_are_rejected() {
        let v = vector();
        for len in [0usize, 1, 2, 32, 33, 64, 66, 97, 129, 257] {
            let mut bad = v.pvt.clone();
            bad.resize(len, 0x5a);
            if len == 1 {
                bad[0] = 0x04;
            }
            assert_eq!(Kpak::from_bytes(&bad), Err(EccsiError::PointLength { len }));
            assert_eq!(Pvt::from_bytes(&bad), Err(EccsiError::PointLength { len }));
        }
        // Truncated by one octet inside a signature: the signature length is checked first.
        let sig = alice_sig(b"m");
        assert_eq!(
            verify_alice(b"m", &sig[..128]),
            Err(EccsiError::SignatureLength { len: 128 })
        );
    }

    // ---------------------------------------------------------------------------------------
    // E7: coordinate range, curve membership, infinity
    // ---------------------------------------------------------------------------------------

    #[test]
    fn e7_coordinates_not_below_p_are_rejected() {
        let v = vector();
        let p = arr32(P_HEX);
        let cases = [
            (Some(p), None),
            (None, Some(p)),
            (Some(add_small(&p, 1)), None),
            (None, Some([0xff; 32])),
            (Some([0xff; 32]), Some([0xff; 32])),
            (Some(p), Some(p)),
        ];
        for (x, y) in cases {
            let mut bad = v.pvt.clone();
            if let Some(x) = x {
                bad[1..33].copy_from_slice(&x);
            }
            if let Some(y) = y {
                bad[33..65].copy_from_slice(&y);
            }
            assert_point_error(&bad, EccsiError::CoordinateOutOfRange);
        }
    }

    #[test]
    fn e7_coordinate_plus_p_alias_is_rejected_not_reduced() {
        // Find a point with a small x, so that x + p still fits in 32 octets: (x + p, y)
        // would be the same point if coordinates were reduced mod p.
        for small in 0u64..100 {
            let mut x = [0u8; 32];
            x[24..].copy_from_slice(&small.to_be_bytes());
            let point: Option<AffinePoint> =
                AffinePoint::decompress(&FieldBytes::from(x), 0u8.into()).into();
            let Some(point) = point else { continue };
            let mut enc = vec![0x04];
            enc.extend_from_slice(&x);
            enc.extend_from_slice(&point.to_encoded_point(false).as_bytes()[33..]);
            assert!(Pvt::from_bytes(&enc).is_ok());
            enc[1..33].copy_from_slice(&add_small(&arr32(P_HEX), small));
            assert_point_error(&enc, EccsiError::CoordinateOutOfRange);
            return;
        }
        panic!("no point with a small x found");
    }

    #[test]
    fn e7_points_off_the_curve_are_rejected() {
        let v = vector();
        for (index, mask) in [(64usize, 0x01u8), (33, 0x80), (1, 0x01), (32, 0x10)] {
            let mut bad = v.pvt.clone();
            bad[index] ^= mask;
            assert_point_error(&bad, EccsiError::PointNotOnCurve);
        }
        // (x, 0) with a valid x is not on the curve (P-256 has no point of order 2).
        let mut bad = v.pvt.clone();
        bad[33..].fill(0);
        assert_point_error(&bad, EccsiError::PointNotOnCurve);
        // The generator's x with the KPAK's y.
        let mut bad = h(G_HEX);
        bad[33..].copy_from_slice(&v.kpak[33..]);
        assert_point_error(&bad, EccsiError::PointNotOnCurve);
    }

    #[test]
    fn e7_point_at_infinity_encodings_are_rejected() {
        assert_eq!(Kpak::from_bytes(&[0x00]), Err(EccsiError::PointAtInfinity));
        assert_eq!(Pvt::from_bytes(&[0x00]), Err(EccsiError::PointAtInfinity));
        assert_point_error(&[0u8; POINT_LEN], EccsiError::PointAtInfinity);
        let mut zero_xy = [0u8; POINT_LEN];
        zero_xy[0] = 0x04;
        assert_point_error(&zero_xy, EccsiError::PointAtInfinity);
    }

    #[test]
    fn e6_e7_bad_kpak_never_reaches_verification() {
        // The KPAK is a validated type, so a bad KPAK is caught at decode time.
        let v = vector();
        let mut bad = v.kpak.clone();
        bad[64] ^= 1;
        assert_eq!(Kpak::from_bytes(&bad), Err(EccsiError::PointNotOnCurve));
    }

    // ---------------------------------------------------------------------------------------
    // E8: signature length
    // ---------------------------------------------------------------------------------------

    #[test]
    fn e8_signature_lengths_other_than_129_are_rejected() {
        let sig = alice_sig(b"m");
        for len in [0usize, 1, 64, 65, 128, 130, 131, 194, 258] {
            let mut bad = sig.to_vec();
            bad.resize(len, 0);
            let expected = EccsiError::SignatureLength { len };
            assert_eq!(verify_alice(b"m", &bad), Err(expected));
            assert_eq!(Signature::from_bytes(&bad), Err(expected));
        }
        assert_eq!(Signature::from_bytes(&sig).map(|s| s.to_bytes()), Ok(sig));
    }

    // ---------------------------------------------------------------------------------------
    // E10: scalar ranges
    // ---------------------------------------------------------------------------------------

    #[test]
    fn e10_r_out_of_range_is_rejected() {
        let sig = alice_sig(b"m");
        let p = arr32(P_HEX);
        let q = arr32(Q_HEX);
        for r in [
            [0u8; 32],        // r = 0
            q,                // r = q
            add_small(&q, 1), // q < r < p: rejected by the r < q policy
            sub_small(&p, 1), // r = p - 1
            p,                // r = p
            add_small(&p, 7), // r > p
            [0xff; 32],       // r = 2^256 - 1
        ] {
            assert_eq!(
                verify_alice(b"m", &with_r(&sig, &r)),
                Err(EccsiError::SignatureROutOfRange),
                "r = {}",
                hex::encode(r)
            );
        }
    }

    #[test]
    fn e10_s_out_of_range_is_rejected() {
        let sig = alice_sig(b"m");
        let q = arr32(Q_HEX);
        for s in [[0u8; 32], q, add_small(&q, 1), arr32(P_HEX), [0xff; 32]] {
            assert_eq!(
                verify_alice(b"m", &with_s(&sig, &s)),
                Err(EccsiError::SignatureSOutOfRange),
                "s = {}",
                hex::encode(s)
            );
        }
    }

    #[test]
    fn e10_boundary_values_in_range_are_parsed_but_fail_verification() {
        let sig = alice_sig(b"m");
        let q = arr32(Q_HEX);
        let one = add_small(&[0u8; 32], 1);
        for r in [one, sub_small(&q, 1)] {
            assert_eq!(
                verify_alice(b"m", &with_r(&sig, &r)),
                Err(EccsiError::InvalidSignature)
            );
        }
        for s in [one, sub_small(&q, 1)] {
            assert_eq!(
                verify_alice(b"m", &with_s(&sig, &s)),
                Err(EccsiError::InvalidSignature)
            );
        }
    }

    #[test]
    fn e10_secret_scalars_out_of_range_are_rejected() {
        let q = arr32(Q_HEX);
        for bad in [[0u8; 32], q, add_small(&q, 1), [0xff; 32]] {
            assert_eq!(
                Ssk::from_bytes(&bad).err(),
                Some(EccsiError::ScalarOutOfRange)
            );
            assert_eq!(
                Ksak::from_bytes(&bad).err(),
                Some(EccsiError::ScalarOutOfRange)
            );
        }
        for len in [0usize, 31, 33, 64] {
            let bad = vec![1u8; len];
            assert_eq!(
                Ssk::from_bytes(&bad).err(),
                Some(EccsiError::ScalarLength { len })
            );
            assert_eq!(
                Ksak::from_bytes(&bad).err(),
                Some(EccsiError::ScalarLength { len })
            );
        }
        // Boundaries inside the range are accepted.
        assert!(Ssk::from_bytes(&sub_small(&q, 1)).is_ok());
        assert!(Ksak::from_bytes(&add_small(&[0u8; 32], 1)).is_ok());
    }

    #[test]
    fn check_order_pvt_before_r_before_s() {
        let sig = alice_sig(b"m");
        let mut bad = with_s(&with_r(&sig, &[0u8; 32]), &[0u8; 32]);
        assert_eq!(
            verify_alice(b"m", &bad),
            Err(EccsiError::SignatureROutOfRange)
        );
        bad[64] = 0x02;
        assert_eq!(
            verify_alice(b"m", &bad),
            Err(EccsiError::PointPrefix { prefix: 0x02 })
        );
    }

    // ---------------------------------------------------------------------------------------
    // C1: cryptographic verification failures
    // ---------------------------------------------------------------------------------------

    #[test]
    fn c1_flipped_message_bit_is_rejected() {
        let msg = b"The quick brown fox".to_vec();
        let sig = alice_sig(&msg);
        assert_eq!(verify_alice(&msg, &sig), Ok(()));
        for bit in [0usize, 7, 8 * 5 + 3, msg.len() * 8 - 1] {
            let mut bad = msg.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(verify_alice(&bad, &sig), Err(EccsiError::InvalidSignature));
        }
        // Truncated and extended messages.
        assert_eq!(
            verify_alice(&msg[..msg.len() - 1], &sig),
            Err(EccsiError::InvalidSignature)
        );
        let mut longer = msg.clone();
        longer.push(0);
        assert_eq!(
            verify_alice(&longer, &sig),
            Err(EccsiError::InvalidSignature)
        );
    }

    #[test]
    fn c1_rfc_vector_flipped_message_bit_is_rejected() {
        let v = vector();
        let kpak = Kpak::from_bytes(&v.kpak).unwrap();
        let pvt = Pvt::from_bytes(&v.pvt).unwrap();
        let mut msg = v.message.clone();
        msg[0] ^= 0x01;
        assert_eq!(
            verify_both(&kpak, &v.id, &pvt, &msg, &v.signature),
            Err(EccsiError::InvalidSignature)
        );
    }

    #[test]
    fn c1_altered_r_is_rejected() {
        let sig = alice_sig(b"m");
        let r: [u8; 32] = sig[..32].try_into().unwrap();
        for altered in [add_small(&r, 1), sub_small(&r, 1), {
            let mut x = r;
            x[31] ^= 0x80;
            x
        }] {
            assert_eq!(
                verify_alice(b"m", &with_r(&sig, &altered)),
                Err(EccsiError::InvalidSignature)
            );
        }
    }

    #[test]
    fn c1_altered_s_is_rejected() {
        let sig = alice_sig(b"m");
        let s: [u8; 32] = sig[32..64].try_into().unwrap();
        let q = BigUint::from_bytes_be(&arr32(Q_HEX));
        for altered in [add_small(&s, 1), sub_small(&s, 1), {
            let mut x = s;
            x[16] ^= 0x04;
            x
        }] {
            if BigUint::from_bytes_be(&altered) >= q || altered == [0u8; 32] {
                continue;
            }
            assert_eq!(
                verify_alice(b"m", &with_s(&sig, &altered)),
                Err(EccsiError::InvalidSignature)
            );
        }
    }

    /// ECCSI, like ECDSA, only compares J.x with r, and [q - s](...) = -J has the same
    /// x-coordinate: (r, q - s, PVT) is a second valid signature on the same message.
    /// RFC 6507 has no low-s rule, so a verifier must accept both (SPEC §2.7 step 6).
    /// Consequence: never use signature octets as a replay-cache key.
    #[test]
    fn malleability_q_minus_s_also_verifies() {
        let sig = alice_sig(b"m");
        let s = BigUint::from_bytes_be(&sig[32..64]);
        let q = BigUint::from_bytes_be(&arr32(Q_HEX));
        let twin = (&q - &s).to_bytes_be();
        let mut twin_bytes = [0u8; 32];
        twin_bytes[32 - twin.len()..].copy_from_slice(&twin);
        let twin_sig = with_s(&sig, &twin_bytes);
        assert_ne!(twin_sig, sig);
        assert_eq!(verify_alice(b"m", &twin_sig), Ok(()));
        assert_eq!(
            verify_alice(b"n", &twin_sig),
            Err(EccsiError::InvalidSignature)
        );
    }

    #[test]
    fn c1_wrong_kpak_is_rejected() {
        let f = fixture();
        let sig = alice_sig(b"m");
        assert_eq!(
            verify_both(f.other_kms.kpak(), &f.alice_id, f.alice.pvt(), b"m", &sig),
            Err(EccsiError::InvalidSignature)
        );
    }

    #[test]
    fn c1_wrong_id_is_rejected() {
        let f = fixture();
        let sig = alice_sig(b"m");
        assert_eq!(
            verify_both(f.kms.kpak(), &f.bob_id, f.alice.pvt(), b"m", &sig),
            Err(EccsiError::InvalidSignature)
        );
        // The key-period prefix matters too.
        let mut other_period = f.alice_id.clone();
        other_period[6] = b'2';
        assert_eq!(
            verify_both(f.kms.kpak(), &other_period, f.alice.pvt(), b"m", &sig),
            Err(EccsiError::InvalidSignature)
        );
        assert_eq!(
            eccsi::verify(f.kms.kpak(), b"", b"m", &sig),
            Err(EccsiError::InvalidSignature)
        );
    }

    #[test]
    fn c1_other_users_pvt_is_rejected() {
        let f = fixture();
        let sig = alice_sig(b"m");
        // Bob's PVT in Alice's signature, with Alice's ID and with Bob's ID.
        let swapped = with_pvt(&sig, f.bob.pvt().as_bytes());
        assert_eq!(
            verify_alice(b"m", &swapped),
            Err(EccsiError::InvalidSignature)
        );
        assert_eq!(
            verify_both(f.kms.kpak(), &f.bob_id, f.bob.pvt(), b"m", &swapped),
            Err(EccsiError::InvalidSignature)
        );
        // Alice's other (re-issued) PVT is not interchangeable either.
        let swapped = with_pvt(&sig, f.alice2.pvt().as_bytes());
        assert_eq!(
            verify_alice(b"m", &swapped),
            Err(EccsiError::InvalidSignature)
        );
    }

    #[test]
    fn c1_signature_of_other_user_is_rejected() {
        let f = fixture();
        let sig = f.bob.sign(b"m", &mut OsRandom).unwrap();
        assert_eq!(
            verify_alice(b"m", sig.as_bytes()),
            Err(EccsiError::InvalidSignature)
        );
    }

    // ---------------------------------------------------------------------------------------
    // K4 / RFC 6507 §5.1.2: key pair validation
    // ---------------------------------------------------------------------------------------

    fn ssk_copy(key: &SigningKey) -> Ssk {
        Ssk::from_bytes(&key.ssk().to_bytes()[..]).unwrap()
    }

    #[test]
    fn k4_mismatched_ssk_and_pvt_are_rejected() {
        let f = fixture();
        // Alice's SSK with Bob's PVT (and each ID).
        for id in [&f.alice_id, &f.bob_id] {
            assert_eq!(
                SigningKey::new(f.kms.kpak(), id, ssk_copy(&f.alice), f.bob.pvt().clone()).err(),
                Some(EccsiError::InvalidKeyPair)
            );
        }
        // Alice's SSK with her other PVT.
        assert_eq!(
            SigningKey::new(
                f.kms.kpak(),
                &f.alice_id,
                ssk_copy(&f.alice),
                f.alice2.pvt().clone()
            )
            .err(),
            Some(EccsiError::InvalidKeyPair)
        );
        // SSK off by one.
        let ssk_plus_one = add_small(&f.alice.ssk().to_bytes(), 1);
        if let Ok(ssk) = Ssk::from_bytes(&ssk_plus_one) {
            assert_eq!(
                SigningKey::new(f.kms.kpak(), &f.alice_id, ssk, f.alice.pvt().clone()).err(),
                Some(EccsiError::InvalidKeyPair)
            );
        }
        // The correct combination still validates.
        assert!(SigningKey::new(
            f.kms.kpak(),
            &f.alice_id,
            ssk_copy(&f.alice),
            f.alice.pvt().clone()
        )
        .is_ok());
    }

    #[test]
    fn k4_wrong_id_at_validation_is_rejected() {
        let f = fixture();
        assert_eq!(
            SigningKey::new(
                f.kms.kpak(),
                &f.bob_id,
                ssk_copy(&f.alice),
                f.alice.pvt().clone()
            )
            .err(),
            Some(EccsiError::InvalidKeyPair)
        );
        let v = vector();
        let mut id = v.id.clone();
        id.pop(); // drop the trailing NUL
        let kpak = Kpak::from_bytes(&v.kpak).unwrap();
        assert_eq!(
            SigningKey::new(
                &kpak,
                &id,
                Ssk::from_bytes(&v.ssk).unwrap(),
                Pvt::from_bytes(&v.pvt).unwrap()
            )
            .err(),
            Some(EccsiError::InvalidKeyPair)
        );
    }

    #[test]
    fn k4_wrong_kpak_at_validation_is_rejected() {
        let f = fixture();
        assert_eq!(
            SigningKey::new(
                f.other_kms.kpak(),
                &f.alice_id,
                ssk_copy(&f.alice),
                f.alice.pvt().clone()
            )
            .err(),
            Some(EccsiError::InvalidKeyPair)
        );
    }

    // ---------------------------------------------------------------------------------------
    // Randomness: failures, exhaustion, rejection sampling (C4/C5 restarts)
    // ---------------------------------------------------------------------------------------

    #[test]
    fn random_failures_are_reported() {
        let f = fixture();
        let expected = EccsiError::Random(RandomError);
        assert_eq!(EccsiKms::generate(&mut FailingRng).err(), Some(expected));
        assert_eq!(f.kms.issue(b"id", &mut FailingRng).err(), Some(expected));
        assert_eq!(f.alice.sign(b"m", &mut FailingRng).err(), Some(expected));
        // Converts into the crate error.
        let crate_err: mikey_sakke::Error = expected.into();
        assert_eq!(crate_err, mikey_sakke::Error::Eccsi(expected));
    }

    #[test]
    fn degenerate_generators_are_reported_not_looped_forever() {
        let f = fixture();
        let expected = EccsiError::Random(RandomError);
        // All-zero output is 0 (rejected); all-0xff output is >= q (rejected).
        for byte in [0x00u8, 0xff] {
            assert_eq!(
                EccsiKms::generate(&mut ConstantRng(byte)).err(),
                Some(expected)
            );
            assert_eq!(
                f.kms.issue(b"id", &mut ConstantRng(byte)).err(),
                Some(expected)
            );
            assert_eq!(
                f.alice.sign(b"m", &mut ConstantRng(byte)).err(),
                Some(expected)
            );
        }
    }

    #[test]
    fn rejection_sampling_skips_zero_and_values_not_below_q() {
        let q = h(Q_HEX);
        let script = vec![vec![0u8; 32], q.clone(), vec![0xff; 32]];
        let mut rng = ScriptedRng {
            script: script.clone(),
            rest: TestRng::new(5),
        };
        let kms = EccsiKms::generate(&mut rng).unwrap();
        // The KSAK is the first value of the deterministic tail.
        let mut tail = TestRng::new(5);
        let mut expected = [0u8; 32];
        tail.fill(&mut expected).unwrap();
        assert_eq!(kms.ksak().to_bytes().as_slice(), expected.as_slice());

        // The same for v in issue and j in sign: the results verify.
        let mut rng = ScriptedRng {
            script: script.clone(),
            rest: TestRng::new(6),
        };
        let (ssk, pvt) = kms.issue(b"id", &mut rng).unwrap();
        let key = SigningKey::new(kms.kpak(), b"id", ssk, pvt).unwrap();
        let mut rng = ScriptedRng {
            script,
            rest: TestRng::new(7),
        };
        let sig = key.sign(b"m", &mut rng).unwrap();
        assert_eq!(
            eccsi::verify(kms.kpak(), b"id", b"m", sig.as_bytes()),
            Ok(())
        );
    }

    #[test]
    fn q_minus_one_is_a_valid_draw() {
        let q_minus_1 = sub_small(&arr32(Q_HEX), 1);
        let mut rng = ScriptedRng {
            script: vec![q_minus_1.to_vec()],
            rest: TestRng::new(8),
        };
        let kms = EccsiKms::generate(&mut rng).unwrap();
        assert_eq!(kms.ksak().to_bytes().as_slice(), q_minus_1.as_slice());
        // KPAK = [q-1]G = -G.
        let mut neg_g = h(G_HEX);
        let y = BigUint::from_bytes_be(&neg_g[33..]);
        let neg_y = (BigUint::from_bytes_be(&arr32(P_HEX)) - y).to_bytes_be();
        neg_g[33..].fill(0);
        neg_g[65 - neg_y.len()..].copy_from_slice(&neg_y);
        assert_eq!(kms.kpak().as_bytes().as_slice(), neg_g.as_slice());
    }

    // ---------------------------------------------------------------------------------------
    // Verifier specifics
    // ---------------------------------------------------------------------------------------

    #[test]
    fn verifier_falls_back_for_a_different_pvt() {
        let f = fixture();
        let verifier = Verifier::new(f.kms.kpak(), &f.alice_id, f.alice.pvt()).unwrap();
        assert_eq!(verifier.pvt(), f.alice.pvt());
        assert_eq!(verifier.id(), f.alice_id.as_slice());
        assert_eq!(verifier.kpak(), f.kms.kpak());
        // A signature under Alice's re-issued key (other PVT, same ID and KMS) verifies
        // through the fallback, exactly like verify().
        let sig = f.alice2.sign(b"m", &mut OsRandom).unwrap();
        assert_eq!(verifier.verify(b"m", sig.as_bytes()), Ok(()));
        assert_eq!(
            verifier.verify(b"n", sig.as_bytes()),
            Err(EccsiError::InvalidSignature)
        );
        // Bob's signature does not verify as Alice's.
        let sig = f.bob.sign(b"m", &mut OsRandom).unwrap();
        assert_eq!(
            verifier.verify(b"m", sig.as_bytes()),
            Err(EccsiError::InvalidSignature)
        );
    }

    // ---------------------------------------------------------------------------------------
    // Cross-check against a plain step-by-step RFC 6507 §5.2.2
    // ---------------------------------------------------------------------------------------

    /// RFC 6507 §5.2.2 written out with big integers for the range checks and separate
    /// scalar multiplications (no multi-scalar multiplication, no caching).
    fn reference_verify(kpak: &[u8], id: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        let p = BigUint::from_bytes_be(&h(P_HEX));
        let q = BigUint::from_bytes_be(&h(Q_HEX));
        if sig.len() != 129 {
            return false;
        }
        let (r_oct, rest) = sig.split_at(32);
        let (s_oct, pvt_oct) = rest.split_at(32);
        let r = BigUint::from_bytes_be(r_oct);
        let s = BigUint::from_bytes_be(s_oct);
        // Step 1: r < q (policy; RFC: r < p), 0 < s < q, PVT on the curve.
        let zero = BigUint::from(0u8);
        if r == zero || r >= q || r >= p || s == zero || s >= q {
            return false;
        }
        let decode = |bytes: &[u8]| -> Option<ProjectivePoint> {
            if bytes.len() != 65 || bytes[0] != 0x04 {
                return None;
            }
            let point = EncodedPoint::from_bytes(bytes).ok()?;
            let affine: Option<AffinePoint> = AffinePoint::from_encoded_point(&point).into();
            Some(ProjectivePoint::from(affine?))
        };
        let Some(pvt) = decode(pvt_oct) else {
            return false;
        };
        let Some(kpak_point) = decode(kpak) else {
            return false;
        };
        // Step 2: HS = hash(G || KPAK || ID || PVT).
        let hs: [u8; 32] = Sha256::new()
            .chain_update(h(G_HEX))
            .chain_update(kpak)
            .chain_update(id)
            .chain_update(pvt_oct)
            .finalize()
            .into();
        // Step 3: HE = hash(HS || r || M).
        let he: [u8; 32] = Sha256::new()
            .chain_update(hs)
            .chain_update(r_oct)
            .chain_update(msg)
            .finalize()
            .into();
        let to_scalar = |x: &BigUint| {
            let bytes = (x % &q).to_bytes_be();
            let mut out = [0u8; 32];
            out[32 - bytes.len()..].copy_from_slice(&bytes);
            Option::<Scalar>::from(Scalar::from_repr(FieldBytes::from(out))).unwrap()
        };
        let hs_s = to_scalar(&BigUint::from_bytes_be(&hs));
        let he_s = <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(he));
        // Step 4: Y = [HS]PVT + KPAK.
        let y = pvt * hs_s + kpak_point;
        // Step 5: J = [s]([HE]G + [r]Y).
        let j = (ProjectivePoint::GENERATOR * he_s + y * to_scalar(&r)) * to_scalar(&s);
        // Step 6: J.x = r, J != O.
        let affine = j.to_affine();
        if bool::from(affine.is_identity()) {
            return false;
        }
        BigUint::from_bytes_be(&affine.x()) == r
    }

    /// All three verification paths agree on (kpak, id, pvt-of-verifier, msg, sig).
    fn assert_all_agree(kpak: &Kpak, id: &[u8], pvt: &Pvt, msg: &[u8], sig: &[u8]) -> bool {
        let reference = reference_verify(kpak.as_bytes(), id, msg, sig);
        let plain = eccsi::verify(kpak, id, msg, sig);
        let cached = Verifier::new(kpak, id, pvt).unwrap().verify(msg, sig);
        assert_eq!(plain.is_ok(), reference, "verify() vs reference");
        assert_eq!(cached, plain, "Verifier vs verify()");
        reference
    }

    #[test]
    fn cross_check_rfc_vector() {
        let v = vector();
        let kpak = Kpak::from_bytes(&v.kpak).unwrap();
        let pvt = Pvt::from_bytes(&v.pvt).unwrap();
        assert!(assert_all_agree(
            &kpak,
            &v.id,
            &pvt,
            &v.message,
            &v.signature
        ));
    }

    // ---------------------------------------------------------------------------------------
    // Property tests
    // ---------------------------------------------------------------------------------------

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// Issue, validate, sign and verify for random identifiers and messages.
        #[test]
        fn prop_sign_verify_roundtrip(
            id in proptest::collection::vec(any::<u8>(), 0..80),
            msg in proptest::collection::vec(any::<u8>(), 0..300),
            seed in any::<u64>(),
        ) {
            let f = fixture();
            let mut rng = TestRng::new(seed);
            let (ssk, pvt) = f.kms.issue(&id, &mut rng).unwrap();
            let key = SigningKey::new(f.kms.kpak(), &id, ssk, pvt).unwrap();
            let sig = key.sign(&msg, &mut rng).unwrap();
            prop_assert_eq!(sig.pvt(), key.pvt().as_bytes().as_slice());
            prop_assert!(assert_all_agree(f.kms.kpak(), &id, key.pvt(), &msg, sig.as_bytes()));
            prop_assert_eq!(eccsi::verify(f.kms.kpak(), &id, &msg, sig.as_bytes()), Ok(()));
        }

        /// Any single-bit change of the message or the signature is rejected.
        #[test]
        fn prop_single_bit_corruption_is_rejected(
            msg in proptest::collection::vec(any::<u8>(), 1..100),
            bit in any::<prop::sample::Index>(),
            seed in any::<u64>(),
        ) {
            let f = fixture();
            let sig = f.alice.sign(&msg, &mut TestRng::new(seed)).unwrap().to_bytes();
            let total_bits = (msg.len() + SIGNATURE_LEN) * 8;
            let bit = bit.index(total_bits);
            let (mut msg2, mut sig2) = (msg.clone(), sig);
            if bit < msg.len() * 8 {
                msg2[bit / 8] ^= 1 << (bit % 8);
            } else {
                let b = bit - msg.len() * 8;
                sig2[b / 8] ^= 1 << (b % 8);
            }
            let result = verify_alice(&msg2, &sig2);
            prop_assert!(result.is_err());
            if bit < msg.len() * 8 {
                prop_assert_eq!(result, Err(EccsiError::InvalidSignature));
            }
            prop_assert!(!assert_all_agree(f.kms.kpak(), &f.alice_id, f.alice.pvt(), &msg2, &sig2));
        }

        /// Random r and s with a valid PVT: all three paths agree (and reject).
        #[test]
        fn prop_random_r_s_agree(
            r in any::<[u8; 32]>(),
            s in any::<[u8; 32]>(),
            use_other_pvt in any::<bool>(),
        ) {
            let f = fixture();
            let pvt = if use_other_pvt { f.bob.pvt() } else { f.alice.pvt() };
            let mut sig = r.to_vec();
            sig.extend_from_slice(&s);
            sig.extend_from_slice(pvt.as_bytes());
            prop_assert!(!assert_all_agree(f.kms.kpak(), &f.alice_id, f.alice.pvt(), b"m", &sig));
        }

        /// Random octets never panic any decoder or verifier.
        #[test]
        fn prop_random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let f = fixture();
            let _ = Kpak::from_bytes(&bytes);
            let _ = Pvt::from_bytes(&bytes);
            let _ = Ksak::from_bytes(&bytes);
            let _ = Ssk::from_bytes(&bytes);
            let _ = Signature::from_bytes(&bytes);
            prop_assert!(eccsi::verify(f.kms.kpak(), &f.alice_id, b"m", &bytes).is_err());
            let verifier = Verifier::new(f.kms.kpak(), &f.alice_id, f.alice.pvt()).unwrap();
            prop_assert!(verifier.verify(&bytes, &bytes).is_err());
            if bytes.len() == POINT_LEN {
                let _ = Kpak::from_bytes(&bytes).map(|k| assert_eq!(k.to_bytes().as_slice(), bytes.as_slice()));
            }
            if bytes.len() == SCALAR_LEN {
                prop_assert_eq!(Ssk::from_bytes(&bytes).is_ok(), Ksak::from_bytes(&bytes).is_ok());
            }
        }

        /// Random 129-octet strings with a valid PVT tail never panic and are rejected.
        #[test]
        fn prop_random_signatures_with_valid_pvt_are_rejected(
            head in any::<[u8; 64]>(),
        ) {
            let f = fixture();
            let sig = with_pvt(&{
                let mut s = [0u8; SIGNATURE_LEN];
                s[..64].copy_from_slice(&head);
                s
            }, f.alice.pvt().as_bytes());
            prop_assert!(verify_alice(b"m", &sig).is_err());
        }

        /// Random 65-octet strings with a 0x04 prefix: decoding agrees with the curve equation.
        #[test]
        fn prop_point_decoding_matches_curve_equation(xy in any::<[u8; 64]>()) {
            let mut enc = vec![0x04];
            enc.extend_from_slice(&xy);
            let p = BigUint::from_bytes_be(&h(P_HEX));
            let x = BigUint::from_bytes_be(&xy[..32]);
            let y = BigUint::from_bytes_be(&xy[32..]);
            let expected = if xy == [0u8; 64] {
                Err(EccsiError::PointAtInfinity)
            } else if x >= p || y >= p {
                Err(EccsiError::CoordinateOutOfRange)
            } else {
                let b = BigUint::from_bytes_be(&h("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"));
                let three = BigUint::from(3u8);
                let rhs = (x.modpow(&three, &p) + &b + &p * 3u8 - (&x * &three) % &p) % &p;
                if (&y * &y) % &p == rhs { Ok(()) } else { Err(EccsiError::PointNotOnCurve) }
            };
            prop_assert_eq!(Pvt::from_bytes(&enc).map(|_| ()), expected);
        }
    }
}
