//! MIKEY payloads (RFC 3830 §6, RFC 6043 §6.6, RFC 6509 §4, TS 33.180 E.5–E.7).
//!
//! Each payload is read without its next-payload octet (the message keeps the chain)
//! and written with the next-payload value the message gives it. Enumerated fields
//! keep unknown values (`Unknown(u8)`) so that a parsed message re-encodes to exactly
//! the octets received.

use super::codec::{len16, len8, Reader};
use super::MikeyError;

/// Payload type numbers (RFC 3830 §6, RFC 6043 §6.6, RFC 6509 §4).
pub mod payload_type {
    /// Last payload.
    pub const LAST: u8 = 0;
    /// SIGN (RFC 3830 §6.5).
    pub const SIGN: u8 = 4;
    /// T, timestamp (RFC 3830 §6.6).
    pub const T: u8 = 5;
    /// SP, security policy (RFC 3830 §6.10).
    pub const SP: u8 = 10;
    /// RAND (RFC 3830 §6.11).
    pub const RAND: u8 = 11;
    /// ERR (RFC 3830 §6.12).
    pub const ERR: u8 = 12;
    /// IDR, identity with role (RFC 6043 §6.6).
    pub const IDR: u8 = 14;
    /// General extension (RFC 3830 §6.15).
    pub const GENERAL_EXT: u8 = 21;
    /// SAKKE (RFC 6509 §4).
    pub const SAKKE: u8 = 26;
}

// ------------------------------------------------------------------------------------
// T
// ------------------------------------------------------------------------------------

/// T payload value (RFC 3830 §6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timestamp {
    /// TS type 0, NTP-UTC (64 bits: seconds since 1900 in the upper 32 bits, binary
    /// fraction in the lower 32). Required by TS 33.180 E.1.1.
    NtpUtc(u64),
    /// TS type 1, NTP (64 bits).
    Ntp(u64),
    /// TS type 2, COUNTER (32 bits).
    Counter(u32),
}

impl Timestamp {
    /// An NTP-UTC timestamp of `seconds` since 1900-01-01 00:00 UTC, fraction 0.
    pub fn from_ntp_seconds(seconds: u32) -> Self {
        Timestamp::NtpUtc(u64::from(seconds) << 32)
    }

    /// The TS type value.
    pub fn ts_type(&self) -> u8 {
        match self {
            Timestamp::NtpUtc(_) => 0,
            Timestamp::Ntp(_) => 1,
            Timestamp::Counter(_) => 2,
        }
    }

    /// Whole NTP seconds for the NTP types, `None` for a counter.
    pub fn ntp_seconds(&self) -> Option<u32> {
        match *self {
            // The upper 32 bits of a u64 always fit a u32.
            Timestamp::NtpUtc(v) | Timestamp::Ntp(v) => u32::try_from(v >> 32).ok(),
            Timestamp::Counter(_) => None,
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        match r.u8("T")? {
            0 => Ok(Timestamp::NtpUtc(r.u64("T")?)),
            1 => Ok(Timestamp::Ntp(r.u64("T")?)),
            2 => Ok(Timestamp::Counter(r.u32("T")?)),
            other => Err(MikeyError::UnsupportedTimestampType(other)),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.push(self.ts_type());
        match *self {
            Timestamp::NtpUtc(v) | Timestamp::Ntp(v) => out.extend_from_slice(&v.to_be_bytes()),
            Timestamp::Counter(v) => out.extend_from_slice(&v.to_be_bytes()),
        }
    }
}

// ------------------------------------------------------------------------------------
// IDR
// ------------------------------------------------------------------------------------

/// ID role of an IDR payload (RFC 6043 §6.6, RFC 6509 §4, TS 33.180 E.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdRole {
    /// 1: IDRi, initiator.
    Initiator,
    /// 2: IDRr, responder.
    Responder,
    /// 3: IDRkms.
    Kms,
    /// 4: IDRpsk.
    Psk,
    /// 5: IDRapp.
    App,
    /// 6: IDRkmsi, initiator's KMS (RFC 6509).
    InitiatorKms,
    /// 7: IDRkmsr, responder's KMS (RFC 6509).
    ResponderKms,
    /// 8: IDRuidi, initiator UID (TS 33.180 E.7).
    InitiatorUid,
    /// 9: IDRuidr, responder UID (TS 33.180 E.7).
    ResponderUid,
    /// Any other value.
    Unknown(u8),
}

impl From<u8> for IdRole {
    fn from(v: u8) -> Self {
        use IdRole::*;
        match v {
            1 => Initiator,
            2 => Responder,
            3 => Kms,
            4 => Psk,
            5 => App,
            6 => InitiatorKms,
            7 => ResponderKms,
            8 => InitiatorUid,
            9 => ResponderUid,
            other => Unknown(other),
        }
    }
}

impl From<IdRole> for u8 {
    fn from(v: IdRole) -> u8 {
        use IdRole::*;
        match v {
            Initiator => 1,
            Responder => 2,
            Kms => 3,
            Psk => 4,
            App => 5,
            InitiatorKms => 6,
            ResponderKms => 7,
            InitiatorUid => 8,
            ResponderUid => 9,
            Unknown(other) => other,
        }
    }
}

/// ID type of an IDR payload (RFC 6043 §6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdType {
    /// 0: NAI.
    Nai,
    /// 1: URI (used by every observed producer, also for raw UIDs in roles 8/9).
    Uri,
    /// 2: byte string.
    ByteString,
    /// Any other value.
    Unknown(u8),
}

