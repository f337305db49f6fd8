//! Processing a received MIKEY-SAKKE I_MESSAGE (RFC 6509 §4, RFC 3830 §5.4,
//! TS 33.180 E.1–E.7; SPEC §5.15, §4.3, §4.4, §9).

use std::fmt;

use crate::eccsi;
use crate::identity::{KeyPeriod, NtpTime};
use crate::kdf::{self, KeyId, KeyType, MkiKeyIds, Salt, Tek};
use crate::sakke::{EncapsulatedData, Ssv};

use super::header::CsIdMap;
use super::key_params::{self, KeyParameters, ProtectedPayload};
use super::keys::{identifier, KeySet, LocalUser, TrustStore, TrustedKms};
use super::payload::{IdRole, IdScheme, SpPayload, SrtpPolicy, Timestamp};
use super::replay::ReplayCache;
use super::text::decode_text;
use super::{Message, MikeyError};
use crate::eccsi::SIGNATURE_LEN;

/// Default allowed clock skew between the T payload and "now": 5 minutes.
pub const DEFAULT_MAX_SKEW_SECONDS: u32 = 300;

/// Responder policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponderConfig {
    /// Largest accepted `|T − now|` in seconds (checklist R1). Default 300.
    pub max_skew_seconds: u32,
    /// Fixes the key period number instead of deriving the candidates `N`, `N−1`,
    /// `N+1` from the T payload (SPEC §4.3). For test vectors whose keys belong to
    /// another period than their timestamp.
    pub key_period: Option<u64>,
    /// The key type expected in this context (checklist H7), e.g. GMK when a group
    /// call is being set up; `None` accepts every non-reserved purpose tag.
    pub expected_key_type: Option<KeyType>,
    /// Reject a message whose key-parameters extension (type 7) does not parse as
    /// a protected payload (e.g. a legacy layout) or does not decrypt (checklist
    /// H8, [`MikeyError::KeyParametersInvalid`]); when `false` such an extension
    /// is ignored. Default `true`. A DPPK-ID that differs from the CSB ID is
    /// always rejected.
    pub reject_bad_key_parameters: bool,
    /// Accept `#CS = 0` with an SRTP-ID or GENERIC-ID map (the default security
    /// profile of the key type then applies, TS 33.180 E.1.2). When `false` such
    /// a message is rejected with [`MikeyError::CsIdMapCount`] (checklist H4: no
    /// default profile configured). Default `true`. The empty map (type 1) always
    /// uses the default profile.
    pub allow_default_profile: bool,
}

impl Default for ResponderConfig {
    fn default() -> Self {
        ResponderConfig {
            max_skew_seconds: DEFAULT_MAX_SKEW_SECONDS,
            key_period: None,
            expected_key_type: None,
            reject_bad_key_parameters: true,
            allow_default_profile: true,
        }
    }
}

/// How the initiator identified itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitiatorIdentity {
    /// IDRi (role 1): its URI.
    Uri(String),
    /// IDRuidi (role 8): its 32-octet UID only (identity hidden, TS 33.180 E.7);
    /// bind it to a URI later with [`ReceivedKey::check_initiator_uri`].
    Uid(Vec<u8>),
}

/// One crypto session keyed by the message: cs_id, SRTP policy, SRTP master key and
/// salt (RFC 3830 §4.1.3) and MKI (TS 33.180 §7.4).
pub struct CryptoSession {
    /// The cs_id used in the derivation.
    pub cs_id: u8,
    /// The SP policy number used, or `None` for the default profile.
    pub policy_no: Option<u8>,
    /// The SRTP parameters (from the SP payload or the TS 33.180 default profile).
    pub policy: SrtpPolicy,
    /// SRTP master key `PRF(TGK, 0x2AD01C64 || cs_id || CSB ID || RAND)`.
    pub tek: Tek,
    /// SRTP master salt `PRF(TGK, 0x39A2C14B || cs_id || CSB ID || RAND)`.
    pub salt: Salt,
    /// The MKI (the GENERIC-ID SPI, or GMK-ID ‖ GUK-ID / key id).
    pub mki: Vec<u8>,
    /// SSRC of an SRTP-ID map entry.
    pub ssrc: Option<u32>,
    /// ROC of an SRTP-ID map entry.
    pub roc: Option<u32>,
}

