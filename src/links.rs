//! The internal links of the built site, checked in memory before anything is written.
//!
//! Every URL attribute of every HTML page (`href`, `src`, `srcset`, `<form action>`…) that
//! points inside the site must name a file of the output, and its `#fragment` an `id` (or
//! `<a name>`) of the page it names. Links with a scheme (`https:`, `mailto:`) lead
//! elsewhere and are not followed, except those under the site's own `base_url`
//! (canonical and sharing URLs), which are checked like the others. Relative links resolve
//! against the page's own path; one that climbs above the site's root is broken.
//!
//! [`LinkCheck::run`] finds the broken links; [`LinkCheck::diagnostics`] turns them into
//! `broken-link` errors naming the page, the link, the template that rendered the page
//! and the closest existing target. HTML is read with `lol_html`, a streaming parser
//! that builds no tree: the check reads every page of a large site once.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

use lol_html::html_content::Element;
use lol_html::{ElementContentHandlers, HtmlRewriter, Selector, Settings};
use percent_encoding::percent_decode_str;
use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Diagnostics, Files, closest_name};
use crate::model::{RelPath, Span};
use crate::render::{OutputFile, Templates};

/// One URL of a page, as found in its HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The URL as written in the page (what a template holds, `&amp;` and all).
    pub raw: String,
    /// The attribute it was found in, e.g. `href`.
    pub attribute: &'static str,
    /// Where the element starts in the page, in bytes.
    pub offset: usize,
}

impl Link {
    /// The URL with character references decoded, as a browser reads it.
    pub fn url(&self) -> Cow<'_, str> {
        html_escape::decode_html_entities(&self.raw)
    }
}

/// Why a link does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No such file in the output (the path relative to the output's root).
    MissingFile(String),
    /// A relative link to a directory: servers show its `index.html`, `file://` does not.
    Directory { index: String },
    /// The link climbs above the site's root.
    AboveRoot,
    /// The page exists but has no element with this `id` (or `<a name>`).
    MissingAnchor { page: String, anchor: String },
}

/// A link that does not resolve, on the page it was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The page's path in the output.
    pub page: String,
    pub link: Link,
    pub problem: Problem,
}

/// A page whose links could not be read (the parser gave up on its markup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unchecked {
    pub page: String,
    pub reason: String,
}

/// The result of checking every link of the output.
#[derive(Debug, Default)]
pub struct LinkCheck {
    /// Every file of the output, by path.
    written: BTreeSet<String>,
    /// The `id`s (and `<a name>`s) of every HTML page, by path.
    anchors: HashMap<String, HashSet<String>>,
    base: Option<Base>,
    pub broken: Vec<BrokenLink>,
    pub unchecked: Vec<Unchecked>,
}

/// The site's `base_url`, split for matching absolute links.
#[derive(Debug, Clone)]
struct Base {
    /// The URL, ending in `/`.
    url: String,
    /// Its path, from the `/` after the host, ending in `/`.
    path: String,
}

impl Base {
    fn new(base_url: &str) -> Base {
        let url = format!("{}/", base_url.trim_end_matches('/'));
        let after_scheme = url.find("://").map_or(0, |at| at + 3);
        let path = url[after_scheme..].find('/').map_or_else(
            || "/".to_string(),
            |at| url[after_scheme + at..].to_string(),
        );
        Base { url, path }
    }
}

/// Whether a file of the output is an HTML page whose links are checked.
pub fn is_html(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm")
}

impl LinkCheck {
    /// Checks every link of the HTML files among `files`, against `files` themselves:
    /// whatever the build renders or copies is a valid target, nothing else is.
    pub fn run(files: &[OutputFile], base_url: Option<&str>) -> LinkCheck {
        LinkCheck::run_on(files, &[], base_url, |_| Vec::new())
    }

    /// Checks the links of the HTML files among `checked` only, against an output that
    /// holds them and the files at `elsewhere`. Those are not read, except the pages among
    /// them that a link names with a `#fragment`: `render` is given their paths and
    /// returns those pages, whose anchors the fragments are checked against.
    pub fn run_on(
        checked: &[OutputFile],
        elsewhere: &[String],
        base_url: Option<&str>,
        render: impl FnOnce(&[String]) -> Vec<OutputFile>,
    ) -> LinkCheck {
        let mut check = LinkCheck {
            written: (checked.iter().map(|file| file.path.clone()))
                .chain(elsewhere.iter().cloned())
                .collect(),
            base: base_url.map(Base::new),
            ..LinkCheck::default()
        };
        let pages: Vec<&OutputFile> = checked.iter().filter(|file| is_html(&file.path)).collect();
        let scans = check.read(&pages);
        // With nothing elsewhere, every page is read already.
        if !elsewhere.is_empty() {
            let wanted = check.unread_targets(&scans);
            if !wanted.is_empty() {
                let rendered = render(&wanted);
                check.read(&rendered.iter().collect::<Vec<_>>());
            }
        }
        check.find_broken(&scans);
        check
    }

