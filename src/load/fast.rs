//! A fast reader for the plain YAML factsheet's own files are written in: block maps of
//! known keys, block lists of maps, and one-line values (plain, single- or
//! double-quoted), with comments on lines of their own. It gives exactly what
//! serde-saphyr gives for such a file, positions included, about six times faster; for
//! anything else (other syntax, other types, unknown or repeated keys, any error) it
//! gives nothing, and serde-saphyr reads the file, reporting what is wrong.
//!
//! Positions follow the parser serde-saphyr uses: a value at its first character (a
//! quoted one at its opening quote), a map in a list at its first key, a list at the
//! `-` of its first item, a value written empty (`key:`) at its colon.

use super::raw::{
    Pos, RawCitation, RawClaim, RawCorrection, RawSite, RawSourceMeta, RawTopic, Scalar, Spanned,
};

/// The file read as a `T`, or `None` when it is not in the plain subset.
pub fn parse<T: Fill>(text: &str) -> Option<T> {
    if !plain_characters(text) {
        return None;
    }
    let mut reader = Reader {
        text,
        lines: content_lines(text)?,
        next: 0,
    };
    let map = reader.map(0)?;
    if reader.next != reader.lines.len() {
        return None;
    }
    T::fill(map)
}

/// A raw file type the reader fills from a map of nodes.
pub trait Fill: Sized {
    fn fill(map: Map) -> Option<Self>;
}

/// A block map: where it starts, and its entries in order.
pub struct Map<'t> {
    at: Pos,
    entries: Vec<(&'t str, Node<'t>)>,
}

enum Node<'t> {
    Scalar(Spanned<Scalar>),
    /// A block list of maps, at its first `-`.
    List(Pos, Vec<Map<'t>>),
    /// A key written with nothing after it, at its colon.
    Empty(Pos),
}

/// Whether every character is one that YAML reads as itself in the plain subset: no
/// tabs, carriage returns, byte order mark, other controls or non-printable
/// characters, nor the line separators YAML 1.1 breaks lines at. Checked on the UTF-8
/// bytes, which is faster than decoding.
fn plain_characters(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Printable ASCII and line feeds, nearly all of a file, are checked a block at a time
    // without a branch per byte; a block holding anything else is checked byte by byte.
    const BLOCK: usize = 32;
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + BLOCK).min(bytes.len());
        let plain_ascii = bytes[start..end].iter().fold(true, |all, &byte| {
            all & (matches!(byte, b' '..=b'~') | (byte == b'\n'))
        });
        if !plain_ascii && !(start..end).all(|at| plain_byte(bytes, at)) {
            return false;
        }
        start = end;
    }
    true
}

/// Whether the byte at `at` is plain, or starts a plain character (the bytes after it
/// may be in the next block).
fn plain_byte(bytes: &[u8], at: usize) -> bool {
    match bytes[at] {
        b'\n' | b' '..=b'~' => true,
        // U+0080 to U+009F: C1 controls (U+0085 a line break in YAML 1.1).
        0xC2 => !matches!(bytes.get(at + 1), Some(0x80..=0x9F)),
        // U+2028 and U+2029: line and paragraph separators.
        0xE2 => !matches!(bytes.get(at + 1..at + 3), Some([0x80, 0xA8 | 0xA9])),
        // U+FEFF (a byte order mark), U+FFFE and U+FFFF.
        0xEF => !matches!(
            bytes.get(at + 1..at + 3),
            Some([0xBB, 0xBF] | [0xBF, 0xBE | 0xBF])
        ),
        0x80.. => true,
        _ => false,
    }
}

/// A line with content: its number, where it starts, how far its content is indented,
/// where it ends.
#[derive(Debug, Clone, Copy)]
struct Line {
    /// 1-based.
    number: u64,
    start: usize,
    indent: usize,
    end: usize,
}

/// The lines that are not blank or comments; `None` for a document marker, a directive
/// or an indented comment (which may end a value written over several lines).
fn content_lines(text: &str) -> Option<Vec<Line>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (index, line) in text.split('\n').enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = &line[indent..];
        let comment = content.starts_with('#');
        if comment && indent > 0 {
            return None;
        }
        if ["---", "...", "%"]
            .iter()
            .any(|marker| line.starts_with(marker))
        {
            return None;
        }
        if !content.is_empty() && !comment {
            lines.push(Line {
                number: index as u64 + 1,
                start,
                indent,
                end: start + line.len(),
            });
        }
        start += line.len() + 1;
    }
    Some(lines)
}

