//! HashToIntegerRange with SHA-256 (RFC 6508 §5.1).

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::params::{FIELD_LEN, SSV_LEN};
use super::scalar::Scalar;

/// Writes `v_1 || ... || v_l` of RFC 6508 §5.1 steps 1–5 for the
/// concatenation of `parts` into `out` (`l = out.len() / 32`).
fn hash_blocks(parts: &[&[u8]], out: &mut [u8]) {
    let mut hasher = Sha256::new();
    for p in parts {
        hasher.update(p);
    }
    let mut a = Zeroizing::new([0u8; 32]);
    a.copy_from_slice(&hasher.finalize());
    let mut h = [0u8; 32];
    for block in out.chunks_mut(32) {
        h = Sha256::digest(h).into();
        let mut hv = Sha256::new();
        hv.update(h);
        hv.update(&a[..]);
        block.copy_from_slice(&hv.finalize());
    }
}

/// `HashToIntegerRange(parts..., q)`: `l = 4` blocks reduced modulo `q`
/// (constant time).
pub(crate) fn hash_to_scalar(parts: &[&[u8]]) -> Scalar {
    let mut v = Zeroizing::new([0u8; FIELD_LEN]);
    hash_blocks(parts, &mut v[..]);
    Scalar::reduce_128(&v)
}

/// `HashToIntegerRange(s, 2^128)` as 16 octets: the last 16 octets of `v_1`.
pub(crate) fn hash_to_mask(s: &[u8]) -> Zeroizing<[u8; SSV_LEN]> {
    let mut v = Zeroizing::new([0u8; 32]);
    hash_blocks(&[s], &mut v[..]);
    let mut out = Zeroizing::new([0u8; SSV_LEN]);
    out.copy_from_slice(&v[32 - SSV_LEN..]);
    out
}