impl From<u8> for IdType {
    fn from(v: u8) -> Self {
        match v {
            0 => IdType::Nai,
            1 => IdType::Uri,
            2 => IdType::ByteString,
            other => IdType::Unknown(other),
        }
    }
}

impl From<IdType> for u8 {
    fn from(v: IdType) -> u8 {
        match v {
            IdType::Nai => 0,
            IdType::Uri => 1,
            IdType::ByteString => 2,
            IdType::Unknown(other) => other,
        }
    }
}

/// IDR payload: identity with role (RFC 6043 §6.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdrPayload {
    /// The role.
    pub role: IdRole,
    /// The ID type.
    pub id_type: IdType,
    /// The ID data (a URI, or a raw 32-octet UID for roles 8/9).
    pub data: Vec<u8>,
}

impl IdrPayload {
    /// An IDR payload of ID type URI.
    pub fn uri(role: IdRole, data: impl Into<Vec<u8>>) -> Self {
        IdrPayload {
            role,
            id_type: IdType::Uri,
            data: data.into(),
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        let role = IdRole::from(r.u8("IDR")?);
        let id_type = IdType::from(r.u8("IDR")?);
        let len = r.u16("IDR")?;
        let data = r.take(usize::from(len), "IDR data")?.to_vec();
        Ok(IdrPayload {
            role,
            id_type,
            data,
        })
    }

    fn write(&self, out: &mut Vec<u8>) -> Result<(), MikeyError> {
        let len = len16(self.data.len(), "IDR data")?;
        out.push(self.role.into());
        out.push(self.id_type.into());
        out.extend_from_slice(&len);
        out.extend_from_slice(&self.data);
        Ok(())
    }
}

// ------------------------------------------------------------------------------------
// SP
// ------------------------------------------------------------------------------------

/// One policy parameter `type || length || value` (RFC 3830 §6.10).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyParam {
    /// Parameter type.
    pub param_type: u8,
    /// Parameter value (at most 255 octets).
    pub value: Vec<u8>,
}

/// SRTP policy parameter types (RFC 3830 §6.10.1, RFC 4771, RFC 7714, TS 33.180 E.2).
pub mod srtp_param {
    /// Encryption algorithm.
    pub const ENCR_ALG: u8 = 0;
    /// Session encryption key length.
    pub const ENCR_KEY_LEN: u8 = 1;
    /// Authentication algorithm.
    pub const AUTH_ALG: u8 = 2;
    /// Session authentication key length.
    pub const AUTH_KEY_LEN: u8 = 3;
    /// Session salt key length.
    pub const SALT_KEY_LEN: u8 = 4;
    /// SRTP pseudo-random function.
    pub const PRF: u8 = 5;
    /// Key derivation rate.
    pub const KDR: u8 = 6;
    /// SRTP encryption off/on.
    pub const SRTP_ENCR: u8 = 7;
    /// SRTCP encryption off/on.
    pub const SRTCP_ENCR: u8 = 8;
    /// Sender's FEC order.
    pub const FEC_ORDER: u8 = 9;
    /// SRTP authentication off/on.
    pub const SRTP_AUTH: u8 = 10;
    /// Authentication tag length.
    pub const AUTH_TAG_LEN: u8 = 11;
    /// SRTP prefix length.
    pub const PREFIX_LEN: u8 = 12;
    /// ROC transmission rate (RFC 4771).
    pub const ROC_RATE: u8 = 13;
    /// SRTP authentication tag length used with RCC (TS 33.180).
    pub const RCC_TAG_LEN: u8 = 18;
    /// SRTCP authentication tag length (TS 33.180).
    pub const SRTCP_TAG_LEN: u8 = 19;
    /// AEAD authentication tag length (RFC 7714).
    pub const AEAD_TAG_LEN: u8 = 20;
}

