//! Writing the rendered site: into a temporary directory beside the output ([`Staging`]),
//! swapped in only once complete, so a failed build leaves the previous output untouched.
//! Where the system can exchange two directories in one step, the output is at every
//! moment a whole build, the previous or the new one: a build killed at any point, or two
//! builds of one site finishing together, cannot leave it missing or mixed. Files are
//! written on every core with the process's umask and never writable by others, and the
//! previous output is removed many files at once, without following symbolic links.
//! An output directory carries a marker file; a directory without it is never deleted.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{ToolError, ToolResult};
use crate::render::OutputFile;

/// The file that marks a directory as a factsheet output, safe to replace.
pub const MARKER: &str = ".factsheet-output";
const MARKER_TEXT: &str = "This directory is written by factsheet and replaced on every build.\n";

/// Why an output directory was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputProblem {
    IsRoot,
    ContainsRoot,
    InsideSiteFiles(&'static str),
    NotADirectory,
    Symlink,
    NotAnOutput,
}

impl OutputProblem {
    pub fn describe(&self, output: &Path) -> String {
        let shown = output.display();
        match self {
            OutputProblem::IsRoot => format!("the output directory `{shown}` is the site's root"),
            OutputProblem::ContainsRoot => {
                format!("the output directory `{shown}` contains the site")
            }
            OutputProblem::InsideSiteFiles(dir) => {
                format!("the output directory `{shown}` is inside the site's `{dir}/`")
            }
            OutputProblem::NotADirectory => {
                format!("the output `{shown}` exists and is not a directory")
            }
            OutputProblem::Symlink => format!("the output `{shown}` is a symbolic link"),
            OutputProblem::NotAnOutput => format!(
                "`{shown}` exists, is not empty and was not written by factsheet (it has no `{MARKER}` file); refusing to replace it"
            ),
        }
    }
}

/// Checks that `output` may be replaced by a build of the site at `root`.
/// Both paths must be absolute.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<(), OutputProblem> {
    let root = real_path(root);
    let output_real = real_path(output);
    if output_real == root {
        return Err(OutputProblem::IsRoot);
    }
    if root.starts_with(&output_real) {
        return Err(OutputProblem::ContainsRoot);
    }
    for dir in ["content", "templates", "static"] {
        if output_real.starts_with(root.join(dir)) {
            return Err(OutputProblem::InsideSiteFiles(dir));
        }
    }
    let Ok(metadata) = fs::symlink_metadata(output) else {
        return Ok(());
    };
    if metadata.file_type().is_symlink() {
        return Err(OutputProblem::Symlink);
    }
    if !metadata.is_dir() {
        return Err(OutputProblem::NotADirectory);
    }
    let empty = fs::read_dir(output)
        .map(|mut entries| entries.next().is_none())
        .unwrap_or(false);
    if empty || output.join(MARKER).is_file() {
        Ok(())
    } else {
        Err(OutputProblem::NotAnOutput)
    }
}

/// The canonical form of a path, or of its nearest existing ancestor joined with the rest
/// (the output may not exist yet).
fn real_path(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => real_path(parent).join(name),
        _ => path.to_path_buf(),
    }
}

/// Writes `files` as the new content of `output`, replacing it only when all are written.
pub fn write_site(output: &Path, files: &[OutputFile]) -> ToolResult<()> {
    let staging = Staging::new(output)?;
    staging.write(files)?;
    staging.finish()
}

/// A new output being written: a hidden sibling directory of the output, which
/// [`Staging::finish`] swaps in once every file is written. Dropped unfinished (an error
/// on the way), it is removed and the previous output stays as it was.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
}

impl Staging {
    /// An empty staging directory beside `output` (whose parent is created if need be).
    pub fn new(output: &Path) -> ToolResult<Staging> {
        let parent = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(ToolError::write(parent))?;
        remove_abandoned_siblings(output);
        let dir = sibling(output, "new");
        dir_builder().create(&dir).map_err(ToolError::write(&dir))?;
        Ok(Staging {
            dir,
            output: output.to_path_buf(),
        })
    }

    /// Writes `files` into the staging directory, on every core. Of several files with
    /// the same path, the last one is written, as it would be one after the other.
    pub fn write(&self, files: &[OutputFile]) -> ToolResult<()> {
        let mut last: BTreeMap<&str, &OutputFile> = BTreeMap::new();
        for file in files {
            last.insert(&file.path, file);
        }
        let paths = last
            .into_values()
            .map(|file| Ok((self.place(&file.path)?, file)))
            .collect::<ToolResult<Vec<_>>>()?;
        // Each directory once, before the files that go in it.
        let dirs: BTreeSet<&Path> = paths.iter().filter_map(|(path, _)| path.parent()).collect();
        dirs.into_iter().try_for_each(make_dir_all)?;
        paths
            .par_iter()
            .try_for_each(|(path, file)| write_file(path, &file.bytes))
    }

