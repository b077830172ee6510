//! Pattern text → tree, with `java.util.regex.Pattern`'s syntax and its refusals.

use super::{Anchor, Greed, Perl, RegexError, Set, group_number};

#[derive(Clone, Debug)]
pub(super) enum Node {
    /// A character; `true` when it matches either ASCII case (`(?i)`).
    Char(char, bool),
    Set(Set, bool),
    Assert(Anchor),
    Group(usize, Box<Node>),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat { node: Box<Node>, min: u32, max: Option<u32>, greed: Greed },
    Look { behind: bool, negate: bool, node: Box<Node> },
    Atomic(Box<Node>),
    Backref(usize, bool),
}

pub(super) struct Parsed {
    pub node: Node,
    pub groups: usize,
    pub names: Vec<(String, usize)>,
}

/// Counted repetitions above this are refused: the program repeats the body that often.
const MAX_COUNT: u32 = 1000;
/// Groups and classes nested deeper than this are refused rather than risking the stack.
const MAX_DEPTH: usize = 100;

#[derive(Clone, Copy, Default)]
struct Flags {
    fold: bool,
    multiline: bool,
    dotall: bool,
    comments: bool,
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    flags: Flags,
    groups: usize,
    names: Vec<(String, usize)>,
    depth: usize,
}

