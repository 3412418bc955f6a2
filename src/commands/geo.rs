//! Geospatial commands, as Redis's `geo.c`: GEOADD, GEOPOS, GEODIST, GEOHASH, the
//! GEORADIUS family (by coordinates or by member, read-only variants, STORE/STOREDIST)
//! and GEOSEARCH/GEOSEARCHSTORE.
//!
//! A geo index is an ordinary sorted set whose scores are 52-bit geohashes (see
//! `util::geohash`), so persistence, replication and the sorted-set commands need
//! nothing special. GEOADD runs ZADD on the encoded scores and is propagated as that
//! ZADD; the STORE forms propagate as themselves (their result depends only on the
//! dataset). Searches visit the cells Redis visits in the same order, so unsorted
//! results come out in Redis's order, and they sort with the same algorithms (a stable
//! merge sort, or Redis's partial quicksort under COUNT), so ties do too.

use std::sync::Arc;

use super::flags::*;
use super::keys::read_as;
use super::string::lookup_read;
use super::zset::replace_destination;
use super::{CommandError, CommandResult, CommandSpec, Handler, Keys};
use crate::config::notify;
use crate::protocol::ReplyBuf;
use crate::server::{Client, Server};
use crate::types::zset::ScoreRange;
use crate::types::{EncodingLimits, Value, ZSet};
use crate::util::geohash::{
    self, decode_score, encode_score, format_distance, standard_geohash, Extent, HashBits, Shape,
};
use crate::util::numbers::{parse_f64, parse_i64, LongDouble};

const RADIUS_COMPLEXITY: &str = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.";
const SEARCH_COMPLEXITY: &str = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape";

/// The geo family's rows.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("geoadd", geoadd, -5, WRITE | DENYOOM, Keys::ONE, "geo", "3.2.0", "Add one or more geospatial items in the geospatial index represented using a sorted set")
        .with_complexity("O(log(N)) for each item added, where N is the number of elements in the sorted set."),
    CommandSpec::new("geodist", geodist, -4, READONLY, Keys::ONE, "geo", "3.2.0", "Returns the distance between two members of a geospatial index")
        .with_complexity("O(log(N))"),
    CommandSpec::new("geohash", geohash_cmd, -2, READONLY, Keys::ONE, "geo", "3.2.0", "Returns members of a geospatial index as standard geohash strings")
        .with_complexity("O(log(N)) for each member requested, where N is the number of elements in the sorted set."),
    CommandSpec::new("geopos", geopos, -2, READONLY, Keys::ONE, "geo", "3.2.0", "Returns longitude and latitude of members of a geospatial index")
        .with_complexity("O(N) where N is the number of members requested."),
    CommandSpec::new("georadius", georadius, -6, WRITE | DENYOOM, Keys::ONE, "geo", "3.2.0", "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point")
        .with_complexity(RADIUS_COMPLEXITY),
    CommandSpec::new("georadiusbymember", georadiusbymember, -5, WRITE | DENYOOM, Keys::ONE, "geo", "3.2.0", "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member")
        .with_complexity(RADIUS_COMPLEXITY),
    CommandSpec::new("georadius_ro", georadius_ro, -6, READONLY, Keys::ONE, "geo", "3.2.10", "A read-only variant for GEORADIUS")
        .with_complexity(RADIUS_COMPLEXITY),
    CommandSpec::new("georadiusbymember_ro", georadiusbymember_ro, -5, READONLY, Keys::ONE, "geo", "3.2.10", "A read-only variant for GEORADIUSBYMEMBER")
        .with_complexity(RADIUS_COMPLEXITY),
    CommandSpec::new("geosearch", geosearch, -7, READONLY, Keys::ONE, "geo", "6.2.0", "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.")
        .with_complexity(SEARCH_COMPLEXITY),
    CommandSpec::new("geosearchstore", geosearchstore, -8, WRITE | DENYOOM, Keys::TWO, "geo", "6.2.0", "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.")
        .with_complexity(SEARCH_COMPLEXITY),
];

// ---------------------------------------------------------------------------------------
// Argument helpers
// ---------------------------------------------------------------------------------------

/// Whether `arg`, read as a C string (up to its first NUL), equals `word` ignoring case:
/// how Redis's `strcasecmp` matches option names.
fn is_word(arg: &[u8], word: &str) -> bool {
    let text = memchr::memchr(0, arg).map_or(arg, |nul| &arg[..nul]);
    text.eq_ignore_ascii_case(word.as_bytes())
}

