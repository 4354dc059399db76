//! The site as the rest of the pipeline sees it once loaded: identifiers with their
//! rules, positions in content files, stances and statuses, and the loaded site itself.
//!
//! Everything here is plain data. `load` builds it, `verify` reads it, `render` shows it.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

/// A path relative to the site root, always written with `/` (what diagnostics and
/// `claims.json` show, whatever the platform). Every position in a file holds one, so
/// copies share the text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelPath(Arc<str>);

impl Serialize for RelPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl RelPath {
    /// The path of `path` below `root`; falls back to the path as given when it is not below.
    pub fn new(root: &Path, path: &Path) -> Self {
        let relative = path.strip_prefix(root).unwrap_or(path);
        let parts: Vec<String> = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        RelPath(parts.join("/").into())
    }

    /// A relative path written by hand (tests, fixed names such as `content/site.yaml`).
    pub fn from_slash(path: &str) -> Self {
        RelPath(path.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The absolute path below `root`.
    pub fn under(&self, root: &Path) -> PathBuf {
        self.0
            .split('/')
            .fold(root.to_path_buf(), |path, part| path.join(part))
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a value sits in a content file: 1-based line and column (in characters, as
/// editors count), and the byte range of the value for underlining it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub file: RelPath,
    pub line: usize,
    pub column: usize,
    pub bytes: std::ops::Range<usize>,
}

impl Span {
    /// A whole-file position (first line, first column), for problems with no finer place.
    pub fn file_start(file: RelPath) -> Self {
        Span {
            file,
            line: 1,
            column: 1,
            bytes: 0..0,
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

/// Why an identifier was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdProblem {
    Empty,
    BadStart(char),
    BadChar(char),
}

impl fmt::Display for IdProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdProblem::Empty => f.write_str("it is empty"),
            IdProblem::BadStart(c) => write!(f, "it starts with `{c}`"),
            IdProblem::BadChar(c) => write!(f, "it contains `{}`", c.escape_debug()),
        }
    }
}

/// The id/slug rule of the format: lowercase ASCII letters, digits, `-` and `_`,
/// starting with a letter or digit.
pub fn check_identifier(text: &str) -> Result<(), IdProblem> {
    let mut chars = text.chars();
    let first = chars.next().ok_or(IdProblem::Empty)?;
    if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
        return Err(if is_id_char(first) {
            IdProblem::BadStart(first)
        } else {
            IdProblem::BadChar(first)
        });
    }
    match chars.find(|c| !is_id_char(*c)) {
        Some(bad) => Err(IdProblem::BadChar(bad)),
        None => Ok(()),
    }
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

/// The id/slug rule applied to an arbitrary string: a suggestion for a refused id.
pub fn suggest_identifier(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        let c = c.to_ascii_lowercase();
        if is_id_char(c) {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches(|c| c == '-' || c == '_').to_string()
}

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Copies share the text: the verified site holds one per claim and citation.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Accepts `text` if it follows the id rule.
            pub fn parse(text: &str) -> Result<Self, IdProblem> {
                check_identifier(text).map(|()| $name(text.into()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    };
}

identifier!(
    /// A source's id: the stem of its `.txt` file.
    SourceId
);
identifier!(
    /// A claim's id, unique across the whole site.
    ClaimId
);
identifier!(
    /// A topic's slug: the stem of its `.yaml` file.
    Slug
);

/// How a citation relates to its claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    #[default]
    Supports,
    Contradicts,
    Context,
}

impl Stance {
    pub const ALL: [Stance; 3] = [Stance::Supports, Stance::Contradicts, Stance::Context];

    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Supports => "supports",
            Stance::Contradicts => "contradicts",
            Stance::Context => "context",
        }
    }

    pub fn parse(text: &str) -> Option<Stance> {
        Stance::ALL
            .into_iter()
            .find(|stance| stance.as_str() == text)
    }
}

/// A claim's status, computed from the stances of its citations (never typed by editors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Corroborated,
    SingleSource,
    Disputed,
    Contradicted,
    Unsupported,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Corroborated,
        Status::SingleSource,
        Status::Disputed,
        Status::Contradicted,
        Status::Unsupported,
    ];

    /// The status table of the format, from the number of distinct supporting and
    /// contradicting sources.
    pub fn from_counts(supporting: usize, contradicting: usize) -> Status {
        match (supporting, contradicting) {
            (0, 0) => Status::Unsupported,
            (0, _) => Status::Contradicted,
            (_, 1..) => Status::Disputed,
            (1, 0) => Status::SingleSource,
            _ => Status::Corroborated,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Corroborated => "corroborated",
            Status::SingleSource => "single-source",
            Status::Disputed => "disputed",
            Status::Contradicted => "contradicted",
            Status::Unsupported => "unsupported",
        }
    }

