//! The cerebellar circuit file against the SDM math at a fixed seed: exact equalities where the
//! construction is exact, binomial bounds where the placement of granule cells is random. The
//! circuit is `circuits/cerebellum_sdm.toml` with `[let]` values replaced (as variants and
//! sweeps do), or a new file written here.

use engram::experiment::{self, Done};
use serde_json::Value;

const FILE: &str = include_str!("../circuits/cerebellum_sdm.toml");

/// Runs the cerebellum file with `[let]` values replaced; returns the run and the SDM metrics.
fn run_with(text: &str, overrides: &[(String, f64)]) -> (Done, Value) {
    let loaded = experiment::load_one("test.toml", text, overrides, None, "").unwrap();
    let done = experiment::run(loaded, &mut |_| {}).unwrap();
    let m = done
        .outcomes
        .iter()
        .find(|(n, _)| n == "sdm")
        .unwrap()
        .1
        .metrics();
    (done, m)
}

const SMALL: &[(&str, f64)] = &[
    ("n", 64.0),
    ("granule_cells", 6000.0),
    ("radius", 24.0),
    ("patterns", 12.0),
    ("queries_per_level", 6.0),
];

/// The small circuit, with `extra` values replaced too.
fn small(extra: &[(&str, f64)]) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = SMALL.iter().map(|(k, x)| (k.to_string(), *x)).collect();
    for (k, x) in extra {
        v.retain(|(n, _)| n != k);
        v.push((k.to_string(), *x));
    }
    v
}

fn assert_exact(m: &Value) {
    assert_eq!(m["granule_activation_mismatches"], 0, "{m}");
    assert_eq!(m["pc_input_max_abs_error"].as_f64(), Some(0.0), "{m}");
    assert_eq!(m["output_bit_mismatches"], 0, "{m}");
}

#[test]
fn kanerva_design_equals_the_sdm_algorithm_exactly() {
    let (_, m) = run_with(FILE, &small(&[]));
    assert_exact(&m);
    // The circuit's recall is the algorithm's at every noise level.
    for r in m["recall"].as_array().unwrap() {
        assert_eq!(r["circuit"], r["sdm"]);
    }
}

#[test]
fn claw_design_equals_the_masked_sdm_algorithm_exactly() {
    let (_, m) = run_with(FILE, &small(&[("dims", 4.0), ("radius", 0.0)]));
    assert_exact(&m);
    assert_eq!(m["dims_per_location"], 4);
}

/// Overlap counts of every query–pattern pair: the largest |z| of N pairs (exact binomial
/// tails) stays below the Bonferroni 1 % bound; the mean per distance within 4.5 standard
/// errors of r·P(d_v).
fn assert_binomial(m: &Value, cells: f64) {
    assert!(
        m["overlap_max_abs_z"].as_f64().unwrap() < m["overlap_z_bound_p01"].as_f64().unwrap(),
        "{}",
        m["overlap_max_abs_z"]
    );
    for p in m["overlaps"].as_array().unwrap() {
        let (e, o, k) = (
            p["expected"].as_f64().unwrap(),
            p["observed_mean"].as_f64().unwrap(),
            p["pairs"].as_f64().unwrap(),
        );
        if e > 1.0 {
            let prob = e / cells;
            let se = (cells * prob * (1.0 - prob) / k).sqrt();
            assert!((o - e).abs() < 4.5 * se, "d_v {}: {o} vs {e}", p["d_v"]);
        }
    }
}