/// SRTP encryption algorithm (SP parameter type 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EncryptionAlgorithm {
    /// 0: NULL.
    Null,
    /// 1: AES-CM.
    AesCm,
    /// 2: AES-F8.
    AesF8,
    /// 6: AES-GCM (RFC 7714; TS 33.180).
    AesGcm,
    /// Any other value.
    Unknown(u8),
}

impl From<u8> for EncryptionAlgorithm {
    fn from(v: u8) -> Self {
        match v {
            0 => Self::Null,
            1 => Self::AesCm,
            2 => Self::AesF8,
            6 => Self::AesGcm,
            o => Self::Unknown(o),
        }
    }
}

/// SRTP authentication algorithm (SP parameter type 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthAlgorithm {
    /// 0: NULL.
    Null,
    /// 1: HMAC-SHA-1.
    HmacSha1,
    /// 2: RCCm1 (RFC 4771).
    RccM1,
    /// 3: RCCm2 (RFC 4771).
    RccM2,
    /// 4: RCCm3 (RFC 4771; TS 33.180 group profile).
    RccM3,
    /// Any other value.
    Unknown(u8),
}

impl From<u8> for AuthAlgorithm {
    fn from(v: u8) -> Self {
        match v {
            0 => Self::Null,
            1 => Self::HmacSha1,
            2 => Self::RccM1,
            3 => Self::RccM2,
            4 => Self::RccM3,
            o => Self::Unknown(o),
        }
    }
}

/// The SRTP parameters of an SP payload (SPEC §5.8), each `None` when absent.
/// Built by [`SpPayload::srtp_policy`]; a duplicated type: last one wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SrtpPolicy {
    /// Type 0.
    pub encryption: Option<EncryptionAlgorithm>,
    /// Type 1: session encryption key length (octets).
    pub encryption_key_len: Option<u8>,
    /// Type 2.
    pub authentication: Option<AuthAlgorithm>,
    /// Type 3: session authentication key length (octets).
    pub auth_key_len: Option<u8>,
    /// Type 4: session salt length (octets).
    pub salt_len: Option<u8>,
    /// Type 5: SRTP PRF (0 = AES-CM).
    pub prf: Option<u8>,
    /// Type 6: key derivation rate, as its raw value octets.
    pub kdr: Option<Vec<u8>>,
    /// Type 7: SRTP encryption on.
    pub srtp_encryption: Option<bool>,
    /// Type 8: SRTCP encryption on.
    pub srtcp_encryption: Option<bool>,
    /// Type 9: FEC order.
    pub fec_order: Option<u8>,
    /// Type 10: SRTP authentication on.
    pub srtp_authentication: Option<bool>,
    /// Type 11: authentication tag length (octets).
    pub auth_tag_len: Option<u8>,
    /// Type 12: SRTP prefix length.
    pub prefix_len: Option<u8>,
    /// Type 13: ROC transmission rate R (RFC 4771).
    pub roc_transmission_rate: Option<u8>,
    /// Type 18: RCC tag length (TS 33.180).
    pub rcc_tag_len: Option<u8>,
    /// Type 19: SRTCP tag length (TS 33.180).
    pub srtcp_tag_len: Option<u8>,
    /// Type 20: AEAD tag length (octets).
    pub aead_tag_len: Option<u8>,
}

impl SrtpPolicy {
    /// SRTP master key length in octets: parameter 1, or 16 (AES-128, the RFC 3830
    /// default and the TS 33.180 profiles).
    pub fn master_key_len(&self) -> usize {
        usize::from(self.encryption_key_len.unwrap_or(16))
    }

    /// SRTP master salt length in octets: parameter 4, or 12 for AES-GCM (RFC 7714)
    /// and 14 otherwise (RFC 3830 default).
    pub fn master_salt_len(&self) -> usize {
        match (self.salt_len, self.encryption) {
            (Some(l), _) => usize::from(l),
            (None, Some(EncryptionAlgorithm::AesGcm)) => 12,
            (None, _) => 14,
        }
    }
}

