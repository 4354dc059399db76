//! JSON Schemas of the content files, generated from the very types the loader
//! deserialises, so editors get completion and validation for what factsheet accepts.
//! The repository commits them in `schema/`; a test keeps them in step with the code.

use schemars::schema_for;

use crate::load::raw::{RawSite, RawSourceMeta, RawTopic};

/// `(file name, JSON)` of each schema.
pub fn schema_files() -> Vec<(&'static str, String)> {
    let pretty = |schema: schemars::Schema| {
        let mut text = serde_json::to_string_pretty(&schema).expect("a schema is JSON");
        text.push('\n');
        text
    };
    vec![
        ("site.schema.json", pretty(schema_for!(RawSite))),
        ("source.schema.json", pretty(schema_for!(RawSourceMeta))),
        ("topic.schema.json", pretty(schema_for!(RawTopic))),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed schemas (which editors' YAML plugins read) match the code.
    #[test]
    fn committed_schemas_are_up_to_date() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
        for (name, generated) in schema_files() {
            let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            assert!(
                committed == generated,
                "schema/{name} is out of date: run `cargo run -- schema --output schema` and commit the result"
            );
        }
    }

    #[test]
    fn topic_schema_requires_what_the_loader_requires() {
        let topic: serde_json::Value = serde_json::from_str(&schema_files()[2].1).unwrap();
        assert_eq!(topic["required"], serde_json::json!(["title", "claims"]));
        assert_eq!(topic["additionalProperties"], false);
        let claim = &topic["$defs"]["RawClaim"];
        assert_eq!(
            claim["required"],
            serde_json::json!(["id", "statement", "citations"])
        );
        let citation = &topic["$defs"]["RawCitation"];
        assert_eq!(citation["required"], serde_json::json!(["source", "quote"]));
        let correction = &topic["$defs"]["RawCorrection"];
        assert_eq!(correction["required"], serde_json::json!(["date", "note"]));
        assert_eq!(correction["additionalProperties"], false);
    }

    /// `reviewed` and `corrections` are optional on topics and claims: files without them
    /// stay valid.
    #[test]
    fn review_fields_are_optional_dates() {
        let topic: serde_json::Value = serde_json::from_str(&schema_files()[2].1).unwrap();
        for object in [&topic, &topic["$defs"]["RawClaim"]] {
            let properties = &object["properties"];
            assert_eq!(
                properties["reviewed"]["pattern"], r"^\d{4}-\d{2}-\d{2}$",
                "{object}"
            );
            assert!(properties["corrections"]["items"]["$ref"].is_string());
            let required = object["required"].as_array().unwrap();
            assert!(
                !required
                    .iter()
                    .any(|key| key == "reviewed" || key == "corrections")
            );
        }
    }
}
