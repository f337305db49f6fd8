//! What a client holds (SPEC §8.6, §8.7): its own KMS certificate, its key
//! sets per key period, and the certificates of the external KMSs it trusts;
//! [`ClientKeyStore`], the interface to persist them (a platform keystore
//! can implement it), and [`EncryptedFileKeyStore`], the default.
//!
//! The outputs a MIKEY-SAKKE layer needs are: per KMS URI the KPAK, Z and
//! key period/offset ([`ClientKeys::kms_certificate`]), and per key period
//! the UID, SSK, PVT and RSK ([`UserKeySet`]).

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use mikey_sakke::eccsi::{Pvt, SigningKey, Ssk};
use mikey_sakke::identity::{NtpTime, Uid};
use mikey_sakke::kms::{KmsCertificate, KmsDocError, KmsKeySet};
use mikey_sakke::sakke::{KmsContext, ReceiverKey, Rsk};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::client::CertCache;
use crate::seal::{random_bytes, KdfParams, OperatorSecret, SealError, SealingKey};

/// Errors of the client key store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyStoreError {
    /// No valid, non-revoked certificate is held for this KMS URI: a
    /// message naming it must be rejected (SPEC §8.7).
    #[error("KMS {0} is not trusted")]
    UntrustedKms(String),
    /// Reading or writing the file failed.
    #[error("key store file: {0}")]
    Io(#[from] std::io::Error),
    /// The file does not decrypt or is malformed.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The stored content is malformed.
    #[error("malformed key store: {0}")]
    Format(String),
    /// A stored key or certificate is invalid.
    #[error(transparent)]
    Doc(#[from] KmsDocError),
    /// The keys do not form a MIKEY key set (see [`crate::mikey`]).
    #[error(transparent)]
    Mikey(#[from] mikey_sakke::mikey::MikeyError),
}

/// A validated key set of the user for one key period: what the MIKEY-SAKKE
/// layer signs (SSK, PVT) and decapsulates (RSK) with, for the UID.
pub struct UserKeySet {
    /// The issuing KMS.
    pub kms_uri: String,
    /// The user.
    pub user_uri: String,
    /// The key period number.
    pub key_period_no: u64,
    /// The UID (ECCSI ID and SAKKE b).
    pub uid: Uid,
    /// ECCSI SSK.
    pub ssk: Ssk,
    /// ECCSI PVT.
    pub pvt: Pvt,
    /// SAKKE RSK.
    pub rsk: Rsk,
}

impl fmt::Debug for UserKeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserKeySet")
            .field("kms_uri", &self.kms_uri)
            .field("user_uri", &self.user_uri)
            .field("key_period_no", &self.key_period_no)
            .field("uid", &self.uid)
            .finish_non_exhaustive()
    }
}

impl UserKeySet {
    /// The ECCSI signing key (SSK, PVT) for this set's UID under the KPAK of
    /// `kms` (its own KMS certificate), validated (RFC 6507 §5.1.2).
    pub fn signing_key(&self, kms: &KmsCertificate) -> Result<SigningKey, KeyStoreError> {
        let ssk = Ssk::from_bytes(&*self.ssk.to_bytes())
            .map_err(|_| KeyStoreError::Doc(KmsDocError::InvalidSigningKey))?;
        SigningKey::new(
            &kms.pub_auth_key,
            self.uid.as_bytes(),
            ssk,
            self.pvt.clone(),
        )
        .map_err(|_| KeyStoreError::Doc(KmsDocError::InvalidSigningKey))
    }

    /// The SAKKE receiver key (RSK) for this set's UID under the Z of `kms`
    /// (its own KMS certificate), validated (RFC 6508 §6.1.2).
    pub fn receiver_key(&self, kms: &KmsCertificate) -> Result<ReceiverKey, KeyStoreError> {
        let rsk = Rsk::from_bytes(&*self.rsk.to_bytes())
            .map_err(|_| KeyStoreError::Doc(KmsDocError::InvalidRsk))?;
        ReceiverKey::new(&KmsContext::new(&kms.pub_enc_key), self.uid.as_bytes(), rsk)
            .map_err(|_| KeyStoreError::Doc(KmsDocError::InvalidRsk))
    }
}

