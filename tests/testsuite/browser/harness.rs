//! The plumbing of the browser tests: Debian's chromium driven through chromedriver
//! (fantoccini), `factsheet serve` on a site, and waiting on what the page shows.
//!
//! Every child process leads its own process group and is killed with it, then reaped, when
//! its guard is dropped, so a failing test leaves neither a server nor a browser behind.

use std::env;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// How long a page may take to show what a test waits for.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// How often the page is looked at meanwhile.
pub const POLL: Duration = Duration::from_millis(50);
/// How long chromedriver, chromium and `factsheet serve` may take to start.
const START: Duration = Duration::from_secs(60);

const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

/// Chromium and chromedriver, where Debian installs them or else on `PATH`.
pub struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

impl Tools {
    /// The tools, or `None` (with a notice on stderr) to skip the test. Where `CI` is set, a
    /// missing tool fails the test instead: CI installs them.
    pub fn find(test: &str) -> Option<Tools> {
        let chromium = find_program("/usr/bin/chromium", &["chromium", "chromium-browser"]);
        let chromedriver = find_program("/usr/bin/chromedriver", &["chromedriver"]);
        if let (Some(chromium), Some(chromedriver)) = (&chromium, &chromedriver) {
            return Some(Tools {
                chromium: chromium.clone(),
                chromedriver: chromedriver.clone(),
            });
        }
        let missing: Vec<&str> = [
            chromium.is_none().then_some("chromium"),
            chromedriver.is_none().then_some("chromedriver"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let message = format!(
            "the browser tests need {} (Debian: apt-get install chromium chromium-driver)",
            missing.join(" and ")
        );
        if env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!("{message}; CI is set, so this fails instead of skipping");
        }
        eprintln!("skipping {test}: {message}");
        None
    }
}

fn find_program(debian: &str, names: &[&str]) -> Option<PathBuf> {
    let debian = Path::new(debian);
    if debian.is_file() {
        return Some(debian.to_path_buf());
    }
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Everything a child process printed, line by line, read on background threads (so its
/// pipes never fill up).
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<String>>>);

impl Output {
    fn collect(&self, stream: impl Read + Send + 'static, prefix: &'static str) {
        let lines = self.0.clone();
        thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                lines.lock().unwrap().push(format!("{prefix}{line}"));
            }
        });
    }

    fn find<T>(&self, f: impl Fn(&str) -> Option<T>) -> Option<T> {
        self.0.lock().unwrap().iter().find_map(|line| f(line))
    }

    fn text(&self) -> String {
        self.0.lock().unwrap().join("\n")
    }
}

/// A running child process in its own process group, which is killed and reaped on drop.
struct Process {
    name: &'static str,
    child: Child,
    output: Output,
}

impl Process {
    fn spawn(name: &'static str, command: &mut Command) -> Process {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        let output = Output::default();
        output.collect(child.stdout.take().unwrap(), "");
        output.collect(child.stderr.take().unwrap(), "[stderr] ");
        Process {
            name,
            child,
            output,
        }
    }

