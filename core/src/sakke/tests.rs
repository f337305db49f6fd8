//! Unit tests against RFC 6508 Appendix A (every intermediate value) and
//! cross-checks of the fast paths against plain algorithms.

use super::*;
use crate::random::OsRandom;
use num_bigint::BigUint;

struct Vector {
    z: Vec<u8>,
    big_z: Vec<u8>,
    id: Vec<u8>,
    rsk: Vec<u8>,
    ssv: Vec<u8>,
    r: Vec<u8>,
    big_r: Vec<u8>,
    g_r: Vec<u8>,
    mask: Vec<u8>,
    h: Vec<u8>,
    sed: Vec<u8>,
    p: Vec<u8>,
    g: Vec<u8>,
}

fn vector() -> Vector {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/rfc6508_sakke.json")).unwrap();
    let h = |k: &str| hex::decode(v[k].as_str().unwrap()).unwrap();
    let ps = &v["parameter_set"];
    Vector {
        z: h("z"),
        big_z: h("Z"),
        id: h("id"),
        rsk: h("rsk"),
        ssv: h("ssv"),
        r: h("r"),
        big_r: h("R"),
        g_r: h("g_r"),
        mask: h("mask"),
        h: h("H"),
        sed: h("encapsulated_data"),
        p: hex::decode(ps["P"].as_str().unwrap()).unwrap(),
        g: hex::decode(ps["g"].as_str().unwrap()).unwrap(),
    }
}

fn fp_bytes(v: &[u8]) -> [u8; 128] {
    let mut out = [0u8; 128];
    out[128 - v.len()..].copy_from_slice(v);
    out
}

/// Plain left-to-right double-and-add (variable time), the reference for the tables.
fn mul_plain(point: &Affine, k: &Scalar) -> Jacobian {
    let bytes = k.to_be_bytes();
    let mut acc = Jacobian::identity();
    for byte in bytes {
        for bit in (0..8).rev() {
            acc = acc.double();
            if (byte >> bit) & 1 == 1 {
                acc = acc.add(&point.to_jacobian());
            }
        }
    }
    acc
}

fn affine(j: Jacobian) -> Affine {
    Option::<Affine>::from(j.to_affine()).unwrap()
}

#[test]
fn parameter_set_constants() {
    let v = vector();
    assert_eq!(Affine::generator().encode().to_vec(), v.p);
    assert_eq!(pairing::g().to_be_bytes().to_vec(), v.g);
    assert!(bool::from(Affine::generator().is_on_curve()));
    assert!(bool::from(Affine::generator().is_torsion_free()));
}

#[test]
fn pairing_of_p_with_itself_is_g() {
    let p = Affine::generator();
    let t = pairing::pairing(&p, &p);
    let w = Option::<Fp>::from(t.to_pf()).unwrap();
    assert_eq!(w.to_be_bytes().to_vec(), vector().g);
    let table = PairingTable::new(&p).unwrap();
    assert!(bool::from(table.pairing(&p).pf_eq(&pairing::g())));
}

#[test]
fn kms_public_key_from_z() {
    let v = vector();
    let kms = SakkeKms::from_master_secret(MasterSecret::from_bytes(&v.z).unwrap());
    assert_eq!(kms.public_key().to_bytes().to_vec(), v.big_z);
    assert_eq!(
        kms.master_secret().to_bytes().to_vec(),
        fp_bytes(&v.z).to_vec()
    );
    assert_eq!(
        KmsPublicKey::from_bytes(&v.big_z).unwrap(),
        *kms.public_key()
    );
}

#[test]
fn rsk_issuance_and_validation() {
    let v = vector();
    let kms = SakkeKms::from_master_secret(MasterSecret::from_bytes(&v.z).unwrap());
    let rsk = kms.issue_rsk(&v.id).unwrap();
    assert_eq!(rsk.to_bytes().to_vec(), v.rsk);
    let ctx = KmsContext::new(kms.public_key());
    ctx.validate_rsk(&v.id, &rsk).unwrap();
    // The same RSK is not valid for another identifier.
    let mut other = v.id.clone();
    other[5] ^= 1;
    assert_eq!(ctx.validate_rsk(&other, &rsk), Err(SakkeError::InvalidRsk));
}

#[test]
fn hash_to_integer_range_values() {
    let v = vector();
    let r = hash::hash_to_scalar(&[&v.ssv, &v.id]);
    assert_eq!(r.to_be_bytes().to_vec(), fp_bytes(&v.r).to_vec());
    let mask = hash::hash_to_mask(&fp_bytes(&v.g_r));
    assert_eq!(mask.to_vec(), v.mask);
}

