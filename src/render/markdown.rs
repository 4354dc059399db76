//! Markdown fields (statements, notes, summaries, descriptions) to safe HTML.
//!
//! Editors' text is untrusted: raw HTML is shown as text, never passed through, and links
//! keep only `http(s):`, `mailto:` and relative targets (a `javascript:` link becomes
//! plain text). Images are shown as their description: a fact sheet links, it does not
//! embed third-party content.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION
}

/// A whole Markdown block (paragraphs, lists, emphasis, links).
pub fn markdown_block(text: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, sanitized(Parser::new_ext(text, options())));
    out
}

/// One-sentence Markdown (a statement) without the surrounding paragraph.
pub fn markdown_inline(text: &str) -> String {
    let block = markdown_block(text);
    let trimmed = block.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|rest| rest.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => block,
    }
}

/// The text of a Markdown field without any markup (for titles, attributes, JSON-LD).
pub fn plain_text(text: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(text, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The targets of the links the HTML of `text` has (as `markdown_block` or
/// `markdown_inline` renders it), in order: what a link check of the page will follow.
pub fn link_targets(text: &str) -> Vec<String> {
    // Without a `]` (inline links, references) or a `<` (autolinks), no link.
    if !text.contains([']', '<']) {
        return Vec::new();
    }
    sanitized(Parser::new_ext(text, options()))
        .filter_map(|event| match event {
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                dest_url,
                ..
            }) => Some(format!("mailto:{dest_url}")),
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.into_string()),
            _ => None,
        })
        .collect()
}

/// Whether a link target is allowed: http(s), mailto, or relative (no scheme).
pub fn is_safe_link(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let lower = cleaned.to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            let before = &lower[..colon];
            // A colon after a path, query or fragment start is not a scheme.
            if before.contains(['/', '?', '#']) {
                return true;
            }
            matches!(before, "http" | "https" | "mailto")
        }
    }
}

/// The Markdown events with raw HTML turned into text, unsafe links into their text,
/// and images into their description.
fn sanitized<'a>(parser: Parser<'a>) -> impl Iterator<Item = Event<'a>> {
    let mut dropped_links = 0usize;
    let mut in_image = 0usize;
    parser.filter_map(move |event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Link {
            dest_url,
            link_type,
            title,
            id,
        }) => {
            if is_safe_link(&dest_url) && !matches!(link_type, LinkType::Email)
                || is_safe_mail(&dest_url, link_type)
            {
                Some(Event::Start(Tag::Link {
                    dest_url,
                    link_type,
                    title,
                    id,
                }))
            } else {
                dropped_links += 1;
                None
            }
        }
        Event::End(TagEnd::Link) if dropped_links > 0 => {
            dropped_links -= 1;
            None
        }
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            None
        }
        other => Some(other),
    })
}

fn is_safe_mail(url: &str, link_type: LinkType) -> bool {
    matches!(link_type, LinkType::Email) && !url.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = markdown_block("Hello <script>alert(1)</script> **world**");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("<strong>world</strong>"), "{html}");
    }

    #[test]
    fn html_blocks_are_escaped_too() {
        let html = markdown_block("<div onclick=\"x()\">\nhi\n</div>");
        assert!(!html.contains("<div"), "{html}");
    }

    #[test]
    fn unsafe_links_lose_their_target() {
        let html = markdown_block("[click](javascript:alert(1)) and [ok](https://example.org)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("click"), "{html}");
        assert!(html.contains("href=\"https://example.org\""), "{html}");
        let html = markdown_block("[x](<JaVaScRiPt:alert(1)>) [y](&#106;avascript:alert(1))");
        assert!(!html.contains("href"), "{html}");
    }

    #[test]
    fn safe_link_rule() {
        assert!(is_safe_link("https://a.org"));
        assert!(is_safe_link("mailto:a@b.org"));
        assert!(is_safe_link("../x/index.html#a:b"));
        assert!(!is_safe_link("javascript:alert(1)"));
        assert!(!is_safe_link("data:text/html,hi"));
        assert!(!is_safe_link("vbscript:x"));
    }

    #[test]
    fn link_targets_are_those_of_the_html() {
        let text = "See [a](../x.html#y), <https://example.org/> and <desk@example.org>,\n\
                    [b][ref], ![an image](pic.png) and [no](javascript:x()).\n\n[ref]: /z";
        assert_eq!(
            link_targets(text),
            [
                "../x.html#y",
                "https://example.org/",
                "mailto:desk@example.org",
                "/z"
            ]
        );
        assert_eq!(
            link_targets("Plain words: no links (none)."),
            Vec::<String>::new()
        );
        let html = markdown_block(text);
        for target in [
            "../x.html#y",
            "https://example.org/",
            "mailto:desk@example.org",
            "/z",
        ] {
            assert!(
                html.contains(&format!("href=\"{target}\"")),
                "{target} in {html}"
            );
        }
    }

    #[test]
    fn images_become_their_description() {
        let html = markdown_block("![a tracking pixel](https://evil.example/p.gif)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("a tracking pixel"), "{html}");
    }

    #[test]
    fn inline_statements_lose_the_paragraph() {
        assert_eq!(
            markdown_inline("The *First Lady* said"),
            "The <em>First Lady</em> said"
        );
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            plain_text("The *First* [Lady](https://x.org)\nsaid"),
            "The First Lady said"
        );
    }
}