    /// Waits until a line of the output gives `f`'s answer.
    async fn wait_for_line<T>(&mut self, what: &str, f: impl Fn(&str) -> Option<T>) -> T {
        let start = Instant::now();
        loop {
            if let Some(found) = self.output.find(&f) {
                return found;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the readers catch up with the last lines.
                tokio::time::sleep(Duration::from_millis(100)).await;
                if let Some(found) = self.output.find(&f) {
                    return found;
                }
                panic!(
                    "{} exited ({status}) before printing {what}; it printed:\n{}",
                    self.name,
                    self.output.text()
                );
            }
            if start.elapsed() > START {
                panic!(
                    "{} printed no {what} in {START:?}; it printed:\n{}",
                    self.name,
                    self.output.text()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Sends `signal` (a name such as `INT`) to the process group.
    fn signal(&self, signal: &str) {
        let _ = Command::new("sh")
            .args(["-c", "kill -s \"$1\" -- \"-$2\" 2>/dev/null", "sh"])
            .arg(signal)
            .arg(self.child.id().to_string())
            .status();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // The group also holds the browser processes chromedriver started.
        self.signal("KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `factsheet serve --port 0` on a site.
pub struct Serve {
    process: Process,
    /// `http://127.0.0.1:PORT/`, as printed.
    base: String,
}

impl Serve {
    pub async fn start(root: &Path) -> Serve {
        let mut command = Command::new(env!("CARGO_BIN_EXE_factsheet"));
        command
            .args(["serve", "--root"])
            .arg(root)
            .args(["--port", "0"])
            .env("NO_COLOR", "1")
            .current_dir(root);
        let mut process = Process::spawn("factsheet serve", &mut command);
        let base = process.wait_for_line("its URL", first_url).await;
        Serve { process, base }
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    /// What the server printed so far.
    pub fn output(&self) -> String {
        self.process.output.text()
    }

    /// Sends SIGINT (Ctrl-C) and waits for the server to exit.
    pub async fn interrupt(&mut self) -> ExitStatus {
        self.process.signal("INT");
        let start = Instant::now();
        loop {
            if let Some(status) = self.process.child.try_wait().unwrap() {
                return status;
            }
            if start.elapsed() > TIMEOUT {
                panic!(
                    "factsheet serve still runs {TIMEOUT:?} after SIGINT; it printed:\n{}",
                    self.output()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// The first `http://…/` in `line`.
fn first_url(line: &str) -> Option<String> {
    let start = line.find("http://")?;
    let rest = &line[start + "http://".len()..];
    let end = rest.find('/')?;
    Some(line[start..start + "http://".len() + end + 1].to_string())
}

/// A headless chromium session through its own chromedriver.
pub struct Browser {
    pub client: Client,
    // Dropped after the client: the driver (and the browser with it), then the profile.
    _driver: Process,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start(tools: &Tools) -> Browser {
        let profile = tempfile::tempdir().expect("a temporary browser profile");
        let mut driver = Process::spawn(
            "chromedriver",
            Command::new(&tools.chromedriver).arg("--port=0"),
        );
        let port: u16 = driver
            .wait_for_line("its port", |line| {
                line.split_once("started successfully on port ")?
                    .1
                    .trim_end_matches(|c: char| !c.is_ascii_digit())
                    .parse()
                    .ok()
            })
            .await;
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": tools.chromium, "args": args},
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        let webdriver = format!("http://127.0.0.1:{port}");
        let session = builder.connect(&webdriver);
        let client = match tokio::time::timeout(START, session).await {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => panic!(
                "no WebDriver session: {e}\nchromedriver printed:\n{}",
                driver.output.text()
            ),
            Err(_) => panic!(
                "no WebDriver session in {START:?}\nchromedriver printed:\n{}",
                driver.output.text()
            ),
        };
        Browser {
            client,
            _driver: driver,
            _profile: profile,
        }
    }
}

/// A site served by `factsheet serve` and a browser looking at it.
pub struct Live {
    pub serve: Serve,
    pub browser: Browser,
}

impl Live {
    /// Serves `root` and starts a browser, or `None` when the browser tests are skipped.
    pub async fn start(test: &str, root: &Path) -> Option<Live> {
        let tools = Tools::find(test)?;
        let serve = Serve::start(root).await;
        let browser = Browser::start(&tools).await;
        Some(Live { serve, browser })
    }

    pub fn client(&self) -> &Client {
        &self.browser.client
    }

    /// Opens `path` of the served site in the current tab and waits for it to load.
    pub async fn open(&self, path: &str) {
        let url = self.serve.url(path);
        if let Err(e) = self.client().goto(&url).await {
            self.fail(&format!("opening {url}: {e}"));
        }
    }

    /// Opens `path` in a new tab, which becomes the current one; returns its handle.
    pub async fn open_tab(&self, path: &str) -> WindowHandle {
        let tab = self
            .client()
            .new_window(true)
            .await
            .expect("a new tab")
            .handle;
        self.switch_to(&tab).await;
        self.open(path).await;
        tab
    }

    /// The current tab's handle.
    pub async fn tab(&self) -> WindowHandle {
        self.client().window().await.expect("the current tab")
    }

    pub async fn switch_to(&self, tab: &WindowHandle) {
        self.client()
            .switch_to_window(tab.clone())
            .await
            .expect("switching tabs");
    }

    /// The value of a JavaScript expression in the current page.
    pub async fn eval(&self, expression: &str) -> Value {
        match try_eval(self.client(), expression).await {
            Ok(value) => value,
            Err(e) => self.fail(&format!("evaluating `{expression}`: {e}")),
        }
    }

    /// Polls `expression` until `ready` accepts its value, which it returns (see [`poll`]).
    pub async fn wait_until(
        &self,
        what: &str,
        expression: &str,
        ready: impl Fn(&Value) -> bool,
    ) -> Value {
        match poll(self.client(), expression, ready).await {
            Ok(value) => value,
            Err(last) => self.fail(&format!("waited {TIMEOUT:?} for {what}; last, {last}")),
        }
    }

    /// Waits until the text shown by the first element matching `selector` contains
    /// `needle`, and returns that text.
    pub async fn wait_for_text(&self, what: &str, selector: &str, needle: &str) -> String {
        let value = self
            .wait_until(what, &shown_text(selector), |v| {
                v.as_str().is_some_and(|t| t.contains(needle))
            })
            .await;
        value.as_str().unwrap().to_string()
    }

    /// Waits for `#factsheet-overlay` and returns its text as shown.
    pub async fn wait_for_overlay(&self, what: &str) -> String {
        let value = self
            .wait_until(what, &shown_text(OVERLAY), |v| v.is_string())
            .await;
        value.as_str().unwrap().to_string()
    }

    /// Waits until `#factsheet-overlay` is no longer in the DOM.
    pub async fn wait_for_no_overlay(&self, what: &str) {
        self.wait_until(
            what,
            &format!("document.querySelector('{OVERLAY}') === null"),
            |v| v == &Value::Bool(true),
        )
        .await;
    }

    /// Marks the current page so that [`Live::reloaded`] can tell whether it was reloaded.
    pub async fn mark(&self) {
        self.eval("(window.__factsheetTestMark = 'kept')").await;
    }

    /// Whether the current page was reloaded (or left) since [`Live::mark`].
    pub async fn reloaded(&self) -> bool {
        self.eval("window.__factsheetTestMark !== 'kept'").await == Value::Bool(true)
    }

    /// Saves a screenshot of the current tab as `NAME.png` in the directory named by
    /// `FACTSHEET_SCREENSHOTS`, if that is set (to look at what a test saw).
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = env::var_os("FACTSHEET_SCREENSHOTS") else {
            return;
        };
        let png = self.client().screenshot().await.expect("a screenshot");
        let path = Path::new(&dir).join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        eprintln!("screenshot: {}", path.display());
    }

    /// Fails the test with `message` and what the server printed.
    pub fn fail(&self, message: &str) -> ! {
        panic!(
            "{message}\n--- factsheet serve printed:\n{}",
            self.serve.output()
        )
    }
}

pub const OVERLAY: &str = "#factsheet-overlay";

/// The value of a JavaScript expression in the current page of `client`.
pub async fn try_eval(
    client: &Client,
    expression: &str,
) -> Result<Value, fantoccini::error::CmdError> {
    client
        .execute(&format!("return ({expression});"), vec![])
        .await
}

/// The value of a JavaScript expression, failing the test when it cannot be evaluated.
pub async fn eval(client: &Client, expression: &str) -> Value {
    try_eval(client, expression)
        .await
        .unwrap_or_else(|e| panic!("evaluating `{expression}`: {e}"))
}

/// Polls `expression` until `ready` accepts its value, which it returns; after
/// [`TIMEOUT`], the last value (or error) seen. The page may reload meanwhile: a failed
/// evaluation counts as "not yet".
pub async fn poll(
    client: &Client,
    expression: &str,
    ready: impl Fn(&Value) -> bool,
) -> Result<Value, String> {
    let start = Instant::now();
    loop {
        let last = match try_eval(client, expression).await {
            Ok(value) if ready(&value) => return Ok(value),
            Ok(value) => format!("`{expression}` = {value}"),
            Err(e) => format!("`{expression}` failed: {e}"),
        };
        if start.elapsed() > TIMEOUT {
            return Err(last);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// [`poll`], failing the test with `what` it waited for.
pub async fn wait_until(
    client: &Client,
    what: &str,
    expression: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    poll(client, expression, ready)
        .await
        .unwrap_or_else(|last| panic!("waited {TIMEOUT:?} for {what}; last, {last}"))
}

/// A JavaScript expression: the text the first element matching `selector` shows (its
/// `innerText`), or `null` when there is none.
pub fn shown_text(selector: &str) -> String {
    format!(
        "(document.querySelector({}) || {{}}).innerText ?? null",
        Value::String(selector.to_string())
    )
}

#[test]
fn the_url_is_the_first_http_address_up_to_its_first_slash() {
    assert_eq!(
        first_url("Serving at http://127.0.0.1:4321/ (Ctrl-C to stop)").as_deref(),
        Some("http://127.0.0.1:4321/")
    );
    assert_eq!(
        first_url("see http://127.0.0.1:80/index.html").as_deref(),
        Some("http://127.0.0.1:80/")
    );
    assert_eq!(first_url("no address yet"), None);
}

/// A Chrome DevTools Protocol command sent through chromedriver's `goog/cdp/execute`
/// endpoint, for what WebDriver itself cannot do (emulating a colour scheme or print media,
/// a phone's screen).
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Runs the DevTools command `cmd` (such as `Emulation.setEmulatedMedia`) in the current
/// tab and returns its result.
pub async fn cdp(client: &Client, cmd: &str, params: Value) -> Value {
    let command = Cdp {
        cmd: cmd.to_string(),
        params,
    };
    client
        .issue_cmd(command)
        .await
        .unwrap_or_else(|e| panic!("the DevTools command {cmd}: {e}"))
}

/// A plain static host for a built site, as publishers upload it: `GET` answers with the
/// file at the path (a directory's `index.html`), and any other path with the site's
/// `404.html` and status 404, as GitHub Pages and most web servers are set up. It serves the
/// bytes `build` wrote, without `factsheet serve`'s script. Loopback only; one connection
/// at a time, which is enough for one browser.
pub struct StaticHost {
    base: String,
    address: std::net::SocketAddr,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl StaticHost {
    pub fn start(dir: &Path) -> StaticHost {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port to serve on");
        let address = listener.local_addr().unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (dir, stopped) = (dir.to_path_buf(), stop.clone());
        let thread = thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    // A browser that gives up on a request is no failure of the site.
                    let _ = answer(&dir, stream);
                }
            }
        });
        StaticHost {
            base: format!("http://{address}/"),
            address,
            stop,
            thread: Some(thread),
        }
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }
}

impl Drop for StaticHost {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wakes the loop waiting for a connection, which then sees `stop`.
        let _ = std::net::TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers one HTTP/1.1 request, then closes the connection.
fn answer(dir: &Path, mut stream: std::net::TcpStream) -> std::io::Result<()> {
    use std::io::Write;
    stream.set_read_timeout(Some(TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        // The headers, up to the empty line (or the end).
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let (status, file) = match site_file(dir, &path) {
        Some(file) => ("200 OK", file),
        None => ("404 Not Found", dir.join("404.html")),
    };
    let body = std::fs::read(&file).unwrap_or_default();
    let kind = mime_guess::from_path(&file).first_or_octet_stream();
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)
}

/// The file of the site at the URL path `path`, if there is one.
fn site_file(dir: &Path, path: &str) -> Option<PathBuf> {
    let mut file = dir.to_path_buf();
    for part in path.split('/').filter(|part| !part.is_empty()) {
        if part == ".." || part.contains('\\') {
            return None;
        }
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

/// Saves `png` as `NAME.png` in the directory named by `FACTSHEET_SCREENSHOTS`, if that is
/// set.
pub fn save_screenshot(name: &str, png: &[u8]) {
    let Some(dir) = env::var_os("FACTSHEET_SCREENSHOTS") else {
        return;
    };
    let path = Path::new(&dir).join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    eprintln!("screenshot: {}", path.display());
}
