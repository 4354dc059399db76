//! Reading one YAML file with serde-saphyr, and turning its errors and positions into
//! our `Span`s and diagnostics (located at the offending key or value). [`read_site`],
//! [`read_source_meta`] and [`read_topic`] read one file's text all the way to the model,
//! as `load` does, without the file system: for the property tests and fuzz targets.

use serde::de::DeserializeOwned;
use serde_saphyr::options::AliasLimits;
use serde_saphyr::{Budget, Options};

use super::convert::Converter;
use super::fast::{self, Fill};
use super::raw::{Pos, RawSite, RawSourceMeta, RawTopic, Scalar};

use crate::diagnostics::{Code, Diagnostic, Diagnostics, closest_name};
use crate::model::{RelPath, SiteConfig, Slug, SourceMeta, Span, Topic};

/// Limits that keep a hostile file from exhausting the stack or memory: nesting, values,
/// text, and what aliases (`*name`) may expand to. A factsheet file nests six levels at
/// most and holds no more than a few thousand values, so each limit is far above any real
/// file and far below harm. Written out (they are serde-saphyr's defaults today) so they
/// hold whatever a later version defaults to; `docs/security.md` gives them.
fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = 64;
    budget.max_nodes = 250_000;
    budget.max_events = 1_000_000;
    budget.max_total_scalar_bytes = 64 << 20;
    budget.max_aliases = 50_000;
    let mut aliases = AliasLimits::default();
    aliases.max_total_replayed_events = 1_000_000;
    aliases.max_replay_stack_depth = 64;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.alias_limits = aliases;
    options
}

/// The file deserialised as `T`, or the one diagnostic that stopped it. Files in the
/// plain subset of YAML are read by the fast reader, the rest by serde-saphyr.
pub fn parse<T: DeserializeOwned + Fill>(file: &RelPath, text: &str) -> Result<T, Box<Diagnostic>> {
    match fast::parse(text) {
        Some(read) => Ok(read),
        None => parse_with_saphyr(file, text),
    }
}

/// Whether `value`, written plain (unquoted) as a YAML value, reads back as the text
/// `value`: an id such as `2024_0815` or `true` reads as a number or a boolean instead.
pub fn reads_as_text(value: &str) -> bool {
    let read: Result<Scalar, _> = serde_saphyr::from_str(value);
    matches!(read, Ok(Scalar::Text(text)) if text == value)
}

/// The file deserialised as `T` by serde-saphyr, or the one diagnostic that stopped it.
pub fn parse_with_saphyr<T: DeserializeOwned>(
    file: &RelPath,
    text: &str,
) -> Result<T, Box<Diagnostic>> {
    serde_saphyr::from_str_with_options(text, options())
        .map_err(|error| Box::new(diagnose(file, text, &error)))
}

/// `content/site.yaml`'s text read as the site's settings; problems go to `diagnostics`.
pub fn read_site(file: &RelPath, text: &str, diagnostics: &mut Diagnostics) -> Option<SiteConfig> {
    read(file, text, diagnostics, |converter, raw: RawSite| {
        converter.site(raw)
    })
}

/// A source's metadata file read; problems go to `diagnostics`.
pub fn read_source_meta(
    file: &RelPath,
    text: &str,
    diagnostics: &mut Diagnostics,
) -> Option<SourceMeta> {
    read(file, text, diagnostics, |converter, raw: RawSourceMeta| {
        converter.source_meta(raw)
    })
}

/// A topic file read as the topic `slug`; problems go to `diagnostics`.
pub fn read_topic(
    file: &RelPath,
    slug: Slug,
    text: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Topic> {
    read(file, text, diagnostics, |converter, raw: RawTopic| {
        converter.topic(slug, raw)
    })
}

/// `text` parsed as the raw file `R` and converted to the model by `convert`; `None`
/// when it does not parse, the one diagnostic that stopped it in `diagnostics`.
fn read<R: DeserializeOwned + Fill, T>(
    file: &RelPath,
    text: &str,
    diagnostics: &mut Diagnostics,
    convert: impl FnOnce(&mut Converter<'_>, R) -> T,
) -> Option<T> {
    match parse::<R>(file, text) {
        Ok(raw) => Some(convert(&mut Converter::new(file, text, diagnostics), raw)),
        Err(diagnostic) => {
            diagnostics.push(*diagnostic);
            None
        }
    }
}

/// Where each line of a text starts: turns a byte offset into a line by binary search,
/// instead of counting the line breaks before it for every value of the file.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex {
            starts: std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1))
                .collect(),
        }
    }

    /// The 1-based line holding `offset`, and the offset where that line starts.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let index = self.starts.partition_point(|&start| start <= offset) - 1;
        (index + 1, self.starts[index])
    }
}