impl fmt::Debug for CryptoSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptoSession")
            .field("cs_id", &self.cs_id)
            .field("policy_no", &self.policy_no)
            .field("policy", &self.policy)
            .field("tek", &self.tek)
            .field("salt", &self.salt)
            .field("mki", &self.mki)
            .field("ssrc", &self.ssrc)
            .field("roc", &self.roc)
            .finish()
    }
}

/// Where [`ReceivedKey::key_id`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyIdSource {
    /// Not a GMK: the key id is the CSB ID.
    CsbId,
    /// A GMK whose GMK-ID was recovered from the GUK-ID with the receiver's URI
    /// (TS 33.180 F.1.3). `matches_mki` cross-checks it against the signed MKI
    /// (GMK-ID ‖ GUK-ID, TS 33.180 §7.4) of the GENERIC-ID map whose GUK-ID is the
    /// CSB ID: `Some(true)` when it agrees, `None` when the map has no such MKI.
    /// An MKI naming another GMK-ID (the CSB ID is then not the GUK-ID the F.1.3
    /// rule gives for this receiver) is rejected with
    /// [`MikeyError::KeyIdMismatch`] (H7), so `Some(false)` is never returned.
    GukIdRule {
        /// Whether the signed MKI's GMK-ID agrees, if there is one.
        matches_mki: Option<bool>,
    },
    /// A GMK received by a user whose URI is not known: the GMK-ID of the signed
    /// MKI (GMK-ID ‖ GUK-ID, TS 33.180 §7.4) of a GENERIC-ID map entry whose GUK-ID
    /// is the CSB ID.
    Mki,
    /// A GMK received by a user whose URI is not known, in a message without such
    /// an MKI: the GMK-ID cannot be recovered. [`ReceivedKey::key_id`] is then the
    /// CSB ID and crypto sessions without an SPI have an empty MKI.
    Unknown,
}

/// The result of processing an I_MESSAGE.
pub struct ReceivedKey {
    /// The distributed key (TGK = SSV; GMK, PCK, CSK…).
    pub key: Ssv,
    /// The key type (purpose tag of the CSB ID).
    pub key_type: KeyType,
    /// The key id: GMK-ID recovered from the GUK-ID for a GMK (TS 33.180 F.1.3) or,
    /// when the receiver's URI is not known, from the signed MKI; the CSB ID
    /// otherwise. See [`ReceivedKey::key_id_source`].
    pub key_id: KeyId,
    /// How `key_id` was obtained (and whether a GMK-ID could be recovered at all).
    pub key_id_source: KeyIdSource,
    /// The HDR CSB ID (GUK-ID for a GMK).
    pub csb_id: KeyId,
    /// RAND.
    pub rand: Vec<u8>,
    /// The T payload time.
    pub timestamp: NtpTime,
    /// The PRF of the header.
    pub prf: kdf::PrfFunc,
    /// The initiator as identified in the message.
    pub initiator: InitiatorIdentity,
    /// The initiator's identifier the signature was verified with.
    pub initiator_id: Vec<u8>,
    /// The initiator's KMS URI (IDRkmsi).
    pub initiator_kms: String,
    /// The responder's KMS URI (IDRkmsr).
    pub responder_kms: String,
    /// The key period of the receiver's key set.
    pub period_no: u64,
    /// The SAKKE ID scheme.
    pub id_scheme: IdScheme,
    /// Whether the key was taken from the SAKKE-to-self extension: the receiver is
    /// another device of the initiator (TS 33.180 E.5; SPEC §5.15 step 11).
    pub via_sakke_to_self: bool,
    /// The crypto sessions of the CS ID map, each with the SP policy its map entry
    /// references (the default profile if that policy is absent). With the empty map
    /// (`#CS = 0`): the TS 33.180 Table E.1.3-1 cs_ids of the key type
    /// ([`default_cs_ids`]) with the default profile of the key type
    /// ([`default_profile`]), whatever SP payload the message carries.
    pub sessions: Vec<CryptoSession>,
    /// The decrypted key parameters (type-7 extension), if present and decryptable.
    pub key_parameters: Option<KeyParameters>,
    /// The parsed message.
    pub message: Message,
    initiator_key_period: KeyPeriod,
}

