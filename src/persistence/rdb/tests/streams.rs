//! Stream values: files and payloads written by real Redis 7.0.15 (`tests/fixtures/`),
//! hand-built type 15 and 21 values, round trips through our writer, damaged input, and
//! (when installed) a real redis-server loading what we write.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;
use crate::persistence::rdb::encodings::ListpackBuilder;
use crate::types::stream::{
    Consumer, ConsumerGroup, Fields, MissingSeq, NodeLimits, PendingEntry, Stream, StreamId,
};

// ---- helpers -----------------------------------------------------------------------

/// A fixture of this repository (`tests/fixtures/`).
fn local_fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

fn sid(text: &str) -> StreamId {
    StreamId::parse(text.as_bytes(), MissingSeq::Zero).expect("valid ID")
}

/// Field/value pairs from text.
fn pairs(flat: &[&str]) -> Vec<(Vec<u8>, Vec<u8>)> {
    flat.chunks_exact(2).map(|p| (b(p[0]), b(p[1]))).collect()
}

/// One node as the tests see it: master ID, live entries, deleted count.
type NodeShape = (StreamId, Vec<(StreamId, Vec<(Vec<u8>, Vec<u8>)>)>, usize);

/// A stream's whole observable state, comparable with `==` (the model's size estimates
/// left out).
#[derive(Debug, PartialEq)]
struct Shape {
    nodes: Vec<NodeShape>,
    len: u64,
    last_id: StreamId,
    first_id: StreamId,
    max_deleted_id: StreamId,
    entries_added: u64,
    groups: BTreeMap<Vec<u8>, ConsumerGroup>,
}

fn shape(s: &Stream) -> Shape {
    let nodes = s
        .nodes()
        .map(|n| {
            let entries = n
                .entries
                .iter()
                .map(|(id, f)| {
                    (
                        *id,
                        f.pairs().map(|(k, v)| (k.to_vec(), v.to_vec())).collect(),
                    )
                })
                .collect();
            (n.master_id, entries, n.deleted)
        })
        .collect();
    Shape {
        nodes,
        len: s.len(),
        last_id: s.last_id,
        first_id: s.first_id,
        max_deleted_id: s.max_deleted_id,
        entries_added: s.entries_added,
        groups: s.groups.clone(),
    }
}

/// The shape our writer preserves: every node's deleted count becomes 0.
fn without_tombstones(mut shape: Shape) -> Shape {
    for node in &mut shape.nodes {
        node.2 = 0;
    }
    shape
}

fn stream_of(value: &RdbValue) -> &Stream {
    match value {
        RdbValue::Stream(s) => s,
        other => panic!("not a stream: {other:?}"),
    }
}

/// A pending entry.
fn nack(consumer: &str, delivery_time: i64, delivery_count: u64) -> PendingEntry {
    PendingEntry {
        consumer: b(consumer),
        delivery_time,
        delivery_count,
    }
}

/// A group with the given PEL; each consumer's list is derived from it.
fn group(
    last_id: &str,
    entries_read: Option<u64>,
    pel: &[(&str, PendingEntry)],
    consumers: &[(&str, i64)],
) -> ConsumerGroup {
    let mut g = ConsumerGroup::new(sid(last_id), entries_read);
    for (name, seen_time) in consumers {
        let pending = pel
            .iter()
            .filter(|(_, p)| p.consumer == name.as_bytes())
            .map(|(id, _)| sid(id))
            .collect();
        g.consumers.insert(
            b(name),
            Consumer {
                seen_time: *seen_time,
                pending,
            },
        );
    }
    g.pending = pel.iter().map(|(id, p)| (sid(id), p.clone())).collect();
    g
}

// ---- real Redis 7.0.15 -------------------------------------------------------------

