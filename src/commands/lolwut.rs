//! LOLWUT [VERSION v] [...]: some computer art and the version, as Redis's LOLWUT
//! answers. Redis 7.0 has no drawing of its own: without VERSION (or with a version
//! that has none) it answers `Redis ver. 7.0.15`; VERSION 5 and VERSION 6 draw what
//! those versions drew: a plotter drawing in the manner of Georg Nees's Schotter, and
//! a skyline. The drawings here are our own, random like Redis's, from the same
//! arguments with the same limits.

use super::flags::*;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::REDIS_VERSION;
use crate::server::{Client, Server};
use crate::util::numbers::parse_i64;

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::new(
    "lolwut",
    lolwut,
    -1,
    READONLY | FAST,
    Keys::NONE,
    "server",
    "5.0.0",
    "Display some computer art and the Redis version",
)];

/// LOLWUT [VERSION version] [arguments of that version's drawing]
fn lolwut(srv: &mut Server, c: &mut Client) -> CommandResult {
    let (version, args) = if c.argc() >= 3 && c.argv[1].eq_ignore_ascii_case(b"version") {
        (Some(integer(&c.argv[2])?), &c.argv[3..])
    } else {
        (None, &c.argv[1..])
    };
    let mut text = match version {
        Some(5) => {
            let cols = arg(args, 0, 66)?.clamp(1, 1000) as usize;
            let per_row = arg(args, 1, 8)?.clamp(1, 200) as usize;
            let per_col = arg(args, 2, 12)?.clamp(1, 200) as usize;
            let canvas = schotter(cols, per_row, per_col, &mut || srv.random());
            let mut text = canvas.braille();
            text.push_str("\nAfter Georg Nees, Schotter (plotter drawing, 1968). ");
            text
        }
        Some(6) => {
            let cols = arg(args, 0, 80)?.clamp(1, 1000) as usize;
            let rows = arg(args, 1, 20)?.clamp(1, 1000) as usize;
            let mut text = skyline(cols, rows, &mut || srv.random());
            text.push_str("\nA city at night, in the colours of the 8-bit screens. ");
            text
        }
        _ => String::new(),
    };
    text.push_str("Redis ver. ");
    text.push_str(REDIS_VERSION);
    text.push('\n');
    c.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

fn integer(arg: &[u8]) -> Result<i64, CommandError> {
    parse_i64(arg).ok_or(CommandError::NotInteger)
}

/// Argument `i` of the drawing as an integer, `default` when absent.
fn arg(args: &[Vec<u8>], i: usize, default: i64) -> Result<i64, CommandError> {
    args.get(i).map_or(Ok(default), |a| integer(a))
}

/// A grid of on/off dots.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<bool>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![false; width * height],
        }
    }

    /// Sets the dot at (x, y); dots off the canvas are ignored.
    fn set(&mut self, x: i64, y: i64) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            self.pixels[y as usize * self.width + x as usize] = true;
        }
    }

    fn get(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.pixels[y * self.width + x]
    }

    /// A straight line from (x0, y0) to (x1, y1), one dot per step of the longer axis.
    fn line(&mut self, (x0, y0): (i64, i64), (x1, y1): (i64, i64)) {
        let steps = (x1 - x0).abs().max((y1 - y0).abs()).max(1);
        for i in 0..=steps {
            let t = i as f64 / steps as f64;
            let x = x0 as f64 + (x1 - x0) as f64 * t;
            let y = y0 as f64 + (y1 - y0) as f64 * t;
            self.set(x.round() as i64, y.round() as i64);
        }
    }

    /// The canvas as Unicode braille characters, each showing a block of 2x4 dots
    /// (the standard dot numbering: dots 1-3 and 7 down the left column, 4-6 and 8
    /// down the right).
    fn braille(&self) -> String {
        const DOTS: [(usize, usize, u32); 8] = [
            (0, 0, 0x01),
            (0, 1, 0x02),
            (0, 2, 0x04),
            (1, 0, 0x08),
            (1, 1, 0x10),
            (1, 2, 0x20),
            (0, 3, 0x40),
            (1, 3, 0x80),
        ];
        let mut out = String::new();
        for row in (0..self.height).step_by(4) {
            if row > 0 {
                out.push('\n');
            }
            for col in (0..self.width).step_by(2) {
                let bits = DOTS
                    .iter()
                    .filter(|(dx, dy, _)| self.get(col + dx, row + dy))
                    .fold(0, |acc, (_, _, bit)| acc | bit);
                out.push(char::from_u32(0x2800 + bits).unwrap_or(' '));
            }
        }
        out
    }
}

