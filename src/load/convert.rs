//! From the raw, positioned YAML values to the model: required fields present, values of
//! the right kind, ids that follow the rule. Every problem becomes a diagnostic at the
//! value (or the map missing it), and conversion goes on so one run reports them all.

use super::raw::{
    List, RawCitation, RawClaim, RawCorrection, RawSite, RawSourceMeta, RawTopic, Scalar, Spanned,
    Value,
};
use super::yaml::{LineIndex, span_of};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, closest_name};
use crate::model::{
    Citation, Claim, ClaimId, Correction, Located, RelPath, Review, SiteConfig, Slug, SourceMeta,
    Span, Stance, Topic, check_identifier, suggest_identifier,
};

/// One YAML file being converted: where its values are, and the problems found so far.
pub struct Converter<'a> {
    pub file: &'a RelPath,
    pub text: &'a str,
    pub lines: LineIndex,
    pub diagnostics: &'a mut Diagnostics,
}

impl<'a> Converter<'a> {
    pub fn new(file: &'a RelPath, text: &'a str, diagnostics: &'a mut Diagnostics) -> Self {
        Converter {
            file,
            text,
            lines: LineIndex::new(text),
            diagnostics,
        }
    }

    fn span<T>(&self, value: &Spanned<T>) -> Span {
        span_of(self.file, self.text, &self.lines, &value.at)
    }

    /// A number or boolean as the editor typed it, for "put it in quotes" help: YAML has
    /// already turned `y` into `true` and `007` into `7`, which would be the wrong fix.
    fn written(&self, span: &Span, value: &Scalar) -> Option<String> {
        let parsed = value.as_written()?;
        let typed = self.text.get(span.bytes.clone()).map(str::trim);
        Some(match typed {
            Some(typed) if !typed.is_empty() && !typed.contains(['\n', '"', '\\']) => {
                typed.to_string()
            }
            _ => parsed,
        })
    }