    /// Checks the links of pages read one at a time ([`PageLinks::read`]), in an output
    /// made of the files at `written` (those pages among them): `build` reads each page as
    /// it renders it, and keeps only what it read.
    pub fn of_pages(
        pages: Vec<PageLinks>,
        written: impl IntoIterator<Item = String>,
        base_url: Option<&str>,
    ) -> LinkCheck {
        let mut check = LinkCheck {
            written: written.into_iter().collect(),
            base: base_url.map(Base::new),
            ..LinkCheck::default()
        };
        let scans = check.keep(pages);
        check.find_broken(&scans);
        check
    }

    /// Reads the anchors and links of `pages` (on every core: the parser is the check's
    /// main cost, and pages are independent), keeping the anchors; returns the links by
    /// page. A page that cannot be read is noted as unchecked.
    fn read(&mut self, pages: &[&OutputFile]) -> Vec<(String, Vec<Link>)> {
        let base = self.base.as_ref();
        let read: Vec<PageLinks> = pages
            .par_iter()
            .map(|page| PageLinks::read_in(&page.path, &page.bytes, base))
            .collect();
        self.keep(read)
    }

    /// Keeps the anchors of `pages` and notes those that could not be read; returns the
    /// links by page.
    fn keep(&mut self, pages: Vec<PageLinks>) -> Vec<(String, Vec<Link>)> {
        let mut scans = Vec::with_capacity(pages.len());
        for PageLinks { path, scan } in pages {
            match scan {
                Ok(scan) => {
                    self.anchors.insert(path.clone(), scan.anchors);
                    scans.push((path, scan.links));
                }
                Err(reason) => self.unchecked.push(Unchecked { page: path, reason }),
            }
        }
        scans
    }

    /// Finds the broken links among `scans`, on every core.
    fn find_broken(&mut self, scans: &[(String, Vec<Link>)]) {
        let broken: Vec<Vec<BrokenLink>> = scans
            .par_iter()
            .map(|(path, links)| self.broken_links(path, links))
            .collect();
        self.broken = broken.into_iter().flatten().collect();
    }

    /// The pages, not read yet, whose anchors the fragments of `scans`' links name.
    fn unread_targets(&self, scans: &[(String, Vec<Link>)]) -> Vec<String> {
        let mut wanted = BTreeSet::new();
        for (path, links) in scans {
            for link in links {
                let url = clean(&link.url()).into_owned();
                if let Ok(Some((target, Some(fragment)))) = self.destination(path, &url)
                    && anchor_of(fragment).is_some()
                    && is_html(&target)
                    && !self.anchors.contains_key(&target)
                {
                    wanted.insert(target);
                }
            }
        }
        wanted.into_iter().collect()
    }

    /// The links among `links` of the page at `path` that do not resolve.
    fn broken_links(&self, path: &str, links: &[Link]) -> Vec<BrokenLink> {
        let broken = |link: &Link| {
            Some(BrokenLink {
                page: path.to_string(),
                link: link.clone(),
                problem: self.problem(path, &link.url())?,
            })
        };
        links.iter().filter_map(broken).collect()
    }

    /// Why `url`, found on `page`, does not resolve (`None` when it does or leaves the site).
    pub fn problem(&self, page: &str, url: &str) -> Option<Problem> {
        let url = clean(url);
        let (target, fragment) = match self.destination(page, &url) {
            Ok(Some(destination)) => destination,
            Ok(None) => return None,
            Err(problem) => return Some(problem),
        };
        let anchor = fragment.and_then(|fragment| self.missing_anchor(&target, fragment))?;
        Some(Problem::MissingAnchor {
            page: target,
            anchor,
        })
    }

    /// The file of the output that `url` (cleaned), found on `page`, names and its
    /// fragment; `None` when the link leaves the site, or why it names no file.
    fn destination<'u>(
        &self,
        page: &str,
        url: &'u str,
    ) -> Result<Option<(String, Option<&'u str>)>, Problem> {
        let (path, fragment, directory_ok) = match resolve(url, page, self.base.as_ref()) {
            Resolved::External => return Ok(None),
            Resolved::AboveRoot => return Err(Problem::AboveRoot),
            Resolved::Internal {
                path,
                fragment,
                directory_ok,
            } => (path, fragment, directory_ok),
        };
        match self.target(path) {
            Target::File(file) => Ok(Some((file, fragment))),
            Target::Directory(index) if directory_ok => Ok(Some((index, fragment))),
            Target::Directory(index) => Err(Problem::Directory { index }),
            Target::Missing(missing) => Err(Problem::MissingFile(missing)),
        }
    }

    /// Which written file a resolved path names.
    fn target(&self, path: String) -> Target {
        if path.is_empty() || path.ends_with('/') {
            let index = format!("{path}index.html");
            return if self.written.contains(&index) {
                Target::Directory(index)
            } else {
                Target::Missing(index)
            };
        }
        if self.written.contains(&path) {
            return Target::File(path);
        }
        let index = format!("{path}/index.html");
        if self.written.contains(&index) {
            Target::Directory(index)
        } else {
            Target::Missing(path)
        }
    }

    /// The anchor `fragment` names when `page` has no such element (`None` when it has,
    /// or when the fragment needs none, or the target is not an HTML page).
    fn missing_anchor(&self, page: &str, fragment: &str) -> Option<String> {
        let fragment = anchor_of(fragment)?;
        let anchors = self.anchors.get(page)?;
        let decoded = percent_decode_str(fragment).decode_utf8_lossy();
        if anchors.contains(fragment) || anchors.contains(decoded.as_ref()) {
            None
        } else {
            Some(decoded.into_owned())
        }
    }

    /// The link to write instead of `broken`'s, when an existing target is close enough
    /// to be what was meant.
    pub fn suggestion(&self, broken: &BrokenLink) -> Option<String> {
        let url = &broken.link.url();
        match &broken.problem {
            Problem::MissingFile(missing) => {
                let closest = closest_name(missing, self.written.iter().map(String::as_str))?;
                Some(self.link_to(&broken.page, url, closest))
            }
            Problem::Directory { index } => Some(self.link_to(&broken.page, url, index)),
            Problem::MissingAnchor { page, anchor } => {
                let anchors = self.anchors.get(page)?;
                let closest = closest_name(anchor, anchors.iter().map(String::as_str))?;
                let before = url.split('#').next().unwrap_or_default();
                Some(format!("{before}#{closest}"))
            }
            Problem::AboveRoot => None,
        }
    }

    /// A link from `page` to the output file `target`, in the form of `like` (relative,
    /// root-absolute or under `base_url`), keeping its fragment.
    fn link_to(&self, page: &str, like: &str, target: &str) -> String {
        let fragment = like.find('#').map_or("", |at| &like[at..]);
        let path = match &self.base {
            Some(base) if like.starts_with(&base.url) => format!("{}{target}", base.url),
            Some(base) if like.starts_with('/') => format!("{}{target}", base.path),
            _ if like.starts_with('/') => format!("/{target}"),
            _ => relative_path(page, target),
        };
        format!("{path}{fragment}")
    }
}

