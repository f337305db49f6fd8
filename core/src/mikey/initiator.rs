//! Building a signed MIKEY-SAKKE I_MESSAGE (RFC 6509 §4, TS 33.180 E.1–E.4;
//! SPEC §5.12–§5.14).

use std::fmt;

use crate::identity::NtpTime;
use crate::kdf::{self, KeyId, KeyType};
use crate::random::SecureRandom;
use crate::sakke::Ssv;

use super::header::{CommonHeader, CsIdMap, DataType, GenericIdEntry, PrfFunc};
use super::key_params::{self, KeyParameters};
use super::keys::{LocalUser, TrustStore};
use super::payload::{
    GeneralExtension, IdRole, IdScheme, IdrPayload, Payload, SakkeParams, SakkePayload,
    SignPayload, SignatureType, SpPayload, Timestamp, PROT_TYPE_SRTP,
};
use super::text::encode_text;
use super::{Message, MikeyError};

/// Length of the RAND the initiator draws (SPEC §5.5).
pub const RAND_LEN: usize = 16;

/// How the initiator fills the CS ID map of the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsMapChoice {
    /// The map observed for the key type (SPEC §5.12): GMK → GENERIC-ID cs_id 4
    /// (MCPTT group), CSK → GENERIC-ID cs_id 6, MuSiK → GENERIC-ID cs_id 7, others
    /// (PCK, MKFC, …) → the empty map.
    Default,
    /// The empty map (`#CS = 0`; the default profile applies, TS 33.180 E.1.2).
    Empty,
    /// A GENERIC-ID map with one crypto session of this cs_id, SRTP, the SP policy
    /// number, no session data and the MKI as SPI (GMK-ID ‖ GUK-ID for a GMK, the key
    /// id otherwise; TS 33.180 §7.4).
    GenericId(u8),
}

/// What to distribute, to whom, and how (SPEC §5.14). Build with
/// [`InitiateRequest::new`] and adjust the public fields.
#[derive(Debug)]
pub struct InitiateRequest {
    /// The key type (purpose tag of the key id; TS 33.180 Annex G).
    pub key_type: KeyType,
    /// The key (SSV) to distribute; drawn from the random source when `None`.
    pub key: Option<Ssv>,
    /// The key id (GMK-ID, PCK-ID, CSK-ID…); drawn with the key type's purpose tag
    /// when `None`. A given id must carry that purpose tag.
    pub key_id: Option<KeyId>,
    /// Overrides the HDR CSB ID (otherwise GUK-ID for a GMK, TS 33.180 F.1.3, and the
    /// key id for other keys).
    pub csb_id: Option<KeyId>,
    /// RAND; 16 random octets when `None`.
    pub rand: Option<Vec<u8>>,
    /// The T payload time (NTP-UTC). Sans-I/O: the caller reads the clock.
    pub time: NtpTime,
    /// Fixes the key period number of the initiator's and responder's identifiers
    /// (otherwise derived from `time` with each KMS's `UserKeyPeriod`/`Offset`).
    pub period_no: Option<u64>,
    /// The responder's URI (MC service user ID).
    pub responder_uri: String,
    /// The responder's KMS URI (IDRkmsr); must be in the trust store.
    pub responder_kms: String,
    /// ID scheme: TS 33.180 hashed UIDs (2, default) or RFC 6509 identifiers (1).
    pub id_scheme: IdScheme,
    /// Identity hiding (TS 33.180 E.7): IDRuidi/IDRuidr with the UIDs (default), or
    /// IDRi/IDRr with the URIs.
    pub hide_identities: bool,
    /// The SP payload; default [`SpPayload::ts33180_observed`] (what the sample sends).
    pub security_policy: Option<SpPayload>,
    /// The CS ID map.
    pub cs_map: CsMapChoice,
    /// Key parameters to send encrypted in a type-7 extension (TS 33.180 E.6).
    pub key_parameters: Option<KeyParameters>,
    /// The IV of the key-parameters encryption; 16 random octets when `None`
    /// (fixing it is for tests and reproducible examples only).
    pub key_parameters_iv: Option<[u8; 16]>,
    /// Adds a SAKKE-to-self extension (type 6) encapsulating the key to the
    /// initiator's own identifier (TS 33.180 E.5). The extension always uses
    /// the hashed-UID scheme (ID scheme 2, SPEC §5.9): requesting it with
    /// another [`InitiateRequest::id_scheme`] is an error
    /// ([`MikeyError::InvalidInput`]).
    pub sakke_to_self: bool,
    /// The initiator's identifier (the ECCSI signing ID, RFC 6507 §4.1), given
    /// explicitly instead of derived from the initiator's URI and its KMS's key
    /// period (TS 33.180 F.2.1). The initiator must hold a key set with this
    /// identifier under its KMS. With hidden identities it is carried in IDRuidi
    /// (role 8) and must be a 32-octet UID (TS 33.180 E.7).
    pub initiator_id: Option<Vec<u8>>,
    /// The responder's identifier (the SAKKE `b`, RFC 6508 §6.2.1; RFC 6509 §3),
    /// given explicitly instead of derived from `responder_uri`. With hidden
    /// identities it is carried in IDRuidr (role 9) and must be a 32-octet UID
    /// (TS 33.180 E.7). `responder_uri` is then used only for the GUK-ID of a
    /// GMK (TS 33.180 F.1.3) and for IDRr when identities are not hidden.
    pub responder_id: Option<Vec<u8>>,
}

