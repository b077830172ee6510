//! Decimal text to `f64`, correctly rounded (ties to even), without core's parser: its
//! 10 KB power-of-five table and code were ~15 KiB of the gzipped web package.
//!
//! Numbers that fit (≤ 19 significant digits, a mantissa ≤ 2^53 and a power of ten ≤ 22) take
//! the exact fast path; the rest start from an approximation and step one unit in the last
//! place at a time, each step decided by an exact big-integer comparison with the midpoint.

use std::cmp::Ordering;

/// Digits kept; beyond them only "some later digit is not zero" matters for rounding.
const MAX_DIGITS: usize = 800;

/// Exact powers of ten as f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// `[+-]digits[.digits][(e|E)[+-]digits]` (at least one digit before or after the point); `None`
/// for anything else, and for values beyond `f64`'s range.
pub fn parse(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    let neg = sign(b, &mut i);
    let mut digits: Vec<u8> = Vec::new();
    let mut sticky = false;
    let mut exp: i64 = 0;
    let mut seen = false;
    let mut point = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                seen = true;
                if digits.is_empty() && c == b'0' {
                    // Leading zeros: after the point they scale the value.
                    if point {
                        exp -= 1;
                    }
                } else if digits.len() < MAX_DIGITS {
                    digits.push(c - b'0');
                    if point {
                        exp -= 1;
                    }
                } else {
                    sticky |= c != b'0';
                    if !point {
                        exp += 1;
                    }
                }
            }
            b'.' if !point => point = true,
            _ => break,
        }
        i += 1;
    }
    if !seen {
        return None;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        let eneg = sign(b, &mut i);
        let start = i;
        let mut e: i64 = 0;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            e = (e * 10 + i64::from(c - b'0')).min(1_000_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        exp += if eneg { -e } else { e };
    }
    if i != b.len() {
        return None;
    }
    // Trailing zeros only scale: `1000` is `1e3` (and may take the fast path).
    while digits.last() == Some(&0) {
        digits.pop();
        exp += 1;
    }
    let v = magnitude(&digits, exp, sticky)?;
    Some(if neg { -v } else { v })
}

/// An optional `+` or `-` at `i` (consumed): whether it was `-`.
fn sign(b: &[u8], i: &mut usize) -> bool {
    match b.get(*i) {
        Some(&c @ (b'-' | b'+')) => {
            *i += 1;
            c == b'-'
        }
        _ => false,
    }
}

/// The f64 nearest to `0.digits... × 10^exp` read as `digits × 10^exp` (digits without leading zeros).
fn magnitude(digits: &[u8], exp: i64, sticky: bool) -> Option<f64> {
    if digits.is_empty() {
        return Some(0.0);
    }
    // Order of magnitude: the value is in [10^(top-1), 10^top).
    let top = exp + digits.len() as i64;
    if top > 310 {
        return None;
    }
    if top < -330 {
        return Some(0.0);
    }
    let exp = exp as i32;
    let lead = digits.len().min(19);
    let w = digits[..lead].iter().fold(0u64, |n, &d| n * 10 + u64::from(d));
    if digits.len() == lead && !sticky && w <= 1 << 53 && (-22..=22).contains(&exp) {
        let x = w as f64;
        return Some(if exp >= 0 { x * POW10[exp as usize] } else { x / POW10[(-exp) as usize] });
    }
    let mut x = approximate(w, exp + (digits.len() - lead) as i32);
    let exact = Big::from_digits(digits);
    loop {
        if !x.is_finite() {
            return None;
        }
        let bits = x.to_bits();
        let (m, k) = if bits >> 52 == 0 { (bits, -1074) } else { ((bits & ((1 << 52) - 1)) | (1 << 52), (bits >> 52) as i32 - 1075) };
        // Above the midpoint with the next float: step up; on it, ties to even.
        match compare(&exact, exp, sticky, 2 * m + 1, k - 1) {
            Ordering::Greater => {
                x = f64::from_bits(bits + 1);
                continue;
            }
            Ordering::Equal => return Some(if m & 1 == 1 { f64::from_bits(bits + 1) } else { x }),
            Ordering::Less => {}
        }
        if m == 0 {
            return Some(x);
        }
        // The midpoint with the float below (closer at a power of two, where the gap halves).
        let below = if m == 1 << 52 && k > -1074 { compare(&exact, exp, sticky, 4 * m - 1, k - 2) } else { compare(&exact, exp, sticky, 2 * m - 1, k - 1) };
        match below {
            Ordering::Less => x = f64::from_bits(bits - 1),
            Ordering::Equal => return Some(if m & 1 == 1 { f64::from_bits(bits - 1) } else { x }),
            Ordering::Greater => return Some(x),
        }
    }
}

/// `w × 10^exp` within a few units in the last place (exact powers of ten, one rounding each).
fn approximate(w: u64, exp: i32) -> f64 {
    let mut x = w as f64;
    let mut e = exp;
    while e > 0 {
        let s = e.min(22);
        x *= POW10[s as usize];
        e -= s;
        if x.is_infinite() {
            return f64::MAX;
        }
    }
    while e < 0 {
        let s = (-e).min(22);
        x /= POW10[s as usize];
        e += s;
    }
    x
}

