//! Every input of the fuzz corpus, run through its target's checks: what the fuzzer found
//! interesting (and each crash it found, once fixed) stays checked on stable Rust.

use std::path::{Path, PathBuf};

use factsheet::invariants::TARGETS;

fn corpus_of(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join("corpus")
        .join(target)
}

#[test]
fn every_target_has_a_corpus() {
    for target in TARGETS {
        let inputs = std::fs::read_dir(corpus_of(target.name))
            .map(|entries| entries.count())
            .unwrap_or(0);
        assert!(
            inputs > 0,
            "no corpus for the fuzz target `{}`",
            target.name
        );
    }
}

#[test]
fn the_corpus_replays_without_a_broken_invariant() {
    for target in TARGETS {
        let Ok(entries) = std::fs::read_dir(corpus_of(target.name)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.map(|entry| entry.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            let replayed = std::panic::catch_unwind(|| (target.check)(&bytes));
            assert!(
                replayed.is_ok(),
                "`{}` breaks an invariant of the fuzz target `{}`",
                path.display(),
                target.name
            );
        }
    }
}
