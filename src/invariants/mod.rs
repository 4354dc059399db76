//! Invariants that must hold for any input, however hostile: each function takes
//! arbitrary bytes or text and panics, with a message naming the broken invariant and
//! the input, when one does not hold (or when the code under test panics by itself).
//!
//! They are the checks shared by the two runners that feed them inputs: the property
//! tests (`tests/properties/`, on stable, part of `cargo test`) and the cargo-fuzz
//! targets (`fuzz/`, on nightly), which also replay each other's corpus of interesting
//! inputs (`fuzz/corpus/<target>/`). Not part of factsheet's interface.

pub mod find;
pub mod markdown;
pub mod quotes;
pub mod yaml;

/// A fuzz target: its name (the directory of its corpus) and the check it runs on one
/// input.
pub struct Target {
    pub name: &'static str,
    pub check: fn(&[u8]),
}

/// Every fuzz target, by name.
pub const TARGETS: &[Target] = &[
    Target {
        name: "yaml",
        check: yaml::check,
    },
    Target {
        name: "quote",
        check: quotes::check,
    },
    Target {
        name: "markdown",
        check: markdown::check,
    },
    Target {
        name: "find",
        check: find::check,
    },
];

/// Bytes as text, invalid UTF-8 replaced: every input reaches the code under test (the
/// loader refuses a file that is not UTF-8 before it parses anything).
fn text_of(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Two texts from one input, split at its first NUL byte (the second text may hold
/// more): how a two-input target reads a fuzzer's single input.
fn split_pair(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>) {
    match bytes.iter().position(|&byte| byte == 0) {
        Some(at) => (text_of(&bytes[..at]), text_of(&bytes[at + 1..])),
        None => (text_of(bytes), text_of(&[])),
    }
}

/// Joins two texts into one input as [`split_pair`] reads it, for the property tests.
pub fn join_pair(first: &str, second: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(first.len() + second.len() + 1);
    bytes.extend(first.bytes().filter(|&byte| byte != 0));
    bytes.push(0);
    bytes.extend_from_slice(second.as_bytes());
    bytes
}

/// Whether `range` lies inside `text` with both ends on char boundaries.
fn slices(text: &str, range: &std::ops::Range<usize>) -> bool {
    range.start <= range.end && text.get(range.clone()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_split_where_they_were_joined() {
        let joined = join_pair("a\0b", "c\0d");
        let (first, second) = split_pair(&joined);
        assert_eq!((first.as_ref(), second.as_ref()), ("ab", "c\0d"));
        let (first, second) = split_pair(b"only");
        assert_eq!((first.as_ref(), second.as_ref()), ("only", ""));
    }

    #[test]
    fn ranges_slice_on_char_boundaries_only() {
        let text = "aé";
        assert!(slices(text, &(0..1)));
        assert!(slices(text, &(1..3)));
        assert!(!slices(text, &(1..2)));
        assert!(!slices(text, &std::ops::Range { start: 2, end: 1 }));
        assert!(!slices(text, &(0..4)));
    }
}
