//! Helpers shared by `msk mikey inspect`, `initiate` and `receive`: the
//! accepted message forms, RFC 3339 times and the names of key types.

use mikey_sakke::eccsi::Kpak;
use mikey_sakke::identity::{
    civil_from_days, days_from_civil, KeyPeriod, NtpTime, NTP_UNIX_OFFSET,
};
use mikey_sakke::kdf::KeyType;
use mikey_sakke::mikey::{
    decode_sdp_attribute, decode_text, MikeyError, TrustStore, TrustedKms, SDP_ATTRIBUTE_PREFIX,
};
use mikey_sakke::sakke::KmsContext;

use crate::error::CliError;

/// The message of a [`MikeyError`], with its SPEC §9 check id when it has one.
pub fn mikey_reason(e: &MikeyError) -> String {
    match e.check_id() {
        Some(id) => format!("{e} (check {id})"),
        None => e.to_string(),
    }
}

/// The `UserKeyPeriod` of the KMSs in [`command_line_trust`]: the users' key
/// sets are given by identifier, so it derives no identifier and only has to be
/// valid; 30 days as in the TS 33.180 sample.
const COMMAND_LINE_KEY_PERIOD: u64 = 2_592_000;

/// A trust store with the KMSs `kms_uris` (the IDRkmsi and IDRkmsr URIs), each
/// with the KPAK and SAKKE public key given on the command line (the core uses
/// the initiator KMS's KPAK and the responder KMS's Z), and the key period they
/// carry.
pub fn command_line_trust(
    kms_uris: [&str; 2],
    kpak: &Kpak,
    ctx: &KmsContext,
) -> Result<(TrustStore, KeyPeriod), CliError> {
    let period = KeyPeriod::new(COMMAND_LINE_KEY_PERIOD, 0)
        .map_err(|e| CliError::Internal(e.to_string()))?;
    let mut trust = TrustStore::new();
    for uri in kms_uris {
        trust.insert(TrustedKms::with_context(
            uri,
            kpak.clone(),
            ctx.clone(),
            period,
        ));
    }
    Ok((trust, period))
}

/// Decodes a MIKEY message given as `mikey BASE64`, an SDP line
/// `a=key-mgmt:mikey BASE64`, bare base64 or hex.
pub fn decode_message(arg: &'static str, value: &str) -> Result<Vec<u8>, CliError> {
    let v = value.trim();
    let bad = |e: MikeyError| CliError::bad(arg, mikey_reason(&e));
    if v.is_empty() {
        return Err(CliError::bad(arg, "must not be empty"));
    }
    if v.starts_with(SDP_ATTRIBUTE_PREFIX) {
        return decode_sdp_attribute(v).map_err(bad);
    }
    if v.starts_with("mikey") {
        return decode_text(v).map_err(bad);
    }
    if v.len().is_multiple_of(2) && v.bytes().all(|c| c.is_ascii_hexdigit()) {
        return hex::decode(v).map_err(|e| CliError::bad(arg, format!("invalid hex: {e}")));
    }
    decode_text(&format!("mikey {v}")).map_err(bad)
}