/// What `s` holds in `redis-7.0.15-streams.rdb` and `redis-7.0.15-stream-s.dump` (as
/// `XINFO STREAM s FULL` showed it): four nodes (stream-node-max-entries 4, and two
/// entries too large to share a 4096-byte node), two of them with a deleted entry,
/// SAMEFIELDS and differing fields, integers of every width, a 100-byte value, an LZF
/// compressed listpack, three groups.
fn expected_s() -> Shape {
    let big = "compress me ".repeat(400);
    let v100 = "v".repeat(100);
    Shape {
        nodes: vec![
            (
                sid("1-1"),
                vec![
                    (sid("1-1"), pairs(&["a", "1", "b", "2"])),
                    (sid("2-0"), pairs(&["c", "hello"])),
                    (sid("3-0"), pairs(&["a", "x", "b", "y"])),
                ],
                1,
            ),
            (
                sid("4-0"),
                vec![
                    (sid("5-5"), pairs(&["a", &v100, "b", ""])),
                    (sid("6-0"), pairs(&["", ""])),
                    (
                        sid("1700000000000-7"),
                        pairs(&[
                            "num",
                            "9223372036854775807",
                            "neg",
                            "-9223372036854775808",
                            "zero",
                            "0",
                            "float",
                            "1.5",
                            "lead",
                            "007",
                        ]),
                    ),
                ],
                1,
            ),
            (
                sid("1700000000001-0"),
                vec![(sid("1700000000001-0"), pairs(&["a", &big, "b", "2"]))],
                0,
            ),
            (
                sid("1700000000002-0"),
                vec![(sid("1700000000002-0"), pairs(&["a", "1", "b", "2"]))],
                0,
            ),
        ],
        len: 8,
        last_id: sid("1700000000002-0"),
        first_id: sid("1-1"),
        max_deleted_id: sid("4-0"),
        entries_added: 10,
        groups: BTreeMap::from([
            (
                b("g1"),
                group(
                    "6-0",
                    None,
                    &[
                        ("1-1", nack("alice", 1796551937456, 2)),
                        ("3-0", nack("alice", 1796551937456, 2)),
                        ("5-5", nack("bob", 1796551937420, 1)),
                        ("6-0", nack("bob", 1796551937420, 1)),
                    ],
                    &[
                        ("alice", 1796551937456),
                        ("bob", 1796551937420),
                        ("carol", 1796551937431),
                    ],
                ),
            ),
            (b("g2"), group("1700000000002-0", None, &[], &[])),
            (
                b("g3"),
                group(
                    "3-0",
                    None,
                    &[("3-0", nack("dave", 1796551937462, 1))],
                    &[("dave", 1796551937462)],
                ),
            ),
        ]),
    }
}

/// What `t` holds: trimmed to 3 entries (its first node keeps 3 deleted entries), then
/// XSETID 20-0 ENTRIESADDED 15 MAXDELETEDID 12-0.
fn expected_t() -> Shape {
    Shape {
        nodes: vec![
            (sid("5-0"), vec![(sid("8-0"), pairs(&["f", "8"]))], 3),
            (
                sid("9-0"),
                vec![
                    (sid("9-0"), pairs(&["f", "9"])),
                    (sid("10-0"), pairs(&["f", "10"])),
                ],
                0,
            ),
        ],
        len: 3,
        last_id: sid("20-0"),
        first_id: sid("8-0"),
        max_deleted_id: sid("12-0"),
        entries_added: 15,
        groups: BTreeMap::new(),
    }
}

/// `empty`: XADD empty MAXLEN 0 1-1 x y, then a group at `$`.
fn expected_empty() -> Shape {
    Shape {
        nodes: Vec::new(),
        len: 0,
        last_id: sid("1-1"),
        first_id: sid("0-0"),
        max_deleted_id: sid("0-0"),
        entries_added: 1,
        groups: BTreeMap::from([(b("grp"), group("1-1", None, &[], &[]))]),
    }
}

/// `mk`: XGROUP CREATE mk g $ MKSTREAM.
fn expected_mk() -> Shape {
    Shape {
        nodes: Vec::new(),
        len: 0,
        last_id: sid("0-0"),
        first_id: sid("0-0"),
        max_deleted_id: sid("0-0"),
        entries_added: 0,
        groups: BTreeMap::from([(b("g"), group("0-0", None, &[], &[]))]),
    }
}

#[test]
fn redis_70_stream_rdb_is_read_exactly() {
    let bytes = local_fixture("redis-7.0.15-streams.rdb");
    assert!(bytes.starts_with(b"REDIS0010"));
    let entries = read_entries(&bytes).unwrap();
    let keys: Vec<&[u8]> = entries.iter().map(|e| e.key.as_slice()).collect();
    assert_eq!(keys, [&b"mk"[..], b"t", b"s", b"empty"]);
    let by_key = |k: &str| entries.iter().find(|e| e.key == k.as_bytes()).unwrap();
    assert_eq!(shape(stream_of(&by_key("s").value)), expected_s());
    assert_eq!(shape(stream_of(&by_key("t").value)), expected_t());
    assert_eq!(shape(stream_of(&by_key("empty").value)), expected_empty());
    assert_eq!(shape(stream_of(&by_key("mk").value)), expected_mk());
    assert_eq!(by_key("t").expire_ms, Some(4_102_444_800_000));
    assert_eq!(by_key("s").expire_ms, None);
    for e in &entries {
        assert_eq!(e.value.type_name(), "stream");
    }
}

#[test]
fn redis_70_stream_payloads_are_read_exactly() {
    let s = restore_payload(&local_fixture("redis-7.0.15-stream-s.dump")).unwrap();
    assert_eq!(shape(stream_of(&s)), expected_s());
    // `redis-cli --raw DUMP t` on the same server.
    let t = hex_decode(
        "130210000000000000000500000000000000003a3a0000001900010103010101816602000103010001\
         000105010401030101010001060104010301020100010701040102010301000108010401ff10000000\
         0000000009000000000000000026260000000f000201000101018166020001020100010001090104\
         010201010100010a010401ff03140008000c000f000a008785ce333c5dc618",
    );
    assert_eq!(
        shape(stream_of(&restore_payload(&t).unwrap())),
        expected_t()
    );
}

