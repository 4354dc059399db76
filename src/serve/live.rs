//! The live-reload protocol between `serve` and the pages it serves: the script injected
//! into every HTML response (never into `build` output), the events it listens to, and
//! the problems it shows in its overlay (the same diagnostics `check` reports).
//!
//! Events on `/__factsheet/events` (Server-Sent Events):
//! - `hello` on connecting: `{"version", "problems"}`, the current state, so a page that
//!   connects after a save broke the site shows the problem at once;
//! - `reload` after a good build: `{"version", "changed"}`; a page reloads when its own
//!   file or any non-HTML file (a stylesheet) changed, and hides the overlay otherwise.
//!   A build sends it for its pages, then, with the same version, for its data files
//!   (`claims.json`, the sitemap, the feed) if they changed;
//! - `problems` after a broken save: the problems, shown over the page.

use std::sync::Arc;

use serde::Serialize;

use crate::diagnostics::render::HumanOptions;
use crate::diagnostics::render::human::render_one;
use crate::diagnostics::render::json::diagnostic_json;
use crate::diagnostics::{Diagnostics, Files};
use crate::error::ToolError;

/// Where the script and the event stream are served; no page of a site is under it.
pub const PREFIX: &str = "/__factsheet/";
pub const SCRIPT_PATH: &str = "/__factsheet/live.js";
pub const EVENTS_PATH: &str = "/__factsheet/events";

/// The script every served page loads.
pub const LIVE_JS: &str = include_str!("live.js");

/// The `data-path` of pages that are not a file of the site (404, not built yet): any
/// good build reloads them.
pub const ANY_PATH: &str = "*";

/// What went wrong with the last save, as the overlay shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problems {
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<Problem>,
}

/// One diagnostic: the object `check --format json` prints for it, plus its location
/// written out and the code frame the terminal shows.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    #[serde(flatten)]
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// `file:line:column`, when the problem has a place.
    pub location: Option<String>,
    /// The terminal's rendering: the offending lines with the value underlined.
    pub frame: String,
}

impl Problem {
    /// A field of the JSON diagnostic, when it is a string (`code`, `message`, `file`, …).
    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(serde_json::Value::as_str)
    }
}

impl Problems {
    pub fn from_diagnostics(diagnostics: &Diagnostics, files: &Files) -> Problems {
        Problems {
            errors: diagnostics.errors(),
            warnings: diagnostics.warnings(),
            diagnostics: diagnostics
                .sorted()
                .into_iter()
                .map(|d| Problem {
                    fields: diagnostic_json(d),
                    location: d.span.as_ref().map(ToString::to_string),
                    frame: render_one(d, files, HumanOptions { color: false }),
                })
                .collect(),
        }
    }

    /// A failure of the tool (a file that vanished mid-save, say), shown the same way.
    pub fn from_tool_error(error: &ToolError) -> Problems {
        Problems {
            errors: 1,
            warnings: 0,
            diagnostics: vec![Problem {
                fields: tool_error_json(error),
                location: None,
                frame: format!("error[{}]: {error}", error.code()),
            }],
        }
    }
}

/// A failure of the tool in the shape of a JSON diagnostic.
fn tool_error_json(error: &ToolError) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    fields.insert("severity".into(), "error".into());
    fields.insert("code".into(), error.code().into());
    fields.insert("message".into(), error.to_string().into());
    if let Some(help) = error.help() {
        fields.insert("help".into(), help.into());
    }
    fields
}

/// One message to the open pages.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    Reload {
        version: String,
        changed: Arc<Vec<String>>,
    },
    Problems(Arc<Problems>),
}

impl LiveEvent {
    /// The SSE event name and its JSON data.
    pub fn encode(&self) -> (&'static str, String) {
        match self {
            LiveEvent::Reload { version, changed } => (
                "reload",
                serde_json::json!({"version": version, "changed": changed.as_slice()}).to_string(),
            ),
            LiveEvent::Problems(problems) => ("problems", to_json(problems.as_ref())),
        }
    }
}

