//! Full-text search over the built site: a Pagefind index of the rendered topic and source
//! pages, made in memory after the render and written with the rest of the output under
//! `pagefind/` (the index, and `pagefind.js` with the WebAssembly that searches it).
//!
//! What a page contributes is chosen by its template: only the elements marked
//! `data-pagefind-body` are indexed, minus those inside `data-pagefind-ignore`; a result's
//! title is the page's first `<h1>` there, and `data-pagefind-meta` adds fields (the built-in
//! templates set `kind`). The built-in `search.js` queries the index from the header of every
//! page. Only `build` makes the index: `serve` renders without it (see `docs/templates.md`).

use std::collections::BTreeSet;
use std::path::{Component, Path};
use std::sync::atomic::{AtomicBool, Ordering};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use super::{NOT_FOUND, OutputFile};
use crate::error::{ToolError, ToolResult};

/// Where the index and Pagefind's scripts go in the output.
pub const DIR: &str = "pagefind";

/// Indexes the HTML pages among `output` in the site's `language` and returns the files of
/// the search bundle, by path in the output, sorted. A path `output` already has (a static
/// file of the site's own) is left out: the site's file wins, as it does over pages.
/// Once `stop` is set (the build failed meanwhile), it stops after the page at hand and
/// returns `None`.
///
/// Runs its own small tokio runtime, so it must not be called from async code.
pub fn index(
    output: &[OutputFile],
    language: &str,
    stop: &AtomicBool,
) -> ToolResult<Option<Vec<OutputFile>>> {
    // Pagefind reads the working directory when it starts, and panics without one.
    std::env::current_dir().map_err(|e| failed(format!("no working directory: {e}")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(format!("cannot start its runtime: {e}")))?;
    let Some(mut files) = runtime
        .block_on(build(output, language, stop))
        .map_err(failed)?
    else {
        return Ok(None);
    };
    let taken: BTreeSet<&str> = output.iter().map(|file| file.path.as_str()).collect();
    files.retain(|file| !taken.contains(file.path.as_str()));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Some(files))
}

fn failed(message: String) -> ToolError {
    ToolError::Search(message)
}

