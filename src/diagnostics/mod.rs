//! Problems found in the content: one `Diagnostic` type (code, severity, span, message,
//! help), a collector that never stops at the first problem, and the text of the files
//! they point into. How they are shown lives in `render` (one renderer per format).

pub mod render;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::model::{RelPath, Span};

/// How serious a problem is: errors stop `build`, warnings never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Every kind of problem factsheet reports, with a stable kebab-case name that scripts
/// and `check --format json` rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    // The site layout.
    MissingContent,
    MissingSiteConfig,
    SymlinkOutsideRoot,
    UnreadableFile,
    // YAML and its shape.
    YamlSyntax,
    WrongType,
    UnknownKey,
    MissingField,
    DuplicateKey,
    EmptyList,
    EmptyValue,
    UnknownStance,
    InvalidId,
    InvalidSlug,
    InvalidDate,
    InvalidUrl,
    InvalidLanguage,
    // Sources.
    SourceNotUtf8,
    FileNotUtf8,
    SourceEmpty,
    FileTooLarge,
    TooManyClaims,
    OrphanSourceMetadata,
    // Claims and citations.
    DuplicateClaimId,
    UnknownSource,
    EmptyQuote,
    EllipsisOnlyQuote,
    QuoteNotFound,
    QuoteInsideWord,
    QuoteFragmentsOutOfOrder,
    QuoteFragmentsTooFarApart,
    // Templates and output.
    TemplateSyntax,
    TemplateRender,
    InvalidOutputDir,
    BrokenLink,
    // Warnings.
    UnusedSource,
    AmbiguousQuote,
    DuplicateCitation,
    ContextOnlyClaim,
    ElidedNegation,
    SourceChanged,
    NoBaseUrl,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::MissingContent => "missing-content",
            Code::MissingSiteConfig => "missing-site-yaml",
            Code::SymlinkOutsideRoot => "symlink-outside-root",
            Code::UnreadableFile => "unreadable-file",
            Code::YamlSyntax => "yaml-syntax",
            Code::WrongType => "wrong-type",
            Code::UnknownKey => "unknown-key",
            Code::MissingField => "missing-field",
            Code::DuplicateKey => "duplicate-key",
            Code::EmptyList => "empty-list",
            Code::EmptyValue => "empty-value",
            Code::UnknownStance => "unknown-stance",
            Code::InvalidId => "invalid-id",
            Code::InvalidSlug => "invalid-slug",
            Code::InvalidDate => "invalid-date",
            Code::InvalidUrl => "invalid-url",
            Code::InvalidLanguage => "invalid-language",
            Code::SourceNotUtf8 => "source-not-utf8",
            Code::FileNotUtf8 => "file-not-utf8",
            Code::SourceEmpty => "source-empty",
            Code::FileTooLarge => "file-too-large",
            Code::TooManyClaims => "too-many-claims",
            Code::OrphanSourceMetadata => "orphan-source-metadata",
            Code::DuplicateClaimId => "duplicate-claim-id",
            Code::UnknownSource => "unknown-source",
            Code::EmptyQuote => "empty-quote",
            Code::EllipsisOnlyQuote => "ellipsis-only-quote",
            Code::QuoteNotFound => "quote-not-found",
            Code::QuoteInsideWord => "quote-inside-word",
            Code::QuoteFragmentsOutOfOrder => "quote-fragments-out-of-order",
            Code::QuoteFragmentsTooFarApart => "quote-fragments-too-far-apart",
            Code::TemplateSyntax => "template-syntax",
            Code::TemplateRender => "template-render",
            Code::InvalidOutputDir => "invalid-output-dir",
            Code::BrokenLink => "broken-link",
            Code::UnusedSource => "unused-source",
            Code::AmbiguousQuote => "ambiguous-quote",
            Code::DuplicateCitation => "duplicate-citation",
            Code::ContextOnlyClaim => "context-only-claim",
            Code::ElidedNegation => "elided-negation",
            Code::SourceChanged => "source-changed",
            Code::NoBaseUrl => "no-base-url",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A second place a diagnostic refers to ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One word of a word-by-word comparison between a quote and the closest passage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffWord {
    Same(String),
    /// In the quote, not in the source.
    Removed(String),
    /// In the source, not in the quote.
    Added(String),
}

