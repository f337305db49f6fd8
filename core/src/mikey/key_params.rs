//! The 3GPP key-parameters general extension (MIKEY general extension type
//! 7, TS 33.180 E.6 and §8.5.4; SPEC §5.9).
//!
//! The extension's data is an MCData *protected payload* ([`ProtectedPayload`])
//! whose AES-128-GCM ciphertext carries the "Key Parameters" information
//! ([`KeyParameters`]: key type, status, activation and expiry times, text,
//! MC group IDs). The payload key is the DPCK derived from the key carried
//! in the SAKKE payload (the DPPK: GMK, PCK, CSK, ...) and the DPPK-ID
//! (= the HDR CSB ID) with [`crate::kdf::dpck`] (TS 33.180 F.1, FC 0x53).
//!
//! Layout of the protected payload (observed from two independent
//! producers; SPEC §5.9):
//!
//! | Offset | Length | Field |
//! |---|---|---|
//! | 0 | 1 | message type (bit `0x40`: encrypted) |
//! | 1 | 5 | date/time |
//! | 6 | 4 | payload ID |
//! | 10 | 1 | payload sequence number |
//! | 11 | 1 | payload algorithm (`0x01`: AES-128-GCM) |
//! | 12 | 16 | IV |
//! | 28 | 4 | DPPK-ID |
//! | 32 | 1 | payload IEI |
//! | 33 | 2 | payload length L |
//! | 35 | L | ciphertext followed by the 16-octet GCM tag |
//!
//! AES-128-GCM uses the 16-octet IV as the nonce (J0 derived through GHASH)
//! and the 32 octets `octets 0..12 || IV || DPPK-ID` as associated data.
//! The payload IEI and length are not in the associated data; inside an
//! I_MESSAGE they are covered by the MIKEY signature.
//!
//! This module's errors ([`KeyParamsError`]) are its own; they are not
//! variants of [`crate::mikey::MikeyError`].

use aes_gcm::aead::consts::U16;
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::aes::Aes128;
use aes_gcm::{AesGcm, Nonce, Tag};
use zeroize::Zeroize;

use crate::kdf::{self, Dpck, KdfError, KeyId, KeyType};

/// Errors of this module.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum KeyParamsError {
    /// The data ends before a field is complete.
    #[error("truncated {field}: need {need} octets, {have} left")]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Octets the field needs.
        need: usize,
        /// Octets left.
        have: usize,
    },
    /// Octets follow the last field.
    #[error("{0} trailing octets")]
    TrailingData(usize),
    /// A variable-length field is longer than its 2-octet length allows.
    #[error("{field} of {len} octets is longer than 65535 octets")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length.
        len: usize,
    },
    /// A 40-bit time value does not fit in 40 bits.
    #[error("{0} does not fit in 40 bits")]
    TimeRange(&'static str),
    /// The key type octet is not a 4-bit purpose tag.
    #[error("key type 0x{0:02x} is not a purpose tag (0..=15)")]
    KeyType(u8),
    /// The message type does not have the "encrypted" bit (0x40).
    #[error("the payload is not encrypted (message type 0x{0:02x})")]
    NotEncrypted(u8),
    /// A payload algorithm other than AES-128-GCM (0x01).
    #[error("unsupported payload algorithm 0x{0:02x}")]
    Algorithm(u8),
    /// The ciphertext is shorter than the 16-octet GCM tag.
    #[error("ciphertext of {0} octets is shorter than the GCM tag")]
    CiphertextLength(usize),
    /// The GCM tag does not verify: wrong key, wrong DPPK-ID or modified
    /// data.
    #[error("the key parameters do not authenticate")]
    Authentication,
    /// The DPCK could not be derived (bad DPPK length).
    #[error(transparent)]
    Kdf(#[from] KdfError),
}

/// The "encrypted" bit of the message type.
pub const MESSAGE_TYPE_ENCRYPTED: u8 = 0x40;
/// Payload algorithm AES-128-GCM.
pub const ALGORITHM_AES_128_GCM: u8 = 0x01;
/// Length of the IV.
pub const IV_LEN: usize = 16;
/// Length of the GCM tag.
pub const TAG_LEN: usize = 16;
/// Length of the fixed part of the protected payload (up to and including
/// the payload length).
pub const HEADER_LEN: usize = 35;
/// Length of the associated data (`octets 0..12 || IV || DPPK-ID`).
pub const AAD_LEN: usize = 32;
/// Largest 40-bit value.
const MAX_40: u64 = (1 << 40) - 1;

type Aes128Gcm16 = AesGcm<Aes128, U16>;

/// A bounds-checked reader.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], KeyParamsError> {
        let rest = self.data.get(self.pos..).unwrap_or_default();
        if rest.len() < n {
            return Err(KeyParamsError::Truncated {
                field,
                need: n,
                have: rest.len(),
            });
        }
        let (out, _) = rest.split_at(n);
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], KeyParamsError> {
        let s = self.take(N, field)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, KeyParamsError> {
        let [b] = self.array::<1>(field)?;
        Ok(b)
    }

    fn u16(&mut self, field: &'static str) -> Result<u16, KeyParamsError> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    fn u32(&mut self, field: &'static str) -> Result<u32, KeyParamsError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }

    fn u40(&mut self, field: &'static str) -> Result<u64, KeyParamsError> {
        let b: [u8; 5] = self.array(field)?;
        Ok(b.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x)))
    }

    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    fn finish(&self) -> Result<(), KeyParamsError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(KeyParamsError::TrailingData(n)),
        }
    }
}