/// A double argument (`getDoubleFromObjectOrReply`), with `err` when it is not one.
fn parse_double(arg: &[u8], err: CommandError) -> Result<f64, CommandError> {
    parse_f64(arg).ok_or(err)
}

/// A longitude and latitude pair, within the storable limits.
fn parse_lon_lat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), CommandError> {
    let lon = parse_double(lon, CommandError::NotFloat)?;
    let lat = parse_double(lat, CommandError::NotFloat)?;
    let lon_ok = (geohash::LONG_MIN..=geohash::LONG_MAX).contains(&lon);
    let lat_ok = (geohash::LAT_MIN..=geohash::LAT_MAX).contains(&lat);
    if !lon_ok || !lat_ok {
        // Redis prints the pair with C's "%f": six decimals.
        return Err(CommandError::Raw(format!(
            "ERR invalid longitude,latitude pair {},{}",
            format_f6(lon),
            format_f6(lat)
        )));
    }
    Ok((lon, lat))
}

/// C's `printf("%f")` of a double: six decimals, `inf`/`-inf` for infinities.
fn format_f6(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    format!("{x:.6}")
}

/// A unit name: meters per unit.
fn parse_unit(arg: &[u8]) -> Result<f64, CommandError> {
    const UNITS: [(&str, f64); 4] = [("m", 1.0), ("km", 1000.0), ("ft", 0.3048), ("mi", 1609.34)];
    UNITS
        .iter()
        .find(|(name, _)| is_word(arg, name))
        .map(|&(_, to_meters)| to_meters)
        .ok_or(CommandError::Err(
            "unsupported unit provided. please use M, KM, FT, MI",
        ))
}

/// `radius unit`: the radius (in the unit) and meters per unit.
fn parse_radius(radius: &[u8], unit: &[u8]) -> Result<(f64, f64), CommandError> {
    let r = parse_double(radius, CommandError::Err("need numeric radius"))?;
    if r < 0.0 {
        return Err(CommandError::Err("radius cannot be negative"));
    }
    Ok((r, parse_unit(unit)?))
}

/// `width height unit`: the box (in the unit) and meters per unit.
fn parse_box(width: &[u8], height: &[u8], unit: &[u8]) -> Result<(Extent, f64), CommandError> {
    let w = parse_double(width, CommandError::Err("need numeric width"))?;
    let h = parse_double(height, CommandError::Err("need numeric height"))?;
    if h < 0.0 || w < 0.0 {
        return Err(CommandError::Err("height or width cannot be negative"));
    }
    let extent = Extent::Box {
        width: w,
        height: h,
    };
    Ok((extent, parse_unit(unit)?))
}

/// The position of `member` in `z`, or Redis's error when it is not there.
fn member_position(z: &ZSet, member: &[u8]) -> Result<(f64, f64), CommandError> {
    z.score(member)
        .map(decode_score)
        .ok_or(CommandError::Err("could not decode requested zset member"))
}

/// The sorted set at `key` looked up for reading (a hit or a miss is counted), shared
/// so that the server stays free for the store that may follow; WRONGTYPE for another
/// type.
fn source_zset(srv: &mut Server, db: usize, key: &[u8]) -> Result<Option<Arc<ZSet>>, CommandError> {
    match lookup_read(srv, db, key) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(Arc::clone(z))),
        Some(_) => Err(CommandError::WrongType),
    }
}

/// A coordinate as Redis prints it (`addReplyHumanLongDouble`): `%.17Lf` of the exact
/// value without trailing zeros; a RESP3 double or a RESP2 bulk string.
fn reply_coord(reply: &mut ReplyBuf, x: f64) {
    reply.double_text(LongDouble::from_f64(x).format_human().as_bytes());
}

// ---------------------------------------------------------------------------------------
// GEOADD, GEOPOS, GEODIST, GEOHASH
// ---------------------------------------------------------------------------------------

/// ZADD's handler, which GEOADD runs on the encoded scores.
fn zadd_handler() -> Handler {
    super::zset::COMMANDS
        .iter()
        .find(|spec| spec.name == "zadd")
        .map(|spec| spec.handler)
        .expect("the sorted-set family has ZADD")
}

/// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
fn geoadd(srv: &mut Server, c: &mut Client) -> CommandResult {
    let (mut nx, mut xx) = (false, false);
    let mut first = 2;
    while first < c.argc() {
        let opt = c.arg(first);
        if is_word(opt, "nx") {
            nx = true;
        } else if is_word(opt, "xx") {
            xx = true;
        } else if !is_word(opt, "ch") {
            break;
        }
        first += 1;
    }
    if !(c.argc() - first).is_multiple_of(3) || (nx && xx) {
        return Err(CommandError::Syntax);
    }
    // ZADD key [options as given] score member ...
    let mut zadd_argv = Vec::with_capacity(first + (c.argc() - first) / 3 * 2);
    zadd_argv.push(b"zadd".to_vec());
    zadd_argv.extend_from_slice(&c.argv[1..first]);
    for triple in c.argv[first..].chunks_exact(3) {
        let (lon, lat) = parse_lon_lat(&triple[0], &triple[1])?;
        // Within the limits, the encoding cannot fail.
        let score = encode_score(lon, lat).unwrap_or(0);
        zadd_argv.push(score.to_string().into_bytes());
        zadd_argv.push(triple[2].clone());
    }
    // ZADD runs on its own arguments (its replies, errors and "zadd" event are GEOADD's)
    // and is what replicas and the AOF receive; MONITOR and SLOWLOG still show GEOADD.
    let request = std::mem::replace(&mut c.argv, zadd_argv);
    let result = zadd_handler()(srv, c);
    let zadd_argv = std::mem::replace(&mut c.argv, request);
    c.rewrite_propagated(zadd_argv);
    result
}

/// GEOPOS key [member ...]
fn geopos(srv: &mut Server, c: &mut Client) -> CommandResult {
    let z = read_as::<ZSet>(srv, c.db, &c.argv[1])?;
    c.reply.array_len(c.argc() - 2);
    for member in &c.argv[2..] {
        match z.and_then(|z| z.score(member)) {
            Some(score) => {
                let (lon, lat) = decode_score(score);
                c.reply.array_len(2);
                reply_coord(&mut c.reply, lon);
                reply_coord(&mut c.reply, lat);
            }
            None => c.reply.null_array(),
        }
    }
    Ok(())
}

/// GEODIST key member1 member2 [M|KM|FT|MI]
fn geodist(srv: &mut Server, c: &mut Client) -> CommandResult {
    let to_meters = match c.argc() {
        5 => parse_unit(c.arg(4))?,
        n if n > 5 => return Err(CommandError::Syntax),
        _ => 1.0,
    };
    let Some(z) = read_as::<ZSet>(srv, c.db, &c.argv[1])? else {
        c.reply.null();
        return Ok(());
    };
    match (z.score(c.arg(2)), z.score(c.arg(3))) {
        (Some(s1), Some(s2)) => {
            let (lon1, lat1) = decode_score(s1);
            let (lon2, lat2) = decode_score(s2);
            let d = geohash::distance(lon1, lat1, lon2, lat2) / to_meters;
            c.reply.bulk(format_distance(d).as_bytes());
        }
        _ => c.reply.null(),
    }
    Ok(())
}