/// The anchor a `fragment` (still percent-encoded) asks its page for: none for an empty
/// fragment and `#top`, which scroll to the top of any page (HTML spec), and never the
/// text directive (`#id:~:text=…`), which is not part of the id.
fn anchor_of(fragment: &str) -> Option<&str> {
    let fragment = fragment.split(":~:").next().unwrap_or_default();
    (!fragment.is_empty() && !fragment.eq_ignore_ascii_case("top")).then_some(fragment)
}

/// Whether the check follows `url`: a link into the site (relative, from `/`, or under
/// `base_url`), rather than to another site or a scheme such as `mailto:`.
pub fn is_followed(url: &str, base_url: Option<&str>) -> bool {
    let base = base_url.map(Base::new);
    // Whether a link leaves the site does not depend on the page it is on.
    !matches!(resolve(&clean(url), "", base.as_ref()), Resolved::External)
}

enum Target {
    File(String),
    /// A directory with an `index.html` (the path of that file).
    Directory(String),
    Missing(String),
}

/// What a URL found on a page points at.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resolved<'a> {
    /// Another site (or a scheme such as `mailto:`): not checked.
    External,
    /// A path relative to the output's root (ending in `/` for a directory), and the
    /// fragment, still percent-encoded.
    Internal {
        path: String,
        fragment: Option<&'a str>,
        /// Absolute links (under `base_url`, or from `/`) may name a directory: they are
        /// for servers. Relative ones name files, so the site works from `file://`.
        directory_ok: bool,
    },
    AboveRoot,
}

/// `url` as browsers read it: without leading and trailing spaces and controls, nor tabs
/// and newlines inside.
fn clean(url: &str) -> Cow<'_, str> {
    let url = url.trim_matches(|c: char| c <= ' ');
    if url.contains(['\t', '\n', '\r']) {
        Cow::Owned(url.replace(['\t', '\n', '\r'], ""))
    } else {
        Cow::Borrowed(url)
    }
}

/// Resolves `url` (cleaned), found on the page at `page`, as browsers do.
fn resolve<'a>(url: &'a str, page: &str, base: Option<&Base>) -> Resolved<'a> {
    if let Some(rest) = base.and_then(|base| url.strip_prefix(base.url.as_str())) {
        return resolve_path(rest, "", true);
    }
    if has_scheme(url) || url.starts_with("//") || url.starts_with("\\\\") {
        return Resolved::External;
    }
    if let Some(below_root) = url.strip_prefix('/') {
        // Under a `base_url` with a path, `/path/x` names the site's `x`, and a path
        // outside it another site on the same host.
        let rest = match base {
            Some(base) => match url.strip_prefix(base.path.as_str()) {
                Some(rest) => rest,
                None => return Resolved::External,
            },
            None => below_root,
        };
        return resolve_path(rest, "", true);
    }
    if url.split(['#', '?']).next().unwrap_or_default().is_empty() {
        // `#id`, `?q` or an empty URL: the page itself.
        return Resolved::Internal {
            path: page.to_string(),
            fragment: url.split_once('#').map(|(_, fragment)| fragment),
            directory_ok: false,
        };
    }
    let dir = page.rsplit_once('/').map_or("", |(dir, _)| dir);
    resolve_path(url, dir, false)
}

