//! The KMS itself: master secrets opened from the store, users, issuance
//! with stored (SSK, PVT), and trusted external KMSs.

use std::sync::Arc;

use mikey_sakke::eccsi::{Pvt, Ssk};
use mikey_sakke::kms::{
    CertRole, KmsCertificate, KmsConfig, KmsDocError, KmsIssuer, KmsKeySet, KmsMasterSecrets,
};
use mikey_sakke::random::OsRandom;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::seal::{random_bytes, KdfParams, OperatorSecret, SealError, SealingKey};
use crate::store::{KmsRecord, KmsStore, SigningKeyRecord, StoreError, UserRecord};

/// Errors of the KMS service layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Sealing or unsealing failed (for example a wrong operator secret).
    #[error(transparent)]
    Seal(#[from] SealError),
    /// A document or key operation failed.
    #[error(transparent)]
    Doc(#[from] KmsDocError),
    /// A user URI that is empty or not a plausible URI.
    #[error("invalid user URI")]
    BadUri,
    /// An attempt to trust this KMS's own certificate.
    #[error("this is the KMS's own certificate")]
    OwnCertificate,
}

/// The SHA-256 of a bearer token (what the store keeps).
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn master_aad(kms_uri: &str) -> Vec<u8> {
    [b"msk-kms master v1|".as_slice(), kms_uri.as_bytes()].concat()
}

fn ssk_aad(user: &str, n: u64) -> Vec<u8> {
    format!("msk-kms ssk v1|{n}|{user}").into_bytes()
}

/// A running KMS: the issuer (master secrets in memory), the store and the
/// sealing key. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Kms {
    issuer: KmsIssuer,
    certificate: KmsCertificate,
    store: Arc<dyn KmsStore>,
    sealing: SealingKey,
}

fn config_of(cert: &KmsCertificate) -> Result<KmsConfig, KmsDocError> {
    Ok(KmsConfig {
        kms_uri: cert.kms_uri.clone(),
        key_period: cert.key_period()?,
        domains: cert.kms_domain_list.clone(),
        valid_from: cert.valid_from.clone(),
        valid_to: cert.valid_to.clone(),
        issuer: cert.issuer.clone(),
        cert_uri: cert.cert_uri.clone(),
    })
}

impl Kms {
    /// Creates a KMS in an empty store: fresh master secrets, sealed under a
    /// key derived from `secret` with a fresh salt.
    pub fn init(
        store: Arc<dyn KmsStore>,
        secret: &OperatorSecret,
        config: KmsConfig,
        kdf: KdfParams,
    ) -> Result<Kms, ServiceError> {
        if store.load_kms()?.is_some() {
            return Err(StoreError::AlreadyInitialised.into());
        }
        let salt = random_bytes::<16>()?;
        let sealing = SealingKey::derive(secret, &salt, kdf)?;
        let secrets = KmsMasterSecrets::generate(&mut OsRandom)?;
        let mut plain = Zeroizing::new(Vec::with_capacity(160));
        plain.extend_from_slice(&*secrets.ksak_bytes());
        plain.extend_from_slice(&*secrets.z_bytes());
        let sealed_master = sealing.seal(&plain, &master_aad(&config.kms_uri))?;
        let issuer = KmsIssuer::new(secrets, config);
        let certificate = issuer.certificate();
        store.create_kms(&KmsRecord {
            kms_uri: certificate.kms_uri.clone(),
            cert_xml: certificate.to_xml(),
            kdf_salt: salt.to_vec(),
            kdf_m_cost_kib: kdf.m_cost_kib,
            kdf_t_cost: kdf.t_cost,
            sealed_master,
        })?;
        Ok(Kms {
            issuer,
            certificate,
            store,
            sealing,
        })
    }

    /// Opens the KMS of `store` with the operator secret.
    pub fn open(store: Arc<dyn KmsStore>, secret: &OperatorSecret) -> Result<Kms, ServiceError> {
        let rec = store.load_kms()?.ok_or(StoreError::NotInitialised)?;
        let kdf = KdfParams {
            m_cost_kib: rec.kdf_m_cost_kib,
            t_cost: rec.kdf_t_cost,
        };
        let sealing = SealingKey::derive(secret, &rec.kdf_salt, kdf)?;
        let plain = sealing.open(&rec.sealed_master, &master_aad(&rec.kms_uri))?;
        if plain.len() != 32 + 128 {
            return Err(StoreError::Corrupt("sealed master secrets").into());
        }
        let secrets = KmsMasterSecrets::from_bytes(&plain[..32], &plain[32..])?;
        let certificate = KmsCertificate::from_xml(&rec.cert_xml)?;
        let issuer = KmsIssuer::new(secrets, config_of(&certificate)?);
        if issuer.certificate() != certificate {
            return Err(
                StoreError::Corrupt("certificate does not match the master secrets").into(),
            );
        }
        Ok(Kms {
            issuer,
            certificate,
            store,
            sealing,
        })
    }