impl From<KmsKeySet> for UserKeySet {
    /// Takes the keys of a key set that passed
    /// [`mikey_sakke::kms::validate_key_set`] (as every set the
    /// [`crate::client::KmsClient`] returns has).
    fn from(s: KmsKeySet) -> Self {
        UserKeySet {
            kms_uri: s.kms_uri,
            user_uri: s.user_uri,
            key_period_no: s.key_period_no,
            uid: s.user_id,
            ssk: s.ssk,
            pvt: s.pvt,
            rsk: s.rsk,
        }
    }
}

/// Everything a client holds.
#[derive(Debug)]
pub struct ClientKeys {
    /// The user.
    pub user_uri: String,
    /// The user's own (root) KMS certificate.
    pub kms: KmsCertificate,
    /// Key sets, one per period.
    pub key_sets: Vec<UserKeySet>,
    /// Trusted external KMS certificates.
    pub trusted: Vec<KmsCertificate>,
    /// The `CacheNum` of the last certcache.
    pub cache_num: Option<u64>,
}

/// The JSON written by `msk kms provision` (hex octet strings).
#[derive(Debug, Serialize, Deserialize)]
pub struct ProvisionFile {
    /// The user's KMS.
    pub kms: ProvisionKms,
    /// The user.
    pub user_uri: String,
    /// Key sets.
    pub key_sets: Vec<ProvisionKeySet>,
    /// Trusted external KMSs.
    pub trusted_kms: Vec<ProvisionTrusted>,
}

/// `kms` of [`ProvisionFile`].
#[derive(Debug, Serialize, Deserialize)]
pub struct ProvisionKms {
    /// KMS URI.
    pub uri: String,
    /// KPAK, hex.
    pub kpak: String,
    /// Z, hex.
    pub kms_public: String,
    /// UserKeyPeriod.
    pub user_key_period: u64,
    /// UserKeyOffset.
    pub user_key_offset: u64,
}

/// An entry of `key_sets` of [`ProvisionFile`].
#[derive(Serialize, Deserialize)]
pub struct ProvisionKeySet {
    /// Key period number.
    pub key_period_no: u64,
    /// UID, hex.
    pub uid: String,
    /// SSK, hex.
    pub ssk: Zeroizing<String>,
    /// PVT, hex.
    pub pvt: String,
    /// RSK, hex.
    pub rsk: Zeroizing<String>,
}

impl fmt::Debug for ProvisionKeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProvisionKeySet")
            .field("key_period_no", &self.key_period_no)
            .field("uid", &self.uid)
            .finish_non_exhaustive()
    }
}

/// An entry of `trusted_kms` of [`ProvisionFile`].
#[derive(Debug, Serialize, Deserialize)]
pub struct ProvisionTrusted {
    /// KMS URI.
    pub uri: String,
    /// KPAK, hex.
    pub kpak: String,
    /// Z, hex.
    pub kms_public: String,
}

/// The stored form (certificates as XML, keys as hex).
#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    user_uri: String,
    kms: String,
    trusted: Vec<String>,
    cache_num: Option<u64>,
    key_sets: Vec<ProvisionKeySet>,
}

fn key_set_json(s: &UserKeySet) -> ProvisionKeySet {
    let (ssk, rsk) = (s.ssk.to_bytes(), s.rsk.to_bytes());
    ProvisionKeySet {
        key_period_no: s.key_period_no,
        uid: hex::encode(s.uid.as_bytes()),
        ssk: Zeroizing::new(hex::encode(&ssk[..])),
        pvt: hex::encode(s.pvt.as_bytes()),
        rsk: Zeroizing::new(hex::encode(&rsk[..])),
    }
}

impl ClientKeys {
    /// A client of `kms` with no keys yet.
    pub fn new(user_uri: &str, kms: KmsCertificate) -> ClientKeys {
        ClientKeys {
            user_uri: user_uri.to_owned(),
            kms,
            key_sets: Vec::new(),
            trusted: Vec::new(),
            cache_num: None,
        }
    }