/// GEOHASH key [member ...]
fn geohash_cmd(srv: &mut Server, c: &mut Client) -> CommandResult {
    let z = read_as::<ZSet>(srv, c.db, &c.argv[1])?;
    c.reply.array_len(c.argc() - 2);
    for member in &c.argv[2..] {
        match z.and_then(|z| z.score(member)) {
            Some(score) => c.reply.bulk(&standard_geohash(score)),
            None => c.reply.null(),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// GEORADIUS and GEOSEARCH
// ---------------------------------------------------------------------------------------

/// Which search command runs (Redis's georadiusGeneric flags).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SearchKind {
    /// GEORADIUS / GEORADIUS_RO: centre and radius from fixed arguments.
    RadiusAtCoords { store_allowed: bool },
    /// GEORADIUSBYMEMBER / GEORADIUSBYMEMBER_RO: centre at a member.
    RadiusAtMember { store_allowed: bool },
    /// GEOSEARCH / GEOSEARCHSTORE: centre and shape from options.
    Search { store: bool },
}

impl SearchKind {
    /// Whether the options STORE and STOREDIST (with a key) are accepted.
    fn store_option(self) -> bool {
        match self {
            SearchKind::RadiusAtCoords { store_allowed }
            | SearchKind::RadiusAtMember { store_allowed } => store_allowed,
            SearchKind::Search { .. } => false,
        }
    }

    fn is_search(self) -> bool {
        matches!(self, SearchKind::Search { .. })
    }
}

/// GEORADIUS key longitude latitude radius unit [options]
fn georadius(srv: &mut Server, c: &mut Client) -> CommandResult {
    search_generic(
        srv,
        c,
        1,
        SearchKind::RadiusAtCoords {
            store_allowed: true,
        },
    )
}

/// GEORADIUSBYMEMBER key member radius unit [options]
fn georadiusbymember(srv: &mut Server, c: &mut Client) -> CommandResult {
    search_generic(
        srv,
        c,
        1,
        SearchKind::RadiusAtMember {
            store_allowed: true,
        },
    )
}

/// GEORADIUS_RO key longitude latitude radius unit [options without STORE]
fn georadius_ro(srv: &mut Server, c: &mut Client) -> CommandResult {
    search_generic(
        srv,
        c,
        1,
        SearchKind::RadiusAtCoords {
            store_allowed: false,
        },
    )
}

/// GEORADIUSBYMEMBER_RO key member radius unit [options without STORE]
fn georadiusbymember_ro(srv: &mut Server, c: &mut Client) -> CommandResult {
    search_generic(
        srv,
        c,
        1,
        SearchKind::RadiusAtMember {
            store_allowed: false,
        },
    )
}

/// GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit [options]
fn geosearch(srv: &mut Server, c: &mut Client) -> CommandResult {
    search_generic(srv, c, 1, SearchKind::Search { store: false })
}

/// GEOSEARCHSTORE destination source ... [STOREDIST]
fn geosearchstore(srv: &mut Server, c: &mut Client) -> CommandResult {
    search_generic(srv, c, 2, SearchKind::Search { store: true })
}

/// Result order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// Everything a search request asks for.
#[derive(Debug)]
struct Request {
    center: Option<(f64, f64)>,
    extent: Option<Extent>,
    to_meters: f64,
    with_dist: bool,
    with_hash: bool,
    with_coord: bool,
    sort: Sort,
    /// Stop as soon as `count` matches are found.
    any: bool,
    /// At most this many results; 0 for all.
    count: usize,
    /// The destination key (argv index) of a storing search.
    store_at: Option<usize>,
    /// Store distances rather than geohashes.
    store_dist: bool,
}

impl Request {
    fn new(store_at: Option<usize>) -> Request {
        Request {
            center: None,
            extent: None,
            to_meters: 1.0,
            with_dist: false,
            with_hash: false,
            with_coord: false,
            sort: Sort::None,
            any: false,
            count: 0,
            store_at,
            store_dist: false,
        }
    }
}

/// A match: its position, distance from the centre (meters, then the unit), score and
/// member.
#[derive(Debug)]
struct Point {
    lon: f64,
    lat: f64,
    dist: f64,
    score: f64,
    member: Vec<u8>,
}

/// The fixed arguments of GEORADIUS and GEORADIUSBYMEMBER (centre, radius, unit); returns
/// where the options begin. A missing key skips the member's centre and the radius, as
/// Redis does, so that only the options are checked.
fn parse_fixed(
    c: &Client,
    z: Option<&ZSet>,
    kind: SearchKind,
    req: &mut Request,
) -> Result<usize, CommandError> {
    match kind {
        SearchKind::RadiusAtCoords { .. } => {
            req.center = Some(parse_lon_lat(c.arg(2), c.arg(3))?);
            let (r, to_meters) = parse_radius(c.arg(4), c.arg(5))?;
            req.extent = Some(Extent::Radius(r));
            req.to_meters = to_meters;
            Ok(6)
        }
        SearchKind::RadiusAtMember { .. } => {
            if let Some(z) = z {
                req.center = Some(member_position(z, c.arg(2))?);
                let (r, to_meters) = parse_radius(c.arg(3), c.arg(4))?;
                req.extent = Some(Extent::Radius(r));
                req.to_meters = to_meters;
            }
            Ok(5)
        }
        SearchKind::Search { store } => {
            if store {
                req.store_at = Some(1);
                Ok(3)
            } else {
                Ok(2)
            }
        }
    }
}

/// The options from `argv[base]` on, in any order, as Redis reads them: each error is
/// the first one met.
fn parse_options(
    c: &Client,
    z: Option<&ZSet>,
    kind: SearchKind,
    base: usize,
    req: &mut Request,
) -> Result<(), CommandError> {
    let (mut from_member, mut from_lonlat, mut by_radius, mut by_box) =
        (false, false, false, false);
    let remaining = c.argc() - base;
    let mut i = 0;
    while i < remaining {
        let arg = c.arg(base + i);
        let at = |k: usize| c.arg(base + i + k);
        if is_word(arg, "withdist") {
            req.with_dist = true;
        } else if is_word(arg, "withhash") {
            req.with_hash = true;
        } else if is_word(arg, "withcoord") {
            req.with_coord = true;
        } else if is_word(arg, "any") {
            req.any = true;
        } else if is_word(arg, "asc") {
            req.sort = Sort::Asc;
        } else if is_word(arg, "desc") {
            req.sort = Sort::Desc;
        } else if is_word(arg, "count") && i + 1 < remaining {
            let n = parse_i64(at(1)).ok_or(CommandError::NotInteger)?;
            if n <= 0 {
                return Err(CommandError::Err("COUNT must be > 0"));
            }
            req.count = usize::try_from(n).unwrap_or(usize::MAX);
            i += 1;
        } else if (is_word(arg, "store") || is_word(arg, "storedist"))
            && i + 1 < remaining
            && kind.store_option()
        {
            req.store_at = Some(base + i + 1);
            req.store_dist = is_word(arg, "storedist");
            i += 1;
        } else if is_word(arg, "storedist") && kind == (SearchKind::Search { store: true }) {
            req.store_dist = true;
        } else if is_word(arg, "frommember")
            && i + 1 < remaining
            && kind.is_search()
            && !from_lonlat
        {
            // Without a source key the member cannot be looked up: the reply will be
            // the empty one, once the other options are checked.
            if let Some(z) = z {
                req.center = Some(member_position(z, at(1))?);
            }
            from_member = true;
            i += 1;
        } else if is_word(arg, "fromlonlat")
            && i + 2 < remaining
            && kind.is_search()
            && !from_member
        {
            req.center = Some(parse_lon_lat(at(1), at(2))?);
            from_lonlat = true;
            i += 2;
        } else if is_word(arg, "byradius") && i + 2 < remaining && kind.is_search() && !by_box {
            let (r, to_meters) = parse_radius(at(1), at(2))?;
            req.extent = Some(Extent::Radius(r));
            req.to_meters = to_meters;
            by_radius = true;
            i += 2;
        } else if is_word(arg, "bybox") && i + 3 < remaining && kind.is_search() && !by_radius {
            let (extent, to_meters) = parse_box(at(1), at(2), at(3))?;
            req.extent = Some(extent);
            req.to_meters = to_meters;
            by_box = true;
            i += 3;
        } else {
            return Err(CommandError::Syntax);
        }
        i += 1;
    }
    check_combination(
        c,
        kind,
        req,
        from_member || from_lonlat,
        by_radius || by_box,
    )
}

/// The option combinations Redis refuses once every option has been read.
fn check_combination(
    c: &Client,
    kind: SearchKind,
    req: &Request,
    has_from: bool,
    has_by: bool,
) -> Result<(), CommandError> {
    if req.store_at.is_some() && (req.with_dist || req.with_hash || req.with_coord) {
        return Err(CommandError::Err(
            if kind == (SearchKind::Search { store: true }) {
                "GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
            } else {
                "STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
            },
        ));
    }
    // These two name the command as the client spelled it.
    let name = || String::from_utf8_lossy(c.arg(0)).into_owned();
    if kind.is_search() && !has_from {
        return Err(CommandError::Raw(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {}",
            name()
        )));
    }
    if kind.is_search() && !has_by {
        return Err(CommandError::Raw(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {}",
            name()
        )));
    }
    if req.any && req.count == 0 {
        return Err(CommandError::Err(
            "the ANY argument requires COUNT argument",
        ));
    }
    Ok(())
}

