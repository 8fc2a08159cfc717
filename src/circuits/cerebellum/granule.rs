//! Granule-cell addresses: which mossy fibres each granule cell receives.
//!
//! Mossy fibres are dual-rail: dimension i has fibre `2i` (fires when the bit is 0) and fibre
//! `2i + 1` (fires when it is 1). A granule cell with address `a` looking at dimension i receives
//! fibre `2i + a_i`, so the number of its fibres that fire for input x is the number of its
//! dimensions on which x agrees with a.

use rand::RngExt;

use crate::engine::rng::{Domain, choose_distinct, name_key, stream};

pub struct GranuleLayer {
    pub n: usize,
    pub cells: usize,
    /// Words per address (⌈n/64⌉).
    pub words: usize,
    /// Address bits of cell τ: `addresses[τ·words ..]`.
    pub addresses: Vec<u64>,
    /// Dimensions cell τ looks at (same layout); empty: all of them (Kanerva's design).
    pub masks: Vec<u64>,
    /// Dimensions per cell (n, or the number of claws).
    pub inputs_per_cell: usize,
    /// Mismatches tolerated: the cell fires iff its distance to the input is at most this.
    pub radius: usize,
}

impl GranuleLayer {
    /// Kanerva's design: r uniformly random addresses over all n dimensions.
    pub fn kanerva(seed: u64, name: &str, n: usize, cells: usize, radius: usize) -> Self {
        let words = n.div_ceil(64);
        let key = name_key(name);
        let mut addresses = vec![0u64; cells * words];
        for t in 0..cells {
            let mut rng = stream(seed, Domain::Connectivity, key, t as u64);
            for w in 0..words {
                // 64 random bits at a time; bits past n stay 0.
                let bits = rng.random::<u64>();
                let valid = (n - 64 * w).min(64);
                addresses[t * words + w] = if valid == 64 {
                    bits
                } else {
                    bits & ((1u64 << valid) - 1)
                };
            }
        }
        GranuleLayer {
            n,
            cells,
            words,
            addresses,
            masks: Vec::new(),
            inputs_per_cell: n,
            radius,
        }
    }

    /// The claw design: each cell looks at `k` distinct random dimensions with random bits.
    pub fn claws(seed: u64, name: &str, n: usize, cells: usize, k: usize, radius: usize) -> Self {
        let words = n.div_ceil(64);
        let key = name_key(name);
        let mut addresses = vec![0u64; cells * words];
        let mut masks = vec![0u64; cells * words];
        for t in 0..cells {
            let mut rng = stream(seed, Domain::Connectivity, key, t as u64);
            for i in choose_distinct(&mut rng, n, k) {
                masks[t * words + i / 64] |= 1 << (i % 64);
                if rng.random::<bool>() {
                    addresses[t * words + i / 64] |= 1 << (i % 64);
                }
            }
        }
        GranuleLayer {
            n,
            cells,
            words,
            addresses,
            masks,
            inputs_per_cell: k,
            radius,
        }
    }

    fn looks_at(&self, t: usize, i: usize) -> bool {
        self.masks.is_empty() || self.masks[t * self.words + i / 64] >> (i % 64) & 1 == 1
    }

    fn bit(&self, t: usize, i: usize) -> usize {
        (self.addresses[t * self.words + i / 64] >> (i % 64) & 1) as usize
    }

    /// For the engine: each cell's mossy fibres as a bit row over the 2n fibres.
    pub fn mossy_rows(&self) -> Vec<u64> {
        let row_words = (2 * self.n).div_ceil(64);
        let mut rows = vec![0u64; self.cells * row_words];
        for t in 0..self.cells {
            for i in (0..self.n).filter(|&i| self.looks_at(t, i)) {
                let f = 2 * i + self.bit(t, i);
                rows[t * row_words + f / 64] |= 1 << (f % 64);
            }
        }
        rows
    }

    /// Golgi inhibition per presentation that makes a cell fire iff its distance ≤ radius: the
    /// cell receives `inputs − H` unit excitations and this, and its threshold is 0.5 mV.
    pub fn golgi_weight(&self) -> f64 {
        -((self.inputs_per_cell - self.radius) as f64 - 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_hold_one_fibre_per_looked_at_dimension() {
        let k = GranuleLayer::kanerva(1, "g", 70, 5, 30);
        let rows = k.mossy_rows();
        for t in 0..5 {
            let row = &rows[t * 3..(t + 1) * 3];
            assert_eq!(row.iter().map(|w| w.count_ones()).sum::<u32>(), 70);
            for i in 0..70 {
                let f = 2 * i + k.bit(t, i);
                assert_eq!(row[f / 64] >> (f % 64) & 1, 1);
            }
        }
        let c = GranuleLayer::claws(1, "c", 70, 5, 4, 0);
        assert!(
            c.mossy_rows()
                .chunks(3)
                .all(|r| r.iter().map(|w| w.count_ones()).sum::<u32>() == 4)
        );
        assert!(
            c.masks
                .chunks(2)
                .all(|m| m.iter().map(|w| w.count_ones()).sum::<u32>() == 4)
        );
    }
}
