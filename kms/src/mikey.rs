//! From what a client holds ([`ClientKeys`]) to what the MIKEY-SAKKE layer
//! uses: the [`TrustStore`] of the KMSs the user trusts (its own KMS and the
//! external KMSs of its certcache) and the [`LocalUser`] with its key sets
//! (validated ECCSI signing keys and SAKKE receiver keys).
//!
//! ```no_run
//! # async fn run(client: mikey_sakke_kms::client::KmsClient) -> Result<(), Box<dyn std::error::Error>> {
//! use mikey_sakke::mikey::{Responder, ResponderConfig};
//! use mikey_sakke_kms::keystore::{ClientKeys, UserKeySet};
//!
//! let cert = client.init().await?;
//! let sets = client.key_provision(&cert, None).await?;
//! let mut keys = ClientKeys::new(client.user_uri(), cert);
//! keys.insert_key_sets(sets.into_iter().map(UserKeySet::from));
//! keys.set_trusted(client.cert_cache(None).await?);
//! let (mut user, trust) = (keys.local_user()?, keys.trust_store()?);
//! user.precompute();
//! let responder = Responder::new(user, trust, ResponderConfig::default());
//! # let _ = responder;
//! # Ok(())
//! # }
//! ```

use mikey_sakke::identity::NtpTime;
use mikey_sakke::kms::{DateTime, KmsCertificate, KmsDocError};
use mikey_sakke::mikey::{KeySet, LocalUser, TrustStore, TrustedKms};
use mikey_sakke::sakke::ReceiverKey;

use crate::keystore::{ClientKeys, KeyStoreError, UserKeySet};

/// The [`TrustedKms`] of a KMS certificate: KMS URI, KPAK, Z (its
/// [`mikey_sakke::sakke::KmsContext`] is built here, a few tens of
/// milliseconds), key period and the `ValidFrom`/`ValidTo` window.
///
/// A `ValidFrom` before 1900 is no lower bound; a `ValidTo` after the NTP
/// era (2036) is no upper bound; a `ValidFrom` after it makes the KMS never
/// valid. Revocation is not checked here (see [`ClientKeys::trust_store`]).
pub fn trusted_kms(cert: &KmsCertificate) -> Result<TrustedKms, KeyStoreError> {
    let ntp = |d: &DateTime| {
        NtpTime::from_parts(u32::try_from(d.ntp_seconds().max(0)).unwrap_or(u32::MAX), 0)
    };
    let valid_from = match &cert.valid_from {
        Some(d) if d.ntp_seconds() > 0 => Some(ntp(d)),
        _ => None,
    };
    let valid_to = match &cert.valid_to {
        Some(d) if d.ntp_seconds() <= i64::from(u32::MAX) => Some(ntp(d)),
        _ => None,
    };
    Ok(TrustedKms::new(
        &cert.kms_uri,
        cert.pub_auth_key.clone(),
        &cert.pub_enc_key,
        cert.key_period()?,
    )
    .with_validity(valid_from, valid_to))
}

impl UserKeySet {
    /// This set as a MIKEY [`KeySet`] under `kms` (the user's own KMS as a
    /// [`TrustedKms`], e.g. from [`trusted_kms`]): the ECCSI signing key
    /// (RFC 6507 §5.1.2) and the SAKKE receiver key (RFC 6508 §6.1.2), both
    /// validated again for this set's UID.
    pub fn mikey_key_set(&self, kms: &TrustedKms) -> Result<KeySet, KeyStoreError> {
        if kms.uri() != self.kms_uri {
            return Err(KeyStoreError::UntrustedKms(self.kms_uri.clone()));
        }
        let id = self.uid.as_bytes();
        let ssk = mikey_sakke::eccsi::Ssk::from_bytes(&*self.ssk.to_bytes())
            .map_err(|_| KmsDocError::InvalidSigningKey)?;
        let signing = mikey_sakke::eccsi::SigningKey::new(kms.kpak(), id, ssk, self.pvt.clone())
            .map_err(|_| KmsDocError::InvalidSigningKey)?;
        let rsk = mikey_sakke::sakke::Rsk::from_bytes(&*self.rsk.to_bytes())
            .map_err(|_| KmsDocError::InvalidRsk)?;
        let receiving =
            ReceiverKey::new(kms.sakke(), id, rsk).map_err(|_| KmsDocError::InvalidRsk)?;
        Ok(KeySet::new(
            kms.uri(),
            self.key_period_no,
            id,
            Some(signing),
            Some(receiving),
        )?)
    }
}