struct Reader<'t> {
    text: &'t str,
    lines: Vec<Line>,
    /// The next line to read.
    next: usize,
}

impl<'t> Reader<'t> {
    fn peek(&self) -> Option<Line> {
        self.lines.get(self.next).copied()
    }

    fn pos(&self, line: Line, column: usize, len: usize) -> Pos {
        Pos {
            line: line.number,
            column: column as u64 + 1,
            offset: Some((line.start + column) as u64),
            len: Some(len as u64),
        }
    }

    /// The entries of the map whose keys are at `indent`, from the next line on.
    fn map(&mut self, indent: usize) -> Option<Map<'t>> {
        let first = self.peek()?;
        let mut map = Map {
            at: self.pos(first, indent, 0),
            entries: Vec::new(),
        };
        self.entries(indent, &mut map)?;
        Some(map)
    }

    /// Reads entries at `indent` into `map` until a line is indented less.
    fn entries(&mut self, indent: usize, map: &mut Map<'t>) -> Option<()> {
        while let Some(line) = self.peek().filter(|line| line.indent >= indent) {
            // Deeper than its map: a value over several lines, or a map in a map.
            if line.indent > indent {
                return None;
            }
            map.entries.push(self.entry(line, indent)?);
        }
        Some(())
    }

    /// The entry whose key starts `line` at `column`: `key: value` or `key:`.
    fn entry(&mut self, line: Line, column: usize) -> Option<(&'t str, Node<'t>)> {
        let content = &self.text[line.start + column..line.end];
        let key_len = content
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || *b == b'_')
            .count();
        let (key, rest) = content.split_at(key_len);
        let rest = rest.strip_prefix(':').filter(|_| key_len > 0)?;
        self.next += 1;
        if rest.is_empty() {
            return Some((
                key,
                self.nested(column, self.pos(line, column + key_len, 0))?,
            ));
        }
        let value = rest.trim_start_matches(' ');
        if value.len() == rest.len() || value.is_empty() {
            return None;
        }
        let at = column + content.len() - value.len();
        Some((key, Node::Scalar(self.scalar(line, at, value)?)))
    }

    /// What follows a key written with nothing after it on its line: a list indented
    /// below it, or nothing (then the value is empty, at `colon`).
    fn nested(&mut self, key_column: usize, colon: Pos) -> Option<Node<'t>> {
        let Some(line) = self.peek().filter(|line| line.indent >= key_column) else {
            return Some(Node::Empty(colon));
        };
        let item = self.text[line.start + line.indent..line.end].starts_with("- ");
        match (line.indent == key_column, item) {
            // The next key of the same map.
            (true, false) => Some(Node::Empty(colon)),
            // A list below the key.
            (false, true) => self.list(line.indent),
            // A list at the key's own column (positioned another way), a map in a map or
            // a value over several lines: for serde-saphyr.
            _ => None,
        }
    }

    /// A list whose `-` are at `indent`, each item a map.
    fn list(&mut self, indent: usize) -> Option<Node<'t>> {
        let first = self.peek()?;
        let at = self.pos(first, indent, 0);
        let mut items = Vec::new();
        while let Some(line) = self.peek().filter(|line| line.indent >= indent) {
            let content = &self.text[line.start + indent..line.end];
            let first_key = content.strip_prefix("- ")?;
            if line.indent > indent || first_key.starts_with(' ') {
                return None;
            }
            let column = indent + 2;
            let mut map = Map {
                at: self.pos(line, column, 0),
                entries: vec![self.entry(line, column)?],
            };
            self.entries(column, &mut map)?;
            items.push(map);
        }
        Some(Node::List(at, items))
    }

    /// The one-line value `value`, at `column` of `line` and running to its end.
    fn scalar(&self, line: Line, column: usize, value: &str) -> Option<Spanned<Scalar>> {
        let text = match value.as_bytes()[0] {
            b'"' => double_quoted(value)?,
            b'\'' => single_quoted(value)?,
            _ => return plain(value).map(|scalar| self.spanned(line, column, value, scalar)),
        };
        Some(self.spanned(line, column, value, Scalar::Text(text)))
    }

    fn spanned(&self, line: Line, column: usize, written: &str, value: Scalar) -> Spanned<Scalar> {
        Spanned {
            value,
            at: self.pos(line, column, written.len()),
        }
    }
}

