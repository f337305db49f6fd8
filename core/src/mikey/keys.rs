//! The key material the I_MESSAGE procedures use: the KMSs a user trusts
//! ([`TrustStore`], [`TrustedKms`]) and the user's own key sets ([`LocalUser`],
//! [`KeySet`]) (TS 33.180 5.2.7, D.3; SPEC §4, §8.7).

use std::collections::BTreeMap;
use std::fmt;

use crate::eccsi::{Kpak, SigningKey};
use crate::identity::{KeyPeriod, NtpTime, Rfc6509Id, Uid};
use crate::sakke::{KmsContext, KmsPublicKey, ReceiverKey};

use super::payload::IdScheme;
use super::MikeyError;

/// A KMS the user trusts (its KMS certificate, TS 33.180 D.3.2): KMS URI, ECCSI
/// public authentication key KPAK, SAKKE public key Z (with its precomputed
/// [`KmsContext`]) and the key period parameters `UserKeyPeriod` / `UserKeyOffset`.
#[derive(Clone, Debug)]
pub struct TrustedKms {
    uri: String,
    kpak: Kpak,
    sakke: KmsContext,
    key_period: KeyPeriod,
    valid_from: Option<NtpTime>,
    valid_to: Option<NtpTime>,
    revoked: bool,
}

impl TrustedKms {
    /// From a validated certificate's fields; builds the [`KmsContext`] of `z`
    /// (a few tens of milliseconds).
    pub fn new(uri: &str, kpak: Kpak, z: &KmsPublicKey, key_period: KeyPeriod) -> Self {
        Self::with_context(uri, kpak, KmsContext::new(z), key_period)
    }

    /// From an already built [`KmsContext`] (shared with other users of this KMS).
    pub fn with_context(uri: &str, kpak: Kpak, sakke: KmsContext, key_period: KeyPeriod) -> Self {
        TrustedKms {
            uri: uri.to_string(),
            kpak,
            sakke,
            key_period,
            valid_from: None,
            valid_to: None,
            revoked: false,
        }
    }

    /// Restricts the certificate to `[valid_from, valid_to]` (the certificate's
    /// `ValidFrom` / `ValidTo`, TS 33.180 D.3.2); outside it the KMS is treated as
    /// unknown (checklist K1).
    pub fn with_validity(mut self, valid_from: Option<NtpTime>, valid_to: Option<NtpTime>) -> Self {
        self.valid_from = valid_from;
        self.valid_to = valid_to;
        self
    }

    /// Marks the certificate as revoked (or not): a revoked KMS is treated as
    /// unknown at every time (checklist K1).
    pub fn revoked(mut self, revoked: bool) -> Self {
        self.revoked = revoked;
        self
    }

    /// Whether the certificate has been marked revoked ([`TrustedKms::revoked`]).
    pub fn is_revoked(&self) -> bool {
        self.revoked
    }

    /// Whether the certificate is valid at `time`: not revoked and within its
    /// validity period.
    pub fn is_valid_at(&self, time: NtpTime) -> bool {
        !self.revoked
            && self
                .valid_from
                .is_none_or(|f| time.seconds() >= f.seconds())
            && self.valid_to.is_none_or(|t| time.seconds() <= t.seconds())
    }

    /// The KMS URI (`KmsUri`), as carried in IDRkmsi / IDRkmsr.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The ECCSI KPAK.
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// The SAKKE public key with its tables.
    pub fn sakke(&self) -> &KmsContext {
        &self.sakke
    }

    /// `UserKeyPeriod` / `UserKeyOffset`.
    pub fn key_period(&self) -> &KeyPeriod {
        &self.key_period
    }

    /// The identifier of `uri` under this KMS for key period `period_no` (ID scheme 2,
    /// TS 33.180 F.2.1 UID) or for the month of `time` (ID scheme 1, RFC 6509 §3.2).
    pub fn identifier(
        &self,
        scheme: IdScheme,
        uri: &str,
        period_no: u64,
        time: NtpTime,
    ) -> Result<Vec<u8>, MikeyError> {
        identifier(scheme, uri, &self.uri, &self.key_period, period_no, time)
    }
}

