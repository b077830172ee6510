//! Previewing the target names of a restore, as the server will compute them: Elasticsearch and
//! OpenSearch apply `rename_pattern` with Java's `String.replaceAll`, so every match is replaced
//! and `$1` means group 1 even when a letter follows.

use crate::json::{FromJson, ToJson};
use regex_lite::Regex;

use crate::error::InputError;

/// How restored indices are renamed.
#[derive(Clone, Debug, PartialEq, Eq, ToJson, FromJson)]
#[json(rename_all = "snake_case")]
pub enum Rename {
    /// A Java regular expression and a replacement with `$1`-style groups.
    Pattern { pattern: String, replacement: String },
    /// Put a prefix in front of every name (sent as pattern `(.+)`, replacement `PREFIX$1`).
    Prefix(String),
}

impl Rename {
    /// The `(rename_pattern, rename_replacement)` to send.
    pub fn to_request(&self) -> (String, String) {
        match self {
            Rename::Pattern { pattern, replacement } => (pattern.clone(), replacement.clone()),
            Rename::Prefix(p) => ("(.+)".to_string(), format!("{}$1", p.replace('\\', "\\\\").replace('$', "\\$"))),
        }
    }
}

/// A compiled rename, for previews.
#[derive(Clone, Debug)]
pub struct Renamer {
    re: Regex,
    replacement: String,
}

impl Renamer {
    pub fn new(rename: &Rename) -> Result<Self, InputError> {
        let (pattern, replacement) = rename.to_request();
        let re = Regex::new(&pattern).map_err(|e| {
            InputError::new(
                "rename_pattern",
                format!("`{pattern}` can't be previewed: {e}"),
                "use a plain regular expression with groups, e.g. `logs-(.+)`; look-arounds and back-references are not supported in previews",
            )
        })?;
        Ok(Renamer { re, replacement: java_to_rust_replacement(&replacement)? })
    }

    pub fn apply(&self, name: &str) -> String {
        self.re.replace_all(name, self.replacement.as_str()).into_owned()
    }
}

/// Java replacement syntax (`$1`, `${name}`, `\$`, `\\`) → regex-lite's (`${1}`, `${name}`, `$$`, `\`).
fn java_to_rust_replacement(r: &str) -> Result<String, InputError> {
    let bad = |p: &str| InputError::new("rename_replacement", p.to_string(), "write groups as $1 or ${name}; escape a literal $ as \\$");
    let mut out = String::with_capacity(r.len() + 8);
    let mut chars = r.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(x) => out.push(x),
                None => return Err(bad("the replacement ends with a lone `\\`")),
            },
            '$' => match chars.peek() {
                Some('{') => {
                    chars.next();
                    let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    if name.is_empty() {
                        return Err(bad("`${}` names no group"));
                    }
                    out.push_str(&format!("${{{name}}}"));
                }
                Some(d) if d.is_ascii_digit() => {
                    let d = chars.next().unwrap_or('0');
                    out.push_str(&format!("${{{d}}}"));
                }
                _ => return Err(bad("a `$` in the replacement is not followed by a group number")),
            },
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Elasticsearch's simple wildcard match: `*` matches any run of characters.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Resolves index expressions (`logs-*`, `-logs-old`, `_all`, `*`) against names, in order, as
/// the server does: an exclusion removes what earlier expressions added.
pub fn resolve_expressions<'a>(exprs: &[String], names: &'a [String]) -> Vec<&'a str> {
    let mut picked: Vec<&str> = Vec::new();
    for (i, e) in exprs.iter().enumerate() {
        if let Some(ex) = e.strip_prefix('-').filter(|_| i > 0) {
            picked.retain(|n| !wildcard_match(ex, n));
            continue;
        }
        let all = e == "_all" || e == "*";
        for n in names {
            // Wildcards skip dot-prefixed (hidden) names unless the pattern itself starts with a dot.
            let hit = if all {
                !n.starts_with('.')
            } else if e.contains('*') {
                wildcard_match(e, n) && (!n.starts_with('.') || e.starts_with('.'))
            } else {
                e == n
            };
            if hit && !picked.contains(&n.as_str()) {
                picked.push(n);
            }
        }
    }
    picked
}
