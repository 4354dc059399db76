//! The one small helper every integration test uses: a temporary site written file by
//! file, and the binary run on it with its exit code, output and parsed JSON report.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

/// A source text used by most fixtures (its id is `article`).
pub const ARTICLE: &str = "The First Lady said eight children were reunited with their families.\n\
It was “a breakthrough” — officials said — after months of talks.\n\
Eighteen other cases remain open.\n";

/// A throwaway site on disk.
pub struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// An empty directory (no `content/`).
    pub fn empty() -> Self {
        Site {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// A minimal valid site: `site.yaml`, the `article` source and one topic citing it.
    pub fn new() -> Self {
        Site::empty()
            .file("content/site.yaml", "title: Test site\n")
            .file("content/sources/article.txt", ARTICLE)
            .file(
                "content/topics/main.yaml",
                "title: Main\nclaims:\n  - id: eight\n    statement: Eight children were reunited.\n    citations:\n      - source: article\n        quote: \"eight children were reunited\"\n",
            )
    }

    /// Writes (or replaces) a file below the root.
    pub fn file(self, path: &str, text: &str) -> Self {
        self.bytes(path, text.as_bytes())
    }

    pub fn bytes(self, path: &str, bytes: &[u8]) -> Self {
        let full = self.path().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, bytes).unwrap();
        self
    }

    /// Replaces the main topic with `yaml`.
    pub fn topic(self, yaml: &str) -> Self {
        self.file("content/topics/main.yaml", yaml)
    }

    pub fn remove(self, path: &str) -> Self {
        let full = self.path().join(path);
        if full.is_dir() {
            fs::remove_dir_all(full).unwrap();
        } else {
            fs::remove_file(full).unwrap();
        }
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn read(&self, path: &str) -> String {
        fs::read_to_string(self.path().join(path)).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    pub fn exists(&self, path: &str) -> bool {
        self.path().join(path).exists()
    }

    /// Runs `factsheet ARGS --root <site>` (the root is added for the commands that take
    /// it, unless ARGS name one).
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = Command::cargo_bin("factsheet").expect("the factsheet binary");
        command.args(args);
        if matches!(args.first(), Some(&("build" | "check" | "find"))) && !args.contains(&"--root")
        {
            command.arg("--root").arg(self.path());
        }
        command.env("NO_COLOR", "1").current_dir(self.path());
        Run::of(command)
    }

    /// `check --format json`, parsed.
    pub fn check_json(&self) -> Run {
        self.run(&["check", "--format", "json"])
    }

    /// `text` with the site's temporary path written as `[ROOT]`, for snapshots.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for root in [
            self.path().to_path_buf(),
            self.path().canonicalize().unwrap(),
        ] {
            text = text.replace(&root.display().to_string(), "[ROOT]");
        }
        text
    }
}

/// The outcome of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(mut command: Command) -> Self {
        let output = command.output().expect("running factsheet");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The JSON report printed on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }

    /// The diagnostics of the JSON report.
    pub fn diagnostics(&self) -> Vec<serde_json::Value> {
        self.json()["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The one diagnostic with `code`, failing with the whole report otherwise.
    pub fn diagnostic(&self, code: &str) -> serde_json::Value {
        let found: Vec<serde_json::Value> = self
            .diagnostics()
            .into_iter()
            .filter(|d| d["code"] == code)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one `{code}` diagnostic in:\n{}\n{}",
            self.stdout,
            self.stderr
        );
        found.into_iter().next().unwrap()
    }

    /// Asserts the diagnostic `code` is at `file`:`line` and returns it.
    pub fn assert_at(&self, code: &str, file: &str, line: u64) -> serde_json::Value {
        let d = self.diagnostic(code);
        assert_eq!(d["file"], file, "file of {d}");
        assert_eq!(d["line"].as_u64(), Some(line), "line of {d}");
        d
    }

    /// Asserts the diagnostic `code` is at `file`:`line`:`column` and returns it.
    pub fn assert_at_column(
        &self,
        code: &str,
        file: &str,
        line: u64,
        column: u64,
    ) -> serde_json::Value {
        let d = self.assert_at(code, file, line);
        assert_eq!(d["column"].as_u64(), Some(column), "column of {d}");
        d
    }

    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// The repository's own root (the bundled site).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the bundled site in a temporary directory.
pub fn bundled_copy() -> Site {
    let site = Site::empty();
    copy_dir(&repo_root().join("content"), &site.path().join("content"));
    site
}

/// Every file below `dir` with its bytes, by `/`-path.
pub fn files_below(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(dir).unwrap();
            let path = relative.to_string_lossy().replace('\\', "/");
            (path, fs::read(entry.path()).unwrap())
        })
        .collect()
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

impl Site {
    /// Replaces the one occurrence of `from` in the file at `path` with `to`, writing the
    /// file in place as an editor saves it.
    pub fn edit(&self, path: &str, from: &str, to: &str) {
        let text = self.read(path);
        assert_eq!(text.matches(from).count(), 1, "`{from}` once in {path}");
        fs::write(self.path().join(path), text.replacen(from, to, 1)).unwrap();
    }

    /// Where the first `needle` starts in the file at `path`, written as diagnostics write
    /// it: `path:line:column` (1-based, the column in characters).
    pub fn location(&self, path: &str, needle: &str) -> String {
        let text = self.read(path);
        let at = text
            .find(needle)
            .unwrap_or_else(|| panic!("`{needle}` in {path}"));
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1;
        format!("{path}:{line}:{column}")
    }

    /// Every file and directory below the root, as sorted relative paths.
    pub fn tree(&self) -> Vec<String> {
        let mut paths: Vec<String> = walkdir::WalkDir::new(self.path())
            .min_depth(1)
            .into_iter()
            .map(|entry| {
                let entry = entry.unwrap();
                let relative = entry.path().strip_prefix(self.path()).unwrap();
                relative.to_string_lossy().replace('\\', "/")
            })
            .collect();
        paths.sort();
        paths
    }
}