#[test]
fn encapsulation_intermediates() {
    let v = vector();
    let ctx = KmsContext::new(&KmsPublicKey::from_bytes(&v.big_z).unwrap());
    let r = hash::hash_to_scalar(&[&v.ssv, &v.id]);
    let b = Scalar::reduce_vartime(&v.id);
    let big_r = affine(ctx.r_times_x(&r, &b));
    assert_eq!(big_r.encode().to_vec(), v.big_r);
    let gr = Option::<Fp>::from(GtTable::get().pow(&r).to_pf()).unwrap();
    assert_eq!(gr.to_be_bytes().to_vec(), fp_bytes(&v.g_r).to_vec());
    let ssv = Ssv::from_bytes(&v.ssv).unwrap();
    let sed = ctx.encapsulate(&v.id, &ssv).unwrap();
    assert_eq!(sed.to_bytes()[POINT_LEN..].to_vec(), v.h);
    assert_eq!(sed.to_bytes().to_vec(), v.sed);
}

#[test]
fn decapsulation_with_and_without_table() {
    let v = vector();
    let ctx = KmsContext::new(&KmsPublicKey::from_bytes(&v.big_z).unwrap());
    let sed = EncapsulatedData::from_bytes(&v.sed).unwrap();
    // w = <R, RSK> equals g^r, computed both ways round.
    let big_r = Affine::decode(&v.big_r).unwrap();
    let rsk = Rsk::from_bytes(&v.rsk).unwrap();
    let w1 = Option::<Fp>::from(pairing::pairing(&big_r, &rsk.0).to_pf()).unwrap();
    let w2 =
        Option::<Fp>::from(PairingTable::new(&rsk.0).unwrap().pairing(&big_r).to_pf()).unwrap();
    assert_eq!(w1.to_be_bytes().to_vec(), fp_bytes(&v.g_r).to_vec());
    assert_eq!(w2.to_be_bytes().to_vec(), fp_bytes(&v.g_r).to_vec());

    let mut key = ReceiverKey::new(&ctx, &v.id, rsk).unwrap();
    let ssv = key.decapsulate(&sed).unwrap();
    assert_eq!(ssv.as_bytes().to_vec(), v.ssv);
    key.precompute();
    assert!(key.is_precomputed());
    let ssv = key.decapsulate(&sed).unwrap();
    assert_eq!(ssv.as_bytes().to_vec(), v.ssv);
}

#[test]
fn fixed_base_tables_match_double_and_add() {
    let v = vector();
    let z_point = Affine::decode(&v.big_z).unwrap();
    let z_table = FixedBaseTable::new(&z_point);
    let p = Affine::generator();
    let mut rng = OsRandom;
    for _ in 0..4 {
        let k = Scalar::random(&mut rng, 1).unwrap();
        let fast = affine(FixedBaseTable::generator().mul(&k));
        let plain = affine(mul_plain(&p, &k));
        assert_eq!(fast.encode(), plain.encode());
        let fast = affine(z_table.mul(&k));
        let plain = affine(mul_plain(&z_point, &k));
        assert_eq!(fast.encode(), plain.encode());
    }
    // Small and edge scalars.
    for small in [1u8, 2, 7, 8, 9, 15, 16, 17, 0x88] {
        let mut bytes = [0u8; 128];
        bytes[127] = small;
        let k = Option::<Scalar>::from(Scalar::from_be_bytes_canonical(&bytes)).unwrap();
        assert_eq!(
            affine(FixedBaseTable::generator().mul(&k)).encode(),
            affine(mul_plain(&p, &k)).encode()
        );
    }
    assert!(bool::from(
        FixedBaseTable::generator()
            .mul(&Scalar::zero())
            .is_identity()
    ));
}

#[test]
fn gt_table_matches_plain_exponentiation() {
    let q = BigUint::from_bytes_be(&params::Q);
    let p = BigUint::from_bytes_be(&params::P);
    let g = BigUint::from_bytes_be(&vector().g);
    let mut rng = OsRandom;
    for _ in 0..3 {
        let k = Scalar::random(&mut rng, 1).unwrap();
        let fast = Option::<Fp>::from(GtTable::get().pow(&k).to_pf()).unwrap();
        // Plain square-and-multiply of (1, g) in F_p^2 with num-bigint.
        let kb = BigUint::from_bytes_be(&k.to_be_bytes());
        assert!(kb < q);
        let (mut a0, mut a1) = (BigUint::from(1u8), BigUint::from(0u8));
        for i in (0..kb.bits()).rev() {
            let s0 = (&a0 * &a0 + &p * &p - (&a1 * &a1) % &p) % &p;
            let s1 = (BigUint::from(2u8) * &a0 * &a1) % &p;
            a0 = s0;
            a1 = s1;
            if kb.bit(i) {
                let t0 = (&a0 + &p * &p - (&a1 * &g) % &p) % &p;
                let t1 = (&a0 * &g + &a1) % &p;
                a0 = t0;
                a1 = t1;
            }
        }
        let expected = (&a1 * a0.modpow(&(&p - BigUint::from(2u8)), &p)) % &p;
        assert_eq!(BigUint::from_bytes_be(&fast.to_be_bytes()), expected);
    }
}

