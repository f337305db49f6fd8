//! SRTP crypto contexts from a MIKEY-SAKKE result (RFC 3830 §4.1.3, TS 33.180
//! §7.4, E.1.3; SPEC §6.2, §6.7, §7).
//!
//! Both ends of an I_MESSAGE derive the same crypto sessions from the same inputs
//! (key, CSB ID, RAND, CS ID map and SP payload), so each side gets its SRTP
//! context in one call:
//!
//! * initiator: [`InitiatedMessage::srtp_context`];
//! * responder: [`ReceivedKey::srtp_context`];
//! * from a [`CryptoSession`]: [`CryptoSession::srtp_context`].
//!
//! The SRTP policy comes from the SP payload the CS ID map references, or from the
//! TS 33.180 default profile of the key type when the map is empty or the policy is
//! absent ([`default_profile`]): AEAD_AES_128_GCM, with RFC 4771 RCCm3 ROC carriage
//! for the group profile. The MKI is the session's (TS 33.180 §7.4: GMK-ID ‖ GUK-ID
//! for a GMK, the PCK-ID or CSK-ID otherwise).
//!
//! # Which cs_id
//!
//! Each direction of a call is its own crypto session (TS 33.180 Table E.1.3-1,
//! [`cs_id`]): in an MCPTT private call the initiator sends with cs_id 0 and the
//! responder with cs_id 1, so the two directions never share a key stream. A cs_id
//! the CS ID map does not list (e.g. cs_id 1 when the map lists only 0) is derived
//! with the policy of the map's first entry (the default profile for the empty map)
//! and the TS 33.180 §7.4 MKI.
//!
//! # Group calls
//!
//! A GMK reaches every member in its own I_MESSAGE whose CSB ID is the member's
//! GUK-ID (TS 33.180 F.1.3), so every member derives its **own** SRTP master key:
//! a member sends with its own session (MKI = GMK-ID ‖ its GUK-ID), and a receiving
//! member derives the sender's keys from the GMK and the GUK-ID that the packet's
//! MKI carries ([`ReceivedKey::sender_srtp_context`]). The receiver derives with the
//! RAND of its own message, so this needs the group management server to send the GMK
//! with the same RAND to every member (as [`InitiateRequest::rand`](super::InitiateRequest::rand)
//! allows).

use crate::kdf::{self, KeyId, KeyType, MkiKeyIds, TrafficKeyContext};
use crate::sakke::Ssv;
use crate::srtp::{self, SrtpContext, SrtpError, SrtpOptions, SrtpPolicyParams};
use crate::Error;

use super::header::CsIdMap;
use super::payload::{srtp_param, AuthAlgorithm, EncryptionAlgorithm, SrtpPolicy};
use super::responder::{default_cs_ids, default_profile, KeyIdSource};
use super::{CryptoSession, InitiatedMessage, Message, MikeyError, ReceivedKey};

/// The cs_ids of TS 33.180 Table E.1.3-1 (SPEC §1.4). Only 4 and 6 are confirmed
/// by test data and 3GPP test specifications; the others are as deployed software
/// uses them.
pub mod cs_id {
    /// MCPTT private call: media sent by the initiator (PCK).
    pub const MCPTT_PRIVATE_INITIATOR: u8 = 0;
    /// MCPTT private call: media sent by the responder (PCK).
    pub const MCPTT_PRIVATE_RESPONDER: u8 = 1;
    /// MCVideo private call: media sent by the initiator (PCK).
    pub const MCVIDEO_PRIVATE_INITIATOR: u8 = 2;
    /// MCVideo private call: media sent by the responder (PCK).
    pub const MCVIDEO_PRIVATE_RESPONDER: u8 = 3;
    /// MCPTT group call media (GMK).
    pub const MCPTT_GROUP: u8 = 4;
    /// MCVideo group call media (GMK).
    pub const MCVIDEO_GROUP: u8 = 5;
    /// CSK within MCPTT (SRTCP, floor control).
    pub const MCPTT_CSK: u8 = 6;
    /// MuSiK within MCPTT.
    pub const MCPTT_MUSIK: u8 = 7;
    /// CSK within MCVideo.
    pub const MCVIDEO_CSK: u8 = 8;
    /// MuSiK within MCVideo.
    pub const MCVIDEO_MUSIK: u8 = 9;
}

