//! Criterion benchmarks of the engine on cuba_ed (Brette et al. 2007, benchmark 4).

use criterion::{Criterion, criterion_group, criterion_main};
use engram::engine::network::Network;
use engram::engine::simulation::Simulation;
use engram::experiment::builtin;

fn cuba() -> engram::config::Circuit {
    let text = builtin::find("circuits/cuba_ed.toml").expect("built-in cuba_ed");
    engram::config::parse("circuits/cuba_ed.toml", text).expect("valid cuba_ed")
}

fn build(c: &mut Criterion) {
    let circuit = cuba();
    c.bench_function("cuba_ed build", |b| {
        b.iter(|| Network::build(&circuit.network).unwrap())
    });
}

fn simulate(c: &mut Criterion) {
    let circuit = cuba();
    let mut g = c.benchmark_group("cuba_ed");
    g.sample_size(10);
    g.bench_function("simulate 200 ms", |b| {
        b.iter_batched(
            || Simulation::new(Network::build(&circuit.network).unwrap(), 200.0),
            |mut sim| {
                sim.run_until(200.0, &mut |_| {});
                sim.events_delivered
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, build, simulate);
criterion_main!(benches);