impl fmt::Debug for ReceivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedKey")
            .field("key", &self.key)
            .field("key_type", &self.key_type)
            .field("key_id", &self.key_id)
            .field("csb_id", &self.csb_id)
            .field("initiator", &self.initiator)
            .field("initiator_kms", &self.initiator_kms)
            .field("responder_kms", &self.responder_kms)
            .field("period_no", &self.period_no)
            .field("sessions", &self.sessions)
            .finish_non_exhaustive()
    }
}

impl ReceivedKey {
    /// Derives the crypto session `cs_id` with `policy` (master key and salt lengths
    /// from the policy), e.g. for a cs_id the map does not list (RFC 3830 §4.1.3).
    pub fn derive_session(
        &self,
        cs_id: u8,
        policy: &SrtpPolicy,
    ) -> Result<CryptoSession, MikeyError> {
        self.keying().derive_session(cs_id, policy)
    }

    /// The crypto session with `cs_id`, if the message keyed it.
    pub fn session(&self, cs_id: u8) -> Option<&CryptoSession> {
        self.sessions.iter().find(|s| s.cs_id == cs_id)
    }

    /// Identity hiding (TS 33.180 E.7, SPEC §4.4): checks that `uri`, learned by other
    /// means, is the initiator's, i.e. that it hashes to the identifier the signature
    /// was verified with (for the message's key period or, by the timestamp, its
    /// neighbours). Otherwise [`MikeyError::InitiatorIdentityMismatch`] (K5).
    pub fn check_initiator_uri(&self, uri: &str) -> Result<(), MikeyError> {
        if let InitiatorIdentity::Uri(u) = &self.initiator {
            return if u == uri {
                Ok(())
            } else {
                Err(MikeyError::InitiatorIdentityMismatch)
            };
        }
        let mut periods = vec![self.period_no];
        if let Ok(c) = self.initiator_key_period.candidates(self.timestamp) {
            periods.extend(c);
        }
        for n in periods {
            if let Ok(id) = identifier(
                self.id_scheme,
                uri,
                &self.initiator_kms,
                &self.initiator_key_period,
                n,
                self.timestamp,
            ) {
                if id == self.initiator_id {
                    return Ok(());
                }
            }
        }
        Err(MikeyError::InitiatorIdentityMismatch)
    }
}

/// The TS 33.180 default SRTP profile for a key type (E.2 group, E.3.2 private; the
/// observed profile for other keys).
pub fn default_profile(key_type: KeyType) -> SpPayload {
    match key_type {
        KeyType::Gmk | KeyType::Mkfc | KeyType::Musik => SpPayload::ts33180_group_default(0),
        KeyType::Pck => SpPayload::ts33180_private_default(0),
        _ => SpPayload::ts33180_observed(0),
    }
}

/// The cs_ids of TS 33.180 Table E.1.3-1 for a key type (SPEC §1.4; only 4 and 6
/// confirmed): GMK 4, 5; PCK 0–3; CSK 6, 8; MuSiK 7, 9.
pub fn default_cs_ids(key_type: KeyType) -> &'static [u8] {
    match key_type {
        KeyType::Gmk => &[4, 5],
        KeyType::Pck => &[0, 1, 2, 3],
        KeyType::Csk => &[6, 8],
        KeyType::Musik => &[7, 9],
        _ => &[],
    }
}

/// A MIKEY-SAKKE responder: the local user's key sets, the KMSs it trusts, its
/// policy and its replay cache. Sans-I/O: every call takes the current time.
#[derive(Debug)]
pub struct Responder {
    user: LocalUser,
    trust: TrustStore,
    config: ResponderConfig,
    replay: ReplayCache,
}

