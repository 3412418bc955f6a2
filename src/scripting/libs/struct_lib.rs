//! The `struct` library (lua-struct as vendored by Redis 7.0):
//! `struct.pack`, `struct.unpack` and `struct.size` over C-like binary
//! layouts, with the sizes and alignment of x86-64 Linux (`long` and
//! `size_t` are 8 bytes, native order little-endian, maximum alignment 8).
//!
//! Conversions that are undefined behaviour in C (out-of-range doubles to
//! integers, shifts past 63 bits for `i9`..`i32`) follow what x86-64 does.
//! No other known deviation.

use super::{
    arg_error, check_bytes, check_number, double_to_i64, opt_integer, raise, register, to_number,
    Out, Ret,
};
use mlua::{Lua, MultiValue, Table, Value};

/// Largest integer size accepted by `i`/`I`.
const MAX_INT_SIZE: usize = 32;
/// Default for `!` without a number: the strictest alignment on x86-64.
const MAX_ALIGN: usize = 8;
/// `LUAI_MAXCSTACK`: `unpack` stops where the C version runs out of stack.
const LUA_MAX_CSTACK: usize = 8000;

pub fn open(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    register(lua, &t, "pack", pack)?;
    register(lua, &t, "unpack", unpack)?;
    register(lua, &t, "size", size)?;
    Ok(t)
}

#[derive(Clone, Copy, PartialEq)]
enum Endian {
    Big,
    Little,
}

struct Header {
    endian: Endian,
    align: usize,
}

impl Header {
    fn new() -> Self {
        Header {
            endian: Endian::Little,
            align: 1,
        }
    }
}

/// A format string being read; like the C code it ends at the first NUL.
struct Fmt {
    bytes: Vec<u8>,
    pos: usize,
}

impl Fmt {
    fn peek(&self) -> u8 {
        self.bytes.get(self.pos).copied().unwrap_or(0)
    }

    fn next_opt(&mut self) -> Option<u8> {
        let c = self.peek();
        if c == 0 {
            return None;
        }
        self.pos += 1;
        Some(c)
    }

    /// Reads an optional decimal count; `default` when none follows.
    fn getnum(&mut self, lua: &Lua, default: usize) -> Out<usize> {
        if !self.peek().is_ascii_digit() {
            return Ok(default);
        }
        let mut a: i32 = 0;
        while self.peek().is_ascii_digit() {
            let d = i32::from(self.peek() - b'0');
            if a > i32::MAX / 10 || a * 10 > i32::MAX - d {
                return Err(raise(lua, "integral size overflow"));
            }
            a = a * 10 + d;
            self.pos += 1;
        }
        Ok(a as usize)
    }

    /// Size in bytes of option `opt` (0 for control options).
    fn optsize(&mut self, lua: &Lua, opt: u8) -> Out<usize> {
        Ok(match opt {
            b'B' | b'b' | b'x' => 1,
            b'H' | b'h' => 2,
            b'L' | b'l' | b'T' | b'd' => 8,
            b'f' => 4,
            b'c' => self.getnum(lua, 1)?,
            b'i' | b'I' => {
                let sz = self.getnum(lua, 4)?;
                if sz > MAX_INT_SIZE {
                    return Err(raise(
                        lua,
                        format!("integral size {sz} is larger than limit of {MAX_INT_SIZE}"),
                    ));
                }
                sz
            }
            _ => 0,
        })
    }

    /// Endianness, alignment and whitespace options; anything else is an
    /// invalid option.
    fn control(&mut self, lua: &Lua, opt: u8, h: &mut Header) -> Out<()> {
        match opt {
            b' ' => {}
            b'>' => h.endian = Endian::Big,
            b'<' => h.endian = Endian::Little,
            b'!' => {
                let a = self.getnum(lua, MAX_ALIGN)?;
                if !a.is_power_of_two() {
                    return Err(raise(lua, format!("alignment {a} is not a power of 2")));
                }
                h.align = a;
            }
            _ => {
                let msg = format!("invalid format option '{}'", opt as char);
                return Err(arg_error(lua, 1, &msg));
            }
        }
        Ok(())
    }
}

fn read_fmt(lua: &Lua, args: &MultiValue) -> Out<Fmt> {
    let mut bytes = check_bytes(lua, args, 1)?;
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        bytes.truncate(nul);
    }
    Ok(Fmt { bytes, pos: 0 })
}

/// Padding needed before an item of `size` at offset `len`. The formula is
/// the C one, including its odd results for sizes that are not powers of 2.
fn gettoalign(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size.wrapping_sub(len & (size - 1))) & (size - 1)
}

