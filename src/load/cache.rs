//! Loading the content again after a save without reading and parsing all of it: each
//! unit of the content (the site settings, a source with its metadata, a topic) is kept
//! with the stamps and digests of its files, and loaded again only when one of its files
//! changed. `serve` keeps a [`Cache`] between builds; `build` and `check` load without.
//!
//! A file whose stamp (size, times, inode) is the same as when it was read has not
//! changed, provided it had last changed well before that read: file times tick
//! coarsely (every few milliseconds, every second or two on some file systems), so a
//! file written twice within one tick at the same size keeps its stamp. The stamp of a
//! recently changed file is not trusted: the file is read again and its digest compared,
//! until it has settled.

use std::collections::HashMap;
use std::fs::{self, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use sha2::Sha256;
use sha2::digest::Digest as _;

use super::Found;
use super::limits::TooLarge;
use crate::error::{ToolError, ToolResult};
use crate::model::{SiteConfig, Source, Topic};

/// How long after its last change a file's stamp is trusted: longer than the tick of
/// any common file system's times (FAT's two seconds).
const SETTLE: Duration = Duration::from_secs(3);

/// What `load` kept of the previous loads, and how the last one went.
#[derive(Debug)]
pub struct Cache {
    memos: Memos,
    settle: Duration,
    /// How the units of the last load were obtained.
    pub last: Counts,
}

/// The units kept, by kind.
#[derive(Debug, Default)]
pub(super) struct Memos {
    pub site: Memo<SiteConfig>,
    pub sources: Memo<Option<Source>>,
    pub topics: Memo<Option<Arc<Topic>>>,
}

/// One kind of unit of a cache, as one load uses it.
pub(super) struct Keeping<'c, T> {
    pub memo: &'c mut Memo<T>,
    pub settle: Duration,
    pub counts: &'c mut Counts,
}

impl Default for Cache {
    fn default() -> Self {
        Cache::with_settle(SETTLE)
    }
}

impl Cache {
    /// A cache that trusts a stamp once its file has not changed for `settle`.
    pub fn with_settle(settle: Duration) -> Self {
        Cache {
            memos: Memos::default(),
            settle,
            last: Counts::default(),
        }
    }

    /// The memo `pick` chooses, for one load.
    pub(super) fn keeping<T>(&mut self, pick: fn(&mut Memos) -> &mut Memo<T>) -> Keeping<'_, T> {
        Keeping {
            memo: pick(&mut self.memos),
            settle: self.settle,
            counts: &mut self.last,
        }
    }
}

/// How many units a load took from the cache without reading them, took from the cache
/// after reading their unchanged bytes, and loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub kept: usize,
    pub same_bytes: usize,
    pub loaded: usize,
}

impl Counts {
    pub(super) fn add<T>(&mut self, how: &How<T>) {
        match how {
            How::Kept => self.kept += 1,
            How::SameBytes(_) => self.same_bytes += 1,
            How::Loaded(_) | How::Uncached => self.loaded += 1,
        }
    }
}

/// Reads the files of one unit, noting the digest of the bytes when a cache keeps the
/// unit: the digest of exactly what was parsed.
#[derive(Debug, Default)]
pub(super) struct Reads {
    digests: Option<Vec<(PathBuf, Digest)>>,
}

type Digest = [u8; 32];

impl Reads {
    /// Reads without noting digests (nothing is kept).
    pub(super) fn plain() -> Self {
        Reads::default()
    }

    fn noting_digests() -> Self {
        Reads {
            digests: Some(Vec::new()),
        }
    }

    /// The bytes of the file at `path`, or [`TooLarge`] when it holds more than `limit`
    /// bytes: then no more than `limit + 1` bytes are read, whatever its size.
    pub(super) fn read(
        &mut self,
        path: &Path,
        limit: u64,
    ) -> ToolResult<Result<Vec<u8>, TooLarge>> {
        let read = read_at_most(path, limit).map_err(ToolError::read(path))?;
        if let Some(digests) = &mut self.digests {
            // A file over the limit is judged by its size alone: that is all that was read.
            let digest = match &read {
                Ok(bytes) => digest(bytes),
                Err(too_large) => digest(&too_large.size.to_le_bytes()),
            };
            digests.push((path.to_path_buf(), digest));
        }
        Ok(read)
    }

