//! essnap's JSON layer: one pull [`Reader`], one [`Writer`], and `#[derive(FromJson, ToJson)]`.
//!
//! Why not serde: serde's derive compiles each type's visitor again for every deserializer and
//! serializer it is used with, behind generic state machines. In the web package that was the
//! largest part of the wasm. Here each type gets one plain decode and one plain encode function
//! over one concrete reader and writer, and objects are walked by one loop for all types.
//! Free-form parts (metadata, settings) stay `serde_json::Value`, read and written here.
//!
//! Lenient where servers differ, strict where JSON is: unknown fields are skipped, a missing
//! `Option` field is `None`, a repeated key keeps its last value; malformed JSON, a wrong type
//! or a missing required field is an error naming the line and column. Floats are parsed
//! correctly rounded (std) and written in their shortest round-trip form (ryu).

pub mod float;
mod read;
mod write;

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

pub use essnap_json_derive::{FromJson, ToJson};
pub use read::{JsonError, Kind, Num, Reader};
pub use write::Writer;

/// A type read from JSON.
pub trait FromJson: Sized {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError>;

    /// The value of a struct field the object does not have: an error, except for `Option`.
    fn missing(r: &Reader<'_>, field: &str) -> Result<Self, JsonError> {
        Err(r.error(format!("missing field `{field}`")))
    }
}

/// A type written as JSON.
pub trait ToJson {
    fn write_json(&self, w: &mut Writer);

    /// Writes the fields into an open object (`#[json(flatten)]`); only structs and internally
    /// tagged enums have fields to give.
    fn write_fields(&self, w: &mut Writer) {
        let _ = w;
    }
}

/// Decodes a whole document.
pub fn from_slice<T: FromJson>(bytes: &[u8]) -> Result<T, JsonError> {
    let mut r = Reader::new(bytes);
    let v = T::read_json(&mut r)?;
    r.end()?;
    Ok(v)
}

pub fn from_str<T: FromJson>(s: &str) -> Result<T, JsonError> {
    from_slice(s.as_bytes())
}

/// Decodes from a `Value` (written out and read again: for callers that already hold one).
pub fn from_value<T: FromJson>(v: &Value) -> Result<T, JsonError> {
    from_str(&to_string(v))
}

pub fn to_string<T: ToJson + ?Sized>(v: &T) -> String {
    let mut w = Writer::new();
    v.write_json(&mut w);
    w.into_string()
}

pub fn to_vec<T: ToJson + ?Sized>(v: &T) -> Vec<u8> {
    to_string(v).into_bytes()
}

pub fn to_value<T: ToJson + ?Sized>(v: &T) -> Value {
    // What the writer writes is JSON, so it reads back.
    from_str(&to_string(v)).unwrap_or(Value::Null)
}

/// An integer of the given range, from a JSON number without fraction.
fn integer(r: &mut Reader<'_>, min: i128, max: i128, what: &str) -> Result<i128, JsonError> {
    let n = match r.number() {
        Ok(Num::U(n)) => i128::from(n),
        Ok(Num::I(n)) => i128::from(n),
        Ok(Num::F(_)) => return Err(r.error(format!("expected {what}, found a fractional number"))),
        Err(e) => return Err(e),
    };
    if n < min || n > max { Err(r.error(format!("{n} is out of range for {what}"))) } else { Ok(n) }
}

macro_rules! integers {
    ($($t:ty => $what:literal),*) => {$(
        impl FromJson for $t {
            fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
                // In range by the check above.
                integer(r, i128::from(<$t>::MIN), i128::from(<$t>::MAX), $what).map(|n| n as $t)
            }
        }
        impl ToJson for $t {
            #[allow(unused_comparisons)]
            fn write_json(&self, w: &mut Writer) {
                if *self < 0 { w.i64(*self as i64) } else { w.u64(*self as u64) }
            }
        }
    )*};
}
integers!(u8 => "an 8-bit unsigned integer", u16 => "a 16-bit unsigned integer", u32 => "a 32-bit unsigned integer",
    u64 => "an unsigned integer", i32 => "a 32-bit integer", i64 => "an integer");

