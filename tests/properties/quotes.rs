//! Quote normalisation and matching: `factsheet::invariants::quotes`.

use factsheet::invariants::quotes;
use proptest::prelude::*;

use crate::strategies::{UNICODE, quote_and_source, text_from};

proptest! {
    #![proptest_config(crate::strategies::config())]

    #[test]
    fn normalisation_is_idempotent_with_a_monotone_map(text in text_from(UNICODE, 60)) {
        quotes::check_normalization(&text);
    }

    #[test]
    fn quotes_anchor_on_slices_of_the_original((quote, source) in quote_and_source()) {
        quotes::check_pair(&quote, &source);
    }

    #[test]
    fn arbitrary_quotes_in_arbitrary_sources(quote in any::<String>(), source in any::<String>()) {
        quotes::check_pair(&quote, &source);
    }
}
