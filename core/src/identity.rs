//! User identifiers and key periods (RFC 6509 §3.2, TS 33.180 F.2.1).
//!
//! * [`NtpTime`]: the 64-bit NTP-UTC time stamp of the MIKEY T payload
//!   (RFC 3830 §6.6, RFC 5905 §6), the time base of key periods.
//! * [`Rfc6509Id`]: the RFC 6509 §3.2 identifier `"YYYY-MM" || 0x00 || URI || 0x00`.
//! * [`KeyPeriod`]: the KMS `UserKeyPeriod` / `UserKeyOffset` pair and the
//!   key period number `N(T) = floor((T_ntp - O) / P)` (TS 33.180 F.2.1).
//! * [`Uid`]: the TS 33.180 F.2.1 MIKEY-SAKKE UID (`UserIdFormat` 2),
//!   `SHA-256(S)` with `S` built by [`KdfInput`].
//! * [`KdfInput`]: the TS 33.220 Annex B.2 input string
//!   `S = FC || P0 || L0 || ... || Pn || Ln`, shared with [`crate::kdf`].
//!
//! No function of this module reads the clock except [`NtpTime::now`].

use core::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// Errors of this module.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum IdentityError {
    /// A URI (user or KMS) is empty.
    #[error("empty URI")]
    EmptyUri,
    /// A URI of an RFC 6509 identifier contains a NUL octet.
    #[error("the URI contains a NUL octet")]
    UriContainsNul,
    /// A TS 33.220 parameter `Pi` is longer than 65535 octets (its length
    /// `Li` is two octets).
    #[error("a TS 33.220 parameter of {len} octets is longer than 65535 octets")]
    ParameterTooLong {
        /// The parameter's length in octets.
        len: usize,
    },
    /// A month outside 1..=12.
    #[error("month {0} is not in 1..=12")]
    BadMonth(u8),
    /// A year that does not have exactly four decimal digits.
    #[error("year {0} is not in 0..=9999")]
    BadYear(u32),
    /// A malformed RFC 6509 identifier (RFC 6509 §3.2).
    #[error("malformed RFC 6509 identifier: {0}")]
    MalformedRfc6509Id(&'static str),
    /// The key period length `UserKeyPeriod` is zero.
    #[error("the key period length must not be zero")]
    ZeroKeyPeriod,
    /// The time lies before the start of key period 0 (before `UserKeyOffset`).
    #[error("the time lies before the first key period")]
    BeforeFirstPeriod,
    /// A key period start or end does not fit in 64 bits of NTP seconds.
    #[error("key period {0} is out of range")]
    PeriodOutOfRange(u64),
    /// A time that cannot be represented in NTP era 0 (1900-01-01 up to
    /// 2036-02-07 06:28:15 UTC).
    #[error("the time is outside NTP era 0 (1900 to 2036)")]
    TimeOutOfRange,
    /// A UID that is not 32 octets.
    #[error("a UID has 32 octets, got {0}")]
    UidLength(usize),
}

/// Seconds from the NTP epoch (1900-01-01 00:00:00 UTC) to the Unix epoch
/// (1970-01-01 00:00:00 UTC).
pub const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// A 64-bit NTP-UTC time stamp (RFC 5905 §6, RFC 3830 §6.6 TS type 0):
/// 32 bits of seconds since 1900-01-01 00:00:00 UTC, 32 bits of fraction.
///
/// Only NTP era 0 (up to 2036-02-07 06:28:15 UTC) is represented; the
/// conversions reject later times with [`IdentityError::TimeOutOfRange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NtpTime(u64);

impl NtpTime {
    /// From the 64-bit wire value (seconds in the upper 32 bits).
    pub const fn from_bits(bits: u64) -> NtpTime {
        NtpTime(bits)
    }

    /// The 64-bit wire value (seconds in the upper 32 bits).
    pub const fn to_bits(self) -> u64 {
        self.0
    }

    /// From whole NTP seconds and a 32-bit binary fraction of a second.
    pub const fn from_parts(seconds: u32, fraction: u32) -> NtpTime {
        NtpTime(((seconds as u64) << 32) | fraction as u64)
    }

