//! Volleys of a bit projection counted ahead of time.
//!
//! A bit projection delivers a volley (the presynaptic spikes of one exact time) as
//! `popcount(mask & row)` for every target row, which reads the whole matrix: at the Kanerva
//! cerebellum's scale (10⁶ rows), one read of the rows per volley is the simulation's largest
//! cost, and it is bound by the memory's speed, not the counting. When the presynaptic
//! population's spikes are fixed in advance (a source with given spike times), the next volleys
//! are known: the first volley not already counted is counted together with up to
//! `MASKS_PER_PASS − 1` planned ones in a single pass over the rows, and their counts wait
//! here. A waiting volley is used only if the volley actually sent at its time has the same
//! mask (spikes added while running, e.g. by closed-loop feedback, make it count anew), so the
//! inputs are exactly those of counting each volley alone.

use std::collections::VecDeque;

use super::bit_matrix::{BitMatrix, MASKS_PER_PASS};
use crate::engine::neuron::PlannedSpikes;

/// Matrices smaller than this are counted one volley at a time (their rows stay in the cache).
const MIN_BYTES: usize = 1 << 20;

/// One volley counted ahead.
struct Volley {
    time: f64,
    mask: Vec<u64>,
    counts: Vec<u16>,
}

/// The volleys of one projection counted ahead, in time order.
#[derive(Default)]
pub struct CountedAhead {
    volleys: VecDeque<Volley>,
    /// Count vectors given back, for the next pass (no fresh pages per pass).
    spare: Vec<Vec<u16>>,
}

impl CountedAhead {
    /// The counts of the volley `mask` sent at `t`: counted ahead, or counted now together with
    /// the next volleys of `plan` (the presynaptic population's planned spikes). None when the
    /// volley should be counted alone: no plan, nothing planned, or a small matrix.
    pub fn counts(
        &mut self,
        bits: &BitMatrix,
        plan: Option<PlannedSpikes>,
        t: f64,
        mask: &[u64],
    ) -> Option<Vec<u16>> {
        while let Some(v) = self.volleys.pop_front_if(|v| v.time < t) {
            self.give_back(v.counts);
        }
        if let Some(v) = self.volleys.front()
            && v.time == t
            && v.mask == mask
        {
            return self.volleys.pop_front().map(|v| v.counts);
        }
        let plan = plan?;
        if bits.bytes() < MIN_BYTES || bits.n_pre > usize::from(u16::MAX) || plan.times.is_empty() {
            return None;
        }
        let mut times = vec![t];
        let mut masks = vec![mask.to_vec()];
        let mut k = 0;
        while k < plan.times.len() && masks.len() < MASKS_PER_PASS {
            let time = plan.times[k];
            let end = k + plan.times[k..].partition_point(|x| *x == time);
            for m in volley_masks(
                plan.neurons[k..end].iter().map(|&i| i as usize),
                bits.words_per_row,
            ) {
                if masks.len() < MASKS_PER_PASS {
                    times.push(time);
                    masks.push(m);
                }
            }
            k = end;
        }
        for v in std::mem::take(&mut self.volleys) {
            self.give_back(v.counts);
        }
        let mut counts: Vec<Vec<u16>> = (0..masks.len())
            .map(|_| self.spare.pop().unwrap_or_default())
            .collect();
        bits.count_many_into(&masks, &mut counts);
        let mut counts = counts.into_iter();
        let first = counts.next();
        for ((time, mask), counts) in times.into_iter().zip(masks).skip(1).zip(counts) {
            self.volleys.push_back(Volley { time, mask, counts });
        }
        first
    }

    /// Returns a vector of counts (from `counts`) once it has been used, to be filled again.
    pub fn give_back(&mut self, counts: Vec<u16>) {
        if self.spare.len() < MASKS_PER_PASS && counts.capacity() > 0 {
            self.spare.push(counts);
        }
    }
}

/// The masks of the simultaneous spikes of `pre` (indices within the presynaptic population,
/// in sending order) over `words` words: one mask, or one more each time a neuron repeats.
pub fn volley_masks(pre: impl Iterator<Item = usize>, words: usize) -> Vec<Vec<u64>> {
    let mut masks: Vec<Vec<u64>> = Vec::new();
    for i in pre {
        let (w, bit) = (i / 64, 1u64 << (i % 64));
        match masks.iter_mut().find(|m| m[w] & bit == 0) {
            Some(m) => m[w] |= bit,
            None => {
                let mut m = vec![0u64; words];
                m[w] |= bit;
                masks.push(m);
            }
        }
    }
    masks
}