/// Protocol type of an SP payload.
pub const PROT_TYPE_SRTP: u8 = 0;

/// SP payload: security policy (RFC 3830 §6.10).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpPayload {
    /// Policy number (referenced by the CS ID map).
    pub policy_no: u8,
    /// Protocol type (0 = SRTP).
    pub prot_type: u8,
    /// The parameters, in wire order.
    pub params: Vec<PolicyParam>,
}

impl SpPayload {
    /// The value of the last parameter of type `t`.
    pub fn param(&self, t: u8) -> Option<&[u8]> {
        self.params
            .iter()
            .rev()
            .find(|p| p.param_type == t)
            .map(|p| p.value.as_slice())
    }

    fn param_u8(&self, t: u8) -> Option<u8> {
        // One-octet parameters; a longer value is read as its last octet's integer
        // only when the leading octets are zero.
        let v = self.param(t)?;
        let (last, lead) = v.split_last()?;
        lead.iter().all(|&b| b == 0).then_some(*last)
    }

    /// The typed SRTP parameters (SPEC §5.8).
    pub fn srtp_policy(&self) -> SrtpPolicy {
        use srtp_param::*;
        SrtpPolicy {
            encryption: self.param_u8(ENCR_ALG).map(Into::into),
            encryption_key_len: self.param_u8(ENCR_KEY_LEN),
            authentication: self.param_u8(AUTH_ALG).map(Into::into),
            auth_key_len: self.param_u8(AUTH_KEY_LEN),
            salt_len: self.param_u8(SALT_KEY_LEN),
            prf: self.param_u8(PRF),
            kdr: self.param(KDR).map(<[u8]>::to_vec),
            srtp_encryption: self.param_u8(SRTP_ENCR).map(|v| v != 0),
            srtcp_encryption: self.param_u8(SRTCP_ENCR).map(|v| v != 0),
            fec_order: self.param_u8(FEC_ORDER),
            srtp_authentication: self.param_u8(SRTP_AUTH).map(|v| v != 0),
            auth_tag_len: self.param_u8(AUTH_TAG_LEN),
            prefix_len: self.param_u8(PREFIX_LEN),
            roc_transmission_rate: self.param_u8(ROC_RATE),
            rcc_tag_len: self.param_u8(RCC_TAG_LEN),
            srtcp_tag_len: self.param_u8(SRTCP_TAG_LEN),
            aead_tag_len: self.param_u8(AEAD_TAG_LEN),
        }
    }

    fn from_pairs(policy_no: u8, pairs: &[(u8, u8)]) -> Self {
        SpPayload {
            policy_no,
            prot_type: PROT_TYPE_SRTP,
            params: pairs
                .iter()
                .map(|&(t, v)| PolicyParam {
                    param_type: t,
                    value: vec![v],
                })
                .collect(),
        }
    }

    /// The SP payload sent by the sample message and the majority producer for every
    /// key type (SPEC §5.8, observed): policy 0, SRTP, types 0=6, 1=16, 2=4, 4=12, 5=0,
    /// 6=0, 18=4, 19=0, 20=16.
    pub fn ts33180_observed(policy_no: u8) -> Self {
        Self::from_pairs(
            policy_no,
            &[
                (0, 6),
                (1, 16),
                (2, 4),
                (4, 12),
                (5, 0),
                (6, 0),
                (18, 4),
                (19, 0),
                (20, 16),
            ],
        )
    }

    /// The TS 33.180 E.2 group-call default profile (GMK): AES-128-GCM, RCCm3 with
    /// ROC in every packet.
    pub fn ts33180_group_default(policy_no: u8) -> Self {
        Self::from_pairs(
            policy_no,
            &[
                (0, 6),
                (1, 16),
                (2, 4),
                (4, 12),
                (5, 0),
                (6, 0),
                (13, 1),
                (18, 4),
                (19, 0),
                (20, 16),
            ],
        )
    }

