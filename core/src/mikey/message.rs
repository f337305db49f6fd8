//! A whole MIKEY message: common header, payload chain, SIGN (RFC 3830 §6, RFC 6509 §4).

use super::codec::Reader;
use super::header::{CommonHeader, DataType, PrfFunc};
use super::payload::{
    payload_type, GeneralExtension, IdRole, IdScheme, IdrPayload, Payload, SakkeParams,
    SakkePayload, SignPayload, SignatureType, SpPayload, Timestamp,
};
use super::MikeyError;
use crate::eccsi::SIGNATURE_LEN;

/// Minimum RAND length accepted in a received I_MESSAGE (SPEC §5.5 policy).
pub const MIN_RAND_LEN: usize = 16;

/// A MIKEY message: the common header, the payload chain (in wire order, without
/// SIGN) and the SIGN payload if present.
///
/// The next-payload fields are not stored: they follow from the order of
/// [`Message::payloads`] (each field names the type of the payload after it, 4 before
/// SIGN, 0 after the last). [`Message::parse`] accepts exactly the octets that
/// [`Message::to_bytes`] produces for the parsed value, so both round trips are exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    /// Common header.
    pub header: CommonHeader,
    /// Payloads between HDR and SIGN, in wire order.
    pub payloads: Vec<Payload>,
    /// The SIGN payload (last when present).
    pub sign: Option<SignPayload>,
}

impl Message {
    /// Parses a binary MIKEY message, walking the payload chain with strict bounds
    /// checks (checklist E2–E5, H1, H4). SIGN ends the chain and must end the message;
    /// trailing octets are rejected (E3). Semantic I_MESSAGE checks are done by
    /// [`Message::check_i_message`].
    pub fn parse(bytes: &[u8]) -> Result<Message, MikeyError> {
        let mut r = Reader::new(bytes);
        let (header, mut next) = CommonHeader::read(&mut r)?;
        let mut payloads = Vec::new();
        let mut sign = None;
        loop {
            match next {
                payload_type::LAST => break,
                payload_type::SIGN => {
                    sign = Some(SignPayload::read(&mut r)?);
                    break;
                }
                ty => {
                    let (p, n) = Payload::read(ty, &mut r)?;
                    payloads.push(p);
                    next = n;
                }
            }
        }
        r.finish()?;
        Ok(Message {
            header,
            payloads,
            sign,
        })
    }

    /// Parses and checks an I_MESSAGE ([`Message::parse`] then
    /// [`Message::check_i_message`]).
    pub fn parse_i_message(bytes: &[u8]) -> Result<Message, MikeyError> {
        let m = Message::parse(bytes)?;
        m.check_i_message()?;
        Ok(m)
    }

    /// The wire octets of everything before the SIGN payload, followed by the SIGN
    /// header (if `sign` is present). Shared by [`Message::to_bytes`] and signing.
    fn encode_before_signature(
        &self,
        sign: Option<(SignatureType, usize)>,
    ) -> Result<Vec<u8>, MikeyError> {
        let mut out = Vec::with_capacity(1024);
        let last_next = if sign.is_some() {
            payload_type::SIGN
        } else {
            payload_type::LAST
        };
        let first = self
            .payloads
            .first()
            .map(Payload::payload_type)
            .unwrap_or(last_next);
        self.header.write(first, &mut out)?;
        for (i, p) in self.payloads.iter().enumerate() {
            let next = self
                .payloads
                .get(i + 1)
                .map(Payload::payload_type)
                .unwrap_or(last_next);
            p.write(next, &mut out)?;
        }
        if let Some((t, len)) = sign {
            out.extend_from_slice(&SignPayload::header(t, len)?);
        }
        Ok(out)
    }

    /// Encodes the message.
    pub fn to_bytes(&self) -> Result<Vec<u8>, MikeyError> {
        let mut out = self
            .encode_before_signature(self.sign.as_ref().map(|s| (s.sig_type, s.signature.len())))?;
        if let Some(s) = &self.sign {
            out.extend_from_slice(&s.signature);
        }
        Ok(out)
    }

