//! Rename previews against `java.util.regex` itself: every case (hand-picked renames and edge
//! cases, plus seeded random patterns) is run through Java's `String.replaceAll`
//! (tests/java/ReplaceAll.java) and through essnap's `JavaRegex`, and they must agree on the
//! result, on which patterns are invalid (with Java's description and index), and on which
//! replacements fail. Java's answers are kept in tests/fixtures/java_regex.jsonl so the test also
//! runs where no `java` is installed; with Java present they are recomputed and must equal the
//! file (`ESSNAP_BLESS=1` rewrites it). CI has Java (the real nodes need it) and requires it.

use std::path::Path;
use std::process::Command;

use essnap::plan::java_regex::{JavaRegex, RegexError};
use serde_json::{Value, json};

const FIXTURE: &str = "tests/fixtures/java_regex.jsonl";

/// Hand-picked: the renames operators write, and the places where Java differs from other engines.
const CASES: &[(&str, &str, &[&str])] = &[
    ("(.+)", "restored-$1", &["logs-2024.11.01", ".ds-logs-app-000001", "a"]),
    ("logs-(.+)", "archive-$1", &["logs-a", "x-logs-b", "logs-"]),
    ("index_(.+)", "restored_index_$1", &["index_1", "index_"]),
    ("(.+)-(\\d{4})\\.(\\d{2})", "$1-$3-$2", &["logs-2024.11", "m-1.2"]),
    ("(?<base>[a-z]+)-(?<n>\\d+)", "${n}_${base}", &["logs-7 and metrics-12"]),
    // Empty matches: after a match Java may match empty at its end; after an empty one it moves on.
    ("a*", "X", &["baaa", "", "aaa", "bab"]),
    ("x*", "-", &["abc", ""]),
    ("", "-", &["abc", ""]),
    ("a*?", "X", &["aa"]),
    ("\\b", "|", &["ab cd"]),
    // Groups that took no part add nothing; $12 is group 12 only when there are 12 groups.
    ("(a)(b)?", "[$1$2]", &["ac", "ab"]),
    ("(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)", "<$12|$1>", &["abcdefghijklmn"]),
    ("(a)", "$12", &["a", "b"]),
    ("(a)", "$2", &["a", "b"]),
    ("(a)", "$", &["a"]),
    ("(a)", "x\\", &["a"]),
    ("(a)", "${}", &["a"]),
    ("(a)", "${x", &["a"]),
    ("(a)", "${x}", &["a"]),
    ("(a)", "${1x}", &["a"]),
    ("(a)", "$x", &["a"]),
    ("(a)", "\\$1 costs \\\\", &["a"]),
    ("(a)", "$0$0", &["cat"]),
    // Classes: ] first is literal, nesting, intersections, ranges, negation under (?i).
    ("[]a]", "X", &["a]b"]),
    ("[^]a]", "X", &["a]b"]),
    ("[]", "X", &["a"]),
    ("[a-z&&[^e]]", "X", &["hello"]),
    ("[a-z&&def]", "X", &["abcdefg"]),
    ("[a-z&&[aeiou]xyz]", "_", &["axyzb"]),
    ("[a[x-z]]", "_", &["axbzc"]),
    ("[a-]", "_", &["a-b"]),
    ("[-a]", "_", &["a-b"]),
    ("[a-c-e]", "_", &["abcde-"]),
    ("[z-a]", "_", &["a"]),
    ("d-[a-", "_", &["a"]),
    ("[a-\\", "_", &["a"]),
    ("[a-\\d]", "_", &["a"]),
    ("[a", "_", &["a"]),
    ("[^", "_", &["a"]),
    ("[\\d-z]", "_", &["1-z"]),
    ("[a\\]b]", "_", &["a]b"]),
    ("[^a-c]", "_", &["abcd"]),
    ("(?i)[^a]", "_", &["aAb"]),
    ("(?i)[a-c]", "_", &["ABCD"]),
    ("(?i)LOGS", "x", &["logs-Logs"]),
    ("(?i:a)b", "x", &["AbAB"]),
    ("a(?i)b|c", "x", &["aB C"]),
    ("((?i)a)b", "x", &["AB Ab"]),
    // Anchors.
    ("\\bfoo\\b", "x", &["foo foobar foo_x foo-x"]),
    ("\\Bo", "x", &["foo o"]),
    ("$", "-end", &["abc", "abc\n"]),
    ("^", "start-", &["abc", ""]),
    ("a$", "x", &["a\n", "a\r\n", "a\n\n"]),
    ("(?m)^b", "x", &["a\nb\nb"]),
    ("(?m)a$", "x", &["a\na\r\na"]),
    ("\\Aa", "x", &["aa"]),
    ("a\\z", "x", &["aa", "a\n"]),
    ("a\\Z", "x", &["a\n"]),
    ("\\G.", "x", &["abc"]),
    ("\\Ga", "x", &["aab"]),
    // Look-arounds, back-references, atomic and possessive.
    ("(?<=logs-)\\d+", "N", &["logs-123 xlogs-4 5"]),
    ("(?<!a)b", "x", &["ab bb"]),
    ("foo(?=bar)", "x", &["foobar foobaz"]),
    ("foo(?!bar)", "x", &["foobar foobaz"]),
    ("(?=(a))", "<$1>", &["ab"]),
    ("(?!(a))", "<$1>", &["ab"]),
    ("(?<=(a))b", "<$1>", &["ab"]),
    ("(\\w)\\1", "<$1>", &["aabbcd"]),
    ("(?i)(a)\\1", "x", &["aA"]),
    ("(a)\\11", "x", &["aa1"]),
    ("\\1(a)", "x", &["aa"]),
    ("(a)|\\1b", "x", &["ab"]),
    ("(?<n>a)\\k<n>", "x", &["aab"]),
    ("\\k<n>(?<n>a)", "x", &["a"]),
    ("a++a", "x", &["aaa"]),
    ("(?>a+)a", "x", &["aaa"]),
    ("(?>a|ab)c", "x", &["abc", "ac"]),
    ("a*+b", "x", &["aab"]),
    ("a?+a", "x", &["a"]),
    ("a{1,2}+a", "x", &["aaa", "aa"]),
    // Quantifiers.
    ("a*?b", "x", &["aab"]),
    ("a{2,3}", "x", &["aaaaaaa"]),
    ("a{2,}?", "x", &["aaaaa"]),
    ("a{0}", "x", &["ab"]),
    ("a{2}", "x", &["aaaaa"]),
    ("(ab){2}", "<$1>", &["ababab"]),
    ("(a*)*", "<$1>", &["aab", "b"]),
    ("(a?)*", "<$1>", &["b"]),
    ("(a|b)*c", "<$1>", &["abac"]),
    ("(?:(a)|b)+", "<$1>", &["ab"]),
    ("(a|ab)(c|bcd)(d*)", "<$1,$2,$3>", &["abcd"]),
    ("(a+|b+)*c", "<$1>", &["aabbc"]),
    // Java's loops over a fixed-length body refuse an empty iteration; others keep it.
    ("(^)*\\1", "<$1>", &["", "a"]),
    ("(^)+\\1", "<$1>", &[""]),
    ("(^)*+\\1", "<$1>", &[""]),
    ("(^)*?\\1", "<$1>", &[""]),
    ("(^){0,3}\\1", "<$1>", &[""]),
    ("(^)?\\1", "<$1>", &[""]),
    ("(\\b)*\\1", "<$1>", &["a"]),
    ("(a?)?\\1", "<$1>", &["b"]),
    ("(^){0,1}\\1", "<$1>", &[""]),
    // Escapes and quoting.
    ("\\Qa.b\\E", "x", &["a.b axb"]),
    ("\\Qab\\E+", "x", &["abbb"]),
    ("\\Qa.b", "x", &["a.b"]),
    ("\\x41|\\x{42}", "x", &["ABA"]),
    ("\\u0041", "x", &["ABA"]),
    ("\\0101", "x", &["ABA"]),
    ("\\0", "x", &["a"]),
    ("\\t|\\n", "x", &["a\tb\n"]),
    ("\\cA", "x", &["a\u{1}b"]),
    ("\\.", "_", &["a.b.c"]),
    ("\\-", "_", &["a-b"]),
    ("\\y", "_", &["a"]),
    ("\\s+|\\h", "_", &["a b\tc"]),
    ("\\D\\W\\S", "_", &["a! b"]),
    ("\\v", "_", &["a\u{b}b"]),
    ("\\p{Lower}+|\\P{Alnum}", "_", &["abC1-x y"]),
    ("[\\p{Upper}\\p{Digit}]+", "_", &["abC1-xY"]),
    ("\\p{Punct}|\\p{Blank}|\\p{Cntrl}", "_", &["a.b c\u{1}d~"]),
    ("\\p{Alpha}\\p{XDigit}\\p{Space}\\p{Graph}\\p{Print}\\p{ASCII}", "_", &["af !a"]),
    ("(?i)\\p{Lower}", "_", &["aB1"]),
    ("(?i)[\\p{Upper}]", "_", &["aB1"]),
    ("(?i)\\P{Lower}", "_", &["aB1"]),
    ("\\p{Lower", "_", &["a"]),
    ("\\p{}", "_", &["a"]),
    (".", "x", &["a\nb"]),
    ("(?s).", "x", &["a\nb"]),
    ("(?x) a b # comment", "x", &["ab a b"]),
    ("(?x)[a b]", "x", &["a b"]),
    ("(?x)a\\ b", "x", &["a b ab"]),
    // Refused by Java: the same description and index.
    ("a{", "x", &["a"]),
    ("a{1", "x", &["a"]),
    ("a{,2}", "x", &["a"]),
    ("a{3,2}", "x", &["a"]),
    ("{1}", "x", &["a"]),
    ("*a", "x", &["a"]),
    ("a**", "x", &["a"]),
    ("a|*", "x", &["a"]),
    ("(a", "x", &["a"]),
    ("a)", "x", &["a"]),
    ("(?<n>a)(?<n>b)", "x", &["ab"]),
    ("(?<1a>a)", "x", &["a"]),
    ("(?<ab", "x", &["a"]),
    ("(?<%a)", "x", &["a"]),
    ("(?z)a", "x", &["a"]),
    ("(?i", "x", &["a"]),
    ("[a", "x", &["a"]),
    ("\\", "x", &["a"]),
    ("\\k<x>", "x", &["a"]),
    ("\\kx", "x", &["a"]),
    ("\\x4", "x", &["a"]),
    ("\\u004", "x", &["a"]),
    ("\\c", "x", &["a"]),
    // Unicode text: Java works on code points.
    ("(.)", "$1$1", &["日本", "é"]),
    ("[é-ü]", "_", &["aéüz"]),
    ("\\w+", "_", &["éa_1"]),
];

