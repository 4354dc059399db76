//! Text from the content made safe to print on a terminal.
//!
//! Ids, values, file names and source texts come from files anyone may have written, and
//! reach the terminal inside diagnostics. A terminal interprets some characters: an escape
//! sequence (which starts with a control character) can recolour, clear or retitle it, or
//! make it answer; a bidi override can reorder the rest of the line so that it reads as
//! something else; a line break can forge a line of the report. Such characters are
//! written as escapes (`\u{1b}`, `\n`), as Rust's `escape_debug` writes them, so the
//! reader sees them for what they are.

use std::borrow::Cow;

/// Whether a terminal would act on `c` rather than show it: every control character
/// (C0, DEL, C1), the bidi marks, embeddings, overrides and isolates, and the line and
/// paragraph separators.
pub fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `text` with every character a terminal acts on written as an escape; borrowed when
/// there is none (the common case).
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if acts_on_terminal(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_controls_are_written_out() {
        assert_eq!(printable("\u{1b}[2Jwipe"), "\\u{1b}[2Jwipe");
        assert_eq!(printable("a\u{9b}31m"), "a\\u{9b}31m");
        assert_eq!(printable("\u{1b}]0;title\u{7}"), "\\u{1b}]0;title\\u{7}");
        assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(printable("line\nbreak\ttab"), "line\\nbreak\\ttab");
    }

    #[test]
    fn everything_else_is_kept_as_it_is() {
        let text = "Ünïcode “quotes” — 日本語 <b>&amp;</b> \\u{1b} emoji 🙂";
        assert!(matches!(printable(text), Cow::Borrowed(t) if t == text));
    }
}
