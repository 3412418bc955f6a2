//! DEBUG DIGEST and DEBUG DIGEST-VALUE, computed exactly as Redis 7.0 computes them, so a
//! dataset loaded in ferrodis and in Redis gives the same 40 hex digits.
//!
//! The building blocks are two SHA-1 based operations on a 20-byte state: *xor* (order
//! does not matter: set members, hash fields, keys) and *mix* (order matters: list items,
//! the parts of one element). A key's digest starts from zero, mixes the key name, then
//! the value: its type code, its elements, and a marker if the key has a TTL (the expire
//! time itself is not hashed). The dataset digest mixes each non-empty database's index,
//! in ascending order, and xors in the digests of its keys.
//!
//! ```text
//! DEBUG DIGEST-VALUE k   ->  value_digest(has_ttl, |d| digest_list(d, items))
//! DEBUG DIGEST           ->  DatasetDigest::new(); add_key(db, key, has_ttl, |d| ...) ...; finish()
//! ```

use super::numbers::format_double;
use sha1_smol::Sha1;
use std::fmt;

/// A 20-byte digest state (all zeros when nothing was added).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Digest([u8; 20]);

/// The text xored into a key's digest when the key has an expire time.
const EXPIRE_MARKER: &[u8] = b"!!expire!!";

impl Digest {
    /// The all-zero digest (empty dataset, missing key).
    pub fn zero() -> Self {
        Digest([0; 20])
    }

    /// True if all 20 bytes are zero.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 20]
    }

    /// The raw 20 bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// Xors SHA1(`data`) into the state (Redis `xorDigest`): commutative.
    pub fn xor_bytes(&mut self, data: &[u8]) {
        let hash = Sha1::from(data).digest().bytes();
        for (d, h) in self.0.iter_mut().zip(hash) {
            *d ^= h;
        }
    }

    /// Xors SHA1 of another digest's 20 bytes into the state (how element and key digests
    /// are folded into their container).
    pub fn xor_digest(&mut self, other: &Digest) {
        self.xor_bytes(&other.0);
    }

    /// Replaces the state with SHA1(state xor SHA1(`data`)) (Redis `mixDigest`): order
    /// dependent, and mixing "foo" then "bar" differs from mixing "fo" then "obar".
    pub fn mix_bytes(&mut self, data: &[u8]) {
        self.xor_bytes(data);
        self.0 = Sha1::from(self.0).digest().bytes();
    }

    /// Adds the marker Redis adds for a key that has an expire time.
    pub fn add_expire_marker(&mut self) {
        self.xor_bytes(EXPIRE_MARKER);
    }

    /// Lower-case hex, 40 characters: the text of the DEBUG DIGEST status reply.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{:02x}", b)).collect()
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Redis object type codes, the first thing hashed for every value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ValueType {
    String = 0,
    List = 1,
    Set = 2,
    ZSet = 3,
    Hash = 4,
    Stream = 6,
}

/// Mixes a value's type code (a 32-bit big-endian integer).
fn mix_type(d: &mut Digest, t: ValueType) {
    d.mix_bytes(&(t as u32).to_be_bytes());
}

/// Adds a string value (integer-encoded strings as their decimal text).
pub fn digest_string(d: &mut Digest, value: &[u8]) {
    mix_type(d, ValueType::String);
    d.mix_bytes(value);
}

/// Adds a list value, items from head to tail (order matters).
pub fn digest_list<'a>(d: &mut Digest, items: impl IntoIterator<Item = &'a [u8]>) {
    mix_type(d, ValueType::List);
    for item in items {
        d.mix_bytes(item);
    }
}

/// Adds a set value, members in any order (integers as decimal text).
pub fn digest_set<'a>(d: &mut Digest, members: impl IntoIterator<Item = &'a [u8]>) {
    mix_type(d, ValueType::Set);
    for member in members {
        d.xor_bytes(member);
    }
}

/// Adds a hash value, (field, value) pairs in any order.
pub fn digest_hash<'a>(d: &mut Digest, pairs: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) {
    mix_type(d, ValueType::Hash);
    for (field, value) in pairs {
        d.xor_digest(&pair_digest(field, value));
    }
}

/// Adds a sorted set value, (member, score) pairs in any order; scores are hashed as
/// their `"%.17g"` text. Note: Redis reads listpack-encoded scores back through the
/// listpack text, so a score of `-0` hashes as `"0"` in a listpack zset and `"-0"` in a
/// skiplist one; pass the score as the encoding holds it.
pub fn digest_zset<'a>(d: &mut Digest, pairs: impl IntoIterator<Item = (&'a [u8], f64)>) {
    mix_type(d, ValueType::ZSet);
    for (member, score) in pairs {
        d.xor_digest(&pair_digest(member, format_double(score).as_bytes()));
    }
}