/// `rest` (a path with optional query and fragment) resolved from the directory `dir`
/// (`a/b`, or empty for the root).
fn resolve_path<'a>(rest: &'a str, dir: &str, directory_ok: bool) -> Resolved<'a> {
    let (path, fragment) = match rest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (rest, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    // The path so far, segments joined by `/`: a stack in one string.
    let mut out = String::with_capacity(dir.len() + path.len() + 1);
    out.push_str(dir);
    let mut segments = path.split(['/', '\\']).peekable();
    while let Some(segment) = segments.next() {
        let decoded = percent_decode_str(segment).decode_utf8_lossy();
        // `%2F` inside a segment is not a separator: keep such a segment as written.
        let segment = if decoded.contains('/') {
            segment
        } else {
            decoded.as_ref()
        };
        match segment {
            "." => {}
            ".." => {
                if out.is_empty() {
                    return Resolved::AboveRoot;
                }
                out.truncate(out.rfind('/').unwrap_or(0));
            }
            _ => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(segment);
                continue;
            }
        }
        if segments.peek().is_none() && !out.is_empty() {
            // `..` or `.` at the end names a directory.
            out.push('/');
        }
    }
    Resolved::Internal {
        path: out,
        fragment,
        directory_ok,
    }
}

/// Whether `url` starts with a scheme (`https:`, `mailto:`, `data:`…).
fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The relative link from the page at `from` to the file at `to` (both from the root).
fn relative_path(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').collect();
    let from = &from[..from.len() - 1];
    let to: Vec<&str> = to.split('/').collect();
    let common = from
        .iter()
        .zip(&to)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to.len() - 1);
    let mut parts = vec![".."; from.len() - common];
    parts.extend(&to[common..]);
    parts.join("/")
}

/// The 1-based line and column (in characters) of byte `offset` in `bytes`.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// What one page holds: the anchors it defines and the links it makes.
#[derive(Debug, Default)]
struct PageScan {
    anchors: HashSet<String>,
    links: Vec<Link>,
}

/// The anchors and links of one page, read on their own, or why they could not be.
#[derive(Debug)]
pub struct PageLinks {
    path: String,
    scan: Result<PageScan, String>,
}

impl PageLinks {
    /// Reads the page at `path` (in the output) whose HTML is `html`, in a site at
    /// `base_url`.
    pub fn read(path: &str, html: &[u8], base_url: Option<&str>) -> PageLinks {
        PageLinks::read_in(path, html, base_url.map(Base::new).as_ref())
    }

    fn read_in(path: &str, html: &[u8], base: Option<&Base>) -> PageLinks {
        static EVERY: LazyLock<Selector> =
            LazyLock::new(|| "*".parse().expect("`*` is a selector"));
        PageLinks {
            path: path.to_string(),
            scan: scan(html, &EVERY, base),
        }
    }
}

/// Reads the anchors and links of one page (`every` is the selector `*`, compiled once).
/// Links plainly to another site are left out as they are found: most links of a fact
/// sheet lead to the original articles, and a large site's would take hundreds of MB.
fn scan(html: &[u8], every: &Selector, base: Option<&Base>) -> Result<PageScan, String> {
    let mut found = PageScan::default();
    let handlers = ElementContentHandlers::default().element(|element: &mut Element<'_, '_>| {
        record(html, base, &mut found, element);
        Ok(())
    });
    let settings = Settings::new()
        // Not strict: markup a streaming parser finds ambiguous (a `<script>` in a
        // `<select>`) is parsed as browsers most likely do, rather than refused.
        .with_strict(false)
        .append_element_content_handler((Cow::Borrowed(every), handlers));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter.write(html).map_err(|error| error.to_string())?;
    rewriter.end().map_err(|error| error.to_string())?;
    Ok(found)
}

/// How an attribute holds URLs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UrlAttribute {
    One,
    /// A `srcset`: URLs with width or density descriptors, separated by commas.
    SrcSet,
    /// `<meta content>`: a URL only when it is under `base_url` (`og:url`, `og:image`).
    MetaContent,
}

/// The attributes that hold URLs on any element (the HTML spec's list, minus `ping`).
const URL_ATTRIBUTES: &[(&str, UrlAttribute)] = &[
    ("href", UrlAttribute::One),
    ("src", UrlAttribute::One),
    ("srcset", UrlAttribute::SrcSet),
    ("xlink:href", UrlAttribute::One),
    ("formaction", UrlAttribute::One),
    ("imagesrcset", UrlAttribute::SrcSet),
];

/// The attributes that hold URLs on some elements only.
const ELEMENT_URL_ATTRIBUTES: &[(&str, &[&str], UrlAttribute)] = &[
    ("action", &["form"], UrlAttribute::One),
    ("poster", &["video"], UrlAttribute::One),
    ("data", &["object"], UrlAttribute::One),
    (
        "cite",
        &["blockquote", "q", "del", "ins"],
        UrlAttribute::One,
    ),
    ("content", &["meta"], UrlAttribute::MetaContent),
];

/// Whether the attribute `name` holds URLs, and how; `tag` is asked only when it matters.
fn url_attribute(
    name: &[u8],
    tag: &mut dyn FnMut() -> String,
) -> Option<(&'static str, UrlAttribute)> {
    let named = |candidate: &str| name.eq_ignore_ascii_case(candidate.as_bytes());
    if let Some(&(label, kind)) = URL_ATTRIBUTES.iter().find(|(n, _)| named(n)) {
        return Some((label, kind));
    }
    let &(label, tags, kind) = ELEMENT_URL_ATTRIBUTES.iter().find(|(n, _, _)| named(n))?;
    tags.contains(&tag().as_str()).then_some((label, kind))
}

