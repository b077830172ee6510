//! A JSON writer into a `String`: commas are placed by the writer, so encoders only say what
//! comes next.

use serde_json::{Map, Value};

#[derive(Default)]
pub struct Writer {
    out: String,
    /// A value was just completed: the next value or key needs a comma first.
    after_value: bool,
}

impl Writer {
    pub fn new() -> Self {
        Writer::default()
    }

    pub fn into_string(self) -> String {
        self.out
    }

    #[inline]
    fn sep(&mut self) {
        if self.after_value {
            self.out.push(',');
        }
    }

    fn open(&mut self, bracket: char) {
        self.sep();
        self.out.push(bracket);
        self.after_value = false;
    }

    fn close(&mut self, bracket: char) {
        self.out.push(bracket);
        self.after_value = true;
    }

    pub fn begin_object(&mut self) {
        self.open('{');
    }

    pub fn end_object(&mut self) {
        self.close('}');
    }

    pub fn begin_array(&mut self) {
        self.open('[');
    }

    pub fn end_array(&mut self) {
        self.close(']');
    }

    /// A key in an open object; its value is written next.
    pub fn key(&mut self, k: &str) {
        self.sep();
        self.escaped(k);
        self.out.push(':');
        self.after_value = false;
    }

    pub fn str(&mut self, s: &str) {
        self.sep();
        self.escaped(s);
        self.after_value = true;
    }

    pub fn null(&mut self) {
        self.sep();
        self.out.push_str("null");
        self.after_value = true;
    }

    pub fn bool(&mut self, b: bool) {
        self.sep();
        self.out.push_str(if b { "true" } else { "false" });
        self.after_value = true;
    }

    pub fn u64(&mut self, mut n: u64) {
        self.sep();
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        // ASCII digits only.
        self.out.push_str(std::str::from_utf8(&digits[i..]).unwrap_or("0"));
        self.after_value = true;
    }

    pub fn i64(&mut self, n: i64) {
        if n < 0 {
            self.sep();
            self.out.push('-');
            self.after_value = false;
        }
        self.u64(n.unsigned_abs());
    }

    /// Non-finite numbers have no JSON form: they are written as `null`, as serde_json does.
    pub fn f64(&mut self, f: f64) {
        if !f.is_finite() {
            return self.null();
        }
        self.sep();
        // The shortest form that reads back as the same number (`37.5`, `100.0`, `1e21`), as
        // serde_json writes it.
        self.out.push_str(ryu::Buffer::new().format_finite(f));
        self.after_value = true;
    }

    pub fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => self.u64(u),
                (None, Some(i)) => self.i64(i),
                _ => self.f64(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => self.str(s),
            Value::Array(a) => {
                self.begin_array();
                for x in a {
                    self.value(x);
                }
                self.end_array();
            }
            Value::Object(m) => self.object(m),
        }
    }

    /// A JSON object of `Value`s.
    pub fn object(&mut self, m: &Map<String, Value>) {
        self.begin_object();
        for (k, x) in m {
            self.key(k);
            self.value(x);
        }
        self.end_object();
    }

    fn escaped(&mut self, s: &str) {
        self.out.reserve(s.len() + 2);
        self.out.push('"');
        let bytes = s.as_bytes();
        let mut from = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let esc: &str = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0..=0x1f => "",
                _ => continue,
            };
            self.out.push_str(&s[from..i]);
            if esc.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.push_str("\\u00");
                self.out.push(HEX[usize::from(b >> 4)] as char);
                self.out.push(HEX[usize::from(b & 15)] as char);
            } else {
                self.out.push_str(esc);
            }
            from = i + 1;
        }
        self.out.push_str(&s[from..]);
        self.out.push('"');
    }
}
