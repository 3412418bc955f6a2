//! ferrodis as a library: an application starts a server on its own thread (the
//! "cache inside the application" use), talks to it, and shuts it down.

mod common;

use std::time::Duration;

#[test]
fn embedded_server_serves_and_shuts_down() {
    let dir = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let args: Vec<String> = [
        "--port",
        &port.to_string(),
        "--dir",
        dir.path().to_str().unwrap(),
        "--save",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let config = ferrodis::config::Config::from_args(&args).unwrap();
    let handle = std::thread::spawn(move || ferrodis::start(config));
    let ready = common::wait_until(Duration::from_secs(10), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(ready, "embedded server never listened");
    let mut c = common::RawConn::connect(port);
    c.send_cmd(&["SET", "k", "v"]);
    c.expect(b"+OK\r\n");
    c.send_cmd(&["GET", "k"]);
    c.expect(b"$1\r\nv\r\n");
    c.send_cmd(&["SHUTDOWN", "NOSAVE"]);
    c.expect_closed();
    let result = handle.join().expect("server thread panicked");
    assert!(result.is_ok(), "{:?}", result.err().map(|e| e.to_string()));
}