    /// The TS 33.180 E.3.2 private-call default profile (PCK): AES-128-GCM.
    pub fn ts33180_private_default(policy_no: u8) -> Self {
        Self::from_pairs(
            policy_no,
            &[(0, 6), (1, 16), (4, 12), (5, 0), (6, 0), (20, 16)],
        )
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        let policy_no = r.u8("SP")?;
        let prot_type = r.u8("SP")?;
        let len = r.u16("SP")?;
        let body = r.take(usize::from(len), "SP parameters")?;
        let mut pr = Reader::new(body);
        let mut params = Vec::new();
        while pr.remaining() > 0 {
            let param_type = pr.u8("SP parameter")?;
            let plen = pr.u8("SP parameter")?;
            let value = pr.take(usize::from(plen), "SP parameter value")?.to_vec();
            params.push(PolicyParam { param_type, value });
        }
        Ok(SpPayload {
            policy_no,
            prot_type,
            params,
        })
    }

    fn write(&self, out: &mut Vec<u8>) -> Result<(), MikeyError> {
        let mut body = Vec::new();
        for p in &self.params {
            body.push(p.param_type);
            body.push(len8(p.value.len(), "SP parameter value")?);
            body.extend_from_slice(&p.value);
        }
        out.push(self.policy_no);
        out.push(self.prot_type);
        out.extend_from_slice(&len16(body.len(), "SP parameters")?);
        out.extend_from_slice(&body);
        Ok(())
    }
}

// ------------------------------------------------------------------------------------
// SAKKE
// ------------------------------------------------------------------------------------

/// SAKKE params field (RFC 6509 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SakkeParams {
    /// 1: parameter set 1 (RFC 6509 Appendix A).
    Set1,
    /// Any other value (unsupported, checklist H6).
    Unknown(u8),
}

impl From<u8> for SakkeParams {
    fn from(v: u8) -> Self {
        match v {
            1 => SakkeParams::Set1,
            o => SakkeParams::Unknown(o),
        }
    }
}

impl From<SakkeParams> for u8 {
    fn from(v: SakkeParams) -> u8 {
        match v {
            SakkeParams::Set1 => 1,
            SakkeParams::Unknown(o) => o,
        }
    }
}

/// SAKKE ID scheme field (RFC 6509 §4, TS 33.180 E.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdScheme {
    /// 1: tel URI with monthly keys (RFC 6509 §3.2 identifiers).
    TelUriMonthly,
    /// 2: TS 33.180 hashed UID (F.2.1).
    HashedUid,
    /// Any other value (240–255 are private; all unsupported, checklist H6).
    Unknown(u8),
}

impl From<u8> for IdScheme {
    fn from(v: u8) -> Self {
        match v {
            1 => IdScheme::TelUriMonthly,
            2 => IdScheme::HashedUid,
            o => IdScheme::Unknown(o),
        }
    }
}

impl From<IdScheme> for u8 {
    fn from(v: IdScheme) -> u8 {
        match v {
            IdScheme::TelUriMonthly => 1,
            IdScheme::HashedUid => 2,
            IdScheme::Unknown(o) => o,
        }
    }
}

/// SAKKE payload (RFC 6509 §4). The SAKKE data is kept exactly as received (it may be
/// 258–272 octets from one deployed producer, SPEC §3.10).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SakkePayload {
    /// SAKKE parameter set.
    pub params: SakkeParams,
    /// ID scheme.
    pub id_scheme: IdScheme,
    /// Encapsulated data `R || H`.
    pub data: Vec<u8>,
}

impl SakkePayload {
    fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        let params = SakkeParams::from(r.u8("SAKKE")?);
        let id_scheme = IdScheme::from(r.u8("SAKKE")?);
        let len = r.u16("SAKKE")?;
        let data = r.take(usize::from(len), "SAKKE data")?.to_vec();
        Ok(SakkePayload {
            params,
            id_scheme,
            data,
        })
    }

    fn write(&self, out: &mut Vec<u8>) -> Result<(), MikeyError> {
        let len = len16(self.data.len(), "SAKKE data")?;
        out.push(self.params.into());
        out.push(self.id_scheme.into());
        out.extend_from_slice(&len);
        out.extend_from_slice(&self.data);
        Ok(())
    }
}

// ------------------------------------------------------------------------------------
// SIGN
// ------------------------------------------------------------------------------------

/// Signature type of the SIGN payload (RFC 3830 §6.5, RFC 6509 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureType {
    /// 0: RSA/PKCS#1 v1.5.
    RsaPkcs1,
    /// 1: RSA/PSS.
    RsaPss,
    /// 2: ECCSI (RFC 6509).
    Eccsi,
    /// Any other 4-bit value.
    Unknown(u8),
}

