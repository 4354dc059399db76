//! Reading a site from disk: `content/site.yaml`, the sources and their metadata, the
//! topics. Produces the model, the text of every file diagnostics may point into, and
//! the problems found; only failures of the machine (unreadable directories) stop it.

pub mod cache;
mod convert;
pub mod fast;
pub mod limits;
pub mod raw;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Diagnostics, Files};
use crate::error::{ToolError, ToolResult};
use crate::model::{RelPath, Site, SiteConfig, Slug, Source, SourceId, SourceMeta, Span, Topic};
pub use cache::Cache;
use cache::{Counts, Keeping, Reads};
use convert::stem_problem;
pub use convert::{is_iso_date, is_web_url};
use limits::FileKind;

/// What `load` read.
#[derive(Debug, Default)]
pub struct Loaded {
    pub site: Site,
    pub files: Files,
    pub diagnostics: Diagnostics,
}

/// The files of one content directory, by kind.
#[derive(Debug, Default)]
struct ContentFiles {
    source_texts: BTreeMap<String, PathBuf>,
    source_metas: BTreeMap<String, PathBuf>,
    topics: BTreeMap<String, PathBuf>,
}

/// Reads the site under `root`.
pub fn load(root: &Path) -> ToolResult<Loaded> {
    load_with(root, None)
}

/// [`load`], taking from `cache` each unit (the site settings, a source with its
/// metadata, a topic) whose files did not change since it was kept, and keeping this
/// load's units for the next. The result is the same as [`load`]'s.
pub fn load_cached(root: &Path, cache: &mut Cache) -> ToolResult<Loaded> {
    cache.last = Counts::default();
    load_with(root, Some(cache))
}

fn load_with(root: &Path, mut cache: Option<&mut Cache>) -> ToolResult<Loaded> {
    let mut loaded = Loaded::default();
    if !root.is_dir() {
        // A mistyped `--root` is a usage problem, not a site without content.
        return Err(ToolError::Usage(format!(
            "the site root `{}` is not a directory",
            root.display()
        )));
    }
    let content = root.join("content");
    let real_root = root.canonicalize().map_err(ToolError::read(root))?;
    if leaves_root(&content, &real_root) {
        loaded.diagnostics.push(outside_root(root, &content));
        return Ok(loaded);
    }
    if !content.is_dir() {
        loaded.diagnostics.push(
            Diagnostic::error(
                Code::MissingContent,
                format!("no `content/` directory in `{}`", root.display()),
            )
            .at(Span::file_start(RelPath::from_slash("content")))
            .help("run factsheet in a site's root, pass `--root DIR`, or create one with `factsheet init DIR`"),
        );
        return Ok(loaded);
    }
    let files = list_content(root, &real_root, &content, &mut loaded.diagnostics)?;
    let site = cache.as_deref_mut().map(|c| c.keeping(|m| &mut m.site));
    loaded.site.config = load_site_config(root, &real_root, &mut loaded, site)?;
    let sources = cache.as_deref_mut().map(|c| c.keeping(|m| &mut m.sources));
    loaded.site.sources = load_sources(root, &files, &mut loaded, sources)?;
    let topics = cache.map(|c| c.keeping(|m| &mut m.topics));
    loaded.site.topics = load_topics(root, &files, &mut loaded, topics)?;
    Ok(loaded)
}

/// Loads `units` on every core, each through the kept memo when there is one: what each
/// found, in the order of `units`. `files` names the files of a unit, its key first.
fn load_units<U: Sync, T: Clone + Send + Sync>(
    units: &[U],
    keeping: Option<Keeping<'_, T>>,
    files: impl Fn(&U) -> Vec<&Path> + Sync,
    load: impl Fn(&U, &mut Reads) -> ToolResult<Found<T>> + Sync,
) -> ToolResult<Vec<Found<T>>> {
    let Some(keeping) = keeping else {
        let found: Vec<ToolResult<Found<T>>> = units
            .par_iter()
            .map(|unit| load(unit, &mut Reads::plain()))
            .collect();
        // The first failure in order, as when loading one unit after the other.
        return found.into_iter().collect();
    };
    let memo = std::mem::take(keeping.memo);
    let found: Vec<_> = units
        .par_iter()
        .map(|unit| memo.get(&files(unit), keeping.settle, |reads| load(unit, reads)))
        .collect();
    let found: Vec<_> = match found.into_iter().collect::<ToolResult<_>>() {
        Ok(found) => found,
        Err(error) => {
            *keeping.memo = memo;
            return Err(error);
        }
    };
    let mut values = Vec::with_capacity(units.len());
    let mut hows = Vec::with_capacity(units.len());
    for (unit, (value, how)) in units.iter().zip(found) {
        keeping.counts.add(&how);
        hows.push((files(unit)[0].to_path_buf(), how));
        values.push(value);
    }
    *keeping.memo = memo.next(hows);
    Ok(values)
}