    /// Writes one file into the staging directory (its directory made if need be), for a
    /// build that writes each page as soon as it is rendered. Of two files with the same
    /// path, the one written last stays.
    pub fn write_one(&self, path: &str, bytes: &[u8]) -> ToolResult<()> {
        let path = self.place(path)?;
        if let Some(dir) = path.parent() {
            make_dir_all(dir)?;
        }
        write_file(&path, bytes)
    }

    /// Reads back a file written into the staging directory.
    pub fn read(&self, path: &str) -> ToolResult<Vec<u8>> {
        let path = self.place(path)?;
        fs::read(&path).map_err(ToolError::read(&path))
    }

    /// Where the file at `path` (relative to the output) goes in the staging directory.
    fn place(&self, path: &str) -> ToolResult<PathBuf> {
        safe_join(&self.dir, path).ok_or_else(|| {
            ToolError::Usage(format!("refusing to write outside the output: `{path}`"))
        })
    }

    /// Marks the staging directory as an output and puts it in the place of the output.
    pub fn finish(self) -> ToolResult<()> {
        write_file(&self.dir.join(MARKER), MARKER_TEXT.as_bytes())?;
        swap_in(&self.dir, &self.output)
    }
}

/// What the output's files and directories may allow at most, before the umask takes its
/// part: everything but writing by others. A site is published to the world; nobody else on
/// the machine should be able to change it, even under a umask of 0.
#[cfg(unix)]
const FILE_MODE: u32 = 0o664;
#[cfg(unix)]
const DIR_MODE: u32 = 0o775;

fn dir_builder() -> fs::DirBuilder {
    #[allow(unused_mut)]
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder
}

/// Makes `dir` and the directories above it that are missing, with the output's mode.
fn make_dir_all(dir: &Path) -> ToolResult<()> {
    let mut builder = dir_builder();
    builder.recursive(true);
    builder.create(dir).map_err(ToolError::write(dir))
}

/// Writes a new file (the staging directory is new: nothing is there to replace).
fn write_file(path: &Path, bytes: &[u8]) -> ToolResult<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    let mut file = options.open(path).map_err(ToolError::write(path))?;
    file.write_all(bytes).map_err(ToolError::write(path))
}

impl Drop for Staging {
    fn drop(&mut self) {
        // After a successful `finish` it is gone already, and this does nothing.
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Removes the staging and old directories that builds of `output` killed before they
/// finished left beside it: those whose process is gone. Best effort: what cannot be
/// removed stays, and never stops a build.
fn remove_abandoned_siblings(output: &Path) {
    let (Some(parent), Some(name)) = (output.parent(), output.file_name()) else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let name = name.to_string_lossy();
    for entry in entries.flatten() {
        let Some(pid) = abandoned_by(&entry.file_name().to_string_lossy(), &name) else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
        if is_dir && !is_running(pid) {
            let _ = remove_tree(&entry.path());
        }
    }
}

/// The process id in the name of a sibling made by [`sibling`] for the output `name`.
fn abandoned_by(file_name: &str, name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(name)?;
    let rest = rest
        .strip_prefix(".new-")
        .or_else(|| rest.strip_prefix(".old-"))?;
    let (pid, unique) = rest.split_once('-')?;
    let digits_and_dashes = unique.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    digits_and_dashes.then_some(())?;
    pid.parse().ok()
}

/// Whether the process `pid` is running (on systems that cannot tell: yes, so that
/// nothing another build may be writing is removed).
fn is_running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return false;
        };
        // "No such process" is the only answer that says it is gone.
        !matches!(
            rustix::process::test_kill_process(pid),
            Err(rustix::io::Errno::SRCH)
        )
    }
    #[cfg(not(unix))]
    true
}

/// A hidden, unique sibling of `output`, e.g. `.public.new-1234-1763700000000000000-0`.
fn sibling(output: &Path, kind: &str) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    // Unique between processes (the id, which also tells whether the directory is
    // abandoned) and within one (the time and a count).
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let unique = format!(
        ".{name}.{kind}-{}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
        COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    output.with_file_name(unique)
}

/// `dir` joined with a `/`-separated relative path that cannot climb out of it.
fn safe_join(dir: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = dir.to_path_buf();
    for part in relative.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
            return None;
        }
        path.push(part);
    }
    Some(path)
}

