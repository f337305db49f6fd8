//! TS 33.180 Annex D key management server (KMS) and its client for the
//! MIKEY-SAKKE SDK.
//!
//! | Module | What |
//! |---|---|
//! | [`seal`] | the operator secret and the encryption of master secrets and SSKs at rest |
//! | `store` | `store::KmsStore`, the KMS state, and its SQLite backend |
//! | `pg_store` | the PostgreSQL backend (feature `postgres`, on by default) |
//! | `service` | `service::Kms`: users, issuance with stored (SSK, PVT), trusted KMSs |
//! | `server` | the HTTP(S) server of TS 33.180 D.2 (axum, rustls) |
//! | [`client`] | [`client::KmsClient`]: init, keyprov, certcache with validation of every key |
//! | [`keystore`] | what a client holds, [`keystore::ClientKeyStore`] and its encrypted file backend |
//! | [`mikey`] | [`keystore::ClientKeys`] → MIKEY trust store and local user |
//!
//! `store`, `service` and `server` need the feature `server` (default);
//! without it the crate is the client side only (client, key store), which
//! is what a device or the mobile bindings build.
//!
//! The documents and the issuance arithmetic are those of
//! [`mikey_sakke::kms`]; this crate adds I/O.
#![deny(missing_docs)]

pub mod client;
pub mod keystore;
pub mod mikey;
#[cfg(feature = "postgres")]
pub mod pg_store;
pub mod seal;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod service;
#[cfg(feature = "server")]
pub mod store;

/// The path prefix of the KMS interface (TS 33.180 D.2).
pub const PREFIX: &str = "/keymanagement/identity/v1";
