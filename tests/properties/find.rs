//! `factsheet find`: `factsheet::invariants::find`.

use factsheet::invariants::find;
use proptest::prelude::*;

use crate::strategies::quote_and_source;

proptest! {
    #![proptest_config(crate::strategies::config())]

    #[test]
    fn every_place_found_offers_a_quote_that_verifies((phrase, source) in quote_and_source()) {
        find::check_pair(&phrase, &source);
    }
}
