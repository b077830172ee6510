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

/// Resolves a restore's index expressions against the snapshot's names (or its data streams) as
/// the server does (`SnapshotUtils.filterIndices`, checked on real OpenSearch 2.19.1 and
/// Elasticsearch 7.17.29): none or `_all` is everything; `*` matches every name, dot-prefixed ones
/// too; `-x` removes what earlier expressions added, and as the first expression removes from
/// everything; `+x` adds. The names come back in the snapshot's order.
pub fn resolve_expressions<'a>(exprs: &[String], names: &'a [String]) -> Vec<&'a str> {
    let everything = exprs.is_empty() || (exprs.len() == 1 && exprs[0] == "_all");
    let starts_with_removal = exprs.first().is_some_and(|e| e.starts_with('-') && !names.contains(e));
    let mut picked = vec![everything || starts_with_removal; names.len()];
    for e in exprs.iter().filter(|_| !everything) {
        // A name the snapshot has is taken as it is, before any `+`/`-` is read.
        if let Some(k) = names.iter().position(|n| n == e) {
            picked[k] = true;
            continue;
        }
        let (add, pattern) = match e.strip_prefix('-') {
            Some(p) => (false, p),
            None => (true, e.strip_prefix('+').unwrap_or(e)),
        };
        for (k, n) in names.iter().enumerate() {
            if wildcard_match(pattern, n) {
                picked[k] = add;
            }
        }
    }
    names.iter().zip(picked).filter(|(_, p)| *p).map(|(n, _)| n.as_str()).collect()
}
