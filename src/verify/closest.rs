//! The passage of a source nearest to a quote that did not verify, and a word
//! diff.
//!
//! This module owns the "did you mean" suggestion. It runs only on failures,
//! but a source may be long, so it works in two passes: a sliding
//! bag-of-words score over windows of the quote's word count (rare words
//! weigh more) picks a few candidate places in linear time, and a word-level
//! edit distance over windows a few words wider or narrower, around each
//! candidate, picks the best passage.

use std::collections::HashMap;
use std::ops::Range;

use super::normalize::{NormalizedText, is_word_char};
use super::quote::Quote;

/// How many candidate places the bag-of-words pass hands to the refinement.
const CANDIDATES: usize = 6;

/// Above this many cells, edit distances and diffs are not worth computing.
const MAX_TABLE_CELLS: usize = 4_000_000;

/// Normalised byte range of the source passage most similar to the quote, or
/// `None` for an empty source.
pub fn closest_passage(source: &NormalizedText, quote: &Quote) -> Option<Range<usize>> {
    let text = source.as_str();
    let words = word_ranges(text);
    if words.is_empty() {
        return None;
    }
    let mut vocabulary = Vocabulary::default();
    let source_ids: Vec<usize> = words
        .iter()
        .map(|range| vocabulary.id(text.get(range.clone()).unwrap_or_default()))
        .collect();
    let quote_ids: Vec<usize> = quote
        .fragments()
        .iter()
        .flat_map(|fragment| fragment.split_whitespace())
        .map(|word| vocabulary.id(word))
        .collect();
    let best = best_window(&source_ids, &quote_ids, vocabulary.len())?;
    let first = words.get(best.start)?;
    let last = words.get(best.end.checked_sub(1)?)?;
    let quote_words = || quote.fragments().iter().flat_map(|f| f.split_whitespace());
    let start = trim_start(text, first, quote_words().next());
    let end = trim_end(text, last, quote_words().last());
    Some(start..end.max(start))
}

/// Where the passage starts: without punctuation stuck before its first word
/// when the quote's first word lacks it (`(talks` for `talks`), so the
/// suggestion can be pasted as is.
fn trim_start(text: &str, word: &Range<usize>, quote_word: Option<&str>) -> usize {
    let stuck = text
        .get(word.clone())
        .zip(quote_word)
        .and_then(|(source_word, quote_word)| source_word.strip_suffix(quote_word));
    match stuck {
        Some(stuck) if is_punctuation(stuck) => word.start + stuck.len(),
        _ => word.start,
    }
}

/// Where the passage ends: without punctuation stuck after its last word
/// when the quote's last word lacks it (`holidays,` for `holidays`).
fn trim_end(text: &str, word: &Range<usize>, quote_word: Option<&str>) -> usize {
    let stuck = text
        .get(word.clone())
        .zip(quote_word)
        .and_then(|(source_word, quote_word)| source_word.strip_prefix(quote_word));
    match stuck {
        Some(stuck) if is_punctuation(stuck) => word.end - stuck.len(),
        _ => word.end,
    }
}

/// No letters or digits: trimming it never cuts a word.
fn is_punctuation(text: &str) -> bool {
    !text.chars().any(is_word_char)
}

/// Byte ranges of the words (runs of non-white-space) of `text`.
fn word_ranges(text: &str) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(begun)) => {
                words.push(begun..at);
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(begun) = start {
        words.push(begun..text.len());
    }
    words
}

/// Interns words by a loose key, so that `Eight,` and `eight` count as the
/// same word when looking for the place a quote was meant to come from.
#[derive(Default)]
struct Vocabulary {
    ids: HashMap<String, usize>,
}

impl Vocabulary {
    fn id(&mut self, word: &str) -> usize {
        let next = self.ids.len();
        *self.ids.entry(loose_key(word)).or_insert(next)
    }

    fn len(&self) -> usize {
        self.ids.len()
    }
}

/// Lower-cased letters and digits of a word; the word itself when it has none.
fn loose_key(word: &str) -> String {
    let key: String = word
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if key.is_empty() { word.to_owned() } else { key }
}

