//! A quote (before the first NUL byte) looked up in a source (after it).
//! The invariants are `factsheet::invariants::quotes`'s.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    factsheet::invariants::quotes::check(data);
});
