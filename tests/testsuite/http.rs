//! A minimal HTTP/1.1 and Server-Sent Events client over a plain socket, for the serve
//! tests and the serve benchmark. Requests are written by hand because HTTP client
//! libraries tidy paths (`..`, `\\`) before sending them, and those are what the tests
//! send.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// Sends `request` (a whole request head) to `127.0.0.1:port` and reads the whole response.
pub fn raw(port: u16, request: &str, timeout: Duration) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connecting to serve");
    stream.set_read_timeout(Some(timeout)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    Response::parse(&bytes)
}

/// `METHOD target` with `Connection: close`.
pub fn request(port: u16, method: &str, target: &str, timeout: Duration) -> Response {
    raw(
        port,
        &format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
        timeout,
    )
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn parse(bytes: &[u8]) -> Response {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(": "))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect();
        let mut response = Response {
            status,
            headers,
            body: body.to_string(),
        };
        if response.header("transfer-encoding") == Some("chunked") {
            response.body = dechunk(body);
        }
        response
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// The server's event stream, read as a page's `EventSource` reads it.
pub struct Events {
    received: Receiver<(String, serde_json::Value)>,
}

impl Events {
    pub fn connect(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .write_all(b"GET /__factsheet/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            .unwrap();
        let (send, received) = channel();
        std::thread::spawn(move || {
            let mut name = String::new();
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if let Some(value) = line.strip_prefix("event: ") {
                    name = value.to_string();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    let value = serde_json::from_str(data).unwrap_or(serde_json::Value::Null);
                    if send.send((std::mem::take(&mut name), value)).is_err() {
                        break;
                    }
                }
            }
        });
        Events { received }
    }

    /// The next event named `name`, failing the test after half a minute.
    pub fn next(&self, name: &str) -> serde_json::Value {
        self.next_within(name, Duration::from_secs(30))
            .unwrap_or_else(|| panic!("no `{name}` event"))
    }

    /// The next event named `name` (others are skipped), waiting up to `timeout`.
    pub fn next_within(&self, name: &str, timeout: Duration) -> Option<serde_json::Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (event, data) = self.received.recv_timeout(left).ok()?;
            if event == name {
                return Some(data);
            }
        }
    }
}
