//! What a page says about itself to search engines and link previews: the plain-text
//! description behind `<meta name="description">`, Open Graph and Twitter cards, and the
//! Open Graph locale of the site's language. The tags themselves are in `base.html`.

use super::Subject;
use super::markdown::plain_text;
use crate::verify::VerifiedSite;

/// The longest description, in characters: about what search results show.
pub const DESCRIPTION_MAX_CHARS: usize = 160;

/// A page's description, plain text: the topic's summary (else its statements), the
/// source's title, publisher and date, the site's description (else its title).
/// `statement(topic, claim)` is a claim's statement as plain text.
pub fn description<'s>(
    site: &VerifiedSite,
    subject: &Subject,
    statement: impl Fn(usize, usize) -> &'s str,
) -> String {
    let config = &site.config;
    let site_description = || {
        config
            .description
            .as_deref()
            .map(plain_text)
            .filter(|text| !text.is_empty())
            .unwrap_or_else(|| config.title.clone())
    };
    let text = match subject {
        Subject::Topic(index) => site.topics.get(*index).map(|topic| {
            topic
                .summary
                .as_deref()
                .map(plain_text)
                .filter(|text| !text.is_empty())
                .unwrap_or_else(|| statements(topic.claims.len(), |claim| statement(*index, claim)))
        }),
        Subject::Source(index) => site.sources.get(*index).map(|source| {
            let meta = &source.meta;
            let title = meta.title.clone().unwrap_or_else(|| source.id.to_string());
            [Some(title), meta.publisher.clone(), meta.published.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        }),
        _ => None,
    };
    truncate(
        &text.unwrap_or_else(site_description),
        DESCRIPTION_MAX_CHARS,
    )
}

/// The words of the first of `count` statements, one space apart, as many as a
/// description can show: [`truncate`] reads no further than its limit, and a topic may
/// have hundreds of statements.
fn statements<'s>(count: usize, statement: impl Fn(usize) -> &'s str) -> String {
    let mut text = String::new();
    let mut chars = 0;
    for claim in 0..count {
        if chars > DESCRIPTION_MAX_CHARS {
            break;
        }
        for word in statement(claim).split_whitespace() {
            if !text.is_empty() {
                text.push(' ');
                chars += 1;
            }
            text.push_str(word);
            chars += word.chars().count();
        }
    }
    text
}

/// `text` cut to at most `max` characters at a word boundary, with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    // Room for the ellipsis; then back to the last space, unless that loses too much.
    let cut = text
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(text.len(), |(at, _)| at);
    let head = &text[..cut];
    let head = match head.rfind(' ') {
        Some(space) if space >= cut / 2 => &head[..space],
        _ => head,
    };
    let head = head.trim_end_matches(|c: char| c.is_whitespace() || ",;:–—-".contains(c));
    format!("{head}…")
}

/// The Open Graph locale (`language_TERRITORY`) of a BCP 47 tag: `en-GB` is `en_GB`.
pub fn og_locale(language: &str) -> String {
    language.replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_with_white_space_folded() {
        assert_eq!(truncate("  a\n b  ", 10), "a b");
        assert_eq!(truncate("exactly10!", 10), "exactly10!");
    }

    #[test]
    fn long_text_is_cut_at_a_word_with_an_ellipsis() {
        let text = "The First Lady said she has an open channel of communication with Putin.";
        let cut = truncate(text, 30);
        assert_eq!(cut, "The First Lady said she has…");
        assert!(cut.chars().count() <= 30);
        // No space in reach: cut inside the word.
        assert_eq!(truncate(&"x".repeat(50), 10), format!("{}…", "x".repeat(9)));
        // Multibyte characters are counted as characters, never split.
        let cut = truncate(&"é".repeat(50), 10);
        assert_eq!(cut.chars().count(), 10);
        // No dangling punctuation before the ellipsis.
        assert_eq!(truncate("one two, three four five", 10), "one two…");
    }

    #[test]
    fn a_description_of_statements_reads_only_as_far_as_it_shows() {
        let statements: Vec<String> = (0..400)
            .map(|i| format!("Statement  number {i} says\nsomething."))
            .collect();
        let all = statements.join(" ");
        let read = std::cell::Cell::new(0);
        let some = super::statements(statements.len(), |i| {
            read.set(read.get() + 1);
            &statements[i]
        });
        assert_eq!(
            truncate(&some, DESCRIPTION_MAX_CHARS),
            truncate(&all, DESCRIPTION_MAX_CHARS)
        );
        assert!(read.get() < 10, "read {} statements", read.get());
        assert_eq!(super::statements(2, |i| ["a  b", "c"][i]), "a b c");
    }

    #[test]
    fn locales_use_an_underscore() {
        assert_eq!(og_locale("en-GB"), "en_GB");
        assert_eq!(og_locale("uk"), "uk");
    }
}
