//! No run loses or changes anyone's files. No command writes in `content/`, `templates/`
//! or `static/`, even when the content is broken. A build killed at any moment leaves a
//! whole output, the previous or the new one; builds of one site running at once leave one
//! whole output. The output is written with the process's umask and is never writable by
//! others. Replacing the output does not follow links out of it.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

use assert_cmd::cargo::CommandCargoExt;

use crate::support::{Site, bundled_copy, repo_root};

/// What a file is: its bytes, and for the site's own files when they last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    bytes: Vec<u8>,
    modified: Option<SystemTime>,
}

/// Every file below `dir` (links included, not followed), by relative path.
fn files_below(dir: &Path, with_times: bool) -> BTreeMap<String, Seen> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| !entry.file_type().is_dir())
        .map(|entry| {
            let metadata = entry.path().symlink_metadata().unwrap();
            let bytes = if entry.file_type().is_symlink() {
                fs::read_link(entry.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
                    .into_bytes()
            } else {
                fs::read(entry.path()).unwrap()
            };
            let seen = Seen {
                bytes,
                modified: with_times.then(|| metadata.modified().unwrap()),
            };
            let relative = entry.path().strip_prefix(dir).unwrap();
            (relative.to_string_lossy().into_owned(), seen)
        })
        .collect()
}

/// The site's own files: content, templates and static files, with their times.
pub fn own_files(site: &Site) -> BTreeMap<String, Seen> {
    ["content", "templates", "static"]
        .iter()
        .flat_map(|dir| {
            files_below(&site.path().join(dir), true)
                .into_iter()
                .map(move |(path, seen)| (format!("{dir}/{path}"), seen))
        })
        .collect()
}

/// The bundled site with a template of its own and a static file.
pub fn site_with_own_files() -> Site {
    let site = bundled_copy();
    let topic = fs::read_to_string(repo_root().join("templates/topic.html")).unwrap();
    site.file(
        "templates/topic.html",
        &format!("{topic}{{# The site's own copy. #}}\n"),
    )
    .file("static/extra.css", "p { color: navy }\n")
}