/// The receiver's key set selected for a message, and the receiver's URI when
/// known (the user's, or an IDRr URI that maps to the key set's identifier).
struct OwnMatch<'a> {
    set: &'a KeySet,
    uri: Option<String>,
}

impl Responder {
    /// A responder for `user` trusting `trust`, with a default-sized replay cache.
    pub fn new(user: LocalUser, trust: TrustStore, config: ResponderConfig) -> Self {
        Self::with_replay_cache(user, trust, config, ReplayCache::default())
    }

    /// [`Responder::new`] with a given replay cache.
    pub fn with_replay_cache(
        user: LocalUser,
        trust: TrustStore,
        config: ResponderConfig,
        replay: ReplayCache,
    ) -> Self {
        Responder {
            user,
            trust,
            config,
            replay,
        }
    }

    /// The local user.
    pub fn user(&self) -> &LocalUser {
        &self.user
    }

    /// The local user, mutable (to add key sets for new periods).
    pub fn user_mut(&mut self) -> &mut LocalUser {
        &mut self.user
    }

    /// The trust store.
    pub fn trust_store(&self) -> &TrustStore {
        &self.trust
    }

    /// The trust store, mutable.
    pub fn trust_store_mut(&mut self) -> &mut TrustStore {
        &mut self.trust
    }

    /// The policy.
    pub fn config(&self) -> &ResponderConfig {
        &self.config
    }

    /// The policy, mutable.
    pub fn config_mut(&mut self) -> &mut ResponderConfig {
        &mut self.config
    }

    /// The replay cache.
    pub fn replay_cache(&self) -> &ReplayCache {
        &self.replay
    }

    /// [`Responder::receive`] for the text form `mikey <base64>` (E1 on bad text).
    pub fn receive_text(&mut self, text: &str, now: NtpTime) -> Result<ReceivedKey, MikeyError> {
        let bytes = decode_text(text)?;
        self.receive(&bytes, now)
    }

