//! Lenient field decoders: real clusters (and the official examples) send numbers as strings
//! (`"start_time_in_millis": "1393245486349"`) and vice versa.

use crate::json::{FromJson, JsonError, Kind, Num, Reader};

/// A number, or a string holding one.
fn num_or_str(r: &mut Reader<'_>) -> Result<Result<Num, String>, JsonError> {
    match r.kind() {
        Some(Kind::String) => Ok(Err(r.str()?.into_owned())),
        Some(Kind::Number) => Ok(Ok(r.number()?)),
        _ => Err(r.unexpected("a number or a string")),
    }
}

pub fn u64_opt(r: &mut Reader<'_>) -> Result<Option<u64>, JsonError> {
    if r.take_null()? {
        return Ok(None);
    }
    let n = match num_or_str(r)? {
        Ok(Num::U(n)) => n,
        Ok(Num::I(n)) => return Err(r.error(format!("expected a non-negative number, got {n}"))),
        Ok(Num::F(f)) if f >= 0.0 => f as u64,
        Ok(Num::F(_)) => return Err(r.error("expected a non-negative number, got a negative one")),
        Err(s) => s.trim().parse::<u64>().map_err(|_| r.error(format!("expected a number, got `{s}`")))?,
    };
    Ok(Some(n))
}

pub fn u64_or_zero(r: &mut Reader<'_>) -> Result<u64, JsonError> {
    Ok(u64_opt(r)?.unwrap_or(0))
}

pub fn u32_opt(r: &mut Reader<'_>) -> Result<Option<u32>, JsonError> {
    match u64_opt(r)? {
        None => Ok(None),
        Some(n) => u32::try_from(n).map(Some).map_err(|_| r.error(format!("{n} is too large"))),
    }
}

/// A percentage such as `"87.1%"`, `87.1` or `"87.1"`.
pub fn percent_opt(r: &mut Reader<'_>) -> Result<Option<f64>, JsonError> {
    if r.take_null()? {
        return Ok(None);
    }
    match num_or_str(r)? {
        Ok(n) => Ok(Some(n.as_f64())),
        Err(s) => crate::json::float::parse(s.trim().trim_end_matches('%')).map(Some).ok_or_else(|| r.error(format!("expected a percentage, got `{s}`"))),
    }
}

/// A boolean such as `true` or `"true"`.
pub fn bool_opt(r: &mut Reader<'_>) -> Result<Option<bool>, JsonError> {
    if r.take_null()? {
        return Ok(None);
    }
    match r.kind() {
        Some(Kind::Bool) => r.bool().map(Some),
        Some(Kind::String) => match &*r.str()? {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            s => Err(r.error(format!("expected true or false, got `{s}`"))),
        },
        _ => Err(r.unexpected("a boolean")),
    }
}

/// `null` becomes the type's default (some versions send `"failures": null`).
pub fn null_default<T: FromJson + Default>(r: &mut Reader<'_>) -> Result<T, JsonError> {
    Ok(Option::<T>::read_json(r)?.unwrap_or_default())
}