    fn digest_of(&self, path: &Path) -> Option<Digest> {
        self.digests
            .iter()
            .flatten()
            .find(|(read, _)| read == path)
            .map(|(_, digest)| *digest)
    }
}

/// Reads the file, stopping one byte past `limit` (a file may grow after its size is read).
fn read_at_most(path: &Path, limit: u64) -> io::Result<Result<Vec<u8>, TooLarge>> {
    let file = fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Ok(Err(TooLarge { size, limit }));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes)?;
    let read = bytes.len() as u64;
    if read > limit {
        return Ok(Err(TooLarge { size: read, limit }));
    }
    Ok(Ok(bytes))
}

fn digest(bytes: &[u8]) -> Digest {
    Sha256::digest(bytes).into()
}

/// The units of one kind, by the path of their first file.
#[derive(Debug)]
pub(super) struct Memo<T> {
    units: HashMap<PathBuf, Kept<T>>,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            units: HashMap::new(),
        }
    }
}

/// A unit as loaded, and the state of its files when they were read.
#[derive(Debug)]
pub(super) struct Kept<T> {
    files: Vec<FileState>,
    found: Found<T>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FileState {
    stamp: Stamp,
    /// A moment before the file was stamped and read.
    read_at: SystemTime,
    /// Of the bytes read; `None` when loading the unit did not read the file (a source's
    /// metadata when the text is empty), whose bytes then do not matter.
    digest: Option<Digest>,
}

/// How a unit was obtained, and what the next memo keeps of it.
#[derive(Debug)]
pub(super) enum How<T> {
    /// From the memo, no file read: keep the entry as it is.
    Kept,
    /// From the memo, its files read again and found unchanged: their new states.
    SameBytes(Vec<FileState>),
    /// Loaded now.
    Loaded(Kept<T>),
    /// Loaded now, not to be kept: a file could not be stamped (it is gone, or unreadable).
    Uncached,
}

impl<T: Clone> Memo<T> {
    /// The unit made of `files` (the first names it): from the memo when none of them
    /// changed, else from `load`.
    pub(super) fn get(
        &self,
        files: &[&Path],
        settle: Duration,
        load: impl FnOnce(&mut Reads) -> ToolResult<Found<T>>,
    ) -> ToolResult<(Found<T>, How<T>)> {
        let read_at = SystemTime::now();
        let Some(stamps) = stamps(files) else {
            return Ok((load(&mut Reads::plain())?, How::Uncached));
        };
        let kept = self.units.get(files[0]);
        if let Some(kept) = kept.filter(|kept| kept.is_current(&stamps, settle)) {
            return Ok((kept.found.clone(), How::Kept));
        }
        if let Some((kept, states)) =
            kept.and_then(|kept| Some((kept, kept.same_bytes(files, &stamps, read_at)?)))
        {
            return Ok((kept.found.clone(), How::SameBytes(states)));
        }
        let mut reads = Reads::noting_digests();
        let found = load(&mut reads)?;
        let files = files
            .iter()
            .zip(stamps)
            .map(|(path, stamp)| FileState {
                stamp,
                read_at,
                digest: reads.digest_of(path),
            })
            .collect();
        let kept = Kept {
            files,
            found: found.clone(),
        };
        Ok((found, How::Loaded(kept)))
    }

    /// The memo for the next load: the units of this one, as `how` says.
    pub(super) fn next(mut self, units: impl IntoIterator<Item = (PathBuf, How<T>)>) -> Self {
        let mut next = Memo::default();
        for (path, how) in units {
            let kept = match how {
                How::Kept => self.units.remove(&path),
                How::SameBytes(files) => {
                    self.units.remove(&path).map(|kept| Kept { files, ..kept })
                }
                How::Loaded(kept) => Some(kept),
                How::Uncached => None,
            };
            if let Some(kept) = kept {
                next.units.insert(path, kept);
            }
        }
        next
    }
}

impl<T> Kept<T> {
    /// Whether its files have the same stamps as when read, and had settled by then.
    fn is_current(&self, stamps: &[Stamp], settle: Duration) -> bool {
        self.files.len() == stamps.len()
            && self
                .files
                .iter()
                .zip(stamps)
                .all(|(file, stamp)| file.stamp == *stamp && stamp.settled(file.read_at, settle))
    }