/// `digits × 10^exp (+ a bit, when sticky)` against `m × 2^k`, exactly.
fn compare(digits: &Big, exp: i32, sticky: bool, m: u64, k: i32) -> Ordering {
    let mut a = digits.clone();
    let mut b = Big::from_u64(m);
    // 10^exp = 5^exp × 2^exp: powers of five multiply their side, powers of two shift one side.
    if exp >= 0 {
        a.mul_pow5(exp as u32);
    } else {
        b.mul_pow5((-exp) as u32);
    }
    let (pa, pb) = (exp, k);
    if pa > pb {
        a.shl((pa - pb) as u32);
    } else {
        b.shl((pb - pa) as u32);
    }
    match a.cmp(&b) {
        Ordering::Equal if sticky => Ordering::Greater,
        o => o,
    }
}

/// A non-negative big integer, 32-bit limbs, least significant first, no high zero limbs.
#[derive(Clone)]
struct Big(Vec<u32>);

impl Big {
    fn from_u64(n: u64) -> Self {
        let mut b = Big(vec![n as u32, (n >> 32) as u32]);
        b.trim();
        b
    }

    fn from_digits(digits: &[u8]) -> Self {
        let mut b = Big(Vec::new());
        // Nine digits at a time: 10^9 fits a limb.
        for chunk in digits.chunks(9) {
            let (mul, add) = chunk.iter().fold((1u32, 0u32), |(m, a), &d| (m * 10, a * 10 + u32::from(d)));
            b.mul_add(mul, add);
        }
        b
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn mul_add(&mut self, mul: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(mul) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
        self.trim();
    }

    fn mul_pow5(&mut self, mut n: u32) {
        // 5^13 is the largest power of five in a limb.
        while n > 0 {
            let s = n.min(13);
            self.mul_add(5u32.pow(s), 0);
            n -= s;
        }
    }

    fn shl(&mut self, n: u32) {
        let (limbs, bits) = ((n / 32) as usize, n % 32);
        if bits > 0 {
            let mut carry = 0u32;
            for limb in &mut self.0 {
                let v = (*limb << bits) | carry;
                carry = *limb >> (32 - bits);
                *limb = v;
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        if limbs > 0 && !self.0.is_empty() {
            self.0.splice(0..0, std::iter::repeat_n(0, limbs));
        }
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::parse;

    fn same(s: &str) {
        let want: f64 = s.parse().unwrap();
        let got = parse(s).unwrap_or_else(|| panic!("refused {s}"));
        assert_eq!(got.to_bits(), want.to_bits(), "{s}: {got:e} vs std {want:e}");
    }

    #[test]
    fn hard_cases_round_like_std() {
        for s in [
            "0", "-0", "0.0", "1", "0.1", "0.3", "37.5", "100.0", "87.1", "1e22", "1e23", "9007199254740993",
            "9007199254740992.5", "2.2250738585072011e-308", "2.2250738585072014e-308", "4.9406564584124654e-324",
            "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623158e308",
            "179769313486231580793728971405301e276", "5e-324", "1e-400", "0.000000000000000000000000000001",
            "123456789012345678901234567890", "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
            "7.038531e-26", "3.4028235677973366e38", "6.02214076e23", "-1.5e-10", "+2.5", ".5", "5.", "1E5",
        ] {
            same(s);
        }
        // Digits beyond what is kept still decide a tie.
        let long = format!("1.00000000000000011102230246251565404236316680908203125{}1", "0".repeat(900));
        same(&long);
    }

    #[test]
    fn refuses_what_is_not_a_finite_decimal() {
        for s in ["", "-", ".", "e5", "1e", "1e+", "1.2.3", "inf", "NaN", "1x", " 1", "1e309", "--1"] {
            assert_eq!(parse(s), None, "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn any_float_written_any_way_reads_back(bits in any::<u64>(), prec in 0usize..25) {
            let f = f64::from_bits(bits);
            prop_assume!(f.is_finite());
            for s in [format!("{f:e}"), format!("{f:.prec$e}"), format!("{f}")] {
                // Rounding to fewer digits may leave the range (`{:.0e}` of 1.5e308 is 2e308).
                let want = s.parse::<f64>().ok().filter(|f| f.is_finite());
                prop_assert_eq!(parse(&s).map(f64::to_bits), want.map(f64::to_bits), "{}", s);
            }
        }

        #[test]
        fn any_decimal_text_reads_like_std(s in "-?[0-9]{1,30}(\\.[0-9]{0,30})?([eE][+-]?[0-9]{1,3})?") {
            let want = s.parse::<f64>().ok().filter(|f| f.is_finite());
            prop_assert_eq!(parse(&s).map(f64::to_bits), want.map(f64::to_bits), "{}", s);
        }
    }
}