/// Walks `content/sources` and `content/topics`, refusing symlinks that leave the root.
fn list_content(
    root: &Path,
    real_root: &Path,
    content: &Path,
    diagnostics: &mut Diagnostics,
) -> ToolResult<ContentFiles> {
    let mut files = ContentFiles::default();
    for (dir, is_sources) in [
        (content.join("sources"), true),
        (content.join("topics"), false),
    ] {
        if leaves_root(&dir, real_root) {
            diagnostics.push(outside_root(root, &dir));
            continue;
        }
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir)
            .min_depth(1)
            .max_depth(1)
            .sort_by_file_name()
        {
            let entry = entry.map_err(|error| ToolError::Read {
                path: error.path().unwrap_or(&dir).to_path_buf(),
                source: error.into(),
            })?;
            let path = entry.path();
            let (Some(stem), Some(extension)) = (file_stem(path), path.extension()) else {
                continue;
            };
            if stem.starts_with('.') {
                continue;
            }
            if entry.path_is_symlink() && !stays_inside(path, real_root) {
                diagnostics.push(outside_root(root, path));
                continue;
            }
            let list = match (is_sources, extension.to_str()) {
                (true, Some("txt")) => &mut files.source_texts,
                (true, Some("yaml")) => &mut files.source_metas,
                (false, Some("yaml")) => &mut files.topics,
                _ => continue,
            };
            list.insert(stem, path.to_path_buf());
        }
    }
    Ok(files)
}

fn file_stem(path: &Path) -> Option<String> {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
}

/// Whether a link resolves to somewhere below the (canonical) root.
fn stays_inside(path: &Path, real_root: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|target| target.starts_with(real_root))
}

/// Whether `path` is a link (to a file or a directory such as `content/sources`) that
/// leads out of the site: what it leads to is not the site's to read or publish.
fn leaves_root(path: &Path, real_root: &Path) -> bool {
    path.is_symlink() && !stays_inside(path, real_root)
}

fn outside_root(root: &Path, path: &Path) -> Diagnostic {
    let what = if path.is_dir() { "directory" } else { "file" };
    Diagnostic::error(
        Code::SymlinkOutsideRoot,
        format!("this {what} is a link to a place outside the site; it is not read"),
    )
    .at(Span::file_start(RelPath::new(root, path)))
    .help(format!(
        "copy the {what} into the site instead of linking to it"
    ))
}

/// What loading one unit of the content (the site settings, a source with its metadata, a
/// topic) found: its part of the site, its problems, and the text of the files it read.
/// Units load on every core; merged in a fixed order, they give the same diagnostics,
/// in the same order, as reading them one by one.
#[derive(Debug, Clone)]
struct Found<T> {
    value: T,
    diagnostics: Diagnostics,
    /// The files read, for the code frames of diagnostics.
    texts: Vec<(RelPath, Arc<str>)>,
}

impl<T> Found<T> {
    fn new(value: T) -> Self {
        Found {
            value,
            diagnostics: Diagnostics::default(),
            texts: Vec::new(),
        }
    }

    fn with(mut self, diagnostic: Diagnostic) -> Self {
        self.diagnostics.push(diagnostic);
        self
    }

    /// Adds this unit's problems and files to `loaded`, and returns its value.
    fn merge_into(self, loaded: &mut Loaded) -> T {
        loaded.diagnostics.extend(self.diagnostics);
        for (file, text) in self.texts {
            loaded.files.insert(file, text);
        }
        self.value
    }
}

