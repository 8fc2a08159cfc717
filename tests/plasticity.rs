//! Plasticity experiments: the rules against their closed forms (sums over spike pairs and
//! triplets, computed independently of the rules' event-driven traces), the frequency
//! dependence of pair and triplet STDP, the PF–PC window's extremum, sweeps that give the same
//! numbers however many simulations run at once, and a plastic network that gives the same
//! spikes on any number of threads.

use engram::experiment::{self, SweepResult};

const WINDOW: &str = include_str!("../circuits/stdp_window.toml");
const FREQUENCY: &str = include_str!("../circuits/stdp_frequency.toml");
const PF_PC: &str = include_str!("../circuits/pf_pc_window.toml");

/// Runs the first sweep of a file (on `threads` threads).
fn sweep(text: &str, overrides: &[(&str, f64)], threads: usize) -> SweepResult {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let ex = experiment::parse("test.toml", text).unwrap();
        let mut s = ex.base.circuit.sweeps[0].clone();
        s.fixed.extend(overrides.iter().map(|(k, v)| (k.to_string(), *v)));
        ex.source.sweep(&s, &|| {}).unwrap()
    })
}

fn get(p: &engram::experiment::SweepPoint, key: &str) -> f64 {
    p.scalars
        .iter()
        .find(|x| x.0 == key)
        .unwrap_or_else(|| panic!("no {key}"))
        .1
}

/// Every point: |Δw − closed form| ≤ 1e−9·|closed form| + 1e−12·|w₀|. The second term is the
/// weight's own rounding (an f64 weight updated ~120 times), which bounds how small a change can
/// be resolved at all; at Δt = 0 both are ~1e−14.
fn assert_closed_form(result: &SweepResult, rules: &[&str]) {
    for p in &result.points {
        assert!(p.error.is_none(), "{:?}", p.error);
        for r in rules {
            let (dw, a, w0) = (
                get(p, &format!("{r}.dw")),
                get(p, &format!("{r}.dw_analytic")),
                get(p, &format!("{r}.w_initial")),
            );
            assert!(a.is_finite(), "{r} has no closed form");
            assert!(
                (dw - a).abs() <= 1e-9 * a.abs() + 1e-12 * w0.abs(),
                "{r} at {:?}: dw {dw} vs {a}",
                p.values
            );
        }
    }
}

#[test]
fn stdp_windows_match_their_closed_forms_at_every_timing() {
    let r = sweep(WINDOW, &[], 2);
    assert_eq!(r.points.len(), 101);
    assert_closed_form(&r, &["pair", "triplet"]);
    // The pair window: potentiation for post after pre, depression before, nothing at Δt = 0.
    for p in &r.points {
        let (dt, dw) = (p.values[0].1, get(p, "pair.dw"));
        assert!(
            if dt > 0.0 {
                dw > 0.0
            } else if dt < 0.0 {
                dw < 0.0
            } else {
                dw == 0.0
            },
            "dt {dt}: {dw}"
        );
    }
}

#[test]
fn triplet_potentiation_rises_with_frequency_and_pair_potentiation_does_not() {
    let r = sweep(FREQUENCY, &[], 2);
    assert_closed_form(&r, &["pair", "triplet"]);
    let at = |dt: f64, rule: &str| -> Vec<(f64, f64)> {
        r.points
            .iter()
            .filter(|p| p.values.iter().any(|v| v.0 == "dt" && v.1 == dt))
            .map(|p| {
                (
                    p.values.iter().find(|v| v.0 == "frequency_hz").unwrap().1,
                    get(p, &format!("{rule}.dw")),
                )
            })
            .collect()
    };
    let triplet = at(10.0, "triplet");
    assert!(triplet.windows(2).all(|w| w[1].1 > w[0].1), "{triplet:?}");
    let pair = at(10.0, "pair");
    assert!(pair.iter().all(|p| p.1 <= pair[0].1 + 1e-9), "{pair:?}");
    // At −10 ms the triplet rule's depression turns into potentiation at high frequency.
    let minus = at(-10.0, "triplet");
    assert!(minus[0].1 < 0.0 && minus.last().unwrap().1 > 0.0, "{minus:?}");
}

#[test]
fn the_pf_pc_window_matches_its_closed_form_and_its_extremum_sits_at_the_peak() {
    for peak in [100.0, 60.0] {
        let r = sweep(PF_PC, &[("peak_ms", peak)], 2);
        assert_closed_form(&r, &["plasticity"]);
        let lowest = r
            .points
            .iter()
            .min_by(|a, b| get(a, "plasticity.dw").total_cmp(&get(b, "plasticity.dw")))
            .unwrap();
        assert_eq!(lowest.values[0].1, peak, "extremum at {:?}", lowest.values);
    }
}

