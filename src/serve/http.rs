//! The preview server's HTTP side (axum): the site's files from memory, the live-reload
//! script and its event stream, and helpful error pages.
//!
//! Requests never touch the file system: a path is decoded, checked segment by segment
//! and looked up among the files of the last good build. A path that could leave the
//! site (`..`, an encoded `/` or `\`, a NUL) names no file of it and gets a 404.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use percent_encoding::percent_decode_str;
use tokio::sync::{broadcast, watch};

use super::live::{
    self, ANY_PATH, EVENTS_PATH, LIVE_JS, LiveEvent, Problems, SCRIPT_PATH, escape_attribute,
};
use super::rebuild::SiteFiles;

/// What the server shows now: the last good build and the current problems.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Names the last good build; pages compare it with the one they were served with.
    pub version: String,
    pub files: Arc<SiteFiles>,
    pub problems: Option<Arc<Problems>>,
    /// False until a build succeeded.
    pub built: bool,
}

/// Shared between the request handlers and the rebuild loop.
pub struct ServeState {
    pub current: RwLock<Arc<Snapshot>>,
    pub events: broadcast::Sender<LiveEvent>,
    /// Turns true on Ctrl-C: event streams end so the server can stop.
    pub shutdown: watch::Receiver<bool>,
}

impl ServeState {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn publish(&self, snapshot: Snapshot, event: LiveEvent) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(snapshot);
        // No page open is not an error.
        let _ = self.events.send(event);
    }
}

/// The server's routes. On a loopback address every request must name a loopback host.
pub fn router(state: Arc<ServeState>, loopback_only: bool) -> Router {
    let router = Router::new()
        .route(SCRIPT_PATH, get(script))
        .route(EVENTS_PATH, get(events))
        .fallback(site_file)
        .with_state(state);
    if loopback_only {
        router.layer(middleware::from_fn(refuse_other_hosts))
    } else {
        router
    }
}

/// Refuses a request whose `Host` is not this machine. A page of another site can make a
/// browser send requests to 127.0.0.1 under its own name ("DNS rebinding") and read the
/// answers as its own; such requests carry that name as their `Host`.
async fn refuse_other_hosts(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|host| host.to_str().unwrap_or("\u{fffd}"));
    if host.is_none_or(is_loopback_host) {
        return next.run(request).await;
    }
    let mut response = (
        StatusCode::FORBIDDEN,
        "This preview answers only requests for localhost, 127.0.0.1 or [::1].\n",
    )
        .into_response();
    set_headers(&mut response, "text/plain; charset=utf-8");
    response
}

/// Whether a `Host` header names this machine: `localhost` (or a name below it), or a
/// loopback address, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    name.parse::<std::net::IpAddr>()
        .is_ok_and(|address| address.is_loopback())
}

async fn script() -> Response {
    let mut response = Body::from(LIVE_JS).into_response();
    set_headers(&mut response, "text/javascript; charset=utf-8");
    response
}

async fn events(
    State(state): State<Arc<ServeState>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before reading the state, so no event falls between the two.
    let receiver = state.events.subscribe();
    let snapshot = state.snapshot();
    let hello = Event::default()
        .event("hello")
        .data(live::hello(&snapshot.version, snapshot.problems.as_deref()));
    let shutdown = state.shutdown.clone();
    let updates = stream::unfold(
        (receiver, shutdown, state),
        |(mut receiver, mut shutdown, state)| async move {
            let event = tokio::select! {
                received = receiver.recv() => match received {
                    Ok(event) => {
                        let (name, data) = event.encode();
                        Event::default().event(name).data(data)
                    }
                    // Too far behind: start again from the current state.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let snapshot = state.snapshot();
                        Event::default().event("hello").data(live::hello(
                            &snapshot.version,
                            snapshot.problems.as_deref(),
                        ))
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = shutdown.wait_for(|stop| *stop) => return None,
            };
            Some((Ok(event), (receiver, shutdown, state)))
        },
    );
    let first = stream::once(async move { Ok(hello) });
    Sse::new(futures_util::StreamExt::chain(first, updates))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Where a request path leads in the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the site, by its output path.
    File(String),
    /// A directory asked for without its trailing `/`: relative links need it.
    Redirect(String),
    NotFound,
}

/// Resolves the raw (percent-encoded) path of a request among the site's files.
pub fn resolve(raw_path: &str, files: &SiteFiles) -> Resolved {
    let Some(key) = decode_path(raw_path) else {
        return Resolved::NotFound;
    };
    let index = |dir: &str| format!("{dir}index.html");
    if key.is_empty() || key.ends_with('/') {
        let wanted = index(&key);
        return if files.contains_key(&wanted) {
            Resolved::File(wanted)
        } else {
            Resolved::NotFound
        };
    }
    if files.contains_key(&key) {
        return Resolved::File(key);
    }
    if files.contains_key(&index(&format!("{key}/"))) {
        return Resolved::Redirect(format!("/{key}/"));
    }
    Resolved::NotFound
}

/// The path below the site root that a request names (`topics/letter/` for
/// `/topics/letter/`), or `None` when it cannot name a file of the site: not absolute,
/// not UTF-8 once decoded, or with a segment that is empty, `.` or `..`, or that holds a
/// `\`, a NUL or a `:` (a Windows drive or stream).
pub fn decode_path(raw_path: &str) -> Option<String> {
    let rest = raw_path.strip_prefix('/')?;
    let decoded = percent_decode_str(rest).decode_utf8().ok()?;
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        let empty_inside = segment.is_empty() && i != last;
        let unsafe_segment = matches!(*segment, "." | "..")
            || segment.contains(['\\', '\0', ':'])
            || segment.chars().any(char::is_control);
        if empty_inside || unsafe_segment {
            return None;
        }
    }
    Some(decoded.into_owned())
}

