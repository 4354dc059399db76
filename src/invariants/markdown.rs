//! Markdown rendering of any text: never a panic, and HTML in which a browser finds only
//! the elements and attributes Markdown makes, no script and no event handler, and links
//! only to `http(s):`, `mailto:` or relative targets (never `javascript:`, `data:` or
//! `vbscript:`). The HTML is read with an HTML parser and its links' schemes as a
//! browser's URL parser finds them, not with the sanitiser's own rule (which is what is
//! under test).

use std::borrow::Cow;

use lol_html::html_content::Element;
use lol_html::{ElementContentHandlers, HtmlRewriter, Selector, Settings};

use super::text_of;
use crate::render::markdown::{link_targets, markdown_block, markdown_inline, plain_text};

/// The elements pulldown-cmark writes for the Markdown factsheet enables (images become
/// their description).
const ELEMENTS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "code",
    "ol",
    "ul",
    "li",
    "em",
    "strong",
    "del",
    "a",
    "hr",
    "br",
];

/// The attributes they may carry: a link's target and title, a list's first number, a
/// code block's language class.
const ATTRIBUTES: &[&str] = &["href", "title", "start", "class"];

/// The schemes a link may have: none (a relative link) or one of these.
const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Every check of this module on `bytes` as a Markdown field.
pub fn check(bytes: &[u8]) {
    check_text(&text_of(bytes));
}

/// Every check of this module on `text` as a Markdown field.
pub fn check_text(text: &str) {
    for html in [markdown_block(text), markdown_inline(text)] {
        safe_html(&html, text);
    }
    for target in link_targets(text) {
        assert!(allowed(&target), "link target {target:?} of {text:?}");
    }
    // Titles, attributes and JSON-LD take the plain text, escaped where it goes: it only
    // has to come without a panic.
    plain_text(text);
}

/// What a browser reading `html` finds in it is harmless.
fn safe_html(html: &str, markdown: &str) {
    let every: Selector = "*".parse().expect("`*` is a selector");
    let mut problems = Vec::new();
    let handlers = ElementContentHandlers::default().element(|element: &mut Element<'_, '_>| {
        problems.extend(element_problems(element));
        Ok(())
    });
    let settings = Settings::new()
        .with_strict(false)
        .append_element_content_handler((Cow::Borrowed(&every), handlers));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    let parsed = rewriter
        .write(html.as_bytes())
        .and_then(|()| rewriter.end());
    assert!(parsed.is_ok(), "unparsable HTML {html:?} from {markdown:?}");
    assert!(
        problems.is_empty(),
        "{problems:?} in the HTML of {markdown:?}:\n{html}"
    );
}

fn element_problems(element: &Element<'_, '_>) -> Vec<String> {
    let tag = element.tag_name();
    let mut problems = Vec::new();
    if !ELEMENTS.contains(&tag.as_str()) {
        problems.push(format!("element <{tag}>"));
    }
    for attribute in element.attributes() {
        let name = attribute.name();
        let value = decode_references(&attribute.value());
        if !ATTRIBUTES.contains(&name.as_str()) {
            problems.push(format!("attribute {name}={value:?} on <{tag}>"));
        } else if name == "href" && !allowed(&value) {
            problems.push(format!("link to {value:?}"));
        }
    }
    problems
}

/// An attribute's value with its character references replaced as a browser replaces
/// them: numeric ones by any character (controls included, which a decoder for text may
/// leave alone), named ones by html_escape.
fn decode_references(value: &str) -> String {
    let mut decoded = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find("&#") {
        decoded.push_str(&rest[..at]);
        rest = &rest[at..];
        match numeric_reference(rest) {
            Some((c, len)) => {
                decoded.push(c);
                rest = &rest[len..];
            }
            None => {
                decoded.push('&');
                rest = &rest[1..];
            }
        }
    }
    decoded.push_str(rest);
    html_escape::decode_html_entities(&decoded).into_owned()
}

/// The character `&#…;` at the start of `text` stands for, and the reference's length
/// (the `;` is optional, as browsers have it).
fn numeric_reference(text: &str) -> Option<(char, usize)> {
    let body = text.strip_prefix("&#")?;
    let (hex, digits_at) = match body.as_bytes().first() {
        Some(b'x' | b'X') => (true, 3),
        _ => (false, 2),
    };
    let digits = text[digits_at..]
        .bytes()
        .take_while(|b| {
            if hex {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        })
        .count();
    let number = &text[digits_at..digits_at + digits];
    let code = u32::from_str_radix(number, if hex { 16 } else { 10 }).ok()?;
    let c = char::from_u32(code).unwrap_or('\u{FFFD}');
    let end = digits_at + digits;
    Some((c, end + usize::from(text[end..].starts_with(';'))))
}

/// Whether `url` is relative or has an allowed scheme.
fn allowed(url: &str) -> bool {
    scheme(url).is_none_or(|scheme| ALLOWED_SCHEMES.contains(&scheme.as_str()))
}

/// The scheme a browser finds in `url` (WHATWG URL parsing): after trimming C0 controls
/// and spaces from both ends and removing tabs and line breaks, an ASCII letter, then
/// letters, digits, `+`, `-` or `.`, up to a colon. Lowercased; `None` for a relative
/// URL.
fn scheme(url: &str) -> Option<String> {
    let trimmed = url.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_decode_as_browsers_decode_them() {
        assert_eq!(
            decode_references("a&#1;b&#x6A;&#106&amp;&#;"),
            "a\u{1}bjj&&#;"
        );
    }

    #[test]
    fn schemes_are_found_as_browsers_find_them() {
        assert_eq!(
            scheme(" \u{1}Java\tScript:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(scheme("HTTPS://a.org").as_deref(), Some("https"));
        // A percent-encoded space is no white space: a relative link.
        assert_eq!(scheme("%20mailto:%20javascript:x"), None);
        assert_eq!(scheme("java script:x"), None);
        assert_eq!(scheme("../a:b"), None);
        assert_eq!(scheme("1a:b"), None);
    }

    #[test]
    fn script_handlers_and_dangerous_links_break_the_invariant() {
        for html in [
            "<script>x</script>",
            "<p onclick=\"x()\">a</p>",
            "<a href=\"java&#x09;script:x\">a</a>",
            "<a href=\"DATA:text/html,x\">a</a>",
            "<a href=\" &#1;vbscript:x\">a</a>",
        ] {
            assert!(
                std::panic::catch_unwind(|| safe_html(html, "")).is_err(),
                "{html}"
            );
        }
        safe_html(
            "<p><a href=\"https://a.org/\" title=\"t\">a</a> &lt;script&gt;</p>",
            "",
        );
    }
}
