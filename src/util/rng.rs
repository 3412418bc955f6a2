//! A small xorshift generator for the random choices of one operation (sampling keys,
//! RANDOMKEY, HRANDFIELD...), seeded from the server's generator so the dict can be
//! borrowed while it draws.

/// A xorshift64 generator seeded with `seed` (made odd: a zero state would stay zero).
pub fn rng_from(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
