//! Watching the site's inputs (notify, through notify-debouncer-full): `content/`,
//! `templates/` and `static/`, recursively, and the root itself, not recursively, to
//! see those directories appear or go. The output is never watched: `serve` writes none.
//!
//! One save raises several events (write, chmod, rename of a temporary file); the
//! debouncer coalesces them, and the rebuild loop drains whatever else arrived while it
//! was building, so a burst of saves costs one build per pause, the last one reading the
//! files as last saved.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::Duration;

use notify::RecursiveMode;
use notify::event::{AccessKind, AccessMode, EventKind};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, RecommendedCache, new_debouncer, notify,
};

use super::plan::{Change, classify, dirs_to_watch};

/// How long the file system must be quiet before a batch of events is delivered: long
/// enough to merge the events of one save, short enough not to be felt.
pub const QUIET: Duration = Duration::from_millis(40);

/// A running watcher and the batches it delivers.
pub struct Watcher {
    root: PathBuf,
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    watched: Vec<PathBuf>,
    batches: Receiver<DebounceEventResult>,
}

/// What one wait for changes found.
#[derive(Debug, Default)]
pub struct Batch {
    pub change: Change,
    /// The paths that mattered, relative to the root, for the terminal.
    pub paths: Vec<String>,
    /// Errors the watcher reported (a full rebuild follows them).
    pub errors: Vec<String>,
}

impl Watcher {
    pub fn start(root: &Path) -> notify::Result<Watcher> {
        let (sender, batches): (Sender<DebounceEventResult>, _) = channel();
        let debouncer = new_debouncer(QUIET, None, sender)?;
        let mut watcher = Watcher {
            root: root.to_path_buf(),
            debouncer,
            watched: Vec::new(),
            batches,
        };
        watcher.debouncer.watch(root, RecursiveMode::NonRecursive)?;
        watcher.rewatch()?;
        Ok(watcher)
    }

    /// Watches the input directories that exist now (after one appeared or went away).
    pub fn rewatch(&mut self) -> notify::Result<()> {
        for dir in std::mem::take(&mut self.watched) {
            // Gone with its directory already, most likely.
            let _ = self.debouncer.unwatch(&dir);
        }
        for dir in dirs_to_watch(&self.root) {
            self.debouncer.watch(&dir, RecursiveMode::Recursive)?;
            self.watched.push(dir);
        }
        Ok(())
    }

    /// Waits for the next relevant change, then takes every batch already waiting too.
    /// `None` once the watcher has stopped.
    pub fn wait(&mut self) -> Option<Batch> {
        loop {
            let mut batch = Batch::default();
            self.absorb(self.batches.recv().ok()?, &mut batch);
            loop {
                match self.batches.try_recv() {
                    Ok(result) => self.absorb(result, &mut batch),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return None,
                }
            }
            if !batch.change.is_empty() {
                return Some(batch);
            }
        }
    }

    fn absorb(&self, result: DebounceEventResult, batch: &mut Batch) {
        match result {
            Ok(events) => {
                for event in &events {
                    if event.need_rescan() {
                        batch.change.merge(Change::ALL);
                    }
                    if !changes_files(&event.kind) {
                        continue;
                    }
                    let change = classify(&self.root, event.paths.iter().map(PathBuf::as_path));
                    if !change.is_empty() {
                        batch.change.merge(change);
                        for path in &event.paths {
                            let shown = path.strip_prefix(&self.root).unwrap_or(path);
                            let shown = shown.to_string_lossy().replace('\\', "/");
                            if !batch.paths.contains(&shown) {
                                batch.paths.push(shown);
                            }
                        }
                    }
                }
            }
            Err(errors) => {
                batch.change.merge(Change::ALL);
                batch
                    .errors
                    .extend(errors.iter().map(|error| error.to_string()));
            }
        }
    }
}

/// Whether an event can mean a file's contents changed. Reads are events too (inotify
/// reports opening and closing a file): counting them, every build's own reading of the
/// site would set off the next build.
pub fn changes_files(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Other => false,
        EventKind::Any | EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, ModifyKind, RemoveKind};

    #[test]
    fn reading_a_file_is_not_a_change() {
        assert!(!changes_files(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!changes_files(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!changes_files(&EventKind::Other));
    }

    #[test]
    fn writing_creating_and_removing_are_changes() {
        assert!(changes_files(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(changes_files(&EventKind::Create(CreateKind::File)));
        assert!(changes_files(&EventKind::Modify(ModifyKind::Any)));
        assert!(changes_files(&EventKind::Remove(RemoveKind::File)));
    }
}