/// One case and what Java said of it.
struct Case {
    pattern: String,
    replacement: String,
    input: String,
}

/// Random patterns in the kept corpus; `ESSNAP_JAVA_REGEX_RANDOM=N` (with a seed) runs another,
/// longer corpus against Java alone: `ESSNAP_JAVA_REGEX_RANDOM=20000:7 cargo test --test java_regex`.
fn random_count_and_seed() -> Option<(usize, u64)> {
    let v = std::env::var("ESSNAP_JAVA_REGEX_RANDOM").ok()?;
    let (n, seed) = v.split_once(':').unwrap_or((&v, "1"));
    Some((n.parse().expect("ESSNAP_JAVA_REGEX_RANDOM=COUNT[:SEED]"), seed.parse().expect("seed")))
}

fn corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    for (p, r, inputs) in CASES {
        for i in *inputs {
            cases.push(Case { pattern: p.to_string(), replacement: r.to_string(), input: i.to_string() });
        }
    }
    // Seeded random patterns over a small alphabet, so the constructs meet each other.
    let (count, seed) = random_count_and_seed().unwrap_or((1500, 0x5eed_e55a));
    let mut rng = Lcg(seed);
    for _ in 0..count {
        let mut pattern = random_pattern(&mut rng, 3);
        // A quarter cut short somewhere, for Java's syntax errors and their positions.
        if rng.below(4) == 0 {
            let cut = rng.below(pattern.chars().count() + 1);
            pattern = pattern.chars().take(cut).collect();
        }
        let replacement = ["X", "<$0>", "<$1>", "[$1|$2]", "$2", "${g}", "\\$", "$1$1", ""][rng.below(9)].to_string();
        for _ in 0..2 {
            let len = rng.below(9);
            let input: String = (0..len).map(|_| ['a', 'b', 'A', '-', '1', '.', ' '][rng.below(7)]).collect();
            cases.push(Case { pattern: pattern.clone(), replacement: replacement.clone(), input });
        }
    }
    cases
}

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn random_pattern(rng: &mut Lcg, depth: u32) -> String {
    let n = 1 + rng.below(3);
    let mut s = String::new();
    for _ in 0..n {
        let atom = match if depth == 0 { rng.below(8) } else { rng.below(18) } {
            0 => "a".to_string(),
            1 => "b".to_string(),
            2 => ".".to_string(),
            3 => ["[ab]", "[^a]", "[a-b1]", "[-.]", "(?i)[a]", "[a&&[^b]]"][rng.below(6)].to_string(),
            4 => ["\\d", "\\w", "\\W", "\\s", "-", "\\."][rng.below(6)].to_string(),
            5 => ["^", "$", "\\b", "\\B", "\\G"][rng.below(5)].to_string(),
            6 => "A".to_string(),
            7 => "\\1".to_string(),
            8 | 9 => format!("({})", random_pattern(rng, depth - 1)),
            10 => format!("(?:{})", random_pattern(rng, depth - 1)),
            11 => format!("{}|{}", random_pattern(rng, depth - 1), random_pattern(rng, depth - 1)),
            12 => format!("(?={})", random_pattern(rng, depth - 1)),
            13 => format!("(?!{})", random_pattern(rng, depth - 1)),
            14 => ["(?<=a)", "(?<!b)", "(?<=a|-)"][rng.below(3)].to_string(),
            15 => format!("(?>{})", random_pattern(rng, depth - 1)),
            16 => format!("(?<g>{})", random_pattern(rng, depth - 1)),
            _ => format!("(?i){}", random_pattern(rng, depth - 1)),
        };
        s.push_str(&atom);
        if rng.below(3) == 0 {
            s.push_str(["*", "+", "?", "{2}", "{1,2}", "{0,}"][rng.below(6)]);
            s.push_str(["", "", "?", "+"][rng.below(4)]);
        }
    }
    s
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(h: &str) -> String {
    let bytes: Vec<u8> = (0..h.len() / 2).map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap_or_else(|e| panic!("{h}: {e}"))).collect();
    String::from_utf8(bytes).expect("utf-8")
}

