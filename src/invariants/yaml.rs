//! Loading factsheet's YAML files (a topic, `site.yaml`, a source's metadata) from any
//! text: never a panic; every problem a diagnostic located inside the text, on char
//! boundaries, at the line and column its byte offset has; and the fast reader of the
//! plain subset, whenever it reads a file, reads what serde-saphyr reads, positions
//! included.

use std::fmt::Debug;

use serde::de::DeserializeOwned;

use super::{slices, text_of};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::fast::{self, Fill};
use crate::load::raw::{RawSite, RawSourceMeta, RawTopic};
use crate::load::yaml;
use crate::model::{RelPath, Slug, Span};

/// Every check of this module on `bytes` read as each kind of file.
pub fn check(bytes: &[u8]) {
    check_text(&text_of(bytes));
}

/// Every check of this module on `text` read as each kind of file.
pub fn check_text(text: &str) {
    let topic = RelPath::from_slash("content/topics/t.yaml");
    let site = RelPath::from_slash("content/site.yaml");
    let meta = RelPath::from_slash("content/sources/s.yaml");
    let slug = Slug::parse("t").expect("a valid slug");
    located(text, &topic, |d| yaml::read_topic(&topic, slug, text, d));
    located(text, &site, |d| yaml::read_site(&site, text, d));
    located(text, &meta, |d| yaml::read_source_meta(&meta, text, d));
    fast_reads_as_saphyr::<RawTopic>(text);
    fast_reads_as_saphyr::<RawSite>(text);
    fast_reads_as_saphyr::<RawSourceMeta>(text);
}

/// Reads `text` with `read`: every diagnostic it reports must be located in `text`.
fn located<T>(text: &str, file: &RelPath, read: impl FnOnce(&mut Diagnostics) -> Option<T>) {
    let mut diagnostics = Diagnostics::default();
    let value = read(&mut diagnostics);
    assert!(
        value.is_some() || diagnostics.iter().next().is_some(),
        "a file was refused without a diagnostic:\n{text:?}"
    );
    for diagnostic in diagnostics.iter() {
        located_diagnostic(text, file, diagnostic);
    }
}

fn located_diagnostic(text: &str, file: &RelPath, diagnostic: &Diagnostic) {
    let Some(span) = &diagnostic.span else {
        panic!("diagnostic without a place: {diagnostic:?}\nin {text:?}");
    };
    let spans = std::iter::once(span).chain(diagnostic.related.iter().map(|r| &r.span));
    for span in spans {
        assert_eq!(&span.file, file, "{diagnostic:?}");
        located_span(text, span, diagnostic);
    }
}

/// A span inside `text`, on char boundaries, whose line and column are those of its
/// start (columns in characters; a byte order mark starting the file is not one).
fn located_span(text: &str, span: &Span, diagnostic: &Diagnostic) {
    assert!(
        slices(text, &span.bytes),
        "span {:?} is not a slice of the text: {diagnostic:?}\nin {text:?}",
        span.bytes
    );
    let before = &text[..span.bytes.start];
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let in_line = &before[line_start..];
    let in_line = match line_start {
        0 => in_line.strip_prefix('\u{feff}').unwrap_or(in_line),
        _ => in_line,
    };
    let expected = (
        before.matches('\n').count() + 1,
        in_line.chars().count() + 1,
    );
    assert_eq!(
        (span.line, span.column),
        expected,
        "line and column are not those of byte {}: {diagnostic:?}\nin {text:?}",
        span.bytes.start
    );
}

/// When the fast reader reads `text` as a `T`, serde-saphyr reads the same `T`.
fn fast_reads_as_saphyr<T: Fill + DeserializeOwned + PartialEq + Debug>(text: &str) {
    let Some(fast) = fast::parse::<T>(text) else {
        return;
    };
    let file = RelPath::from_slash("t.yaml");
    match yaml::parse_with_saphyr::<T>(&file, text) {
        Ok(slow) => assert_eq!(
            fast, slow,
            "the fast reader and serde-saphyr read differently:\n{text:?}"
        ),
        Err(error) => panic!(
            "the fast reader read a file serde-saphyr refuses ({}):\n{text:?}",
            error.message
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misplaced_span_breaks_the_invariant() {
        let file = RelPath::from_slash("t.yaml");
        let mut diagnostic = Diagnostic::error(crate::diagnostics::Code::YamlSyntax, "x");
        diagnostic.span = Some(Span {
            file: file.clone(),
            line: 1,
            column: 3,
            bytes: 2..2,
        });
        let wrong_column =
            std::panic::catch_unwind(|| located_diagnostic("éa\n", &file, &diagnostic));
        assert!(wrong_column.is_err());
        diagnostic.span.as_mut().unwrap().column = 2;
        located_diagnostic("éa\n", &file, &diagnostic);
    }
}