/// A uniform random number in [0, 1).
fn unit(rng: &mut dyn FnMut() -> u64) -> f64 {
    (rng() >> 11) as f64 / (1u64 << 53) as f64
}

/// Squares in `per_row` columns and `per_col` rows, `cols` characters wide: the top
/// rows in order, each row below more turned and shifted at random than the last.
fn schotter(cols: usize, per_row: usize, per_col: usize, rng: &mut dyn FnMut() -> u64) -> Canvas {
    let width = cols * 2;
    let margin = if width > 4 { 2.0 } else { 0.0 };
    let side = (width as f64 - 2.0 * margin) / per_row as f64;
    let height = (side * per_col as f64 + 2.0 * margin) as usize;
    let mut canvas = Canvas::new(width, height);
    for row in 0..per_col {
        // The disorder grows with the row: none at the top, most at the bottom.
        let disorder = row as f64 / per_col as f64;
        for col in 0..per_row {
            let mut jitter = || (unit(rng) * 2.0 - 1.0) * disorder;
            let angle = jitter() * std::f64::consts::FRAC_PI_4;
            let cx = margin + side * (col as f64 + 0.5) + jitter() * side / 3.0;
            let cy = margin + side * (row as f64 + 0.5) + jitter() * side / 3.0;
            let half = side / 2.0;
            let corners: Vec<(i64, i64)> = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
                .iter()
                .map(|&(dx, dy): &(f64, f64)| {
                    let (sin, cos) = angle.sin_cos();
                    let x = cx + half * (dx * cos - dy * sin);
                    let y = cy + half * (dx * sin + dy * cos);
                    (x.round() as i64, y.round() as i64)
                })
                .collect();
            for i in 0..4 {
                canvas.line(corners[i], corners[(i + 1) % 4]);
            }
        }
    }
    canvas
}

/// A skyline `cols` characters wide and `rows` high, drawn as terminal cells in four
/// shades of grey (as Redis's version 6 is): a white sky, three rows of buildings, the
/// farther ones lighter, and lit windows in the nearest.
fn skyline(cols: usize, rows: usize, rng: &mut dyn FnMut() -> u64) -> String {
    /// ANSI foreground;background codes of the four shades, lightest first.
    const SHADES: [&str; 4] = ["97;107", "37;47", "90;100", "30;40"];
    let mut cells = vec![vec![0usize; cols]; rows];
    for layer in 1..=3 {
        let mut x = 0;
        while x < cols {
            let width = 3 + (unit(rng) * 6.0) as usize;
            let tallest = rows as f64 * (1.1 - 0.2 * layer as f64);
            let height = ((0.3 + unit(rng) * 0.7) * tallest) as usize;
            let top = rows.saturating_sub(height);
            for (row, line) in cells.iter_mut().enumerate().skip(top) {
                let end = (x + width).min(cols);
                for (col, cell) in line.iter_mut().enumerate().take(end).skip(x) {
                    let edge = col == x || col + 1 == x + width;
                    let window = layer == 3 && !edge && row % 2 == 1 && unit(rng) < 0.3;
                    *cell = if window { 0 } else { layer };
                }
            }
            x += width + (unit(rng) * 3.0) as usize;
        }
    }
    let mut out = String::new();
    for (i, row) in cells.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for &shade in row {
            out.push_str("\x1b[0;");
            out.push_str(SHADES[shade]);
            out.push_str("m \x1b[0m");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> impl FnMut() -> u64 {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        }
    }

    #[test]
    fn schotter_fills_a_canvas_of_the_asked_width() {
        let canvas = schotter(66, 8, 12, &mut rng());
        assert_eq!(canvas.width, 132);
        let text = canvas.braille();
        assert!(text.lines().all(|l| l.chars().count() == 66));
        assert!(text.chars().any(|c| c != '\u{2800}' && c != '\n'));
        // The first rows are in order: their squares' top edges are straight lines.
        assert!(canvas.get(2, 2) && canvas.get(10, 2));
    }

    #[test]
    fn braille_packs_two_by_four_dots() {
        let mut canvas = Canvas::new(2, 4);
        canvas.set(0, 0);
        canvas.set(1, 3);
        assert_eq!(canvas.braille(), "\u{2881}");
    }

    #[test]
    fn skyline_has_the_asked_size() {
        let text = skyline(40, 10, &mut rng());
        assert_eq!(text.lines().count(), 10);
        assert!(text.lines().all(|l| l.matches("\x1b[0m").count() == 40));
        // Buildings stand on the ground: the bottom row is not all sky.
        let bottom = text.lines().last().unwrap();
        assert!(bottom.matches("\x1b[0;97;107m").count() < 40);
    }
}