impl InitiateRequest {
    /// A request with the defaults of the TS 33.180 profile: random key, key id and
    /// RAND, UIDs with identity hiding, the observed SP payload, the default CS map.
    pub fn new(key_type: KeyType, responder_uri: &str, responder_kms: &str, time: NtpTime) -> Self {
        InitiateRequest {
            key_type,
            key: None,
            key_id: None,
            csb_id: None,
            rand: None,
            time,
            period_no: None,
            responder_uri: responder_uri.to_string(),
            responder_kms: responder_kms.to_string(),
            id_scheme: IdScheme::HashedUid,
            hide_identities: true,
            security_policy: Some(SpPayload::ts33180_observed(0)),
            cs_map: CsMapChoice::Default,
            key_parameters: None,
            key_parameters_iv: None,
            sakke_to_self: false,
            initiator_id: None,
            responder_id: None,
        }
    }
}

/// A built I_MESSAGE and the values the initiator keeps.
#[derive(Debug)]
pub struct InitiatedMessage {
    /// The message.
    pub message: Message,
    /// Its octets.
    pub bytes: Vec<u8>,
    /// `"mikey " + base64(bytes)`.
    pub text: String,
    /// The distributed key (TGK).
    pub key: Ssv,
    /// The key type.
    pub key_type: KeyType,
    /// The key id (GMK-ID for a GMK).
    pub key_id: KeyId,
    /// The HDR CSB ID (GUK-ID for a GMK).
    pub csb_id: KeyId,
    /// RAND.
    pub rand: Vec<u8>,
    /// The initiator's identifier (signing ID).
    pub initiator_id: Vec<u8>,
    /// The responder's identifier (SAKKE `b`).
    pub responder_id: Vec<u8>,
}

/// The IEI of a group identity in the key-parameters extension (TS 33.180
/// E.6, SPEC §4.8): an MCPTT group ID.
const GROUP_ID_IEI: u8 = 0x7b;

/// A group master key as a group management server distributes it
/// (TS 33.180 §5.2.5, §7.3): one GMK with one GMK-ID and one RAND, sent to
/// every member in an I_MESSAGE of its own whose CSB ID is the member's
/// GUK-ID. Sending the same RAND to every member is what lets a member derive
/// another member's SRTP keys from the MKI of its packets
/// ([`ReceivedKey::sender_srtp_context`](super::ReceivedKey::sender_srtp_context)).
pub struct GroupKey {
    /// The GMK.
    pub gmk: Ssv,
    /// The GMK-ID (purpose tag of a GMK).
    pub gmk_id: KeyId,
    /// The RAND every member's message carries.
    pub rand: Vec<u8>,
}

impl fmt::Debug for GroupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupKey")
            .field("gmk", &self.gmk)
            .field("gmk_id", &self.gmk_id)
            .finish_non_exhaustive()
    }
}

impl GroupKey {
    /// Draws a fresh GMK, GMK-ID and RAND.
    pub fn generate(rng: &mut (impl SecureRandom + ?Sized)) -> Result<GroupKey, MikeyError> {
        let gmk = Ssv::generate(rng).map_err(MikeyError::Sakke)?;
        let gmk_id = KeyId::generate(KeyType::Gmk, rng).map_err(kdf_err)?;
        let mut rand = vec![0u8; RAND_LEN];
        rng.fill(&mut rand)?;
        Ok(GroupKey { gmk, gmk_id, rand })
    }

