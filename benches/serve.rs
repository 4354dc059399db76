//! How fast `factsheet serve` follows a save: the release binary serves a copy of a site,
//! one topic file is edited again and again, and for each save this measures the time
//! until the open pages are told to reload (the `reload` event) and until the edited
//! page is served with the new text, plus the rebuild time the server reports.
//!
//!     cargo bench --bench serve                          # the bundled fact sheet
//!     cargo bench --bench serve -- --root DIR [--edits N] # any site, e.g. a generated corpus
//!
//! The site is copied first: the benchmark never edits the original.

#[path = "../tests/testsuite/http.rs"]
mod http;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(60);

struct Options {
    root: PathBuf,
    edits: usize,
}

fn options() -> Options {
    let mut options = Options {
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        edits: 20,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--root" => options.root = PathBuf::from(args.next().expect("--root DIR")),
            "--edits" => {
                options.edits = args.next().and_then(|n| n.parse().ok()).expect("--edits N")
            }
            // `cargo bench` passes `--bench`; filters do not apply here.
            _ => {}
        }
    }
    options
}

fn main() {
    let options = options();
    run(&options.root, options.edits);
}

/// Serves a copy of the site at `root` and measures `edits` saves of its first topic.
pub fn run(root: &Path, edits: usize) {
    let options = Options {
        root: root.to_path_buf(),
        edits,
    };
    let site = tempfile::tempdir().unwrap();
    copy_dir(&options.root.join("content"), &site.path().join("content"));
    let (topic, page) = first_topic(site.path());
    let server = Server::start(site.path());
    let events = http::Events::connect(server.port);
    events.next("hello");
    println!(
        "site: {} ({} files), editing {topic} {} times",
        options.root.display(),
        walk(site.path()).len(),
        options.edits
    );
    let mut to_event = Vec::new();
    let mut to_served = Vec::new();
    let mut rebuilds = Vec::new();
    for edit in 0..options.edits {
        let marker = format!("Benchmark edit {edit}");
        let path = site.path().join(&topic);
        let text = std::fs::read_to_string(&path).unwrap();
        let edited = edit_first_statement(&text, &marker).expect("a statement to edit");
        let builds_before = server.count_builds();
        let saved = Instant::now();
        std::fs::write(&path, edited).unwrap();
        loop {
            let reload = events.next("reload");
            let changed = reload["changed"].as_array().cloned().unwrap_or_default();
            if changed.iter().any(|p| p.as_str() == Some(page.as_str())) {
                break;
            }
        }
        to_event.push(saved.elapsed());
        let response = http::request(server.port, "GET", &format!("/{page}"), PATIENCE);
        assert!(
            response.body.contains(&marker),
            "the served page lacks the edit"
        );
        to_served.push(saved.elapsed());
        rebuilds.push(server.wait_for_build(builds_before));
        // Let the file system settle so saves do not merge.
        std::thread::sleep(Duration::from_millis(200));
    }
    report("save → reload event", &mut to_event);
    report("save → page served", &mut to_served);
    report("rebuild (as the server reports it)", &mut rebuilds);
    println!("last rebuild line: {}", server.last_build_line());
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what:<36} median {:7.1} ms   p90 {:7.1} ms   min {:7.1} ms   max {:7.1} ms",
        ms(at(0.5)),
        ms(at(0.9)),
        ms(samples[0]),
        ms(samples[samples.len() - 1])
    );
}

/// The first topic file (by name) and its page's output path.
fn first_topic(root: &Path) -> (String, String) {
    let mut topics: Vec<PathBuf> = std::fs::read_dir(root.join("content/topics"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    topics.sort();
    let file = &topics[0];
    let slug = file.file_stem().unwrap().to_str().unwrap();
    (
        format!("content/topics/{slug}.yaml"),
        format!("topics/{slug}/index.html"),
    )
}

/// The YAML with `marker` put at the start of its first one-line statement.
fn edit_first_statement(yaml: &str, marker: &str) -> Option<String> {
    let mut out = String::with_capacity(yaml.len() + marker.len());
    let mut done = false;
    for line in yaml.split_inclusive('\n') {
        if !done && let Some(at) = line.find("statement: ") {
            let value_at = at + "statement: ".len();
            let value = &line[value_at..];
            let insert = match value.chars().next() {
                Some('"') | Some('\'') => Some(value_at + 1),
                Some('>') | Some('|') | None => None,
                Some(_) => Some(value_at),
            };
            if let Some(insert) = insert {
                // Drop an earlier marker, so the statement does not grow edit after edit.
                let rest = strip_marker(&line[insert..]);
                out.push_str(&line[..insert]);
                out.push_str(marker);
                out.push_str(" — ");
                out.push_str(rest);
                done = true;
                continue;
            }
        }
        out.push_str(line);
    }
    done.then_some(out)
}

fn strip_marker(value: &str) -> &str {
    match value.strip_prefix("Benchmark edit ") {
        Some(rest) => rest.split_once(" — ").map_or(value, |(_, rest)| rest),
        None => value,
    }
}

struct Server {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_factsheet"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting factsheet serve");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&stdout);
        let pipe = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut server = Server {
            child,
            port: 0,
            stdout,
        };
        let deadline = Instant::now() + PATIENCE;
        server.port = loop {
            let port = server.stdout.lock().unwrap().iter().find_map(|line| {
                let start = line.find("http://127.0.0.1:")? + "http://127.0.0.1:".len();
                line[start..]
                    .trim_end_matches(|c: char| !c.is_ascii_digit())
                    .split('/')
                    .next()?
                    .parse()
                    .ok()
            });
            if let Some(port) = port {
                break port;
            }
            assert!(Instant::now() < deadline, "serve printed no URL");
            std::thread::sleep(Duration::from_millis(10));
        };
        server
    }

    fn build_lines(&self) -> Vec<String> {
        self.stdout
            .lock()
            .unwrap()
            .iter()
            .filter(|line| line.contains(": built in "))
            .cloned()
            .collect()
    }

    fn count_builds(&self) -> usize {
        self.build_lines().len()
    }

    /// The time the next build after the `before`th reports.
    fn wait_for_build(&self, before: usize) -> Duration {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(line) = self.build_lines().get(before) {
                let ms: f64 = line
                    .split(": built in ")
                    .nth(1)
                    .and_then(|rest| rest.split(' ').next())
                    .and_then(|n| n.parse().ok())
                    .expect("built in N ms");
                return Duration::from_secs_f64(ms / 1e3);
            }
            assert!(Instant::now() < deadline, "no build reported");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn last_build_line(&self) -> String {
        self.build_lines().pop().unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
