//! Small helpers: time formatting, wildcard matching, deterministic randomness, human-readable sizes.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Days since 1970-01-01 -> (year, month, day). Howard Hinnant's civil_from_days.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub struct Parts {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub milli: u32,
}

pub fn parts(millis: i64) -> Parts {
    let days = millis.div_euclid(86_400_000);
    let rem = millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        hour: (rem / 3_600_000) as u32,
        minute: (rem / 60_000 % 60) as u32,
        second: (rem / 1000 % 60) as u32,
        milli: (rem % 1000) as u32,
    }
}

/// `2020-07-06T21:55:18.128Z`
pub fn iso(millis: i64) -> String {
    let p = parts(millis);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        p.year, p.month, p.day, p.hour, p.minute, p.second, p.milli
    )
}

/// `HH:mm:ss` as used by `_cat/snapshots`.
pub fn hms(millis: i64) -> String {
    let p = parts(millis);
    format!("{:02}:{:02}:{:02}", p.hour, p.minute, p.second)
}

/// Parses `2026-01-01T00:00:00Z` / `2026-01-01T00:00:00.123Z` / `2026-01-01`.
pub fn parse_iso(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse::<i64>().ok() };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, mo as u32, d as u32) * 86_400_000;
    if b.len() == 10 {
        return Some(ms);
    }
    if b.len() < 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    ms += h * 3_600_000 + mi * 60_000 + sec * 1000;
    let rest = &s[19..];
    let rest = if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() {
            return None;
        }
        let mut f = digits.clone();
        f.truncate(3);
        while f.len() < 3 {
            f.push('0');
        }
        ms += f.parse::<i64>().ok()?;
        &frac[digits.len()..]
    } else {
        rest
    };
    if rest == "Z" || rest == "+00:00" { Some(ms) } else { None }
}

/// Elasticsearch `TimeValue` style: `13ms`, `1.4s`, `4.6m`, `2h`, `1d`.
pub fn human_time(ms: i64) -> String {
    let (v, unit) = if ms >= 86_400_000 {
        (ms as f64 / 86_400_000.0, "d")
    } else if ms >= 3_600_000 {
        (ms as f64 / 3_600_000.0, "h")
    } else if ms >= 60_000 {
        (ms as f64 / 60_000.0, "m")
    } else if ms >= 1000 {
        (ms as f64 / 1000.0, "s")
    } else {
        return format!("{ms}ms");
    };
    trim_one_decimal(v, unit)
}

fn trim_one_decimal(v: f64, unit: &str) -> String {
    let s = format!("{:.1}", v);
    let s = s.strip_suffix(".0").unwrap_or(&s).to_string();
    format!("{s}{unit}")
}

/// Elasticsearch `ByteSizeValue` style: `260b`, `88.1kb`, `75.4mb`.
pub fn human_bytes(b: u64) -> String {
    const K: f64 = 1024.0;
    let f = b as f64;
    if f >= K * K * K * K {
        trim_one_decimal(f / (K * K * K * K), "tb")
    } else if f >= K * K * K {
        trim_one_decimal(f / (K * K * K), "gb")
    } else if f >= K * K {
        trim_one_decimal(f / (K * K), "mb")
    } else if f >= K {
        trim_one_decimal(f / K, "kb")
    } else {
        format!("{b}b")
    }
}

pub fn percent(part: u64, total: u64) -> String {
    if total == 0 {
        return "0.0%".into();
    }
    format!("{:.1}%", part as f64 * 100.0 / total as f64)
}

/// Elasticsearch `Regex.simpleMatch`: only `*` is special.
pub fn simple_match(pattern: &str, s: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == s;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut pos = 0usize;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !s.starts_with(part) {
                return false;
            }
            pos = part.len();
        } else if i == parts.len() - 1 {
            return s.len() >= pos + part.len() && s[pos..].ends_with(part);
        } else if let Some(idx) = s[pos..].find(part) {
            pos += idx + part.len();
        } else {
            return false;
        }
    }
    true
}

/// SplitMix64: deterministic, seedable, good enough for UUIDs and fault probabilities.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A 22-character URL-safe base64 id like Elasticsearch's `UUIDs.randomBase64UUID()`.
    pub fn uuid(&mut self) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::with_capacity(22);
        let mut x = self.next_u64();
        for i in 0..22 {
            if i == 10 || i == 20 {
                x = self.next_u64();
            }
            out.push(A[(x & 63) as usize] as char);
            x >>= 6;
        }
        out
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Splits an Elasticsearch comma-separated expression, dropping empty parts.
pub fn split_csv(s: &str) -> Vec<String> {
    s.split(',').map(|p| p.trim()).filter(|p| !p.is_empty()).map(String::from).collect()
}

/// Percent-decoding for path segments and query values (`+` only in queries).
pub fn pct_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let h = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(v) = h {
                    out.push(v);
                    i += 3;
                } else {
                    out.push(b'%');
                    i += 1;
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn dates_roundtrip() {
        let ms = parse_iso("2020-07-06T21:55:18.128Z").unwrap();
        assert_eq!(iso(ms), "2020-07-06T21:55:18.128Z");
        assert_eq!(parse_iso("2026-01-01T00:00:00Z").map(iso).unwrap(), "2026-01-01T00:00:00.000Z");
        assert!(parse_iso("nope").is_none());
    }
    #[test]
    fn humans() {
        assert_eq!(human_time(175_576), "2.9m");
        assert_eq!(human_time(13), "13ms");
        assert_eq!(human_bytes(79_063_092), "75.4mb");
        assert_eq!(human_bytes(260), "260b");
    }
    #[test]
    fn wildcard() {
        assert!(simple_match("nightly-*", "nightly-0001"));
        assert!(simple_match("*-a", "logs-a"));
        assert!(simple_match("l*s*a", "logs-a"));
        assert!(!simple_match("x*", "logs"));
        assert!(simple_match("*", ""));
    }
}
