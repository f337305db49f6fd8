//! A provisioned user on this device: initiating and receiving MIKEY-SAKKE
//! I_MESSAGEs (RFC 6509, TS 33.180 §7, E), same KMS or across KMSs.

use std::sync::{Arc, Mutex, MutexGuard};

use mikey_sakke::identity::NtpTime;
use mikey_sakke::kdf::KeyType;
use mikey_sakke::mikey::{
    initiate, GroupKey, InitiateRequest, InitiatedMessage, InitiatorIdentity, Responder,
    ResponderConfig,
};
use mikey_sakke::random::OsRandom;
use mikey_sakke_kms::keystore::ClientKeys;

use crate::keystore::{load_keys, KeyStore};
use crate::media::{CallKey, KeyKind};
use crate::provision::{summary, ProvisionedUser};
use crate::MikeySakkeError;

/// The other party of a call: its URI and the URI of the KMS that issued
/// its keys.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Peer {
    /// e.g. `sip:bob@org-b.example`.
    pub uri: String,
    /// e.g. `kms.org-b.example`.
    pub kms_uri: String,
}

/// A signed I_MESSAGE to send and the key it carries.
#[derive(Debug, uniffi::Record)]
pub struct InitiatedCall {
    /// The message in text form (`mikey <base64>`); put it in the SDP offer
    /// with `sdpKeyMgmtAttribute`.
    pub message: String,
    /// The key, for this device's SRTP sessions.
    pub key: Arc<CallKey>,
}

/// One member's I_MESSAGE of a group key distribution.
#[derive(Debug, uniffi::Record)]
pub struct MemberMessage {
    /// The member.
    pub member_uri: String,
    /// Its message (text form).
    pub message: String,
}

/// A verified I_MESSAGE.
#[derive(Debug, uniffi::Record)]
pub struct ReceivedCall {
    /// The initiator's URI when the message names it; none when identities
    /// are hidden (TS 33.180 E.7, the default): then check the caller's URI
    /// from the SIP signalling with `key.checkInitiator(uri)`.
    pub initiator_uri: Option<String>,
    /// The KMS that issued the initiator's keys.
    pub initiator_kms_uri: String,
    /// The kind of key.
    pub kind: KeyKind,
    /// The group the key is for, when the key-parameters extension names it
    /// (GMK).
    pub group_id: Option<String>,
    /// The key, for this device's SRTP sessions.
    pub key: Arc<CallKey>,
}

struct State {
    keys: ClientKeys,
    responder: Responder,
}

impl State {
    /// Builds and signs the I_MESSAGE of `req` as this user.
    fn initiate(&self, req: InitiateRequest) -> Result<InitiatedMessage, MikeySakkeError> {
        Ok(initiate(
            self.responder.user(),
            self.responder.trust_store(),
            req,
            &mut OsRandom,
        )?)
    }
}

/// A provisioned user on this device: its keys (from a [`KeyStore`]), the
/// KMSs it trusts, and a receiver with a replay cache (RFC 3830 §5.4) and a
/// clock-skew window of ±300 s.
#[derive(uniffi::Object)]
pub struct Device {
    state: Mutex<Option<State>>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device").finish_non_exhaustive()
    }
}

fn now() -> Result<NtpTime, MikeySakkeError> {
    NtpTime::now().map_err(MikeySakkeError::internal)
}

impl Device {
    fn state(&self) -> Result<MutexGuard<'_, Option<State>>, MikeySakkeError> {
        let g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if g.is_none() {
            return Err(MikeySakkeError::closed());
        }
        Ok(g)
    }
}

#[uniffi::export]
impl Device {
    /// Opens the keys of `user_uri` from `store` (saved there by
    /// `KmsClient.provision`) and precomputes the decapsulation tables
    /// (tens of milliseconds per key period).
    #[uniffi::constructor]
    pub fn open(
        store: Arc<dyn KeyStore>,
        user_uri: String,
    ) -> Result<Arc<Device>, MikeySakkeError> {
        let keys =
            load_keys(store.as_ref(), &user_uri)?.ok_or_else(|| MikeySakkeError::KeyNotValid {
                reason: "no keys stored for this user; provision first".into(),
            })?;
        let mut user = keys.local_user()?;
        user.precompute();
        let trust = keys.trust_store()?;
        let responder = Responder::new(user, trust, ResponderConfig::default());
        Ok(Arc::new(Device {
            state: Mutex::new(Some(State { keys, responder })),
        }))
    }

    /// What the device holds: user, KMS, key periods, trusted KMSs.
    pub fn info(&self) -> Result<ProvisionedUser, MikeySakkeError> {
        let g = self.state()?;
        let s = g.as_ref().ok_or_else(MikeySakkeError::closed)?;
        Ok(summary(&s.keys))
    }

    /// A private call to `peer` (PCK, TS 33.180 §7.2): a fresh key, signed
    /// with this user's ECCSI key, encapsulated to the peer under its KMS.
    pub fn initiate_private_call(&self, peer: Peer) -> Result<InitiatedCall, MikeySakkeError> {
        let g = self.state()?;
        let s = g.as_ref().ok_or_else(MikeySakkeError::closed)?;
        let req = InitiateRequest::new(KeyType::Pck, &peer.uri, &peer.kms_uri, now()?);
        let m = s.initiate(req)?;
        Ok(InitiatedCall {
            message: m.text.clone(),
            key: CallKey::initiated(m),
        })
    }

    /// A group key (GMK, TS 33.180 §7.3) for `group_id`, as a group
    /// management server sends it: one I_MESSAGE per member, all with the
    /// same GMK, GMK-ID and RAND.
    pub fn initiate_group_key(
        &self,
        group_id: String,
        members: Vec<Peer>,
    ) -> Result<Vec<MemberMessage>, MikeySakkeError> {
        if members.is_empty() {
            return Err(MikeySakkeError::invalid("a group key needs members"));
        }
        let g = self.state()?;
        let s = g.as_ref().ok_or_else(MikeySakkeError::closed)?;
        let key = GroupKey::generate(&mut OsRandom)?;
        let time = now()?;
        members
            .iter()
            .map(|p| {
                let req = key.request(&p.uri, &p.kms_uri, Some(group_id.as_bytes()), time)?;
                let m = s.initiate(req)?;
                Ok(MemberMessage {
                    member_uri: p.uri.clone(),
                    message: m.text,
                })
            })
            .collect()
    }

    /// Verifies an I_MESSAGE addressed to this user (text form, or take it
    /// from SDP with `messageFromSdp`) in the order of TS 33.180 E.1–E.4:
    /// trusted KMS, time window, replay, signature, decapsulation.
    pub fn receive(&self, message: String) -> Result<ReceivedCall, MikeySakkeError> {
        let mut g = self.state()?;
        let s = g.as_mut().ok_or_else(MikeySakkeError::closed)?;
        let r = s.responder.receive_text(&message, now()?)?;
        let initiator_uri = match &r.initiator {
            InitiatorIdentity::Uri(u) => Some(u.clone()),
            InitiatorIdentity::Uid(_) => None,
        };
        let group_id = r
            .key_parameters
            .as_ref()
            .and_then(|k| k.group_ids.as_ref())
            .and_then(|g| g.first())
            .map(|g| String::from_utf8_lossy(&g.id).into_owned());
        Ok(ReceivedCall {
            initiator_uri,
            initiator_kms_uri: r.initiator_kms.clone(),
            kind: r.key_type.into(),
            group_id,
            key: CallKey::received(r),
        })
    }

    /// Erases the keys now (also done when the object is freed).
    pub fn wipe(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}
