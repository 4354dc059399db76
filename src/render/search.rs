//! Full-text search over the built site: a Pagefind index of the rendered topic and source
//! pages, made in memory after the render and written with the rest of the output under
//! `pagefind/` (the index, and `pagefind.js` with the WebAssembly that searches it).
//!
//! What a page contributes is chosen by its template: only the elements marked
//! `data-pagefind-body` are indexed, minus those inside `data-pagefind-ignore`; a result's
//! title is the page's first `<h1>` there, and `data-pagefind-meta` adds fields (the built-in
//! templates set `kind`). The built-in `search.js` queries the index from the header of every
//! page. Only `build` makes the index: `serve` renders without it (see `docs/templates.md`).
//!
//! Pagefind reads the pages of one index one at a time, on one core, and that is most of a
//! large build. A large site's index is therefore made in two parts at once: the second
//! goes to `pagefind/part-2/` (its index files only), `pagefind/parts.json` lists it, and
//! `search.js` merges it into the first (Pagefind's `mergeIndex`), which ranks the results
//! of both together. The pages are dealt out in their order, so the parts are the same on
//! every machine whatever its number of cores.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use super::{NOT_FOUND, OutputFile};
use crate::error::{ToolError, ToolResult};

/// Where the index and Pagefind's scripts go in the output.
pub const DIR: &str = "pagefind";

/// The list of the index's further parts, each a directory below [`DIR`], for `search.js`.
pub const PARTS_FILE: &str = "pagefind/parts.json";

/// The indexed HTML from which the index is made in two parts: about half a second of
/// Pagefind's work on one core. A smaller site keeps one index, which the reader's browser
/// loads with one request fewer.
const SPLIT_FROM_BYTES: usize = 4 << 20;

/// How many parts a large site's index is made in. Not the machine's number of cores: the
/// output would then differ from one machine to the next.
const LARGE_SITE_PARTS: usize = 2;

/// What a page contains when its template chooses what is indexed.
const BODY_MARK: &[u8] = b"data-pagefind-body";

/// Indexes the HTML pages among `output` in the site's `language`, in one part or two by
/// the site's size, and returns the files of the search bundle, by path in the output,
/// sorted. A path `output` already has (a static file of the site's own) is left out: the
/// site's file wins, as it does over pages.
///
/// Runs its own small tokio runtimes, so it must not be called from async code.
pub fn index(output: &[OutputFile], language: &str) -> ToolResult<Vec<OutputFile>> {
    let (pages, taken) = in_memory(output);
    index_written(&pages, &taken, &read_from(output), language)
}

/// As [`index`], in `parts` parts whatever the site's size (at most one per page that
/// marks its indexed text, when any does).
pub fn index_in_parts(
    output: &[OutputFile],
    parts: usize,
    language: &str,
) -> ToolResult<Vec<OutputFile>> {
    let (pages, taken) = in_memory(output);
    index_pages(&pages, &taken, &read_from(output), parts, language)
}

/// As [`index`], for an output already written, whose files are at the paths `taken`:
/// `pages` are its pages to index, in their order, and `read` reads one back by path.
pub fn index_written(
    pages: &[IndexedPage],
    taken: &BTreeSet<String>,
    read: &ReadPage<'_>,
    language: &str,
) -> ToolResult<Vec<OutputFile>> {
    let bytes: usize = pages.iter().map(|page| page.bytes).sum();
    let parts = if bytes >= SPLIT_FROM_BYTES {
        LARGE_SITE_PARTS
    } else {
        1
    };
    index_pages(pages, taken, read, parts, language)
}

/// Reads a page of the output back by its path, for the index.
pub type ReadPage<'r> = dyn Fn(&str) -> ToolResult<Vec<u8>> + Sync + 'r;

/// A page to index: where it is in the output, its size, and whether its template marks
/// the indexed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedPage {
    pub path: String,
    pub bytes: usize,
    pub marked: bool,
}

