//! Sorting through one non-generic sort of positions, shared by every caller: each `sort_by`
//! instantiation costs about 4 KB of wasm, and the sorts here are of short lists or run once.

use std::cmp::Ordering;

fn positions(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

/// A stable sort of `v` by `cmp`.
pub fn sort_by<T>(v: &mut Vec<T>, cmp: &dyn Fn(&T, &T) -> Ordering) {
    let order = positions(v.len(), &|a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// Sorted, without repeats.
pub fn sort_dedup<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, &|a, b| a.cmp(b));
    v.dedup();
}

#[cfg(test)]
mod tests {
    #[test]
    fn stable_and_complete() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        super::sort_by(&mut v, &|a, b| a.0.cmp(&b.0));
        assert_eq!(v, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
        let mut w = vec!["b", "a", "b", "c", "a"];
        super::sort_dedup(&mut w);
        assert_eq!(w, ["a", "b", "c"]);
        let mut e: Vec<u8> = vec![];
        super::sort_dedup(&mut e);
        assert!(e.is_empty());
    }
}