fn encryption_value(a: EncryptionAlgorithm) -> u8 {
    match a {
        EncryptionAlgorithm::Null => 0,
        EncryptionAlgorithm::AesCm => 1,
        EncryptionAlgorithm::AesF8 => 2,
        EncryptionAlgorithm::AesGcm => 6,
        EncryptionAlgorithm::Unknown(v) => v,
    }
}

fn authentication_value(a: AuthAlgorithm) -> u8 {
    match a {
        AuthAlgorithm::Null => 0,
        AuthAlgorithm::HmacSha1 => 1,
        AuthAlgorithm::RccM1 => 2,
        AuthAlgorithm::RccM2 => 3,
        AuthAlgorithm::RccM3 => 4,
        AuthAlgorithm::Unknown(v) => v,
    }
}

impl SrtpPolicy {
    /// The SP parameters as [`SrtpPolicyParams`] (absent parameters stay absent).
    /// A key derivation rate longer than 8 octets is
    /// [`SrtpError::PolicyParameter`].
    pub fn srtp_params(&self) -> Result<SrtpPolicyParams, SrtpError> {
        use srtp_param::*;
        let mut p = SrtpPolicyParams::default();
        let octets = [
            (ENCR_ALG, self.encryption.map(encryption_value)),
            (ENCR_KEY_LEN, self.encryption_key_len),
            (AUTH_ALG, self.authentication.map(authentication_value)),
            (AUTH_KEY_LEN, self.auth_key_len),
            (SALT_KEY_LEN, self.salt_len),
            (PRF, self.prf),
            (SRTP_ENCR, self.srtp_encryption.map(u8::from)),
            (SRTCP_ENCR, self.srtcp_encryption.map(u8::from)),
            (FEC_ORDER, self.fec_order),
            (SRTP_AUTH, self.srtp_authentication.map(u8::from)),
            (AUTH_TAG_LEN, self.auth_tag_len),
            (PREFIX_LEN, self.prefix_len),
            (ROC_RATE, self.roc_transmission_rate),
            (RCC_TAG_LEN, self.rcc_tag_len),
            (SRTCP_TAG_LEN, self.srtcp_tag_len),
            (AEAD_TAG_LEN, self.aead_tag_len),
        ];
        for (t, v) in octets {
            if let Some(v) = v {
                p.set(t, &[v])?;
            }
        }
        if let Some(kdr) = &self.kdr {
            p.set(KDR, kdr)?;
        }
        Ok(p)
    }

    /// The SRTP policy these SP parameters describe (SPEC §5.8; the RFC 3830
    /// defaults for absent parameters). Combinations the SRTP layer does not
    /// implement (AES-F8, NULL encryption, RCCm1/2, RCCm3 without AES-GCM, other
    /// tag or key lengths, a non-zero prefix…) are [`SrtpError::PolicyParameter`]
    /// or [`SrtpError::UnsupportedPolicy`].
    pub fn to_srtp_policy(&self) -> Result<srtp::SrtpPolicy, SrtpError> {
        srtp::SrtpPolicy::from_params(&self.srtp_params()?)
    }
}

impl TryFrom<&SrtpPolicy> for srtp::SrtpPolicy {
    type Error = SrtpError;

    /// [`SrtpPolicy::to_srtp_policy`].
    fn try_from(p: &SrtpPolicy) -> Result<Self, SrtpError> {
        p.to_srtp_policy()
    }
}

impl CryptoSession {
    /// The session's SRTP policy ([`SrtpPolicy::to_srtp_policy`]).
    pub fn srtp_policy(&self) -> Result<srtp::SrtpPolicy, SrtpError> {
        self.policy.to_srtp_policy()
    }

