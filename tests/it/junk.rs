//! Client junk (malformed requests of every kind) gets a 4xx answer where HTTP allows one, and
//! is logged at WARN or below: a client cannot write ERROR lines, which page the on-call.

use crate::harness::{TestDb, parse_response, serve_binary};

/// Sends `bytes` and reads the answer; with `close`, the client then closes its side (as a
/// client that has nothing more to say), else it keeps the connection open, waiting.
async fn send(port: u16, bytes: &[u8], close: bool) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let _ = stream.write_all(bytes).await;
    if close {
        let _ = stream.shutdown().await;
    }
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        stream.read_to_end(&mut buf),
    )
    .await;
    parse_response(&buf).status
}

#[actix_web::test]
async fn client_junk_is_answered_and_never_logged_as_an_error() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let (mut child, port) = serve_binary(&db, &[("RUST_LOG", "info")]).await;
    let long_head = format!(
        "GET / HTTP/1.1\r\nHost: alpha.localhost\r\nX-Long: {}\r\n\r\n",
        "a".repeat(200_000)
    );
    let many_headers = format!(
        "GET / HTTP/1.1\r\nHost: alpha.localhost\r\n{}\r\n",
        (0..200)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"\x00\x01\x02 hello\r\n\r\n".to_vec()),
        ("bad method", b"G\x01T / HTTP/1.1\r\nHost: alpha.localhost\r\n\r\n".to_vec()),
        ("bad header name", b"GET / HTTP/1.1\r\nHost: alpha.localhost\r\nBad Header: x\r\n\r\n".to_vec()),
        ("NUL in a header", b"GET / HTTP/1.1\r\nHost: alpha.localhost\r\nX-A: a\x00b\r\n\r\n".to_vec()),
        ("over-long head", long_head.into_bytes()),
        ("too many headers", many_headers.into_bytes()),
        ("bad content-length", b"POST /login HTTP/1.1\r\nHost: alpha.localhost\r\nContent-Length: abc\r\n\r\n".to_vec()),
        ("two content-lengths", b"POST /login HTTP/1.1\r\nHost: alpha.localhost\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd".to_vec()),
        ("bad chunk size", b"POST /login HTTP/1.1\r\nHost: alpha.localhost\r\nOrigin: http://alpha.localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n".to_vec()),
        ("chunk longer than said", b"POST /login HTTP/1.1\r\nHost: alpha.localhost\r\nOrigin: http://alpha.localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdefgh\r\n0\r\n\r\n".to_vec()),
        ("chunked, cut short", b"POST /login HTTP/1.1\r\nHost: alpha.localhost\r\nOrigin: http://alpha.localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc".to_vec()),
        ("chunked and content-length", b"POST /login HTTP/1.1\r\nHost: alpha.localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec()),
        ("bad chunk after a good one", b"POST /signup HTTP/1.1\r\nHost: alpha.localhost\r\nOrigin: http://alpha.localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nname=\r\nZZ\r\nabc\r\n0\r\n\r\n".to_vec()),
        ("bad chunk to the JSON API", b"POST /api/v1/lessons/00000000-0000-0000-0000-000000000000/position HTTP/1.1\r\nHost: alpha.localhost\r\nOrigin: http://alpha.localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\nQQ\r\n".to_vec()),
        ("body cut short", b"POST /login HTTP/1.1\r\nHost: alpha.localhost\r\nOrigin: http://alpha.localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a".to_vec()),
        ("HTTP/0.9", b"GET /\r\n\r\n".to_vec()),
        ("HTTP/2 preface on h1", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec()),
        ("bad version", b"GET / HTTP/9.9\r\nHost: alpha.localhost\r\n\r\n".to_vec()),
        ("bad uri", b"GET /%%%zz\xff HTTP/1.1\r\nHost: alpha.localhost\r\n\r\n".to_vec()),
        ("invalid UTF-8 path", b"GET /courses/\xc3\x28 HTTP/1.1\r\nHost: alpha.localhost\r\n\r\n".to_vec()),
    ];
    let mut answers = Vec::new();
    for close in [true, false] {
        for (name, bytes) in &cases {
            answers.push((*name, send(port, bytes, close).await));
        }
    }
    // The server is still fine.
    let ok = crate::harness::request(port, "GET", "alpha.localhost", "/", &[]).await;
    assert_eq!(ok.status, 200);
    let pid = nix::unistd::Pid::from_raw(child.id().unwrap() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    child.wait().await.unwrap();
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr)
        .await
        .unwrap();
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("\"level\":\"ERROR\""))
        .collect();
    assert!(
        errors.is_empty(),
        "client junk logged as ERROR:\n{}",
        errors.join("\n")
    );
    for (name, status) in &answers {
        assert!(
            (400..500).contains(status) || *status == 0 && name.contains("cut short"),
            "{name}: answered {status}"
        );
    }
}