/// The identifier of user `uri` under KMS `kms_uri`: for ID scheme 2 the TS 33.180
/// F.2.1 UID of key period `period_no`, for ID scheme 1 the RFC 6509 §3.2 identifier
/// of the UTC month of `time`.
pub fn identifier(
    scheme: IdScheme,
    uri: &str,
    kms_uri: &str,
    key_period: &KeyPeriod,
    period_no: u64,
    time: NtpTime,
) -> Result<Vec<u8>, MikeyError> {
    match scheme {
        IdScheme::HashedUid => Uid::derive(uri, kms_uri, key_period, period_no)
            .map(|u| u.as_bytes().to_vec())
            .map_err(|_| MikeyError::InvalidIdentity("UID derivation")),
        IdScheme::TelUriMonthly => Rfc6509Id::for_time(time, uri)
            .map(|i| i.to_bytes())
            .map_err(|_| MikeyError::InvalidIdentity("RFC 6509 identifier")),
        IdScheme::Unknown(s) => Err(MikeyError::UnsupportedIdScheme(s)),
    }
}

/// The KMSs a user trusts, by KMS URI: its own (root) KMS and partner KMSs from the
/// certificate cache (TS 33.180 5.2.7, D.3; SPEC §8.7). A message naming a KMS not
/// in the store is rejected (checklist K1).
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    kms: BTreeMap<String, TrustedKms>,
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a KMS, keyed by its URI.
    pub fn insert(&mut self, kms: TrustedKms) {
        self.kms.insert(kms.uri.clone(), kms);
    }

    /// Removes a KMS (for example on revocation).
    pub fn remove(&mut self, uri: &str) -> Option<TrustedKms> {
        self.kms.remove(uri)
    }

    /// The KMS with URI `uri`.
    pub fn get(&self, uri: &str) -> Option<&TrustedKms> {
        self.kms.get(uri)
    }

    /// The KMS with URI `uri`, or [`MikeyError::UnknownKms`] (K1).
    pub fn require(&self, uri: &str) -> Result<&TrustedKms, MikeyError> {
        self.get(uri).ok_or(MikeyError::UnknownKms)
    }

    /// The KMS with URI `uri` whose certificate is valid at `time` and not
    /// revoked, or [`MikeyError::UnknownKms`] (K1).
    pub fn require_valid(&self, uri: &str, time: NtpTime) -> Result<&TrustedKms, MikeyError> {
        self.get(uri)
            .filter(|k| k.is_valid_at(time))
            .ok_or(MikeyError::UnknownKms)
    }

    /// Number of KMSs.
    pub fn len(&self) -> usize {
        self.kms.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.kms.is_empty()
    }
}

/// One key period's key material of a user under one KMS: the identifier (UID or
/// RFC 6509 identifier) and the validated ECCSI signing key (SSK/PVT) and SAKKE
/// receiver key (RSK), either of which may be absent.
pub struct KeySet {
    kms_uri: String,
    period_no: u64,
    identifier: Vec<u8>,
    signing: Option<SigningKey>,
    receiving: Option<ReceiverKey>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("kms_uri", &self.kms_uri)
            .field("period_no", &self.period_no)
            .field("identifier_len", &self.identifier.len())
            .field("signing", &self.signing.is_some())
            .field("receiving", &self.receiving.is_some())
            .finish()
    }
}

impl KeySet {
    /// A key set for key period `period_no` of KMS `kms_uri`, whose identifier is
    /// `identifier` (the UID octets, or the RFC 6509 identifier octets). The keys
    /// must have been validated for this identifier ([`SigningKey::new`],
    /// [`ReceiverKey::new`]); a key whose identifier differs is refused with
    /// [`MikeyError::InvalidInput`].
    pub fn new(
        kms_uri: &str,
        period_no: u64,
        identifier: &[u8],
        signing: Option<SigningKey>,
        receiving: Option<ReceiverKey>,
    ) -> Result<Self, MikeyError> {
        if signing.as_ref().is_some_and(|s| s.id() != identifier)
            || receiving.as_ref().is_some_and(|r| r.id() != identifier)
        {
            return Err(MikeyError::InvalidInput(
                "key validated for another identifier",
            ));
        }
        Ok(KeySet {
            kms_uri: kms_uri.to_string(),
            period_no,
            identifier: identifier.to_vec(),
            signing,
            receiving,
        })
    }

    /// The KMS URI.
    pub fn kms_uri(&self) -> &str {
        &self.kms_uri
    }