/// Every search command: the source sorted set at `argv[src]`, the arguments `kind`
/// takes, then the reply or the store.
fn search_generic(srv: &mut Server, c: &mut Client, src: usize, kind: SearchKind) -> CommandResult {
    let z = source_zset(srv, c.db, c.arg(src))?;
    let mut req = Request::new(None);
    let base = parse_fixed(c, z.as_deref(), kind, &mut req)?;
    parse_options(c, z.as_deref(), kind, base, &mut req)?;
    let (Some(z), Some((lon, lat)), Some(extent)) = (z, req.center, req.extent) else {
        // Only a missing source gets here: every command found its centre and extent.
        reply_missing_source(srv, c, &req);
        return Ok(());
    };
    let shape = Shape {
        lon,
        lat,
        extent,
        to_meters: req.to_meters,
    };
    // COUNT without an order means the nearest ones (but ANY takes the first found).
    if req.count != 0 && req.sort == Sort::None && !req.any {
        req.sort = Sort::Asc;
    }
    let limit = if req.any { req.count } else { 0 };
    let mut points = search_points(&z, &shape, limit);
    drop(z);
    if points.is_empty() && req.store_at.is_none() {
        c.reply.array_len(0);
        return Ok(());
    }
    let returned = if req.count == 0 {
        points.len()
    } else {
        points.len().min(req.count)
    };
    sort_points(&mut points, req.sort, returned);
    points.truncate(returned);
    for p in &mut points {
        p.dist /= req.to_meters;
    }
    match req.store_at {
        None => reply_points(c, &req, &points),
        Some(at) => store_points(srv, c, at, kind, req.store_dist, points),
    }
    Ok(())
}

