//! Encryption at rest: the operator secret, the sealing key derived from it
//! (Argon2id) and AES-256-GCM sealing of the master secrets and issued SSKs.

use std::fmt;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use mikey_sakke::random::{OsRandom, SecureRandom};
use zeroize::Zeroizing;

/// The environment variable holding the operator secret.
pub const SECRET_ENV: &str = "MSK_KMS_SECRET";
/// The environment variable naming a file that holds the operator secret.
pub const SECRET_FILE_ENV: &str = "MSK_KMS_SECRET_FILE";

const NONCE_LEN: usize = 12;

/// Errors of the sealing layer. No message contains secret material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// No operator secret was supplied.
    #[error("no operator secret: set {SECRET_ENV} or {SECRET_FILE_ENV}")]
    NoSecret,
    /// The operator secret is shorter than 16 octets.
    #[error("the operator secret must be at least 16 octets long")]
    SecretTooShort,
    /// The operator secret file could not be read.
    #[error("reading the operator secret file: {0}")]
    Io(#[from] std::io::Error),
    /// The key-derivation parameters are invalid.
    #[error("invalid key-derivation parameters")]
    KdfParams,
    /// A sealed value does not open: wrong operator secret, or tampered data.
    #[error("a sealed value does not decrypt (wrong operator secret or corrupted store)")]
    Open,
    /// The random generator failed.
    #[error("the random number generator failed")]
    Random,
}

/// The operator secret protecting the KMS master secrets: zeroized on drop,
/// redacted in `Debug`.
pub struct OperatorSecret(Zeroizing<Vec<u8>>);

impl fmt::Debug for OperatorSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OperatorSecret(..)")
    }
}

impl OperatorSecret {
    /// From octets (at least 16).
    pub fn new(secret: impl Into<Vec<u8>>) -> Result<OperatorSecret, SealError> {
        let s = Zeroizing::new(secret.into());
        if s.len() < 16 {
            return Err(SealError::SecretTooShort);
        }
        Ok(OperatorSecret(s))
    }

    /// Reads the file `path` (a trailing newline is removed).
    pub fn from_file(path: &Path) -> Result<OperatorSecret, SealError> {
        let mut bytes = Zeroizing::new(std::fs::read(path)?);
        while matches!(bytes.last(), Some(b'\n' | b'\r')) {
            bytes.pop();
        }
        OperatorSecret::new(bytes.to_vec())
    }

    /// From `MSK_KMS_SECRET`, or else the file named by `MSK_KMS_SECRET_FILE`.
    pub fn from_env() -> Result<OperatorSecret, SealError> {
        if let Some(v) = std::env::var_os(SECRET_ENV) {
            let v = Zeroizing::new(v.into_encoded_bytes());
            return OperatorSecret::new(v.to_vec());
        }
        if let Some(p) = std::env::var_os(SECRET_FILE_ENV) {
            return OperatorSecret::from_file(Path::new(&p));
        }
        Err(SealError::NoSecret)
    }
}

/// Argon2id parameters of the sealing-key derivation (stored with the KMS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory, KiB.
    pub m_cost_kib: u32,
    /// Passes.
    pub t_cost: u32,
}

impl Default for KdfParams {
    /// 64 MiB, 3 passes.
    fn default() -> Self {
        KdfParams {
            m_cost_kib: 64 * 1024,
            t_cost: 3,
        }
    }
}

impl KdfParams {
    /// Cheap parameters for tests (8 MiB, 1 pass). Not for production.
    pub fn fast_for_tests() -> KdfParams {
        KdfParams {
            m_cost_kib: 8 * 1024,
            t_cost: 1,
        }
    }
}

/// The AES-256-GCM key derived from the operator secret.
pub struct SealingKey(Aes256Gcm);

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

impl SealingKey {
    /// `Argon2id(secret, salt)` with `params`, 32 octets.
    pub fn derive(
        secret: &OperatorSecret,
        salt: &[u8],
        params: KdfParams,
    ) -> Result<SealingKey, SealError> {
        let p = argon2::Params::new(params.m_cost_kib, params.t_cost, 1, Some(32))
            .map_err(|_| SealError::KdfParams)?;
        let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
        let mut key = Zeroizing::new([0u8; 32]);
        a.hash_password_into(&secret.0, salt, &mut *key)
            .map_err(|_| SealError::KdfParams)?;
        let cipher = Aes256Gcm::new_from_slice(&*key).map_err(|_| SealError::KdfParams)?;
        Ok(SealingKey(cipher))
    }

    /// `nonce || AES-256-GCM(plaintext, aad)`.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRandom.fill(&mut nonce).map_err(|_| SealError::Random)?;
        let n = aes_gcm::Nonce::try_from(&nonce[..]).map_err(|_| SealError::Random)?;
        let ct = self
            .0
            .encrypt(
                &n,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| SealError::Random)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Opens what [`SealingKey::seal`] produced with the same `aad`.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(SealError::Open);
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        let n = aes_gcm::Nonce::try_from(nonce).map_err(|_| SealError::Open)?;
        self.0
            .decrypt(&n, Payload { msg: ct, aad })
            .map(Zeroizing::new)
            .map_err(|_| SealError::Open)
    }
}

/// Fresh random octets.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], SealError> {
    let mut b = [0u8; N];
    OsRandom.fill(&mut b).map_err(|_| SealError::Random)?;
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_wrong_secret() {
        let s = OperatorSecret::new(b"correct horse battery staple".to_vec()).unwrap();
        let k = SealingKey::derive(&s, b"salt-salt-salt-1", KdfParams::fast_for_tests()).unwrap();
        let sealed = k.seal(b"master secret", b"aad").unwrap();
        assert_eq!(sealed.len(), 12 + 13 + 16);
        assert_eq!(&*k.open(&sealed, b"aad").unwrap(), b"master secret");
        assert!(matches!(k.open(&sealed, b"other"), Err(SealError::Open)));
        let wrong = OperatorSecret::new(b"wrong horse battery staple".to_vec()).unwrap();
        let k2 =
            SealingKey::derive(&wrong, b"salt-salt-salt-1", KdfParams::fast_for_tests()).unwrap();
        assert!(matches!(k2.open(&sealed, b"aad"), Err(SealError::Open)));
        assert!(matches!(
            OperatorSecret::new(b"short".to_vec()),
            Err(SealError::SecretTooShort)
        ));
        assert_eq!(format!("{s:?}"), "OperatorSecret(..)");
    }
}