fn put_u40(out: &mut Vec<u8>, v: u64, field: &'static str) -> Result<(), KeyParamsError> {
    if v > MAX_40 {
        return Err(KeyParamsError::TimeRange(field));
    }
    out.extend_from_slice(&v.to_be_bytes()[3..]);
    Ok(())
}

fn len16(len: usize, field: &'static str) -> Result<[u8; 2], KeyParamsError> {
    u16::try_from(len)
        .map(u16::to_be_bytes)
        .map_err(|_| KeyParamsError::TooLong { field, len })
}

/// The header fields of a protected payload that [`seal_with_header`] does
/// not compute. [`PayloadHeader::default`] gives the values of the TS 33.180
/// sample (`0x43`, date/time 1, payload ID 0, sequence 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PayloadHeader {
    /// Message type; [`MESSAGE_TYPE_ENCRYPTED`] is always set when sealing.
    pub message_type: u8,
    /// Date/time, 40 bits.
    pub date_time: u64,
    /// Payload ID (the sender sets 0, the receiver ignores it).
    pub payload_id: u32,
    /// Payload sequence number (the sender sets 0, the receiver ignores it).
    pub payload_seq: u8,
}

impl Default for PayloadHeader {
    fn default() -> Self {
        PayloadHeader {
            message_type: 0x43,
            date_time: 1,
            payload_id: 0,
            payload_seq: 0,
        }
    }
}

/// The data of a type-7 general extension: an MCData protected payload
/// (TS 33.180 E.6, §8.5.4; TS 24.282). [`ProtectedPayload::parse`] and
/// [`ProtectedPayload::to_bytes`] round-trip exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProtectedPayload {
    /// Message type (bit [`MESSAGE_TYPE_ENCRYPTED`]: encrypted).
    pub message_type: u8,
    /// Date/time, 40 bits.
    pub date_time: u64,
    /// Payload ID.
    pub payload_id: u32,
    /// Payload sequence number.
    pub payload_seq: u8,
    /// Payload algorithm ([`ALGORITHM_AES_128_GCM`]).
    pub algorithm: u8,
    /// The 16-octet IV (GCM nonce).
    pub iv: [u8; IV_LEN],
    /// DPPK-ID; must equal the HDR CSB ID.
    pub dppk_id: KeyId,
    /// Payload IEI (observed `0x00`).
    pub iei: u8,
    /// Ciphertext followed by the 16-octet GCM tag.
    pub ciphertext: Vec<u8>,
}

impl ProtectedPayload {
    /// Parses the extension's data octets; every octet must be consumed.
    pub fn parse(data: &[u8]) -> Result<ProtectedPayload, KeyParamsError> {
        let mut r = Reader::new(data);
        let message_type = r.u8("message type")?;
        let date_time = r.u40("date/time")?;
        let payload_id = r.u32("payload ID")?;
        let payload_seq = r.u8("payload sequence number")?;
        let algorithm = r.u8("payload algorithm")?;
        let iv = r.array("IV")?;
        let dppk_id = KeyId::new(r.u32("DPPK-ID")?);
        let iei = r.u8("payload IEI")?;
        let len = r.u16("payload length")?;
        let ciphertext = r.take(usize::from(len), "payload")?.to_vec();
        r.finish()?;
        Ok(ProtectedPayload {
            message_type,
            date_time,
            payload_id,
            payload_seq,
            algorithm,
            iv,
            dppk_id,
            iei,
            ciphertext,
        })
    }

