//! `Dict`: the keyspace hash table, with incremental rehashing and copy-on-write pages.
//!
//! # Shape
//!
//! A chained hash table in the manner of Redis's `dict.c`:
//!
//! * Two tables, `ht[0]` and `ht[1]`, each with a power-of-two number of buckets. Normally
//!   only `ht[0]` is in use. To resize, a table of the new size becomes `ht[1]` and the
//!   buckets of `ht[0]` are moved into it a few at a time (`rehash_idx` is the next
//!   `ht[0]` bucket to move): every insert, remove and `get_mut` moves one bucket, and the
//!   server cron calls [`Dict::rehash_for_micros`]. So no single command pays for a whole
//!   resize. While rehashing, new keys go to `ht[1]` and lookups try both tables.
//! * The table grows when it holds as many keys as buckets. Growth can be switched off
//!   with [`Dict::set_resize_allowed`] (the server does so while a snapshot is being
//!   written, because a bulk rehash touches every page and so would copy every page), unless
//!   the table is badly overloaded (more than five keys per bucket); a rehash already under
//!   way then advances only by the one bucket each write moves. Shrinking (when under
//!   10% full) only happens when the cron calls [`Dict::shrink_if_needed`].
//! * A bucket is a singly linked chain of boxed `Entry` nodes. A node holds the key, the
//!   value and the link, nothing else (64 bytes for a 32-byte value): no cached hash, so a
//!   rehash recomputes the hash of each key it moves (foldhash makes that cheap).
//!
//! # Copy-on-write pages
//!
//! The buckets of each table are grouped in pages of [`PAGE_BUCKETS`] buckets, each page
//! behind an `Arc`. [`Dict::snapshot`] clones the two page vectors (one reference count
//! bump per page, about 8k for a million keys) and hands back a frozen [`DictSnapshot`]
//! that another thread can iterate. A write to a page still shared with a snapshot puts
//! a page *derived* from it in its place, which reads its chains from the shared page
//! and copies one chain the first time it writes to it (see [`Page`]): the user-space
//! equivalent of the kernel copying pages after Redis forks, at the grain of a bucket
//! rather than a page. Once the snapshot has let go of a shared page (it does so as it
//! goes), a write moves its chain over instead of copying it, and [`Dict::reclaim_step`]
//! hands the derived pages the chains they still borrow. Pages are also allocated
//! lazily (a `None` page is all empty buckets), so creating a big table costs one
//! pointer per page, and the pages of `ht[0]` are released as soon as rehashing has
//! emptied them.
//!
//! Chains can be long (a hostile key set, or a table that may not grow during a
//! snapshot), so copying and dropping a chain walk it in a loop rather than by
//! recursion.
//!
//! # Hashing
//!
//! Each dict hashes key bytes with foldhash, seeded randomly per dict, so clients cannot
//! pick keys that collide.
//!
//! # SCAN
//!
//! [`Dict::scan`] uses Redis's reverse-binary cursor: the cursor is incremented from its
//! most significant bit down, so buckets are visited in an order in which every bucket of
//! a smaller table is followed by all the buckets it splits into in a bigger one. A scan
//! that runs while the table grows, shrinks or rehashes therefore never skips a key that
//! was present the whole time (it may report some twice).

use std::hash::{BuildHasher, Hasher};
use std::iter::successors;
use std::mem;
use std::sync::Arc;
use std::time::Instant;

use foldhash::fast::RandomState;

use crate::types::SmallBytes;
use crate::util::hash_table_stats::{self, TableStats};

/// Buckets per copy-on-write page (a power of two).
pub const PAGE_BUCKETS: usize = 1 << PAGE_SHIFT;
/// log2 of [`PAGE_BUCKETS`].
const PAGE_SHIFT: usize = 7;
/// Buckets of a table when the first key is inserted.
const INITIAL_SIZE: usize = 4;
/// Keys per bucket above which the table grows (and rehashes) even when resizing is
/// disallowed.
const FORCE_RESIZE_RATIO: usize = 5;
/// Entries per thousand buckets past which a table grows whatever the memory limit
/// (Redis's HASHTABLE_MAX_LOAD_FACTOR, 1.618).
const OVERLOAD_PER_MILLE: usize = 1618;
/// Fill percentage under which `shrink_if_needed` shrinks the table.
const MIN_FILL_PERCENT: usize = 10;
/// How many entries `random_entry` samples before picking one of them.
const FAIR_SAMPLE: usize = 15;
/// Buckets `rehash_for_micros` moves between two looks at the clock.
const REHASH_BATCH: usize = 100;

/// One key/value node of a bucket chain.
struct Entry<V> {
    key: SmallBytes,
    value: V,
    next: Bucket<V>,
}

/// A bucket: the head of a chain, or nothing.
type Bucket<V> = Option<Box<Entry<V>>>;

/// A fixed group of buckets, shared whole with a snapshot and split from it bucket by
/// bucket when written.
///
/// A page that a snapshot shares is never written. The first write to it makes a new
/// page *derived* from it (see [`Page::derive`]): one that lends every bucket from its
/// `origin` instead of copying its chain (bit `i` of `borrowed` set: bucket `i` is read
/// from `origin`, and this page's own slot stays empty). A write to a borrowed
/// bucket copies that one chain first ([`Page::bucket_mut`]). So a write during a
/// snapshot copies the entries of the chain it touches, which it is reading anyway,
/// instead of all the page's entries, each a cold cache miss: copying whole pages made
/// the first tens of thousands of writes of a BGSAVE several times slower.
///
/// Ownership stays simple: a page owns exactly the chains in its own slots, and a
/// borrowed chain belongs to the origin, which the derived page keeps alive. Derivation
/// goes one level deep: a page that still borrows is copied whole if it is shared
/// again (only when a snapshot starts while an earlier one's pages are not yet
/// reclaimed). Once nothing else holds the origin, [`Page::reclaim`] moves the borrowed
/// chains into the derived page and detaches the origin, which then holds only the old
/// versions of the chains that were rewritten, for the caller to drop.
struct Page<V> {
    buckets: Box<[Bucket<V>]>,
    /// Bit `i`: bucket `i` is `origin`'s chain, or lack of one (and this page's slot
    /// `i` is empty).
    borrowed: u128,
    /// The page this one was derived from, while some bucket is borrowed from it (and,
    /// once the snapshot has let go of it, until it is reclaimed). Never itself
    /// derived: its chains are all in its own slots.
    origin: Option<Arc<Page<V>>>,
    /// The address of `origin`'s buckets (0 without one): only ever a prefetch hint, so
    /// a lookup can start loading a borrowed bucket without first waiting for the
    /// origin's header to arrive (see [`Dict::prefetch_bucket`]).
    origin_buckets: usize,
}

// A page's buckets must fit the `borrowed` mask.
const _: () = assert!(PAGE_BUCKETS <= u128::BITS as usize);

impl<V> Page<V> {
    /// A page of `len` empty buckets.
    fn new(len: usize) -> Page<V> {
        Page {
            buckets: (0..len).map(|_| None).collect(),
            borrowed: 0,
            origin: None,
            origin_buckets: 0,
        }
    }

    /// Number of buckets.
    fn len(&self) -> usize {
        self.buckets.len()
    }

    /// Bucket `i` for reading, wherever its chain lives.
    #[inline]
    fn bucket(&self, i: usize) -> &Bucket<V> {
        match &self.origin {
            Some(origin) if self.is_borrowed(i) => &origin.buckets[i],
            _ => &self.buckets[i],
        }
    }

    /// The first entry of bucket `i`.
    #[inline]
    fn head(&self, i: usize) -> Option<&Entry<V>> {
        self.bucket(i).as_deref()
    }

    /// Whether bucket `i` is read from the origin.
    #[inline]
    fn is_borrowed(&self, i: usize) -> bool {
        self.borrowed >> i & 1 != 0
    }

    /// If this page has an origin and nothing else holds it any more, takes the
    /// borrowed chains over and returns the origin, which now holds only the chains it
    /// kept as a snapshot's view.
    fn reclaim(&mut self) -> Option<Arc<Page<V>>> {
        let origin = self.origin.as_mut()?;
        let old = Arc::get_mut(origin)?;
        for i in set_bits(self.borrowed) {
            self.buckets[i] = old.buckets[i].take();
        }
        self.borrowed = 0;
        self.origin_buckets = 0;
        self.origin.take()
    }
}

/// The indices of the set bits of `mask`, lowest first.
fn set_bits(mut mask: u128) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let i = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            i
        })
    })
}

impl<V: DictValue> Page<V> {
    /// A page for writing in place of `shared`, which a snapshot also holds: borrows
    /// every bucket of `shared`, or, if `shared` itself still borrows, copies it whole.
    /// Empty buckets are borrowed too: telling them apart would read all of `shared`'s
    /// bucket heads (16 cold cache lines) in the middle of a write, and borrowing
    /// nothing costs nothing.
    fn derive(shared: &Arc<Page<V>>) -> Page<V> {
        if shared.origin.is_some() {
            return shared.deep_copy();
        }
        let len = shared.len();
        Page {
            buckets: (0..len).map(|_| None).collect(),
            borrowed: u128::MAX >> (u128::BITS as usize - len),
            origin: Some(Arc::clone(shared)),
            origin_buckets: shared.buckets.as_ptr() as usize,
        }
    }

    /// Bucket `i` for writing: a borrowed chain is first copied into this page, or,
    /// once the snapshot has let go of the origin, moved over from it. An origin that
    /// nothing else holds stays attached even when nothing is borrowed from it any
    /// more: dropping it would free the old chains it keeps here, in the middle of a
    /// command; [`Dict::reclaim_step`] detaches it.
    ///
    /// When the caller is about to give an entry a new value, `replacement` holds its
    /// key and that value: if the chain is copied and holds that key, the copy takes
    /// the value (leaving `replacement` empty) instead of a clone of the old one, which
    /// stays the snapshot's. That saves cloning and dropping a value nobody reads here:
    /// for a value on the heap, a reference count bumped and dropped on a cold line.
    #[inline]
    fn bucket_mut(&mut self, i: usize, replacement: &mut Option<(&[u8], V)>) -> &mut Bucket<V> {
        if self.is_borrowed(i) {
            self.buckets[i] = match self.origin.as_mut().and_then(Arc::get_mut) {
                Some(origin) => origin.buckets[i].take(),
                None => clone_chain(self.bucket(i), replacement),
            };
            self.borrowed &= !(1 << i);
            if self.borrowed == 0
                && self
                    .origin
                    .as_ref()
                    .is_some_and(|o| Arc::strong_count(o) > 1)
            {
                self.origin = None;
                self.origin_buckets = 0;
            }
        }
        &mut self.buckets[i]
    }

