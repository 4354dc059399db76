//! A deterministic synthetic corpus for benchmarks.
//!
//! ```text
//! cargo run --release --example gen_corpus -- DIR [--sources 1000] [--topics 200]
//!     [--claims 10000] [--seed 1] [--force]
//! ```
//!
//! Writes a complete site in the layout of `docs/format.md` into `DIR`:
//! `content/site.yaml`; `content/sources/<id>.txt`, each about 5 KB of English news
//! prose (curly quotes and apostrophes, en and em dashes, accented names, paragraphs,
//! some of them hard-wrapped), with a `.yaml` metadata sidecar for most of them; and
//! `content/topics/<slug>.yaml`, the claims spread over the topics, each claim citing
//! one to four passages of distinct sources with every stance.
//!
//! Why synthetic: the bundled site has five sources, and benchmarks of `check` and
//! `build` need thousands, exercising the parts of verification that cost time —
//! typographic folding, quotes across line breaks, elided quotes — while `check` stays
//! clean, so a benchmark measures the normal path and not the reporting of problems.
//!
//! Cleanliness is by construction, not by trial and error against `check`:
//! - every quote is copied from the words of a generated sentence, so it occurs;
//!   straightened variants are folded exactly as the format folds them;
//! - a quote (or each fragment of an elided one) occurs once in the normalised source,
//!   so no quote is ambiguous, and an ellipsis never elides a negation;
//! - a claim's citations name distinct sources, so no passage is cited twice, and every
//!   claim has a `supports` or `contradicts` citation, so none is context-only;
//! - the first pass over the sources follows a shuffled order of all of them, so each
//!   source is cited at least once.
//!
//! The same arguments give a byte-identical tree: the generator is a fixed
//! SplitMix64, and each source draws from its own stream derived from the seed and its
//! index, so its text does not depend on the order in which it is written.
//!
//! Exit codes: 0 done, 1 an I/O failure, 2 a usage error (bad arguments, or a non-empty
//! `DIR` without `--force`).

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::num::NonZero;
use std::ops::Range;
use std::panic::resume_unwind;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;
use std::time::Instant;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

