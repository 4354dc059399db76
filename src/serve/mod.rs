//! `factsheet serve`: the preview editors keep open while they edit. It builds the site
//! with the same pipeline as `build`, holds it in memory and serves it on loopback; on
//! every save it builds again (only the pages the change touched) and the open pages
//! reload themselves, or, when the save broke the site, keep the last good version and
//! show the problems over it. Content errors never stop the server.
//!
//! - `plan`: what a change touched and what to render again (pure functions);
//! - `rebuild`: the builds of one session, and the site in memory;
//! - `watch`: the file-system events, coalesced;
//! - `http`: the server (files, the live script, the event stream);
//! - `live`: the protocol between the server and the pages.

pub mod http;
pub mod live;
pub mod plan;
pub mod rebuild;
pub mod watch;

use std::io::{IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch as signal_watch};

use crate::diagnostics::render::{HumanOptions, human, render_human};
use crate::error::{ToolError, ToolResult};
use http::{ServeState, Snapshot};
use live::LiveEvent;
use plan::Change;
use rebuild::{Broken, Built, Outcome, Session};

/// The port tried first when none is given, and how many after it.
pub const DEFAULT_PORT: u16 = 1111;
const PORTS_TO_TRY: u16 = 10;

/// How long open connections get to finish after Ctrl-C.
const GRACE: Duration = Duration::from_secs(2);

/// What `factsheet serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// `None`: the default port, or the next free one after it.
    pub port: Option<u16>,
    /// Open the site in the default browser once it is served.
    pub open: bool,
}

/// Builds, serves and rebuilds until Ctrl-C. Fails only when it cannot start.
pub fn serve(options: &ServeOptions) -> ToolResult<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| ToolError::Usage(format!("cannot start the server: {source}")))?;
    runtime.block_on(run(options))
}

async fn run(options: &ServeOptions) -> ToolResult<()> {
    let listener = listen(options.bind, options.port).await?;
    let address = listener.local_addr().map_err(|source| ToolError::Listen {
        address: SocketAddr::new(options.bind, options.port.unwrap_or(DEFAULT_PORT)),
        source,
    })?;
    let terminal = Terminal::detect();
    let (stop, stopped) = signal_watch::channel(false);
    let state = Arc::new(ServeState {
        current: RwLock::new(Arc::new(Snapshot::default())),
        events: broadcast::channel(64).0,
        shutdown: stopped.clone(),
    });
    let mut builds = Builds {
        session: Session::new(options.root.clone()),
        state: Arc::clone(&state),
        instance: instance_id(),
        count: 0,
        terminal,
    };
    terminal.say(&format!("Building `{}`…", options.root.display()));
    builds = tokio::task::spawn_blocking(move || {
        builds.run(Change::ALL, &[]);
        builds
    })
    .await
    .expect("the first build does not panic");
    let url = url_of(address);
    terminal.say(&format!("Serving the site at {url}  (Ctrl-C to stop)"));
    if !address.ip().is_loopback() {
        terminal.warn(&format!(
            "listening on {}: anyone who can reach this machine can read this preview",
            address.ip()
        ));
    }
    start_watching(options, builds, terminal);
    if options.open
        && let Err(error) = open::that_detached(&url)
    {
        terminal.warn(&format!("could not open a browser: {error}"));
    }
    let server = axum::serve(listener, http::router(state, address.ip().is_loopback()))
        .with_graceful_shutdown(async move {
            wait_for_signal().await;
            let _ = stop.send(true);
        });
    let mut stopped = stopped;
    tokio::select! {
        result = server => result.map_err(|source| ToolError::Listen { address, source })?,
        // Connections that do not close in time (a page mid-load) are dropped.
        () = async { let _ = stopped.wait_for(|stop| *stop).await; tokio::time::sleep(GRACE).await } => {}
    }
    terminal.say("Stopped.");
    Ok(())
}

/// Binds the given port, or the default one or the next free one after it.
async fn listen(bind: IpAddr, port: Option<u16>) -> ToolResult<TcpListener> {
    let ports: Vec<u16> = match port {
        Some(port) => vec![port],
        None => (DEFAULT_PORT..DEFAULT_PORT + PORTS_TO_TRY).collect(),
    };
    let mut last_error = None;
    for port in ports {
        let address = SocketAddr::new(bind, port);
        match TcpListener::bind(address).await {
            Ok(listener) => {
                if port != DEFAULT_PORT && last_error.is_some() {
                    eprintln!("Port {DEFAULT_PORT} is busy: using port {port}.");
                }
                return Ok(listener);
            }
            Err(source) => last_error = Some(ToolError::Listen { address, source }),
        }
    }
    Err(last_error.expect("at least one port was tried"))
}

fn url_of(address: SocketAddr) -> String {
    let host = match address.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    format!("http://{host}:{}/", address.port())
}