    /// The root certificate.
    pub fn certificate(&self) -> &KmsCertificate {
        &self.certificate
    }

    /// The issuer (for period computations).
    pub fn issuer(&self) -> &KmsIssuer {
        &self.issuer
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn KmsStore> {
        &self.store
    }

    /// Adds a user and returns its fresh bearer token; see [`add_user`].
    pub fn add_user(&self, uri: &str) -> Result<Zeroizing<String>, ServiceError> {
        add_user(self.store.as_ref(), uri)
    }

    /// The enabled user holding `token`, if any.
    pub fn authenticate(&self, token: &str) -> Result<Option<UserRecord>, ServiceError> {
        Ok(self
            .store
            .user_by_token(&token_hash(token))?
            .filter(|u| u.enabled))
    }

    /// The key set of `user` for period `n`: the stored (SSK, PVT) if one
    /// was issued before, otherwise a fresh one that is stored (and audited)
    /// before this returns; the RSK is recomputed (deterministic).
    pub fn key_set(&self, user: &str, n: u64) -> Result<KmsKeySet, ServiceError> {
        let aad = ssk_aad(user, n);
        let rec = match self.store.signing_key(user, n)? {
            Some(r) => r,
            None => {
                let uid = self.issuer.uid(user, n)?;
                let (ssk, pvt) = self.issuer.issue_signing_key(&uid, &mut OsRandom)?;
                let candidate = SigningKeyRecord {
                    sealed_ssk: self.sealing.seal(&*ssk.to_bytes(), &aad)?,
                    pvt: pvt.to_bytes().to_vec(),
                };
                self.store.insert_signing_key(user, n, &candidate)?
            }
        };
        let ssk_bytes = self.sealing.open(&rec.sealed_ssk, &aad)?;
        let ssk = Ssk::from_bytes(&ssk_bytes).map_err(|_| StoreError::Corrupt("stored SSK"))?;
        let pvt = Pvt::from_bytes(&rec.pvt).map_err(|_| StoreError::Corrupt("stored PVT"))?;
        Ok(self.issuer.key_set(user, n, ssk, pvt)?)
    }

    /// Trusts the KMS whose certificate is `cert_xml`; see [`add_trust`].
    pub fn add_trust(&self, cert_xml: &str) -> Result<KmsCertificate, ServiceError> {
        add_trust(self.store.as_ref(), cert_xml)
    }

    /// The cache number and the trusted external certificates.
    pub fn cert_cache(&self) -> Result<(u64, Vec<KmsCertificate>), ServiceError> {
        let (num, xmls) = self.store.trusted()?;
        let certs = xmls
            .iter()
            .map(|x| KmsCertificate::from_xml(x))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((num, certs))
    }
}

/// Adds a user to `store` and returns its fresh bearer token (64 hex
/// digits); only the token's SHA-256 is stored. Needs no operator secret.
pub fn add_user(store: &dyn KmsStore, uri: &str) -> Result<Zeroizing<String>, ServiceError> {
    if uri.trim().is_empty() || uri.trim() != uri || !uri.contains(':') {
        return Err(ServiceError::BadUri);
    }
    store.load_kms()?.ok_or(StoreError::NotInitialised)?;
    let raw = Zeroizing::new(random_bytes::<32>()?);
    let token = Zeroizing::new(hex::encode(*raw));
    store.add_user(uri, &token_hash(&token))?;
    Ok(token)
}

/// Makes the KMS of `store` trust the KMS whose certificate is `cert_xml`
/// (stored with `Role="External"`, served by certcache); returns the parsed
/// certificate. Needs no operator secret.
pub fn add_trust(store: &dyn KmsStore, cert_xml: &str) -> Result<KmsCertificate, ServiceError> {
    let own = store.load_kms()?.ok_or(StoreError::NotInitialised)?;
    let mut cert = KmsCertificate::from_xml(cert_xml)?;
    if cert.kms_uri == own.kms_uri {
        return Err(ServiceError::OwnCertificate);
    }
    cert.role = CertRole::External;
    store.add_trust(&cert.kms_uri, &cert.to_xml())?;
    Ok(cert)
}
