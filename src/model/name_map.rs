//! Objects keyed by names (indices, repositories, nodes, shards): entries in name order, as a
//! sorted `Vec` rather than a `BTreeMap`. The answers are read once and looked up by name; a
//! B-tree's node code, compiled again for every value type, was the largest generic code in
//! the wasm.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use crate::json::{FromJson, JsonError, Reader, ToJson, Writer};

/// Name → value, in name order, one entry per name (a repeated name keeps its last value, as
/// a JSON object read into a map does).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameMap<V> {
    entries: Vec<(String, V)>,
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap { entries: Vec::new() }
    }
}

impl<V> NameMap<V> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    pub fn get<Q: Borrow<str> + ?Sized>(&self, name: &Q) -> Option<&V> {
        self.position(name.borrow()).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: Borrow<str> + ?Sized>(&mut self, name: &Q) -> Option<&mut V> {
        self.position(name.borrow()).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key<Q: Borrow<str> + ?Sized>(&self, name: &Q) -> bool {
        self.position(name.borrow()).is_ok()
    }

    /// Sets `name`'s value; returns the one it replaced.
    pub fn insert(&mut self, name: impl Into<String>, value: V) -> Option<V> {
        let name = name.into();
        match self.position(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (name, value));
                None
            }
        }
    }

    pub fn remove<Q: Borrow<str> + ?Sized>(&mut self, name: &Q) -> Option<V> {
        self.position(name.borrow()).ok().map(|i| self.entries.remove(i).1)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&String, &V)> + ExactSizeIterator {
        self.into_iter()
    }

    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&String, &mut V)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn first_key_value(&self) -> Option<(&String, &V)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    /// From entries in any order: sorted once (stable), then a repeated name keeps its last value.
    fn from_unsorted(mut entries: Vec<(String, V)>) -> Self {
        crate::sort::sort_by(&mut entries, &|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, V)> = Vec::with_capacity(entries.len());
        for e in entries {
            match out.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => out.push(e),
            }
        }
        NameMap { entries: out }
    }
}

impl<V, K: Into<String>> FromIterator<(K, V)> for NameMap<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self::from_unsorted(iter.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

impl<V, K: Into<String>, const N: usize> From<[(K, V); N]> for NameMap<V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<V> From<BTreeMap<String, V>> for NameMap<V> {
    fn from(m: BTreeMap<String, V>) -> Self {
        // Already sorted and unique.
        NameMap { entries: m.into_iter().collect() }
    }
}

/// Like `BTreeMap`'s: panics when the name is missing (use [`NameMap::get`] otherwise).
impl<V> std::ops::Index<&str> for NameMap<V> {
    type Output = V;
    fn index(&self, name: &str) -> &V {
        self.get(name).expect("no entry with this name")
    }
}

impl<V> IntoIterator for NameMap<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, V> IntoIterator for &'a NameMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (String, V)>, fn(&'a (String, V)) -> (&'a String, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<V: FromJson> FromJson for NameMap<V> {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, JsonError> {
        let mut entries = Vec::new();
        r.object_fields(&mut |r, k| {
            entries.push((k.to_string(), V::read_json(r)?));
            Ok(())
        })?;
        Ok(Self::from_unsorted(entries))
    }
}

impl<V: ToJson> ToJson for NameMap<V> {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        for (k, v) in &self.entries {
            w.key(k);
            v.write_json(w);
        }
        w.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::NameMap;

    #[test]
    fn sorted_unique_last_wins() {
        let m: NameMap<u32> = crate::json::from_str(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        assert_eq!(m.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(), [("a", 2), ("b", 3)]);
        assert_eq!(m.get("b"), Some(&3));
        assert_eq!(crate::json::to_string(&m), r#"{"a":2,"b":3}"#);
        let mut m = m;
        assert_eq!(m.insert("c", 4), None);
        assert_eq!(m.insert("a", 5), Some(2));
        assert_eq!(m.keys().map(String::as_str).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(m.remove("b"), Some(3));
        assert!(!m.contains_key("b"));
    }
}