async fn build(
    output: &[OutputFile],
    language: &str,
    stop: &AtomicBool,
) -> Result<Option<Vec<OutputFile>>, String> {
    let config = PagefindServiceConfig::builder()
        // The site's links name `index.html`, so that it works without a web server's
        // directory indexes; the results' links do the same.
        .keep_index_url(true)
        // One index for the whole site, searched from every page whatever its `lang`.
        .force_language(language.to_string())
        .build();
    let mut index = PagefindIndex::new(Some(config)).map_err(|e| format!("{e:#}"))?;
    for page in output.iter().filter(|file| is_indexed(&file.path)) {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let html = String::from_utf8_lossy(&page.bytes).into_owned();
        index
            .add_html_file(Some(page.path.clone()), None, html)
            .await
            .map_err(|e| format!("indexing `{}`: {e:#}", page.path))?;
    }
    let files = index.get_files().await.map_err(|e| format!("{e:#}"))?;
    let files = files
        .into_iter()
        .filter(|file| !is_unused_ui(&file.filename))
        .map(|file| {
            let path = output_path(&file.filename)
                .ok_or_else(|| format!("unexpected file name {:?}", file.filename))?;
            Ok(OutputFile {
                path,
                bytes: file.contents,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Some(files))
}

/// Whether the page at `path` goes to the index: every HTML page but the one a server
/// sends for missing addresses, which is no content of its own.
fn is_indexed(path: &str) -> bool {
    path.ends_with(".html") && path != NOT_FOUND
}

/// Whether `file` is one of Pagefind's ready-made UIs (and the highlighter they use), which
/// the site does not load: its own `search.js` uses `pagefind.js` directly. Left out, they
/// would be more than half of the bundle. Everything else is kept, whatever a later
/// Pagefind adds for `pagefind.js` to load.
fn is_unused_ui(file: &Path) -> bool {
    let name = file.to_str().unwrap_or_default();
    [
        "pagefind-ui.",
        "pagefind-modular-ui.",
        "pagefind-component-ui.",
        "pagefind-highlight.",
    ]
    .iter()
    .any(|ui| name.starts_with(ui))
}

/// `pagefind/…` for a file of the bundle at `relative` (a plain relative path).
fn output_path(relative: &Path) -> Option<String> {
    let mut path = DIR.to_string();
    for component in relative.components() {
        let Component::Normal(part) = component else {
            return None;
        };
        path.push('/');
        path.push_str(part.to_str()?);
    }
    (path.len() > DIR.len()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, body: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            bytes: format!(
                "<!doctype html><html lang=\"en\"><head><title>T</title></head><body>\
                 <nav>Navigation words</nav>{body}</body></html>"
            )
            .into_bytes(),
        }
    }

    fn index_all(pages: &[OutputFile]) -> Vec<OutputFile> {
        index(pages, "en", &AtomicBool::new(false))
            .unwrap()
            .expect("not stopped")
    }

    fn paths(files: &[OutputFile]) -> Vec<&str> {
        files.iter().map(|file| file.path.as_str()).collect()
    }

    #[test]
    fn the_bundle_goes_under_pagefind_with_an_index_and_the_library() {
        let pages = [page(
            "topics/a/index.html",
            "<main data-pagefind-body><h1>Alpha</h1><p>Orchard apples.</p></main>",
        )];
        let files = index_all(&pages);
        let paths = paths(&files);
        for expected in ["pagefind/pagefind.js", "pagefind/pagefind-entry.json"] {
            assert!(paths.contains(&expected), "{expected} in {paths:?}");
        }
        for dir in ["pagefind/index/", "pagefind/fragment/"] {
            assert!(
                paths.iter().any(|p| p.starts_with(dir)),
                "{dir} in {paths:?}"
            );
        }
        assert!(paths.iter().all(|p| p.starts_with("pagefind/")));
        assert!(!paths.contains(&"pagefind/pagefind-ui.js"), "{paths:?}");
        assert!(paths.is_sorted());
    }

    #[test]
    fn the_same_pages_give_the_same_bytes() {
        let pages = [
            page(
                "topics/a/index.html",
                "<main data-pagefind-body><h1>A</h1><p>One two three.</p></main>",
            ),
            page(
                "sources/b/index.html",
                "<main data-pagefind-body><h1>B</h1><p>Four five six.</p></main>",
            ),
        ];
        assert_eq!(index_all(&pages), index_all(&pages));
    }

    #[test]
    fn a_site_file_of_the_same_path_wins() {
        let mut pages = vec![page(
            "topics/a/index.html",
            "<main data-pagefind-body><h1>A</h1><p>Words.</p></main>",
        )];
        pages.push(OutputFile {
            path: "pagefind/pagefind.js".to_string(),
            bytes: b"// the site's own".to_vec(),
        });
        let files = index_all(&pages);
        assert!(!paths(&files).contains(&"pagefind/pagefind.js"));
    }

    #[test]
    fn a_stopped_index_gives_no_files() {
        let pages = [page(
            "topics/a/index.html",
            "<main data-pagefind-body><h1>A</h1><p>Words.</p></main>",
        )];
        assert_eq!(index(&pages, "en", &AtomicBool::new(true)).unwrap(), None);
    }

    #[test]
    fn the_not_found_page_and_other_files_are_not_indexed() {
        assert!(is_indexed("topics/a/index.html"));
        assert!(is_indexed("index.html"));
        assert!(!is_indexed(NOT_FOUND));
        assert!(!is_indexed("claims.json"));
        assert!(!is_indexed("style.css"));
    }

    #[test]
    fn bundle_paths_stay_inside_the_directory() {
        assert_eq!(
            output_path(Path::new("index/en_1.pf_index")).as_deref(),
            Some("pagefind/index/en_1.pf_index")
        );
        assert_eq!(output_path(Path::new("../x")), None);
        assert_eq!(output_path(Path::new("/x")), None);
        assert_eq!(output_path(Path::new("")), None);
    }
}
