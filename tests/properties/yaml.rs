//! Loading the YAML files: `factsheet::invariants::yaml`, on documents of YAML-ish
//! lines, on documents in (or one step out of) the plain subset the fast reader takes,
//! and on the bundled site's files with random edits.

use std::path::Path;

use factsheet::invariants::yaml;
use proptest::prelude::*;
use proptest::sample::{Index, select};

use crate::strategies::{KEYS, UNICODE, text_from, yaml_text};

/// One-line values in the plain subset the fast reader takes.
const PLAIN: &[&str] = &[
    "text",
    "Text with spaces",
    "a:b",
    "a#b",
    "C#",
    "'q'",
    "'it''s'",
    "\"d\"",
    "\"e \\\" \\\\ f\"",
    "\"\"",
    "''",
    "10",
    "0",
    "2025-10-10",
    "\u{00FC}n\u{00EF} \u{201C}c\u{201D} \u{2014} d",
    "\"a: b # c\"",
    "x [y] {z}, w",
    "000_4e0fe4cb89eab73e",
    "1e_x",
    "12ab",
    "2025-10-10T10:00",
];

/// One-line values just outside it: other types, other syntax, numbers Rust and YAML
/// may read differently.
const NEAR: &[&str] = &[
    "a: b",
    "a #b",
    "'a'b'",
    "\"g\\n\"",
    "007",
    "-1",
    "1.5",
    "1_000",
    "true",
    "Yes",
    "n",
    "null",
    "~",
    "NaN",
    ".inf",
    "[a]",
    "{a: b}",
    "&x y",
    "*x",
    "!t y",
    "|",
    ">",
    "- x",
    "? x",
    "%x",
    "@x",
    "`x",
    "x ",
    "x:",
    "<<",
    "=",
    "+1",
    "a\tb",
    "99999999999999999999",
    "0x1F",
    "0o17",
    "0b101",
    "1e5",
    "1.",
    "12_34",
    "0_1",
    "9e999",
    "\u{FEFF}x",
    "x\u{0085}y",
    "\u{00A0}",
    "\"\\u00e9\"",
    "'\u{2028}'",
    "x\r",
    "https://a.org/?a=b#c",
    "en",
    "1_000.5",
    "1_0e3",
    "12:30",
    "0:0",
    "1__2.0",
    "0.",
    "00.5",
    "1e+5",
    "1e-5x",
    "0b",
    "0x",
    "0o",
    "+.5",
    "1,000",
    "1 000",
    "1_",
    "_1",
    "2e",
    "5e_3",
    "1e1_0",
    "0_0",
    "1.0_1",
    "1e0",
    "\u{0663}",
    "0.0.0",
    "1-2",
    "2025-02-30",
    "12:30:45",
    "0x_1",
    "0b_1",
    "0o_7",
    "1__0",
];

/// Keys no factsheet file has, but near one.
const ODD_KEYS: &[&str] = &["Title", ""];

/// A one-line value: in the plain subset, near it, or any text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => select(PLAIN).prop_map(str::to_string),
        2 => select(NEAR).prop_map(str::to_string),
        1 => text_from(UNICODE, 4),
        1 => yaml_text(4),
    ]
}

/// A one-line value, mostly in the plain subset: a document of a dozen of them must often
/// be wholly in it for the fast reader to read it.
fn plain_value() -> impl Strategy<Value = String> {
    prop_oneof![
        20 => select(PLAIN).prop_map(str::to_string),
        1 => select(NEAR).prop_map(str::to_string),
        1 => text_from(UNICODE, 4),
    ]
}

/// A line of `key: value` (or `key:`, or a list item), indented and ended in various ways.
fn line() -> impl Strategy<Value = String> {
    (
        select(&["", "", "  ", "    ", "      ", " ", "\t"][..]),
        select(&["", "", "- ", "-  "][..]),
        prop_oneof![23 => select(KEYS), 2 => select(ODD_KEYS)],
        select(&[": ", ": ", ":", ":  ", " : "][..]),
        prop::option::weighted(0.7, value()),
        select(&["\n", "\n", "\n", "\r\n", "", " # c\n", "\n# c\n", "\n\n"][..]),
    )
        .prop_map(|(indent, dash, key, colon, value, end)| match value {
            Some(value) => format!("{indent}{dash}{key}{colon}{value}{end}"),
            None => format!("{indent}{dash}{key}:{end}"),
        })
}

/// A topic in the plain subset, when every value chosen is in it.
fn plain_topic() -> impl Strategy<Value = String> {
    let citation = (
        select(&["", "  ", "    "][..]),
        plain_value(),
        plain_value(),
    );
    let claim = (
        plain_value(),
        prop::option::of(plain_value()),
        prop::collection::vec(citation, 0..3),
    );
    (
        plain_value(),
        prop::option::of(plain_value()),
        select(&["  ", "", " ", "    "][..]),
        prop::collection::vec(claim, 1..3),
    )
        .prop_map(|(title, order, indent, claims)| {
            let mut text = format!("title: {title}\n");
            if let Some(order) = order {
                text += &format!("order: {order}\n");
            }
            text += "claims:\n";
            for (id, note, citations) in claims {
                text += &format!("{indent}- id: {id}\n");
                if let Some(note) = note {
                    text += &format!("{indent}  note: {note}\n");
                }
                text += &format!("{indent}  citations:\n");
                for (deeper, source, quote) in citations {
                    text += &format!("{indent}  {deeper}- source: {source}\n");
                    text += &format!("{indent}  {deeper}  quote: {quote}\n");
                }
            }
            text
        })
}

/// The YAML files of the bundled site.
fn bundled_files() -> Vec<String> {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut files: Vec<String> = walkdir::WalkDir::new(content)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.expect("a readable content directory").into_path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .map(|path| std::fs::read_to_string(path).expect("a readable file"))
        .collect();
    files.sort();
    files
}

/// A bundled file with a few of its byte ranges replaced by YAML-ish text.
fn edited_bundled_file() -> impl Strategy<Value = String> {
    let edit = (any::<Index>(), 0..12usize, yaml_text(3));
    (select(bundled_files()), prop::collection::vec(edit, 1..4)).prop_map(|(mut text, edits)| {
        for (at, len, replacement) in edits {
            let start = floor_boundary(&text, at.index(text.len() + 1));
            let end = floor_boundary(&text, (start + len).min(text.len()));
            text.replace_range(start..end, &replacement);
        }
        text
    })
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

proptest! {
    #![proptest_config(crate::strategies::config())]

    #[test]
    fn yaml_ish_lines_load_without_panics_and_with_located_problems(
        lines in prop::collection::vec(line(), 0..12),
    ) {
        yaml::check_text(&lines.concat());
    }

    #[test]
    fn the_fast_reader_reads_the_plain_subset_as_serde_saphyr_does(text in plain_topic()) {
        yaml::check_text(&text);
    }

    #[test]
    fn edited_bundled_files_load_without_panics(text in edited_bundled_file()) {
        yaml::check_text(&text);
    }

    #[test]
    fn arbitrary_bytes_load_without_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        yaml::check(&bytes);
    }
}