    /// Processes an I_MESSAGE received at `now` (SPEC §5.15), in this order:
    ///
    /// 1. parse and check the structure ([`Message::parse_i_message`]: E2–E5, E8, E9,
    ///    H1–H6);
    /// 2. freshness: `|T − now| ≤ max_skew_seconds` (R1), and the replay cache
    ///    (R2, RFC 3830 §5.4);
    /// 3. KMSs from IDRkmsi / IDRkmsr among the trusted ones, with certificates
    ///    valid at `now` (K1);
    /// 4. own key set: IDRuidr (or IDRr) against the receiver's identifiers for the
    ///    candidate periods N, N−1, N+1 (or the configured period) and any held key
    ///    set (K2 if the message is for someone else, K3 if no key set for the period;
    ///    a user whose URI is not known, [`LocalUser::without_uri`], matches IDRuidr
    ///    against its key sets' identifiers, and IDRr when that URI maps to one);
    ///    failing that, when the message has a SAKKE-to-self extension, IDRuidi (or
    ///    IDRi) against the receiver's key sets under the initiator's KMS (the
    ///    receiver is another device of the initiator, TS 33.180 E.5);
    /// 5. initiator identifier from IDRuidi (or IDRi, hashed for the same period);
    /// 6. ECCSI verification with the initiator KMS's KPAK over every octet up to and
    ///    including the SIGN header (C1) — **before** any use of the SAKKE data;
    /// 7. SAKKE decapsulation with the receiver's key (E6/E7 for a malformed `R`,
    ///    C2);
    /// 8. key type from the CSB ID purpose tag against the expected type (H7); key id
    ///    (GMK-ID from the GUK-ID with the receiver's URI, TS 33.180 F.1.3,
    ///    cross-checked against the signed MKI; without the URI the GMK-ID of the
    ///    MKI GMK-ID ‖ GUK-ID, TS 33.180 §7.4: [`ReceivedKey::key_id_source`]);
    ///    type-7 key parameters decrypted and cross-checked (H7, H8);
    /// 9. the crypto sessions' TEK, salt and MKI; the message is recorded in the
    ///    replay cache.
    pub fn receive(&mut self, bytes: &[u8], now: NtpTime) -> Result<ReceivedKey, MikeyError> {
        // 1. Structure.
        let message = Message::parse_i_message(bytes)?;
        let t = match message.timestamp() {
            Some(Timestamp::NtpUtc(v)) => NtpTime::from_bits(*v),
            Some(other) => return Err(MikeyError::UnsupportedTimestampType(other.ts_type())),
            None => return Err(MikeyError::MissingPayload("T")),
        };
        let rand = message
            .rand()
            .ok_or(MikeyError::MissingPayload("RAND"))?
            .to_vec();
        let csb_id = KeyId::new(message.header.csb_id);
        let no_sessions_in_map = match &message.header.cs_map {
            CsIdMap::SrtpId(v) => v.is_empty(),
            CsIdMap::GenericId(v) => v.is_empty(),
            _ => false,
        };
        if no_sessions_in_map && !self.config.allow_default_profile {
            return Err(MikeyError::CsIdMapCount);
        }

        // 2. Freshness and replay.
        let skew = i64::from(t.seconds()) - i64::from(now.seconds());
        if skew.unsigned_abs() > u64::from(self.config.max_skew_seconds) {
            return Err(MikeyError::ClockSkew);
        }
        let init_idr = message
            .idr(IdRole::InitiatorUid)
            .or_else(|| message.idr(IdRole::Initiator))
            .ok_or(MikeyError::MissingPayload("IDRi"))?;
        let replay_key = ReplayCache::key(&init_idr.data, t.to_bits(), &rand, csb_id.value());
        self.replay.check(&replay_key, u64::from(now.seconds()))?;

        // 3. KMSs.
        let kms_uri = |role: IdRole, name: &'static str| -> Result<String, MikeyError> {
            let idr = message.idr(role).ok_or(MikeyError::MissingPayload(name))?;
            String::from_utf8(idr.data.clone()).map_err(|_| MikeyError::InvalidIdentity(name))
        };
        let kmsi_uri = kms_uri(IdRole::InitiatorKms, "IDRkmsi")?;
        let kmsr_uri = kms_uri(IdRole::ResponderKms, "IDRkmsr")?;
        let kms_i = self.trust.require_valid(&kmsi_uri, now)?;
        let kms_r = self.trust.require_valid(&kmsr_uri, now)?;

        let sakke = message.sakke().ok_or(MikeyError::MissingPayload("SAKKE"))?;
        let scheme = sakke.id_scheme;

        // 4. Own key set.
        let candidates = match self.config.key_period {
            Some(n) => vec![n],
            None => kms_r
                .key_period()
                .candidates(t)
                .map_err(|_| MikeyError::NoKeyForPeriod)?,
        };
        let (own, via_self) =
            match find_own_key_set(&self.user, kms_r, &message, scheme, &candidates, t) {
                Ok(own) => (own, false),
                // The initiator's other device: the SAKKE-to-self extension
                // (TS 33.180 E.5) carries the key to the initiator's own identifier
                // under the initiator's KMS.
                Err(MikeyError::NotForReceiver) if message.sakke_to_self().is_some() => {
                    let candidates_i = match self.config.key_period {
                        Some(n) => vec![n],
                        None => kms_i
                            .key_period()
                            .candidates(t)
                            .map_err(|_| MikeyError::NoKeyForPeriod)?,
                    };
                    let own = find_self_key_set(&self.user, kms_i, &message, &candidates_i, t)?;
                    (own, true)
                }
                Err(e) => return Err(e),
            };
        let sakke = if via_self {
            message
                .sakke_to_self()
                .ok_or(MikeyError::MissingPayload("SAKKE"))?
        } else {
            sakke
        };
        let receiver_key = own.set.receiver_key().ok_or(MikeyError::NoKeyForPeriod)?;
        let period_no = own.set.period_no();

