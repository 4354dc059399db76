//! Markdown rendering of any text: never a panic, and HTML in which a browser finds only
//! the elements and attributes Markdown makes, no script and no event handler, and links
//! only to `http(s):`, `mailto:` or relative targets (never `javascript:`, `data:` or
//! `vbscript:`). The HTML is read with a real HTML parser, as a browser would read it.

use std::borrow::Cow;

use lol_html::html_content::Element;
use lol_html::{ElementContentHandlers, HtmlRewriter, Selector, Settings};

use super::text_of;
use crate::render::markdown::{
    is_safe_link, link_targets, markdown_block, markdown_inline, plain_text,
};

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

/// Schemes that run code or embed a document when followed.
const DANGEROUS_SCHEMES: &[&str] = &["javascript:", "data:", "vbscript:"];

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
        assert!(
            is_safe_link(&target) && !dangerous(&target),
            "link target {target:?} of {text:?}"
        );
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
        let value = html_escape::decode_html_entities(&attribute.value()).into_owned();
        if !ATTRIBUTES.contains(&name.as_str()) {
            problems.push(format!("attribute {name}={value:?} on <{tag}>"));
        } else if name == "href" && (!is_safe_link(&value) || dangerous(&value)) {
            problems.push(format!("link to {value:?}"));
        }
    }
    problems
}

/// Whether a browser would follow `url` as a dangerous scheme: it ignores white space
/// and control characters in it, and case.
fn dangerous(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    DANGEROUS_SCHEMES
        .iter()
        .any(|scheme| cleaned.starts_with(scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_handlers_and_dangerous_links_break_the_invariant() {
        for html in [
            "<script>x</script>",
            "<p onclick=\"x()\">a</p>",
            "<a href=\"java&#x09;script:x\">a</a>",
            "<a href=\"DATA:text/html,x\">a</a>",
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