/// Adds a stream value: entries in ID order as (ms, seq, fields), each entry's fields in
/// stored order. Consumer groups are not part of the digest, as in Redis.
pub fn digest_stream<'a, F>(d: &mut Digest, entries: impl IntoIterator<Item = (u64, u64, F)>)
where
    F: IntoIterator<Item = (&'a [u8], &'a [u8])>,
{
    mix_type(d, ValueType::Stream);
    for (ms, seq, fields) in entries {
        d.mix_bytes(format!("{}.{}", ms, seq).as_bytes());
        for (field, value) in fields {
            d.mix_bytes(field);
            d.mix_bytes(value);
        }
    }
}

/// Digest of one (field, value) or (member, score text) element: both mixed into zero.
fn pair_digest(a: &[u8], b: &[u8]) -> Digest {
    let mut e = Digest::zero();
    e.mix_bytes(a);
    e.mix_bytes(b);
    e
}

/// DEBUG DIGEST-VALUE of one existing key: `fill` adds the value with one of the
/// `digest_*` functions; `has_expire` adds the TTL marker. (A missing key is
/// [`Digest::zero`].)
pub fn value_digest(has_expire: bool, fill: impl FnOnce(&mut Digest)) -> Digest {
    let mut d = Digest::zero();
    fill(&mut d);
    if has_expire {
        d.add_expire_marker();
    }
    d
}

/// DEBUG DIGEST-VALUE of a string key without TTL.
pub fn string_value_digest(value: &[u8]) -> Digest {
    value_digest(false, |d| digest_string(d, value))
}

/// DEBUG DIGEST-VALUE of a list key without TTL.
pub fn list_value_digest<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Digest {
    value_digest(false, |d| digest_list(d, items))
}

/// DEBUG DIGEST-VALUE of a set key without TTL.
pub fn set_value_digest<'a>(members: impl IntoIterator<Item = &'a [u8]>) -> Digest {
    value_digest(false, |d| digest_set(d, members))
}

/// DEBUG DIGEST-VALUE of a hash key without TTL.
pub fn hash_value_digest<'a>(pairs: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) -> Digest {
    value_digest(false, |d| digest_hash(d, pairs))
}

/// DEBUG DIGEST-VALUE of a sorted set key without TTL.
pub fn zset_value_digest<'a>(pairs: impl IntoIterator<Item = (&'a [u8], f64)>) -> Digest {
    value_digest(false, |d| digest_zset(d, pairs))
}

/// Keys were given to [`DatasetDigest::add_key`] out of database order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DbOrderError {
    /// The database whose keys were being added.
    pub current: u32,
    /// The lower database that was then given.
    pub given: u32,
}

impl fmt::Display for DbOrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "digest: key of db {} added after keys of db {}",
            self.given, self.current
        )
    }
}

impl std::error::Error for DbOrderError {}

/// Accumulates DEBUG DIGEST over the whole dataset. Feed every key of db 0, then every
/// key of db 1, and so on (keys within a db in any order; empty dbs are simply skipped).
#[derive(Clone, Debug, Default)]
pub struct DatasetDigest {
    result: Digest,
    current_db: Option<u32>,
}

impl DatasetDigest {
    /// An empty accumulator (its digest is 40 zeros).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one key: `fill` adds its value with one of the `digest_*` functions,
    /// `has_expire` says whether it has a TTL. Fails if `db` is lower than the database of
    /// the previous key.
    pub fn add_key(
        &mut self,
        db: u32,
        key: &[u8],
        has_expire: bool,
        fill: impl FnOnce(&mut Digest),
    ) -> Result<(), DbOrderError> {
        self.enter_db(db)?;
        let mut d = Digest::zero();
        d.mix_bytes(key);
        fill(&mut d);
        if has_expire {
            d.add_expire_marker();
        }
        self.result.xor_digest(&d);
        Ok(())
    }

    /// Mixes the db index the first time a key of `db` arrives.
    fn enter_db(&mut self, db: u32) -> Result<(), DbOrderError> {
        match self.current_db {
            Some(current) if db < current => Err(DbOrderError { current, given: db }),
            Some(current) if db == current => Ok(()),
            _ => {
                self.result.mix_bytes(&db.to_be_bytes());
                self.current_db = Some(db);
                Ok(())
            }
        }
    }

