//! `factsheet find` for any phrase in any source: never a panic; every place it lists
//! offers a quote that verifies against that source, and the citation it suggests
//! pasting reads back, as YAML, as exactly that quote.

use super::split_pair;
use crate::find::{Found, Place, find, yaml_double_quoted};
use crate::model::{RelPath, Site, Source, SourceId, SourceMeta};
use crate::verify::prepared::Prepared;
use crate::verify::verdict::{self, Verdict};

/// Every check of this module on an input holding a phrase, a NUL byte, then a source.
pub fn check(bytes: &[u8]) {
    let (phrase, source) = split_pair(bytes);
    check_pair(&phrase, &source);
}

/// Every check of this module on `phrase` looked up in `source`.
pub fn check_pair(phrase: &str, source: &str) {
    let id = SourceId::parse("s").expect("a valid id");
    let source = Source::new(
        id,
        RelPath::from_slash("content/sources/s.txt"),
        source.to_string(),
        SourceMeta::default(),
    );
    let places = match find(&site_of(source.clone()), phrase) {
        Found::Exact(places) => places,
        Found::Closest(places) => {
            places.iter().for_each(citation_reads_back);
            return;
        }
        Found::EmptyPhrase => return,
    };
    assert!(!places.is_empty(), "an exact find without a place");
    let prepared = Prepared::new(&source.text);
    for place in &places {
        citation_reads_back(place);
        let verdict = verdict::judge(&source.text, &prepared, &place.quote);
        assert!(
            matches!(verdict, Verdict::Found(_)),
            "the quote {:?} offered for {phrase:?} does not verify: {verdict:?}\nin {:?}",
            place.quote,
            source.text
        );
    }
}

fn site_of(source: Source) -> Site {
    Site {
        sources: vec![source],
        ..Site::default()
    }
}

/// The quote of the citation `find` prints reads back from YAML unchanged.
fn citation_reads_back(place: &Place) {
    let written = yaml_double_quoted(&place.quote);
    let read: String = serde_saphyr::from_str(&written)
        .unwrap_or_else(|error| panic!("{written} does not read back: {error}"));
    assert_eq!(read, place.quote, "{written} reads back differently");
}
