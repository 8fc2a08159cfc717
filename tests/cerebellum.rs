//! The cerebellar circuit against the SDM math at a fixed seed: exact equalities where the
//! construction is exact, binomial bounds where the placement of granule cells is random.

use engram::circuits::cerebellum;
use engram::circuits::cerebellum::spec;
use engram::circuits::generic;
use engram::compare::cerebellum::compare;

fn small(design: &str, extra: &str) -> String {
    format!(
        r#"
circuit = "cerebellum_sdm"
name = "test_cerebellum"
seed = 3
[sdm]
n = 64
granule_cells = 6000
radius = 24
design = "{design}"
{extra}
[protocol]
patterns = 12
write_interval_ms = 300.0
read_interval_ms = 30.0
query_noise = [0.0, 0.1, 0.2, 0.3]
queries_per_level = 6
"#
    )
}

fn run(text: &str) -> (cerebellum::Cerebellum, generic::RunResult) {
    let spec = spec::parse("test.toml", text).unwrap();
    let c = cerebellum::build(spec, "test.toml");
    let r = generic::run(c.circuit.clone(), &mut |_| {}).unwrap();
    (c, r)
}

#[test]
fn kanerva_design_equals_the_sdm_algorithm_exactly() {
    let (c, r) = run(&small("kanerva", ""));
    let cmp = compare(&c, &r);
    assert_eq!(cmp.granule_activation_mismatches, 0);
    assert_eq!(cmp.pc_input_max_abs_error, 0.0);
    assert_eq!(cmp.output_bit_mismatches, 0);
    // Noise-free queries of 12 patterns are recalled by the SDM, hence by the circuit.
    assert_eq!(cmp.recall[0].circuit, cmp.recall[0].sdm);
}

#[test]
fn claw_design_equals_the_masked_sdm_algorithm_exactly() {
    let (c, r) = run(&small("claws", "claws = 4\nclaw_radius = 0"));
    let cmp = compare(&c, &r);
    assert_eq!(cmp.granule_activation_mismatches, 0);
    assert_eq!(cmp.pc_input_max_abs_error, 0.0);
    assert_eq!(cmp.output_bit_mismatches, 0);
}

#[test]
fn overlaps_follow_binomial_r_i_over_2_pow_n_staircase_included() {
    let (c, r) = run(&small("kanerva", ""));
    let cmp = compare(&c, &r);
    // Every pair: the largest |z| of N pairs stays below the Bonferroni 1 % bound.
    assert!(
        cmp.overlap_max_abs_z < cmp.overlap_z_bound,
        "{} ≥ {}",
        cmp.overlap_max_abs_z,
        cmp.overlap_z_bound
    );
    // Mean overlap per distance: within 4.5 standard errors of r·I/2^n (Binomial variance
    // bounds the variance of a mean over pairs sharing cells only loosely, so the count of pairs
    // at each distance is the effective sample size; few distances, so 4.5 is generous).
    let r_cells = c.layer.cells as f64;
    for p in cmp.overlaps.iter().filter(|p| p.expected > 1.0) {
        let prob = p.expected / r_cells;
        let se = (r_cells * prob * (1.0 - prob) / p.pairs as f64).sqrt();
        assert!(
            (p.observed_mean - p.expected).abs() < 4.5 * se,
            "d_v {}: {} vs {}",
            p.d_v,
            p.observed_mean,
            p.expected
        );
    }
    // The staircase: I(2k−1) = I(2k), so expected overlaps at odd d_v equal the next even one.
    let e = |dv: usize| cmp.overlaps.iter().find(|p| p.d_v == dv).map(|p| p.expected);
    for k in 1..20 {
        if let (Some(a), Some(b)) = (e(2 * k - 1), e(2 * k)) {
            assert!((a / b - 1.0).abs() < 1e-9);
        }
    }
}

#[test]
fn plasticity_left_on_during_reads_makes_the_readout_drift() {
    let (c, r) = run(&small("kanerva", "").replace(
        "queries_per_level = 6",
        "queries_per_level = 6\nplasticity_during_reads = true",
    ));
    let cmp = compare(&c, &r);
    // Every read potentiates its active parallel fibres: later reads see inflated sums.
    assert!(cmp.pc_input_max_abs_error > 0.0);
}

#[test]
fn spikes_are_bit_identical_whatever_the_thread_count() {
    // 70000 granule cells: the parallel paths (bit-matrix delivery, bulk inputs) are taken.
    let text = small("kanerva", "")
        .replace("granule_cells = 6000", "granule_cells = 70000")
        .replace("patterns = 12", "patterns = 4")
        .replace("queries_per_level = 6", "queries_per_level = 2");
    let spikes_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let (_, r) = run(&text);
            r.spikes
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
