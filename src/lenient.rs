//! Lenient field decoders: real clusters (and the official examples) send numbers as strings
//! (`"start_time_in_millis": "1393245486349"`) and vice versa.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrStr {
    U(u64),
    I(i64),
    F(f64),
    S(String),
}

fn to_u64<E: serde::de::Error>(v: NumOrStr) -> Result<u64, E> {
    match v {
        NumOrStr::U(n) => Ok(n),
        NumOrStr::I(n) => u64::try_from(n).map_err(|_| E::custom(format!("expected a non-negative number, got {n}"))),
        NumOrStr::F(f) if f >= 0.0 && f.is_finite() => Ok(f as u64),
        NumOrStr::F(f) => Err(E::custom(format!("expected a non-negative number, got {f}"))),
        NumOrStr::S(s) => s.trim().parse::<u64>().map_err(|_| E::custom(format!("expected a number, got `{s}`"))),
    }
}

pub fn u64_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<NumOrStr>::deserialize(d)? {
        None => Ok(None),
        Some(v) => to_u64(v).map(Some),
    }
}

pub fn u64_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(u64_opt(d)?.unwrap_or(0))
}

pub fn u32_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match u64_opt(d)? {
        None => Ok(None),
        Some(n) => u32::try_from(n).map(Some).map_err(|_| serde::de::Error::custom(format!("{n} is too large"))),
    }
}

/// A percentage such as `"87.1%"`, `87.1` or `"87.1"`.
pub fn percent_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<NumOrStr>::deserialize(d)? {
        None => Ok(None),
        Some(NumOrStr::U(n)) => Ok(Some(n as f64)),
        Some(NumOrStr::I(n)) => Ok(Some(n as f64)),
        Some(NumOrStr::F(f)) => Ok(Some(f)),
        Some(NumOrStr::S(s)) => s
            .trim()
            .trim_end_matches('%')
            .parse::<f64>()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("expected a percentage, got `{s}`"))),
    }
}

/// A boolean such as `true` or `"true"`.
pub fn bool_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolOrStr {
        B(bool),
        S(String),
    }
    match Option::<BoolOrStr>::deserialize(d)? {
        None => Ok(None),
        Some(BoolOrStr::B(b)) => Ok(Some(b)),
        Some(BoolOrStr::S(s)) => match s.as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(serde::de::Error::custom(format!("expected true or false, got `{s}`"))),
        },
    }
}

/// `null` becomes the type's default (some versions send `"failures": null`).
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
