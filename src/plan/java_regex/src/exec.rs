//! The tree compiled to a small program, run by a backtracking matcher that tries alternatives in
//! Java's order. Look-arounds and atomic groups run their body as a nested match and keep its
//! first result, which is what makes them atomic.

use super::parse::Node;
use super::{Anchor, Greed, Perl, RegexError, Set};

/// Programs above this many instructions are refused (counted repetitions nest copies).
const MAX_PROGRAM: usize = 20_000;
/// Steps one search may take before it is given up as backtracking without end.
const STEP_BUDGET: u32 = 1_000_000;

#[derive(Clone, Debug)]
enum Inst {
    Char(char),
    /// An ASCII letter in either case (stored lower-case).
    CharFold(char),
    Set { set: usize, fold: bool },
    Assert(Anchor),
    /// Try the first branch; on failure the second.
    Split(usize, usize),
    Jmp(usize),
    /// Group `g` starts here; its span is set only when it closes, both ends at once, as in
    /// Java (a back-reference inside the group sees its previous complete capture).
    Open(usize),
    Close(usize),
    Backref { group: usize, fold: bool },
    /// Body follows, up to its `SubEnd`; the match goes on at `next`.
    Look { behind: bool, negate: bool, next: usize },
    Atomic { next: usize },
    SubEnd,
    /// Remembers where a `*` iteration started.
    Mark(usize),
    /// After an iteration: loop again if it consumed something; else leave the loop, or fail
    /// (`refuse_empty`).
    Loop { mark: usize, again: usize, exit: usize, refuse_empty: bool },
    /// Fails unless the position moved since the mark.
    Progress(usize),
    Match,
}

#[derive(Clone, Debug)]
pub(super) struct Program {
    insts: Vec<Inst>,
    sets: Vec<Set>,
    /// Including group 0, the whole match.
    groups: usize,
    marks: usize,
}

pub(super) fn compile(node: &Node, groups: usize) -> Result<Program, RegexError> {
    let mut c = Compiler { insts: Vec::new(), sets: Vec::new(), marks: 0 };
    c.push(Inst::Open(0));
    c.emit(node)?;
    c.push(Inst::Close(0));
    c.push(Inst::Match);
    Ok(Program { insts: c.insts, sets: c.sets, groups: groups + 1, marks: c.marks })
}

struct Compiler {
    insts: Vec<Inst>,
    sets: Vec<Set>,
    marks: usize,
}

impl Compiler {
    fn push(&mut self, i: Inst) -> usize {
        self.insts.push(i);
        self.insts.len() - 1
    }

    fn emit(&mut self, node: &Node) -> Result<(), RegexError> {
        if self.insts.len() > MAX_PROGRAM {
            return Err(RegexError::Unsupported("a pattern this large".into()));
        }
        match node {
            Node::Char(c, fold) if *fold && c.is_ascii_alphabetic() => _ = self.push(Inst::CharFold(c.to_ascii_lowercase())),
            Node::Char(c, _) => _ = self.push(Inst::Char(*c)),
            Node::Set(s, fold) => {
                self.sets.push(s.clone());
                self.push(Inst::Set { set: self.sets.len() - 1, fold: *fold });
            }
            Node::Assert(a) => _ = self.push(Inst::Assert(*a)),
            Node::Group(i, body) => {
                self.push(Inst::Open(*i));
                self.emit(body)?;
                self.push(Inst::Close(*i));
            }
            Node::Concat(items) => {
                for n in items {
                    self.emit(n)?;
                }
            }
            Node::Alt(branches) => {
                let mut to_end = Vec::new();
                for (k, b) in branches.iter().enumerate() {
                    if k + 1 == branches.len() {
                        self.emit(b)?;
                        break;
                    }
                    let split = self.push(Inst::Split(0, 0));
                    self.emit(b)?;
                    to_end.push(self.push(Inst::Jmp(0)));
                    self.insts[split] = Inst::Split(split + 1, self.insts.len());
                }
                let end = self.insts.len();
                for j in to_end {
                    self.insts[j] = Inst::Jmp(end);
                }
            }
            // Java's possessive loops take each iteration's first match (never backtracking into
            // one), keep an empty one and stop, then keep them all: (?>(?>x)*), not PCRE's (?>x*).
            Node::Repeat { node, min, max, greed: Greed::Possessive } => {
                let each = Node::Atomic(node.clone());
                self.wrapped(|next| Inst::Atomic { next }, &|c| c.repeat(&each, *min, *max, false, false))?;
            }
            // Java loops over a fixed-length body (`Curly`, `GroupCurly`) refuse an empty iteration
            // beyond the minimum, so `(^)*` captures nothing; over any other body (`Loop`,
            // `LazyLoop`) they keep it and stop.
            Node::Repeat { node, min, max, greed } => self.repeat(node, *min, *max, *greed == Greed::Lazy, fixed_length(node))?,
            Node::Look { behind, negate, node } => {
                let (behind, negate) = (*behind, *negate);
                self.wrapped(|next| Inst::Look { behind, negate, next }, &|c| c.emit(node))?;
            }
            Node::Atomic(body) => self.wrapped(|next| Inst::Atomic { next }, &|c| c.emit(body))?,
            Node::Backref(group, fold) => _ = self.push(Inst::Backref { group: *group, fold: *fold }),
        }
        Ok(())
    }

