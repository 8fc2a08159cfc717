//! Static synapses of one projection, stored compactly by presynaptic neuron (CSR).
//!
//! Per synapse: the postsynaptic index (u32), the weight (f32) unless every synapse of the
//! projection has the same one (then it is held once, as NEST's `static_synapse_hom_w` does),
//! and, when the projection has more than one delay, a u16 index into its table of distinct
//! delays — 4 to 10 bytes, plus 8 bytes per presynaptic neuron for the row offsets. Delays are
//! kept exactly (f64) in the table.

use crate::engine::huge_pages;
use crate::engine::prefetch::prefetch;

/// Cache lines of a row asked for ahead, per array.
const PREFETCH_LINES: usize = 8;

/// The synapses of one projection.
pub struct Synapses {
    /// Row `i` (presynaptic neuron i) is `row_start[i]..row_start[i+1]`.
    row_start: Vec<u64>,
    post: Vec<u32>,
    /// One weight per synapse; empty when they are all `uniform`.
    weight: Vec<f32>,
    uniform: f32,
    /// Empty when every synapse has `delays[0]`.
    delay_index: Vec<u16>,
    delays: Vec<f64>,
    /// Some synapse has weight 0 (it delivers nothing a summing target would notice).
    has_zero_weight: bool,
}

/// One synapse as produced by a connection rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SynapseSpec {
    pub pre: u32,
    pub post: u32,
    pub weight: f32,
    pub delay: f64,
}

/// Synapses of one row: targets, weights and, if delays vary, delay indices.
pub type RowSlices<'a> = (&'a [u32], RowWeights<'a>, Option<&'a [u16]>);

/// The weights of (part of) a row: one per synapse, or one for all.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowWeights<'a> {
    Each(&'a [f32]),
    All(f32),
}

impl RowWeights<'_> {
    /// The weight of synapse `j` of the row.
    #[inline]
    pub fn get(&self, j: usize) -> f32 {
        match self {
            RowWeights::Each(w) => w[j],
            RowWeights::All(w) => *w,
        }
    }

    /// How many of the row's `len` synapses have a non-zero weight.
    pub fn nonzero(&self, len: usize) -> usize {
        match self {
            RowWeights::Each(w) => w.iter().filter(|w| **w != 0.0).count(),
            RowWeights::All(w) => {
                if *w != 0.0 {
                    len
                } else {
                    0
                }
            }
        }
    }
}

/// More distinct delays in one projection than the u16 index can address.
#[derive(Debug, PartialEq)]
pub struct TooManyDelays;

impl Synapses {
    /// Builds the table from synapses given in any order; each row is ordered by target, the
    /// synapses onto one target in the order given.
    pub fn from_specs(n_pre: usize, specs: &[SynapseSpec]) -> Result<Self, TooManyDelays> {
        // The big arrays on huge pages (asked for before they are written).
        let mut row_start = vec![0u64; n_pre + 1];
        huge_pages::advise(&mut row_start);
        for s in specs {
            row_start[s.pre as usize + 1] += 1;
        }
        for i in 0..n_pre {
            row_start[i + 1] += row_start[i];
        }
        let mut delays: Vec<f64> = Vec::new();
        let mut delay_of: std::collections::HashMap<u64, u16> = std::collections::HashMap::new();
        let m = specs.len();
        let mut post = vec![0u32; m];
        let mut weight = vec![0f32; m];
        let mut delay_index = vec![0u16; m];
        huge_pages::advise(&mut post);
        huge_pages::advise(&mut weight);
        huge_pages::advise(&mut delay_index);
        let mut cursor: Vec<u64> = row_start[..n_pre].to_vec();
        for s in specs {
            let k = cursor[s.pre as usize] as usize;
            cursor[s.pre as usize] += 1;
            post[k] = s.post;
            weight[k] = s.weight;
            let idx = match delay_of.get(&s.delay.to_bits()) {
                Some(&i) => i,
                None => {
                    let i = u16::try_from(delays.len()).map_err(|_| TooManyDelays)?;
                    delays.push(s.delay);
                    delay_of.insert(s.delay.to_bits(), i);
                    i
                }
            };
            delay_index[k] = idx;
        }
        if delays.len() <= 1 {
            delay_index = Vec::new();
        }
        let has_zero_weight = weight.contains(&0.0);
        let uniform = weight.first().copied().unwrap_or(0.0);
        // Compared as bits: −0.0 and 0.0 stay apart, as they are when summed.
        if weight.iter().all(|w| w.to_bits() == uniform.to_bits()) {
            weight = Vec::new();
        }
        // Rows list their targets in ascending order (the synapses onto a range of targets are
        // then one slice of the row). The connection rules give them so; any other row is
        // sorted, stably: the synapses onto one target keep their order, and so does every
        // target's sequence of events.
        for r in row_start.windows(2) {
            let r = r[0] as usize..r[1] as usize;
            if !post[r.clone()].is_sorted() {
                let mut row: Vec<(u32, f32, u16)> = r
                    .clone()
                    .map(|k| {
                        let w = weight.get(k).copied().unwrap_or(uniform);
                        (post[k], w, delay_index.get(k).copied().unwrap_or(0))
                    })
                    .collect();
                row.sort_by_key(|x| x.0);
                for (k, (p, w, d)) in r.zip(row) {
                    post[k] = p;
                    if let Some(x) = weight.get_mut(k) {
                        *x = w;
                    }
                    if let Some(x) = delay_index.get_mut(k) {
                        *x = d;
                    }
                }
            }
        }
        Ok(Synapses {
            row_start,
            post,
            weight,
            uniform,
            delay_index,
            delays,
            has_zero_weight,
        })
    }

