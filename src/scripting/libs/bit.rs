//! The `bit` library (LuaBitOp 1.0.2) as Redis 7.0 ships it: 32-bit bitwise
//! operations on Lua numbers, results returned as signed 32-bit values.
//!
//! No known deviation.

use super::{register, to_number, type_error, Out};
use mlua::{Lua, MultiValue, Table, Value};

/// `bit._VERSION`-less table, exactly the twelve functions of LuaBitOp.
pub fn open(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    register(lua, &t, "tobit", |lua, a| ret(barg(lua, &a, 1)?))?;
    register(lua, &t, "bnot", |lua, a| ret(!barg(lua, &a, 1)?))?;
    register(lua, &t, "band", |lua, a| fold(lua, &a, |x, y| x & y))?;
    register(lua, &t, "bor", |lua, a| fold(lua, &a, |x, y| x | y))?;
    register(lua, &t, "bxor", |lua, a| fold(lua, &a, |x, y| x ^ y))?;
    register(lua, &t, "lshift", |lua, a| shift(lua, &a, |b, n| b << n))?;
    register(lua, &t, "rshift", |lua, a| shift(lua, &a, |b, n| b >> n))?;
    register(lua, &t, "arshift", |lua, a| {
        shift(lua, &a, |b, n| ((b as i32) >> n) as u32)
    })?;
    register(lua, &t, "rol", |lua, a| shift(lua, &a, u32::rotate_left))?;
    register(lua, &t, "ror", |lua, a| shift(lua, &a, u32::rotate_right))?;
    register(lua, &t, "bswap", |lua, a| {
        ret(barg(lua, &a, 1)?.swap_bytes())
    })?;
    register(lua, &t, "tohex", tohex)?;
    Ok(t)
}

/// Converts argument `idx` to 32 bits the way LuaBitOp does: add 2^52+2^51
/// so the FPU rounds to an integer in the low mantissa bits, then take the
/// low word. This fixes the results for fractions (round-half-even),
/// out-of-range values (wrap modulo 2^32) and NaN/Inf (0).
fn barg(lua: &Lua, args: &MultiValue, idx: usize) -> Out<u32> {
    let n = to_number(lua, args.get(idx - 1))?;
    match n {
        Some(n) => Ok((n + 6_755_399_441_055_744.0).to_bits() as u32),
        // Lua 5.1 LuaBitOp only complains when the result is 0 and the
        // argument is not a number, i.e. always for non-numbers.
        None => Err(type_error(lua, args, idx, "number")),
    }
}

/// Results are signed 32-bit numbers.
fn ret(b: u32) -> Out<MultiValue> {
    Ok(MultiValue::from_vec(vec![Value::Number(b as i32 as f64)]))
}

/// band/bor/bxor: the first argument, then the rest from last to second
/// (the order matters only for which bad argument is reported).
fn fold(lua: &Lua, args: &MultiValue, op: fn(u32, u32) -> u32) -> Out<MultiValue> {
    let mut b = barg(lua, args, 1)?;
    for i in (2..=args.len()).rev() {
        b = op(b, barg(lua, args, i)?);
    }
    ret(b)
}

/// Shifts and rotates use only the low five bits of the count.
fn shift(lua: &Lua, args: &MultiValue, op: fn(u32, u32) -> u32) -> Out<MultiValue> {
    let b = barg(lua, args, 1)?;
    let n = barg(lua, args, 2)? & 31;
    ret(op(b, n))
}

fn tohex(lua: &Lua, args: MultiValue) -> Out<MultiValue> {
    let mut b = barg(lua, &args, 1)?;
    // Only an absent second argument means 8; an explicit nil is an error.
    let mut n: i64 = if args.len() < 2 {
        8
    } else {
        barg(lua, &args, 2)? as i32 as i64
    };
    let digits: &[u8; 16] = if n < 0 {
        n = -n;
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let n = n.min(8) as usize;
    let mut buf = vec![0u8; n];
    for slot in buf.iter_mut().rev() {
        *slot = digits[(b & 15) as usize];
        b >>= 4;
    }
    Ok(MultiValue::from_vec(vec![Value::String(
        lua.create_string(buf)?,
    )]))
}

#[cfg(test)]
mod tests {
    use mlua::Lua;

    fn lua() -> Lua {
        super::super::test_lua()
    }

    fn eval_str(lua: &Lua, code: &str) -> String {
        lua.load(code)
            .set_name("=t")
            .eval::<mlua::Value>()
            .map_or_else(
                |e| format!("ERR {e}"),
                |v| {
                    lua.coerce_string(v)
                        .unwrap()
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .to_owned()
                },
            )
    }

    #[test]
    fn basic_ops() {
        let lua = lua();
        let cases = [
            ("return bit.tobit(1)", "1"),
            ("return bit.tobit(2^31)", "-2147483648"),
            ("return bit.tobit(2^32 + 5)", "5"),
            ("return bit.tobit(-1)", "-1"),
            ("return bit.tobit(1.5)", "2"),
            ("return bit.tobit(2.5)", "2"),
            ("return bit.tobit(-1.5)", "-2"),
            ("return bit.tobit(0/0)", "0"),
            ("return bit.tobit(1/0)", "0"),
            ("return bit.tobit('0x10')", "16"),
            ("return bit.tobit(' 12 ')", "12"),
            ("return bit.bnot(0)", "-1"),
            ("return bit.band(1)", "1"),
            ("return bit.band(0xff, 0x0f, 0x3c)", "12"),
            ("return bit.bor(1,2,4,8,16,32,64,128)", "255"),
            ("return bit.bxor(1,2)", "3"),
            ("return bit.lshift(1, 31)", "-2147483648"),
            ("return bit.lshift(1, 32)", "1"),
            ("return bit.lshift(1, 33)", "2"),
            ("return bit.rshift(-1, 28)", "15"),
            ("return bit.arshift(-256, 4)", "-16"),
            ("return bit.rol(0x12345678, 8)", "878082066"),
            ("return bit.ror(0x12345678, 8)", "2014458966"),
            ("return bit.rol(5, 0)", "5"),
            ("return bit.bswap(0x12345678)", "2018915346"),
            ("return bit.tohex(255)", "000000ff"),
            ("return bit.tohex(255, -4)", "00FF"),
            ("return bit.tohex(-1, 2)", "ff"),
            ("return bit.tohex(0x1234, 12)", "00001234"),
            ("return bit.tohex(5, 0)", ""),
        ];
        for (code, want) in cases {
            assert_eq!(eval_str(&lua, code), want, "{code}");
        }
    }

    #[test]
    fn errors_are_strings() {
        let lua = lua();
        assert_eq!(
            eval_str(&lua, "local ok, e = pcall(bit.band, 'x') return e"),
            "bad argument #1 to '?' (number expected, got string)"
        );
        assert_eq!(
            eval_str(
                &lua,
                "local ok, e = pcall(function() local r = bit.band(1, {}) return r end) return e"
            ),
            "t:1: bad argument #2 to 'band' (number expected, got table)"
        );
        assert_eq!(
            eval_str(
                &lua,
                "local ok, e = pcall(function() local r = bit.tohex(1, nil) return r end) return e"
            ),
            "t:1: bad argument #2 to 'tohex' (number expected, got nil)"
        );
        assert_eq!(
            eval_str(
                &lua,
                "local ok, e = pcall(function() local r = bit.bnot() return r end) return type(e)"
            ),
            "string"
        );
    }
}
