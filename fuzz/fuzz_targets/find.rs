//! A phrase (before the first NUL byte) looked up with `find` in a source (after it).
//! The invariants are `factsheet::invariants::find`'s.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    factsheet::invariants::find::check(data);
});