/// Replaces `output` with `staging`, then removes the previous output. The two are
/// exchanged in one step where the system can; another build of the same output may
/// finish in between the steps, so a step that finds the place taken tries again.
fn swap_in(staging: &Path, output: &Path) -> ToolResult<()> {
    for _ in 0..8 {
        match exchange(staging, output) {
            // `staging` now holds the previous output.
            Ok(()) => return remove_tree(staging),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                match fs::rename(staging, output) {
                    Ok(()) => return Ok(()),
                    // Another build put its output there first: exchange with it.
                    Err(error) if is_taken(&error) => continue,
                    Err(error) => return Err(ToolError::write(output)(error)),
                }
            }
            Err(error) if is_unsupported(&error) => return move_aside_and_in(staging, output),
            Err(error) => return Err(ToolError::write(output)(error)),
        }
    }
    move_aside_and_in(staging, output)
}

/// Exchanges the two paths in one step (both must exist).
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// A file system or kernel that cannot exchange paths.
fn is_unsupported(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        use rustix::io::Errno;
        let codes = [Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP].map(Errno::raw_os_error);
        if error
            .raw_os_error()
            .is_some_and(|code| codes.contains(&code))
        {
            return true;
        }
    }
    error.kind() == io::ErrorKind::Unsupported
}

/// A rename onto a directory that is there and not empty.
fn is_taken(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::DirectoryNotEmpty | io::ErrorKind::AlreadyExists
    )
}

/// Replaces `output` where paths cannot be exchanged: the old output is moved aside, the
/// new one moved in, then the old one removed.
fn move_aside_and_in(staging: &Path, output: &Path) -> ToolResult<()> {
    if fs::symlink_metadata(output).is_err() {
        return fs::rename(staging, output).map_err(ToolError::write(output));
    }
    let old = sibling(output, "old");
    fs::rename(output, &old).map_err(ToolError::write(output))?;
    if let Err(error) = fs::rename(staging, output) {
        // Put the previous output back: a failed build must leave it as it was.
        let _ = fs::rename(&old, output);
        return Err(ToolError::write(output)(error));
    }
    remove_tree(&old)
}

/// How many files [`remove_tree`] removes at once. Removing a file costs the file system's
/// latency far more than the CPU (on some virtual disks a few milliseconds each, for 2,500
/// files a second of waiting), so many at once, whatever the number of cores.
const REMOVALS_AT_ONCE: usize = 16;