    fn repeat(&mut self, node: &Node, min: u32, max: Option<u32>, lazy: bool, refuse_empty: bool) -> Result<(), RegexError> {
        for _ in 0..min {
            self.emit(node)?;
        }
        let branch = |body: usize, out: usize| if lazy { Inst::Split(out, body) } else { Inst::Split(body, out) };
        match max {
            None => {
                let mark = self.new_mark();
                let top = self.push(Inst::Split(0, 0));
                self.push(Inst::Mark(mark));
                self.emit(node)?;
                let lp = self.push(Inst::Loop { mark, again: top, exit: 0, refuse_empty });
                let exit = self.insts.len();
                self.insts[top] = branch(top + 1, exit);
                self.insts[lp] = Inst::Loop { mark, again: top, exit, refuse_empty };
            }
            Some(max) => {
                // x{0,2} as (?:x(?:x)?)?: each optional copy leaves for the common end.
                let mut splits = Vec::new();
                for _ in min..max {
                    splits.push(self.push(Inst::Split(0, 0)));
                    if refuse_empty {
                        let mark = self.new_mark();
                        self.push(Inst::Mark(mark));
                        self.emit(node)?;
                        self.push(Inst::Progress(mark));
                    } else {
                        self.emit(node)?;
                    }
                }
                let end = self.insts.len();
                for s in splits {
                    self.insts[s] = branch(s + 1, end);
                }
            }
        }
        Ok(())
    }

    fn new_mark(&mut self) -> usize {
        self.marks += 1;
        self.marks - 1
    }

    /// A nested body: its opening instruction (told where to go on), the body, `SubEnd`.
    fn wrapped(&mut self, open: impl Fn(usize) -> Inst, body: &dyn Fn(&mut Self) -> Result<(), RegexError>) -> Result<(), RegexError> {
        let at = self.push(open(0));
        body(self)?;
        self.push(Inst::SubEnd);
        self.insts[at] = open(self.insts.len());
        Ok(())
    }
}

/// Java's "deterministic" (`TreeInfo`): no alternation, no repetition of varying count.
fn fixed_length(node: &Node) -> bool {
    match node {
        Node::Alt(_) => false,
        Node::Repeat { node, min, max, .. } => Some(*min) == *max && fixed_length(node),
        Node::Group(_, n) | Node::Atomic(n) => fixed_length(n),
        Node::Concat(items) => items.iter().all(fixed_length),
        Node::Char(..) | Node::Set(..) | Node::Assert(_) | Node::Look { .. } | Node::Backref(..) => true,
    }
}

enum Undo {
    Branch { pc: usize, pos: usize },
    Slot(usize, Option<usize>),
    Open(usize, usize),
    Mark(usize, usize),
}

pub(super) struct Matcher<'a> {
    prog: &'a Program,
    input: &'a [char],
    slots: Vec<Option<usize>>,
    opens: Vec<usize>,
    marks: Vec<usize>,
    previous_end: usize,
    steps: u32,
}