/// Runs the corpus through Java; `None` when no `java` can be started.
fn java_answers(cases: &[Case]) -> Option<Vec<Value>> {
    let dir = std::env::temp_dir().join(format!("essnap-java-regex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = dir.join("cases.txt");
    let lines: String = cases.iter().map(|c| format!("{}\t{}\t{}\n", hex(&c.pattern), hex(&c.replacement), hex(&c.input))).collect();
    std::fs::write(&input, lines).expect("write cases");
    let out = Command::new("java").arg("tests/java/ReplaceAll.java").arg(&input).output();
    let _ = std::fs::remove_dir_all(&dir);
    let out = out.ok()?;
    assert!(out.status.success(), "java failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let answers: Vec<Value> = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            match f[0] {
                "syntax" => json!({"syntax": unhex(f[2]), "index": f[1].parse::<u64>().expect("index")}),
                "ok" => json!({"ok": unhex(f[2]), "found": f[1] == "1"}),
                "replacement" => json!({"replacement": unhex(f[2]), "found": f[1] == "1"}),
                _ => json!({"overflow": true}),
            }
        })
        .collect();
    assert_eq!(answers.len(), cases.len(), "one answer per case");
    Some(answers)
}

/// Java's answers: recomputed when Java is here (and checked against the kept file), else read.
fn answers(cases: &[Case]) -> Vec<Value> {
    let keep = |answers: &[Value]| -> String {
        cases
            .iter()
            .zip(answers)
            .map(|(c, a)| format!("{}\n", json!({"pattern": c.pattern, "replacement": c.replacement, "input": c.input, "java": a})))
            .collect()
    };
    match java_answers(cases) {
        Some(answers) => {
            let text = keep(&answers);
            if random_count_and_seed().is_some() {
                // Another corpus than the kept one: Java alone is the reference.
            } else if std::env::var_os("ESSNAP_BLESS").is_some() {
                std::fs::write(FIXTURE, &text).expect("write fixture");
            } else {
                let kept = std::fs::read_to_string(FIXTURE).unwrap_or_default();
                assert!(kept == text, "{FIXTURE} is not what Java answers for the corpus: refresh it with ESSNAP_BLESS=1");
            }
            answers
        }
        None => {
            assert!(std::env::var_os("CI").is_none(), "CI must have `java` (cargo xtask setup installs it)");
            eprintln!("no `java` here: comparing with the answers kept in {FIXTURE}");
            let kept = std::fs::read_to_string(FIXTURE).expect("fixture");
            let values: Vec<Value> = kept.lines().map(|l| serde_json::from_str::<Value>(l).expect("json")["java"].clone()).collect();
            assert_eq!(values.len(), cases.len(), "{FIXTURE} has another corpus: refresh it with ESSNAP_BLESS=1 where Java is installed");
            values
        }
    }
}