    /// The context options of this session: its MKI, the default replay window,
    /// ROC 0 and SRTCP index 0. Adjust with struct update syntax and pass to
    /// [`CryptoSession::srtp_context_with`].
    pub fn srtp_options(&self) -> SrtpOptions<'_> {
        SrtpOptions {
            mki: (!self.mki.is_empty()).then_some(self.mki.as_slice()),
            ..SrtpOptions::default()
        }
    }

    /// The SRTP/SRTCP crypto context of this session: its policy, the TEK as
    /// master key, the salt as master salt and its MKI
    /// ([`CryptoSession::srtp_options`]). The TEK and salt lengths must be the
    /// profile's ([`SrtpError::MasterKeyLength`], [`SrtpError::MasterSaltLength`]).
    pub fn srtp_context(&self) -> Result<SrtpContext, SrtpError> {
        self.srtp_context_with(&self.srtp_options())
    }

    /// [`CryptoSession::srtp_context`] with the given options (taken as they are,
    /// MKI included). With an SRTP-ID map entry the ROC of its SSRC is set.
    pub fn srtp_context_with(&self, options: &SrtpOptions<'_>) -> Result<SrtpContext, SrtpError> {
        let policy = self.srtp_policy()?;
        let mut ctx = SrtpContext::new(policy, self.tek.as_bytes(), self.salt.as_bytes(), options)?;
        if let (Some(ssrc), Some(roc)) = (self.ssrc, self.roc) {
            ctx.set_roc(ssrc, roc);
        }
        Ok(ctx)
    }
}

/// The inputs of the traffic-key derivation (RFC 3830 §4.1.3) common to both ends.
#[derive(Clone, Copy)]
pub(super) struct Keying<'a> {
    pub(super) key: &'a Ssv,
    pub(super) key_type: KeyType,
    /// `None` for a GMK whose GMK-ID is not known ([`KeyIdSource::Unknown`]).
    pub(super) key_id: Option<KeyId>,
    pub(super) csb_id: KeyId,
    pub(super) prf: kdf::PrfFunc,
    pub(super) rand: &'a [u8],
}

/// The MKI rule of TS 33.180 §7.4 (GMK-ID ‖ GUK-ID for a GMK, the key id for a PCK
/// or CSK, the CSB ID otherwise); empty when the key id is not known.
fn default_mki(key_type: KeyType, key_id: Option<KeyId>, csb_id: KeyId) -> Vec<u8> {
    let Some(key_id) = key_id else {
        return Vec::new();
    };
    let guk = (key_type == KeyType::Gmk).then_some(csb_id);
    kdf::mki(key_id, guk).unwrap_or_else(|_| csb_id.to_bytes().to_vec())
}

