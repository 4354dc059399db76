//! The JSON report of `check --format json`: one object with the counts and every
//! diagnostic, in the shape the format contract fixes.

use serde::Serialize;

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
    serde_json::to_string(&report).expect("a report of strings and numbers always serialises")
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
    fn absent_fields_are_left_out() {
        let diagnostics: Diagnostics = [Diagnostic::warning(Code::UnusedSource, "unused")]
            .into_iter()
            .collect();
        let value: serde_json::Value = serde_json::from_str(&render_json(&diagnostics)).unwrap();
        let d = value["diagnostics"][0].as_object().unwrap();
        assert!(!d.contains_key("claim") && !d.contains_key("file"));
    }
}