impl IndexedPage {
    /// The page at `path`, whose HTML is `html`, if it goes to the index.
    pub fn of(path: &str, html: &[u8]) -> Option<IndexedPage> {
        is_indexed(path).then(|| IndexedPage {
            path: path.to_string(),
            bytes: html.len(),
            marked: memchr::memmem::find(html, BODY_MARK).is_some(),
        })
    }
}

/// The pages to index among `output`, and the paths it takes.
fn in_memory(output: &[OutputFile]) -> (Vec<IndexedPage>, BTreeSet<String>) {
    let pages = output
        .iter()
        .filter_map(|file| IndexedPage::of(&file.path, &file.bytes))
        .collect();
    let taken = output.iter().map(|file| file.path.clone()).collect();
    (pages, taken)
}

/// Reads the pages of `output` from memory (of two files with one path, the last, as
/// written).
fn read_from(output: &[OutputFile]) -> impl Fn(&str) -> ToolResult<Vec<u8>> + Sync + '_ {
    let by_path: HashMap<&str, &[u8]> = (output.iter())
        .map(|file| (file.path.as_str(), file.bytes.as_slice()))
        .collect();
    move |path| {
        (by_path.get(path).map(|bytes| bytes.to_vec()))
            .ok_or_else(|| failed(format!("no page `{path}` to index")))
    }
}

fn index_pages(
    pages: &[IndexedPage],
    taken: &BTreeSet<String>,
    read: &ReadPage<'_>,
    parts: usize,
    language: &str,
) -> ToolResult<Vec<OutputFile>> {
    // Pagefind reads the working directory when it starts, and panics without one.
    std::env::current_dir().map_err(|e| failed(format!("no working directory: {e}")))?;
    let dealt = deal(pages, parts);
    let built: Vec<ToolResult<Vec<OutputFile>>> = std::thread::scope(|scope| {
        let others: Vec<_> = dealt
            .iter()
            .enumerate()
            .skip(1)
            .map(|(number, part)| scope.spawn(move || index_part(number, part, read, language)))
            .collect();
        let first = index_part(0, &dealt[0], read, language);
        std::iter::once(first)
            .chain(others.into_iter().map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }))
            .collect()
    });
    let mut files = vec![parts_list(dealt.len())];
    for part in built {
        files.extend(part?);
    }
    files.retain(|file| !taken.contains(&file.path));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The pages of each part, dealt out in turn: those that mark their indexed text among
/// themselves, and the others among themselves. Pagefind decides per index whether only
/// marked pages count, so every part must hold marked pages if any part does: with a
/// single marked page, there is a single part.
fn deal(pages: &[IndexedPage], parts: usize) -> Vec<Vec<&IndexedPage>> {
    let marked = pages.iter().filter(|page| page.marked).count();
    let parts = if marked == 1 {
        1
    } else {
        parts.min(pages.len()).max(1)
    };
    let mut dealt = vec![Vec::new(); parts];
    let (mut marked_turn, mut other_turn) = (0, 0);
    for page in pages {
        let turn = if page.marked {
            &mut marked_turn
        } else {
            &mut other_turn
        };
        dealt[*turn % parts].push(page);
        *turn += 1;
    }
    dealt
}

/// `pagefind/parts.json`: the directories of the parts after the first, relative to
/// `pagefind/` (`[]` for a one-part index).
fn parts_list(parts: usize) -> OutputFile {
    let dirs: Vec<String> = (2..=parts)
        .map(|number| format!("{}/", part_dir(number)))
        .collect();
    OutputFile {
        path: PARTS_FILE.to_string(),
        bytes: serde_json::to_vec(&dirs).expect("a list of strings serializes"),
    }
}

/// The directory of part `number` (from 1) below `pagefind/`.
fn part_dir(number: usize) -> String {
    format!("part-{number}")
}

