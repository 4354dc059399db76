//! How fast `factsheet check` and `factsheet build` are at three sizes: synthetic sites of
//! 100, 1,000 and 10,000 sources with 10 claims per source and one topic per 5 sources
//! (the generator of `examples/gen_corpus.rs`), each run as the release binary, timed from
//! the outside, with its peak memory taken from the kernel when the process ends.
//!
//!     cargo bench --bench build                                # all three sizes
//!     cargo bench --bench build -- --sizes 100,1000 --runs 5   # fewer sizes, more runs
//!
//! Per size it prints the median wall time of `check`, of `build` (with the search index,
//! the default) and of `build` with `search: false`, the median of each phase that
//! `build --timings` reports, and the largest peak RSS of the runs, and what the build
//! wrote (files, MB of HTML pages, MB of search index). The serve figure
//! (save to served for one edited topic) comes from `cargo bench --bench serve`, which
//! this runs on the 1,000-source site when that size is measured.
//!
//! The corpora are generated once into `target/bench-corpus/` (the generator is
//! deterministic, so a corpus is reused while its parameters are the same) and the builds
//! write there; nothing in the project is touched.

// Its tests come along under `cfg(test)`, which bench targets set.
#[allow(dead_code, unused_imports)]
#[path = "../examples/gen_corpus.rs"]
mod gen_corpus;
#[allow(dead_code)]
#[path = "serve.rs"]
mod serve_bench;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_factsheet");

struct Options {
    sizes: Vec<usize>,
    runs: usize,
}

fn options() -> Options {
    let mut options = Options {
        sizes: vec![100, 1_000, 10_000],
        runs: 3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sizes" => {
                let list = args.next().expect("--sizes N,N,…");
                options.sizes = list
                    .split(',')
                    .map(|n| n.trim().parse().expect("--sizes takes numbers"))
                    .collect();
            }
            "--runs" => {
                options.runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .expect("--runs N (at least 1)")
            }
            // `cargo bench` passes `--bench`; filters do not apply here.
            _ => {}
        }
    }
    options
}

fn main() {
    let options = options();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "factsheet {} benchmark: release binary, {cores} cores, median of {} runs (peak RSS: the largest)",
        env!("CARGO_PKG_VERSION"),
        options.runs
    );
    let mut table = Vec::new();
    for &sources in &options.sizes {
        let corpus = corpus(sources);
        println!("\n{}", corpus.describe());
        for (label, args, search) in [
            ("check", &["check"][..], true),
            ("build", &["build", "--timings"][..], true),
            ("build, search off", &["build", "--timings"][..], false),
        ] {
            set_search(&corpus.root, search);
            let measured = measure(&corpus.root, args, options.runs);
            println!("  {label:<18} {}", measured.describe());
            if label == "build" {
                println!("  {:<18} {}", "output", Output::of(&corpus.root).describe());
            }
            table.push((sources, label, measured));
        }
        set_search(&corpus.root, true);
    }
    print_scaling(&table);
    if options.sizes.contains(&1_000) {
        serve_bench(&corpus_dir(1_000));
    }
}

/// A generated site and what it holds.
struct Corpus {
    root: PathBuf,
    summary: gen_corpus::Summary,
}

impl Corpus {
    fn describe(&self) -> String {
        let s = &self.summary;
        format!(
            "{} sources, {} topics, {} claims, {} citations ({:.1} MB of content)",
            s.sources,
            s.topics,
            s.claims,
            s.citations,
            s.bytes as f64 / 1e6
        )
    }
}

fn corpus_dir(sources: usize) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-corpus")
        .join(format!("sources-{sources}-seed-1"))
}

