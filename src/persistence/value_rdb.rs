//! Our keyspace values in their RDB encodings, written straight from the value (no owned
//! copy of its elements), for snapshots (RDB files, AOF bases, full syncs) and DUMP.
//!
//! The encodings are the most compact ones that RDB version 9 has, so that Redis 5.0
//! through 7.x load them, and the sizes stay close to what Redis 7 writes with its
//! listpacks (a small collection is one blob, LZF-compressed when that pays, instead
//! of one length-prefixed string per element):
//!
//! * lists: a quicklist of ziplists (type 14), one ziplist per packed node of ours;
//! * hashes and sorted sets in their listpack encoding: one ziplist (types 13 and 12);
//! * sets in their intset encoding: an intset (type 11);
//! * everything else in the plain form (hash type 4, sorted set type 5, set type 2),
//!   as Redis writes its hash tables and skiplists; streams as type 19.

use std::io::Write;

use super::rdb::{dump_payload, dump_payload_with, Elem, RdbError, RdbValue, RdbWriter};
use crate::types::{hash, list, Value};

/// A list with a node larger than this is written in the plain form: a ziplist
/// addresses at most 4 GiB (only a list holding a single huge element comes near).
const ZIPLIST_SAFE_BYTES: usize = 1 << 31;

/// Writes `value` under `key` (None: a DUMP body, type byte and value only); the
/// expiry and access opcodes, if any, are already written.
pub fn write_value<W: Write>(
    w: &mut RdbWriter<W>,
    key: Option<&[u8]>,
    value: &Value,
) -> Result<(), RdbError> {
    match value {
        Value::Int(n) => w.write_string_value(key, Elem::Int(*n), None),
        Value::Str(s) => w.write_string_value(key, Elem::Bytes(s.as_bytes()), None),
        Value::Buf(b) => w.write_string_value(key, Elem::Bytes(b.as_slice()), None),
        Value::List(l) if l.largest_node_bytes() < ZIPLIST_SAFE_BYTES => {
            w.begin_list_quicklist(key, l.node_count(), None)?;
            l.try_for_each_node(|elems| w.write_ziplist_node(elems.map(list_elem)))
        }
        Value::List(l) => {
            let mut items = Vec::with_capacity(l.len());
            l.for_each(|item| items.push(item.to_vec()));
            w.write_list_object(key, items.len(), items.iter().map(Elem::from), None)
        }
        Value::Hash(h) => {
            let pairs = h.items();
            let pairs = pairs.iter().map(|&(f, v)| (hash_item(f), hash_item(v)));
            if h.is_packed() {
                w.write_hash_ziplist(key, pairs, None)
            } else {
                w.write_hash_object(key, h.len(), pairs, None)
            }
        }
        Value::Set(s) if s.is_intset() => {
            let mut members = Vec::with_capacity(s.len());
            s.for_each_item(|m| {
                if let hash::Item::Int(n) = m {
                    members.push(n);
                }
            });
            w.write_intset_object(key, &members, None)
        }
        Value::Set(s) => {
            let members = s.items();
            w.write_set_object(
                key,
                members.len(),
                members.iter().map(|&m| hash_item(m)),
                None,
            )
        }
        Value::ZSet(z) => {
            let mut pairs = Vec::with_capacity(z.len());
            z.range(0, z.len(), false, |m, score| pairs.push((m, score)));
            let pairs = pairs.iter().map(|&(m, score)| (Elem::Bytes(m), score));
            if z.is_compact() {
                w.write_zset_ziplist(key, pairs, None)
            } else {
                w.write_zset_object(key, z.len(), pairs, None)
            }
        }
        Value::Stream(s) => w.write_value(key, &RdbValue::Stream(s.clone()), None),
    }
}

/// The DUMP payload of `value`: its body as [`write_value`] writes it, the RDB version
/// and the CRC-64.
pub fn dump_value(value: &Value) -> Vec<u8> {
    let has_stream = matches!(value, Value::Stream(_));
    match dump_payload_with(has_stream, |w| write_value(w, None, value)) {
        Ok(payload) => payload,
        // Writing to a Vec cannot fail, and our values hold no NaN score and no ziplist
        // over 4 GiB; stay total anyway with the codec's plain form of the value.
        Err(_) => dump_payload(&value.to_rdb()),
    }
}