/// Every simulation of the STDP files (circuits and sweep points) as one batch run `workers` at
/// a time, as `engram run` does: the scalars of every point, bit for bit.
fn batch_scalars(workers: usize) -> Vec<Vec<(String, u64)>> {
    use engram::experiment::batch::{self, Finished};
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .unwrap();
    pool.install(|| {
        let mut experiments = vec![
            experiment::parse("frequency.toml", FREQUENCY).unwrap(),
            experiment::parse("window.toml", WINDOW).unwrap(),
        ];
        let jobs = batch::jobs(&mut experiments);
        let n = jobs.len();
        let results = batch::run_all(&experiments, jobs, workers, &|_| Box::new(|_| {}), &|_| {});
        assert_eq!(results.len(), n);
        results
            .into_iter()
            .filter_map(|(k, f)| match f {
                Finished::Point(s, p) => Some(
                    [(format!("{k}/{s}"), 0)]
                        .into_iter()
                        .chain(p.scalars.iter().map(|(k, v)| (k.clone(), v.to_bits())))
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    })
}

#[test]
fn sweeps_give_the_same_numbers_however_many_simulations_run_at_once() {
    let one = batch_scalars(1);
    assert!(one.len() > 10 && one.iter().all(|p| p.len() > 1));
    assert_eq!(one, batch_scalars(2));
    assert_eq!(one, batch_scalars(3));
}

/// A plastic network large enough for the parallel paths (70 000 LIF cells take their summed
/// input in parallel blocks): Poisson-driven parrots reach them through pair STDP, and they
/// excite each other through sparse recurrent synapses. Spikes and weights do not depend on
/// the thread count.
#[test]
fn a_plastic_recurrent_network_gives_identical_spikes_and_weights_on_1_2_and_3_threads() {
    let text = r#"
name = "plastic"
seed = 9
duration_ms = 60.0
[[stimulus]]
name = "drive"
model = "poisson"
size = 40
rate_hz = 200.0
[[population]]
name = "input"
size = 40
model = "parrot"
[[population]]
name = "cells"
size = 70000
model = "lif"
params = { tau_m = 10.0, e_l = 0.0, v_th = 1.0, v_reset = 0.0, t_ref = 2.0 }
[[projection]]
pre = "drive"
post = "input"
connectivity = { rule = "one_to_one" }
weight = 1.0
delay_ms = 0.5
[[projection]]
name = "learned"
pre = "input"
post = "cells"
connectivity = { rule = "all_to_all" }
weight = { distribution = "uniform", low = 0.0, high = 0.06 }
delay_ms = 1.0
plasticity = { rule = "stdp_pair", lambda = 0.05, wmax = 0.2 }
[[projection]]
pre = "cells"
post = "cells"
connectivity = { rule = "fixed_indegree", k = 10 }
weight = 0.12
delay_ms = 1.5
autapses = false
[[recorder]]
type = "weight_trace"
projection = "learned"
synapses = [[0, 0], [3, 17], [39, 69999]]
"#;
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let loaded = experiment::load_one("p.toml", text, &[], None, "").unwrap();
            let done = experiment::run(loaded, &mut |_| {}).unwrap();
            let spikes: Vec<(u64, u32)> = done
                .run
                .spikes
                .all()
                .iter()
                .map(|s| (s.time.to_bits(), s.neuron))
                .collect();
            let mut weights = Vec::new();
            done.run.net().projections[1]
                .conn
                .for_each(|_, _, w, _| weights.push(w.to_bits()));
            let traces: Vec<(u64, u64)> = done
                .run
                .sim
                .weight_changes
                .iter()
                .map(|c| (c.time.to_bits(), c.weight.to_bits()))
                .collect();
            (spikes, weights, traces)
        })
    };
    let one = run(1);
    let cells = one.0.iter().filter(|s| s.1 >= 80).count();
    assert!(cells > 5000, "{cells} cell spikes: the network must be active");
    assert!(one.2.len() > 10, "the traced weights must change");
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
}

/// The nearest-spike variant of the triplet rule against its own closed form (each trace the
/// nearest spike's alone) at every frequency and sign of Δt.
#[test]
fn the_nearest_spike_triplet_rule_matches_its_closed_form() {
    let text = FREQUENCY.replace(
        "plasticity = { rule = \"stdp_triplet\" }",
        "plasticity = { rule = \"stdp_triplet\", nearest = true }",
    );
    assert_ne!(text, FREQUENCY);
    let nearest = sweep(&text, &[], 2);
    assert_closed_form(&nearest, &["triplet"]);
    // It differs from all-to-all where spikes interact (high frequency), not at 0.1 Hz.
    let all = sweep(FREQUENCY, &[], 2);
    let dw = |r: &SweepResult, k: usize| get(&r.points[k], "triplet.dw");
    let last = all.points.len() / 2 - 1; // dt = +10 at 50 Hz
    assert!((dw(&nearest, last) - dw(&all, last)).abs() > 1e-3);
}