/// Generate a synthetic fact-sheet site for benchmarks.
#[derive(Parser, Debug)]
#[command(name = "gen_corpus")]
struct Args {
    /// Where to write the site (new or empty, unless --force).
    dir: PathBuf,
    /// How many source texts (about 5 KB each).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    sources: u32,
    /// How many topics (one YAML file each).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    topics: u32,
    /// How many claims, spread over the topics.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    claims: u32,
    /// The seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write into a non-empty DIR, replacing DIR/content (and nothing else).
    #[arg(long)]
    force: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = Config {
        sources: args.sources as usize,
        topics: args.topics as usize,
        claims: args.claims as usize,
        seed: args.seed,
    };
    let started = Instant::now();
    let result = config
        .validate()
        .and_then(|()| prepare_dir(&args.dir, args.force))
        .and_then(|()| generate(&args.dir, &config).map_err(Failure::Io));
    match result {
        Ok(summary) => {
            println!(
                "gen_corpus: {} sources, {} topics, {} claims, {} citations, {} bytes in {:.2} s",
                summary.sources,
                summary.topics,
                summary.claims,
                summary.citations,
                summary.bytes,
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        // clap's own error shows the usage line and exits with 2, like a parse error.
        Err(Failure::Usage(message)) => Args::command()
            .error(ErrorKind::ValueValidation, message)
            .exit(),
        Err(Failure::Io(error)) => {
            eprintln!("gen_corpus: {error}");
            ExitCode::FAILURE
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub sources: usize,
    pub topics: usize,
    pub claims: usize,
    pub seed: u64,
}

/// A claim has at most this many citations.
const MAX_CITATIONS: usize = 4;

impl Config {
    /// Rejects sizes that cannot give a clean `check`.
    fn validate(&self) -> Result<(), Failure> {
        if self.topics > self.claims {
            return Err(Failure::Usage(format!(
                "--topics ({}) is more than --claims ({}): every topic needs at least one claim",
                self.topics, self.claims
            )));
        }
        if self.sources > self.claims * MAX_CITATIONS {
            return Err(Failure::Usage(format!(
                "--sources ({}) is more than {MAX_CITATIONS} × --claims ({}): every source must be \
                 cited, and a claim has at most {MAX_CITATIONS} citations",
                self.sources, self.claims
            )));
        }
        Ok(())
    }
}

#[derive(Debug)]
enum Failure {
    Usage(String),
    Io(io::Error),
}

/// Makes `dir` ready: created when missing; refused when not empty, unless `force`,
/// which removes only `dir/content` (whatever else is there may be a benchmark's).
fn prepare_dir(dir: &Path, force: bool) -> Result<(), Failure> {
    let meta = match fs::metadata(dir) {
        Ok(meta) => meta,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return fs::create_dir_all(dir).map_err(|e| io_failure(dir, e));
        }
        Err(error) => return Err(io_failure(dir, error)),
    };
    if !meta.is_dir() {
        return Err(Failure::Usage(format!(
            "`{}` exists and is not a directory",
            dir.display()
        )));
    }
    let mut entries = fs::read_dir(dir).map_err(|e| io_failure(dir, e))?;
    if entries.next().is_none() {
        return Ok(());
    }
    if !force {
        return Err(Failure::Usage(format!(
            "`{}` is not empty; pass --force to replace its content/ directory",
            dir.display()
        )));
    }
    remove_content(&dir.join("content")).map_err(Failure::Io)
}

/// Removes `content` whatever it is; a symbolic link is removed, not followed.
fn remove_content(content: &Path) -> io::Result<()> {
    match fs::symlink_metadata(content) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(content),
        Ok(_) => fs::remove_file(content),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
    .map_err(|e| with_path(content, e))
}

fn io_failure(path: &Path, error: io::Error) -> Failure {
    Failure::Io(with_path(path, error))
}

fn with_path(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

// ---------------------------------------------------------------------------------
// Generation

/// What was written, for the summary line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub sources: usize,
    pub topics: usize,
    pub claims: usize,
    pub citations: usize,
    pub bytes: u64,
}

/// Writes the whole site under `root` (which must exist and have no `content/`).
pub fn generate(root: &Path, config: &Config) -> io::Result<Summary> {
    let content = root.join("content");
    let mut writer = Writer::default();
    let mut plan = plan_claims(config);
    let ids = write_sources(&content.join("sources"), config, &mut plan, &mut writer)?;
    write_topics(&content.join("topics"), config, &plan, &ids, &mut writer)?;
    writer.write(&content.join("site.yaml"), &site_yaml(config))?;
    Ok(Summary {
        sources: config.sources,
        topics: config.topics,
        claims: plan.claims.len(),
        citations: plan.claims.iter().map(|c| c.citations.len()).sum(),
        bytes: writer.bytes,
    })
}

/// Writes files and counts their bytes.
#[derive(Default)]
struct Writer {
    bytes: u64,
}

impl Writer {
    /// Writes into an existing directory (made once, not checked for every file).
    fn write(&mut self, path: &Path, text: &str) -> io::Result<()> {
        fs::write(path, text).map_err(|e| with_path(path, e))?;
        self.bytes += text.len() as u64;
        Ok(())
    }
}

fn site_yaml(config: &Config) -> String {
    format!(
        "title: \"A synthetic fact sheet (seed {seed})\"\n\
         description: |\n  \
           Generated for benchmarks: {} sources, {} topics and {} claims of invented news\n  \
           reports. The names, places and figures are made up; only the *shape* is real.\n\
         base_url: https://facts.example.org/synthetic/\n\
         language: en\n\
         publisher: The Synthetic Desk\n",
        config.sources,
        config.topics,
        config.claims,
        seed = config.seed
    )
}

// ---------------------------------------------------------------------------------
// The claims, planned before any source exists: which sources each one cites and how.
// The quotes are filled in later, source by source, so a source's text is generated
// once and never kept after its quotes are taken.

/// How a citation bears on its claim, as written in the topic file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stance {
    Supports,
    Contradicts,
    Context,
}

impl Stance {
    fn as_str(self) -> &'static str {
        match self {
            Stance::Supports => "supports",
            Stance::Contradicts => "contradicts",
            Stance::Context => "context",
        }
    }
}

struct PlannedCitation {
    source: usize,
    stance: Stance,
    note: Option<String>,
    /// Filled in when the source is generated.
    quote: String,
}

struct PlannedClaim {
    topic: usize,
    id: String,
    statement: String,
    note: Option<String>,
    citations: Vec<PlannedCitation>,
}

struct Plan {
    claims: Vec<PlannedClaim>,
    /// For each source, the (claim, citation) positions that quote it.
    by_source: Vec<Vec<(u32, u8)>>,
}

/// The status a claim is built to have; `unsupported` (context only) is left out
/// because it draws a `context-only-claim` warning.
#[derive(Debug, Clone, Copy)]
enum Target {
    Corroborated,
    SingleSource,
    Disputed,
    Contradicted,
}

fn plan_claims(config: &Config) -> Plan {
    let mut rng = Rng::new(config.seed).fork(STREAM_PLAN);
    let mut picker = SourcePicker::new(config.sources, &mut rng);
    // Enough citations per claim that the first pass reaches every source.
    let min_citations = config.sources.div_ceil(config.claims);
    let mut plan = Plan {
        claims: Vec::with_capacity(config.claims),
        by_source: vec![Vec::new(); config.sources],
    };
    for index in 0..config.claims {
        // The first claims go one to each topic, so no topic is empty.
        let topic = if index < config.topics {
            index
        } else {
            rng.below(config.topics)
        };
        let claim = plan_claim(index, topic, min_citations, &mut picker, &mut rng);
        for (position, citation) in claim.citations.iter().enumerate() {
            plan.by_source[citation.source].push((index as u32, position as u8));
        }
        plan.claims.push(claim);
    }
    plan
}

fn plan_claim(
    index: usize,
    topic: usize,
    min_citations: usize,
    picker: &mut SourcePicker,
    rng: &mut Rng,
) -> PlannedClaim {
    let stances = plan_stances(min_citations, picker.sources, rng);
    let mut chosen = Vec::with_capacity(stances.len());
    let citations = stances
        .into_iter()
        .map(|stance| {
            let source = picker.next(&chosen, rng);
            chosen.push(source);
            PlannedCitation {
                source,
                stance,
                note: rng.chance(4).then(|| rng.pick(CITATION_NOTES).to_string()),
                quote: String::new(),
            }
        })
        .collect();
    let story = Story::random(rng);
    let (stem, template) = rng.pick(STATEMENTS);
    PlannedClaim {
        topic,
        id: format!("{stem}-{}", index + 1),
        statement: story.fill(template, rng),
        note: rng
            .chance(12)
            .then(|| story.fill(rng.pick(CLAIM_NOTES), rng)),
        citations,
    }
}

/// The stances of one claim's citations, supports first as an editor would list them.
fn plan_stances(min_citations: usize, sources: usize, rng: &mut Rng) -> Vec<Stance> {
    let mut target = match rng.below(100) {
        0..35 => Target::Corroborated,
        35..65 => Target::SingleSource,
        65..85 => Target::Disputed,
        _ => Target::Contradicted,
    };
    let (low, high) = match target {
        Target::Corroborated | Target::Disputed => (2, 4),
        Target::SingleSource | Target::Contradicted => (1, 3),
    };
    let count = rng
        .range(low, high)
        .max(min_citations)
        .min(MAX_CITATIONS)
        .min(sources);
    if count < 2 && matches!(target, Target::Corroborated | Target::Disputed) {
        target = Target::SingleSource;
    }
    let mut stances: Vec<Stance> = (0..count).map(|i| stance_at(target, i, rng)).collect();
    stances.sort();
    stances
}

/// The stance of the `i`th citation of a claim meant to have status `target`; the
/// first one or two fix the status, the rest may only keep it.
fn stance_at(target: Target, i: usize, rng: &mut Rng) -> Stance {
    use Stance::*;
    match (target, i) {
        (Target::Corroborated, 0 | 1) | (Target::SingleSource | Target::Disputed, 0) => Supports,
        (Target::Disputed, 1) | (Target::Contradicted, 0) => Contradicts,
        (Target::Corroborated, _) => rng.pick(&[Supports, Supports, Context]),
        // Each citation names another source, so a second `supports` would corroborate.
        (Target::SingleSource, _) => Context,
        (Target::Disputed, _) => rng.pick(&[Supports, Contradicts, Context]),
        (Target::Contradicted, _) => rng.pick(&[Contradicts, Context]),
    }
}

/// Hands out sources: first every source once, in a shuffled order (so none is left
/// uncited), then at random; never one the claim already cites.
struct SourcePicker {
    sources: usize,
    order: Vec<u32>,
    cursor: usize,
}

impl SourcePicker {
    fn new(sources: usize, rng: &mut Rng) -> Self {
        let mut order: Vec<u32> = (0..sources as u32).collect();
        rng.shuffle(&mut order);
        SourcePicker {
            sources,
            order,
            cursor: 0,
        }
    }