    /// A page with copies of every chain, resolved through the origin.
    ///
    /// The entries of a page copied whole are usually cold: one cache miss each,
    /// scattered over the heap. Walking the buckets in order would take those misses
    /// one after another; instead the head entry of the bucket
    /// [`COPY_PREFETCH_DISTANCE`] places ahead is prefetched while the current one is
    /// copied, so a dozen misses are in flight at once. Cloning a value that lives on
    /// the heap bumps a reference count there, a second miss; so half that distance
    /// ahead, where the entries have had time to arrive, their values' heap blocks are
    /// prefetched too ([`DictValue::prefetch_heap`]).
    fn deep_copy(&self) -> Page<V> {
        let len = self.len();
        for i in 0..len.min(COPY_PREFETCH_DISTANCE) {
            prefetch_head(self.bucket(i));
        }
        for i in 0..len.min(VALUE_PREFETCH_DISTANCE) {
            prefetch_values(self.bucket(i));
        }
        Page {
            buckets: (0..len)
                .map(|i| {
                    if i + COPY_PREFETCH_DISTANCE < len {
                        prefetch_head(self.bucket(i + COPY_PREFETCH_DISTANCE));
                    }
                    if i + VALUE_PREFETCH_DISTANCE < len {
                        prefetch_values(self.bucket(i + VALUE_PREFETCH_DISTANCE));
                    }
                    clone_chain(self.bucket(i), &mut None)
                })
                .collect(),
            borrowed: 0,
            origin: None,
            origin_buckets: 0,
        }
    }
}

/// What `Arc::make_mut` falls back to; pages are normally derived instead (see
/// [`Table::slot_mut`]), so this only runs if a page is shared at that point.
impl<V: DictValue> Clone for Page<V> {
    fn clone(&self) -> Self {
        self.deep_copy()
    }
}

/// Pages that [`Dict::reclaim_step`] has detached, holding only the old versions of
/// chains written during a snapshot: for the caller to drop, on another thread if it
/// likes (they may hold a good many entries and values).
pub struct Released<V>(Vec<Arc<Page<V>>>);

impl<V> Released<V> {
    /// Nothing released yet.
    pub fn new() -> Self {
        Released(Vec::new())
    }

    /// Whether anything was released.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V> Default for Released<V> {
    fn default() -> Self {
        Self::new()
    }
}

/// What a dict can hold: values that clone (a page copy clones them) and can point the
/// CPU at the heap block a clone will touch.
pub trait DictValue: Clone {
    /// Starts loading the heap block that cloning this value touches (the reference
    /// count of a shared block), if any. The default has none.
    #[inline(always)]
    fn prefetch_heap(&self) {}
}

impl DictValue for () {}
impl DictValue for u32 {}
impl DictValue for u64 {}
impl DictValue for i64 {}

impl DictValue for SmallBytes {
    #[inline(always)]
    fn prefetch_heap(&self) {
        if let SmallBytes::Heap(bytes) = self {
            if let Some(first) = bytes.first() {
                prefetch_read(first);
            }
        }
    }
}

/// How many buckets ahead [`Page::deep_copy`] prefetches the values' heap blocks.
const VALUE_PREFETCH_DISTANCE: usize = COPY_PREFETCH_DISTANCE / 2;

/// Prefetches the heap blocks of the values in the first two entries of `bucket`
/// (whose entries should be cached by now; chains are rarely longer).
#[inline(always)]
fn prefetch_values<V: DictValue>(bucket: &Bucket<V>) {
    for entry in chain(bucket.as_deref()).take(2) {
        entry.value.prefetch_heap();
    }
}

/// How many buckets ahead [`Page::deep_copy`] prefetches: enough to keep the core's
/// outstanding-miss slots (about ten) busy.
const COPY_PREFETCH_DISTANCE: usize = 12;

/// Asks the CPU to start loading the first entry of `bucket` into the cache.
#[inline(always)]
fn prefetch_head<V>(bucket: &Bucket<V>) {
    if let Some(entry) = bucket.as_deref() {
        prefetch_read(entry);
    }
}

/// A hint to load the cache line at `value` (a no-op where we have no such instruction).
#[inline(always)]
pub fn prefetch_read<T>(value: &T) {
    prefetch_addr(value as *const T);
}

/// A hint to load the cache line at `addr`, which need not be valid: nothing is read
/// through it.
#[inline(always)]
fn prefetch_addr<T>(addr: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is only a hint to the cache: it never faults, whatever
        // the address (even unmapped), and reads nothing into the program, so no
        // validity of `addr` is required.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(addr.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = addr;
}

/// Unlinks every chain node by node, so a long chain cannot overflow the stack.
impl<V> Drop for Page<V> {
    fn drop(&mut self) {
        for bucket in self.buckets.iter_mut() {
            let mut next = bucket.take();
            while let Some(mut entry) = next {
                next = entry.next.take();
            }
        }
    }
}

/// Copies the chain starting at `head`, keeping its order; the entry with
/// `replacement`'s key, if any, gets `replacement`'s value (taken out of it) instead of
/// a clone of its own.
fn clone_chain<V: DictValue>(head: &Bucket<V>, replacement: &mut Option<(&[u8], V)>) -> Bucket<V> {
    let mut copy: Bucket<V> = None;
    let mut tail = &mut copy;
    for entry in chain(head.as_deref()) {
        let value = match replacement.take_if(|(key, _)| *key == entry.key.as_bytes()) {
            Some((_, value)) => value,
            None => entry.value.clone(),
        };
        let node = tail.insert(Box::new(Entry {
            key: entry.key.clone(),
            value,
            next: None,
        }));
        tail = &mut node.next;
    }
    copy
}

/// Iterates the entries of the chain starting at `head`.
fn chain<V>(head: Option<&Entry<V>>) -> impl Iterator<Item = &Entry<V>> {
    successors(head, |e| e.next.as_deref())
}

/// Unlinks the entry with `key` from the chain at `slot` and returns it.
fn unlink<V>(slot: &mut Bucket<V>, key: &[u8]) -> Option<Box<Entry<V>>> {
    let mut cur = slot;
    loop {
        if cur.as_ref()?.key.as_bytes() == key {
            break;
        }
        cur = &mut cur.as_mut()?.next;
    }
    let mut found = cur.take()?;
    *cur = found.next.take();
    Some(found)
}

/// One of the two hash tables: `size` buckets in pages, `used` entries.
struct Table<V> {
    /// `size / PAGE_BUCKETS` pages (one smaller page when `size < PAGE_BUCKETS`);
    /// `None` is a page whose buckets are all empty and not yet allocated. A boxed
    /// slice rather than a `Vec` (the count never changes): every set and hash in the
    /// hashtable encoding boxes a dict, and the 16 bytes this saves across the two
    /// tables (with the 32-bit `Dict::reclaim_cursor`) take the dict from jemalloc's
    /// 160-byte class to its 112-byte one.
    pages: Box<[Option<Arc<Page<V>>>]>,
    /// Number of buckets: 0 (no table) or a power of two.
    size: usize,
    /// Number of entries.
    used: usize,
}

/// Cheap clone: shares every page.
impl<V> Clone for Table<V> {
    fn clone(&self) -> Self {
        Table {
            pages: self.pages.clone(),
            size: self.size,
            used: self.used,
        }
    }
}

impl<V> Table<V> {
    /// A table with no buckets.
    fn empty() -> Table<V> {
        Table {
            pages: Box::default(),
            size: 0,
            used: 0,
        }
    }

    /// A table of `size` (a power of two) empty buckets, or None if the page vector
    /// cannot be allocated.
    fn with_size(size: usize) -> Option<Table<V>> {
        let page_count = size.div_ceil(PAGE_BUCKETS);
        let mut pages = Vec::new();
        pages.try_reserve_exact(page_count).ok()?;
        pages.resize_with(page_count, || None);
        Some(Table {
            pages: pages.into_boxed_slice(),
            size,
            used: 0,
        })
    }

    /// `size - 1`: the bits of a hash that select a bucket.
    fn mask(&self) -> usize {
        self.size.wrapping_sub(1)
    }

    /// Buckets per page of this table.
    fn page_len(&self) -> usize {
        self.size.min(PAGE_BUCKETS)
    }

    /// The first entry of bucket `idx` (which must be below `size`).
    fn head(&self, idx: usize) -> Option<&Entry<V>> {
        let (page, i) = self.page_of(idx)?;
        page.head(i)
    }

    /// The page holding bucket `idx` (None while it is not allocated: all its buckets
    /// are empty) and the bucket's index within it.
    #[inline]
    fn page_of(&self, idx: usize) -> Option<(&Page<V>, usize)> {
        let page = self.pages[idx >> PAGE_SHIFT].as_deref()?;
        Some((page, idx & (PAGE_BUCKETS - 1)))
    }

    /// Every entry of the table, bucket by bucket.
    fn entries(&self) -> impl Iterator<Item = &Entry<V>> {
        self.pages
            .iter()
            .flatten()
            .flat_map(|page| (0..page.len()).map(|i| page.head(i)))
            .flat_map(chain)
    }

    /// Releases page `page_idx` (the caller knows all its buckets are empty).
    fn release_page(&mut self, page_idx: usize) {
        self.pages[page_idx] = None;
    }

    /// Approximate heap bytes of the page vector and the allocated pages.
    fn page_bytes(&self) -> usize {
        let page_alloc = 2 * mem::size_of::<usize>() // Arc counts
            + mem::size_of::<Page<V>>()
            + self.page_len() * mem::size_of::<Bucket<V>>();
        let allocated = self.pages.iter().flatten().count();
        self.pages.len() * mem::size_of::<Option<Arc<Page<V>>>>() + allocated * page_alloc
    }
}

impl<V: DictValue> Table<V> {
    /// Bucket `idx` for writing: allocates its page if needed; if a snapshot shares the
    /// page, puts a page derived from it in its place; copies the bucket's chain if it
    /// is borrowed.
    fn slot_mut(&mut self, idx: usize) -> &mut Bucket<V> {
        self.slot_mut_replacing(idx, &mut None)
    }

    /// [`Table::slot_mut`] for giving an entry of the bucket a new value (see
    /// [`Page::bucket_mut`]).
    fn slot_mut_replacing(
        &mut self,
        idx: usize,
        replacement: &mut Option<(&[u8], V)>,
    ) -> &mut Bucket<V> {
        let page_len = self.page_len();
        let page =
            self.pages[idx >> PAGE_SHIFT].get_or_insert_with(|| Arc::new(Page::new(page_len)));
        // A plain load: only this dict can add holders of its pages, so a count of one
        // cannot grow meanwhile (and no `Weak` to a page exists).
        if Arc::strong_count(page) != 1 {
            *page = Arc::new(Page::derive(page));
        }
        // The page is not shared now, so this never clones it.
        Arc::make_mut(page).bucket_mut(idx & (PAGE_BUCKETS - 1), replacement)
    }

    /// Gives every page that still borrows from a page nothing else holds any more its
    /// chains back (see [`Page::reclaim`]), for up to `max_pages` pages from page
    /// `from`, and adds the detached origins to `released`. Returns the page to go on
    /// from, or None after the last.
    fn reclaim_pages(
        &mut self,
        from: usize,
        max_pages: usize,
        released: &mut Released<V>,
    ) -> Option<usize> {
        let end = self.pages.len().min(from.saturating_add(max_pages));
        for page in self.pages.get_mut(from..end)?.iter_mut().flatten() {
            if let Some(origin) = Arc::get_mut(page).and_then(Page::reclaim) {
                released.0.push(origin);
            }
        }
        (end < self.pages.len()).then_some(end)
    }