pub(super) fn parse(pattern: &str) -> Result<Parsed, RegexError> {
    let mut p = Parser { chars: pattern.chars().collect(), pos: 0, flags: Flags::default(), groups: 0, names: Vec::new(), depth: 0 };
    let node = p.alternation()?;
    if p.pos != p.chars.len() {
        // alternation() stops only at the end, past it (a final `\`), or at a `)` it did not open.
        let unmatched = p.chars.get(p.pos) == Some(&')');
        return Err(p.err(if unmatched { "Unmatched closing ')'" } else { "Unexpected internal error" }));
    }
    Ok(Parsed { node, groups: p.groups, names: p.names })
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

impl Parser {
    /// An error at the character read last: Java's `cursor - 1`.
    fn err(&self, description: &str) -> RegexError {
        self.err_at(description, self.pos.saturating_sub(1))
    }

    fn err_at(&self, description: &str, index: usize) -> RegexError {
        RegexError::Syntax { description: description.to_string(), index }
    }

    /// Comments mode (`(?x)`) skips whitespace and `#` comments between tokens, inside classes too.
    fn skip_comments(&mut self) {
        if !self.flags.comments {
            return;
        }
        while let Some(&c) = self.chars.get(self.pos) {
            if matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r') {
                self.pos += 1;
            } else if c == '#' {
                while let Some(&c) = self.chars.get(self.pos) {
                    self.pos += 1;
                    if is_line_terminator(c) {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_comments();
        self.chars.get(self.pos).copied()
    }

    /// The next character as it stands (escapes and counts are read without comment skipping).
    /// Like Java's `read()` it moves on even at the end, so errors point past the last character.
    fn raw(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        self.pos += 1;
        c
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        self.pos += usize::from(hit);
        hit
    }

    fn alternation(&mut self) -> Result<Node, RegexError> {
        let mut branches = vec![self.sequence()?];
        while self.eat('|') {
            branches.push(self.sequence()?);
        }
        Ok(if branches.len() == 1 { branches.pop().unwrap_or(Node::Concat(Vec::new())) } else { Node::Alt(branches) })
    }

    fn sequence(&mut self) -> Result<Node, RegexError> {
        let mut items = Vec::new();
        loop {
            let Some(c) = self.peek() else { break };
            let atom = match c {
                '|' | ')' => break,
                '(' => {
                    self.pos += 1;
                    match self.nested(Self::group)? {
                        Some(n) => n,
                        None => continue, // an inline flag change such as `(?i)`
                    }
                }
                '[' => {
                    self.pos += 1;
                    Node::Set(self.nested(Self::class)?, self.flags.fold)
                }
                '^' => {
                    self.pos += 1;
                    Node::Assert(if self.flags.multiline { Anchor::LineStart } else { Anchor::Start })
                }
                '$' => {
                    self.pos += 1;
                    Node::Assert(if self.flags.multiline { Anchor::LineEnd } else { Anchor::EndOrFinalTerminator })
                }
                '.' => {
                    self.pos += 1;
                    let terminators = if self.flags.dotall { Vec::new() } else { line_terminators() };
                    Node::Set(Set::Not(Box::new(Set::Union(terminators))), false)
                }
                '\\' => {
                    self.pos += 1;
                    match self.escape(false)? {
                        // An escaped character folds case like any other under `(?i)`.
                        Escaped::Node(Node::Char(c, _)) => Node::Char(c, self.flags.fold),
                        Escaped::Node(n) => n,
                        // A quantifier after `\Q...\E` applies to its last character.
                        Escaped::Quoted(s) => {
                            let mut quoted: Vec<Node> = s.chars().map(|c| Node::Char(c, self.flags.fold)).collect();
                            let Some(last) = quoted.pop() else { continue };
                            items.extend(quoted);
                            last
                        }
                    }
                }
                '*' | '+' | '?' => {
                    self.pos += 1;
                    return Err(self.err(&format!("Dangling meta character '{c}'")));
                }
                // Java quantifies an empty atom here (`{2}` alone, or `a{2}{3}`).
                '{' => Node::Concat(Vec::new()),
                c => {
                    self.pos += 1;
                    Node::Char(c, self.flags.fold)
                }
            };
            items.push(self.quantified(atom)?);
        }
        Ok(if items.len() == 1 { items.pop().unwrap_or(Node::Concat(Vec::new())) } else { Node::Concat(items) })
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, RegexError> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.pos += 1;
                let min = self.number().ok_or_else(|| self.err_at("Illegal repetition", self.pos))?;
                let max = if self.chars.get(self.pos) == Some(&',') {
                    self.pos += 1;
                    self.number()
                } else {
                    Some(min)
                };
                if self.chars.get(self.pos) != Some(&'}') {
                    return Err(self.err_at("Unclosed counted closure", self.pos));
                }
                if max.is_some_and(|m| m < min) {
                    return Err(self.err_at("Illegal repetition range", self.pos));
                }
                if min.max(max.unwrap_or(0)) > MAX_COUNT {
                    return Err(RegexError::Unsupported(format!("a counted repetition above {MAX_COUNT}")));
                }
                (min, max)
            }
            _ => return Ok(atom),
        };
        self.pos += 1;
        let greed = match self.peek() {
            Some('?') => Greed::Lazy,
            Some('+') => Greed::Possessive,
            _ => Greed::Greedy,
        };
        self.pos += usize::from(greed != Greed::Greedy);
        if (min, max) == (0, Some(1)) {
            // Java makes `?` and `{0,1}` a `Ques`, a two-way branch rather than a loop: an empty
            // match of the atom is kept, with what it captured.
            let empty = Node::Concat(Vec::new());
            return Ok(match greed {
                Greed::Greedy => Node::Alt(vec![atom, empty]),
                Greed::Lazy => Node::Alt(vec![empty, atom]),
                Greed::Possessive => Node::Atomic(Box::new(Node::Alt(vec![atom, empty]))),
            });
        }
        Ok(Node::Repeat { node: Box::new(atom), min, max, greed })
    }

    /// Decimal digits (saturating, so a huge count is refused as too large, not wrapped).
    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut n: u32 = 0;
        while let Some(d) = self.chars.get(self.pos).and_then(|c| c.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d);
            self.pos += 1;
        }
        (self.pos > start).then_some(n)
    }

    /// Runs `inner` one nesting level deeper (a group or a class), refusing more than `MAX_DEPTH`.
    fn nested<T>(&mut self, inner: impl FnOnce(&mut Self) -> Result<T, RegexError>) -> Result<T, RegexError> {
        if self.depth == MAX_DEPTH {
            return Err(RegexError::Unsupported(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        let out = inner(self);
        self.depth -= 1;
        out
    }

    /// After `(`: a group, or `None` for an inline flag change.
    fn group(&mut self) -> Result<Option<Node>, RegexError> {
        let saved = self.flags;
        let node = if self.chars.get(self.pos) == Some(&'?') {
            self.pos += 1;
            match self.raw() {
                Some(':') => self.alternation()?,
                Some(c @ ('=' | '!')) => Node::Look { behind: false, negate: c == '!', node: Box::new(self.alternation()?) },
                Some('>') => Node::Atomic(Box::new(self.alternation()?)),
                Some('<') => match self.raw() {
                    Some(c @ ('=' | '!')) => Node::Look { behind: true, negate: c == '!', node: Box::new(self.alternation()?) },
                    first => {
                        let first = first.filter(char::is_ascii_alphabetic).ok_or_else(|| self.err("capturing group name does not start with a Latin letter"))?;
                        let name = self.group_name(first)?;
                        if self.names.iter().any(|(n, _)| *n == name) {
                            return Err(self.err(&format!("Named capturing group <{name}> is already defined")));
                        }
                        self.groups += 1;
                        let index = self.groups;
                        self.names.push((name, index));
                        Node::Group(index, Box::new(self.alternation()?))
                    }
                },
                _ => {
                    self.pos -= 1;
                    self.inline_flags()?;
                    match self.raw() {
                        Some(')') => return Ok(None), // lasts to the end of the enclosing group
                        Some(':') => self.alternation()?,
                        _ => return Err(self.err("Unknown inline modifier")),
                    }
                }
            }
        } else {
            self.groups += 1;
            let index = self.groups;
            Node::Group(index, Box::new(self.alternation()?))
        };
        if !self.eat(')') {
            return Err(self.err_at("Unclosed group", self.pos));
        }
        self.flags = saved;
        Ok(Some(node))
    }

    fn group_name(&mut self, first: char) -> Result<String, RegexError> {
        let mut name = String::from(first);
        loop {
            match self.raw() {
                Some(c) if c.is_ascii_alphanumeric() => name.push(c),
                Some('>') => return Ok(name),
                _ => return Err(self.err("named capturing group is missing trailing '>'")),
            }
        }
    }

    fn inline_flags(&mut self) -> Result<(), RegexError> {
        let mut on = true;
        while let Some(&c) = self.chars.get(self.pos) {
            let flag = match c {
                '-' => {
                    on = false;
                    self.pos += 1;
                    continue;
                }
                'i' => &mut self.flags.fold,
                'm' => &mut self.flags.multiline,
                's' => &mut self.flags.dotall,
                'x' => &mut self.flags.comments,
                'd' | 'u' | 'U' => return Err(RegexError::Unsupported(format!("the inline flag `{c}`"))),
                _ => return Ok(()),
            };
            *flag = on;
            self.pos += 1;
        }
        Ok(())
    }

    /// After `\`, outside or (`in_class`) inside a character class.
    fn escape(&mut self, in_class: bool) -> Result<Escaped, RegexError> {
        // A `\` at the very end escapes Java's terminating NUL: a literal that runs past the end,
        // so the pattern then fails on whatever it still expected (`Unclosed group`, ...).
        let Some(c) = self.raw() else { return Ok(Escaped::Node(Node::Char('\0', false))) };
        let perl = |p: Perl, negated: bool| {
            let s = Set::Perl(p);
            Escaped::Node(Node::Set(if negated { Set::Not(Box::new(s)) } else { s }, false))
        };
        let ch = |c: char| Escaped::Node(Node::Char(c, false));
        Ok(match c {
            'd' | 'D' => perl(Perl::Digit, c == 'D'),
            'w' | 'W' => perl(Perl::Word, c == 'W'),
            's' | 'S' => perl(Perl::Space, c == 'S'),
            'h' | 'H' => perl(Perl::HSpace, c == 'H'),
            'v' | 'V' => perl(Perl::VSpace, c == 'V'),
            't' => ch('\t'),
            'n' => ch('\n'),
            'r' => ch('\r'),
            'f' => ch('\x0C'),
            'a' => ch('\x07'),
            'e' => ch('\x1B'),
            '0' => {
                // One to three octal digits, the value at most 0377.
                let mut v = self.raw().and_then(|c| c.to_digit(8)).ok_or_else(|| self.err("Illegal octal escape sequence"))?;
                for _ in 0..2 {
                    match self.chars.get(self.pos).and_then(|c| c.to_digit(8)) {
                        Some(d) if v * 8 + d <= 0o377 => {
                            v = v * 8 + d;
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                ch(char::from_u32(v).unwrap_or('\0'))
            }
            'x' => ch(self.hex_escape()?),
            'u' => {
                let v = self.hex_digits(4).ok_or_else(|| self.err_at("Illegal Unicode escape sequence", self.pos))?;
                ch(char::from_u32(v).ok_or_else(|| RegexError::Unsupported("a surrogate escape".into()))?)
            }
            'c' => {
                if self.pos >= self.chars.len() {
                    return Err(self.err("Illegal control escape sequence"));
                }
                let c = self.raw().unwrap_or('\0');
                ch(char::from_u32(c as u32 ^ 64).unwrap_or('\0'))
            }
            'Q' => {
                let mut s = String::new();
                while self.pos < self.chars.len() {
                    if self.chars[self.pos] == '\\' && self.chars.get(self.pos + 1) == Some(&'E') {
                        self.pos += 2;
                        break;
                    }
                    s.push(self.chars[self.pos]);
                    self.pos += 1;
                }
                Escaped::Quoted(s)
            }
            _ if in_class => match c {
                'b' | 'B' | 'A' | 'z' | 'Z' | 'G' | 'k' | '1'..='9' => return Err(self.err("Illegal/unsupported escape sequence")),
                _ => self.other_escape(c)?,
            },
            // `\b{g}` is a grapheme boundary; `\b{2}` a quantified word boundary.
            'b' if self.chars.get(self.pos..self.pos + 2) == Some(&['{', 'g']) => return Err(RegexError::Unsupported("`\\b{g}`".into())),
            'b' => Escaped::Node(Node::Assert(Anchor::WordBoundary)),
            'B' => Escaped::Node(Node::Assert(Anchor::NotWordBoundary)),
            'A' => Escaped::Node(Node::Assert(Anchor::Start)),
            'z' => Escaped::Node(Node::Assert(Anchor::End)),
            'Z' => Escaped::Node(Node::Assert(Anchor::EndOrFinalTerminator)),
            'G' => Escaped::Node(Node::Assert(Anchor::PreviousMatchEnd)),
            'k' => {
                if self.raw() != Some('<') {
                    return Err(self.err("\\k is not followed by '<' for named capturing group"));
                }
                let first = self.raw().filter(char::is_ascii_alphabetic).ok_or_else(|| self.err("capturing group name does not start with a Latin letter"))?;
                let name = self.group_name(first)?;
                let Some(&(_, index)) = self.names.iter().find(|(n, _)| *n == name) else {
                    return Err(self.err(&format!("named capturing group <{name}> does not exist")));
                };
                Escaped::Node(Node::Backref(index, self.flags.fold))
            }
            '1'..='9' => {
                // Further digits count while they still name a group opened so far.
                let (index, end) = group_number(&self.chars, c as usize - '0' as usize, self.pos, self.groups);
                self.pos = end;
                Escaped::Node(Node::Backref(index, self.flags.fold))
            }
            _ => self.other_escape(c)?,
        })
    }

    fn other_escape(&mut self, c: char) -> Result<Escaped, RegexError> {
        match c {
            'p' | 'P' => {
                let set = self.posix_class()?;
                Ok(Escaped::Node(Node::Set(if c == 'P' { Set::Not(Box::new(set)) } else { set }, self.flags.fold)))
            }
            'R' | 'X' | 'N' => Err(RegexError::Unsupported(format!("`\\{c}`"))),
            c if c.is_ascii_alphabetic() => Err(self.err("Illegal/unsupported escape sequence")),
            c => Ok(Escaped::Node(Node::Char(c, false))),
        }
    }

    /// After `\p`: `{Name}` of one of Java's POSIX classes, US-ASCII as Java's default flags make
    /// them. Unicode scripts, blocks and categories (`\pL`, `\p{IsLatin}`) are not evaluated.
    fn posix_class(&mut self) -> Result<Set, RegexError> {
        if self.chars.get(self.pos) != Some(&'{') {
            return Err(RegexError::Unsupported("a one-letter Unicode category (`\\pL`)".into()));
        }
        let start = self.pos + 1;
        let Some(len) = self.chars[start..].iter().position(|&c| c == '}') else {
            self.pos = self.chars.len();
            return Err(self.err_at("Unclosed character family", self.pos));
        };
        let name: String = self.chars[start..start + len].iter().collect();
        self.pos = start + len + 1;
        if name.is_empty() {
            return Err(self.err("Empty character family"));
        }
        let Some((_, ranges)) = POSIX_CLASSES.iter().find(|(n, _)| *n == name) else {
            return Err(RegexError::Unsupported(format!("`\\p{{{name}}}`")));
        };
        Ok(Set::Union(ranges.iter().map(|&(lo, hi)| Set::Range(lo, hi)).collect()))
    }

    fn hex_escape(&mut self) -> Result<char, RegexError> {
        let v = if self.chars.get(self.pos) == Some(&'{') {
            self.pos += 1;
            let start = self.pos;
            while self.chars.get(self.pos).is_some_and(char::is_ascii_hexdigit) {
                self.pos += 1;
            }
            let digits: String = self.chars[start..self.pos].iter().collect();
            if digits.is_empty() || self.raw() != Some('}') {
                return Err(self.err("Unclosed hexadecimal escape sequence"));
            }
            u32::from_str_radix(&digits, 16).ok()
        } else {
            self.hex_digits(2)
        };
        v.and_then(char::from_u32).ok_or_else(|| self.err_at("Illegal hexadecimal escape sequence", self.pos))
    }

    /// Exactly `n` hex digits; on failure the position is at the first character that is not one.
    fn hex_digits(&mut self, n: usize) -> Option<u32> {
        let mut v = 0;
        for _ in 0..n {
            v = v * 16 + self.chars.get(self.pos).and_then(|c| c.to_digit(16))?;
            self.pos += 1;
        }
        Some(v)
    }

    /// After `[`: a class, with Java's nesting (`[a[b]]`), intersections (`[a-z&&[^e]]`) and
    /// `]` taken literally while the class is still empty.
    fn class(&mut self) -> Result<Set, RegexError> {
        let negated = self.chars.get(self.pos) == Some(&'^');
        self.pos += usize::from(negated);
        let set = self.class_body(true)?;
        Ok(if negated { Set::Not(Box::new(set)) } else { set })
    }

    /// Items up to the closing `]` (consumed when `consume_close`).
    fn class_body(&mut self, consume_close: bool) -> Result<Set, RegexError> {
        let mut items: Vec<Set> = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err("Unclosed character class"));
            };
            match c {
                ']' if !items.is_empty() => {
                    self.pos += usize::from(consume_close);
                    break;
                }
                '[' => {
                    self.pos += 1;
                    items.push(self.nested(Self::class)?);
                }
                '&' if self.chars.get(self.pos + 1) == Some(&'&') => {
                    self.pos += 2;
                    let left = Set::Union(std::mem::take(&mut items));
                    if self.peek() == Some('[') {
                        self.pos += 1;
                        let right = self.nested(Self::class)?;
                        items.push(Set::And(Box::new(left), Box::new(right)));
                    } else {
                        let right = self.class_body(false)?;
                        items.push(Set::And(Box::new(left), Box::new(right)));
                    }
                }
                _ => {
                    self.pos += 1;
                    let single = if c == '\\' {
                        match self.escape(true)? {
                            Escaped::Node(Node::Char(c, _)) => c,
                            Escaped::Node(Node::Set(s, _)) => {
                                items.push(s);
                                continue;
                            }
                            Escaped::Quoted(s) => {
                                items.extend(s.chars().map(|c| Set::Range(c, c)));
                                continue;
                            }
                            Escaped::Node(_) => return Err(self.err("Illegal/unsupported escape sequence")),
                        }
                    } else {
                        c
                    };
                    items.push(self.range_from(single)?);
                }
            }
        }
        Ok(if items.len() == 1 { items.pop().unwrap_or(Set::Union(Vec::new())) } else { Set::Union(items) })
    }

    /// `a-z` after its first character; a `-` before `]` or `[` is a literal, read next.
    fn range_from(&mut self, lo: char) -> Result<Set, RegexError> {
        if self.peek() != Some('-') || matches!(self.chars.get(self.pos + 1), Some(']' | '[')) {
            return Ok(Set::Range(lo, lo));
        }
        self.pos += 1;
        if self.pos == self.chars.len() {
            // Java reads the missing end of the range as character 0, below any start.
            return Err(self.err_at("Illegal character range", self.pos));
        }
        let hi = match self.raw() {
            Some('\\') if self.pos == self.chars.len() => return Err(self.err_at("Illegal character range", self.pos)),
            Some('\\') => match self.escape(true)? {
                Escaped::Node(Node::Char(c, _)) => c,
                _ => return Err(self.err("Illegal character range")),
            },
            Some(c) => c,
            None => return Err(self.err_at("Illegal character range", self.pos)),
        };
        if hi < lo {
            return Err(self.err("Illegal character range"));
        }
        Ok(Set::Range(lo, hi))
    }
}

/// Java's POSIX classes, US-ASCII.
const POSIX_CLASSES: &[(&str, &[(char, char)])] = &[
    ("Lower", &[('a', 'z')]),
    ("Upper", &[('A', 'Z')]),
    ("ASCII", &[('\0', '\x7F')]),
    ("Alpha", &[('a', 'z'), ('A', 'Z')]),
    ("Digit", &[('0', '9')]),
    ("Alnum", &[('a', 'z'), ('A', 'Z'), ('0', '9')]),
    ("Punct", &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')]),
    ("Graph", &[('!', '~')]),
    ("Print", &[(' ', '~')]),
    ("Blank", &[(' ', ' '), ('\t', '\t')]),
    ("Cntrl", &[('\0', '\x1F'), ('\x7F', '\x7F')]),
    ("XDigit", &[('0', '9'), ('a', 'f'), ('A', 'F')]),
    ("Space", &[(' ', ' '), ('\t', '\r')]),
];

enum Escaped {
    Node(Node),
    /// `\Q...\E`: literal text.
    Quoted(String),
}

fn line_terminators() -> Vec<Set> {
    vec![Set::Range('\n', '\n'), Set::Range('\r', '\r'), Set::Range('\u{85}', '\u{85}'), Set::Range('\u{2028}', '\u{2029}')]
}
