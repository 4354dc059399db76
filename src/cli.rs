//! The command line: argument parsing (clap) and one function per command, each mapping
//! its outcome to an exit code: 0 ok, 1 problems in the content, 2 usage or I/O.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::render::terminal::printable;
use crate::diagnostics::render::{HumanOptions, human, render_human, render_json};
use crate::diagnostics::{Diagnostics, Files};
use crate::error::ToolError;
use crate::pipeline::{self, BuildOptions};
use crate::serve::ServeOptions;

/// Static fact sheets whose every claim is verified against its sources.
#[derive(Debug, Parser)]
#[command(name = "factsheet", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify everything, then write the site.
    Build {
        /// The site's root directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site (default: ROOT/public).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Print how long each phase took.
        #[arg(long)]
        timings: bool,
    },
    /// Verify everything, write nothing, report every problem at once.
    ///
    /// Once the content verifies, `check` also renders the pages the site can break and
    /// checks their internal links: the pages whose template, or a template it extends or
    /// includes, is the site's own (an unchanged copy of a built-in template is not); the
    /// pages showing content that can make a checked link (Markdown linking into the site,
    /// or text holding `base_url`); and the HTML files of `static/`. Pages that only the
    /// built-in templates render are checked by `build`, which renders every page.
    Check {
        /// The site's root directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// How to print the report.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Build, serve on 127.0.0.1, rebuild on every save and reload the open pages.
    Serve {
        /// The site's root directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port to listen on [default: 1111, or the next free one]; 0 takes any free port.
        #[arg(long)]
        port: Option<u16>,
        /// The address to listen on; anything but loopback exposes the preview to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Where a phrase occurs across the sources, with a ready-to-paste citation.
    Find {
        /// The words to look for (same normalisation as quotes; `...` elides words).
        phrase: String,
        /// The site's root directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Create a new, working site in DIR.
    Init {
        /// A new or empty directory.
        dir: PathBuf,
    },
    /// Write the JSON Schemas of the content files (for editor completion).
    Schema {
        /// The directory to write them to.
        #[arg(long, default_value = "schema")]
        output: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

const EXIT_CONTENT: u8 = 1;
const EXIT_TOOL: u8 = 2;

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            timings,
        } => build(&root, output, timings),
        Command::Check { root, format } => check(&root, format),
        Command::Serve {
            root,
            port,
            bind,
            open,
        } => serve(ServeOptions {
            root: absolute(&root),
            bind,
            port,
            open,
        }),
        Command::Find { phrase, root } => find(&root, &phrase),
        Command::Init { dir } => init(&dir),
        Command::Schema { output } => schema(&output),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn build(root: &Path, output: Option<PathBuf>, timings: bool) -> ExitCode {
    let root = absolute(root);
    let output = absolute(&output.unwrap_or_else(|| root.join("public")));
    let report = match pipeline::build(&BuildOptions {
        root,
        output: output.clone(),
    }) {
        Ok(report) => report,
        Err(error) => return tool_failure(&error, Format::Human),
    };
    let mut stderr = std::io::stderr().lock();
    let options = HumanOptions::detect(stderr.is_terminal());
    let _ = write!(
        stderr,
        "{}",
        render_human(&report.diagnostics, &report.files, options)
    );
    if report.diagnostics.has_errors() {
        let _ = writeln!(
            stderr,
            "error: {}; nothing was written, `{}` is unchanged",
            human::summary(&report.diagnostics),
            output.display()
        );
        return ExitCode::from(EXIT_CONTENT);
    }
    let _ = writeln!(
        stderr,
        "Built {} files into `{}`: {} claims, {} citations verified ({}).",
        report.written.len(),
        output.display(),
        report.claims,
        report.citations,
        human::summary(&report.diagnostics),
    );
    if timings {
        let _ = writeln!(stderr, "{}", timings_line(&report.timings, peak_memory()));
    }
    ExitCode::SUCCESS
}

/// `timings: load 12.3 ms, …, write 4.5 ms, peak memory 142 MB`: one line of `name value
/// unit` pairs separated by `, `, which benchmarks parse.
fn timings_line(t: &pipeline::Timings, peak_memory: Option<u64>) -> String {
    let phases = [
        ("load", t.load),
        ("verify", t.verify),
        ("render", t.render),
        ("links", t.links),
        ("search", t.search),
        ("write", t.write),
    ];
    let mut pairs: Vec<String> = phases
        .iter()
        .map(|(name, time)| format!("{name} {:.1} ms", time.as_secs_f64() * 1e3))
        .collect();
    if let Some(bytes) = peak_memory {
        pairs.push(format!("peak memory {} MB", bytes / 1_000_000));
    }
    format!("timings: {}", pairs.join(", "))
}

/// The most memory the process has held at once (its peak resident set), where the system
/// says: `VmHWM` of `/proc/self/status` on Linux.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    vm_hwm_bytes(&status)
}

/// The `VmHWM:  123456 kB` line of a `/proc/<pid>/status` text, in bytes.
fn vm_hwm_bytes(status: &str) -> Option<u64> {
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?;
    let kilobytes = line.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()?;
    Some(kilobytes * 1024)
}

fn check(root: &Path, format: Format) -> ExitCode {
    let root = absolute(root);
    let checked = match pipeline::check(&root) {
        Ok(checked) => checked,
        Err(error) => return tool_failure(&error, format),
    };
    let mut diagnostics = checked.diagnostics;
    let mut files = checked.files;
    // `check` takes no `--output`: it compares with the output `build` writes by default.
    let previous = root.join("public");
    diagnostics.extend(crate::provenance::changed_sources(&checked.site, &previous));
    match pipeline::check_templates(&root, &checked.site, !diagnostics.has_errors(), &mut files) {
        Ok(problems) => diagnostics.extend(problems),
        Err(error) => return tool_failure(&error, format),
    }
    print_report(&diagnostics, &files, format);
    leave_to_exit((checked.site, files));
    if diagnostics.has_errors() {
        ExitCode::from(EXIT_CONTENT)
    } else {
        ExitCode::SUCCESS
    }
}

/// Leaves `value`'s memory to the end of the process, which comes next: the kernel takes
/// it back at once, while freeing a large site piece by piece (every claim, citation and
/// text) takes about a tenth of a `check` of 1,000 sources. Only for plain data: nothing
/// of it has to be flushed or closed.
fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}

fn serve(options: ServeOptions) -> ExitCode {
    if !options.root.is_dir() {
        return tool_failure(
            &ToolError::Usage(format!(
                "`{}` is not a directory: pass `--root` the site's root",
                options.root.display()
            )),
            Format::Human,
        );
    }
    match crate::serve::serve(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => tool_failure(&error, Format::Human),
    }
}

fn find(root: &Path, phrase: &str) -> ExitCode {
    let loaded = match crate::load::load(&absolute(root)) {
        Ok(loaded) => loaded,
        Err(error) => return tool_failure(&error, Format::Human),
    };
    let mut out = std::io::stdout().lock();
    let places = match crate::find::find(&loaded.site, phrase) {
        crate::find::Found::EmptyPhrase => {
            return tool_failure(
                &ToolError::Usage("the phrase has no words to look for".into()),
                Format::Human,
            );
        }
        crate::find::Found::Exact(places) => places,
        crate::find::Found::Closest(places) => {
            let _ = writeln!(out, "`{}` occurs in no source.", printable(phrase));
            if !places.is_empty() {
                let _ = writeln!(out, "The closest passages:\n");
                print_places(&mut out, &places);
            }
            return ExitCode::from(EXIT_CONTENT);
        }
    };
    let sources: std::collections::BTreeSet<&str> =
        places.iter().map(|p| p.source.as_str()).collect();
    let _ = writeln!(
        out,
        "`{}` occurs {} time{} in {} source{}:\n",
        printable(phrase),
        places.len(),
        if places.len() == 1 { "" } else { "s" },
        sources.len(),
        if sources.len() == 1 { "" } else { "s" },
    );
    print_places(&mut out, &places);
    ExitCode::SUCCESS
}

fn print_places(out: &mut impl Write, places: &[crate::find::Place]) {
    for place in places {
        let _ = writeln!(out, "{}:{}", place.file, place.line);
        // The source's own words, which may hold terminal escapes.
        let context = format!("{}[{}]{}", place.before, place.passage, place.after);
        let _ = writeln!(out, "    …{}…\n", printable(&context));
        let _ = writeln!(out, "{}", crate::find::citation_yaml(place));
    }
}

fn init(dir: &Path) -> ExitCode {
    match crate::init::init(dir) {
        Ok(count) => {
            eprintln!(
                "Created a new site in `{}` ({count} files).\nNext: `factsheet check --root {0}`, then `factsheet build --root {0}`.",
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => tool_failure(&error, Format::Human),
    }
}

fn schema(output: &Path) -> ExitCode {
    let write = || -> Result<usize, ToolError> {
        std::fs::create_dir_all(output).map_err(ToolError::write(output))?;
        let files = crate::schema::schema_files();
        for (name, text) in &files {
            let path = output.join(name);
            std::fs::write(&path, text).map_err(ToolError::write(&path))?;
        }
        Ok(files.len())
    };
    match write() {
        Ok(count) => {
            eprintln!("Wrote {count} schemas into `{}`.", output.display());
            ExitCode::SUCCESS
        }
        Err(error) => tool_failure(&error, Format::Human),
    }
}

fn print_report(diagnostics: &Diagnostics, files: &Files, format: Format) {
    let mut stdout = std::io::stdout().lock();
    let _ = match format {
        Format::Json => writeln!(stdout, "{}", render_json(diagnostics)),
        Format::Human => {
            let options = HumanOptions::detect(stdout.is_terminal());
            write!(stdout, "{}", render_human(diagnostics, files, options))
                .and_then(|()| writeln!(stdout, "check: {}", human::summary(diagnostics)))
        }
    };
}

/// Reports a failure of the tool itself (exit 2), in the requested format.
fn tool_failure(error: &ToolError, format: Format) -> ExitCode {
    match format {
        Format::Json => {
            let value = serde_json::json!({
                "errors": 1, "warnings": 0,
                "diagnostics": [{"severity": "error", "code": error.code(), "message": error.to_string()}],
            });
            println!("{value}");
        }
        Format::Human => {
            let mut stderr = std::io::stderr().lock();
            let message = error.to_string();
            let _ = writeln!(stderr, "error[{}]: {}", error.code(), printable(&message));
            if let Some(help) = error.help() {
                let _ = writeln!(stderr, "  = help: {help}");
            }
        }
    }
    ExitCode::from(EXIT_TOOL)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_timings_line_is_name_value_unit_pairs() {
        let timings = pipeline::Timings {
            load: Duration::from_micros(12_340),
            write: Duration::from_millis(2),
            ..pipeline::Timings::default()
        };
        assert_eq!(
            timings_line(&timings, Some(142_600_000)),
            "timings: load 12.3 ms, verify 0.0 ms, render 0.0 ms, links 0.0 ms, search 0.0 ms, write 2.0 ms, peak memory 142 MB"
        );
        assert!(timings_line(&timings, None).ends_with("write 2.0 ms"));
    }

    #[test]
    fn peak_memory_is_read_from_vm_hwm() {
        let status = "Name:\tfactsheet\nVmPeak:\t  300000 kB\nVmHWM:\t  141000 kB\nVmRSS:\t 9 kB\n";
        assert_eq!(vm_hwm_bytes(status), Some(141_000 * 1024));
        assert_eq!(vm_hwm_bytes("Name:\tfactsheet\n"), None);
        assert_eq!(vm_hwm_bytes("VmHWM:\t  lots kB\n"), None);
    }
}
