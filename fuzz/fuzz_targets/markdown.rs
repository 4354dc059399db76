//! The input rendered as a Markdown field.
//! The invariants are `factsheet::invariants::markdown`'s.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    factsheet::invariants::markdown::check(data);
});
