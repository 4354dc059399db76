//! Provenance across builds: each build records the SHA-256 of every source text in its
//! `claims.json`; the next `check` or `build` compares the texts on disk with those
//! hashes. A source whose text changed still verifies when its quotes are still in it,
//! but the words around them may have changed under the claims: that is a warning
//! (`source-changed`) naming the claims to re-read.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::Span;
use crate::render::{CLAIMS_JSON, data};
use crate::verify::VerifiedSite;

/// A warning for every source of `site` whose hash differs from the one the build in
/// `previous_output` recorded. Nothing when there is no readable previous `claims.json`
/// (a first build, or an output written by something else), and nothing for sources
/// that are new since.
pub fn changed_sources(site: &VerifiedSite, previous_output: &Path) -> Diagnostics {
    let mut warnings = Diagnostics::default();
    let Some(recorded) = std::fs::File::open(previous_output.join(CLAIMS_JSON))
        .ok()
        .and_then(|file| data::recorded_hashes(std::io::BufReader::new(file)))
    else {
        return warnings;
    };
    // Which claims cite which source is only needed once a source has changed.
    let mut citing = None;
    for source in &site.sources {
        let Some(before) = recorded.get(source.id.as_str()) else {
            continue;
        };
        if *before == source.sha256 {
            continue;
        }
        let claims = citing
            .get_or_insert_with(|| citing_claims(site))
            .get(source.id.as_str())
            .map_or(&[][..], Vec::as_slice);
        warnings.push(
            Diagnostic::warning(
                Code::SourceChanged,
                format!(
                    "the text of source `{}` changed since the last build (SHA-256 {} then, {} now)",
                    source.id,
                    short(before),
                    short(&source.sha256)
                ),
            )
            .at(Span::file_start(source.file.clone()))
            .label("changed since the last build")
            .source(&source.id)
            .help(help(claims)),
        );
    }
    warnings
}

/// The ids of the claims citing each source, in site order.
fn citing_claims(site: &VerifiedSite) -> BTreeMap<&str, Vec<&str>> {
    let mut citing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for claim in site.topics.iter().flat_map(|topic| &topic.claims) {
        for citation in &claim.citations {
            let claims = citing.entry(citation.source.as_str()).or_default();
            if claims.last() != Some(&claim.id.as_str()) {
                claims.push(claim.id.as_str());
            }
        }
    }
    citing
}

fn help(claims: &[&str]) -> String {
    let recorded = "the next `build` records the new text";
    match claims {
        [] => format!("no claim cites it; {recorded}"),
        _ => format!(
            "re-read the claim{} citing it ({}): a quote can still be found while the words around it changed; {recorded}",
            if claims.len() == 1 { "" } else { "s" },
            claims
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The first 12 hexadecimal digits: enough to tell two hashes apart at a glance.
fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_names_the_claims_to_re_read() {
        assert_eq!(
            help(&["a", "b"]),
            "re-read the claims citing it (`a`, `b`): a quote can still be found while the words around it changed; the next `build` records the new text"
        );
        assert!(help(&[]).starts_with("no claim cites it"));
    }

    #[test]
    fn hashes_are_shortened_safely() {
        assert_eq!(short("0123456789abcdef"), "0123456789ab");
        assert_eq!(short("abc"), "abc");
        // Byte 12 falls inside `é`: no panic, the whole text.
        assert_eq!(short("aéééééééé"), "aéééééééé");
    }
}
