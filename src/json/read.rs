//! A pull reader over a JSON document in bytes: the one parser every decoder in essnap uses.
//!
//! Strings without escapes are borrowed from the input; objects and arrays are walked with a
//! callback (`&mut dyn FnMut`), so the walking loop exists once in the binary, not once per type.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Number, Value};

/// serde_json's limit: deeper documents are refused, never overflow the stack.
const MAX_DEPTH: u32 = 128;

/// A decode error, with where in the document it happened. Boxed, as serde_json's is: every
/// decode step returns a `Result`, and a one-pointer error keeps them small to move.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError(Box<ErrorAt>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct ErrorAt {
    message: String,
    line: usize,
    column: usize,
}

impl JsonError {
    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub fn line(&self) -> usize {
        self.0.line
    }

    pub fn column(&self) -> usize {
        self.0.column
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.0.message, self.0.line, self.0.column)
    }
}

impl std::error::Error for JsonError {}

/// What the next value is, for decoders that accept several shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// A JSON number as written: an integer when it has no fraction or exponent and fits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    U(u64),
    I(i64),
    F(f64),
}

impl Num {
    pub fn as_f64(self) -> f64 {
        match self {
            Num::U(n) => n as f64,
            Num::I(n) => n as f64,
            Num::F(f) => f,
        }
    }
}

pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: u32,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0, depth: 0 }
    }

    /// Skips whitespace and returns the next byte, if any.
    #[inline]
    pub fn peek(&mut self) -> Option<u8> {
        while let Some(&c) = self.buf.get(self.pos) {
            match c {
                b' ' | b'\n' | b'\r' | b'\t' => self.pos += 1,
                _ => return Some(c),
            }
        }
        None
    }

    /// The kind of the next value (`None` at the end or at a byte no value starts with).
    #[inline]
    pub(crate) fn fast_kind(&mut self) -> Option<Kind> {
        Some(match self.peek()? {
            b'n' => Kind::Null,
            b't' | b'f' => Kind::Bool,
            b'"' => Kind::String,
            b'[' => Kind::Array,
            b'{' => Kind::Object,
            b'-' | b'0'..=b'9' => Kind::Number,
            _ => return None,
        })
    }

    /// An error at the current position.
    pub fn error(&self, message: impl Into<String>) -> JsonError {
        let upto = &self.buf[..self.pos.min(self.buf.len())];
        let line = 1 + upto.iter().filter(|&&b| b == b'\n').count();
        let column = upto.len() - upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
        JsonError(Box::new(ErrorAt { message: message.into(), line, column }))
    }

    /// "expected X, found Y" for the value at the current position.
    pub fn unexpected(&mut self, expected: &str) -> JsonError {
        let found = match self.fast_kind() {
            Some(k) => k.describe(),
            None if self.pos >= self.buf.len() => return self.error(format!("EOF while parsing a value (expected {expected})")),
            None => "a byte no JSON value starts with",
        };
        self.error(format!("expected {expected}, found {found}"))
    }

    /// After the document: only whitespace may follow.
    pub fn end(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters")),
        }
    }

    #[inline]
    pub(crate) fn fast_enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH { Err(self.error("recursion limit exceeded")) } else { Ok(()) }
    }

    #[inline]
    pub(crate) fn fast_literal(&mut self, word: &[u8]) -> Result<(), JsonError> {
        if self.buf[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("expected ident"))
        }
    }

    /// At `open` (`{` or `[`): consumes it and enters; true when the container is empty (and
    /// consumed whole).
    #[inline]
    fn open(&mut self, open: u8, close: u8, what: &str) -> Result<bool, JsonError> {
        if self.peek() != Some(open) {
            return Err(self.unexpected(what));
        }
        self.pos += 1;
        self.fast_enter()?;
        if self.peek() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// After an item: true at `,` (another follows), false at `close` (the container ended).
    #[inline]
    fn next_item(&mut self, close: u8, eof: &str, expected: &str) -> Result<bool, JsonError> {
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            None => Err(self.error(eof)),
            Some(_) => Err(self.error(expected)),
        }
    }

    /// Calls `f` with each key of an object; `f` must read (or skip) the key's value.
    #[inline]
    pub(crate) fn fast_object_fields(&mut self, f: &mut dyn FnMut(&mut Reader<'a>, &str) -> Result<(), JsonError>) -> Result<(), JsonError> {
        if self.open(b'{', b'}', "an object")? {
            return Ok(());
        }
        loop {
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("key must be a string")),
            }
            let key = self.fast_string()?;
            if self.peek() != Some(b':') {
                return Err(self.error(if self.pos >= self.buf.len() { "EOF while parsing an object" } else { "expected `:`" }));
            }
            self.pos += 1;
            f(self, &key)?;
            if !self.next_item(b'}', "EOF while parsing an object", "expected `,` or `}`")? {
                return Ok(());
            }
        }
    }

    /// Calls `f` for each item of an array; `f` must read (or skip) the item.
    #[inline]
    pub(crate) fn fast_array_items(&mut self, f: &mut dyn FnMut(&mut Reader<'a>) -> Result<(), JsonError>) -> Result<(), JsonError> {
        if self.open(b'[', b']', "an array")? {
            return Ok(());
        }
        loop {
            f(self)?;
            if !self.next_item(b']', "EOF while parsing a list", "expected `,` or `]`")? {
                return Ok(());
            }
        }
    }

    /// Consumes a `null` if one is next.
    #[inline]
    pub(crate) fn fast_take_null(&mut self) -> Result<bool, JsonError> {
        if self.peek() == Some(b'n') {
            self.fast_literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    #[inline]
    pub(crate) fn fast_null(&mut self) -> Result<(), JsonError> {
        if self.fast_take_null()? { Ok(()) } else { Err(self.unexpected("null")) }
    }

    #[inline]
    pub(crate) fn fast_bool(&mut self) -> Result<bool, JsonError> {
        match self.peek() {
            Some(b't') => self.fast_literal(b"true").map(|()| true),
            Some(b'f') => self.fast_literal(b"false").map(|()| false),
            _ => Err(self.unexpected("a boolean")),
        }
    }

    /// A string, borrowed from the input unless it has escapes.
    #[inline]
    pub(crate) fn fast_str(&mut self) -> Result<Cow<'a, str>, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string"));
        }
        self.fast_string()
    }

    /// At an opening quote.
    #[inline]
    pub(crate) fn fast_string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let buf = self.buf;
        let start = self.pos + 1;
        let mut i = start;
        while let Some(&c) = buf.get(i) {
            if c == b'"' || c == b'\\' || c < 0x20 {
                break;
            }
            i += 1;
        }
        match buf.get(i) {
            Some(b'"') => {
                self.pos = i;
                let s = std::str::from_utf8(&buf[start..i]).map_err(|_| self.error("invalid unicode code point"))?;
                self.pos = i + 1;
                Ok(Cow::Borrowed(s))
            }
            _ => {
                self.pos = i;
                self.escaped_string(start).map(Cow::Owned)
            }
        }
    }

    /// The slow path: a string with escapes (or an error), from `start` (after the quote).
    fn escaped_string(&mut self, start: usize) -> Result<String, JsonError> {
        let mut out: Vec<u8> = self.buf[start..self.pos].to_vec();
        loop {
            let Some(&c) = self.buf.get(self.pos) else { return Err(self.error("EOF while parsing a string")) };
            match c {
                b'"' => break,
                b'\\' => {
                    self.pos += 1;
                    let Some(&e) = self.buf.get(self.pos) else { return Err(self.error("EOF while parsing a string")) };
                    self.pos += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(self.error("invalid escape")),
                    };
                    let mut tmp = [0; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
                c if c < 0x20 => return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string")),
                c => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
        self.pos += 1;
        String::from_utf8(out).map_err(|_| self.error("invalid unicode code point"))
    }

    fn hex4(&mut self) -> Result<u16, JsonError> {
        let digits = self.buf.get(self.pos..self.pos + 4).ok_or_else(|| self.error("EOF while parsing a string"))?;
        let mut n = 0u16;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.error("invalid escape")),
            };
            n = n * 16 + u16::from(v);
        }
        self.pos += 4;
        Ok(n)
    }

    /// After `\u`: one code point, joining a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        let code = match hi {
            0xD800..=0xDBFF => {
                if self.buf.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                self.pos += 2;
                let lo = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone trailing surrogate in hex escape")),
            n => u32::from(n),
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid unicode code point"))
    }

    /// A number: an integer when it has no fraction or exponent and fits in 64 bits.
    #[inline]
    pub(crate) fn fast_number(&mut self) -> Result<Num, JsonError> {
        let buf = self.buf;
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => {}
            _ => return Err(self.unexpected("a number")),
        }
        let start = self.pos;
        let mut i = start;
        let neg = buf[i] == b'-';
        if neg {
            i += 1;
        }
        let int_start = i;
        match buf.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while matches!(buf.get(i), Some(b'0'..=b'9')) {
                    i += 1;
                }
            }
            _ => {
                self.pos = i;
                return Err(self.error("invalid number"));
            }
        }
        let int_end = i;
        let mut float = false;
        if buf.get(i) == Some(&b'.') {
            i = self.digits(i + 1)?;
            float = true;
        }
        if matches!(buf.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(buf.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = self.digits(i)?;
            float = true;
        }
        self.pos = i;
        if !float {
            let mut n: u64 = 0;
            let mut fits = true;
            for &d in &buf[int_start..int_end] {
                match n.checked_mul(10).and_then(|m| m.checked_add(u64::from(d - b'0'))) {
                    Some(m) => n = m,
                    None => {
                        fits = false;
                        break;
                    }
                }
            }
            if fits {
                if !neg {
                    return Ok(Num::U(n));
                }
                if n <= i64::MAX as u64 + 1 {
                    return Ok(Num::I((n as i64).wrapping_neg()));
                }
            }
        }
        // ASCII digits, signs, `.` and `e` only: always UTF-8.
        let text = std::str::from_utf8(&buf[start..i]).map_err(|_| self.error("invalid number"))?;
        match super::float::parse(text) {
            Some(f) => Ok(Num::F(f)),
            None => Err(self.error("number out of range")),
        }
    }

    /// One or more digits from `i` (a fraction or an exponent): where they end.
    #[inline]
    fn digits(&mut self, mut i: usize) -> Result<usize, JsonError> {
        if !matches!(self.buf.get(i), Some(b'0'..=b'9')) {
            self.pos = i;
            return Err(self.error("invalid number"));
        }
        while matches!(self.buf.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        Ok(i)
    }

    /// Skips one value of any kind (checked, so a malformed body is still an error).
    #[inline]
    pub(crate) fn fast_skip(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'{') => self.fast_object_fields(&mut |r, _| r.fast_skip()),
            Some(b'[') => self.fast_array_items(&mut |r| r.fast_skip()),
            // Borrowed unless escaped: nothing is copied for a plain string.
            Some(b'"') => self.fast_string().map(drop),
            Some(b't' | b'f') => self.fast_bool().map(drop),
            Some(b'n') => self.fast_null(),
            Some(b'-' | b'0'..=b'9') => self.fast_number().map(drop),
            None => Err(self.error("EOF while parsing a value")),
            Some(_) => Err(self.error("expected value")),
        }
    }

    /// Any value, as a `serde_json::Value` (for the free-form parts: metadata, settings).
    pub fn value(&mut self) -> Result<Value, JsonError> {
        Ok(match self.peek() {
            Some(b'{') => {
                let mut m = Map::new();
                self.object_fields(&mut |r, k| {
                    let v = r.value()?;
                    m.insert(k.to_string(), v);
                    Ok(())
                })?;
                Value::Object(m)
            }
            Some(b'[') => {
                let mut v = Vec::new();
                self.array_items(&mut |r| {
                    v.push(r.value()?);
                    Ok(())
                })?;
                Value::Array(v)
            }
            Some(b'"') => Value::String(self.fast_string()?.into_owned()),
            Some(b't' | b'f') => Value::Bool(self.bool()?),
            Some(b'n') => {
                self.null()?;
                Value::Null
            }
            Some(b'-' | b'0'..=b'9') => match self.number()? {
                Num::U(n) => Value::Number(n.into()),
                Num::I(n) => Value::Number(n.into()),
                Num::F(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            },
            None => return Err(self.error("EOF while parsing a value")),
            Some(_) => return Err(self.error("expected value")),
        })
    }
}

