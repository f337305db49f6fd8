//! The PostgreSQL backend of [`KmsStore`]: several stateless KMS processes
//! (each opened with the same operator secret) can serve from one database.
//!
//! Every method runs in its own transaction; the issuance of an (SSK, PVT)
//! uses `INSERT … ON CONFLICT DO NOTHING`, so two processes racing for the
//! same user and period end up returning the same stored key pair. The
//! synchronous `postgres` client is used; call it from a blocking context
//! (the server does, via `spawn_blocking`), not from async code directly.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use postgres::{Client, NoTls};

use crate::store::{AuditEntry, KmsRecord, KmsStore, SigningKeyRecord, StoreError, UserRecord};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS kms (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    kms_uri TEXT NOT NULL,
    cert_xml TEXT NOT NULL,
    kdf_salt BYTEA NOT NULL,
    kdf_m_cost BIGINT NOT NULL,
    kdf_t_cost BIGINT NOT NULL,
    sealed_master BYTEA NOT NULL,
    created BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    uri TEXT PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE,
    enabled BOOLEAN NOT NULL,
    created BIGINT NOT NULL,
    revoked BIGINT
);
CREATE TABLE IF NOT EXISTS signing_keys (
    user_uri TEXT NOT NULL,
    period_no BIGINT NOT NULL,
    sealed_ssk BYTEA NOT NULL,
    pvt BYTEA NOT NULL,
    issued BIGINT NOT NULL,
    PRIMARY KEY (user_uri, period_no)
);
CREATE TABLE IF NOT EXISTS trusted_kms (
    kms_uri TEXT PRIMARY KEY,
    cert_xml TEXT NOT NULL,
    added BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    user_uri TEXT,
    period_no BIGINT
);
";

fn db(e: postgres::Error) -> StoreError {
    StoreError::Db(e.to_string())
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

/// A KMS store in PostgreSQL.
pub struct PgStore {
    client: Mutex<Client>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgStore(..)")
    }
}

fn audit_in(
    tx: &mut postgres::Transaction<'_>,
    event: &str,
    user_uri: Option<&str>,
    n: Option<u64>,
) -> Result<(), StoreError> {
    let n = n.map(period_i64).transpose()?;
    tx.execute(
        "INSERT INTO audit (at, event, user_uri, period_no) VALUES ($1, $2, $3, $4)",
        &[&now(), &event, &user_uri, &n],
    )
    .map_err(db)?;
    Ok(())
}

fn bump_cache(tx: &mut postgres::Transaction<'_>) -> Result<u64, StoreError> {
    let row = tx
        .query_one(
            "INSERT INTO counters (name, value) VALUES ('cache_num', 1)
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            &[],
        )
        .map_err(db)?;
    u64::try_from(row.get::<_, i64>(0)).map_err(|_| StoreError::Corrupt("cache number"))
}

impl PgStore {
    /// Connects with a libpq-style configuration string (for example
    /// `host=127.0.0.1 port=5432 user=kms dbname=kms`) without TLS — use a
    /// local socket or loopback — and creates the tables if needed.
    pub fn connect(config: &str) -> Result<PgStore, StoreError> {
        let mut client = Client::connect(config, NoTls).map_err(db)?;
        let mut tx = client.transaction().map_err(db)?;
        // Serialise schema creation between processes starting together.
        tx.execute("SELECT pg_advisory_xact_lock(7332180)", &[])
            .map_err(db)?;
        tx.batch_execute(SCHEMA).map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(PgStore {
            client: Mutex::new(client),
        })
    }

    fn client(&self) -> Result<std::sync::MutexGuard<'_, Client>, StoreError> {
        self.client
            .lock()
            .map_err(|_| StoreError::Db("connection mutex poisoned".into()))
    }
}

fn signing_row(row: &postgres::Row) -> SigningKeyRecord {
    SigningKeyRecord {
        sealed_ssk: row.get(0),
        pvt: row.get(1),
    }
}

impl KmsStore for PgStore {
    fn load_kms(&self) -> Result<Option<KmsRecord>, StoreError> {
        let mut c = self.client()?;
        let row = c
            .query_opt(
                "SELECT kms_uri, cert_xml, kdf_salt, kdf_m_cost, kdf_t_cost, sealed_master
                 FROM kms WHERE id = 1",
                &[],
            )
            .map_err(db)?;
        row.map(|r| {
            Ok(KmsRecord {
                kms_uri: r.get(0),
                cert_xml: r.get(1),
                kdf_salt: r.get(2),
                kdf_m_cost_kib: u32::try_from(r.get::<_, i64>(3))
                    .map_err(|_| StoreError::Corrupt("kdf cost"))?,
                kdf_t_cost: u32::try_from(r.get::<_, i64>(4))
                    .map_err(|_| StoreError::Corrupt("kdf cost"))?,
                sealed_master: r.get(5),
            })
        })
        .transpose()
    }