    /// The octets an ECCSI signature covers (SPEC §5.10): the message up to and
    /// including the SIGN header `0x20 0x81`, for a 129-octet ECCSI signature.
    /// Ignores [`Message::sign`]; used by the initiator before the signature exists.
    pub fn eccsi_signed_octets(&self) -> Result<Vec<u8>, MikeyError> {
        self.encode_before_signature(Some((SignatureType::Eccsi, SIGNATURE_LEN)))
    }

    /// Number of octets covered by the signature (everything before the signature
    /// value, SPEC §5.10), or `None` without SIGN payload. 566 for the sample message.
    pub fn signed_len(&self) -> Result<Option<usize>, MikeyError> {
        match &self.sign {
            None => Ok(None),
            Some(s) => Ok(Some(self.to_bytes()?.len() - s.signature.len())),
        }
    }

    /// The first T payload.
    pub fn timestamp(&self) -> Option<&Timestamp> {
        self.payloads.iter().find_map(|p| match p {
            Payload::Timestamp(t) => Some(t),
            _ => None,
        })
    }

    /// The first RAND payload's value.
    pub fn rand(&self) -> Option<&[u8]> {
        self.payloads.iter().find_map(|p| match p {
            Payload::Rand(r) => Some(r.as_slice()),
            _ => None,
        })
    }

    /// Every IDR payload, in order.
    pub fn idrs(&self) -> impl Iterator<Item = &IdrPayload> {
        self.payloads.iter().filter_map(|p| match p {
            Payload::Idr(i) => Some(i),
            _ => None,
        })
    }

    /// The first IDR payload with `role`.
    pub fn idr(&self, role: IdRole) -> Option<&IdrPayload> {
        self.idrs().find(|i| i.role == role)
    }

    /// The first SAKKE payload outside extensions.
    pub fn sakke(&self) -> Option<&SakkePayload> {
        self.payloads.iter().find_map(|p| match p {
            Payload::Sakke(s) => Some(s),
            _ => None,
        })
    }

    /// Every SP payload, in order.
    pub fn security_policies(&self) -> impl Iterator<Item = &SpPayload> {
        self.payloads.iter().filter_map(|p| match p {
            Payload::SecurityPolicy(s) => Some(s),
            _ => None,
        })
    }

    /// The SP payload with `policy_no` (the last one if repeated).
    pub fn security_policy(&self, policy_no: u8) -> Option<&SpPayload> {
        self.security_policies()
            .filter(|s| s.policy_no == policy_no)
            .last()
    }

    /// Every general extension, in order.
    pub fn extensions(&self) -> impl Iterator<Item = &GeneralExtension> {
        self.payloads.iter().filter_map(|p| match p {
            Payload::GeneralExtension(e) => Some(e),
            _ => None,
        })
    }

    /// The raw data of the first type-7 (key parameters) extension.
    pub fn key_parameters(&self) -> Option<&[u8]> {
        self.extensions().find_map(|e| match e {
            GeneralExtension::KeyParameters(d) => Some(d.as_slice()),
            _ => None,
        })
    }

    /// The nested SAKKE payload of the first type-6 (SAKKE-to-self) extension.
    pub fn sakke_to_self(&self) -> Option<&SakkePayload> {
        self.extensions().find_map(|e| match e {
            GeneralExtension::SakkeToSelf { sakke, .. } => Some(sakke),
            _ => None,
        })
    }