fn pack(lua: &Lua, mut args: MultiValue) -> Out<MultiValue> {
    let mut fmt = read_fmt(lua, &args)?;
    // The C code then pushes a nil marker after the arguments, so the first
    // missing value is reported as "nil" rather than "no value".
    args.push_back(Value::Nil);
    let mut h = Header::new();
    let mut arg = 2;
    let mut out: Vec<u8> = Vec::new();
    while let Some(opt) = fmt.next_opt() {
        let mut size = fmt.optsize(lua, opt)?;
        let toalign = gettoalign(out.len(), &h, opt, size);
        out.resize(out.len() + toalign, 0);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = check_number(lua, &args, arg)?;
                arg += 1;
                put_integer(&mut out, n, h.endian, size);
            }
            b'x' => out.push(0),
            b'f' => {
                let f = check_number(lua, &args, arg)? as f32;
                arg += 1;
                out.extend_from_slice(&match h.endian {
                    Endian::Little => f.to_le_bytes(),
                    Endian::Big => f.to_be_bytes(),
                });
            }
            b'd' => {
                let d = check_number(lua, &args, arg)?;
                arg += 1;
                out.extend_from_slice(&match h.endian {
                    Endian::Little => d.to_le_bytes(),
                    Endian::Big => d.to_be_bytes(),
                });
            }
            b'c' | b's' => {
                let s = check_bytes(lua, &args, arg)?;
                arg += 1;
                if size == 0 {
                    size = s.len();
                }
                if s.len() < size {
                    // The C code reports the argument after the string.
                    return Err(arg_error(lua, arg, "string too short"));
                }
                out.extend_from_slice(&s[..size]);
                if opt == b's' {
                    out.push(0);
                }
            }
            _ => fmt.control(lua, opt, &mut h)?,
        }
    }
    Ok(MultiValue::from_vec(vec![Value::String(
        lua.create_string(out)?,
    )]))
}

/// Writes the low `size` bytes of the number as a 64-bit integer; bytes
/// beyond the eighth are zero, as in the C code.
fn put_integer(out: &mut Vec<u8>, n: f64, endian: Endian, size: usize) {
    let mut value: u64 = if n < 0.0 {
        double_to_i64(n) as u64
    } else {
        double_to_u64(n)
    };
    let mut buf = vec![0u8; size];
    for i in 0..size {
        let idx = match endian {
            Endian::Little => i,
            Endian::Big => size - 1 - i,
        };
        buf[idx] = (value & 0xff) as u8;
        value >>= 8;
    }
    out.extend_from_slice(&buf);
}

/// C's `(unsigned long)double` as gcc compiles it on x86-64: values at or
/// above 2^63 are converted after subtracting 2^63, so 2^64 and beyond (and
/// NaN) come out as 0.
fn double_to_u64(n: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    // NaN compares unordered and takes the first branch, like gcc's code.
    if n.is_nan() || n < TWO63 {
        double_to_i64(n) as u64
    } else {
        (double_to_i64(n - TWO63) as u64) ^ (1u64 << 63)
    }
}

fn get_integer(data: &[u8], endian: Endian, signed: bool) -> f64 {
    let size = data.len();
    let mut l: u64 = 0;
    for i in 0..size {
        let b = match endian {
            Endian::Big => data[i],
            Endian::Little => data[size - 1 - i],
        };
        l = (l << 8) | u64::from(b);
    }
    if !signed {
        return l as f64;
    }
    // x86 masks the shift count to 6 bits, which matters for sizes > 8.
    let shift = ((size * 8) as u32).wrapping_sub(1) & 63;
    let mask = u64::MAX << shift;
    if l & mask != 0 {
        l |= mask;
    }
    l as i64 as f64
}

fn unpack(lua: &Lua, args: MultiValue) -> Out<Ret> {
    let mut fmt = read_fmt(lua, &args)?;
    let data = check_bytes(lua, &args, 2)?;
    let ld = data.len();
    // The offset is a lua_Integer stored in a size_t: negatives wrap.
    let mut pos = opt_integer(lua, &args, 3, 1)? as u64 as usize;
    if pos == 0 {
        return Err(arg_error(lua, 3, "offset must be 1 or greater"));
    }
    pos -= 1;
    let mut h = Header::new();
    // Results go in a Lua table so thousands of strings need no handles.
    let res = lua.create_table()?;
    let mut n: usize = 0;
    let too_short = |lua: &Lua| arg_error(lua, 2, "data string too short");
    while let Some(opt) = fmt.next_opt() {
        let mut size = fmt.optsize(lua, opt)?;
        pos = pos.wrapping_add(gettoalign(pos, &h, opt, size));
        if !(size <= ld && pos <= ld - size) {
            return Err(too_short(lua));
        }
        if args.len() + n + 2 > LUA_MAX_CSTACK {
            return Err(raise(lua, "stack overflow (too many results)"));
        }
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let signed = opt.is_ascii_lowercase();
                let v = get_integer(&data[pos..pos + size], h.endian, signed);
                n += 1;
                res.raw_set(n, v)?;
            }
            b'x' => {}
            b'f' => {
                let b: [u8; 4] = data[pos..pos + 4].try_into().expect("4 bytes");
                let f = match h.endian {
                    Endian::Little => f32::from_le_bytes(b),
                    Endian::Big => f32::from_be_bytes(b),
                };
                n += 1;
                res.raw_set(n, f64::from(f))?;
            }
            b'd' => {
                let b: [u8; 8] = data[pos..pos + 8].try_into().expect("8 bytes");
                let d = match h.endian {
                    Endian::Little => f64::from_le_bytes(b),
                    Endian::Big => f64::from_be_bytes(b),
                };
                n += 1;
                res.raw_set(n, d)?;
            }
            b'c' => {
                if size == 0 {
                    // `c0` takes its length from the previous result.
                    let prev = if n == 0 {
                        None
                    } else {
                        to_number(lua, Some(&res.raw_get::<Value>(n)?))?
                    };
                    let Some(prev) = prev else {
                        return Err(raise(lua, "format 'c0' needs a previous size"));
                    };
                    size = double_to_u64(prev) as usize;
                    res.raw_set(n, Value::Nil)?;
                    n -= 1;
                    if !(size <= ld && pos <= ld - size) {
                        return Err(too_short(lua));
                    }
                }
                n += 1;
                res.raw_set(n, lua.create_string(&data[pos..pos + size])?)?;
            }
            b's' => {
                let Some(len) = data[pos..].iter().position(|&b| b == 0) else {
                    return Err(raise(lua, "unfinished string in data"));
                };
                n += 1;
                res.raw_set(n, lua.create_string(&data[pos..pos + len])?)?;
                size = len + 1;
            }
            _ => fmt.control(lua, opt, &mut h)?,
        }
        pos = pos.wrapping_add(size);
    }
    n += 1;
    res.raw_set(n, pos.wrapping_add(1) as f64)?;
    Ok(Ret::Spread(res, n))
}

