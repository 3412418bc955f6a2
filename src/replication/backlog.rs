//! The replication backlog: a ring of `repl-backlog-size` bytes holding the tail of the
//! replication stream, so a replica that lost its link can continue (`+CONTINUE`) from
//! the offset it reached instead of reloading everything.
//!
//! Offsets follow Redis: the stream's first byte has offset 1, `first_offset` is the
//! offset of the oldest byte still held and `histlen` how many bytes are held, so the
//! bytes `first_offset ..= first_offset + histlen - 1` can be replayed, and a replica that
//! processed up to offset `o` asks for `o + 1`.

/// The ring buffer of the replication stream's tail.
#[derive(Debug)]
pub struct Backlog {
    buf: Vec<u8>,
    /// Where the next byte goes in `buf`.
    head: usize,
    /// Bytes held (at most `buf.len()`).
    histlen: usize,
    /// Offset of the oldest byte held.
    first_offset: i64,
}

impl Backlog {
    /// An empty backlog of `size` bytes whose next byte will have offset `next_offset`.
    pub fn new(size: usize, next_offset: i64) -> Backlog {
        Backlog {
            buf: vec![0; size.max(1)],
            head: 0,
            histlen: 0,
            first_offset: next_offset,
        }
    }

    /// Capacity in bytes (`repl_backlog_size`).
    pub fn size(&self) -> usize {
        self.buf.len()
    }

    /// Bytes held (`repl_backlog_histlen`).
    pub fn histlen(&self) -> usize {
        self.histlen
    }

    /// Offset of the oldest byte held (`repl_backlog_first_byte_offset`).
    pub fn first_offset(&self) -> i64 {
        self.first_offset
    }

    /// Appends stream bytes, dropping the oldest ones when full.
    pub fn append(&mut self, mut data: &[u8]) {
        let cap = self.buf.len();
        if data.len() > cap {
            let skip = data.len() - cap;
            self.first_offset += skip as i64;
            if self.histlen > 0 {
                // Everything held is pushed out as well.
                self.first_offset += self.histlen as i64;
                self.histlen = 0;
            }
            data = &data[skip..];
        }
        // At most two copies: up to the end of the ring, then from its start.
        while !data.is_empty() {
            let n = (cap - self.head).min(data.len());
            self.buf[self.head..self.head + n].copy_from_slice(&data[..n]);
            self.head += n;
            if self.head == cap {
                self.head = 0;
            }
            data = &data[n..];
            self.histlen += n;
        }
        if self.histlen > cap {
            self.first_offset += (self.histlen - cap) as i64;
            self.histlen = cap;
        }
    }

    /// Whether a replica asking for `offset` (the next byte it needs) can be served from
    /// here: the offset is within the held range or just after its end.
    pub fn can_serve(&self, offset: i64) -> bool {
        offset >= self.first_offset && offset <= self.first_offset + self.histlen as i64
    }

    /// The held bytes from `offset` to the end; `offset` must satisfy [`Backlog::can_serve`].
    pub fn copy_from(&self, offset: i64) -> Vec<u8> {
        let skip = (offset - self.first_offset).clamp(0, self.histlen as i64) as usize;
        let len = self.histlen - skip;
        let cap = self.buf.len();
        let start = (self.head + cap - self.histlen + skip) % cap;
        let mut out = Vec::with_capacity(len);
        let first = (cap - start).min(len);
        out.extend_from_slice(&self.buf[start..start + first]);
        out.extend_from_slice(&self.buf[..len - first]);
        out
    }

    /// Shifts every offset by `delta` (a restarted master rebasing on its saved offset).
    pub fn rebase(&mut self, delta: i64) {
        self.first_offset += delta;
    }

    /// A backlog of `size` bytes holding the newest bytes of this one.
    pub fn resized(&self, size: usize) -> Backlog {
        let keep = self.histlen.min(size.max(1));
        let start = self.first_offset + (self.histlen - keep) as i64;
        let mut b = Backlog::new(size, start);
        b.append(&self.copy_from(start));
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_serves_the_tail() {
        let mut b = Backlog::new(8, 1);
        b.append(b"abcde");
        assert_eq!((b.first_offset(), b.histlen()), (1, 5));
        assert_eq!(b.copy_from(3), b"cde");
        b.append(b"fghij");
        // 10 bytes written into 8: offsets 3..=10 remain.
        assert_eq!((b.first_offset(), b.histlen()), (3, 8));
        assert_eq!(b.copy_from(3), b"cdefghij");
        assert_eq!(b.copy_from(9), b"ij");
        assert!(b.can_serve(11));
        assert_eq!(b.copy_from(11), b"");
        assert!(!b.can_serve(2));
        assert!(!b.can_serve(12));
    }

    #[test]
    fn a_write_larger_than_the_ring_keeps_its_end() {
        let mut b = Backlog::new(4, 1);
        b.append(b"xy");
        b.append(b"0123456789");
        assert_eq!((b.first_offset(), b.histlen()), (9, 4));
        assert_eq!(b.copy_from(9), b"6789");
    }

    #[test]
    fn resize_and_rebase_keep_offsets_consistent() {
        let mut b = Backlog::new(8, 1);
        b.append(b"abcdefgh");
        let small = b.resized(3);
        assert_eq!((small.first_offset(), small.histlen()), (6, 3));
        assert_eq!(small.copy_from(6), b"fgh");
        let mut big = b.resized(16);
        assert_eq!(big.copy_from(1), b"abcdefgh");
        big.rebase(100);
        assert_eq!(big.first_offset(), 101);
        assert_eq!(big.copy_from(107), b"gh");
    }
}
