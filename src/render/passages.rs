//! A source's full text cut into paragraphs and segments, each segment knowing which
//! cited passages cover it: what the source page needs to highlight every passage with a
//! `<mark>` that citations link to and that links back to its claims.
//!
//! Passages may overlap (two claims citing overlapping words) and may cross line breaks,
//! so the text is cut at every passage boundary and every line break; each piece is
//! marked with all the claims whose passages cover it.

use std::borrow::Cow;
use std::ops::Range;

use serde::Serialize;

use super::context::{StanceSet, passage_anchor, topic_path};
use crate::model::Stance;
use crate::verify::{VerifiedCitation, VerifiedClaim, VerifiedTopic};

/// A link from the end of a passage back to a claim citing it.
#[derive(Debug, Clone, Serialize)]
pub struct Backref<'a> {
    pub claim: &'a str,
    pub url: String,
    pub stance: Stance,
    pub symbol: &'static str,
}

/// A highlighted piece of text.
#[derive(Debug, Clone, Serialize)]
pub struct Mark<'a> {
    /// Set where a cited passage starts: the target of the citations' links.
    pub id: Option<String>,
    /// The ids of the claims whose passages cover this piece, space-separated.
    pub claims: Cow<'a, str>,
    pub stances: StanceSet,
    /// "supports contradicts": for CSS classes.
    pub stance_classes: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Segment<'a> {
    pub text: Cow<'a, str>,
    pub mark: Option<Mark<'a>>,
    /// Passages that end with this piece: links back to their claims.
    pub backrefs: Vec<Backref<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Paragraph<'a> {
    /// 1-based line number in the source file.
    pub line: usize,
    pub segments: Vec<Segment<'a>>,
}

/// One highlighted stretch of the original text (a passage, or one fragment of it).
struct Highlight<'a> {
    bytes: Range<usize>,
    passage_start: usize,
    passage_end: usize,
    citation: &'a VerifiedCitation,
    claim: &'a VerifiedClaim,
    topic: &'a VerifiedTopic,
}

/// The source text as paragraphs (one per non-blank line), with every cited passage marked.
pub fn source_paragraphs<'a>(
    text: &'a str,
    cited: &[(&'a VerifiedCitation, &'a VerifiedTopic, &'a VerifiedClaim)],
    root: &str,
) -> Vec<Paragraph<'a>> {
    let highlights: Vec<Highlight> = cited
        .iter()
        .flat_map(|&(citation, topic, claim)| {
            citation
                .anchor
                .fragments
                .iter()
                .map(move |fragment| Highlight {
                    bytes: fragment.clone(),
                    passage_start: citation.anchor.bytes.start,
                    passage_end: citation.anchor.bytes.end,
                    citation,
                    claim,
                    topic,
                })
        })
        .collect();
    let mut chars = CharCounter::new(text);
    let mut paragraphs = Vec::new();
    for (number, line) in lines(text) {
        if text[line.clone()].trim().is_empty() {
            continue;
        }
        let segments = line_segments(text, line, &highlights, &mut chars, root);
        paragraphs.push(Paragraph {
            line: number,
            segments,
        });
    }
    paragraphs
}

/// Byte ranges of the lines (without `\r\n`/`\n`, without a leading BOM), numbered from 1.
fn lines(text: &str) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
    let mut start = 0;
    text.split_inclusive('\n')
        .enumerate()
        .map(move |(index, line)| {
            let mut range = start..start + line.len();
            start += line.len();
            let content = line.trim_end_matches(['\n', '\r']);
            range.end = range.start + content.len();
            if index == 0 && content.starts_with('\u{feff}') {
                range.start += '\u{feff}'.len_utf8();
            }
            (index + 1, range)
        })
}

fn line_segments<'a>(
    text: &'a str,
    line: Range<usize>,
    highlights: &[Highlight<'a>],
    chars: &mut CharCounter,
    root: &str,
) -> Vec<Segment<'a>> {
    // Only the highlights overlapping the line can cover a piece of it.
    let here: Vec<&Highlight> = highlights
        .iter()
        .filter(|h| h.bytes.start < line.end && line.start < h.bytes.end)
        .collect();
    let mut cuts: Vec<usize> = vec![line.start, line.end];
    for highlight in &here {
        for point in [highlight.bytes.start, highlight.bytes.end] {
            if line.contains(&point) {
                cuts.push(point);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut covering: Vec<&Highlight> = Vec::new();
    cuts.windows(2)
        .map(|pair| {
            let piece = pair[0]..pair[1];
            covering.clear();
            covering.extend(
                here.iter()
                    .filter(|h| h.bytes.start <= piece.start && piece.end <= h.bytes.end),
            );
            let text = &text[piece.clone()];
            Segment {
                text: if text.contains('\u{feff}') {
                    Cow::Owned(text.replace('\u{feff}', ""))
                } else {
                    Cow::Borrowed(text)
                },
                mark: mark_for(&piece, &covering, chars),
                backrefs: backrefs_for(&piece, &covering, root),
            }
        })
        .collect()
}

fn mark_for<'a>(
    piece: &Range<usize>,
    covering: &[&Highlight<'a>],
    chars: &mut CharCounter,
) -> Option<Mark<'a>> {
    let first = covering.first()?;
    let mut claims = Cow::Borrowed(first.claim.id.as_str());
    let mut listed: Vec<&str> = vec![first.claim.id.as_str()];
    for highlight in &covering[1..] {
        let id = highlight.claim.id.as_str();
        if !listed.contains(&id) {
            listed.push(id);
            let claims = claims.to_mut();
            claims.push(' ');
            claims.push_str(id);
        }
    }
    let stances: StanceSet = covering.iter().map(|h| h.citation.stance).collect();
    let starts_passage = covering.iter().any(|h| h.passage_start == piece.start);
    Some(Mark {
        id: starts_passage.then(|| passage_anchor(chars.at(piece.start))),
        claims,
        stance_classes: stances.classes(),
        stances,
    })
}

fn backrefs_for<'a>(
    piece: &Range<usize>,
    covering: &[&Highlight<'a>],
    root: &str,
) -> Vec<Backref<'a>> {
    let mut backrefs: Vec<Backref> = Vec::new();
    for highlight in covering.iter().filter(|h| h.passage_end == piece.end) {
        if backrefs
            .iter()
            .any(|b| b.claim == highlight.claim.id.as_str())
        {
            continue;
        }
        backrefs.push(Backref {
            claim: highlight.claim.id.as_str(),
            url: format!(
                "{root}{}#{}",
                topic_path(highlight.topic.slug.as_str()),
                highlight.claim.id
            ),
            stance: highlight.citation.stance,
            symbol: super::context::stance_info(highlight.citation.stance).symbol,
        });
    }
    backrefs
}

/// Character offsets of byte offsets, for byte offsets asked in increasing order.
struct CharCounter<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCounter<'a> {
    fn new(text: &'a str) -> Self {
        CharCounter {
            text,
            byte: 0,
            chars: 0,
        }
    }

    fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_drop_line_ends_and_bom() {
        let text = "\u{feff}one\r\ntwo\n\nthree";
        let got: Vec<(usize, &str)> = lines(text).map(|(n, r)| (n, &text[r])).collect();
        assert_eq!(got, [(1, "one"), (2, "two"), (3, ""), (4, "three")]);
    }

    #[test]
    fn char_counter_counts_multibyte_text() {
        let text = "é€x";
        let mut counter = CharCounter::new(text);
        assert_eq!(counter.at(2), 1);
        assert_eq!(counter.at(5), 2);
        assert_eq!(counter.at(0), 0);
    }
}
