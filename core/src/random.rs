//! Randomness.
//!
//! Every operation that draws secrets (KMS master keys, ECCSI `v` and `j`,
//! fresh SSVs) takes a [`SecureRandom`], so that applications can supply
//! their own source and so that this crate stays free of global state.
//! [`OsRandom`] reads the operating system's CSPRNG.

/// The system random number generator could not deliver bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system random number generator failed")]
pub struct RandomError;

/// A cryptographically secure source of random octets.
pub trait SecureRandom {
    /// Fills `dest` entirely with random octets.
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError>;
}

/// The operating system's CSPRNG (`getrandom(2)` on Linux and Android,
/// `SecRandomCopyBytes`-equivalent on Apple platforms).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl SecureRandom for OsRandom {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        getrandom::fill(dest).map_err(|_| RandomError)
    }
}

impl<R: SecureRandom + ?Sized> SecureRandom for &mut R {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        (**self).fill(dest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_random_fills_and_differs() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        OsRandom.fill(&mut a).unwrap();
        OsRandom.fill(&mut b).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
    }
}
