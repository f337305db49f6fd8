//! Fuzzes SAKKE parsing and decapsulation (RFC 6508 §6.2.2) and the SAKKE
//! decoders.
//!
//! The input is parsed as encapsulated data and decapsulated with the
//! receiver key of RFC 6508 Appendix A (built once, with and without
//! precomputation; both must agree), and is also given to the KMS public key,
//! RSK, master secret and SSV decoders. Nothing may panic, and decapsulation
//! of anything but the Appendix A message must fail.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mikey_sakke::sakke::params::POINT_LEN;
use mikey_sakke::sakke::{
    EncapsulatedData, KmsContext, KmsPublicKey, MasterSecret, ReceiverKey, Rsk, Ssv,
};

/// RFC 6508 Appendix A: KMS public key Z, identifier, RSK and SSV.
const VECTOR_Z: &str = "045958ef1b1679bf099b3a030df255aa6a23c1d8f143d4d23f753e69bd27a832f38cb4ad53ddef4260b0fe8bb45c4c1ff510effe300367a37b61f701d914aef09724825fa0707d61a6dff4fbd7273566cdde352a0b04b7c16a78309be640697de747613a5fc195e8b9f328852a579db8f99b1d0034479ea9c5595f47c4b2f54ff21508d37514dcf7a8e143a6058c09a6bf2c9858ca37c258065ae6bf7532bc8b5b63383866e0753c5ac0e72709f8445f2e6178e065857e0eda10f68206b63505ed87e534fb2831ff957fb7dc619dae61301eeacc2fda3680ea4999258a833cea8fc67c6d19487fb449059f26cc8aab655ab58b7cc796e24e9a394095754f5f8bae";
const VECTOR_ID: &str = "323031312d30320074656c3a2b34343737303039303031323300";
const VECTOR_RSK: &str = "0493af67e5007ba6e6a80da793da300fa4b52d0a74e25e6e7b2b3d6ee9d18a9b5c5023597bd82d8062d34019563ba1d25c0dc56b7b979d74aa50f29fbf11cc2c93f5dfca615e609279f6175ceadb00b58c6bee1e7a2a47c4f0c456f05259a6fa94a634a40dae1df593d4fecf688d5fc678be7efc6df3d6835325b83b2c6e69036b155f0a27241094b04bfb0bdfac6c670a65c325d39a069f03659d44ca27d3be8df311172b554160181cbe94a2a783320ced590bc42644702cf371271e496bf20f588b78a1bc01ecbb6559934bdd2fb65d2884318a33d1a42adf5e33cc5800280b28356497f87135bab9612a17260424409ac15fee996b744c332151235decb0f5";
const VECTOR_SSV: &str = "123456789abcdef0123456789abcdef0";

struct Fixed {
    key: ReceiverKey,
    key_pre: ReceiverKey,
    ssv: Vec<u8>,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| {
        let z = KmsPublicKey::from_bytes(&hex::decode(VECTOR_Z).unwrap()).unwrap();
        let ctx = KmsContext::new(&z);
        let id = hex::decode(VECTOR_ID).unwrap();
        let rsk = || Rsk::from_bytes(&hex::decode(VECTOR_RSK).unwrap()).unwrap();
        let key = ReceiverKey::new(&ctx, &id, rsk()).unwrap();
        let key_pre = ReceiverKey::new(&ctx, &id, rsk())
            .unwrap()
            .with_precomputation();
        Fixed {
            key,
            key_pre,
            ssv: hex::decode(VECTOR_SSV).unwrap(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixed();

    let _ = KmsPublicKey::from_bytes(data);
    let _ = Rsk::from_bytes(data);
    let _ = MasterSecret::from_bytes(data);
    let _ = Ssv::from_bytes(data);
    if data.len() >= POINT_LEN {
        let _ = KmsPublicKey::from_bytes(&data[..POINT_LEN]);
        let _ = Rsk::from_bytes(&data[..POINT_LEN]);
    }

    if let Ok(sed) = EncapsulatedData::from_bytes(data) {
        let plain = f.key.decapsulate(&sed);
        let pre = f.key_pre.decapsulate(&sed);
        match (&plain, &pre) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.as_bytes(), b.as_bytes(), "table and no-table disagree");
                // Only the Appendix A message (possibly with a short H) decapsulates.
                assert_eq!(a.as_bytes().as_slice(), f.ssv.as_slice());
            }
            (Err(a), Err(b)) => assert_eq!(a, b),
            _ => panic!("table and no-table disagree: {plain:?} vs {pre:?}"),
        }
    }
});