    /// The key `field` of a value written empty (`field:` or `field: ~`): the parser places
    /// such a value at its colon or its `~`, right after the key, so the key is read from
    /// the text just before that position. Falls back to the value's own position.
    fn key_of_empty(&self, value: Span, field: &str) -> Span {
        let at = value.bytes.start.min(self.text.len());
        let before = self.text[..at].trim_end_matches([' ', '\t']);
        let before = before.strip_suffix(':').unwrap_or(before);
        let Some(start) = before.strip_suffix(field).map(str::len) else {
            return value;
        };
        let between = &self.text[start..at];
        let back = between.chars().count();
        if between.contains('\n') || back >= value.column {
            return value;
        }
        Span {
            column: value.column - back,
            bytes: start..start + field.len(),
            ..value
        }
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// A text field, or a diagnostic for any other kind of value.
    fn text(&mut self, field: &str, value: Value) -> Option<Located<String>> {
        let value = value?;
        let span = self.span(&value);
        match value.value {
            Scalar::Text(text) => Some(Located { value: text, span }),
            Scalar::Null => None,
            other => {
                let help = match self.written(&span, &other) {
                    Some(written) => format!("put it in quotes: `{field}: \"{written}\"`"),
                    None => format!("`{field}` takes a single line of text (or a `>` block)"),
                };
                self.push(
                    Diagnostic::error(
                        Code::WrongType,
                        format!("`{field}` must be text, found {}", other.describe()),
                    )
                    .at(span)
                    .label("expected text")
                    .help(help),
                );
                None
            }
        }
    }

    /// An optional text field: absent, empty and blank all mean "not given".
    fn optional_text(&mut self, field: &str, value: Value) -> Option<String> {
        self.text(field, value)
            .map(|located| located.value)
            .filter(|text| !text.trim().is_empty())
    }

    /// A required text field: a diagnostic on `owner` when absent, on the key or the value
    /// when empty or blank.
    fn required_text(
        &mut self,
        field: &str,
        value: Value,
        owner: &Span,
        owner_name: &str,
    ) -> Option<Located<String>> {
        let Some(written) = value else {
            self.push(
                Diagnostic::error(
                    Code::MissingField,
                    format!("this {owner_name} has no `{field}`"),
                )
                .at(owner.clone())
                .label(format!("`{field}` missing here"))
                .help(format!("add `{field}: …` to the {owner_name}")),
            );
            return None;
        };
        let span = self.span(&written);
        if written.value == Scalar::Null {
            let key = self.key_of_empty(span, field);
            self.push(
                Diagnostic::error(Code::EmptyValue, format!("`{field}` is empty"))
                    .at(key)
                    .label("empty")
                    .help(format!("write the {owner_name}'s {field} after `{field}:`")),
            );
            return None;
        }
        let located = self.text(field, Some(written))?;
        if located.value.trim().is_empty() {
            self.push(
                Diagnostic::error(Code::EmptyValue, format!("`{field}` is empty"))
                    .at(located.span)
                    .label("empty")
                    .help(format!("write the {owner_name}'s {field} here")),
            );
            return None;
        }
        Some(located)
    }

    /// A required, non-empty list: a diagnostic on `owner` when absent, on the key or the
    /// list when empty.
    fn required_list<T>(
        &mut self,
        field: &str,
        list: Option<Spanned<Option<Vec<T>>>>,
        owner: &Span,
        owner_name: &str,
    ) -> Vec<T> {
        let Some(list) = list else {
            self.push(
                Diagnostic::error(
                    Code::MissingField,
                    format!("this {owner_name} has no `{field}`"),
                )
                .at(owner.clone())
                .label(format!("`{field}` missing here"))
                .help(format!("add `{field}:` with at least one entry")),
            );
            return Vec::new();
        };
        let span = self.span(&list);
        let (items, span) = match list.value {
            Some(items) => (items, span),
            None => (Vec::new(), self.key_of_empty(span, field)),
        };
        if items.is_empty() {
            self.push(
                Diagnostic::error(Code::EmptyList, format!("`{field}` is empty"))
                    .at(span)
                    .label("no entries")
                    .help(format!(
                        "a {owner_name} needs at least one entry in `{field}`"
                    )),
            );
        }
        items
    }

    pub fn site(&mut self, raw: RawSite) -> SiteConfig {
        let whole = Span::file_start(self.file.clone());
        let title = self.required_text("title", raw.title, &whole, "site");
        let base_url = self.url("base_url", raw.base_url);
        SiteConfig {
            title: title.map(|t| t.value).unwrap_or_default(),
            description: self.optional_text("description", raw.description),
            base_url: base_url.map(|url| ensure_trailing_slash(&url)),
            language: self
                .language("language", raw.language)
                .unwrap_or_else(|| "en".to_string()),
            publisher: self.optional_text("publisher", raw.publisher),
            search: self.switch("search", raw.search).unwrap_or(true),
        }
    }

    /// An optional yes-or-no setting.
    fn switch(&mut self, field: &str, value: Value) -> Option<bool> {
        let value = value?;
        let span = self.span(&value);
        match value.value {
            Scalar::Bool(on) => Some(on),
            Scalar::Null => None,
            other => {
                self.push(
                    Diagnostic::error(
                        Code::WrongType,
                        format!(
                            "`{field}` must be true or false, found {}",
                            other.describe()
                        ),
                    )
                    .at(span)
                    .label("expected true or false")
                    .help(format!(
                        "write `{field}: true` or `{field}: false`, without quotes"
                    )),
                );
                None
            }
        }
    }

    pub fn source_meta(&mut self, raw: RawSourceMeta) -> SourceMeta {
        SourceMeta {
            title: self.optional_text("title", raw.title),
            publisher: self.optional_text("publisher", raw.publisher),
            published: self.date("published", raw.published),
            url: self.url("url", raw.url),
            language: self.language("language", raw.language),
            translated_from: self.language("translated_from", raw.translated_from),
            note: self.optional_text("note", raw.note),
        }
    }

    fn date(&mut self, field: &str, value: Value) -> Option<String> {
        // YAML reads `20251010` or `2025.10` as a number: a date mistyped, not text to quote.
        let value = value.map(|value| match value.value {
            Scalar::Integer(_) | Scalar::Float(_) => {
                let span = self.span(&value);
                let written = self.written(&span, &value.value).unwrap_or_default();
                Spanned {
                    value: Scalar::Text(written),
                    ..value
                }
            }
            _ => value,
        });
        let date = self.text(field, value)?;
        self.iso_date(field, date)
    }

    /// The date if `date` is an ISO date, else a diagnostic at it.
    fn iso_date(&mut self, field: &str, date: Located<String>) -> Option<String> {
        if is_iso_date(date.value.trim()) {
            return Some(date.value.trim().to_string());
        }
        self.push(
            Diagnostic::error(
                Code::InvalidDate,
                format!("`{field}` is not a date: `{}`", date.value),
            )
            .at(date.span)
            .label("expected YYYY-MM-DD")
            .help("write the date as an ISO date, e.g. 2025-10-10"),
        );
        None
    }

    /// An optional language tag: blank means not given, anything but a BCP 47 tag is
    /// refused (it becomes `lang` attributes, JSON-LD and the search index's file names).
    fn language(&mut self, field: &str, value: Value) -> Option<String> {
        let text = self.text(field, value)?;
        let tag = text.value.trim();
        if tag.is_empty() {
            return None;
        }
        if is_language_tag(tag) {
            return Some(tag.to_string());
        }
        let help = match tag.replace('_', "-") {
            dashed if is_language_tag(&dashed) => format!("did you mean `{dashed}`?"),
            _ => "write a BCP 47 language tag, such as `en`, `en-GB` or `uk`".to_string(),
        };
        self.push(
            Diagnostic::error(
                Code::InvalidLanguage,
                format!("`{field}` is not a language tag: `{tag}`"),
            )
            .at(text.span)
            .label("expected a language tag")
            .help(help),
        );
        None
    }

    /// An absolute http(s) URL: anything else (`javascript:`, a relative path) is refused.
    fn url(&mut self, field: &str, value: Value) -> Option<String> {
        let url = self.text(field, value)?;
        let trimmed = url.value.trim();
        if is_web_url(trimmed) {
            return Some(trimmed.to_string());
        }
        self.push(
            Diagnostic::error(
                Code::InvalidUrl,
                format!("`{field}` is not a web address: `{trimmed}`"),
            )
            .at(url.span)
            .label("expected http:// or https://")
            .help("give the full address, starting with https://"),
        );
        None
    }

    pub fn topic(&mut self, slug: Slug, raw: RawTopic) -> Topic {
        let whole = Span::file_start(self.file.clone());
        let title = self.required_text("title", raw.title, &whole, "topic");
        let order = self.order(raw.order);
        let claims = self.required_list("claims", raw.claims, &whole, "topic");
        let review = self.review(raw.reviewed, raw.corrections);
        Topic {
            slug,
            file: self.file.clone(),
            title: title.map(|t| t.value).unwrap_or_default(),
            summary: self.optional_text("summary", raw.summary),
            order,
            claims: claims
                .into_iter()
                .filter_map(|claim| self.claim(claim))
                .collect(),
            review,
        }
    }

    /// `reviewed` and `corrections`, both optional (`corrections:` written empty is none).
    fn review(&mut self, reviewed: Value, corrections: List<RawCorrection>) -> Review {
        let reviewed = self.date("reviewed", reviewed);
        let written = corrections.and_then(|list| list.value).unwrap_or_default();
        let mut corrections: Vec<Correction> = written
            .into_iter()
            .filter_map(|correction| self.correction(correction))
            .collect();
        // Stable: corrections of the same day keep the order they were written in.
        corrections.sort_by(|a, b| a.date.cmp(&b.date));
        Review {
            reviewed,
            corrections,
        }
    }

    fn correction(&mut self, raw: Spanned<RawCorrection>) -> Option<Correction> {
        let owner = self.span(&raw);
        let RawCorrection { date, note } = raw.value;
        let date = self
            .required_text("date", date, &owner, "correction")
            .and_then(|date| self.iso_date("date", date));
        let note = self.required_text("note", note, &owner, "correction");
        Some(Correction {
            date: date?,
            note: note?.value,
        })
    }

    fn order(&mut self, value: Value) -> Option<i64> {
        let value = value?;
        let span = self.span(&value);
        match value.value {
            Scalar::Integer(order) => Some(order),
            Scalar::Null => None,
            other => {
                self.push(
                    Diagnostic::error(
                        Code::WrongType,
                        format!("`order` must be a whole number, found {}", other.describe()),
                    )
                    .at(span)
                    .label("expected a number")
                    .help("e.g. `order: 10`; topics are listed by order, then title"),
                );
                None
            }
        }
    }

    fn claim(&mut self, raw: Spanned<RawClaim>) -> Option<Claim> {
        let owner = self.span(&raw);
        let RawClaim {
            id,
            statement,
            note,
            citations,
            reviewed,
            corrections,
        } = raw.value;
        let id = self
            .required_text("id", id, &owner, "claim")
            .and_then(|id| self.claim_id(id));
        let statement = self.required_text("statement", statement, &owner, "claim");
        let note = self.optional_text("note", note);
        let review = self.review(reviewed, corrections);
        let citations: Vec<Citation> = self
            .required_list("citations", citations, &owner, "claim")
            .into_iter()
            .filter_map(|citation| self.citation(citation))
            .collect();
        Some(Claim {
            id: id?,
            statement: statement?.value,
            note,
            citations: non_empty(citations)?,
            review,
        })
    }

    fn claim_id(&mut self, id: Located<String>) -> Option<Located<ClaimId>> {
        match ClaimId::parse(&id.value) {
            Ok(valid) => Some(Located {
                value: valid,
                span: id.span,
            }),
            Err(problem) => {
                self.push(
                    Diagnostic::error(
                        Code::InvalidId,
                        format!("`{}` is not a valid claim id: {problem}", id.value),
                    )
                    .at(id.span)
                    .label("invalid id")
                    .help(format!(
                        "ids use lowercase letters, digits, `-` and `_`, starting with a letter or digit; e.g. `{}`",
                        suggest_identifier(&id.value)
                    )),
                );
                None
            }
        }
    }

    fn citation(&mut self, raw: Spanned<RawCitation>) -> Option<Citation> {
        let owner = self.span(&raw);
        let RawCitation {
            source,
            quote,
            stance,
            note,
        } = raw.value;
        let source = self.required_text("source", source, &owner, "citation");
        let quote = self.quote(quote, &owner);
        let stance = self.stance(stance);
        let note = self.optional_text("note", note);
        Some(Citation {
            source: source?,
            quote: quote?,
            stance: stance?,
            note,
        })
    }

    /// A quote may be blank here: `verify` reports blank and ellipsis-only quotes.
    fn quote(&mut self, value: Value, owner: &Span) -> Option<Located<String>> {
        match value {
            // `quote:` with nothing after it is an empty quote, which `verify` reports.
            Some(written) if written.value == Scalar::Null => {
                let span = self.span(&written);
                Some(Located {
                    value: String::new(),
                    span: self.key_of_empty(span, "quote"),
                })
            }
            Some(written) if matches!(written.value, Scalar::Text(_)) => {
                self.text("quote", Some(written))
            }
            other => self.required_text("quote", other, owner, "citation"),
        }
    }

    /// `None` only when the stance was written wrong (absent means `supports`).
    fn stance(&mut self, value: Value) -> Option<Stance> {
        let Some(text) = self.text("stance", value) else {
            return Some(Stance::default());
        };
        if let Some(stance) = Stance::parse(text.value.trim()) {
            return Some(stance);
        }
        let names = Stance::ALL.map(Stance::as_str);
        let help = match closest_name(text.value.trim(), names) {
            Some(name) => format!("did you mean `{name}`?"),
            None => "a stance is `supports`, `contradicts` or `context`".to_string(),
        };
        self.push(
            Diagnostic::error(
                Code::UnknownStance,
                format!("unknown stance `{}`", text.value),
            )
            .at(text.span)
            .label("not a stance")
            .help(help),
        );
        None
    }
}

/// Whether `line` is the entry `field:` with no value: nothing, a comment, `~` or `null`.
fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

fn ensure_trailing_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// `YYYY-MM-DD` with a month 1–12 and a day valid for that month.
pub fn is_iso_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return false;
    }
    let (year, month, day): (u32, u32, u32) = match (year.parse(), month.parse(), day.parse()) {
        (Ok(y), Ok(m), Ok(d)) => (y, m, d),
        _ => return false,
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// An absolute `http://` or `https://` address with a host and no white space.
pub fn is_web_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !text.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// A BCP 47 language tag by its shape: subtags of 1–8 ASCII letters or digits joined by
/// `-`, the first of letters only (`en`, `en-GB`, `zh-Hant-TW`, `x-klingon`).
pub fn is_language_tag(text: &str) -> bool {
    let subtag =
        |s: &str| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric());
    let mut subtags = text.split('-');
    let first = subtags.next().unwrap_or_default();
    subtag(first) && first.bytes().all(|b| b.is_ascii_alphabetic()) && subtags.all(subtag)
}

