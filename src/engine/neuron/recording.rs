//! Recording shared by the models with a membrane potential (`lif`, `integrator`): membrane
//! samples at requested times, and which neurons' input jumps are recorded.

use super::StateSample;

/// Membrane recording: which neurons, at which times, and the samples taken so far.
pub struct Recording {
    /// For each neuron, its position in `cursor`, or `u32::MAX` when not recorded.
    pub slot: Vec<u32>,
    pub times: Vec<f64>,
    pub cursor: Vec<usize>,
    pub samples: Vec<StateSample>,
}

impl Recording {
    pub fn new(neurons: &[u32], times: &[f64], n: usize) -> Result<Recording, String> {
        Ok(Recording {
            slot: slots(neurons, n)?,
            times: times.to_vec(),
            cursor: vec![0; neurons.len()],
            samples: Vec::new(),
        })
    }

    /// The next sample time of any recorded neuron (∞ when all are taken).
    pub fn next_time(&self) -> f64 {
        self.cursor
            .iter()
            .filter_map(|&c| self.times.get(c))
            .copied()
            .fold(f64::INFINITY, f64::min)
    }
}

/// For each of `n` neurons, its position in `neurons`, or `u32::MAX` when not listed.
pub fn slots(neurons: &[u32], n: usize) -> Result<Vec<u32>, String> {
    let mut slot = vec![u32::MAX; n];
    for (k, &i) in neurons.iter().enumerate() {
        *slot
            .get_mut(i as usize)
            .ok_or_else(|| format!("neuron {i} is outside the population (size {n})"))? = k as u32;
    }
    Ok(slot)
}