impl<'a> Matcher<'a> {
    pub fn new(prog: &'a Program, input: &'a [char]) -> Self {
        Matcher { prog, input, slots: vec![None; 2 * prog.groups], opens: vec![0; prog.groups], marks: vec![0; prog.marks], previous_end: 0, steps: 0 }
    }

    /// The group spans of the last match (`2g`, `2g + 1`).
    pub fn captures(&self) -> &[Option<usize>] {
        &self.slots
    }

    /// The first match starting at or after `from`: its span.
    pub fn find(&mut self, from: usize) -> Result<Option<(usize, usize)>, RegexError> {
        self.steps = 0;
        // Cleared once per search, not per start: what a look-around captured in an attempt that
        // failed stays visible to later ones, as in Java.
        self.slots.fill(None);
        for start in from..=self.input.len() {
            if let Some(end) = self.run(0, start, None)? {
                self.previous_end = end;
                return Ok(Some((start, end)));
            }
        }
        Ok(None)
    }

    /// Runs from `pc` at `pos` until `Match`/`SubEnd` (at `end`, when given): the position then.
    /// On failure every slot is as it was.
    fn run(&mut self, mut pc: usize, mut pos: usize, end: Option<usize>) -> Result<Option<usize>, RegexError> {
        let mut undo: Vec<Undo> = Vec::new();
        loop {
            self.steps += 1;
            if self.steps > STEP_BUDGET {
                return Err(RegexError::TooComplex);
            }
            let ok = match &self.prog.insts[pc] {
                Inst::Char(c) => self.advance_if(&mut pos, |x| x == *c),
                Inst::CharFold(c) => self.advance_if(&mut pos, |x| x.to_ascii_lowercase() == *c),
                Inst::Set { set, fold } => {
                    let (set, fold) = (&self.prog.sets[*set], *fold);
                    self.advance_if(&mut pos, |x| set_matches(set, x, fold))
                }
                Inst::Assert(a) => self.assert(*a, pos),
                Inst::Split(a, b) => {
                    undo.push(Undo::Branch { pc: *b, pos });
                    pc = *a;
                    continue;
                }
                Inst::Jmp(to) => {
                    pc = *to;
                    continue;
                }
                Inst::Open(g) => {
                    undo.push(Undo::Open(*g, self.opens[*g]));
                    self.opens[*g] = pos;
                    true
                }
                Inst::Close(g) => {
                    let (s, e) = (2 * g, 2 * g + 1);
                    undo.push(Undo::Slot(s, self.slots[s]));
                    undo.push(Undo::Slot(e, self.slots[e]));
                    self.slots[s] = Some(self.opens[*g]);
                    self.slots[e] = Some(pos);
                    true
                }
                Inst::Backref { group, fold } => match (self.slots.get(2 * group), self.slots.get(2 * group + 1)) {
                    (Some(Some(s)), Some(Some(e))) if s <= e => {
                        let (s, e, fold) = (*s, *e, *fold);
                        let len = e - s;
                        let same = self.input.get(pos..pos + len).is_some_and(|here| {
                            here.iter().zip(&self.input[s..e]).all(|(a, b)| a == b || (fold && a.eq_ignore_ascii_case(b)))
                        });
                        pos += if same { len } else { 0 };
                        same
                    }
                    _ => false,
                },
                Inst::Look { behind, negate, next } => {
                    let (behind, negate, next) = (*behind, *negate, *next);
                    // Behind: the body must end here; the shortest candidate is tried first, as Java does.
                    let found = if behind {
                        let mut found = false;
                        for start in (0..=pos).rev() {
                            if self.run(pc + 1, start, Some(pos))?.is_some() {
                                found = true;
                                break;
                            }
                        }
                        found
                    } else {
                        self.run(pc + 1, pos, None)?.is_some()
                    };
                    // What the body captured stays, even when the match backs off or the
                    // look-around is negative: Java never restores it.
                    pc = next;
                    if found != negate {
                        continue;
                    }
                    false
                }
                Inst::Atomic { next } => {
                    let next = *next;
                    match self.run(pc + 1, pos, None)? {
                        Some(p) => {
                            pos = p;
                            pc = next;
                            continue;
                        }
                        None => false,
                    }
                }
                Inst::SubEnd | Inst::Match => {
                    if end.is_none_or(|e| e == pos) {
                        return Ok(Some(pos));
                    }
                    false
                }
                Inst::Mark(m) => {
                    undo.push(Undo::Mark(*m, self.marks[*m]));
                    self.marks[*m] = pos;
                    true
                }
                Inst::Progress(mark) => pos != self.marks[*mark],
                Inst::Loop { mark, again, exit, refuse_empty } => {
                    if pos != self.marks[*mark] {
                        pc = *again;
                        continue;
                    }
                    if !*refuse_empty {
                        pc = *exit;
                        continue;
                    }
                    false
                }
            };
            if ok {
                pc += 1;
                continue;
            }
            loop {
                match undo.pop() {
                    None => return Ok(None),
                    Some(Undo::Branch { pc: p, pos: q }) => {
                        (pc, pos) = (p, q);
                        break;
                    }
                    Some(Undo::Slot(s, v)) => self.slots[s] = v,
                    Some(Undo::Open(g, v)) => self.opens[g] = v,
                    Some(Undo::Mark(m, v)) => self.marks[m] = v,
                }
            }
        }
    }