#[test]
fn damaged_stream_files_never_panic() {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let original = local_fixture("redis-7.0.15-streams.rdb");
    for _ in 0..3000 {
        let mut bytes = original.clone();
        for _ in 0..(1 + next() % 3) {
            let i = 9 + (next() as usize) % (bytes.len() - 9);
            bytes[i] = next() as u8;
        }
        let _ = read_to_end_unchecked(&bytes, next() % 2 == 0);
    }
    for cut in (10..original.len()).step_by(7) {
        assert!(
            read_to_end_unchecked(&original[..cut], false).is_err(),
            "cut at {cut}"
        );
    }
}

// ---- hand-built values: types 15 and 21, and damage -------------------------------

/// A listpack element for [`listpack`].
enum El<'a> {
    I(i64),
    S(&'a str),
}

fn listpack(elements: &[El<'_>]) -> Vec<u8> {
    let mut lp = ListpackBuilder::new();
    for e in elements {
        match e {
            El::I(n) => lp.push_int(*n),
            El::S(s) => lp.push_bytes(s.as_bytes()),
        }
    }
    lp.finish().unwrap()
}

/// An RDB length, in the shortest form.
fn len(n: u64) -> Vec<u8> {
    if n < 64 {
        vec![n as u8]
    } else if n < 1 << 14 {
        vec![0x40 | (n >> 8) as u8, n as u8]
    } else {
        let mut v = vec![0x81];
        v.extend_from_slice(&n.to_be_bytes());
        v
    }
}

/// An RDB string, verbatim.
fn string(s: &[u8]) -> Vec<u8> {
    let mut v = len(s.len() as u64);
    v.extend_from_slice(s);
    v
}

/// An ID as two lengths.
fn id_lens(id: &str) -> Vec<u8> {
    let id = sid(id);
    [len(id.ms), len(id.seq)].concat()
}

/// A consumer group as written by hand.
struct RawGroup<'a> {
    name: &'a str,
    last: &'a str,
    /// Written in types 19 and 21 only.
    entries_read: u64,
    pel: Vec<(&'a str, i64, u64)>,
    /// Name, seen time, active time (type 21 only), PEL IDs.
    consumers: Vec<(&'a str, i64, i64, Vec<&'a str>)>,
}

/// A stream value body built by hand.
struct RawStream<'a> {
    nodes: Vec<(Vec<u8>, Vec<u8>)>,
    length: u64,
    last: &'a str,
    /// First ID, max deleted ID, entries added: types 19 and 21 only.
    v2: (&'a str, &'a str, u64),
    groups: Vec<RawGroup<'a>>,
}

impl RawStream<'_> {
    fn body(&self, value_type: u8) -> Vec<u8> {
        let v2 = value_type != format::TYPE_STREAM_LISTPACKS;
        let mut out = len(self.nodes.len() as u64);
        for (key, lp) in &self.nodes {
            out.extend(string(key));
            out.extend(string(lp));
        }
        out.extend(len(self.length));
        out.extend(id_lens(self.last));
        if v2 {
            out.extend(id_lens(self.v2.0));
            out.extend(id_lens(self.v2.1));
            out.extend(len(self.v2.2));
        }
        out.extend(len(self.groups.len() as u64));
        for g in &self.groups {
            out.extend(string(g.name.as_bytes()));
            out.extend(id_lens(g.last));
            if v2 {
                out.extend(len(g.entries_read));
            }
            out.extend(len(g.pel.len() as u64));
            for (id, time, count) in &g.pel {
                out.extend(sid(id).to_be_bytes());
                out.extend(time.to_le_bytes());
                out.extend(len(*count));
            }
            out.extend(len(g.consumers.len() as u64));
            for (name, seen, active, ids) in &g.consumers {
                out.extend(string(name.as_bytes()));
                out.extend(seen.to_le_bytes());
                if value_type == format::TYPE_STREAM_LISTPACKS_3 {
                    out.extend(active.to_le_bytes());
                }
                out.extend(len(ids.len() as u64));
                for id in ids {
                    out.extend(sid(id).to_be_bytes());
                }
            }
        }
        out
    }

    /// Reads the body as a one-key RDB file of `value_type`.
    fn read(&self, value_type: u8) -> Result<Stream, RdbError> {
        let entries = read_entries(&rdb_with(value_type, &self.body(value_type)))?;
        Ok(stream_of(&entries[0].value).clone())
    }
}

