//! Integration tests of the geo family against the real binary. The scripts' expected
//! replies were captured byte for byte from redis-server 7.0.15 running the same
//! commands on an empty database; when a redis-server is installed the scripts are
//! replayed against it too, and random indexes and searches are compared reply for
//! reply. The other tests check what the scripts cannot: keyspace events, propagation,
//! keyspace hit and miss counts, and the command table rows.

mod common;

use common::{ask, run_script, start_redis_server, RawConn, Script, TestServer};

const BASICS: Script = &[
    (&["geoadd", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"], b":2\r\n"),
    (&["geoadd", "Sicily", "13.361389", "38.115556", "Palermo"], b":0\r\n"),
    (&["geoadd", "Sicily", "ch", "13.361390", "38.115556", "Palermo", "14", "37", "new"], b":1\r\n"),
    (&["geoadd", "Sicily", "nx", "0", "0", "Palermo", "1", "1", "nx1"], b":1\r\n"),
    (&["geoadd", "Sicily", "xx", "ch", "0", "0", "nx1", "2", "2", "notthere"], b":1\r\n"),
    (&["geoadd", "Sicily", "xx", "nx", "0", "0", "x"], b"-ERR syntax error\r\n"),
    (&["geoadd", "Sicily", "nx", "xx", "0", "0", "x"], b"-ERR syntax error\r\n"),
    (&["geoadd", "Sicily", "ch", "ch", "ch"], b"-ERR syntax error\r\n"),
    (&["geoadd", "Sicily", "gt", "0", "0", "x"], b"-ERR syntax error\r\n"),
    (&["geoadd", "Sicily", "gt", "0", "0"], b"-ERR value is not a valid float\r\n"),
    (&["geoadd", "Sicily", "0", "0", "x", "1"], b"-ERR syntax error\r\n"),
    (&["geoadd", "Sicily", "0", "0"], b"-ERR wrong number of arguments for 'geoadd' command\r\n"),
    (&["geoadd", "Sicily", "abc", "0", "x"], b"-ERR value is not a valid float\r\n"),
    (&["geoadd", "Sicily", "0", "abc", "x"], b"-ERR value is not a valid float\r\n"),
    (&["geoadd", "Sicily", "0", "nan", "x"], b"-ERR value is not a valid float\r\n"),
    (&["geoadd", "Sicily", "180.0000001", "0", "x"], b"-ERR invalid longitude,latitude pair 180.000000,0.000000\r\n"),
    (&["geoadd", "Sicily", "0", "85.05112879", "x"], b"-ERR invalid longitude,latitude pair 0.000000,85.051129\r\n"),
    (&["geoadd", "Sicily", "0", "-85.05112879", "x"], b"-ERR invalid longitude,latitude pair 0.000000,-85.051129\r\n"),
    (&["geoadd", "Sicily", "180", "85.05112878", "ne"], b":1\r\n"),
    (&["geoadd", "Sicily", "-180", "-85.05112878", "sw"], b":1\r\n"),
    (&["geoadd", "Sicily", "-180", "85.05112878", "nw"], b":1\r\n"),
    (&["geoadd", "Sicily", "180", "-85.05112878", "se"], b":1\r\n"),
    (&["geoadd", "Sicily", "1", "1", "ok", "500", "0", "bad"], b"-ERR invalid longitude,latitude pair 500.000000,0.000000\r\n"),
    (&["geopos", "Sicily", "ok", "bad"], b"*2\r\n*-1\r\n*-1\r\n"),
    (&["geoadd", "Sicily", "0.0078125", "1e-300", "tiny"], b":1\r\n"),
    (&["geoadd", "Sicily", "1e20", "1", "x"], b"-ERR invalid longitude,latitude pair 100000000000000000000.000000,1.000000\r\n"),
    (&["geoadd", "Sicily", "-1e20", "-inf", "x"], b"-ERR invalid longitude,latitude pair -100000000000000000000.000000,-inf\r\n"),
    (&["geoadd", "Sicily", "0x10", "0x1p3", "hex"], b":1\r\n"),
    (&["geopos", "Sicily", "hex", "tiny", "ne", "sw", "nw", "se"], b"*6\r\n*2\r\n$20\r\n16.00000172853469849\r\n$19\r\n7.99999947522560007\r\n*2\r\n$19\r\n0.00781327486038208\r\n$19\r\n0.00000126736058093\r\n*2\r\n$3\r\n180\r\n$19\r\n85.0511287799999991\r\n*2\r\n$22\r\n-179.99999731779098511\r\n$21\r\n-85.05112751263942528\r\n*2\r\n$22\r\n-179.99999731779098511\r\n$19\r\n85.0511287799999991\r\n*2\r\n$3\r\n180\r\n$21\r\n-85.05112751263942528\r\n"),
    (&["zrange", "Sicily", "0", "-1", "withscores"], b"*20\r\n$2\r\nsw\r\n$1\r\n0\r\n$3\r\nnx1\r\n$16\r\n3377699720527872\r\n$4\r\ntiny\r\n$16\r\n3377699722791424\r\n$3\r\nhex\r\n$16\r\n3392691375764113\r\n$3\r\nnew\r\n$16\r\n3476101302610854\r\n$7\r\nPalermo\r\n$16\r\n3479099956230698\r\n$7\r\nCatania\r\n$16\r\n3479447370796909\r\n$2\r\nnw\r\n$16\r\n4503599627370496\r\n$2\r\nse\r\n$16\r\n9007199254740992\r\n$2\r\nne\r\n$17\r\n13510798882111488\r\n"),
    (&["geopos", "Sicily"], b"*0\r\n"),
    (&["geopos", "Sicily", "Palermo", "nope", "Catania"], b"*3\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n"),
    (&["geopos", "nokey", "a", "b"], b"*2\r\n*-1\r\n*-1\r\n"),
    (&["geopos", "nokey"], b"*0\r\n"),
    (&["geohash", "Sicily", "Palermo", "Catania", "nope", "ne", "sw", "nw", "se", "tiny", "hex"], b"*9\r\n$11\r\nsqc8b49rny0\r\n$11\r\nsqdtr74hyu0\r\n$-1\r\n$11\r\nbp05b5048p0\r\n$11\r\n00bh0hbj200\r\n$11\r\nbp05b5048p0\r\n$11\r\n00bh0hbj200\r\n$11\r\ns00000j8n00\r\n$11\r\ns37ms06g750\r\n"),
    (&["geohash", "nokey", "a"], b"*1\r\n$-1\r\n"),
    (&["geohash", "Sicily"], b"*0\r\n"),
    (&["geodist", "Sicily", "Palermo", "Catania"], b"$11\r\n166274.1516\r\n"),
    (&["geodist", "Sicily", "Palermo", "Catania", "km"], b"$8\r\n166.2742\r\n"),
    (&["geodist", "Sicily", "Palermo", "Catania", "KM"], b"$8\r\n166.2742\r\n"),
    (&["geodist", "Sicily", "Palermo", "Catania", "mi"], b"$8\r\n103.3182\r\n"),
    (&["geodist", "Sicily", "Palermo", "Catania", "ft"], b"$11\r\n545518.8700\r\n"),
    (&["geodist", "Sicily", "Palermo", "Catania", "M"], b"$11\r\n166274.1516\r\n"),
    (&["geodist", "Sicily", "Palermo", "Catania", "yd"], b"-ERR unsupported unit provided. please use M, KM, FT, MI\r\n"),
    (&["geodist", "Sicily", "Palermo", "Catania", "km", "x"], b"-ERR syntax error\r\n"),
    (&["geodist", "Sicily", "Palermo", "Palermo"], b"$6\r\n0.0000\r\n"),
    (&["geodist", "Sicily", "Palermo", "nope"], b"$-1\r\n"),
    (&["geodist", "nokey", "a", "b"], b"$-1\r\n"),
    (&["geodist", "nokey", "a", "b", "badunit"], b"-ERR unsupported unit provided. please use M, KM, FT, MI\r\n"),
    (&["geodist", "Sicily", "ne", "sw"], b"$13\r\n18919844.5891\r\n"),
    (&["geodist", "Sicily", "ne", "nw"], b"$6\r\n0.0257\r\n"),
    (&["geodist", "Sicily", "ne", "se", "km"], b"$10\r\n18919.8446\r\n"),
    (&["geodist", "Sicily", "sw", "se", "km"], b"$6\r\n0.0000\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["geoadd", "str", "0", "0", "a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["geopos", "str", "a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["geohash", "str", "a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["geodist", "str", "a", "b"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["geodist", "str", "a", "b", "badunit"], b"-ERR unsupported unit provided. please use M, KM, FT, MI\r\n"),
    (&["georadius", "str", "0", "0", "1", "km"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["georadius", "str", "0", "0", "1", "km", "store", "d"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["georadiusbymember", "str", "a", "1", "km"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["georadius_ro", "str", "0", "0", "1", "km"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["georadiusbymember_ro", "str", "a", "1", "km"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["geosearch", "str", "fromlonlat", "0", "0", "byradius", "1", "km"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["geosearchstore", "d", "str", "fromlonlat", "0", "0", "byradius", "1", "km"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["geosearchstore", "str", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km"], b":3\r\n"),
    (&["type", "str"], b"+zset\r\n"),
    (&["zrange", "str", "0", "-1", "withscores"], b"*6\r\n$3\r\nnew\r\n$16\r\n3476101302610854\r\n$7\r\nPalermo\r\n$16\r\n3479099956230698\r\n$7\r\nCatania\r\n$16\r\n3479447370796909\r\n"),
    (&["zadd", "z", "-1", "a", "1e300", "b", "inf", "c", "-inf", "d", "0", "e", "4503599627370496", "f", "4503599627370495", "g", "9.3e18", "h", "1.8446744073709552e19", "i", "0.5", "j"], b":10\r\n"),
    (&["geopos", "z", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], b"*10\r\n*2\r\n$3\r\n180\r\n$19\r\n85.0511287799999991\r\n*2\r\n$22\r\n-179.99999731779098511\r\n$21\r\n-85.05112751263942528\r\n*2\r\n$22\r\n-179.99999731779098511\r\n$21\r\n-85.05112751263942528\r\n*2\r\n$3\r\n180\r\n$21\r\n-85.05112751263942528\r\n*2\r\n$22\r\n-179.99999731779098511\r\n$21\r\n-85.05112751263942528\r\n*2\r\n$22\r\n-179.99999731779098511\r\n$19\r\n85.0511287799999991\r\n*2\r\n$21\r\n179.99999731779098511\r\n$20\r\n85.05112751263942528\r\n*2\r\n$3\r\n180\r\n$19\r\n85.0511287799999991\r\n*2\r\n$22\r\n-179.99999731779098511\r\n$21\r\n-85.05112751263942528\r\n*2\r\n$22\r\n-179.99999731779098511\r\n$21\r\n-85.05112751263942528\r\n"),
    (&["geohash", "z", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], b"*10\r\n$11\r\nbp05b5048p0\r\n$11\r\n00bh0hbj200\r\n$11\r\n00bh0hbj200\r\n$11\r\n00bh0hbj200\r\n$11\r\n00bh0hbj200\r\n$11\r\nbp05b5048p0\r\n$11\r\nzzpgzgpfxz0\r\n$11\r\nbp05b5048p0\r\n$11\r\n00bh0hbj200\r\n$11\r\n00bh0hbj200\r\n"),
    (&["geodist", "z", "a", "d"], b"$13\r\n18919844.5891\r\n"),
    (&["geodist", "z", "e", "g"], b"$13\r\n18919844.4481\r\n"),
    (&["geodist", "z", "f", "h", "mi"], b"$6\r\n0.0000\r\n"),
    (&["georadius", "z", "0", "0", "20000", "km", "withhash", "withcoord", "withdist", "asc"], b"*3\r\n*4\r\n$1\r\ng\r\n$10\r\n10560.8118\r\n:4503599627370495\r\n*2\r\n$21\r\n179.99999731779098511\r\n$20\r\n85.05112751263942528\r\n*4\r\n$1\r\ne\r\n$10\r\n10560.8118\r\n:0\r\n*2\r\n$22\r\n-179.99999731779098511\r\n$21\r\n-85.05112751263942528\r\n*4\r\n$1\r\nj\r\n$10\r\n10560.8118\r\n:0\r\n*2\r\n$22\r\n-179.99999731779098511\r\n$21\r\n-85.05112751263942528\r\n"),
];

const SEARCHES: Script = &[
    (&["geoadd", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania", "13.583333", "37.316667", "Agrigento", "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2"], b":5\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km"], b"*3\r\n$9\r\nAgrigento\r\n$7\r\nPalermo\r\n$7\r\nCatania\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "asc"], b"*3\r\n$7\r\nCatania\r\n$9\r\nAgrigento\r\n$7\r\nPalermo\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "desc"], b"*3\r\n$7\r\nPalermo\r\n$9\r\nAgrigento\r\n$7\r\nCatania\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "withdist"], b"*3\r\n*2\r\n$9\r\nAgrigento\r\n$8\r\n130.4235\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "withcoord"], b"*3\r\n*2\r\n$9\r\nAgrigento\r\n*2\r\n$19\r\n13.5833314061164856\r\n$20\r\n37.31666804993816555\r\n*2\r\n$7\r\nPalermo\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*2\r\n$7\r\nCatania\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "withhash"], b"*3\r\n*2\r\n$9\r\nAgrigento\r\n:3479030013248308\r\n*2\r\n$7\r\nPalermo\r\n:3479099956230698\r\n*2\r\n$7\r\nCatania\r\n:3479447370796909\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "WITHCOORD", "WITHDIST", "WITHHASH", "DESC"], b"*3\r\n*4\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n:3479099956230698\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*4\r\n$9\r\nAgrigento\r\n$8\r\n130.4235\r\n:3479030013248308\r\n*2\r\n$19\r\n13.5833314061164856\r\n$20\r\n37.31666804993816555\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "count", "2"], b"*2\r\n$7\r\nCatania\r\n$9\r\nAgrigento\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "count", "2", "desc"], b"*2\r\n$7\r\nPalermo\r\n$9\r\nAgrigento\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "count", "2", "any"], b"*2\r\n$9\r\nAgrigento\r\n$7\r\nPalermo\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "any", "count", "1", "withdist"], b"*1\r\n*2\r\n$9\r\nAgrigento\r\n$8\r\n130.4235\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "count", "2", "any", "asc"], b"*2\r\n$9\r\nAgrigento\r\n$7\r\nPalermo\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "count", "2", "any", "desc"], b"*2\r\n$7\r\nPalermo\r\n$9\r\nAgrigento\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "any"], b"-ERR the ANY argument requires COUNT argument\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "count", "0"], b"-ERR COUNT must be > 0\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "count", "-1"], b"-ERR COUNT must be > 0\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "count", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "count"], b"-ERR syntax error\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "count", "99999999999999999999"], b"-ERR value is not an integer or out of range\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "count", "100"], b"*3\r\n$7\r\nCatania\r\n$9\r\nAgrigento\r\n$7\r\nPalermo\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "bogus"], b"-ERR syntax error\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "yd"], b"-ERR unsupported unit provided. please use M, KM, FT, MI\r\n"),
    (&["georadius", "Sicily", "15", "37", "-1", "km"], b"-ERR radius cannot be negative\r\n"),
    (&["georadius", "Sicily", "15", "37", "abc", "km"], b"-ERR need numeric radius\r\n"),
    (&["georadius", "Sicily", "181", "37", "200", "km"], b"-ERR invalid longitude,latitude pair 181.000000,37.000000\r\n"),
    (&["georadius", "Sicily", "abc", "37", "200", "km"], b"-ERR value is not a valid float\r\n"),
    (&["georadius", "Sicily", "15", "37", "0", "km"], b"*0\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "store"], b"-ERR syntax error\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "store", "dst"], b":3\r\n"),
    (&["zrange", "dst", "0", "-1", "withscores"], b"*6\r\n$9\r\nAgrigento\r\n$16\r\n3479030013248308\r\n$7\r\nPalermo\r\n$16\r\n3479099956230698\r\n$7\r\nCatania\r\n$16\r\n3479447370796909\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "storedist", "dst2"], b":3\r\n"),
    (&["zrange", "dst2", "0", "-1", "withscores"], b"*6\r\n$7\r\nCatania\r\n$18\r\n56.441257870158204\r\n$9\r\nAgrigento\r\n$18\r\n130.42348706714702\r\n$7\r\nPalermo\r\n$18\r\n190.44242984775784\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "storedist", "dst3", "count", "1", "desc"], b":1\r\n"),
    (&["zrange", "dst3", "0", "-1", "withscores"], b"*2\r\n$7\r\nPalermo\r\n$18\r\n190.44242984775784\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "store", "dst", "withdist"], b"-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "withcoord", "storedist", "dst"], b"-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "store", "dst", "storedist", "dst4"], b":3\r\n"),
    (&["exists", "dst4"], b":1\r\n"),
    (&["zrange", "dst4", "0", "-1", "withscores"], b"*6\r\n$7\r\nCatania\r\n$18\r\n56.441257870158204\r\n$9\r\nAgrigento\r\n$18\r\n130.42348706714702\r\n$7\r\nPalermo\r\n$18\r\n190.44242984775784\r\n"),
    (&["georadius", "Sicily", "0", "0", "1", "km", "store", "dst"], b":0\r\n"),
    (&["exists", "dst"], b":0\r\n"),
    (&["georadius", "nokey", "0", "0", "1", "km", "store", "dst2"], b":0\r\n"),
    (&["exists", "dst2"], b":0\r\n"),
    (&["georadius", "nokey", "0", "0", "1", "km", "store", "dst2"], b":0\r\n"),
    (&["georadius", "nokey", "0", "0", "1", "km"], b"*0\r\n"),
    (&["georadius", "nokey", "0", "0", "1", "km", "withdist", "store", "x"], b"-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n"),
    (&["georadius", "nokey", "0", "0", "1", "badunit"], b"-ERR unsupported unit provided. please use M, KM, FT, MI\r\n"),
    (&["georadius", "nokey", "0", "0", "1", "km", "any"], b"-ERR the ANY argument requires COUNT argument\r\n"),
    (&["georadius", "nokey", "0", "0", "1", "km", "bogus"], b"-ERR syntax error\r\n"),
    (&["georadius_ro", "Sicily", "15", "37", "200", "km", "withdist", "asc"], b"*3\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n$9\r\nAgrigento\r\n$8\r\n130.4235\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n"),
    (&["georadius_ro", "Sicily", "15", "37", "200", "km", "store", "x"], b"-ERR syntax error\r\n"),
    (&["georadius_ro", "Sicily", "15", "37", "200", "km", "storedist", "x"], b"-ERR syntax error\r\n"),
    (&["georadiusbymember", "Sicily", "Palermo", "200", "km", "withdist", "asc"], b"*4\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n*2\r\n$9\r\nAgrigento\r\n$7\r\n90.9778\r\n*2\r\n$5\r\nedge1\r\n$7\r\n91.4007\r\n*2\r\n$7\r\nCatania\r\n$8\r\n166.2742\r\n"),
    (&["georadiusbymember", "Sicily", "Palermo", "200", "km", "withdist", "withcoord", "withhash"], b"*4\r\n*4\r\n$9\r\nAgrigento\r\n$7\r\n90.9778\r\n:3479030013248308\r\n*2\r\n$19\r\n13.5833314061164856\r\n$20\r\n37.31666804993816555\r\n*4\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n:3479099956230698\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*4\r\n$5\r\nedge1\r\n$7\r\n91.4007\r\n:3479273021651468\r\n*2\r\n$19\r\n12.7584877610206604\r\n$20\r\n38.78813451624225195\r\n*4\r\n$7\r\nCatania\r\n$8\r\n166.2742\r\n:3479447370796909\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n"),
    (&["georadiusbymember", "Sicily", "Palermo", "0", "km", "withdist"], b"*1\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n"),
    (&["georadiusbymember", "Sicily", "nope", "200", "km"], b"-ERR could not decode requested zset member\r\n"),
    (&["georadiusbymember", "Sicily", "Palermo", "x", "km"], b"-ERR need numeric radius\r\n"),
    (&["georadiusbymember", "Sicily", "Palermo", "200", "nounit"], b"-ERR unsupported unit provided. please use M, KM, FT, MI\r\n"),
    (&["georadiusbymember", "nokey", "Palermo", "x", "nounit"], b"*0\r\n"),
    (&["georadiusbymember", "nokey", "Palermo", "x", "nounit", "store", "k"], b":0\r\n"),
    (&["georadiusbymember", "nokey", "Palermo", "x", "nounit", "bogus"], b"-ERR syntax error\r\n"),
    (&["georadiusbymember", "Sicily", "Palermo", "100", "km", "store", "bm"], b":3\r\n"),
    (&["zrange", "bm", "0", "-1", "withscores"], b"*6\r\n$9\r\nAgrigento\r\n$16\r\n3479030013248308\r\n$7\r\nPalermo\r\n$16\r\n3479099956230698\r\n$5\r\nedge1\r\n$16\r\n3479273021651468\r\n"),
    (&["georadiusbymember_ro", "Sicily", "Catania", "100", "km", "withdist"], b"*1\r\n*2\r\n$7\r\nCatania\r\n$6\r\n0.0000\r\n"),
    (&["georadiusbymember_ro", "Sicily", "Catania", "100", "km", "store", "x"], b"-ERR syntax error\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "byradius", "200", "km"], b"*4\r\n$9\r\nAgrigento\r\n$7\r\nPalermo\r\n$5\r\nedge1\r\n$7\r\nCatania\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "byradius", "200", "km", "asc", "withdist", "withcoord", "withhash"], b"*4\r\n*4\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n:3479099956230698\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*4\r\n$9\r\nAgrigento\r\n$7\r\n90.9778\r\n:3479030013248308\r\n*2\r\n$19\r\n13.5833314061164856\r\n$20\r\n37.31666804993816555\r\n*4\r\n$5\r\nedge1\r\n$7\r\n91.4007\r\n:3479273021651468\r\n*2\r\n$19\r\n12.7584877610206604\r\n$20\r\n38.78813451624225195\r\n*4\r\n$7\r\nCatania\r\n$8\r\n166.2742\r\n:3479447370796909\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "desc", "withdist"], b"*3\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n*2\r\n$9\r\nAgrigento\r\n$8\r\n130.4235\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "400", "400", "km", "asc", "withdist"], b"*5\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n$9\r\nAgrigento\r\n$8\r\n130.4235\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n*2\r\n$5\r\nedge2\r\n$8\r\n279.7403\r\n*2\r\n$5\r\nedge1\r\n$8\r\n279.7405\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "400", "400", "km", "withcoord"], b"*5\r\n*2\r\n$9\r\nAgrigento\r\n*2\r\n$19\r\n13.5833314061164856\r\n$20\r\n37.31666804993816555\r\n*2\r\n$7\r\nPalermo\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*2\r\n$5\r\nedge1\r\n*2\r\n$19\r\n12.7584877610206604\r\n$20\r\n38.78813451624225195\r\n*2\r\n$7\r\nCatania\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n*2\r\n$5\r\nedge2\r\n*2\r\n$20\r\n17.24151045083999634\r\n$20\r\n38.78813451624225195\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "200", "100", "mi", "withcoord"], b"*2\r\n*2\r\n$9\r\nAgrigento\r\n*2\r\n$19\r\n13.5833314061164856\r\n$20\r\n37.31666804993816555\r\n*2\r\n$7\r\nCatania\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "0", "0", "km"], b"*0\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "bybox", "0", "0", "km", "withdist"], b"*1\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "bybox", "-1", "0", "km"], b"-ERR height or width cannot be negative\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "bybox", "1", "-1", "km"], b"-ERR height or width cannot be negative\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "bybox", "a", "1", "km"], b"-ERR need numeric width\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "bybox", "1", "b", "km"], b"-ERR need numeric height\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "bybox", "1", "1", "kg"], b"-ERR unsupported unit provided. please use M, KM, FT, MI\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "bybox", "1", "1"], b"-ERR syntax error\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "byradius", "1"], b"-ERR wrong number of arguments for 'geosearch' command\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo"], b"-ERR wrong number of arguments for 'geosearch' command\r\n"),
    (&["geosearch", "Sicily", "byradius", "1", "km"], b"-ERR wrong number of arguments for 'geosearch' command\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37"], b"-ERR wrong number of arguments for 'geosearch' command\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "1", "km", "bybox", "1", "1", "km"], b"-ERR syntax error\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "1", "1", "km", "byradius", "1", "km"], b"-ERR syntax error\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37", "frommember", "Palermo", "byradius", "1", "km"], b"-ERR syntax error\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "fromlonlat", "15", "37", "byradius", "1", "km"], b"-ERR syntax error\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "frommember", "Catania", "byradius", "100", "km", "withdist"], b"*1\r\n*2\r\n$7\r\nCatania\r\n$6\r\n0.0000\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37", "fromlonlat", "13", "38", "byradius", "100", "km", "withdist"], b"*3\r\n*2\r\n$9\r\nAgrigento\r\n$7\r\n91.7329\r\n*2\r\n$7\r\nPalermo\r\n$7\r\n34.1601\r\n*2\r\n$5\r\nedge1\r\n$7\r\n90.1540\r\n"),
    (&["geosearch", "Sicily", "frommember", "nope", "byradius", "100", "km"], b"-ERR could not decode requested zset member\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "200", "37", "byradius", "100", "km"], b"-ERR invalid longitude,latitude pair 200.000000,37.000000\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "byradius", "100", "km", "store", "x"], b"-ERR syntax error\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "byradius", "100", "km", "storedist"], b"-ERR syntax error\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "byradius", "100", "km", "any"], b"-ERR the ANY argument requires COUNT argument\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "byradius", "100", "km", "count", "1", "any"], b"*1\r\n$9\r\nAgrigento\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "byradius", "300", "km", "count", "2", "any", "desc", "withdist"], b"*2\r\n*2\r\n$9\r\nAgrigento\r\n$7\r\n90.9778\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "byradius", "300", "km", "count", "2", "withdist"], b"*2\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n*2\r\n$9\r\nAgrigento\r\n$7\r\n90.9778\r\n"),
    (&["geosearch", "nokey", "frommember", "Palermo", "byradius", "300", "km"], b"*0\r\n"),
    (&["geosearch", "nokey", "frommember", "Palermo", "bybox", "300", "km"], b"-ERR syntax error\r\n"),
    (&["geosearch", "nokey", "frommember", "Palermo"], b"-ERR wrong number of arguments for 'geosearch' command\r\n"),
    (&["GEOSEARCH", "nokey", "byradius", "1", "km"], b"-ERR wrong number of arguments for 'geosearch' command\r\n"),
    (&["geosearch", "nokey", "fromlonlat", "1", "1", "byradius", "1", "km", "any"], b"-ERR the ANY argument requires COUNT argument\r\n"),
    (&["geosearch", "nokey", "fromlonlat", "1", "100", "byradius", "1", "km"], b"-ERR invalid longitude,latitude pair 1.000000,100.000000\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "withdist", "withdist", "asc", "desc"], b"*3\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n*2\r\n$9\r\nAgrigento\r\n$8\r\n130.4235\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n"),
    (&["geosearchstore", "gs", "Sicily", "frommember", "Palermo", "byradius", "200", "km"], b":4\r\n"),
    (&["zrange", "gs", "0", "-1", "withscores"], b"*8\r\n$9\r\nAgrigento\r\n$16\r\n3479030013248308\r\n$7\r\nPalermo\r\n$16\r\n3479099956230698\r\n$5\r\nedge1\r\n$16\r\n3479273021651468\r\n$7\r\nCatania\r\n$16\r\n3479447370796909\r\n"),
    (&["geosearchstore", "gs", "Sicily", "frommember", "Palermo", "byradius", "200", "km", "storedist"], b":4\r\n"),
    (&["zrange", "gs", "0", "-1", "withscores"], b"*8\r\n$7\r\nPalermo\r\n$1\r\n0\r\n$9\r\nAgrigento\r\n$18\r\n90.977753537996037\r\n$5\r\nedge1\r\n$18\r\n91.400658605814272\r\n$7\r\nCatania\r\n$18\r\n166.27415156960032\r\n"),
    (&["geosearchstore", "gs", "Sicily", "frommember", "Palermo", "byradius", "200", "km", "storedist", "count", "1", "desc"], b":1\r\n"),
    (&["zrange", "gs", "0", "-1", "withscores"], b"*2\r\n$7\r\nCatania\r\n$18\r\n166.27415156960032\r\n"),
    (&["geosearchstore", "gs", "Sicily", "frommember", "Palermo", "byradius", "200", "km", "withdist"], b"-ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n"),
    (&["GeoSearchStore", "gs", "Sicily", "byradius", "200", "km"], b"-ERR wrong number of arguments for 'geosearchstore' command\r\n"),
    (&["geosearchstore", "gs", "Sicily", "frommember", "Palermo", "bybox", "200", "200", "km", "store", "x"], b"-ERR syntax error\r\n"),
    (&["geosearchstore", "gs", "Sicily", "fromlonlat", "0", "0", "byradius", "1", "km"], b":0\r\n"),
    (&["exists", "gs"], b":0\r\n"),
    (&["geosearchstore", "gs", "Sicily", "fromlonlat", "0", "0", "byradius", "1", "km"], b":0\r\n"),
    (&["geosearchstore", "gs", "nokey", "frommember", "x", "byradius", "1", "km"], b":0\r\n"),
    (&["set", "gs", "v"], b"+OK\r\n"),
    (&["geosearchstore", "gs", "nokey", "frommember", "x", "byradius", "1", "km"], b":0\r\n"),
    (&["exists", "gs"], b":0\r\n"),
    (&["set", "gs", "v"], b"+OK\r\n"),
    (&["geosearchstore", "gs", "Sicily", "frommember", "Palermo", "byradius", "1", "km"], b":1\r\n"),
    (&["type", "gs"], b"+zset\r\n"),
    (&["geosearchstore", "Sicily", "Sicily", "frommember", "Palermo", "byradius", "150", "km"], b":3\r\n"),
    (&["zrange", "Sicily", "0", "-1", "withscores"], b"*6\r\n$9\r\nAgrigento\r\n$16\r\n3479030013248308\r\n$7\r\nPalermo\r\n$16\r\n3479099956230698\r\n$5\r\nedge1\r\n$16\r\n3479273021651468\r\n"),
    (&["georadius", "Sicily", "15", "37", "300", "KM", "count", "2", "any", "store", "anyst"], b":2\r\n"),
    (&["zrange", "anyst", "0", "-1", "withscores"], b"*4\r\n$9\r\nAgrigento\r\n$16\r\n3479030013248308\r\n$7\r\nPalermo\r\n$16\r\n3479099956230698\r\n"),
    (&["geosearchstore", "gs2", "Sicily", "fromlonlat", "15", "37", "bybox", "600", "600", "km", "count", "3", "storedist"], b":3\r\n"),
    (&["zrange", "gs2", "0", "-1", "withscores"], b"*6\r\n$9\r\nAgrigento\r\n$18\r\n130.42348706714702\r\n$7\r\nPalermo\r\n$18\r\n190.44242984775784\r\n$5\r\nedge1\r\n$18\r\n279.74045213563431\r\n"),
    (&["geosearchstore", "gs2", "Sicily", "fromlonlat", "15", "37", "bybox", "600", "600", "km", "count", "2", "any", "desc"], b":2\r\n"),
    (&["zrange", "gs2", "0", "-1", "withscores"], b"*4\r\n$9\r\nAgrigento\r\n$16\r\n3479030013248308\r\n$7\r\nPalermo\r\n$16\r\n3479099956230698\r\n"),
    (&["geosearch", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "600", "600", "FT", "WITHDIST"], b"*0\r\n"),
    (&["geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "300", "Mi", "withdist", "desc"], b"*3\r\n*2\r\n$5\r\nedge1\r\n$8\r\n173.8231\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n118.3357\r\n*2\r\n$9\r\nAgrigento\r\n$7\r\n81.0416\r\n"),
    (&["georadius", "Sicily", "15", "37", "300", "km", "count", "2", "count", "3", "withdist"], b"*3\r\n*2\r\n$9\r\nAgrigento\r\n$8\r\n130.4235\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n*2\r\n$5\r\nedge1\r\n$8\r\n279.7405\r\n"),
];

const EDGES: Script = &[
    (&["geoadd", "p", "179.9999", "0", "e1", "-179.9999", "0", "w1", "179.5", "10", "e2", "-179.5", "-10", "w2", "0", "85", "np", "0", "-85", "sp", "90", "85.05112878", "np2", "-90", "-85.05112878", "sp2", "180", "0", "am", "-180", "0", "am2"], b":10\r\n"),
    (&["georadius", "p", "180", "0", "100", "km", "withdist", "asc"], b"*2\r\n*2\r\n$2\r\nam\r\n$6\r\n0.0001\r\n*2\r\n$2\r\ne1\r\n$6\r\n0.0110\r\n"),
    (&["georadius", "p", "-180", "0", "100", "km", "withdist", "asc"], b"*3\r\n*2\r\n$3\r\nam2\r\n$6\r\n0.0003\r\n*2\r\n$2\r\nw1\r\n$6\r\n0.0110\r\n*2\r\n$2\r\ne1\r\n$6\r\n0.0110\r\n"),
    (&["georadius", "p", "180", "0", "2000", "km", "withdist"], b"*3\r\n*2\r\n$2\r\nam\r\n$6\r\n0.0001\r\n*2\r\n$2\r\ne1\r\n$6\r\n0.0110\r\n*2\r\n$2\r\ne2\r\n$9\r\n1113.6384\r\n"),
    (&["georadius", "p", "179.99", "5", "2000", "km", "withdist", "withhash"], b"*5\r\n*3\r\n$2\r\ne1\r\n$8\r\n556.1324\r\n:4128299658422434\r\n*3\r\n$2\r\ne2\r\n$8\r\n558.7487\r\n:4134131626605975\r\n*3\r\n$3\r\nam2\r\n$8\r\n556.1325\r\n:1125899906842624\r\n*3\r\n$2\r\nw1\r\n$8\r\n556.1325\r\n:1125899906843144\r\n*3\r\n$2\r\nw2\r\n$9\r\n1669.3513\r\n:369468000764520\r\n"),
    (&["georadius", "p", "0", "85", "1000", "km", "withdist"], b"*1\r\n*2\r\n$2\r\nnp\r\n$6\r\n0.0000\r\n"),
    (&["georadius", "p", "0", "85", "5000", "km", "withdist"], b"*1\r\n*2\r\n$2\r\nnp\r\n$6\r\n0.0000\r\n"),
    (&["georadius", "p", "0", "-85", "5000", "km", "withdist", "desc"], b"*2\r\n*2\r\n$3\r\nsp2\r\n$8\r\n781.9858\r\n*2\r\n$2\r\nsp\r\n$6\r\n0.0000\r\n"),
    (&["georadius", "p", "45", "84", "500", "km", "withdist"], b"*1\r\n*2\r\n$2\r\nnp\r\n$8\r\n478.7633\r\n"),
    (&["georadius", "p", "0", "0", "20000", "km", "withdist"], b"*5\r\n*2\r\n$2\r\nnp\r\n$9\r\n9454.2355\r\n*2\r\n$2\r\ne2\r\n$10\r\n18907.0956\r\n*2\r\n$2\r\nsp\r\n$9\r\n9454.2355\r\n*2\r\n$2\r\nw2\r\n$10\r\n18907.0956\r\n*2\r\n$3\r\nsp2\r\n$10\r\n10010.3670\r\n"),
    (&["georadius", "p", "0", "0", "40000", "km", "withdist"], b"*8\r\n*2\r\n$2\r\nnp\r\n$9\r\n9454.2355\r\n*2\r\n$2\r\ne1\r\n$10\r\n20020.7230\r\n*2\r\n$2\r\ne2\r\n$10\r\n18907.0956\r\n*2\r\n$2\r\nsp\r\n$9\r\n9454.2355\r\n*2\r\n$3\r\nam2\r\n$10\r\n20020.7337\r\n*2\r\n$2\r\nw1\r\n$10\r\n20020.7230\r\n*2\r\n$2\r\nw2\r\n$10\r\n18907.0956\r\n*2\r\n$3\r\nsp2\r\n$10\r\n10010.3670\r\n"),
    (&["georadius", "p", "0", "0", "1e10", "km", "withdist"], b"*8\r\n*2\r\n$2\r\nnp\r\n$9\r\n9454.2355\r\n*2\r\n$2\r\ne1\r\n$10\r\n20020.7230\r\n*2\r\n$2\r\ne2\r\n$10\r\n18907.0956\r\n*2\r\n$2\r\nsp\r\n$9\r\n9454.2355\r\n*2\r\n$3\r\nam2\r\n$10\r\n20020.7337\r\n*2\r\n$2\r\nw1\r\n$10\r\n20020.7230\r\n*2\r\n$2\r\nw2\r\n$10\r\n18907.0956\r\n*2\r\n$3\r\nsp2\r\n$10\r\n10010.3670\r\n"),
    (&["georadius", "p", "0", "0", "inf", "km", "withdist"], b"*8\r\n*2\r\n$2\r\nnp\r\n$9\r\n9454.2355\r\n*2\r\n$2\r\ne1\r\n$10\r\n20020.7230\r\n*2\r\n$2\r\ne2\r\n$10\r\n18907.0956\r\n*2\r\n$2\r\nsp\r\n$9\r\n9454.2355\r\n*2\r\n$3\r\nam2\r\n$10\r\n20020.7337\r\n*2\r\n$2\r\nw1\r\n$10\r\n20020.7230\r\n*2\r\n$2\r\nw2\r\n$10\r\n18907.0956\r\n*2\r\n$3\r\nsp2\r\n$10\r\n10010.3670\r\n"),
    (&["georadius", "p", "0", "0", "1e-10", "m", "withdist"], b"*0\r\n"),
    (&["geosearch", "p", "fromlonlat", "180", "0", "bybox", "200", "200", "km", "withdist"], b"*2\r\n*2\r\n$2\r\nam\r\n$6\r\n0.0001\r\n*2\r\n$2\r\ne1\r\n$6\r\n0.0110\r\n"),
    (&["geosearch", "p", "fromlonlat", "-180", "0", "bybox", "200", "2000", "km", "withdist"], b"*3\r\n*2\r\n$3\r\nam2\r\n$6\r\n0.0003\r\n*2\r\n$2\r\nw1\r\n$6\r\n0.0110\r\n*2\r\n$2\r\ne1\r\n$6\r\n0.0110\r\n"),
    (&["geosearch", "p", "fromlonlat", "0", "85", "bybox", "2000", "200", "km", "withdist"], b"*1\r\n*2\r\n$2\r\nnp\r\n$6\r\n0.0000\r\n"),
    (&["geosearch", "p", "fromlonlat", "0", "85", "bybox", "40000", "2000", "km", "withdist"], b"*1\r\n*2\r\n$2\r\nnp\r\n$6\r\n0.0000\r\n"),
    (&["geosearch", "p", "fromlonlat", "0", "0", "bybox", "1e9", "1e9", "km", "withdist"], b"*8\r\n*2\r\n$2\r\nnp\r\n$9\r\n9454.2355\r\n*2\r\n$2\r\ne1\r\n$10\r\n20020.7230\r\n*2\r\n$2\r\ne2\r\n$10\r\n18907.0956\r\n*2\r\n$2\r\nsp\r\n$9\r\n9454.2355\r\n*2\r\n$3\r\nam2\r\n$10\r\n20020.7337\r\n*2\r\n$2\r\nw1\r\n$10\r\n20020.7230\r\n*2\r\n$2\r\nw2\r\n$10\r\n18907.0956\r\n*2\r\n$3\r\nsp2\r\n$10\r\n10010.3670\r\n"),
    (&["geosearch", "p", "fromlonlat", "0", "-85.05", "bybox", "100", "100", "mi", "withdist"], b"*1\r\n*2\r\n$2\r\nsp\r\n$6\r\n3.4557\r\n"),
    (&["geosearch", "p", "frommember", "np2", "byradius", "5000", "km", "withdist", "desc"], b"*2\r\n*2\r\n$2\r\nnp\r\n$8\r\n781.9857\r\n*2\r\n$3\r\nnp2\r\n$6\r\n0.0000\r\n"),
    (&["geosearch", "p", "frommember", "sp2", "byradius", "50", "km", "withdist", "withcoord"], b"*1\r\n*3\r\n$3\r\nsp2\r\n$6\r\n0.0000\r\n*2\r\n$21\r\n-89.99999731779098511\r\n$21\r\n-85.05112751263942528\r\n"),
    (&["geodist", "p", "e1", "w1"], b"$7\r\n22.0766\r\n"),
    (&["geodist", "p", "am", "am2"], b"$6\r\n0.2983\r\n"),
    (&["geodist", "p", "np", "sp"], b"$13\r\n18908470.9226\r\n"),
    (&["geodist", "p", "np2", "sp2", "km"], b"$10\r\n20020.7340\r\n"),
    (&["geohash", "p", "e1", "w1", "np", "sp", "np2", "sp2", "am", "am2"], b"*8\r\n$11\r\nxbpbpbpbj80\r\n$11\r\n80000000420\r\n$11\r\nup0581b0bh0\r\n$11\r\nh0bh2n0p050\r\n$11\r\nyp05b5048p0\r\n$11\r\n40bh0hbj200\r\n$11\r\n80000000000\r\n$11\r\n80000000000\r\n"),
    (&["geopos", "p", "am", "am2", "np2", "sp2"], b"*4\r\n*2\r\n$3\r\n180\r\n$19\r\n0.00000126736058093\r\n*2\r\n$22\r\n-179.99999731779098511\r\n$19\r\n0.00000126736058093\r\n*2\r\n$20\r\n90.00000268220901489\r\n$19\r\n85.0511287799999991\r\n*2\r\n$21\r\n-89.99999731779098511\r\n$21\r\n-85.05112751263942528\r\n"),
    (&["geoadd", "dup", "10", "10", "a", "10", "10", "b", "10", "10", "c", "10", "10", "d", "10", "10", "e", "10", "10", "f", "10", "10", "g", "10", "10", "h", "11", "11", "i", "10", "10", "j"], b":10\r\n"),
    (&["georadius", "dup", "10", "10", "500", "km", "withdist"], b"*10\r\n*2\r\n$1\r\na\r\n$6\r\n0.0003\r\n*2\r\n$1\r\nb\r\n$6\r\n0.0003\r\n*2\r\n$1\r\nc\r\n$6\r\n0.0003\r\n*2\r\n$1\r\nd\r\n$6\r\n0.0003\r\n*2\r\n$1\r\ne\r\n$6\r\n0.0003\r\n*2\r\n$1\r\nf\r\n$6\r\n0.0003\r\n*2\r\n$1\r\ng\r\n$6\r\n0.0003\r\n*2\r\n$1\r\nh\r\n$6\r\n0.0003\r\n*2\r\n$1\r\nj\r\n$6\r\n0.0003\r\n*2\r\n$1\r\ni\r\n$8\r\n155.9851\r\n"),
    (&["georadius", "dup", "10", "10", "500", "km", "asc"], b"*10\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\nj\r\n$1\r\ni\r\n"),
    (&["georadius", "dup", "10", "10", "500", "km", "desc"], b"*10\r\n$1\r\ni\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\nj\r\n"),
    (&["georadius", "dup", "10", "10", "500", "km", "count", "3"], b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["georadius", "dup", "10", "10", "500", "km", "count", "3", "desc"], b"*3\r\n$1\r\ni\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["georadius", "dup", "10", "10", "500", "km", "count", "9", "desc"], b"*9\r\n$1\r\ni\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\na\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\nj\r\n"),
    (&["georadius", "dup", "10", "10", "500", "km", "count", "1"], b"*1\r\n$1\r\na\r\n"),
    (&["georadius", "dup", "11", "11", "500", "km", "count", "4"], b"*4\r\n$1\r\ni\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["georadius", "dup", "11", "11", "500", "km", "count", "4", "desc"], b"*4\r\n$1\r\nj\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["georadiusbymember", "dup", "a", "500", "km", "count", "8", "any"], b"*8\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nh\r\n"),
];

const RESP3: Script = &[
    (&["geoadd", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"], b":2\r\n"),
    (&["geopos", "Sicily", "Palermo", "nope"], b"*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n"),
    (&["geohash", "Sicily", "Palermo", "nope"], b"*2\r\n$11\r\nsqc8b49rny0\r\n_\r\n"),
    (&["geodist", "Sicily", "Palermo", "Catania"], b"$11\r\n166274.1516\r\n"),
    (&["geodist", "Sicily", "Palermo", "nope"], b"_\r\n"),
    (&["geodist", "nokey", "Palermo", "nope"], b"_\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km", "withdist", "withcoord", "withhash", "asc"], b"*2\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n*4\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n:3479099956230698\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n"),
    (&["georadius", "Sicily", "15", "37", "200", "km"], b"*2\r\n$7\r\nPalermo\r\n$7\r\nCatania\r\n"),
    (&["georadius", "nokey", "15", "37", "200", "km"], b"*0\r\n"),
    (&["geosearch", "Sicily", "frommember", "Palermo", "bybox", "400", "400", "km", "withcoord"], b"*2\r\n*2\r\n$7\r\nPalermo\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n*2\r\n$7\r\nCatania\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n"),
    (&["geosearchstore", "d", "Sicily", "frommember", "Palermo", "bybox", "400", "400", "km", "storedist"], b":2\r\n"),
    (&["zrange", "d", "0", "-1", "withscores"], b"*2\r\n*2\r\n$7\r\nPalermo\r\n,0\r\n*2\r\n$7\r\nCatania\r\n,166.27415156960032\r\n"),
];

#[test]
fn geoadd_geopos_geodist_and_geohash() {
    let server = TestServer::start();
    run_script(&mut server.raw(), BASICS);
}

#[test]
fn radius_and_box_searches_with_every_option() {
    let server = TestServer::start();
    run_script(&mut server.raw(), SEARCHES);
}

#[test]
fn poles_antimeridian_huge_areas_and_ties() {
    let server = TestServer::start();
    run_script(&mut server.raw(), EDGES);
}

/// A connection switched to RESP3 (HELLO's reply names the server, so it is skipped).
fn resp3_conn(port_owner: &TestServer) -> RawConn {
    let mut conn = port_owner.raw();
    let hello = ask(&mut conn, &["hello", "3"]);
    assert!(hello.starts_with(b"%"), "HELLO 3: {}", common::show(&hello));
    conn
}

#[test]
fn resp3_doubles_and_nulls() {
    let server = TestServer::start();
    run_script(&mut resp3_conn(&server), RESP3);
}

#[test]
fn scripts_match_real_redis() {
    skip_unless_tool!("redis-server");
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    for script in [BASICS, SEARCHES, EDGES] {
        let mut conn = redis.raw();
        assert_eq!(ask(&mut conn, &["flushall"]), b"+OK\r\n");
        run_script(&mut conn, script);
    }
    let mut conn = resp3_conn(&redis);
    assert_eq!(ask(&mut conn, &["flushall"]), b"+OK\r\n");
    run_script(&mut conn, RESP3);
}

// ---------------------------------------------------------------------------------------
// Random indexes compared with real Redis
// ---------------------------------------------------------------------------------------

/// A small deterministic generator (64-bit LCG), so that a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() as f64 / (1u64 << 53) as f64) * (hi - lo)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.range(0.0, 1.0) < p
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A coordinate with a random number of decimals (points often share a value).
fn coord(rng: &mut Lcg, lo: f64, hi: f64) -> String {
    let decimals = [0usize, 1, 3, 6][rng.below(4)];
    format!("{:.*}", decimals, rng.range(lo, hi))
}

/// GEOADD of `n` points: half spread over the globe, half in a small region, one in
/// five a copy of an earlier point (so that distances tie).
fn random_geoadd(rng: &mut Lcg, key: &str, n: usize) -> (Vec<String>, Vec<(String, String)>) {
    let mut points: Vec<(String, String)> = Vec::new();
    let mut args = vec!["geoadd".to_string(), key.to_string()];
    for i in 0..n {
        let p = if !points.is_empty() && rng.chance(0.2) {
            points[rng.below(points.len())].clone()
        } else if rng.chance(0.5) {
            (coord(rng, -180.0, 180.0), coord(rng, -85.05, 85.05))
        } else {
            (
                format!("{:.4}", rng.range(10.0, 12.0)),
                format!("{:.4}", rng.range(44.0, 46.0)),
            )
        };
        args.extend([p.0.clone(), p.1.clone(), format!("m{i}")]);
        points.push(p);
    }
    (args, points)
}

/// Optional WITH* flags, an order and a COUNT (sometimes with ANY), shuffled the way a
/// client might write them.
fn random_options(rng: &mut Lcg, with: bool) -> Vec<String> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    if with {
        for o in ["withdist", "withcoord", "withhash"] {
            if rng.chance(0.5) {
                groups.push(vec![o.to_string()]);
            }
        }
    }
    if rng.chance(0.5) {
        groups.push(vec![rng.pick(&["asc", "desc", "ASC"]).to_string()]);
    }
    if rng.chance(0.4) {
        let n = rng.pick(&["1", "2", "3", "5", "10", "20", "45", "100"]);
        groups.push(vec!["count".to_string(), n.to_string()]);
        if rng.chance(0.3) {
            groups.push(vec!["any".to_string()]);
        }
    }
    for i in (1..groups.len()).rev() {
        let j = rng.below(i + 1);
        groups.swap(i, j);
    }
    groups.concat()
}

/// One random search request on `key` (sometimes a storing one, followed by a read of
/// the destination).
fn random_search(rng: &mut Lcg, key: &str, points: &[(String, String)]) -> Vec<Vec<String>> {
    let unit = rng.pick(&["m", "km", "mi", "ft"]);
    let km = [
        0.5, 10.0, 100.0, 500.0, 1000.0, 3000.0, 8000.0, 15000.0, 25000.0,
    ][rng.below(9)];
    let per_unit = match unit {
        "m" => 0.001,
        "km" => 1.0,
        "mi" => 1.609,
        _ => 0.0003048,
    };
    let radius = format!("{}", km / per_unit);
    let (from, radius_cmd) = if rng.chance(0.5) {
        let (lon, lat) = if rng.chance(0.5) {
            points[rng.below(points.len())].clone()
        } else {
            (coord(rng, -180.0, 180.0), coord(rng, -85.0, 85.0))
        };
        let from = vec!["fromlonlat".to_string(), lon.clone(), lat.clone()];
        let cmd = vec!["georadius".to_string(), key.to_string(), lon, lat];
        (from, cmd)
    } else {
        let m = format!("m{}", rng.below(points.len()));
        let from = vec!["frommember".to_string(), m.clone()];
        (
            from,
            vec!["georadiusbymember".to_string(), key.to_string(), m],
        )
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let kind = rng.range(0.0, 1.0);
    if kind < 0.3 {
        let mut cmd = radius_cmd;
        cmd.extend(s(&[&radius, unit]));
        cmd.extend(random_options(rng, true));
        vec![cmd]
    } else if kind < 0.55 {
        let mut cmd = s(&["geosearch", key]);
        cmd.extend(from);
        cmd.extend(s(&["byradius", &radius, unit]));
        cmd.extend(random_options(rng, true));
        vec![cmd]
    } else if kind < 0.8 {
        let scale = |rng: &mut Lcg| [0.5, 1.0, 2.0, 3.0][rng.below(4)] * km / per_unit;
        let (w, h) = (format!("{}", scale(rng)), format!("{}", scale(rng)));
        let mut cmd = s(&["geosearch", key]);
        cmd.extend(from);
        cmd.extend(s(&["bybox", &w, &h, unit]));
        cmd.extend(random_options(rng, true));
        vec![cmd]
    } else if kind < 0.9 {
        let mut cmd = radius_cmd;
        cmd.extend(s(&[&radius, unit]));
        cmd.extend(random_options(rng, false));
        cmd.extend(s(&[rng.pick(&["store", "storedist"]), "dst"]));
        vec![cmd, s(&["zrange", "dst", "0", "-1", "withscores"])]
    } else {
        let mut cmd = s(&["geosearchstore", "dst", key]);
        cmd.extend(from);
        cmd.extend(s(&["byradius", &radius, unit]));
        cmd.extend(random_options(rng, false));
        if rng.chance(0.5) {
            cmd.push("storedist".to_string());
        }
        vec![cmd, s(&["zrange", "dst", "0", "-1", "withscores"])]
    }
}

/// Sends `args` to both servers and asserts the same reply.
fn same_reply(redis: &mut RawConn, ours: &mut RawConn, args: &[String]) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (want, got) = (ask(redis, &args), ask(ours, &args));
    assert!(
        want == got,
        "{args:?}:\n  redis:    {}\n  ferrodis: {}",
        common::show(&want),
        common::show(&got)
    );
}

#[test]
fn random_indexes_and_searches_match_real_redis() {
    skip_unless_tool!("redis-server");
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    let ours = TestServer::start();
    let (mut r, mut f) = (redis.raw(), ours.raw());
    for seed in 1..=6u64 {
        let mut rng = Lcg(seed * 0x9e37_79b9_7f4a_7c15);
        for conn in [&mut r, &mut f] {
            assert_eq!(ask(conn, &["flushall"]), b"+OK\r\n");
        }
        // 200 points make a skiplist; 60 stay a listpack.
        let n = if seed % 2 == 0 { 60 } else { 200 };
        let (add, points) = random_geoadd(&mut rng, "r", n);
        same_reply(&mut r, &mut f, &add);
        for _ in 0..60 {
            for cmd in random_search(&mut rng, "r", &points) {
                same_reply(&mut r, &mut f, &cmd);
            }
        }
        for _ in 0..20 {
            let (a, b) = (rng.below(n), rng.below(n));
            let unit = rng.pick(&["m", "km", "mi", "ft"]);
            let dist = ["geodist", "r", &format!("m{a}"), &format!("m{b}"), unit].map(String::from);
            same_reply(&mut r, &mut f, &dist);
            let pos = ["geopos", "r", &format!("m{a}"), &format!("m{b}")].map(String::from);
            same_reply(&mut r, &mut f, &pos);
            let hash = ["geohash", "r", &format!("m{a}"), &format!("m{b}")].map(String::from);
            same_reply(&mut r, &mut f, &hash);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Side effects: events, propagation, statistics
// ---------------------------------------------------------------------------------------

/// A `pmessage` frame of a keyevent subscription `__keyevent@0__:*`.
fn keyevent(event: &str, key: &str) -> Vec<u8> {
    let pattern = "__keyevent@0__:*";
    let channel = format!("__keyevent@0__:{event}");
    format!(
        "*4\r\n$8\r\npmessage\r\n${}\r\n{pattern}\r\n${}\r\n{channel}\r\n${}\r\n{key}\r\n",
        pattern.len(),
        channel.len(),
        key.len()
    )
    .into_bytes()
}

/// Runs the event scenario on `server` and asserts the events Redis 7.0.15 publishes:
/// GEOADD as ZADD, the STORE forms' own events, and `del` for an empty result.
fn keyspace_event_scenario(server: &TestServer) {
    let mut c = server.raw();
    assert_eq!(
        ask(&mut c, &["config", "set", "notify-keyspace-events", "KEA"]),
        b"+OK\r\n"
    );
    let mut sub = server.raw();
    ask(&mut sub, &["psubscribe", "__keyevent@0__:*"]);
    let commands: &[&[&str]] = &[
        &[
            "geoadd",
            "k",
            "13.361389",
            "38.115556",
            "Palermo",
            "15.087269",
            "37.502669",
            "Catania",
        ],
        &["geoadd", "k", "13.361389", "38.115556", "Palermo"],
        &["georadius", "k", "15", "37", "200", "km", "store", "d1"],
        &["georadius", "k", "0", "0", "1", "km", "storedist", "d1"],
        &[
            "georadiusbymember",
            "k",
            "Palermo",
            "1",
            "km",
            "store",
            "d2",
        ],
        &[
            "geosearchstore",
            "d3",
            "k",
            "frommember",
            "Palermo",
            "byradius",
            "500",
            "km",
            "storedist",
        ],
        &["set", "d4", "x"],
        &[
            "geosearchstore",
            "d4",
            "nokey",
            "fromlonlat",
            "0",
            "0",
            "byradius",
            "1",
            "km",
        ],
        &["georadius", "k", "0", "0", "1", "km"],
        &["set", "end", "1"],
    ];
    for cmd in commands {
        ask(&mut c, cmd);
    }
    for (event, key) in [
        ("zadd", "k"),
        ("georadiusstore", "d1"),
        ("del", "d1"),
        ("georadiusstore", "d2"),
        ("geosearchstore", "d3"),
        ("set", "d4"),
        ("del", "d4"),
        ("set", "end"),
    ] {
        let got = sub.read_reply();
        assert_eq!(
            common::show(&got),
            common::show(&keyevent(event, key)),
            "event {event} on {key}"
        );
    }
}

#[test]
fn keyspace_events_match_redis() {
    keyspace_event_scenario(&TestServer::start());
    if let Some(redis) = start_redis_server(&[]) {
        keyspace_event_scenario(&redis);
    }
}

/// The commands of an AOF file, one argument per item, without the RESP framing.
fn aof_words(server: &TestServer) -> Vec<String> {
    let dir = server.dir.path().join("appendonlydir");
    let mut text = String::new();
    for entry in std::fs::read_dir(&dir).expect("the AOF directory") {
        let path = entry.expect("a directory entry").path();
        if path.to_string_lossy().ends_with(".incr.aof") {
            text.push_str(&String::from_utf8_lossy(
                &std::fs::read(&path).expect("the AOF"),
            ));
        }
    }
    text.split("\r\n")
        .filter(|l| !l.is_empty() && !l.starts_with('*') && !l.starts_with('$'))
        .map(str::to_string)
        .collect()
}

#[test]
fn geoadd_propagates_as_zadd_and_stores_as_themselves() {
    let server = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut c = server.raw();
    let requests: &[(&[&str], &[u8])] = &[
        (
            &[
                "geoadd",
                "k",
                "13.361389",
                "38.115556",
                "Palermo",
                "15.087269",
                "37.502669",
                "Catania",
            ],
            b":2\r\n",
        ),
        (
            &[
                "geoadd", "k", "CH", "XX", "13", "38", "Palermo", "1", "1", "nothere",
            ],
            b":1\r\n",
        ),
        (&["geoadd", "k", "xx", "13", "38", "Palermo"], b":0\r\n"),
        (
            &["georadius", "k", "15", "37", "200", "km", "store", "d1"],
            b":1\r\n",
        ),
        (
            &["georadius", "k", "15", "37", "200", "km"],
            b"*1\r\n$7\r\nCatania\r\n",
        ),
        (
            &["georadius", "k", "0", "0", "1", "km", "STORE", "d1"],
            b":0\r\n",
        ),
        (
            &["georadius", "k", "0", "0", "1", "km", "STORE", "d1"],
            b":0\r\n",
        ),
        (
            &[
                "geosearchstore",
                "d3",
                "k",
                "frommember",
                "Palermo",
                "byradius",
                "500",
                "km",
            ],
            b":2\r\n",
        ),
        (&["multi"], b"+OK\r\n"),
        (&["geoadd", "k", "1", "2", "m"], b"+QUEUED\r\n"),
        (
            &[
                "geosearchstore",
                "d4",
                "k",
                "fromlonlat",
                "1",
                "2",
                "byradius",
                "1",
                "km",
            ],
            b"+QUEUED\r\n",
        ),
        (&["exec"], b"*2\r\n:1\r\n:1\r\n"),
    ];
    run_script(&mut c, requests);
    let want: Vec<&str> = [
        "SELECT 0",
        "zadd k 3479099956230698 Palermo 3479447370796909 Catania",
        "zadd k CH XX 3479065152021743 Palermo 3377822707026402 nothere",
        "georadius k 15 37 200 km store d1",
        "georadius k 0 0 1 km STORE d1",
        "geosearchstore d3 k frommember Palermo byradius 500 km",
        "MULTI",
        "zadd k 3378080408407459 m",
        "geosearchstore d4 k fromlonlat 1 2 byradius 1 km",
        "EXEC",
    ]
    .iter()
    .flat_map(|line| line.split(' '))
    .collect();
    assert_eq!(aof_words(&server), want);
    // The stored geo index survives a restart from that AOF.
    drop(c);
    let mut server = server;
    server.restart();
    let mut c = server.raw();
    common::check(
        &mut c,
        &["geohash", "k", "Palermo", "m", "nothere"],
        b"*3\r\n$11\r\nsqc0pvdq1c0\r\n$11\r\ns02equ04ve0\r\n$-1\r\n",
    );
    common::check(&mut c, &["zcard", "d3"], b":2\r\n");
}

/// keyspace_hits and keyspace_misses from INFO stats.
fn hits_and_misses(conn: &mut RawConn) -> (u64, u64) {
    let info = String::from_utf8_lossy(&ask(conn, &["info", "stats"])).into_owned();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in INFO"))
    };
    (field("keyspace_hits:"), field("keyspace_misses:"))
}

/// Read lookups count hits and misses; the destination of a store is looked up for a
/// write, which counts nothing. The numbers are Redis 7.0.15's for the same commands.
fn hit_miss_scenario(conn: &mut RawConn) -> (u64, u64) {
    ask(conn, &["flushall"]);
    ask(conn, &["config", "resetstat"]);
    for cmd in [
        &[
            "geoadd",
            "k",
            "13.361389",
            "38.115556",
            "Palermo",
            "15.087269",
            "37.502669",
            "Catania",
        ][..],
        &["geopos", "k", "Palermo"],
        &["geopos", "nokey", "a"],
        &["geohash", "k", "a"],
        &["geohash", "nokey", "a"],
        &["geodist", "k", "a", "b"],
        &["geodist", "nokey", "a", "b"],
        &["geodist", "k", "a", "b", "bad"],
        &["georadius", "k", "15", "37", "200", "km", "store", "d1"],
        &["georadius", "nokey", "15", "37", "200", "km", "store", "d1"],
        &["georadiusbymember", "k", "Palermo", "1", "km"],
        &["georadiusbymember_ro", "nokey", "Palermo", "1", "km"],
        &[
            "geosearch",
            "k",
            "frommember",
            "Palermo",
            "byradius",
            "500",
            "km",
        ],
        &[
            "geosearchstore",
            "d3",
            "k",
            "frommember",
            "Palermo",
            "byradius",
            "500",
            "km",
        ],
        &[
            "geosearchstore",
            "d3",
            "nokey",
            "frommember",
            "Palermo",
            "byradius",
            "500",
            "km",
        ],
    ] {
        ask(conn, cmd);
    }
    hits_and_misses(conn)
}

#[test]
fn keyspace_hits_and_misses_count_like_redis() {
    let server = TestServer::start();
    assert_eq!(hit_miss_scenario(&mut server.raw()), (7, 6));
    if let Some(redis) = start_redis_server(&[]) {
        assert_eq!(hit_miss_scenario(&mut redis.raw()), (7, 6));
    }
}

#[test]
fn store_forms_are_refused_on_a_read_only_replica_but_ro_forms_run() {
    let server = TestServer::start_with(&["--replicaof", "127.0.0.1", "1"]);
    let mut c = server.raw();
    let readonly = b"-READONLY You can't write against a read only replica.\r\n";
    common::check(&mut c, &["georadius", "k", "0", "0", "1", "km"], readonly);
    common::check(&mut c, &["geoadd", "k", "0", "0", "m"], readonly);
    common::check(
        &mut c,
        &["georadius_ro", "k", "0", "0", "1", "km"],
        b"*0\r\n",
    );
    common::check(
        &mut c,
        &[
            "geosearch",
            "k",
            "fromlonlat",
            "0",
            "0",
            "bybox",
            "1",
            "1",
            "km",
        ],
        b"*0\r\n",
    );
}

// ---------------------------------------------------------------------------------------
// Command table
// ---------------------------------------------------------------------------------------

const GEO_COMMANDS: [&str; 10] = [
    "geoadd",
    "geodist",
    "geohash",
    "geopos",
    "georadius",
    "georadiusbymember",
    "georadius_ro",
    "georadiusbymember_ro",
    "geosearch",
    "geosearchstore",
];

/// COMMAND INFO replies captured from redis-server 7.0.15.
const COMMAND_INFO: Script = &[
    (&["command", "info", "georadius"], b"*1\r\n*10\r\n$9\r\ngeoradius\r\n:-6\r\n*3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@geo\r\n+@slow\r\n*0\r\n*3\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$5\r\nSTORE\r\n$9\r\nstartfrom\r\n:6\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$9\r\nSTOREDIST\r\n$9\r\nstartfrom\r\n:6\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"),
    (&["command", "info", "geosearchstore"], b"*1\r\n*10\r\n$14\r\ngeosearchstore\r\n:-8\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:2\r\n:1\r\n*3\r\n+@write\r\n+@geo\r\n+@slow\r\n*0\r\n*2\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"),
    (&["command", "info", "geoadd"], b"*1\r\n*10\r\n$6\r\ngeoadd\r\n:-5\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@geo\r\n+@slow\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"),
    (&["command", "getkeysandflags", "georadius", "k", "1", "2", "3", "m", "store", "d", "storedist", "e"], b"*3\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$1\r\nd\r\n*2\r\n+OW\r\n+update\r\n*2\r\n$1\r\ne\r\n*2\r\n+OW\r\n+update\r\n"),
];

#[test]
fn command_info_of_geo_commands() {
    let server = TestServer::start();
    run_script(&mut server.raw(), COMMAND_INFO);
}

#[test]
fn command_info_and_keys_match_real_redis() {
    skip_unless_tool!("redis-server");
    let Some(redis) = start_redis_server(&[]) else {
        return;
    };
    let ours = TestServer::start();
    let (mut r, mut f) = (redis.raw(), ours.raw());
    run_script(&mut r, COMMAND_INFO);
    for name in GEO_COMMANDS {
        let args = ["command", "info", name].map(String::from);
        same_reply(&mut r, &mut f, &args);
    }
    for req in [
        &["georadius", "k", "1", "2", "3", "m", "store", "d"][..],
        &[
            "georadius",
            "k",
            "1",
            "2",
            "3",
            "m",
            "storedist",
            "d",
            "store",
            "e",
        ],
        &["georadius", "k", "1", "2", "3", "m", "store"],
        &["georadiusbymember", "k", "m", "3", "m", "STORE", "d"],
        &["georadius_ro", "k", "1", "2", "3", "m", "store", "d"],
        &["geosearchstore", "d", "s", "frommember", "m"],
        &["geoadd", "k", "1", "2", "m"],
        &["geodist", "k", "a", "b"],
    ] {
        for sub in ["getkeys", "getkeysandflags"] {
            let mut args = vec!["command".to_string(), sub.to_string()];
            args.extend(req.iter().map(|s| s.to_string()));
            same_reply(&mut r, &mut f, &args);
        }
    }
}
