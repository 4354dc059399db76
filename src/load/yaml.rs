//! Reading one YAML file with serde-saphyr, and turning its errors and positions into
//! our `Span`s and diagnostics (located at the offending key or value).

use serde::de::DeserializeOwned;
use serde_saphyr::{Location, Options};

use crate::diagnostics::{Code, Diagnostic, closest_name};
use crate::model::{RelPath, Span};

/// Limits that keep a hostile file from exhausting memory (aliases, nesting, events).
fn options() -> Options {
    Options::default()
}

/// The file deserialised as `T`, or the one diagnostic that stopped it.
pub fn parse<T: DeserializeOwned>(file: &RelPath, text: &str) -> Result<T, Box<Diagnostic>> {
    serde_saphyr::from_str_with_options(text, options())
        .map_err(|error| Box::new(diagnose(file, text, &error)))
}

/// The span of a deserialised value.
pub fn span_of(file: &RelPath, text: &str, location: &Location) -> Span {
    let line = usize::try_from(location.line()).unwrap_or(1).max(1);
    let column = usize::try_from(location.column()).unwrap_or(1).max(1);
    let span = location.span();
    let start = span
        .byte_offset()
        .and_then(|offset| usize::try_from(offset).ok())
        .filter(|offset| text.is_char_boundary(*offset))
        .unwrap_or_else(|| byte_offset_of(text, line, column));
    let len = span
        .byte_len()
        .and_then(|len| usize::try_from(len).ok())
        .unwrap_or(0);
    let end = clamp_to_boundary(text, start + len);
    Span {
        file: file.clone(),
        line,
        column,
        bytes: start..end.max(start),
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
    let mut span = match error.location() {
        Some(location) if location.line() > 0 => span_of(file, text, &location),
        _ => Span::file_start(file.clone()),
    };
    if span.bytes.is_empty() {
        // Underline at least the character the parser stopped at.
        let end = text[span.bytes.start..]
            .chars()
            .next()
            .map_or(span.bytes.start, |c| span.bytes.start + c.len_utf8());
        span.bytes = span.bytes.start..end;
    }
    classify(message).at(span)
}

/// serde-saphyr ends its messages with " at line L, column C"; the span carries that.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(index) => &message[..index],
        None => message,
    }
}

fn classify(message: &str) -> Diagnostic {
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
        return Diagnostic::error(Code::WrongType, "expected a map of `key: value` lines here")
            .label("not a map")
            .help("a factsheet YAML file is a map, e.g. `title: …` on the first line");
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
    fn byte_offsets_count_characters_per_line() {
        let text = "a: é\nbb: ü x\n";
        assert_eq!(byte_offset_of(text, 2, 5), text.find('ü').unwrap());
        assert_eq!(byte_offset_of(text, 9, 1), text.len());
    }
}