/// The reply when the source key does not exist: the destination of a storing search
/// is deleted and 0 is the count; otherwise an empty array.
fn reply_missing_source(srv: &mut Server, c: &mut Client, req: &Request) {
    let Some(at) = req.store_at else {
        c.reply.array_len(0);
        return;
    };
    // Redis deletes without a lookup: a logically expired destination still stored is
    // deleted (and reported deleted).
    if srv.dbs[c.db].remove(c.arg(at)).is_some() {
        srv.dirty += 1;
        srv.notify_key(c, notify::GENERIC, "del", at);
    }
    c.reply.int(0);
}

/// The members of `z` inside `shape`, cell by cell in Redis's order; with `limit` > 0
/// the search stops once that many are found.
fn search_points(z: &ZSet, shape: &Shape, limit: usize) -> Vec<Point> {
    let cells = geohash::search_cells(shape);
    let mut points = Vec::new();
    // Index of the last cell searched; 0 doubles as "none yet", so the first neighbour
    // is never compared with the centre's cell (as in Redis).
    let mut last = 0;
    for (i, cell) in cells.iter().enumerate() {
        if cell.is_zero() {
            continue;
        }
        // A huge radius can make adjacent neighbours the same cell.
        if last != 0 && *cell == cells[last] {
            continue;
        }
        if limit > 0 && points.len() >= limit {
            break;
        }
        points_in_cell(z, *cell, shape, &mut points, limit);
        last = i;
    }
    points
}

/// Appends the members of cell `cell` that lie inside `shape`, in score order, until
/// `limit` (if > 0) points are held.
fn points_in_cell(z: &ZSet, cell: HashBits, shape: &Shape, points: &mut Vec<Point>, limit: usize) {
    let (min, max) = cell.score_range();
    let range = ScoreRange {
        min: min as f64,
        min_ex: false,
        max: max as f64,
        max_ex: true,
    };
    let (lo, hi) = z.score_window(&range);
    let mut full = limit > 0 && points.len() >= limit;
    z.range(lo, hi, false, |member, score| {
        if full {
            return;
        }
        let (lon, lat) = decode_score(score);
        if let Some(dist) = shape.contains(lon, lat) {
            points.push(Point {
                lon,
                lat,
                dist,
                score,
                member: member.to_vec(),
            });
        }
        full = limit > 0 && points.len() >= limit;
    });
}

/// Redis's distance comparison: 1, 0 or -1, where anything unordered (NaN) is "less".
fn compare_dist(a: &Point, b: &Point) -> i32 {
    if a.dist > b.dist {
        1
    } else if a.dist == b.dist {
        0
    } else {
        -1
    }
}

/// Orders `points` by distance so that the first `returned` are right: the whole array
/// with the C library's stable merge sort, or, when fewer are returned, with Redis's
/// partial quicksort (which decides how ties come out).
fn sort_points(points: &mut [Point], sort: Sort, returned: usize) {
    let cmp = |a: &Point, b: &Point| match sort {
        Sort::Desc => -compare_dist(a, b),
        _ => compare_dist(a, b),
    };
    match sort {
        Sort::None => {}
        _ if returned == points.len() => merge_sort(points, &cmp),
        _ if returned > 0 => partial_quicksort(points, &cmp, 0, returned - 1),
        _ => {}
    }
}

/// Top-down merge sort taking from the left run while `cmp(left, right) <= 0`, the
/// order glibc's qsort produces (even for a comparator that is not a total order).
fn merge_sort<T>(v: &mut [T], cmp: &impl Fn(&T, &T) -> i32) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    let mut tmp = Vec::with_capacity(v.len());
    merge_sort_indexes(&mut order, &mut tmp, &|a: &usize, b: &usize| {
        cmp(&v[*a], &v[*b])
    });
    apply_permutation(v, order);
}

