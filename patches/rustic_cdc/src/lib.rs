//! The Rabin fingerprint rustic_core chunks files with: a hash of the last
//! 64 bytes read, taken as a polynomial over GF(2) modulo an irreducible
//! polynomial `P` (the repository's `chunker_polynomial`). restic computes
//! the same fingerprint, so both cut files at the same places and their
//! chunks deduplicate against each other.
//!
//! Why Tend carries its own: the crates.io crate computes two 256-entry
//! lookup tables every time a hash is made, which rustic_core does once per
//! file. The "out" table alone is 256 × 63 polynomial reductions; on a
//! backup of 50,000 files that was a fifth of all CPU time. Here the tables
//! are computed once per (window, polynomial) and copied after that.
//!
//! Only the items rustic_core uses are provided, with the crate's
//! signatures: [`Polynom`], [`Polynom64`], [`RollingHash64`], [`Rabin64`].

use std::sync::{Mutex, OnceLock};

/// A polynomial over GF(2), bit `i` being the coefficient of `x^i`.
pub trait Polynom {
    /// The degree: the highest set bit (-1 for the zero polynomial).
    fn degree(&self) -> i32;

    /// The remainder of the division by `m`.
    #[must_use]
    fn modulo(&self, m: &Self) -> Self;
}

pub type Polynom64 = u64;

impl Polynom for Polynom64 {
    fn degree(&self) -> i32 {
        63 - self.leading_zeros() as i32
    }

    fn modulo(&self, m: &Self) -> Self {
        let d = m.degree();
        let mut p = *self;
        // Subtraction is XOR in GF(2): cancel the top term until p < m.
        while p.degree() >= d {
            p ^= m << (p.degree() - d);
        }
        p
    }
}

/// A hash over a sliding window of bytes.
pub trait RollingHash64 {
    /// Forgets every byte: an empty (all-zero) window.
    fn reset(&mut self);

    /// Slides in up to window size - 1 bytes from `iter`; how many it took.
    fn prefill_window<I>(&mut self, iter: &mut I) -> usize
    where
        I: Iterator<Item = u8>;

    /// [`reset`](Self::reset), then [`prefill_window`](Self::prefill_window).
    fn reset_and_prefill_window<I>(&mut self, iter: &mut I) -> usize
    where
        I: Iterator<Item = u8>;

    /// Adds `byte` to the window, dropping the oldest.
    fn slide(&mut self, byte: u8);
}

/// Window size and polynomial.
type TableKey = (usize, Polynom64);

/// The two tables that make one slide a few XORs, for one window size and
/// polynomial.
#[derive(Debug, Clone, Copy)]
struct Tables {
    /// `out[b]`: byte `b`'s share of the hash once it is the oldest byte of
    /// the window, `b · x^(8·(window-1)) mod P`; XOR removes it.
    out: [Polynom64; 256],
    /// `reduce[t]`: for the top byte `t` that a shift by 8 pushes to degree
    /// `deg P` and above, `(t · x^deg P) mod P` together with those top
    /// bits themselves, so one XOR both clears them and adds the remainder.
    reduce: [Polynom64; 256],
}

impl Tables {
    fn compute(window_size: usize, p: Polynom64) -> Tables {
        let k = p.degree();
        let mut out = [0; 256];
        let mut reduce = [0; 256];
        for b in 0..256usize {
            let mut h = (b as Polynom64).modulo(&p);
            for _ in 1..window_size {
                h = (h << 8).modulo(&p);
            }
            out[b] = h;
            let top = (b as Polynom64) << k;
            reduce[b] = top.modulo(&p) | top;
        }
        Tables { out, reduce }
    }

    /// The tables for this window and polynomial, computed on first use.
    /// A process meets few polynomials (one per repository), so the cache
    /// is a short list.
    fn get(window_size: usize, p: Polynom64) -> Tables {
        static CACHE: OnceLock<Mutex<Vec<(TableKey, Tables)>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let key = (window_size, p);
        let mut cache = cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, t)) = cache.iter().find(|(k, _)| *k == key) {
            return *t;
        }
        // Computed under the lock: once per polynomial, well under a
        // millisecond, and nobody computes the same tables twice.
        let computed = Tables::compute(window_size, p);
        cache.push((key, computed));
        computed
    }
}

/// Rabin's rolling fingerprint of the last `2^window_size_nb_bits` bytes.
#[derive(Debug, Clone)]
pub struct Rabin64 {
    window: Vec<u8>,
    /// Where the next byte goes (the oldest byte sits there).
    next: usize,
    /// `deg P - 8`: the shift that brings the top byte down.
    top_shift: i32,
    tables: Tables,
    /// The fingerprint of the window.
    pub hash: Polynom64,
}

