//! The MIKEY common header HDR (RFC 3830 §6.1, RFC 6043 §6.1, RFC 6509 §4,
//! TS 33.180 E.1.2).

use super::codec::{len16, len8, Reader};
use super::MikeyError;

/// The only MIKEY version defined (RFC 3830 §6.1).
pub const MIKEY_VERSION: u8 = 1;

/// MIKEY data type (RFC 3830 §6.1, RFC 6509 §4). Unknown values are preserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// 0: pre-shared key initiator message.
    PskInit,
    /// 1: pre-shared key verification message.
    PskResp,
    /// 2: public-key initiator message.
    PkInit,
    /// 3: public-key verification message.
    PkResp,
    /// 4: Diffie–Hellman initiator message.
    DhInit,
    /// 5: Diffie–Hellman response message.
    DhResp,
    /// 6: error message.
    Error,
    /// 7: DHHMAC initiator message (RFC 4650).
    DhHmacInit,
    /// 8: DHHMAC response message (RFC 4650).
    DhHmacResp,
    /// 9: RSA-R I_MESSAGE (RFC 4738).
    RsaRInit,
    /// 10: RSA-R R_MESSAGE (RFC 4738).
    RsaRResp,
    /// 26: SAKKE I_MESSAGE (RFC 6509 §4).
    SakkeInit,
    /// 27: SAKKE response message (RFC 6509 §4).
    SakkeResp,
    /// Any other value.
    Unknown(u8),
}

impl From<u8> for DataType {
    fn from(v: u8) -> Self {
        use DataType::*;
        match v {
            0 => PskInit,
            1 => PskResp,
            2 => PkInit,
            3 => PkResp,
            4 => DhInit,
            5 => DhResp,
            6 => Error,
            7 => DhHmacInit,
            8 => DhHmacResp,
            9 => RsaRInit,
            10 => RsaRResp,
            26 => SakkeInit,
            27 => SakkeResp,
            other => Unknown(other),
        }
    }
}

impl From<DataType> for u8 {
    fn from(v: DataType) -> u8 {
        use DataType::*;
        match v {
            PskInit => 0,
            PskResp => 1,
            PkInit => 2,
            PkResp => 3,
            DhInit => 4,
            DhResp => 5,
            Error => 6,
            DhHmacInit => 7,
            DhHmacResp => 8,
            RsaRInit => 9,
            RsaRResp => 10,
            SakkeInit => 26,
            SakkeResp => 27,
            Unknown(other) => other,
        }
    }
}

/// The PRF function of the header (7 bits; RFC 3830 §6.1, RFC 6043 §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrfFunc {
    /// 0: MIKEY-1, HMAC-SHA-1 based (RFC 3830 §4.1.2).
    Mikey1,
    /// 1: PRF-HMAC-SHA-256 (RFC 6043 §6.1; used by TS 33.180).
    HmacSha256,
    /// Any other 7-bit value.
    Unknown(u8),
}

impl PrfFunc {
    /// The PRF function for a 7-bit value (the V bit, if given, is ignored).
    pub fn from_value(v: u8) -> Self {
        match v & 0x7f {
            0 => PrfFunc::Mikey1,
            1 => PrfFunc::HmacSha256,
            other => PrfFunc::Unknown(other),
        }
    }

    /// The 7-bit wire value.
    pub fn value(self) -> u8 {
        match self {
            PrfFunc::Mikey1 => 0,
            PrfFunc::HmacSha256 => 1,
            PrfFunc::Unknown(v) => v & 0x7f,
        }
    }
}

/// One entry of an SRTP-ID CS ID map (RFC 3830 §6.1.1). Its cs_id is its 1-based
/// position in the map.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SrtpIdEntry {
    /// Policy number (refers to an SP payload).
    pub policy_no: u8,
    /// SSRC of the stream.
    pub ssrc: u32,
    /// Current rollover counter of the stream.
    pub roc: u32,
}

/// One entry of a GENERIC-ID CS ID map (RFC 6043 §6.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GenericIdEntry {
    /// The cs_id used in key derivation (RFC 3830 §4.1.3).
    pub cs_id: u8,
    /// Protocol type (0 = SRTP).
    pub prot_type: u8,
    /// S flag: the session data contains SSRC/ROC/SEQ information.
    pub s_flag: bool,
    /// Policy numbers (at most 127).
    pub policies: Vec<u8>,
    /// Session data (empty in TS 33.180 I_MESSAGEs).
    pub session_data: Vec<u8>,
    /// Security parameter index; in TS 33.180 the MKI / key identifier (GMK-ID ‖
    /// GUK-ID for a GMK, SPEC §6.7).
    pub spi: Vec<u8>,
}

/// The CS ID map of the header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CsIdMap {
    /// Type 0: SRTP-ID map (RFC 3830 §6.1.1).
    SrtpId(Vec<SrtpIdEntry>),
    /// Type 1: empty map, `#CS = 0` (RFC 3830 §6.1; TS 33.180 E.1.2: the default
    /// security profile applies).
    Empty,
    /// Type 2: GENERIC-ID map (RFC 6043 §6.1.1).
    GenericId(Vec<GenericIdEntry>),
}

