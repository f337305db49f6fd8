//! Fuzzes ECCSI verification (RFC 6507 §5.2.2) and the ECCSI decoders.
//!
//! Input layout: two length octets `a`, `b`, then the rest is split into
//! `kpak_bytes` (the first `a` octets, at most 65 + 1 so wrong lengths are
//! reached), `id` (the next `b` octets) and the remainder `tail`, whose last
//! up-to-129 octets are the signature and whose front is the message.
//!
//! Every input is verified twice: against the KPAK taken from the input (when
//! it decodes) and against the fixed valid KPAK of RFC 6507 Appendix A, so
//! that mutations of the vector signature reach the full verification
//! equation. Verification must never panic, and it must agree with
//! [`Verifier::verify`].
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mikey_sakke::eccsi::{self, Kpak, Pvt, Signature, Ssk, Verifier, SIGNATURE_LEN};

/// RFC 6507 Appendix A KPAK, identifier and PVT.
const VECTOR_KPAK: &str = "0450d4670bde75244f28d2838a0d25558a7a72686d4522d4c8273fb6442aebfa93dbdd37551afd263b5dfd617f3960c65a8c298850ff99f20366dce7d4367217f4";
const VECTOR_ID: &str = "323031312d30320074656c3a2b34343737303039303031323300";
const VECTOR_PVT: &str = "04758a142779be89e829e71984cb40ef758cc4ad775fc5b9a3e1c8ed52f6fa36d9a79d247692f4eda3a6bdab77d6aa6474a464ae4934663c5265ba7018ba091f79";

struct Fixed {
    kpak: Kpak,
    id: Vec<u8>,
    verifier: Verifier,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| {
        let kpak = Kpak::from_bytes(&hex::decode(VECTOR_KPAK).unwrap()).unwrap();
        let id = hex::decode(VECTOR_ID).unwrap();
        let pvt = Pvt::from_bytes(&hex::decode(VECTOR_PVT).unwrap()).unwrap();
        let verifier = Verifier::new(&kpak, &id, &pvt).unwrap();
        Fixed { kpak, id, verifier }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixed();
    let (a, b, rest) = match data {
        [a, b, rest @ ..] => (usize::from(*a) % 67, usize::from(*b), rest),
        _ => (0, 0, data),
    };
    let (kpak_bytes, rest) = rest.split_at(a.min(rest.len()));
    let (id, tail) = rest.split_at(b.min(rest.len()));
    let sig_len = SIGNATURE_LEN.min(tail.len());
    let (msg, sig) = tail.split_at(tail.len() - sig_len);

    // Decoders on arbitrary slices.
    let _ = Kpak::from_bytes(kpak_bytes);
    let _ = Pvt::from_bytes(kpak_bytes);
    let _ = Ssk::from_bytes(kpak_bytes);
    let _ = Signature::from_bytes(sig);

    // Verification against the input's own KPAK, if it decodes.
    if let Ok(kpak) = Kpak::from_bytes(kpak_bytes) {
        let _ = eccsi::verify(&kpak, id, msg, sig);
    }

    // Verification against the fixed KPAK, with the input's identifier and with
    // the vector identifier; the cached verifier must agree with `verify`.
    let _ = eccsi::verify(&f.kpak, id, msg, sig);
    let plain = eccsi::verify(&f.kpak, &f.id, msg, sig);
    let cached = f.verifier.verify(msg, sig);
    assert_eq!(plain, cached, "Verifier::verify disagrees with verify");
    // The whole input as a signature over an empty message.
    let _ = eccsi::verify(&f.kpak, &f.id, b"", data);
});