/// The span of a deserialised value.
pub fn span_of(file: &RelPath, text: &str, lines: &LineIndex, at: &Pos) -> Span {
    let line = usize::try_from(at.line).unwrap_or(1).max(1);
    let column = usize::try_from(at.column).unwrap_or(1).max(1);
    let start = at
        .offset
        .and_then(|offset| usize::try_from(offset).ok())
        .filter(|offset| text.is_char_boundary(*offset))
        .unwrap_or_else(|| byte_offset_of(text, line, column));
    let len = at
        .len
        .and_then(|len| usize::try_from(len).ok())
        .unwrap_or(0);
    let end = clamp_to_boundary(text, start + len);
    // Line and column from the offset, so they count as the code frame and the rest of
    // factsheet do: YAML also breaks lines at a lone carriage return, editors mostly not.
    Span {
        bytes: start..end.max(start),
        ..span_at(file, text, lines, start)
    }
}

/// The byte offset of a 1-based line and character column.
pub fn byte_offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[line_start.min(text.len())..];
    let in_line = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(offset, _)| offset);
    line_start.min(text.len()) + in_line
}

fn clamp_to_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A serde-saphyr error as a located diagnostic with a code and help.
fn diagnose(file: &RelPath, text: &str, error: &serde_saphyr::Error) -> Diagnostic {
    let full = error.without_snippet().to_string();
    let message = strip_position(&full);
    let lines = LineIndex::new(text);
    let stopped = match error.location() {
        Some(location) if location.line() > 0 => span_of(file, text, &lines, &Pos::from(&location)),
        _ => Span::file_start(file.clone()),
    };
    // The parser notices an unclosed quote only where the file ends or the indentation
    // breaks, often lines later: the editor needs the opening quote.
    let opening_quote = message
        .contains("quoted scalar")
        .then(|| unclosed_quote_before(text, stopped.bytes.start))
        .flatten();
    let span = match opening_quote {
        Some(offset) => span_at(file, text, &lines, offset),
        None => within_text(file, text, &lines, stopped.clone()),
    };
    let at_start = is_document_start(text, span.bytes.start);
    let mut diagnostic = classify(message, at_start).at(underline_one(text, span));
    if opening_quote.is_some() {
        diagnostic = diagnostic.label("this quoted text is not closed on its line");
        let stopped = within_text(file, text, &lines, stopped);
        if stopped.bytes.start > diagnostic.span.as_ref().map_or(0, |s| s.bytes.start) {
            diagnostic =
                diagnostic.related(underline_one(text, stopped), "the parser gave up here");
        }
    }
    diagnostic
}

/// The span of the character at `offset`, counting lines and columns as editors do
/// (a BOM starting the file is not a column).
fn span_at(file: &RelPath, text: &str, lines: &LineIndex, offset: usize) -> Span {
    let (line_number, line_start) = lines.line_of(offset);
    let line = &text[line_start..offset];
    let line = line
        .strip_prefix('\u{feff}')
        .filter(|_| line_start == 0)
        .unwrap_or(line);
    Span {
        file: file.clone(),
        line: line_number,
        column: line.chars().count() + 1,
        bytes: offset..offset,
    }
}

/// A span past the last line of the file (where the parser meets the end) moved back to
/// the file's last character, so the location is a line the editor can see.
fn within_text(file: &RelPath, text: &str, lines: &LineIndex, span: Span) -> Span {
    let content_end = text.trim_end().len();
    if span.bytes.start < content_end || content_end == 0 {
        return span;
    }
    let last = text[..content_end]
        .char_indices()
        .next_back()
        .map_or(0, |(offset, _)| offset);
    span_at(file, text, lines, last)
}