    fn create_kms(&self, rec: &KmsRecord) -> Result<(), StoreError> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(db)?;
        let n = tx
            .execute(
                "INSERT INTO kms (id, kms_uri, cert_xml, kdf_salt, kdf_m_cost, kdf_t_cost,
                                  sealed_master, created)
                 VALUES (1, $1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
                &[
                    &rec.kms_uri,
                    &rec.cert_xml,
                    &rec.kdf_salt,
                    &i64::from(rec.kdf_m_cost_kib),
                    &i64::from(rec.kdf_t_cost),
                    &rec.sealed_master,
                    &now(),
                ],
            )
            .map_err(db)?;
        if n == 0 {
            return Err(StoreError::AlreadyInitialised);
        }
        audit_in(&mut tx, "kms-init", None, None)?;
        tx.commit().map_err(db)
    }

    fn add_user(&self, uri: &str, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(db)?;
        let n = tx
            .execute(
                "INSERT INTO users (uri, token_hash, enabled, created) VALUES ($1, $2, TRUE, $3)
                 ON CONFLICT (uri) DO NOTHING",
                &[&uri, &&token_hash[..], &now()],
            )
            .map_err(db)?;
        if n == 0 {
            return Err(StoreError::UserExists(uri.to_owned()));
        }
        audit_in(&mut tx, "user-add", Some(uri), None)?;
        tx.commit().map_err(db)
    }

    fn revoke_user(&self, uri: &str) -> Result<(), StoreError> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(db)?;
        let n = tx
            .execute(
                "UPDATE users SET enabled = FALSE, revoked = $2 WHERE uri = $1",
                &[&uri, &now()],
            )
            .map_err(db)?;
        if n == 0 {
            return Err(StoreError::NoSuchUser(uri.to_owned()));
        }
        audit_in(&mut tx, "user-revoke", Some(uri), None)?;
        tx.commit().map_err(db)
    }

    fn user_by_token(&self, token_hash: &[u8; 32]) -> Result<Option<UserRecord>, StoreError> {
        let mut c = self.client()?;
        let row = c
            .query_opt(
                "SELECT uri, enabled, created FROM users WHERE token_hash = $1",
                &[&&token_hash[..]],
            )
            .map_err(db)?;
        Ok(row.map(|r| UserRecord {
            uri: r.get(0),
            enabled: r.get(1),
            created: r.get(2),
        }))
    }

    fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let mut c = self.client()?;
        let rows = c
            .query("SELECT uri, enabled, created FROM users ORDER BY uri", &[])
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| UserRecord {
                uri: r.get(0),
                enabled: r.get(1),
                created: r.get(2),
            })
            .collect())
    }

    fn signing_key(&self, uri: &str, n: u64) -> Result<Option<SigningKeyRecord>, StoreError> {
        let mut c = self.client()?;
        let row = c
            .query_opt(
                "SELECT sealed_ssk, pvt FROM signing_keys WHERE user_uri = $1 AND period_no = $2",
                &[&uri, &period_i64(n)?],
            )
            .map_err(db)?;
        Ok(row.as_ref().map(signing_row))
    }

    fn insert_signing_key(
        &self,
        uri: &str,
        n: u64,
        candidate: &SigningKeyRecord,
    ) -> Result<SigningKeyRecord, StoreError> {
        let pn = period_i64(n)?;
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(db)?;
        let inserted = tx
            .execute(
                "INSERT INTO signing_keys (user_uri, period_no, sealed_ssk, pvt, issued)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_uri, period_no) DO NOTHING",
                &[&uri, &pn, &candidate.sealed_ssk, &candidate.pvt, &now()],
            )
            .map_err(db)?;
        let stored = if inserted == 1 {
            audit_in(&mut tx, "issue", Some(uri), Some(n))?;
            candidate.clone()
        } else {
            let row = tx
                .query_one(
                    "SELECT sealed_ssk, pvt FROM signing_keys WHERE user_uri = $1 AND period_no = $2",
                    &[&uri, &pn],
                )
                .map_err(db)?;
            signing_row(&row)
        };
        tx.commit().map_err(db)?;
        Ok(stored)
    }

    fn add_trust(&self, kms_uri: &str, cert_xml: &str) -> Result<u64, StoreError> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(db)?;
        tx.execute(
            "INSERT INTO trusted_kms (kms_uri, cert_xml, added) VALUES ($1, $2, $3)
             ON CONFLICT (kms_uri) DO UPDATE SET cert_xml = excluded.cert_xml, added = excluded.added",
            &[&kms_uri, &cert_xml, &now()],
        )
        .map_err(db)?;
        let n = bump_cache(&mut tx)?;
        audit_in(&mut tx, "trust-add", Some(kms_uri), None)?;
        tx.commit().map_err(db)?;
        Ok(n)
    }

    fn remove_trust(&self, kms_uri: &str) -> Result<bool, StoreError> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(db)?;
        let n = tx
            .execute("DELETE FROM trusted_kms WHERE kms_uri = $1", &[&kms_uri])
            .map_err(db)?;
        if n > 0 {
            bump_cache(&mut tx)?;
            audit_in(&mut tx, "trust-remove", Some(kms_uri), None)?;
        }
        tx.commit().map_err(db)?;
        Ok(n > 0)
    }

    fn trusted(&self) -> Result<(u64, Vec<String>), StoreError> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(db)?;
        let num = tx
            .query_opt("SELECT value FROM counters WHERE name = 'cache_num'", &[])
            .map_err(db)?
            .map(|r| r.get::<_, i64>(0))
            .unwrap_or(0);
        let rows = tx
            .query("SELECT cert_xml FROM trusted_kms ORDER BY kms_uri", &[])
            .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok((
            u64::try_from(num).map_err(|_| StoreError::Corrupt("cache number"))?,
            rows.iter().map(|r| r.get(0)).collect(),
        ))
    }

    fn audit(&self, event: &str, user_uri: Option<&str>, n: Option<u64>) -> Result<(), StoreError> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(db)?;
        audit_in(&mut tx, event, user_uri, n)?;
        tx.commit().map_err(db)
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let mut c = self.client()?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = c
            .query(
                "SELECT at, event, user_uri, period_no FROM
                   (SELECT * FROM audit ORDER BY id DESC LIMIT $1) AS last ORDER BY id",
                &[&limit],
            )
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                at: r.get(0),
                event: r.get(1),
                user_uri: r.get(2),
                period_no: r
                    .get::<_, Option<i64>>(3)
                    .map(|n| u64::try_from(n).unwrap_or(0)),
            })
            .collect())
    }
}
