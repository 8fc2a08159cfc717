//! Bad experiment descriptions (phases, teachers, storage, comparisons, sweeps) exit 2 from
//! `validate` and `run` with the file, line, field and a fix — before anything is simulated,
//! and without leaving an output folder.

mod common;

use common::engram;

const CEREBELLUM: &str = include_str!("../circuits/cerebellum_sdm.toml");
const HIPPOCAMPUS: &str = include_str!("../circuits/hippocampus_hopfield.toml");

/// `text` with `from` replaced by `to` (which must occur).
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` not in the file");
    text.replacen(from, to, 1)
}

/// The line (1-based) of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect(needle) + 1
}

/// `common::assert_bad`, the line given by its first line containing `line_needle`.
fn assert_bad(text: &str, line_needle: &str, field: &str, words: &str) {
    common::assert_bad(text, line_of(text, line_needle), field, words);
}

#[test]
fn a_phase_naming_an_unknown_stimulus() {
    let t = edit(
        CEREBELLUM,
        "{ to = \"mossy_fibre\", encode = \"dual_rail\" },",
        "{ to = \"mosy_fibre\", encode = \"dual_rail\" },",
    );
    assert_bad(
        &t,
        "mosy_fibre",
        "phase[0].present[0].to",
        "unknown stimulus `mosy_fibre`",
    );
}

#[test]
fn a_phase_naming_an_unknown_pattern_set() {
    let t = edit(CEREBELLUM, "each = \"probes\"", "each = \"probe\"");
    assert_bad(
        &t,
        "each = \"probe\"",
        "phase[1].each",
        "unknown pattern set `probe`",
    );
    let t = edit(
        CEREBELLUM,
        "pattern = \"keys\", encode = \"zeros\"",
        "pattern = \"values\", encode = \"zeros\"",
    );
    assert_bad(
        &t,
        "pattern = \"values\"",
        "phase[0].present[1].pattern",
        "unknown pattern set `values`",
    );
}

#[test]
fn a_phase_switching_an_unknown_rule() {
    let t = edit(
        CEREBELLUM,
        "plasticity = { parallel_fibre = false }",
        "plasticity = { parallel_fibres = false }",
    );
    assert_bad(
        &t,
        "parallel_fibres = false",
        "phase[1].plasticity.parallel_fibres",
        "unknown projection",
    );
    let t = edit(
        CEREBELLUM,
        "plasticity = { parallel_fibre = false }",
        "plasticity = { \"golgi->granule\" = false }",
    );
    assert_bad(
        &t,
        "\"golgi->granule\" = false",
        "phase[1].plasticity",
        "no plasticity rule to switch",
    );
    let t = edit(
        CEREBELLUM,
        "rule = \"climbing_fibre_kernel\"",
        "rule = \"climbing_fiber_kernel\"",
    );
    assert_bad(
        &t,
        "climbing_fiber_kernel",
        "projection[3].plasticity.rule",
        "unknown plasticity rule",
    );
}

#[test]
fn a_teacher_for_a_projection_without_a_rule() {
    let t = edit(
        CEREBELLUM,
        "teacher_of = \"parallel_fibre\"",
        "teacher_of = \"golgi->granule\"",
    );
    assert_bad(
        &t,
        "teacher_of = \"golgi->granule\"",
        "projection[4].teacher_of",
        "no plasticity rule that takes a teacher",
    );
}

#[test]
fn storage_that_cannot_hold_the_weights() {
    let t = edit(
        CEREBELLUM,
        "storage = \"bits\"            # one summed input for all granule cells at once\nweight = \"golgi_weight\"",
        "storage = \"bits\"\nweight = { distribution = \"uniform\", low = -2.0, high = -1.0 }",
    );
    assert_bad(&t, "storage = \"bits\"", "projection[2].storage", "cannot hold");
    let t = edit(
        CEREBELLUM,
        "connectivity = { rule = \"all_to_all\" }\nweight = 0.0",
        "connectivity = { rule = \"fixed_probability\", p = 0.5 }\nweight = 0.0",
    );
    assert_bad(
        &t,
        "plasticity = { rule = \"climbing_fibre_kernel\"",
        "projection[3].plasticity",
        "dense storage",
    );
}

#[test]
fn a_comparison_missing_a_readout() {
    let t = edit(
        CEREBELLUM,
        "readouts = { active = \"granule_fired\", ",
        "readouts = { ",
    );
    assert_bad(&t, "readouts = { sums", "compare[0].readouts", "needs `active`");
    let t = edit(
        CEREBELLUM,
        "active = \"granule_fired\"",
        "active = \"granule_spikes\"",
    );
    assert_bad(
        &t,
        "granule_spikes",
        "compare[0].readouts.active",
        "unknown readout `granule_spikes`",
    );
    let t = edit(
        CEREBELLUM,
        "active = \"granule_fired\"",
        "active = \"purkinje_input\"",
    );
    assert_bad(
        &t,
        "active = \"purkinje_input\"",
        "compare[0].readouts.active",
        "needs a `fired` readout",
    );
}

#[test]
fn a_sweep_over_a_parameter_that_does_not_exist() {
    let t = edit(HIPPOCAMPUS, "over = { beta = [", "over = { betta = [");
    assert_bad(
        &t,
        "over = { betta",
        "sweep[0].over.betta",
        "cannot sweep `betta`",
    );
    let t = edit(HIPPOCAMPUS, "let = { pool = 0,", "let = { poool = 0,");
    assert_bad(&t, "poool = 0", "variant[0].let.poool", "not a [let] value");
}

#[test]
fn overlapping_phases() {
    let t = edit(
        CEREBELLUM,
        "name = \"read\"\neach = \"probes\"",
        "name = \"read\"\neach = \"probes\"\nstart_ms = 5000.0",
    );
    assert_bad(
        &t,
        "start_ms = 5000.0",
        "phase[1].start_ms",
        "overlaps phase `write`",
    );
}

#[test]
fn expressions_and_derived_values_are_checked_where_written() {
    let t = edit(
        CEREBELLUM,
        "golgi_weight = \"-(dims - radius - 1)\"",
        "golgi_weight = \"-(dims - radis - 1)\"",
    );
    assert_bad(&t, "radis", "let.golgi_weight", "radis");
    let t = edit(CEREBELLUM, "size = \"2 * n\"", "size = \"2 * n +\"");
    assert_bad(&t, "size = \"2 * n +\"", "stimulus[0].size", "ends too early");
    let t = edit(CEREBELLUM, "dims = \"n\" ", "dims = \"radius + m\" ");
    assert_bad(&t, "radius + m", "let.dims", "`m`");
}

#[test]
fn a_variant_that_breaks_the_circuit_is_refused_up_front() {
    // With 200 dimensions per granule cell, the address rule has more dimensions than fibres.
    let t = edit(
        CEREBELLUM,
        "let = { dims = 4, radius = 0 }",
        "let = { dims = 200, radius = 0 }",
    );
    assert_bad(
        &t,
        "connectivity = { rule = \"address\"",
        "projection[0].connectivity.dims",
        "in variant `claws`",
    );
}

#[test]
fn variants_need_distinct_names() {
    // A second variant `claws`, appended at the end of the file.
    let t = format!("{CEREBELLUM}\n[[variant]]\nname = \"claws\"  # again\nlet = {{ dims = 5 }}\n");
    assert_bad(
        &t,
        "name = \"claws\"  # again",
        "variant[1].name",
        "already called `claws`",
    );
    let t = edit(CEREBELLUM, "name = \"claws\"", "name = \"4claws\"");
    assert_bad(&t, "name = \"4claws\"", "variant[0].name", "is not a name");
}

#[test]
fn a_feedback_that_does_not_fit() {
    let t = edit(
        HIPPOCAMPUS,
        "feedback = { readout = \"output_change\", to = \"feature\"",
        "feedback = { readout = \"memory_counts\", to = \"feature\"",
    );
    assert_bad(
        &t,
        "readout = \"memory_counts\", to",
        "phase[1].feedback.readout",
        "membrane_change or input_sum",
    );
    let t = edit(
        HIPPOCAMPUS,
        "to = \"feature\", encode = \"dual_rail\", repeats",
        "to = \"feature\", encode = \"ones\", repeats",
    );
    assert_bad(
        &t,
        "encode = \"ones\", repeats",
        "phase[1].feedback.encode",
        "does not fit",
    );
}

#[test]
fn summed_and_teacher_delays_must_fit_the_ring_of_epochs() {
    let t = edit(
        CEREBELLUM,
        "weight = 1.0\ndelay_ms = 1.0",
        "weight = 1.0\ndelay_ms = 0.0001",
    );
    assert_bad(
        &t,
        "delay_ms = 2.0",
        "projection[0].delay_ms",
        "times the shortest delay",
    );
}

#[test]
fn pattern_sets_and_readouts_too_large_for_memory_are_refused_up_front() {
    let t = edit(CEREBELLUM, "count = \"patterns\"", "count = 1000000");
    assert_bad(
        &t,
        "count = 1000000",
        "pattern[0].count",
        "components is more than",
    );
    // A counts readout of every granule cell in every presentation: 20000 × 140 values is fine,
    // with 1000 prefixes it is not.
    let prefixes = format!("prefixes_ms = [{}]", vec!["0.25"; 1000].join(", "));
    let t = format!(
        "{CEREBELLUM}\n[[readout]]\nname = \"granule_counts\"\nkind = \"counts\"\npopulation = \"granule\" # every cell\nfrom_ms = 2.0\nto_ms = 2.5\n{prefixes}\n"
    );
    assert_bad(&t, "# every cell", "readout[3].population", "more than 10⁸");
}

const WINDOW: &str = include_str!("../circuits/stdp_window.toml");

#[test]
fn plasticity_parameters_out_of_range() {
    let t = edit(WINDOW, "tau_plus = 20.0", "tau_plus = -20.0");
    assert_bad(
        &t,
        "tau_plus = -20.0",
        "projection[2].plasticity.tau_plus",
        "positive finite time constant",
    );
    let t = edit(WINDOW, "mu_plus = 0.0", "mu_plus = -0.5");
    assert_bad(
        &t,
        "mu_plus = -0.5",
        "projection[2].plasticity.mu_plus",
        "must be in [0, 1]",
    );
    let t = edit(
        WINDOW,
        "plasticity = { rule = \"stdp_triplet\" }",
        "plasticity = { rule = \"stdp_triplet\", tau_y = 0 }",
    );
    assert_bad(
        &t,
        "tau_y = 0",
        "projection[3].plasticity.tau_y",
        "positive finite time constant",
    );
}

#[test]
fn a_rule_attached_where_its_spikes_cannot_reach() {
    // Pair STDP learns from postsynaptic spikes: an integrator never fires.
    let t = edit(
        WINDOW,
        "name = \"post_pair\"\nsize = 1\nmodel = \"parrot\"",
        "name = \"post_pair\"\nsize = 1\nmodel = \"integrator\"",
    );
    let t = edit(
        &t,
        "receptor = \"silent\"\nplasticity = { rule = \"stdp_pair\"",
        "plasticity = { rule = \"stdp_pair\"",
    );
    assert_bad(
        &t,
        "rule = \"stdp_pair\"",
        "projection[2].plasticity.rule",
        "never fires",
    );
    // A receptor that does not exist on the target.
    let t = edit(WINDOW, "receptor = \"silent\"", "receptor = \"port1\"");
    assert_bad(
        &t,
        "receptor = \"port1\"",
        "projection[2].receptor",
        "no receptor `port1`",
    );
}

#[test]
fn a_sweep_point_that_fails_validation_is_refused_before_anything_runs() {
    // dt = -300 puts the presynaptic spike 302 ms into a trial... fine; a period of 1 ms is not.
    let t = edit(
        WINDOW,
        "over = { dt = { from = -100.0, to = 100.0, step = 2.0 } }",
        "over = { dt = [10.0], period_ms = [1000.0, 1.0] }",
    );
    assert_bad(
        &t,
        "at_ms = \"pre_at\" }",
        "phase[0].present[0].at_ms",
        "in sweep `window` at dt = 10, period_ms = 1",
    );
}

/// A point that fails while running (here: more distinct delays than a projection can index)
/// keeps its row with the reason; the other points' results are written; the run exits 1.
#[test]
fn a_sweep_point_that_fails_while_running_keeps_the_others_results() {
    let text = r#"
name = "sweeping"
duration_ms = 5.0
[let]
step = 0.5
[[stimulus]]
name = "src"
model = "spike_times"
times_ms = [[1.0], [2.0]]
[[population]]
name = "cells"
size = 300
model = "parrot"
[[stimulus]]
name = "many"
model = "spike_times"
size = 300
[[projection]]
pre = "many"
post = "cells"
connectivity = { rule = "all_to_all" }
weight = 1.0
delay_ms = { distribution = "uniform", low = 1.0, high = 2.0 }
delay_step_ms = "step"
[[projection]]
pre = "src"
post = "cells"
connectivity = { rule = "all_to_all" }
weight = 1.0
delay_ms = 1.0
[[readout]]
name = "counts"
kind = "counts"
population = "cells"
phases = ["go"]
from_ms = 0.0
to_ms = 4.0
[[phase]]
name = "go"
trials = 1
interval_ms = 5.0
[[sweep]]
name = "steps"
over = { step = [0.5, 1e-7, 0.25] }
"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), text).unwrap();
    let (code, _, err) = engram(&["run", "s.toml", "--out", "res"], dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("sweep `steps`") && err.contains("step = 0.0000001") && err.contains("distinct delays"),
        "{err}"
    );
    let csv = std::fs::read_to_string(dir.path().join("res/sweeping/sweep.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(
        rows[1].ends_with(',') && rows[3].ends_with(','),
        "the good points have no error: {csv}"
    );
    assert!(rows[2].contains("distinct delays"), "{csv}");
}
