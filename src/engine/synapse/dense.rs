//! An all-to-all projection with one weight per synapse, stored as a dense matrix (rows by
//! presynaptic neuron, 4 bytes per synapse, no indices) and one delay — e.g. parallel fibres →
//! Purkinje cells. A presynaptic spike adds its row to the targets' input at once.

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

    /// Adds row `pre` to `out`.
    pub fn accumulate(&self, pre: usize, out: &mut [f64]) {
        for (o, w) in out.iter_mut().zip(self.row(pre)) {
            *o += f64::from(*w);
        }
    }

    pub fn bytes(&self) -> usize {
        self.weights.len() * 4
    }
}
