//! Spikes do not depend on the number of threads: the cuba_ed family at 70 000 neurons (cut into
//! one part per thread: events sent, sorted into lanes and applied part by part, the LIF groups
//! advanced in blocks) on 1, 2 and 3 threads — the spikes bit for bit, and the events counted.

use engram::experiment::{builtin, simulate};

/// The spikes (time bits, neuron) and the synaptic events delivered.
fn spikes(threads: usize) -> (Vec<(u64, u32)>, u64) {
    let name = "circuits/cuba_ed.toml";
    let text = builtin::find(name).unwrap();
    let mut circuit =
        engram::config::parse_with(name, text, &[("neurons".to_string(), 70_000.0)], None, "").unwrap();
    circuit.duration_ms = 30.0;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let run = pool.install(|| simulate::run(circuit, &mut |_| {})).unwrap();
    let spikes = run
        .spikes
        .all()
        .iter()
        .map(|s| (s.time.to_bits(), s.neuron))
        .collect();
    (spikes, run.sim.events_delivered)
}

#[test]
fn a_static_network_gives_identical_spikes_on_1_2_and_3_threads() {
    let one = spikes(1);
    assert!(
        one.0.len() > 10_000,
        "{} spikes: the network must be active",
        one.0.len()
    );
    assert_eq!(one, spikes(2));
    assert_eq!(one, spikes(3));
}