#[test]
fn no_command_writes_in_the_sites_own_files() {
    let site = site_with_own_files();
    let before = own_files(&site);
    let runs: &[&[&str]] = &[
        &["check"],
        &["check", "--format", "json"],
        &["build"],
        &["build", "--timings"],
        &["find", "children"],
        &["schema", "--output", "schemas"],
    ];
    for args in runs {
        let run = site.run(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    assert_eq!(
        own_files(&site),
        before,
        "a command changed the site's files"
    );

    // Broken content and a broken template: the errors are reported, nothing is fixed.
    let topic = "content/topics/children-reunited.yaml";
    let text = site.read(topic);
    let broken = site
        .file(topic, &text.replacen("quote:", "quote: [", 1))
        .file("templates/index.html", "{% if %}");
    let before = own_files(&broken);
    for args in runs {
        broken.run(args);
    }
    assert_eq!(
        own_files(&broken),
        before,
        "a failing command changed a file"
    );
}

/// The output of a complete build of `site` (into a directory of its own).
fn complete_build(site: &Site, name: &str) -> BTreeMap<String, Seen> {
    let output = site.path().join(name);
    let run = site.run(&["build", "--output", output.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let built = files_below(&output, false);
    fs::remove_dir_all(output).unwrap();
    built
}

fn build_command(site: &Site) -> Command {
    let mut command = Command::cargo_bin("factsheet").unwrap();
    command
        .arg("build")
        .arg("--root")
        .arg(site.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// The hidden directories builds leave beside `public/` while they run.
fn leftovers(site: &Site) -> Vec<String> {
    site.tree()
        .into_iter()
        .filter(|path| path.starts_with(".public."))
        .filter(|path| !path.contains('/'))
        .collect()
}

#[test]
fn a_build_killed_at_any_moment_leaves_a_whole_output() {
    let site = bundled_copy();
    let before = complete_build(&site, "expected-before");
    assert_eq!(site.run(&["build"]).code, 0);
    site.edit("content/site.yaml", "title: \"", "title: \"Revised ");
    let after = complete_build(&site, "expected-after");
    assert_ne!(before, after);

    // How long a build takes here, to spread the kills over it.
    let started = Instant::now();
    assert!(build_command(&site).status().unwrap().success());
    let whole = started.elapsed();
    site.edit("content/site.yaml", "title: \"Revised ", "title: \"");
    assert_eq!(site.run(&["build"]).code, 0);
    site.edit("content/site.yaml", "title: \"", "title: \"Revised ");

    let mut killed = 0;
    for step in 0..12 {
        let mut build = build_command(&site).spawn().unwrap();
        std::thread::sleep(whole * step / 10);
        if build.try_wait().unwrap().is_none() {
            killed += 1;
        }
        build.kill().unwrap();
        build.wait().unwrap();
        let output = files_below(&site.path().join("public"), false);
        assert!(
            output == before || output == after,
            "after a kill {step}/10 into the build, the output is neither build: {:?}",
            output.keys().collect::<Vec<_>>()
        );
    }
    assert!(
        killed >= 3,
        "only {killed} builds were killed while running"
    );

    // The next build completes, and removes what the killed ones left.
    assert_eq!(site.run(&["build"]).code, 0);
    assert_eq!(files_below(&site.path().join("public"), false), after);
    assert_eq!(leftovers(&site), Vec::<String>::new());
}

#[test]
fn builds_running_at_once_leave_one_whole_output() {
    let site = bundled_copy();
    let expected = complete_build(&site, "expected");
    for round in 0..2 {
        let builds: Vec<_> = (0..4)
            .map(|_| build_command(&site).spawn().unwrap())
            .collect();
        for mut build in builds {
            assert!(build.wait().unwrap().success(), "round {round}");
        }
        assert_eq!(files_below(&site.path().join("public"), false), expected);
        assert_eq!(leftovers(&site), Vec::<String>::new());
    }
}

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::{PermissionsExt, symlink};

    use super::*;

    /// The modes of `public/` and everything in it, after a build under `umask`.
    fn modes_after_build_with_umask(site: &Site, umask: &str) -> Vec<(String, u32)> {
        let factsheet = assert_cmd::cargo::cargo_bin("factsheet");
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" build --root \"$1\""))
            .arg(factsheet)
            .arg(site.path())
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        walkdir::WalkDir::new(site.path().join("public"))
            .into_iter()
            .map(|entry| {
                let entry = entry.unwrap();
                let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
                (entry.path().display().to_string(), mode)
            })
            .collect()
    }

    #[test]
    fn the_output_follows_the_umask_and_is_never_writable_by_others() {
        let site = bundled_copy();
        let open = modes_after_build_with_umask(&site, "000");
        let writable: Vec<_> = open.iter().filter(|(_, mode)| mode & 0o002 != 0).collect();
        assert_eq!(writable, Vec::<&(String, u32)>::new(), "writable by others");
        assert!(open.iter().any(|(_, mode)| mode & 0o020 != 0), "umask 000");

        let private = modes_after_build_with_umask(&site, "077");
        let shared: Vec<_> = private
            .iter()
            .filter(|(_, mode)| mode & 0o077 != 0)
            .collect();
        assert_eq!(shared, Vec::<&(String, u32)>::new(), "umask 077 is kept");
    }

    #[test]
    fn replacing_the_output_removes_links_in_it_not_what_they_point_to() {
        let site = bundled_copy();
        assert_eq!(site.run(&["build"]).code, 0);
        let elsewhere = tempfile::tempdir().unwrap();
        fs::create_dir(elsewhere.path().join("photos")).unwrap();
        fs::write(elsewhere.path().join("photos/keep.jpg"), "mine").unwrap();
        fs::write(elsewhere.path().join("notes.txt"), "mine too").unwrap();
        let public = site.path().join("public");
        symlink(elsewhere.path().join("photos"), public.join("photos")).unwrap();
        symlink(
            elsewhere.path().join("notes.txt"),
            public.join("topics/notes.txt"),
        )
        .unwrap();

        assert_eq!(site.run(&["build"]).code, 0);
        assert!(!public.join("photos").exists() && !public.join("topics/notes.txt").exists());
        let kept = files_below(elsewhere.path(), true);
        assert_eq!(kept["photos/keep.jpg"].bytes, b"mine");
        assert_eq!(kept["notes.txt"].bytes, b"mine too");
    }
}