    /// Adds key sets (replacing any of the same period).
    pub fn insert_key_sets(&mut self, sets: impl IntoIterator<Item = UserKeySet>) {
        for s in sets {
            self.key_sets.retain(|k| k.key_period_no != s.key_period_no);
            self.key_sets.push(s);
        }
        self.key_sets.sort_by_key(|k| k.key_period_no);
    }

    /// The key set of period `n`.
    pub fn key_set(&self, n: u64) -> Option<&UserKeySet> {
        self.key_sets.iter().find(|k| k.key_period_no == n)
    }

    /// Erases key sets older than the previous period at `now` (the previous
    /// one is kept for boundary handling, SPEC §4.3).
    pub fn prune_expired(&mut self, now: NtpTime) -> Result<(), KeyStoreError> {
        let current = self
            .kms
            .key_period()?
            .number_at(now)
            .map_err(KmsDocError::from)?;
        self.key_sets
            .retain(|k| k.key_period_no.saturating_add(1) >= current);
        Ok(())
    }

    /// Replaces the trusted external KMSs with a certcache result.
    pub fn set_trusted(&mut self, cache: CertCache) {
        self.trusted = cache.certificates;
        self.cache_num = Some(cache.cache_num);
    }

    /// The certificate of `kms_uri`: the own KMS or a trusted external one,
    /// not revoked. Any other KMS is [`KeyStoreError::UntrustedKms`].
    pub fn kms_certificate(&self, kms_uri: &str) -> Result<&KmsCertificate, KeyStoreError> {
        std::iter::once(&self.kms)
            .chain(self.trusted.iter())
            .find(|c| c.kms_uri == kms_uri && c.revoked != Some(true))
            .ok_or_else(|| KeyStoreError::UntrustedKms(kms_uri.to_owned()))
    }

    /// The `msk kms provision` JSON document (hex octet strings).
    pub fn to_provision_file(&self) -> ProvisionFile {
        ProvisionFile {
            kms: ProvisionKms {
                uri: self.kms.kms_uri.clone(),
                kpak: hex::encode(self.kms.pub_auth_key.as_bytes()),
                kms_public: hex::encode(self.kms.pub_enc_key.to_bytes()),
                user_key_period: self.kms.user_key_period,
                user_key_offset: self.kms.user_key_offset,
            },
            user_uri: self.user_uri.clone(),
            key_sets: self.key_sets.iter().map(key_set_json).collect(),
            trusted_kms: self
                .trusted
                .iter()
                .map(|c| ProvisionTrusted {
                    uri: c.kms_uri.clone(),
                    kpak: hex::encode(c.pub_auth_key.as_bytes()),
                    kms_public: hex::encode(c.pub_enc_key.to_bytes()),
                })
                .collect(),
        }
    }

    /// The stored form of the keys (versioned JSON) that a [`ClientKeyStore`]
    /// keeps: **secret**, it holds the SSKs and RSKs, so encrypt it at rest
    /// (as [`EncryptedFileKeyStore`] does, or with a platform keystore key).
    pub fn to_stored(&self) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
        let s = Stored {
            version: 1,
            user_uri: self.user_uri.clone(),
            kms: self.kms.to_xml(),
            trusted: self.trusted.iter().map(KmsCertificate::to_xml).collect(),
            cache_num: self.cache_num,
            key_sets: self.key_sets.iter().map(key_set_json).collect(),
        };
        serde_json::to_vec(&s)
            .map(Zeroizing::new)
            .map_err(|e| KeyStoreError::Format(e.to_string()))
    }

    /// Parses the form [`ClientKeys::to_stored`] writes. Certificates are
    /// parsed strictly and every key set is re-validated against its KMS
    /// certificate before it is used ([`ClientKeys::local_user`]).
    pub fn from_stored(bytes: &[u8]) -> Result<ClientKeys, KeyStoreError> {
        let s: Stored =
            serde_json::from_slice(bytes).map_err(|e| KeyStoreError::Format(e.to_string()))?;
        if s.version != 1 {
            return Err(KeyStoreError::Format("unknown version".into()));
        }
        let kms = KmsCertificate::from_xml(&s.kms)?;
        let trusted = s
            .trusted
            .iter()
            .map(|x| KmsCertificate::from_xml(x))
            .collect::<Result<Vec<_>, _>>()?;
        let bad = |what: &str| KeyStoreError::Format(format!("stored {what} is invalid"));
        let mut key_sets = Vec::new();
        for k in &s.key_sets {
            let uid = hex::decode(&k.uid).map_err(|_| bad("UID"))?;
            let ssk = Zeroizing::new(hex::decode(k.ssk.as_str()).map_err(|_| bad("SSK"))?);
            let pvt = hex::decode(&k.pvt).map_err(|_| bad("PVT"))?;
            let rsk = Zeroizing::new(hex::decode(k.rsk.as_str()).map_err(|_| bad("RSK"))?);
            key_sets.push(UserKeySet {
                kms_uri: kms.kms_uri.clone(),
                user_uri: s.user_uri.clone(),
                key_period_no: k.key_period_no,
                uid: Uid::from_bytes(&uid).map_err(|_| bad("UID"))?,
                ssk: Ssk::from_bytes(&ssk).map_err(|_| bad("SSK"))?,
                pvt: Pvt::from_bytes(&pvt).map_err(|_| bad("PVT"))?,
                rsk: Rsk::from_bytes(&rsk).map_err(|_| bad("RSK"))?,
            });
        }
        Ok(ClientKeys {
            user_uri: s.user_uri,
            kms,
            key_sets,
            trusted,
            cache_num: s.cache_num,
        })
    }
}

