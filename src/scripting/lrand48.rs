//! The generator behind `math.random` in scripts: the 48-bit linear congruential
//! generator of POSIX `lrand48`, as Redis ships it (rand.c), so that a script draws the
//! same numbers on ferrodis as on Redis, on every platform.

/// Multiplier and increment of the `lrand48` recurrence.
const A: u64 = 0x5_DEEC_E66D;
const C: u64 = 0xB;
const MASK: u64 = (1 << 48) - 1;
/// The state before any seeding (lrand48's documented default).
const INITIAL: u64 = 0x1234_ABCD_330E;

/// The generator's state. Redis keeps one for the process, never reseeded except by
/// `math.randomseed`.
#[derive(Debug, Clone, Copy)]
pub struct Lrand48(u64);

impl Default for Lrand48 {
    fn default() -> Self {
        Lrand48(INITIAL)
    }
}

impl Lrand48 {
    /// `srand48(seed)`: the seed's low 32 bits on top of the fixed low word.
    pub fn seed(&mut self, seed: i32) {
        self.0 = ((seed as u32 as u64) << 16) | 0x330E;
    }

    /// The next number in 0..2^31.
    pub fn next(&mut self) -> i32 {
        self.0 = (A.wrapping_mul(self.0).wrapping_add(C)) & MASK;
        (self.0 >> 17) as i32
    }

    /// A double in [0, 1), as Redis's math.random draws it.
    pub fn next_unit(&mut self) -> f64 {
        const MAX: i32 = i32::MAX;
        (self.next() % MAX) as f64 / MAX as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_draw_matches_redis() {
        // A fresh redis-server answers EVAL "return tostring(math.random())" 0 with
        // 0.39646477363839 (Lua prints %.14g).
        let mut r = Lrand48::default();
        assert_eq!(format!("{:.14}", r.next_unit()), "0.39646477363839");
    }

    #[test]
    fn seeding_restarts_the_sequence() {
        let mut a = Lrand48::default();
        let mut b = Lrand48::default();
        a.seed(42);
        b.seed(42);
        let _ = b.next();
        b.seed(42);
        assert_eq!(a.next(), b.next());
    }
}