/// Underlines at least the character the span starts at.
fn underline_one(text: &str, mut span: Span) -> Span {
    if span.bytes.is_empty() {
        let end = text[span.bytes.start..]
            .chars()
            .next()
            .map_or(span.bytes.start, |c| span.bytes.start + c.len_utf8());
        span.bytes = span.bytes.start..end;
    }
    span
}

/// Whether only comments, blank lines, a BOM or `---` come before `offset`: a problem
/// there is with the file as a whole, not with one of its values.
fn is_document_start(text: &str, offset: usize) -> bool {
    text[..offset].lines().all(|line| {
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        line.is_empty() || line.starts_with('#') || line == "---"
    })
}

/// The opening quote of a quoted value that is not closed on its own line: the last such
/// value before `offset` (a value being what follows `- ` and `key: ` on a line).
fn unclosed_quote_before(text: &str, offset: usize) -> Option<usize> {
    let mut lines = Vec::new();
    let mut start = 0;
    for line in text[..offset.min(text.len())].split_inclusive('\n') {
        lines.push((start, line));
        start += line.len();
    }
    lines.into_iter().rev().find_map(|(start, line)| {
        let value = value_of(line);
        let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
        let closed = match quote {
            '"' => closes_double(&value[1..]),
            _ => value[1..].replace("''", "").contains('\''),
        };
        (!closed).then(|| start + (line.len() - value.len()))
    })
}

/// What follows the indentation, any `- ` and a plain `key: ` on a line.
fn value_of(line: &str) -> &str {
    let mut rest = line.trim_start();
    while let Some(item) = rest.strip_prefix("- ") {
        rest = item.trim_start();
    }
    if !rest.starts_with(['"', '\''])
        && let Some((_, value)) = rest.split_once(": ")
    {
        rest = value.trim_start();
    }
    rest
}

/// Whether a double-quoted string's text (after the opening quote) closes on this line.
fn closes_double(text: &str) -> bool {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return true,
            _ => {}
        }
    }
    false
}

/// serde-saphyr ends its messages with " at line L, column C"; the span carries that.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(index) => &message[..index],
        None => message,
    }
}

/// The diagnostic for a serde-saphyr message; `at_start` when it is about the whole file.
fn classify(message: &str, at_start: bool) -> Diagnostic {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        return unknown_key(rest);
    }
    if message.starts_with("duplicate mapping key") {
        let key = message
            .split(": ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .unwrap_or("");
        return Diagnostic::error(
            Code::DuplicateKey,
            format!("the key `{key}` is written twice"),
        )
        .label("second time here")
        .help("keep one of the two");
    }
    if message.starts_with("expected sequence start") {
        return Diagnostic::error(Code::WrongType, "expected a list here")
            .label("not a list")
            .help("write each entry on its own line starting with `- `");
    }
    if message.starts_with("expected mapping start") {
        let help = if at_start {
            "a factsheet YAML file is a map, e.g. `title: …` on the first line"
        } else {
            "each entry here is a map of `key: value` lines, e.g. `- id: …` then `statement: …` below it"
        };
        return Diagnostic::error(Code::WrongType, "expected a map of `key: value` lines here")
            .label("not a map")
            .help(help);
    }
    // The parser's own limit (flow collections), then the budget's (any collection).
    if message.starts_with("recursion limit") || message.starts_with("budget breached: Depth") {
        return Diagnostic::error(
            Code::YamlSyntax,
            "invalid YAML: lists or maps nested too deeply",
        )
        .label("too deep")
        .help("a factsheet file nests only a few levels: topic, claims, citations");
    }
    if message.starts_with("budget breached") || message.starts_with("alias ") {
        return Diagnostic::error(
            Code::YamlSyntax,
            "invalid YAML: the file expands to too many values",
        )
        .label("too many values")
        .help("write the values out instead of repeating them with aliases (`*name`)");
    }
    if message.starts_with("invalid type") {
        return Diagnostic::error(Code::WrongType, message.to_string()).label("wrong type");
    }
    let help = if message.contains("tab") {
        "indent with spaces; YAML does not allow tabs for indentation"
    } else if message.contains("quoted scalar") || message.contains("quote") {
        "check that every quoted string is closed on the line where it ends"
    } else {
        "check the indentation and the `key: value` syntax around this line"
    };
    Diagnostic::error(Code::YamlSyntax, format!("invalid YAML: {message}"))
        .label("here")
        .help(help)
}