    /// The entry with `key` in bucket `idx`, for writing (copy-on-write of its page).
    fn entry_mut(&mut self, idx: usize, key: &[u8]) -> Option<&mut Entry<V>> {
        chain_entry_mut(self.slot_mut(idx), key)
    }
}

/// The entry with `key` in the chain at `slot`, for writing.
fn chain_entry_mut<'a, V>(slot: &'a mut Bucket<V>, key: &[u8]) -> Option<&'a mut Entry<V>> {
    let mut cur = slot.as_deref_mut();
    while let Some(entry) = cur {
        if entry.key.as_bytes() == key {
            return Some(entry);
        }
        cur = entry.next.as_deref_mut();
    }
    None
}

/// How a bucket can be written (see [`Dict::writable_bucket`]).
enum Writable {
    /// Page index and bucket within it, in `ht[0]`, writable in place.
    InPlace(usize, usize),
    /// The bucket is certainly empty.
    Empty,
    /// Possibly shared with a snapshot (or the dict is rehashing): find the key first,
    /// then write through copy-on-write.
    Shared,
}

/// Where a key lives: table number and bucket index.
#[derive(Clone, Copy)]
struct Loc {
    table: usize,
    idx: usize,
}

/// Hashes `key` with `state` (foldhash mixes the length in itself).
fn hash_with(state: &RandomState, key: &[u8]) -> u64 {
    let mut hasher = state.build_hasher();
    hasher.write(key);
    hasher.finish()
}

/// Increments a cursor's bits from the most significant one down (SCAN's order).
fn reverse_increment(v: u64) -> u64 {
    v.reverse_bits().wrapping_add(1).reverse_bits()
}

/// A hash table from `SmallBytes` keys to `V`, with incremental rehashing and
/// copy-on-write snapshots. See the module documentation.
pub struct Dict<V>
where
    V: DictValue,
{
    /// `ht[0]` and `ht[1]`; `ht[1]` has buckets only while rehashing.
    tables: [Table<V>; 2],
    /// While rehashing, the next bucket of `ht[0]` to move; all buckets before it are
    /// empty.
    rehash_idx: Option<usize>,
    /// Seeded hash function of this dict.
    hasher: RandomState,
    /// Whether the table may grow or shrink at its normal thresholds.
    resize_allowed: bool,
    /// The most bytes of buckets a bigger table may take, unless the table is too
    /// loaded to wait (set from maxmemory, see [`Dict::set_expand_budget`]).
    expand_budget: Option<usize>,
    /// Where the next [`Dict::reclaim_step`] goes on: a page index counting `ht[0]`'s
    /// pages, then `ht[1]`'s. 32 bits keep the dict in a smaller allocation class (see
    /// `Table::pages`); 2^32 pages would be 32 GB of page pointers alone.
    reclaim_cursor: u32,
}

/// Cheap copy: clones one `Arc` per page, sharing every page with the original; later
/// writes to either dict copy the pages they touch (as with [`Dict::snapshot`]). Lets a
/// collection value that holds a dict be copied on write without copying its entries.
impl<V: DictValue> Clone for Dict<V> {
    fn clone(&self) -> Self {
        Dict {
            tables: self.tables.clone(),
            rehash_idx: self.rehash_idx,
            hasher: self.hasher.clone(),
            resize_allowed: self.resize_allowed,
            expand_budget: self.expand_budget,
            reclaim_cursor: 0,
        }
    }
}

impl<V: DictValue> Default for Dict<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: DictValue> Dict<V> {
    /// An empty dict with a fresh random hash seed. Allocates nothing.
    pub fn new() -> Dict<V> {
        Dict {
            tables: [Table::empty(), Table::empty()],
            rehash_idx: None,
            hasher: RandomState::default(),
            resize_allowed: true,
            expand_budget: None,
            reclaim_cursor: 0,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.tables[0].used + self.tables[1].used
    }

    /// Whether the dict has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total buckets of both tables.
    pub fn bucket_count(&self) -> usize {
        self.tables[0].size + self.tables[1].size
    }

    /// Whether an incremental rehash is in progress.
    pub fn is_rehashing(&self) -> bool {
        self.rehash_idx.is_some()
    }

    /// The 64-bit hash this dict uses for `key` (stable for the dict's lifetime).
    pub fn hash_key(&self, key: &[u8]) -> u64 {
        hash_with(&self.hasher, key)
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.find(key).map(|e| &e.value)
    }

    /// The stored key and the value of `key`, if present.
    pub fn get_key_value(&self, key: &[u8]) -> Option<(&SmallBytes, &V)> {
        self.find(key).map(|e| (&e.key, &e.value))
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.find(key).is_some()
    }

    /// The value of `key` for writing. Moves one rehash bucket; copies the key's page if a
    /// snapshot shares it (a missing key copies nothing).
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.rehash_step();
        let hash = self.hash_key(key);
        match self.writable_bucket(hash) {
            Writable::InPlace(page_idx, i) => {
                let page = self.tables[0].pages[page_idx]
                    .as_mut()
                    .and_then(Arc::get_mut)?;
                chain_entry_mut(&mut page.buckets[i], key).map(|e| &mut e.value)
            }
            Writable::Empty => None,
            Writable::Shared => {
                let loc = self.locate(hash, key)?;
                self.tables[loc.table]
                    .entry_mut(loc.idx, key)
                    .map(|e| &mut e.value)
            }
        }
    }

    /// Gives the present `key` the value `value`, dropping the old one; hands `value`
    /// back if `key` is absent. The same as assigning through [`Dict::get_mut`], but
    /// when a snapshot shares the key's chain, the chain's copy gets `value` directly
    /// rather than a clone of the old value (see [`Page::bucket_mut`]).
    pub fn overwrite(&mut self, key: &[u8], value: V) -> Result<(), V> {
        self.rehash_step();
        let hash = self.hash_key(key);
        match self.writable_bucket(hash) {
            Writable::InPlace(page_idx, i) => {
                let entry = self.tables[0].pages[page_idx]
                    .as_mut()
                    .and_then(Arc::get_mut)
                    .and_then(|page| chain_entry_mut(&mut page.buckets[i], key));
                match entry {
                    Some(entry) => entry.value = value,
                    None => return Err(value),
                }
            }
            Writable::Empty => return Err(value),
            Writable::Shared => {
                let Some(loc) = self.locate(hash, key) else {
                    return Err(value);
                };
                let mut replacement = Some((key, value));
                let slot = self.tables[loc.table].slot_mut_replacing(loc.idx, &mut replacement);
                if let Some((_, value)) = replacement {
                    // The chain was this page's own already: write in place. `locate`
                    // has just seen the key there, so the walk finds it.
                    if let Some(entry) = chain_entry_mut(slot, key) {
                        entry.value = value;
                    }
                }
            }
        }
        Ok(())
    }

    /// How the bucket of `hash` can be written: in place with one walk (one table, the
    /// page allocated, not shared with a snapshot and not borrowing that bucket), not
    /// at all because it is certainly empty, or only through the copy-on-write path.
    #[inline]
    fn writable_bucket(&self, hash: u64) -> Writable {
        if self.is_rehashing() {
            return Writable::Shared;
        }
        let t = &self.tables[0];
        if t.size == 0 {
            return Writable::Empty;
        }
        let idx = hash as usize & t.mask();
        let page_idx = idx >> PAGE_SHIFT;
        let Some(page) = t.pages[page_idx].as_ref() else {
            return Writable::Empty; // no page: the bucket is empty
        };
        let i = idx & (PAGE_BUCKETS - 1);
        if Arc::strong_count(page) == 1 && !page.is_borrowed(i) {
            Writable::InPlace(page_idx, i)
        } else {
            Writable::Shared
        }
    }

    /// Inserts or replaces. On replace, keeps the stored key and returns the old value.
    /// Moves one rehash bucket and may start a resize.
    pub fn insert(&mut self, key: SmallBytes, value: V) -> Option<V> {
        self.rehash_step();
        self.expand_if_needed();
        let hash = self.hash_key(&key);
        if let Some(loc) = self.locate(hash, &key) {
            // `locate` has just seen the key there, so this finds it.
            let entry = self.tables[loc.table].entry_mut(loc.idx, &key)?;
            return Some(mem::replace(&mut entry.value, value));
        }
        self.push_absent(hash, key, value);
        None
    }

    /// Puts a new entry for `key` (absent, hashing to `hash`) at the head of its
    /// bucket, in the table that receives new keys.
    fn push_absent(&mut self, hash: u64, key: SmallBytes, value: V) {
        let table = &mut self.tables[usize::from(self.rehash_idx.is_some())];
        let slot = table.slot_mut(hash as usize & table.mask());
        let next = slot.take();
        *slot = Some(Box::new(Entry { key, value, next }));
        table.used += 1;
    }

    /// Inserts `key` if it is absent; hands `key` and `value` back if it is present.
    /// One lookup, where [`Dict::contains_key`] then [`Dict::insert`] would take two.
    pub fn insert_new(&mut self, key: SmallBytes, value: V) -> Result<(), (SmallBytes, V)> {
        self.rehash_step();
        self.expand_if_needed();
        let hash = self.hash_key(&key);
        if self.locate(hash, &key).is_some() {
            return Err((key, value));
        }
        self.push_absent(hash, key, value);
        Ok(())
    }

    /// Removes `key`, returning the stored key and its value. Moves one rehash bucket.
    /// Never shrinks the table (see [`Dict::shrink_if_needed`]).
    pub fn remove(&mut self, key: &[u8]) -> Option<(SmallBytes, V)> {
        self.rehash_step();
        let loc = self.locate(self.hash_key(key), key)?;
        let table = &mut self.tables[loc.table];
        let entry = unlink(table.slot_mut(loc.idx), key)?;
        table.used -= 1;
        let Entry { key, value, .. } = *entry;
        Some((key, value))
    }

    /// Drops every entry and both tables (pages a snapshot shares stay alive in it).
    pub fn clear(&mut self) {
        self.tables = [Table::empty(), Table::empty()];
        self.rehash_idx = None;
    }

    /// Moves all entries out into a new dict (so a big one can be dropped on another
    /// thread), leaving this one empty with the same resize setting. O(1).
    pub fn take_all(&mut self) -> Dict<V> {
        let mut fresh = Dict::new();
        fresh.resize_allowed = self.resize_allowed;
        fresh.expand_budget = self.expand_budget;
        mem::replace(self, fresh)
    }

