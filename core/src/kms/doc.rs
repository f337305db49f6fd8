//! The TS 33.180 Annex D documents: parse and build.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::xml::{hex_upper, parse_tree, Children, Node, Writer};
use super::{DateTime, KmsDocError};
use crate::eccsi::{Kpak, Pvt, Ssk};
use crate::identity::{KeyPeriod, Uid};
use crate::sakke::{KmsPublicKey, Rsk};

/// The XML namespace of the KMS interface documents (TS 33.180 D.2.1).
pub const NAMESPACE: &str = "urn:3gpp:ns:mcsecKMSInterface:1.0";

/// Octets of a SAKKE point (`PubEncKey`, `UserDecryptKey`).
const SAKKE_POINT_LEN: usize = 257;
/// Octets of an ECCSI point (`PubAuthKey`, `UserPubTokenPVT`).
const ECCSI_POINT_LEN: usize = 65;
/// Octets of an SSK and of a UID.
const SCALAR_LEN: usize = 32;

/// The `Role` of a KMS certificate (TS 33.180 D.3): the client's own KMS, or
/// the KMS of a partner domain delivered by `certcache`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertRole {
    /// `Root`.
    Root,
    /// `External`.
    External,
}

impl CertRole {
    fn as_str(self) -> &'static str {
        match self {
            CertRole::Root => "Root",
            CertRole::External => "External",
        }
    }
}

/// A KMS certificate (TS 33.180 D.3, KMS certificates; SPEC §8.4).
///
/// The keys are decoded and validated on parsing: `PubEncKey` as a SAKKE
/// KMS public key Z (on the curve, in the order-q subgroup), `PubAuthKey` as
/// an ECCSI KPAK. Only `UserIdFormat` 2 and SAKKE parameter set 1 are
/// accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsCertificate {
    /// `Version` attribute (e.g. `1.1.0`).
    pub version: String,
    /// `Role` attribute.
    pub role: CertRole,
    /// `IsSecurityGateway` attribute.
    pub is_security_gateway: Option<bool>,
    /// `Id` attribute.
    pub id: Option<String>,
    /// `CertUri`.
    pub cert_uri: Option<String>,
    /// `KmsUri`: exactly the string used in UIDs and IDRkms payloads.
    pub kms_uri: String,
    /// `Issuer`.
    pub issuer: Option<String>,
    /// `ValidFrom`.
    pub valid_from: Option<DateTime>,
    /// `ValidTo`.
    pub valid_to: Option<DateTime>,
    /// `Revoked`.
    pub revoked: Option<bool>,
    /// `UserKeyPeriod`, seconds.
    pub user_key_period: u64,
    /// `UserKeyOffset`, seconds.
    pub user_key_offset: u64,
    /// `PubEncKey`: the SAKKE KMS public key Z.
    pub pub_enc_key: KmsPublicKey,
    /// `PubAuthKey`: the ECCSI KPAK.
    pub pub_auth_key: Kpak,
    /// `ParameterSet` (1 when present).
    pub parameter_set: Option<u64>,
    /// `KmsDomainList` (`None` when the element is absent).
    pub kms_domain_list: Option<Vec<String>>,
}

impl KmsCertificate {
    /// The key period parameters (`UserKeyPeriod`, `UserKeyOffset`).
    pub fn key_period(&self) -> Result<KeyPeriod, KmsDocError> {
        Ok(KeyPeriod::new(self.user_key_period, self.user_key_offset)?)
    }

    /// Parses a standalone `KmsCertificate` document (the form exchanged
    /// between enterprises).
    pub fn from_xml(xml: &str) -> Result<KmsCertificate, KmsDocError> {
        let root = parse_tree(xml)?;
        root.expect_root("KmsCertificate")?;
        KmsCertificate::from_node(&root)
    }

    /// Builds a standalone `KmsCertificate` document.
    pub fn to_xml(&self) -> String {
        let mut w = Writer::new();
        self.write(&mut w);
        w.finish().to_string()
    }

