//! Persistent KMS state behind [`KmsStore`], with the SQLite default backend
//! [`SqliteStore`].
//!
//! Everything the KMS must not forget is written in a transaction that is
//! committed before the caller proceeds (before an HTTP response is sent or
//! an administrative command reports success): the master secrets (sealed),
//! the certificate, users with their hashed tokens, the (SSK, PVT) issued
//! for each user and period (SSK sealed), trusted external KMS certificates
//! and the audit log.

use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// Errors of a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database reported an error.
    #[error("database: {0}")]
    Db(String),
    /// The store holds no KMS yet (run `msk kms init`).
    #[error("the store holds no KMS (run `msk kms init` first)")]
    NotInitialised,
    /// The store already holds a KMS.
    #[error("the store already holds a KMS")]
    AlreadyInitialised,
    /// A user with this URI exists.
    #[error("user {0} already exists")]
    UserExists(String),
    /// No user with this URI.
    #[error("no user {0}")]
    NoSuchUser(String),
    /// A stored value is malformed.
    #[error("corrupted store: {0}")]
    Corrupt(&'static str),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e.to_string())
    }
}

/// The stored KMS: public certificate and sealed master secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsRecord {
    /// `KmsUri`.
    pub kms_uri: String,
    /// The root `KmsCertificate` XML.
    pub cert_xml: String,
    /// Argon2id salt of the sealing key.
    pub kdf_salt: Vec<u8>,
    /// Argon2id memory, KiB.
    pub kdf_m_cost_kib: u32,
    /// Argon2id passes.
    pub kdf_t_cost: u32,
    /// `seal(KSAK || z)`.
    pub sealed_master: Vec<u8>,
}

/// A user of the KMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// The user URI (P1 of the UID).
    pub uri: String,
    /// Whether the user may obtain keys.
    pub enabled: bool,
    /// Unix seconds of creation.
    pub created: i64,
}

/// A stored (SSK, PVT) of a user for a key period (SSK sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    /// `seal(SSK)`.
    pub sealed_ssk: Vec<u8>,
    /// PVT, 65 octets.
    pub pvt: Vec<u8>,
}

/// One audit-log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Unix seconds.
    pub at: i64,
    /// What happened (`issue`, `user-add`, `user-revoke`, `trust-add`, ...).
    pub event: String,
    /// The user concerned, if any.
    pub user_uri: Option<String>,
    /// The key period concerned, if any.
    pub period_no: Option<u64>,
}