    /// From the 8 octets of a MIKEY T payload of type NTP-UTC (big-endian).
    pub const fn from_bytes(bytes: [u8; 8]) -> NtpTime {
        NtpTime(u64::from_be_bytes(bytes))
    }

    /// The 8 octets of a MIKEY T payload of type NTP-UTC (big-endian).
    pub const fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }

    /// Whole seconds since 1900-01-01 00:00:00 UTC.
    pub const fn seconds(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The binary fraction of a second (units of 2^-32 s).
    pub const fn fraction(self) -> u32 {
        self.0 as u32
    }

    /// From whole seconds since the Unix epoch (fraction 0).
    pub fn from_unix_seconds(unix_seconds: u64) -> Result<NtpTime, IdentityError> {
        let s = unix_seconds
            .checked_add(NTP_UNIX_OFFSET)
            .and_then(|s| u32::try_from(s).ok())
            .ok_or(IdentityError::TimeOutOfRange)?;
        Ok(NtpTime::from_parts(s, 0))
    }

    /// Whole seconds since the Unix epoch (negative before 1970).
    pub fn to_unix_seconds(self) -> i64 {
        i64::from(self.seconds()) - NTP_UNIX_OFFSET as i64
    }

    /// From a [`SystemTime`] supplied by the caller (sub-second precision
    /// kept in the fraction).
    pub fn from_system_time(t: SystemTime) -> Result<NtpTime, IdentityError> {
        let d = t
            .duration_since(UNIX_EPOCH)
            .map_err(|_| IdentityError::TimeOutOfRange)?;
        let secs = NtpTime::from_unix_seconds(d.as_secs())?.seconds();
        // nanos < 10^9, so the quotient is < 2^32.
        let fraction = ((u64::from(d.subsec_nanos()) << 32) / 1_000_000_000) as u32;
        Ok(NtpTime::from_parts(secs, fraction))
    }

    /// The current time from the system clock: the only function of this
    /// module that reads the clock.
    pub fn now() -> Result<NtpTime, IdentityError> {
        NtpTime::from_system_time(SystemTime::now())
    }

    /// The UTC calendar year and month (1..=12) of this time, as used by the
    /// RFC 6509 §3.2 identifier.
    pub fn year_month(self) -> (u32, u8) {
        // Days since 1900-01-01, shifted to days since 1970-01-01.
        let days = i64::from(self.seconds() / 86_400) - (NTP_UNIX_OFFSET / 86_400) as i64;
        let (year, month, _) = civil_from_days(days);
        // Era-0 NTP times give years 1900..=2036.
        (year as u32, month as u8)
    }
}

/// Days since 1970-01-01 of the proleptic Gregorian date `y`-`m`-`d`
/// (H. Hinnant's `days_from_civil`); `m` in 1..=12, `d` in 1..=31.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian `(year, month, day)` of a day count since
/// 1970-01-01 (H. Hinnant's `civil_from_days`), the inverse of
/// [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// An RFC 6509 §3.2 identifier: `"YYYY-MM" || 0x00 || URI || 0x00`, the
/// UTC year and month of key validity followed by the user's URI (ID
/// scheme 1; RFC 6509 expects a `tel:` URI).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rfc6509Id {
    year: u16,
    month: u8,
    uri: String,
}

impl Rfc6509Id {
    /// An identifier for `year` (0..=9999), `month` (1..=12) and a non-empty
    /// URI without NUL octets.
    pub fn new(year: u32, month: u8, uri: &str) -> Result<Rfc6509Id, IdentityError> {
        let year16 = u16::try_from(year)
            .ok()
            .filter(|y| *y <= 9999)
            .ok_or(IdentityError::BadYear(year))?;
        if !(1..=12).contains(&month) {
            return Err(IdentityError::BadMonth(month));
        }
        if uri.is_empty() {
            return Err(IdentityError::EmptyUri);
        }
        if uri.as_bytes().contains(&0) {
            return Err(IdentityError::UriContainsNul);
        }
        Ok(Rfc6509Id {
            year: year16,
            month,
            uri: uri.to_owned(),
        })
    }

    /// The identifier for the UTC month of `time` (the MIKEY T payload's
    /// time stamp).
    pub fn for_time(time: NtpTime, uri: &str) -> Result<Rfc6509Id, IdentityError> {
        let (year, month) = time.year_month();
        Rfc6509Id::new(year, month, uri)
    }