    pub(crate) fn from_node(node: &Node) -> Result<KmsCertificate, KmsDocError> {
        const E: &str = "KmsCertificate";
        let attrs = node.attrs(E, &["Version", "Role", "IsSecurityGateway", "Id"])?;
        let role = match attrs.required("Role")? {
            "Root" => CertRole::Root,
            "External" => CertRole::External,
            other => return Err(KmsDocError::UnsupportedRole(other.to_owned())),
        };
        let version = attrs.required("Version")?.to_owned();
        let is_security_gateway = attrs.bool("IsSecurityGateway")?;
        let id = attrs.get("Id").map(str::to_owned);
        let mut c = node.children(E)?;
        let cert_uri = c.opt_string("CertUri")?;
        let kms_uri = c.string("KmsUri")?;
        let issuer = c.opt_string("Issuer")?;
        let valid_from = c.opt_datetime("ValidFrom")?;
        let valid_to = c.opt_datetime("ValidTo")?;
        let revoked = c.opt_bool("Revoked")?;
        let format = c.string("UserIdFormat")?;
        if format != "2" {
            return Err(KmsDocError::UnsupportedUserIdFormat(format));
        }
        let user_key_period = c.uint("UserKeyPeriod")?;
        let user_key_offset = c.uint("UserKeyOffset")?;
        KeyPeriod::new(user_key_period, user_key_offset)?;
        let enc = c.octets("PubEncKey", SAKKE_POINT_LEN)?;
        let pub_enc_key = KmsPublicKey::from_bytes(&enc).map_err(|source| KmsDocError::Sakke {
            field: "PubEncKey",
            source,
        })?;
        let auth = c.octets("PubAuthKey", ECCSI_POINT_LEN)?;
        let pub_auth_key = Kpak::from_bytes(&auth).map_err(|source| KmsDocError::Eccsi {
            field: "PubAuthKey",
            source,
        })?;
        let parameter_set = c.opt_uint("ParameterSet")?;
        if let Some(p) = parameter_set {
            if p != 1 {
                return Err(KmsDocError::UnsupportedParameterSet(p));
            }
        }
        let kms_domain_list = match c.optional("KmsDomainList")? {
            Some(list) => {
                let mut lc = list.children("KmsDomainList")?;
                let mut domains = Vec::new();
                for d in lc.many("KmsDomain")? {
                    domains.push(d.leaf_text("KmsDomain")?.to_owned());
                }
                lc.finish()?;
                Some(domains)
            }
            None => None,
        };
        c.finish()?;
        Ok(KmsCertificate {
            version,
            role,
            is_security_gateway,
            id,
            cert_uri,
            kms_uri,
            issuer,
            valid_from,
            valid_to,
            revoked,
            user_key_period,
            user_key_offset,
            pub_enc_key,
            pub_auth_key,
            parameter_set,
            kms_domain_list,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        let gw = self.is_security_gateway.map(bool_str);
        w.open(
            "KmsCertificate",
            &[
                ("Version", Some(&self.version)),
                ("Role", Some(self.role.as_str())),
                ("IsSecurityGateway", gw),
                ("Id", self.id.as_deref()),
            ],
        );
        w.opt_leaf("CertUri", self.cert_uri.as_deref());
        w.leaf("KmsUri", &self.kms_uri);
        w.opt_leaf("Issuer", self.issuer.as_deref());
        w.opt_leaf("ValidFrom", self.valid_from.as_ref().map(DateTime::as_str));
        w.opt_leaf("ValidTo", self.valid_to.as_ref().map(DateTime::as_str));
        w.opt_leaf("Revoked", self.revoked.map(bool_str));
        w.leaf("UserIdFormat", "2");
        w.leaf("UserKeyPeriod", &self.user_key_period.to_string());
        w.leaf("UserKeyOffset", &self.user_key_offset.to_string());
        w.leaf("PubEncKey", &hex_upper(&self.pub_enc_key.to_bytes()));
        w.leaf("PubAuthKey", &hex_upper(self.pub_auth_key.as_bytes()));
        if let Some(p) = self.parameter_set {
            w.leaf("ParameterSet", &p.to_string());
        }
        if let Some(list) = &self.kms_domain_list {
            w.open("KmsDomainList", &[]);
            for d in list {
                w.leaf("KmsDomain", d);
            }
            w.close("KmsDomainList");
        }
        w.close("KmsCertificate");
    }
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// A user key set (TS 33.180 D.3, user key provisioning; SPEC §8.5), with
/// the keys in plain form (`KeyContentType`): RSK (`UserDecryptKey`), SSK
/// (`UserSigningKeySSK`) and PVT (`UserPubTokenPVT`).
///
/// Parsing checks encodings, lengths and that each key is a well-formed
/// value (PVT and RSK on their curves, SSK in `[1, q-1]`); validation
/// against the KMS is [`super::validate_key_set`]. `Debug` redacts the
/// secrets.
#[derive(Debug)]
pub struct KmsKeySet {
    /// `Version` attribute (`1.1.0`).
    pub version: String,
    /// `Id` attribute.
    pub id: Option<String>,
    /// `KmsUri`.
    pub kms_uri: String,
    /// `CertUri`.
    pub cert_uri: Option<String>,
    /// `Issuer`.
    pub issuer: Option<String>,
    /// `UserUri`.
    pub user_uri: String,
    /// `UserID`: the 32-octet UID (`UserIdFormat` 2).
    pub user_id: Uid,
    /// `ValidFrom`.
    pub valid_from: Option<DateTime>,
    /// `ValidTo`.
    pub valid_to: Option<DateTime>,
    /// `KeyPeriodNo`.
    pub key_period_no: u64,
    /// `Revoked`.
    pub revoked: Option<bool>,
    /// `UserDecryptKey`: the SAKKE RSK.
    pub rsk: Rsk,
    /// `UserSigningKeySSK`: the ECCSI SSK.
    pub ssk: Ssk,
    /// `UserPubTokenPVT`: the ECCSI PVT.
    pub pvt: Pvt,
}

impl PartialEq for KmsKeySet {
    fn eq(&self, o: &Self) -> bool {
        self.version == o.version
            && self.id == o.id
            && self.kms_uri == o.kms_uri
            && self.cert_uri == o.cert_uri
            && self.issuer == o.issuer
            && self.user_uri == o.user_uri
            && self.user_id == o.user_id
            && self.valid_from == o.valid_from
            && self.valid_to == o.valid_to
            && self.key_period_no == o.key_period_no
            && self.revoked == o.revoked
            && bool::from(self.rsk.ct_eq(&o.rsk))
            && bool::from(self.ssk.ct_eq(&o.ssk))
            && self.pvt == o.pvt
    }
}

impl Eq for KmsKeySet {}

impl KmsKeySet {
    pub(crate) fn from_node(node: &Node) -> Result<KmsKeySet, KmsDocError> {
        const E: &str = "KmsKeySet";
        let attrs = node.attrs(E, &["Version", "Id"])?;
        let version = attrs.required("Version")?.to_owned();
        let id = attrs.get("Id").map(str::to_owned);
        let mut c = node.children(E)?;
        let kms_uri = c.string("KmsUri")?;
        let cert_uri = c.opt_string("CertUri")?;
        let issuer = c.opt_string("Issuer")?;
        let user_uri = c.string("UserUri")?;
        let uid = c.octets("UserID", SCALAR_LEN)?;
        let user_id = Uid::from_bytes(&uid)?;
        let valid_from = c.opt_datetime("ValidFrom")?;
        let valid_to = c.opt_datetime("ValidTo")?;
        let key_period_no = c.uint("KeyPeriodNo")?;
        let revoked = c.opt_bool("Revoked")?;
        let rsk = c.octets("UserDecryptKey", SAKKE_POINT_LEN)?;
        let rsk = Rsk::from_bytes(&rsk).map_err(|source| KmsDocError::Sakke {
            field: "UserDecryptKey",
            source,
        })?;
        let ssk = c.octets("UserSigningKeySSK", SCALAR_LEN)?;
        let ssk = Ssk::from_bytes(&ssk).map_err(|source| KmsDocError::Eccsi {
            field: "UserSigningKeySSK",
            source,
        })?;
        let pvt = c.octets("UserPubTokenPVT", ECCSI_POINT_LEN)?;
        let pvt = Pvt::from_bytes(&pvt).map_err(|source| KmsDocError::Eccsi {
            field: "UserPubTokenPVT",
            source,
        })?;
        c.finish()?;
        Ok(KmsKeySet {
            version,
            id,
            kms_uri,
            cert_uri,
            issuer,
            user_uri,
            user_id,
            valid_from,
            valid_to,
            key_period_no,
            revoked,
            rsk,
            ssk,
            pvt,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.open(
            "KmsKeySet",
            &[("Version", Some(&self.version)), ("Id", self.id.as_deref())],
        );
        w.leaf("KmsUri", &self.kms_uri);
        w.opt_leaf("CertUri", self.cert_uri.as_deref());
        w.opt_leaf("Issuer", self.issuer.as_deref());
        w.leaf("UserUri", &self.user_uri);
        w.leaf("UserID", &hex_upper(self.user_id.as_bytes()));
        w.opt_leaf("ValidFrom", self.valid_from.as_ref().map(DateTime::as_str));
        w.opt_leaf("ValidTo", self.valid_to.as_ref().map(DateTime::as_str));
        w.leaf("KeyPeriodNo", &self.key_period_no.to_string());
        w.opt_leaf("Revoked", self.revoked.map(bool_str));
        w.leaf("UserDecryptKey", &hex_upper(&*self.rsk.to_bytes()));
        w.leaf("UserSigningKeySSK", &hex_upper(&*self.ssk.to_bytes()));
        w.leaf("UserPubTokenPVT", &hex_upper(self.pvt.as_bytes()));
        w.close("KmsKeySet");
    }
}

/// `ErrorType` (TS 33.180 D.2.2, D.3): `KmsError` in a response,
/// `ClientError` in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsErrorInfo {
    /// `ErrorCode`.
    pub code: u64,
    /// `ErrorMsg`.
    pub msg: String,
}

impl KmsErrorInfo {
    fn from_node(node: &Node, element: &'static str) -> Result<KmsErrorInfo, KmsDocError> {
        node.attrs(element, &["Id", "Version"])?;
        let mut c = node.children(element)?;
        let code = c.uint("ErrorCode")?;
        let msg = c
            .optional("ErrorMsg")?
            .map(|n| n.leaf_text("ErrorMsg").map(str::to_owned))
            .transpose()?
            .unwrap_or_default();
        c.finish()?;
        Ok(KmsErrorInfo { code, msg })
    }

    fn write(&self, w: &mut Writer, element: &str) {
        w.open(element, &[]);
        w.leaf("ErrorCode", &self.code.to_string());
        w.leaf("ErrorMsg", &self.msg);
        w.close(element);
    }
}

/// A `KmsRequest` (TS 33.180 D.2.2, Table D.2.2-1; SPEC §8.2) without the
/// security extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsRequest {
    /// `Version` attribute (`1.1.0`; `1.0.0` is accepted too).
    pub version: String,
    /// `Id` attribute.
    pub id: Option<String>,
    /// `UserUri`: the requesting user.
    pub user_uri: String,
    /// `KmsUri`: the KMS addressed.
    pub kms_uri: String,
    /// `Time` of the request.
    pub time: DateTime,
    /// `ClientId`.
    pub client_id: Option<String>,
    /// `DeviceId`.
    pub device_id: Option<String>,
    /// `ClientReqUrl`: the resource the request is posted to.
    pub client_req_url: String,
    /// `ClientError`: a previous failure reported by the client.
    pub client_error: Option<KmsErrorInfo>,
}

impl KmsRequest {
    /// Parses a `KmsRequest` document; a `SignedKmsRequest`, a `KrrList`
    /// or transport-key identifiers are [`KmsDocError::Unsupported`].
    pub fn from_xml(xml: &str) -> Result<KmsRequest, KmsDocError> {
        const E: &str = "KmsRequest";
        let root = parse_tree(xml)?;
        if root.name == "SignedKmsRequest" {
            return Err(KmsDocError::Unsupported(root.name.clone()));
        }
        root.expect_root(E)?;
        let attrs = root.attrs(E, &["Version", "Id"])?;
        let version = attrs.required("Version")?.to_owned();
        let id = attrs.get("Id").map(str::to_owned);
        let mut c = root.children(E)?;
        let user_uri = c.string("UserUri")?;
        let kms_uri = c.string("KmsUri")?;
        let time = c.datetime("Time")?;
        let client_id = c.opt_string("ClientId")?;
        let device_id = c.opt_string("DeviceId")?;
        let client_req_url = c.string("ClientReqUrl")?;
        c.refuse(&["KrrList"])?;
        let client_error = c
            .optional("ClientError")?
            .map(|n| KmsErrorInfo::from_node(n, "ClientError"))
            .transpose()?;
        c.refuse(&["TrK-ID", "Signature-ID"])?;
        c.finish()?;
        Ok(KmsRequest {
            version,
            id,
            user_uri,
            kms_uri,
            time,
            client_id,
            device_id,
            client_req_url,
            client_error,
        })
    }

    /// Builds the document.
    pub fn to_xml(&self) -> String {
        let mut w = Writer::new();
        w.open(
            "KmsRequest",
            &[("Version", Some(&self.version)), ("Id", self.id.as_deref())],
        );
        w.leaf("UserUri", &self.user_uri);
        w.leaf("KmsUri", &self.kms_uri);
        w.leaf("Time", self.time.as_str());
        w.opt_leaf("ClientId", self.client_id.as_deref());
        w.opt_leaf("DeviceId", self.device_id.as_deref());
        w.leaf("ClientReqUrl", &self.client_req_url);
        if let Some(e) = &self.client_error {
            e.write(&mut w, "ClientError");
        }
        w.close("KmsRequest");
        w.finish().to_string()
    }
}

/// The `KmsMessage` choice of a response (TS 33.180 D.3).
#[derive(Debug, PartialEq, Eq)]
pub enum KmsMessage {
    /// `KmsInit`: the root KMS certificate.
    Init(Box<KmsCertificate>),
    /// `KmsKeyProv`: the user's key sets.
    KeyProv(Vec<KmsKeySet>),
    /// `KmsCertCache`: the certificates of the external KMSs, versioned by
    /// `CacheNum`.
    CertCache {
        /// `CacheNum`.
        cache_num: u64,
        /// The certificates.
        certificates: Vec<KmsCertificate>,
    },
}

/// A `KmsResponse` (TS 33.180 D.3; SPEC §8.3) without the security
/// extensions.
#[derive(Debug, PartialEq, Eq)]
pub struct KmsResponse {
    /// `Version` attribute (`1.0.0`).
    pub version: String,
    /// `Id` attribute.
    pub id: Option<String>,
    /// `UserUri`.
    pub user_uri: String,
    /// `KmsUri`.
    pub kms_uri: String,
    /// `Time` of the response.
    pub time: DateTime,
    /// `KmsId`.
    pub kms_id: Option<String>,
    /// `ClientReqUrl`: echo of the requested resource.
    pub client_req_url: String,
    /// `KmsMessage`.
    pub message: Option<KmsMessage>,
    /// `KmsError`.
    pub error: Option<KmsErrorInfo>,
}

fn message_from_node(node: &Node) -> Result<KmsMessage, KmsDocError> {
    let mut c = node.children("KmsMessage")?;
    let msg = match c.next_name()? {
        Some("KmsInit") => {
            let n = c.required("KmsInit")?;
            n.attrs("KmsInit", &["Version", "Id"])?;
            let mut ic = n.children("KmsInit")?;
            ic.refuse(&["SignedKmsCertificate"])?;
            let cert = KmsCertificate::from_node(ic.required("KmsCertificate")?)?;
            ic.refuse(&["NewTransportKey", "NewIntegrityKey"])?;
            ic.finish()?;
            KmsMessage::Init(Box::new(cert))
        }
        Some("KmsKeyProv") => {
            let n = c.required("KmsKeyProv")?;
            n.attrs("KmsKeyProv", &["Version", "Id"])?;
            let mut kc = n.children("KmsKeyProv")?;
            let mut sets = Vec::new();
            for s in kc.many("KmsKeySet")? {
                sets.push(KmsKeySet::from_node(s)?);
            }
            kc.refuse(&["NewTransportKey", "NewIntegrityKey"])?;
            kc.finish()?;
            KmsMessage::KeyProv(sets)
        }
        Some("KmsCertCache") => {
            let n = c.required("KmsCertCache")?;
            let attrs = n.attrs("KmsCertCache", &["Version", "Id", "CacheNum"])?;
            let cache_num = super::xml::parse_uint("CacheNum", attrs.required("CacheNum")?)?;
            let mut cc = n.children("KmsCertCache")?;
            cc.refuse(&["SignedKmsCertificate"])?;
            let mut certificates = Vec::new();
            for s in cc.many("KmsCertificate")? {
                certificates.push(KmsCertificate::from_node(s)?);
            }
            cc.finish()?;
            KmsMessage::CertCache {
                cache_num,
                certificates,
            }
        }
        _ => {
            return Err(KmsDocError::MissingElement {
                parent: "KmsMessage",
                element: "KmsInit | KmsKeyProv | KmsCertCache",
            })
        }
    };
    c.finish()?;
    Ok(msg)
}

impl KmsResponse {
    /// Parses a `KmsResponse` document; a `SignedKmsResponse` is
    /// [`KmsDocError::Unsupported`].
    pub fn from_xml(xml: &str) -> Result<KmsResponse, KmsDocError> {
        const E: &str = "KmsResponse";
        let root = parse_tree(xml)?;
        if root.name == "SignedKmsResponse" {
            return Err(KmsDocError::Unsupported(root.name.clone()));
        }
        root.expect_root(E)?;
        let attrs = root.attrs(E, &["Version", "Id"])?;
        let version = attrs.required("Version")?.to_owned();
        let id = attrs.get("Id").map(str::to_owned);
        let mut c: Children<'_> = root.children(E)?;
        let user_uri = c.string("UserUri")?;
        let kms_uri = c.string("KmsUri")?;
        let time = c.datetime("Time")?;
        let kms_id = c.opt_string("KmsId")?;
        let client_req_url = c.string("ClientReqUrl")?;
        let message = c
            .optional("KmsMessage")?
            .map(message_from_node)
            .transpose()?;
        let error = c
            .optional("KmsError")?
            .map(|n| KmsErrorInfo::from_node(n, "KmsError"))
            .transpose()?;
        c.finish()?;
        Ok(KmsResponse {
            version,
            id,
            user_uri,
            kms_uri,
            time,
            kms_id,
            client_req_url,
            message,
            error,
        })
    }

    /// Builds the document. The result may hold user keys and is zeroized
    /// when dropped.
    pub fn to_xml(&self) -> Zeroizing<String> {
        let mut w = Writer::new();
        w.open(
            "KmsResponse",
            &[("Version", Some(&self.version)), ("Id", self.id.as_deref())],
        );
        w.leaf("UserUri", &self.user_uri);
        w.leaf("KmsUri", &self.kms_uri);
        w.leaf("Time", self.time.as_str());
        w.opt_leaf("KmsId", self.kms_id.as_deref());
        w.leaf("ClientReqUrl", &self.client_req_url);
        if let Some(m) = &self.message {
            w.open("KmsMessage", &[]);
            match m {
                KmsMessage::Init(cert) => {
                    w.open("KmsInit", &[("Version", Some("1.0.0"))]);
                    cert.write(&mut w);
                    w.close("KmsInit");
                }
                KmsMessage::KeyProv(sets) => {
                    w.open("KmsKeyProv", &[("Version", Some("1.0.0"))]);
                    for s in sets {
                        s.write(&mut w);
                    }
                    w.close("KmsKeyProv");
                }
                KmsMessage::CertCache {
                    cache_num,
                    certificates,
                } => {
                    let n = cache_num.to_string();
                    w.open(
                        "KmsCertCache",
                        &[("Version", Some("1.0.0")), ("CacheNum", Some(&n))],
                    );
                    for cert in certificates {
                        cert.write(&mut w);
                    }
                    w.close("KmsCertCache");
                }
            }
            w.close("KmsMessage");
        }
        if let Some(e) = &self.error {
            e.write(&mut w, "KmsError");
        }
        w.close("KmsResponse");
        w.finish()
    }
}
