//! Name rules checked before a request is built, as the servers check them (Elasticsearch
//! `RepositoriesService`, `SnapshotsService`, `MetadataCreateIndexService`; OpenSearch alike).

use crate::error::InputError;

/// Characters no file-system-backed name may contain (Elasticsearch `Strings.INVALID_FILENAME_CHARS`).
pub const INVALID_FILENAME_CHARS: &[char] = &['\\', '/', '*', '?', '"', '<', '>', '|', ',', ' '];

/// Longest index name, in bytes.
pub const MAX_INDEX_NAME_BYTES: usize = 255;

fn shown(s: &str) -> String {
    let t: String = s.chars().take(80).collect();
    if t.len() < s.len() { format!("{t}…") } else { t }
}

fn common_checks(field: &str, s: &str, hint: &str) -> Result<(), InputError> {
    let err = |p: String| Err(InputError::new(field, p, hint));
    if s.is_empty() {
        return err(format!("the {field} name is empty"));
    }
    if s.chars().any(char::is_whitespace) {
        return err(format!("`{}` contains whitespace", shown(s)));
    }
    if s.contains('#') {
        return err(format!("`{}` contains `#`", shown(s)));
    }
    if let Some(c) = s.chars().find(|c| INVALID_FILENAME_CHARS.contains(c) || c.is_control()) {
        return err(format!("`{}` contains `{}`, which is not allowed", shown(s), c.escape_default()));
    }
    Ok(())
}

/// A repository name: not empty, no whitespace, `#` or `\ / * ? " < > | ,`, not starting with `_`.
pub fn validate_repository_name(s: &str) -> Result<(), InputError> {
    const HINT: &str = "use letters, digits, `-` and `_` (not first), e.g. `backups`";
    common_checks("repository", s, HINT)?;
    if s.starts_with('_') {
        return Err(InputError::new("repository", format!("`{}` starts with `_`", shown(s)), HINT));
    }
    Ok(())
}

/// A snapshot name for create/clone: lowercase, the repository rules, or a date-math name such
/// as `<nightly-{now/d}>` whose static parts follow the same rules.
pub fn validate_snapshot_name(s: &str) -> Result<(), InputError> {
    const HINT: &str = "use lowercase letters, digits, `-`, `_` and `.`, e.g. `nightly-2026.11.23`, or date math such as `<nightly-{now/d}>`";
    if s.starts_with('<') {
        let statics = parse_date_math(s).map_err(|p| InputError::new("snapshot", p, HINT))?;
        return check_snapshot_static(s, &statics, HINT);
    }
    common_checks("snapshot", s, HINT)?;
    check_snapshot_static(s, s, HINT)
}

fn check_snapshot_static(full: &str, statics: &str, hint: &str) -> Result<(), InputError> {
    if !statics.is_empty() {
        common_checks("snapshot", statics, hint).map_err(|mut e| {
            e.problem = e.problem.replace(&format!("`{}`", shown(statics)), &format!("`{}`", shown(full)));
            e
        })?;
    }
    if full.trim_start_matches('<').starts_with('_') {
        return Err(InputError::new("snapshot", format!("`{}` starts with `_`", shown(full)), hint));
    }
    if statics.chars().any(|c| c.is_uppercase()) {
        return Err(InputError::new("snapshot", format!("`{}` is not lowercase", shown(full)), hint));
    }
    Ok(())
}

/// An index name to create or restore into.
pub fn validate_index_name(s: &str) -> Result<(), InputError> {
    const HINT: &str = "use lowercase letters, digits, `-`, `_`, `.` and `+` (not first), at most 255 bytes";
    let err = |p: String| Err(InputError::new("index", p, HINT));
    if s.starts_with('<') {
        let statics = parse_date_math(s).map_err(|p| InputError::new("index", p, HINT))?;
        if statics.chars().any(char::is_uppercase) {
            return err(format!("`{}` is not lowercase", shown(s)));
        }
        return Ok(());
    }
    common_checks("index", s, HINT)?;
    if s.contains(':') {
        return err(format!("`{}` contains `:`", shown(s)));
    }
    if s.starts_with(['_', '-', '+']) {
        return err(format!("`{}` starts with `{}`", shown(s), &s[..1]));
    }
    if s == "." || s == ".." {
        return err(format!("`{s}` is not a valid index name"));
    }
    if s.chars().any(char::is_uppercase) {
        return err(format!("`{}` is not lowercase", shown(s)));
    }
    if s.len() > MAX_INDEX_NAME_BYTES {
        return err(format!("the name is {} bytes long; at most {MAX_INDEX_NAME_BYTES} are allowed", s.len()));
    }
    Ok(())
}