    /// The words a reader sees on the badge.
    pub fn label(self) -> &'static str {
        match self {
            Status::Corroborated => "Corroborated",
            Status::SingleSource => "Single source",
            Status::Disputed => "Disputed",
            Status::Contradicted => "Contradicted",
            Status::Unsupported => "Context only",
        }
    }
}

/// `content/site.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteConfig {
    pub title: String,
    pub description: Option<String>,
    pub base_url: Option<String>,
    pub language: String,
    pub publisher: Option<String>,
    /// Whether `build` indexes the pages for full-text search.
    pub search: bool,
}

/// What a site without settings gets: English, with search.
impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: String::new(),
            description: None,
            base_url: None,
            language: "en".to_string(),
            publisher: None,
            search: true,
        }
    }
}

/// `content/sources/<id>.yaml`: only what the source states or the editor knows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translated_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A source document: its verbatim text and metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub id: SourceId,
    /// `content/sources/<id>.txt`
    pub file: RelPath,
    /// The text exactly as in the file (a BOM included), so offsets match the file; shared
    /// with the diagnostics' files and `serve`'s cache rather than copied.
    pub text: Arc<str>,
    /// Of `text`: lowercase hexadecimal SHA-256.
    pub sha256: String,
    pub meta: SourceMeta,
    /// Of `text`, counted once: every page and `claims.json` show it.
    words: usize,
}

impl Source {
    pub fn new(id: SourceId, file: RelPath, text: impl Into<Arc<str>>, meta: SourceMeta) -> Self {
        let text = text.into();
        Source {
            id,
            file,
            sha256: sha256_hex(text.as_bytes()),
            words: count_words(&text),
            text,
            meta,
        }
    }

    /// Words in the text: runs between white space holding at least one letter or digit.
    pub fn word_count(&self) -> usize {
        self.words
    }
}

/// Lowercase hexadecimal SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Runs of characters between white space that hold at least one letter or digit, in
/// one pass over the text. ASCII, nearly all of it, goes through a table and no branch:
/// counting the words of every source is a noticeable part of loading a large site.
fn count_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut words = 0;
    // 1 while in a run that holds a letter or digit, else 0.
    let mut in_word = 0;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        let class = ASCII_CLASS[usize::from(byte)];
        let (space, alphanumeric, len) = if class != NOT_ASCII {
            (usize::from(class & SPACE), usize::from(class >> 1), 1)
        } else {
            let c = text[at..].chars().next().unwrap_or_default();
            (
                usize::from(c.is_whitespace()),
                usize::from(c.is_alphanumeric()),
                c.len_utf8(),
            )
        };
        words += in_word & space;
        in_word = (in_word | alphanumeric) & (space ^ 1);
        at += len;
    }
    words + in_word
}

/// Bits of [`ASCII_CLASS`]: white space as `char::is_whitespace` has it (tab to carriage
/// return, space), a letter or digit, or a byte that starts or continues a non-ASCII
/// character.
const SPACE: u8 = 1;
const ALPHANUMERIC: u8 = 2;
const NOT_ASCII: u8 = 4;

/// What each byte is to [`count_words`].
static ASCII_CLASS: [u8; 256] = {
    let mut classes = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        classes[byte] = if !b.is_ascii() {
            NOT_ASCII
        } else if matches!(b, b'\t'..=b'\r' | b' ') {
            SPACE
        } else if b.is_ascii_alphanumeric() {
            ALPHANUMERIC
        } else {
            0
        };
        byte += 1;
    }
    classes
};

/// One citation of a claim, as the editor wrote it.
#[derive(Debug, Clone)]
pub struct Citation {
    pub source: Located<String>,
    pub quote: Located<String>,
    pub stance: Stance,
    pub note: Option<String>,
}

/// One entry of a corrections log: what was corrected, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    /// ISO date (`YYYY-MM-DD`).
    pub date: String,
    /// Markdown: what was wrong and what changed.
    pub note: String,
}

/// The editorial record of a topic or a claim: when it was last reviewed and the
/// corrections made to it. Both optional; existing files have neither.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    /// ISO date (`YYYY-MM-DD`) of the last review.
    pub reviewed: Option<String>,
    /// Oldest first (by date; corrections of the same day in file order).
    pub corrections: Vec<Correction>,
}

impl Review {
    /// This record's date, or else `parent`'s: a claim without its own `reviewed` was
    /// last reviewed with its topic.
    pub fn reviewed_or<'a>(&'a self, parent: &'a Review) -> Option<&'a str> {
        self.reviewed.as_deref().or(parent.reviewed.as_deref())
    }
}

/// A claim, as the editor wrote it.
#[derive(Debug, Clone)]
pub struct Claim {
    pub id: Located<ClaimId>,
    pub statement: String,
    pub note: Option<String>,
    pub citations: Vec<Citation>,
    pub review: Review,
}