/// Persistence of [`ClientKeys`]. Implement it on a platform keystore
/// (Android Keystore, iOS Keychain) to keep the keys there.
pub trait ClientKeyStore {
    /// The stored keys, if any.
    fn load(&self) -> Result<Option<ClientKeys>, KeyStoreError>;
    /// Replaces the stored keys (atomically).
    fn save(&self, keys: &ClientKeys) -> Result<(), KeyStoreError>;
}

const MAGIC: &[u8; 8] = b"MSKKEYS1";

/// A file encrypted with AES-256-GCM under a key derived (Argon2id) from a
/// passphrase: `MAGIC || salt(16) || m_cost(4) || t_cost(4) || sealed`.
/// Written to a temporary file, synced, then renamed over the old one.
#[derive(Debug)]
pub struct EncryptedFileKeyStore {
    path: PathBuf,
    salt: [u8; 16],
    params: KdfParams,
    key: SealingKey,
}

impl EncryptedFileKeyStore {
    /// Opens (or prepares to create) the key store file `path`.
    pub fn open(
        path: &Path,
        secret: &OperatorSecret,
        params: KdfParams,
    ) -> Result<EncryptedFileKeyStore, KeyStoreError> {
        let (salt, params) = match std::fs::read(path) {
            Ok(bytes) => {
                let (salt, params, _) = split_header(&bytes)?;
                (salt, params)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (random_bytes::<16>()?, params),
            Err(e) => return Err(e.into()),
        };
        let key = SealingKey::derive(secret, &salt, params)?;
        Ok(EncryptedFileKeyStore {
            path: path.to_owned(),
            salt,
            params,
            key,
        })
    }
}

fn split_header(bytes: &[u8]) -> Result<([u8; 16], KdfParams, &[u8]), KeyStoreError> {
    let bad = || KeyStoreError::Format("not a key store file".into());
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or_else(bad)?;
    let salt: [u8; 16] = rest
        .get(..16)
        .ok_or_else(bad)?
        .try_into()
        .map_err(|_| bad())?;
    let m = u32::from_be_bytes(
        rest.get(16..20)
            .ok_or_else(bad)?
            .try_into()
            .map_err(|_| bad())?,
    );
    let t = u32::from_be_bytes(
        rest.get(20..24)
            .ok_or_else(bad)?
            .try_into()
            .map_err(|_| bad())?,
    );
    Ok((
        salt,
        KdfParams {
            m_cost_kib: m,
            t_cost: t,
        },
        &rest[24..],
    ))
}

impl ClientKeyStore for EncryptedFileKeyStore {
    fn load(&self) -> Result<Option<ClientKeys>, KeyStoreError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let (_, _, sealed) = split_header(&bytes)?;
        let plain = self.key.open(sealed, MAGIC)?;
        ClientKeys::from_stored(&plain).map(Some)
    }