    /// The request for the GMK I_MESSAGE to `member_uri` under `member_kms`:
    /// this GMK, GMK-ID and RAND, and when `group_id` is given a
    /// key-parameters extension naming the group (TS 33.180 E.6).
    pub fn request(
        &self,
        member_uri: &str,
        member_kms: &str,
        group_id: Option<&[u8]>,
        time: NtpTime,
    ) -> Result<InitiateRequest, MikeyError> {
        let mut req = InitiateRequest::new(KeyType::Gmk, member_uri, member_kms, time);
        req.key = Some(Ssv::from_bytes(self.gmk.as_bytes()).map_err(MikeyError::Sakke)?);
        req.key_id = Some(self.gmk_id);
        req.rand = Some(self.rand.clone());
        req.key_parameters = group_id.map(|id| KeyParameters {
            key_type: KeyType::Gmk,
            status: 1,
            activation_time: 0,
            expiry_time: 0,
            text: Vec::new(),
            group_ids: Some(vec![key_params::GroupId {
                iei: GROUP_ID_IEI,
                id: id.to_vec(),
            }]),
        });
        Ok(req)
    }
}

fn kdf_err(e: kdf::KdfError) -> MikeyError {
    MikeyError::Kdf(e)
}

/// Length of a TS 33.180 F.2.1 UID, the identifier IDRuidi / IDRuidr carry.
const UID_LEN: usize = 32;

/// The identifier of one party: `explicit` when given (checked: not empty, a
/// 32-octet UID when identities are hidden, TS 33.180 E.7), otherwise the
/// identifier of `uri` under `kms` for `period_no` or the period of `time`
/// (TS 33.180 F.2.1, RFC 6509 §3.2).
#[allow(clippy::too_many_arguments)]
fn party_identifier(
    name: &'static str,
    explicit: Option<Vec<u8>>,
    hidden: bool,
    kms: &super::keys::TrustedKms,
    scheme: IdScheme,
    uri: Option<&str>,
    period_no: Option<u64>,
    time: NtpTime,
) -> Result<Vec<u8>, MikeyError> {
    if let Some(id) = explicit {
        let bad = |reason| MikeyError::InvalidIdentifier {
            name,
            len: id.len(),
            reason,
        };
        if id.is_empty() {
            return Err(bad("empty"));
        }
        if hidden && id.len() != UID_LEN {
            return Err(bad("hidden identities carry 32-octet UIDs"));
        }
        return Ok(id);
    }
    let uri = uri.ok_or(MikeyError::UnknownUri(name))?;
    let n = match period_no {
        Some(n) => n,
        None => kms
            .key_period()
            .number_at(time)
            .map_err(|_| MikeyError::NoKeyForPeriod)?,
    };
    kms.identifier(scheme, uri, n, time)
}

