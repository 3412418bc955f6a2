//! The replication buffer: the stream's tail, held once for the backlog and for every
//! replica (Redis 7's shared replication buffer).
//!
//! The stream is kept in blocks. The backlog is all of it: a replica that lost its link
//! can continue (`+CONTINUE`) from any offset still held. Each replica that receives the
//! stream is a reader with the offset of the next byte to send it; its pending output
//! is the blocks from there to the end, so two replicas cost one copy, not two.
//!
//! Blocks at the front go once the backlog keeps `repl-backlog-size` bytes without them
//! and no reader still needs them. A slow replica therefore keeps the backlog longer
//! than configured, and a replica that reconnects can continue from that longer history
//! (Redis does the same).
//!
//! Offsets follow Redis: the stream's first byte has offset 1, `first_offset` is the
//! offset of the oldest byte held and `histlen` how many bytes are held, so the bytes
//! `first_offset ..= first_offset + histlen - 1` can be replayed, and a replica that
//! processed up to offset `o` asks for `o + 1`.

use std::collections::VecDeque;
use std::io::IoSlice;

/// The smallest block (Redis's PROTO_REPLY_CHUNK_BYTES): a block takes the writes that
/// follow until it is full.
pub const BLOCK_BYTES: usize = 16 * 1024;

/// One block of the stream.
#[derive(Debug)]
struct Block {
    /// Offset of its first byte.
    start: i64,
    data: Vec<u8>,
}

impl Block {
    /// Offset just past its last byte.
    fn end(&self) -> i64 {
        self.start + self.data.len() as i64
    }
}

/// A replica that receives the stream from here.
#[derive(Debug, Clone, Copy)]
struct Reader {
    /// Its client's slab token.
    token: usize,
    /// Offset of the next byte to send it.
    next: i64,
}

/// The stream's tail, shared by the backlog and the replicas.
#[derive(Debug)]
pub struct Backlog {
    blocks: VecDeque<Block>,
    /// Offset of the oldest byte held (of the next byte when nothing is).
    first_offset: i64,
    /// Bytes held.
    histlen: usize,
    /// `repl-backlog-size`: bytes kept for partial resyncs when no reader needs more.
    size: usize,
    /// The blocks' allocations.
    mem: usize,
    readers: Vec<Reader>,
}

impl Backlog {
    /// An empty backlog keeping `size` bytes whose next byte will have offset
    /// `next_offset`.
    pub fn new(size: usize, next_offset: i64) -> Backlog {
        Backlog {
            blocks: VecDeque::new(),
            first_offset: next_offset,
            histlen: 0,
            size: size.max(1),
            mem: 0,
            readers: Vec::new(),
        }
    }

    /// The configured size (`repl_backlog_size`).
    pub fn size(&self) -> usize {
        self.size
    }

    /// Bytes held (`repl_backlog_histlen`).
    pub fn histlen(&self) -> usize {
        self.histlen
    }

    /// Offset of the oldest byte held (`repl_backlog_first_byte_offset`).
    pub fn first_offset(&self) -> i64 {
        self.first_offset
    }

    /// Offset the next byte appended will have.
    pub fn end_offset(&self) -> i64 {
        self.first_offset + self.histlen as i64
    }

    /// Memory of the blocks and of their list, for the backlog and every replica
    /// together.
    pub fn mem(&self) -> usize {
        self.mem + self.blocks.capacity() * std::mem::size_of::<Block>()
    }

    /// Appends stream bytes. The tail block is filled first; a new block holds at
    /// least [`BLOCK_BYTES`] and at most a sixteenth of the backlog (so a huge write
    /// does not become one block that must be kept whole for its last bytes).
    pub fn append(&mut self, mut data: &[u8]) {
        // Offset of data[0] once the tail block has taken what fits.
        let mut start = self.end_offset();
        self.histlen += data.len();
        if let Some(tail) = self.blocks.back_mut() {
            let n = (tail.data.capacity() - tail.data.len()).min(data.len());
            tail.data.extend_from_slice(&data[..n]);
            data = &data[n..];
            start += n as i64;
        }
        let largest = (self.size / 16).max(BLOCK_BYTES);
        while !data.is_empty() {
            let cap = data.len().clamp(BLOCK_BYTES, largest);
            let mut block = Vec::with_capacity(cap);
            let n = cap.min(data.len());
            block.extend_from_slice(&data[..n]);
            self.mem += block.capacity();
            self.blocks.push_back(Block { start, data: block });
            start += n as i64;
            data = &data[n..];
        }
        self.trim_if_over();
    }

