//! Synapse storage. A projection keeps its synapses in the form that suits its wiring: sparse
//! rows (CSR), a bit matrix for binary uniform-weight wiring, or a dense weight matrix for
//! all-to-all plastic wiring.

pub mod bit_matrix;
pub mod counted_ahead;
pub mod csr;
pub mod dense;

pub use bit_matrix::BitMatrix;
pub use csr::{RowWeights, SynapseSpec, Synapses, TooManyDelays};
pub use dense::DenseWeights;

pub enum Connectivity {
    Sparse(Synapses),
    Bits(BitMatrix),
    Dense(DenseWeights),
}

impl Connectivity {
    pub fn len(&self) -> usize {
        match self {
            Connectivity::Sparse(s) => s.len(),
            Connectivity::Bits(b) => b.len(),
            Connectivity::Dense(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn bytes(&self) -> usize {
        match self {
            Connectivity::Sparse(s) => s.bytes(),
            Connectivity::Bits(b) => b.bytes(),
            Connectivity::Dense(d) => d.bytes(),
        }
    }

    pub fn min_delay(&self) -> Option<f64> {
        match self {
            Connectivity::Sparse(s) => s.min_delay(),
            Connectivity::Bits(b) => (!b.is_empty()).then_some(b.delay),
            Connectivity::Dense(d) => (!d.is_empty()).then_some(d.delay),
        }
    }

    pub fn max_delay(&self) -> Option<f64> {
        match self {
            Connectivity::Sparse(s) => s.max_delay(),
            _ => self.min_delay(),
        }
    }

    /// The weights of the listed (pre, post) synapses (the first synapse of the pair; 0 where
    /// there is none), or of every synapse by presynaptic neuron when `list` is empty.
    pub fn weights_of(&self, list: &[(u32, u32)]) -> Vec<f64> {
        if list.is_empty() {
            let mut out = Vec::with_capacity(self.len());
            self.for_each(|_, _, w, _| out.push(w));
            return out;
        }
        list.iter()
            .map(|&(pre, post)| {
                let (pre, post) = (pre as usize, post as usize);
                match self {
                    Connectivity::Sparse(s) if pre < s.n_pre() => s
                        .row(pre)
                        .find(|&k| s.post(k) as usize == post)
                        .map_or(0.0, |k| f64::from(s.weight(k))),
                    Connectivity::Sparse(_) => 0.0,
                    Connectivity::Bits(b) if b.has(pre, post) => f64::from(b.weight),
                    Connectivity::Bits(_) => 0.0,
                    Connectivity::Dense(d) => d.get(pre, post),
                }
            })
            .collect()
    }

    /// Calls `f(pre, post, weight, delay)` for every synapse, by presynaptic neuron.
    pub fn for_each(&self, mut f: impl FnMut(u32, u32, f64, f64)) {
        match self {
            Connectivity::Sparse(s) => {
                for pre in 0..s.n_pre() {
                    for k in s.row(pre) {
                        f(pre as u32, s.post(k), f64::from(s.weight(k)), s.delay(k));
                    }
                }
            }
            Connectivity::Bits(b) => {
                for pre in 0..b.n_pre {
                    for post in 0..b.n_post {
                        if b.has(pre, post) {
                            f(pre as u32, post as u32, f64::from(b.weight), b.delay);
                        }
                    }
                }
            }
            Connectivity::Dense(d) => {
                for pre in 0..d.n_pre {
                    for (post, w) in d.row(pre).into_iter().enumerate() {
                        f(pre as u32, post as u32, w, d.delay);
                    }
                }
            }
        }
    }
}