    fn save(&self, keys: &ClientKeys) -> Result<(), KeyStoreError> {
        let plain = keys.to_stored()?;
        let sealed = self.key.seal(&plain, MAGIC)?;
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&self.params.m_cost_kib.to_be_bytes());
        out.extend_from_slice(&self.params.t_cost.to_be_bytes());
        out.extend_from_slice(&sealed);
        let tmp = self.path.with_extension("tmp");
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&out)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use mikey_sakke::identity::KeyPeriod;
    use mikey_sakke::kms::{CertRole, KmsConfig, KmsIssuer, KmsMasterSecrets};
    use mikey_sakke::random::OsRandom;

    use super::*;

    fn issuer(uri: &str) -> KmsIssuer {
        KmsIssuer::new(
            KmsMasterSecrets::generate(&mut OsRandom).unwrap(),
            KmsConfig {
                kms_uri: uri.into(),
                key_period: KeyPeriod::new(1000, 0).unwrap(),
                domains: None,
                valid_from: None,
                valid_to: None,
                issuer: None,
                cert_uri: None,
            },
        )
    }

    #[test]
    fn trust_lookup_and_pruning() {
        let a = issuer("kms-a");
        let b = issuer("kms-b");
        let c = issuer("kms-c");
        let mut keys = ClientKeys::new("sip:alice@a", a.certificate());
        let mut ext_b = b.certificate();
        ext_b.role = CertRole::External;
        let mut ext_c = c.certificate();
        ext_c.revoked = Some(true);
        keys.set_trusted(CertCache {
            cache_num: 3,
            certificates: vec![ext_b.clone(), ext_c],
        });
        assert_eq!(keys.kms_certificate("kms-a").unwrap(), &a.certificate());
        assert_eq!(keys.kms_certificate("kms-b").unwrap(), &ext_b);
        assert!(matches!(
            keys.kms_certificate("kms-c"),
            Err(KeyStoreError::UntrustedKms(u)) if u == "kms-c"
        ));
        assert!(matches!(
            keys.kms_certificate("kms-d"),
            Err(KeyStoreError::UntrustedKms(_))
        ));

        for n in [7, 8, 9, 10] {
            let set = a.issue_key_set("sip:alice@a", n, &mut OsRandom).unwrap();
            keys.insert_key_sets([UserKeySet::from(set)]);
        }
        // Replacing period 9 keeps one set per period.
        let set = a.issue_key_set("sip:alice@a", 9, &mut OsRandom).unwrap();
        keys.insert_key_sets([UserKeySet::from(set)]);
        assert_eq!(keys.key_sets.len(), 4);
        // At NTP second 9500 (period 9) periods 8, 9 and 10 are kept.
        keys.prune_expired(NtpTime::from_parts(9_500, 0)).unwrap();
        let kept: Vec<u64> = keys.key_sets.iter().map(|k| k.key_period_no).collect();
        assert_eq!(kept, [8, 9, 10]);
        assert!(keys.key_set(7).is_none());
        assert_eq!(
            keys.key_set(9).unwrap().uid,
            a.uid("sip:alice@a", 9).unwrap()
        );

        // Stored form round trip; the provision JSON has the issue's shape.
        let stored = keys.to_stored().unwrap();
        let back = ClientKeys::from_stored(&stored).unwrap();
        assert_eq!(back.key_sets.len(), 3);
        assert_eq!(back.cache_num, Some(3));
        assert_eq!(back.trusted, keys.trusted);
        assert_eq!(
            *back.key_sets[2].rsk.to_bytes(),
            *keys.key_sets[2].rsk.to_bytes()
        );
        let json = serde_json::to_value(keys.to_provision_file()).unwrap();
        assert_eq!(json["key_sets"][0]["key_period_no"], 8);
        assert_eq!(json["trusted_kms"][0]["uri"], "kms-b");
        assert!(format!("{:?}", keys.key_sets[0]).contains("UserKeySet"));
        assert!(!format!("{:?}", keys.to_provision_file()).contains("ssk:"));

        assert!(matches!(
            ClientKeys::from_stored(b"{}"),
            Err(KeyStoreError::Format(_))
        ));
        assert!(matches!(
            split_header(b"NOTKEYS1"),
            Err(KeyStoreError::Format(_))
        ));
    }
}