/// Removes the directory `dir` and everything in it, without following symbolic links:
/// the files (links included) many at once, then the directories, deepest first.
fn remove_tree(dir: &Path) -> ToolResult<()> {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let entry = entry.map_err(|error| ToolError::Write {
            path: error.path().unwrap_or(dir).to_path_buf(),
            source: error.into(),
        })?;
        if entry.file_type().is_dir() {
            dirs.push((entry.depth(), entry.into_path()));
        } else {
            files.push(entry.into_path());
        }
    }
    dirs.sort_by_key(|(depth, _)| std::cmp::Reverse(*depth));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(REMOVALS_AT_ONCE)
        .build()
        .map_err(|error| ToolError::write(dir)(std::io::Error::other(error)))?;
    pool.install(|| {
        files
            .par_iter()
            .try_for_each(|file| fs::remove_file(file).map_err(ToolError::write(file)))?;
        // A directory is empty once those deeper than it are gone.
        for level in dirs.chunk_by(|a, b| a.0 == b.0) {
            level
                .par_iter()
                .try_for_each(|(_, dir)| fs::remove_dir(dir).map_err(ToolError::write(dir)))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn writes_and_replaces_a_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(
            &out,
            &[file("index.html", "one"), file("topics/a/index.html", "a")],
        )
        .unwrap();
        assert!(out.join(MARKER).is_file());
        write_site(&out, &[file("index.html", "two")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(
            !out.join("topics").exists(),
            "files of the previous build are gone"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(
            leftovers.len(),
            1,
            "no staging or old directory is left behind"
        );
    }

    #[test]
    fn of_two_files_with_one_path_the_last_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let files: Vec<OutputFile> = (0..100)
            .map(|n| file(&format!("pages/{}/index.html", n % 10), &n.to_string()))
            .collect();
        write_site(&out, &files).unwrap();
        for n in 90..100 {
            let page = out.join(format!("pages/{}/index.html", n % 10));
            assert_eq!(fs::read_to_string(page).unwrap(), n.to_string());
        }
    }

    #[test]
    fn files_written_one_at_a_time_are_read_back_and_swapped_in() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        let staging = Staging::new(&output).unwrap();
        staging.write_one("topics/a/index.html", b"first").unwrap();
        staging.write_one("topics/a/index.html", b"again").unwrap();
        staging.write_one("index.html", b"home").unwrap();
        assert_eq!(staging.read("topics/a/index.html").unwrap(), b"again");
        assert!(staging.write_one("../outside.html", b"x").is_err());
        assert!(staging.read("../outside.html").is_err());
        assert!(!dir.path().join("outside.html").exists());
        staging.finish().unwrap();
        assert_eq!(
            fs::read(output.join("topics/a/index.html")).unwrap(),
            b"again"
        );
        assert_eq!(fs::read(output.join("index.html")).unwrap(), b"home");
    }

    #[test]
    fn an_unfinished_staging_directory_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("index.html", "one")]).unwrap();
        let staging = Staging::new(&out).unwrap();
        staging.write(&[file("index.html", "two")]).unwrap();
        drop(staging);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "one");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn removing_a_tree_removes_links_not_what_they_name() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("keep.txt"), "mine").unwrap();
        let tree = dir.path().join("tree");
        for n in 0..40 {
            let deep = tree.join(format!("a/{n}/b"));
            fs::create_dir_all(&deep).unwrap();
            fs::write(deep.join("index.html"), "x").unwrap();
        }
        std::os::unix::fs::symlink(&outside, tree.join("a/link")).unwrap();
        remove_tree(&tree).unwrap();
        assert!(!tree.exists());
        assert_eq!(
            fs::read_to_string(outside.join("keep.txt")).unwrap(),
            "mine"
        );
    }

    /// Many outputs swapped in at once, as builds of one site finishing together: each
    /// swap succeeds and the output is always one whole build.
    #[test]
    fn outputs_swapped_in_at_once_each_succeed_and_leave_one_whole_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let build = |n: usize| -> Vec<OutputFile> {
            (0..8)
                .map(|page| file(&format!("p{page}/index.html"), &n.to_string()))
                .collect()
        };
        std::thread::scope(|scope| {
            for thread in 0..8 {
                let (out, build) = (&out, &build);
                scope.spawn(move || {
                    for round in 0..25 {
                        let n = thread * 100 + round;
                        write_site(out, &build(n)).unwrap_or_else(|e| panic!("build {n}: {e}"));
                    }
                });
            }
        });
        let texts: BTreeSet<String> = (0..8)
            .map(|page| fs::read_to_string(out.join(format!("p{page}/index.html"))).unwrap())
            .collect();
        assert_eq!(texts.len(), 1, "pages of different builds: {texts:?}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "leftovers");
    }

    #[test]
    fn staging_left_by_a_process_that_is_gone_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // Above any process id Linux gives (at most 2^22), so never running.
        let gone = dir.path().join(".public.new-99999999-1");
        let running = dir
            .path()
            .join(format!(".public.old-{}-1", std::process::id()));
        let other = dir.path().join(".publish.new-99999999-1");
        for leftover in [&gone, &running, &other] {
            fs::create_dir_all(leftover.join("topics")).unwrap();
            fs::write(leftover.join("topics/index.html"), "x").unwrap();
        }
        write_site(&out, &[file("index.html", "one")]).unwrap();
        assert!(!gone.exists(), "left by a process that is gone");
        assert!(running.exists(), "a running build's directory stays");
        assert!(other.exists(), "another output's directory stays");
    }

    #[test]
    fn only_names_made_for_the_output_are_taken_as_leftovers() {
        assert_eq!(abandoned_by(".public.new-123-456", "public"), Some(123));
        assert_eq!(abandoned_by(".public.old-123-456", "public"), Some(123));
        assert_eq!(abandoned_by(".public.new-123-456-7", "public"), Some(123));
        assert_eq!(abandoned_by(".public.new-123-45x", "public"), None);
        assert_eq!(abandoned_by(".public.tmp-123-456", "public"), None);
        assert_eq!(abandoned_by("public.new-123-456", "public"), None);
        assert_eq!(abandoned_by(".public2.new-123-456", "public"), None);
    }

    #[test]
    fn a_failed_write_leaves_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("index.html", "one")]).unwrap();
        assert!(write_site(&out, &[file("../escape.html", "x")]).is_err());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "one");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_dangerous_output_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        assert_eq!(check_output_dir(&root, &root), Err(OutputProblem::IsRoot));
        assert_eq!(
            check_output_dir(&root, dir.path()),
            Err(OutputProblem::ContainsRoot)
        );
        assert_eq!(
            check_output_dir(&root, &root.join("content")),
            Err(OutputProblem::InsideSiteFiles("content"))
        );
        let other = root.join("notes");
        fs::create_dir_all(&other).unwrap();
        fs::write(other.join("todo.txt"), "mine").unwrap();
        assert_eq!(
            check_output_dir(&root, &other),
            Err(OutputProblem::NotAnOutput)
        );
        assert_eq!(check_output_dir(&root, &root.join("public")), Ok(()));
    }
}