/// Reads a YAML file as text, keeping the text for code frames; `None` (and a
/// diagnostic) when it is too large or not UTF-8.
fn read_text<T>(
    root: &Path,
    path: &Path,
    reads: &mut Reads,
    found: &mut Found<T>,
) -> ToolResult<(RelPath, Option<Arc<str>>)> {
    let file = RelPath::new(root, path);
    let bytes = match reads.read(path, FileKind::Yaml.limit())? {
        Ok(bytes) => bytes,
        Err(too_large) => {
            let diagnostic = limits::file_too_large(&file, FileKind::Yaml, too_large);
            found.diagnostics.push(diagnostic);
            return Ok((file, None));
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text: Arc<str> = text.into();
            found.texts.push((file.clone(), Arc::clone(&text)));
            Ok((file, Some(text)))
        }
        Err(error) => {
            found.diagnostics.push(not_utf8(
                Code::FileNotUtf8,
                &file,
                error.as_bytes(),
                error.utf8_error().valid_up_to(),
            ));
            Ok((file, None))
        }
    }
}

fn not_utf8(code: Code, file: &RelPath, bytes: &[u8], offset: usize) -> Diagnostic {
    let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
    let line = valid.matches('\n').count() + 1;
    let column = valid
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    Diagnostic::error(
        code,
        format!(
            "`{file}` is not valid UTF-8: invalid byte 0x{:02X} at byte offset {offset}",
            bytes[offset]
        ),
    )
    .at(Span {
        file: file.clone(),
        line,
        column,
        bytes: 0..0,
    })
    .help("save the file as UTF-8 (most editors offer this under \"Save with encoding\")")
}

fn load_site_config(
    root: &Path,
    real_root: &Path,
    loaded: &mut Loaded,
    keeping: Option<Keeping<'_, SiteConfig>>,
) -> ToolResult<SiteConfig> {
    let path = root.join("content").join("site.yaml");
    let file = RelPath::from_slash("content/site.yaml");
    if leaves_root(&path, real_root) {
        loaded.diagnostics.push(outside_root(root, &path));
        return Ok(Default::default());
    }
    if !path.is_file() {
        loaded.diagnostics.push(
            Diagnostic::error(
                Code::MissingSiteConfig,
                "the site has no `content/site.yaml`",
            )
            .at(Span::file_start(file))
            .help("create it with at least `title: The name of the site`"),
        );
        return Ok(Default::default());
    }
    let found = load_units(
        &[path.as_path()],
        keeping,
        |path| vec![*path],
        |path, reads| site_config(root, path, reads),
    )?;
    Ok(found
        .into_iter()
        .map(|found| found.merge_into(loaded))
        .next()
        .unwrap_or_default())
}

/// Reads and converts `content/site.yaml`.
fn site_config(root: &Path, path: &Path, reads: &mut Reads) -> ToolResult<Found<SiteConfig>> {
    let mut found = Found::new(SiteConfig::default());
    let (file, Some(text)) = read_text(root, path, reads, &mut found)? else {
        return Ok(found);
    };
    if let Some(site) = yaml::read_site(&file, &text, &mut found.diagnostics) {
        found.value = site;
    }
    Ok(found)
}

fn load_sources(
    root: &Path,
    files: &ContentFiles,
    loaded: &mut Loaded,
    keeping: Option<Keeping<'_, Option<Source>>>,
) -> ToolResult<Vec<Source>> {
    for (stem, path) in &files.source_metas {
        if !files.source_texts.contains_key(stem) {
            loaded.diagnostics.push(
                Diagnostic::error(
                    Code::OrphanSourceMetadata,
                    format!("metadata for a source `{stem}` whose text file `{stem}.txt` does not exist"),
                )
                .at(Span::file_start(RelPath::new(root, path)))
                .help(format!("add `content/sources/{stem}.txt`, or rename this file to match an existing source")),
            );
        }
    }
    // A source is its text and its metadata file, if it has one.
    let units: Vec<(&String, &PathBuf, Option<&PathBuf>)> = files
        .source_texts
        .iter()
        .map(|(stem, path)| (stem, path, files.source_metas.get(stem)))
        .collect();
    let found = load_units(
        &units,
        keeping,
        |(_, path, meta)| {
            std::iter::once(*path)
                .chain(*meta)
                .map(PathBuf::as_path)
                .collect()
        },
        |(stem, path, meta), reads| source(root, stem, path, *meta, reads),
    )?;
    let mut sources = Vec::with_capacity(units.len());
    for ((stem, _, _), found) in units.iter().zip(found) {
        match found.merge_into(loaded) {
            Some(source) => sources.push(source),
            None => {
                loaded.site.unloadable_sources.insert(stem.to_string());
            }
        }
    }
    Ok(sources)
}