/// Notes the anchors and the links of one element. Names and values are read from the
/// page's own bytes, where the parser found them: most attributes are neither, and
/// copying each into a string of its own would cost more than the parsing.
fn record(html: &[u8], base: Option<&Base>, found: &mut PageScan, element: &mut Element<'_, '_>) {
    let offset = element.source_location().bytes().start;
    let mut tag: Option<String> = None;
    for attribute in element.attributes() {
        let (Some(name), Some(value)) = (
            attribute.name_source_location(),
            attribute.value_source_location(),
        ) else {
            continue;
        };
        let name = &html[name.bytes()];
        let value = || String::from_utf8_lossy(&html[value.bytes()]);
        let mut tag_name = || tag.get_or_insert_with(|| element.tag_name()).clone();
        if name.eq_ignore_ascii_case(b"id")
            || (name.eq_ignore_ascii_case(b"name") && tag_name() == "a")
        {
            found.anchors.insert(decode(value().into_owned()));
            continue;
        }
        let Some((attribute, kind)) = url_attribute(name, &mut tag_name) else {
            continue;
        };
        if tag_name() == "base" {
            // `<base href>` is not a link (and a page using it is not supported).
            continue;
        }
        let value = value();
        let urls = match kind {
            UrlAttribute::SrcSet => srcset_urls(&value),
            // A description is not a URL; any URL not under `base_url` is external.
            UrlAttribute::MetaContent if !has_scheme(value.trim()) => continue,
            UrlAttribute::One | UrlAttribute::MetaContent => vec![value.as_ref()],
        };
        for url in urls.into_iter().filter(|url| !plainly_elsewhere(url, base)) {
            found.links.push(Link {
                raw: url.to_string(),
                attribute,
                offset,
            });
        }
    }
}

/// Whether `raw`, an attribute's value as written, is plainly a link to another site: an
/// `http(s)` address outside `base_url`, with nothing a browser would decode or drop
/// (character references, tabs, line breaks). Anything less plain is kept, for the check
/// to resolve as browsers do.
fn plainly_elsewhere(raw: &str, base: Option<&Base>) -> bool {
    let web = ["https://", "http://"].iter().any(|scheme| {
        raw.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    });
    let decoded = |byte: &u8| matches!(byte, b'&' | b'\t' | b'\n' | b'\r');
    web && !raw.as_bytes().iter().any(decoded)
        && !base.is_some_and(|base| raw.starts_with(base.url.as_str()))
}

/// The URLs of a `srcset` (each candidate is a URL, then optional descriptors).
fn srcset_urls(srcset: &str) -> Vec<&str> {
    srcset
        .split(',')
        .filter_map(|candidate| candidate.split_whitespace().next())
        .collect()
}

/// An attribute value with its character references decoded.
fn decode(value: String) -> String {
    if value.contains('&') {
        html_escape::decode_html_entities(&value).into_owned()
    } else {
        value
    }
}

/// Where the pages came from, to tell the editor what to fix.
pub struct Origins<'a> {
    /// The template that rendered each page, by output path. A page not listed (a file
    /// copied from `static/`) is named as itself.
    pub templates_by_page: &'a BTreeMap<String, String>,
    pub templates: &'a Templates,
}

impl LinkCheck {
    /// One `broken-link` error per broken link; the same link of the same template, broken
    /// on many pages, is one error that counts the other pages.
    pub fn diagnostics(&self, origins: &Origins<'_>, files: &mut Files) -> Diagnostics {
        let mut groups: Vec<(&BrokenLink, usize)> = Vec::new();
        let mut seen: HashMap<(Option<&str>, &str, std::mem::Discriminant<Problem>), usize> =
            HashMap::new();
        for broken in &self.broken {
            let template = origins
                .templates_by_page
                .get(&broken.page)
                .map(String::as_str);
            let key = (
                template,
                broken.link.raw.as_str(),
                std::mem::discriminant(&broken.problem),
            );
            match seen.get(&key) {
                Some(&group) => groups[group].1 += 1,
                None => {
                    seen.insert(key, groups.len());
                    groups.push((broken, 0));
                }
            }
        }
        let mut diagnostics: Diagnostics = groups
            .into_iter()
            .map(|(broken, others)| self.diagnostic(broken, others, origins, files))
            .collect();
        for unchecked in &self.unchecked {
            // Links that cannot be read cannot be vouched for: an error, like a broken one.
            diagnostics.push(
                Diagnostic::error(
                    Code::BrokenLink,
                    format!(
                        "the links of `{}` could not be checked: {}",
                        unchecked.page, unchecked.reason
                    ),
                )
                .help("make the page's template write well-formed HTML"),
            );
        }
        diagnostics
    }

