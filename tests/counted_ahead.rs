//! Bit projections from sources with planned spikes count up to 16 volleys in one pass over
//! their rows (`engine/synapse/counted_ahead.rs`). The spikes and the events counted must be
//! exactly those of counting every volley alone — also when spikes are added while running,
//! which makes the counted-ahead volleys wrong and must make them count anew — and those of one
//! thread.

use engram::engine::network::Network;
use engram::engine::simulation::Simulation;

/// The Kanerva cerebellum's circuit with 40 000 granule cells (rows of 1000 pairs: 5 MB, past
/// the 1 MiB from which volleys are counted ahead), 40 writes and 10 reads per noise level.
fn simulation(ahead: bool, threads: usize) -> Simulation {
    let name = "circuits/cerebellum_sdm_kanerva.toml";
    let text = std::fs::read_to_string(name).unwrap();
    let lets = [
        ("granule_cells".to_string(), 40_000.0),
        ("radius".to_string(), 460.0),
        ("patterns".to_string(), 40.0),
        ("queries_per_level".to_string(), 2.0),
    ];
    let circuit = engram::config::parse_with(name, &text, &lets, None, "").unwrap();
    let mut sim = Simulation::new(Network::build(&circuit.network).unwrap(), circuit.duration_ms);
    sim.count_ahead(ahead);
    sim.use_threads(threads);
    sim
}

fn spikes(sim: &Simulation) -> Vec<(u64, u32)> {
    sim.recorded
        .all()
        .iter()
        .map(|s| (s.time.to_bits(), s.neuron))
        .collect()
}

#[test]
fn volleys_counted_ahead_give_the_spikes_of_volleys_counted_alone() {
    // Counted alone on one thread, ahead on two (the granule cells advanced in two blocks).
    let (mut alone, mut ahead) = (simulation(false, 1), simulation(true, 2));
    let end = 40.0 * 300.0 + 10.0 * 30.0 + 50.0;
    // Half-way, a spike is added to a mossy fibre two presentations ahead: the
    // volley counted ahead for that time no longer matches and is counted anew.
    let pop = |sim: &Simulation, name: &str| sim.net.populations.iter().position(|p| p.name == name).unwrap();
    let (mossy, granule) = (pop(&alone, "mossy_fibre"), pop(&alone, "granule"));
    for sim in [&mut alone, &mut ahead] {
        sim.run_until(3000.0, &mut |_| {});
        sim.inject_spike(mossy, 1, 3610.0).unwrap();
        sim.run_until(end, &mut |_| {});
    }
    let (a, b) = (spikes(&alone), spikes(&ahead));
    let g = &alone.net.populations[granule];
    let cells = g.offset..g.offset + g.size as u32;
    let granule = |s: &[(u64, u32)]| s.iter().filter(|x| cells.contains(&x.1)).count();
    assert!(
        granule(&a) > 2_000,
        "{} granule spikes: the circuit must be active",
        granule(&a)
    );
    assert_eq!(a.len(), b.len());
    assert!(a == b, "the spikes differ");
    assert_eq!(alone.events_delivered, ahead.events_delivered);
}