/// Names this run, so a page served by an earlier run reloads when it reconnects.
fn instance_id() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("{:x}", millis ^ u128::from(std::process::id()))
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Starts the watcher and the rebuild loop on a thread of their own (builds are CPU work
/// and must not hold up the server).
fn start_watching(options: &ServeOptions, mut builds: Builds, terminal: Terminal) {
    let mut watcher = match watch::Watcher::start(&options.root) {
        Ok(watcher) => watcher,
        Err(error) => {
            terminal.warn(&format!(
                "cannot watch the site for changes ({error}): pages will not update by themselves"
            ));
            return;
        }
    };
    terminal.say("Watching content/, templates/ and static/ for changes.");
    std::thread::spawn(move || {
        while let Some(batch) = watcher.wait() {
            for error in &batch.errors {
                terminal.warn(&format!("watching: {error}; building everything again"));
            }
            if batch.change.layout
                && let Err(error) = watcher.rewatch()
            {
                terminal.warn(&format!("watching: {error}"));
            }
            builds.run(batch.change, &batch.paths);
        }
    });
}

/// The rebuild loop's side: builds, then tells the pages and the terminal.
struct Builds {
    session: Session,
    state: Arc<ServeState>,
    instance: String,
    count: u64,
    terminal: Terminal,
}

impl Builds {
    fn run(&mut self, change: Change, paths: &[String]) {
        let cause = describe_paths(paths);
        match self.session.rebuild(change) {
            Outcome::Built(built) => self.built(&cause, built),
            Outcome::Broken(broken) => self.broken(&cause, broken),
        }
    }

    /// Serves the pages of a good build, then its data files (the same version: they
    /// complete the same build), and tells the terminal.
    fn built(&mut self, cause: &str, built: Built) {
        self.count += 1;
        let version = format!("{}-{}", self.instance, self.count);
        let mut changed = built.changed;
        self.publish(&version, changed.clone());
        let data = self.session.complete();
        if !data.is_empty() {
            self.publish(&version, data.clone());
            changed.extend(data);
        }
        self.terminal.diagnostics(&render_human(
            &built.diagnostics,
            &built.files,
            self.terminal.human(),
        ));
        self.terminal.say(&format!(
            "{cause}: built in {:.1} ms: {} file{} changed, {} page{} rendered ({} claims, {} citations verified; {}).",
            built.total.as_secs_f64() * 1e3,
            changed.len(),
            if changed.len() == 1 { "" } else { "s" },
            built.rendered,
            if built.rendered == 1 { "" } else { "s" },
            built.claims,
            built.citations,
            human::summary(&built.diagnostics),
        ));
    }

    /// Serves the site as it is now, and tells the pages which files changed.
    fn publish(&self, version: &str, changed: Vec<String>) {
        self.state.publish(
            Snapshot {
                version: version.to_string(),
                files: self.session.output(),
                problems: None,
                built: true,
            },
            LiveEvent::Reload {
                version: version.to_string(),
                changed: Arc::new(changed),
            },
        );
    }

    /// Keeps serving the last good build, and shows the problems over it.
    fn broken(&mut self, cause: &str, broken: Broken) {
        let current = self.state.snapshot();
        let problems = Arc::new(broken.problems);
        self.state.publish(
            Snapshot {
                problems: Some(Arc::clone(&problems)),
                ..Snapshot::clone(&current)
            },
            LiveEvent::Problems(problems),
        );
        let text = match &broken.tool_error {
            Some(error) => format!("{error}\n"),
            None => render_human(&broken.diagnostics, &broken.files, self.terminal.human()),
        };
        self.terminal.diagnostics(&text);
        let keeping = if current.built {
            "still serving the last good build; the open pages show the problems"
        } else {
            "nothing to serve until they are fixed; the open pages show them"
        };
        let summary = if broken.tool_error.is_some() {
            "the build failed".to_string()
        } else {
            human::summary(&broken.diagnostics)
        };
        self.terminal
            .say(&format!("{cause}: {summary}: {keeping}."));
    }
}

/// What set a build off, for the terminal.
fn describe_paths(paths: &[String]) -> String {
    match paths {
        [] => "First build".to_string(),
        [one] => format!("{one} changed"),
        [first, rest @ ..] => format!("{first} and {} more changed", rest.len()),
    }
}

/// Where serve talks: status lines on stdout, diagnostics on stderr.
#[derive(Debug, Clone, Copy)]
struct Terminal {
    color: bool,
}

impl Terminal {
    fn detect() -> Terminal {
        Terminal {
            color: HumanOptions::detect(std::io::stderr().is_terminal()).color,
        }
    }

    fn human(&self) -> HumanOptions {
        HumanOptions { color: self.color }
    }

    fn say(&self, line: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    fn warn(&self, line: &str) {
        eprintln!("warning: {line}");
    }

    fn diagnostics(&self, text: &str) {
        if !text.is_empty() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{text}");
            let _ = err.flush();
        }
    }
}
