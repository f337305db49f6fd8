//! Where a device keeps its keys: a [`KeyStore`] the app implements (so it
//! can protect them with Android Keystore or the iOS Keychain), or the
//! provided [`encrypted_file_key_store`].
//!
//! A key store holds one opaque blob per user: the serialized keys
//! (`ClientKeys::to_stored` of `mikey-sakke-kms`: KMS certificates, SSK, PVT
//! and RSK per key period). The blob is **secret**; an app implementation
//! must encrypt it at rest.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use mikey_sakke_kms::keystore::{ClientKeyStore, ClientKeys, EncryptedFileKeyStore};
use mikey_sakke_kms::seal::{KdfParams, OperatorSecret};
use zeroize::Zeroizing;

use crate::MikeySakkeError;

/// The error a [`KeyStore`] implementation reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum KeyStoreFailure {
    /// The store could not be read or written.
    #[error("key store: {reason}")]
    Failed {
        /// What happened.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KeyStoreFailure {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KeyStoreFailure::Failed { reason: e.reason }
    }
}

impl From<KeyStoreFailure> for MikeySakkeError {
    fn from(e: KeyStoreFailure) -> Self {
        MikeySakkeError::internal(e)
    }
}

/// Persistent storage of one user's keys, implemented by the app or by
/// [`encrypted_file_key_store`].
#[uniffi::export(with_foreign)]
pub trait KeyStore: Send + Sync {
    /// The blob saved for `user_uri`, or none.
    fn load(&self, user_uri: String) -> Result<Option<Vec<u8>>, KeyStoreFailure>;
    /// Replaces the blob of `user_uri` (atomically, so a crash keeps either
    /// the old or the new keys).
    fn save(&self, user_uri: String, blob: Vec<u8>) -> Result<(), KeyStoreFailure>;
    /// Deletes the blob of `user_uri` (no error if there is none).
    fn delete(&self, user_uri: String) -> Result<(), KeyStoreFailure>;
}

/// Loads and parses the keys of `user_uri` from `store`.
pub(crate) fn load_keys(
    store: &dyn KeyStore,
    user_uri: &str,
) -> Result<Option<ClientKeys>, MikeySakkeError> {
    let Some(blob) = store.load(user_uri.to_owned())? else {
        return Ok(None);
    };
    let blob = Zeroizing::new(blob);
    let keys = ClientKeys::from_stored(&blob)?;
    if keys.user_uri != user_uri {
        return Err(MikeySakkeError::KeyNotValid {
            reason: "the stored keys belong to another user".into(),
        });
    }
    Ok(Some(keys))
}

/// Serializes `keys` into `store`.
pub(crate) fn save_keys(store: &dyn KeyStore, keys: &ClientKeys) -> Result<(), MikeySakkeError> {
    let blob = keys.to_stored()?;
    store.save(keys.user_uri.clone(), blob.to_vec())?;
    Ok(())
}

/// The provided store: one file per user in `directory`, encrypted with
/// AES-256-GCM under a key derived with Argon2id (64 MiB, 3 passes) from
/// `passphrase` (at least 16 octets). Writes go to a temporary file that is
/// synced and renamed. The Argon2id key of each file is derived once per
/// store object (provisioning saves and `Device.open` loads with it).
struct FileKeyStore {
    directory: std::path::PathBuf,
    secret: OperatorSecret,
    params: KdfParams,
    files: Mutex<HashMap<String, Arc<EncryptedFileKeyStore>>>,
}

impl FileKeyStore {
    /// The file of `user_uri` (named by the hex of the URI, so any URI maps
    /// to a safe name), with its key.
    fn file(&self, user_uri: &str) -> Result<Arc<EncryptedFileKeyStore>, KeyStoreFailure> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = files.get(user_uri) {
            return Ok(f.clone());
        }
        let f = Arc::new(
            EncryptedFileKeyStore::open(&self.path(user_uri), &self.secret, self.params)
                .map_err(failed)?,
        );
        files.insert(user_uri.to_owned(), f.clone());
        Ok(f)
    }

    fn path(&self, user_uri: &str) -> std::path::PathBuf {
        self.directory.join(format!("{}.keys", hex_name(user_uri)))
    }
}

fn hex_name(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn failed(e: impl std::fmt::Display) -> KeyStoreFailure {
    KeyStoreFailure::Failed {
        reason: e.to_string(),
    }
}

impl KeyStore for FileKeyStore {
    fn load(&self, user_uri: String) -> Result<Option<Vec<u8>>, KeyStoreFailure> {
        match self.file(&user_uri)?.load().map_err(failed)? {
            Some(keys) => Ok(Some(keys.to_stored().map_err(failed)?.to_vec())),
            None => Ok(None),
        }
    }

    fn save(&self, user_uri: String, blob: Vec<u8>) -> Result<(), KeyStoreFailure> {
        let blob = Zeroizing::new(blob);
        let keys = ClientKeys::from_stored(&blob).map_err(failed)?;
        if keys.user_uri != user_uri {
            return Err(failed("the keys belong to another user"));
        }
        self.file(&user_uri)?.save(&keys).map_err(failed)
    }

    fn delete(&self, user_uri: String) -> Result<(), KeyStoreFailure> {
        let path = self.directory.join(format!("{}.keys", hex_name(&user_uri)));
        match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }
}

/// The provided key store: one encrypted file per user in `directory`
/// (created if missing), AES-256-GCM under an Argon2id key from `passphrase`
/// (at least 16 octets; on a phone, draw it once and keep it in the platform
/// keystore).
#[uniffi::export]
pub fn encrypted_file_key_store(
    directory: String,
    passphrase: Vec<u8>,
) -> Result<Arc<dyn KeyStore>, MikeySakkeError> {
    let passphrase = Zeroizing::new(passphrase);
    let secret = OperatorSecret::new(passphrase.to_vec())
        .map_err(|e| MikeySakkeError::invalid(format!("passphrase: {e}")))?;
    let dir = Path::new(&directory);
    std::fs::create_dir_all(dir)
        .map_err(|e| MikeySakkeError::invalid(format!("directory {directory}: {e}")))?;
    Ok(Arc::new(FileKeyStore {
        directory: dir.to_owned(),
        secret,
        params: KdfParams::default(),
        files: Mutex::new(HashMap::new()),
    }))
}
