//! `factsheet init`: a new, working site — settings, one source, one topic citing it, and
//! the built-in templates and stylesheet to start a theme from.

use std::fs;
use std::path::Path;

use crate::error::{ToolError, ToolResult};
use crate::render::templates::{BUILTIN_STATIC, BUILTIN_TEMPLATES};

const SITE_YAML: &str = "\
# yaml-language-server: $schema=https://factsheet.invalid/schema/site.schema.json
title: My fact sheet
description: |
  What this fact sheet checks, and how to read it.
language: en
";

const SOURCE_TXT: &str = "\
The town council voted on Tuesday to reopen the Riverside library in March.
Councillor Ana Ruiz said the building had been “closed for far too long” and that
repairs to the roof would cost 120,000 euros.
The vote passed by seven votes to two.
";

const SOURCE_YAML: &str = "\
# yaml-language-server: $schema=https://factsheet.invalid/schema/source.schema.json
title: Council votes to reopen Riverside library
published: 2025-03-04
note: An example source. Replace it with the documents your fact sheet checks.
";

const TOPIC_YAML: &str = "\
# yaml-language-server: $schema=https://factsheet.invalid/schema/topic.schema.json
title: The library vote
summary: What the council decided about the Riverside library.
order: 10
claims:
  - id: library-reopens
    statement: The council voted to reopen the Riverside library in March.
    citations:
      - source: example
        quote: \"voted on Tuesday to reopen the Riverside library in March\"
        stance: supports
  - id: vote-count
    statement: The vote passed seven to two.
    note: Find more passages with `factsheet find PHRASE`.
    citations:
      - source: example
        quote: \"passed by seven votes to two\"
";

/// The files of a new site, by path.
pub fn starter_files() -> Vec<(String, Vec<u8>)> {
    let schema_base = "https://factsheet.invalid/schema/";
    let local = |text: &str| text.replace(schema_base, "../../schema/").into_bytes();
    let mut files = vec![
        (
            "content/site.yaml".to_string(),
            SITE_YAML.replace(schema_base, "../schema/").into_bytes(),
        ),
        (
            "content/sources/example.txt".to_string(),
            SOURCE_TXT.as_bytes().to_vec(),
        ),
        (
            "content/sources/example.yaml".to_string(),
            local(SOURCE_YAML),
        ),
        ("content/topics/library.yaml".to_string(), local(TOPIC_YAML)),
    ];
    files.extend(
        BUILTIN_TEMPLATES
            .iter()
            .map(|(name, text)| (format!("templates/{name}"), text.as_bytes().to_vec())),
    );
    files.extend(
        BUILTIN_STATIC
            .iter()
            .map(|(name, bytes)| (format!("static/{name}"), bytes.to_vec())),
    );
    files.extend(
        crate::schema::schema_files()
            .into_iter()
            .map(|(name, text)| (format!("schema/{name}"), text.into_bytes())),
    );
    files
}

/// Creates a new site in `dir`, which must not exist or be empty.
pub fn init(dir: &Path) -> ToolResult<usize> {
    if let Ok(mut entries) = fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(ToolError::Usage(format!(
                "`{}` is not empty; `factsheet init` only creates a site in a new or empty directory",
                dir.display()
            )));
        }
    } else if dir.exists() {
        return Err(ToolError::Usage(format!(
            "`{}` exists and is not a directory",
            dir.display()
        )));
    }
    let files = starter_files();
    for (path, bytes) in &files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).map_err(ToolError::write(parent))?;
        }
        fs::write(&full, bytes).map_err(ToolError::write(&full))?;
    }
    Ok(files.len())
}
