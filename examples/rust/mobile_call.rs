//! The whole flow of a secure call through the SDK's app-facing API (the
//! same calls the Kotlin and Swift bindings make), against the two KMSs of
//! `msk testbed`:
//!
//! ```text
//! msk testbed --env-file /tmp/testbed.env &          # two TLS KMSs on loopback
//! cargo run --release -p mikey-sakke-examples --bin mobile-call -- /tmp/testbed.env
//! ```
//!
//! Alice (KMS A) calls Bob (KMS B): both provision from their own KMS,
//! Alice's I_MESSAGE travels in SDP, Bob verifies it, and both protect RTP
//! for each other. Then Carol hands Alice and Bob a group key.

use std::collections::HashMap;
use std::error::Error;
use std::sync::Arc;

use mikey_sakke_ffi::sdp::{message_from_sdp, sdp_key_mgmt_attribute};
use mikey_sakke_ffi::{
    encrypted_file_key_store, Device, KeyStore, KmsClient, KmsClientConfig, MikeySakkeError, Peer,
};

/// The testbed's variables, from the env file given as the first argument
/// or else from the environment.
fn testbed() -> Result<HashMap<String, String>, Box<dyn Error>> {
    let mut vars: HashMap<String, String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("MSK_"))
        .collect();
    if let Some(path) = std::env::args().nth(1) {
        for line in std::fs::read_to_string(&path)?.lines() {
            if let Some((k, v)) = line.split_once('=') {
                vars.insert(k.trim().into(), v.trim().trim_matches('\'').into());
            }
        }
    }
    Ok(vars)
}

fn get<'a>(vars: &'a HashMap<String, String>, key: &str) -> Result<&'a str, Box<dyn Error>> {
    vars.get(key).map(String::as_str).ok_or_else(|| {
        format!("{key} is not set: run `msk testbed --env-file F` and pass F").into()
    })
}

/// Provisions `who` (`MSK_<WHO>_URI`, `MSK_<WHO>_TOKEN`) from its KMS into `store` and
/// opens the device.
async fn provision(
    vars: &HashMap<String, String>,
    who: &str,
    kms: &str,
    store: &Arc<dyn KeyStore>,
) -> Result<Arc<Device>, Box<dyn Error>> {
    let ca = std::fs::read_to_string(get(vars, "MSK_TESTBED_CA")?)?;
    let user_uri = get(vars, &format!("MSK_{who}_URI"))?.to_owned();
    let client = KmsClient::new(KmsClientConfig {
        server_url: get(vars, &format!("MSK_KMS_{kms}_URL"))?.to_owned(),
        user_uri: user_uri.clone(),
        token: get(vars, &format!("MSK_{who}_TOKEN"))?.to_owned(),
        ca_pem: Some(ca),
        timeout_ms: 0,
    })?;
    let user = client.provision(store.clone()).await?;
    println!(
        "{}: keys from {} for key periods {:?}; trusts {:?}",
        user.user_uri, user.kms_uri, user.key_periods, user.trusted_kms_uris
    );
    Ok(Device::open(store.clone(), user_uri)?)
}

fn rtp(seq: u16, ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 0x60];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend((0..160u8).map(|i| i.wrapping_mul(7)));
    p
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let vars = testbed()?;
    let dir = std::env::temp_dir().join(format!("msk-example-{}", std::process::id()));
    // On a phone: draw this once and keep it in Android Keystore / the Keychain.
    let store =
        encrypted_file_key_store(dir.display().to_string(), b"example passphrase!".to_vec())?;

    let alice = provision(&vars, "ALICE", "A", &store).await?;
    let bob = provision(&vars, "BOB", "B", &store).await?;
    let carol = provision(&vars, "CAROL", "A", &store).await?;
    let bob_peer = Peer {
        uri: get(&vars, "MSK_BOB_URI")?.into(),
        kms_uri: get(&vars, "MSK_KMS_B_URI")?.into(),
    };
    let alice_peer = Peer {
        uri: get(&vars, "MSK_ALICE_URI")?.into(),
        kms_uri: get(&vars, "MSK_KMS_A_URI")?.into(),
    };

    // Alice calls Bob: the I_MESSAGE goes in the SDP offer.
    let call = alice.initiate_private_call(bob_peer.clone())?;
    let offer = format!(
        "v=0\r\ns=call\r\n{}\r\nm=audio 49170 RTP/SAVP 96\r\n",
        sdp_key_mgmt_attribute(call.message.clone())?
    );
    let incoming = bob.receive(message_from_sdp(offer)?)?;
    // Identities are hidden in the message (TS 33.180 E.7): bind the
    // verified signature to the caller the SIP INVITE names.
    incoming.key.check_initiator(alice_peer.uri.clone())?;
    println!(
        "Bob verified a call from {} (KMS {}), key id {:08x}",
        alice_peer.uri,
        incoming.initiator_kms_uri,
        incoming.key.key_id()
    );
    if incoming.key.check_initiator(bob_peer.uri.clone()).is_ok() {
        return Err("a wrong caller URI was accepted".into());
    }

    let alice_media = call.key.srtp_session()?;
    let bob_media = incoming.key.srtp_session()?;
    let packet = rtp(1, 0xa11c_e001);
    let srtp = alice_media.protect_rtp(packet.clone())?;
    assert_eq!(bob_media.unprotect_rtp(srtp.clone())?, packet);
    let reply = rtp(1, 0x0b0b_0001);
    assert_eq!(
        alice_media.unprotect_rtp(bob_media.protect_rtp(reply.clone())?)?,
        reply
    );
    println!("RTP both ways: {} -> {} octets", packet.len(), srtp.len());
    match bob_media.unprotect_rtp(srtp) {
        Err(MikeySakkeError::StaleOrReplayed) => println!("replayed packet rejected"),
        other => return Err(format!("replay not rejected: {other:?}").into()),
    }

    // Carol hands Alice and Bob a group key; Alice talks, Bob listens.
    let messages = carol.initiate_group_key("group-1".into(), vec![alice_peer, bob_peer])?;
    let alice_group = alice.receive(messages[0].message.clone())?;
    let bob_group = bob.receive(messages[1].message.clone())?;
    let talk = rtp(7, 0x0a11_0007);
    let heard = bob_group
        .key
        .srtp_session()?
        .unprotect_rtp(alice_group.key.srtp_session()?.protect_rtp(talk.clone())?)?;
    assert_eq!(heard, talk);
    println!(
        "group {:?}: Bob heard Alice under GMK-ID {:08x}",
        bob_group.group_id,
        bob_group.key.key_id()
    );

    // Secrets go as soon as the call ends.
    alice_media.wipe();
    bob_media.wipe();
    for d in [&alice, &bob, &carol] {
        d.wipe();
    }
    std::fs::remove_dir_all(&dir)?;
    println!("done");
    Ok(())
}