/// Reads one source: its text and, if it has one, its metadata file.
fn source(
    root: &Path,
    stem: &str,
    path: &Path,
    meta_path: Option<&PathBuf>,
    reads: &mut Reads,
) -> ToolResult<Found<Option<Source>>> {
    let file = RelPath::new(root, path);
    let found = Found::new(None);
    if let Some(problem) = stem_problem(stem) {
        return Ok(found.with(
            Diagnostic::error(
                Code::InvalidId,
                format!("`{stem}` is not a valid source id: {problem}"),
            )
            .at(Span::file_start(file))
            .help(format!(
                "a source's id is its file name: rename it to `{}.txt`",
                crate::model::suggest_identifier(stem)
            )),
        ));
    }
    let bytes = match reads.read(path, FileKind::Source.limit())? {
        Ok(bytes) => bytes,
        Err(too_large) => {
            let diagnostic = limits::file_too_large(&file, FileKind::Source, too_large);
            return Ok(found.with(diagnostic));
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            return Ok(found.with(not_utf8(
                Code::SourceNotUtf8,
                &file,
                error.as_bytes(),
                offset,
            )));
        }
    };
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Ok(found.with(
            Diagnostic::error(Code::SourceEmpty, format!("the source `{stem}` is empty"))
                .at(Span::file_start(file))
                .help("paste the source's text into the file, or delete it"),
        ));
    }
    let meta = match meta_path {
        Some(meta_path) => source_meta(root, meta_path, reads)?,
        None => Found::new(SourceMeta::default()),
    };
    let id = SourceId::parse(stem).expect("the stem was checked above");
    Ok(Found {
        value: Some(Source::new(id, file, text, meta.value)),
        diagnostics: meta.diagnostics,
        texts: meta.texts,
    })
}

fn source_meta(root: &Path, path: &Path, reads: &mut Reads) -> ToolResult<Found<SourceMeta>> {
    let mut found = Found::new(SourceMeta::default());
    let (file, Some(text)) = read_text(root, path, reads, &mut found)? else {
        return Ok(found);
    };
    if let Some(meta) = yaml::read_source_meta(&file, &text, &mut found.diagnostics) {
        found.value = meta;
    }
    Ok(found)
}

fn load_topics(
    root: &Path,
    files: &ContentFiles,
    loaded: &mut Loaded,
    keeping: Option<Keeping<'_, Option<Arc<Topic>>>>,
) -> ToolResult<Vec<Arc<Topic>>> {
    let units: Vec<(&String, &PathBuf)> = files.topics.iter().collect();
    let found = load_units(
        &units,
        keeping,
        |(_, path)| vec![path.as_path()],
        |(stem, path), reads| topic(root, stem, path, reads),
    )?;
    let mut topics: Vec<Arc<Topic>> = found
        .into_iter()
        .filter_map(|found| found.merge_into(loaded))
        .collect();
    topics.sort_by(|a, b| {
        (a.order.unwrap_or(i64::MAX), &a.title, &a.slug).cmp(&(
            b.order.unwrap_or(i64::MAX),
            &b.title,
            &b.slug,
        ))
    });
    if let Some(too_many) = limits::keep_claims_within_limit(&mut topics) {
        loaded.diagnostics.push(too_many);
    }
    Ok(topics)
}

/// Reads and converts one topic file.
fn topic(
    root: &Path,
    stem: &str,
    path: &Path,
    reads: &mut Reads,
) -> ToolResult<Found<Option<Arc<Topic>>>> {
    let mut found = Found::new(None);
    let (file, Some(text)) = read_text(root, path, reads, &mut found)? else {
        return Ok(found);
    };
    let slug = match Slug::parse(stem) {
        Ok(slug) => slug,
        Err(problem) => {
            return Ok(found.with(
                Diagnostic::error(
                    Code::InvalidSlug,
                    format!("`{stem}` is not a valid topic slug: {problem}"),
                )
                .at(Span::file_start(file))
                .help(format!(
                    "a topic's slug is its file name: rename it to `{}.yaml`",
                    crate::model::suggest_identifier(stem)
                )),
            ));
        }
    };
    found.value = yaml::read_topic(&file, slug, &text, &mut found.diagnostics).map(Arc::new);
    Ok(found)
}