    /// The year.
    pub fn year(&self) -> u32 {
        u32::from(self.year)
    }

    /// The month, 1..=12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The URI.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The identifier octets, both NUL octets included.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.uri.len() + 9);
        out.extend_from_slice(format!("{:04}-{:02}", self.year, self.month).as_bytes());
        out.push(0);
        out.extend_from_slice(self.uri.as_bytes());
        out.push(0);
        out
    }

    /// Parses identifier octets produced by [`Rfc6509Id::to_bytes`] (exactly
    /// 7 date characters, NUL, a non-empty UTF-8 URI, a final NUL).
    pub fn parse(bytes: &[u8]) -> Result<Rfc6509Id, IdentityError> {
        use IdentityError::MalformedRfc6509Id as Bad;
        if bytes.len() < 10 {
            return Err(Bad("shorter than \"YYYY-MM\\0x\\0\""));
        }
        let (date, rest) = bytes.split_at(7);
        let (year, month) = date.split_at(4);
        let Some((&b'-', month)) = month.split_first() else {
            return Err(Bad("no '-' between year and month"));
        };
        let digits = |d: &[u8]| -> Result<u32, IdentityError> {
            d.iter().try_fold(0u32, |acc, c| {
                if c.is_ascii_digit() {
                    Ok(acc * 10 + u32::from(c - b'0'))
                } else {
                    Err(Bad("non-digit in the date"))
                }
            })
        };
        let year = digits(year)?;
        let month = digits(month)?;
        let Some((&0, uri)) = rest.split_first() else {
            return Err(Bad("no NUL after the date"));
        };
        let Some((&last, uri)) = uri.split_last() else {
            return Err(Bad("no final NUL"));
        };
        if last != 0 {
            return Err(Bad("no final NUL"));
        }
        let uri = core::str::from_utf8(uri).map_err(|_| Bad("the URI is not UTF-8"))?;
        // Month is two digits, so at most 99 and the cast is exact.
        Rfc6509Id::new(year, month as u8, uri)
    }
}

/// The TS 33.220 Annex B.2 key-derivation input string
/// `S = FC || P0 || L0 || P1 || L1 || ... || Pn || Ln`, where each `Li` is
/// the 2-octet big-endian length of `Pi`.
///
/// Used for the TS 33.180 F.2.1 UID ([`Uid`]) and the TS 33.180 Annex F
/// key derivations in [`crate::kdf`]. Integers are encoded with the minimal
/// number of octets ([`minimal_be`]), strings as their UTF-8 octets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KdfInput {
    s: Vec<u8>,
}

impl KdfInput {
    /// Starts `S` with the function code `FC`.
    pub fn new(fc: u8) -> KdfInput {
        KdfInput { s: vec![fc] }
    }

    /// Appends `Pi || Li` for octets `p`; fails if `p` is longer than 65535
    /// octets.
    pub fn param(mut self, p: &[u8]) -> Result<KdfInput, IdentityError> {
        let len =
            u16::try_from(p.len()).map_err(|_| IdentityError::ParameterTooLong { len: p.len() })?;
        self.s.extend_from_slice(p);
        self.s.extend_from_slice(&len.to_be_bytes());
        Ok(self)
    }

    /// Appends a non-negative integer parameter in the minimal number of
    /// octets (TS 33.220 B.2.1.3; 0 is the single octet `0x00`).
    pub fn uint(self, value: u64) -> KdfInput {
        let (buf, start) = minimal_be_parts(value);
        // At most 8 octets, so the length always fits in `Li`.
        let mut s = self.s;
        s.extend_from_slice(&buf[start..]);
        s.extend_from_slice(&((8 - start) as u16).to_be_bytes());
        KdfInput { s }
    }

    /// The octets of `S`.
    pub fn as_bytes(&self) -> &[u8] {
        &self.s
    }

    /// Consumes the builder, returning the octets of `S`.
    pub fn into_bytes(self) -> Vec<u8> {
        self.s
    }
}

fn minimal_be_parts(value: u64) -> ([u8; 8], usize) {
    let buf = value.to_be_bytes();
    let start = (value.leading_zeros() as usize / 8).min(7);
    (buf, start)
}