#[test]
fn overlaps_follow_binomial_r_p_staircase_included() {
    let (_, m) = run_with(FILE, &small(&[]));
    assert_binomial(&m, 6000.0);
    // The staircase: I(2k−1) = I(2k), so expected overlaps at odd d_v equal the next even one.
    let e = |dv: u64| {
        m["overlaps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["d_v"] == dv)
            .map(|p| p["expected"].as_f64().unwrap())
    };
    let mut checked = 0;
    for k in 1..20 {
        if let (Some(a), Some(b)) = (e(2 * k - 1), e(2 * k)) {
            assert!((a / b - 1.0).abs() < 1e-9);
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[test]
fn claws_with_a_radius_above_zero_follow_their_own_overlap_law() {
    // 6 claws, one mismatch tolerated: P(active) = P(Bin(6, ½) ≤ 1) = 7/64.
    let (_, m) = run_with(
        FILE,
        &small(&[("dims", 6.0), ("radius", 1.0), ("granule_cells", 8000.0)]),
    );
    assert_exact(&m);
    assert_binomial(&m, 8000.0);
    let p0 = m["overlaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["d_v"] == 0)
        .unwrap()["expected"]
        .as_f64()
        .unwrap();
    assert!((p0 / 8000.0 - 7.0 / 64.0).abs() < 1e-12, "{p0}");
}

#[test]
fn plasticity_left_on_during_reads_makes_the_readout_drift() {
    let text = FILE.replace(
        "plasticity = { parallel_fibre = false }",
        "plasticity = { parallel_fibre = true }",
    );
    let (_, m) = run_with(&text, &small(&[]));
    // Every read potentiates its active parallel fibres: later reads see inflated sums.
    assert!(m["pc_input_max_abs_error"].as_f64().unwrap() > 0.0);
}

#[test]
fn spikes_are_bit_identical_whatever_the_thread_count() {
    // 70000 granule cells: the parallel paths (bit-matrix delivery, bulk inputs) are taken.
    let o = small(&[
        ("granule_cells", 70000.0),
        ("patterns", 4.0),
        ("queries_per_level", 2.0),
    ]);
    let spikes_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let (done, _) = run_with(FILE, &o);
            done.run
                .spikes
                .all()
                .iter()
                .map(|s| (s.time.to_bits(), s.neuron))
                .collect::<Vec<_>>()
        })
    };
    let one = spikes_with(1);
    assert!(one.len() > 1000);
    assert_eq!(one, spikes_with(2));
    assert_eq!(one, spikes_with(3));
}

/// A cerebellar circuit written from scratch with other sizes, radius, patterns, a
/// heteroassociative write and other noise levels: no code change, and still exact.
#[test]
fn a_new_cerebellar_file_compares_exactly() {
    let text = r#"
name = "another_cerebellum"
seed = 11
[let]
n = 48
cells = 5000
radius = 17
ltp = 0.5
peak_ms = 60.0
[[pattern]]
name = "addresses"
kind = "random_bits"
count = 9
dim = "n"
[[pattern]]
name = "contents"
kind = "random_bits"
count = 9
dim = 20
[[pattern]]
name = "cues"
kind = "noisy"
of = "addresses"
flip = [0.0, 0.125, 0.25]
per_level = 5
[[stimulus]]
name = "mf"
model = "spike_times"
size = "2 * n"
[[stimulus]]
name = "cf"
model = "spike_times"
size = 20
[[population]]
name = "goc"
size = 1
model = "lif"
params = { tau_m = 1.0, e_l = 0.0, v_th = 0.5, v_reset = 0.0, t_ref = 1.0 }
[[population]]
name = "grc"
size = "cells"
model = "lif"
params = { tau_m = 1.0, e_l = 0.0, v_th = 0.5, v_reset = 0.0, t_ref = 1.0 }
[[population]]
name = "pc"
size = 20
model = "lif"
params = { tau_m = 1.0, e_l = 0.0, v_th = "ltp / 2", v_reset = 0.0, t_ref = 1.0 }
[[projection]]
name = "mf->grc"
pre = "mf"
post = "grc"
connectivity = { rule = "address", dims = "n" }
weight = 1.0
delay_ms = 2.0
[[projection]]
pre = "mf"
post = "goc"
connectivity = { rule = "all_to_all" }
weight = 1.0
delay_ms = 1.0
[[projection]]
pre = "goc"
post = "grc"
connectivity = { rule = "all_to_all" }
weight = "-(n - radius - 1)"
delay_ms = 1.0
[[projection]]
name = "pf"
pre = "grc"
post = "pc"
connectivity = { rule = "all_to_all" }
weight = 0.0
delay_ms = 1.0
plasticity = { rule = "climbing_fibre_kernel", ltp = "ltp", ltd = "2 * ltp", peak_ms = "peak_ms", exponent = 3 }
[[projection]]
pre = "cf"
post = "pc"
connectivity = { rule = "one_to_one" }
delay_ms = 1.0
teacher_of = "pf"
[[phase]]
name = "store"
each = "addresses"
start_ms = 5.0
interval_ms = 250.0
plasticity = { pf = true }
present = [
    { to = "mf", encode = "dual_rail" },
    { to = "cf", pattern = "contents", encode = "zeros", at_ms = "2 + peak_ms" },
]
[[phase]]
name = "recall"
each = "cues"
interval_ms = 40.0
plasticity = { pf = false }
present = [{ to = "mf", encode = "dual_rail" }]
[[readout]]
name = "active"
kind = "fired"
population = "grc"
from_ms = 2.0
to_ms = 2.5
[[readout]]
name = "sums"
kind = "input_sum"
population = "pc"
phases = ["recall"]
from_ms = 3.0
to_ms = 3.5
[[readout]]
name = "bits"
kind = "fired"
population = "pc"
phases = ["recall"]
from_ms = 3.0
to_ms = 3.5
[[compare]]
model = "sdm"
addresses = "mf->grc"
radius = "radius"
writes = "store"
reads = "recall"
values = "contents"
scale = "ltp"
readouts = { active = "active", sums = "sums", bits = "bits" }
"#;
    let (done, m) = run_with(text, &[]);
    assert_exact(&m);
    assert_eq!(m["n"], 48);
    assert_eq!(m["reads"], 15);
    assert_eq!(
        done.run
            .net()
            .populations
            .iter()
            .find(|p| p.name == "grc")
            .unwrap()
            .size,
        5000
    );
    // Noise-free cues of 9 patterns read back every content bit (the SDM recalls them).
    let r0 = &m["recall"][0];
    assert_eq!(r0["noise"].as_f64(), Some(0.0));
    assert_eq!(r0["circuit"], r0["sdm"]);
}

/// The climbing-fibre rule writes Kanerva's counters: over one write, the weight from every
/// granule cell that fired changes by exactly +ltp where the value bit is 1 and −ltp where it
/// is 0, and every other weight by exactly 0 (read by a `weight_change` readout).
#[test]
fn each_write_changes_each_parallel_fibre_weight_by_plus_or_minus_ltp_or_zero() {
    let text = format!(
        "{FILE}\n[[readout]]\nname = \"pf_dw\"\nkind = \"weight_change\"\nprojection = \"parallel_fibre\"\nphases = [\"write\"]\nfrom_ms = 0.0\nto_ms = 290.0\n"
    );
    let (done, _) = run_with(&text, &small(&[("ltp", 0.75)]));
    let c = &done.run.circuit;
    let keys = &c.protocol.patterns[c.protocol.pattern("keys").unwrap()];
    let write = c.protocol.phase("write").unwrap();
    let dw = done.run.readout("pf_dw").unwrap().in_phase(write).unwrap();
    let fired = done
        .run
        .readout("granule_fired")
        .unwrap()
        .in_phase(write)
        .unwrap();
    let n_out = keys.dim;
    let mut changed = 0;
    for (k, trial) in dw.iter().enumerate() {
        let v = &trial[0].vector;
        assert_eq!(v.len(), 6000 * n_out);
        let active = &fired[k][0].set;
        for pre in 0..6000u32 {
            let on = active.binary_search(&pre).is_ok();
            for j in 0..n_out {
                let expected = if !on {
                    0.0
                } else if keys.bit(k, j) {
                    0.75
                } else {
                    -0.75
                };
                assert_eq!(
                    v[pre as usize * n_out + j],
                    expected,
                    "write {k}, granule {pre}, bit {j}"
                );
                changed += usize::from(on);
            }
        }
    }
    assert!(changed > 1000, "{changed}");
}
