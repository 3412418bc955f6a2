//! Geohash arithmetic for the GEO commands, reproducing Redis 7.0's numbers bit for bit.
//!
//! A position is stored as a sorted-set score: the 52-bit interleaving of a 26-bit
//! latitude cell and a 26-bit longitude cell (latitude in the even bits, longitude in
//! the odd ones), over the Web Mercator limits (latitude ±85.05112878, longitude ±180).
//! A search covers its shape with the cell holding the centre and that cell's eight
//! neighbours, at a precision (`step`) estimated from the search radius; each cell is a
//! contiguous score range of the sorted set. Every formula here (the step estimate, the
//! bounding box, the haversine with Redis's earth radius) follows Redis's operation
//! order, because clients compare the distances and coordinates it prints to the last
//! digit and the order of unsorted results depends on which cells are searched.

/// Westernmost storable longitude.
pub const LONG_MIN: f64 = -180.0;
/// Easternmost storable longitude.
pub const LONG_MAX: f64 = 180.0;
/// Southernmost storable latitude (the Web Mercator limit: the poles cannot be stored).
pub const LAT_MIN: f64 = -85.05112878;
/// Northernmost storable latitude.
pub const LAT_MAX: f64 = 85.05112878;

/// Bits per coordinate of a stored score (26 × 2 = 52 bits).
pub const STEP_MAX: u8 = 26;

/// Redis's earth radius (quadratic mean of WGS-84), in meters.
pub const EARTH_RADIUS_M: f64 = 6372797.560856;

/// Half the Mercator projection's width, the longest distance a step estimate starts from.
const MERCATOR_MAX: f64 = 20037726.37;

/// Degrees to radians, as one constant product (what Redis multiplies by).
const DEG_TO_RAD: f64 = std::f64::consts::PI / 180.0;

fn deg_rad(deg: f64) -> f64 {
    deg * DEG_TO_RAD
}

fn rad_deg(rad: f64) -> f64 {
    rad / DEG_TO_RAD
}

/// A geohash: `bits` holds `2 * step` interleaved bits. All zero means "no cell" (a
/// neighbour the search leaves out).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HashBits {
    pub bits: u64,
    pub step: u8,
}

impl HashBits {
    /// Whether this is the empty marker (bits and step both zero).
    pub fn is_zero(self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The hash shifted to 52 bits: the lowest score of the cell (`step` is at most 26).
    pub fn align52(self) -> u64 {
        self.bits << (52 - u32::from(self.step) * 2)
    }

    /// The sorted-set scores of the cell: `min` included, `max` excluded (the next
    /// cell's first score).
    pub fn score_range(self) -> (u64, u64) {
        let next = HashBits {
            bits: self.bits.wrapping_add(1),
            step: self.step,
        };
        (self.align52(), next.align52())
    }
}

/// A closed interval of degrees.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    fn is_zero(self) -> bool {
        self.min == 0.0 && self.max == 0.0
    }
}

/// The longitude and latitude intervals a cell covers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Area {
    pub longitude: Range,
    pub latitude: Range,
}

/// The longitude range of stored scores.
pub const WGS84_LONG: Range = Range {
    min: LONG_MIN,
    max: LONG_MAX,
};
/// The latitude range of stored scores.
pub const WGS84_LAT: Range = Range {
    min: LAT_MIN,
    max: LAT_MAX,
};

/// The ranges of the standard geohash alphabet encoding (GEOHASH's output).
const STANDARD_LAT: Range = Range {
    min: -90.0,
    max: 90.0,
};

/// Spreads the bits of `lat` to the even positions and those of `lon` to the odd ones.
fn interleave(lat: u32, lon: u32) -> u64 {
    spread(lat) | (spread(lon) << 1)
}

