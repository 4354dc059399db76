//! A source made ready for verification, once per source rather than once per quote: its
//! normalised text with the map back to the original, and an index of where its lines
//! and characters are, so that anchoring a quote costs the length of the quote and not
//! the length of the text before it.

use super::Anchor;
use super::normalize::NormalizedText;
use super::quote::QuoteMatch;

/// A source's text as quotes are looked up in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    normalized: NormalizedText,
    positions: Positions,
}

impl Prepared {
    pub fn new(original: &str) -> Self {
        Prepared {
            normalized: NormalizedText::new(original),
            positions: Positions::new(original),
        }
    }

    pub fn normalized(&self) -> &NormalizedText {
        &self.normalized
    }

    /// Where a match in the normalised text sits in `original` (the text this was
    /// prepared from).
    pub fn anchor(&self, original: &str, found: &QuoteMatch) -> Anchor {
        let bytes = self.normalized.original_range(found.range.clone());
        let (chars_before, lines_before) = self.positions.before(original, bytes.start);
        let chars_within = original[bytes.clone()].chars().count();
        Anchor {
            line: lines_before + 1,
            chars: chars_before..chars_before + chars_within,
            fragments: found
                .fragments
                .iter()
                .map(|fragment| self.normalized.original_range(fragment.clone()))
                .collect(),
            bytes,
        }
    }
}

/// How many bytes apart the checkpoints of [`Positions`] are, at most: what one lookup
/// counts through.
const BLOCK: usize = 1024;

/// Checkpoints through a text, at least every [`BLOCK`] bytes: the characters and line
/// breaks before each.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Positions {
    checkpoints: Vec<Checkpoint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Checkpoint {
    byte: usize,
    chars: usize,
    lines: usize,
}

impl Positions {
    fn new(text: &str) -> Self {
        let mut checkpoints = vec![Checkpoint {
            byte: 0,
            chars: 0,
            lines: 0,
        }];
        let mut last = checkpoints[0];
        while text.len() - last.byte > BLOCK {
            let mut byte = last.byte + BLOCK;
            while !text.is_char_boundary(byte) {
                byte -= 1;
            }
            let block = &text[last.byte..byte];
            last = Checkpoint {
                byte,
                chars: last.chars + block.chars().count(),
                lines: last.lines + line_breaks(block),
            };
            checkpoints.push(last);
        }
        Positions { checkpoints }
    }

    /// The characters and the line breaks of `text` (the text this was built from)
    /// before the char boundary `byte`.
    fn before(&self, text: &str, byte: usize) -> (usize, usize) {
        let index = self.checkpoints.partition_point(|c| c.byte <= byte) - 1;
        let checkpoint = self.checkpoints[index];
        let rest = &text[checkpoint.byte..byte];
        (
            checkpoint.chars + rest.chars().count(),
            checkpoint.lines + line_breaks(rest),
        )
    }
}

fn line_breaks(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Characters and line breaks before `byte`, counted from the start.
    fn slow_before(text: &str, byte: usize) -> (usize, usize) {
        (
            text[..byte].chars().count(),
            text[..byte].matches('\n').count(),
        )
    }

    #[test]
    fn positions_count_characters_and_lines_like_a_scan_from_the_start() {
        let line = "Ein Absatz mit \u{00FC}mlauten, \u{1F600} und \u{2014} Strichen.\n";
        let text = line.repeat(200);
        assert!(text.len() > 5 * BLOCK);
        let positions = Positions::new(&text);
        for (byte, _) in text.char_indices().step_by(7).chain([(text.len(), ' ')]) {
            assert_eq!(
                positions.before(&text, byte),
                slow_before(&text, byte),
                "{byte}"
            );
        }
    }

    #[test]
    fn short_and_empty_texts_have_one_checkpoint() {
        assert_eq!(Positions::new("").before("", 0), (0, 0));
        let text = "a\nb";
        assert_eq!(Positions::new(text).before(text, 3), (3, 1));
    }

    #[test]
    fn anchors_count_lines_and_characters_of_the_original() {
        let original = "\u{201C}One\u{201D}\nline two has the quote\n";
        let prepared = Prepared::new(original);
        let quote = super::super::quote::Quote::parse("the quote").unwrap();
        let found = super::super::quote::find_first(prepared.normalized(), &quote).unwrap();
        let anchor = prepared.anchor(original, &found);
        assert_eq!(anchor.line, 2);
        assert_eq!(&original[anchor.bytes.clone()], "the quote");
        let start = original[..anchor.bytes.start].chars().count();
        assert_eq!(anchor.chars, start..start + 9);
    }
}
