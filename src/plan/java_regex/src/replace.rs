//! `Matcher.appendReplacement`'s syntax: `$n` (more digits while they still name a group), `${name}`,
//! `\x` for a literal x. What Java throws on is refused when the replacement is compiled, with
//! Java's message, instead of failing the restore on the server.

use super::{RegexError, group_number};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Group(usize),
}

/// A compiled replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    parts: Vec<Part>,
}

impl Replacement {
    pub(super) fn new(text: &str, groups: usize, names: &[(String, usize)]) -> Result<Self, RegexError> {
        let bad = |m: String| RegexError::Replacement(m);
        let chars: Vec<char> = text.chars().collect();
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            match c {
                '\\' => {
                    let escaped = chars.get(i).ok_or_else(|| bad("character to be escaped is missing".into()))?;
                    literal.push(*escaped);
                    i += 1;
                }
                '$' => {
                    let group = match chars.get(i) {
                        None => return Err(bad("Illegal group reference: group index is missing".into())),
                        Some('{') => {
                            let start = i + 1;
                            let mut j = start;
                            while chars.get(j).is_some_and(char::is_ascii_alphanumeric) {
                                j += 1;
                            }
                            let name: String = chars[start..j].iter().collect();
                            if name.is_empty() {
                                return Err(bad("named capturing group has 0 length name".into()));
                            }
                            if chars.get(j) != Some(&'}') {
                                return Err(bad("named capturing group is missing trailing '}'".into()));
                            }
                            if name.starts_with(|c: char| c.is_ascii_digit()) {
                                return Err(bad(format!("capturing group name {{{name}}} starts with digit character")));
                            }
                            i = j + 1;
                            names.iter().find(|(n, _)| *n == name).map(|(_, g)| *g).ok_or_else(|| bad(format!("No group with name {{{name}}}")))?
                        }
                        Some(d) if d.is_ascii_digit() => {
                            let group;
                            (group, i) = group_number(&chars, *d as usize - '0' as usize, i + 1, groups);
                            if group > groups {
                                return Err(bad(format!("No group {group}")));
                            }
                            group
                        }
                        Some(_) => return Err(bad("Illegal group reference".into())),
                    };
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Group(group));
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Replacement { parts })
    }

    /// Appends the replacement for one match; a group that took no part adds nothing.
    pub(super) fn append(&self, out: &mut String, input: &[char], slots: &[Option<usize>]) {
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Group(g) => {
                    if let (Some(Some(s)), Some(Some(e))) = (slots.get(2 * g), slots.get(2 * g + 1)) {
                        out.extend(&input[*s..*e]);
                    }
                }
            }
        }
    }
}
