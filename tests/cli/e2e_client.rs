//! A small client for the end-to-end test: sequential GETs on 127.0.0.1, in plain HTTP or in the
//! uwsgi protocol, each answer parsed into the identity of the zergling that served it (see
//! `tests/e2e/standin/app.py`).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Most requests one client run sends.
const MAX_REQUESTS: usize = 20_000;

/// Longest a client run lasts, whatever the test does.
const MAX_RUN: Duration = Duration::from_secs(90);

/// Pause between two requests.
const PAUSE: Duration = Duration::from_millis(5);

/// Longest wait for a connection or an answer.
const TIMEOUT: Duration = Duration::from_secs(5);

/// What the public address speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Protocol {
    /// Plain HTTP (`http-socket`).
    Http,
    /// The uwsgi protocol (`socket`), as a web server in front of Galaxy speaks it.
    Uwsgi,
}

impl Protocol {
    /// The galaxy.yml option that binds an address speaking this protocol.
    pub(super) fn bind_option(self) -> &'static str {
        match self {
            Protocol::Http => "http-socket",
            Protocol::Uwsgi => "socket",
        }
    }

    /// The request for `/` in this protocol.
    fn request(self, port: u16) -> Vec<u8> {
        match self {
            Protocol::Http => b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
            Protocol::Uwsgi => uwsgi_packet(&[
                ("REQUEST_METHOD", "GET"),
                ("REQUEST_URI", "/"),
                ("PATH_INFO", "/"),
                ("QUERY_STRING", ""),
                ("SERVER_PROTOCOL", "HTTP/1.0"),
                ("SERVER_NAME", "127.0.0.1"),
                ("SERVER_PORT", &port.to_string()),
                ("REMOTE_ADDR", "127.0.0.1"),
                ("HTTP_HOST", "127.0.0.1"),
            ]),
        }
    }
}

/// A uwsgi request packet: a 4-byte header (modifier1 0, the size of the vars as a
/// little-endian u16, modifier2 0), then each var as a little-endian u16 length and the key,
/// and a u16 length and the value. The answer comes back as raw HTTP.
fn uwsgi_packet(vars: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (key, value) in vars {
        for part in [key, value] {
            let len = u16::try_from(part.len()).expect("a uwsgi var fits in 64 KiB");
            body.extend_from_slice(&len.to_le_bytes());
            body.extend_from_slice(part.as_bytes());
        }
    }
    let size = u16::try_from(body.len()).expect("a uwsgi packet fits in 64 KiB");
    let mut packet = vec![0];
    packet.extend_from_slice(&size.to_le_bytes());
    packet.push(0);
    packet.extend_from_slice(&body);
    packet
}

/// The zergling instance that answered a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Identity {
    /// `zergling` for A, `restarter` for B (from the instance's master FIFO name).
    pub(super) role: String,
    /// PID of the instance's master, which tells one A from the next.
    pub(super) master: u32,
    /// The `galaxy_config_file` the instance was given.
    pub(super) config: String,
}

/// One request: when it was sent, from the start of the run, and who answered or what failed.
#[derive(Debug)]
pub(super) struct Outcome {
    pub(super) at: Duration,
    pub(super) result: Result<Identity, String>,
}

/// Send one GET in `protocol` and parse the answer.
pub(super) fn get(port: u16, protocol: Protocol) -> Result<Identity, String> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream =
        TcpStream::connect_timeout(&address, TIMEOUT).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| format!("set timeouts: {e}"))?;

    stream.write_all(&protocol.request(port)).map_err(|e| format!("send: {e}"))?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| format!("receive: {e}"))?;

    parse(&String::from_utf8_lossy(&answer))
}

fn parse(answer: &str) -> Result<Identity, String> {
    let (head, body) =
        answer.split_once("\r\n\r\n").ok_or_else(|| format!("no HTTP header in {answer:?}"))?;
    let status = head.lines().next().unwrap_or_default();
    if !(status.starts_with("HTTP/1.0 200") || status.starts_with("HTTP/1.1 200")) {
        return Err(format!("status {status:?}"));
    }

    let field = |name: &str| {
        body.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_owned)
            .ok_or_else(|| format!("no {name} in {body:?}"))
    };
    let master = field("master")?.parse().map_err(|e| format!("master pid: {e}"))?;
    Ok(Identity { role: field("zergling")?, master, config: field("config")? })
}

/// Poll until a request succeeds, for at most `within`; the last error otherwise.
pub(super) fn wait_until_serving(
    port: u16,
    protocol: Protocol,
    within: Duration,
) -> Result<Identity, String> {
    let deadline = Instant::now() + within;
    loop {
        match get(port, protocol) {
            Ok(identity) => return Ok(identity),
            Err(error) if Instant::now() >= deadline => return Err(error),
            Err(_) => thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Send sequential requests until `stop` is set (or the run's own bounds are reached).
pub(super) fn spawn(
    port: u16,
    protocol: Protocol,
    stop: Arc<AtomicBool>,
) -> JoinHandle<Vec<Outcome>> {
    thread::spawn(move || {
        let start = Instant::now();
        let mut outcomes = Vec::new();
        while !stop.load(Ordering::Relaxed)
            && outcomes.len() < MAX_REQUESTS
            && start.elapsed() < MAX_RUN
        {
            let at = start.elapsed();
            outcomes.push(Outcome { at, result: get(port, protocol) });
            thread::sleep(PAUSE);
        }
        outcomes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_stand_in_answer() {
        let answer = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n\
                      zergling=restarter master=42 worker=43 config=/r/config/galaxy-restarter.yml\n";
        let identity = parse(answer).expect("a stand-in answer parses");
        assert_eq!(identity.role, "restarter");
        assert_eq!(identity.master, 42);
        assert_eq!(identity.config, "/r/config/galaxy-restarter.yml");
    }

    #[test]
    fn uwsgi_packets_carry_length_prefixed_vars() {
        let packet = uwsgi_packet(&[("A", "bc"), ("", "")]);
        assert_eq!(packet, [0, 11, 0, 0, 1, 0, b'A', 2, 0, b'b', b'c', 0, 0, 0, 0]);
    }

    #[test]
    fn a_server_error_is_a_failure() {
        assert!(parse("HTTP/1.1 502 Bad Gateway\r\n\r\n").is_err());
    }
}
