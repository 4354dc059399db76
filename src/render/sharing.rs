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
pub fn description(site: &VerifiedSite, subject: &Subject) -> String {
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
                .unwrap_or_else(|| {
                    let statements: Vec<String> = topic
                        .claims
                        .iter()
                        .map(|c| plain_text(&c.statement))
                        .collect();
                    statements.join(" ")
                })
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
    fn locales_use_an_underscore() {
        assert_eq!(og_locale("en-GB"), "en_GB");
        assert_eq!(og_locale("uk"), "uk");
    }
}
