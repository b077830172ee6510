//! Rendering: tables, colour (off with `NO_COLOR` or when stdout is not a terminal), JSON.

use std::io::Write;

use serde::Serialize;

/// Wraps `text` in an ANSI colour when colour is on.
pub fn paint(color: bool, code: &str, text: &str) -> String {
    if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

/// A plain text table: a header row, then rows, columns padded to the widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut w: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < w.len() {
                w[i] = w[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(w[i] - c.chars().count() + 2));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(headers.to_vec());
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

/// Prints a value as pretty JSON on stdout.
pub fn json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => println!("{{\"error\": \"could not serialize the output: {e}\"}}"),
    }
}

/// Prints `{"<key>": [item, ...], <tail>...}` on stdout, streamed, one item per line. The items
/// are JSON texts the component wrote: they are copied as they are (the server's field order, no
/// re-parse), so a page of 10,000 snapshots costs no host-side JSON tree.
pub fn json_list<'a>(key: &str, items: impl Iterator<Item = &'a str>, tail: &[(&str, serde_json::Value)]) {
    let out = std::io::stdout().lock();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    // A closed pipe (`| head`) ends the output; nothing to report.
    let _ = write_json_list(&mut out, key, items, tail).and_then(|()| out.flush());
}

fn write_json_list<'a>(out: &mut impl Write, key: &str, items: impl Iterator<Item = &'a str>, tail: &[(&str, serde_json::Value)]) -> std::io::Result<()> {
    write!(out, "{{\n  {}: [", serde_json::Value::from(key))?;
    let mut first = true;
    for item in items {
        let item = item.trim();
        out.write_all(if first { b"\n    " } else { b",\n    " })?;
        // Never print broken JSON: an item that is not a JSON text is printed as null.
        out.write_all(if item.is_empty() { b"null" } else { item.as_bytes() })?;
        first = false;
    }
    out.write_all(if first { b"]" } else { b"\n  ]" })?;
    for (k, v) in tail {
        write!(out, ",\n  {}: {}", serde_json::Value::from(*k), v)?;
    }
    out.write_all(b"\n}\n")
}

/// Milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn time(ms: Option<u64>) -> String {
    let Some(ms) = ms else { return "-".into() };
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

pub fn duration(ms: Option<u64>) -> String {
    match ms {
        None => "-".into(),
        Some(ms) if ms < 1000 => format!("{ms}ms"),
        Some(ms) if ms < 60_000 => format!("{:.1}s", ms as f64 / 1000.0),
        Some(ms) => format!("{}m{:02}s", ms / 60_000, ms % 60_000 / 1000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> String {
        let mut out = Vec::new();
        write_json_list(&mut out, "snapshots", items.iter().copied(), &[("total", serde_json::json!(2)), ("next", serde_json::Value::Null)]).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_list_is_one_item_per_line_and_valid_json() {
        let text = list(&[r#"{"snapshot":"b","a":1}"#, " [1,2] ", ""]);
        assert_eq!(text, "{\n  \"snapshots\": [\n    {\"snapshot\":\"b\",\"a\":1},\n    [1,2],\n    null\n  ],\n  \"total\": 2,\n  \"next\": null\n}\n");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["snapshots"][0]["snapshot"], "b");
        let empty: serde_json::Value = serde_json::from_str(&list(&[])).unwrap();
        assert_eq!(empty["snapshots"], serde_json::json!([]));
    }
}
