//! KMS-side issuance (TS 33.180 D.3 user key provisioning) and the
//! client-side validation of received key sets (SPEC §8.6).

use core::fmt;

use zeroize::Zeroizing;

use super::{CertRole, DateTime, KmsCertificate, KmsDocError, KmsKeySet};
use crate::eccsi::{EccsiError, EccsiKms, Ksak, Pvt, SigningKey, Ssk};
use crate::identity::{KeyPeriod, Uid};
use crate::random::SecureRandom;
use crate::sakke::{KmsContext, KmsPublicKey, MasterSecret, Rsk, SakkeError, SakkeKms};

/// The master secrets of a KMS: the ECCSI KSAK (RFC 6507 §4.2) and the SAKKE
/// master secret z (RFC 6508 §2.2). Not `Clone`; zeroized on drop; `Debug`
/// is redacted.
pub struct KmsMasterSecrets {
    ksak: Ksak,
    z: MasterSecret,
}

impl fmt::Debug for KmsMasterSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KmsMasterSecrets(..)")
    }
}

impl KmsMasterSecrets {
    /// Draws fresh KSAK and z.
    pub fn generate(rng: &mut (impl SecureRandom + ?Sized)) -> Result<Self, KmsDocError> {
        let ksak = EccsiKms::generate(rng).map_err(|_| KmsDocError::Random)?;
        let sakke = SakkeKms::generate(rng).map_err(|_| KmsDocError::Random)?;
        Self::from_bytes(&*ksak.ksak().to_bytes(), &*sakke.master_secret().to_bytes())
    }

    /// From the stored encodings: KSAK (32 octets) and z (1 to 128 octets).
    pub fn from_bytes(ksak: &[u8], z: &[u8]) -> Result<Self, KmsDocError> {
        Ok(KmsMasterSecrets {
            ksak: Ksak::from_bytes(ksak).map_err(|source| KmsDocError::Eccsi {
                field: "KSAK",
                source,
            })?,
            z: MasterSecret::from_bytes(z)
                .map_err(|source| KmsDocError::Sakke { field: "z", source })?,
        })
    }

    /// KSAK, 32 octets.
    pub fn ksak_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.ksak.to_bytes()
    }

    /// z, 128 octets.
    pub fn z_bytes(&self) -> Zeroizing<[u8; 128]> {
        self.z.to_bytes()
    }
}

/// The public configuration of a KMS: what its certificate says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsConfig {
    /// `KmsUri`.
    pub kms_uri: String,
    /// `UserKeyPeriod` / `UserKeyOffset`.
    pub key_period: KeyPeriod,
    /// `KmsDomainList` (`None`: no list in the certificate).
    pub domains: Option<Vec<String>>,
    /// `ValidFrom`.
    pub valid_from: Option<DateTime>,
    /// `ValidTo`.
    pub valid_to: Option<DateTime>,
    /// `Issuer`.
    pub issuer: Option<String>,
    /// `CertUri`.
    pub cert_uri: Option<String>,
}

/// A KMS able to issue key sets: master secrets, public keys and
/// configuration.
pub struct KmsIssuer {
    eccsi: EccsiKms,
    sakke: SakkeKms,
    config: KmsConfig,
}

impl fmt::Debug for KmsIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsIssuer")
            .field("kms_uri", &self.config.kms_uri)
            .finish_non_exhaustive()
    }
}