/// Builds and signs an I_MESSAGE from `initiator` (SPEC §5.14):
///
/// 1. identifiers: `request.initiator_id` / `request.responder_id` when given
///    (32-octet UIDs when identities are hidden, TS 33.180 E.7), otherwise the
///    initiator's under its own KMS and the responder's under
///    `request.responder_kms` for the key period of `request.time` (or
///    `request.period_no`), UIDs (ID scheme 2, TS 33.180 F.2.1) or RFC 6509
///    identifiers (scheme 1, RFC 6509 §3.2);
/// 2. key and key id (purpose tag of `key_type`), CSB ID (GUK-ID for a GMK);
/// 3. HDR (data type 26, V 0, PRF-HMAC-SHA-256), T, RAND, IDR payloads, IDRkmsi,
///    IDRkmsr, optional SP, SAKKE (encapsulated under the **responder's** KMS),
///    optional type-7 key parameters (encrypted with the DPCK) and type-6
///    SAKKE-to-self, then SIGN: the ECCSI signature with the initiator's key set
///    (KPAK of the **initiator's** KMS) over every octet up to and including the SIGN
///    header.
///
/// Errors: [`MikeyError::UnknownKms`] if a KMS is not in `trust`,
/// [`MikeyError::NoKeyForPeriod`] if the initiator holds no signing key for the
/// period (or no key set with the explicit `initiator_id`),
/// [`MikeyError::InvalidIdentifier`] for an unusable explicit identifier,
/// [`MikeyError::UnknownUri`] when an identifier must be derived from the URI of
/// an initiator created with [`LocalUser::without_uri`],
/// [`MikeyError::InvalidInput`] for inconsistent inputs.
pub fn initiate(
    initiator: &LocalUser,
    trust: &TrustStore,
    request: InitiateRequest,
    rng: &mut (impl SecureRandom + ?Sized),
) -> Result<InitiatedMessage, MikeyError> {
    let InitiateRequest {
        key_type,
        key,
        key_id,
        csb_id,
        rand,
        time,
        period_no,
        responder_uri,
        responder_kms,
        id_scheme,
        hide_identities,
        security_policy,
        cs_map,
        key_parameters,
        key_parameters_iv,
        sakke_to_self,
        initiator_id,
        responder_id,
    } = request;
    if matches!(key_type, KeyType::Reserved(_)) {
        return Err(MikeyError::InvalidInput("reserved key type"));
    }
    if matches!(id_scheme, IdScheme::Unknown(_)) {
        return Err(MikeyError::InvalidInput("unsupported ID scheme"));
    }
    if sakke_to_self && id_scheme != IdScheme::HashedUid {
        return Err(MikeyError::InvalidInput(
            "SAKKE-to-self needs the hashed-UID scheme (ID scheme 2)",
        ));
    }
    let kms_i = trust.require_valid(initiator.kms_uri(), time)?;
    let kms_r = trust.require_valid(&responder_kms, time)?;

    // 1. Identifiers.
    if hide_identities && id_scheme != IdScheme::HashedUid {
        return Err(MikeyError::InvalidInput(
            "identity hiding needs the hashed-UID scheme",
        ));
    }
    let id_i = party_identifier(
        "initiator",
        initiator_id,
        hide_identities,
        kms_i,
        id_scheme,
        initiator.uri(),
        period_no,
        time,
    )?;
    let id_r = party_identifier(
        "responder",
        responder_id,
        hide_identities,
        kms_r,
        id_scheme,
        Some(&responder_uri),
        period_no,
        time,
    )?;
    let signer = initiator
        .key_set_by_identifier(kms_i.uri(), &id_i)
        .and_then(|k| k.signing_key())
        .ok_or(MikeyError::NoKeyForPeriod)?;

    // 2. Key, key id, CSB ID.
    let key_id = match key_id {
        Some(id) if id.key_type() != key_type => {
            return Err(MikeyError::InvalidInput(
                "key id purpose tag does not match the key type",
            ))
        }
        Some(id) => id,
        None => KeyId::generate(key_type, rng).map_err(kdf_err)?,
    };
    let fresh_single = key.is_none() && key_type != KeyType::Gmk;
    let (key, sed) = match key {
        Some(k) => {
            let sed = kms_r.sakke().encapsulate(&id_r, &k);
            (k, sed)
        }
        // A fresh key for one recipient: redraw it while either deployed
        // encoding convention would fail to recover it (SPEC §3.10).
        None if fresh_single => match kms_r.sakke().encapsulate_fresh(&id_r, rng) {
            Ok((k, sed)) => (k, Ok(sed)),
            Err(e) => return Err(MikeyError::Sakke(e)),
        },
        None => {
            let k = Ssv::generate(rng).map_err(MikeyError::Sakke)?;
            let sed = kms_r.sakke().encapsulate(&id_r, &k);
            (k, sed)
        }
    };
    let sed = sed.map_err(MikeyError::Sakke)?;
    let csb_id = match csb_id {
        Some(c) => c,
        None if key_type == KeyType::Gmk => {
            kdf::guk_id(key.as_bytes(), key_id, &responder_uri).map_err(kdf_err)?
        }
        None => key_id,
    };
    let rand = match rand {
        Some(r) => r,
        None => {
            let mut r = vec![0u8; RAND_LEN];
            rng.fill(&mut r)?;
            r
        }
    };

    // 3. Header.
    let policy_no = security_policy.as_ref().map_or(0, |s| s.policy_no);
    let generic = |cs_id: u8| -> Result<CsIdMap, MikeyError> {
        let guk = (key_type == KeyType::Gmk).then_some(csb_id);
        let spi = kdf::mki(key_id, guk).unwrap_or_else(|_| csb_id.to_bytes().to_vec());
        Ok(CsIdMap::GenericId(vec![GenericIdEntry {
            cs_id,
            prot_type: PROT_TYPE_SRTP,
            s_flag: false,
            policies: vec![policy_no],
            session_data: Vec::new(),
            spi,
        }]))
    };
    let cs_map = match cs_map {
        CsMapChoice::Empty => CsIdMap::Empty,
        CsMapChoice::GenericId(cs) => generic(cs)?,
        CsMapChoice::Default => match key_type {
            KeyType::Gmk => generic(4)?,
            KeyType::Csk => generic(6)?,
            KeyType::Musik => generic(7)?,
            _ => CsIdMap::Empty,
        },
    };
    let header = CommonHeader {
        data_type: DataType::SakkeInit,
        v: false,
        prf: PrfFunc::HmacSha256,
        csb_id: csb_id.value(),
        cs_map,
    };

    let mut payloads = vec![
        Payload::Timestamp(Timestamp::NtpUtc(time.to_bits())),
        Payload::Rand(rand.clone()),
    ];
    if hide_identities {
        payloads.push(Payload::Idr(IdrPayload::uri(
            IdRole::InitiatorUid,
            id_i.clone(),
        )));
        payloads.push(Payload::Idr(IdrPayload::uri(
            IdRole::ResponderUid,
            id_r.clone(),
        )));
    } else {
        let uri_i = initiator.uri().ok_or(MikeyError::UnknownUri("initiator"))?;
        payloads.push(Payload::Idr(IdrPayload::uri(
            IdRole::Initiator,
            uri_i.as_bytes(),
        )));
        payloads.push(Payload::Idr(IdrPayload::uri(
            IdRole::Responder,
            responder_uri.as_bytes(),
        )));
    }
    payloads.push(Payload::Idr(IdrPayload::uri(
        IdRole::InitiatorKms,
        kms_i.uri().as_bytes(),
    )));
    payloads.push(Payload::Idr(IdrPayload::uri(
        IdRole::ResponderKms,
        kms_r.uri().as_bytes(),
    )));
    if let Some(sp) = security_policy {
        payloads.push(Payload::SecurityPolicy(sp));
    }
    payloads.push(Payload::Sakke(SakkePayload {
        params: SakkeParams::Set1,
        id_scheme,
        data: sed.to_bytes().to_vec(),
    }));
    if let Some(params) = key_parameters {
        if params.key_type != key_type {
            return Err(MikeyError::InvalidInput(
                "key parameters name another key type",
            ));
        }
        let iv = match key_parameters_iv {
            Some(iv) => iv,
            None => {
                let mut iv = [0u8; key_params::IV_LEN];
                rng.fill(&mut iv)?;
                iv
            }
        };
        let sealed = key_params::seal(key.as_bytes(), csb_id, &params, iv)
            .and_then(|p| p.to_bytes())
            .map_err(|_| MikeyError::InvalidInput("key parameters cannot be encoded"))?;
        payloads.push(Payload::GeneralExtension(GeneralExtension::KeyParameters(
            sealed,
        )));
    }
    if sakke_to_self {
        let own = kms_i
            .sakke()
            .encapsulate(&id_i, &key)
            .map_err(MikeyError::Sakke)?;
        payloads.push(Payload::GeneralExtension(GeneralExtension::SakkeToSelf {
            inner_next: 0,
            sakke: SakkePayload {
                params: SakkeParams::Set1,
                id_scheme: IdScheme::HashedUid,
                data: own.to_bytes().to_vec(),
            },
        }));
    }

    let mut message = Message {
        header,
        payloads,
        sign: None,
    };
    let signed = message.eccsi_signed_octets()?;
    let signature = signer.sign(&signed, rng).map_err(MikeyError::Eccsi)?;
    message.sign = Some(SignPayload {
        sig_type: SignatureType::Eccsi,
        signature: signature.to_bytes().to_vec(),
    });
    let bytes = message.to_bytes()?;
    let text = encode_text(&bytes);
    Ok(InitiatedMessage {
        message,
        bytes,
        text,
        key,
        key_type,
        key_id,
        csb_id,
        rand,
        initiator_id: id_i,
        responder_id: id_r,
    })
}