    fn diagnostic(
        &self,
        broken: &BrokenLink,
        others: usize,
        origins: &Origins<'_>,
        files: &mut Files,
    ) -> Diagnostic {
        let template = origins.templates_by_page.get(&broken.page);
        let page = &broken.page;
        let mut about: Vec<String> = template
            .map(|name| template_label(name, origins.templates))
            .into_iter()
            .collect();
        match others {
            0 => {}
            1 => about.push("also on 1 other page".to_string()),
            n => about.push(format!("also on {n} other pages")),
        }
        let about = if about.is_empty() {
            String::new()
        } else {
            format!(" ({})", about.join("; "))
        };
        let url = &broken.link.url();
        let why = match &broken.problem {
            Problem::MissingFile(missing) => format!("there is no `{missing}` in the output"),
            Problem::Directory { .. } => {
                "it names a directory, which does not open from disk (`file://`)".to_string()
            }
            Problem::AboveRoot => "it climbs above the site's root".to_string(),
            Problem::MissingAnchor { page, anchor } => {
                format!("`{page}` has no element with id `{anchor}`")
            }
        };
        let message = format!("broken link `{url}` in `{page}`{about}: {why}");
        let mut diagnostic = Diagnostic::error(Code::BrokenLink, message);
        let place = locate(
            broken,
            template.map(String::as_str),
            origins.templates,
            files,
        );
        diagnostic = match &place {
            Some((span, _)) => diagnostic.at(span.clone()).label("this link"),
            None => diagnostic,
        };
        if let Some(suggestion) = self.suggestion(broken) {
            diagnostic = diagnostic.suggestion(format!("did you mean `{suggestion}`?"));
        }
        diagnostic.help(help(&broken.problem, place.map(|(_, from)| from), template))
    }
}

/// How a diagnostic names a template: the site's own by its file, a built-in one by name.
fn template_label(name: &str, templates: &Templates) -> String {
    let file = templates
        .sources()
        .find(|(candidate, _, _)| *candidate == name)
        .map(|(_, file, _)| file.as_str());
    match file {
        Some(file) if !file.ends_with("(built-in)") => format!("template `{file}`"),
        _ => format!("built-in template `{name}`"),
    }
}

/// Where a link was written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WrittenIn {
    Template,
    Content,
}

fn help(problem: &Problem, from: Option<WrittenIn>, template: Option<&String>) -> String {
    let fix = match problem {
        Problem::Directory { .. } => "link to the directory's `index.html`",
        Problem::MissingAnchor { .. } => "link to an `id` the page has, or give an element that id",
        Problem::AboveRoot | Problem::MissingFile(_) => {
            "link to a file the build writes (a page, `claims.json`, a file of `static/`)"
        }
    };
    let how = match (from, template) {
        _ if matches!(problem, Problem::MissingAnchor { .. }) => "",
        (Some(WrittenIn::Content), _) => {
            "; a relative link in Markdown resolves against each page that shows the text"
        }
        (_, Some(_)) => "; relative links resolve against the page: start them with `{{ root }}`",
        (_, None) => "",
    };
    format!("{fix}{how}")
}

/// The place in a template (the page's own first) or in the content where the link is
/// written, when it is written there literally.
fn locate(
    broken: &BrokenLink,
    template: Option<&str>,
    templates: &Templates,
    files: &mut Files,
) -> Option<(Span, WrittenIn)> {
    let raw = &broken.link.raw;
    // As an attribute's value, so that a short link does not match any text.
    let quoted = [format!("=\"{raw}\""), format!("='{raw}'")];
    let mut sources: Vec<(&str, &RelPath, &str)> = templates.sources().collect();
    // The page's own template first, then the ones it may extend or include.
    sources.sort_by_key(|(name, _, _)| Some(*name) != template);
    for (_, file, text) in sources {
        if let Some(at) = quoted.iter().find_map(|needle| text.find(needle.as_str())) {
            let at = at + 2;
            files.insert(file.clone(), text.to_string());
            return Some((span(file, text, at, raw.len()), WrittenIn::Template));
        }
    }
    let url = broken.link.url();
    let markdown = format!("]({url}");
    let found = files.iter().find_map(|(file, text)| {
        let at = text.find(&markdown)? + 2;
        Some(span(file, text, at, url.len()))
    })?;
    Some((found, WrittenIn::Content))
}