impl CsIdMap {
    /// The wire value of the map type.
    pub fn map_type(&self) -> u8 {
        match self {
            CsIdMap::SrtpId(_) => 0,
            CsIdMap::Empty => 1,
            CsIdMap::GenericId(_) => 2,
        }
    }

    /// The number of crypto sessions (`#CS`).
    pub fn len(&self) -> usize {
        match self {
            CsIdMap::SrtpId(v) => v.len(),
            CsIdMap::Empty => 0,
            CsIdMap::GenericId(v) => v.len(),
        }
    }

    /// Whether the map describes no crypto session.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The MIKEY common header (RFC 3830 §6.1). The version is always 1 (anything else
/// is rejected on parsing); the next-payload field is not stored: it follows from
/// the payload chain of the message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommonHeader {
    /// Data type (26 = SAKKE I_MESSAGE).
    pub data_type: DataType,
    /// V flag (verification message requested; TS 33.180: false).
    pub v: bool,
    /// PRF function (TS 33.180: PRF-HMAC-SHA-256).
    pub prf: PrfFunc,
    /// Crypto session bundle id (TS 33.180: GUK-ID, PCK-ID, CSK-ID …, SPEC §5.13).
    pub csb_id: u32,
    /// The crypto sessions.
    pub cs_map: CsIdMap,
}

impl CommonHeader {
    /// Reads the header; returns it and the type of the first payload.
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<(Self, u8), MikeyError> {
        let version = r.u8("HDR")?;
        if version != MIKEY_VERSION {
            return Err(MikeyError::UnsupportedVersion(version));
        }
        let data_type = DataType::from(r.u8("HDR")?);
        let next = r.u8("HDR")?;
        let vprf = r.u8("HDR")?;
        let csb_id = r.u32("HDR")?;
        let n_cs = r.u8("HDR")?;
        let map_type = r.u8("HDR")?;
        let cs_map = match map_type {
            0 => {
                let mut v = Vec::with_capacity(usize::from(n_cs));
                for _ in 0..n_cs {
                    v.push(SrtpIdEntry {
                        policy_no: r.u8("SRTP-ID map")?,
                        ssrc: r.u32("SRTP-ID map")?,
                        roc: r.u32("SRTP-ID map")?,
                    });
                }
                CsIdMap::SrtpId(v)
            }
            1 => {
                if n_cs != 0 {
                    return Err(MikeyError::CsIdMapCount);
                }
                CsIdMap::Empty
            }
            2 => {
                let mut v = Vec::with_capacity(usize::from(n_cs));
                for _ in 0..n_cs {
                    let cs_id = r.u8("GENERIC-ID map")?;
                    let prot_type = r.u8("GENERIC-ID map")?;
                    let sp = r.u8("GENERIC-ID map")?;
                    let policies = r.take(usize::from(sp & 0x7f), "GENERIC-ID policies")?;
                    let sd_len = r.u16("GENERIC-ID map")?;
                    let session_data = r.take(usize::from(sd_len), "GENERIC-ID session data")?;
                    let spi_len = r.u8("GENERIC-ID map")?;
                    let spi = r.take(usize::from(spi_len), "GENERIC-ID SPI")?;
                    v.push(GenericIdEntry {
                        cs_id,
                        prot_type,
                        s_flag: sp & 0x80 != 0,
                        policies: policies.to_vec(),
                        session_data: session_data.to_vec(),
                        spi: spi.to_vec(),
                    });
                }
                CsIdMap::GenericId(v)
            }
            other => return Err(MikeyError::UnknownCsIdMapType(other)),
        };
        Ok((
            CommonHeader {
                data_type,
                v: vprf & 0x80 != 0,
                prf: PrfFunc::from_value(vprf),
                csb_id,
                cs_map,
            },
            next,
        ))
    }

    /// Appends the header with the given next-payload value.
    pub(crate) fn write(&self, next: u8, out: &mut Vec<u8>) -> Result<(), MikeyError> {
        let n_cs = len8(self.cs_map.len(), "#CS")?;
        out.push(MIKEY_VERSION);
        out.push(self.data_type.into());
        out.push(next);
        out.push(u8::from(self.v) << 7 | self.prf.value());
        out.extend_from_slice(&self.csb_id.to_be_bytes());
        out.push(n_cs);
        out.push(self.cs_map.map_type());
        match &self.cs_map {
            CsIdMap::SrtpId(v) => {
                for e in v {
                    out.push(e.policy_no);
                    out.extend_from_slice(&e.ssrc.to_be_bytes());
                    out.extend_from_slice(&e.roc.to_be_bytes());
                }
            }
            CsIdMap::Empty => {}
            CsIdMap::GenericId(v) => {
                for e in v {
                    let n_p = len8(e.policies.len(), "GENERIC-ID policies")?;
                    if n_p > 0x7f {
                        return Err(MikeyError::FieldTooLong("GENERIC-ID policies"));
                    }
                    out.push(e.cs_id);
                    out.push(e.prot_type);
                    out.push(u8::from(e.s_flag) << 7 | n_p);
                    out.extend_from_slice(&e.policies);
                    out.extend_from_slice(&len16(e.session_data.len(), "GENERIC-ID session data")?);
                    out.extend_from_slice(&e.session_data);
                    out.push(len8(e.spi.len(), "GENERIC-ID SPI")?);
                    out.extend_from_slice(&e.spi);
                }
            }
        }
        Ok(())
    }
}