    /// The files' new states, if their bytes are the same as when loaded.
    fn same_bytes(
        &self,
        files: &[&Path],
        stamps: &[Stamp],
        read_at: SystemTime,
    ) -> Option<Vec<FileState>> {
        if self.files.len() != files.len() {
            return None;
        }
        self.files
            .iter()
            .zip(files.iter().zip(stamps))
            .map(|(kept, (path, stamp))| {
                let unchanged = match kept.digest {
                    Some(wanted) => fs::read(path).is_ok_and(|bytes| digest(&bytes) == wanted),
                    None => true,
                };
                unchanged.then_some(FileState {
                    stamp: *stamp,
                    read_at,
                    digest: kept.digest,
                })
            })
            .collect()
    }
}

fn stamps(files: &[&Path]) -> Option<Vec<Stamp>> {
    files
        .iter()
        .map(|path| fs::metadata(path).ok().map(|meta| Stamp::of(&meta)))
        .collect()
}

/// What the file system says about a file's version, without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    /// The inode's change time and identity: unlike the modification time, no tool sets
    /// the change time back, and an editor that saves by renaming makes a new inode.
    #[cfg(unix)]
    changed: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Stamp {
    pub fn of(meta: &Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            changed: changed_time(meta),
            #[cfg(unix)]
            inode: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino())
            },
        }
    }

    /// When the file last changed, as far as its times say.
    fn last_change(&self) -> Option<SystemTime> {
        #[cfg(unix)]
        return self.modified.max(self.changed);
        #[cfg(not(unix))]
        return self.modified;
    }

    /// Whether a read at `read_at` saw the file's last change: it happened at least
    /// `settle` before, so any later change shows in the stamp.
    pub fn settled(&self, read_at: SystemTime, settle: Duration) -> bool {
        self.last_change()
            .and_then(|changed| changed.checked_add(settle))
            .is_some_and(|settled| settled <= read_at)
    }
}