        // 5. Initiator identifier.
        let (initiator, initiator_id) = if let Some(idr) = message.idr(IdRole::InitiatorUid) {
            if idr.data.len() != 32 {
                return Err(MikeyError::InvalidIdentity("IDRuidi"));
            }
            (InitiatorIdentity::Uid(idr.data.clone()), idr.data.clone())
        } else {
            let idr = message
                .idr(IdRole::Initiator)
                .ok_or(MikeyError::MissingPayload("IDRi"))?;
            let uri =
                std::str::from_utf8(&idr.data).map_err(|_| MikeyError::InvalidIdentity("IDRi"))?;
            let n_i = match self.config.key_period {
                Some(n) => n,
                None if kms_i.uri() == kms_r.uri() => period_no,
                None => kms_i
                    .key_period()
                    .number_at(t)
                    .map_err(|_| MikeyError::NoKeyForPeriod)?,
            };
            let id = kms_i.identifier(scheme, uri, n_i, t)?;
            (InitiatorIdentity::Uri(uri.to_string()), id)
        };

        // 6. Signature, over everything before the signature value.
        let signed_len = bytes
            .len()
            .checked_sub(SIGNATURE_LEN)
            .ok_or(MikeyError::Truncated("SIGN"))?;
        let (signed, signature) = bytes.split_at(signed_len);
        eccsi::verify(kms_i.kpak(), &initiator_id, signed, signature)
            .map_err(|_| MikeyError::SignatureInvalid)?;

        // 7. Decapsulation.
        let sed =
            EncapsulatedData::from_bytes(&sakke.data).map_err(MikeyError::InvalidSakkeData)?;
        let key = receiver_key
            .decapsulate(&sed)
            .map_err(|_| MikeyError::DecapsulationFailed)?;

        // 8. Key type, key id, key parameters.
        let key_type = csb_id.key_type();
        if matches!(key_type, KeyType::Reserved(_)) {
            return Err(MikeyError::KeyTypeMismatch);
        }
        if self.config.expected_key_type.is_some_and(|k| k != key_type) {
            return Err(MikeyError::KeyTypeMismatch);
        }
        let (key_id, key_id_source) = if key_type == KeyType::Gmk {
            // The GUK-ID is salted with the responder's URI (TS 33.180 F.1.3).
            let member = if via_self {
                let idr = message
                    .idr(IdRole::Responder)
                    .ok_or(MikeyError::InvalidIdentity("IDRr (GMK via SAKKE-to-self)"))?;
                Some(
                    std::str::from_utf8(&idr.data)
                        .map_err(|_| MikeyError::InvalidIdentity("IDRr"))?
                        .to_string(),
                )
            } else {
                own.uri.clone()
            };
            let from_mki = mki_gmk_id(&message, csb_id);
            match member {
                Some(uri) => {
                    let id = kdf::gmk_id_from_guk_id(key.as_bytes(), csb_id, &uri)
                        .map_err(MikeyError::Kdf)?;
                    let matches_mki = from_mki.map(|m| m == id);
                    (id, KeyIdSource::GukIdRule { matches_mki })
                }
                None => match from_mki {
                    Some(id) => (id, KeyIdSource::Mki),
                    None => (csb_id, KeyIdSource::Unknown),
                },
            }
        } else {
            (csb_id, KeyIdSource::CsbId)
        };
        check_spis(&message, key_type, csb_id, key_id, key_id_source)?;
        let mut key_parameters = None;
        if let Some(raw) = message.key_parameters() {
            // Content that is not a protected payload (a legacy layout) is
            // rejected under `reject_bad_key_parameters` (H8), else ignored.
            let parsed = ProtectedPayload::parse(raw);
            if parsed.is_err() && self.config.reject_bad_key_parameters {
                return Err(MikeyError::KeyParametersInvalid);
            }
            if let Ok(pp) = parsed {
                if pp.dppk_id != csb_id {
                    return Err(MikeyError::KeyParametersId);
                }
                match key_params::open(key.as_bytes(), &pp) {
                    Ok(kp) => {
                        if !kp.matches_key_id(csb_id) {
                            return Err(MikeyError::KeyTypeMismatch);
                        }
                        key_parameters = Some(kp);
                    }
                    Err(_) if self.config.reject_bad_key_parameters => {
                        return Err(MikeyError::KeyParametersInvalid)
                    }
                    Err(_) => {}
                }
            }
        }

