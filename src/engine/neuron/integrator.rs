//! `integrator`: a perfect integrator for readouts — no leak, no threshold, never fires. Each
//! input of weight `w` adds `w` to `v_m`, so the change of `v_m` over a window is exactly the
//! summed input that reached it (e.g. `Σ_μ n_μ x_μj` behind a memory population).
//!
//! It is the `lif` neuron with τ_m = ∞ and V_th = ∞ (relaxation multiplies by `e^{−dt/∞} = 1`
//! and nothing reaches the threshold), kept as one f64 per neuron: inputs at the same time are
//! summed into one jump first, as in `lif`, and a membrane sample at `t` includes the inputs at
//! `t`.

use super::lif::initial_potentials;
use super::recording::{Recording, slots};
use super::{CellGroup, InputSummary, Inputs, NeuronModel, StateSample, merged_inputs};
use crate::engine::event::Spike;

pub static MODEL: NeuronModel = NeuronModel {
    name: "integrator",
    summary: "perfect integrator (no leak, no threshold) for readouts; v_m sums its inputs",
    params: &[],
    receptors: &["synapse"],
    silent_receptors: &[],
    recordables: &["v_m", "input"],
    has_membrane: true,
    fires: false,
    input: InputSummary::Net,
    bytes_per_neuron: 8,
    check: |_| Ok(()),
    build: |_, init| Box::new(IntegratorGroup::new(initial_potentials(init, 0.0))),
};

pub struct IntegratorGroup {
    /// Membrane potential (mV): the initial value plus every input so far.
    v: Vec<f64>,
    recording: Option<Recording>,
    /// Neurons whose input jumps are recorded (`u32::MAX`: not recorded), and the jumps.
    input_slot: Vec<u32>,
    inputs: Vec<StateSample>,
}

impl IntegratorGroup {
    pub fn new(v0: Vec<f64>) -> Self {
        IntegratorGroup {
            v: v0,
            recording: None,
            input_slot: Vec::new(),
            inputs: Vec::new(),
        }
    }

    /// Takes neuron `i`'s samples due before `limit`.
    fn sample_until(&mut self, i: usize, limit: f64) {
        let Some(rec) = self.recording.as_mut() else {
            return;
        };
        let slot = rec.slot[i];
        if slot == u32::MAX {
            return;
        }
        let cursor = &mut rec.cursor[slot as usize];
        while let Some(&ts) = rec.times.get(*cursor) {
            if ts >= limit {
                return;
            }
            rec.samples.push(StateSample {
                time: ts,
                neuron: i as u32,
                value: self.v[i],
            });
            *cursor += 1;
        }
    }
}