/// A list element as the writer takes it.
fn list_elem(e: list::Elem<'_>) -> Elem<'_> {
    match e {
        list::Elem::Int(n) => Elem::Int(n),
        list::Elem::Str(s) => Elem::Bytes(s),
    }
}

/// A hash field or value, or a set member (the same type), as the writer takes it.
fn hash_item(e: hash::Item<'_>) -> Elem<'_> {
    match e {
        hash::Item::Int(n) => Elem::Int(n),
        hash::Item::Bytes(b) => Elem::Bytes(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persistence::rdb::format::*;
    use crate::persistence::rdb::restore_payload;
    use crate::types::EncodingLimits;

    fn bytes(items: &[&str]) -> Vec<Vec<u8>> {
        items.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    /// DUMPs `value`, checks the payload's type byte, and RESTOREs it to the same
    /// contents (scores compared bit for bit).
    fn assert_round_trip(value: &Value, type_byte: u8) {
        let payload = dump_value(value);
        assert_eq!(payload[0], type_byte, "{:?}", value.to_rdb());
        let back = restore_payload(&payload).unwrap();
        match (back, value.to_rdb()) {
            (RdbValue::ZSet(got), RdbValue::ZSet(want)) => {
                let bits = |p: Vec<(Vec<u8>, f64)>| -> Vec<(Vec<u8>, u64)> {
                    p.into_iter().map(|(m, s)| (m, s.to_bits())).collect()
                };
                assert_eq!(bits(got), bits(want));
            }
            (got, want) => assert_eq!(got, want),
        }
    }

    #[test]
    fn every_encoding_round_trips_in_its_compact_rdb_form() {
        let limits = EncodingLimits::default();
        let from = |v: RdbValue, l: &EncodingLimits| Value::from_rdb(v, l).unwrap();
        assert_round_trip(&Value::Int(-5), TYPE_STRING);
        assert_round_trip(&Value::string(b"text"), TYPE_STRING);

        let small = from(RdbValue::List(bytes(&["a", "1", "-70000", ""])), &limits);
        assert_round_trip(&small, TYPE_LIST_QUICKLIST);
        // Many nodes, some of them held compressed.
        let items: Vec<Vec<u8>> = (0..20_000)
            .map(|i| format!("element-{}", i % 77).into_bytes())
            .collect();
        let deep = EncodingLimits {
            list_compress_depth: 1,
            ..EncodingLimits::default()
        };
        let long = from(RdbValue::List(items), &deep);
        match &long {
            Value::List(l) => assert!(l.node_count() > 5 && l.compressed_node_count() > 0),
            _ => unreachable!(),
        }
        assert_round_trip(&long, TYPE_LIST_QUICKLIST);

        let pairs = |n: usize| -> Vec<(Vec<u8>, Vec<u8>)> {
            (0..n)
                .map(|i| {
                    (
                        format!("f{i}").into_bytes(),
                        format!("{}", i * 3).into_bytes(),
                    )
                })
                .collect()
        };
        assert_round_trip(&from(RdbValue::Hash(pairs(5)), &limits), TYPE_HASH_ZIPLIST);
        assert_round_trip(&from(RdbValue::Hash(pairs(600)), &limits), TYPE_HASH);

        assert_round_trip(
            &from(
                RdbValue::Set(bytes(&["3", "-9223372036854775808", "7"])),
                &limits,
            ),
            TYPE_SET_INTSET,
        );
        assert_round_trip(&from(RdbValue::Set(bytes(&["a", "1"])), &limits), TYPE_SET);

        let scores = [
            0.1,
            -0.0,
            0.0,
            1.5,
            1e300,
            -1e-300,
            5e-324,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            9_007_199_254_740_992.0,
            -9_007_199_254_740_991.0,
            123_456_789.125,
        ];
        let zpairs: Vec<(Vec<u8>, f64)> = scores
            .iter()
            .enumerate()
            .map(|(i, &s)| (format!("m{i}").into_bytes(), s))
            .collect();
        let compact = from(RdbValue::ZSet(zpairs.clone()), &limits);
        assert!(matches!(&compact, Value::ZSet(z) if z.is_compact()));
        assert_round_trip(&compact, TYPE_ZSET_ZIPLIST);
        let tiny = EncodingLimits {
            zset_max_listpack_entries: 2,
            ..EncodingLimits::default()
        };
        let skiplist = from(RdbValue::ZSet(zpairs), &tiny);
        assert!(matches!(&skiplist, Value::ZSet(z) if !z.is_compact()));
        assert_round_trip(&skiplist, TYPE_ZSET_2);
    }
}
