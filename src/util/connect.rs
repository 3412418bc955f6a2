//! Outgoing TCP connections started without blocking, for MIGRATE and for a replica's
//! link to its master.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use socket2::{Domain, Protocol, Socket, Type};

/// Starts a non-blocking connect to `addr`, first binding the socket to the first
/// address of `source` (a name or an address, with port 0) of `addr`'s family that
/// binds, when there is a `source`. Returns the socket unless socket(), bind() or
/// connect() failed at once; how the connect ends shows when the socket becomes
/// writable.
pub fn start_connect(addr: SocketAddr, source: Option<&str>) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_nonblocking(true)?;
    if let Some(source) = source {
        socket.set_reuse_address(true)?;
        bind_to_first(&socket, source, addr.is_ipv4())?;
    }
    match socket.connect(&addr.into()) {
        Ok(()) => Ok(socket),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Ok(socket),
        Err(e) => Err(e),
    }
}

/// Binds `socket` to the first address of `source` in the right family that accepts.
fn bind_to_first(socket: &Socket, source: &str, ipv4: bool) -> io::Result<()> {
    let mut last = io::Error::new(
        io::ErrorKind::AddrNotAvailable,
        "no address of the connection's family",
    );
    for local in (source, 0).to_socket_addrs()? {
        if local.is_ipv4() != ipv4 {
            continue;
        }
        match socket.bind(&local.into()) {
            Ok(()) => return Ok(()),
            Err(e) => last = e,
        }
    }
    Err(last)
}