/// Indexes the pages of part `number` (from 0) on a runtime of its own, and places its
/// files: the first part under `pagefind/`, with `pagefind.js`; a further part under
/// `pagefind/part-N/`, its index only (the first part's scripts search it).
fn index_part(
    number: usize,
    pages: &[&IndexedPage],
    read: &ReadPage<'_>,
    language: &str,
) -> ToolResult<Vec<OutputFile>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(format!("cannot start its runtime: {e}")))?;
    let files = runtime.block_on(build(pages, read, language))?;
    let dir = match number {
        0 => DIR.to_string(),
        _ => format!("{DIR}/{}", part_dir(number + 1)),
    };
    files
        .into_iter()
        .filter(|file| match number {
            0 => !is_unused_ui(&file.filename),
            _ => is_index_data(&file.filename),
        })
        .map(|file| {
            let path = output_path(&dir, &file.filename)
                .ok_or_else(|| failed(format!("unexpected file name {:?}", file.filename)))?;
            Ok(OutputFile {
                path,
                bytes: file.contents,
            })
        })
        .collect()
}

fn failed(message: String) -> ToolError {
    ToolError::Search(message)
}

/// The files of one index of `pages`. A page that cannot be read back is an I/O error of
/// its own, naming its file; what Pagefind refuses is a search error.
async fn build(
    pages: &[&IndexedPage],
    read: &ReadPage<'_>,
    language: &str,
) -> ToolResult<Vec<pagefind::api::SyntheticFile>> {
    let config = PagefindServiceConfig::builder()
        // The site's links name `index.html`, so that it works without a web server's
        // directory indexes; the results' links do the same.
        .keep_index_url(true)
        // One index for the whole site, searched from every page whatever its `lang`.
        .force_language(language.to_string())
        .build();
    let mut index = PagefindIndex::new(Some(config)).map_err(|e| failed(format!("{e:#}")))?;
    for page in pages {
        let path = &page.path;
        let bytes = read(path)?;
        let html = String::from_utf8(bytes)
            .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned());
        index
            .add_html_file(Some(path.clone()), None, html)
            .await
            .map_err(|e| failed(format!("indexing `{path}`: {e:#}")))?;
    }
    (index.get_files().await).map_err(|e| failed(format!("{e:#}")))
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

/// Whether `file` is part of an index itself (its entry, metadata, word index, page
/// fragments, filters and the WebAssembly that reads them), which a further part needs;
/// not a script or a style, which only the first part carries.
fn is_index_data(file: &Path) -> bool {
    let name = file.to_str().unwrap_or_default();
    !(name.ends_with(".js") || name.ends_with(".css"))
}