/// Puts bit i of `v` at bit 2i.
fn spread(v: u32) -> u64 {
    let mut x = u64::from(v);
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

/// Gathers the even bits of `v` into a 32-bit value (the inverse of [`spread`]).
fn gather(v: u64) -> u32 {
    let mut x = v & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF;
    x as u32
}

/// The (latitude, longitude) cell numbers of interleaved `bits` (all 64 bits are read,
/// as Redis does, so an out-of-range score gives out-of-range cells).
fn deinterleave(bits: u64) -> (u32, u32) {
    (gather(bits), gather(bits >> 1))
}

/// Encodes a position at `step` bits per coordinate over the given ranges. None when the
/// step is not 1..=32, a range is empty, or the position is outside the storable limits
/// or the ranges.
pub fn encode(
    lon_range: Range,
    lat_range: Range,
    lon: f64,
    lat: f64,
    step: u8,
) -> Option<HashBits> {
    if step == 0 || step > 32 || lat_range.is_zero() || lon_range.is_zero() {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if lat < lat_range.min || lat > lat_range.max || lon < lon_range.min || lon > lon_range.max {
        return None;
    }
    let cells = (1u64 << step) as f64;
    let lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min) * cells;
    let lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min) * cells;
    // Truncation toward zero, as C converts a double to an unsigned integer.
    Some(HashBits {
        bits: interleave(lat_offset as u32, lon_offset as u32),
        step,
    })
}

/// [`encode`] over the storable ranges.
pub fn encode_wgs84(lon: f64, lat: f64, step: u8) -> Option<HashBits> {
    encode(WGS84_LONG, WGS84_LAT, lon, lat, step)
}

/// The area of cell `hash` over the given ranges; None for the empty marker.
pub fn decode(lon_range: Range, lat_range: Range, hash: HashBits) -> Option<Area> {
    if hash.is_zero() || lat_range.is_zero() || lon_range.is_zero() {
        return None;
    }
    let (ilat, ilon) = deinterleave(hash.bits);
    let cells = (1u64 << hash.step) as f64;
    let lat_scale = lat_range.max - lat_range.min;
    let lon_scale = lon_range.max - lon_range.min;
    // The "+ 1" is 32-bit arithmetic in Redis: the last cell number wraps to 0.
    let edge = |min: f64, i: u32, scale: f64| min + (f64::from(i) / cells) * scale;
    Some(Area {
        latitude: Range {
            min: edge(lat_range.min, ilat, lat_scale),
            max: edge(lat_range.min, ilat.wrapping_add(1), lat_scale),
        },
        longitude: Range {
            min: edge(lon_range.min, ilon, lon_scale),
            max: edge(lon_range.min, ilon.wrapping_add(1), lon_scale),
        },
    })
}

/// [`decode`] over the storable ranges.
pub fn decode_wgs84(hash: HashBits) -> Option<Area> {
    decode(WGS84_LONG, WGS84_LAT, hash)
}