    /// Iterates every entry once, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&SmallBytes, &V)> + '_ {
        entries_of(&self.tables).map(|e| (&e.key, &e.value))
    }

    /// A frozen view of the current contents, for another thread: clones one `Arc` per
    /// page. Later writes to this dict copy the pages they touch instead of changing the
    /// snapshot's.
    pub fn snapshot(&self) -> DictSnapshot<V> {
        DictSnapshot {
            tables: self.tables.clone(),
        }
    }

    /// Allows or forbids resizing at the normal thresholds (forbidden while a snapshot is
    /// alive, to avoid copying pages). Forbidden, the table still grows above 5 keys per
    /// bucket, and an in-progress rehash pauses unless the tables differ in size by a
    /// factor of 5 or more, or the table is that overloaded.
    pub fn set_resize_allowed(&mut self, allowed: bool) {
        self.resize_allowed = allowed;
    }

    /// Under maxmemory, Redis's dictExpandAllowed: a full table grows only if the new
    /// buckets fit in `budget` bytes (what is left under the limit), or once it holds
    /// [`OVERLOAD_PER_MILLE`]/1000 entries per bucket; till then chains get longer, rather
    /// than keys being evicted to pay for a table twice the size. `None`: no limit.
    pub fn set_expand_budget(&mut self, budget: Option<usize>) {
        self.expand_budget = budget;
    }

    /// Whether a table for `size` entries may be allocated now (see
    /// [`Dict::set_expand_budget`]).
    fn expand_fits_budget(&self, size: usize) -> bool {
        let Some(budget) = self.expand_budget else {
            return true;
        };
        let (buckets, used) = (self.tables[0].size, self.tables[0].used);
        if used.saturating_mul(1000) > buckets.saturating_mul(OVERLOAD_PER_MILLE) {
            return true;
        }
        let new_buckets = size.checked_next_power_of_two().unwrap_or(usize::MAX);
        new_buckets.saturating_mul(mem::size_of::<Bucket<V>>()) <= budget
    }

    /// Pre-sizes the table for at least `size` keys (e.g. RDB's RESIZEDB): starts a rehash
    /// to the next power of two. Returns false, doing nothing, if a rehash is in progress,
    /// the table is already that big, or the bucket array cannot be allocated.
    pub fn expand(&mut self, size: usize) -> bool {
        size > self.tables[0].size && self.resize_to(size)
    }

    /// Shrinks the table if it is under 10% full and resizing is allowed (the cron calls
    /// this). Returns whether a shrink was started.
    pub fn shrink_if_needed(&mut self) -> bool {
        if !self.resize_allowed || self.is_rehashing() {
            return false;
        }
        let (size, used) = (self.tables[0].size, self.tables[0].used);
        if size > INITIAL_SIZE && used * 100 / size < MIN_FILL_PERCENT {
            return self.resize_to(used.max(INITIAL_SIZE));
        }
        false
    }

    /// Gives the pages derived during a snapshot the chains they still borrow from a
    /// page the snapshot has let go of (or that ended with it), for up to `max_pages`
    /// pages, going on where the last call stopped; the detached origins, which hold
    /// the old versions of the chains written meanwhile, go to `released`. Returns true
    /// if pages remain (a page whose origin is still shared is skipped). A page that is
    /// not reclaimed only keeps memory alive; reads and writes are right either way.
    pub fn reclaim_step(&mut self, max_pages: usize, released: &mut Released<V>) -> bool {
        let n0 = self.tables[0].pages.len();
        let cursor = self.reclaim_cursor as usize;
        let (t, from) = if cursor < n0 {
            (0, cursor)
        } else {
            (1, cursor - n0)
        };
        // A cursor past u32 (never, see the field) would only restart the sweep.
        let to_cursor = |page: usize| u32::try_from(page).unwrap_or(u32::MAX);
        match self.tables[t].reclaim_pages(from, max_pages, released) {
            Some(next) => {
                self.reclaim_cursor = to_cursor(next + if t == 1 { n0 } else { 0 });
                true
            }
            None if t == 0 && !self.tables[1].pages.is_empty() => {
                self.reclaim_cursor = to_cursor(n0);
                true
            }
            None => {
                self.reclaim_cursor = 0;
                false
            }
        }
    }

    /// Makes the next [`Dict::reclaim_step`] start a sweep from the first page. For when
    /// a snapshot ends: a sweep under way skipped the pages whose origin it still
    /// shared, and finishing only that sweep would leave them their old chains.
    pub fn restart_reclaim(&mut self) {
        self.reclaim_cursor = 0;
    }

    /// Moves up to `n` buckets from `ht[0]` to `ht[1]` (visiting at most `10 * n` empty
    /// ones). Returns true if rehash work remains and is not paused.
    pub fn rehash_steps(&mut self, n: usize) -> bool {
        if self.rehash_paused() {
            return false;
        }
        self.move_buckets(n)
    }

    /// Moves up to `n` buckets even when the rehash is paused for the cron. Returns true
    /// if rehash work remains.
    fn move_buckets(&mut self, n: usize) -> bool {
        let Some(mut idx) = self.rehash_idx else {
            return false;
        };
        let mut empty_budget = n.saturating_mul(10);
        let mut moves = n;
        while moves > 0 && self.tables[0].used > 0 {
            // Some bucket at or after idx is non-empty, since entries remain.
            while self.tables[0].head(idx).is_none() {
                idx = self.advance_rehash(idx);
                empty_budget -= 1;
                if empty_budget == 0 {
                    self.rehash_idx = Some(idx);
                    return true;
                }
            }
            self.move_bucket(idx);
            idx = self.advance_rehash(idx);
            moves -= 1;
        }
        if self.tables[0].used == 0 {
            self.finish_rehash();
            return false;
        }
        self.rehash_idx = Some(idx);
        true
    }

    /// Rehashes in batches of 100 buckets until done, paused, or `us` microseconds have
    /// passed. Returns true if rehash work remains.
    pub fn rehash_for_micros(&mut self, us: u64) -> bool {
        let start = Instant::now();
        while self.rehash_steps(REHASH_BATCH) {
            if start.elapsed().as_micros() >= u128::from(us) {
                return true;
            }
        }
        false
    }

    /// One step of Redis's SCAN: calls `f` for every entry of the bucket(s) the cursor
    /// designates and returns the next cursor (0 when the scan is complete). A scan from 0
    /// until 0 reports every entry present for its whole duration, at least once, even if
    /// the table resizes between calls.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&SmallBytes, &V)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut visit = |table: &Table<V>, v: u64| {
            for e in chain(table.head(v as usize & table.mask())) {
                f(&e.key, &e.value);
            }
        };
        let mut v = cursor;
        if self.rehash_idx.is_none() {
            let t0 = &self.tables[0];
            visit(t0, v);
            return reverse_increment(v | !(t0.mask() as u64));
        }
        // Rehashing: one bucket of the smaller table, then every bucket of the larger
        // table that it expands to (the ones sharing its low bits).
        let (small, large) = if self.tables[0].size <= self.tables[1].size {
            (&self.tables[0], &self.tables[1])
        } else {
            (&self.tables[1], &self.tables[0])
        };
        let (m_small, m_large) = (small.mask() as u64, large.mask() as u64);
        visit(small, v);
        loop {
            visit(large, v);
            v = reverse_increment(v | !m_large);
            if v & (m_small ^ m_large) == 0 {
                return v;
            }
        }
    }

    /// A random entry, roughly uniform: samples up to 15 entries from a random spot and
    /// picks one of them. `rng` yields random 64-bit numbers. None if empty.
    pub fn random_entry(&self, rng: &mut impl FnMut() -> u64) -> Option<(&SmallBytes, &V)> {
        let mut picked: [Option<&Entry<V>>; FAIR_SAMPLE] = [None; FAIR_SAMPLE];
        let mut found = 0;
        self.some_entries(FAIR_SAMPLE, rng, |e| {
            picked[found] = Some(e);
            found += 1;
        });
        let entry = if found == 0 {
            self.any_entry(rng)?
        } else {
            picked[(rng() % found as u64) as usize]?
        };
        Some((&entry.key, &entry.value))
    }

    /// Calls `f` on up to `count` entries taken from consecutive buckets starting at a
    /// random one (for eviction and active expiry). May report fewer, after a bounded
    /// number of steps.
    pub fn sample(
        &self,
        count: usize,
        rng: &mut impl FnMut() -> u64,
        mut f: impl FnMut(&SmallBytes, &V),
    ) {
        self.some_entries(count, rng, |e| f(&e.key, &e.value));
    }

    /// Approximate bytes used by the tables and entry nodes (not counting the heap bytes
    /// of long keys or of values).
    pub fn mem_overhead(&self) -> usize {
        mem::size_of::<Self>()
            + self.tables[0].page_bytes()
            + self.tables[1].page_bytes()
            + self.len() * mem::size_of::<Entry<V>>()
    }

    /// Chain statistics in Redis's DEBUG HTSTATS text: the main table, then the table
    /// being rehashed into (if a rehash is under way).
    pub fn stats_text(&self) -> String {
        let table_stats = |t: &Table<V>| {
            TableStats::collect(
                t.size,
                t.used,
                (0..t.size).map(|i| chain(t.head(i)).count()),
            )
        };
        let target = self.is_rehashing().then(|| table_stats(&self.tables[1]));
        hash_table_stats::render(&table_stats(&self.tables[0]), target.as_ref())
    }

    /// The entry of `key`, if present (one walk of one or two chains).
    fn find(&self, key: &[u8]) -> Option<&Entry<V>> {
        let hash = self.hash_key(key);
        self.searched_tables()
            .find_map(|t| chain(t.head(hash as usize & t.mask())).find(|e| e.key.as_bytes() == key))
    }

    /// Which table and bucket hold `key` (whose hash is `hash`), if present.
    fn locate(&self, hash: u64, key: &[u8]) -> Option<Loc> {
        self.searched_tables().enumerate().find_map(|(table, t)| {
            let idx = hash as usize & t.mask();
            chain(t.head(idx))
                .any(|e| e.key.as_bytes() == key)
                .then_some(Loc { table, idx })
        })
    }

    /// Starts loading, into the CPU cache, the page that holds the bucket where `key`
    /// would be: the first of the three dependent cache misses of a lookup in a big
    /// table (page, bucket, entry). A hint for a lookup that comes a little later (a
    /// request further down a pipeline); it reads only the page vector, which is small
    /// enough to stay cached.
    pub fn prefetch_page(&self, key: &[u8]) {
        let hash = self.hash_key(key);
        for t in self.searched_tables() {
            if let Some((page, _)) = t.page_of(hash as usize & t.mask()) {
                prefetch_read(page);
            }
        }
    }

    /// Starts loading the bucket where `key` would be: the second cache miss of a
    /// lookup. Reads the page, so it pays only after [`Dict::prefetch_page`] had time
    /// to bring that in.
    ///
    /// In a page derived during a snapshot, it loads both the page's own slot (where a
    /// write stores its copy of the chain) and, for a borrowed bucket, the origin's
    /// header and bucket, by address: reading the bucket through the origin would
    /// wait for the header first.
    pub fn prefetch_bucket(&self, key: &[u8]) {
        let hash = self.hash_key(key);
        for t in self.searched_tables() {
            if let Some((page, i)) = t.page_of(hash as usize & t.mask()) {
                prefetch_read(&page.buckets[i]);
                if let Some(origin) = page.origin.as_ref().filter(|_| page.is_borrowed(i)) {
                    prefetch_addr(Arc::as_ptr(origin));
                    prefetch_addr((page.origin_buckets as *const Bucket<V>).wrapping_add(i));
                }
            }
        }
    }

    /// Starts loading the first entry of `key`'s bucket: the third cache miss of a
    /// lookup. Reads the bucket itself, so it pays only after
    /// [`Dict::prefetch_bucket`] had time to bring that in.
    pub fn prefetch_entry(&self, key: &[u8]) {
        let hash = self.hash_key(key);
        for t in self.searched_tables() {
            if let Some(head) = t.head(hash as usize & t.mask()) {
                prefetch_read(head);
            }
        }
    }

    /// Starts loading the heap block of `key`'s value (see [`DictValue::prefetch_heap`]):
    /// the last miss of a command that reads or replaces it. Walks the chain, so it
    /// pays only after [`Dict::prefetch_entry`] had time to bring that in.
    ///
    /// When the bucket is borrowed from a snapshot's page, a write copies its whole
    /// chain, cloning the values of the other entries (for a value on the heap, a
    /// reference count bumped on a line nothing else has read): so the heap blocks of
    /// the entries before `key`'s are loaded too, and the entry after it (not read by
    /// the lookup).
    pub fn prefetch_value(&self, key: &[u8]) {
        let hash = self.hash_key(key);
        for t in self.searched_tables() {
            let Some((page, i)) = t.page_of(hash as usize & t.mask()) else {
                continue;
            };
            let borrowed = page.is_borrowed(i);
            for entry in chain(page.head(i)) {
                if entry.key.as_bytes() != key {
                    if borrowed {
                        entry.value.prefetch_heap();
                    }
                    continue;
                }
                entry.value.prefetch_heap();
                if borrowed {
                    if let Some(next) = entry.next.as_deref() {
                        prefetch_read(next);
                    }
                }
                return;
            }
        }
    }

    /// The tables a lookup must search, in order: `ht[0]` if it has buckets, then
    /// `ht[1]` while rehashing.
    fn searched_tables(&self) -> impl Iterator<Item = &Table<V>> {
        let count = if self.is_rehashing() { 2 } else { 1 };
        self.tables[..count].iter().take_while(|t| t.size > 0)
    }

    /// One rehash step, as every write does. It runs even while a snapshot pauses the
    /// cron's bulk rehashing (as Redis keeps rehashing per operation while a child is
    /// alive): a rehash left half-done would make every lookup probe two tables for the
    /// whole snapshot, and the pages a step touches are mostly those the writes copy anyway.
    fn rehash_step(&mut self) {
        if self.is_rehashing() {
            self.move_buckets(1);
        }
    }

    /// Whether bulk rehashing (the cron's) waits because resizing is disallowed: it does
    /// unless the sizes differ by a factor of 5 or more or the new table is overloaded.
    fn rehash_paused(&self) -> bool {
        if self.resize_allowed {
            return false;
        }
        let (s0, s1) = (self.tables[0].size, self.tables[1].size);
        let ratio = s0.max(s1) / s0.min(s1).max(1);
        let overloaded = self.len() / s1.max(1) > FORCE_RESIZE_RATIO;
        ratio < FORCE_RESIZE_RATIO && !overloaded
    }

    /// Moves the whole chain of `ht[0]` bucket `idx` into `ht[1]`, reusing the nodes.
    fn move_bucket(&mut self, idx: usize) {
        let [t0, t1] = &mut self.tables;
        let mut next = t0.slot_mut(idx).take();
        let mask = t1.mask();
        while let Some(mut entry) = next {
            next = entry.next.take();
            let slot = t1.slot_mut(hash_with(&self.hasher, &entry.key) as usize & mask);
            entry.next = slot.take();
            *slot = Some(entry);
            t0.used -= 1;
            t1.used += 1;
        }
    }

    /// The rehash index after `idx`; releases the `ht[0]` page the rehash just left.
    fn advance_rehash(&mut self, idx: usize) -> usize {
        let next = idx + 1;
        if next.is_multiple_of(PAGE_BUCKETS) {
            self.tables[0].release_page(idx >> PAGE_SHIFT);
        }
        next
    }

    /// Ends a rehash whose `ht[0]` is empty: `ht[1]` becomes `ht[0]`.
    fn finish_rehash(&mut self) {
        self.tables[0] = mem::replace(&mut self.tables[1], Table::empty());
        self.rehash_idx = None;
    }

    /// Before an insert: creates the first table, or starts growing a full one.
    fn expand_if_needed(&mut self) {
        if self.is_rehashing() {
            return;
        }
        let (size, used) = (self.tables[0].size, self.tables[0].used);
        if size == 0 {
            self.resize_to(INITIAL_SIZE);
        } else if used >= size
            && (self.resize_allowed || used / size > FORCE_RESIZE_RATIO)
            && self.expand_fits_budget(used + 1)
        {
            self.resize_to(used + 1);
        }
    }

    /// Starts moving to a table of the smallest power of two >= `size` (at least 4) buckets.
    /// Returns false if rehashing, if that would not hold the keys or is the current
    /// size, or if allocation fails.
    fn resize_to(&mut self, size: usize) -> bool {
        if self.is_rehashing() || self.tables[0].used > size {
            return false;
        }
        let Some(real) = size.max(INITIAL_SIZE).checked_next_power_of_two() else {
            return false;
        };
        if real == self.tables[0].size {
            return false;
        }
        let Some(table) = Table::with_size(real) else {
            return false;
        };
        if self.tables[0].size == 0 {
            self.tables[0] = table;
        } else {
            self.tables[1] = table;
            self.rehash_idx = Some(0);
        }
        true
    }

    /// Calls `f` on up to `count` entries found by walking buckets from a random index in
    /// both tables (jumping elsewhere after a run of empty buckets), for at most
    /// `10 * count` steps. Returns how many it reported.
    fn some_entries<'a>(
        &'a self,
        count: usize,
        rng: &mut impl FnMut() -> u64,
        mut f: impl FnMut(&'a Entry<V>),
    ) -> usize {
        let count = count.min(self.len());
        if count == 0 {
            return 0;
        }
        let tables = if self.is_rehashing() { 2 } else { 1 };
        let max_mask = self.tables[0].mask().max(if tables == 2 {
            self.tables[1].mask()
        } else {
            0
        });
        let rehash_idx = self.rehash_idx.unwrap_or(0);
        let mut i = rng() as usize & max_mask;
        let (mut found, mut empty_run, mut steps) = (0, 0, count * 10);
        while found < count && steps > 0 {
            steps -= 1;
            for t in 0..tables {
                if tables == 2 && t == 0 && i < rehash_idx {
                    // ht[0] is empty below the rehash index; if ht[1] is too small to
                    // have this bucket either, jump to where ht[0]'s entries begin.
                    if i < self.tables[1].size {
                        continue;
                    }
                    i = rehash_idx;
                }
                let table = &self.tables[t];
                if i >= table.size {
                    continue;
                }
                let Some(head) = table.head(i) else {
                    empty_run += 1;
                    if empty_run >= 5 && empty_run > count {
                        i = rng() as usize & max_mask;
                        empty_run = 0;
                    }
                    continue;
                };
                empty_run = 0;
                for e in chain(Some(head)) {
                    f(e);
                    found += 1;
                    if found == count {
                        return found;
                    }
                }
            }
            i = (i + 1) & max_mask;
        }
        found
    }

    /// Some entry, found by probing random buckets (then, if unlucky, walking from a
    /// random one), and a random element of its chain. None if empty.
    fn any_entry(&self, rng: &mut impl FnMut() -> u64) -> Option<&Entry<V>> {
        if self.is_empty() {
            return None;
        }
        // Buckets that may hold entries: ht[0] from the rehash index on, then ht[1].
        let first = self.rehash_idx.unwrap_or(0);
        let (s0, s1) = (self.tables[0].size, self.tables[1].size);
        let span = s0 + s1 - first;
        let bucket = |h: usize| {
            if h < s0 {
                self.tables[0].head(h)
            } else {
                self.tables[1].head(h - s0)
            }
        };
        let start = first + (rng() % span as u64) as usize;
        let probes = (0..100).map(|_| first + (rng() % span as u64) as usize);
        let walk = (0..span).map(|k| first + (start - first + k) % span);
        let head = probes.chain(walk).find_map(bucket)?;
        let len = chain(Some(head)).count();
        chain(Some(head)).nth((rng() % len as u64) as usize)
    }
}