fn merge_sort_indexes(
    idx: &mut [usize],
    tmp: &mut Vec<usize>,
    cmp: &impl Fn(&usize, &usize) -> i32,
) {
    let n = idx.len();
    if n <= 1 {
        return;
    }
    let n1 = n / 2;
    merge_sort_indexes(&mut idx[..n1], tmp, cmp);
    merge_sort_indexes(&mut idx[n1..], tmp, cmp);
    tmp.clear();
    let (mut i, mut j) = (0, n1);
    while i < n1 && j < n {
        if cmp(&idx[i], &idx[j]) <= 0 {
            tmp.push(idx[i]);
            i += 1;
        } else {
            tmp.push(idx[j]);
            j += 1;
        }
    }
    tmp.extend_from_slice(&idx[i..n1]);
    // Whatever is left of the right run is already in place.
    let done = tmp.len();
    idx[..done].copy_from_slice(tmp);
}

/// Reorders `v` so that position k holds the element that was at `order[k]`.
fn apply_permutation<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        // Follow each cycle once, marking visited slots with their own index.
        let mut cur = start;
        while order[cur] != start {
            let next = order[cur];
            v.swap(cur, next);
            order[cur] = cur;
            cur = next;
        }
        order[cur] = cur;
    }
}

/// Redis's partial quicksort (Bentley–McIlroy three-way partitioning, median of three
/// or of nine pivots, insertion sort below 7 elements) that only recurses into parts
/// overlapping positions `keep_lo..=keep_hi`, which end up in sorted order.
fn partial_quicksort<T>(v: &mut [T], cmp: &impl Fn(&T, &T) -> i32, keep_lo: usize, keep_hi: usize) {
    pq_part(v, cmp, 0, v.len(), keep_lo, keep_hi);
}

/// Whether positions `start..start + n` overlap `lo..=hi`.
fn overlaps(start: usize, n: usize, lo: usize, hi: usize) -> bool {
    !(hi < start || lo >= start + n)
}

/// The median of three positions under `cmp`.
fn med3<T>(v: &[T], cmp: &impl Fn(&T, &T) -> i32, a: usize, b: usize, c: usize) -> usize {
    if cmp(&v[a], &v[b]) < 0 {
        if cmp(&v[b], &v[c]) < 0 {
            b
        } else if cmp(&v[a], &v[c]) < 0 {
            c
        } else {
            a
        }
    } else if cmp(&v[b], &v[c]) > 0 {
        b
    } else if cmp(&v[a], &v[c]) < 0 {
        a
    } else {
        c
    }
}

/// Swaps the `n` elements from `a` with the `n` from `b`, pair by pair.
fn swap_runs<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for k in 0..n {
        v.swap(a + k, b + k);
    }
}