/// The `hello` event's data: the current version and problems.
pub fn hello(version: &str, problems: Option<&Problems>) -> String {
    serde_json::json!({"version": version, "problems": problems}).to_string()
}

fn to_json(problems: &Problems) -> String {
    serde_json::to_string(problems).expect("problems are strings and numbers")
}

/// `html` with the live script added before its last `</body>` (or at the end).
pub fn inject_script(html: &[u8], version: &str, path: &str) -> Vec<u8> {
    let tag = format!(
        "<script src=\"{SCRIPT_PATH}\" data-version=\"{}\" data-path=\"{}\"></script>\n",
        escape_attribute(version),
        escape_attribute(path)
    );
    let at = last_body_close(html).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn last_body_close(html: &[u8]) -> Option<usize> {
    const CLOSE: &[u8] = b"</body";
    (0..=html.len().checked_sub(CLOSE.len())?)
        .rev()
        .find(|&i| html[i..i + CLOSE.len()].eq_ignore_ascii_case(CLOSE))
}

/// Text made safe inside a quoted HTML attribute or element content (`& < > " '`).
pub fn escape_attribute(text: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_quoted_attribute(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Code, Diagnostic};
    use crate::model::{RelPath, Span};

    #[test]
    fn the_script_goes_before_the_last_body_close() {
        let html = b"<html><body><p>&lt;/body&gt;</p></BODY></html>";
        let out = String::from_utf8(inject_script(html, "a-1", "index.html")).unwrap();
        assert!(out.ends_with(
            "<script src=\"/__factsheet/live.js\" data-version=\"a-1\" data-path=\"index.html\"></script>\n</BODY></html>"
        ));
    }

    #[test]
    fn a_page_without_body_gets_the_script_at_the_end() {
        let out = String::from_utf8(inject_script(b"<p>hi", "1", "x.html")).unwrap();
        assert!(out.starts_with("<p>hi<script "));
        assert_eq!(
            inject_script(b"", "1", "x"),
            b"<script src=\"/__factsheet/live.js\" data-version=\"1\" data-path=\"x\"></script>\n"
        );
    }

    #[test]
    fn attributes_are_escaped() {
        let out = String::from_utf8(inject_script(b"", "1", "a\"><script>.html")).unwrap();
        assert!(out.contains("data-path=\"a&quot;&gt;&lt;script&gt;.html\""));
    }

    #[test]
    fn problems_carry_the_location_and_the_frame() {
        let file = RelPath::from_slash("content/topics/letter.yaml");
        let mut files = Files::default();
        files.insert(file.clone(), "title: x\nclaims: [\n".to_string());
        let diagnostics: Diagnostics = [Diagnostic::error(Code::YamlSyntax, "bad YAML")
            .at(Span {
                file,
                line: 2,
                column: 9,
                bytes: 17..18,
            })
            .help("close the list")]
        .into_iter()
        .collect();
        let problems = Problems::from_diagnostics(&diagnostics, &files);
        let problem = &problems.diagnostics[0];
        assert_eq!(problems.errors, 1);
        assert_eq!(
            problem.location.as_deref(),
            Some("content/topics/letter.yaml:2:9")
        );
        assert!(problem.frame.contains("claims: ["), "{}", problem.frame);
        let (name, data) = LiveEvent::Problems(Arc::new(problems)).encode();
        assert_eq!(name, "problems");
        let value: serde_json::Value = serde_json::from_str(&data).unwrap();
        assert_eq!(value["diagnostics"][0]["code"], "yaml-syntax");
        assert_eq!(value["diagnostics"][0]["help"], "close the list");
    }

    #[test]
    fn hello_replays_the_current_problems() {
        let problems = Problems::from_tool_error(&ToolError::Usage("gone".into()));
        let value: serde_json::Value =
            serde_json::from_str(&hello("v-3", Some(&problems))).unwrap();
        assert_eq!(value["version"], "v-3");
        assert_eq!(value["problems"]["errors"], 1);
        let value: serde_json::Value = serde_json::from_str(&hello("v-3", None)).unwrap();
        assert!(value["problems"].is_null());
    }
}