    /// Checks the structure of a MIKEY-SAKKE I_MESSAGE (RFC 6509 §4, TS 33.180
    /// E.1.2, SPEC §5.12 and §5.15 steps 1–3), in this order:
    ///
    /// * data type 26 (H2); PRF func PRF-HMAC-SHA-256 or MIKEY-1 (H3; TS 33.180 uses
    ///   PRF-HMAC-SHA-256, both are implemented by [`crate::kdf::prf`]);
    /// * SIGN present (E3), S type ECCSI and 129 octets (E8);
    /// * exactly one T, RAND and SAKKE payload; no IDR role repeated (H5);
    /// * mandatory payloads: T, RAND, IDRi or IDRuidi, IDRr or IDRuidr, IDRkmsi,
    ///   IDRkmsr, SAKKE (H5);
    /// * T of type NTP-UTC (E5); RAND of at least 16 octets (policy);
    /// * SAKKE params 1 and ID scheme 1 or 2 (H6), SAKKE data 258…273 octets (E9),
    ///   likewise for a SAKKE-to-self extension.
    pub fn check_i_message(&self) -> Result<(), MikeyError> {
        if self.header.data_type != DataType::SakkeInit {
            return Err(MikeyError::UnexpectedDataType(self.header.data_type.into()));
        }
        if !matches!(self.header.prf, PrfFunc::HmacSha256 | PrfFunc::Mikey1) {
            return Err(MikeyError::UnsupportedPrf(self.header.prf.value()));
        }
        let sign = self.sign.as_ref().ok_or(MikeyError::MissingSignature)?;
        if sign.sig_type != SignatureType::Eccsi {
            return Err(MikeyError::UnsupportedSignatureType(sign.sig_type.value()));
        }
        if sign.signature.len() != SIGNATURE_LEN {
            return Err(MikeyError::SignatureLength(sign.signature.len()));
        }
        let (mut n_t, mut n_rand, mut n_sakke) = (0usize, 0usize, 0usize);
        let mut roles: Vec<IdRole> = Vec::new();
        for p in &self.payloads {
            match p {
                Payload::Timestamp(_) => n_t += 1,
                Payload::Rand(_) => n_rand += 1,
                Payload::Sakke(_) => n_sakke += 1,
                Payload::Idr(i) => {
                    if roles.contains(&i.role) {
                        return Err(MikeyError::DuplicatePayload("IDR"));
                    }
                    roles.push(i.role);
                }
                _ => {}
            }
        }
        for (n, name) in [(n_t, "T"), (n_rand, "RAND"), (n_sakke, "SAKKE")] {
            if n > 1 {
                return Err(MikeyError::DuplicatePayload(name));
            }
        }
        let has = |r: IdRole| roles.contains(&r);
        if n_t == 0 {
            return Err(MikeyError::MissingPayload("T"));
        }
        if n_rand == 0 {
            return Err(MikeyError::MissingPayload("RAND"));
        }
        if !has(IdRole::Initiator) && !has(IdRole::InitiatorUid) {
            return Err(MikeyError::MissingPayload("IDRi"));
        }
        if !has(IdRole::Responder) && !has(IdRole::ResponderUid) {
            return Err(MikeyError::MissingPayload("IDRr"));
        }
        if !has(IdRole::InitiatorKms) {
            return Err(MikeyError::MissingPayload("IDRkmsi"));
        }
        if !has(IdRole::ResponderKms) {
            return Err(MikeyError::MissingPayload("IDRkmsr"));
        }
        let sakke = self.sakke().ok_or(MikeyError::MissingPayload("SAKKE"))?;
        if let Some(t) = self.timestamp() {
            if !matches!(t, Timestamp::NtpUtc(_)) {
                return Err(MikeyError::UnsupportedTimestampType(t.ts_type()));
            }
        }
        if let Some(r) = self.rand() {
            if r.len() < MIN_RAND_LEN {
                return Err(MikeyError::RandTooShort(r.len()));
            }
        }
        check_sakke_payload(sakke)?;
        if let Some(s) = self.sakke_to_self() {
            check_sakke_payload(s)?;
            // SAKKE-to-self is to the initiator's UID: ID scheme 2 only (SPEC §5.9).
            if s.id_scheme != IdScheme::HashedUid {
                return Err(MikeyError::UnsupportedIdScheme(s.id_scheme.into()));
            }
        }
        Ok(())
    }
}

/// H6 and E9 checks of a SAKKE payload.
pub(crate) fn check_sakke_payload(s: &SakkePayload) -> Result<(), MikeyError> {
    if s.params != SakkeParams::Set1 {
        return Err(MikeyError::UnsupportedSakkeParams(s.params.into()));
    }
    if !matches!(s.id_scheme, IdScheme::TelUriMonthly | IdScheme::HashedUid) {
        return Err(MikeyError::UnsupportedIdScheme(s.id_scheme.into()));
    }
    if !(258..=273).contains(&s.data.len()) {
        return Err(MikeyError::SakkeDataLength(s.data.len()));
    }
    Ok(())
}
