//! Spikes do not depend on the number of threads: the cuba_ed family at 70 000 neurons (cut into
//! one part per thread: events sent, sorted into lanes and applied part by part, the LIF groups
//! advanced in blocks) on 1, 2 and 3 threads — the spikes bit for bit, and the events counted.

use engram::experiment::{builtin, simulate};

/// The spikes (time bits, neuron) and the synaptic events delivered of `circuit` on `threads`
/// threads.
fn run_on(circuit: engram::config::Circuit, threads: usize) -> (Vec<(u64, u32)>, u64) {
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

/// cuba_ed at 70 000 neurons, 30 ms.
fn spikes(threads: usize) -> (Vec<(u64, u32)>, u64) {
    let name = "circuits/cuba_ed.toml";
    let text = builtin::find(name).unwrap();
    let mut circuit =
        engram::config::parse_with(name, text, &[("neurons".to_string(), 70_000.0)], None, "").unwrap();
    circuit.duration_ms = 30.0;
    run_on(circuit, threads)
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

fn run_text(text: &str, threads: usize) -> (Vec<(u64, u32)>, u64) {
    run_on(
        engram::config::parse_with("scrambled.toml", text, &[], None, "").unwrap(),
        threads,
    )
}

/// 25 000 self-driven LIF neurons (three parts on three threads), 640 ms: a random projection, and an explicit one that lists
/// each row's targets in descending order (stored by target: each part takes a slice of the
/// row) with several delays per row, one of them (600 ms) beyond the ring of 4096 epochs of
/// 0.1 ms.
fn scrambled_text() -> String {
    let n = 25_000u64;
    let mut pairs = Vec::new();
    let mut delays = Vec::new();
    for pre in 0..n {
        let mut posts: Vec<u64> = (0..4).map(|j| (pre * 7919 + j * 104_729) % n).collect();
        posts.sort_unstable_by(|a, b| b.cmp(a));
        for (j, post) in posts.into_iter().enumerate() {
            pairs.push(format!("[{pre}, {post}]"));
            delays.push(["0.1", "0.35", "600.0", "0.2"][j].to_string());
        }
    }
    format!(
        r#"name = "scrambled"
seed = 3
duration_ms = 640.0

[[population]]
name = "E"
size = {n}
model = "lif"
params = {{ tau_m = 20.0, c_m = 250.0, e_l = -49.0, v_th = -50.0, v_reset = -60.0, t_ref = 5.0, i_e = 0.0 }}
v_init = {{ distribution = "uniform", low = -60.0, high = -50.0 }}

[[projection]]
name = "random"
pre = "E"
post = "E"
connectivity = {{ rule = "fixed_probability", p = 0.002 }}
weight = 0.25
delay_ms = 0.1
autapses = false

[[projection]]
name = "scrambled"
pre = "E"
post = "E"
connectivity = {{ rule = "explicit", pairs = [{}], delays_ms = [{}] }}
weight = -0.5
delay_ms = 0.1
"#,
        pairs.join(", "),
        delays.join(", ")
    )
}

#[test]
fn rows_given_in_any_order_and_delays_beyond_the_ring_give_identical_spikes_on_1_2_and_3_threads() {
    let text = scrambled_text();
    let one = run_text(&text, 1);
    assert!(
        one.0.len() > 10_000,
        "{} spikes: the network must be active",
        one.0.len()
    );
    // Spikes after 600 ms received the delayed events; there must be some.
    let late = one.0.iter().filter(|s| f64::from_bits(s.0) > 600.2).count();
    assert!(late > 100, "{late} spikes after the long delay");
    assert_eq!(one, run_text(&text, 2));
    assert_eq!(one, run_text(&text, 3));
}

#[test]
fn a_recorded_group_advancing_whole_beside_groups_in_blocks_gives_identical_spikes() {
    // The membrane recorder keeps E from being cut into blocks (it advances whole, on the
    // calling thread, after the parts' blocks of I): the spikes are still those of one thread.
    let name = "circuits/cuba_ed.toml";
    let text = format!(
        "{}\n[[recorder]]\ntype = \"membrane\"\npopulation = \"E\"\nneurons = [0, 30000, 55999]\ninterval_ms = 0.5\n",
        builtin::find(name).unwrap()
    );
    let run = |threads| {
        let mut circuit =
            engram::config::parse_with(name, &text, &[("neurons".to_string(), 70_000.0)], None, "").unwrap();
        circuit.duration_ms = 20.0;
        run_on(circuit, threads)
    };
    let one = run(1);
    assert!(
        one.0.len() > 5_000,
        "{} spikes: the network must be active",
        one.0.len()
    );
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
}

/// cuba_ed at 70 000 neurons simulated to 20 ms in runs that stop at `stops` (ms), on
/// `threads` parts: the spikes (time bits, neuron) and the events delivered.
fn in_runs(threads: usize, stops: &[f64]) -> (Vec<(u64, u32)>, u64) {
    use engram::engine::{network::Network, simulation::Simulation, synapse::Connectivity};
    let name = "circuits/cuba_ed.toml";
    let text = builtin::find(name).unwrap();
    let circuit =
        engram::config::parse_with(name, text, &[("neurons".to_string(), 70_000.0)], None, "").unwrap();
    let mut sim = Simulation::new(Network::build(&circuit.network).unwrap(), 20.0);
    sim.use_threads(threads);
    for &t in stops {
        sim.run_until(t, &mut |_| {});
        // Every spike so far has been sent when a run ends: one event per synapse of its rows.
        let net = &sim.net;
        let mut sent = 0;
        sim.recorded.visit(f64::NEG_INFINITY, f64::INFINITY, &mut |s| {
            let pop = net.population_of(s.neuron);
            for proj in net.projections.iter().filter(|p| p.pre == pop) {
                if let Connectivity::Sparse(syn) = &proj.conn {
                    sent += syn.row((s.neuron - net.populations[pop].offset) as usize).len() as u64;
                }
            }
        });
        assert_eq!(
            sim.events_delivered, sent,
            "events sent by {t} ms on {threads} threads"
        );
    }
    assert_eq!(sim.now(), 20.0);
    let mut spikes = Vec::new();
    sim.recorded.visit(f64::NEG_INFINITY, f64::INFINITY, &mut |s| {
        spikes.push((s.time.to_bits(), s.neuron))
    });
    (spikes, sim.events_delivered)
}

#[test]
fn runs_that_stop_inside_epochs_give_the_spikes_of_one_run_on_any_thread_count() {
    // A run ends with its last epoch's spikes sent (the parts send an epoch's spikes at the
    // start of the next epoch's job); one that stops inside an epoch keeps that epoch's later
    // events for the next run.
    let whole = in_runs(1, &[20.0]);
    assert!(
        whole.0.len() > 5_000,
        "{} spikes: the network must be active",
        whole.0.len()
    );
    let stops = [0.37, 1.0, 1.05, 4.2501, 7.999, 10.0, 13.33, 20.0];
    for threads in [1, 2, 3] {
        assert_eq!(
            whole,
            in_runs(threads, &stops),
            "{threads} threads, stopping inside epochs"
        );
    }
    assert_eq!(whole, in_runs(2, &[20.0]));
}

#[test]
fn an_event_from_beyond_the_ring_waits_through_a_run_that_stops_inside_its_epoch() {
    // One spike at 1.05 ms reaches a parrot after 0.1 ms and after 500 ms — beyond the ring of
    // 4096 epochs of 0.1 ms, so it waits in the heap. A run stops at 501.02 ms, inside the
    // epoch the late event falls in but before it: the event must stay due (the network is
    // otherwise quiet, so nothing else keeps the epochs from being skipped) and be delivered
    // in the next run, as in one unbroken run.
    use engram::engine::{network::Network, simulation::Simulation};
    let text = r#"
name = "late"
duration_ms = 520.0
[[stimulus]]
name = "src"
model = "spike_times"
times_ms = [[1.05]]
[[population]]
name = "relay"
size = 1
model = "parrot"
[[projection]]
name = "soon"
pre = "src"
post = "relay"
connectivity = { rule = "one_to_one" }
weight = 1.0
delay_ms = 0.1
[[projection]]
name = "late"
pre = "src"
post = "relay"
connectivity = { rule = "one_to_one" }
weight = 1.0
delay_ms = 500.0
"#;
    let relay_spikes = |stops: &[f64]| {
        let circuit = engram::config::parse_with("late.toml", text, &[], None, "").unwrap();
        let mut sim = Simulation::new(Network::build(&circuit.network).unwrap(), 520.0);
        for &t in stops {
            sim.run_until(t, &mut |_| {});
        }
        let relay = sim
            .net
            .populations
            .iter()
            .find(|p| p.name == "relay")
            .unwrap()
            .offset;
        let mut times = Vec::new();
        sim.recorded.visit(f64::NEG_INFINITY, f64::INFINITY, &mut |s| {
            if s.neuron == relay {
                times.push(s.time)
            }
        });
        times
    };
    let whole = relay_spikes(&[520.0]);
    assert_eq!(whole.len(), 2, "the parrot repeats both arrivals: {whole:?}");
    assert!((whole[1] - 501.05).abs() < 1e-9, "{whole:?}");
    assert_eq!(whole, relay_spikes(&[501.02, 520.0]));
}

#[test]
fn parts_cut_again_between_runs_give_the_spikes_of_one_run() {
    // The parts' shares follow the threads' speed during a run (`engine::balance`); here they
    // are set by hand between runs that stop inside epochs, while events wait in the ring for
    // several epochs (0.2 and 0.35 ms delays, epochs of 0.1 ms) and beyond it (600 ms): the
    // waiting events move with their neurons, and the spikes are those of one unbroken run.
    use engram::engine::{network::Network, simulation::Simulation};
    let circuit = engram::config::parse_with("scrambled.toml", &scrambled_text(), &[], None, "").unwrap();
    let run = |threads: usize, plan: &[(f64, &[f64])]| {
        let mut sim = Simulation::new(Network::build(&circuit.network).unwrap(), 640.0);
        sim.use_threads(threads);
        for &(t, shares) in plan {
            sim.run_until(t, &mut |_| {});
            sim.share_parts(shares);
            if shares.len() == threads {
                let sum: f64 = shares.iter().sum();
                let set: Vec<f64> = shares.iter().map(|s| s / sum).collect();
                assert_eq!(sim.part_shares(), &set[..], "shares taken at {t} ms");
            }
        }
        let mut spikes = Vec::new();
        sim.recorded.visit(f64::NEG_INFINITY, f64::INFINITY, &mut |s| {
            spikes.push((s.time.to_bits(), s.neuron))
        });
        (spikes, sim.events_delivered)
    };
    let one = run(1, &[(640.0, &[])]);
    let late = one.0.iter().filter(|s| f64::from_bits(s.0) > 600.2).count();
    assert!(
        one.0.len() > 10_000 && late > 100,
        "{} spikes, {late} late",
        one.0.len()
    );
    let two: [(f64, &[f64]); 6] = [
        (0.55, &[0.8, 0.2]),
        (3.0, &[0.3, 0.7]),
        (50.02, &[0.9, 0.1]),
        (300.0, &[0.5, 0.5]),
        (600.27, &[0.05, 0.95]),
        (640.0, &[]),
    ];
    assert_eq!(one, run(2, &two), "2 threads");
    let three: [(f64, &[f64]); 5] = [
        (0.43, &[0.2, 0.3, 0.5]),
        (10.0, &[0.6, 0.2, 0.2]),
        (400.0, &[1.0, 1.0, 3.0]),
        (600.31, &[0.34, 0.33, 0.33]),
        (640.0, &[]),
    ];
    assert_eq!(one, run(3, &three), "3 threads");
}
