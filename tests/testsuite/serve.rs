//! `factsheet serve` over real HTTP: what it serves, what it refuses, how it follows
//! saves (through its event stream, as a page would), and how it stops.
//!
//! Requests are written by hand on a TCP socket (see `http`): HTTP clients tidy paths
//! (`..`, `\`) before sending them, and those untidy paths are what these tests are about.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;

use crate::http::{self, Events, Response};
use crate::support::{Site, bundled_copy};

/// How long a test waits for the server to react (generous: CI machines are slow and
/// tests run in parallel; nothing here measures speed).
const PATIENCE: Duration = Duration::from_secs(30);

/// A running `factsheet serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(site: &Site) -> Server {
        Server::start_with(site, &["--port", "0"])
    }

    fn start_with(site: &Site, args: &[&str]) -> Server {
        let mut child = Command::cargo_bin("factsheet")
            .unwrap()
            .arg("serve")
            .arg("--root")
            .arg(site.path())
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting factsheet serve");
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        let mut server = Server {
            child,
            port: 0,
            stdout,
            stderr,
        };
        server.port = server.wait_for("the URL", |out| {
            let start = out.find("http://127.0.0.1:")? + "http://127.0.0.1:".len();
            let digits: String = out[start..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        });
        server
    }

    /// Waits until `found` finds what it looks for in the output so far (stdout, then
    /// stderr: they are read on two threads, so either may be ahead of the other).
    fn wait_for<T>(&mut self, what: &str, found: impl Fn(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(value) = found(&self.output()) {
                return value;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("serve exited ({status}) before {what}:\n{}", self.output());
            }
            assert!(
                Instant::now() < deadline,
                "no {what} in:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn output(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            self.stdout.lock().unwrap(),
            self.stderr.lock().unwrap()
        )
    }

    fn raw(&self, request: &str) -> Response {
        http::raw(self.port, request, PATIENCE)
    }

    fn request(&self, method: &str, target: &str) -> Response {
        http::request(self.port, method, target, PATIENCE)
    }

    fn get(&self, target: &str) -> Response {
        self.request("GET", target)
    }

    /// The page at `target` once it contains `needle`.
    fn wait_for_page(&self, target: &str, needle: &str) -> Response {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let response = self.get(target);
            if response.body.contains(needle) {
                return response;
            }
            assert!(
                Instant::now() < deadline,
                "{target} never showed `{needle}`:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn events(&self) -> Events {
        Events::connect(self.port)
    }

    /// Sends SIGINT, as Ctrl-C does, and waits for the exit.
    fn interrupt(mut self) -> (std::process::ExitStatus, String) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The reader threads finish with the pipes.
                std::thread::sleep(Duration::from_millis(50));
                return (status, self.output());
            }
            assert!(Instant::now() < deadline, "serve did not stop on Ctrl-C");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(stream: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let mut sink = sink.lock().unwrap();
            sink.push_str(&line);
            sink.push('\n');
        }
    });
    text
}

const LETTER: &str = "content/topics/letter.yaml";
const LETTER_PAGE: &str = "/topics/letter/";
const STATEMENT: &str = "letter to Putin dates from August 2025";

#[test]
fn serves_pages_with_their_types_and_directories_with_their_index() {
    let site = bundled_copy();
    let server = Server::start(&site);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.body.contains("<script src=\"/__factsheet/live.js\""));
    assert_eq!(home.header("cache-control"), Some("no-store"));
    let topic = server.get(LETTER_PAGE);
    assert_eq!(topic.status, 200);
    assert!(topic.body.contains(STATEMENT));
    assert_eq!(server.get("/topics/letter/index.html").body, topic.body);
    let redirect = server.get("/topics/letter");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/topics/letter/"));
    let css = server.get("/style.css");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(!css.body.contains("__factsheet"));
    let data = server.get("/claims.json");
    assert_eq!(
        data.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    serde_json::from_str::<serde_json::Value>(&data.body).expect("claims.json as served");
    let script = server.get("/__factsheet/live.js");
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.body.contains("EventSource"));
    let head = server.request("HEAD", "/");
    assert_eq!((head.status, head.body.as_str()), (200, ""));
    assert_eq!(server.request("POST", "/").status, 405);
}

#[test]
fn a_missing_page_gets_a_helpful_404() {
    let site = bundled_copy();
    let server = Server::start(&site);
    let missing = server.get("/topics/leter/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<code>/topics/leter/</code>"));
    assert!(
        missing.body.contains("href=\"/topics/letter/\""),
        "{}",
        missing.body
    );
    assert!(
        missing.body.contains("href=\"/404.html\""),
        "links the site's 404 page"
    );
    let hostile = server.get("/%3Cscript%3Ealert(1)%3C/script%3E");
    assert_eq!(hostile.status, 404);
    assert!(!hostile.body.contains("<script>alert"));
    assert!(hostile.body.contains("&lt;script&gt;alert(1)"));
}

