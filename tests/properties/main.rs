//! Property tests: generated inputs, near the cases that break text handling (typographic
//! punctuation, combining marks, line ends, invisible and bidi characters, YAML
//! structure), driven through the invariants of `factsheet::invariants`; and a replay of
//! every input of the fuzz corpus (`fuzz/corpus/<target>/`) through the same checks.
//!
//! Each property runs proptest's default number of cases (256), or `PROPTEST_CASES`:
//! `fuzz/run` raises it where cargo-fuzz cannot run. See docs/fuzzing.md.

mod corpus;
mod find;
mod markdown;
mod quotes;
mod strategies;
mod yaml;