#[cfg(unix)]
fn changed_time(meta: &Metadata) -> Option<SystemTime> {
    use std::os::unix::fs::MetadataExt;
    let seconds = u64::try_from(meta.ctime()).ok()?;
    let nanos = u32::try_from(meta.ctime_nsec()).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::new(seconds, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_stops_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("text.txt");
        fs::write(&path, "0123456789").unwrap();
        assert_eq!(read_at_most(&path, 10).unwrap().unwrap(), b"0123456789");
        assert_eq!(
            read_at_most(&path, 9).unwrap(),
            Err(TooLarge { size: 10, limit: 9 })
        );
    }
    use crate::load::{Loaded, load, load_cached};

    const TOPIC: &str = "title: T\nclaims:\n  - id: a\n    statement: Before.\n    citations:\n      - source: s\n        quote: \"the quote\"\n";

    /// A small site: settings, a source with metadata, a topic.
    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        fs::create_dir_all(content.join("sources")).unwrap();
        fs::create_dir_all(content.join("topics")).unwrap();
        fs::write(content.join("site.yaml"), "title: Site\n").unwrap();
        fs::write(content.join("sources/s.txt"), "Here is the quote.\n").unwrap();
        fs::write(content.join("sources/s.yaml"), "title: S\n").unwrap();
        fs::write(content.join("topics/t.yaml"), TOPIC).unwrap();
        dir
    }

    fn write(root: &Path, file: &str, text: &str) {
        fs::write(root.join(file), text).unwrap();
    }

    fn statement(loaded: &Loaded) -> &str {
        &loaded.site.topics[0].claims[0].statement
    }

    /// Everything a load gives, to compare a cached load with a cold one.
    fn everything(loaded: &Loaded) -> String {
        let files: Vec<_> = loaded.files.iter().collect();
        format!("{:?}\n{:?}\n{files:?}", loaded.site, loaded.diagnostics)
    }

    #[test]
    fn an_edit_to_a_cached_file_is_seen_and_the_rest_is_kept() {
        let site = site();
        let root = site.path();
        let mut cache = Cache::default();
        load_cached(root, &mut cache).unwrap();
        assert_eq!(cache.last.loaded, 3);
        write(
            root,
            "content/topics/t.yaml",
            &TOPIC.replace("Before.", "After, longer."),
        );
        let loaded = load_cached(root, &mut cache).unwrap();
        assert_eq!(statement(&loaded), "After, longer.");
        assert_eq!(cache.last.loaded, 1, "{:?}", cache.last);
        assert_eq!(everything(&loaded), everything(&load(root).unwrap()));
    }

    #[test]
    fn a_file_changed_back_and_forth_is_read_again_each_time() {
        let site = site();
        let root = site.path();
        let mut cache = Cache::default();
        load_cached(root, &mut cache).unwrap();
        // The same size, within the same tick of the file times: only the bytes differ.
        for text in ["Before!", "Before.", "Before?", "Before."] {
            write(
                root,
                "content/topics/t.yaml",
                &TOPIC.replace("Before.", text),
            );
            assert_eq!(statement(&load_cached(root, &mut cache).unwrap()), text);
        }
    }

    #[test]
    fn a_cache_hit_gives_the_same_site_diagnostics_and_files_as_a_cold_load() {
        let site = site();
        let root = site.path();
        write(
            root,
            "content/topics/typo.yaml",
            "title: T\nclaims:\n  - id: b\n    statment: s\n",
        );
        write(
            root,
            "content/topics/bad-date.yaml",
            "title: T\nreviewed: 2025-13-01\nclaims: []\n",
        );
        write(root, "content/sources/empty.txt", "  \n");
        write(root, "content/sources/orphan.yaml", "title: O\n");
        write(
            root,
            "content/sources/s.yaml",
            "title: S\npublished: yesterday\n",
        );
        fs::write(root.join("content/sources/latin1.txt"), b"caf\xe9\n").unwrap();
        let cold = everything(&load(root).unwrap());
        let mut cache = Cache::default();
        assert_eq!(everything(&load_cached(root, &mut cache).unwrap()), cold);
        let again = load_cached(root, &mut cache).unwrap();
        assert_eq!(cache.last.loaded, 0, "{:?}", cache.last);
        assert_eq!(everything(&again), cold);
    }

    #[test]
    fn settled_files_are_taken_without_being_read() {
        let site = site();
        let root = site.path();
        let mut cache = Cache::with_settle(Duration::ZERO);
        load_cached(root, &mut cache).unwrap();
        load_cached(root, &mut cache).unwrap();
        assert_eq!(
            cache.last,
            Counts {
                kept: 3,
                same_bytes: 0,
                loaded: 0
            }
        );
    }

    #[test]
    fn new_metadata_and_removed_files_are_seen() {
        let site = site();
        let root = site.path();
        let mut cache = Cache::default();
        load_cached(root, &mut cache).unwrap();
        fs::remove_file(root.join("content/sources/s.yaml")).unwrap();
        let loaded = load_cached(root, &mut cache).unwrap();
        assert_eq!(loaded.site.sources[0].meta.title, None);
        write(root, "content/sources/s.yaml", "title: Back\n");
        let loaded = load_cached(root, &mut cache).unwrap();
        assert_eq!(loaded.site.sources[0].meta.title.as_deref(), Some("Back"));
        fs::remove_file(root.join("content/topics/t.yaml")).unwrap();
        assert!(
            load_cached(root, &mut cache)
                .unwrap()
                .site
                .topics
                .is_empty()
        );
    }

    #[test]
    fn a_stamp_is_trusted_only_once_its_file_settled_before_the_read() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let stamp = Stamp::of(&file.as_file().metadata().unwrap());
        let changed = stamp.last_change().unwrap();
        let settle = Duration::from_secs(3);
        assert!(!stamp.settled(changed, settle));
        assert!(!stamp.settled(changed + Duration::from_secs(2), settle));
        assert!(stamp.settled(changed + settle, settle));
    }
}