/// One node keyed 5-0: 5-0 {a 1 b 2} (same fields), 6-0 deleted, 7-3 {c hello}.
fn sample_node() -> Vec<El<'static>> {
    use El::{I, S};
    vec![
        // Master entry: 2 live, 1 deleted, fields a and b, terminator.
        I(2),
        I(1),
        I(2),
        S("a"),
        S("b"),
        I(0),
        // 5-0, SAMEFIELDS: values only, lp-count 2 + 3.
        I(2),
        I(0),
        I(0),
        S("1"),
        S("2"),
        I(5),
        // 6-0, deleted (and SAMEFIELDS).
        I(3),
        I(1),
        I(0),
        S("x"),
        S("y"),
        I(5),
        // 7-3, its own field: count, field, value, lp-count 1 + 3 + 1 + 1.
        I(0),
        I(2),
        I(3),
        I(1),
        S("c"),
        S("hello"),
        I(6),
    ]
}

fn sample_raw() -> RawStream<'static> {
    RawStream {
        nodes: vec![(sid("5-0").to_be_bytes().to_vec(), listpack(&sample_node()))],
        length: 2,
        last: "9-0",
        v2: ("5-0", "6-0", 3),
        groups: vec![
            RawGroup {
                name: "g",
                last: "7-3",
                entries_read: 2,
                pel: vec![("5-0", 1000, 3), ("7-3", 1500, 1)],
                consumers: vec![
                    ("alice", 2000, 2500, vec!["5-0"]),
                    ("bob", 3000, 3500, vec!["7-3"]),
                ],
            },
            RawGroup {
                name: "h",
                last: "9-0",
                entries_read: u64::MAX,
                pel: Vec::new(),
                consumers: vec![("idle", 4000, 4500, Vec::new())],
            },
            RawGroup {
                name: "i",
                last: "1-0",
                entries_read: 0,
                pel: Vec::new(),
                consumers: Vec::new(),
            },
        ],
    }
}

/// The nodes of [`sample_raw`] as the model holds them.
fn sample_nodes() -> Vec<NodeShape> {
    vec![(
        sid("5-0"),
        vec![
            (sid("5-0"), pairs(&["a", "1", "b", "2"])),
            (sid("7-3"), pairs(&["c", "hello"])),
        ],
        1,
    )]
}

#[test]
fn type_19_and_21_hand_built() {
    for value_type in [
        format::TYPE_STREAM_LISTPACKS_2,
        format::TYPE_STREAM_LISTPACKS_3,
    ] {
        let s = sample_raw().read(value_type).unwrap();
        let expected = Shape {
            nodes: sample_nodes(),
            len: 2,
            last_id: sid("9-0"),
            first_id: sid("5-0"),
            max_deleted_id: sid("6-0"),
            entries_added: 3,
            groups: BTreeMap::from([
                (
                    b("g"),
                    group(
                        "7-3",
                        Some(2),
                        &[
                            ("5-0", nack("alice", 1000, 3)),
                            ("7-3", nack("bob", 1500, 1)),
                        ],
                        &[("alice", 2000), ("bob", 3000)],
                    ),
                ),
                (b("h"), group("9-0", None, &[], &[("idle", 4000)])),
                (b("i"), group("1-0", Some(0), &[], &[])),
            ]),
        };
        assert_eq!(shape(&s), expected, "type {value_type}");
    }
}

/// Type 15 (Redis 5.0, which no installed server writes): the fields it lacks are
/// derived as Redis 7.0's loader does.
#[test]
fn type_15_hand_built() {
    let s = sample_raw().read(format::TYPE_STREAM_LISTPACKS).unwrap();
    let expected = Shape {
        nodes: sample_nodes(),
        len: 2,
        last_id: sid("9-0"),
        // The first live entry; no known tombstone; as many added as there are.
        first_id: sid("5-0"),
        max_deleted_id: sid("0-0"),
        entries_added: 2,
        groups: BTreeMap::from([
            (
                b("g"),
                // Inside the stream: unknowable.
                group(
                    "7-3",
                    None,
                    &[
                        ("5-0", nack("alice", 1000, 3)),
                        ("7-3", nack("bob", 1500, 1)),
                    ],
                    &[("alice", 2000), ("bob", 3000)],
                ),
            ),
            // At the last ID: every entry read; before the first: none.
            (b("h"), group("9-0", Some(2), &[], &[("idle", 4000)])),
            (b("i"), group("1-0", Some(0), &[], &[])),
        ]),
    };
    assert_eq!(shape(&s), expected);
}

/// Reads `raw` as type 19 and returns the error's message.
fn refusal(raw: &RawStream<'_>) -> String {
    let err = raw.read(format::TYPE_STREAM_LISTPACKS_2).unwrap_err();
    assert!(
        matches!(
            err.kind,
            RdbErrorKind::BadEncoding(_) | RdbErrorKind::IntegrityCheck { .. }
        ) && !err.is_recoverable(),
        "{err}"
    );
    err.to_string()
}

