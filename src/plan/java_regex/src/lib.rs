//! Java's `java.util.regex`, as far as a restore's `rename_pattern` uses it, so a preview names the
//! indices the server will create. Elasticsearch and OpenSearch rename with `String.replaceAll`;
//! this follows it: a backtracking matcher trying alternatives left to right (look-arounds,
//! back-references, atomic groups, possessive and lazy quantifiers, inline flags `i m s x`),
//! Java's replacement syntax (`$1`, `$12` when there are 12 groups, `${name}`, `\$`) and its rule
//! that a match may be empty right after the previous one ("baaa" with `a*` → `XbXX`).
//! Checked against `java.util.regex` itself (tests/java_regex.rs) and real servers (tests/real_nodes.rs).
//! Where it still differs, found only by long random runs (a few in 40,000 tortured patterns): what
//! a group nested in a repeated group captured, where Java's loop nodes leave stale captures.
//! Not evaluated (refused with `Unsupported`): Unicode properties (`\pL`, `\p{IsLatin}`; the POSIX
//! classes `\p{Lower}`, `\p{Alnum}`, ... are), `\R`, `\X`, `\N{..}`, `\b{g}`, flags `d u U`.
//! Used by the planner's rename previews and by the sandbox's restores.

mod exec;
mod parse;
mod replace;

pub use replace::Replacement;

/// Where the parser's tree and the program meet: what one instruction tests.
#[derive(Clone, Debug)]
pub(crate) enum Set {
    Range(char, char),
    Perl(Perl),
    Union(Vec<Set>),
    And(Box<Set>, Box<Set>),
    Not(Box<Set>),
}

/// Java's predefined classes, ASCII as Java's default flags make them.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Perl {
    Digit,
    Word,
    Space,
    HSpace,
    VSpace,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// `^` and `\A`.
    Start,
    /// `^` in multiline mode.
    LineStart,
    /// `$` and `\Z`: the end, or before a final line terminator.
    EndOrFinalTerminator,
    /// `$` in multiline mode.
    LineEnd,
    /// `\z`.
    End,
    WordBoundary,
    NotWordBoundary,
    /// `\G`: where the previous match ended.
    PreviousMatchEnd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Greed {
    Greedy,
    Lazy,
    Possessive,
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct JavaRegex {
    prog: exec::Program,
    groups: usize,
    names: Vec<(String, usize)>,
}

/// Why a pattern or replacement was refused, in Java's words where Java would refuse it too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegexError {
    /// Java refuses it (`PatternSyntaxException`): its description and the index near which.
    Syntax { description: String, index: usize },
    /// Valid Java the preview does not evaluate (`\p{..}`, `\R`, flags `d u U`, huge counts).
    Unsupported(String),
    /// Java's `replaceAll` would throw on this replacement (`No group 3`, `Illegal group reference`).
    Replacement(String),
    /// Matching took more than the step budget (a pattern that backtracks exponentially; the
    /// server would spin on it too).
    TooComplex,
}

impl std::fmt::Display for RegexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegexError::Syntax { description, index } => write!(f, "{description} near index {index}"),
            RegexError::Unsupported(what) => write!(f, "{what} is not supported in previews"),
            RegexError::Replacement(m) => f.write_str(m),
            RegexError::TooComplex => f.write_str("the pattern backtracks too much to evaluate"),
        }
    }
}

/// Java's rule for a group number in a back-reference (`\12`) or a replacement (`$12`): the first
/// digit always counts, each further one only while the number still names a group (`groups` of
/// them). Returns the number and where the digits end.
pub(crate) fn group_number(chars: &[char], first: usize, mut at: usize, groups: usize) -> (usize, usize) {
    let mut group = first;
    while let Some(d) = chars.get(at).and_then(|c| c.to_digit(10)) {
        let longer = group * 10 + d as usize;
        if longer > groups {
            break;
        }
        group = longer;
        at += 1;
    }
    (group, at)
}

impl JavaRegex {
    pub fn new(pattern: &str) -> Result<Self, RegexError> {
        let parsed = parse::parse(pattern)?;
        let prog = exec::compile(&parsed.node, parsed.groups)?;
        Ok(JavaRegex { prog, groups: parsed.groups, names: parsed.names })
    }

    /// How many capturing groups the pattern has (Java's `groupCount()`).
    pub fn group_count(&self) -> usize {
        self.groups
    }

    /// Compiles a `replaceAll` replacement for this pattern.
    pub fn replacement(&self, replacement: &str) -> Result<Replacement, RegexError> {
        Replacement::new(replacement, self.groups, &self.names)
    }

    /// `input.replaceAll(pattern, replacement)`.
    pub fn replace_all(&self, input: &str, replacement: &Replacement) -> Result<String, RegexError> {
        let chars: Vec<char> = input.chars().collect();
        let mut m = exec::Matcher::new(&self.prog, &chars);
        let mut out = String::with_capacity(input.len() + 16);
        let (mut copied, mut from) = (0, 0);
        while from <= chars.len() {
            let Some((start, end)) = m.find(from)? else { break };
            out.extend(&chars[copied..start]);
            replacement.append(&mut out, &chars, m.captures());
            copied = end;
            // Java's Matcher.find: after an empty match the next search starts one further on.
            from = if end == start { end + 1 } else { end };
        }
        out.extend(&chars[copied..]);
        Ok(out)
    }

    /// Whether the pattern matches somewhere in `input` (Java's `find()`).
    pub fn is_match(&self, input: &str) -> Result<bool, RegexError> {
        let chars: Vec<char> = input.chars().collect();
        Ok(exec::Matcher::new(&self.prog, &chars).find(0)?.is_some())
    }
}
