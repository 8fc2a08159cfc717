//! Delays: every spike arrives exactly `delay` later, short or very long (beyond the ring of
//! epochs), and nothing arrives early.

use engram::engine::connect::one_to_one;
use engram::engine::distribution::Distribution;
use engram::engine::network::{Model, Network, NetworkDesc, PopulationDesc, ProjectionDesc};
use engram::engine::neuron::parrot;
use engram::engine::simulation::Simulation;

#[test]
fn parrots_repeat_each_spike_after_exactly_its_delay() {
    let sends = vec![0.05, 0.3, 7.77, 123.456];
    let delays = [0.1, 2.5, 1000.5];
    let mut populations = vec![PopulationDesc {
        name: "src".into(),
        size: 1,
        model: Model::SpikeTimes(vec![sends.clone()]),
        v_init: None,
    }];
    let mut projections = Vec::new();
    for (k, d) in delays.iter().enumerate() {
        populations.push(PopulationDesc {
            name: format!("parrot{k}"),
            size: 1,
            model: parrot::model(),
            v_init: None,
        });
        projections.push(ProjectionDesc::new(
            &format!("d{k}"),
            0,
            k + 1,
            one_to_one::rule(),
            Distribution::Fixed(1.0),
            Distribution::Fixed(*d),
        ));
    }
    let desc = NetworkDesc {
        seed: 1,
        populations,
        projections,
    };
    let mut sim = Simulation::new(Network::build(&desc).unwrap(), 2000.0);
    sim.run_until(2000.0, &mut |_| {});
    for (k, d) in delays.iter().enumerate() {
        let got: Vec<f64> = sim
            .recorded
            .all()
            .iter()
            .filter(|s| s.neuron == k as u32 + 1)
            .map(|s| s.time)
            .collect();
        let expected: Vec<f64> = sends.iter().map(|t| t + d).collect();
        assert_eq!(got, expected, "delay {d}");
    }
}
