//! rustc-style diagnostics for people: `file:line:column`, a code frame of the offending
//! line with the value underlined, the message, the help, and for a quote that did not
//! verify the closest passage with a word-by-word difference.
//!
//! Everything taken from the content (messages naming ids and values, file names, labels,
//! help, suggestions, the words of a diff) goes through [`printable`], so that no control
//! character or bidi override in a file reaches the terminal as it is; annotate-snippets
//! does the same for the code frame's lines.

use std::ops::Range;

use annotate_snippets::{
    Annotation, AnnotationKind, Element, Group, Level, Origin, Renderer, Snippet,
};

use super::terminal::printable;
use crate::diagnostics::{Diagnostic, Diagnostics, DiffWord, Files, Severity};

/// How the human report looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    /// ANSI colours (on a terminal, unless `NO_COLOR` is set).
    pub color: bool,
}

impl HumanOptions {
    /// Colours when `is_terminal` and the user has not asked for none (`NO_COLOR`).
    pub fn detect(is_terminal: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        HumanOptions {
            color: is_terminal && !no_color,
        }
    }
}

/// Every diagnostic, in order, each followed by a blank line.
pub fn render_human(diagnostics: &Diagnostics, files: &Files, options: HumanOptions) -> String {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for diagnostic in diagnostics.sorted() {
        out.push_str(&renderer.render(&report(diagnostic, files, options)));
        out.push_str("\n\n");
    }
    out
}

/// One diagnostic alone, without the trailing blank line (for `serve`'s overlay).
pub fn render_one(diagnostic: &Diagnostic, files: &Files, options: HumanOptions) -> String {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(&report(diagnostic, files, options))
}

/// "2 errors, 1 warning" (or "no problems").
pub fn summary(diagnostics: &Diagnostics) -> String {
    let count = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if diagnostics.is_empty() {
        return "no problems".to_string();
    }
    format!(
        "{}, {}",
        count(diagnostics.errors(), "error"),
        count(diagnostics.warnings(), "warning")
    )
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    }
}

fn report<'a>(d: &'a Diagnostic, files: &'a Files, options: HumanOptions) -> Vec<Group<'a>> {
    let mut elements: Vec<Element<'a>> = Vec::new();
    if let Some(span) = &d.span {
        elements.push(match files.get(&span.file) {
            Some(text) if span.bytes.end <= text.len() => code_frame(d, span, text).into(),
            // No text to frame (a file name problem, a source that is not UTF-8): the
            // location alone. `Origin` shows its column as given, so pass it 1-based.
            _ => Origin::path(printable(span.file.as_str()))
                .line(span.line)
                .char_column(span.column)
                .into(),
        });
    }
    for related in &d.related {
        let same_file = d
            .span
            .as_ref()
            .is_some_and(|span| span.file == related.span.file);
        if !same_file {
            elements.push(
                Level::NOTE
                    .message(
                        printable(&format!("{}: {}", related.span, related.message)).into_owned(),
                    )
                    .into(),
            );
        }
    }
    if !d.diff.is_empty() {
        let diff = word_diff_text(&d.diff, options);
        elements.push(
            Level::NOTE
                .message(format!("quote vs. source, word by word: {diff}"))
                .into(),
        );
    } else if let Some(suggestion) = &d.suggestion {
        elements.push(Level::NOTE.message(printable(suggestion)).into());
    }
    if let Some(help) = &d.help {
        elements.push(Level::HELP.message(printable(help)).into());
    }
    let title = level(d.severity)
        .primary_title(printable(&d.message))
        .id(d.code.as_str());
    vec![title.elements(elements)]
}

/// The offending lines of `text` with the value underlined (and related places in the same file).
fn code_frame<'a>(
    d: &'a Diagnostic,
    span: &'a crate::model::Span,
    text: &'a str,
) -> Snippet<'a, Annotation<'a>> {
    let label = printable(d.label.as_deref().unwrap_or(""));
    // A BOM is invisible in an editor: left in, it would count as a column of line 1.
    let bom = text
        .strip_prefix('\u{feff}')
        .map_or(0, |rest| text.len() - rest.len());
    let shift =
        |bytes: &Range<usize>| bytes.start.saturating_sub(bom)..bytes.end.saturating_sub(bom);
    let mut snippet = Snippet::source(&text[bom..])
        .path(printable(span.file.as_str()))
        .fold(true)
        .annotation(
            AnnotationKind::Primary
                .span(shift(&span.bytes))
                .label(label),
        );
    for related in d.related.iter().filter(|r| r.span.file == span.file) {
        snippet = snippet.annotation(
            AnnotationKind::Context
                .span(shift(&related.span.bytes))
                .label(printable(&related.message)),
        );
    }
    snippet
}

