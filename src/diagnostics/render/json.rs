//! The JSON report of `check --format json`: one object with the counts and every
//! diagnostic, in the shape the format contract fixes. Printed on a terminal as often as
//! read by a program, it escapes what a terminal would act on (see [`super::terminal`]).

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

use super::terminal::acts_on_terminal;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};

#[derive(Serialize)]
struct Report<'a> {
    errors: usize,
    warnings: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    claim: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestion: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        JsonDiagnostic {
            severity: d.severity,
            code: d.code.as_str(),
            message: &d.message,
            file: d.span.as_ref().map(|span| span.file.as_str()),
            line: d.span.as_ref().map(|span| span.line),
            column: d.span.as_ref().map(|span| span.column),
            claim: d.claim.as_deref(),
            source: d.source.as_deref(),
            suggestion: d.suggestion.as_deref(),
            help: d.help.as_deref(),
        }
    }
}

/// One diagnostic as the report writes it (`serve` sends the same to its pages).
pub fn diagnostic_json(diagnostic: &Diagnostic) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(JsonDiagnostic::from(diagnostic)) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => unreachable!("a diagnostic serialises as an object"),
    }
}

/// The whole report as one line of JSON.
pub fn render_json(diagnostics: &Diagnostics) -> String {
    let report = Report {
        errors: diagnostics.errors(),
        warnings: diagnostics.warnings(),
        diagnostics: diagnostics
            .sorted()
            .into_iter()
            .map(JsonDiagnostic::from)
            .collect(),
    };
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, TerminalSafe);
    report
        .serialize(&mut serializer)
        .expect("a report of strings and numbers always serialises");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// serde_json's compact output, with DEL, the C1 controls and the bidi controls written as
/// `\uXXXX` escapes as well as the C0 controls JSON itself escapes: the same JSON value,
/// which no terminal acts on.
struct TerminalSafe;

impl Formatter for TerminalSafe {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if acts_on_terminal(c) {
                CompactFormatter.write_string_fragment(writer, &fragment[start..at])?;
                // All of them are in the Basic Multilingual Plane: one `\uXXXX` each.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        CompactFormatter.write_string_fragment(writer, &fragment[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use crate::model::{RelPath, Span};

    #[test]
    fn report_has_the_contract_fields() {
        let diagnostics: Diagnostics = [Diagnostic::error(Code::QuoteNotFound, "not found")
            .at(Span {
                file: RelPath::from_slash("content/topics/letter.yaml"),
                line: 14,
                column: 16,
                bytes: 0..1,
            })
            .claim("letter-delivered")
            .source("004_fe16e8dfe30d3c42")
            .suggestion("the real passage")]
        .into_iter()
        .collect();
        let value: serde_json::Value = serde_json::from_str(&render_json(&diagnostics)).unwrap();
        assert_eq!(value["errors"], 1);
        assert_eq!(value["warnings"], 0);
        let d = &value["diagnostics"][0];
        assert_eq!(d["severity"], "error");
        assert_eq!(d["code"], "quote-not-found");
        assert_eq!(d["file"], "content/topics/letter.yaml");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(14), Some(16))
        );
        assert_eq!(d["claim"], "letter-delivered");
        assert_eq!(d["source"], "004_fe16e8dfe30d3c42");
        assert_eq!(d["suggestion"], "the real passage");
    }

    #[test]
    fn what_a_terminal_acts_on_is_escaped_and_reads_back_the_same() {
        let message = "id `\u{1b}[2J\u{9b}31m\u{7f}\u{202e}` ü “x”";
        let diagnostics: Diagnostics = [Diagnostic::error(Code::InvalidId, message)]
            .into_iter()
            .collect();
        let json = render_json(&diagnostics);
        assert!(!json.chars().any(acts_on_terminal), "{json:?}");
        assert!(
            json.contains(r"\u001b[2J\u009b31m\u007f\u202e` ü “x”"),
            "{json}"
        );
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["diagnostics"][0]["message"], message);
    }

    #[test]
    fn absent_fields_are_left_out() {
        let diagnostics: Diagnostics = [Diagnostic::warning(Code::UnusedSource, "unused")]
            .into_iter()
            .collect();
        let value: serde_json::Value = serde_json::from_str(&render_json(&diagnostics)).unwrap();
        let d = value["diagnostics"][0].as_object().unwrap();
        assert!(!d.contains_key("claim") && !d.contains_key("file"));
    }
}