/// The window of source words (as a range of word indices) nearest to the quote.
fn best_window(source: &[usize], quote: &[usize], vocabulary: usize) -> Option<Range<usize>> {
    if source.is_empty() {
        return None;
    }
    let size = quote.len().clamp(1, source.len());
    let scores = bag_scores(source, quote, vocabulary, size);
    let candidates = top_candidates(&scores, size);
    let radius = refinement_radius(quote.len());
    candidates
        .into_iter()
        .flat_map(|start| windows_around(start, size, radius, source.len()))
        .min_by_key(|window| {
            let words = source.get(window.clone()).unwrap_or_default();
            (
                window_distance(quote, words),
                // Ties go to the rarer words, then the quote's length, then
                // the earlier place.
                std::cmp::Reverse(scores.get(window.start).copied().unwrap_or(0)),
                window.len().abs_diff(quote.len()),
                window.start,
            )
        })
}

/// For every window of `size` source words, how much of the quote's bag of
/// words it holds, each word weighted by its rarity in the source. Computed
/// by sliding, in linear time.
fn bag_scores(source: &[usize], quote: &[usize], vocabulary: usize, size: usize) -> Vec<u64> {
    let mut wanted = vec![0u32; vocabulary];
    for &id in quote {
        if let Some(count) = wanted.get_mut(id) {
            *count += 1;
        }
    }
    let weights = rarity_weights(source, vocabulary);
    let mut held = vec![0u32; vocabulary];
    let mut score = 0u64;
    let mut scores = Vec::with_capacity(source.len().saturating_sub(size) + 1);
    for (at, &id) in source.iter().enumerate() {
        score += take_word(id, &wanted, &weights, &mut held);
        if let Some(&leaving) = at.checked_sub(size).and_then(|gone| source.get(gone)) {
            score = score.saturating_sub(drop_word(leaving, &wanted, &weights, &mut held));
        }
        if at + 1 >= size {
            scores.push(score);
        }
    }
    scores
}

/// Adds a word to the window; returns what it adds to the score.
fn take_word(id: usize, wanted: &[u32], weights: &[u64], held: &mut [u32]) -> u64 {
    let (Some(&want), Some(count)) = (wanted.get(id), held.get_mut(id)) else {
        return 0;
    };
    *count += 1;
    if *count <= want {
        weights.get(id).copied().unwrap_or(0)
    } else {
        0
    }
}

/// Removes a word from the window; returns what it took from the score.
fn drop_word(id: usize, wanted: &[u32], weights: &[u64], held: &mut [u32]) -> u64 {
    let (Some(&want), Some(count)) = (wanted.get(id), held.get_mut(id)) else {
        return 0;
    };
    let taken = if *count <= want {
        weights.get(id).copied().unwrap_or(0)
    } else {
        0
    };
    *count = count.saturating_sub(1);
    taken
}

/// A weight per word: rare words place a quote better than `the` or `and`.
fn rarity_weights(source: &[usize], vocabulary: usize) -> Vec<u64> {
    let mut frequency = vec![0u32; vocabulary];
    for &id in source {
        if let Some(count) = frequency.get_mut(id) {
            *count += 1;
        }
    }
    let total = source.len() as f64;
    frequency
        .into_iter()
        .map(|count| {
            let ratio = total / f64::from(count.max(1));
            // Integers keep the sliding sums exact.
            (1000.0 * (1.0 + ratio).ln()) as u64 + 1
        })
        .collect()
}

/// The best-scoring window starts, keeping only one per neighbourhood so the
/// refinement looks at distinct places.
fn top_candidates(scores: &[u64], size: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by_key(|&start| (std::cmp::Reverse(scores.get(start).copied()), start));
    let spacing = (size / 2).max(1);
    let mut picked: Vec<usize> = Vec::with_capacity(CANDIDATES);
    for start in order {
        if picked.len() == CANDIDATES {
            break;
        }
        if picked.iter().all(|&other| other.abs_diff(start) >= spacing) {
            picked.push(start);
        }
    }
    picked
}

/// How many words to shift and stretch windows by; less for long quotes,
/// whose edit distances cost more.
fn refinement_radius(quote_words: usize) -> usize {
    match quote_words {
        0..=50 => 3,
        51..=200 => 1,
        _ => 0,
    }
}

/// Windows starting up to `radius` words before or after `start`, and up to
/// `radius` words shorter or longer than `size`, inside `0..total`.
fn windows_around(start: usize, size: usize, radius: usize, total: usize) -> Vec<Range<usize>> {
    let mut windows = Vec::new();
    for from in start.saturating_sub(radius)..=start + radius {
        for len in size.saturating_sub(radius).max(1)..=size + radius {
            if from + len <= total {
                windows.push(from..from + len);
            }
        }
    }
    windows
}