#[test]
fn nothing_outside_the_built_site_can_be_read() {
    let outside = tempfile::tempdir().unwrap();
    let secret = "TOP-SECRET-7f3a";
    std::fs::write(outside.path().join("secret.txt"), secret).unwrap();
    let site = bundled_copy()
        .file("secret.txt", secret)
        .file("static/ok.txt", "fine");
    // Links inside the site's static files that lead out of it.
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        site.path().join("static/leak.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), site.path().join("static/out")).unwrap();
    let server = Server::start(&site);
    assert_eq!(server.get("/ok.txt").body, "fine");
    let depth = "../".repeat(12);
    let outside_path = outside.path().join("secret.txt");
    let absolute = outside_path.to_str().unwrap();
    for target in [
        "/leak.txt".to_string(),
        "/out/secret.txt".to_string(),
        "/../secret.txt".to_string(),
        format!("/{depth}etc/passwd"),
        format!("/{depth}{}", absolute.trim_start_matches('/')),
        "/%2e%2e/secret.txt".to_string(),
        "/%2E%2E/%2e%2e/%2e%2e/etc/passwd".to_string(),
        "/..%2fsecret.txt".to_string(),
        "/..%2f..%2f..%2fetc%2fpasswd".to_string(),
        "/topics/%2e%2e/%2e%2e/secret.txt".to_string(),
        "/..%5csecret.txt".to_string(),
        "/..\\secret.txt".to_string(),
        "/topics\\..\\..\\secret.txt".to_string(),
        format!("/{absolute}"),
        format!("//{}", absolute.trim_start_matches('/')),
        "/secret.txt".to_string(),
        "/content/site.yaml".to_string(),
        "/static/ok.txt".to_string(),
        "/ok.txt%00.html".to_string(),
        "/C:/Windows/win.ini".to_string(),
    ] {
        let response = server.get(&target);
        assert_eq!(response.status, 404, "{target}");
        assert!(
            !response.body.contains(secret),
            "{target} leaked the secret"
        );
        assert!(
            !response.body.contains("root:"),
            "{target} leaked /etc/passwd"
        );
    }
    // The absolute form of a request target is a path too.
    let absolute_form = server.raw(&format!(
        "GET http://127.0.0.1/{depth}secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    ));
    assert!(!absolute_form.body.contains(secret));
    assert_ne!(absolute_form.status, 200);
}

#[test]
fn build_output_never_carries_the_live_script() {
    let site = bundled_copy();
    site.run(&["build"]).assert_code(0);
    for page in ["public/index.html", "public/topics/letter/index.html"] {
        assert!(!site.read(page).contains("__factsheet"), "{page}");
    }
}

#[test]
fn saves_reload_pages_and_broken_saves_show_where_until_fixed() {
    let site = bundled_copy();
    let mut server = Server::start(&site);
    let events = server.events();
    let hello = events.next("hello");
    assert!(hello["problems"].is_null());

    site.edit(
        LETTER,
        STATEMENT,
        "the letter is dated August 2025 (edited)",
    );
    let reload = events.next("reload");
    assert_ne!(reload["version"], hello["version"]);
    let changed: Vec<&str> = reload["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(changed.contains(&"topics/letter/index.html"), "{changed:?}");
    assert!(
        !changed.contains(&"topics/open-channel/index.html"),
        "{changed:?}"
    );
    server.wait_for_page(LETTER_PAGE, "the letter is dated August 2025 (edited)");

    let broken_at = site.location(LETTER, "claims:");
    site.edit(LETTER, "claims:", "claims: [");
    let problems = events.next("problems");
    let first = &problems["diagnostics"][0];
    assert_eq!(problems["errors"], 1);
    assert_eq!(first["code"], "yaml-syntax");
    assert_eq!(first["file"], LETTER);
    assert!(first["location"].as_str().unwrap().starts_with(LETTER));
    assert!(broken_at.starts_with(LETTER));
    // The last good pages stay; a page that connects now learns of the problem at once.
    assert!(server.get(LETTER_PAGE).body.contains("(edited)"));
    let late = server.events().next("hello");
    assert_eq!(late["problems"]["diagnostics"][0]["code"], "yaml-syntax");
    assert_eq!(late["version"], reload["version"]);
    server.wait_for("the problems in the terminal", |out| {
        (out.contains("1 error") && out.contains("error[yaml-syntax]")).then_some(())
    });

    site.edit(LETTER, "claims: [", "claims:");
    let fixed = events.next("reload");
    assert!(fixed["changed"].as_array().unwrap().is_empty(), "{fixed}");
    assert!(server.events().next("hello")["problems"].is_null());

    site.edit(
        LETTER,
        "quote: \"Later, Fox News published a photo of the letter.\"",
        "quote: \"Later, Fox News printed a photo of the letter.\"",
    );
    let problems = events.next("problems");
    assert_eq!(problems["diagnostics"][0]["code"], "quote-not-found");
    assert!(problems["diagnostics"][0]["suggestion"].is_string());
}

#[test]
fn requests_for_another_host_name_are_refused() {
    let site = bundled_copy();
    let server = Server::start(&site);
    let ask = |host: &str| {
        server.raw(&format!(
            "GET {LETTER_PAGE} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        ))
    };
    // A page of another site, its name rebound to 127.0.0.1, asks under its own name.
    let rebound = ask(&format!("evil.example:{}", server.port));
    assert_eq!(rebound.status, 403);
    assert!(!rebound.body.contains("Putin"), "{}", rebound.body);
    for host in [
        format!("localhost:{}", server.port),
        format!("[::1]:{}", server.port),
    ] {
        assert_eq!(ask(&host).status, 200, "{host}");
    }
}

#[test]
fn serving_writes_nothing_in_the_sites_own_files() {
    let site = crate::integrity::site_with_own_files();
    let before = crate::integrity::own_files(&site);
    let server = Server::start(&site);
    server.events().next("hello");
    for page in ["/", LETTER_PAGE, "/extra.css", "/claims.json"] {
        assert_eq!(server.get(page).status, 200, "{page}");
    }
    drop(server);
    assert_eq!(crate::integrity::own_files(&site), before);
    assert!(!site.exists("public"), "serve keeps the site in memory");
}

#[test]
fn fifty_saves_in_five_seconds_end_with_the_last_one() {
    let site = bundled_copy();
    let server = Server::start(&site);
    let original = site.read(LETTER);
    let version =
        |i: usize| original.replace(STATEMENT, &format!("saved version {i:02} of the letter"));
    let broken = |i: usize| version(i).replace("claims:", "claims: [");
    for i in 0..50 {
        // Broken and fixed saves alternate, ending with a good one.
        let text = if i % 2 == 0 { broken(i) } else { version(i) };
        std::fs::write(site.path().join(LETTER), text).unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    server.wait_for_page(LETTER_PAGE, "saved version 49 of the letter");
    wait_for_problems(&server, |problems| problems.is_null());
    // And when the last save is a broken one, its problem is what pages learn.
    std::fs::write(site.path().join(LETTER), broken(50)).unwrap();
    wait_for_problems(&server, |problems| {
        problems["diagnostics"][0]["code"] == "yaml-syntax"
    });
    assert!(
        server
            .get(LETTER_PAGE)
            .body
            .contains("saved version 49 of the letter")
    );
}

/// Waits until a page connecting now is told of problems that satisfy `expected`.
fn wait_for_problems(server: &Server, expected: impl Fn(&serde_json::Value) -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !expected(&server.events().next("hello")["problems"]) {
        assert!(
            Instant::now() < deadline,
            "problems never as expected:\n{}",
            server.output()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_site_that_does_not_build_yet_is_served_when_fixed() {
    let site = Site::new().topic("title: Main\nclaims: [\n");
    let server = Server::start(&site);
    let waiting = server.get("/");
    assert_eq!(waiting.status, 503);
    assert!(
        waiting.body.contains("content/topics/main.yaml:"),
        "{}",
        waiting.body
    );
    let events = server.events();
    assert_eq!(events.next("hello")["problems"]["errors"], 1);
    let _site = site.topic(
        "title: Main\nclaims:\n  - id: eight\n    statement: Eight children were reunited.\n    citations:\n      - source: article\n        quote: \"eight children were reunited\"\n",
    );
    events.next("reload");
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn ctrl_c_stops_cleanly_and_leaves_the_site_as_it_was() {
    let site = bundled_copy();
    let before = site.tree();
    let server = Server::start(&site);
    assert_eq!(server.get("/").status, 200);
    let _events = server.events();
    let (status, output) = server.interrupt();
    assert!(status.success(), "{status}\n{output}");
    assert!(output.contains("Stopped."), "{output}");
    assert_eq!(site.tree(), before);
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let site = bundled_copy();
    let run = site.run(&[
        "serve",
        "--root",
        site.path().to_str().unwrap(),
        "--port",
        &port,
    ]);
    run.assert_code(2);
    assert!(run.stderr.contains("address-in-use"), "{}", run.stderr);
    assert!(run.stderr.contains(&port), "{}", run.stderr);
    assert!(run.stderr.contains("--port 0"), "{}", run.stderr);
}

#[test]
fn serve_refuses_a_root_that_is_not_a_directory() {
    let site = Site::empty();
    let run = site.run(&["serve", "--root", "no-such-dir"]);
    run.assert_code(2);
    assert!(run.stderr.contains("no-such-dir"), "{}", run.stderr);
}

#[test]
fn without_a_port_a_busy_default_port_moves_to_the_next_and_says_so() {
    // Hold the default port (unless another program already does: the outcome is the same).
    let _held = TcpListener::bind("127.0.0.1:1111");
    let site = bundled_copy();
    let server = Server::start_with(&site, &[]);
    assert_ne!(server.port, 1111);
    assert!((1112..1121).contains(&server.port), "port {}", server.port);
    let moved = format!("using port {}", server.port);
    let deadline = Instant::now() + PATIENCE;
    while !server.stderr.lock().unwrap().contains(&moved) {
        assert!(
            Instant::now() < deadline,
            "no notice of the port:\n{}",
            server.output()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(server.get("/").status, 200);
}