/// "unknown field `statment`, expected one of id, statement, citations"
fn unknown_key(rest: &str) -> Diagnostic {
    let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
    let allowed: Vec<&str> = expected
        .trim_start_matches(", expected one of ")
        .trim_start_matches(", expected ")
        .split(", ")
        .map(|name| name.trim_matches('`'))
        .filter(|name| !name.is_empty())
        .collect();
    let help = match closest_name(key, allowed.iter().copied()) {
        Some(name) => format!("did you mean `{name}`?"),
        None => format!("the keys allowed here are: {}", allowed.join(", ")),
    };
    Diagnostic::error(Code::UnknownKey, format!("unknown key `{key}`"))
        .label("not a known key")
        .help(help)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::raw::RawTopic;

    fn error_of(text: &str) -> Diagnostic {
        *parse::<RawTopic>(&RelPath::from_slash("t.yaml"), text).unwrap_err()
    }

    #[test]
    fn unknown_key_suggests_the_known_one() {
        let d = error_of("title: T\nclaims:\n  - id: a\n    statment: s\n");
        assert_eq!(d.code, Code::UnknownKey);
        let span = d.span.unwrap();
        assert_eq!((span.line, span.column), (4, 5));
        assert_eq!(d.help.as_deref(), Some("did you mean `statement`?"));
    }

    #[test]
    fn list_instead_of_map_is_a_wrong_type() {
        let d = error_of("- a\n- b\n");
        assert_eq!(d.code, Code::WrongType);
        assert_eq!(d.span.unwrap().line, 1);
    }

    #[test]
    fn tabs_are_syntax_errors_with_help() {
        let d = error_of("title: t\nclaims:\n\t- id: a\n");
        assert_eq!(d.code, Code::YamlSyntax);
        assert_eq!(d.span.unwrap().line, 3);
        assert!(d.help.unwrap().contains("spaces"));
    }

    #[test]
    fn unclosed_quote_is_reported_at_its_opening_quote() {
        let d = error_of("title: T\nclaims:\n  - id: a\n    statement: \"x\n    citations: []\n");
        assert_eq!(d.code, Code::YamlSyntax);
        let span = d.span.unwrap();
        assert_eq!((span.line, span.column), (4, 16));
    }

    #[test]
    fn values_and_their_quotes() {
        assert_eq!(value_of("  - quote: \"a: b\n"), "\"a: b\n");
        assert_eq!(value_of("- - 'x'"), "'x'");
        assert!(closes_double("a \\\" b\" rest"));
        assert!(!closes_double("a \\\" b"));
    }

    #[test]
    fn lines_break_at_line_feeds_only() {
        // YAML also breaks lines at a lone carriage return; the code frame does not.
        let d = error_of("title: T\r\rclaims:\n  - id: a\n    statment: s\n");
        assert_eq!(d.span.unwrap().line, 3);
    }

    #[test]
    fn deep_nesting_is_reported_as_nesting_not_as_aliases() {
        for title in [
            format!("{}x{}", "{a: ".repeat(100), "}".repeat(100)),
            format!("\n  {}x", "- ".repeat(100)),
            format!("{}{}", "[".repeat(1000), "]".repeat(1000)),
        ] {
            let d = error_of(&format!("title: {title}\nclaims: []\n"));
            assert_eq!(d.code, Code::YamlSyntax);
            assert!(d.message.contains("nested too deeply"), "{}", d.message);
        }
        let laughs: String = (1..8)
            .map(|i| {
                format!(
                    "  - &l{i} [{}]\n",
                    vec![format!("*l{}", i - 1); 10].join(", ")
                )
            })
            .collect();
        let d = error_of(&format!("title:\n  - &l0 [lol, lol]\n{laughs}claims: []\n"));
        assert!(d.message.contains("too many values"), "{}", d.message);
    }

    #[test]
    fn byte_offsets_count_characters_per_line() {
        let text = "a: é\nbb: ü x\n";
        assert_eq!(byte_offset_of(text, 2, 5), text.find('ü').unwrap());
        assert_eq!(byte_offset_of(text, 9, 1), text.len());
    }
}