/// The reader's public steps, each compiled once where essnap is compiled. Their bodies
/// (`fast_*`, `#[inline]`) are inlined only by the listing decode, so a host crate built for
/// speed gets a fast copy of that hot path while every other decoder shares these.
impl<'a> Reader<'a> {
    /// The kind of the next value (`None` at the end or at a byte no value starts with).
    #[inline(never)]
    pub fn kind(&mut self) -> Option<Kind> {
        self.fast_kind()
    }

    /// Calls `f` with each key of an object; `f` must read (or skip) the key's value.
    #[inline(never)]
    pub fn object_fields(&mut self, f: &mut dyn FnMut(&mut Reader<'a>, &str) -> Result<(), JsonError>) -> Result<(), JsonError> {
        self.fast_object_fields(f)
    }

    /// Calls `f` for each item of an array; `f` must read (or skip) the item.
    #[inline(never)]
    pub fn array_items(&mut self, f: &mut dyn FnMut(&mut Reader<'a>) -> Result<(), JsonError>) -> Result<(), JsonError> {
        self.fast_array_items(f)
    }

    /// Consumes a `null` if one is next.
    #[inline(never)]
    pub fn take_null(&mut self) -> Result<bool, JsonError> {
        self.fast_take_null()
    }

    #[inline(never)]
    pub fn null(&mut self) -> Result<(), JsonError> {
        self.fast_null()
    }

    #[inline(never)]
    pub fn bool(&mut self) -> Result<bool, JsonError> {
        self.fast_bool()
    }

    /// A string, borrowed from the input unless it has escapes.
    #[inline(never)]
    pub fn str(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.fast_str()
    }

    /// A number: an integer when it has no fraction or exponent and fits in 64 bits.
    #[inline(never)]
    pub fn number(&mut self) -> Result<Num, JsonError> {
        self.fast_number()
    }

    /// Skips one value of any kind (checked, so a malformed body is still an error).
    #[inline(never)]
    pub fn skip(&mut self) -> Result<(), JsonError> {
        self.fast_skip()
    }
}