impl Keying<'_> {
    /// The crypto session `cs_id` with `policy` (no policy number, no SSRC/ROC).
    pub(super) fn derive_session(
        &self,
        cs_id: u8,
        policy: &SrtpPolicy,
    ) -> Result<CryptoSession, MikeyError> {
        let ctx = TrafficKeyContext {
            prf: self.prf,
            cs_id,
            csb_id: self.csb_id.value(),
            rand: self.rand,
        };
        let k = self.key.as_bytes();
        Ok(CryptoSession {
            cs_id,
            policy_no: None,
            policy: policy.clone(),
            tek: kdf::derive_tek(&ctx, k, policy.master_key_len()).map_err(MikeyError::Kdf)?,
            salt: kdf::derive_salt(&ctx, k, policy.master_salt_len()).map_err(MikeyError::Kdf)?,
            mki: default_mki(self.key_type, self.key_id, self.csb_id),
            ssrc: None,
            roc: None,
        })
    }

    /// The policy referenced by `no` in `m`, or the key type's default profile.
    fn policy(&self, m: &Message, no: Option<u8>) -> (Option<u8>, SrtpPolicy) {
        match no.and_then(|n| m.security_policy(n)) {
            Some(sp) => (Some(sp.policy_no), sp.srtp_policy()),
            None => (None, default_profile(self.key_type).srtp_policy()),
        }
    }

    /// The crypto sessions of the CS ID map of `m` (see [`ReceivedKey::sessions`]).
    pub(super) fn sessions(&self, m: &Message) -> Result<Vec<CryptoSession>, MikeyError> {
        let mut out = Vec::new();
        match &m.header.cs_map {
            CsIdMap::GenericId(entries) if !entries.is_empty() => {
                for e in entries {
                    let (policy_no, policy) = self.policy(m, e.policies.first().copied());
                    let mut s = self.derive_session(e.cs_id, &policy)?;
                    s.policy_no = policy_no;
                    if !e.spi.is_empty() {
                        s.mki = e.spi.clone();
                    }
                    out.push(s);
                }
            }
            CsIdMap::SrtpId(entries) if !entries.is_empty() => {
                for (i, e) in entries.iter().enumerate() {
                    let cs_id = u8::try_from(i + 1).map_err(|_| MikeyError::CsIdMapCount)?;
                    let (policy_no, policy) = self.policy(m, Some(e.policy_no));
                    let mut s = self.derive_session(cs_id, &policy)?;
                    s.policy_no = policy_no;
                    s.ssrc = Some(e.ssrc);
                    s.roc = Some(e.roc);
                    out.push(s);
                }
            }
            _ => {
                // Empty map (#CS = 0): the TS 33.180 default profile of the key type
                // (TS 33.180 E.1.2, SPEC §5.8) for the cs_ids of Table E.1.3-1.
                let (policy_no, policy) = self.policy(m, None);
                for &cs in default_cs_ids(self.key_type) {
                    let mut s = self.derive_session(cs, &policy)?;
                    s.policy_no = policy_no;
                    out.push(s);
                }
            }
        }
        Ok(out)
    }

    /// The session `cs_id` of the map of `m`; a cs_id the map does not list gets
    /// the policy of the map's first entry (the default profile for the empty map)
    /// and the TS 33.180 §7.4 MKI.
    pub(super) fn session(&self, m: &Message, cs_id: u8) -> Result<CryptoSession, MikeyError> {
        let mut all = self.sessions(m)?;
        if let Some(i) = all.iter().position(|s| s.cs_id == cs_id) {
            return Ok(all.swap_remove(i));
        }
        let first = match &m.header.cs_map {
            CsIdMap::GenericId(e) => e.first().and_then(|e| e.policies.first().copied()),
            CsIdMap::SrtpId(e) => e.first().map(|e| e.policy_no),
            _ => None,
        };
        let (policy_no, policy) = self.policy(m, first);
        let mut s = self.derive_session(cs_id, &policy)?;
        s.policy_no = policy_no;
        Ok(s)
    }
}