/// A non-negative integer as the minimal number of big-endian octets
/// (TS 33.220 B.2.1.3): `0` → `00`, `2592000` → `27 8d 00`.
pub fn minimal_be(value: u64) -> Vec<u8> {
    let (buf, start) = minimal_be_parts(value);
    buf[start..].to_vec()
}

/// The label `P0` of the TS 33.180 F.2.1 UID derivation.
pub const UID_LABEL: &[u8] = b"MIKEY-SAKKE-UID";

/// The function code `FC` of the TS 33.180 F.2.1 UID derivation (a dummy:
/// the UID is a plain SHA-256 of `S`).
pub const UID_FC: u8 = 0x00;

/// Key period parameters from the KMS certificate (TS 33.180 D.3.2):
/// `UserKeyPeriod` P and `UserKeyOffset` O, both in seconds. Key period
/// `N` covers NTP seconds `[N·P + O, (N+1)·P + O)`, so the period number of
/// time `T` is `N(T) = floor((T_ntp − O) / P)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyPeriod {
    period: u64,
    offset: u64,
}

impl KeyPeriod {
    /// `UserKeyPeriod` and `UserKeyOffset` in seconds; the period must not
    /// be zero.
    pub fn new(period_seconds: u64, offset_seconds: u64) -> Result<KeyPeriod, IdentityError> {
        if period_seconds == 0 {
            return Err(IdentityError::ZeroKeyPeriod);
        }
        Ok(KeyPeriod {
            period: period_seconds,
            offset: offset_seconds,
        })
    }

    /// `UserKeyPeriod`, seconds.
    pub fn period(&self) -> u64 {
        self.period
    }

    /// `UserKeyOffset`, seconds.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The key period number of `time`: `floor((T_ntp − O) / P)`.
    pub fn number_at(&self, time: NtpTime) -> Result<u64, IdentityError> {
        self.number_at_ntp_seconds(u64::from(time.seconds()))
    }

    /// The key period number of whole NTP seconds `t`.
    pub fn number_at_ntp_seconds(&self, t: u64) -> Result<u64, IdentityError> {
        let since = t
            .checked_sub(self.offset)
            .ok_or(IdentityError::BeforeFirstPeriod)?;
        Ok(since / self.period)
    }

    /// The first NTP second of period `n`: `n·P + O`. This is also the time
    /// to put in a KMS request for the keys of period `n`.
    pub fn start(&self, n: u64) -> Result<u64, IdentityError> {
        n.checked_mul(self.period)
            .and_then(|s| s.checked_add(self.offset))
            .ok_or(IdentityError::PeriodOutOfRange(n))
    }

    /// The end of period `n` (exclusive): `(n+1)·P + O`; keys of period `n`
    /// are expired from this NTP second on.
    pub fn end(&self, n: u64) -> Result<u64, IdentityError> {
        n.checked_add(1)
            .ok_or(IdentityError::PeriodOutOfRange(n))
            .and_then(|m| {
                self.start(m)
                    .map_err(|_| IdentityError::PeriodOutOfRange(n))
            })
    }

    /// Whether the keys of period `n` are expired at `time`
    /// (`T_ntp ≥ (n+1)·P + O`; a period whose end is not representable never
    /// expires).
    pub fn is_expired(&self, n: u64, time: NtpTime) -> bool {
        match self.end(n) {
            Ok(end) => u64::from(time.seconds()) >= end,
            Err(_) => false,
        }
    }

    /// The periods a responder tries, in order, for a message with time
    /// stamp `time` (SPEC §4.3): `N`, then `N − 1` and `N + 1` to tolerate
    /// clock skew at a period boundary (`N − 1` omitted when `N = 0`).
    pub fn candidates(&self, time: NtpTime) -> Result<Vec<u64>, IdentityError> {
        let n = self.number_at(time)?;
        let mut out = vec![n];
        if let Some(prev) = n.checked_sub(1) {
            out.push(prev);
        }
        if let Some(next) = n.checked_add(1) {
            out.push(next);
        }
        Ok(out)
    }
}

