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
        let w = scale;
        let nonzero: Vec<usize> = mask
            .iter()
            .enumerate()
            .filter(|(_, m)| **m != 0)
            .map(|(k, _)| k)
            .collect();
        out.par_chunks_mut(BLOCK)
            .enumerate()
            .map(|(b, chunk)| {
                let mut hits = 0u64;
                for (i, o) in chunk.iter_mut().enumerate() {
                    let row = self.row(b * BLOCK + i);
                    let c: u32 = nonzero.iter().map(|&k| (row[k] & mask[k]).count_ones()).sum();
                    if c > 0 {
                        *o += f64::from(c) * w;
                        hits += u64::from(c);
                    }
                }
                hits
            })
            .sum()
    }

    pub fn bytes(&self) -> usize {
        self.bits.len() * 8
    }
}