impl SignatureType {
    /// The signature type for a 4-bit value (higher bits ignored).
    pub fn from_value(v: u8) -> Self {
        match v & 0x0f {
            0 => Self::RsaPkcs1,
            1 => Self::RsaPss,
            2 => Self::Eccsi,
            o => Self::Unknown(o),
        }
    }

    /// The 4-bit wire value.
    pub fn value(self) -> u8 {
        match self {
            Self::RsaPkcs1 => 0,
            Self::RsaPss => 1,
            Self::Eccsi => 2,
            Self::Unknown(o) => o & 0x0f,
        }
    }
}

/// SIGN payload (RFC 3830 §6.5): always the last payload; it has no next-payload
/// field. The signed octets are everything before the signature value, i.e. up to
/// and including the 2-octet SIGN header (SPEC §5.10).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignPayload {
    /// Signature type.
    pub sig_type: SignatureType,
    /// Signature (for ECCSI: `r || s || PVT`, 129 octets).
    pub signature: Vec<u8>,
}

/// Length of the SIGN payload header (S type and signature length).
pub const SIGN_HEADER_LEN: usize = 2;

impl SignPayload {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        let hdr = r.u16("SIGN")?;
        let sig_type = SignatureType::from_value((hdr >> 12) as u8);
        let len = usize::from(hdr & 0x0fff);
        let signature = r.take(len, "SIGN signature")?.to_vec();
        Ok(SignPayload {
            sig_type,
            signature,
        })
    }

    /// The two header octets for a signature of `len` octets.
    pub(crate) fn header(sig_type: SignatureType, len: usize) -> Result<[u8; 2], MikeyError> {
        if len > 0x0fff {
            return Err(MikeyError::FieldTooLong("SIGN signature"));
        }
        let len = u16::try_from(len).map_err(|_| MikeyError::FieldTooLong("SIGN signature"))?;
        Ok((u16::from(sig_type.value()) << 12 | len).to_be_bytes())
    }
}

// ------------------------------------------------------------------------------------
// General extension
// ------------------------------------------------------------------------------------

/// General extension payload (RFC 3830 §6.15, TS 33.180 E.5, E.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GeneralExtension {
    /// Type 6: SAKKE-to-self (TS 33.180 E.5): a complete nested SAKKE payload
    /// encapsulating the same key to the initiator's own UID.
    SakkeToSelf {
        /// The nested payload's own next-payload octet (senders write 0; kept for an
        /// exact round trip).
        inner_next: u8,
        /// The nested SAKKE payload.
        sakke: SakkePayload,
    },
    /// Type 7: 3GPP key parameters (TS 33.180 E.6), kept as its raw octets (some
    /// producers send a legacy layout); see
    /// [`super::key_params::ProtectedPayload::parse`] for the protected-payload
    /// structure and [`super::key_params::open`] for decryption.
    KeyParameters(Vec<u8>),
    /// Any other extension type, kept raw (still covered by the signature).
    Other {
        /// Extension type.
        ext_type: u8,
        /// Extension data.
        data: Vec<u8>,
    },
}

/// General extension type: SAKKE-to-self (TS 33.180 E.5).
pub const EXT_SAKKE_TO_SELF: u8 = 6;
/// General extension type: 3GPP key parameters (TS 33.180 E.6).
pub const EXT_KEY_PARAMETERS: u8 = 7;