impl ClientKeys {
    /// The MIKEY trust store of this client: its own KMS and every trusted
    /// external KMS of its certcache, except revoked certificates (a message
    /// naming any other KMS is then rejected with
    /// [`mikey_sakke::mikey::MikeyError::UnknownKms`]).
    pub fn trust_store(&self) -> Result<TrustStore, KeyStoreError> {
        let mut trust = TrustStore::new();
        for cert in std::iter::once(&self.kms).chain(self.trusted.iter()) {
            if cert.revoked != Some(true) {
                trust.insert(trusted_kms(cert)?);
            }
        }
        Ok(trust)
    }

    /// The MIKEY local user: this client's URI under its own KMS with every
    /// held key set ([`UserKeySet::mikey_key_set`]). Call
    /// [`LocalUser::precompute`] on it for faster decapsulation.
    pub fn local_user(&self) -> Result<LocalUser, KeyStoreError> {
        let kms = trusted_kms(&self.kms)?;
        let mut user = LocalUser::new(&self.user_uri, &self.kms.kms_uri);
        for set in &self.key_sets {
            user.add_key_set(set.mikey_key_set(&kms)?);
        }
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use mikey_sakke::identity::KeyPeriod;
    use mikey_sakke::kms::{CertRole, KmsConfig, KmsIssuer, KmsMasterSecrets};
    use mikey_sakke::mikey::MikeyError;
    use mikey_sakke::random::OsRandom;

    use super::*;
    use crate::client::CertCache;

    fn issuer(uri: &str) -> KmsIssuer {
        KmsIssuer::new(
            KmsMasterSecrets::generate(&mut OsRandom).unwrap(),
            KmsConfig {
                kms_uri: uri.into(),
                key_period: KeyPeriod::new(1000, 0).unwrap(),
                domains: None,
                valid_from: Some(DateTime::from_unix(1_700_000_000)),
                valid_to: Some(DateTime::from_unix(1_900_000_000)),
                issuer: None,
                cert_uri: None,
            },
        )
    }

    #[test]
    fn trust_store_and_local_user_from_client_keys() {
        let a = issuer("kms-a");
        let b = issuer("kms-b");
        let c = issuer("kms-c");
        let mut keys = ClientKeys::new("sip:alice@a", a.certificate());
        let mut ext_b = b.certificate();
        ext_b.role = CertRole::External;
        let mut ext_c = c.certificate();
        ext_c.revoked = Some(true);
        keys.set_trusted(CertCache {
            cache_num: 1,
            certificates: vec![ext_b, ext_c],
        });
        for n in [5, 6] {
            let set = a.issue_key_set("sip:alice@a", n, &mut OsRandom).unwrap();
            keys.insert_key_sets([UserKeySet::from(set)]);
        }

        let trust = keys.trust_store().unwrap();
        assert_eq!(trust.len(), 2);
        assert_eq!(
            trust.require("kms-b").unwrap().kpak(),
            &b.certificate().pub_auth_key
        );
        assert_eq!(trust.require("kms-c").unwrap_err(), MikeyError::UnknownKms);
        // The certificate's validity window is kept.
        let inside = NtpTime::from_unix_seconds(1_800_000_000).unwrap();
        let before = NtpTime::from_unix_seconds(1_600_000_000).unwrap();
        let after = NtpTime::from_unix_seconds(1_950_000_000).unwrap();
        assert!(trust.require_valid("kms-a", inside).is_ok());
        assert_eq!(
            trust.require_valid("kms-a", before).unwrap_err(),
            MikeyError::UnknownKms
        );
        assert!(trust.require_valid("kms-a", after).is_err());

        let user = keys.local_user().unwrap();
        assert_eq!(user.uri(), Some("sip:alice@a"));
        assert_eq!(user.kms_uri(), "kms-a");
        assert_eq!(user.key_sets().len(), 2);
        let set = user.key_set_by_period("kms-a", 6).unwrap();
        assert_eq!(
            set.identifier(),
            a.uid("sip:alice@a", 6).unwrap().as_bytes()
        );
        assert!(set.signing_key().is_some() && set.receiver_key().is_some());

        // A key set is only accepted under its own KMS, and only with keys
        // valid under that KMS's public keys.
        let b_kms = trusted_kms(&b.certificate()).unwrap();
        assert!(matches!(
            keys.key_sets[0].mikey_key_set(&b_kms),
            Err(KeyStoreError::UntrustedKms(u)) if u == "kms-a"
        ));
        let mut forged = ClientKeys::new("sip:alice@a", a.certificate());
        let mut wrong = UserKeySet::from(b.issue_key_set("sip:alice@a", 5, &mut OsRandom).unwrap());
        wrong.kms_uri = "kms-a".into();
        forged.insert_key_sets([wrong]);
        assert!(matches!(
            forged.local_user(),
            Err(KeyStoreError::Doc(KmsDocError::InvalidSigningKey))
        ));
    }
}
