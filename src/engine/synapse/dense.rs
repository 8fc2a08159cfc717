//! An all-to-all projection with one weight per synapse, stored as a dense matrix (rows by
//! presynaptic neuron, no indices) and one delay — e.g. parallel fibres → Purkinje cells. A
//! presynaptic spike adds its row to the targets' input at once. Weights are `f32` (4 bytes per
//! synapse), or `f64` (8 bytes) for plasticity rules whose small updates must accumulate
//! without rounding (the STDP rules: NEST keeps doubles too).

use crate::engine::neuron::InputSummary;
use crate::engine::populate::Populator;

#[derive(Clone, Debug, PartialEq)]
enum Values {
    Single(Vec<f32>),
    Double(Vec<f64>),
}

/// Weights copied by [`DenseWeights::save`].
#[derive(Clone, Debug, PartialEq)]
pub struct SavedWeights(Values);

pub struct DenseWeights {
    /// Makes the weights' pages ready in the background (`populate_in_background`); declared
    /// first, so it stops before `values` is freed.
    populating: Option<Populator>,
    pub n_pre: usize,
    pub n_post: usize,
    values: Values,
    pub delay: f64,
}

impl DenseWeights {
    /// `f32` weights.
    pub fn new(n_pre: usize, n_post: usize, weights: Vec<f32>, delay: f64) -> Self {
        assert_eq!(weights.len(), n_pre * n_post);
        DenseWeights {
            populating: None,
            n_pre,
            n_post,
            values: Values::Single(weights),
            delay,
        }
    }

    /// `f64` weights.
    pub fn new_double(n_pre: usize, n_post: usize, weights: Vec<f64>, delay: f64) -> Self {
        assert_eq!(weights.len(), n_pre * n_post);
        DenseWeights {
            populating: None,
            n_pre,
            n_post,
            values: Values::Double(weights),
            delay,
        }
    }

    pub fn len(&self) -> usize {
        self.n_pre * self.n_post
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    fn range(&self, pre: usize) -> std::ops::Range<usize> {
        pre * self.n_post..(pre + 1) * self.n_post
    }

    #[inline]
    pub fn get(&self, pre: usize, post: usize) -> f64 {
        let k = pre * self.n_post + post;
        match &self.values {
            Values::Single(v) => f64::from(v[k]),
            Values::Double(v) => v[k],
        }
    }

    /// Replaces weight (pre, post) by `f(weight)`.
    #[inline]
    pub fn update(&mut self, pre: usize, post: usize, f: impl FnOnce(f64) -> f64) {
        let k = pre * self.n_post + post;
        match &mut self.values {
            Values::Single(v) => v[k] = f(f64::from(v[k])) as f32,
            Values::Double(v) => v[k] = f(v[k]),
        }
    }

    /// Replaces every weight of row `pre` by `f(weight)`.
    #[inline]
    pub fn update_row(&mut self, pre: usize, f: impl Fn(f64) -> f64) {
        let r = self.range(pre);
        match &mut self.values {
            Values::Single(v) => v[r].iter_mut().for_each(|x| *x = f(f64::from(*x)) as f32),
            Values::Double(v) => v[r].iter_mut().for_each(|x| *x = f(*x)),
        }
    }

    /// The weights of row `pre`, in order.
    pub fn row(&self, pre: usize) -> Vec<f64> {
        let r = self.range(pre);
        match &self.values {
            Values::Single(v) => v[r].iter().map(|x| f64::from(*x)).collect(),
            Values::Double(v) => v[r].to_vec(),
        }
    }

    /// Adds row `pre` to the summed input of its targets, as the target model sums it: the net
    /// weight; positive weights to `values` and negative magnitudes to `negative`; or one event
    /// per synapse (every pair is a synapse, whatever its weight). Returns the deliveries that
    /// change a target: the non-zero weights (every pair when counting events).
    pub fn accumulate(
        &self,
        pre: usize,
        summary: InputSummary,
        values: &mut [f64],
        negative: &mut [f64],
    ) -> u64 {
        fn add<T: Copy + Into<f64>>(
            row: &[T],
            summary: InputSummary,
            values: &mut [f64],
            negative: &mut [f64],
        ) -> u64 {
            match summary {
                InputSummary::Net => {
                    let mut n = 0u64;
                    for (o, w) in values.iter_mut().zip(row) {
                        let w: f64 = (*w).into();
                        *o += w;
                        n += u64::from(w != 0.0);
                    }
                    n
                }
                InputSummary::Split => {
                    let mut n = 0u64;
                    for ((o, neg), w) in values.iter_mut().zip(negative.iter_mut()).zip(row) {
                        let w: f64 = (*w).into();
                        if w > 0.0 {
                            *o += w;
                            n += 1;
                        } else if w < 0.0 {
                            *neg -= w;
                            n += 1;
                        }
                    }
                    n
                }
                InputSummary::Count => {
                    for o in values.iter_mut() {
                        *o += 1.0;
                    }
                    values.len() as u64
                }
            }
        }
        let r = self.range(pre);
        match &self.values {
            Values::Single(v) => add(&v[r], summary, values, negative),
            Values::Double(v) => add(&v[r], summary, values, negative),
        }
    }

    /// A copy of every weight, for `restore`.
    pub fn save(&self) -> SavedWeights {
        SavedWeights(self.values.clone())
    }

    /// Puts back the weights `save` copied from this matrix.
    pub fn restore(&mut self, saved: &SavedWeights) {
        self.populating = None; // before the old allocation may go
        self.values.clone_from(&saved.0);
    }

    /// For weights that start as zeroes never written (pages the system gives on first write)
    /// and that a rule will write: has a background thread make the pages ready meanwhile
    /// (`populate.rs`), so the writes do not fault one page at a time. Changes no weight.
    pub fn populate_in_background(&mut self) {
        self.populating = match &self.values {
            Values::Single(v) => Populator::start(v),
            Values::Double(v) => Populator::start(v),
        };
    }

    pub fn bytes(&self) -> usize {
        match &self.values {
            Values::Single(v) => v.len() * 4,
            Values::Double(v) => v.len() * 8,
        }
    }
}
