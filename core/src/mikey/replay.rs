//! The replay cache of received I_MESSAGEs (RFC 3830 §5.4; SPEC §9.4 R2).

use std::collections::{BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use super::MikeyError;

/// Default capacity of a [`ReplayCache`].
pub const DEFAULT_REPLAY_CAPACITY: usize = 4096;

/// Remembers the accepted I_MESSAGEs `(initiator, T, RAND, CSB ID)` until their
/// timestamp leaves the acceptance window (RFC 3830 §5.4), so that a message is
/// accepted at most once. Memory is bounded: at most `capacity` entries (each a
/// 32-octet digest and its expiry). When the cache is full of unexpired entries a
/// new message is refused with [`MikeyError::ReplayCacheFull`] rather than evicting
/// an entry that could then be replayed.
///
/// Sans-I/O: the caller passes the current NTP seconds to every call.
#[derive(Debug, Clone)]
pub struct ReplayCache {
    capacity: usize,
    /// digest → expiry (NTP seconds).
    entries: HashMap<[u8; 32], u64>,
    /// (expiry, digest), for expiry in order.
    by_expiry: BTreeSet<(u64, [u8; 32])>,
}

impl Default for ReplayCache {
    fn default() -> Self {
        Self::new(DEFAULT_REPLAY_CAPACITY)
    }
}

impl ReplayCache {
    /// A cache holding at most `capacity` entries (at least 1).
    pub fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity: capacity.max(1),
            entries: HashMap::new(),
            by_expiry: BTreeSet::new(),
        }
    }

    /// The digest identifying a message: SHA-256 over the length-prefixed
    /// initiator identifier, the T value, the length-prefixed RAND and the CSB ID.
    pub fn key(initiator: &[u8], timestamp: u64, rand: &[u8], csb_id: u32) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update((initiator.len() as u64).to_be_bytes());
        h.update(initiator);
        h.update(timestamp.to_be_bytes());
        h.update((rand.len() as u64).to_be_bytes());
        h.update(rand);
        h.update(csb_id.to_be_bytes());
        h.finalize().into()
    }

    /// Drops the entries whose expiry is at or before `now` (NTP seconds).
    pub fn expire(&mut self, now: u64) {
        while let Some(&(exp, key)) = self.by_expiry.first() {
            if exp > now {
                break;
            }
            self.by_expiry.remove(&(exp, key));
            self.entries.remove(&key);
        }
    }

    /// Fails with [`MikeyError::Replay`] if `key` was accepted and has not expired
    /// at `now`; with [`MikeyError::ReplayCacheFull`] if it could not be recorded.
    pub fn check(&mut self, key: &[u8; 32], now: u64) -> Result<(), MikeyError> {
        self.expire(now);
        if self.entries.contains_key(key) {
            return Err(MikeyError::Replay);
        }
        if self.entries.len() >= self.capacity {
            return Err(MikeyError::ReplayCacheFull);
        }
        Ok(())
    }

    /// Records an accepted message until `expiry` (NTP seconds).
    pub fn insert(&mut self, key: [u8; 32], expiry: u64, now: u64) -> Result<(), MikeyError> {
        self.check(&key, now)?;
        self.entries.insert(key, expiry);
        self.by_expiry.insert((expiry, key));
        Ok(())
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_until_expiry_and_is_bounded() {
        let mut c = ReplayCache::new(2);
        let a = ReplayCache::key(b"i", 1, b"r", 7);
        let b = ReplayCache::key(b"i", 2, b"r", 7);
        let d = ReplayCache::key(b"i", 3, b"r", 7);
        assert_ne!(a, b);
        c.insert(a, 100, 0).unwrap();
        assert_eq!(c.check(&a, 50), Err(MikeyError::Replay));
        c.insert(b, 200, 50).unwrap();
        assert_eq!(c.insert(d, 300, 60), Err(MikeyError::ReplayCacheFull));
        // a expires at 100: room again, and a is no longer remembered.
        c.check(&a, 100).unwrap();
        c.insert(d, 300, 100).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.check(&b, 150), Err(MikeyError::Replay));
        c.expire(1000);
        assert!(c.is_empty());
    }

    #[test]
    fn key_separates_fields() {
        assert_ne!(
            ReplayCache::key(b"ab", 1, b"c", 0),
            ReplayCache::key(b"a", 1, b"bc", 0)
        );
        assert_ne!(
            ReplayCache::key(b"a", 1, b"c", 0),
            ReplayCache::key(b"a", 1, b"c", 1)
        );
    }
}