    /// The extension's data octets.
    pub fn to_bytes(&self) -> Result<Vec<u8>, KeyParamsError> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.ciphertext.len());
        out.extend_from_slice(&self.header_12()?);
        out.extend_from_slice(&self.iv);
        out.extend_from_slice(&self.dppk_id.to_bytes());
        out.push(self.iei);
        out.extend_from_slice(&len16(self.ciphertext.len(), "payload")?);
        out.extend_from_slice(&self.ciphertext);
        Ok(out)
    }

    /// Whether the message type has the "encrypted" bit.
    pub fn is_encrypted(&self) -> bool {
        self.message_type & MESSAGE_TYPE_ENCRYPTED != 0
    }

    fn header_12(&self) -> Result<[u8; 12], KeyParamsError> {
        let mut h = Vec::with_capacity(12);
        h.push(self.message_type);
        put_u40(&mut h, self.date_time, "date/time")?;
        h.extend_from_slice(&self.payload_id.to_be_bytes());
        h.push(self.payload_seq);
        h.push(self.algorithm);
        let mut out = [0u8; 12];
        out.copy_from_slice(&h);
        Ok(out)
    }

    /// The GCM associated data: octets 0..12 || IV || DPPK-ID (32 octets).
    pub fn aad(&self) -> Result<[u8; AAD_LEN], KeyParamsError> {
        let mut out = [0u8; AAD_LEN];
        out[..12].copy_from_slice(&self.header_12()?);
        out[12..28].copy_from_slice(&self.iv);
        out[28..].copy_from_slice(&self.dppk_id.to_bytes());
        Ok(out)
    }
}

/// One MC group ID of the key parameters: `IEI (1) || length (2) || ID`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupId {
    /// Information element identifier (observed `0x7B`).
    pub iei: u8,
    /// The group ID octets (a URI).
    pub id: Vec<u8>,
}

/// The "Key Parameters" content (TS 33.180 E.6.1; SPEC §5.9), the
/// plaintext of the protected payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyParameters {
    /// Key type (purpose tag); a receiver should cross-check it against the
    /// purpose tag of the key id.
    pub key_type: KeyType,
    /// Status (bit semantics unverified).
    pub status: u32,
    /// Activation time, 40 bits (0: not set).
    pub activation_time: u64,
    /// Expiry time, 40 bits (0: not set).
    pub expiry_time: u64,
    /// Text (length-prefixed, 2 octets).
    pub text: Vec<u8>,
    /// MC group IDs: `None` when the field is absent (PCK, CSK), else the
    /// list (possibly empty: a count of 0).
    pub group_ids: Option<Vec<GroupId>>,
}

impl KeyParameters {
    /// Whether the key type equals the purpose tag of `key_id` (the check a
    /// receiver should make against the HDR CSB ID, SPEC §5.9).
    pub fn matches_key_id(&self, key_id: KeyId) -> bool {
        self.key_type == key_id.key_type()
    }

    /// Parses the plaintext; every octet must be consumed.
    pub fn parse(data: &[u8]) -> Result<KeyParameters, KeyParamsError> {
        let mut r = Reader::new(data);
        let kt = r.u8("key type")?;
        if kt > 0x0f {
            return Err(KeyParamsError::KeyType(kt));
        }
        let status = r.u32("status")?;
        let activation_time = r.u40("activation time")?;
        let expiry_time = r.u40("expiry time")?;
        let text_len = r.u16("text length")?;
        let text = r.take(usize::from(text_len), "text")?.to_vec();
        let group_ids = if r.remaining() == 0 {
            None
        } else {
            let g = r.u16("group IDs length")?;
            let mut gr = Reader::new(r.take(usize::from(g), "group IDs")?);
            let count = gr.u8("number of group IDs")?;
            let mut ids = Vec::with_capacity(usize::from(count));
            for _ in 0..count {
                let iei = gr.u8("group ID IEI")?;
                let len = gr.u16("group ID length")?;
                let id = gr.take(usize::from(len), "group ID")?.to_vec();
                ids.push(GroupId { iei, id });
            }
            gr.finish()?;
            Some(ids)
        };
        r.finish()?;
        Ok(KeyParameters {
            key_type: KeyType::from_tag(kt),
            status,
            activation_time,
            expiry_time,
            text,
            group_ids,
        })
    }

    /// Encodes the plaintext.
    pub fn to_bytes(&self) -> Result<Vec<u8>, KeyParamsError> {
        let mut out = Vec::with_capacity(19 + self.text.len());
        out.push(self.key_type.tag());
        out.extend_from_slice(&self.status.to_be_bytes());
        put_u40(&mut out, self.activation_time, "activation time")?;
        put_u40(&mut out, self.expiry_time, "expiry time")?;
        out.extend_from_slice(&len16(self.text.len(), "text")?);
        out.extend_from_slice(&self.text);
        if let Some(ids) = &self.group_ids {
            let count = u8::try_from(ids.len()).map_err(|_| KeyParamsError::TooLong {
                field: "number of group IDs",
                len: ids.len(),
            })?;
            let mut g = vec![count];
            for id in ids {
                g.push(id.iei);
                g.extend_from_slice(&len16(id.id.len(), "group ID")?);
                g.extend_from_slice(&id.id);
            }
            out.extend_from_slice(&len16(g.len(), "group IDs")?);
            out.extend_from_slice(&g);
        }
        Ok(out)
    }
}