async fn site_file(State(state): State<Arc<ServeState>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = (StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n").into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let snapshot = state.snapshot();
    if !snapshot.built {
        return not_built(&snapshot, &method);
    }
    let mut response = match resolve(uri.path(), &snapshot.files) {
        Resolved::File(path) => file_response(&snapshot, &path),
        Resolved::Redirect(location) => redirect(&location),
        Resolved::NotFound => not_found(&snapshot, uri.path()),
    };
    if method == Method::HEAD {
        *response.body_mut() = Body::empty();
    }
    response
}

fn file_response(snapshot: &Snapshot, path: &str) -> Response {
    let bytes = &snapshot.files[path];
    let content_type = content_type(path);
    let body = if content_type.starts_with("text/html") {
        Bytes::from(live::inject_script(bytes, &snapshot.version, path))
    } else {
        bytes.clone()
    };
    let mut response = Body::from(body).into_response();
    set_headers(&mut response, &content_type);
    response
}

/// The `Content-Type` of an output path, from its extension; text types in UTF-8.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            mime.subtype().as_str(),
            "javascript" | "json" | "xml" | "svg"
        );
    if text && mime.get_param("charset").is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

fn set_headers(response: &mut Response, content_type: &str) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    // A preview: always the newest build, never a cached one.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A page that names what was asked for and the closest pages of the site. Every build
/// has a `404.html` (the built-in template's or the site's own), but its links start from
/// `base_url`, the published address: the preview helps the editor instead, and links to it.
fn not_found(snapshot: &Snapshot, raw_path: &str) -> Response {
    let asked = percent_decode_str(raw_path).decode_utf8_lossy();
    let suggestions = closest_pages(&asked, &snapshot.files);
    let mut body = format!(
        "<h1>Not found</h1>\n<p>This preview has no page at <code>{}</code>.</p>\n",
        escape_attribute(&asked)
    );
    if !suggestions.is_empty() {
        body.push_str("<p>Did you mean:</p>\n<ul>\n");
        for page in suggestions {
            let url = format!("/{}", page.trim_end_matches("index.html"));
            body.push_str(&format!(
                "<li><a href=\"{0}\">{0}</a></li>\n",
                escape_attribute(&url)
            ));
        }
        body.push_str("</ul>\n");
    }
    body.push_str("<p><a href=\"/\">Go to the home page</a></p>\n");
    if snapshot.files.contains_key("404.html") {
        body.push_str(
            "<p>Published, the site answers here with <a href=\"/404.html\">its 404 page</a>.</p>\n",
        );
    }
    let html = page("Not found", &body, &snapshot.version);
    let mut response = (StatusCode::NOT_FOUND, html).into_response();
    set_headers(&mut response, "text/html; charset=utf-8");
    response
}

/// Up to three HTML pages whose paths are closest to `asked`.
fn closest_pages<'a>(asked: &str, files: &'a SiteFiles) -> Vec<&'a str> {
    let asked = asked.trim_matches('/');
    let mut scored: Vec<(f64, &str)> = files
        .keys()
        .filter(|path| path.ends_with(".html") && *path != "404.html")
        .map(|path| {
            let shown = path.trim_end_matches("index.html").trim_end_matches('/');
            (strsim::normalized_levenshtein(asked, shown), path.as_str())
        })
        .filter(|(score, _)| *score >= 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, path)| path).collect()
}

