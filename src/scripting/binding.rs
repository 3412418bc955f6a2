//! How a running script reaches the server. `redis.call`, `redis.pcall` and the other
//! functions that need a running script are created once, with the interpreter: making
//! them afresh for every script (as closures borrowing the server for one run) cost more
//! than a short script itself, in allocations and in the garbage they left to Lua.
//! While a script runs, the server and the script's fake client are lent to them
//! through the interpreter's [`Binding`].

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::rc::Rc;

use mlua::{Function, Lua, Table};

use super::environment::ScriptSettings;
use crate::server::{Client, Server};

/// One interpreter's link to the server, kept as its app data and captured by its
/// functions that need a running script.
pub struct Binding {
    /// The server and the script's client while a script runs; null otherwise.
    server: Cell<*mut Server>,
    client: Cell<*mut Client>,
    /// One of our functions is using the server right now: no other may get it.
    in_use: Cell<bool>,
    /// What the running script chose for itself (`redis.setresp`, `redis.set_repl`).
    settings: Cell<ScriptSettings>,
    /// The message handler scripts run under, and the global table (where EVAL's
    /// KEYS and ARGV go), looked up once: finding them by name for every script would
    /// cost more than a short script.
    pub handler: Function,
    pub globals: Table,
    /// The debugging session of the running script, if it is debugged (SCRIPT DEBUG).
    pub ldb: RefCell<Option<super::ldb::Session>>,
}

/// The lending of the server to a running script's functions; dropping it ends the
/// lending. It holds the exclusive borrows the pointers were made from, so nothing else
/// can touch the server or the client while the script may.
pub struct Lent<'a> {
    binding: &'a Binding,
    _borrows: PhantomData<(&'a mut Server, &'a mut Client)>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        self.binding.server.set(std::ptr::null_mut());
        self.binding.client.set(std::ptr::null_mut());
        self.binding.settings.set(ScriptSettings::default());
    }
}

/// Clears the in-use mark however the function using the server returns (an error, or
/// a panic that mlua carries through Lua).
struct InUse<'a>(&'a Cell<bool>);

impl Drop for InUse<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

impl Binding {
    /// The binding of an interpreter whose message handler is `handler`.
    pub fn new(lua: &Lua, handler: Function) -> mlua::Result<Rc<Binding>> {
        Ok(Rc::new(Binding {
            server: Cell::new(std::ptr::null_mut()),
            client: Cell::new(std::ptr::null_mut()),
            in_use: Cell::new(false),
            settings: Cell::new(ScriptSettings::default()),
            handler,
            globals: lua.globals(),
            ldb: RefCell::new(None),
        }))
    }

    /// The binding of `lua` (an interpreter made by `environment::new_interpreter`).
    pub fn of(lua: &Lua) -> mlua::Result<Rc<Binding>> {
        lua.app_data_ref::<Rc<Binding>>()
            .map(|b| Rc::clone(&b))
            .ok_or_else(|| mlua::Error::RuntimeError("not a scripting interpreter".into()))
    }

    /// Lends `srv` and `sc` to the functions of a script about to run, with fresh
    /// settings, until the returned guard is dropped.
    pub fn lend<'a>(&'a self, srv: &'a mut Server, sc: &'a mut Client) -> Lent<'a> {
        self.server.set(srv);
        self.client.set(sc);
        self.settings.set(ScriptSettings::default());
        Lent {
            binding: self,
            _borrows: PhantomData,
        }
    }

    /// Whether a script runs (its functions may be called).
    pub fn is_running(&self) -> bool {
        !self.server.get().is_null()
    }

    /// Runs `f` with the server and the client lent to the running script. None when no
    /// script runs, or when another of our functions is using them already (that would
    /// be a second mutable borrow).
    pub fn with_server<R>(&self, f: impl FnOnce(&mut Server, &mut Client) -> R) -> Option<R> {
        let (srv, sc) = (self.server.get(), self.client.get());
        if srv.is_null() || sc.is_null() || self.in_use.get() {
            return None;
        }
        self.in_use.set(true);
        let _in_use = InUse(&self.in_use);
        // SAFETY: non-null pointers were set by `lend` from two exclusive borrows that
        // its `Lent` guard keeps (and never uses) until its drop nulls them, so they
        // point to live values no other code reaches meanwhile. `in_use` makes this the
        // only place where they are references, one pair at a time: a nested call gets
        // None above. Both references die when `f` returns.
        let (srv, sc) = unsafe { (&mut *srv, &mut *sc) };
        Some(f(srv, sc))
    }

    /// The reply buffer of the running script's client, where `redis.call` finds what
    /// its command answered. None when no script runs.
    ///
    /// # Safety
    /// No reference to the client may exist meanwhile (none does outside
    /// [`Binding::with_server`]), and the slice must be dropped before the client is
    /// used again.
    pub unsafe fn client_reply<'a>(&self) -> Option<&'a [u8]> {
        let sc = self.client.get();
        if sc.is_null() || self.in_use.get() {
            return None;
        }
        // SAFETY: see `with_server` for the pointer's validity; the caller promises
        // no mutable use overlaps this shared one.
        Some(unsafe { &(*sc).reply.buf })
    }

    /// The running script's settings.
    pub fn settings(&self) -> ScriptSettings {
        self.settings.get()
    }

    pub fn set_settings(&self, settings: ScriptSettings) {
        self.settings.set(settings);
    }
}
