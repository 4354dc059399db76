//! A source's full text cut into paragraphs and segments, each segment knowing which
//! cited passages cover it: what the source page needs to highlight every passage with a
//! `<mark>` that citations link to and that links back to its claims.
//!
//! Passages may overlap (two claims citing overlapping words) and may cross line breaks,
//! so the text is cut at every passage boundary and every line break; each piece is
//! marked with all the claims whose passages cover it.

use std::collections::BTreeSet;

use serde::Serialize;

use super::context::{StanceInfo, passage_anchor, stance_info, topic_path};
use crate::model::Stance;
use crate::verify::{VerifiedCitation, VerifiedClaim, VerifiedTopic};

/// A link from the end of a passage back to a claim citing it.
#[derive(Debug, Clone, Serialize)]
pub struct Backref {
    pub claim: String,
    pub url: String,
    pub stance: Stance,
    pub symbol: &'static str,
}

/// A highlighted piece of text.
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    /// Set where a cited passage starts: the target of the citations' links.
    pub id: Option<String>,
    /// The ids of the claims whose passages cover this piece, space-separated.
    pub claims: String,
    pub stances: Vec<StanceInfo>,
    /// "supports contradicts": for CSS classes.
    pub stance_classes: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub text: String,
    pub mark: Option<Mark>,
    /// Passages that end with this piece: links back to their claims.
    pub backrefs: Vec<Backref>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Paragraph {
    /// 1-based line number in the source file.
    pub line: usize,
    pub segments: Vec<Segment>,
}

/// One highlighted stretch of the original text (a passage, or one fragment of it).
struct Highlight<'a> {
    bytes: std::ops::Range<usize>,
    passage_start: usize,
    passage_end: usize,
    citation: &'a VerifiedCitation,
    claim: &'a VerifiedClaim,
    topic: &'a VerifiedTopic,
}

/// The source text as paragraphs (one per non-blank line), with every cited passage marked.
pub fn source_paragraphs(
    text: &str,
    cited: &[(&VerifiedCitation, &VerifiedTopic, &VerifiedClaim)],
    root: &str,
) -> Vec<Paragraph> {
    let highlights: Vec<Highlight> = cited
        .iter()
        .flat_map(|(citation, topic, claim)| {
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
fn lines(text: &str) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
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

fn line_segments(
    text: &str,
    line: std::ops::Range<usize>,
    highlights: &[Highlight],
    chars: &mut CharCounter,
    root: &str,
) -> Vec<Segment> {
    let mut cuts: BTreeSet<usize> = BTreeSet::from([line.start, line.end]);
    for highlight in highlights {
        for point in [highlight.bytes.start, highlight.bytes.end] {
            if line.contains(&point) {
                cuts.insert(point);
            }
        }
    }
    let cuts: Vec<usize> = cuts.into_iter().collect();
    cuts.windows(2)
        .map(|pair| {
            let piece = pair[0]..pair[1];
            let covering: Vec<&Highlight> = highlights
                .iter()
                .filter(|h| h.bytes.start <= piece.start && piece.end <= h.bytes.end)
                .collect();
            Segment {
                text: text[piece.clone()].replace('\u{feff}', ""),
                mark: mark_for(&piece, &covering, chars),
                backrefs: backrefs_for(&piece, &covering, root),
            }
        })
        .collect()
}

fn mark_for(
    piece: &std::ops::Range<usize>,
    covering: &[&Highlight],
    chars: &mut CharCounter,
) -> Option<Mark> {
    if covering.is_empty() {
        return None;
    }
    let mut claims: Vec<&str> = Vec::new();
    for highlight in covering {
        if !claims.contains(&highlight.claim.id.as_str()) {
            claims.push(highlight.claim.id.as_str());
        }
    }
    let stances: BTreeSet<Stance> = covering.iter().map(|h| h.citation.stance).collect();
    let starts_passage = covering.iter().any(|h| h.passage_start == piece.start);
    Some(Mark {
        id: starts_passage.then(|| passage_anchor(chars.at(piece.start))),
        claims: claims.join(" "),
        stance_classes: stances
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        stances: stances.into_iter().map(stance_info).collect(),
    })
}

fn backrefs_for(
    piece: &std::ops::Range<usize>,
    covering: &[&Highlight],
    root: &str,
) -> Vec<Backref> {
    let mut backrefs: Vec<Backref> = Vec::new();
    for highlight in covering.iter().filter(|h| h.passage_end == piece.end) {
        if backrefs
            .iter()
            .any(|b| b.claim == highlight.claim.id.as_str())
        {
            continue;
        }
        let info = stance_info(highlight.citation.stance);
        backrefs.push(Backref {
            claim: highlight.claim.id.to_string(),
            url: format!(
                "{root}{}#{}",
                topic_path(highlight.topic.slug.as_str()),
                highlight.claim.id
            ),
            stance: highlight.citation.stance,
            symbol: info.symbol,
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