/// One problem in the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub span: Option<Span>,
    /// A short label under the underlined value.
    pub label: Option<String>,
    pub help: Option<String>,
    pub claim: Option<String>,
    pub source: Option<String>,
    /// The closest passage, or where else a quote occurs.
    pub suggestion: Option<String>,
    pub related: Vec<Related>,
    pub diff: Vec<DiffWord>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message.into())
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message.into())
    }

    fn new(severity: Severity, code: Code, message: String) -> Self {
        Diagnostic {
            severity,
            code,
            message,
            span: None,
            label: None,
            help: None,
            claim: None,
            source: None,
            suggestion: None,
            related: Vec::new(),
            diff: Vec::new(),
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn claim(mut self, claim: impl fmt::Display) -> Self {
        self.claim = Some(claim.to_string());
        self
    }

    pub fn source(mut self, source: impl fmt::Display) -> Self {
        self.source = Some(source.to_string());
        self
    }

    pub fn suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    pub fn diff(mut self, diff: Vec<DiffWord>) -> Self {
        self.diff = diff;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The order diagnostics are shown in: by file, then position, then code.
    fn sort_key(&self) -> (Option<&str>, usize, usize, Severity, Code) {
        let (file, line, column) = match &self.span {
            Some(span) => (Some(span.file.as_str()), span.line, span.column),
            None => (None, 0, 0),
        };
        (file, line, column, self.severity, self.code)
    }
}

/// "did you mean …": the candidate closest to `word`, if any is close enough to be a typo.
pub fn closest_name<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| {
            (
                strsim::normalized_damerau_levenshtein(word, candidate),
                candidate,
            )
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, candidate)| candidate)
}

/// The text of every content file diagnostics may point into, to show code frames.
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// Shared with the loaded content (and with `serve`'s cache), not copied.
    texts: BTreeMap<RelPath, Arc<str>>,
}

impl Files {
    pub fn insert(&mut self, path: RelPath, text: impl Into<Arc<str>>) {
        self.texts.insert(path, text.into());
    }

    pub fn get(&self, path: &RelPath) -> Option<&str> {
        self.texts.get(path).map(|text| &**text)
    }

    /// Every file and its text, by path.
    pub fn iter(&self) -> impl Iterator<Item = (&RelPath, &str)> {
        self.texts.iter().map(|(path, text)| (path, &**text))
    }
}

/// Every problem found in one run, collected without stopping.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Keeps only the diagnostics for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.items.retain(keep);
    }

    pub fn errors(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.items.len() - self.errors()
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The diagnostics in a stable order (by file and position), whatever order the
    /// pipeline found them in.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics {
            items: iter.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_name_finds_typos_only() {
        let names = ["supports", "contradicts", "context"];
        assert_eq!(closest_name("suports", names), Some("supports"));
        assert_eq!(closest_name("contradict", names), Some("contradicts"));
        assert_eq!(closest_name("banana", names), None);
    }

    #[test]
    fn diagnostics_sort_by_file_and_position() {
        let at = |file: &str, line| Span {
            file: RelPath::from_slash(file),
            line,
            column: 1,
            bytes: 0..0,
        };
        let all: Diagnostics = [
            Diagnostic::error(Code::QuoteNotFound, "b").at(at("content/topics/b.yaml", 3)),
            Diagnostic::warning(Code::UnusedSource, "a").at(at("content/topics/a.yaml", 9)),
            Diagnostic::error(Code::QuoteNotFound, "a").at(at("content/topics/a.yaml", 2)),
        ]
        .into_iter()
        .collect();
        let order: Vec<(&str, usize)> = all
            .sorted()
            .iter()
            .map(|d| {
                (
                    d.span.as_ref().unwrap().file.as_str(),
                    d.span.as_ref().unwrap().line,
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("content/topics/a.yaml", 2),
                ("content/topics/a.yaml", 9),
                ("content/topics/b.yaml", 3)
            ]
        );
        assert_eq!((all.errors(), all.warnings()), (2, 1));
    }
}