fn size(lua: &Lua, args: MultiValue) -> Out<MultiValue> {
    let mut fmt = read_fmt(lua, &args)?;
    let mut h = Header::new();
    let mut pos: usize = 0;
    while let Some(opt) = fmt.next_opt() {
        let size = fmt.optsize(lua, opt)?;
        pos = pos.wrapping_add(gettoalign(pos, &h, opt, size));
        if opt == b's' {
            return Err(arg_error(lua, 1, "option 's' has no fixed size"));
        }
        if opt == b'c' && size == 0 {
            return Err(arg_error(lua, 1, "option 'c0' has no fixed size"));
        }
        // Unknown letters and digits are silently skipped here, unlike in
        // pack and unpack.
        if !opt.is_ascii_alphanumeric() {
            fmt.control(lua, opt, &mut h)?;
        }
        pos = pos.wrapping_add(size);
    }
    Ok(MultiValue::from_vec(vec![Value::Number(pos as f64)]))
}

#[cfg(test)]
mod tests {
    use mlua::Lua;

    fn run(code: &str) -> String {
        let lua = Lua::new();
        super::super::open_all(&lua).unwrap();
        let wrapped = format!(
            "local r = {{pcall(function() {code} end)}} \
             for i = 2, #r do r[i] = tostring(r[i]) end \
             return (r[1] and '' or 'ERR ') .. table.concat(r, ',', 2)"
        );
        lua.load(&wrapped).set_name("=t").eval::<String>().unwrap()
    }

    #[test]
    fn pack_layouts() {
        let hex = |code: &str| {
            run(&format!(
                "local s = {code} return (s:gsub('.', function(c) \
                 return string.format('%02x', c:byte()) end))"
            ))
        };
        assert_eq!(hex("struct.pack('>I2', 258)"), "0102");
        assert_eq!(hex("struct.pack('<i4', -2)"), "feffffff");
        assert_eq!(hex("struct.pack('!4 b i', 1, 2)"), "0100000002000000");
        assert_eq!(hex("struct.pack('s', 'ab')"), "616200");
        assert_eq!(hex("struct.pack('c0', 'xyz')"), "78797a");
        assert_eq!(hex("struct.pack('>d', 1.5)"), "3ff8000000000000");
        assert_eq!(hex("struct.pack('<f', 0.5)"), "0000003f");
        assert_eq!(hex("struct.pack('>i10', -1)"), "0000ffffffffffffffff");
    }

    #[test]
    fn unpack_and_size() {
        assert_eq!(run("return struct.unpack('>I2', '\\1\\2')"), "258,3");
        assert_eq!(run("return struct.unpack('b', '\\255')"), "-1,2");
        assert_eq!(run("return struct.unpack('s', 'ab\\0cd')"), "ab,4");
        assert_eq!(run("return struct.unpack('bc0', '\\3abcd')"), "abc,5");
        assert_eq!(run("return struct.unpack('b', 'ab', 2)"), "98,3");
        assert_eq!(run("return struct.size('!8bd')"), "16");
        assert_eq!(
            run("local r = struct.unpack('i4', 'ab') return r"),
            "ERR t:1: bad argument #2 to 'unpack' (data string too short)"
        );
        assert_eq!(
            run("local r = struct.size('s') return r"),
            "ERR t:1: bad argument #1 to 'size' (option 's' has no fixed size)"
        );
        assert_eq!(
            run("return struct.pack('q', 1)"),
            "ERR bad argument #1 to 'pack' (invalid format option 'q')"
        );
        assert_eq!(
            run("return struct.unpack('s', 'ab')"),
            "ERR unfinished string in data"
        );
    }
}
