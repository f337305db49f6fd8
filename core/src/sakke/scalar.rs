//! Integers modulo the subgroup order `q` of parameter set 1.
//!
//! Used for the KMS master secret `z`, the RSK exponent `(b + z)^-1`
//! (RFC 6508 §6.1.1), the encapsulation exponent `r` (RFC 6508 §6.2.1) and
//! identifiers `b = OS2IP(ID)`. Everything here is constant time except the
//! functions named `_vartime`, which only ever see public values.

use std::sync::OnceLock;

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{CtLt, NonZero, Odd, U1024, U2048};
use subtle::{Choice, ConstantTimeEq, CtOption};
use zeroize::Zeroize;

use super::params::FIELD_LEN;

const Q_ODD: Odd<U1024> = Odd::<U1024>::from_be_hex(
    "265eaec7c2958ff69971846636b4195e905b0338672d20986fa6b8d62cf8068bbd02aac9f8bf03c6c8a1cc354c69672c39e46ce7fdf222864d5b49fd2999a9b4389b1921cc9ad335144ab173595a07386dabfd2a0c614aa0a9f3cf14870f026aa7e535abd5a5c7c7ff38fa08e2615f6c203177c42b1eb3a1d99b601ebfaa17fb",
);

fn q_nz() -> NonZero<U1024> {
    *Q_ODD.as_nz_ref()
}

fn params() -> &'static FixedMontyParams<{ U1024::LIMBS }> {
    static PARAMS: OnceLock<FixedMontyParams<{ U1024::LIMBS }>> = OnceLock::new();
    PARAMS.get_or_init(|| FixedMontyParams::new_vartime(Q_ODD))
}

/// An integer in `[0, q-1]`. Zeroized on drop; may hold secrets.
#[derive(Clone)]
pub(crate) struct Scalar(U1024);

impl Drop for Scalar {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Scalar {
    #[cfg(test)]
    pub(crate) fn zero() -> Self {
        Scalar(U1024::ZERO)
    }

    /// Decodes 128 big-endian octets; none unless the value is below `q`.
    pub(crate) fn from_be_bytes_canonical(bytes: &[u8; FIELD_LEN]) -> CtOption<Self> {
        let v = U1024::from_be_slice(bytes);
        let lt: Choice = CtLt::ct_lt(&v, Q_ODD.as_ref()).into();
        CtOption::new(Scalar(v), lt)
    }

    /// `OS2IP(bytes) mod q` for a 128-octet string (constant time), as used by
    /// HashToIntegerRange (RFC 6508 §5.1 step 6).
    pub(crate) fn reduce_128(bytes: &[u8; FIELD_LEN]) -> Self {
        let mut v = U1024::from_be_slice(bytes);
        let r = v.rem(&q_nz());
        v.zeroize();
        Scalar(r)
    }

    /// `OS2IP(bytes) mod q` for a public octet string of any length
    /// (identifier `b`, RFC 6508 §6.1.1). Variable time.
    pub(crate) fn reduce_vartime(bytes: &[u8]) -> Self {
        // Horner's rule over 64-octet chunks: acc < q < 2^1022, so
        // acc * 2^512 + chunk < 2^1534 fits in 2048 bits.
        let q_wide: NonZero<U1024> = q_nz();
        let mut acc = U1024::ZERO;
        let first = bytes.len() % 64;
        let (head, tail) = bytes.split_at(first);
        let mut chunks: Vec<&[u8]> = Vec::with_capacity(tail.len() / 64 + 1);
        if !head.is_empty() {
            chunks.push(head);
        }
        chunks.extend(tail.chunks(64));
        for chunk in chunks {
            let wide: U2048 = acc
                .resize::<{ U2048::LIMBS }>()
                .shl_vartime(8 * chunk.len() as u32);
            let mut buf = [0u8; 256];
            buf[256 - chunk.len()..].copy_from_slice(chunk);
            let wide = wide.wrapping_add(&U2048::from_be_slice(&buf));
            acc = wide.rem_vartime(&q_wide);
        }
        Scalar(acc)
    }

    pub(crate) fn to_be_bytes(&self) -> [u8; FIELD_LEN] {
        let mut out = [0u8; FIELD_LEN];
        let enc = self.0.to_be_bytes();
        out.copy_from_slice(enc.as_ref());
        out
    }

    pub(crate) fn is_zero(&self) -> Choice {
        self.0.ct_eq(&U1024::ZERO)
    }

    pub(crate) fn add(&self, rhs: &Scalar) -> Scalar {
        Scalar(self.0.add_mod(&rhs.0, &q_nz()))
    }

    pub(crate) fn mul(&self, rhs: &Scalar) -> Scalar {
        let a = FixedMontyForm::new(&self.0, params());
        let b = FixedMontyForm::new(&rhs.0, params());
        Scalar(a.mul(&b).retrieve())
    }

    /// Constant-time inverse modulo `q`; none for zero.
    pub(crate) fn invert(&self) -> CtOption<Scalar> {
        let a = FixedMontyForm::new(&self.0, params());
        let inv = a.invert();
        let ok: Choice = inv.is_some().into();
        let value = inv.map(|i| i.retrieve()).to_inner_unchecked();
        CtOption::new(Scalar(value), ok)
    }

