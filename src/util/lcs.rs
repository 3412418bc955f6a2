//! Longest common subsequence as Redis 7.0's LCS command computes it: the same dynamic
//! programming table and the same backtracking walk, so ties between equally long
//! subsequences resolve to the same string, and IDX reports the same ranges in the same
//! order (from the end of the strings towards their start).

/// One run of contiguous matching bytes, as an LCS IDX reply entry: inclusive byte ranges
/// in the first and the second string, and the run length (WITHMATCHLEN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LcsMatch {
    /// `(start, end)` in the first string, both inclusive.
    pub a: (usize, usize),
    /// `(start, end)` in the second string, both inclusive.
    pub b: (usize, usize),
    /// Number of bytes in the run.
    pub len: usize,
}

/// The LCS of two strings: the subsequence itself, its length, and its runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LcsResult {
    /// The common subsequence Redis returns (plain `LCS k1 k2`).
    pub lcs: Vec<u8>,
    /// Its length (`LEN`, and `len` in the IDX reply).
    pub len: usize,
    /// The runs of at least the requested length, in Redis's order (`matches`).
    pub matches: Vec<LcsMatch>,
}

/// Bytes of the transient table Redis allocates for two strings of these lengths
/// (`(alen+1) × (blen+1)` 32-bit cells). Redis refuses with "Insufficient memory,
/// transient memory for LCS exceeds proto-max-bulk-len" when this is larger than
/// `proto-max-bulk-len`, and with "String too long for LCS" when either length is
/// `u32::MAX - 1` or more.
pub fn lcs_table_bytes(alen: usize, blen: usize) -> u128 {
    (alen as u128 + 1) * (blen as u128 + 1) * 4
}

/// LCS of `a` and `b` with every run reported (no MINMATCHLEN).
pub fn lcs(a: &[u8], b: &[u8]) -> LcsResult {
    lcs_with_min_len(a, b, 0)
}

/// LCS of `a` and `b`, reporting only runs of at least `min_len` bytes (`MINMATCHLEN`;
/// 0 reports all, and Redis treats a negative argument as 0).
pub fn lcs_with_min_len(a: &[u8], b: &[u8], min_len: u64) -> LcsResult {
    let table = Table::build(a, b);
    let (lcs, matches) = table.backtrack(a, b, min_len);
    LcsResult {
        len: lcs.len(),
        lcs,
        matches,
    }
}

/// The IDX part of the reply: the runs of at least `min_len` bytes and the LCS length.
pub fn lcs_matches(a: &[u8], b: &[u8], min_len: u64) -> (Vec<LcsMatch>, usize) {
    let r = lcs_with_min_len(a, b, min_len);
    (r.matches, r.len)
}

/// Length of the LCS only (`LEN`), using memory proportional to the shorter string.
pub fn lcs_len(a: &[u8], b: &[u8]) -> usize {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let mut prev = vec![0usize; short.len() + 1];
    let mut cur = vec![0usize; short.len() + 1];
    for &x in long {
        for (j, &y) in short.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[short.len()]
}

/// The DP table: cell (i, j) holds the LCS length of `a[..i]` and `b[..j]`.
struct Table {
    cells: Vec<u32>,
    width: usize,
}

impl Table {
    /// Fills the whole table for `a` × `b`.
    fn build(a: &[u8], b: &[u8]) -> Table {
        let width = b.len() + 1;
        let mut cells = vec![0u32; (a.len() + 1) * width];
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                cells[i * width + j] = if a[i - 1] == b[j - 1] {
                    cells[(i - 1) * width + j - 1] + 1
                } else {
                    cells[(i - 1) * width + j].max(cells[i * width + j - 1])
                };
            }
        }
        Table { cells, width }
    }

    /// Cell (i, j).
    fn at(&self, i: usize, j: usize) -> u32 {
        self.cells[i * self.width + j]
    }

    /// Walks back from the bottom-right corner as Redis does: on equal bytes take the
    /// diagonal, otherwise move up if that keeps a strictly longer LCS, else left. Returns
    /// the subsequence and the runs (of at least `min_len` bytes) in discovery order.
    fn backtrack(&self, a: &[u8], b: &[u8], min_len: u64) -> (Vec<u8>, Vec<LcsMatch>) {
        let mut idx = self.at(a.len(), b.len()) as usize;
        let mut out = vec![0u8; idx];
        let mut matches = Vec::new();
        let mut run: Option<Run> = None;
        let (mut i, mut j) = (a.len(), b.len());
        while i > 0 && j > 0 {
            let mut emit = false;
            if a[i - 1] == b[j - 1] {
                out[idx - 1] = a[i - 1];
                let (ai, bj) = (i - 1, j - 1);
                match run.as_mut() {
                    None => {
                        run = Some(Run {
                            a_start: ai,
                            a_end: ai,
                            b_start: bj,
                            b_end: bj,
                        })
                    }
                    Some(r) if r.a_start == i && r.b_start == j => {
                        r.a_start -= 1;
                        r.b_start -= 1;
                    }
                    // Unreachable in practice (matches on the walk are always diagonal
                    // neighbours), kept to mirror Redis: close the run.
                    Some(_) => emit = true,
                }
                if run.is_some_and(|r| r.a_start == 0 || r.b_start == 0) {
                    emit = true;
                }
                idx -= 1;
                i -= 1;
                j -= 1;
            } else {
                if self.at(i - 1, j) > self.at(i, j - 1) {
                    i -= 1;
                } else {
                    j -= 1;
                }
                emit = run.is_some();
            }
            if emit {
                if let Some(r) = run.take() {
                    let len = r.a_end - r.a_start + 1;
                    if min_len == 0 || len as u64 >= min_len {
                        matches.push(LcsMatch {
                            a: (r.a_start, r.a_end),
                            b: (r.b_start, r.b_end),
                            len,
                        });
                    }
                }
            }
        }
        (out, matches)
    }
}