impl GeneralExtension {
    /// The extension type.
    pub fn ext_type(&self) -> u8 {
        match self {
            GeneralExtension::SakkeToSelf { .. } => EXT_SAKKE_TO_SELF,
            GeneralExtension::KeyParameters(_) => EXT_KEY_PARAMETERS,
            GeneralExtension::Other { ext_type, .. } => *ext_type,
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, MikeyError> {
        let ext_type = r.u8("general extension")?;
        let len = r.u16("general extension")?;
        let data = r.take(usize::from(len), "general extension data")?;
        Ok(match ext_type {
            EXT_SAKKE_TO_SELF => {
                let mut inner = Reader::new(data);
                let inner_next = inner.u8("SAKKE-to-self")?;
                let sakke = SakkePayload::read(&mut inner)?;
                inner.finish()?;
                GeneralExtension::SakkeToSelf { inner_next, sakke }
            }
            EXT_KEY_PARAMETERS => GeneralExtension::KeyParameters(data.to_vec()),
            _ => GeneralExtension::Other {
                ext_type,
                data: data.to_vec(),
            },
        })
    }

    fn write(&self, out: &mut Vec<u8>) -> Result<(), MikeyError> {
        let mut data = Vec::new();
        let body: &[u8] = match self {
            GeneralExtension::SakkeToSelf { inner_next, sakke } => {
                data.push(*inner_next);
                sakke.write(&mut data)?;
                &data
            }
            GeneralExtension::KeyParameters(d) | GeneralExtension::Other { data: d, .. } => d,
        };
        out.push(self.ext_type());
        out.extend_from_slice(&len16(body.len(), "general extension data")?);
        out.extend_from_slice(body);
        Ok(())
    }
}

// ------------------------------------------------------------------------------------
// ERR
// ------------------------------------------------------------------------------------

/// ERR payload (RFC 3830 §6.12).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ErrPayload {
    /// Error number (0 auth failure … 12 unspecified).
    pub error_no: u8,
    /// Reserved field (zero on sending; kept for an exact round trip).
    pub reserved: u16,
}

// ------------------------------------------------------------------------------------
// Payload
// ------------------------------------------------------------------------------------

/// Any payload of the chain other than SIGN (which [`super::Message`] holds apart).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Payload {
    /// T (type 5).
    Timestamp(Timestamp),
    /// RAND (type 11): at most 255 octets.
    Rand(Vec<u8>),
    /// IDR (type 14).
    Idr(IdrPayload),
    /// SP (type 10).
    SecurityPolicy(SpPayload),
    /// SAKKE (type 26).
    Sakke(SakkePayload),
    /// General extension (type 21).
    GeneralExtension(GeneralExtension),
    /// ERR (type 12).
    Error(ErrPayload),
}

impl Payload {
    /// The payload type number.
    pub fn payload_type(&self) -> u8 {
        use payload_type as pt;
        match self {
            Payload::Timestamp(_) => pt::T,
            Payload::Rand(_) => pt::RAND,
            Payload::Idr(_) => pt::IDR,
            Payload::SecurityPolicy(_) => pt::SP,
            Payload::Sakke(_) => pt::SAKKE,
            Payload::GeneralExtension(_) => pt::GENERAL_EXT,
            Payload::Error(_) => pt::ERR,
        }
    }

    /// Reads a payload of type `ty` (already known from the previous next-payload
    /// field); returns it and its next-payload value.
    pub(crate) fn read(ty: u8, r: &mut Reader<'_>) -> Result<(Self, u8), MikeyError> {
        use payload_type as pt;
        if !matches!(
            ty,
            pt::T | pt::RAND | pt::IDR | pt::SP | pt::SAKKE | pt::GENERAL_EXT | pt::ERR
        ) {
            return Err(MikeyError::UnknownPayload(ty));
        }
        let next = r.u8("next payload")?;
        let p = match ty {
            pt::T => Payload::Timestamp(Timestamp::read(r)?),
            pt::RAND => {
                let len = r.u8("RAND")?;
                Payload::Rand(r.take(usize::from(len), "RAND data")?.to_vec())
            }
            pt::IDR => Payload::Idr(IdrPayload::read(r)?),
            pt::SP => Payload::SecurityPolicy(SpPayload::read(r)?),
            pt::SAKKE => Payload::Sakke(SakkePayload::read(r)?),
            pt::GENERAL_EXT => Payload::GeneralExtension(GeneralExtension::read(r)?),
            pt::ERR => Payload::Error(ErrPayload {
                error_no: r.u8("ERR")?,
                reserved: r.u16("ERR")?,
            }),
            other => return Err(MikeyError::UnknownPayload(other)),
        };
        Ok((p, next))
    }

    pub(crate) fn write(&self, next: u8, out: &mut Vec<u8>) -> Result<(), MikeyError> {
        out.push(next);
        match self {
            Payload::Timestamp(t) => t.write(out),
            Payload::Rand(v) => {
                out.push(len8(v.len(), "RAND")?);
                out.extend_from_slice(v);
            }
            Payload::Idr(p) => p.write(out)?,
            Payload::SecurityPolicy(p) => p.write(out)?,
            Payload::Sakke(p) => p.write(out)?,
            Payload::GeneralExtension(p) => p.write(out)?,
            Payload::Error(p) => {
                out.push(p.error_no);
                out.extend_from_slice(&p.reserved.to_be_bytes());
            }
        }
        Ok(())
    }
}
