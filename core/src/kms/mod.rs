//! TS 33.180 Annex D KMS documents and KMS-side issuance (sans-I/O).
//!
//! * [`KmsRequest`] and [`KmsResponse`] (TS 33.180 D.2.2, D.3) with the
//!   [`KmsMessage`] choice of `KmsInit`, `KmsKeyProv` and `KmsCertCache`, in the
//!   namespace [`NAMESPACE`] (`urn:3gpp:ns:mcsecKMSInterface:1.0`).
//! * [`KmsCertificate`] (TS 33.180 D.3, KMS certificates) and [`KmsKeySet`]
//!   (TS 33.180 D.3, user key provisioning).
//! * [`KmsIssuer`]: the master secrets of one KMS ([`KmsMasterSecrets`]), its
//!   root certificate and the issuance of a user's key set for a key period
//!   (ECCSI SSK/PVT, RFC 6507 §5.1.1; SAKKE RSK, RFC 6508 §6.1.1) for the
//!   TS 33.180 F.2.1 UID.
//! * [`validate_key_set`]: the client-side checks of a received key set
//!   (SPEC §8.6, checklist K4).
//!
//! Parsing is strict: elements of the KMS namespace must appear in schema
//! order, unknown or missing ones are errors, elements from other namespaces
//! are skipped (the schema's `xsd:any` extension points), key fields must
//! decode (hex, or base64 as a fallback) to their exact length (checklist
//! E11). A DOCTYPE is refused, so no entity is ever expanded. The security
//! extensions (signed documents, `xenc:EncryptedKey`, KRRs) are reported as
//! [`KmsDocError::Unsupported`].
//!
//! No error message contains key material.

mod datetime;
mod doc;
mod issuer;
mod xml;

pub use datetime::DateTime;
pub use doc::{
    CertRole, KmsCertificate, KmsErrorInfo, KmsKeySet, KmsMessage, KmsRequest, KmsResponse,
    NAMESPACE,
};
pub use issuer::{validate_key_set, KmsConfig, KmsIssuer, KmsMasterSecrets};

use crate::eccsi::EccsiError;
use crate::identity::IdentityError;
use crate::sakke::SakkeError;

/// Errors of the KMS document formats, issuance and key-set validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KmsDocError {
    /// The document is not well-formed XML.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// The document contains a DOCTYPE declaration (refused: no entity expansion).
    #[error("a DOCTYPE declaration is not allowed")]
    DocType,
    /// The document is nested too deeply or has too many elements.
    #[error("the document is too large or nested too deeply")]
    TooComplex,
    /// The root element is not the expected one.
    #[error("expected root element {expected}, found {found}")]
    WrongRoot {
        /// The expected local name.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// An element is not in the KMS interface namespace.
    #[error("element {element} is not in namespace urn:3gpp:ns:mcsecKMSInterface:1.0")]
    WrongNamespace {
        /// The element's local name.
        element: String,
    },
    /// An element of the KMS namespace that is not allowed at this place.
    #[error("unexpected element {element} in {parent}")]
    UnexpectedElement {
        /// The enclosing element.
        parent: &'static str,
        /// The element found.
        element: String,
    },
    /// A mandatory element is missing.
    #[error("missing element {element} in {parent}")]
    MissingElement {
        /// The enclosing element.
        parent: &'static str,
        /// The missing element.
        element: &'static str,
    },
    /// Non-blank text where only elements are allowed.
    #[error("unexpected text in {element}")]
    UnexpectedText {
        /// The element.
        element: &'static str,
    },
    /// A mandatory attribute is missing.
    #[error("missing attribute {attribute} on {element}")]
    MissingAttribute {
        /// The element.
        element: &'static str,
        /// The attribute.
        attribute: &'static str,
    },
    /// An unqualified attribute the schema does not define.
    #[error("unexpected attribute {attribute} on {element}")]
    UnexpectedAttribute {
        /// The element.
        element: &'static str,
        /// The attribute.
        attribute: String,
    },
    /// An integer field does not parse.
    #[error("{field} is not a valid integer")]
    BadInteger {
        /// The field.
        field: &'static str,
    },
    /// A boolean field is not `true`, `false`, `1` or `0`.
    #[error("{field} is not a valid boolean")]
    BadBoolean {
        /// The field.
        field: &'static str,
    },
    /// A dateTime field is not an `xsd:dateTime`.
    #[error("{field} is not a valid xsd:dateTime")]
    BadDateTime {
        /// The field.
        field: &'static str,
    },
    /// An octet-string field is neither hex nor base64 (checklist E11).
    #[error("{field} is neither hex nor base64")]
    BadEncoding {
        /// The field.
        field: &'static str,
    },
    /// An octet-string field decodes to the wrong length (checklist E11).
    #[error("{field} decodes to {len} octets, expected {expected}")]
    FieldLength {
        /// The field.
        field: &'static str,
        /// The decoded length.
        len: usize,
        /// The required length.
        expected: usize,
    },
    /// A string field is empty.
    #[error("{field} is empty")]
    EmptyField {
        /// The field.
        field: &'static str,
    },
    /// A `UserIdFormat` other than `2` (TS 33.180 F.2.1).
    #[error("unsupported UserIdFormat {0:?}")]
    UnsupportedUserIdFormat(String),
    /// A certificate `Role` other than `Root` or `External`.
    #[error("unsupported certificate role {0:?}")]
    UnsupportedRole(String),
    /// A SAKKE parameter set other than 1.
    #[error("unsupported SAKKE parameter set {0}")]
    UnsupportedParameterSet(u64),
    /// A feature of the security extensions (signed documents, encrypted
    /// keys, KRRs, transport keys) that this implementation does not support.
    #[error("unsupported element {0} (TS 33.180 security extensions)")]
    Unsupported(String),
    /// A key field holds an invalid ECCSI value.
    #[error("{field}: {source}")]
    Eccsi {
        /// The field.
        field: &'static str,
        /// Why it was refused.
        source: EccsiError,
    },
    /// A key field holds an invalid SAKKE value.
    #[error("{field}: {source}")]
    Sakke {
        /// The field.
        field: &'static str,
        /// Why it was refused.
        source: SakkeError,
    },
    /// A UID or key period computation failed.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// A key set names a different KMS than the certificate (checklist K4).
    #[error("the key set's KmsUri does not match the KMS certificate")]
    KmsUriMismatch,
    /// `UserID` differs from the UID recomputed from the key set (checklist K4).
    #[error("the key set's UserID is not the UID of its user, KMS and key period")]
    UidMismatch,
    /// The key set or the certificate is marked revoked (checklist K4).
    #[error("the key set or KMS certificate is revoked")]
    Revoked,
    /// The key period of the key set lies outside the certificate validity.
    #[error("the key period lies outside the KMS certificate's validity")]
    OutsideValidity,
    /// SSK/PVT fail RFC 6507 §5.1.2 validation (checklist K4).
    #[error("the signing key pair (SSK, PVT) does not validate")]
    InvalidSigningKey,
    /// RSK fails RFC 6508 §6.1.2 validation (checklist K4).
    #[error("the receiver secret key (RSK) does not validate")]
    InvalidRsk,
    /// The random generator failed during issuance.
    #[error("the random number generator failed")]
    Random,
    /// The user's UID collides with the SAKKE master secret; the KMS must
    /// change its master secret (RFC 6508 §6.1.1).
    #[error("the identifier collides with the KMS master secret")]
    IdentifierCollision,
}

#[cfg(test)]
mod tests;