    pub fn has_zero_weight(&self) -> bool {
        self.has_zero_weight
    }

    pub fn len(&self) -> usize {
        self.post.len()
    }

    pub fn is_empty(&self) -> bool {
        self.post.is_empty()
    }

    pub fn n_pre(&self) -> usize {
        self.row_start.len() - 1
    }

    /// The synapse indices of presynaptic neuron `pre`.
    #[inline]
    pub fn row(&self, pre: usize) -> std::ops::Range<usize> {
        self.row_start[pre] as usize..self.row_start[pre + 1] as usize
    }

    #[inline]
    pub fn post(&self, k: usize) -> u32 {
        self.post[k]
    }

    #[inline]
    pub fn weight(&self, k: usize) -> f32 {
        self.weight.get(k).copied().unwrap_or(self.uniform)
    }

    /// The weights of synapses `r` (a range of one row).
    #[inline]
    fn weights(&self, r: std::ops::Range<usize>) -> RowWeights<'_> {
        if self.weight.is_empty() {
            RowWeights::All(self.uniform)
        } else {
            RowWeights::Each(&self.weight[r])
        }
    }

    #[inline]
    pub fn delay(&self, k: usize) -> f64 {
        if self.delay_index.is_empty() {
            self.delays[0]
        } else {
            self.delays[self.delay_index[k] as usize]
        }
    }

    /// The whole row of `pre` as (post, weight) slices and, if delays vary, delay indices.
    #[inline]
    pub fn row_slices(&self, pre: usize) -> RowSlices<'_> {
        let r = self.row(pre);
        let d = if self.delay_index.is_empty() {
            None
        } else {
            Some(&self.delay_index[r.clone()])
        };
        (&self.post[r.clone()], self.weights(r), d)
    }

    /// Where each row crosses the target boundaries `bounds` (ascending local indices): for
    /// row i, entries `i * bounds.len() ..` give the number of the row's synapses onto targets
    /// below each boundary — so the synapses onto one range of targets are one slice of the row.
    pub fn row_splits(&self, bounds: &[u32]) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.n_pre() * bounds.len());
        for i in 0..self.n_pre() {
            let posts = &self.post[self.row(i)];
            out.extend(bounds.iter().map(|&b| posts.partition_point(|&p| p < b) as u32));
        }
        out
    }

    /// Moves `splits` (as `row_splits` made them, for other bounds) to the boundaries `bounds`,
    /// each from where it was: a bound moved a little costs a step or two per row, not a search.
    pub fn move_row_splits(&self, splits: &mut [u32], bounds: &[u32]) {
        for (i, row_splits) in splits.chunks_exact_mut(bounds.len()).enumerate() {
            let posts = &self.post[self.row(i)];
            for (s, &b) in row_splits.iter_mut().zip(bounds) {
                let mut x = *s as usize;
                while x < posts.len() && posts[x] < b {
                    x += 1;
                }
                while x > 0 && posts[x - 1] >= b {
                    x -= 1;
                }
                *s = x as u32;
            }
        }
    }

    /// Synapses `lo..hi` of the row of `pre`, as `row_slices` gives them.
    #[inline]
    pub fn row_slices_between(&self, pre: usize, lo: usize, hi: usize) -> RowSlices<'_> {
        let start = self.row_start[pre] as usize;
        let r = start + lo..start + hi;
        let d = if self.delay_index.is_empty() {
            None
        } else {
            Some(&self.delay_index[r.clone()])
        };
        (&self.post[r.clone()], self.weights(r), d)
    }

    /// Hints that the offsets of row `pre` will be read soon.
    #[inline(always)]
    pub fn prefetch_offsets(&self, pre: usize) {
        prefetch(&self.row_start, pre);
    }

    /// Hints that synapses `lo..hi` of row `pre` will be read soon (their first
    /// `PREFETCH_LINES` cache lines of each array; the hardware streams longer rows).
    #[inline(always)]
    pub fn prefetch_row(&self, pre: usize, lo: usize, hi: usize) {
        let start = self.row_start[pre] as usize;
        let r = start + lo..start + hi;
        let lines =
            |bytes_per_synapse: usize| (r.clone().step_by(64 / bytes_per_synapse)).take(PREFETCH_LINES);
        for k in lines(4) {
            prefetch(&self.post, k);
            prefetch(&self.weight, k);
        }
        if !self.delay_index.is_empty() {
            for k in lines(2) {
                prefetch(&self.delay_index, k);
            }
        }
    }

    /// The table of distinct delays.
    pub fn delay_table(&self) -> &[f64] {
        &self.delays
    }

    pub fn min_delay(&self) -> Option<f64> {
        self.delays.iter().copied().reduce(f64::min)
    }

    pub fn max_delay(&self) -> Option<f64> {
        self.delays.iter().copied().reduce(f64::max)
    }

    /// Bytes used by the synapse arrays and row offsets.
    pub fn bytes(&self) -> usize {
        self.post.len() * 4
            + self.weight.len() * 4
            + self.delay_index.len() * 2
            + self.row_start.len() * 8
            + self.delays.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_orders_rows_by_target_and_keeps_delays_exact() {
        let s = |pre, post, weight, delay| SynapseSpec {
            pre,
            post,
            weight,
            delay,
        };
        let specs = [
            s(1, 0, 0.5, 0.1),
            s(0, 2, -1.0, 1.5),
            s(1, 3, 2.0, 1.5),
            s(0, 1, 1.0, 0.1),
            s(0, 1, 3.0, 1.5),
        ];
        let syn = Synapses::from_specs(3, &specs).unwrap();
        assert_eq!(syn.len(), 5);
        let row0: Vec<_> = syn
            .row(0)
            .map(|k| (syn.post(k), syn.weight(k), syn.delay(k)))
            .collect();
        assert_eq!(row0, vec![(1, 1.0, 0.1), (1, 3.0, 1.5), (2, -1.0, 1.5)]);
        assert_eq!(syn.row_splits(&[0, 2, 3]), vec![0, 2, 3, 0, 1, 1, 0, 0, 0]);
        // Moved from other bounds, in either direction, the splits are found afresh.
        for (from, to) in [
            ([0, 2, 3], [1, 1, 4]),
            ([3, 4, 4], [0, 2, 3]),
            ([1, 1, 4], [2, 3, 3]),
        ] {
            let mut splits = syn.row_splits(&from);
            syn.move_row_splits(&mut splits, &to);
            assert_eq!(splits, syn.row_splits(&to), "{from:?} → {to:?}");
        }
        let (posts, weights, delays) = syn.row_slices_between(0, 1, 3);
        assert_eq!(
            (posts, weights, delays),
            (&[1, 2][..], RowWeights::Each(&[3.0, -1.0][..]), Some(&[1, 1][..]))
        );
        let row1: Vec<_> = syn.row(1).map(|k| (syn.post(k), syn.delay(k))).collect();
        assert_eq!(row1, vec![(0, 0.1), (3, 1.5)]);
        assert!(syn.row(2).is_empty());
        assert_eq!(syn.min_delay(), Some(0.1));
        assert_eq!(syn.max_delay(), Some(1.5));
    }

    /// A projection whose synapses share one weight holds it once: 4 bytes per synapse; rows
    /// read back the same weights as if each had its own.
    #[test]
    fn one_weight_for_all_is_held_once() {
        let specs: Vec<_> = (0..10)
            .map(|i| SynapseSpec {
                pre: 2 - i % 3,
                post: 9 - i,
                weight: -2.25,
                delay: 0.1,
            })
            .collect();
        let syn = Synapses::from_specs(3, &specs).unwrap();
        assert_eq!(syn.bytes(), 10 * 4 + 4 * 8 + 8);
        for pre in 0..3 {
            let (posts, weights, _) = syn.row_slices(pre);
            assert!(posts.is_sorted() && !posts.is_empty());
            assert_eq!(weights, RowWeights::All(-2.25));
            assert_eq!(weights.nonzero(posts.len()), posts.len());
            assert!(syn.row(pre).all(|k| syn.weight(k) == -2.25));
        }
        // One different weight (or a −0.0 among 0.0) keeps a weight per synapse.
        let mut mixed = specs.clone();
        mixed[4].weight = 0.5;
        assert_eq!(
            Synapses::from_specs(3, &mixed).unwrap().bytes(),
            10 * 8 + 4 * 8 + 8
        );
        let signed: Vec<_> = (0..2)
            .map(|i| SynapseSpec {
                pre: 0,
                post: i,
                weight: if i == 0 { 0.0 } else { -0.0 },
                delay: 0.1,
            })
            .collect();
        let syn = Synapses::from_specs(1, &signed).unwrap();
        assert_eq!(syn.row_slices(0).1, RowWeights::Each(&[0.0, -0.0][..]));
        assert_eq!(syn.row_slices(0).1.nonzero(2), 0);
    }

    #[test]
    fn one_delay_needs_no_index() {
        let specs: Vec<_> = (0..10)
            .map(|i| SynapseSpec {
                pre: i % 3,
                post: i,
                weight: 1.0,
                delay: 0.1,
            })
            .collect();
        let mut specs = specs;
        specs[0].weight = 2.0;
        let syn = Synapses::from_specs(3, &specs).unwrap();
        assert_eq!(syn.bytes(), 10 * 8 + 4 * 8 + 8);
    }
}
