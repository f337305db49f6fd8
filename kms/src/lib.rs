//! TS 33.180 Annex D key management server (KMS) and client for the
//! MIKEY-SAKKE SDK (work in progress: the document formats and issuance are
//! in [`mikey_sakke::kms`]).
#![deny(missing_docs)]