#[test]
fn inconsistent_streams_are_refused() {
    let check = |what: &str, change: &dyn Fn(&mut RawStream<'static>), expected: &str| {
        let mut raw = sample_raw();
        change(&mut raw);
        let msg = refusal(&raw);
        assert!(msg.contains(expected), "{what}: {msg}");
    };
    check(
        "listpack that does not decode",
        &|r| r.nodes[0].1[0] ^= 1,
        "listpack total-bytes",
    );
    check(
        "empty listpack",
        &|r| r.nodes[0].1 = listpack(&[]),
        "empty listpack in a stream",
    );
    check(
        "node key of 15 bytes",
        &|r| r.nodes[0].0.truncate(15),
        "16-byte stream ID",
    );
    check(
        "repeated node key",
        &|r| {
            r.nodes.push(r.nodes[0].clone());
            r.length = 4;
        },
        "out of order or repeated",
    );
    check(
        "length off by one",
        &|r| r.length = 3,
        "length does not match",
    );
    check(
        "last ID below the last entry",
        &|r| r.last = "7-2",
        "last ID is below",
    );
    check(
        "consumer PEL ID missing from the group PEL",
        &|r| r.groups[0].consumers[0].3.push("9-9"),
        "missing from its group PEL",
    );
    check(
        "pending entry owned twice",
        &|r| r.groups[0].consumers[1].3.push("5-0"),
        "listed twice",
    );
    check(
        "pending entry without a consumer",
        &|r| r.groups[0].consumers[1].3.clear(),
        "without a consumer",
    );
    check(
        "duplicate PEL entry",
        &|r| r.groups[0].pel.push(("5-0", 1, 1)),
        "duplicate entry in a consumer group PEL",
    );
    check(
        "duplicate consumer",
        &|r| r.groups[1].consumers.push(("idle", 1, 1, Vec::new())),
        "Duplicate stream consumer detected",
    );
    check(
        "duplicate group",
        &|r| {
            r.groups[2].name = "g";
        },
        "duplicate consumer group",
    );
    let node_with = |change: &dyn Fn(&mut Vec<El<'static>>)| {
        let mut els = sample_node();
        change(&mut els);
        listpack(&els)
    };
    check(
        "wrong lp-count",
        &|r| r.nodes[0].1 = node_with(&|e| e[11] = El::I(6)),
        "lp-count",
    );
    check(
        "live count off",
        &|r| r.nodes[0].1 = node_with(&|e| e[0] = El::I(3)),
        "counts do not match",
    );
    check(
        "deleted count off",
        &|r| r.nodes[0].1 = node_with(&|e| e[1] = El::I(0)),
        "counts do not match",
    );
    check(
        "master entry not terminated",
        &|r| r.nodes[0].1 = node_with(&|e| e[5] = El::I(7)),
        "master entry",
    );
    check(
        "IDs out of order",
        &|r| r.nodes[0].1 = node_with(&|e| e[19] = El::I(0)),
        "out of order",
    );
    check(
        "entry below its master ID",
        &|r| r.nodes[0].1 = node_with(&|e| e[7] = El::I(-1)),
        "out of order",
    );
    check(
        "entry cut short",
        &|r| {
            r.nodes[0].1 = node_with(&|e| {
                e.truncate(23);
            })
        },
        "ends inside an entry",
    );
    check(
        "a flag that is not an integer",
        &|r| r.nodes[0].1 = node_with(&|e| e[6] = El::S("two")),
        "flags",
    );
}

// ---- our writer --------------------------------------------------------------------

/// A stream built through the model: nodes of at most 3 entries, deletions (one node
/// losing all its entries, so 4 are left), SAMEFIELDS and differing fields, integer-like and
/// non-canonical numbers, empty fields, a 5000-byte value, an ID delta that wraps
/// (seq below the master's), groups with PELs, consumers with and without pending
/// entries, a group named like an integer.
fn sample_stream() -> Stream {
    let limits = NodeLimits {
        max_bytes: 0,
        max_entries: 3,
    };
    let long = "x".repeat(5000);
    let mid = "m".repeat(100);
    let mut s = Stream::new();
    let entries: [(&str, Vec<&str>); 13] = [
        ("1-1", vec!["a", "1", "b", "2"]),
        ("1-2", vec!["a", "3", "b", "4"]),
        ("2-0", vec!["c", "hello"]),
        (
            "5-10",
            vec!["a", "-9223372036854775808", "b", "9223372036854775807"],
        ),
        ("6-0", vec!["a", "007", "b", "-0"]),
        ("7-0", vec!["", ""]),
        ("8-0", vec!["long", &long, "mid", &mid]),
        ("9-0", vec!["a", "1", "b", "2"]),
        ("10-0", vec!["1", "2", "-3", "+4"]),
        ("11-0", vec!["a", "x"]),
        ("12-0", vec!["a", "y"]),
        ("13-0", vec!["a", "z"]),
        ("1700000000000-0", vec!["a", "4096", "b", "-4097"]),
    ];
    for (id, flat) in entries {
        let flat: Vec<Vec<u8>> = flat.iter().map(|x| b(x)).collect();
        s.append(sid(id), Fields::from_flat(&flat), limits);
    }
    for id in ["1-2", "6-0", "9-0", "11-0", "12-0", "13-0"] {
        assert!(s.delete(sid(id)));
    }
    let mut g1 = ConsumerGroup::new(sid("8-0"), Some(7));
    g1.consumer(b"alice", 100);
    g1.consumer(b"bob", 200);
    g1.consumer(b"carol", 300);
    g1.set_pending(sid("1-1"), b"alice", 1000, 1);
    g1.set_pending(sid("2-0"), b"alice", 1001, 3);
    g1.set_pending(sid("8-0"), b"bob", -5, u64::MAX >> 1);
    s.groups.insert(b("g1"), g1);
    s.groups
        .insert(b("123"), ConsumerGroup::new(sid("0-0"), None));
    s
}