/// Before any good build there is no site to show: every path gets this page, which
/// lists the problems and reloads once they are fixed.
fn not_built(snapshot: &Snapshot, method: &Method) -> Response {
    let mut body = String::from(
        "<h1>The site has not built yet</h1>\n<p>Fix the problems below and save: this page reloads by itself.</p>\n",
    );
    if let Some(problems) = &snapshot.problems {
        body.push_str("<ol>\n");
        for problem in &problems.diagnostics {
            body.push_str(&format!(
                "<li><code>{}</code> {}[{}]: {}</li>\n",
                escape_attribute(problem.location.as_deref().unwrap_or("")),
                escape_attribute(problem.text("severity").unwrap_or("error")),
                escape_attribute(problem.text("code").unwrap_or("")),
                escape_attribute(problem.text("message").unwrap_or(""))
            ));
        }
        body.push_str("</ol>\n");
    }
    let html = page("Not built yet", &body, &snapshot.version);
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, html).into_response();
    set_headers(&mut response, "text/html; charset=utf-8");
    if method == Method::HEAD {
        *response.body_mut() = Body::empty();
    }
    response
}

/// A small standalone page of the server's own (not of the site), with the live script.
fn page(title: &str, body: &str, version: &str) -> Vec<u8> {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title} — factsheet serve</title>\n<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}}code{{font-family:ui-monospace,monospace}}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    );
    live::inject_script(html.as_bytes(), version, ANY_PATH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteFiles {
        [
            "index.html",
            "style.css",
            "claims.json",
            "topics/letter/index.html",
            "sources/000_abc/index.html",
        ]
        .into_iter()
        .map(|path| (path.to_string(), Bytes::from_static(b"x")))
        .collect()
    }

    fn file(path: &str) -> Resolved {
        Resolved::File(path.to_string())
    }

    #[test]
    fn files_and_directories_resolve() {
        let files = site();
        assert_eq!(resolve("/", &files), file("index.html"));
        assert_eq!(resolve("/index.html", &files), file("index.html"));
        assert_eq!(
            resolve("/topics/letter/", &files),
            file("topics/letter/index.html")
        );
        assert_eq!(
            resolve("/topics/letter", &files),
            Resolved::Redirect("/topics/letter/".into())
        );
        assert_eq!(resolve("/style.css", &files), file("style.css"));
        assert_eq!(resolve("/%73tyle.css", &files), file("style.css"));
        assert_eq!(resolve("/topics/", &files), Resolved::NotFound);
        assert_eq!(resolve("/nope.html", &files), Resolved::NotFound);
    }

    #[test]
    fn paths_that_could_leave_the_site_name_nothing() {
        let files = site();
        for path in [
            "/..",
            "/../index.html",
            "/topics/../index.html",
            "/./index.html",
            "/%2e%2e/index.html",
            "/%2E%2E/%2e%2E/etc/passwd",
            "/..%2findex.html",
            "/topics%2f..%2f..%2fetc%2fpasswd",
            "/..%5cindex.html",
            "/topics\\..\\index.html",
            "//etc/passwd",
            "//index.html",
            "/topics//letter/index.html",
            "/index.html%00",
            "/C:/Windows/win.ini",
            "/c%3a%5cwindows",
            "/%ff%fe",
            "index.html",
            "",
        ] {
            assert_eq!(resolve(path, &files), Resolved::NotFound, "{path}");
        }
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("claims.json"),
            "application/json; charset=utf-8"
        );
        assert_eq!(content_type("a/b.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("logo.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("photo.png"), "image/png");
        assert_eq!(content_type("data.bin"), "application/octet-stream");
    }

    #[test]
    fn only_hosts_naming_this_machine_are_loopback() {
        for host in [
            "localhost",
            "localhost:1111",
            "LocalHost.:1111",
            "site.localhost:8080",
            "127.0.0.1",
            "127.0.0.1:1111",
            "127.1.2.3:80",
            "[::1]",
            "[::1]:1111",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "10.0.0.1:1111",
            "[::2]:1111",
            "",
            "\u{fffd}",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn the_closest_pages_are_suggested() {
        let files = site();
        assert_eq!(
            closest_pages("/topics/leter/", &files),
            vec!["topics/letter/index.html"]
        );
        assert!(closest_pages("/zzzzzzzzzzzzzzzzzzzzzz", &files).is_empty());
    }
}