#[test]
fn rename_previews_agree_with_java_replace_all() {
    assert!(Path::new("tests/java/ReplaceAll.java").exists(), "run from the repository root");
    let cases = corpus();
    let answers = answers(&cases);
    let (mut agreed, mut unsupported, mut too_complex) = (0, 0, 0);
    let mut failures = Vec::new();
    for (c, java) in cases.iter().zip(&answers) {
        let ours = JavaRegex::new(&c.pattern).and_then(|re| {
            let found = re.is_match(&c.input)?;
            match re.replacement(&c.replacement) {
                Ok(r) => re.replace_all(&c.input, &r).map(|s| (found, Ok(s))),
                Err(e) => Ok((found, Err(e))),
            }
        });
        let agrees = match (&ours, java) {
            (Err(RegexError::Unsupported(what)), _) => {
                eprintln!("unsupported: {what} in {:?}", c.pattern);
                unsupported += 1;
                continue;
            }
            (Err(RegexError::TooComplex), _) => {
                too_complex += 1;
                continue;
            }
            (Err(RegexError::Syntax { description, index }), j) => {
                j["syntax"].as_str() == Some(description.as_str()) && j["index"].as_u64() == Some(*index as u64)
            }
            (Ok((found, Ok(s))), j) => j["ok"].as_str() == Some(s.as_str()) && j["found"].as_bool() == Some(*found),
            // A replacement Java throws on only when something matched: refused up front here.
            (Ok((found, Err(RegexError::Replacement(m)))), j) => match j.get("replacement") {
                Some(jm) => jm.as_str() == Some(m.as_str()),
                None => j["found"] == json!(false) && !found,
            },
            _ => false,
        };
        if agrees {
            agreed += 1;
        } else {
            failures.push(format!("{:?} / {:?} on {:?}: essnap {:?}, Java {}", c.pattern, c.replacement, c.input, ours, java));
        }
    }
    eprintln!("{} cases: {agreed} agree with Java, {unsupported} use constructs previews refuse, {too_complex} too complex", cases.len());
    assert!(failures.is_empty(), "{} disagreements with Java:\n{}", failures.len(), failures.join("\n"));
    assert!(unsupported == 0 && too_complex == 0, "the corpus uses only supported constructs, on short names");
    assert!(agreed > cases.len() * 9 / 10, "the corpus ran");
}

#[test]
fn constructs_previews_do_not_evaluate_are_named() {
    let deep = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
    let deep_class = format!("{}a{}", "[".repeat(5000), "]".repeat(5000));
    for p in ["\\p{IsLatin}", "\\pL", "\\R", "(?u)a", "(?U)a", "(?d)a", "a{1001}", "\\b{g}", &deep, &deep_class] {
        match JavaRegex::new(p) {
            Err(RegexError::Unsupported(what)) => assert!(!what.is_empty(), "{p}"),
            other => panic!("{p}: {other:?}"),
        }
    }
}

#[test]
fn a_pattern_that_backtracks_without_end_is_refused_not_hung() {
    let re = JavaRegex::new("(a+)+b").expect("valid");
    let r = re.replacement("x").expect("valid");
    let input = "a".repeat(40);
    assert_eq!(re.replace_all(&input, &r), Err(RegexError::TooComplex));
}