        // 9. Crypto sessions.
        let prf = kdf::PrfFunc::from_u8(message.header.prf.value())
            .map_err(|_| MikeyError::UnsupportedPrf(message.header.prf.value()))?;
        let mut result = ReceivedKey {
            key,
            key_type,
            key_id,
            key_id_source,
            csb_id,
            rand,
            timestamp: t,
            prf,
            initiator,
            initiator_id,
            initiator_kms: kmsi_uri,
            responder_kms: kmsr_uri,
            period_no,
            id_scheme: scheme,
            via_sakke_to_self: via_self,
            sessions: Vec::new(),
            key_parameters,
            message: message.clone(),
            initiator_key_period: *kms_i.key_period(),
        };
        result.sessions = result.keying().sessions(&message)?;

        let expiry = u64::from(t.seconds()) + u64::from(self.config.max_skew_seconds);
        self.replay
            .insert(replay_key, expiry, u64::from(now.seconds()))?;
        Ok(result)
    }
}

/// The GMK-ID of the first GENERIC-ID map entry whose SPI is an MKI
/// GMK-ID ‖ GUK-ID (TS 33.180 §7.4) with GUK-ID `csb_id`; the header, and so the
/// MKI, is covered by the signature.
fn mki_gmk_id(message: &Message, csb_id: KeyId) -> Option<KeyId> {
    let CsIdMap::GenericId(entries) = &message.header.cs_map else {
        return None;
    };
    entries
        .iter()
        .find_map(|e| match kdf::parse_mki(&e.spi).ok()? {
            MkiKeyIds::Gmk { gmk_id, guk_id } if guk_id == csb_id => Some(gmk_id),
            _ => None,
        })
}

/// Step 8 of [`Responder::receive`]: every 4- or 8-octet SPI of a GENERIC-ID
/// map must name the received key (TS 33.180 §7.4). For a GMK an 8-octet SPI is
/// GMK-ID ‖ GUK-ID with the GUK-ID the CSB ID and, when it is known, the GMK-ID
/// `key_id`; a 4-octet one is the GMK-ID. For other keys the SPI is the key id
/// (8 octets: `ID ‖ ID`). SPIs of other lengths are left to the crypto-session
/// step.
fn check_spis(
    message: &Message,
    key_type: KeyType,
    csb_id: KeyId,
    key_id: KeyId,
    source: KeyIdSource,
) -> Result<(), MikeyError> {
    let CsIdMap::GenericId(entries) = &message.header.cs_map else {
        return Ok(());
    };
    let gmk_id_known = !matches!(source, KeyIdSource::Unknown);
    for e in entries {
        let Ok(ids) = kdf::parse_mki(&e.spi) else {
            continue;
        };
        let ok = match (key_type, ids) {
            (KeyType::Gmk, MkiKeyIds::Gmk { gmk_id, guk_id }) => {
                guk_id == csb_id
                    && gmk_id.key_type() == KeyType::Gmk
                    && (!gmk_id_known || gmk_id == key_id)
            }
            (KeyType::Gmk, MkiKeyIds::Single(id)) => {
                e.spi.len() == 4 && id.key_type() == KeyType::Gmk && (!gmk_id_known || id == key_id)
            }
            (_, MkiKeyIds::Single(id)) => id == key_id,
            (_, MkiKeyIds::Gmk { .. }) => false,
        };
        if !ok {
            return Err(MikeyError::KeyIdMismatch);
        }
    }
    Ok(())
}