impl CellGroup for IntegratorGroup {
    fn model(&self) -> &'static str {
        "integrator"
    }

    fn len(&self) -> usize {
        self.v.len()
    }

    fn advance(&mut self, t_end: f64, inputs: Inputs, offset: u32, _spikes: &mut Vec<Spike>) {
        let (lanes, bulk) = (inputs.lanes, inputs.bulk);
        let n = self.len();
        let plain = self.recording.is_none() && self.input_slot.is_empty();
        if plain && bulk.is_empty() {
            for (gid, lane) in lanes.lanes_in(offset, offset + n as u32) {
                let v = &mut self.v[(gid - offset) as usize];
                merged_inputs(0, lane, &[], |_, w| *v += w);
            }
        } else if plain {
            for (i, lane) in lanes.each_lane(offset, offset + n as u32).enumerate() {
                let v = &mut self.v[i];
                merged_inputs(i, lane, bulk, |_, w| *v += w);
            }
        } else {
            for (i, lane) in lanes.each_lane(offset, offset + n as u32).enumerate() {
                let record_input = !self.input_slot.is_empty() && self.input_slot[i] != u32::MAX;
                merged_inputs(i, lane, bulk, |t, w| {
                    if record_input {
                        self.inputs.push(StateSample {
                            time: t,
                            neuron: i as u32,
                            value: w,
                        });
                    }
                    self.sample_until(i, t);
                    self.v[i] += w;
                });
                self.sample_until(i, t_end);
            }
        }
    }

    fn next_spontaneous(&self) -> f64 {
        // A membrane sample is due whether or not input arrives: the simulation must step there.
        self.recording
            .as_ref()
            .map_or(f64::INFINITY, Recording::next_time)
    }

    fn membrane_potentials(&self) -> Option<Vec<f64>> {
        Some(self.v.clone())
    }

    fn record_membrane(&mut self, neurons: &[u32], times: &[f64]) -> Result<(), String> {
        self.recording = Some(Recording::new(neurons, times, self.len())?);
        Ok(())
    }

    fn membrane_samples(&self) -> &[StateSample] {
        self.recording.as_ref().map_or(&[], |r| &r.samples)
    }

    fn record_inputs(&mut self, neurons: &[u32]) -> Result<(), String> {
        self.input_slot = slots(neurons, self.len())?;
        Ok(())
    }

    fn input_samples(&self) -> &[StateSample] {
        &self.inputs
    }

    fn state_bytes(&self) -> usize {
        std::mem::size_of::<f64>() * self.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::{Lanes, PendingEvent};
    use crate::engine::neuron::lif::{LifGroup, LifParams};
    use crate::engine::simulation::BulkInput;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The model this group stands for: `lif` with τ_m = ∞ and V_th = ∞.
    fn lif_integrator(v0: &[f64]) -> LifGroup {
        let p = LifParams {
            tau_m: f64::INFINITY,
            c_m: 1.0,
            e_l: 0.0,
            v_th: f64::INFINITY,
            v_reset: 0.0,
            t_ref: 0.0,
            i_e: 0.0,
        };
        LifGroup::new(p, v0)
    }

    #[test]
    fn equals_lif_with_infinite_time_constant_and_threshold_bit_for_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let n = 7;
        let v0: Vec<f64> = (0..n).map(|_| rng.random_range(-5.0..5.0)).collect();
        let mut a = IntegratorGroup::new(v0.clone());
        let mut b = lif_integrator(&v0);
        let neurons = [0u32, 2, 5, 6];
        // Sample times on and between input times (inputs fall on a 0.25 ms grid).
        let times: Vec<f64> = (0..400)
            .map(|k| k as f64 * 0.25 + if k % 3 == 0 { 0.0 } else { 0.1 })
            .collect();
        for g in [&mut a as &mut dyn CellGroup, &mut b] {
            g.record_membrane(&neurons, &times).unwrap();
            g.record_inputs(&[1, 2, 3]).unwrap();
        }
        let mut lanes = Lanes::default();
        let (mut sa, mut sb) = (Vec::new(), Vec::new());
        for epoch in 0..100 {
            let t0 = epoch as f64;
            // Unit events, several at one time (some cancelling), and summed bulk inputs.
            let events: Vec<PendingEvent> = (0..rng.random_range(0..12))
                .map(|_| PendingEvent {
                    time: t0 + f64::from(rng.random_range(0..4u8)) * 0.25,
                    weight: if rng.random_bool(0.2) {
                        1.0
                    } else {
                        rng.random_range(-2.0f32..2.0)
                    },
                    target: rng.random_range(0..n as u32),
                })
                .collect();
            lanes.fill(n, &events);
            let bulk: Vec<BulkInput> = (0..rng.random_range(0..3))
                .map(|k| BulkInput {
                    time: t0 + 0.25 * f64::from(k as u8),
                    population: 0,
                    values: (0..n)
                        .map(|_| {
                            if rng.random_bool(0.5) {
                                0.0
                            } else {
                                rng.random_range(-1.0..1.0)
                            }
                        })
                        .collect(),
                    negative: Vec::new(),
                    uniform: if rng.random_bool(0.3) {
                        rng.random_range(-1.0..1.0)
                    } else {
                        0.0
                    },
                })
                .collect();
            let inputs = Inputs {
                lanes: &lanes,
                bulk: &bulk,
                receptor: &[],
            };
            a.advance(t0 + 1.0, inputs, 0, &mut sa);
            b.advance(t0 + 1.0, inputs, 0, &mut sb);
            assert_eq!(a.next_spontaneous(), b.next_spontaneous());
        }
        assert!(sa.is_empty() && sb.is_empty());
        // The same samples (the order they were taken in within an epoch may differ).
        let sorted = |g: &dyn CellGroup| {
            let mut v = g.membrane_samples().to_vec();
            v.sort_by(|x, y| x.neuron.cmp(&y.neuron).then(x.time.total_cmp(&y.time)));
            v
        };
        assert_eq!(a.membrane_samples().len(), neurons.len() * times.len());
        assert_eq!(sorted(&a), sorted(&b));
        assert!(!a.input_samples().is_empty());
        assert_eq!(a.input_samples(), b.input_samples());
        assert_eq!(a.membrane_potentials(), b.membrane_potentials());
    }
}