impl Rabin64 {
    /// A rolling hash over `2^window_size_nb_bits` bytes modulo `mod_polynom`
    /// (irreducible, degree between 8 and 56).
    #[must_use]
    pub fn new_with_polynom(window_size_nb_bits: u32, mod_polynom: &Polynom64) -> Self {
        let window_size = 1usize << window_size_nb_bits;
        Rabin64 {
            window: vec![0; window_size],
            next: 0,
            top_shift: mod_polynom.degree() - 8,
            tables: Tables::get(window_size, *mod_polynom),
            hash: 0,
        }
    }

    /// Appends `byte` to the hash, without removing the oldest one.
    #[inline]
    fn push(&mut self, byte: u8) {
        self.window[self.next] = byte;
        let top = (self.hash >> self.top_shift) & 0xff;
        self.hash = ((self.hash << 8) | Polynom64::from(byte)) ^ self.tables.reduce[top as usize];
        self.next = (self.next + 1) & (self.window.len() - 1);
    }
}

impl RollingHash64 for Rabin64 {
    fn reset(&mut self) {
        self.window.fill(0);
        self.next = 0;
        self.hash = 0;
    }

    fn prefill_window<I>(&mut self, iter: &mut I) -> usize
    where
        I: Iterator<Item = u8>,
    {
        let mut taken = 0;
        for byte in iter.take(self.window.len() - 1) {
            self.slide(byte);
            taken += 1;
        }
        taken
    }

    fn reset_and_prefill_window<I>(&mut self, iter: &mut I) -> usize
    where
        I: Iterator<Item = u8>,
    {
        // Once per chunk (512 KiB at least): no need to be cleverer.
        self.reset();
        self.prefill_window(iter)
    }

    #[inline]
    fn slide(&mut self, byte: u8) {
        let oldest = self.window[self.next];
        self.hash ^= self.tables.out[oldest as usize];
        self.push(byte);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// restic's default test polynomial (irreducible, degree 53).
    const P: Polynom64 = 0x3DA3358B4DC173;

    /// The fingerprint by its definition: the window's bytes as one
    /// polynomial (oldest byte highest), reduced modulo P.
    fn by_definition(window: &[u8]) -> Polynom64 {
        window
            .iter()
            .fold(0, |h, &b| ((h << 8) | Polynom64::from(b)).modulo(&P))
    }

    fn bytes(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn polynomial_arithmetic() {
        assert_eq!(0u64.degree(), -1);
        assert_eq!(1u64.degree(), 0);
        assert_eq!(P.degree(), 53);
        assert_eq!(7u64.modulo(&3), 1);
        assert_eq!(19u64.modulo(&8), 3);
        assert_eq!(P.modulo(&P), 0);
    }

    #[test]
    fn the_rolling_hash_is_the_fingerprint_of_the_last_64_bytes() {
        let data = bytes(5000, 0x9e37_79b9_7f4a_7c15);
        let mut rabin = Rabin64::new_with_polynom(6, &P);
        for (i, &b) in data.iter().enumerate() {
            rabin.slide(b);
            if i >= 63 && i % 97 == 0 {
                assert_eq!(
                    rabin.hash,
                    by_definition(&data[i - 63..=i]),
                    "after byte {i}"
                );
            }
        }
        // What came before the window does not matter.
        let mut other = Rabin64::new_with_polynom(6, &P);
        other.prefill_window(&mut bytes(300, 7).into_iter());
        for &b in &data[data.len() - 64..] {
            other.slide(b);
        }
        assert_eq!(other.hash, rabin.hash);
    }

    #[test]
    fn a_reset_and_prefill_then_slides_match_a_fresh_hash() {
        let data = bytes(400, 42);
        let mut used = Rabin64::new_with_polynom(6, &P);
        for &b in &bytes(1000, 3) {
            used.slide(b);
        }
        assert_eq!(
            used.reset_and_prefill_window(&mut data[..64].iter().copied()),
            63
        );
        let mut fresh = Rabin64::new_with_polynom(6, &P);
        fresh.reset();
        for &b in &data[..63] {
            fresh.slide(b);
        }
        assert_eq!(used.hash, fresh.hash);
        for &b in &data[63..] {
            used.slide(b);
            fresh.slide(b);
            assert_eq!(used.hash, fresh.hash);
        }
        assert_eq!(used.hash, by_definition(&data[data.len() - 64..]));
    }

    #[test]
    fn tables_are_computed_once_and_equal_fresh_ones() {
        let q: Polynom64 = 0x2A7_0C45_8A1B_55A9 & ((1 << 54) - 1) | (1 << 53);
        let first = Tables::get(64, q);
        let again = Tables::get(64, q);
        let fresh = Tables::compute(64, q);
        assert_eq!((first.out, first.reduce), (fresh.out, fresh.reduce));
        assert_eq!((again.out, again.reduce), (fresh.out, fresh.reduce));
    }
}