/// Parses an RFC 3339 date-time (`2026-11-26T12:00:00Z`,
/// `2026-11-26T13:00:00.5+01:00`); fractions of a second are kept.
pub fn parse_rfc3339(arg: &'static str, value: &str) -> Result<NtpTime, CliError> {
    let bad = || {
        CliError::bad(
            arg,
            "expected an RFC 3339 date-time such as 2026-11-26T12:00:00Z",
        )
    };
    let s = value.trim().as_bytes();
    let num = |range: std::ops::Range<usize>| -> Result<i64, CliError> {
        let part = s.get(range).ok_or_else(bad)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        part.iter()
            .try_fold(0i64, |acc, &c| {
                acc.checked_mul(10)?.checked_add(i64::from(c - b'0'))
            })
            .ok_or_else(bad)
    };
    if s.len() < 20
        || s[4] != b'-'
        || s[7] != b'-'
        || !matches!(s[10], b'T' | b't' | b' ')
        || s[13] != b':'
        || s[16] != b':'
    {
        return Err(bad());
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month)
        || day < 1
        || day > month_days[(month - 1) as usize]
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(bad());
    }
    let mut pos = 19;
    let mut fraction = 0u32;
    if s[pos] == b'.' {
        let start = pos + 1;
        let mut end = start;
        while end < s.len() && s[end].is_ascii_digit() {
            end += 1;
        }
        if end == start {
            return Err(bad());
        }
        // At most 9 digits matter (nanoseconds).
        let digits = &s[start..end.min(start + 9)];
        let mut nanos = digits
            .iter()
            .fold(0u64, |acc, &c| acc * 10 + u64::from(c - b'0'));
        for _ in digits.len()..9 {
            nanos *= 10;
        }
        fraction = u32::try_from((nanos << 32) / 1_000_000_000).map_err(|_| bad())?;
        pos = end;
    }
    let offset = match s.get(pos..) {
        Some(b"Z") | Some(b"z") => 0,
        Some([sign @ (b'+' | b'-'), _, _, b':', _, _]) => {
            let (h, m) = (num(pos + 1..pos + 3)?, num(pos + 4..pos + 6)?);
            if h > 23 || m > 59 {
                return Err(bad());
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return Err(bad()),
    };
    let unix =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    let ntp = unix + NTP_UNIX_OFFSET as i64;
    let seconds = u32::try_from(ntp).map_err(|_| {
        CliError::bad(
            arg,
            "outside the NTP era 0 (1900-01-01 to 2036-02-07 06:28:15 UTC)",
        )
    })?;
    Ok(NtpTime::from_parts(seconds, fraction))
}

/// `time` as RFC 3339 UTC (`2026-11-26T12:00:00Z`), with the fraction of a
/// second to the nanosecond when it is not zero.
pub fn format_rfc3339(time: NtpTime) -> String {
    let unix = time.to_unix_seconds();
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let base = format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}");
    match time.fraction() {
        0 => format!("{base}Z"),
        f => {
            let nanos = (u64::from(f) * 1_000_000_000) >> 32;
            let frac = format!("{nanos:09}");
            format!("{base}.{}Z", frac.trim_end_matches('0'))
        }
    }
}

/// The lower-case name of a key type (`gmk`, `pck`, …, `reserved-7`).
pub fn key_type_name(t: KeyType) -> String {
    match t {
        KeyType::Gmk => "gmk".into(),
        KeyType::Pck => "pck".into(),
        KeyType::Csk => "csk".into(),
        KeyType::Spk => "spk".into(),
        KeyType::Mkfc => "mkfc".into(),
        KeyType::Mscck => "mscck".into(),
        KeyType::Musik => "musik".into(),
        KeyType::Reserved(n) => format!("reserved-{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let t = parse_rfc3339("--at", "2026-11-26T12:34:56Z").ok().unwrap();
        assert_eq!(format_rfc3339(t), "2026-11-26T12:34:56Z");
        let u = parse_rfc3339("--at", "2026-11-26T13:34:56+01:00")
            .ok()
            .unwrap();
        assert_eq!(t, u);
        let f = parse_rfc3339("--at", "2026-11-26T12:34:56.5Z")
            .ok()
            .unwrap();
        assert_eq!(format_rfc3339(f), "2026-11-26T12:34:56.5Z");
        assert_eq!(
            parse_rfc3339("--at", "1970-01-01T00:00:00Z")
                .ok()
                .map(|t| t.to_unix_seconds()),
            Some(0)
        );
        for bad in [
            "",
            "2026-11-26",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-26T12:00:00",
            "2040-01-01T00:00:00Z",
        ] {
            assert!(parse_rfc3339("--at", bad).is_err(), "{bad}");
        }
    }
}