/// One partitioning pass over `v[start..start + n]`, then the parts that matter.
fn pq_part<T>(
    v: &mut [T],
    cmp: &impl Fn(&T, &T) -> i32,
    mut start: usize,
    mut n: usize,
    lo: usize,
    hi: usize,
) {
    loop {
        if n < 7 {
            for m in start + 1..start + n {
                let mut l = m;
                while l > start && cmp(&v[l - 1], &v[l]) > 0 {
                    v.swap(l, l - 1);
                    l -= 1;
                }
            }
            return;
        }
        let mut pm = start + n / 2;
        if n > 7 {
            let mut pl = start;
            let mut pn = start + n - 1;
            if n > 40 {
                let d = n / 8;
                pl = med3(v, cmp, pl, pl + d, pl + 2 * d);
                pm = med3(v, cmp, pm - d, pm, pm + d);
                pn = med3(v, cmp, pn - 2 * d, pn - d, pn);
            }
            pm = med3(v, cmp, pl, pm, pn);
        }
        v.swap(start, pm);
        // Elements equal to the pivot gather at both ends ([start+1, pa) and (pd, end]),
        // smaller ones in [pa, pb), larger ones in (pc, pd].
        let (mut pa, mut pb) = (start + 1, start + 1);
        let (mut pc, mut pd) = (start + n - 1, start + n - 1);
        loop {
            while pb <= pc {
                let r = cmp(&v[pb], &v[start]);
                if r > 0 {
                    break;
                }
                if r == 0 {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let r = cmp(&v[pc], &v[start]);
                if r < 0 {
                    break;
                }
                if r == 0 {
                    v.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        // Move the equal runs to the middle.
        let end = start + n;
        let r = (pa - start).min(pb - pa);
        swap_runs(v, start, pb - r, r);
        let r = (pd - pc).min(end - pd - 1);
        swap_runs(v, pb, end - r, r);
        let smaller = pb - pa;
        if smaller > 1 && overlaps(start, smaller, lo, hi) {
            pq_part(v, cmp, start, smaller, lo, hi);
        }
        let larger = pd - pc;
        if larger <= 1 {
            return;
        }
        start = end - larger;
        n = larger;
        if !overlaps(start, n, lo, hi) {
            return;
        }
    }
}

/// Replies with the points: members alone, or arrays of the member and the requested
/// extras (distance, geohash score, coordinates, in that order).
fn reply_points(c: &mut Client, req: &Request, points: &[Point]) {
    let extras =
        usize::from(req.with_dist) + usize::from(req.with_hash) + usize::from(req.with_coord);
    let r = &mut c.reply;
    r.array_len(points.len());
    for p in points {
        if extras > 0 {
            r.array_len(extras + 1);
        }
        r.bulk(&p.member);
        if req.with_dist {
            r.bulk(format_distance(p.dist).as_bytes());
        }
        if req.with_hash {
            // The score of a matching member is a 52-bit cell number.
            r.int(p.score as i64);
        }
        if req.with_coord {
            r.array_len(2);
            reply_coord(r, p.lon);
            reply_coord(r, p.lat);
        }
    }
}

/// Stores the points at `argv[at]` as a sorted set scored by geohash (or by distance in
/// the unit, with `store_dist`), replacing any value and TTL, or deletes the destination
/// when there are none; replies with their number.
fn store_points(
    srv: &mut Server,
    c: &mut Client,
    at: usize,
    kind: SearchKind,
    store_dist: bool,
    points: Vec<Point>,
) {
    let n = points.len();
    let z = (n > 0).then(|| {
        let pairs = points
            .into_iter()
            .map(|p| (p.member, if store_dist { p.dist } else { p.score }))
            .collect();
        ZSet::from_pairs(pairs, &EncodingLimits::from_config(&srv.config))
    });
    let event = if kind.is_search() {
        "geosearchstore"
    } else {
        "georadiusstore"
    };
    // Redis counts one change per stored point (or one for the deletion), and notifies
    // before it replies.
    if replace_destination(srv, c, at, z, event) {
        srv.dirty += n.max(1) as u64;
    }
    c.reply.int(n as i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(dist: f64, name: &str) -> Point {
        Point {
            lon: 0.0,
            lat: 0.0,
            dist,
            score: 0.0,
            member: name.as_bytes().to_vec(),
        }
    }

    fn names(v: &[Point]) -> Vec<String> {
        v.iter()
            .map(|p| String::from_utf8_lossy(&p.member).into_owned())
            .collect()
    }

    #[test]
    fn merge_sort_is_stable() {
        let mut v = vec![
            pt(2.0, "a"),
            pt(1.0, "b"),
            pt(2.0, "c"),
            pt(1.0, "d"),
            pt(0.5, "e"),
        ];
        merge_sort(&mut v, &compare_dist);
        assert_eq!(names(&v), ["e", "b", "d", "a", "c"]);
    }

    #[test]
    fn partial_quicksort_orders_the_kept_prefix() {
        let mut seed = 12345u64;
        for n in [1usize, 5, 7, 8, 30, 41, 100, 500] {
            for keep in [1usize, 3, 10, 50] {
                let keep = keep.min(n);
                let mut v: Vec<Point> = (0..n)
                    .map(|i| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        pt((seed >> 40) as f64 % 97.0, &i.to_string())
                    })
                    .collect();
                let mut want: Vec<f64> = v.iter().map(|p| p.dist).collect();
                want.sort_by(f64::total_cmp);
                partial_quicksort(&mut v, &compare_dist, 0, keep - 1);
                let got: Vec<f64> = v.iter().take(keep).map(|p| p.dist).collect();
                assert_eq!(got, want[..keep], "n={n} keep={keep}");
            }
        }
    }

    #[test]
    fn six_decimals_like_printf() {
        assert_eq!(format_f6(200.0), "200.000000");
        assert_eq!(format_f6(-0.0), "-0.000000");
        assert_eq!(format_f6(f64::NEG_INFINITY), "-inf");
        // An exact tie rounds to even, as glibc does.
        assert_eq!(format_f6(0.0078125), "0.007812");
        assert_eq!(format_f6(1e20), "100000000000000000000.000000");
    }

    #[test]
    fn option_words_match_as_c_strings() {
        assert!(is_word(b"WithDist", "withdist"));
        assert!(is_word(b"m\0junk", "m"));
        assert!(!is_word(b"mm", "m"));
    }
}