/// A double-quoted value that closes at the end of its line, escaping only `"` and `\`.
fn double_quoted(value: &str) -> Option<String> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => match chars.next()? {
                escaped @ ('"' | '\\') => text.push(escaped),
                _ => return None,
            },
            c => text.push(c),
        }
    }
    Some(text)
}

/// A single-quoted value that closes at the end of its line (`''` is a quote).
fn single_quoted(value: &str) -> Option<String> {
    let inner = value.strip_prefix('\'')?.strip_suffix('\'')?;
    let text = inner.replace("''", "'");
    // A lone quote inside would have closed the value before the end of the line.
    (text.matches('\'').count() * 2 == inner.matches('\'').count()).then_some(text)
}

/// A plain value, when it is certainly text or a plain decimal number: anything YAML
/// may read as something else (a boolean, null, another number, a date, a comment, a
/// map, an anchor, a tag…) is left to serde-saphyr.
fn plain(value: &str) -> Option<Scalar> {
    let first = value.chars().next()?;
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || value.ends_with([' ', ':']) {
        return None;
    }
    if value.contains(": ") || value.contains(" #") {
        return None;
    }
    if first.is_ascii_digit() {
        return starting_with_a_digit(value);
    }
    const SPECIAL: &[&str] = &[
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf", "infinity",
    ];
    let special =
        "+.~=<".contains(first) || SPECIAL.iter().any(|word| value.eq_ignore_ascii_case(word));
    (!special).then(|| Scalar::Text(value.to_string()))
}

/// A plain value starting with a digit, as serde-saphyr types it: an integer (in base
/// 16, 8 or 2 with a prefix, or in base 10 with digits and `_`), else a float (what Rust
/// parses as one), else text. The fast reader takes plain decimals and text (source
/// ids such as `000_4e0fe4cb`, dates); the other numbers are left to serde-saphyr.
fn starting_with_a_digit(value: &str) -> Option<Scalar> {
    let prefixed = ["0x", "0X", "0o", "0O", "0b", "0B"]
        .iter()
        .any(|prefix| value.starts_with(prefix));
    if prefixed {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return digits(value);
    }
    if value.parse::<f64>().is_ok() {
        return None;
    }
    Some(Scalar::Text(value.to_string()))
}

/// Digits, perhaps with `_` between them, as serde-saphyr types them. Without a `_`: a
/// decimal of up to 18 digits is an integer; the rest (a leading zero, a larger number)
/// is left to serde-saphyr. With one: a decimal (no leading zero, each `_` between two
/// digits) that fits in 64 bits unsigned is a number, an integer up to `i64::MAX` and a
/// float above; anything else is text, since Rust's float parser, which serde-saphyr
/// tries next, refuses `_`. Generated ids such as `6698_4843009621396892` are text.
fn digits(value: &str) -> Option<Scalar> {
    if !value.contains('_') {
        let decimal = (value == "0" || !value.starts_with('0')) && value.len() <= 18;
        return value.parse().ok().filter(|_| decimal).map(Scalar::Integer);
    }
    let decimal = !value.starts_with('0') && !value.ends_with('_') && !value.contains("__");
    let number = decimal
        .then(|| value.replace('_', "").parse::<u64>().ok())
        .flatten();
    Some(match number {
        Some(n) => i64::try_from(n).map_or(Scalar::Float(n as f64), Scalar::Integer),
        None => Scalar::Text(value.to_string()),
    })
}

/// A value of a raw type: a scalar, or a key written empty.
fn value(node: Node) -> Option<Spanned<Scalar>> {
    match node {
        Node::Scalar(scalar) => Some(scalar),
        Node::Empty(at) => Some(Spanned {
            value: Scalar::Null,
            at,
        }),
        Node::List(..) => None,
    }
}

