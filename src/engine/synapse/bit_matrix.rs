//! A binary projection stored as bits: for each postsynaptic neuron, a bit mask over the
//! presynaptic population; one weight and one delay for all synapses (e.g. mossy fibre →
//! granule cell addresses). Delivery is batched: the presynaptic spikes that share an exact time
//! form a mask, and each target receives `popcount(mask & row) · weight` at once — exactly the
//! sum of the simultaneous unit events it stands for.

pub struct BitMatrix {
    pub n_pre: usize,
    pub n_post: usize,
    pub words_per_row: usize,
    /// Row of post neuron j: `bits[j·words_per_row ..]`; bit i set ⇔ synapse i → j.
    bits: Vec<u64>,
    pub weight: f32,
    pub delay: f64,
    synapses: usize,
}

impl BitMatrix {
    /// `bits` are `n_post` rows of `words_per_row` words (bits past `n_pre` must be 0).
    pub fn new(n_pre: usize, n_post: usize, bits: Vec<u64>, weight: f32, delay: f64) -> Self {
        let words_per_row = n_pre.div_ceil(64);
        assert_eq!(
            bits.len(),
            words_per_row * n_post,
            "bit rows do not match the population sizes"
        );
        let synapses = bits.iter().map(|w| w.count_ones() as usize).sum();
        BitMatrix {
            n_pre,
            n_post,
            words_per_row,
            bits,
            weight,
            delay,
            synapses,
        }
    }

    pub fn len(&self) -> usize {
        self.synapses
    }

    pub fn is_empty(&self) -> bool {
        self.synapses == 0
    }

    pub fn row(&self, post: usize) -> &[u64] {
        &self.bits[post * self.words_per_row..(post + 1) * self.words_per_row]
    }

    pub fn has(&self, pre: usize, post: usize) -> bool {
        self.row(post)[pre / 64] >> (pre % 64) & 1 == 1
    }

    /// Adds `popcount(mask & row_j) · scale` to `out[j]` for every post neuron j (in parallel
    /// over blocks of targets; each target's sum is computed alone, so the result does not
    /// depend on the thread count). `scale` is the weight, its magnitude, or 1 to count events.
    /// Returns the synapses that delivered (the masked bits summed over targets).
    pub fn accumulate(&self, mask: &[u64], scale: f64, out: &mut [f64]) -> u64 {
        use rayon::prelude::*;
        const BLOCK: usize = 8192;
        let words = self.words_per_row;
        let nonzero: Vec<usize> = mask
            .iter()
            .enumerate()
            .filter(|(_, m)| **m != 0)
            .map(|(k, _)| k)
            .collect();
        // Masks with most words set (dual-rail codes: every word) are read whole, which the
        // compiler turns into vector popcounts; sparse masks visit their set words only.
        let dense = nonzero.len() * 2 > words;
        out.par_chunks_mut(BLOCK)
            .enumerate()
            .map(|(b, chunk)| {
                let rows = &self.bits[b * BLOCK * words..(b * BLOCK + chunk.len()) * words];
                if dense {
                    dense_block(rows, mask, scale, chunk)
                } else {
                    let mut hits = 0u64;
                    for (row, o) in rows.chunks_exact(words).zip(chunk.iter_mut()) {
                        let c: u32 = nonzero.iter().map(|&k| (row[k] & mask[k]).count_ones()).sum();
                        if c > 0 {
                            *o += f64::from(c) * scale;
                            hits += u64::from(c);
                        }
                    }
                    hits
                }
            })
            .sum()
    }

    pub fn bytes(&self) -> usize {
        self.bits.len() * 8
    }
}

/// `out[j] += popcount(mask & row_j) · scale` for consecutive rows; returns the bits counted.
/// (Compiled for AVX-512 VPOPCNTDQ this loop ran at the memory's speed on the Kanerva
/// cerebellum — no faster than the scalar one, which is memory-bound already; kept portable.)
fn dense_block(rows: &[u64], mask: &[u64], scale: f64, out: &mut [f64]) -> u64 {
    let mut hits = 0u64;
    for (row, o) in rows.chunks_exact(mask.len()).zip(out.iter_mut()) {
        let c: u64 = row
            .iter()
            .zip(mask)
            .map(|(r, m)| u64::from((r & m).count_ones()))
            .sum();
        if c > 0 {
            *o += c as f64 * scale;
            hits += c;
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulate_counts_every_masked_bit_for_dense_and_sparse_masks() {
        let (n_pre, n_post): (usize, usize) = (1000, 20_000);
        let words = n_pre.div_ceil(64);
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let last = u64::MAX >> (64 * words - n_pre);
        let bits: Vec<u64> = (0..n_post * words)
            .map(|k| next() & if k % words == words - 1 { last } else { u64::MAX })
            .collect();
        let m = BitMatrix::new(n_pre, n_post, bits, 1.0, 1.0);
        // A dual-rail-like mask (every word set), and a sparse one (three words set).
        let dense: Vec<u64> = (0..words)
            .map(|k| {
                if k == words - 1 {
                    0x5555 & last
                } else {
                    0x5555_5555_5555_5555
                }
            })
            .collect();
        let sparse: Vec<u64> = (0..words)
            .map(|k| if [2, 7, 11].contains(&k) { next() } else { 0 })
            .collect();
        for mask in [dense, sparse] {
            let mut out = vec![0.5; n_post];
            let hits = m.accumulate(&mask, 0.25, &mut out);
            let mut want_hits = 0;
            for (j, o) in out.iter().enumerate() {
                let c = (0..n_pre)
                    .filter(|&i| m.has(i, j) && mask[i / 64] >> (i % 64) & 1 == 1)
                    .count();
                want_hits += c as u64;
                assert_eq!(*o, 0.5 + c as f64 * 0.25, "row {j}");
            }
            assert_eq!(hits, want_hits);
        }
    }
}