/// A topic file: one page of claims.
#[derive(Debug, Clone)]
pub struct Topic {
    pub slug: Slug,
    /// `content/topics/<slug>.yaml`
    pub file: RelPath,
    pub title: String,
    pub summary: Option<String>,
    pub order: Option<i64>,
    pub claims: Vec<Claim>,
    pub review: Review,
}

/// Everything `load` read, before any quote is checked.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub config: SiteConfig,
    /// Sorted by id.
    pub sources: Vec<Source>,
    /// The names (file stems) of source files that exist but could not be loaded: too
    /// large, not UTF-8, empty, or not a valid id. Their errors are on their own files; a
    /// citation of one is not also an unknown source.
    pub unloadable_sources: BTreeSet<String>,
    /// Sorted by order, then title, then slug. Shared: `serve` keeps each topic between
    /// saves, and verification knows an unchanged topic by its being the same one.
    pub topics: Vec<Arc<Topic>>,
}

impl Site {
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources
            .binary_search_by(|source| source.id.as_str().cmp(id))
            .ok()
            .map(|index| &self.sources[index])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_follow_the_format_rule() {
        assert!(check_identifier("000_4e0fe4cb89eab73e").is_ok());
        assert!(check_identifier("open-channel").is_ok());
        assert_eq!(check_identifier(""), Err(IdProblem::Empty));
        assert_eq!(check_identifier("-a"), Err(IdProblem::BadStart('-')));
        assert_eq!(check_identifier("_a"), Err(IdProblem::BadStart('_')));
        assert_eq!(check_identifier("Open"), Err(IdProblem::BadChar('O')));
        assert_eq!(check_identifier("a b"), Err(IdProblem::BadChar(' ')));
        assert_eq!(check_identifier("café"), Err(IdProblem::BadChar('é')));
    }

    #[test]
    fn suggested_identifiers_are_valid() {
        assert_eq!(suggest_identifier("Open Channel!"), "open-channel");
        assert_eq!(suggest_identifier("  -x_y "), "x_y");
        assert!(check_identifier(&suggest_identifier("Letter, August 2025")).is_ok());
    }

    #[test]
    fn words_are_runs_between_white_space_with_a_letter_or_digit() {
        let by_splitting = |text: &str| {
            text.split_whitespace()
                .filter(|word| word.chars().any(char::is_alphanumeric))
                .count()
        };
        for text in [
            "",
            "  ",
            "one",
            " two  words ",
            "a \u{2014} b",
            "\u{201C}Quoted,\u{201D} she said\u{2026}\n\n(1) \u{00E9}t\u{00E9} --",
            "tab\tand\u{00A0}no-break\u{3000}ideographic \u{0301}",
            "vertical\u{b}tab\u{c}form\u{1c}feed\u{85}next line",
        ] {
            assert_eq!(count_words(text), by_splitting(text), "{text:?}");
        }
        // Every text of up to five characters over letters, digits, punctuation and
        // ASCII and other white space, with and without multi-byte characters.
        let alphabet = [' ', 'a', '-', '\u{e9}', '\u{2003}', '1', '\n', '\u{2014}'];
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|text| alphabet.iter().map(move |c| format!("{text}{c}")))
                .collect();
            for text in &longer {
                assert_eq!(count_words(text), by_splitting(text), "{text:?}");
            }
            texts = longer;
        }
    }

    #[test]
    fn a_new_source_has_the_hash_of_its_text() {
        let source = Source::new(
            SourceId::parse("s").unwrap(),
            RelPath::from_slash("content/sources/s.txt"),
            "abc".to_string(),
            SourceMeta::default(),
        );
        assert_eq!(
            source.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(source.word_count(), 1);
    }

    #[test]
    fn status_follows_the_table() {
        assert_eq!(Status::from_counts(2, 0), Status::Corroborated);
        assert_eq!(Status::from_counts(5, 0), Status::Corroborated);
        assert_eq!(Status::from_counts(1, 0), Status::SingleSource);
        assert_eq!(Status::from_counts(1, 1), Status::Disputed);
        assert_eq!(Status::from_counts(3, 2), Status::Disputed);
        assert_eq!(Status::from_counts(0, 1), Status::Contradicted);
        assert_eq!(Status::from_counts(0, 0), Status::Unsupported);
    }

    #[test]
    fn relative_paths_use_slashes() {
        let root = Path::new("/site");
        let path = root.join("content").join("topics").join("a.yaml");
        assert_eq!(RelPath::new(root, &path).as_str(), "content/topics/a.yaml");
        assert_eq!(
            RelPath::from_slash("content/site.yaml").under(root),
            root.join("content").join("site.yaml")
        );
    }
}