/// An empty stream whose last entry was deleted, with a group and an idle consumer;
/// and a stream that never had entries (XGROUP CREATE ... MKSTREAM).
fn empty_streams() -> [Stream; 2] {
    let mut emptied = Stream::new();
    let flat = [b("x"), b("y")];
    emptied.append(sid("1-1"), Fields::from_flat(&flat), NodeLimits::default());
    assert!(emptied.delete(sid("1-1")));
    let mut g = ConsumerGroup::new(sid("1-1"), Some(1));
    g.consumer(b"c", 42);
    emptied.groups.insert(b("g"), g);
    let mut never = Stream::new();
    never
        .groups
        .insert(b("g"), ConsumerGroup::new(StreamId::MIN, None));
    [emptied, never]
}

#[test]
fn sample_stream_has_the_shapes_the_tests_need() {
    let s = sample_stream();
    let nodes: Vec<(StreamId, usize, usize)> = s
        .nodes()
        .map(|n| (n.master_id, n.entries.len(), n.deleted))
        .collect();
    assert_eq!(
        nodes,
        [
            (sid("1-1"), 2, 1),
            (sid("5-10"), 2, 1),
            (sid("8-0"), 2, 1),
            (sid("1700000000000-0"), 1, 0),
        ]
    );
    assert_eq!((s.len(), s.entries_added), (7, 13));
    assert_eq!(s.max_deleted_id, sid("13-0"));
}

#[test]
fn streams_round_trip_through_files() {
    let mut streams = vec![sample_stream()];
    streams.extend(empty_streams());
    for compression in [true, false] {
        let mut w = RdbWriter::with_options(
            Vec::new(),
            WriteOptions {
                compression,
                version: version_for(true),
                ..WriteOptions::default()
            },
        );
        w.write_header().unwrap();
        w.write_select_db(0).unwrap();
        for (i, s) in streams.iter().enumerate() {
            let value = RdbValue::Stream(Arc::new(s.clone()));
            let expire = (i == 1).then_some(FAR_FUTURE_MS);
            w.write_entry(format!("s{i}").as_bytes(), &value, expire)
                .unwrap();
        }
        w.write_string_object(b"plain", Elem::Int(1), None).unwrap();
        let bytes = w.finish().unwrap();
        assert!(bytes.starts_with(b"REDIS0010"));
        let entries = read_entries(&bytes).unwrap();
        assert_eq!(entries.len(), 4);
        for (i, s) in streams.iter().enumerate() {
            let e = &entries[i];
            assert_eq!(e.key, format!("s{i}").into_bytes());
            assert_eq!(e.expire_ms, (i == 1).then_some(FAR_FUTURE_MS));
            assert_eq!(
                shape(stream_of(&e.value)),
                without_tombstones(shape(s)),
                "stream {i}, compression {compression}"
            );
        }
    }
}

#[test]
fn streams_round_trip_through_payloads() {
    let mut streams = vec![sample_stream()];
    streams.extend(empty_streams());
    for s in streams {
        let payload = dump_payload(&RdbValue::Stream(Arc::new(s.clone())));
        assert_eq!(payload[0], format::TYPE_STREAM_LISTPACKS_2);
        let n = payload.len();
        assert_eq!(payload[n - 10..n - 8], 10u16.to_le_bytes(), "version 10");
        let back = restore_payload(&payload).unwrap();
        assert_eq!(shape(stream_of(&back)), without_tombstones(shape(&s)));
    }
    // Other values keep version 9.
    let payload = dump_payload(&RdbValue::String(b("v")));
    assert_eq!(payload[payload.len() - 10..payload.len() - 8], [9, 0]);
}