/// `DIR/…` for a file of a bundle at `relative` (a plain relative path).
fn output_path(dir: &str, relative: &Path) -> Option<String> {
    let mut path = dir.to_string();
    for component in relative.components() {
        let Component::Normal(part) = component else {
            return None;
        };
        path.push('/');
        path.push_str(part.to_str()?);
    }
    (path.len() > dir.len()).then_some(path)
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
        index(pages, "en").unwrap()
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

    fn pages_in_parts(pages: &[OutputFile], parts: usize) -> Vec<OutputFile> {
        index_in_parts(pages, parts, "en").unwrap()
    }

    /// The URLs of the pages in the index under `dir`, from its page fragments.
    fn indexed_urls(files: &[OutputFile], dir: &str) -> Vec<String> {
        let prefix = format!("{dir}/fragment/");
        let mut urls: Vec<String> = files
            .iter()
            .filter(|file| file.path.starts_with(&prefix))
            .map(|file| {
                let mut text = String::new();
                std::io::Read::read_to_string(
                    &mut flate2::read::GzDecoder::new(&file.bytes[..]),
                    &mut text,
                )
                .unwrap();
                let json = text.strip_prefix("pagefind_dcd").unwrap();
                let fragment: serde_json::Value = serde_json::from_str(json).unwrap();
                fragment["url"].as_str().unwrap().to_string()
            })
            .collect();
        urls.sort();
        urls
    }

    fn numbered_pages(count: usize, marked: bool) -> Vec<OutputFile> {
        let body = if marked { " data-pagefind-body" } else { "" };
        (0..count)
            .map(|n| {
                page(
                    &format!("sources/s{n}/index.html"),
                    &format!("<main{body}><h1>Page {n}</h1><p>Words of page {n}.</p></main>"),
                )
            })
            .collect()
    }

    #[test]
    fn one_part_is_listed_as_no_further_parts() {
        let files = index_all(&numbered_pages(2, true));
        let list = files.iter().find(|file| file.path == PARTS_FILE).unwrap();
        assert_eq!(list.bytes, b"[]");
        assert!(!paths(&files).iter().any(|p| p.contains("part-")));
    }

    #[test]
    fn a_second_part_holds_every_other_page_and_only_index_files() {
        let pages = numbered_pages(5, true);
        let files = pages_in_parts(&pages, 2);
        let list = files.iter().find(|file| file.path == PARTS_FILE).unwrap();
        assert_eq!(list.bytes, br#"["part-2/"]"#);
        assert_eq!(
            indexed_urls(&files, "pagefind"),
            [
                "/sources/s0/index.html",
                "/sources/s2/index.html",
                "/sources/s4/index.html"
            ]
        );
        assert_eq!(
            indexed_urls(&files, "pagefind/part-2"),
            ["/sources/s1/index.html", "/sources/s3/index.html"]
        );
        let part: Vec<&str> = paths(&files)
            .into_iter()
            .filter_map(|p| p.strip_prefix("pagefind/part-2/"))
            .filter(|p| !p.contains('/'))
            .collect();
        assert!(part.contains(&"pagefind-entry.json"), "{part:?}");
        assert!(part.contains(&"wasm.en.pagefind"), "{part:?}");
        assert!(part.iter().all(|p| !p.ends_with(".js")), "{part:?}");
        assert!(paths(&files).is_sorted());
        assert_eq!(files, pages_in_parts(&pages, 2), "the same bytes again");
    }

    #[test]
    fn marked_and_unmarked_pages_are_dealt_out_apart() {
        // Pagefind indexes the unmarked pages of an index only when none is marked: each
        // part must get marked pages, whatever the order of the pages.
        let mut pages = numbered_pages(2, true);
        pages.insert(1, page("index.html", "<main><h1>Home</h1></main>"));
        let files = pages_in_parts(&pages, 2);
        assert_eq!(indexed_urls(&files, "pagefind"), ["/sources/s0/index.html"]);
        assert_eq!(
            indexed_urls(&files, "pagefind/part-2"),
            ["/sources/s1/index.html"]
        );
    }

    #[test]
    fn a_single_marked_page_keeps_the_index_in_one_part() {
        let mut pages = numbered_pages(1, true);
        pages.extend(numbered_pages(3, false).into_iter().map(|mut page| {
            page.path = page.path.replace("sources/", "other/");
            page
        }));
        let files = pages_in_parts(&pages, 2);
        assert!(!paths(&files).iter().any(|p| p.contains("part-")));
        assert_eq!(indexed_urls(&files, "pagefind"), ["/sources/s0/index.html"]);
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
            output_path(DIR, Path::new("index/en_1.pf_index")).as_deref(),
            Some("pagefind/index/en_1.pf_index")
        );
        assert_eq!(
            output_path("pagefind/part-2", Path::new("wasm.en.pagefind")).as_deref(),
            Some("pagefind/part-2/wasm.en.pagefind")
        );
        assert_eq!(output_path(DIR, Path::new("../x")), None);
        assert_eq!(output_path(DIR, Path::new("/x")), None);
        assert_eq!(output_path(DIR, Path::new("")), None);
    }
}