/// The storage interface of the KMS: SQLite ([`SqliteStore`]) by default;
/// another database can implement it. Every mutating method is durable when
/// it returns.
pub trait KmsStore: Send + Sync + std::fmt::Debug {
    /// The KMS, if initialised.
    fn load_kms(&self) -> Result<Option<KmsRecord>, StoreError>;
    /// Stores the KMS; fails if one exists.
    fn create_kms(&self, rec: &KmsRecord) -> Result<(), StoreError>;
    /// Adds an enabled user with the SHA-256 hash of its bearer token.
    fn add_user(&self, uri: &str, token_hash: &[u8; 32]) -> Result<(), StoreError>;
    /// Disables a user for good.
    fn revoke_user(&self, uri: &str) -> Result<(), StoreError>;
    /// The user whose token hashes to `token_hash`.
    fn user_by_token(&self, token_hash: &[u8; 32]) -> Result<Option<UserRecord>, StoreError>;
    /// All users.
    fn users(&self) -> Result<Vec<UserRecord>, StoreError>;
    /// The (SSK, PVT) stored for `uri` and period `n`.
    fn signing_key(&self, uri: &str, n: u64) -> Result<Option<SigningKeyRecord>, StoreError>;
    /// Stores `candidate` for `uri` and period `n` unless one is stored
    /// already, records the issuance in the audit log, and returns the
    /// stored record (the existing one if another request won the race).
    fn insert_signing_key(
        &self,
        uri: &str,
        n: u64,
        candidate: &SigningKeyRecord,
    ) -> Result<SigningKeyRecord, StoreError>;
    /// Adds or replaces the certificate of an external KMS; increments the
    /// cache number.
    fn add_trust(&self, kms_uri: &str, cert_xml: &str) -> Result<u64, StoreError>;
    /// Removes a trusted KMS; increments the cache number. `false` if absent.
    fn remove_trust(&self, kms_uri: &str) -> Result<bool, StoreError>;
    /// The cache number and the certificates of the trusted external KMSs.
    fn trusted(&self) -> Result<(u64, Vec<String>), StoreError>;
    /// Appends to the audit log.
    fn audit(&self, event: &str, user_uri: Option<&str>, n: Option<u64>) -> Result<(), StoreError>;
    /// The last `limit` audit entries, oldest first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn period_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt("key period number out of range"))
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS kms (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    kms_uri TEXT NOT NULL,
    cert_xml TEXT NOT NULL,
    kdf_salt BLOB NOT NULL,
    kdf_m_cost INTEGER NOT NULL,
    kdf_t_cost INTEGER NOT NULL,
    sealed_master BLOB NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    uri TEXT PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    enabled INTEGER NOT NULL,
    created INTEGER NOT NULL,
    revoked INTEGER
);
CREATE TABLE IF NOT EXISTS signing_keys (
    user_uri TEXT NOT NULL,
    period_no INTEGER NOT NULL,
    sealed_ssk BLOB NOT NULL,
    pvt BLOB NOT NULL,
    issued INTEGER NOT NULL,
    PRIMARY KEY (user_uri, period_no)
);
CREATE TABLE IF NOT EXISTS trusted_kms (
    kms_uri TEXT PRIMARY KEY,
    cert_xml TEXT NOT NULL,
    added INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    user_uri TEXT,
    period_no INTEGER
);
";

/// The SQLite store: one database file (WAL journal, `synchronous=FULL`),
/// one connection behind a mutex.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

/// The database file name inside a KMS directory.
pub const DB_FILE: &str = "kms.db";

impl SqliteStore {
    /// Opens (creating if needed) the database file `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    /// Opens the store of the KMS directory `dir` (`dir/kms.db`).
    pub fn open_dir(dir: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open(&dir.join(DB_FILE))
    }

    fn conn(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Db("connection mutex poisoned".into()))
    }

    /// Writes a consistent copy of the database to `dest` (`VACUUM INTO`);
    /// safe while the server runs. The copy holds the master secrets sealed
    /// under the operator secret, as the live database does.
    pub fn backup(&self, dest: &Path) -> Result<(), StoreError> {
        let dest = dest
            .to_str()
            .ok_or(StoreError::Db("backup path is not UTF-8".into()))?;
        self.conn()?.execute("VACUUM INTO ?1", params![dest])?;
        Ok(())
    }
}

fn audit_in(
    tx: &Connection,
    event: &str,
    user_uri: Option<&str>,
    n: Option<u64>,
) -> Result<(), StoreError> {
    let n = n.map(period_i64).transpose()?;
    tx.execute(
        "INSERT INTO audit (at, event, user_uri, period_no) VALUES (?1, ?2, ?3, ?4)",
        params![now(), event, user_uri, n],
    )?;
    Ok(())
}

fn bump_cache(tx: &Connection) -> Result<u64, StoreError> {
    tx.execute(
        "INSERT INTO counters (name, value) VALUES ('cache_num', 1)
         ON CONFLICT(name) DO UPDATE SET value = value + 1",
        [],
    )?;
    let v: i64 = tx.query_row(
        "SELECT value FROM counters WHERE name = 'cache_num'",
        [],
        |r| r.get(0),
    )?;
    u64::try_from(v).map_err(|_| StoreError::Corrupt("cache number"))
}

