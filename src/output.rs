//! Writing the rendered site: into a temporary directory beside the output, swapped in
//! only once complete, so a failed build leaves the previous output untouched. An output
//! directory carries a marker file; a directory without it is never deleted.

use std::fs;
use std::path::{Path, PathBuf};

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
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(ToolError::write(parent))?;
    let staging = sibling(output, "new");
    let result = write_all(&staging, files).and_then(|()| swap_in(&staging, output));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

/// A hidden, unique sibling of `output`, e.g. `.public.new-1234`.
fn sibling(output: &Path, kind: &str) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let unique = format!(
        ".{name}.{kind}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    output.with_file_name(unique)
}

fn write_all(dir: &Path, files: &[OutputFile]) -> ToolResult<()> {
    fs::create_dir(dir).map_err(ToolError::write(dir))?;
    for file in files {
        let path = safe_join(dir, &file.path).ok_or_else(|| {
            ToolError::Usage(format!(
                "refusing to write outside the output: `{}`",
                file.path
            ))
        })?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(ToolError::write(parent))?;
        }
        fs::write(&path, &file.bytes).map_err(ToolError::write(&path))?;
    }
    let marker = dir.join(MARKER);
    fs::write(&marker, MARKER_TEXT).map_err(ToolError::write(&marker))
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

/// Replaces `output` with `staging`: the old output is moved aside, then removed.
fn swap_in(staging: &Path, output: &Path) -> ToolResult<()> {
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
    // remove_dir_all does not follow symbolic links inside the old output.
    fs::remove_dir_all(&old).map_err(ToolError::write(&old))
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