/// An index (or data stream) expression for selecting what to restore or close: a name, a
/// wildcard pattern (`logs-*`), an exclusion (`-logs-old`), `_all` or `*`.
pub fn validate_index_expression(s: &str) -> Result<(), InputError> {
    const HINT: &str = "give index names or patterns such as `logs-*`, exclusions such as `-logs-old`, additions such as `+logs-new`, or `*`";
    if s == "_all" || s == "*" {
        return Ok(());
    }
    let name = s.strip_prefix('-').or_else(|| s.strip_prefix('+')).unwrap_or(s);
    if name.is_empty() {
        return Err(InputError::new("index", "an empty index expression", HINT));
    }
    let without_wildcards: String = name.replace('*', "x");
    let probe = if without_wildcards.starts_with(['_', '-', '+']) && name.starts_with('*') {
        format!("x{}", &without_wildcards[1..])
    } else {
        without_wildcards
    };
    // Hidden and system indices start with `.`; data stream backing indices with `.ds-`.
    validate_index_name(&probe).map_err(|mut e| {
        e.problem = e.problem.replace(&shown(&probe), &shown(s));
        e.hint = HINT.to_string();
        e
    })
}

/// A snapshot expression for get/status/delete: names, wildcards, exclusions, `_all`, `_current`.
pub fn validate_snapshot_expression(s: &str) -> Result<(), InputError> {
    const HINT: &str = "give snapshot names or patterns such as `nightly-*`, or `_all` / `_current`";
    if matches!(s, "_all" | "_current" | "*") {
        return Ok(());
    }
    let name = s.strip_prefix('-').unwrap_or(s);
    if name.is_empty() {
        return Err(InputError::new("snapshot", "an empty snapshot expression", HINT));
    }
    if name.starts_with('<') {
        return validate_snapshot_name(name);
    }
    let probe = name.replace('*', "x");
    common_checks("snapshot", &probe, HINT).map_err(|mut e| {
        e.problem = e.problem.replace(&shown(&probe), &shown(s));
        e
    })
}

/// Parses `<static{now/d{yyyy.MM.dd|+01:00}}static>` and returns the static text, or a
/// description of what is wrong.
pub fn parse_date_math(s: &str) -> Result<String, String> {
    let inner = s
        .strip_prefix('<')
        .and_then(|r| r.strip_suffix('>'))
        .ok_or_else(|| format!("`{}` starts with `<` but does not end with `>` (date math names look like `<nightly-{{now/d}}>`)", shown(s)))?;
    let mut statics = String::new();
    let mut chars = inner.chars().peekable();
    let mut saw_expression = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('{' | '}' | '\\')) => statics.push(e),
                _ => return Err(format!("`{}` has a `\\` that escapes nothing (escape only `{{` and `}}`)", shown(s))),
            },
            '{' => {
                let mut expr = String::new();
                let mut depth = 1;
                for c in chars.by_ref() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                    expr.push(c);
                }
                if depth != 0 {
                    return Err(format!("`{}` has a `{{` without its `}}`", shown(s)));
                }
                check_date_math_expression(&expr).map_err(|p| format!("`{}`: {p}", shown(s)))?;
                saw_expression = true;
            }
            '}' => return Err(format!("`{}` has a `}}` without its `{{`", shown(s))),
            c => statics.push(c),
        }
    }
    if !saw_expression {
        return Err(format!("`{}` has no `{{now...}}` expression", shown(s)));
    }
    Ok(statics)
}

/// `now`, math such as `-1d` or `/M`, then an optional `{format}` or `{format|time zone}`.
fn check_date_math_expression(expr: &str) -> Result<(), String> {
    let (math, format) = match expr.find('{') {
        Some(i) => {
            let f = expr[i..].strip_prefix('{').and_then(|f| f.strip_suffix('}'));
            match f {
                Some(f) if !f.is_empty() && !f.contains(['{', '}']) => (&expr[..i], Some(f)),
                _ => return Err(format!("the date format in `{{{expr}}}` is malformed")),
            }
        }
        None => (expr, None),
    };
    let Some(mut rest) = math.strip_prefix("now") else {
        return Err(format!("the date math expression `{{{expr}}}` must start with `now`"));
    };
    while !rest.is_empty() {
        let mut chars = rest.chars();
        let op = chars.next().unwrap_or_default();
        rest = chars.as_str();
        match op {
            '+' | '-' => {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                if digits == 0 {
                    return Err(format!("`{{{expr}}}`: `{op}` must be followed by a number and a unit"));
                }
                rest = &rest[digits..];
            }
            '/' => {}
            _ => return Err(format!("`{{{expr}}}`: unexpected `{op}` (use +N, -N or / with a unit)")),
        }
        match rest.chars().next() {
            Some('y' | 'M' | 'w' | 'd' | 'h' | 'H' | 'm' | 's') => rest = &rest[1..],
            _ => return Err(format!("`{{{expr}}}`: expected a unit (y, M, w, d, h, H, m, s)")),
        }
    }
    if let Some(f) = format {
        let (pattern, tz) = f.split_once('|').unwrap_or((f, ""));
        if pattern.trim().is_empty() {
            return Err(format!("`{{{expr}}}`: the date format is empty"));
        }
        if f.contains('|') && tz.trim().is_empty() {
            return Err(format!("`{{{expr}}}`: the time zone after `|` is empty"));
        }
    }
    Ok(())
}