/// Every entry of both tables.
fn entries_of<V>(tables: &[Table<V>; 2]) -> impl Iterator<Item = &Entry<V>> {
    tables[0].entries().chain(tables[1].entries())
}

/// A frozen, shareable view of a [`Dict`] at the moment [`Dict::snapshot`] was called.
/// `Send + Sync` when `V` is; dropping it releases the pages only it still holds.
pub struct DictSnapshot<V>
where
    V: DictValue,
{
    tables: [Table<V>; 2],
}

/// Cheap clone: shares every page.
impl<V: DictValue> Clone for DictSnapshot<V> {
    fn clone(&self) -> Self {
        DictSnapshot {
            tables: self.tables.clone(),
        }
    }
}

impl<V: DictValue> DictSnapshot<V> {
    /// Number of entries in the view.
    pub fn len(&self) -> usize {
        self.tables[0].used + self.tables[1].used
    }

    /// Whether the view has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Iterates every entry of the view once, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&SmallBytes, &V)> + '_ {
        entries_of(&self.tables).map(|e| (&e.key, &e.value))
    }

    /// Calls `f` on every entry, page by page, letting go of each page once its
    /// entries are done, and stops at the first error. A page let go of is no longer
    /// shared: the live dict writes it in place again, and its own pages derived from
    /// it can take their chains back ([`Dict::reclaim_step`]) while the rest of the
    /// view is still being read. The view is empty afterwards, error or not.
    pub fn drain_each<E>(
        &mut self,
        mut f: impl FnMut(&SmallBytes, &V) -> Result<(), E>,
    ) -> Result<(), E> {
        let tables = mem::replace(&mut self.tables, [Table::empty(), Table::empty()]);
        for table in tables {
            for page in table.pages.into_vec().into_iter().flatten() {
                for i in 0..page.len() {
                    for e in chain(page.head(i)) {
                        f(&e.key, &e.value)?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

    /// A deterministic xorshift generator for tests.
    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed | 1;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        }
    }

    fn key(i: usize) -> SmallBytes {
        SmallBytes::from_vec(format!("key:{i}").into_bytes())
    }

    fn filled(n: usize) -> Dict<u64> {
        let mut d = Dict::new();
        for i in 0..n {
            assert_eq!(d.insert(key(i), i as u64), None);
        }
        d
    }

    fn contents<'a>(it: impl Iterator<Item = (&'a SmallBytes, &'a u64)>) -> BTreeMap<Vec<u8>, u64> {
        let mut map = BTreeMap::new();
        for (k, v) in it {
            assert!(map.insert(k.to_vec(), *v).is_none(), "duplicate key {k:?}");
        }
        map
    }

    /// Runs a full scan, calling `between` after each step; returns every key reported.
    fn full_scan(d: &mut Dict<u64>, mut between: impl FnMut(&mut Dict<u64>)) -> HashSet<Vec<u8>> {
        let mut seen = HashSet::new();
        let mut cursor = 0;
        loop {
            cursor = d.scan(cursor, |k, _| {
                seen.insert(k.to_vec());
            });
            if cursor == 0 {
                return seen;
            }
            between(d);
        }
    }

    impl<V: DictValue> Dict<V> {
        /// Asserts the structural invariants: counts, bucket placement, the emptiness of
        /// `ht[0]` before the rehash index, unique keys.
        fn check_invariants(&self) {
            let mut keys = HashSet::new();
            for (t, table) in self.tables.iter().enumerate() {
                let mut count = 0;
                assert_eq!(table.pages.len(), table.size.div_ceil(PAGE_BUCKETS));
                for idx in 0..table.size {
                    for e in chain(table.head(idx)) {
                        count += 1;
                        assert_eq!(self.hash_key(&e.key) as usize & table.mask(), idx);
                        assert!(keys.insert(e.key.to_vec()), "key in two places");
                        if t == 0 {
                            assert!(idx >= self.rehash_idx.unwrap_or(0));
                        }
                    }
                }
                assert_eq!(count, table.used);
                for page in table.pages.iter().flatten() {
                    let Some(origin) = page.origin.as_ref() else {
                        assert_eq!(page.borrowed, 0, "borrowing needs an origin");
                        continue;
                    };
                    if page.borrowed == 0 {
                        assert_eq!(Arc::strong_count(origin), 1, "kept only to be reclaimed");
                    }
                    assert!(origin.origin.is_none(), "derivation is one level deep");
                    assert_eq!(page.origin_buckets, origin.buckets.as_ptr() as usize);
                    for i in set_bits(page.borrowed) {
                        assert!(page.buckets[i].is_none(), "a borrowed slot is empty");
                    }
                }
            }
            if self.rehash_idx.is_none() {
                assert_eq!(self.tables[1].size, 0);
            }
        }
    }

    #[test]
    fn entry_node_is_lean() {
        assert_eq!(mem::size_of::<Entry<[u8; 32]>>(), 64);
        assert_eq!(mem::size_of::<Bucket<u64>>(), 8);
        assert_eq!(mem::size_of::<Option<Arc<Page<u64>>>>(), 8);
    }

    #[test]
    fn basic_operations() {
        let mut d: Dict<u64> = Dict::new();
        assert!(d.is_empty());
        assert_eq!(d.bucket_count(), 0);
        assert_eq!(d.insert(SmallBytes::new(b"a"), 1), None);
        assert_eq!(d.bucket_count(), INITIAL_SIZE);
        assert_eq!(d.insert(SmallBytes::new(b"a"), 2), Some(1));
        assert_eq!(d.len(), 1);
        assert_eq!(d.get(b"a"), Some(&2));
        assert_eq!(d.get(b"b"), None);
        *d.get_mut(b"a").expect("present") += 5;
        assert_eq!(
            d.get_key_value(b"a").map(|(k, v)| (k.to_vec(), *v)),
            Some((b"a".to_vec(), 7))
        );
        assert!(d.contains_key(b"a"));
        assert_eq!(
            d.remove(b"a").map(|(k, v)| (k.to_vec(), v)),
            Some((b"a".to_vec(), 7))
        );
        assert_eq!(d.remove(b"a"), None);
        assert!(d.is_empty());
        let long = vec![b'x'; 100];
        d.insert(SmallBytes::new(&long), 9);
        assert_eq!(d.get(&long), Some(&9));
    }

    #[test]
    fn replace_keeps_the_stored_key() {
        let mut d: Dict<u64> = Dict::new();
        let long = vec![b'k'; 40];
        let first = SmallBytes::new(&long);
        d.insert(first.clone(), 1);
        d.insert(SmallBytes::new(&long), 2);
        let (stored, _) = d.get_key_value(&long).expect("present");
        match (stored, &first) {
            (SmallBytes::Heap(a), SmallBytes::Heap(b)) => assert!(Arc::ptr_eq(a, b)),
            _ => panic!("expected heap keys"),
        }
    }

    #[test]
    fn grows_incrementally_and_shrinks_on_request() {
        let mut d = filled(1000);
        d.check_invariants();
        assert!(d.bucket_count() >= 1000);
        // Grows at len == size: 4 -> 8 happens on the fifth insert.
        let mut small: Dict<u64> = Dict::new();
        for i in 0..5 {
            small.insert(key(i), 0);
        }
        assert!(small.is_rehashing());
        assert_eq!(small.bucket_count(), 4 + 8);
        while d.rehash_steps(10) {}
        for i in 0..980 {
            d.remove(&key(i));
        }
        assert!(d.shrink_if_needed());
        assert!(d.is_rehashing());
        assert!(!d.shrink_if_needed(), "no second shrink while rehashing");
        assert!(!d.rehash_for_micros(1_000_000));
        assert_eq!(d.bucket_count(), 32);
        assert!(
            !d.shrink_if_needed(),
            "20 keys in 32 buckets is full enough"
        );
        d.check_invariants();
        assert_eq!(contents(d.iter()).len(), 20);
    }

    #[test]
    fn resize_disallowed_defers_growth_until_overloaded() {
        let mut d: Dict<u64> = Dict::new();
        d.set_resize_allowed(false);
        for i in 0..24 {
            d.insert(key(i), 0);
        }
        assert_eq!(d.bucket_count(), 4, "5 keys per bucket is tolerated");
        d.insert(key(24), 0);
        assert_eq!(d.bucket_count(), 4 + 32, "forced growth above 5 per bucket");
        assert!(
            !d.rehash_for_micros(1_000_000),
            "a forced rehash is not paused"
        );
        assert_eq!(d.bucket_count(), 32);
        // A normal 2x rehash in progress pauses while resizing is disallowed.
        let mut d = filled(33); // the 33rd insert starts 32 -> 64
        assert!(d.is_rehashing());
        d.set_resize_allowed(false);
        assert!(!d.rehash_steps(1000));
        assert!(d.is_rehashing());
        assert!(!d.shrink_if_needed());
        d.set_resize_allowed(true);
        while d.rehash_steps(1000) {}
        assert!(!d.is_rehashing());
        d.check_invariants();
        // Writes still move one bucket each while the bulk rehash is paused.
        let mut d = filled(33);
        d.set_resize_allowed(false);
        let mut i = 1000;
        while d.is_rehashing() {
            d.insert(key(i), 0);
            i += 1;
            assert!(i < 1200, "per-write rehash steps never finished the rehash");
        }
        d.check_invariants();
        assert_eq!(d.len(), 33 + (i - 1000));
    }

    #[test]
    fn expand_presizes() {
        let mut d: Dict<u64> = Dict::new();
        assert!(d.expand(1000));
        assert_eq!(d.bucket_count(), 1024);
        assert!(!d.is_rehashing());
        assert!(!d.expand(10), "never shrinks");
        assert!(!d.expand(usize::MAX), "impossible size is refused");
        for i in 0..1000 {
            d.insert(key(i), 0);
        }
        assert_eq!(d.bucket_count(), 1024, "no resize needed");
        assert!(d.expand(5000));
        assert!(d.is_rehashing());
    }

    #[test]
    fn clear_and_take_all() {
        let mut d = filled(300);
        d.set_resize_allowed(false);
        let taken = d.take_all();
        assert!(d.is_empty());
        assert_eq!(d.bucket_count(), 0);
        assert_eq!(taken.len(), 300);
        assert_eq!(taken.get(&key(7)), Some(&7));
        assert!(!d.resize_allowed, "setting kept");
        let mut d = filled(50);
        d.clear();
        assert!(d.is_empty() && !d.is_rehashing() && d.iter().next().is_none());
        d.insert(key(1), 1);
        assert_eq!(d.get(&key(1)), Some(&1));
    }

    #[test]
    fn scan_of_a_static_table_reports_each_key_once() {
        let mut d = filled(5000);
        while d.rehash_steps(100) {}
        let mut seen = Vec::new();
        let mut cursor = 0;
        loop {
            cursor = d.scan(cursor, |k, _| seen.push(k.to_vec()));
            if cursor == 0 {
                break;
            }
        }
        let unique: HashSet<_> = seen.iter().cloned().collect();
        assert_eq!(seen.len(), 5000);
        assert_eq!(unique.len(), 5000);
        assert_eq!(Dict::<u64>::new().scan(0, |_, _| panic!("empty")), 0);
    }

    #[test]
    fn scan_survives_growth() {
        let mut d = filled(1000);
        let mut next = 1000;
        let seen = full_scan(&mut d, |d| {
            // Bounded, or the scan would chase an ever-growing table.
            for _ in 0..300 {
                if next < 20_000 {
                    d.insert(key(next), 0);
                    next += 1;
                }
            }
        });
        assert!(d.bucket_count() >= 8 * 1024, "table grew a lot");
        for i in 0..1000 {
            assert!(seen.contains(key(i).as_bytes()), "missed {i}");
        }
    }

    #[test]
    fn scan_survives_shrinking() {
        let mut d = filled(20_000);
        while d.rehash_steps(100) {}
        let stable: Vec<usize> = (0..20_000).step_by(97).collect();
        let mut doomed: Vec<usize> = (0..20_000).filter(|i| i % 97 != 0).collect();
        let mut shrinks = 0;
        let seen = full_scan(&mut d, |d| {
            for _ in 0..400 {
                if let Some(i) = doomed.pop() {
                    d.remove(&key(i));
                }
            }
            if d.shrink_if_needed() {
                shrinks += 1;
            }
            d.rehash_steps(3);
        });
        assert!(shrinks >= 2, "shrank {shrinks} times");
        for i in stable {
            assert!(seen.contains(key(i).as_bytes()), "missed {i}");
        }
    }

    #[test]
    fn random_entry_and_sample() {
        let mut r = rng(7);
        let empty: Dict<u64> = Dict::new();
        assert!(empty.random_entry(&mut r).is_none());
        let mut d = filled(2000);
        let mut hits = HashSet::new();
        for _ in 0..2000 {
            let (k, v) = d.random_entry(&mut r).expect("non-empty");
            assert_eq!(d.get(k), Some(v));
            hits.insert(k.to_vec());
        }
        assert!(hits.len() > 500, "only {} distinct keys", hits.len());
        let mut n = 0;
        d.sample(20, &mut r, |k, v| {
            assert_eq!(d.get(k), Some(v));
            n += 1;
        });
        assert!(n > 0 && n <= 20);
        // A sparse table (after mass deletion, not shrunk) still yields its keys.
        for i in 1..2000 {
            d.remove(&key(i));
        }
        for _ in 0..20 {
            assert_eq!(
                d.random_entry(&mut r).map(|(k, _)| k.to_vec()),
                Some(key(0).to_vec())
            );
        }
    }

    #[test]
    fn random_entry_during_rehash_reaches_both_tables() {
        let mut d = filled(65); // the 65th insert starts 64 -> 128
        assert!(d.is_rehashing());
        // Step until both tables hold keys; how many steps that takes depends on the
        // per-process hash seed, so a fixed count could move everything (or nothing).
        while d.tables[1].used == 0 {
            d.rehash_steps(1);
        }
        assert!(d.is_rehashing() && d.tables[0].used > 0 && d.tables[1].used > 0);
        let mut r = rng(99);
        let mut hits = HashSet::new();
        for _ in 0..3000 {
            hits.insert(d.random_entry(&mut r).expect("non-empty").0.to_vec());
        }
        assert_eq!(hits.len(), 65);
    }

    #[test]
    fn snapshot_is_isolated_from_later_writes() {
        let mut d = filled(10_000);
        d.rehash_steps(30); // snapshot taken mid-rehash
        assert!(d.is_rehashing());
        let before = contents(d.iter());
        let snap = d.snapshot();
        for i in 0..10_000 {
            if i % 3 == 0 {
                *d.get_mut(&key(i)).expect("present") += 1_000_000;
            } else if i % 3 == 1 {
                d.remove(&key(i));
            }
        }
        for i in 10_000..30_000 {
            d.insert(key(i), 7);
        }
        d.rehash_for_micros(10_000_000);
        let after = contents(d.iter());
        assert_eq!(snap.len(), 10_000);
        assert_eq!(contents(snap.iter()), before);
        assert_eq!(after.len(), d.len());
        assert_eq!(after.get(key(3).as_bytes()), Some(&1_000_003));
        assert_eq!(after.get(key(4).as_bytes()), None);
        assert_eq!(after.get(key(29_999).as_bytes()), Some(&7));
        d.clear();
        assert_eq!(contents(snap.iter()), before);
        d.check_invariants();
    }

    #[test]
    fn snapshot_iterates_on_another_thread_while_dict_changes() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<DictSnapshot<u64>>();
        assert_send_sync::<Dict<u64>>();
        let mut d = filled(5000);
        let snap = d.snapshot();
        let expected = contents(snap.iter());
        let reader = std::thread::spawn(move || contents(snap.iter()));
        for i in 0..5000 {
            d.remove(&key(i));
            d.insert(key(i + 5000), 1);
        }
        assert_eq!(reader.join().expect("reader"), expected);
    }

    #[test]
    fn snapshot_is_one_arc_per_page_and_writes_derive_one_page() {
        let mut d: Dict<u32> = Dict::new();
        for i in 0..1_000_000u32 {
            d.insert(SmallBytes::new(&i.to_le_bytes()), i);
        }
        while d.rehash_steps(1000) {}
        assert_eq!(d.bucket_count(), 1 << 20);
        let snap = d.snapshot();
        let live = &d.tables[0].pages;
        assert_eq!(live.len(), (1 << 20) / PAGE_BUCKETS); // 8192 pages
        assert_eq!(snap.tables[0].pages.len(), live.len());
        for (mine, theirs) in live.iter().zip(&snap.tables[0].pages) {
            let (mine, theirs) = (mine.as_ref().expect("page"), theirs.as_ref().expect("page"));
            assert!(Arc::ptr_eq(mine, theirs), "snapshot shares the page");
            assert_eq!(Arc::strong_count(mine), 2);
        }
        // One write derives exactly one page, which borrows every other bucket of the
        // snapshot's page: one chain is copied.
        *d.get_mut(&5u32.to_le_bytes()).expect("present") = 0;
        let derived: Vec<(&Page<u32>, &Arc<Page<u32>>)> = d.tables[0]
            .pages
            .iter()
            .zip(&snap.tables[0].pages)
            .map(|(a, b)| (a.as_deref().expect("page"), b.as_ref().expect("page")))
            .filter(|(a, b)| !std::ptr::eq(*a, Arc::as_ptr(b)))
            .collect();
        assert_eq!(derived.len(), 1);
        let (page, shared) = derived[0];
        assert!(Arc::ptr_eq(page.origin.as_ref().expect("origin"), shared));
        assert_eq!(page.borrowed.count_ones() as usize, PAGE_BUCKETS - 1);
        assert_eq!(page.buckets.iter().filter(|b| b.is_some()).count(), 1);
        for i in set_bits(page.borrowed) {
            match (page.head(i), shared.head(i)) {
                (Some(mine), Some(theirs)) => assert!(std::ptr::eq(mine, theirs)),
                (mine, theirs) => assert!(mine.is_none() && theirs.is_none()),
            }
        }
        // Reading or missing keys copies nothing.
        assert!(d.get_mut(b"absent key").is_none());
        assert_eq!(d.get(&6u32.to_le_bytes()), Some(&6));
        let copied_after = d.tables[0]
            .pages
            .iter()
            .filter(|p| Arc::strong_count(p.as_ref().expect("page")) == 1)
            .count();
        assert_eq!(copied_after, 1);
    }

    /// A value that counts its clones.
    #[derive(Debug, PartialEq)]
    struct Counted(u64);

    static COUNTED_CLONES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    impl Clone for Counted {
        fn clone(&self) -> Self {
            COUNTED_CLONES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Counted(self.0)
        }
    }

    impl DictValue for Counted {}

    #[test]
    fn overwrite_during_a_snapshot_copies_the_chain_but_not_the_replaced_value() {
        use std::sync::atomic::Ordering::Relaxed;
        let mut d: Dict<Counted> = Dict::new();
        for i in 0..4000 {
            d.insert(key(i), Counted(i as u64));
        }
        while d.rehash_steps(1000) {}
        let snap = d.snapshot();
        // A key that shares its bucket with others, so the copy also clones values.
        let (k, chain_len) = (0..4000)
            .map(|i| {
                let t = &d.tables[0];
                let len = chain(t.head(d.hash_key(key(i).as_bytes()) as usize & t.mask())).count();
                (i, len)
            })
            .find(|&(_, len)| len >= 2)
            .expect("a bucket with two keys");
        let clones = COUNTED_CLONES.load(Relaxed);
        assert_eq!(d.overwrite(key(k).as_bytes(), Counted(1_000_000)), Ok(()));
        assert_eq!(COUNTED_CLONES.load(Relaxed) - clones, chain_len - 1);
        assert_eq!(d.get(key(k).as_bytes()), Some(&Counted(1_000_000)));
        let frozen: HashMap<&[u8], &Counted> =
            snap.iter().map(|(k, v)| (k.as_bytes(), v)).collect();
        assert_eq!(frozen[key(k).as_bytes()], &Counted(k as u64));
        // The chain is this page's own now: a second overwrite clones nothing.
        let clones = COUNTED_CLONES.load(Relaxed);
        assert_eq!(d.overwrite(key(k).as_bytes(), Counted(7)), Ok(()));
        assert_eq!(COUNTED_CLONES.load(Relaxed), clones);
        assert_eq!(d.get(key(k).as_bytes()), Some(&Counted(7)));
        // An absent key gets its value back, and nothing is copied for it.
        assert_eq!(d.overwrite(b"absent", Counted(3)), Err(Counted(3)));
        assert_eq!(d.len(), 4000);
        d.check_invariants();
        // Once the snapshot has let go, a chain still borrowed from the same page moves
        // over uncopied; the origin stays until it is reclaimed.
        let idx_of = |d: &Dict<Counted>, i: usize| {
            d.hash_key(key(i).as_bytes()) as usize & d.tables[0].mask()
        };
        let k2 = (0..4000)
            .find(|&i| {
                let idx = idx_of(&d, i);
                idx >> PAGE_SHIFT == idx_of(&d, k) >> PAGE_SHIFT
                    && idx != idx_of(&d, k)
                    && chain(d.tables[0].head(idx)).count() >= 2
            })
            .expect("another bucket with two keys in the page");
        drop(frozen);
        drop(snap);
        let clones = COUNTED_CLONES.load(Relaxed);
        assert_eq!(d.overwrite(key(k2).as_bytes(), Counted(9)), Ok(()));
        assert_eq!(COUNTED_CLONES.load(Relaxed), clones);
        assert_eq!(d.get(key(k2).as_bytes()), Some(&Counted(9)));
        let page = d.tables[0].pages[idx_of(&d, k2) >> PAGE_SHIFT]
            .as_ref()
            .expect("page");
        assert!(!page.is_borrowed(idx_of(&d, k2) & (PAGE_BUCKETS - 1)));
        assert!(page.origin.is_some());
        d.check_invariants();
        while d.reclaim_step(64, &mut Released::new()) {}
        assert_eq!(pages_with_origin(&d), 0);
        assert_eq!(d.get(key(k2).as_bytes()), Some(&Counted(9)));
        assert_eq!(d.get(key(k).as_bytes()), Some(&Counted(7)));
    }

    #[test]
    fn pages_derived_during_a_snapshot_are_reclaimed_after_it() {
        let mut d = filled(20_000);
        while d.rehash_steps(1000) {}
        let before = contents(d.iter());
        let snap = d.snapshot();
        for i in (0..20_000).step_by(7) {
            *d.get_mut(&key(i)).expect("present") += 1;
        }
        assert!(pages_with_origin(&d) > 0);
        // While the snapshot lives, nothing can be reclaimed.
        while d.reclaim_step(16, &mut Released::new()) {}
        assert!(pages_with_origin(&d) > 0);
        d.check_invariants();
        assert_eq!(contents(snap.iter()), before);
        drop(snap);
        while d.reclaim_step(16, &mut Released::new()) {}
        assert_eq!(pages_with_origin(&d), 0);
        d.check_invariants();
        let after = contents(d.iter());
        assert_eq!(after.len(), 20_000);
        assert_eq!(after.get(key(7).as_bytes()), Some(&8));
        assert_eq!(after.get(key(8).as_bytes()), Some(&8));
    }

    /// How many pages of `d`'s first table were derived during a snapshot and still
    /// hold their origin.
    fn pages_with_origin<V: DictValue>(d: &Dict<V>) -> usize {
        d.tables[0]
            .pages
            .iter()
            .flatten()
            .filter(|p| p.origin.is_some())
            .count()
    }

    #[test]
    fn a_sweep_restarted_after_the_snapshot_reclaims_the_pages_it_skipped() {
        let mut d = filled(20_000);
        while d.rehash_steps(1000) {}
        let snap = d.snapshot();
        for i in 0..20_000 {
            *d.get_mut(key(i).as_bytes()).expect("present") += 1;
        }
        let pages = d.tables[0].pages.len();
        assert_eq!(pages_with_origin(&d), pages);
        // Half a sweep while the snapshot still shares every origin: all skipped.
        assert!(d.reclaim_step(pages / 2, &mut Released::new()));
        assert_eq!(pages_with_origin(&d), pages);
        drop(snap);
        d.restart_reclaim();
        let mut released = Released::new();
        while d.reclaim_step(64, &mut released) {}
        assert_eq!(pages_with_origin(&d), 0);
        assert_eq!(released.0.len(), pages);
        d.check_invariants();
    }

    #[test]
    fn a_draining_snapshot_lets_go_of_its_pages_as_it_goes() {
        let mut d = filled(20_000);
        while d.rehash_steps(1000) {}
        let before = contents(d.iter());
        let mut snap = d.snapshot();
        let mut model = before.clone();
        let mut seen = BTreeMap::new();
        let mut i = 0;
        snap.drain_each(|k, v| {
            seen.insert(k.to_vec(), *v);
            // Writes and reclaiming go on while the view is read.
            let k = key((i * 7919) % 20_000);
            *d.get_mut(&k).expect("present") += 1;
            *model.get_mut(k.as_bytes()).expect("present") += 1;
            d.insert(key(20_000 + i), 5);
            model.insert(key(20_000 + i).to_vec(), 5);
            if i % 500 == 0 {
                d.reclaim_step(64, &mut Released::new());
            }
            i += 1;
            Ok::<(), ()>(())
        })
        .expect("no error");
        assert_eq!(seen, before);
        assert!(snap.is_empty());
        d.restart_reclaim();
        while d.reclaim_step(64, &mut Released::new()) {}
        d.check_invariants();
        assert!(d
            .tables
            .iter()
            .all(|t| t.pages.iter().flatten().all(|p| p.origin.is_none())));
        assert_eq!(contents(d.iter()), model);
        // An error stops the walk and still empties the view.
        let mut snap = d.snapshot();
        let mut n = 0;
        assert_eq!(
            snap.drain_each(|_, _| {
                n += 1;
                if n == 10 {
                    Err(n)
                } else {
                    Ok(())
                }
            }),
            Err(10)
        );
        assert!(snap.is_empty());
    }

    #[test]
    fn a_snapshot_taken_while_pages_still_borrow_stays_frozen() {
        let mut d = filled(5_000);
        while d.rehash_steps(1000) {}
        let first = d.snapshot();
        let at_first = contents(first.iter());
        for i in (0..5_000).step_by(11) {
            *d.get_mut(&key(i)).expect("present") += 1;
        }
        // Pages derived for the first snapshot are shared by the second, so writing
        // them again copies them whole.
        let second = d.snapshot();
        let at_second = contents(second.iter());
        for i in (0..5_000).step_by(5) {
            d.remove(&key(i));
        }
        for i in 5_000..6_000 {
            d.insert(key(i), 9);
        }
        d.check_invariants();
        assert_eq!(contents(first.iter()), at_first);
        drop(first);
        while d.reclaim_step(64, &mut Released::new()) {}
        assert_eq!(contents(second.iter()), at_second);
        drop(second);
        while d.reclaim_step(64, &mut Released::new()) {}
        d.check_invariants();
        assert_eq!(d.len(), 5_000);
        assert_eq!(d.get(&key(11)), Some(&12));
        assert_eq!(d.get(&key(5_999)), Some(&9));
        assert_eq!(d.get(&key(10)), None);
    }

    #[test]
    fn long_chain_clone_and_drop_do_not_recurse() {
        let mut page: Page<u64> = Page::new(4);
        for i in 0..200_000 {
            let next = page.buckets[1].take();
            page.buckets[1] = Some(Box::new(Entry {
                key: key(i),
                value: i as u64,
                next,
            }));
        }
        let copy = page.clone();
        assert_eq!(chain(copy.buckets[1].as_deref()).count(), 200_000);
        let orig: Vec<u64> = chain(page.buckets[1].as_deref()).map(|e| e.value).collect();
        let cloned: Vec<u64> = chain(copy.buckets[1].as_deref()).map(|e| e.value).collect();
        assert_eq!(orig, cloned, "clone keeps chain order");
        drop(page);
        drop(copy);
    }

    #[test]
    fn mem_overhead_tracks_entries_and_tables() {
        let d = filled(10_000);
        let overhead = d.mem_overhead();
        let entries = 10_000 * mem::size_of::<Entry<u64>>();
        assert!(overhead > entries + d.bucket_count() * 8 / 2, "{overhead}");
        assert!(
            overhead < entries + d.bucket_count() * 8 * 2 + 4096,
            "{overhead}"
        );
        assert!(Dict::<u64>::new().mem_overhead() < 256);
    }

    #[test]
    fn a_dict_fits_the_112_byte_allocation_class() {
        // Every set and hash in the hashtable encoding boxes a dict; at 113 bytes or
        // more jemalloc would round each one up to 128 or 160.
        assert!(mem::size_of::<Dict<()>>() <= 112);
        assert!(mem::size_of::<Dict<SmallBytes>>() <= 112);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u16, u64),
        Remove(u16),
        Get(u16),
        GetMut(u16, u64),
        Overwrite(u16, u64),
        /// Inserts (true) or removes (false) keys `start..start + count`.
        Bulk(bool, u16, u8),
        Shrink,
        Rehash(u8),
        AllowResize(bool),
        Snapshot,
        /// Checks and drops the snapshot at this index (modulo their number).
        DropSnapshot(u8),
        /// Reclaims up to this many pages.
        Reclaim(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (KEYS, any::<u64>()).prop_map(|(k, v)| Op::Insert(k, v)),
            4 => KEYS.prop_map(Op::Remove),
            2 => KEYS.prop_map(Op::Get),
            2 => (KEYS, any::<u64>()).prop_map(|(k, v)| Op::GetMut(k, v)),
            2 => (KEYS, any::<u64>()).prop_map(|(k, v)| Op::Overwrite(k, v)),
            1 => (any::<bool>(), KEYS, any::<u8>()).prop_map(|(add, k, n)| Op::Bulk(add, k, n)),
            1 => Just(Op::Shrink),
            1 => any::<u8>().prop_map(Op::Rehash),
            1 => any::<bool>().prop_map(Op::AllowResize),
            1 => Just(Op::Snapshot),
            1 => any::<u8>().prop_map(Op::DropSnapshot),
            1 => any::<u8>().prop_map(Op::Reclaim),
        ]
    }

    /// The reference model of a `Dict<u64>`.
    type Model = HashMap<Vec<u8>, u64>;

    /// The key numbers the model test draws from (bulk ranges reach a little further).
    const KEYS: std::ops::Range<u16> = 0..1500;

    /// A key by number, every fourth one longer than the inline capacity.
    fn model_key(k: u16) -> Vec<u8> {
        let mut v = k.to_le_bytes().to_vec();
        if k.is_multiple_of(4) {
            v.extend_from_slice(&[b'-'; 30]);
        }
        v
    }

    proptest! {
        #[test]
        fn behaves_like_a_hashmap(ops in proptest::collection::vec(op(), 1..400)) {
            let mut d: Dict<u64> = Dict::new();
            let mut model: HashMap<Vec<u8>, u64> = HashMap::new();
            let mut snaps: Vec<(DictSnapshot<u64>, Model)> = Vec::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => {
                        let k = model_key(k);
                        prop_assert_eq!(d.insert(SmallBytes::new(&k), v), model.insert(k, v));
                    }
                    Op::Remove(k) => {
                        let k = model_key(k);
                        let got = d.remove(&k).map(|(k, v)| (k.to_vec(), v));
                        prop_assert_eq!(got, model.remove_entry(&k));
                    }
                    Op::Get(k) => {
                        let k = model_key(k);
                        prop_assert_eq!(d.get(&k), model.get(&k));
                    }
                    Op::GetMut(k, v) => {
                        let k = model_key(k);
                        let got = d.get_mut(&k).map(|x| mem::replace(x, v));
                        let want = model.get_mut(&k).map(|x| mem::replace(x, v));
                        prop_assert_eq!(got, want);
                    }
                    Op::Overwrite(k, v) => {
                        let k = model_key(k);
                        let want = match model.get_mut(&k) {
                            Some(x) => { *x = v; Ok(()) }
                            None => Err(v),
                        };
                        prop_assert_eq!(d.overwrite(&k, v), want);
                    }
                    Op::Bulk(add, start, count) => {
                        for k in (start..start + u16::from(count)).map(model_key) {
                            if add {
                                prop_assert_eq!(d.insert(SmallBytes::new(&k), 1), model.insert(k, 1));
                            } else {
                                prop_assert_eq!(d.remove(&k).map(|e| e.1), model.remove(&k));
                            }
                        }
                    }
                    Op::Shrink => { d.shrink_if_needed(); }
                    Op::Rehash(n) => { d.rehash_steps(n as usize); }
                    Op::AllowResize(b) => d.set_resize_allowed(b),
                    Op::Snapshot => snaps.push((d.snapshot(), model.clone())),
                    Op::DropSnapshot(i) => {
                        if !snaps.is_empty() {
                            let (snap, frozen) = snaps.remove(usize::from(i) % snaps.len());
                            let got: HashMap<Vec<u8>, u64> =
                                snap.iter().map(|(k, v)| (k.to_vec(), *v)).collect();
                            prop_assert_eq!(got, frozen);
                        }
                    }
                    Op::Reclaim(n) => { d.reclaim_step(usize::from(n), &mut Released::new()); }
                }
                prop_assert_eq!(d.len(), model.len());
            }
            d.check_invariants();
            let got: HashMap<Vec<u8>, u64> = d.iter().map(|(k, v)| (k.to_vec(), *v)).collect();
            prop_assert_eq!(got.len(), d.len());
            prop_assert_eq!(&got, &model);
            let mut scanned = HashSet::new();
            let mut cursor = 0;
            loop {
                cursor = d.scan(cursor, |k, _| { scanned.insert(k.to_vec()); });
                if cursor == 0 { break; }
            }
            prop_assert_eq!(scanned, model.keys().cloned().collect::<HashSet<_>>());
            for (snap, frozen) in snaps {
                let got: HashMap<Vec<u8>, u64> = snap.iter().map(|(k, v)| (k.to_vec(), *v)).collect();
                prop_assert_eq!(snap.len(), frozen.len());
                prop_assert_eq!(got, frozen);
            }
        }

        #[test]
        fn scan_reports_keys_present_throughout(
            initial in 1usize..600,
            steps in proptest::collection::vec((0usize..300, 0usize..300, any::<bool>(), 0u8..8), 1..60),
        ) {
            let mut d = filled(initial);
            let stable: BTreeSet<usize> = (0..initial).filter(|i| i % 5 == 0).collect();
            let mut volatile: Vec<usize> = (0..initial).filter(|i| i % 5 != 0).collect();
            let mut next = initial;
            let mut steps = steps.into_iter();
            let seen = full_scan(&mut d, |d| {
                let Some((adds, removes, shrink, rehash)) = steps.next() else { return };
                for _ in 0..adds {
                    d.insert(key(next), 0);
                    volatile.push(next);
                    next += 1;
                }
                for _ in 0..removes {
                    if let Some(i) = volatile.pop() {
                        d.remove(&key(i));
                    }
                }
                if shrink {
                    d.shrink_if_needed();
                }
                d.rehash_steps(rehash as usize);
            });
            for i in stable {
                prop_assert!(seen.contains(key(i).as_bytes()), "missed {}", i);
            }
        }
    }
}