/// A TS 33.180 F.2.1 MIKEY-SAKKE UID (`UserIdFormat` 2, SAKKE ID scheme 2):
/// 32 octets, used raw as the ECCSI `ID` and as the SAKKE identifier `b`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Uid([u8; 32]);

impl Uid {
    /// `UID = SHA-256(S)` with `S = 0x00 || "MIKEY-SAKKE-UID" || L0 ||
    /// user URI || L1 || KMS URI || L2 || P || L3 || O || L4 || N || L5`
    /// (TS 33.180 F.2.1; integers in minimal big-endian octets).
    pub fn derive(
        user_uri: &str,
        kms_uri: &str,
        period: &KeyPeriod,
        period_no: u64,
    ) -> Result<Uid, IdentityError> {
        let s = Uid::kdf_input(user_uri, kms_uri, period, period_no)?;
        Ok(Uid(Sha256::digest(s.as_bytes()).into()))
    }

    /// The UID for the key period containing `time`.
    pub fn at_time(
        user_uri: &str,
        kms_uri: &str,
        period: &KeyPeriod,
        time: NtpTime,
    ) -> Result<Uid, IdentityError> {
        Uid::derive(user_uri, kms_uri, period, period.number_at(time)?)
    }

    /// The string `S` hashed by [`Uid::derive`]; both URIs must be non-empty.
    pub fn kdf_input(
        user_uri: &str,
        kms_uri: &str,
        period: &KeyPeriod,
        period_no: u64,
    ) -> Result<KdfInput, IdentityError> {
        if user_uri.is_empty() || kms_uri.is_empty() {
            return Err(IdentityError::EmptyUri);
        }
        Ok(KdfInput::new(UID_FC)
            .param(UID_LABEL)?
            .param(user_uri.as_bytes())?
            .param(kms_uri.as_bytes())?
            .uint(period.period())
            .uint(period.offset())
            .uint(period_no))
    }

    /// From 32 octets (for example an IDRuidi/IDRuidr payload).
    pub fn from_bytes(bytes: &[u8]) -> Result<Uid, IdentityError> {
        bytes
            .try_into()
            .map(Uid)
            .map_err(|_| IdentityError::UidLength(bytes.len()))
    }

    /// The 32 octets.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl AsRef<[u8]> for Uid {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Uid(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_encoding() {
        assert_eq!(minimal_be(0), [0]);
        assert_eq!(minimal_be(255), [0xff]);
        assert_eq!(minimal_be(256), [1, 0]);
        assert_eq!(minimal_be(2_592_000), [0x27, 0x8d, 0x00]);
        assert_eq!(minimal_be(u64::MAX), [0xff; 8]);
    }

    #[test]
    fn calendar() {
        // 2011-02-01 00:00:00 UTC = Unix 1296518400.
        let t = NtpTime::from_unix_seconds(1_296_518_400).unwrap();
        assert_eq!(t.year_month(), (2011, 2));
        let t = NtpTime::from_unix_seconds(1_296_518_399).unwrap();
        assert_eq!(t.year_month(), (2011, 1));
        assert_eq!(NtpTime::from_parts(0, 0).year_month(), (1900, 1));
        assert_eq!(NtpTime::from_parts(u32::MAX, 0).year_month(), (2036, 2));
        // 2000-02-29 (leap day) and 2000-03-01.
        assert_eq!(
            NtpTime::from_unix_seconds(951_782_400)
                .unwrap()
                .year_month(),
            (2000, 2)
        );
        assert_eq!(
            NtpTime::from_unix_seconds(951_868_800)
                .unwrap()
                .year_month(),
            (2000, 3)
        );
    }

    #[test]
    fn ntp_conversions() {
        assert_eq!(
            NtpTime::from_unix_seconds(0).unwrap().seconds(),
            2_208_988_800
        );
        assert_eq!(
            NtpTime::from_unix_seconds(u64::from(u32::MAX) - NTP_UNIX_OFFSET + 1),
            Err(IdentityError::TimeOutOfRange)
        );
        let t =
            NtpTime::from_system_time(UNIX_EPOCH + std::time::Duration::from_millis(1500)).unwrap();
        assert_eq!(t.seconds(), 2_208_988_801);
        assert_eq!(t.fraction(), 0x8000_0000);
        assert_eq!(t.to_unix_seconds(), 1);
    }
}