impl KmsIssuer {
    /// Rebuilds the KMS from its master secrets (computes KPAK and Z).
    pub fn new(secrets: KmsMasterSecrets, config: KmsConfig) -> KmsIssuer {
        let KmsMasterSecrets { ksak, z } = secrets;
        KmsIssuer {
            eccsi: EccsiKms::from_ksak(ksak),
            sakke: SakkeKms::from_master_secret(z),
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &KmsConfig {
        &self.config
    }

    /// A copy of the master secrets (to store them, encrypted).
    pub fn master_secrets(&self) -> Result<KmsMasterSecrets, KmsDocError> {
        KmsMasterSecrets::from_bytes(
            &*self.eccsi.ksak().to_bytes(),
            &*self.sakke.master_secret().to_bytes(),
        )
    }

    /// The SAKKE KMS public key Z.
    pub fn public_key(&self) -> &KmsPublicKey {
        self.sakke.public_key()
    }

    /// The root KMS certificate (TS 33.180 D.3, `Role="Root"`).
    pub fn certificate(&self) -> KmsCertificate {
        let c = &self.config;
        KmsCertificate {
            version: "1.1.0".into(),
            role: CertRole::Root,
            is_security_gateway: None,
            id: None,
            cert_uri: c.cert_uri.clone(),
            kms_uri: c.kms_uri.clone(),
            issuer: c.issuer.clone(),
            valid_from: c.valid_from.clone(),
            valid_to: c.valid_to.clone(),
            revoked: None,
            user_key_period: c.key_period.period(),
            user_key_offset: c.key_period.offset(),
            pub_enc_key: self.sakke.public_key().clone(),
            pub_auth_key: self.eccsi.kpak().clone(),
            parameter_set: Some(1),
            kms_domain_list: c.domains.clone(),
        }
    }

    /// The UID of `user_uri` for key period `n` (TS 33.180 F.2.1).
    pub fn uid(&self, user_uri: &str, n: u64) -> Result<Uid, KmsDocError> {
        Ok(Uid::derive(
            user_uri,
            &self.config.kms_uri,
            &self.config.key_period,
            n,
        )?)
    }

    /// Issues a fresh (SSK, PVT) for `uid` (RFC 6507 §5.1.1; random).
    pub fn issue_signing_key(
        &self,
        uid: &Uid,
        rng: &mut (impl SecureRandom + ?Sized),
    ) -> Result<(Ssk, Pvt), KmsDocError> {
        self.eccsi
            .issue(uid.as_bytes(), rng)
            .map_err(|_| KmsDocError::Random)
    }

    /// Issues the RSK of `uid` (RFC 6508 §6.1.1; deterministic).
    pub fn issue_rsk(&self, uid: &Uid) -> Result<Rsk, KmsDocError> {
        self.sakke.issue_rsk(uid.as_bytes()).map_err(|e| match e {
            SakkeError::IdentifierCollision => KmsDocError::IdentifierCollision,
            source => KmsDocError::Sakke {
                field: "RSK",
                source,
            },
        })
    }

    /// The key set of `user_uri` for period `n` with a given (SSK, PVT)
    /// (for example one stored at the first issuance); the RSK is recomputed.
    pub fn key_set(
        &self,
        user_uri: &str,
        n: u64,
        ssk: Ssk,
        pvt: Pvt,
    ) -> Result<KmsKeySet, KmsDocError> {
        let uid = self.uid(user_uri, n)?;
        let rsk = self.issue_rsk(&uid)?;
        let p = &self.config.key_period;
        Ok(KmsKeySet {
            version: "1.1.0".into(),
            id: None,
            kms_uri: self.config.kms_uri.clone(),
            cert_uri: self.config.cert_uri.clone(),
            issuer: self.config.issuer.clone(),
            user_uri: user_uri.to_owned(),
            user_id: uid,
            valid_from: DateTime::from_ntp_seconds(p.start(n)?),
            valid_to: p.end(n).ok().and_then(DateTime::from_ntp_seconds),
            key_period_no: n,
            revoked: None,
            rsk,
            ssk,
            pvt,
        })
    }

    /// Issues a complete, fresh key set of `user_uri` for period `n`.
    pub fn issue_key_set(
        &self,
        user_uri: &str,
        n: u64,
        rng: &mut (impl SecureRandom + ?Sized),
    ) -> Result<KmsKeySet, KmsDocError> {
        let uid = self.uid(user_uri, n)?;
        let (ssk, pvt) = self.issue_signing_key(&uid, rng)?;
        self.key_set(user_uri, n, ssk, pvt)
    }
}

/// Validates a received key set against the certificate of its KMS
/// (SPEC §8.6 steps 1–5, checklist K4): same `KmsUri`; neither revoked; the
/// key period within the certificate validity; `UserID` equal to the
/// recomputed UID; (SSK, PVT) valid for KPAK and the UID (RFC 6507 §5.1.2);
/// RSK valid for Z and the UID (RFC 6508 §6.1.2). Returns the UID.
pub fn validate_key_set(cert: &KmsCertificate, set: &KmsKeySet) -> Result<Uid, KmsDocError> {
    if set.kms_uri != cert.kms_uri {
        return Err(KmsDocError::KmsUriMismatch);
    }
    if cert.revoked == Some(true) || set.revoked == Some(true) {
        return Err(KmsDocError::Revoked);
    }
    let period = cert.key_period()?;
    let start = i128::from(period.start(set.key_period_no)?);
    let end = i128::from(period.end(set.key_period_no)?);
    if let Some(to) = &cert.valid_to {
        if start >= i128::from(to.ntp_seconds()) {
            return Err(KmsDocError::OutsideValidity);
        }
    }
    if let Some(from) = &cert.valid_from {
        if end <= i128::from(from.ntp_seconds()) {
            return Err(KmsDocError::OutsideValidity);
        }
    }
    let uid = Uid::derive(&set.user_uri, &cert.kms_uri, &period, set.key_period_no)?;
    if uid != set.user_id {
        return Err(KmsDocError::UidMismatch);
    }
    let ssk = Ssk::from_bytes(&*set.ssk.to_bytes()).map_err(|source| KmsDocError::Eccsi {
        field: "UserSigningKeySSK",
        source,
    })?;
    SigningKey::new(&cert.pub_auth_key, uid.as_bytes(), ssk, set.pvt.clone()).map_err(
        |e| match e {
            EccsiError::InvalidKeyPair => KmsDocError::InvalidSigningKey,
            source => KmsDocError::Eccsi {
                field: "UserSigningKeySSK",
                source,
            },
        },
    )?;
    let rsk = Rsk::from_bytes(&*set.rsk.to_bytes()).map_err(|source| KmsDocError::Sakke {
        field: "UserDecryptKey",
        source,
    })?;
    let ctx = KmsContext::new(&cert.pub_enc_key);
    ctx.validate_rsk(uid.as_bytes(), &rsk)
        .map_err(|_| KmsDocError::InvalidRsk)?;
    Ok(uid)
}
