//! `integrator`: a perfect integrator for readouts — no leak, no threshold, never fires. Each
//! input of weight `w` adds `w` to `v_m`, so the change of `v_m` over a window is exactly the
//! summed input that reached it (e.g. `Σ_μ n_μ x_μj` behind a memory population).
//!
//! It is the `lif` cell group with τ_m = ∞ and V_th = ∞: relaxation multiplies by
//! `e^{−dt/∞} = 1`, and no potential reaches the threshold.

use super::lif::{LifGroup, LifParams, initial_potentials};
use super::{InputSummary, NeuronModel};

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
    bytes_per_neuron: 33,
    check: |_| Ok(()),
    build: |_, init| {
        let params = LifParams {
            tau_m: f64::INFINITY,
            c_m: 1.0,
            e_l: 0.0,
            v_th: f64::INFINITY,
            v_reset: 0.0,
            t_ref: 0.0,
            i_e: 0.0,
        };
        Box::new(LifGroup::new(params, &initial_potentials(init, 0.0)))
    },
};