/// A run being extended backwards during the walk.
#[derive(Clone, Copy)]
struct Run {
    a_start: usize,
    a_end: usize,
    b_start: usize,
    b_end: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const fn m(a: (usize, usize), b: (usize, usize), len: usize) -> LcsMatch {
        LcsMatch { a, b, len }
    }

    #[test]
    fn doc_example_matches_redis() {
        // redis-server 7.0.15: SET key1 ohmytext; SET key2 mynewtext.
        let r = lcs(b"ohmytext", b"mynewtext");
        assert_eq!(r.lcs, b"mytext");
        assert_eq!(r.len, 6);
        assert_eq!(r.matches, vec![m((4, 7), (5, 8), 4), m((2, 3), (0, 1), 2)]);
        // LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN
        let (ms, len) = lcs_matches(b"ohmytext", b"mynewtext", 4);
        assert_eq!((ms, len), (vec![m((4, 7), (5, 8), 4)], 6));
        assert_eq!(lcs_len(b"ohmytext", b"mynewtext"), 6);
    }

    #[test]
    fn empty_and_disjoint_inputs() {
        assert_eq!(
            lcs(b"", b"abc"),
            LcsResult {
                lcs: vec![],
                len: 0,
                matches: vec![]
            }
        );
        assert_eq!(lcs(b"abc", b"xyz").matches, vec![]);
        assert_eq!(lcs(b"abc", b"abc").matches, vec![m((0, 2), (0, 2), 3)]);
    }

    /// Captured from redis-server 7.0.15 with `LCS a b` and `LCS a b IDX WITHMATCHLEN`.
    #[test]
    fn random_cases_match_redis() {
        type Case = (
            &'static [u8],
            &'static [u8],
            &'static [u8],
            &'static [LcsMatch],
        );
        const CASES: &[Case] = &[
            (
                b"abcabcbb",
                b"bcbbaabc",
                b"bcbbb",
                &[
                    m((7, 7), (6, 6), 1),
                    m((6, 6), (3, 3), 1),
                    m((4, 4), (2, 2), 1),
                    m((1, 2), (0, 1), 2),
                ],
            ),
            (
                b"aabbaabb",
                b"abab",
                b"abab",
                &[
                    m((7, 7), (3, 3), 1),
                    m((5, 5), (2, 2), 1),
                    m((3, 3), (1, 1), 1),
                    m((1, 1), (0, 0), 1),
                ],
            ),
            (
                b"xaxbxcxd",
                b"abcdxxxx",
                b"abcd",
                &[
                    m((7, 7), (3, 3), 1),
                    m((5, 5), (2, 2), 1),
                    m((3, 3), (1, 1), 1),
                    m((1, 1), (0, 0), 1),
                ],
            ),
            (
                b"the quick brown fox",
                b"quick brown the fox",
                b"quick brown fox",
                &[m((15, 18), (15, 18), 4), m((4, 14), (0, 10), 11)],
            ),
        ];
        for (a, b, want_lcs, want_matches) in CASES {
            let r = lcs(a, b);
            assert_eq!(r.lcs, *want_lcs, "{:?}", String::from_utf8_lossy(a));
            assert_eq!(r.matches, *want_matches, "{:?}", String::from_utf8_lossy(a));
        }
    }

    /// True if `sub` is a subsequence of `s`.
    fn is_subsequence(sub: &[u8], s: &[u8]) -> bool {
        let mut it = s.iter();
        sub.iter().all(|c| it.any(|x| x == c))
    }

    proptest! {
        #[test]
        fn result_is_a_longest_common_subsequence(
            a in proptest::collection::vec(0u8..4, 0..40),
            b in proptest::collection::vec(0u8..4, 0..40),
            min in 0u64..5,
        ) {
            let r = lcs_with_min_len(&a, &b, min);
            prop_assert!(is_subsequence(&r.lcs, &a) && is_subsequence(&r.lcs, &b));
            prop_assert_eq!(r.len, lcs_len(&a, &b));
            prop_assert_eq!(r.len, r.lcs.len());
            let mut covered = 0;
            let mut prev: Option<LcsMatch> = None;
            for x in &r.matches {
                prop_assert!(min == 0 || x.len as u64 >= min);
                prop_assert_eq!(&a[x.a.0..=x.a.1], &b[x.b.0..=x.b.1]);
                prop_assert_eq!(x.a.1 - x.a.0 + 1, x.len);
                if let Some(p) = prev {
                    prop_assert!(x.a.1 < p.a.0 && x.b.1 < p.b.0);
                }
                prev = Some(*x);
                covered += x.len;
            }
            if min == 0 {
                prop_assert_eq!(covered, r.len);
            }
        }
    }
}