impl ReceivedKey {
    pub(super) fn keying(&self) -> Keying<'_> {
        Keying {
            key: &self.key,
            key_type: self.key_type,
            key_id: (self.key_id_source != KeyIdSource::Unknown).then_some(self.key_id),
            csb_id: self.csb_id,
            prf: self.prf,
            rand: &self.rand,
        }
    }

    /// The crypto session `cs_id`: the one the CS ID map lists, or for a cs_id it
    /// does not list one derived with the policy of the map's first entry (the
    /// default profile for the empty map) and the TS 33.180 §7.4 MKI — e.g. the
    /// responder's direction (cs_id 1) of a private call whose map lists only
    /// cs_id 0.
    pub fn crypto_session(&self, cs_id: u8) -> Result<CryptoSession, MikeyError> {
        self.keying().session(&self.message, cs_id)
    }

    /// The SRTP/SRTCP context of crypto session `cs_id` in one call
    /// ([`ReceivedKey::session`] if the map lists it, else
    /// [`ReceivedKey::crypto_session`]; then [`CryptoSession::srtp_context`]).
    /// Equal to the initiator's [`InitiatedMessage::srtp_context`] for the same
    /// cs_id.
    pub fn srtp_context(&self, cs_id: u8) -> Result<SrtpContext, Error> {
        match self.session(cs_id) {
            Some(s) => Ok(s.srtp_context()?),
            None => Ok(self.crypto_session(cs_id)?.srtp_context()?),
        }
    }

    /// Group media from another member (TS 33.180 §7.4.2): the crypto session
    /// `cs_id` of the member whose packets carry `mki` = GMK-ID ‖ GUK-ID. The GMK-ID
    /// must be this key's ([`SrtpError::UnknownMki`] otherwise); the session is
    /// derived with the GUK-ID of the MKI as CSB ID, the RAND of this message and
    /// the policy of this member's session `cs_id`.
    ///
    /// This gives the sender's keys only if the group management server sent the
    /// GMK to both members with the same RAND. For a key other than a GMK every
    /// party shares the session: `mki` must be this session's MKI.
    pub fn sender_session(&self, cs_id: u8, mki: &[u8]) -> Result<CryptoSession, Error> {
        let own = self.crypto_session(cs_id)?;
        if self.key_type != KeyType::Gmk {
            return if own.mki == mki {
                Ok(own)
            } else {
                Err(SrtpError::UnknownMki.into())
            };
        }
        let guk_id = match kdf::parse_mki(mki) {
            Ok(MkiKeyIds::Gmk { gmk_id, guk_id })
                if gmk_id == self.key_id && guk_id.key_type() == KeyType::Gmk =>
            {
                guk_id
            }
            _ => return Err(SrtpError::UnknownMki.into()),
        };
        let keying = Keying {
            csb_id: guk_id,
            ..self.keying()
        };
        let mut s = keying.derive_session(cs_id, &own.policy)?;
        s.policy_no = own.policy_no;
        Ok(s)
    }

    /// The SRTP context for group media received from the member whose packets
    /// carry `mki` ([`ReceivedKey::sender_session`], then
    /// [`CryptoSession::srtp_context`]). Read the MKI of a packet with
    /// [`SrtpContext::rtp_packet_mki`] of this member's own context.
    pub fn sender_srtp_context(&self, cs_id: u8, mki: &[u8]) -> Result<SrtpContext, Error> {
        Ok(self.sender_session(cs_id, mki)?.srtp_context()?)
    }
}

impl InitiatedMessage {
    fn keying(&self) -> Result<Keying<'_>, MikeyError> {
        let prf = self.message.header.prf.value();
        Ok(Keying {
            key: &self.key,
            key_type: self.key_type,
            key_id: Some(self.key_id),
            csb_id: self.csb_id,
            prf: kdf::PrfFunc::from_u8(prf).map_err(|_| MikeyError::UnsupportedPrf(prf))?,
            rand: &self.rand,
        })
    }

    /// The crypto sessions of the message, as the responder derives them
    /// ([`ReceivedKey::sessions`]).
    pub fn sessions(&self) -> Result<Vec<CryptoSession>, MikeyError> {
        self.keying()?.sessions(&self.message)
    }

    /// The crypto session `cs_id`, listed by the map or not
    /// ([`ReceivedKey::crypto_session`]).
    pub fn crypto_session(&self, cs_id: u8) -> Result<CryptoSession, MikeyError> {
        self.keying()?.session(&self.message, cs_id)
    }

    /// Derives the crypto session `cs_id` with `policy`
    /// ([`ReceivedKey::derive_session`]).
    pub fn derive_session(
        &self,
        cs_id: u8,
        policy: &SrtpPolicy,
    ) -> Result<CryptoSession, MikeyError> {
        self.keying()?.derive_session(cs_id, policy)
    }

    /// The SRTP/SRTCP context of crypto session `cs_id` in one call, the same as
    /// the responder's [`ReceivedKey::srtp_context`].
    pub fn srtp_context(&self, cs_id: u8) -> Result<SrtpContext, Error> {
        Ok(self.crypto_session(cs_id)?.srtp_context()?)
    }
}