#[test]
fn random_round_trips_and_table_agree() {
    let mut rng = OsRandom;
    let kms = SakkeKms::generate(&mut rng).unwrap();
    let ctx = KmsContext::new(kms.public_key());
    for id in [
        &b"2026-11\0tel:+447700900123\0"[..],
        &[0xab; 32][..],
        &[0xff; 200][..],
    ] {
        let rsk = kms.issue_rsk(id).unwrap();
        let key = ReceiverKey::new(&ctx, id, rsk).unwrap();
        let fast = ReceiverKey::new(&ctx, id, kms.issue_rsk(id).unwrap())
            .unwrap()
            .with_precomputation();
        let (ssv, sed) = ctx.encapsulate_fresh(id, &mut rng).unwrap();
        assert!(bool::from(key.decapsulate(&sed).unwrap().ct_eq(&ssv)));
        assert!(bool::from(fast.decapsulate(&sed).unwrap().ct_eq(&ssv)));
        // Deterministic for a given SSV.
        assert_eq!(ctx.encapsulate(id, &ssv).unwrap(), sed);
    }
}

#[test]
fn degenerate_pairing_is_detected() {
    // (0, 0) lies on y^2 = x^3 - 3x and has order 2; as the evaluation
    // point of the pairing with P it gives a real value, and as the Miller
    // point the loop degenerates.
    let t = Affine {
        x: Fp::ZERO,
        y: Fp::ZERO,
    };
    assert!(bool::from(t.is_on_curve()));
    assert!(!bool::from(t.is_torsion_free()));
    let out = pairing::pairing(&t, &Affine::generator());
    assert!(bool::from(out.to_pf().is_none()) || bool::from(out.c1.is_zero()));
}

/// RFC 6508 §3.2 exactly as written (binary expansion of q - 1, affine
/// coordinates, explicit inversions), with num-bigint: the oracle for the
/// NAF / Jacobian / precomputed-line implementations.
fn pairing_literal(r: &Affine, q_pt: &Affine) -> BigUint {
    let p = BigUint::from_bytes_be(&params::P);
    let q = BigUint::from_bytes_be(&params::Q);
    let big = |f: &Fp| BigUint::from_bytes_be(&f.to_be_bytes());
    let inv = |a: &BigUint| a.modpow(&(&p - 2u8), &p);
    let sub = |a: &BigUint, b: &BigUint| ((a + &p) - (b % &p)) % &p;
    let (rx, ry, qx, qy) = (big(&r.x), big(&r.y), big(&q_pt.x), big(&q_pt.y));
    let f2mul = |a: &(BigUint, BigUint), b: &(BigUint, BigUint)| {
        (
            sub(&(&a.0 * &b.0), &(&a.1 * &b.1)),
            (&a.0 * &b.1 + &a.1 * &b.0) % &p,
        )
    };
    let mut v = (BigUint::from(1u8), BigUint::from(0u8));
    let (mut cx, mut cy) = (rx.clone(), ry.clone());
    let n = &q - 1u8;
    for i in (0..n.bits() - 1).rev() {
        // Doubling step.
        let lambda = (BigUint::from(3u8) * sub(&(&cx * &cx), &BigUint::from(1u8)) % &p)
            * inv(&(BigUint::from(2u8) * &cy % &p))
            % &p;
        let l = (sub(&(&lambda * (&qx + &cx)), &cy), qy.clone());
        v = f2mul(&f2mul(&v, &v), &l);
        let x2 = sub(&(&lambda * &lambda), &(BigUint::from(2u8) * &cx));
        let y2 = sub(&(&lambda * sub(&cx, &x2)), &cy);
        cx = x2;
        cy = y2;
        if n.bit(i) {
            let lambda = sub(&ry, &cy) * inv(&sub(&rx, &cx)) % &p;
            let l = (sub(&(&lambda * (&qx + &cx)), &cy), qy.clone());
            v = f2mul(&v, &l);
            let x3 = sub(&sub(&(&lambda * &lambda), &cx), &rx);
            let y3 = sub(&(&lambda * sub(&cx, &x3)), &cy);
            cx = x3;
            cy = y3;
        }
    }
    let t = f2mul(&v, &v);
    let t = f2mul(&t, &t);
    t.1 * inv(&t.0) % &p
}

#[test]
fn pairing_matches_rfc_literal_algorithm() {
    let mut rng = OsRandom;
    let p = Affine::generator();
    for _ in 0..2 {
        let a = affine(FixedBaseTable::generator().mul(&Scalar::random(&mut rng, 1).unwrap()));
        let b = affine(FixedBaseTable::generator().mul(&Scalar::random(&mut rng, 1).unwrap()));
        let expected = pairing_literal(&a, &b);
        let fast = Option::<Fp>::from(pairing::pairing(&a, &b).to_pf()).unwrap();
        assert_eq!(BigUint::from_bytes_be(&fast.to_be_bytes()), expected);
        // Precomputed lines of b evaluated at a: <b, a> = <a, b>.
        let table = PairingTable::new(&b).unwrap();
        let sym = Option::<Fp>::from(table.pairing(&a).to_pf()).unwrap();
        assert_eq!(BigUint::from_bytes_be(&sym.to_be_bytes()), expected);
    }
    let g = BigUint::from_bytes_be(&vector().g);
    assert_eq!(pairing_literal(&p, &p), g);
}