/// A list of a raw type: its items, or none for a key written empty.
fn list<T: Fill>(node: Node) -> Option<Spanned<Option<Vec<Spanned<T>>>>> {
    match node {
        Node::List(at, maps) => {
            let items = maps
                .into_iter()
                .map(|map| {
                    let at = map.at;
                    Some(Spanned {
                        value: T::fill(map)?,
                        at,
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            Some(Spanned {
                value: Some(items),
                at,
            })
        }
        Node::Empty(at) => Some(Spanned { value: None, at }),
        Node::Scalar(_) => None,
    }
}

/// `Fill` for a raw type from the reader of each of its fields (`value` or `list`): every
/// key once, and no other.
macro_rules! fill {
    ($type:ident { $($field:ident: $read:expr),* $(,)? }) => {
        impl Fill for $type {
            fn fill(map: Map) -> Option<Self> {
                $(let mut $field = None;)*
                for (key, node) in map.entries {
                    match key {
                        $(stringify!($field) => {
                            if $field.replace(node).is_some() {
                                return None;
                            }
                        })*
                        _ => return None,
                    }
                }
                Some($type {
                    $($field: match $field {
                        Some(node) => Some($read(node)?),
                        None => None,
                    },)*
                })
            }
        }
    };
}

fill!(RawSite {
    title: value,
    description: value,
    base_url: value,
    language: value,
    publisher: value,
    search: value,
});

fill!(RawSourceMeta {
    title: value,
    publisher: value,
    published: value,
    url: value,
    language: value,
    translated_from: value,
    note: value,
});

fill!(RawTopic {
    title: value,
    summary: value,
    order: value,
    claims: list::<RawClaim>,
    reviewed: value,
    corrections: list::<RawCorrection>,
});

fill!(RawClaim {
    id: value,
    statement: value,
    note: value,
    citations: list::<RawCitation>,
    reviewed: value,
    corrections: list::<RawCorrection>,
});

fill!(RawCitation {
    source: value,
    quote: value,
    stance: value,
    note: value,
});

fill!(RawCorrection {
    date: value,
    note: value,
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml;
    use crate::model::RelPath;

    /// What serde-saphyr reads, if it reads the file.
    fn saphyr<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
        yaml::parse_with_saphyr(&RelPath::from_slash("t.yaml"), text).ok()
    }

    /// Whether the fast reader reads `text`; when it does, it must read what
    /// serde-saphyr reads.
    fn agrees<T: Fill + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
        text: &str,
    ) -> bool {
        let Some(fast) = parse::<T>(text) else {
            return false;
        };
        let slow = saphyr::<T>(text);
        assert_eq!(Some(&fast), slow.as_ref(), "in:\n{text}");
        true
    }

    const TOPIC: &str = "# yaml-language-server: $schema=../../schema/topic.schema.json
title: \"The \\\"T\\\" \\\\ topic\"
order: 10
summary: Plain text, with:colons, C# and 'quotes'.

claims:
  - id: a-1
    statement: 'It''s a statement: quoted.'
    note:
    citations:
      - source: s
        quote: \"word: for # word\"
        stance: context

# Between claims.
  - id: b
    statement: Über Ünïcødé — “typographic”
    reviewed:
    corrections:
      - date: '2025-10-10'
        note: fixed
    citations:
      - source: t
        quote: q
      - source: u
        quote: \"\"
";

    #[test]
    fn plain_characters_are_checked_on_bytes_as_on_characters() {
        let by_character = |text: &str| {
            text.chars().all(|c| match c {
                '\n' => true,
                c if c.is_ascii() => (' '..='~').contains(&c),
                '\u{80}'..='\u{9F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{FEFF}'
                | '\u{FFFE}'
                | '\u{FFFF}' => false,
                _ => true,
            })
        };
        for c in (0..0x3000)
            .chain(0xFE00..0x10000)
            .filter_map(char::from_u32)
        {
            let text = format!("a{c}b");
            assert_eq!(plain_characters(&text), by_character(&text), "{c:?}");
        }
        // At every place in and across the blocks the bytes are checked in.
        for c in ['\u{2028}', '\u{85}', '\u{FEFF}', '\t', '\u{e9}', '\u{2014}'] {
            for before in 0..70 {
                let text = format!("{}{c}b", "a".repeat(before));
                assert_eq!(
                    plain_characters(&text),
                    by_character(&text),
                    "{c:?} at {before}"
                );
            }
        }
    }

    #[test]
    fn the_plain_subset_reads_as_serde_saphyr_reads_it() {
        assert!(agrees::<RawTopic>(TOPIC));
        assert!(agrees::<RawTopic>(TOPIC.trim_end()));
        assert!(agrees::<RawSite>("title: Site\nsearch:\nlanguage: en"));
        assert!(agrees::<RawTopic>("title: T\norder: 0\nsummary:"));
        assert!(agrees::<RawTopic>(
            "title: 000_4e0f\nreviewed: 2025-10-10\nclaims:\n"
        ));
        assert!(agrees::<RawSourceMeta>(
            "title: A\nurl: https://example.org/a?b#c\n"
        ));
    }

    /// Ids made of digits and `_` are text, a number or a float by their value alone.
    #[test]
    fn digits_with_underscores_are_typed_as_serde_saphyr_types_them() {
        for written in [
            "1_000",
            "6698_4843009621396892",
            "1234_5678901234567890",
            "9223372036854775807_0",
            "922_3372036854775807",
            "922_3372036854775808",
            "18446744073709551615_",
            "1844674407370955161_5",
            "1844674407370955161_6",
            "0_1",
            "1__0",
            "1_",
            "340282366920938463463374607431768211456_1",
        ] {
            let text = TOPIC.replace("source: t", &format!("source: {written}"));
            assert!(agrees::<RawTopic>(&text), "not read:\n{text}");
            let text = TOPIC.replace("order: 10", &format!("order: {written}"));
            assert!(agrees::<RawTopic>(&text), "not read:\n{text}");
        }
    }

    #[test]
    fn anything_else_is_left_to_serde_saphyr() {
        for (from, to) in [
            ("order: 10", "order: 10\nbogus: x"),
            ("order: 10", "order: 010"),
            ("order: 10", "order: -10"),
            ("order: 10", "order: 1e3"),
            ("order: 10", "order: ~"),
            ("order: 10", "order: 1.5"),
            ("order: 10", "order: 0x1F"),
            ("order: 10", "title: again"),
            ("order: 10", "summary: yes"),
            ("order: 10", "summary: Null"),
            ("order: 10", "summary: >\n  folded"),
            ("order: 10", "summary: |\n  literal"),
            ("order: 10", "summary: [a, b]"),
            ("order: 10", "summary: &anchor text"),
            ("order: 10", "summary: !tag text"),
            ("order: 10", "summary: one\n  two"),
            ("order: 10", "summary: \"line\\nbreak\""),
            ("order: 10", "summary: \"unclosed"),
            ("order: 10", "summary: text # comment"),
            ("order: 10", "summary: text "),
            ("order: 10", "order: 10\n  # indented comment"),
            ("order: 10", "order:\t10"),
            ("order: 10", "order: 10\r"),
            ("order: 10", "---\norder: 10"),
            (
                "    citations:\n      - source: t",
                "    citations:\n    - source: t",
            ),
            ("    note:\n", "    note:\n      nested: map\n"),
        ] {
            let text = TOPIC.replace(from, to);
            assert!(parse::<RawTopic>(&text).is_none(), "read:\n{text}");
        }
        assert!(parse::<RawTopic>(&format!("\u{feff}{TOPIC}")).is_none());
    }

    /// Its files use block scalars (`|`, `>-`), which the fast reader leaves alone; the
    /// ones it reads, it must read the same.
    #[test]
    fn the_bundled_site_reads_as_serde_saphyr_reads_it() {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        for entry in walkdir::WalkDir::new(&content) {
            let path = entry.unwrap().into_path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let is = |dir: &str| path.parent().is_some_and(|p| p.ends_with(dir));
            if is("topics") {
                agrees::<RawTopic>(&text);
            } else if is("sources") {
                agrees::<RawSourceMeta>(&text);
            } else {
                agrees::<RawSite>(&text);
            }
        }
    }

    // Random documents near the subset are read by both readers in the property tests
    // (`tests/properties/yaml.rs`) and the `yaml` fuzz target.
}
