//! A topic, site.yaml and a source's metadata file read from the input.
//! The invariants are `factsheet::invariants::yaml`'s.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    factsheet::invariants::yaml::check(data);
});