    fn advance_if(&self, pos: &mut usize, test: impl Fn(char) -> bool) -> bool {
        let hit = self.input.get(*pos).is_some_and(|&c| test(c));
        *pos += usize::from(hit);
        hit
    }

    fn assert(&self, a: Anchor, pos: usize) -> bool {
        let input = self.input;
        let at = |i: usize| input.get(i).copied();
        let before = pos.checked_sub(1).and_then(at);
        match a {
            Anchor::Start => pos == 0,
            // Not at the very end, nor between \r and \n (Java's Caret).
            Anchor::LineStart => {
                pos == 0 || (pos < input.len() && before.is_some_and(is_line_terminator) && !(before == Some('\r') && at(pos) == Some('\n')))
            }
            Anchor::EndOrFinalTerminator => match &input[pos.min(input.len())..] {
                [] => true,
                ['\r', '\n'] => true,
                ['\n'] => before != Some('\r'),
                [c] => is_line_terminator(*c),
                _ => false,
            },
            Anchor::LineEnd => match at(pos) {
                None => true,
                Some('\n') => before != Some('\r'),
                Some(c) => is_line_terminator(c),
            },
            Anchor::End => pos == input.len(),
            // ASCII word characters, as `\w` (Java 19+ and the JDKs bundled with the servers).
            Anchor::WordBoundary => is_word(before) != is_word(at(pos)),
            Anchor::NotWordBoundary => is_word(before) == is_word(at(pos)),
            Anchor::PreviousMatchEnd => pos == self.previous_end,
        }
    }
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Case folding applies to each range and character, not to the class as a whole, so that
/// `(?i)[^a]` refuses `A` as Java does.
fn set_matches(set: &Set, c: char, fold: bool) -> bool {
    match set {
        Set::Range(lo, hi) => {
            let within = |c: char| *lo <= c && c <= *hi;
            within(c) || (fold && c.is_ascii_alphabetic() && (within(c.to_ascii_lowercase()) || within(c.to_ascii_uppercase())))
        }
        Set::Perl(p) => match p {
            Perl::Digit => c.is_ascii_digit(),
            Perl::Word => c.is_ascii_alphanumeric() || c == '_',
            Perl::Space => matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r'),
            Perl::HSpace => matches!(c, ' ' | '\t' | '\u{A0}' | '\u{1680}' | '\u{180E}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'),
            Perl::VSpace => matches!(c, '\n' | '\x0B' | '\x0C' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'),
        },
        Set::Union(items) => items.iter().any(|s| set_matches(s, c, fold)),
        Set::And(a, b) => set_matches(a, c, fold) && set_matches(b, c, fold),
        Set::Not(s) => !set_matches(s, c, fold),
    }
}