/// The site of `sources` sources, generated unless an earlier run left it complete.
fn corpus(sources: usize) -> Corpus {
    let config = gen_corpus::Config {
        sources,
        topics: (sources / 5).max(1),
        claims: sources * 10,
        seed: 1,
    };
    let root = corpus_dir(sources);
    let stamp = root.join("generated.txt");
    let wanted = format!("{config:?}\n");
    if fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).expect("create the corpus directory");
        let started = Instant::now();
        gen_corpus::generate(&root, &config).expect("generate the corpus");
        eprintln!(
            "(generated {} in {:.1} s)",
            root.display(),
            started.elapsed().as_secs_f64()
        );
        fs::write(&stamp, &wanted).expect("write the corpus stamp");
    }
    // Counting again is cheap and needs no second record of the plan.
    let summary = count(&root, &config);
    Corpus { root, summary }
}

/// What the corpus under `root` holds, read back from its files.
fn count(root: &Path, config: &gen_corpus::Config) -> gen_corpus::Summary {
    let mut summary = gen_corpus::Summary {
        sources: config.sources,
        topics: config.topics,
        claims: config.claims,
        ..Default::default()
    };
    for entry in walkdir::WalkDir::new(root.join("content")) {
        let entry = entry.expect("read the corpus");
        if entry.file_type().is_file() {
            summary.bytes += entry.metadata().expect("stat a corpus file").len();
            if entry.path().extension().is_some_and(|ext| ext == "yaml") {
                let text = fs::read_to_string(entry.path()).expect("read a topic");
                summary.citations += text.matches("- source: ").count();
            }
        }
    }
    summary
}

/// Turns the search index on or off in the corpus's `site.yaml`.
fn set_search(root: &Path, on: bool) {
    let path = root.join("content/site.yaml");
    let text = fs::read_to_string(&path).expect("read site.yaml");
    let mut kept: String = text
        .lines()
        .filter(|line| !line.starts_with("search:"))
        .map(|line| format!("{line}\n"))
        .collect();
    if !on {
        kept.push_str("search: false\n");
    }
    if kept != text {
        fs::write(&path, kept).expect("write site.yaml");
    }
}

/// One command's figures over its runs.
struct Measured {
    wall: Duration,
    peak_rss_kb: u64,
    /// Median milliseconds of each phase `--timings` printed, in its order.
    phases: Vec<(String, f64)>,
}

impl Measured {
    fn describe(&self) -> String {
        let phases: Vec<String> = self
            .phases
            .iter()
            .map(|(name, ms)| format!("{name} {}", ms_text(*ms)))
            .collect();
        let phases = if phases.is_empty() {
            String::new()
        } else {
            format!("  ({})", phases.join(", "))
        };
        format!(
            "wall {:>9}  peak RSS {:>7.1} MB{phases}",
            ms_text(self.wall.as_secs_f64() * 1e3),
            self.peak_rss_kb as f64 / 1024.0
        )
    }
}

/// What a build wrote: the volume of its pages is what its time and memory follow (a
/// page of this tool carries its claims' structured data and every citation's links, so
/// it is several times the size of a plain static-site generator's page).
#[derive(Default)]
struct Output {
    files: usize,
    bytes: u64,
    /// The HTML pages, the search index's files among them left out.
    html: u64,
    /// The search index, under `pagefind/`.
    search: u64,
}

impl Output {
    fn of(root: &Path) -> Output {
        let public = root.join("public");
        let mut output = Output::default();
        for entry in walkdir::WalkDir::new(&public) {
            let entry = entry.expect("read the output");
            if !entry.file_type().is_file() {
                continue;
            }
            let bytes = entry.metadata().expect("stat an output file").len();
            output.files += 1;
            output.bytes += bytes;
            let path = entry
                .path()
                .strip_prefix(&public)
                .expect("below the output");
            if path.starts_with("pagefind") {
                output.search += bytes;
            } else if path.extension().is_some_and(|ext| ext == "html") {
                output.html += bytes;
            }
        }
        output
    }

    fn describe(&self) -> String {
        format!(
            "{} files, {:.1} MB: {:.1} MB of HTML pages, {:.1} MB of search index",
            self.files,
            self.bytes as f64 / 1e6,
            self.html as f64 / 1e6,
            self.search as f64 / 1e6
        )
    }
}

fn ms_text(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1e3)
    } else {
        format!("{ms:.0} ms")
    }
}