/// Checks a file stem against the id rule, for source ids and topic slugs.
pub fn stem_problem(stem: &str) -> Option<String> {
    check_identifier(stem)
        .err()
        .map(|problem| problem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::raw::RawTopic;

    fn problems_of(text: &str) -> Vec<(Code, usize, usize)> {
        let file = RelPath::from_slash("t.yaml");
        let raw: RawTopic = crate::load::yaml::parse(&file, text).unwrap();
        let mut diagnostics = Diagnostics::default();
        Converter::new(&file, text, &mut diagnostics).topic(Slug::parse("t").unwrap(), raw);
        diagnostics
            .iter()
            .map(|d| {
                (
                    d.code,
                    d.span.as_ref().unwrap().line,
                    d.span.as_ref().unwrap().column,
                )
            })
            .collect()
    }

    #[test]
    fn keys_written_without_a_value_are_empty_at_the_key() {
        let claim = |rest: &str| format!("title: T\nclaims:\n  - id: a\n{rest}");
        let cited = "    citations:\n      - source: s\n        quote: q\n";
        assert_eq!(
            problems_of(&claim(&format!("    statement:\n{cited}"))),
            [(Code::EmptyValue, 4, 5)]
        );
        assert_eq!(
            problems_of(&claim(&format!("    statement: ~  # later\n{cited}"))),
            [(Code::EmptyValue, 4, 5)]
        );
        assert_eq!(
            problems_of(&claim("    statement: s\n    citations:\n")),
            [(Code::EmptyList, 5, 5)]
        );
        assert_eq!(
            problems_of(
                "title: T\nclaims: [{id: a, statement: , citations: [{source: s, quote: q}]}]\n"
            ),
            [(Code::EmptyValue, 2, 18)]
        );
        assert_eq!(
            problems_of(&claim("    citations: []\n")),
            [(Code::MissingField, 3, 5), (Code::EmptyList, 4, 16)]
        );
    }

    #[test]
    fn corrections_are_sorted_by_date_keeping_file_order_within_a_day() {
        let file = RelPath::from_slash("t.yaml");
        let text = "title: T\nreviewed: 2025-10-11\ncorrections:\n  - {date: 2025-10-12, note: b}\n  - {date: 2025-10-01, note: a}\n  - {date: 2025-10-12, note: c}\nclaims:\n  - id: a\n    statement: s\n    citations:\n      - {source: s, quote: q}\n";
        let raw: RawTopic = crate::load::yaml::parse(&file, text).unwrap();
        let mut diagnostics = Diagnostics::default();
        let topic =
            Converter::new(&file, text, &mut diagnostics).topic(Slug::parse("t").unwrap(), raw);
        assert!(diagnostics.is_empty());
        assert_eq!(topic.review.reviewed.as_deref(), Some("2025-10-11"));
        let notes: Vec<&str> = topic
            .review
            .corrections
            .iter()
            .map(|c| c.note.as_str())
            .collect();
        assert_eq!(notes, ["a", "b", "c"]);
        assert_eq!(topic.claims[0].review, Review::default());
    }

    #[test]
    fn iso_dates() {
        assert!(is_iso_date("2025-10-10"));
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2025-02-29"));
        assert!(!is_iso_date("2025-13-01"));
        assert!(!is_iso_date("10/10/2025"));
        assert!(!is_iso_date("2025-1-1"));
    }

    #[test]
    fn web_urls() {
        assert!(is_web_url("https://example.org/a?b#c"));
        assert!(is_web_url("HTTP://example.org"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("/relative"));
        assert!(!is_web_url("https://exa mple.org"));
    }

    #[test]
    fn language_tags() {
        for tag in [
            "en",
            "en-GB",
            "zh-Hant-TW",
            "es-419",
            "x-klingon",
            "i-navajo",
        ] {
            assert!(is_language_tag(tag), "{tag}");
        }
        for text in [
            "",
            "en_GB",
            "English language",
            "../x",
            "en-",
            "-en",
            "1en",
            "en<b>",
            "abcdefghi",
        ] {
            assert!(!is_language_tag(text), "{text}");
        }
    }
}
