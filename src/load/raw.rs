//! The content files exactly as written, deserialised with their positions.
//!
//! Every field is optional here and every scalar is a [`Scalar`], so that a missing field
//! or a number where text belongs is reported at its own position by `load::convert`
//! instead of stopping the whole file at the first mistake. Unknown keys are refused by
//! serde (`deny_unknown_fields`): a typo must not pass silently. These types also give
//! the JSON Schema of the files (the `schemars` attributes say what the file must hold);
//! each struct lists its required keys with `extend("required" = …)`, because the
//! `serde(default)` that lets the loader report a missing key itself makes schemars see
//! every field as optional.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Location;

/// Where the YAML parser found a value: its 1-based line and column, and its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
    pub offset: Option<u64>,
    pub len: Option<u64>,
}

impl From<&Location> for Pos {
    fn from(location: &Location) -> Self {
        Pos {
            line: location.line(),
            column: location.column(),
            offset: location.span().byte_offset(),
            len: location.span().byte_len(),
        }
    }
}

/// A value and where it was written (where it is used, for a YAML alias).
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub at: Pos,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(Spanned {
            value: spanned.value,
            at: Pos::from(&spanned.referenced),
        })
    }
}

/// Any YAML value where a scalar belongs, keeping what kind of value it really was.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    Null,
    List,
    Map,
}

impl Scalar {
    /// What an editor would call this value, for "expected text, found …".
    pub fn describe(&self) -> String {
        match self {
            Scalar::Text(_) => "text".to_string(),
            Scalar::Integer(n) => format!("a number ({n})"),
            Scalar::Float(n) => format!("a number ({n})"),
            Scalar::Bool(b) => format!("a boolean ({b})"),
            Scalar::Null => "an empty value".to_string(),
            Scalar::List => "a list".to_string(),
            Scalar::Map => "a map".to_string(),
        }
    }

    /// The value as YAML would read it back as text, for "put it in quotes" help.
    pub fn as_written(&self) -> Option<String> {
        match self {
            Scalar::Integer(n) => Some(n.to_string()),
            Scalar::Float(n) => Some(n.to_string()),
            Scalar::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Integer(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(i64::try_from(v).map_or(Scalar::Float(v as f64), Scalar::Integer))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::List)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Map)
    }
}

/// A scalar with its position; `None` only when the key is not written at all.
pub type Value = Option<Spanned<Scalar>>;

/// A list with its position; `Some` with no list when the key is written with nothing after it.
pub type List<T> = Option<Spanned<Option<Vec<Spanned<T>>>>>;

/// A field's value whenever its key is written, `key:` with nothing after it included:
/// a plain `Option` would read that as an absent key and lose where it was written.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Spanned<T>>, D::Error> {
    Spanned::<T>::deserialize(deserializer).map(Some)
}

/// `content/site.yaml`: the site's settings.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "factsheet site settings (content/site.yaml)")]
#[schemars(extend("required" = ["title"]))]
pub struct RawSite {
    /// The site's name.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", length(min = 1))]
    pub title: Value,
    /// Markdown shown on the index page.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>")]
    pub description: Value,
    /// Absolute URL the site is published under, e.g. https://example.org/facts/
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>", url)]
    pub base_url: Value,
    /// BCP 47 language tag of the site (default en).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>")]
    pub language: Value,
    /// The organisation publishing the fact sheet.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>")]
    pub publisher: Value,
    /// Whether `build` makes a full-text search index (default true).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<bool>")]
    pub search: Value,
}

/// `content/sources/<id>.yaml`: what the source states or the editor knows; never invented.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "factsheet source metadata (content/sources/<id>.yaml)")]
pub struct RawSourceMeta {
    /// The headline.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>")]
    pub title: Value,
    /// The outlet's name.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>")]
    pub publisher: Value,
    /// Publication date, ISO 8601 (YYYY-MM-DD).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub published: Value,
    /// The original article's address (http or https).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>", url)]
    pub url: Value,
    /// BCP 47 language tag of the text.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>")]
    pub language: Value,
    /// Language the text was translated from, when it is a translation.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>")]
    pub translated_from: Value,
    /// Markdown: the editor's remark on this source.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>")]
    pub note: Value,
}

/// `content/topics/<slug>.yaml`: one topic, one page of claims.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "factsheet topic (content/topics/<slug>.yaml)")]
#[schemars(extend("required" = ["title", "claims"]))]
pub struct RawTopic {
    /// The topic's title.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", length(min = 1))]
    pub title: Value,
    /// Markdown shown above the claims.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>")]
    pub summary: Value,
    /// The index sorts topics by order, then title.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<i64>")]
    pub order: Value,
    /// The claims of this topic: at least one.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Vec<RawClaim>", length(min = 1))]
    pub claims: List<RawClaim>,
    /// When the topic was last reviewed, ISO 8601 (YYYY-MM-DD); its claims without their own date share it.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub reviewed: Value,
    /// The corrections made to the topic after publication.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<Vec<RawCorrection>>")]
    pub corrections: List<RawCorrection>,
}

/// A statement and the passages of the sources that support, contradict or give context to it.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("required" = ["id", "statement", "citations"]))]
pub struct RawClaim {
    /// Unique across the whole site: lowercase letters, digits, `-` and `_`.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9][a-z0-9_-]*$"))]
    pub id: Value,
    /// One sentence, Markdown.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", length(min = 1))]
    pub statement: Value,
    /// Markdown: the editor's context.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>")]
    pub note: Value,
    /// At least one citation.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Vec<RawCitation>", length(min = 1))]
    pub citations: List<RawCitation>,
    /// When the claim was last reviewed, ISO 8601 (YYYY-MM-DD); default: its topic's.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub reviewed: Value,
    /// The corrections made to the claim after publication.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<Vec<RawCorrection>>")]
    pub corrections: List<RawCorrection>,
}

/// One entry of a corrections log.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("required" = ["date", "note"]))]
pub struct RawCorrection {
    /// When the correction was made, ISO 8601 (YYYY-MM-DD).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub date: Value,
    /// Markdown: what was wrong and what changed.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", length(min = 1))]
    pub note: Value,
}

/// How a citation relates to its claim.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)] // only its schema is used; stances are parsed from a `Scalar`
pub enum RawStance {
    Supports,
    Contradicts,
    Context,
}

/// A passage of a source, quoted exactly.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("required" = ["source", "quote"]))]
pub struct RawCitation {
    /// A source id: the file stem of content/sources/<id>.txt.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9][a-z0-9_-]*$"))]
    pub source: Value,
    /// A passage of that source, word for word (`...` elides words).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", length(min = 1))]
    pub quote: Value,
    /// supports (default), contradicts or context.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<RawStance>")]
    pub stance: Value,
    /// Markdown.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<String>")]
    pub note: Value,
}