/// A stream read from Redis comes back from our writer the same, deleted counts aside.
#[test]
fn redis_streams_survive_our_writer() {
    let bytes = local_fixture("redis-7.0.15-streams.rdb");
    for e in read_entries(&bytes).unwrap() {
        let back = restore_payload(&dump_payload(&e.value)).unwrap();
        assert_eq!(
            shape(stream_of(&back)),
            without_tombstones(shape(stream_of(&e.value)))
        );
    }
}

/// Our payload byte for byte as Redis 7.0.15's `DUMP k` after `XADD k 5-0 f 8`,
/// `XADD k 6-0 f 9`, `XADD k 7-1 g v h 30000`, `XGROUP CREATE k grp 5-0 ENTRIESREAD 1`,
/// `XREADGROUP GROUP grp alice COUNT 1 STREAMS k >`: the node listpack (master entry,
/// SAMEFIELDS, deltas, integer elements, lp-counts), the metadata and the group.
#[test]
fn payload_matches_redis_byte_for_byte() {
    let mut s = Stream::new();
    for (id, flat) in [
        ("5-0", &["f", "8"][..]),
        ("6-0", &["f", "9"]),
        ("7-1", &["g", "v", "h", "30000"]),
    ] {
        let flat: Vec<Vec<u8>> = flat.iter().map(|x| b(x)).collect();
        s.append(sid(id), Fields::from_flat(&flat), NodeLimits::default());
    }
    let time = 1796552612909;
    s.groups.insert(
        b("grp"),
        group(
            "6-0",
            Some(2),
            &[("6-0", nack("alice", time, 1))],
            &[("alice", time)],
        ),
    );
    let redis = hex_decode(
        "130110000000000000000500000000000000003d3d0000001800030100010101816602000102010001\
         000108010401020101010001090104010001020101010201816702817602816802f130750308\
         01ff0307010500000003010367727006000201000000000000000600000000000000002d5ce14a\
         a2010000010105616c6963652d5ce14aa201000001000000000000000600000000000000000a009d\
         90e0b55bb5de2f",
    );
    let ours = dump_payload(&RdbValue::Stream(Arc::new(s)));
    assert_eq!(ours, redis);
    // The same listpack from the test builder, element by element.
    let lp = listpack(&[
        El::I(3),
        El::I(0),
        El::I(1),
        El::S("f"),
        El::I(0),
        El::I(2),
        El::I(0),
        El::I(0),
        El::S("8"),
        El::I(4),
        El::I(2),
        El::I(1),
        El::I(0),
        El::S("9"),
        El::I(4),
        El::I(0),
        El::I(2),
        El::I(1),
        El::I(2),
        El::S("g"),
        El::S("v"),
        El::S("h"),
        El::S("30000"),
        El::I(8),
    ]);
    let mut prefix = vec![format::TYPE_STREAM_LISTPACKS_2, 1];
    prefix.extend(string(&sid("5-0").to_be_bytes()));
    prefix.extend(string(&lp));
    assert_eq!(redis[..prefix.len()], prefix[..]);
}

// ---- a real redis-server, when installed -------------------------------------------