fn span(file: &RelPath, text: &str, at: usize, len: usize) -> Span {
    let (line, column) = line_column(text.as_bytes(), at);
    Span {
        file: file.clone(),
        line,
        column,
        bytes: at..at + len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, html: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            bytes: html.as_bytes().to_vec(),
        }
    }

    /// The site most tests link within: a topic page, a source page and a stylesheet.
    fn site(extra: &[(&str, &str)]) -> Vec<OutputFile> {
        let mut files = vec![
            file(
                "index.html",
                r#"<h2 id="sources-heading">Sources</h2><a name="legacy"></a>"#,
            ),
            file(
                "topics/open/index.html",
                r#"<article id="claim-1"></article>"#,
            ),
            file(
                "sources/article/index.html",
                r#"<mark id="passage-12">x</mark>"#,
            ),
            file("style.css", "body {}"),
        ];
        files.extend(extra.iter().map(|(path, html)| file(path, html)));
        files
    }

    fn problems(html: &str) -> Vec<(String, Problem)> {
        problems_with_base(html, None)
    }

    fn problems_with_base(html: &str, base: Option<&str>) -> Vec<(String, Problem)> {
        let check = LinkCheck::run(&site(&[("topics/page/index.html", html)]), base);
        assert!(check.unchecked.is_empty(), "{:?}", check.unchecked);
        check
            .broken
            .into_iter()
            .map(|broken| (broken.link.url().into_owned(), broken.problem))
            .collect()
    }

    #[test]
    fn links_to_written_files_and_existing_anchors_resolve() {
        let html = r##"<link rel="stylesheet" href="../../style.css">
            <a href="../../index.html#sources-heading">x</a>
            <a href="../../index.html#legacy">x</a>
            <a href="../open/index.html#claim-1">x</a>
            <a href="../../sources/article/index.html#passage-12">x</a>
            <a href="#own">x</a><p id="own"></p>
            <a href="">self</a><a href="?q=1">self</a><a href="#">top</a><a href="#top">top</a>
            <img src="./../../style.css" srcset="../../style.css 1x, ../../style.css 2x">"##;
        assert_eq!(problems(html), []);
    }

    #[test]
    fn external_links_are_not_followed() {
        let html = r#"<a href="https://example.org/nope.html#x">x</a>
            <a href="mailto:desk@example.org">x</a><a href="//cdn.example.org/x.js">x</a>
            <a href="data:text/plain,hi">x</a><a href="tel:+100">x</a>"#;
        assert_eq!(problems(html), []);
    }

    #[test]
    fn a_missing_file_is_broken() {
        assert_eq!(
            problems(r#"<a href="nope.html">x</a>"#),
            [(
                "nope.html".to_string(),
                Problem::MissingFile("topics/page/nope.html".to_string())
            )]
        );
        assert_eq!(
            problems(r#"<script src="../../sources/unknown/index.html"></script>"#),
            [(
                "../../sources/unknown/index.html".to_string(),
                Problem::MissingFile("sources/unknown/index.html".to_string())
            )]
        );
    }

    #[test]
    fn a_missing_anchor_is_broken_on_the_page_itself_and_on_others() {
        assert_eq!(
            problems(r##"<a href="#missing">x</a>"##),
            [(
                "#missing".to_string(),
                Problem::MissingAnchor {
                    page: "topics/page/index.html".to_string(),
                    anchor: "missing".to_string()
                }
            )]
        );
        assert_eq!(
            problems(r#"<a href="../../sources/article/index.html#passage-13">x</a>"#)[0].1,
            Problem::MissingAnchor {
                page: "sources/article/index.html".to_string(),
                anchor: "passage-13".to_string()
            }
        );
    }

    #[test]
    fn climbing_above_the_root_is_broken_even_back_into_it() {
        let html = r#"<a href="../../../index.html">x</a><a href="../../../../topics/page/index.html">x</a>"#;
        let found: Vec<Problem> = problems(html).into_iter().map(|(_, p)| p).collect();
        assert_eq!(found, [Problem::AboveRoot, Problem::AboveRoot]);
    }

    #[test]
    fn relative_links_must_name_files_not_directories() {
        let found = problems(r#"<a href="../open/">x</a><a href="../../topics/open">x</a>"#);
        assert_eq!(found.len(), 2, "{found:?}");
        for (_, problem) in found {
            assert_eq!(
                problem,
                Problem::Directory {
                    index: "topics/open/index.html".to_string()
                }
            );
        }
    }

    #[test]
    fn links_under_base_url_and_from_the_root_are_checked_and_may_name_directories() {
        let base = Some("https://facts.example.org/sheet");
        let html = r#"<link rel="canonical" href="https://facts.example.org/sheet/topics/open/">
            <meta property="og:url" content="https://facts.example.org/sheet/">
            <meta name="description" content="Not a URL: just words.">
            <a href="/sheet/style.css">x</a><a href="https://facts.example.org/other/">x</a>"#;
        assert_eq!(problems_with_base(html, base), []);
        let html = r#"<meta property="og:image" content="https://facts.example.org/sheet/card.png">
            <link rel="canonical" href="https://facts.example.org/sheet/topics/gone/">"#;
        let found: Vec<Problem> = problems_with_base(html, base)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(
            found,
            [
                Problem::MissingFile("card.png".to_string()),
                Problem::MissingFile("topics/gone/index.html".to_string())
            ]
        );
    }

    #[test]
    fn character_references_and_percent_encoding_are_decoded() {
        let files = site(&[
            ("a b/index.html", r#"<p id="é"></p>"#),
            (
                "topics/page/index.html",
                r##"<a href="../../a%20b/index.html#%C3%A9">x</a><a href="../../a&#x20;b/index.html?x=1&amp;y=2#&eacute;">x</a>"##,
            ),
        ]);
        let check = LinkCheck::run(&files, None);
        assert_eq!(check.broken, []);
    }

    #[test]
    fn text_directives_are_not_part_of_the_anchor() {
        let html = r##"<a href="../open/index.html#claim-1:~:text=open">x</a>
            <a href="../open/index.html#:~:text=open">x</a>"##;
        assert_eq!(problems(html), []);
    }

    #[test]
    fn srcset_form_action_and_svg_links_are_checked() {
        let html = r##"<img src="../../style.css" srcset="../../a.png 1x, ../../b.png 2x">
            <form action="../../search.html"></form>
            <svg><use href="#icon"></use></svg>"##;
        let urls: Vec<String> = problems(html).into_iter().map(|(url, _)| url).collect();
        assert_eq!(
            urls,
            ["../../a.png", "../../b.png", "../../search.html", "#icon"]
        );
    }

    #[test]
    fn links_in_scripts_and_comments_are_not_links() {
        let html = r#"<!-- <a href="nope.html"> --><script>let a = '<a href="nope.html">';</script>
            <script type="application/ld+json">{"url": "<a href=\"nope.html\">"}</script>"#;
        assert_eq!(problems(html), []);
    }

    #[test]
    fn pages_read_one_at_a_time_have_the_broken_links_of_the_whole_output() {
        let files = site(&[
            (
                "topics/page/index.html",
                r##"<a href="../../index.html#sources-heading">ok</a><a href="../open/index.html#claim-2">anchor</a>
                <a href="../../gone.html">file</a><a href="../../../up.html">above</a><a href="#here" id="here">self</a>"##,
            ),
            (
                "topics/other/index.html",
                r#"<a href="../page/index.html#nope">x</a>"#,
            ),
        ]);
        let whole = LinkCheck::run(&files, Some("https://example.org/"));
        let pages: Vec<PageLinks> = files
            .iter()
            .filter(|file| is_html(&file.path))
            .map(|file| PageLinks::read(&file.path, &file.bytes, Some("https://example.org/")))
            .collect();
        let paths = files.iter().map(|file| file.path.clone());
        let one_by_one = LinkCheck::of_pages(pages, paths, Some("https://example.org/"));
        assert_eq!(whole.broken.len(), 4, "{:?}", whole.broken);
        assert_eq!(one_by_one.broken, whole.broken);
        assert_eq!(one_by_one.anchors, whole.anchors);
    }

    #[test]
    fn links_plainly_to_another_site_are_left_out_as_they_are_read() {
        let html = r#"<a href="https://elsewhere.example/a.html">x</a><a href="HTTP://elsewhere.example/">x</a>
            <link rel="canonical" href="https://example.org/site/topics/page/"><a href="../other/index.html#c">x</a>
            <blockquote cite="https://news.example/story#:~:text=x"></blockquote><img srcset="a.png 1x, https://cdn.example/b.png 2x">
            <a href="https://example.org/site/a?x=1&amp;y=2">x</a><a href="https://exa&#109;ple.org/site/b.html">x</a><a href=" https://example.org/site/c.html">x</a>"#;
        let base = Some("https://example.org/site/");
        let page = PageLinks::read("topics/page/index.html", html.as_bytes(), base);
        let kept: Vec<String> = (page.scan.unwrap().links.iter())
            .map(|link| link.raw.clone())
            .collect();
        assert_eq!(
            kept,
            [
                "https://example.org/site/topics/page/",
                "../other/index.html#c",
                "a.png",
                "https://example.org/site/a?x=1&amp;y=2",
                "https://exa&#109;ple.org/site/b.html",
                " https://example.org/site/c.html"
            ]
        );
    }

    #[test]
    fn broken_links_carry_where_their_element_starts_in_the_page() {
        let files = site(&[(
            "topics/page/index.html",
            "<p>\n  é <a href=\"x.html\">x</a>",
        )]);
        let check = LinkCheck::run(&files, None);
        let broken = &check.broken[0];
        assert_eq!(broken.link.offset, "<p>\n  é ".len());
        assert_eq!(broken.link.attribute, "href");
    }

    #[test]
    fn suggestions_are_the_closest_target_written_as_the_link_was() {
        let files = site(&[(
            "topics/page/index.html",
            r##"<a href="../../sources/articel/index.html">x</a>
                <a href="../../sources/article/index.html#passage-21">x</a>
                <a href="../open/">x</a>"##,
        )]);
        let check = LinkCheck::run(&files, None);
        let suggestions: Vec<Option<String>> =
            check.broken.iter().map(|b| check.suggestion(b)).collect();
        assert_eq!(
            suggestions,
            [
                Some("../../sources/article/index.html".to_string()),
                Some("../../sources/article/index.html#passage-12".to_string()),
                Some("../open/index.html".to_string())
            ]
        );
    }

    #[test]
    fn non_html_files_are_targets_but_not_scanned() {
        let files = site(&[("feed.xml", r#"<link href="nope.html"/>"#)]);
        let check = LinkCheck::run(&files, None);
        assert_eq!(check.broken, []);
        assert_eq!(check.problem("index.html", "feed.xml#anything"), None);
    }

    #[test]
    fn relative_paths_between_pages() {
        assert_eq!(
            relative_path("topics/a/index.html", "sources/b/index.html"),
            "../../sources/b/index.html"
        );
        assert_eq!(
            relative_path("topics/a/index.html", "topics/c/index.html"),
            "../c/index.html"
        );
        assert_eq!(relative_path("index.html", "style.css"), "style.css");
        assert_eq!(
            relative_path("topics/a/index.html", "topics/a/x.html"),
            "x.html"
        );
    }
}
