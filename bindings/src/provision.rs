//! Provisioning from the user's KMS (TS 33.180 Annex D): `init`, `keyprov`
//! for the current and the next key period and `certcache`, every key set
//! validated before it is kept. `suspend` in Kotlin, `async` in Swift and
//! Python; the HTTP(S) client runs on uniffi's tokio runtime.

use std::sync::Arc;
use std::time::Duration;

use mikey_sakke_kms::client::KmsClient as Client;
use mikey_sakke_kms::keystore::ClientKeys;

use crate::keystore::{save_keys, KeyStore};
use crate::MikeySakkeError;

/// How to reach the user's KMS.
#[derive(Debug, Clone, uniffi::Record)]
pub struct KmsClientConfig {
    /// `https://host[:port]` (plain `http://` is accepted for tests only).
    pub server_url: String,
    /// The user's URI, e.g. `sip:alice@org-a.example`.
    pub user_uri: String,
    /// The bearer token the KMS operator issued for this user.
    pub token: String,
    /// PEM certificates to trust for the KMS's TLS certificate; none: the
    /// system's roots.
    pub ca_pem: Option<String>,
    /// Per-request timeout in milliseconds (0: 20 s).
    pub timeout_ms: u32,
}

/// What provisioning stored, for display and checks.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProvisionedUser {
    /// The user.
    pub user_uri: String,
    /// The user's own KMS.
    pub kms_uri: String,
    /// The key period numbers held (current and next).
    pub key_periods: Vec<u64>,
    /// The other KMSs this user may call and be called from.
    pub trusted_kms_uris: Vec<String>,
}

/// A client of the user's KMS.
#[derive(uniffi::Object)]
pub struct KmsClient {
    inner: Client,
}

impl std::fmt::Debug for KmsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsClient").finish_non_exhaustive()
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl KmsClient {
    /// A client for `config` (checks the URL and the CA certificates; no
    /// network traffic yet).
    #[uniffi::constructor]
    pub fn new(config: KmsClientConfig) -> Result<Arc<KmsClient>, MikeySakkeError> {
        let mut c = Client::new(&config.server_url, &config.token, &config.user_uri)?;
        if let Some(pem) = &config.ca_pem {
            c = c.with_roots_pem(pem.as_bytes())?;
        }
        let timeout = match config.timeout_ms {
            0 => Duration::from_secs(20),
            ms => Duration::from_millis(u64::from(ms)),
        };
        c = c
            .with_timeout(timeout)
            .with_retries(2, Duration::from_millis(200));
        Ok(Arc::new(KmsClient { inner: c }))
    }

    /// Fetches the KMS certificate, the key sets of the current and the next
    /// key period and the certificates of the KMSs the user's KMS trusts;
    /// validates every key (RFC 6507 §5.1.2, RFC 6508 §6.1.2) and saves the
    /// result in `store`, replacing what it held for this user.
    pub async fn provision(
        &self,
        store: Arc<dyn KeyStore>,
    ) -> Result<ProvisionedUser, MikeySakkeError> {
        let keys = self.inner.provision().await?;
        // Reject keys that do not form a usable MIKEY identity before saving.
        keys.local_user()?;
        keys.trust_store()?;
        save_keys(store.as_ref(), &keys)?;
        Ok(summary(&keys))
    }
}

pub(crate) fn summary(keys: &ClientKeys) -> ProvisionedUser {
    ProvisionedUser {
        user_uri: keys.user_uri.clone(),
        kms_uri: keys.kms.kms_uri.clone(),
        key_periods: keys.key_sets.iter().map(|s| s.key_period_no).collect(),
        trusted_kms_uris: keys.trusted.iter().map(|c| c.kms_uri.clone()).collect(),
    }
}