    /// The DEBUG DIGEST result.
    pub fn finish(self) -> Digest {
        self.result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from redis-server 7.0.15 (DEBUG DIGEST / DEBUG DIGEST-VALUE) after:
    //   SELECT 0
    //   SET s1 hello; SET s2 12345; SET s3 ""
    //   RPUSH l1 a b 3 c; SADD set1 x y z; SADD set2 1 2 3 -5; HSET h1 f1 v1 f2 2
    //   ZADD z1 1 a 2.5 b 1.1 c -inf d
    //   XADD st1 1-1 name alice age 30; XADD st1 2-5 name bob
    //   SET sx expiring; PEXPIREAT sx 4102444800000
    //   RPUSH l2 item-0 .. item-199; ZADD z2 0.5 m0 1.5 m1 .. 199.5 m199   (skiplist)
    //   SELECT 1: SET s1 hello; RPUSH lx 1; PEXPIREAT lx 4102444800000
    //   SELECT 5: HSET h2 field0 value0 .. field599 value599                (hashtable)
    const DATASET: &str = "41b379191b62ec82d965610850bceb01fea80012";

    fn l2() -> Vec<Vec<u8>> {
        (0..200)
            .map(|i| format!("item-{}", i).into_bytes())
            .collect()
    }

    fn z2() -> Vec<(Vec<u8>, f64)> {
        (0..200)
            .map(|i| (format!("m{}", i).into_bytes(), f64::from(i) + 0.5))
            .collect()
    }

    fn h2() -> Vec<(Vec<u8>, Vec<u8>)> {
        (0..600)
            .map(|i| {
                (
                    format!("field{}", i).into_bytes(),
                    format!("value{}", i).into_bytes(),
                )
            })
            .collect()
    }

    const L1: [&[u8]; 4] = [b"a", b"b", b"3", b"c"];
    const H1: [(&[u8], &[u8]); 2] = [(b"f1", b"v1"), (b"f2", b"2")];
    const Z1: [(&[u8], f64); 4] = [
        (b"a", 1.0),
        (b"b", 2.5),
        (b"c", 1.1),
        (b"d", f64::NEG_INFINITY),
    ];
    type Fields = &'static [(&'static [u8], &'static [u8])];
    const ST1: [(u64, u64, Fields); 2] = [
        (1, 1, &[(b"name", b"alice"), (b"age", b"30")]),
        (2, 5, &[(b"name", b"bob")]),
    ];

    /// Adds the value of test key `name` (as created above) to `d`.
    fn fill(name: &str, d: &mut Digest) {
        match name {
            "s1" => digest_string(d, b"hello"),
            "s2" => digest_string(d, b"12345"),
            "s3" => digest_string(d, b""),
            "sx" => digest_string(d, b"expiring"),
            "l1" => digest_list(d, L1),
            "l2" => digest_list(d, l2().iter().map(Vec::as_slice)),
            "lx" => digest_list(d, [&b"1"[..]]),
            "set1" => digest_set(d, [&b"z"[..], b"x", b"y"]),
            "set2" => digest_set(d, [&b"-5"[..], b"1", b"2", b"3"]),
            "h1" => digest_hash(d, H1),
            "h2" => digest_hash(d, h2().iter().map(|(f, v)| (f.as_slice(), v.as_slice()))),
            "z1" => digest_zset(d, Z1),
            "z2" => digest_zset(d, z2().iter().map(|(m, s)| (m.as_slice(), *s))),
            "st1" => digest_stream(
                d,
                ST1.iter().map(|&(ms, seq, f)| (ms, seq, f.iter().copied())),
            ),
            _ => unreachable!("unknown test key {}", name),
        }
    }

    #[test]
    fn digest_value_matches_redis() {
        let cases = [
            ("s1", false, "36b23a1456b2dce2c3ed252c456761301dba8060"),
            ("s2", false, "e1cf90774e995ae03de66e8109dc5cb9d9c2dc83"),
            ("s3", false, "8b3447c33a834b810e3e181b6fd6a2ee1020921c"),
            ("l1", false, "226c2112f4bc5d6412d156490c291101b43ddc83"),
            ("l2", false, "fb4726755b9288a13b4266031a42168bfb30ca42"),
            ("set1", false, "0fd9977d57e46b1b9b87439f5ac5b338416ccc24"),
            ("set2", false, "5e497276f46b9037a75afe0286ef7a77cbed85e4"),
            ("h1", false, "fc076e867f7dbf566ea58172a151d82d78b8f845"),
            ("z1", false, "4ca0684437f65a2469759d0780de8733b4427c9c"),
            ("z2", false, "937445ff242e15ef242ca63dff3f5f56c902345b"),
            ("st1", false, "afa67d2ad31fa225bc0ffbadff84187425259a13"),
            ("sx", true, "63d99281bfa61587bdf03638b69ee7a444f4856a"),
            ("lx", true, "3fc14867170a5967d8cc515a6c1e6310229a46e1"),
            ("h2", false, "9d76021bfcbe883a80dd5d8b1a8bb466c04601c3"),
        ];
        for (name, ttl, want) in cases {
            assert_eq!(
                value_digest(ttl, |d| fill(name, d)).to_hex(),
                want,
                "{}",
                name
            );
        }
    }

    #[test]
    fn convenience_value_digests_match_redis() {
        assert_eq!(
            string_value_digest(b"hello").to_hex(),
            "36b23a1456b2dce2c3ed252c456761301dba8060"
        );
        assert_eq!(
            list_value_digest(L1).to_hex(),
            "226c2112f4bc5d6412d156490c291101b43ddc83"
        );
        assert_eq!(
            set_value_digest([&b"y"[..], b"z", b"x"]).to_hex(),
            "0fd9977d57e46b1b9b87439f5ac5b338416ccc24"
        );
        assert_eq!(
            hash_value_digest(H1).to_hex(),
            "fc076e867f7dbf566ea58172a151d82d78b8f845"
        );
        assert_eq!(
            zset_value_digest(Z1).to_hex(),
            "4ca0684437f65a2469759d0780de8733b4427c9c"
        );
    }

    #[test]
    fn dataset_digest_matches_redis() {
        let db0 = [
            "s1", "s2", "s3", "l1", "l2", "set1", "set2", "h1", "z1", "z2", "st1", "sx",
        ];
        let mut dd = DatasetDigest::new();
        // Reverse order within a db must not matter.
        for name in db0.iter().rev() {
            let ok = dd.add_key(0, name.as_bytes(), *name == "sx", |d| fill(name, d));
            assert_eq!(ok, Ok(()));
        }
        assert_eq!(dd.add_key(1, b"lx", true, |d| fill("lx", d)), Ok(()));
        assert_eq!(dd.add_key(1, b"s1", false, |d| fill("s1", d)), Ok(()));
        assert_eq!(dd.add_key(5, b"h2", false, |d| fill("h2", d)), Ok(()));
        assert_eq!(dd.finish().to_hex(), DATASET);
    }

    #[test]
    fn small_datasets_match_redis() {
        assert!(DatasetDigest::new().finish().is_zero());
        assert_eq!(DatasetDigest::new().finish().to_hex(), "0".repeat(40));
        // SET a b (db 0); then also SET a b in db 3; then DEL a from db 0.
        let mut one = DatasetDigest::new();
        assert_eq!(
            one.add_key(0, b"a", false, |d| digest_string(d, b"b")),
            Ok(())
        );
        let mut two = one.clone();
        assert_eq!(
            one.finish().to_hex(),
            "479783d7290f02957dfbe3408a858ba13eea1709"
        );
        assert_eq!(
            two.add_key(3, b"a", false, |d| digest_string(d, b"b")),
            Ok(())
        );
        assert_eq!(
            two.finish().to_hex(),
            "0f9362b5548e001416dcf69ab48bd718ef882ab0"
        );
        let mut only3 = DatasetDigest::new();
        assert_eq!(
            only3.add_key(3, b"a", false, |d| digest_string(d, b"b")),
            Ok(())
        );
        assert_eq!(
            only3.finish().to_hex(),
            "6f2502455ec3cdf224fad483e1e33ba79b1484e6"
        );
    }

    #[test]
    fn negative_zero_scores_follow_the_encoding() {
        // ZADD zneg -0 <100 x 'a'> (skiplist) and ZADD zneg2 -0 m (listpack), Redis 7.0.15.
        let long = vec![b'a'; 100];
        let skiplist = zset_value_digest([(long.as_slice(), -0.0)]);
        assert_eq!(
            skiplist.to_hex(),
            "db02ac5dd74ff1da7385b50082bcbd648143d50f"
        );
        let listpack = zset_value_digest([(&b"m"[..], 0.0)]);
        assert_eq!(
            listpack.to_hex(),
            "669bd9943b43e6b31f3ab60847ee6a38dd154aba"
        );
    }

    #[test]
    fn db_order_is_enforced() {
        let mut dd = DatasetDigest::new();
        assert_eq!(
            dd.add_key(2, b"a", false, |d| digest_string(d, b"b")),
            Ok(())
        );
        assert_eq!(
            dd.add_key(1, b"a", false, |d| digest_string(d, b"b")),
            Err(DbOrderError {
                current: 2,
                given: 1
            })
        );
    }

    #[test]
    fn list_order_matters_and_set_order_does_not() {
        let ab = list_value_digest([&b"a"[..], b"b"]);
        let ba = list_value_digest([&b"b"[..], b"a"]);
        assert_ne!(ab, ba);
        assert_eq!(
            set_value_digest([&b"a"[..], b"b"]),
            set_value_digest([&b"b"[..], b"a"])
        );
    }
}