    /// The key period number.
    pub fn period_no(&self) -> u64 {
        self.period_no
    }

    /// The identifier octets.
    pub fn identifier(&self) -> &[u8] {
        &self.identifier
    }

    /// The ECCSI signing key.
    pub fn signing_key(&self) -> Option<&SigningKey> {
        self.signing.as_ref()
    }

    /// The SAKKE receiver key.
    pub fn receiver_key(&self) -> Option<&ReceiverKey> {
        self.receiving.as_ref()
    }

    /// The SAKKE receiver key, mutable (for [`ReceiverKey::precompute`]).
    pub fn receiver_key_mut(&mut self) -> Option<&mut ReceiverKey> {
        self.receiving.as_mut()
    }
}

/// A local MC user: its URI (MC service user ID) when known, its own KMS and its
/// key sets.
///
/// A user known only by the identifiers of its key sets
/// ([`LocalUser::without_uri`]) can still receive messages addressed to one of
/// them (IDRuidr, TS 33.180 E.7), but cannot derive identifiers from a URI.
#[derive(Debug)]
pub struct LocalUser {
    uri: Option<String>,
    kms_uri: String,
    key_sets: Vec<KeySet>,
}

impl LocalUser {
    /// A user with URI `uri` whose own (root) KMS is `kms_uri`, with no key sets yet.
    pub fn new(uri: &str, kms_uri: &str) -> Self {
        LocalUser {
            uri: Some(uri.to_string()),
            kms_uri: kms_uri.to_string(),
            key_sets: Vec::new(),
        }
    }

    /// A user whose URI is not known, only the identifiers of the key sets added
    /// later ([`LocalUser::add_key_set`]) under its own (root) KMS `kms_uri`. As a
    /// responder it matches IDRuidr against those identifiers, and an IDRr URI
    /// only when it maps to one of them; a GMK-ID is then recovered from the signed
    /// MKI (GMK-ID ‖ GUK-ID, TS 33.180 §7.4) instead of the GUK-ID rule of
    /// TS 33.180 F.1.3. As an initiator it needs explicit identifiers
    /// ([`InitiateRequest::initiator_id`](super::InitiateRequest::initiator_id)).
    pub fn without_uri(kms_uri: &str) -> Self {
        LocalUser {
            uri: None,
            kms_uri: kms_uri.to_string(),
            key_sets: Vec::new(),
        }
    }

    /// Adds a key set (a later set with the same KMS and identifier replaces it).
    pub fn add_key_set(&mut self, set: KeySet) {
        self.key_sets
            .retain(|k| !(k.kms_uri == set.kms_uri && k.identifier == set.identifier));
        self.key_sets.push(set);
    }

    /// Precomputes the tables of every SAKKE receiver key
    /// ([`ReceiverKey::precompute`]: about three times faster decapsulation).
    pub fn precompute(&mut self) {
        for k in &mut self.key_sets {
            if let Some(r) = k.receiving.as_mut() {
                r.precompute();
            }
        }
    }

    /// Removes the key sets of periods before `period_no` (expired keys).
    pub fn remove_key_sets_before(&mut self, period_no: u64) {
        self.key_sets.retain(|k| k.period_no >= period_no);
    }

    /// The user's URI, if known.
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }

    /// The user's own KMS URI.
    pub fn kms_uri(&self) -> &str {
        &self.kms_uri
    }

    /// The key sets.
    pub fn key_sets(&self) -> &[KeySet] {
        &self.key_sets
    }

    /// The key sets, mutable.
    pub fn key_sets_mut(&mut self) -> &mut [KeySet] {
        &mut self.key_sets
    }

    /// The key set under `kms_uri` with identifier `identifier`.
    pub fn key_set_by_identifier(&self, kms_uri: &str, identifier: &[u8]) -> Option<&KeySet> {
        self.key_sets
            .iter()
            .find(|k| k.kms_uri == kms_uri && k.identifier == identifier)
    }

    /// The key set under `kms_uri` for key period `period_no`.
    pub fn key_set_by_period(&self, kms_uri: &str, period_no: u64) -> Option<&KeySet> {
        self.key_sets
            .iter()
            .find(|k| k.kms_uri == kms_uri && k.period_no == period_no)
    }
}