/// Step 4 of [`Responder::receive`]: IDRuidr (or IDRr) against the receiver's
/// key sets under `kms_r`.
fn find_own_key_set<'a>(
    user: &'a LocalUser,
    kms_r: &TrustedKms,
    message: &Message,
    scheme: IdScheme,
    candidates: &[u64],
    t: NtpTime,
) -> Result<OwnMatch<'a>, MikeyError> {
    if let Some(idr) = message.idr(IdRole::ResponderUid) {
        if idr.data.len() != 32 {
            return Err(MikeyError::InvalidIdentity("IDRuidr"));
        }
        return match_uid(user, kms_r, &idr.data, scheme, candidates, t);
    }
    let idr = message
        .idr(IdRole::Responder)
        .ok_or(MikeyError::MissingPayload("IDRr"))?;
    match_uri(user, kms_r, &idr.data, scheme, candidates, t)
}

/// The key set under `kms` with identifier `target` (a UID of IDRuidr or IDRuidi).
/// When the user's URI is known and hashes to `target` for a candidate period but
/// no key set is held, [`MikeyError::NoKeyForPeriod`] (K3); otherwise a missing key
/// set is [`MikeyError::NotForReceiver`] (K2). Any period the receiver holds keys
/// for is accepted (SPEC §4.3).
fn match_uid<'a>(
    user: &'a LocalUser,
    kms: &TrustedKms,
    target: &[u8],
    scheme: IdScheme,
    candidates: &[u64],
    t: NtpTime,
) -> Result<OwnMatch<'a>, MikeyError> {
    let found = |missing| {
        user.key_set_by_identifier(kms.uri(), target)
            .map(|set| OwnMatch {
                set,
                uri: user.uri().map(str::to_string),
            })
            .ok_or(missing)
    };
    if let Some(uri) = user.uri() {
        for &n in candidates {
            if kms.identifier(scheme, uri, n, t)? == target {
                return found(MikeyError::NoKeyForPeriod);
            }
        }
    }
    found(MikeyError::NotForReceiver)
}

/// The key set under `kms` for the URI `idr` (IDRr or IDRi): the user's URI must be
/// `idr` and one of its identifiers for the candidate periods held (K2, K3). A user
/// whose URI is not known accepts `idr` when it maps to the identifier of a held
/// key set (the identifier binds the URI), and learns its URI from it.
fn match_uri<'a>(
    user: &'a LocalUser,
    kms: &TrustedKms,
    idr: &[u8],
    scheme: IdScheme,
    candidates: &[u64],
    t: NtpTime,
) -> Result<OwnMatch<'a>, MikeyError> {
    let uri = match user.uri() {
        Some(u) if u.as_bytes() == idr => u,
        Some(_) => return Err(MikeyError::NotForReceiver),
        None => std::str::from_utf8(idr).map_err(|_| MikeyError::NotForReceiver)?,
    };
    for &n in candidates {
        let id = kms.identifier(scheme, uri, n, t)?;
        if let Some(set) = user.key_set_by_identifier(kms.uri(), &id) {
            return Ok(OwnMatch {
                set,
                uri: Some(uri.to_string()),
            });
        }
    }
    Err(if user.uri().is_some() {
        MikeyError::NoKeyForPeriod
    } else {
        MikeyError::NotForReceiver
    })
}

/// Step 4 for the initiator's other device: the receiver's key set under the
/// initiator's KMS for the initiator's identifier (IDRuidi, or IDRi equal to the
/// receiver's URI). Otherwise [`MikeyError::NotForReceiver`].
fn find_self_key_set<'a>(
    user: &'a LocalUser,
    kms_i: &TrustedKms,
    message: &Message,
    candidates: &[u64],
    t: NtpTime,
) -> Result<OwnMatch<'a>, MikeyError> {
    let scheme = message
        .sakke_to_self()
        .map(|s| s.id_scheme)
        .ok_or(MikeyError::NotForReceiver)?;
    if let Some(idr) = message.idr(IdRole::InitiatorUid) {
        return user
            .key_set_by_identifier(kms_i.uri(), &idr.data)
            .map(|set| OwnMatch {
                set,
                uri: user.uri().map(str::to_string),
            })
            .ok_or(MikeyError::NotForReceiver);
    }
    let idr = message
        .idr(IdRole::Initiator)
        .ok_or(MikeyError::NotForReceiver)?;
    match_uri(user, kms_i, &idr.data, scheme, candidates, t)
}
