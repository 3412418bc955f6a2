//! `redis.call` and `redis.pcall`, written against Lua's C API as Redis writes them.
//! They run for every command a script sends, so they avoid mlua's callback machinery:
//! on its Lua 5.1 backend each argument becomes a registry reference and each table or
//! string of the reply a protected call with two fresh closures, together more work
//! than most commands.
//!
//! A C function may end in a Lua error (a `longjmp`), which must not skip a Rust
//! destructor. So each call has two phases: first everything that owns memory (the
//! arguments, running the command) runs in [`run_command`], which returns only plain
//! data; then the reply, left in the script client's reply buffer, is pushed with
//! calls that may raise, with nothing of ours left to drop.

use std::ffi::{c_int, c_void, CStr};
use std::rc::Rc;

use mlua::ffi::{self, lua_State};
use mlua::{Function, Lua, Table};

use super::binding::Binding;
use super::convert;
use super::environment::{error_table_text, number_arg, BAD_COMMAND_ARG, NO_COMMAND_ARGS};

/// The text raised when a script calls them outside a run.
const OUTSIDE: &CStr = c"ERR redis.call/pcall can only be called inside a script invocation";
/// The text raised when a reply cannot be read back (our own encoder wrote it: never).
const UNREADABLE: &CStr = c"ERR unreadable reply from a command run by a script";

/// Puts `call` and `pcall` in the `redis` table, bound to `binding`.
pub(super) fn install(lua: &Lua, redis: &Table, binding: &Rc<Binding>) -> mlua::Result<()> {
    let address = Rc::as_ptr(binding) as *mut c_void;
    // SAFETY: pushes two C closures with the binding's address as their upvalue, then
    // leaves them as the closure's two results. The interpreter's app data keeps an Rc
    // of the binding for the interpreter's whole life (it is set once and never
    // removed), so the address stays valid whenever Lua can call them.
    let (call, pcall): (Function, Function) = unsafe {
        lua.exec_raw((), |state| {
            ffi::lua_pushlightuserdata(state, address);
            ffi::lua_pushcclosure(state, redis_call, 1);
            ffi::lua_pushlightuserdata(state, address);
            ffi::lua_pushcclosure(state, redis_pcall, 1);
        })
    }?;
    redis.raw_set("call", call)?;
    redis.raw_set("pcall", pcall)
}

unsafe extern "C-unwind" fn redis_call(state: *mut lua_State) -> c_int {
    call_from_lua(state, false)
}

unsafe extern "C-unwind" fn redis_pcall(state: *mut lua_State) -> c_int {
    call_from_lua(state, true)
}

/// How a call went; plain data, so that nothing needs dropping once Lua may raise.
enum Called {
    /// The command's reply is in the script client's reply buffer.
    Reply,
    /// The command failed or was refused: the error table's text is in that buffer.
    Error { counted: bool },
    /// No script runs (or the server is in use already).
    Outside,
}

/// # Safety
/// Called by Lua only, as one of the closures of [`install`].
unsafe fn call_from_lua(state: *mut lua_State, protected: bool) -> c_int {
    // SAFETY: the upvalue is the binding's address, valid while Lua can call us (see
    // `install`).
    let binding = &*(ffi::lua_touserdata(state, ffi::lua_upvalueindex(1)) as *const Binding);
    let called = run_command(state, binding);
    // From here on only Lua calls that may raise, and nothing of ours to drop.
    ffi::lua_settop(state, 0);
    let Some(buf) = binding.client_reply() else {
        raise_text(state, OUTSIDE);
    };
    let counted = match called {
        Called::Outside => raise_text(state, OUTSIDE),
        Called::Reply => {
            if convert::push_reply(state, buf).is_err() {
                raise_text(state, UNREADABLE);
            }
            return 1;
        }
        Called::Error { counted } => counted,
    };
    ffi::lua_createtable(state, 0, 2);
    ffi::lua_pushstring(state, c"err".as_ptr());
    ffi::lua_pushlstring(state, buf.as_ptr().cast(), buf.len());
    ffi::lua_rawset(state, -3);
    if counted {
        ffi::lua_pushstring(state, c"ignore_error_stats_update".as_ptr());
        ffi::lua_pushboolean(state, 1);
        ffi::lua_rawset(state, -3);
    }
    if protected {
        return 1;
    }
    ffi::lua_error(state)
}