impl KmsStore for SqliteStore {
    fn load_kms(&self) -> Result<Option<KmsRecord>, StoreError> {
        let conn = self.conn()?;
        let rec = conn
            .query_row(
                "SELECT kms_uri, cert_xml, kdf_salt, kdf_m_cost, kdf_t_cost, sealed_master
                 FROM kms WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Vec<u8>>(5)?,
                    ))
                },
            )
            .optional()?;
        rec.map(|(kms_uri, cert_xml, kdf_salt, m, t, sealed_master)| {
            Ok(KmsRecord {
                kms_uri,
                cert_xml,
                kdf_salt,
                kdf_m_cost_kib: u32::try_from(m).map_err(|_| StoreError::Corrupt("kdf cost"))?,
                kdf_t_cost: u32::try_from(t).map_err(|_| StoreError::Corrupt("kdf cost"))?,
                sealed_master,
            })
        })
        .transpose()
    }

    fn create_kms(&self, rec: &KmsRecord) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let exists: i64 = tx.query_row("SELECT COUNT(*) FROM kms", [], |r| r.get(0))?;
        if exists > 0 {
            return Err(StoreError::AlreadyInitialised);
        }
        tx.execute(
            "INSERT INTO kms (id, kms_uri, cert_xml, kdf_salt, kdf_m_cost, kdf_t_cost,
                              sealed_master, created)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                rec.kms_uri,
                rec.cert_xml,
                rec.kdf_salt,
                i64::from(rec.kdf_m_cost_kib),
                i64::from(rec.kdf_t_cost),
                rec.sealed_master,
                now()
            ],
        )?;
        audit_in(&tx, "kms-init", None, None)?;
        tx.commit()?;
        Ok(())
    }

    fn add_user(&self, uri: &str, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let exists: i64 =
            tx.query_row("SELECT COUNT(*) FROM users WHERE uri = ?1", [uri], |r| {
                r.get(0)
            })?;
        if exists > 0 {
            return Err(StoreError::UserExists(uri.to_owned()));
        }
        tx.execute(
            "INSERT INTO users (uri, token_hash, enabled, created) VALUES (?1, ?2, 1, ?3)",
            params![uri, &token_hash[..], now()],
        )?;
        audit_in(&tx, "user-add", Some(uri), None)?;
        tx.commit()?;
        Ok(())
    }

    fn revoke_user(&self, uri: &str) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE users SET enabled = 0, revoked = ?2 WHERE uri = ?1",
            params![uri, now()],
        )?;
        if n == 0 {
            return Err(StoreError::NoSuchUser(uri.to_owned()));
        }
        audit_in(&tx, "user-revoke", Some(uri), None)?;
        tx.commit()?;
        Ok(())
    }

    fn user_by_token(&self, token_hash: &[u8; 32]) -> Result<Option<UserRecord>, StoreError> {
        let conn = self.conn()?;
        Ok(conn
            .query_row(
                "SELECT uri, enabled, created FROM users WHERE token_hash = ?1",
                [&token_hash[..]],
                |r| {
                    Ok(UserRecord {
                        uri: r.get(0)?,
                        enabled: r.get::<_, i64>(1)? != 0,
                        created: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let conn = self.conn()?;
        let mut st = conn.prepare("SELECT uri, enabled, created FROM users ORDER BY uri")?;
        let rows = st.query_map([], |r| {
            Ok(UserRecord {
                uri: r.get(0)?,
                enabled: r.get::<_, i64>(1)? != 0,
                created: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn signing_key(&self, uri: &str, n: u64) -> Result<Option<SigningKeyRecord>, StoreError> {
        let conn = self.conn()?;
        Ok(conn
            .query_row(
                "SELECT sealed_ssk, pvt FROM signing_keys WHERE user_uri = ?1 AND period_no = ?2",
                params![uri, period_i64(n)?],
                |r| {
                    Ok(SigningKeyRecord {
                        sealed_ssk: r.get(0)?,
                        pvt: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    fn insert_signing_key(
        &self,
        uri: &str,
        n: u64,
        candidate: &SigningKeyRecord,
    ) -> Result<SigningKeyRecord, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let pn = period_i64(n)?;
        let existing = tx
            .query_row(
                "SELECT sealed_ssk, pvt FROM signing_keys WHERE user_uri = ?1 AND period_no = ?2",
                params![uri, pn],
                |r| {
                    Ok(SigningKeyRecord {
                        sealed_ssk: r.get(0)?,
                        pvt: r.get(1)?,
                    })
                },
            )
            .optional()?;
        if let Some(e) = existing {
            return Ok(e);
        }
        tx.execute(
            "INSERT INTO signing_keys (user_uri, period_no, sealed_ssk, pvt, issued)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![uri, pn, candidate.sealed_ssk, candidate.pvt, now()],
        )?;
        audit_in(&tx, "issue", Some(uri), Some(n))?;
        tx.commit()?;
        Ok(candidate.clone())
    }

    fn add_trust(&self, kms_uri: &str, cert_xml: &str) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO trusted_kms (kms_uri, cert_xml, added) VALUES (?1, ?2, ?3)
             ON CONFLICT(kms_uri) DO UPDATE SET cert_xml = excluded.cert_xml, added = excluded.added",
            params![kms_uri, cert_xml, now()],
        )?;
        let n = bump_cache(&tx)?;
        audit_in(&tx, "trust-add", Some(kms_uri), None)?;
        tx.commit()?;
        Ok(n)
    }

    fn remove_trust(&self, kms_uri: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute("DELETE FROM trusted_kms WHERE kms_uri = ?1", [kms_uri])?;
        if n > 0 {
            bump_cache(&tx)?;
            audit_in(&tx, "trust-remove", Some(kms_uri), None)?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    fn trusted(&self) -> Result<(u64, Vec<String>), StoreError> {
        let conn = self.conn()?;
        let num: Option<i64> = conn
            .query_row(
                "SELECT value FROM counters WHERE name = 'cache_num'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let num = u64::try_from(num.unwrap_or(0)).map_err(|_| StoreError::Corrupt("cache"))?;
        let mut st = conn.prepare("SELECT cert_xml FROM trusted_kms ORDER BY kms_uri")?;
        let certs = st
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?;
        Ok((num, certs))
    }

    fn audit(&self, event: &str, user_uri: Option<&str>, n: Option<u64>) -> Result<(), StoreError> {
        let conn = self.conn()?;
        audit_in(&conn, event, user_uri, n)
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let conn = self.conn()?;
        let mut st = conn.prepare(
            "SELECT at, event, user_uri, period_no FROM
               (SELECT * FROM audit ORDER BY id DESC LIMIT ?1) ORDER BY id",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = st.query_map([limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<i64>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (at, event, user_uri, n) = row?;
            out.push(AuditEntry {
                at,
                event,
                user_uri,
                period_no: n.map(|n| u64::try_from(n).unwrap_or(0)),
            });
        }
        Ok(out)
    }
}

/// Replaces the database of `dir` with the backup file `backup` (the server
/// must be stopped). The backup is checked to be a KMS database first.
pub fn restore(dir: &Path, backup: &Path) -> Result<(), StoreError> {
    {
        let check =
            Connection::open_with_flags(backup, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let n: i64 = check.query_row("SELECT COUNT(*) FROM kms", [], |r| r.get(0))?;
        if n != 1 {
            return Err(StoreError::NotInitialised);
        }
    }
    let db = dir.join(DB_FILE);
    let tmp = dir.join("kms.db.restore");
    std::fs::copy(backup, &tmp).map_err(|e| StoreError::Db(e.to_string()))?;
    for ext in ["-wal", "-shm"] {
        let p = dir.join(format!("{DB_FILE}{ext}"));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| StoreError::Db(e.to_string()))?;
        }
    }
    std::fs::rename(&tmp, &db).map_err(|e| StoreError::Db(e.to_string()))?;
    Ok(())
}
