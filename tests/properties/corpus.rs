//! Every input of the fuzz corpus (`fuzz/corpus/<target>/`, what the fuzzer found
//! interesting) and of the regressions (`fuzz/regressions/<target>/`, each input that
//! once broke an invariant), run through its target's checks on stable Rust.

use std::path::{Path, PathBuf};

use factsheet::invariants::TARGETS;

fn corpus_of(target: &str) -> PathBuf {
    fuzz_dir().join("corpus").join(target)
}

fn regressions_of(target: &str) -> PathBuf {
    fuzz_dir().join("regressions").join(target)
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
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
        let dirs = [corpus_of(target.name), regressions_of(target.name)];
        let mut paths: Vec<PathBuf> = dirs
            .iter()
            .filter_map(|dir| std::fs::read_dir(dir).ok())
            .flatten()
            .map(|entry| entry.unwrap().path())
            .collect();
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