/// Runs `factsheet ARGS --root ROOT` `runs` times; it must succeed every time.
fn measure(root: &Path, args: &[&str], runs: usize) -> Measured {
    let mut walls = Vec::new();
    let mut peak = 0;
    let mut phases: BTreeMap<usize, (String, Vec<f64>)> = BTreeMap::new();
    for _ in 0..runs {
        let run = run_once(root, args);
        walls.push(run.wall);
        peak = peak.max(run.peak_rss_kb);
        for (position, (name, ms)) in timings(&run.stderr).into_iter().enumerate() {
            phases
                .entry(position)
                .or_insert_with(|| (name, Vec::new()))
                .1
                .push(ms);
        }
    }
    walls.sort();
    Measured {
        wall: walls[walls.len() / 2],
        peak_rss_kb: peak,
        phases: phases
            .into_values()
            .map(|(name, mut values)| {
                values.sort_by(f64::total_cmp);
                (name, values[values.len() / 2])
            })
            .collect(),
    }
}

struct Run {
    wall: Duration,
    peak_rss_kb: u64,
    stderr: String,
}

fn run_once(root: &Path, args: &[&str]) -> Run {
    let stderr_path = root.join("bench-stderr.txt");
    let stderr = fs::File::create(&stderr_path).expect("create the stderr file");
    let started = Instant::now();
    // Reaped by `wait_with_peak_rss`, which std's `wait` cannot replace: it drops the usage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(BINARY)
        .args(args)
        .arg("--root")
        .arg(root)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("start factsheet");
    let (status, peak_rss_kb) = wait_with_peak_rss(child.id());
    let wall = started.elapsed();
    let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(
        status == 0,
        "factsheet {} exited with {status}:\n{stderr}",
        args.join(" ")
    );
    Run {
        wall,
        peak_rss_kb,
        stderr,
    }
}

/// Waits for the child `pid` and returns its exit code and its peak resident set in KB, as
/// the kernel recorded it (`wait4`'s `ru_maxrss`): exact, where polling would miss peaks.
fn wait_with_peak_rss(pid: u32) -> (i32, u64) {
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills; `pid` is our own unwaited child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid as libc::pid_t, "wait4 failed");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, usage.ru_maxrss.max(0) as u64)
}

/// The phases of a `timings: load 12.3 ms, verify 4.5 ms, …` line, in milliseconds.
fn timings(stderr: &str) -> Vec<(String, f64)> {
    let Some(line) = stderr.lines().find_map(|l| l.strip_prefix("timings: ")) else {
        return Vec::new();
    };
    line.split(", ")
        .filter_map(|pair| {
            let mut words = pair.split_whitespace();
            let name = words.next()?;
            let value: f64 = words.next()?.parse().ok()?;
            let scale = match words.next()? {
                "ms" => 1.0,
                "s" => 1e3,
                _ => return None,
            };
            Some((name.to_string(), value * scale))
        })
        .collect()
}

/// How each command's wall time grows from one size to the next, ten times larger.
fn print_scaling(table: &[(usize, &str, Measured)]) {
    let mut lines = Vec::new();
    for (sources, label, measured) in table {
        let Some((_, _, smaller)) = table
            .iter()
            .find(|(s, l, _)| *l == *label && *s * 10 == *sources)
        else {
            continue;
        };
        lines.push(format!(
            "  {label:<18} {:>6} → {:<6} sources: {:.1}× the time, {:.1}× the memory",
            sources / 10,
            sources,
            measured.wall.as_secs_f64() / smaller.wall.as_secs_f64(),
            measured.peak_rss_kb as f64 / smaller.peak_rss_kb.max(1) as f64
        ));
    }
    if !lines.is_empty() {
        println!("\nscaling (10× the sources):");
        for line in lines {
            println!("{line}");
        }
    }
}

/// The serve benchmark (`benches/serve.rs`) on `root`.
fn serve_bench(root: &Path) {
    println!("\nserve, one edited topic, {}:", root.display());
    serve_bench::run(root, 10);
}