    /// Whether a replica asking for `offset` (the next byte it needs) can be served from
    /// here: the offset is within the held range or just after its end.
    pub fn can_serve(&self, offset: i64) -> bool {
        offset >= self.first_offset && offset <= self.end_offset()
    }

    /// Makes the replica at `token` a reader from `next` (which must satisfy
    /// [`Backlog::can_serve`]), or moves it there.
    pub fn add_reader(&mut self, token: usize, next: i64) {
        debug_assert!(self.can_serve(next));
        let next = next.clamp(self.first_offset, self.end_offset());
        match self.readers.iter_mut().find(|r| r.token == token) {
            Some(r) => r.next = next,
            None => self.readers.push(Reader { token, next }),
        }
        self.trim_if_over();
    }

    /// The replica at `token` receives no more (it went away): the blocks only it
    /// held can go.
    pub fn remove_reader(&mut self, token: usize) {
        self.readers.retain(|r| r.token != token);
        self.trim_if_over();
    }

    /// Whether any replica reads from here.
    pub fn has_readers(&self) -> bool {
        !self.readers.is_empty()
    }

    /// Bytes held for the replica at `token` and not sent yet (0 for a non-reader).
    pub fn pending(&self, token: usize) -> usize {
        self.readers
            .iter()
            .find(|r| r.token == token)
            .map_or(0, |r| (self.end_offset() - r.next) as usize)
    }

    /// The next bytes to send the replica at `token`, as up to `out.len()` slices: the
    /// rest of the block its next byte is in, then the blocks that follow. Returns how
    /// many slices were filled (0 when it has everything, or is not a reader).
    pub fn next_slices<'a>(&'a self, token: usize, out: &mut [IoSlice<'a>]) -> usize {
        let Some(r) = self.readers.iter().find(|r| r.token == token) else {
            return 0;
        };
        let first = self.blocks.partition_point(|b| b.end() <= r.next);
        let mut n = 0;
        for (i, b) in self.blocks.range(first..).enumerate().take(out.len()) {
            let skip = if i == 0 {
                (r.next - b.start) as usize
            } else {
                0
            };
            if b.data.len() > skip {
                out[n] = IoSlice::new(&b.data[skip..]);
                n += 1;
            }
        }
        n
    }

    /// `n` more bytes were sent to the replica at `token`.
    pub fn advance(&mut self, token: usize, n: usize) {
        let end = self.end_offset();
        if let Some(r) = self.readers.iter_mut().find(|r| r.token == token) {
            r.next = (r.next + n as i64).min(end);
        }
        self.trim_if_over();
    }

    /// Shifts every offset by `delta` (a restarted master rebasing on its saved offset).
    pub fn rebase(&mut self, delta: i64) {
        self.first_offset += delta;
        for b in &mut self.blocks {
            b.start += delta;
        }
        for r in &mut self.readers {
            r.next += delta;
        }
    }

    /// Keeps `size` bytes from now on (CONFIG SET repl-backlog-size); a smaller size
    /// lets the oldest blocks go at once.
    pub fn set_size(&mut self, size: usize) {
        self.size = size.max(1);
        self.trim_if_over();
    }

