//! SLOWLOG: the last `slowlog-max-len` commands that took longer than
//! `slowlog-log-slower-than` microseconds.

use std::collections::VecDeque;

/// Arguments kept per entry (Redis's SLOWLOG_ENTRY_MAX_ARGC).
const MAX_ARGC: usize = 32;
/// Bytes kept per argument (SLOWLOG_ENTRY_MAX_STRING).
const MAX_STRING: usize = 128;

#[derive(Debug, Clone)]
pub struct SlowlogEntry {
    pub id: u64,
    /// Unix time in seconds when the command ran.
    pub time: i64,
    pub duration_us: u64,
    pub argv: Vec<Vec<u8>>,
    pub client_addr: String,
    pub client_name: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct Slowlog {
    pub entries: VecDeque<SlowlogEntry>,
    next_id: u64,
}

impl Slowlog {
    /// Records a command if it was slow enough; trims to `max_len`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn maybe_record(
        &mut self,
        threshold_us: i64,
        max_len: usize,
        duration_us: u64,
        argv: &[Vec<u8>],
        now_s: i64,
        addr: &str,
        name: &[u8],
    ) {
        if threshold_us < 0 || duration_us < threshold_us as u64 {
            return;
        }
        self.record(max_len, duration_us, argv, now_s, addr, name);
    }

    /// Adds an entry (the slow path of [`Slowlog::maybe_record`]).
    #[cold]
    fn record(
        &mut self,
        max_len: usize,
        duration_us: u64,
        argv: &[Vec<u8>],
        now_s: i64,
        addr: &str,
        name: &[u8],
    ) {
        self.entries.push_front(SlowlogEntry {
            id: self.next_id,
            time: now_s,
            duration_us,
            argv: trim_argv(argv),
            client_addr: addr.to_string(),
            client_name: name.to_vec(),
        });
        self.next_id += 1;
        self.entries.truncate(max_len);
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }
}

/// Shortens a request the way Redis stores it in the slow log.
fn trim_argv(argv: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let keep = argv.len().min(MAX_ARGC);
    let mut out = Vec::with_capacity(keep);
    for (i, a) in argv.iter().take(keep).enumerate() {
        if i == MAX_ARGC - 1 && argv.len() > MAX_ARGC {
            out.push(format!("... ({} more arguments)", argv.len() - MAX_ARGC + 1).into_bytes());
            break;
        }
        if a.len() > MAX_STRING {
            let mut s = a[..MAX_STRING].to_vec();
            s.extend_from_slice(format!("... ({} more bytes)", a.len() - MAX_STRING).as_bytes());
            out.push(s);
        } else {
            out.push(a.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_like_redis() {
        let argv: Vec<Vec<u8>> = (0..40).map(|i| format!("a{}", i).into_bytes()).collect();
        let t = trim_argv(&argv);
        assert_eq!(t.len(), 32);
        assert_eq!(t[31], b"... (9 more arguments)");
        let long = vec![b'x'; 200];
        let t = trim_argv(&[long]);
        assert!(t[0].ends_with(b"... (72 more bytes)"));
    }

    #[test]
    fn threshold_and_max_len() {
        let mut s = Slowlog::default();
        for d in [5, 20, 30, 40] {
            s.maybe_record(10, 2, d, &[b"get".to_vec()], 0, "", b"");
        }
        assert_eq!(s.entries.len(), 2);
        assert_eq!(s.entries[0].duration_us, 40);
        s.maybe_record(-1, 2, 1000, &[b"get".to_vec()], 0, "", b"");
        assert_eq!(s.entries[0].duration_us, 40);
    }
}