    fn next(&mut self, chosen: &[usize], rng: &mut Rng) -> usize {
        // The first pass never repeats a source, so `chosen` cannot hold this one.
        if let Some(&source) = self.order.get(self.cursor) {
            self.cursor += 1;
            return source as usize;
        }
        loop {
            let source = rng.below(self.sources);
            if !chosen.contains(&source) {
                return source;
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Sources

/// Writes every source (and some sidecars), taking each citation's quote from its
/// source while the text is at hand; returns the source ids by index. The sources are
/// shared out in contiguous ranges over the available cores: each source has its own
/// random stream, so the bytes do not depend on how they are shared.
fn write_sources(
    dir: &Path,
    config: &Config,
    plan: &mut Plan,
    writer: &mut Writer,
) -> io::Result<Vec<String>> {
    fs::create_dir_all(dir).map_err(|e| with_path(dir, e))?;
    let workers = thread::available_parallelism().map_or(1, NonZero::get);
    let chunk = config.sources.div_ceil(workers);
    let by_source = &plan.by_source;
    let outcomes: Vec<_> = thread::scope(|scope| {
        let handles: Vec<_> = (0..config.sources)
            .step_by(chunk)
            .map(|start| start..(start + chunk).min(config.sources))
            .map(|range| scope.spawn(move || write_range(dir, config, by_source, range)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or_else(|panic| resume_unwind(panic)))
            .collect()
    });
    let mut ids = Vec::with_capacity(config.sources);
    for outcome in outcomes {
        let (written, bytes) = outcome?;
        writer.bytes += bytes;
        for source in written {
            let citing = &plan.by_source[ids.len()];
            for (&(claim, position), quote) in citing.iter().zip(source.quotes) {
                plan.claims[claim as usize].citations[position as usize].quote = quote;
            }
            ids.push(source.id);
        }
    }
    Ok(ids)
}

/// One source as written: its id, and a quote for each citation of it, in the order
/// of `Plan::by_source`.
struct WrittenSource {
    id: String,
    quotes: Vec<String>,
}

/// Writes the sources of `range`; returns them in order, and the bytes written.
fn write_range(
    dir: &Path,
    config: &Config,
    by_source: &[Vec<(u32, u8)>],
    range: Range<usize>,
) -> io::Result<(Vec<WrittenSource>, u64)> {
    let mut writer = Writer::default();
    let written = range
        .map(|index| write_source(dir, config, index, by_source[index].len(), &mut writer))
        .collect::<io::Result<_>>()?;
    Ok((written, writer.bytes))
}

fn write_source(
    dir: &Path,
    config: &Config,
    index: usize,
    citations: usize,
    writer: &mut Writer,
) -> io::Result<WrittenSource> {
    let width = digits(config.sources - 1).max(3);
    let mut rng = Rng::new(config.seed).fork(STREAM_SOURCE).fork(index as u64);
    let id = format!("{index:0width$}_{:016x}", rng.next());
    let story = Story::random(&mut rng);
    let article = Article::generate(&story, &mut rng);
    writer.write(&dir.join(format!("{id}.txt")), &article.text)?;
    if rng.chance(65) {
        let meta = sidecar(&story, &mut rng);
        writer.write(&dir.join(format!("{id}.yaml")), &meta)?;
    }
    let quotes = (0..citations).map(|_| article.quote(&mut rng)).collect();
    Ok(WrittenSource { id, quotes })
}

fn digits(mut n: usize) -> usize {
    let mut count = 1;
    while n >= 10 {
        n /= 10;
        count += 1;
    }
    count
}

/// A source's metadata: only some fields, as an editor knows only some facts.
fn sidecar(story: &Story, rng: &mut Rng) -> String {
    let (publisher, domain) = rng.pick(PUBLISHERS);
    let headline = story.fill(rng.pick(HEADLINES), rng);
    let (year, month, day) = (rng.range(2019, 2025), rng.range(1, 12), rng.range(1, 28));
    let mut yaml = format!("title: {}\n", yaml_string(&headline));
    if rng.chance(90) {
        let _ = writeln!(yaml, "publisher: {}", yaml_string(publisher));
    }
    if rng.chance(80) {
        let _ = writeln!(yaml, "published: {year}-{month:02}-{day:02}");
    }
    if rng.chance(70) {
        let slug = slugify(story.project);
        let _ = writeln!(
            yaml,
            "url: https://{domain}/news/{year}/{month:02}/{slug}-{}",
            rng.range(1000, 99_999)
        );
    }
    if rng.chance(50) {
        yaml.push_str("language: en\n");
    }
    if rng.chance(10) {
        let note = story.fill(rng.pick(SOURCE_NOTES), rng);
        let _ = writeln!(yaml, "note: {}", yaml_string(&note));
    }
    yaml
}

/// One generated news report.
struct Article {
    /// The file's text.
    text: String,
    /// The same words with every line break (and paragraph break) a single space:
    /// what a quote copies.
    flat: String,
    /// `flat` folded as verification folds it: where uniqueness is checked.
    norm: String,
    /// Each quotable sentence, as a byte range of `flat`.
    sentences: Vec<Range<usize>>,
}

/// A report is about this long; the last paragraph may run past it.
const TARGET_BYTES: Range<usize> = 4600..5400;

impl Article {
    fn generate(story: &Story, rng: &mut Rng) -> Article {
        let target = rng.range(TARGET_BYTES.start, TARGET_BYTES.end);
        let mut article = Article {
            text: String::with_capacity(target + 600),
            flat: String::with_capacity(target + 600),
            norm: String::new(),
            sentences: Vec::new(),
        };
        article.push_byline(story, rng);
        let (mut deck, mut seen) = (Deck::new(), Vec::new());
        while article.flat.len() < target {
            let paragraph = paragraph(story, rng, &mut deck, &mut seen);
            article.push_paragraph(&paragraph, rng);
        }
        article.text.push('\n');
        article.norm = fold(&article.flat);
        article
    }

    /// "By NAME" and a date on the next line: a hard line break outside any sentence.
    fn push_byline(&mut self, story: &Story, rng: &mut Rng) {
        if !rng.chance(60) {
            return;
        }
        let byline = format!("By {}", Name::random(rng).full());
        let date = story.fill("{weekday} {date} {year}", rng);
        let _ = write!(self.text, "{byline}\n{date}");
        let _ = write!(self.flat, "{byline} {date}");
    }

    /// Appends a paragraph; some are hard-wrapped, as in e-mailed or pasted copy.
    fn push_paragraph(&mut self, sentences: &[String], rng: &mut Rng) {
        if !self.flat.is_empty() {
            self.text.push_str("\n\n");
            self.flat.push(' ');
        }
        let start = self.flat.len();
        for (i, sentence) in sentences.iter().enumerate() {
            if i > 0 {
                self.flat.push(' ');
            }
            let at = self.flat.len();
            self.flat.push_str(sentence);
            self.sentences.push(at..self.flat.len());
        }
        let paragraph = &self.flat[start..];
        if rng.chance(45) {
            wrap_into(&mut self.text, paragraph, rng.range(58, 78));
        } else {
            self.text.push_str(paragraph);
        }
    }

    /// A quote for one citation: a passage of one sentence, copied, straightened or
    /// elided, occurring once in the source.
    fn quote(&self, rng: &mut Rng) -> String {
        for _ in 0..64 {
            let range = self.sentences[rng.below(self.sentences.len())].clone();
            let words: Vec<&str> = self.flat[range].split(' ').collect();
            let found = match rng.below(100) {
                0..45 => self.verbatim(&words, rng),
                45..70 => self.straightened(&words, rng),
                _ => self.elided(&words, rng),
            };
            if let Some(quote) = found {
                return quote;
            }
        }
        self.fallback_quote()
    }

    /// A whole sentence or a run of its words, exactly as the source has them.
    fn verbatim(&self, words: &[&str], rng: &mut Rng) -> Option<String> {
        let len = if rng.chance(25) {
            words.len()
        } else {
            rng.range(5, 16)
        };
        let quote = passage(window(words, len, rng))?;
        self.occurs_once(&fold(&quote)).then_some(quote)
    }

    /// A run of words with typographic quotes and dashes typed plainly; only taken
    /// when there is something to straighten.
    fn straightened(&self, words: &[&str], rng: &mut Rng) -> Option<String> {
        let original = passage(window(words, rng.range(6, 18), rng))?;
        let quote = fold(&original);
        (quote != original && self.occurs_once(&quote)).then_some(quote)
    }

    /// Two runs of words around an ellipsis. Both must be unique, so the matched gap
    /// is the one chosen here, which must hold no negation (`elided-negation`).
    fn elided(&self, words: &[&str], rng: &mut Rng) -> Option<String> {
        let (head, tail) = (rng.range(3, 5), rng.range(3, 6));
        let gap = rng.range(1, 12).min(words.len().checked_sub(head + tail)?);
        if gap == 0 {
            return None;
        }
        let words = window(words, head + gap + tail, rng);
        let first = trimmed_join(&words[..head]);
        let elided = fold(&words[head..head + gap].join(" "));
        let last = trimmed_join(&words[head + gap..]);
        let clean = balanced(&words.join(" "))
            && !has_negation(&elided)
            && self.occurs_once(&fold(&first))
            && self.occurs_once(&fold(&last));
        let ellipsis = if rng.chance(15) { "[...]" } else { "..." };
        clean.then(|| format!("{first} {ellipsis} {last}"))
    }

    /// The first whole sentence that is unique. Sentences are distinct when made, so
    /// this is reached only after very bad luck, and finds one.
    fn fallback_quote(&self) -> String {
        self.sentences
            .iter()
            .map(|range| &self.flat[range.clone()])
            .find(|sentence| self.occurs_once(&fold(sentence)))
            .unwrap_or(&self.flat[self.sentences[0].clone()])
            .to_string()
    }

    /// Whether `needle` (normalised) occurs exactly once in the normalised text. It
    /// ignores word boundaries, which can only over-count: never a false "once".
    fn occurs_once(&self, needle: &str) -> bool {
        let Some(at) = self.norm.find(needle).filter(|_| !needle.is_empty()) else {
            return false;
        };
        let step = needle.chars().next().map_or(1, char::len_utf8);
        !self.norm[at + step..].contains(needle)
    }
}

/// `len` consecutive words (all of them when there are fewer): from the start of the
/// sentence half the time, as quotes often are, else from a random word.
fn window<'w>(words: &'w [&'w str], len: usize, rng: &mut Rng) -> &'w [&'w str] {
    let len = len.min(words.len());
    let start = if rng.chance(50) {
        0
    } else {
        rng.below(words.len() - len + 1)
    };
    &words[start..start + len]
}

/// Words joined as the source has them, or `None` when they would open a quotation
/// without closing it or close one they did not open, which reads badly.
fn passage(words: &[&str]) -> Option<String> {
    let text = trimmed_join(words);
    balanced(&text).then_some(text)
}

/// Words joined as the source has them, without a trailing comma, semicolon or colon
/// (editors drop those).
fn trimmed_join(words: &[&str]) -> String {
    let text = words.join(" ");
    text.trim_end_matches([',', ';', ':']).to_string()
}

/// Whether every `“` in `text` is closed by a `”` in it, and the other way round.
fn balanced(text: &str) -> bool {
    let mut depth = 0_i32;
    for c in text.chars() {
        match c {
            '“' => depth += 1,
            '”' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// Appends `paragraph` broken into lines of at most `width` characters (a longer word
/// gets a line of its own). Only single spaces become line breaks, so the flat text
/// stays the same words with the same spacing.
fn wrap_into(text: &mut String, paragraph: &str, width: usize) {
    let mut line = 0;
    for (i, word) in paragraph.split(' ').enumerate() {
        let len = word.chars().count();
        if i > 0 {
            if line + 1 + len > width {
                text.push('\n');
                line = 0;
            } else {
                text.push(' ');
                line += 1;
            }
        }
        text.push_str(word);
        line += len;
    }
}

/// The typographic folding of the format, for the characters this generator writes:
/// curly quotes to straight ones, dashes to a hyphen.
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '‘' | '’' => '\'',
            '“' | '”' => '"',
            '–' | '—' => '-',
            other => other,
        })
        .collect()
}

/// The words that `check` treats as negations (`elided-negation`).
fn has_negation(text: &str) -> bool {
    const NEGATIONS: &[&str] = &[
        "not", "no", "never", "nor", "none", "nobody", "nothing", "neither", "without", "cannot",
    ];
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(str::to_lowercase)
        .any(|word| NEGATIONS.contains(&word.as_str()) || word.ends_with("n't"))
}

/// Deals sentence templates like cards: a report uses each once before any twice,
/// which reads less repetitively than drawing at random.
struct Deck {
    cards: Vec<usize>,
}

impl Deck {
    fn new() -> Deck {
        Deck { cards: Vec::new() }
    }

    fn deal(&mut self, rng: &mut Rng) -> &'static str {
        if self.cards.is_empty() {
            self.cards = (0..SENTENCES.len()).collect();
            rng.shuffle(&mut self.cards);
        }
        SENTENCES[self.cards.pop().unwrap_or_default()]
    }
}

/// Two to five sentences not yet used in this report (a repeated sentence would make
/// every quote from it ambiguous).
fn paragraph(story: &Story, rng: &mut Rng, deck: &mut Deck, seen: &mut Vec<String>) -> Vec<String> {
    let count = rng.range(2, 5);
    let mut sentences = Vec::with_capacity(count);
    while sentences.len() < count {
        let sentence = story.fill(deck.deal(rng), rng);
        if !seen.contains(&sentence) {
            seen.push(sentence.clone());
            sentences.push(sentence);
        }
    }
    sentences
}

// ---------------------------------------------------------------------------------
// Topics

fn write_topics(
    dir: &Path,
    config: &Config,
    plan: &Plan,
    ids: &[String],
    writer: &mut Writer,
) -> io::Result<()> {
    fs::create_dir_all(dir).map_err(|e| with_path(dir, e))?;
    let mut by_topic: Vec<Vec<&PlannedClaim>> = vec![Vec::new(); config.topics];
    for claim in &plan.claims {
        by_topic[claim.topic].push(claim);
    }
    for (index, claims) in by_topic.iter().enumerate() {
        let mut rng = Rng::new(config.seed).fork(STREAM_TOPIC).fork(index as u64);
        let story = Story::random(&mut rng);
        let slug = format!("{}-{}-{}", slugify(story.project), story.place.1, index + 1);
        let yaml = topic_yaml(index, &story, claims, ids, &mut rng);
        writer.write(&dir.join(format!("{slug}.yaml")), &yaml)?;
    }
    Ok(())
}

fn topic_yaml(
    index: usize,
    story: &Story,
    claims: &[&PlannedClaim],
    ids: &[String],
    rng: &mut Rng,
) -> String {
    let mut yaml = String::with_capacity(400 * claims.len() + 200);
    let title = story.fill("The {project} in {place}", rng);
    let _ = writeln!(yaml, "title: {}", yaml_string(&capitalise(&title)));
    if rng.chance(60) {
        let summary = story.fill(rng.pick(SUMMARIES), rng);
        let _ = writeln!(yaml, "summary: {}", yaml_string(&summary));
    }
    let _ = writeln!(yaml, "order: {}", (index + 1) * 10);
    yaml.push_str("claims:\n");
    for claim in claims {
        push_claim(&mut yaml, claim, ids, rng);
    }
    yaml
}

fn push_claim(yaml: &mut String, claim: &PlannedClaim, ids: &[String], rng: &mut Rng) {
    let _ = writeln!(yaml, "  - id: {}", claim.id);
    let _ = writeln!(yaml, "    statement: {}", yaml_string(&claim.statement));
    if let Some(note) = &claim.note {
        let _ = writeln!(yaml, "    note: {}", yaml_string(note));
    }
    yaml.push_str("    citations:\n");
    for citation in &claim.citations {
        let _ = writeln!(yaml, "      - source: {}", ids[citation.source]);
        let _ = writeln!(yaml, "        quote: {}", yaml_string(&citation.quote));
        // `supports` is the default; editors write it only sometimes.
        if citation.stance != Stance::Supports || rng.chance(30) {
            let _ = writeln!(yaml, "        stance: {}", citation.stance.as_str());
        }
        if let Some(note) = &citation.note {
            let _ = writeln!(yaml, "        note: {}", yaml_string(note));
        }
    }
    yaml.push('\n');
}

/// A YAML double-quoted scalar: always text (never a number, date or boolean), and
/// safe whatever the characters.
fn yaml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

/// Lowercase ASCII words joined by `-` (vocabulary used in slugs is ASCII).
fn slugify(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

// ---------------------------------------------------------------------------------
// The vocabulary: a story's cast and setting, and templates whose `{slot}`s it fills.

/// A person's name; surnames repeat so that a report can say "Novák said".
#[derive(Clone, Copy)]
struct Name {
    first: &'static str,
    last: &'static str,
}

impl Name {
    fn random(rng: &mut Rng) -> Name {
        Name {
            first: rng.pick(FIRST_NAMES),
            last: rng.pick(LAST_NAMES),
        }
    }

    fn full(self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// What one report (or claim, or topic) is about: the same cast throughout.
struct Story {
    place: (&'static str, &'static str),
    place2: &'static str,
    org: &'static str,
    org2: &'static str,
    project: &'static str,
    speaker: Name,
    speaker_role: &'static str,
    official: Name,
    official_role: &'static str,
}

impl Story {
    fn random(rng: &mut Rng) -> Story {
        Story {
            place: rng.pick(PLACES),
            place2: rng.pick(PLACES).0,
            org: rng.pick(ORGS),
            org2: rng.pick(ORGS),
            project: rng.pick(PROJECTS),
            speaker: Name::random(rng),
            speaker_role: rng.pick(ROLES),
            official: Name::random(rng),
            official_role: rng.pick(ROLES),
        }
    }

    /// `template` with each `{slot}` replaced; an unknown slot is left as it is (a
    /// test checks that there are none).
    fn fill(&self, template: &str, rng: &mut Rng) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let Some(len) = rest[open..].find('}') else {
                break;
            };
            out.push_str(&rest[..open]);
            self.slot(&rest[open + 1..open + len], rng, &mut out);
            rest = &rest[open + len + 1..];
        }
        out.push_str(rest);
        out
    }

    fn slot(&self, name: &str, rng: &mut Rng, out: &mut String) {
        let _ = match name {
            "speaker" => write!(out, "{}", self.speaker.full()),
            "speaker_last" => write!(out, "{}", self.speaker.last),
            "speaker_role" => write!(out, "{}", self.speaker_role),
            "official" => write!(out, "{}", self.official.full()),
            "official_last" => write!(out, "{}", self.official.last),
            "official_role" => write!(out, "{}", self.official_role),
            "person" => write!(out, "{}", Name::random(rng).full()),
            "place" => write!(out, "{}", self.place.0),
            "place2" => write!(out, "{}", self.place2),
            "org" => write!(out, "{}", self.org),
            "Org" => write!(out, "{}", capitalise(self.org)),
            "org2" => write!(out, "{}", self.org2),
            "Org2" => write!(out, "{}", capitalise(self.org2)),
            "project" => write!(out, "{}", self.project),
            _ => figure(name, rng, out),
        };
    }
}

/// A slot that is a fresh figure each time: numbers, money, dates.
fn figure(name: &str, rng: &mut Rng, out: &mut String) -> std::fmt::Result {
    match name {
        "n" => write!(out, "{}", rng.range(2, 98)),
        "big" => write!(out, "{}", thousands(rng.range(120, 48_000))),
        "pct" => write!(out, "{} per cent", rng.range(2, 97)),
        "money" => money(rng, out),
        "date" => write!(out, "{} {}", rng.range(1, 28), rng.pick(MONTHS)),
        "month" => write!(out, "{}", rng.pick(MONTHS)),
        "weekday" => write!(out, "{}", rng.pick(WEEKDAYS)),
        "year" => write!(out, "{}", rng.range(2009, 2025)),
        "range" => {
            let from = rng.range(2009, 2022);
            write!(out, "{from}–{}", from + rng.range(1, 3))
        }
        "time" => write!(
            out,
            "{}.{:02}{}",
            rng.range(1, 12),
            5 * rng.below(12),
            rng.pick(&["am", "pm"])
        ),
        "ordinal" => write!(out, "{}", rng.pick(ORDINALS)),
        "ratio" => write!(out, "{}.{}", rng.range(1, 4), rng.below(10)),
        other => write!(out, "{{{other}}}"),
    }
}

fn money(rng: &mut Rng, out: &mut String) -> std::fmt::Result {
    let currency = rng.pick(&["£", "€", "$"]);
    match rng.below(3) {
        0 => write!(
            out,
            "{currency}{}.{} million",
            rng.range(1, 950),
            rng.below(10)
        ),
        1 => write!(out, "{currency}{}.{}bn", rng.range(1, 12), rng.below(10)),
        _ => write!(out, "{currency}{}", thousands(rng.range(12, 990) * 1000)),
    }
}

/// 48000 as "48,000", as a newspaper prints it.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const FIRST_NAMES: &[&str] = &[
    "Anna",
    "Tomás",
    "Zoë",
    "Björn",
    "Łucja",
    "José",
    "Chloé",
    "Søren",
    "Aoife",
    "Mehmet",
    "Priya",
    "Kwame",
    "Marta",
    "Jürgen",
    "Renée",
    "Oluwaseun",
    "Hana",
    "Mateus",
    "Élodie",
    "Dmytro",
    "Ngozi",
    "Inês",
    "Raúl",
    "Yusuf",
    "Siobhán",
    "Lars",
    "Małgorzata",
    "David",
    "Sarah",
    "Thomas",
    "Fatima",
    "Grace",
    "Ahmed",
    "Ewa",
    "Jonas",
    "Camille",
];

const LAST_NAMES: &[&str] = &[
    "Novák",
    "Fernández",
    "O’Brien",
    "Müller",
    "Kowalczyk",
    "Haddad",
    "Lindqvist",
    "Okafor",
    "Dubois",
    "Szabó",
    "Petrović",
    "Nakamura",
    "Campbell",
    "Ferreira",
    "Østergaard",
    "Byrne",
    "Çelik",
    "Moreau",
    "Whitfield",
    "Rahman",
    "MacLeod",
    "Wiśniewski",
    "Jansen",
    "Papadopoulos",
    "Nguyen",
    "Hughes",
    "D’Angelo",
    "Kovačević",
    "Schäfer",
    "Ó Briain",
    "Mensah",
    "Ibáñez",
];

/// Display name and an ASCII slug for it.
const PLACES: &[(&str, &str)] = &[
    ("Riverton", "riverton"),
    ("Ashford Vale", "ashford-vale"),
    ("Port Elsworth", "port-elsworth"),
    ("Kingsbridge", "kingsbridge"),
    ("Zielona Góra", "zielona-gora"),
    ("Malmö", "malmo"),
    ("Tromsø", "tromso"),
    ("Kraków", "krakow"),
    ("São Vicente", "sao-vicente"),
    ("Łódź", "lodz"),
    ("Coimbra", "coimbra"),
    ("Llanfair", "llanfair"),
    ("Düsseldorf", "dusseldorf"),
    ("Brno", "brno"),
    ("Galway", "galway"),
    ("Dunmore Bay", "dunmore-bay"),
    ("Saint-Étienne", "saint-etienne"),
    ("Aarhus", "aarhus"),
    ("Eastleigh", "eastleigh"),
    ("Valletta", "valletta"),
    ("Hollowmere", "hollowmere"),
    ("Cluj-Napoca", "cluj-napoca"),
];

const ORGS: &[&str] = &[
    "the Harbour Authority",
    "the Regional Water Board",
    "Northline Rail",
    "the Ministry of Transport",
    "the county council",
    "the Fair Energy Alliance",
    "St Brigid’s Hospital Trust",
    "the Residents’ Association",
    "the National Audit Office",
    "the Chamber of Commerce",
    "the city council",
    "the Environment Agency",
    "the teachers’ union",
    "Greenfield Developments",
    "the Ministry of Health",
    "the Coastal Protection Board",
    "the regional development fund",
    "the Taxpayers’ League",
];

/// Projects; their names are ASCII so that they can make a slug.
const PROJECTS: &[&str] = &[
    "flood barrier",
    "tram extension",
    "new hospital wing",
    "offshore wind farm",
    "school-meals programme",
    "port expansion",
    "housing scheme",
    "bridge repairs",
    "water-treatment plant",
    "bus-fare freeze",
    "ring road",
    "library closures",
    "district heating network",
    "cycle-lane programme",
    "airport runway",
    "seawall upgrade",
];

const ROLES: &[&str] = &[
    "the council’s finance chief",
    "a spokesperson for the ministry",
    "the regional director",
    "the union’s general secretary",
    "an independent economist",
    "the leader of the opposition",
    "the deputy mayor",
    "the project’s chief engineer",
    "a senior civil servant",
    "the chair of the scrutiny committee",
];

const PUBLISHERS: &[(&str, &str)] = &[
    ("The Riverton Courier", "www.riverton-courier.example.com"),
    ("Northern Ledger", "northernledger.example.org"),
    ("Coastal Times", "www.coastaltimes.example.net"),
    ("The Kraków Post", "krakowpost.example.com"),
    ("Evening Herald", "www.eveningherald.example.com"),
    ("The Valley Gazette", "valleygazette.example.org"),
    ("Public Radio News", "news.publicradio.example.org"),
    ("Le Journal du Port", "journaldu-port.example.fr"),
    ("The Daily Record", "www.dailyrecord.example.co.uk"),
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const ORDINALS: &[&str] = &["second", "third", "fourth", "fifth", "sixth"];

/// The sentences of the reports. Most carry a figure or a name drawn afresh, which
/// keeps a report's sentences (and so the quotes taken from them) distinct.
const SENTENCES: &[&str] = &[
    "{speaker}, {speaker_role}, said the {project} would cost “about {money}” and take {n} months to finish.",
    "“We are not going to rush this,” {speaker_last} told reporters on {weekday}. “The numbers have to add up — for residents and for {place}.”",
    "Figures published by {org} in {month} show that {pct} of the work planned for {range} has been completed.",
    "Critics – among them {person} of {org2} – argue that the plan ‘shifts the cost onto households’ and say the consultation was rushed.",
    "The decision follows a {n}-week review ordered by {official}, {official_role}, after complaints from residents of {place2}.",
    "According to documents seen by this newspaper, officials had warned as early as {month} {year} that a budget of {money} was “unrealistic”.",
    "{official} declined to comment on the timetable but said {org} remained “fully committed” to the {project}.",
    "On {weekday}, about {big} people gathered outside the town hall in {place}, some holding placards that read “Not in our name”.",
    "The scheme’s supporters say it will create {n} jobs in {place} and the surrounding villages over the next {ordinal} budget cycle.",
    "In a statement issued at {time}, {org} said it had “received no formal request” for further funding.",
    "It is the {ordinal} time since {year} that the {project} has been delayed, and the {ordinal} time its budget has been revised.",
    "Residents we spoke to on {date} were divided: some welcomed the investment, others questioned whether {place} needed it at all.",
    "“I’ve lived here for {n} years and I’ve seen plans like this come and go,” said {person}, a retired teacher from {place2}.",
    "{Org}’s annual report, released in {month}, put the total cost at {money} — {pct} more than first estimated.",
    "{speaker_last} said talks with {org2} had been “constructive” and that a further meeting was planned for {date}.",
    "Opposition councillors have called for an independent inquiry, saying the public “deserves to know who knew what, and when” about the {money} overspend.",
    "The project was first proposed in {year} by {official}, then {official_role}, as part of a wider plan for {place}.",
    "A spokesperson for {org2} said the figures were “misleading” and that the real shortfall was closer to {money}.",
    "Work on the site is expected to resume on {date}, weather permitting, with {n} contractors on site by the end of {month}.",
    "Between {range}, the number of complaints received by {org} rose from {n} to {big}.",
    "{Org} had not responded to a request for comment by {time} on {weekday}.",
    "{person}, who chairs the local residents’ group, described the delay as “frankly embarrassing” for everyone involved in the {project}.",
    "Under the revised plan, the {project} will be completed in two phases — the first by {month} {year}, the second a year later.",
    "Asked whether the budget could rise again, {speaker_last} replied: “I won’t give you a number I can’t stand behind, not after {range}.”",
    "Data from {org} suggests {pct} of households in {place} would be affected by the change, up from an estimate of {pct} last {month}.",
    "The council meeting on {date} lasted almost {n} hours and ended without a vote on the {project}.",
    "‘This is a once-in-a-generation opportunity,’ {official} wrote in a letter to {big} members, seen by this newspaper.",
    "Some {n} hectares of farmland near {place2} would be needed for the access road, according to the planning application filed in {month} {year}.",
    "The regulator fined {org} {money} in {year} for missing its targets – a penalty the company is still appealing.",
    "{speaker} has since written to the minister, asking for a decision on the {project} “within weeks, not months”.",
    "Economists at {org2} estimate that every pound spent on the {project} could return £{ratio} to the local economy by {year}.",
    "Earlier this year, {person} resigned from the board of {org}, citing “a difference of opinion on priorities” after {n} years in the post.",
    "Bus and rail operators in {place} have warned of disruption during the {n}-month construction period, which starts on {date}.",
    "In {place2}, a similar scheme opened in {year} and was later expanded after demand exceeded forecasts by {pct}.",
    "The proposal will go out to public consultation on {date} and run for {n} weeks, {speaker_last}’s office confirmed.",
    "“We know people are frustrated — we are too,” {speaker_last} said on {weekday}. “But cutting corners on a {money} project is not an option.”",
    "{Org} said the {n}-page report on the {project} would be published in full “in due course”.",
    "The {project} in {place} was approved by {n} votes to {n} on {date}, after a debate lasting more than {n} hours.",
    "{official_last}’s predecessor, {person}, had promised in {year} that the {project} would be “finished, paid for and forgotten” by {year}.",
    "A poll of {big} residents, commissioned by {org2}, found {pct} in favour and {pct} against, with the rest undecided.",
    "Engineers found {n} defects during an inspection in {month}, {org} said, none of which posed “an immediate risk”.",
    "The original contractor went into administration in {month} {year}, leaving {money} of unpaid invoices and a half-finished site near {place2}.",
    "Mr {speaker_last} — who has held the post since {year} — said the criticism from {org2} was “unfair, but understandable”.",
    "Local businesses say trade has fallen by as much as {pct} since the works began on {date}.",
];

/// Claim statements, each with the stem of its id.
const STATEMENTS: &[(&str, &str)] = &[
    (
        "cost-estimate",
        "{Org} says the {project} in {place} will cost {money}.",
    ),
    (
        "work-resumes",
        "Work on the {project} in {place} is expected to resume on {date}.",
    ),
    (
        "budget-unrealistic",
        "Officials warned in {month} {year} that the budget for the {project} was “unrealistic”.",
    ),
    (
        "protest-turnout",
        "About {big} people protested outside the town hall in {place} on {weekday}.",
    ),
    (
        "repeated-delay",
        "The {project} in {place} has been delayed for the {ordinal} time since {year}.",
    ),
    (
        "shortfall-disputed",
        "{Org2} disputes the official figures, putting the shortfall at {money}.",
    ),
    (
        "consultation-length",
        "The public consultation on the {project} will run for {n} weeks.",
    ),
    (
        "residents-divided",
        "Residents of {place} are *divided* over the {project}.",
    ),
    (
        "regulator-fine",
        "{Org} was fined {money} in {year} for missing its targets.",
    ),
    (
        "jobs-created",
        "The {project} could create {n} jobs in {place}.",
    ),
    (
        "inquiry-called",
        "Opposition councillors want an independent inquiry into the {project}.",
    ),
    (
        "cost-overrun",
        "The {project} will cost {pct} more than first estimated.",
    ),
    (
        "contractor-collapse",
        "The first contractor on the {project} went into administration in {year}.",
    ),
    (
        "poll-support",
        "A majority of residents polled by {org2} support the {project}.",
    ),
];

const CLAIM_NOTES: &[&str] = &[
    "The reports give different figures; the difference may be rounding.",
    "One report dates this to {date}, the others give no date.",
    "{Org} has not confirmed the figure.",
    "The reports may describe two different meetings.",
    "The contradicting report was published before the revised plan of {month} {year}.",
];

const CITATION_NOTES: &[&str] = &[
    "The figure is rounded in this report.",
    "Reported speech, not a direct quotation.",
    "This report gives no date for the statement.",
    "The report attributes this to an unnamed official.",
];

const SUMMARIES: &[&str] = &[
    "What the reports say about the cost, the timetable and the people behind the {project} in {place}.",
    "The {project}: who promised what, and when. Reports from {place} and {place2} compared.",
    "Costs, delays and protests. The reports agree on the **outline** and differ on the figures.",
];

const SOURCE_NOTES: &[&str] = &[
    "A local report; it quotes {speaker} at length.",
    "Published before the revised plan of {month} {year}.",
    "The text was supplied by the publisher; the headline is the editor’s.",
];

const HEADLINES: &[&str] = &[
    "{place} {project} delayed again as costs climb to {money}",
    "Residents divided over {project} plans",
    "“Not an option”: {speaker_last} defends {project} timetable",
    "{Org} under fire over {project} overspend",
    "{project}: what we know so far",
    "Inquiry demanded into {money} {project}",
];

// ---------------------------------------------------------------------------------
// Randomness

/// Independent streams, so that one part's draws never shift another's.
const STREAM_PLAN: u64 = 1;
const STREAM_SOURCE: u64 = 2;
const STREAM_TOPIC: u64 = 3;

/// SplitMix64: small, fast and well mixed. Written out here rather than taken from a
/// crate so that a seed gives the same corpus for ever.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A stream of its own for one item, determined by this stream's state and `tag`.
    fn fork(&self, tag: u64) -> Rng {
        Rng(mix(self.0 ^ mix(tag.wrapping_add(0x9E37_79B9_7F4A_7C15))))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0), by multiplying rather than by `%`, which would favour
    /// small values.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// Uniform in `low..=high`.
    fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// Fisher–Yates.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The SplitMix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet, HashMap};

    use super::*;

    fn small(seed: u64) -> Config {
        Config {
            sources: 20,
            topics: 4,
            claims: 200,
            seed,
        }
    }

    fn generated(config: &Config) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary directory");
        generate(dir.path(), config).expect("generation succeeds");
        dir
    }

    #[test]
    fn a_small_corpus_checks_clean_and_varied() {
        let dir = generated(&small(7));
        let checked = factsheet::pipeline::check(dir.path()).expect("check runs");
        let problems: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.code.as_str(), d.message))
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");

        let site = &checked.site;
        assert_eq!(site.sources.len(), 20);
        assert_eq!(site.topics.len(), 4);
        assert_eq!(site.claim_count(), 200);
        let claims = || site.topics.iter().flat_map(|t| &t.claims);
        let citations = || claims().flat_map(|c| &c.citations);
        let stances: BTreeSet<_> = citations().map(|c| c.stance).collect();
        assert_eq!(stances.len(), 3, "{stances:?}");
        let statuses: BTreeSet<_> = claims().map(|c| c.status).collect();
        assert!(statuses.len() >= 3, "{statuses:?}");

        assert!(citations().any(|c| c.quote.contains("...")));
        let texts: HashMap<&str, &str> = site
            .sources
            .iter()
            .map(|s| (s.id.as_str(), &*s.text))
            .collect();
        let passage = |c: &factsheet::verify::VerifiedCitation| {
            &texts[c.source.as_str()][c.anchor.bytes.clone()]
        };
        assert!(
            citations().any(|c| passage(c).contains('\n') && !c.quote.contains('\n')),
            "no quote spans a line break"
        );
        assert!(
            citations().any(|c| passage(c).contains('’') && c.quote.contains('\'')),
            "no quote straightens a curly apostrophe"
        );
    }

    /// `check` leaves the pages that only the built-in templates render to `build`,
    /// trusting them to render every generated corpus without a template error or a
    /// broken link: this holds them to it.
    #[test]
    fn the_built_in_templates_build_a_corpus_without_a_problem() {
        // Small enough for the index's claims × sources grid, and too large for it.
        let large = Config {
            sources: 30,
            topics: 3,
            claims: 60,
            seed: 9,
        };
        for config in [small(9), large] {
            let dir = generated(&config);
            let report = factsheet::pipeline::build(&factsheet::pipeline::BuildOptions {
                root: dir.path().to_path_buf(),
                output: dir.path().join("public"),
            })
            .expect("build runs");
            let problems: Vec<String> = report
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.code.as_str(), d.message))
                .collect();
            assert!(problems.is_empty(), "{config:?}: {problems:#?}");
            assert!(report.written.len() > config.sources, "{config:?}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let tree = |seed| read_tree(generated(&small(seed)).path());
        let first = tree(3);
        assert!(first.len() > 20);
        assert_eq!(first, tree(3));
        assert_ne!(first, tree(4));
    }

    fn read_tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut files = BTreeMap::new();
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    let bytes = fs::read(&path).unwrap();
                    files.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
                }
            }
        }
        files
    }

    #[test]
    fn a_non_empty_dir_is_refused_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        fs::create_dir_all(dir.path().join("content/sources")).unwrap();
        fs::write(dir.path().join("content/sources/stale.txt"), "old").unwrap();
        assert!(matches!(
            prepare_dir(dir.path(), false),
            Err(Failure::Usage(_))
        ));
        prepare_dir(dir.path(), true).unwrap();
        assert!(!dir.path().join("content").exists());
        assert!(dir.path().join("keep.txt").exists());
        prepare_dir(&dir.path().join("new/deeper"), false).unwrap();
        assert!(dir.path().join("new/deeper").is_dir());
        let file = dir.path().join("keep.txt");
        assert!(matches!(prepare_dir(&file, true), Err(Failure::Usage(_))));
    }

    #[test]
    fn impossible_sizes_are_usage_errors() {
        let config = |sources, topics, claims| Config {
            sources,
            topics,
            claims,
            seed: 1,
        };
        assert!(config(10, 5, 5).validate().is_ok());
        assert!(config(20, 5, 5).validate().is_ok());
        assert!(matches!(
            config(21, 5, 5).validate(),
            Err(Failure::Usage(_))
        ));
        assert!(matches!(config(5, 6, 5).validate(), Err(Failure::Usage(_))));
        assert!(Args::try_parse_from(["gen_corpus", "out", "--sources", "0"]).is_err());
        assert!(Args::try_parse_from(["gen_corpus", "out", "--claims", "x"]).is_err());
        assert!(Args::try_parse_from(["gen_corpus"]).is_err());
    }

    #[test]
    fn extreme_small_sizes_still_check_clean() {
        for (sources, topics, claims) in [(1, 1, 1), (2, 1, 1), (4, 1, 1), (3, 2, 2)] {
            let dir = generated(&Config {
                sources,
                topics,
                claims,
                seed: 11,
            });
            let checked = factsheet::pipeline::check(dir.path()).unwrap();
            let codes: Vec<_> = checked
                .diagnostics
                .iter()
                .map(|d| d.code.as_str())
                .collect();
            assert!(codes.is_empty(), "{sources}/{topics}/{claims}: {codes:?}");
        }
    }

    /// Many quotes from many reports, each matched by the library's own matcher:
    /// exactly once, and never straddling a negation with an ellipsis.
    #[test]
    fn quotes_match_once_across_many_reports() {
        use factsheet::verify::normalize::{NormalizedText, normalize};
        use factsheet::verify::quote::{Quote, find_all};
        for seed in 0..30 {
            let mut rng = Rng::new(seed);
            let article = Article::generate(&Story::random(&mut rng), &mut rng);
            assert!(TARGET_BYTES.start <= article.text.len());
            assert_eq!(fold(&article.flat), normalize(&article.text));
            let text = NormalizedText::new(&article.text);
            for _ in 0..100 {
                let quote = article.quote(&mut rng);
                let parsed = Quote::parse(&quote).expect("a quote with words");
                let matches = find_all(&text, &parsed);
                assert_eq!(matches.len(), 1, "seed {seed}: {quote}");
                let gaps = matches[0].fragments.windows(2);
                for pair in gaps {
                    let gap = &text.as_str()[pair[0].end..pair[1].start];
                    assert!(!has_negation(gap), "seed {seed}: {quote} elides {gap}");
                }
            }
        }
    }

    #[test]
    fn every_template_slot_is_known() {
        let mut rng = Rng::new(5);
        let story = Story::random(&mut rng);
        let templates = SENTENCES
            .iter()
            .chain(STATEMENTS.iter().map(|(_, t)| t))
            .chain(CLAIM_NOTES)
            .chain(SUMMARIES)
            .chain(SOURCE_NOTES)
            .chain(HEADLINES);
        for template in templates {
            let filled = story.fill(template, &mut rng);
            assert!(!filled.contains(['{', '}']), "{filled}");
        }
    }

    #[test]
    fn wrapping_keeps_the_words_and_spacing() {
        let paragraph = "one two three four five six seven eight nine ten";
        let mut text = String::new();
        wrap_into(&mut text, paragraph, 12);
        assert!(
            text.lines().all(|line| line.chars().count() <= 12),
            "{text}"
        );
        assert!(text.contains('\n'));
        assert_eq!(text.replace('\n', " "), paragraph);
    }
}
