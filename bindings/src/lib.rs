//! Mobile and server-side bindings of the MIKEY-SAKKE SDK.
//!
//! [uniffi](https://mozilla.github.io/uniffi-rs) generates Kotlin (Android,
//! JVM), Swift (iOS) and Python from this crate; `android/` and `ios/` wrap
//! the generated code idiomatically. The crate is a thin layer over
//! `mikey-sakke` (core) and `mikey-sakke-kms` (client side): argument
//! conversion, one call, error mapping. The protocol lives in the core.
//!
//! | Module | What the app sees |
//! |---|---|
//! | [`error`] | [`MikeySakkeError`], the one stable error type of the bindings |
//! | [`provision`] | [`KmsClient`]: `suspend`/`async` provisioning from the user's KMS (TS 33.180 Annex D) |
//! | [`keystore`] | [`KeyStore`], implemented by the app (Android Keystore, iOS Keychain) or [`encrypted_file_key_store`] |
//! | [`device`] | [`Device`]: `initiate` and `receive` I_MESSAGEs (RFC 6509, TS 33.180 §7) |
//! | [`media`] | [`CallKey`] and [`SrtpSession`]: SRTP/SRTCP contexts that stay in Rust |
//! | [`sdp`] | SDP `a=key-mgmt:mikey` helpers (RFC 4567) |
//! | [`jni`] | the per-packet JNI fast path on the JVM/Android |
//!
//! Secrets (keys, SSV, SRTP master keys) stay in Rust objects; they cross the
//! boundary only through [`SrtpSession::export_key_material`] and the stored
//! key blob a [`KeyStore`] keeps. Every object has a `wipe` method that
//! erases its secrets at once; the Kotlin and Swift wrappers call it from
//! `close()` / `deinit`.

uniffi::setup_scaffolding!();

pub mod device;
pub mod error;
pub mod jni;
pub mod keystore;
pub mod media;
pub mod provision;
pub mod sdp;

pub use device::{Device, InitiatedCall, MemberMessage, Peer, ReceivedCall};
pub use error::MikeySakkeError;
pub use keystore::{encrypted_file_key_store, KeyStore, KeyStoreFailure};
pub use media::{CallKey, KeyKind, SrtpKeyMaterial, SrtpSession};
pub use provision::{KmsClient, KmsClientConfig, ProvisionedUser};