impl FromJson for usize {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        u64::read_json(r).and_then(|n| usize::try_from(n).map_err(|_| r.error(format!("{n} is too large"))))
    }
}

impl ToJson for usize {
    fn write_json(&self, w: &mut Writer) {
        w.u64(*self as u64);
    }
}

impl FromJson for f64 {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        r.number().map(Num::as_f64)
    }
}

impl ToJson for f64 {
    fn write_json(&self, w: &mut Writer) {
        w.f64(*self);
    }
}

impl FromJson for bool {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        r.bool()
    }
}

impl ToJson for bool {
    fn write_json(&self, w: &mut Writer) {
        w.bool(*self);
    }
}

impl FromJson for String {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        r.str().map(Cow::into_owned)
    }
}

impl ToJson for String {
    fn write_json(&self, w: &mut Writer) {
        w.str(self);
    }
}

impl ToJson for str {
    fn write_json(&self, w: &mut Writer) {
        w.str(self);
    }
}

impl ToJson for Cow<'_, str> {
    fn write_json(&self, w: &mut Writer) {
        w.str(self);
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, w: &mut Writer) {
        (**self).write_json(w);
    }

    fn write_fields(&self, w: &mut Writer) {
        (**self).write_fields(w);
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        T::read_json(r).map(Box::new)
    }
}

impl<T: ToJson + ?Sized> ToJson for Box<T> {
    fn write_json(&self, w: &mut Writer) {
        (**self).write_json(w);
    }
}

/// `null` and a missing field are `None`.
impl<T: FromJson> FromJson for Option<T> {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        if r.take_null()? { Ok(None) } else { T::read_json(r).map(Some) }
    }

    fn missing(_: &Reader<'_>, _: &str) -> Result<Self, JsonError> {
        Ok(None)
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, w: &mut Writer) {
        match self {
            Some(v) => v.write_json(w),
            None => w.null(),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        let mut out = Vec::new();
        r.array_items(&mut |r| {
            out.push(T::read_json(r)?);
            Ok(())
        })?;
        Ok(out)
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, w: &mut Writer) {
        w.begin_array();
        for v in self {
            v.write_json(w);
        }
        w.end_array();
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, w: &mut Writer) {
        self.as_slice().write_json(w);
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        let mut out = BTreeMap::new();
        r.object_fields(&mut |r, k| {
            out.insert(k.to_string(), T::read_json(r)?);
            Ok(())
        })?;
        Ok(out)
    }
}

impl<K: AsRef<str>, T: ToJson> ToJson for BTreeMap<K, T> {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        for (k, v) in self {
            w.key(k.as_ref());
            v.write_json(w);
        }
        w.end_object();
    }
}

impl FromJson for Value {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        r.value()
    }
}

impl ToJson for Value {
    fn write_json(&self, w: &mut Writer) {
        w.value(self);
    }
}

impl FromJson for Map<String, Value> {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        if r.peek() != Some(b'{') {
            return Err(r.unexpected("an object"));
        }
        match r.value()? {
            Value::Object(m) => Ok(m),
            _ => Err(r.error("expected an object")),
        }
    }
}

impl ToJson for Map<String, Value> {
    fn write_json(&self, w: &mut Writer) {
        w.object(self);
    }
}

/// A pair is a two-item array, as serde reads it.
impl<A: FromJson, B: FromJson> FromJson for (A, B) {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        let (mut a, mut b, mut n) = (None, None, 0);
        r.array_items(&mut |r| {
            match n {
                0 => a = Some(A::read_json(r)?),
                1 => b = Some(B::read_json(r)?),
                _ => return Err(r.error("expected an array of two items")),
            }
            n += 1;
            Ok(())
        })?;
        match (a, b) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err(r.error("expected an array of two items")),
        }
    }
}

impl ToJson for () {
    fn write_json(&self, w: &mut Writer) {
        w.null();
    }
}

impl<A: ToJson, B: ToJson> ToJson for (A, B) {
    fn write_json(&self, w: &mut Writer) {
        w.begin_array();
        self.0.write_json(w);
        self.1.write_json(w);
        w.end_array();
    }
}

#[cfg(test)]
mod tests;