/// Word-level edit distance, or the larger length when too costly.
fn window_distance(quote: &[usize], window: &[usize]) -> usize {
    if quote.len().saturating_mul(window.len()) > MAX_TABLE_CELLS {
        return quote.len().max(window.len());
    }
    edit_distance(quote, window)
}

/// Levenshtein distance over words, in two rows.
fn edit_distance(a: &[usize], b: &[usize]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &word_a) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &word_b) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(word_a != word_b);
            let delete = previous[j + 1] + 1;
            let insert = current[j] + 1;
            current[j + 1] = substitute.min(delete).min(insert);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// One step of a word diff between a quote and a source passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordDiff<'a> {
    /// In both.
    Same(&'a str),
    /// In the quote but not the source.
    Removed(&'a str),
    /// In the source passage only.
    Added(&'a str),
}

/// Word-by-word difference between the quote and the passage (longest common
/// subsequence over words; words compare exactly). Where both differ, the
/// quote's words come first.
pub fn word_diff<'a>(quote: &'a str, passage: &'a str) -> Vec<WordDiff<'a>> {
    let quote: Vec<&str> = quote.split_whitespace().collect();
    let passage: Vec<&str> = passage.split_whitespace().collect();
    let prefix = common_prefix(&quote, &passage);
    let suffix = common_prefix_rev(
        quote.get(prefix..).unwrap_or_default(),
        passage.get(prefix..).unwrap_or_default(),
    );
    let middle_quote = quote.get(prefix..quote.len() - suffix).unwrap_or_default();
    let middle_passage = passage
        .get(prefix..passage.len() - suffix)
        .unwrap_or_default();

    let mut diff: Vec<WordDiff<'a>> = Vec::with_capacity(quote.len() + passage.len());
    diff.extend(quote.iter().take(prefix).map(|w| WordDiff::Same(w)));
    diff_middle(middle_quote, middle_passage, &mut diff);
    diff.extend(
        quote
            .iter()
            .skip(quote.len() - suffix)
            .map(|w| WordDiff::Same(w)),
    );
    diff
}

fn common_prefix(a: &[&str], b: &[&str]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn common_prefix_rev(a: &[&str], b: &[&str]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// The diff of the parts that differ at both ends, by longest common
/// subsequence; wholesale when too large to tabulate.
fn diff_middle<'a>(quote: &[&'a str], passage: &[&'a str], diff: &mut Vec<WordDiff<'a>>) {
    let cells = (quote.len() + 1).saturating_mul(passage.len() + 1);
    if cells > MAX_TABLE_CELLS {
        diff.extend(quote.iter().map(|w| WordDiff::Removed(w)));
        diff.extend(passage.iter().map(|w| WordDiff::Added(w)));
        return;
    }
    let table = LcsTable::new(quote, passage);
    let (mut i, mut j) = (0, 0);
    while i < quote.len() || j < passage.len() {
        match (quote.get(i), passage.get(j)) {
            (Some(a), Some(b)) if a == b => {
                diff.push(WordDiff::Same(a));
                i += 1;
                j += 1;
            }
            (Some(a), Some(_)) if table.get(i + 1, j) >= table.get(i, j + 1) => {
                diff.push(WordDiff::Removed(a));
                i += 1;
            }
            (Some(a), None) => {
                diff.push(WordDiff::Removed(a));
                i += 1;
            }
            (_, Some(b)) => {
                diff.push(WordDiff::Added(b));
                j += 1;
            }
            (None, None) => break,
        }
    }
}

/// Lengths of the longest common subsequences of every pair of suffixes.
/// `u16` is enough: within the cell limit, the shorter side has at most
/// 2,000 words.
struct LcsTable {
    width: usize,
    cells: Vec<u16>,
}

impl LcsTable {
    fn new(a: &[&str], b: &[&str]) -> Self {
        let width = b.len() + 1;
        let mut cells = vec![0u16; (a.len() + 1) * width];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                let value = if a[i] == b[j] {
                    cells[(i + 1) * width + j + 1].saturating_add(1)
                } else {
                    cells[(i + 1) * width + j].max(cells[i * width + j + 1])
                };
                cells[i * width + j] = value;
            }
        }
        LcsTable { width, cells }
    }

    fn get(&self, i: usize, j: usize) -> u16 {
        self.cells.get(i * self.width + j).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::quote::{MatchFailure, find_first};
    use super::*;

    const SOURCE: &str = "The delegation arrived in Geneva on Monday.\n\
        Officials said the talks would resume after the holidays, \
        and that the ceasefire line would be monitored by observers.\n\
        A spokesman declined to comment on the prisoner exchange, \
        which had been delayed twice.";

    fn quote(raw: &str) -> Quote {
        Quote::parse(raw).expect("a usable quote")
    }

    fn passage(source: &str, raw: &str) -> String {
        let text = NormalizedText::new(source);
        let range = closest_passage(&text, &quote(raw)).expect("a passage");
        text.as_str()[range].to_owned()
    }

    #[test]
    fn finds_the_real_sentence_when_one_word_changed() {
        let raw = "the talks would resume before the holidays";
        let text = NormalizedText::new(SOURCE);
        assert_eq!(find_first(&text, &quote(raw)), Err(MatchFailure::NotFound));
        let found = passage(SOURCE, raw);
        assert_eq!(found, "the talks would resume after the holidays");
        let changes: Vec<_> = word_diff(raw, &found)
            .into_iter()
            .filter(|step| !matches!(step, WordDiff::Same(_)))
            .collect();
        assert_eq!(
            changes,
            [WordDiff::Removed("before"), WordDiff::Added("after")]
        );
    }

    #[test]
    fn finds_a_passage_for_a_paraphrase_with_a_typo() {
        let found = passage(
            SOURCE,
            "a spokesman declined to coment on the prisoner exchange",
        );
        assert_eq!(
            found,
            "A spokesman declined to comment on the prisoner exchange"
        );
    }

    #[test]
    fn finds_a_passage_for_an_elided_quote() {
        let found = passage(SOURCE, "the ceasefire line ... monitored by soldiers");
        assert!(found.contains("ceasefire line"), "{found}");
    }

    #[test]
    fn stays_fast_on_a_large_source() {
        let mut source = String::new();
        for i in 0..6000 {
            source.push_str(&format!("word{} filler text ", i % 97));
        }
        source.push_str("the quick brown fox jumps over the lazy dog ");
        source.push_str(&"more filler text ".repeat(500));
        assert!(source.len() > 50_000);
        let started = std::time::Instant::now();
        let found = passage(&source, "the quick brown cat jumps over the lazy dog");
        assert_eq!(found, "the quick brown fox jumps over the lazy dog");
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn trims_punctuation_but_never_cuts_words() {
        assert_eq!(
            passage("said (talks resume, soon", "talks resume"),
            "talks resume"
        );
        assert_eq!(
            passage("the holidays were long", "the holiday"),
            "the holidays"
        );
        assert_eq!(passage("the talks end", "s end"), "talks end");
    }

    #[test]
    fn empty_source_has_no_passage() {
        let text = NormalizedText::new(" \n ");
        assert_eq!(closest_passage(&text, &quote("anything")), None);
    }

    #[test]
    fn short_source_gives_what_it_has() {
        let text = NormalizedText::new("only two");
        let range = closest_passage(&text, &quote("a much longer quote than the source"));
        assert_eq!(range, Some(0..8));
    }

    #[test]
    fn word_diff_shows_exactly_the_changed_word() {
        let diff = word_diff(
            "the talks would resume before the holidays",
            "the talks would resume after the holidays",
        );
        assert_eq!(
            diff,
            vec![
                WordDiff::Same("the"),
                WordDiff::Same("talks"),
                WordDiff::Same("would"),
                WordDiff::Same("resume"),
                WordDiff::Removed("before"),
                WordDiff::Added("after"),
                WordDiff::Same("the"),
                WordDiff::Same("holidays"),
            ]
        );
    }

    #[test]
    fn word_diff_handles_insertions_deletions_and_empty_sides() {
        assert_eq!(
            word_diff("a b c", "a x b"),
            vec![
                WordDiff::Same("a"),
                WordDiff::Added("x"),
                WordDiff::Same("b"),
                WordDiff::Removed("c"),
            ]
        );
        assert_eq!(word_diff("", "a"), vec![WordDiff::Added("a")]);
        assert_eq!(word_diff("a", ""), vec![WordDiff::Removed("a")]);
        assert_eq!(word_diff("", ""), vec![]);
        assert_eq!(
            word_diff("same same", "same same"),
            vec![WordDiff::Same("same"), WordDiff::Same("same")]
        );
    }

    #[test]
    fn edit_distance_counts_word_edits() {
        assert_eq!(edit_distance(&[1, 2, 3], &[1, 2, 3]), 0);
        assert_eq!(edit_distance(&[1, 2, 3], &[1, 9, 3]), 1);
        assert_eq!(edit_distance(&[1, 2, 3], &[2, 3]), 1);
        assert_eq!(edit_distance(&[], &[1, 2]), 2);
    }
}