/// The centre of `area`, clamped to the storable limits: (longitude, latitude).
pub fn area_center(area: &Area) -> (f64, f64) {
    let lon = ((area.longitude.min + area.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((area.latitude.min + area.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (lon, lat)
}

/// The 64 bits C's `(uint64_t)` cast of a score gives on x86-64: values below 2^63 go
/// through a signed conversion (a negative score wraps, NaN and overflow give 2^63),
/// larger ones through the same conversion after subtracting 2^63 (so 2^64 and above
/// give 0). Only scores not written by GEOADD need this.
pub fn score_bits(score: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    let signed = |x: f64| -> u64 {
        if x.is_nan() || !(-TWO_63..TWO_63).contains(&x) {
            1u64 << 63
        } else {
            x as i64 as u64
        }
    };
    if score >= TWO_63 {
        signed(score - TWO_63) ^ (1u64 << 63)
    } else {
        signed(score)
    }
}

/// The (longitude, latitude) a sorted-set score stands for: the centre of its 52-bit
/// cell. Every score decodes (out-of-range ones clamp to the limits).
pub fn decode_score(score: f64) -> (f64, f64) {
    let hash = HashBits {
        bits: score_bits(score),
        step: STEP_MAX,
    };
    // A step of 26 is never the empty marker, so the decoding cannot fail.
    decode_wgs84(hash).map_or((0.0, 0.0), |area| area_center(&area))
}

/// The score GEOADD stores for a position (already checked to be within the limits).
pub fn encode_score(lon: f64, lat: f64) -> Option<u64> {
    encode_wgs84(lon, lat, STEP_MAX).map(HashBits::align52)
}

/// The 11-character standard geohash of the position a score stands for: the decoded
/// position re-encoded over latitude -90..90 (the storage uses the Mercator limits), 52
/// bits in base32, and a final `0` for the bits a 52-bit hash does not have.
pub fn standard_geohash(score: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (lon, lat) = decode_score(score);
    let bits = encode(WGS84_LONG, STANDARD_LAT, lon, lat, STEP_MAX).map_or(0, |h| h.bits);
    let mut out = [b'0'; 11];
    for (i, c) in out.iter_mut().take(10).enumerate() {
        let idx = (bits >> (52 - (i + 1) * 5)) & 0x1f;
        *c = ALPHABET[idx as usize];
    }
    out
}

// ---------------------------------------------------------------------------------------
// Neighbours
// ---------------------------------------------------------------------------------------

/// The eight cells around a cell, at the same step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Neighbors {
    pub north: HashBits,
    pub south: HashBits,
    pub east: HashBits,
    pub west: HashBits,
    pub north_east: HashBits,
    pub north_west: HashBits,
    pub south_east: HashBits,
    pub south_west: HashBits,
}

/// Moves a cell `d` (±1) along the longitude (odd) bits, wrapping around the globe.
fn move_x(hash: HashBits, d: i8) -> HashBits {
    move_along(hash, d, 0xaaaa_aaaa_aaaa_aaaa)
}

/// Moves a cell `d` (±1) along the latitude (even) bits, wrapping at the limits.
fn move_y(hash: HashBits, d: i8) -> HashBits {
    move_along(hash, d, 0x5555_5555_5555_5555)
}

/// Adds or subtracts one to the coordinate held in the bits of `mask`: the other
/// coordinate's bits are filled with ones so that carries and borrows ripple through
/// them, then dropped.
fn move_along(hash: HashBits, d: i8, mask: u64) -> HashBits {
    // A step of 0 has no bits to move (and would shift a u64 by 64).
    if d == 0 || hash.step == 0 {
        return hash;
    }
    let shift = 64 - u32::from(hash.step) * 2;
    let mine = hash.bits & mask;
    let other = hash.bits & !mask;
    let filler = !mask >> shift;
    let moved = if d > 0 {
        mine.wrapping_add(filler.wrapping_add(1))
    } else {
        (mine | filler).wrapping_sub(filler.wrapping_add(1))
    };
    HashBits {
        bits: (moved & (mask >> shift)) | other,
        step: hash.step,
    }
}

/// The eight neighbours of `hash`.
pub fn neighbors(hash: HashBits) -> Neighbors {
    let at = |dx: i8, dy: i8| move_y(move_x(hash, dx), dy);
    Neighbors {
        east: at(1, 0),
        west: at(-1, 0),
        south: at(0, -1),
        north: at(0, 1),
        north_west: at(-1, 1),
        north_east: at(1, 1),
        south_east: at(1, -1),
        south_west: at(-1, -1),
    }
}

// ---------------------------------------------------------------------------------------
// Distances
// ---------------------------------------------------------------------------------------

/// The distance in meters along a meridian between two latitudes.
pub fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// The haversine great-circle distance in meters between two positions (degrees). On
/// the same meridian it is the plain latitude distance, as in Redis.
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let v = ((deg_rad(lon2) - deg_rad(lon1)) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

// ---------------------------------------------------------------------------------------
// Search shapes
// ---------------------------------------------------------------------------------------

/// The extent of a search, in the user's unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Extent {
    Radius(f64),
    Box { width: f64, height: f64 },
}

/// A search area: its centre, its extent and the unit's size in meters. The extent is
/// kept in the user's unit because Redis converts at different moments in different
/// formulas, which changes the last bits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    pub lon: f64,
    pub lat: f64,
    pub extent: Extent,
    /// Meters per unit (1, 1000, 0.3048 or 1609.34).
    pub to_meters: f64,
}

impl Shape {
    /// The bounding box of the shape: [min longitude, min latitude, max longitude, max
    /// latitude]. The longitude span is taken at the edge nearer the pole, where a given
    /// width spans more degrees.
    pub fn bounding_box(&self) -> [f64; 4] {
        let (half_h, half_w) = match self.extent {
            Extent::Radius(r) => (r, r),
            Extent::Box { width, height } => (height / 2.0, width / 2.0),
        };
        let height = self.to_meters * half_h;
        let width = self.to_meters * half_w;
        let lat_delta = rad_deg(height / EARTH_RADIUS_M);
        let long_delta_top = rad_deg(width / EARTH_RADIUS_M / deg_rad(self.lat + lat_delta).cos());
        let long_delta_bottom =
            rad_deg(width / EARTH_RADIUS_M / deg_rad(self.lat - lat_delta).cos());
        let long_delta = if self.lat < 0.0 {
            long_delta_bottom
        } else {
            long_delta_top
        };
        [
            self.lon - long_delta,
            self.lat - lat_delta,
            self.lon + long_delta,
            self.lat + lat_delta,
        ]
    }

    /// The distance in meters the step estimate covers: the radius, or the half
    /// diagonal of a box.
    fn reach_meters(&self) -> f64 {
        let reach = match self.extent {
            Extent::Radius(r) => r,
            Extent::Box { width, height } => {
                ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
            }
        };
        reach * self.to_meters
    }

    /// Whether a stored position (longitude, latitude) lies in the shape; if so, its
    /// distance in meters from the centre.
    pub fn contains(&self, lon: f64, lat: f64) -> Option<f64> {
        match self.extent {
            Extent::Radius(r) => {
                // Only "farther" excludes: a NaN distance is kept, as in Redis.
                let d = distance(self.lon, self.lat, lon, lat);
                let farther =
                    d.partial_cmp(&(r * self.to_meters)) == Some(std::cmp::Ordering::Greater);
                (!farther).then_some(d)
            }
            Extent::Box { width, height } => {
                let (width_m, height_m) = (width * self.to_meters, height * self.to_meters);
                // The latitude test is the cheaper one, so it comes first.
                if lat_distance(lat, self.lat) > height_m / 2.0 {
                    return None;
                }
                if distance(lon, lat, self.lon, lat) > width_m / 2.0 {
                    return None;
                }
                Some(distance(self.lon, self.lat, lon, lat))
            }
        }
    }
}

/// The step (bits per coordinate) of cells large enough that the centre's cell and
/// its neighbours cover `range_m` meters around a point at latitude `lat`.
pub fn estimate_steps(range_m: f64, lat: f64) -> u8 {
    if range_m == 0.0 {
        return STEP_MAX;
    }
    let mut range = range_m;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    // Two steps coarser so that the range fits in most cases; coarser still near the
    // poles, where cells are narrower than at the equator.
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, i32::from(STEP_MAX)) as u8
}

/// The cells a search visits, in Redis's order: the centre's cell, then north, south,
/// east, west, north-east, north-west, south-east, south-west. Useless neighbours are
/// the empty marker.
pub fn search_cells(shape: &Shape) -> [HashBits; 9] {
    let [min_lon, min_lat, max_lon, max_lat] = shape.bounding_box();
    let mut steps = estimate_steps(shape.reach_meters(), shape.lat);
    let at = |steps: u8| {
        let hash = encode_wgs84(shape.lon, shape.lat, steps).unwrap_or_default();
        let area = decode_wgs84(hash).unwrap_or_default();
        (hash, neighbors(hash), area)
    };
    let (mut hash, mut nb, mut area) = at(steps);
    // Near the edge of the centre's cell the estimate can be one step too fine: a
    // neighbour then ends before the bounding box does.
    let side = |h: HashBits| decode_wgs84(h).unwrap_or_default();
    let too_fine = side(nb.north).latitude.max < max_lat
        || side(nb.south).latitude.min > min_lat
        || side(nb.east).longitude.max < max_lon
        || side(nb.west).longitude.min > min_lon;
    if steps > 1 && too_fine {
        steps -= 1;
        (hash, nb, area) = at(steps);
    }
    // Leave out the neighbours on a side the centre's cell already covers.
    if steps >= 2 {
        let zero = HashBits::default();
        if area.latitude.min < min_lat {
            (nb.south, nb.south_west, nb.south_east) = (zero, zero, zero);
        }
        if area.latitude.max > max_lat {
            (nb.north, nb.north_east, nb.north_west) = (zero, zero, zero);
        }
        if area.longitude.min < min_lon {
            (nb.west, nb.south_west, nb.north_west) = (zero, zero, zero);
        }
        if area.longitude.max > max_lon {
            (nb.east, nb.south_east, nb.north_east) = (zero, zero, zero);
        }
    }
    [
        hash,
        nb.north,
        nb.south,
        nb.east,
        nb.west,
        nb.north_east,
        nb.north_west,
        nb.south_east,
        nb.south_west,
    ]
}

// ---------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------

/// A distance as Redis prints it: rounded to 4 decimals (to nearest, ties to even, as
/// `llrint`), e.g. `166.2742`; what `llrint` gives for NaN or overflow (the smallest
/// 64-bit integer) prints as its digits, as Redis's would.
pub fn format_distance(d: f64) -> String {
    if d == 0.0 {
        return "0.0000".to_string();
    }
    let scaled = (d * 10000.0).round_ties_even();
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let n: i64 = if scaled.is_nan() || !(-LIMIT..LIMIT).contains(&scaled) {
        i64::MIN
    } else {
        scaled as i64
    };
    let sign = if n < 0 { "-" } else { "" };
    let abs = n.unsigned_abs();
    format!("{sign}{}.{:04}", abs / 10000, abs % 10000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_and_deinterleave_round_trip() {
        for (lat, lon) in [
            (0u32, 0u32),
            (1, 0),
            (0, 1),
            (0x3ff_ffff, 0x155_5555),
            (u32::MAX, 7),
        ] {
            assert_eq!(deinterleave(interleave(lat, lon)), (lat, lon));
        }
        assert_eq!(interleave(1, 0), 1);
        assert_eq!(interleave(0, 1), 2);
    }

    #[test]
    fn scores_of_known_positions() {
        // Palermo and Catania, as GEOADD stores them in Redis.
        assert_eq!(encode_score(13.361389, 38.115556), Some(3479099956230698));
        assert_eq!(encode_score(15.087269, 37.502669), Some(3479447370796909));
        assert_eq!(encode_score(200.0, 0.0), None);
        assert_eq!(encode_score(0.0, 85.06), None);
    }

    #[test]
    fn decoding_gives_the_cell_centre() {
        let (lon, lat) = decode_score(3479099956230698.0);
        assert_eq!(
            crate::util::numbers::LongDouble::from_f64(lon).format_human(),
            "13.36138933897018433"
        );
        assert_eq!(
            crate::util::numbers::LongDouble::from_f64(lat).format_human(),
            "38.11555639549629859"
        );
    }

    #[test]
    fn odd_scores_decode_like_the_c_cast() {
        assert_eq!(score_bits(-1.0), u64::MAX);
        assert_eq!(score_bits(1e300), 0);
        assert_eq!(score_bits(f64::INFINITY), 0);
        assert_eq!(score_bits(f64::NAN), 1 << 63);
        assert_eq!(decode_score(-1.0), (180.0, LAT_MAX));
    }

    #[test]
    fn standard_geohash_strings() {
        assert_eq!(&standard_geohash(3479099956230698.0), b"sqc8b49rny0");
        assert_eq!(&standard_geohash(3479447370796909.0), b"sqdtr74hyu0");
    }

    #[test]
    fn neighbours_wrap_around_the_globe() {
        let h = HashBits { bits: 0, step: 2 };
        let n = neighbors(h);
        // West of the first column is the last column (longitude bits all ones).
        assert_eq!(n.west.bits, 0b1010);
        assert_eq!(n.east.bits, 0b0010);
        assert_eq!(n.north.bits, 0b0001);
        assert_eq!(n.south.bits, 0b0101);
        assert_eq!(n.north_east.bits, 0b0011);
    }

    #[test]
    fn haversine_matches_redis() {
        // GEODIST Sicily Palermo Catania km.
        let (lo1, la1) = decode_score(3479099956230698.0);
        let (lo2, la2) = decode_score(3479447370796909.0);
        assert_eq!(
            format_distance(distance(lo1, la1, lo2, la2) / 1000.0),
            "166.2742"
        );
        assert_eq!(distance(10.0, 10.0, 10.0, 11.0), lat_distance(10.0, 11.0));
    }

    #[test]
    fn step_estimates() {
        assert_eq!(estimate_steps(0.0, 0.0), 26);
        assert_eq!(estimate_steps(1.0, 0.0), 24);
        assert_eq!(estimate_steps(1.0, 70.0), 23);
        assert_eq!(estimate_steps(1.0, -85.0), 22);
        assert_eq!(estimate_steps(5e7, 0.0), 1);
    }

    #[test]
    fn distances_print_with_four_decimals() {
        assert_eq!(format_distance(0.0), "0.0000");
        assert_eq!(format_distance(0.775), "0.7750");
        assert_eq!(format_distance(12.34565), "12.3456");
        assert_eq!(format_distance(f64::NAN), "-922337203685477.5808");
    }

    #[test]
    fn search_cells_drop_useless_neighbours() {
        let shape = Shape {
            lon: 15.0,
            lat: 37.0,
            extent: Extent::Radius(200.0),
            to_meters: 1000.0,
        };
        let cells = search_cells(&shape);
        assert!(!cells[0].is_zero());
        assert!(cells.iter().all(|c| c.is_zero() || c.step == cells[0].step));
    }
}
