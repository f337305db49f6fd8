//! Fuzzes the MIKEY-SAKKE responder (`mikey::Responder::receive`) with the sample
//! GMK message's receiver (alice, key period 1500, the sample KMS).
//!
//! Arbitrary octets are received at the sample message's time. Nothing may panic;
//! an input is accepted only if it is a correctly signed message for alice from the
//! sample KMS (in practice only the sample message itself, once: a second copy is a
//! replay).
#![no_main]

use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use mikey_sakke::eccsi::Kpak;
use mikey_sakke::identity::{KeyPeriod, NtpTime};
use mikey_sakke::mikey::{
    KeySet, LocalUser, MikeyError, ReplayCache, Responder, ResponderConfig, TrustStore, TrustedKms,
};
use mikey_sakke::sakke::{KmsPublicKey, ReceiverKey, Rsk};

const KMS_URI: &str = "kms.mcptt.example.org";
const ALICE_URI: &str = "sip:alice@mcptt.example.org";
const KPAK: &str = "0418a961ddfb0ee6436e2842d89152d2b72f0e2f7652453ac4fa78242e09bdffd5da4f9b52ae5dbc5e46b6afb137dde434cf5e97790284f48e1bffbccba0d51905";
const Z: &str = "043a094f5975d4de88592b65ea41aa600c33390f56869207cb0382e2be8e681cc3e914f7c1fb5c0c638c1a22b21831ab3951acc0f01e9d9f7c05546c0a2114668d03ec7f3ae94ab84858a4e5f959b3a5d263c1ebfb4d3d4e4edc93d0fff009524e8c6a0528f544bf108ffdd853eb5fe55ba5371bc92b0e4cea0da729aae5174e647145efe0dfa342e12835008c3230250cea3cb2f191e0193d5038670667a87b4b98572a6da1adb184ad30256442322b494ca23c5ae9eabe491c6881dc61f7fd76ea7fe616068267ccc0f846d982a165c082bc503cd0e5213ed00450f61a3737735f73c6435c802780db55c54d240f103f20ff7cf6874cdbea72bd0e056bcf03f5";
const ALICE_UID: &str = "f6b47d1ed5ea1cfcfb229c7855599d3d7fb2f1a0dafa10cf428d17c128e3ff6a";
const ALICE_RSK: &str = "04740dfd28e3b8e16b6bedefaeacec3898b49cdd327f597299df2285d6c4d976bc881d9139e1c79c3b7f4109e43dfd7e89aea1ea815e7233ac285c25ef1b55feb935557439b603f12cb1cd7534649faa915c76c89047696ee4ea76df07a34052d64a2409b2f09ef76df4de853fc6418019b9408c2739dfcae68860963843b3efcd253d066c2dce991ae6e49fcd26effa5304a1583d5d37f8a2a6db888d7ed93dafc90e66335814847690df1774f71bf7f8a920423f9972940bb8808684128c8a6031deabe4adc575385fa173eaf3dd0b87c3b8926db232dcceead2c66f16ca23a271cfdbcbc1d5d1609adc8c0fe713670cf5d92a7593976cd84d5971cf9e58c5de";
const GMS_UID: &str = "2036884e4022b4c7d116b6053343f76dcb908e973fe77f446180a1940d8962ab";
/// NTP seconds of the sample's T payload.
const T: u32 = 0xeeb2_e462;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("constant hex")
}

fn responder() -> &'static Mutex<Responder> {
    static R: OnceLock<Mutex<Responder>> = OnceLock::new();
    R.get_or_init(|| {
        let kms = TrustedKms::new(
            KMS_URI,
            Kpak::from_bytes(&hex(KPAK)).expect("KPAK"),
            &KmsPublicKey::from_bytes(&hex(Z)).expect("Z"),
            KeyPeriod::new(2_592_000, 0).expect("period"),
        );
        let uid = hex(ALICE_UID);
        let rsk = Rsk::from_bytes(&hex(ALICE_RSK)).expect("RSK");
        let rk = ReceiverKey::new(kms.sakke(), &uid, rsk)
            .expect("valid RSK")
            .with_precomputation();
        let mut alice = LocalUser::new(ALICE_URI, KMS_URI);
        alice.add_key_set(KeySet::new(KMS_URI, 1500, &uid, None, Some(rk)).expect("key set"));
        let mut trust = TrustStore::new();
        trust.insert(kms);
        let config = ResponderConfig {
            key_period: Some(1500),
            ..ResponderConfig::default()
        };
        Mutex::new(Responder::with_replay_cache(
            alice,
            trust,
            config,
            ReplayCache::new(16),
        ))
    })
}

fuzz_target!(|data: &[u8]| {
    let mut r = match responder().lock() {
        Ok(r) => r,
        Err(p) => p.into_inner(),
    };
    match r.receive(data, NtpTime::from_parts(T, 0)) {
        Ok(k) => {
            // Only a message signed by the sample GMS can get here.
            assert_eq!(k.initiator_id, hex(GMS_UID));
            assert_eq!(k.message.to_bytes().expect("encodes"), data);
        }
        Err(e) => {
            let _ = e.check_id();
            let _: &MikeyError = &e;
        }
    }
});
