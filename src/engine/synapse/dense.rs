//! An all-to-all projection with one weight per synapse, stored as a dense matrix (rows by
//! presynaptic neuron, 4 bytes per synapse, no indices) and one delay — e.g. parallel fibres →
//! Purkinje cells. A presynaptic spike adds its row to the targets' input at once.

use crate::engine::neuron::InputSummary;

pub struct DenseWeights {
    pub n_pre: usize,
    pub n_post: usize,
    weights: Vec<f32>,
    pub delay: f64,
}

impl DenseWeights {
    pub fn new(n_pre: usize, n_post: usize, weights: Vec<f32>, delay: f64) -> Self {
        assert_eq!(weights.len(), n_pre * n_post);
        DenseWeights {
            n_pre,
            n_post,
            weights,
            delay,
        }
    }

    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    #[inline]
    pub fn row(&self, pre: usize) -> &[f32] {
        &self.weights[pre * self.n_post..(pre + 1) * self.n_post]
    }

    #[inline]
    pub fn row_mut(&mut self, pre: usize) -> &mut [f32] {
        &mut self.weights[pre * self.n_post..(pre + 1) * self.n_post]
    }

    #[inline]
    pub fn get(&self, pre: usize, post: usize) -> f32 {
        self.weights[pre * self.n_post + post]
    }

    #[inline]
    pub fn add(&mut self, pre: usize, post: usize, dw: f64) {
        let w = &mut self.weights[pre * self.n_post + post];
        *w = (f64::from(*w) + dw) as f32;
    }

    /// Adds row `pre` to the summed input of its targets, as the target model sums it: the net
    /// weight; positive weights to `values` and negative magnitudes to `negative`; or one event
    /// per synapse (every pair is a synapse, whatever its weight).
    pub fn accumulate(&self, pre: usize, summary: InputSummary, values: &mut [f64], negative: &mut [f64]) {
        let row = self.row(pre);
        match summary {
            InputSummary::Net => {
                for (o, w) in values.iter_mut().zip(row) {
                    *o += f64::from(*w);
                }
            }
            InputSummary::Split => {
                for ((o, n), w) in values.iter_mut().zip(negative.iter_mut()).zip(row) {
                    let w = f64::from(*w);
                    if w > 0.0 {
                        *o += w;
                    } else if w < 0.0 {
                        *n -= w;
                    }
                }
            }
            InputSummary::Count => {
                for o in values.iter_mut() {
                    *o += 1.0;
                }
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.weights.len() * 4
    }
}