/// Encrypts `params` for the key `dppk` (the key of the SAKKE payload) with
/// DPPK-ID `dppk_id` (the HDR CSB ID) and a fresh random 16-octet `iv`,
/// with the header fields of [`PayloadHeader::default`].
pub fn seal(
    dppk: &[u8],
    dppk_id: KeyId,
    params: &KeyParameters,
    iv: [u8; IV_LEN],
) -> Result<ProtectedPayload, KeyParamsError> {
    seal_with_header(dppk, PayloadHeader::default(), dppk_id, params, iv)
}

/// [`seal`] with explicit header fields.
pub fn seal_with_header(
    dppk: &[u8],
    header: PayloadHeader,
    dppk_id: KeyId,
    params: &KeyParameters,
    iv: [u8; IV_LEN],
) -> Result<ProtectedPayload, KeyParamsError> {
    let key = kdf::dpck(dppk, dppk_id)?;
    seal_with_dpck(&key, header, dppk_id, params, iv)
}

/// [`seal_with_header`] with an already derived DPCK.
pub fn seal_with_dpck(
    dpck: &Dpck,
    header: PayloadHeader,
    dppk_id: KeyId,
    params: &KeyParameters,
    iv: [u8; IV_LEN],
) -> Result<ProtectedPayload, KeyParamsError> {
    let mut payload = ProtectedPayload {
        message_type: header.message_type | MESSAGE_TYPE_ENCRYPTED,
        date_time: header.date_time,
        payload_id: header.payload_id,
        payload_seq: header.payload_seq,
        algorithm: ALGORITHM_AES_128_GCM,
        iv,
        dppk_id,
        iei: 0,
        ciphertext: Vec::new(),
    };
    let aad = payload.aad()?;
    let mut buf = params.to_bytes()?;
    // The payload length covers the tag.
    len16(buf.len() + TAG_LEN, "payload")?;
    let cipher = Aes128Gcm16::new(dpck.as_bytes().into());
    let nonce = Nonce::<U16>::from(iv);
    let tag = cipher
        .encrypt_inout_detached(&nonce, &aad, buf.as_mut_slice().into())
        .map_err(|_| KeyParamsError::TooLong {
            field: "payload",
            len: buf.len(),
        })?;
    buf.extend_from_slice(&tag);
    payload.ciphertext = buf;
    Ok(payload)
}

/// Decrypts and parses the key parameters of `payload` with the key `dppk`
/// of the SAKKE payload (the DPCK is derived from `dppk` and the payload's
/// DPPK-ID). The caller checks that `payload.dppk_id` equals the HDR CSB ID.
pub fn open(dppk: &[u8], payload: &ProtectedPayload) -> Result<KeyParameters, KeyParamsError> {
    let key = kdf::dpck(dppk, payload.dppk_id)?;
    open_with_dpck(&key, payload)
}

/// [`open`] with an already derived DPCK.
pub fn open_with_dpck(
    dpck: &Dpck,
    payload: &ProtectedPayload,
) -> Result<KeyParameters, KeyParamsError> {
    if !payload.is_encrypted() {
        return Err(KeyParamsError::NotEncrypted(payload.message_type));
    }
    if payload.algorithm != ALGORITHM_AES_128_GCM {
        return Err(KeyParamsError::Algorithm(payload.algorithm));
    }
    let n = payload.ciphertext.len();
    if n < TAG_LEN {
        return Err(KeyParamsError::CiphertextLength(n));
    }
    let aad = payload.aad()?;
    let (ct, tag) = payload.ciphertext.split_at(n - TAG_LEN);
    let tag = Tag::<U16>::try_from(tag).map_err(|_| KeyParamsError::CiphertextLength(n))?;
    let mut buf = ct.to_vec();
    let cipher = Aes128Gcm16::new(dpck.as_bytes().into());
    let nonce = Nonce::<U16>::from(payload.iv);
    let result = cipher
        .decrypt_inout_detached(&nonce, &aad, buf.as_mut_slice().into(), &tag)
        .map_err(|_| KeyParamsError::Authentication)
        .and_then(|()| KeyParameters::parse(&buf));
    buf.zeroize();
    result
}