    /// Signed radix-`2^W` digits `d_i` in `[-2^(W-1), 2^(W-1)]`, least
    /// significant first, with `self = sum d_i 2^(W·i)` (constant time: the
    /// digit positions are public and the carry is computed arithmetically).
    /// `N·W` must exceed the bit length of `q` (1022) by at least one bit.
    pub(crate) fn signed_digits<const W: usize, const N: usize>(&self) -> [i8; N] {
        let bytes = zeroize::Zeroizing::new(self.to_be_bytes());
        let mut limbs = zeroize::Zeroizing::new([0u64; FIELD_LEN / 8 + 1]);
        for (i, chunk) in bytes.rchunks(8).enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            limbs[i] = u64::from_be_bytes(b);
        }
        let mask = (1u64 << W) - 1;
        let half = 1i16 << (W - 1);
        let mut digits = [0i8; N];
        let mut carry: i16 = 0;
        for (i, digit) in digits.iter_mut().enumerate() {
            let pos = i * W;
            let (limb, shift) = (pos / 64, pos % 64);
            let mut bits = limbs.get(limb).copied().unwrap_or(0) >> shift;
            if shift + W > 64 {
                bits |= limbs.get(limb + 1).copied().unwrap_or(0) << (64 - shift);
            }
            let t = (bits & mask) as i16 + carry;
            carry = (t + half) >> W;
            *digit = (t - (carry << W)) as i8;
        }
        digits
    }

    /// Uniformly random in `[lo, q-1]` by rejection sampling.
    pub(crate) fn random<R: crate::random::SecureRandom + ?Sized>(
        rng: &mut R,
        lo: u64,
    ) -> Result<Scalar, crate::random::RandomError> {
        let mut buf = zeroize::Zeroizing::new([0u8; FIELD_LEN]);
        loop {
            rng.fill(&mut buf[..])?;
            // q has 1022 bits: keep the low 6 bits of the top octet.
            buf[0] &= 0x3f;
            let candidate = Scalar(U1024::from_be_slice(&buf[..]));
            let in_range = CtLt::ct_lt(&candidate.0, Q_ODD.as_ref()).to_bool()
                && !CtLt::ct_lt(&candidate.0, &U1024::from_u64(lo)).to_bool();
            if in_range {
                return Ok(candidate);
            }
        }
    }
}

impl ConstantTimeEq for Scalar {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::params::Q;
    use super::*;
    use num_bigint::BigUint;

    fn big(s: &Scalar) -> BigUint {
        BigUint::from_bytes_be(&s.to_be_bytes())
    }

    #[test]
    fn reduce_vartime_matches_oracle() {
        let q = BigUint::from_bytes_be(&Q);
        for len in [0usize, 1, 26, 32, 63, 64, 65, 128, 129, 200, 300] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 255) as u8).collect();
            let s = Scalar::reduce_vartime(&bytes);
            assert_eq!(big(&s), BigUint::from_bytes_be(&bytes) % &q, "len {len}");
        }
    }

    #[test]
    fn arithmetic_matches_oracle() {
        let q = BigUint::from_bytes_be(&Q);
        let a = Scalar::reduce_128(&[0xa5; 128]);
        let b = Scalar::reduce_128(&[0x3c; 128]);
        assert_eq!(big(&a), BigUint::from_bytes_be(&[0xa5; 128]) % &q);
        assert_eq!(big(&a.add(&b)), (big(&a) + big(&b)) % &q);
        assert_eq!(big(&a.mul(&b)), (big(&a) * big(&b)) % &q);
        let inv = Option::<Scalar>::from(a.invert()).unwrap();
        assert_eq!((big(&inv) * big(&a)) % &q, BigUint::from(1u8));
        assert!(bool::from(Scalar::zero().invert().is_none()));
    }

    #[test]
    fn signed_digits_recompose() {
        fn check<const W: usize, const N: usize>(s: &Scalar) {
            let digits = s.signed_digits::<W, N>();
            let half = 1i32 << (W - 1);
            let mut acc = num_bigint::BigInt::from(0);
            for d in digits.iter().rev() {
                assert!((-half..=half).contains(&(*d as i32)));
                acc = (acc << W) + num_bigint::BigInt::from(*d);
            }
            assert_eq!(acc, num_bigint::BigInt::from(big(s)));
        }
        let q = BigUint::from_bytes_be(&Q);
        let q_minus_1 = Option::<Scalar>::from(Scalar::from_be_bytes_canonical(
            &(&q - 1u8).to_bytes_be().try_into().unwrap(),
        ))
        .unwrap();
        for s in [
            Scalar::reduce_128(&[0x00; 128]),
            Scalar::reduce_128(&[0x11; 128]),
            Scalar::reduce_128(&[0x77; 128]),
            Scalar::reduce_128(&[0x88; 128]),
            Scalar::reduce_128(&[0xff; 128]),
            q_minus_1,
        ] {
            assert!(big(&s) < q);
            check::<4, 256>(&s);
            check::<5, 205>(&s);
            check::<6, 171>(&s);
        }
    }
}
