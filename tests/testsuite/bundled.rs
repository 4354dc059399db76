//! The fact sheet that ships in `content/`: it must always verify completely.

use crate::support::{Site, bundled_copy, files_below, repo_root};

#[test]
fn bundled_content_checks_clean() {
    let site = Site::empty();
    let run = site.run(&[
        "check",
        "--format",
        "json",
        "--root",
        repo_root().to_str().unwrap(),
    ]);
    run.assert_code(0);
    let report = run.json();
    assert_eq!(report["errors"], 0, "{}", run.stdout);
}

#[test]
fn bundled_content_builds_with_every_quote_verified() {
    let site = bundled_copy();
    site.run(&["build"]).assert_code(0);
    let data: serde_json::Value = serde_json::from_str(&site.read("public/claims.json")).unwrap();
    let topics = data["topics"].as_array().unwrap();
    assert!(topics.len() >= 7, "at least 7 topics");
    let claims: Vec<&serde_json::Value> = topics
        .iter()
        .flat_map(|t| t["claims"].as_array().unwrap())
        .collect();
    assert!(claims.len() >= 35, "at least 35 claims");
    let sources = data["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 5);
    for claim in &claims {
        for citation in claim["citations"].as_array().unwrap() {
            let start = citation["start"].as_u64().unwrap();
            let end = citation["end"].as_u64().unwrap();
            assert!(start < end, "a passage is never empty: {citation}");
        }
    }
    let disputed = claims.iter().filter(|c| c["status"] == "disputed").count();
    assert!(
        disputed > 0,
        "the outlets' disagreements show as disputed claims"
    );
}

/// The bundled site's output, file by file: its path, size and SHA-256. Work on speed must
/// leave every byte as it was, so a change here is a change of output, made on purpose:
/// review it, then accept the new snapshot.
#[test]
fn bundled_output_is_byte_identical_to_its_snapshot() {
    use sha2::{Digest, Sha256};
    let site = bundled_copy();
    site.run(&["build"]).assert_code(0);
    let mut listing = String::new();
    for (path, bytes) in files_below(&site.path().join("public")) {
        let hash: String = Sha256::digest(&bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        listing.push_str(&format!("{hash}  {:>8}  {path}\n", bytes.len()));
    }
    insta::assert_snapshot!(listing);
}
