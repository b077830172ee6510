//! Previewing the target names of a restore, as the server will compute them: Elasticsearch and
//! OpenSearch apply `rename_pattern` with Java's `String.replaceAll`, so every match is replaced
//! and `$1` means group 1 even when a letter follows.

use crate::json::{FromJson, ToJson};
use essnap_java_regex::{JavaRegex, RegexError, Replacement};

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
    re: JavaRegex,
    replacement: Replacement,
}

impl Renamer {
    pub fn new(rename: &Rename) -> Result<Self, InputError> {
        let (pattern, replacement) = rename.to_request();
        let re = JavaRegex::new(&pattern).map_err(|e| {
            let hint = match e {
                RegexError::Unsupported(_) => "write it without that construct (e.g. `\\p{Alpha}` or `[a-z]` for `\\p{L}`, `(?:\\r\\n|\\n)` for `\\R`)",
                _ => "write a Java regular expression with groups, e.g. `logs-(.+)`",
            };
            InputError::new("rename_pattern", format!("`{pattern}` is not a usable rename pattern: {e}"), hint)
        })?;
        let replacement = re.replacement(&replacement).map_err(|e| {
            let groups = re.group_count();
            InputError::new(
                "rename_replacement",
                format!("`{replacement}` can't be applied: {e} (the pattern has {groups} group(s)); the server fails the restore on any index the pattern matches"),
                "refer to groups as $1 or ${name}; escape a literal $ or \\ with a backslash",
            )
        })?;
        Ok(Renamer { re, replacement })
    }

    /// `name.replaceAll(pattern, replacement)`, as the server computes it.
    pub fn apply(&self, name: &str) -> Result<String, InputError> {
        self.re.replace_all(name, &self.replacement).map_err(|e| {
            InputError::new("rename_pattern", format!("renaming `{name}`: {e}"), "simplify the pattern (nested repetitions such as `(a+)+` backtrack without end)")
        })
    }
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
