//! Sizes no sane site reaches get one clear error at the file (or the claim) that
//! crosses the limit, exit 1, and no output: never an out-of-memory. The limits are in
//! `docs/security.md`.

use std::fs::OpenOptions;

use crate::support::Site;

const MIB: u64 = 1 << 20;

/// `site` with the file at `path` grown to `size` bytes (sparse: it costs no disk).
fn grown(site: Site, path: &str, size: u64) -> Site {
    let file = OpenOptions::new()
        .write(true)
        .open(site.path().join(path))
        .expect("the file exists");
    file.set_len(size).expect("a sparse file");
    site
}

#[test]
fn a_source_over_50_mb_is_refused_before_it_is_read() {
    let site = grown(Site::new(), "content/sources/article.txt", 50 * MIB + 1);
    let run = site.check_json();
    run.assert_code(1);
    let error = run.assert_at("file-too-large", "content/sources/article.txt", 1);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("52428801 bytes") && message.contains("at most 50 MB"),
        "{message}"
    );
    assert!(error["help"].as_str().unwrap().contains("split it"));
    // The citing claim is not also reported against a source that could not be read.
    assert_eq!(run.diagnostics().len(), 1, "{:#?}", run.diagnostics());

    let build = site.run(&["build"]);
    build.assert_code(1);
    assert!(!site.exists("public"), "nothing is written");
}

#[test]
fn a_yaml_file_over_10_mb_is_refused_before_it_is_read() {
    let site = grown(Site::new(), "content/topics/main.yaml", 10 * MIB + 1);
    let run = site.check_json();
    run.assert_code(1);
    let error = run.assert_at("file-too-large", "content/topics/main.yaml", 1);
    assert!(
        error["message"].as_str().unwrap().contains("at most 10 MB"),
        "{error}"
    );
}

#[test]
fn more_than_100_000_claims_are_refused_at_the_first_claim_past_the_limit() {
    // Two topics: the limit is the site's, not a file's. `a` sorts first.
    let claims = |prefix: &str, count: usize| {
        let mut yaml = format!("title: {prefix}\nclaims:\n");
        for n in 0..count {
            yaml.push_str(&format!(
                "  - id: {prefix}{n}\n    statement: S.\n    citations:\n      - source: article\n        quote: eight children\n"
            ));
        }
        yaml
    };
    let site = Site::new()
        .remove("content/topics/main.yaml")
        .file("content/topics/a.yaml", &claims("a", 60_000))
        .file("content/topics/b.yaml", &claims("b", 40_001));
    let run = site.check_json();
    run.assert_code(1);
    // Claim 100,001 is the last of `b`: its id on line 2 + 5 * 40,000 + 1.
    let error = run.assert_at("too-many-claims", "content/topics/b.yaml", 200_003);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("the site has 100001 claims; a site may have at most 100000"),
        "{error}"
    );
}
