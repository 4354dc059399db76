//! Markdown rendering: `factsheet::invariants::markdown`.

use factsheet::invariants::markdown;
use proptest::prelude::*;

use crate::strategies::{MARKDOWN, text_from};

proptest! {
    #![proptest_config(crate::strategies::config())]

    #[test]
    fn rendered_markdown_holds_nothing_that_runs(text in text_from(MARKDOWN, 40)) {
        markdown::check_text(&text);
    }
}
