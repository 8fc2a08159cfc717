//! Sparse, dense and bit-matrix storage deliver the same input: random small circuits (lif,
//! escape-noise and parrot targets; mixed-sign weights; many simultaneous spikes) give
//! identical spikes with every storage that can hold their weights.
//!
//! Per-event delivery sums simultaneous inputs in sending order; summed (bulk) delivery adds
//! whole rows. Weights here are multiples of 1/4, so every partial sum is exact in f64 and the
//! order of summation cannot matter; with arbitrary weights the two agree to rounding.

use engram::config;
use engram::experiment::simulate;
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Layer {
    model: &'static str,
    size: usize,
    /// Quarter-units of the weight of each (pre, post) pair; None: one fixed weight.
    weights: Option<Vec<i32>>,
    fixed: i32,
    delay_halves: u32,
}

fn model_params(model: &str) -> &'static str {
    match model {
        "lif" => "params = { tau_m = 5.0, e_l = 0.0, v_th = 1.0, v_reset = 0.0, t_ref = 1.0 }",
        "escape_noise" => "params = { rho0_hz = 40.0, beta = 1.0, psp_exc_ms = 3.0, psp_inh_ms = 2.0 }",
        _ => "",
    }
}

/// A circuit: a spike source → layer A → layer B, both projections all-to-all in `storage`.
fn circuit(times: &[Vec<f64>], a: &Layer, b: &Layer, storage: &str) -> String {
    let list = |v: &[f64]| v.iter().map(|t| format!("{t:.1}")).collect::<Vec<_>>().join(", ");
    let times_ms = times
        .iter()
        .map(|t| format!("[{}]", list(t)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = format!(
        "name = \"eq\"\nseed = 4\nduration_ms = 60.0\n\n[[stimulus]]\nname = \"src\"\nmodel = \"spike_times\"\ntimes_ms = [{times_ms}]\n"
    );
    for (name, l) in [("a", a), ("b", b)] {
        s += &format!(
            "\n[[population]]\nname = \"{name}\"\nsize = {}\nmodel = \"{}\"\n{}\n",
            l.size,
            l.model,
            model_params(l.model)
        );
    }
    for (pre, post, n_pre, l) in [("src", "a", times.len(), a), ("a", "b", a.size, b)] {
        let conn = match &l.weights {
            Some(w) => {
                let mut pairs = Vec::new();
                let mut ws = Vec::new();
                for i in 0..n_pre {
                    for j in 0..l.size {
                        pairs.push(format!("[{i}, {j}]"));
                        ws.push(format!("{}", f64::from(w[(i * l.size + j) % w.len()]) / 4.0));
                    }
                }
                format!(
                    "{{ rule = \"explicit\", pairs = [{}], weights = [{}] }}",
                    pairs.join(", "),
                    ws.join(", ")
                )
            }
            None => "{ rule = \"all_to_all\" }".to_string(),
        };
        s += &format!(
            "\n[[projection]]\npre = \"{pre}\"\npost = \"{post}\"\nconnectivity = {conn}\nweight = {}\ndelay_ms = {}\nstorage = \"{storage}\"\n",
            f64::from(l.fixed) / 4.0,
            f64::from(l.delay_halves) * 0.5
        );
    }
    s
}

/// The spikes of a run, and its synaptic events.
fn spikes(text: &str) -> Option<(Vec<(u64, u32)>, u64)> {
    let c = config::parse("eq.toml", text).ok()?;
    let r = simulate::run(c, &mut |_| {}).expect("a valid circuit builds");
    Some((
        r.spikes
            .all()
            .iter()
            .map(|s| (s.time.to_bits(), s.neuron))
            .collect(),
        r.sim.events_delivered,
    ))
}

fn layer() -> impl Strategy<Value = Layer> {
    (
        prop::sample::select(vec!["lif", "escape_noise", "parrot"]),
        1usize..5,
        prop::option::of(prop::collection::vec(-12i32..=12, 1..24)),
        -12i32..=12,
        1u32..4,
    )
        .prop_map(|(model, size, weights, fixed, delay_halves)| Layer {
            model,
            size,
            weights,
            fixed,
            delay_halves,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_storage_that_can_hold_the_weights_gives_the_same_spikes(
        // Spike times on a 0.5 ms grid over 20 ms: many coincide, within and across neurons.
        times in prop::collection::vec(prop::collection::vec((0u32..40).prop_map(|k| f64::from(k) * 0.5), 0..8), 1..6),
        a in layer(),
        b in layer(),
    ) {
        let sparse = spikes(&circuit(&times, &a, &b, "sparse")).expect("sparse holds anything");
        // Dense holds every pair (fixed or listed weights); bits only one fixed weight.
        let dense = spikes(&circuit(&times, &a, &b, "dense")).expect("dense holds all-pairs wiring");
        prop_assert_eq!(&sparse.0, &dense.0);
        // Synaptic events are counted as what they deliver, whatever the storage.
        prop_assert_eq!(sparse.1, dense.1, "synaptic events, sparse vs dense");
        let bits = spikes(&circuit(&times, &a, &b, "bits"));
        if a.weights.is_none() && b.weights.is_none() {
            let bits = bits.expect("bits hold one fixed weight");
            prop_assert_eq!(&sparse.0, &bits.0);
            prop_assert_eq!(sparse.1, bits.1, "synaptic events, sparse vs bits");
        } else {
            prop_assert!(bits.is_none(), "bit storage accepted per-synapse weights");
        }
    }
}

/// The bulk paths are taken: a dense projection onto escape-noise neurons with mixed signs at
/// the same instant keeps excitation and inhibition apart (a net sum would cancel them).
#[test]
fn simultaneous_mixed_signs_reach_escape_noise_neurons_unnetted() {
    let a = Layer {
        model: "escape_noise",
        size: 3,
        weights: Some(vec![8, -8]),
        fixed: 0,
        delay_halves: 2,
    };
    let b = Layer {
        model: "parrot",
        size: 2,
        weights: None,
        fixed: 4,
        delay_halves: 2,
    };
    let times = vec![vec![1.0, 5.0], vec![1.0, 5.0]];
    let sparse = spikes(&circuit(&times, &a, &b, "sparse")).unwrap();
    let dense = spikes(&circuit(&times, &a, &b, "dense")).unwrap();
    assert_eq!(sparse.0, dense.0);
}