/// The most words of a word diff shown: a pasted page is not a quote, and its diff
/// would bury the report.
const MAX_DIFF_WORDS: usize = 200;

/// `the [-quick-]{+slow+} fox`, in red and green on a terminal.
fn word_diff_text(diff: &[DiffWord], options: HumanOptions) -> String {
    let (red, green, reset) = if options.color {
        ("\x1b[31m", "\x1b[32m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let mut words: Vec<String> = diff
        .iter()
        .take(MAX_DIFF_WORDS)
        .map(|word| match word {
            DiffWord::Same(text) => printable(text).into_owned(),
            DiffWord::Removed(text) => format!("{red}[-{}-]{reset}", printable(text)),
            DiffWord::Added(text) => format!("{green}{{+{}+}}{reset}", printable(text)),
        })
        .collect();
    if diff.len() > MAX_DIFF_WORDS {
        words.push(format!("… ({} more words)", diff.len() - MAX_DIFF_WORDS));
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use crate::diagnostics::render::terminal;
    use crate::model::{RelPath, Span};

    fn one(diagnostic: Diagnostic) -> Diagnostics {
        [diagnostic].into_iter().collect()
    }

    #[test]
    fn shows_location_code_frame_and_help() {
        let file = RelPath::from_slash("content/topics/a.yaml");
        let text = "title: A\nclaims:\n  - id: x\n    stance: suports\n";
        let mut files = Files::default();
        files.insert(file.clone(), text.to_string());
        let start = text.find("suports").unwrap();
        let d = Diagnostic::error(Code::UnknownStance, "unknown stance `suports`")
            .at(Span {
                file,
                line: 4,
                column: 13,
                bytes: start..start + 7,
            })
            .label("not a stance")
            .help("did you mean `supports`?");
        let out = render_human(&one(d), &files, HumanOptions { color: false });
        assert!(
            out.contains("error[unknown-stance]: unknown stance `suports`"),
            "{out}"
        );
        assert!(out.contains("content/topics/a.yaml:4:13"), "{out}");
        assert!(out.contains("stance: suports"), "{out}");
        assert!(out.contains("^^^^^^^ not a stance"), "{out}");
        assert!(out.contains("help: did you mean `supports`?"), "{out}");
        assert!(!out.contains('\x1b'), "no colour when asked for none");
    }

    #[test]
    fn what_the_content_holds_reaches_the_terminal_escaped() {
        let file = RelPath::from_slash("content/sources/\u{1b}[2J.txt");
        let d = Diagnostic::error(Code::InvalidId, "`\u{1b}[2J` is not\nvalid \u{202e}")
            .at(Span {
                file,
                line: 1,
                column: 1,
                bytes: 0..0,
            })
            .help("rename \u{9b}31m")
            .diff(vec![DiffWord::Added("\u{1b}[31mred".into())]);
        let out = render_human(&one(d), &Files::default(), HumanOptions { color: false });
        assert!(
            !out.chars()
                .any(|c| c != '\n' && terminal::acts_on_terminal(c)),
            "{out:?}"
        );
        for shown in [
            "`\\u{1b}[2J` is not\\nvalid \\u{202e}",
            "content/sources/\\u{1b}[2J.txt:1:1",
            "rename \\u{9b}31m",
            "{+\\u{1b}[31mred+}",
        ] {
            assert!(out.contains(shown), "{shown} in {out}");
        }
    }

    #[test]
    fn word_diff_marks_changed_words() {
        let diff = vec![
            DiffWord::Same("the".into()),
            DiffWord::Removed("quick".into()),
            DiffWord::Added("slow".into()),
        ];
        assert_eq!(
            word_diff_text(&diff, HumanOptions { color: false }),
            "the [-quick-] {+slow+}"
        );
    }

    #[test]
    fn summary_counts() {
        let d = one(Diagnostic::warning(Code::UnusedSource, "x"));
        assert_eq!(summary(&d), "0 errors, 1 warning");
        assert_eq!(summary(&Diagnostics::default()), "no problems");
    }
}
