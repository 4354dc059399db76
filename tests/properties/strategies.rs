//! Generators of text near the interesting cases: concatenations of pieces chosen from a
//! list, mixed with arbitrary characters.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

/// proptest's defaults (256 cases, or `PROPTEST_CASES`), without saving failures to
/// files of their own: a failure found is fixed, and its input goes to the fuzz corpus,
/// which `corpus.rs` replays.
pub fn config() -> Config {
    Config {
        failure_persistence: None,
        ..Config::default()
    }
}

/// Text that changes under normalisation, or tests its edges.
pub const UNICODE: &[&str] = &[
    "\u{201C}",
    "\u{201D}",
    "\u{2018}",
    "\u{2019}",
    "\u{00AB}",
    "\u{00BB}",
    "\"",
    "'",
    "\u{2014}",
    "\u{2013}",
    "\u{2010}",
    "\u{2212}",
    "-",
    "\u{2026}",
    "...",
    "....",
    "[...]",
    "[ \u{2026} ]",
    ". . .",
    "e\u{0301}",
    "\u{00E9}",
    "\u{0301}",
    "\u{0308}\u{0323}",
    "\u{0345}",
    "\u{0F73}",
    "\u{0344}",
    "\u{FF9E}",
    "\u{3099}",
    "\u{1100}\u{1161}",
    "\u{11A8}",
    "\u{AC00}",
    "\u{FB01}",
    "\u{00BD}",
    "\u{FF57}\u{FF4F}",
    "\u{2126}",
    "\u{00C5}",
    "\u{212B}",
    "\u{1E9B}\u{0323}",
    "\u{01C5}",
    "\u{0130}",
    "\u{00DF}",
    "\r\n",
    "\r",
    "\n",
    "\n\n",
    "\u{FEFF}",
    "\u{00A0}",
    "\u{2009}",
    "\u{3000}",
    "\t",
    "\u{000B}",
    "\u{0085}",
    "\u{2028}",
    "\u{202E}",
    "\u{2066}",
    "\u{200B}",
    "\u{200D}",
    "\u{00AD}",
    "\u{2060}",
    "\u{1F600}",
    "\u{1F1FA}\u{1F1E6}",
    " ",
    "  ",
    "word",
    "Word",
    "not",
    "it was",
    "over",
    "a",
    "1",
    "2025",
    "n't",
    "\u{0000}",
];

/// Markdown syntax, raw HTML and link targets that must not survive as links.
pub const MARKDOWN: &[&str] = &[
    "[",
    "]",
    "](",
    ")",
    "(",
    "<",
    ">",
    "[x]: ",
    "![",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "java\u{0000}script:",
    "data:",
    "vbscript:",
    "&#106;",
    "&#x6A;",
    "&colon;",
    "&#58;",
    "%6A",
    "<script>",
    "</script>",
    "<a href=",
    "<img src=x onerror=",
    " onclick=",
    "\"",
    "'",
    "`",
    "```",
    "~~~",
    "\n",
    "\n\n",
    "    ",
    "*",
    "_",
    "**",
    "~~",
    "#",
    "> ",
    "- ",
    "1. ",
    "\\",
    "<https://a.org/>",
    "<mailto:a@b.org>",
    "a@b.org",
    "http://",
    "//evil",
    "mailto:",
    "?",
    "/",
    "&",
    " ",
    "word",
    "\u{FEFF}",
    "\u{202E}",
    "<!--",
    "-->",
    "<![CDATA[",
    "\u{0000}",
    "\u{2028}",
    "|",
    "---",
    "===",
];

/// The keys of factsheet's YAML files, and one that is none of them.
pub const KEYS: &[&str] = &[
    "title",
    "summary",
    "order",
    "claims",
    "id",
    "statement",
    "note",
    "citations",
    "source",
    "quote",
    "stance",
    "reviewed",
    "corrections",
    "date",
    "description",
    "base_url",
    "language",
    "publisher",
    "search",
    "url",
    "published",
    "translated_from",
    "bogus",
];

/// YAML syntax near the plain subset factsheet's files are written in.
const YAML_SYNTAX: &[&str] = &[
    ":",
    ": ",
    "- ",
    "-",
    "  ",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "#",
    " #",
    "'",
    "''",
    "\"",
    "\\\"",
    "\\",
    "\\n",
    "|",
    ">-",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!t ",
    "? ",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "~",
    "null",
    "true",
    "yes",
    "no",
    "0",
    "007",
    "10",
    "1_000",
    "0x1F",
    "1e3",
    "1.5",
    ".inf",
    "-1",
    "+1",
    "2025-10-10",
    "supports",
    "context",
    "https://a.org/",
    "en",
    "\u{FEFF}",
    "\u{00A0}",
    "\u{0085}",
    "\u{2028}",
    "\u{201C}",
    "\u{00E9}",
    "\u{0000}",
    "text",
];

/// Text of up to `max` items, each a piece of `pieces` or (one time in four) any
/// character.
pub fn text_from(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    text_of(prop::sample::select(pieces), max)
}

/// Up to `max` pieces of YAML near factsheet's files (keys and syntax), or any characters.
pub fn yaml_text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        1 => prop::sample::select(KEYS),
        2 => prop::sample::select(YAML_SYNTAX),
    ];
    text_of(piece, max)
}

fn text_of(
    pieces: impl Strategy<Value = &'static str>,
    max: usize,
) -> impl Strategy<Value = String> {
    let item = prop_oneof![
        3 => pieces.prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(item, 0..max).prop_map(|items| items.concat())
}

/// A quote for `source`: unrelated text, or a piece of the source (so that quotes are
/// often found), perhaps with an ellipsis in the middle, perhaps retyped with
/// typographic punctuation.
pub fn quote_for(source: String) -> impl Strategy<Value = (String, String)> {
    (
        any::<Index>(),
        any::<Index>(),
        0..4usize,
        text_from(UNICODE, 8),
    )
        .prop_map(move |(from, len, how, other)| {
            let chars: Vec<char> = source.chars().collect();
            let start = if chars.is_empty() {
                0
            } else {
                from.index(chars.len())
            };
            let end = start + len.index(chars.len() - start + 1);
            let piece: String = chars[start..end].iter().collect();
            let quote = match how {
                0 => other,
                1 => piece,
                2 => with_ellipsis(&piece),
                _ => piece
                    .replace('"', "\u{201C}")
                    .replace('\'', "\u{2019}")
                    .replace(' ', "  "),
            };
            (quote, source.clone())
        })
}

/// `text` with its middle third replaced by an ellipsis.
fn with_ellipsis(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let third = chars.len() / 3;
    let head: String = chars[..third].iter().collect();
    let tail: String = chars[chars.len() - third..].iter().collect();
    format!("{head} \u{2026} {tail}")
}

/// A source and a quote for it.
pub fn quote_and_source() -> impl Strategy<Value = (String, String)> {
    text_from(UNICODE, 40).prop_flat_map(quote_for)
}