/// Real Redis 7.0 checks (redis-check-rdb, with deep sanitisation) and loads our stream
/// RDB and payloads, and holds what we wrote.
#[test]
fn real_redis_loads_our_streams() {
    use real_redis::{cli, cli_stdin};
    if !real_redis::installed("redis-server") || !real_redis::installed("redis-cli") {
        println!("skipped: redis-server not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let [emptied, never] = empty_streams();
    let mut w = RdbWriter::with_options(
        Vec::new(),
        WriteOptions {
            version: version_for(true),
            ..WriteOptions::default()
        },
    );
    w.write_header().unwrap();
    w.write_select_db(0).unwrap();
    for (key, s) in [
        ("s", sample_stream()),
        ("emptied", emptied),
        ("never", never),
    ] {
        w.write_entry(key.as_bytes(), &RdbValue::Stream(Arc::new(s)), None)
            .unwrap();
    }
    std::fs::write(dir.path().join("streams.rdb"), w.finish().unwrap()).unwrap();
    if real_redis::installed("redis-check-rdb") {
        let status = std::process::Command::new("redis-check-rdb")
            .arg(dir.path().join("streams.rdb"))
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run redis-check-rdb");
        assert!(status.success(), "redis-check-rdb rejected our streams");
    }
    let server = real_redis::start(dir.path(), "streams.rdb");
    let port = server.port;
    assert_eq!(cli(port, 0, &["XLEN", "s"]), "7");
    assert_eq!(
        cli(port, 0, &["XRANGE", "s", "-", "+", "COUNT", "2"]).replace('\n', " "),
        "1-1 a 1 b 2 2-0 c hello"
    );
    assert_eq!(
        cli(port, 0, &["XRANGE", "s", "10-0", "10-0"]).replace('\n', " "),
        "10-0 1 2 -3 +4"
    );
    assert_eq!(
        cli(port, 0, &["XRANGE", "s", "8-0", "8-0"]).lines().nth(2),
        Some("x".repeat(5000).as_str())
    );
    assert_eq!(
        cli(port, 0, &["XRANGE", "s", "5-10", "5-10"]).replace('\n', " "),
        "5-10 a -9223372036854775808 b 9223372036854775807"
    );
    let info = cli(port, 0, &["XINFO", "STREAM", "s"]).replace('\n', " ");
    for part in [
        "length 7",
        "radix-tree-keys 4",
        "last-generated-id 1700000000000-0",
        "max-deleted-entry-id 13-0",
        "entries-added 13",
        "recorded-first-entry-id 1-1",
        "groups 2",
    ] {
        assert!(info.contains(part), "{part} in {info}");
    }
    let groups = cli(port, 0, &["XINFO", "GROUPS", "s"]).replace('\n', " ");
    assert!(
        groups.contains("name g1 consumers 3 pending 3 last-delivered-id 8-0 entries-read 7"),
        "{groups}"
    );
    // ID, consumer, idle time, delivery count per entry.
    let pending = cli(port, 0, &["XPENDING", "s", "g1", "-", "+", "10"]);
    let pending: Vec<&str> = pending.lines().collect();
    assert_eq!(pending.len(), 12, "{pending:?}");
    assert_eq!(
        [pending[0], pending[1], pending[3], pending[4], pending[7], pending[8], pending[9]],
        ["1-1", "alice", "1", "2-0", "3", "8-0", "bob"]
    );
    assert_eq!(pending[11], (u64::MAX >> 1).to_string());
    let emptied = cli(port, 0, &["XINFO", "STREAM", "emptied"]).replace('\n', " ");
    assert!(emptied.contains("length 0") && emptied.contains("last-generated-id 1-1"));
    assert_eq!(
        cli(port, 0, &["XINFO", "CONSUMERS", "emptied", "g"])
            .lines()
            .nth(1),
        Some("c")
    );
    assert_eq!(cli(port, 0, &["TYPE", "never"]), "stream");
    // Our payloads RESTORE, deep-sanitised.
    assert_eq!(
        cli(port, 0, &["CONFIG", "SET", "sanitize-dump-payload", "yes"]),
        "OK"
    );
    let reply = cli_stdin(
        port,
        0,
        &["RESTORE", "restored", "0"],
        Some(&dump_payload(&RdbValue::Stream(Arc::new(sample_stream())))),
    );
    assert_eq!(reply, "OK");
    assert_eq!(cli(port, 0, &["XLEN", "restored"]), "7");
}

/// The AOF rewrite's commands for Redis's own streams rebuild them in a real Redis 7.0:
/// the same entries, IDs, counters, groups, PELs (delivery times and counts) and
/// consumers (their seen times become the time of the rebuild, as in Redis).
#[test]
fn real_redis_rebuilds_streams_from_our_aof_commands() {
    use crate::persistence::aof::rewrite::value_to_commands;
    use crate::types::Value;
    if !real_redis::installed("redis-server") || !real_redis::installed("redis-cli") {
        println!("skipped: redis-server not installed");
        return;
    }
    let entries = read_entries(&local_fixture("redis-7.0.15-streams.rdb")).unwrap();
    let mut input = Vec::new();
    for e in &entries {
        let value = Value::Stream(stream_of(&e.value).clone().into());
        for cmd in value_to_commands(&e.key, &value) {
            crate::protocol::encode_command(&mut input, &cmd);
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let server = real_redis::start(dir.path(), "none.rdb");
    let mut pipe = std::process::Command::new("redis-cli")
        .args(["-p", &server.port.to_string(), "--pipe"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("redis-cli --pipe");
    {
        use std::io::Write;
        let mut stdin = pipe.stdin.take().unwrap();
        stdin.write_all(&input).unwrap();
    }
    let out = pipe.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("errors: 0"), "{report}");
    /// What the commands can restore: entries, counters, groups without seen times.
    fn logical(s: &Stream) -> (Vec<NodeShape>, Shape) {
        let mut shape = shape(s);
        let entries = std::mem::take(&mut shape.nodes)
            .into_iter()
            .flat_map(|(_, entries, _)| entries)
            .map(|e| (StreamId::MIN, vec![e], 0))
            .collect();
        for g in shape.groups.values_mut() {
            for c in g.consumers.values_mut() {
                c.seen_time = 0;
            }
        }
        (entries, shape)
    }
    for e in &entries {
        let key = String::from_utf8(e.key.clone()).unwrap();
        let dump = std::process::Command::new("redis-cli")
            .args(["-p", &server.port.to_string(), "--raw", "DUMP", &key])
            .output()
            .unwrap()
            .stdout;
        let rebuilt = restore_payload(&dump[..dump.len() - 1]).unwrap();
        assert_eq!(
            logical(stream_of(&rebuilt)),
            logical(stream_of(&e.value)),
            "{key}"
        );
    }
}
