//! `xsd:dateTime` values of the KMS documents (TS 33.180 D.2.2 `Time`, D.3
//! `ValidFrom`/`ValidTo`).

use core::fmt;

use crate::identity::{civil_from_days, days_from_civil, NTP_UNIX_OFFSET};

/// An `xsd:dateTime` as received (kept verbatim for exact round trips) with
/// its value in Unix seconds (UTC; a missing zone is taken as UTC; fractions
/// of a second are dropped from the value, not from the text).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DateTime {
    text: String,
    unix: i64,
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({})", self.text)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl DateTime {
    /// `YYYY-MM-DDThh:mm:ssZ` for Unix seconds `unix` (years 0001 to 9999).
    pub fn from_unix(unix: i64) -> DateTime {
        let days = unix.div_euclid(86_400);
        let secs = unix.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let text = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
        DateTime { text, unix }
    }

    /// The dateTime of whole NTP seconds (seconds since 1900-01-01 UTC);
    /// `None` after the year 9999 (not a four-digit `xsd:dateTime` year).
    pub fn from_ntp_seconds(ntp: u64) -> Option<DateTime> {
        /// 9999-12-31T23:59:59Z in Unix seconds.
        const MAX_UNIX: i128 = 253_402_300_799;
        let unix = i128::from(ntp) - i128::from(NTP_UNIX_OFFSET);
        if unix > MAX_UNIX {
            return None;
        }
        i64::try_from(unix).ok().map(DateTime::from_unix)
    }

    /// Parses `[-]YYYY-MM-DDThh:mm:ss[.f+][Z|(+|-)hh:mm]`; `None` if malformed.
    pub fn parse(text: &str) -> Option<DateTime> {
        let t = text.trim();
        let (date, rest) = t.split_once('T')?;
        let mut dp = date.splitn(3, '-');
        let (y, m, d) = (dp.next()?, dp.next()?, dp.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (y, m, d) = (digits(y)?, digits(m)?, digits(d)?);
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return None;
        }
        // Zone.
        let (time, zone_secs) = if let Some(t) = rest.strip_suffix('Z') {
            (t, 0)
        } else if rest.len() > 6
            && matches!(rest.as_bytes()[rest.len() - 6], b'+' | b'-')
            && rest.as_bytes()[rest.len() - 3] == b':'
        {
            let (t, z) = rest.split_at(rest.len() - 6);
            let zh = digits(&z[1..3])?;
            let zm = digits(&z[4..6])?;
            if zh > 14 || zm > 59 {
                return None;
            }
            let s = zh * 3600 + zm * 60;
            (t, if z.starts_with('-') { -s } else { s })
        } else {
            (rest, 0)
        };
        let (hms, frac) = match time.split_once('.') {
            Some((hms, f)) => (hms, Some(f)),
            None => (time, None),
        };
        if let Some(f) = frac {
            if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
        }
        let mut tp = hms.splitn(3, ':');
        let (h, mi, s) = (tp.next()?, tp.next()?, tp.next()?);
        if h.len() != 2 || mi.len() != 2 || s.len() != 2 {
            return None;
        }
        let (h, mi, s) = (digits(h)?, digits(mi)?, digits(s)?);
        if h > 24 || mi > 59 || s > 59 || (h == 24 && (mi != 0 || s != 0)) {
            return None;
        }
        let days = days_from_civil(y, m, d);
        // Reject 2021-02-30 and the like.
        if civil_from_days(days) != (y, m, d) {
            return None;
        }
        let unix = days * 86_400 + h * 3600 + mi * 60 + s - zone_secs;
        Some(DateTime {
            text: t.to_owned(),
            unix,
        })
    }

    /// Unix seconds (UTC).
    pub fn unix_seconds(&self) -> i64 {
        self.unix
    }

    /// Whole NTP seconds (negative before 1900).
    pub fn ntp_seconds(&self) -> i64 {
        self.unix.saturating_add(NTP_UNIX_OFFSET as i64)
    }

    /// The text as received or produced.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(DateTime::from_unix(0).as_str(), "1970-01-01T00:00:00Z");
        // TS 33.180 Annex D example: 2014-02-23 08:39:14 UTC = NTP 0xD6B43232.
        let t = DateTime::parse("2014-02-23T08:39:14Z").unwrap();
        assert_eq!(t.ntp_seconds(), 0xD6B4_3232);
        assert_eq!(
            DateTime::from_ntp_seconds(0xD6B4_3232).unwrap().as_str(),
            "2014-02-23T08:39:14Z"
        );
        let z = DateTime::parse("2014-02-23T09:39:14.25+01:00").unwrap();
        assert_eq!(z.unix_seconds(), t.unix_seconds());
        assert_eq!(
            DateTime::from_ntp_seconds(0).unwrap().as_str(),
            "1900-01-01T00:00:00Z"
        );
    }

    #[test]
    fn four_digit_years_only() {
        assert_eq!(
            DateTime::from_ntp_seconds(253_402_300_799 + NTP_UNIX_OFFSET)
                .unwrap()
                .as_str(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            DateTime::from_ntp_seconds(253_402_300_800 + NTP_UNIX_OFFSET),
            None
        );
        assert_eq!(DateTime::from_ntp_seconds(u64::MAX), None);
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "2014-02-23",
            "2014-02-30T00:00:00Z",
            "2014-13-01T00:00:00Z",
            "2014-02-23T25:00:00Z",
            "2014-02-23T08:39Z",
            "2014-2-23T08:39:14Z",
            "2014-02-23T08:39:14.Z",
            "2014-02-23T08:39:14+1:00",
            "x014-02-23T08:39:14Z",
        ] {
            assert!(DateTime::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn round_trip_range() {
        for unix in [-2_208_988_800i64, -1, 0, 1, 951_782_400, 4_102_444_800] {
            let d = DateTime::from_unix(unix);
            assert_eq!(DateTime::parse(d.as_str()).unwrap(), d);
        }
    }
}