/// Raises the error table `{err = text}`.
unsafe fn raise_text(state: *mut lua_State, text: &CStr) -> ! {
    ffi::lua_createtable(state, 0, 1);
    ffi::lua_pushstring(state, c"err".as_ptr());
    ffi::lua_pushstring(state, text.as_ptr());
    ffi::lua_rawset(state, -3);
    ffi::lua_error(state)
}

/// The phase that owns memory: reads the arguments and runs the command. Raises no Lua
/// error (it only reads the stack).
///
/// # Safety
/// `state` is the stack of a call from Lua.
unsafe fn run_command(state: *mut lua_State, binding: &Binding) -> Called {
    let argv = read_args(state);
    let settings = binding.settings();
    // A debugging session that stops at every line shows each command and its reply.
    let mut debugged = binding.ldb.borrow_mut();
    let mut debugged = debugged.as_mut().filter(|s| s.stepping());
    binding
        .with_server(|srv, sc| {
            if let (Some(session), Ok(argv)) = (debugged.as_deref_mut(), &argv) {
                session.log(command_log_line(argv));
            }
            let refused = match argv {
                Ok(argv) => match srv.script_call(sc, argv, settings) {
                    Ok(()) => None,
                    Err(raise) => Some((raise.text, raise.counted)),
                },
                Err(text) => Some((error_table_text(text.as_bytes()), false)),
            };
            let buf = &mut sc.reply.buf;
            if let Some(session) = debugged {
                match &refused {
                    Some((text, _)) => {
                        let mut line = b"<error> ".to_vec();
                        line.extend_from_slice(text);
                        session.log(line);
                    }
                    None => {
                        if buf.first() == Some(&b'-') {
                            let end = memchr::memchr(b'\r', buf).unwrap_or(buf.len());
                            let mut line = b"<error> ".to_vec();
                            line.extend_from_slice(&buf[..end]);
                            session.log(line);
                        }
                        session.log_reply(buf);
                    }
                }
            }
            match refused {
                Some((text, counted)) => {
                    buf.clear();
                    buf.extend_from_slice(&text);
                    Called::Error { counted }
                }
                None if buf.first() == Some(&b'-') => {
                    // The command answered an error: raised with its text (already
                    // counted when it was answered).
                    let end = memchr::memchr(b'\r', buf).unwrap_or(buf.len());
                    let text = error_table_text(&buf[..end]);
                    buf.clear();
                    buf.extend_from_slice(&text);
                    Called::Error { counted: true }
                }
                None => Called::Reply,
            }
        })
        .unwrap_or(Called::Outside)
}

/// The debugger's line for a command a script calls: `<redis>` and its first ten
/// arguments.
fn command_log_line(argv: &[Vec<u8>]) -> Vec<u8> {
    let mut line = b"<redis>".to_vec();
    for (i, arg) in argv.iter().enumerate() {
        if i == 10 {
            line.extend_from_slice(format!(" ... ({} more)", argv.len() - i - 1).as_bytes());
            break;
        }
        line.push(b' ');
        line.extend_from_slice(arg);
    }
    line
}

/// The arguments of the call as a command's argv, by the rule of
/// `environment::args_to_argv` (which reads mlua values): strings as they are,
/// numbers as Redis writes them.
///
/// # Safety
/// `state` is the stack of a call from Lua. Raises no Lua error: a string is read in
/// place and a number converted here, not by Lua.
unsafe fn read_args(state: *mut lua_State) -> Result<Vec<Vec<u8>>, &'static str> {
    let n = ffi::lua_gettop(state);
    if n == 0 {
        return Err(NO_COMMAND_ARGS);
    }
    let mut argv = Vec::with_capacity(n as usize);
    for i in 1..=n {
        match ffi::lua_type(state, i) {
            ffi::LUA_TSTRING => {
                let mut len = 0;
                let p = ffi::lua_tolstring(state, i, &mut len);
                argv.push(std::slice::from_raw_parts(p.cast::<u8>(), len).to_vec());
            }
            ffi::LUA_TNUMBER => argv.push(number_arg(ffi::lua_tonumber(state, i))),
            _ => return Err(BAD_COMMAND_ARG),
        }
    }
    Ok(argv)
}
