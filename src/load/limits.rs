//! The sizes no sane site reaches, and the errors that refuse them before they cost the
//! machine its memory: a source text, a YAML file, the claims of a whole site. Each limit
//! is far above real content (the bundled sources are under 10 KB, a topic of a hundred
//! claims under 100 KB) and far below what a laptop can hold.

use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{RelPath, Span, Topic};

/// The largest source text, in bytes (50 MiB).
pub const MAX_SOURCE_BYTES: u64 = 50 << 20;
/// The largest YAML file (the settings, a topic, a source's metadata), in bytes (10 MiB).
pub const MAX_YAML_BYTES: u64 = 10 << 20;
/// The most claims a site may have, over all its topics.
pub const MAX_CLAIMS: usize = 100_000;

/// A file larger than its limit: it was not read past the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    /// The file's size as far as it is known: at least `limit + 1`.
    pub size: u64,
    pub limit: u64,
}

/// Which kind of file a limit is for, for the message and the advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Source,
    Yaml,
}

impl FileKind {
    pub fn limit(self) -> u64 {
        match self {
            FileKind::Source => MAX_SOURCE_BYTES,
            FileKind::Yaml => MAX_YAML_BYTES,
        }
    }
}

/// The error for a file over its limit, at the file's start.
pub fn file_too_large(file: &RelPath, kind: FileKind, too_large: TooLarge) -> Diagnostic {
    let (what, help) = match kind {
        FileKind::Source => (
            "a source text",
            "keep the part of the document that claims cite, or split it into several sources",
        ),
        FileKind::Yaml => (
            "a YAML file",
            "split the topic into several topic files (a file this size is not hand-written: \
             check that the right file is in `content/`)",
        ),
    };
    Diagnostic::error(
        Code::FileTooLarge,
        format!(
            "`{file}` is {} ({} bytes); {what} may be at most {} ({} bytes)",
            megabytes(too_large.size),
            too_large.size,
            megabytes(too_large.limit),
            too_large.limit
        ),
    )
    .at(Span::file_start(file.clone()))
    .help(help)
}

/// `bytes` in MiB, as people read sizes: `50 MB`, `63.2 MB`.
fn megabytes(bytes: u64) -> String {
    let tenths = (bytes * 10).div_ceil(1 << 20);
    if tenths.is_multiple_of(10) {
        format!("{} MB", tenths / 10)
    } else {
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

/// Keeps at most [`MAX_CLAIMS`] claims, in the order of `topics`, and gives the error at
/// the first claim over the limit. The claims past it are dropped, so verifying them cannot
/// cost what the limit is there to refuse; the error keeps the site from being built.
pub fn keep_claims_within_limit(topics: &mut [Arc<Topic>]) -> Option<Diagnostic> {
    let total: usize = topics.iter().map(|topic| topic.claims.len()).sum();
    if total <= MAX_CLAIMS {
        return None;
    }
    let mut room = MAX_CLAIMS;
    let mut first_over = None;
    for topic in topics.iter_mut() {
        if topic.claims.len() > room && first_over.is_none() {
            first_over = Some(topic.claims[room].id.span.clone());
        }
        if topic.claims.len() > room {
            Arc::make_mut(topic).claims.truncate(room);
        }
        room -= topic.claims.len();
    }
    let span = first_over.expect("more claims than the limit means one is past it");
    Some(
        Diagnostic::error(
            Code::TooManyClaims,
            format!("the site has {total} claims; a site may have at most {MAX_CLAIMS}"),
        )
        .at(span)
        .label(format!("claim {} of the site", MAX_CLAIMS + 1))
        .help("split the fact sheet into several sites, one per subject"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_megabytes_rounded_up() {
        assert_eq!(megabytes(MAX_SOURCE_BYTES), "50 MB");
        assert_eq!(megabytes(MAX_YAML_BYTES + 1), "10.1 MB");
        assert_eq!(megabytes(63 << 20 | 1 << 19), "63.5 MB");
    }
}