    /// Drops the front blocks that neither the backlog's `size` bytes nor a reader
    /// need. The last block always stays (it takes the next writes).
    fn trim_if_over(&mut self) {
        let over = |b: &Backlog| b.blocks.len() > 1 && b.histlen - b.blocks[0].data.len() >= b.size;
        if !over(self) {
            return;
        }
        let oldest_needed = self.readers.iter().map(|r| r.next).min();
        while over(self) {
            let front = &self.blocks[0];
            if oldest_needed.is_some_and(|o| o < front.end()) {
                break;
            }
            let front = self.blocks.pop_front().expect("more than one block");
            self.histlen -= front.data.len();
            self.mem -= front.data.capacity();
            self.first_offset = self.blocks[0].start;
        }
        // The list of a buffer a stalled replica made long is given back once it is
        // short again.
        if self.blocks.capacity() > 64 && self.blocks.len() < self.blocks.capacity() / 4 {
            self.blocks.shrink_to(self.blocks.len() * 2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a reader at `token` would be sent, consumed as a socket taking
    /// 5000 bytes a write would.
    fn drain(b: &mut Backlog, token: usize) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let mut slices = [IoSlice::new(&[]); 3];
            let n = b.next_slices(token, &mut slices);
            if n == 0 {
                return out;
            }
            let all: Vec<u8> = slices[..n].iter().flat_map(|s| s.iter().copied()).collect();
            let took = all.len().min(5000);
            out.extend_from_slice(&all[..took]);
            b.advance(token, took);
        }
    }

    /// The bytes from `offset` on, as a partial resync from there would get them.
    fn replay(b: &mut Backlog, offset: i64) -> Vec<u8> {
        const PROBE: usize = usize::MAX;
        b.add_reader(PROBE, offset);
        let out = drain(b, PROBE);
        b.remove_reader(PROBE);
        out
    }

    fn bytes(n: usize, seed: u8) -> Vec<u8> {
        (0..n).map(|i| seed.wrapping_add(i as u8)).collect()
    }

    #[test]
    fn keeps_at_least_its_size_and_serves_the_tail() {
        let mut b = Backlog::new(BLOCK_BYTES, 1);
        let data = bytes(5 * BLOCK_BYTES + 100, 7);
        for piece in data.chunks(1000) {
            b.append(piece);
        }
        assert_eq!(b.end_offset(), 1 + data.len() as i64);
        assert!(b.histlen() >= BLOCK_BYTES && b.histlen() < 2 * BLOCK_BYTES + 100);
        assert_eq!(b.first_offset(), b.end_offset() - b.histlen() as i64);
        assert!(!b.can_serve(b.first_offset() - 1));
        assert!(b.can_serve(b.end_offset()));
        assert!(!b.can_serve(b.end_offset() + 1));
        let from = b.end_offset() - 3000;
        let start = (from - 1) as usize;
        assert_eq!(replay(&mut b, from), &data[start..]);
        let end = b.end_offset();
        assert_eq!(replay(&mut b, end), b"");
    }

    #[test]
    fn a_reader_keeps_what_it_has_not_been_sent() {
        let mut b = Backlog::new(BLOCK_BYTES, 1);
        b.add_reader(1, 1);
        let data = bytes(10 * BLOCK_BYTES, 3);
        b.append(&data);
        // The backlog alone would keep 16 KB; the reader keeps all of it.
        assert_eq!(b.histlen(), data.len());
        assert_eq!(b.pending(1), data.len());
        assert!(b.mem() >= data.len());
        assert_eq!(drain(&mut b, 1), data);
        assert_eq!(b.pending(1), 0);
        // Sent: the blocks beyond the backlog's size went.
        assert!(b.histlen() < 2 * BLOCK_BYTES);
        assert!(b.mem() < 3 * BLOCK_BYTES);
    }

    #[test]
    fn two_readers_share_one_copy_and_the_slower_one_holds_the_blocks() {
        let mut b = Backlog::new(BLOCK_BYTES, 101);
        b.add_reader(1, 101);
        b.add_reader(2, 101);
        let data = bytes(8 * BLOCK_BYTES, 9);
        b.append(&data);
        let mem = b.mem();
        assert!(mem < data.len() + BLOCK_BYTES, "one copy for both");
        assert_eq!(drain(&mut b, 1), data);
        assert_eq!(b.histlen(), data.len(), "reader 2 still needs everything");
        assert_eq!(b.pending(2), data.len());
        b.remove_reader(2);
        assert!(b.histlen() < 2 * BLOCK_BYTES);
        assert!(b.mem() < mem);
    }

    #[test]
    fn a_huge_write_is_split_into_blocks_of_a_sixteenth_of_the_backlog() {
        let size = 64 * BLOCK_BYTES;
        let mut b = Backlog::new(size, 1);
        b.append(b"x");
        b.append(&bytes(1 << 20, 1));
        assert_eq!(b.blocks.len(), 1 + (1 << 20) / (size / 16));
        assert_eq!(
            b.blocks[0].data.len(),
            BLOCK_BYTES,
            "the tail took what fit"
        );
        let mut b = Backlog::new(BLOCK_BYTES, 1);
        b.append(&bytes(3 * BLOCK_BYTES, 1));
        assert!(b.blocks.iter().all(|x| x.data.capacity() == BLOCK_BYTES));
    }

    #[test]
    fn resize_and_rebase_keep_offsets_consistent() {
        let mut b = Backlog::new(1 << 20, 1);
        let data = bytes(6 * BLOCK_BYTES, 5);
        for piece in data.chunks(1000) {
            b.append(piece);
        }
        assert_eq!(b.histlen(), data.len());
        b.set_size(BLOCK_BYTES);
        assert!(b.histlen() < 2 * BLOCK_BYTES && b.histlen() >= BLOCK_BYTES);
        let first = b.first_offset();
        b.rebase(1000);
        assert_eq!(b.first_offset(), first + 1000);
        let from = b.end_offset() - 10;
        let tail = replay(&mut b, from);
        assert_eq!(tail, &data[data.len() - 10..]);
    }
}
