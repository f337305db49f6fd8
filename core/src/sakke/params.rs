//! Parameter set 1 of RFC 6509 Appendix A (IANA "SAKKE params" value 1).
//!
//! `E: y^2 = x^3 - 3x (mod p)`, supersingular, `#E(F_p) = p + 1 = 4q`,
//! `P` of prime order `q`, `g = <P, P>` (RFC 6508 §2.1, §3.2).

/// IANA "SAKKE params" value of parameter set 1 (RFC 6509 §4).
pub const PARAMETER_SET: u8 = 1;

/// Octets of one field element / coordinate (`L` in RFC 6508 §2.1).
pub const FIELD_LEN: usize = 128;

/// Octets of an uncompressed point `0x04 || x || y` (RFC 6508 §2.1).
pub const POINT_LEN: usize = 1 + 2 * FIELD_LEN;

/// Octets of the SSV (`n = 128` bits, RFC 6509 Appendix A).
pub const SSV_LEN: usize = 16;

/// Octets of the encapsulated data `R || H` (RFC 6508 §4).
pub const SED_LEN: usize = POINT_LEN + SSV_LEN;

const fn hex_nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("bad hex digit"),
    }
}

/// Decodes a 256-digit hex constant at compile time.
const fn hex128(s: &str) -> [u8; FIELD_LEN] {
    let s = s.as_bytes();
    assert!(s.len() == 2 * FIELD_LEN);
    let mut out = [0u8; FIELD_LEN];
    let mut i = 0;
    while i < FIELD_LEN {
        out[i] = (hex_nibble(s[2 * i]) << 4) | hex_nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

/// The field prime `p` (1024 bits), big-endian.
#[cfg(test)]
pub(crate) const P: [u8; FIELD_LEN] = hex128(
    "997abb1f0a563fda65c61198dad0657a416c0ce19cb48261be9ae358b3e01a2ef40aab27e2fc0f1b228730d531a59cb0e791b39ff7c88a19356d27f4a666a6d0e26c6487326b4cd4512ac5cd65681ce1b6aff4a831852a82a7cf3c521c3c09aa9f94d6af56971f1ffce3e82389857db080c5df10ac7ace87666d807afea85feb",
);

/// The subgroup order `q = (p + 1) / 4` (1022 bits), big-endian.
pub(crate) const Q: [u8; FIELD_LEN] = hex128(
    "265eaec7c2958ff69971846636b4195e905b0338672d20986fa6b8d62cf8068bbd02aac9f8bf03c6c8a1cc354c69672c39e46ce7fdf222864d5b49fd2999a9b4389b1921cc9ad335144ab173595a07386dabfd2a0c614aa0a9f3cf14870f026aa7e535abd5a5c7c7ff38fa08e2615f6c203177c42b1eb3a1d99b601ebfaa17fb",
);

/// x-coordinate of the base point `P`.
pub(crate) const PX: [u8; FIELD_LEN] = hex128(
    "53fc09ee332c29ad0a7990053ed9b52a2b1a2fd60aec69c698b2f204b6ff7cbfb5edb6c0f6ce2308ab10db9030b09e1043d5f22cdb9dfa55718bd9e7406ce8909760af765dd5bccb337c86548b72f2e1a702c3397a60de74a7c1514dba66910dd5cfb4cc80728d87ee9163a5b63f73ec80ec46c4967e0979880dc8abeae63895",
);

/// y-coordinate of the base point `P`.
pub(crate) const PY: [u8; FIELD_LEN] = hex128(
    "0a8249063f6009f1f9f1f0533634a135d3e82016029906963d778d821e141178f5ea69f4654ec2b9e7f7f5e5f0de55f66b598ccf9a140b2e416cff0ca9e032b970dae117ad547c6ccad696b5b7652fe0ac6f1e80164aa989492d979fc5a4d5f213515ad7e9cb99a980bdad5ad5bb4636adb9b5706a67dcde75573fd71bef16d7",
);

/// `g = <P, P>` as its PF_p representative (RFC 6508 §2.1: the class of `1 + g·i`).
pub(crate) const G: [u8; FIELD_LEN] = hex128(
    "66fc2a432b6ea392148f15867d623068c6a87bd1fb94c41e27fabe658e015a87371e94744c96feda449ae9563f8bc446cbfda85d5d00ef577072da8f541721beee0faed1828eab90b99dfb0138c7843355df0460b4a9fd74b4f1a32bcafa1ffad682c033a7942bcce3720f20b9b7b0403c8cae87b7a0042acde0fab36461ea46",
);
