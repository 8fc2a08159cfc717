//! Random and mutated circuit files never make the parser (or, when they are valid and small,
//! the engine) panic.

use engram::experiment::simulate;
use proptest::prelude::*;

const CUBA: &str = include_str!("../circuits/cuba_ed.toml");

const VALUES: &[&str] = &[
    "-1",
    "0",
    "1",
    "0.5",
    "1e400",
    "-1e400",
    "nan",
    "inf",
    "-inf",
    "4294967296",
    "9223372036854775807",
    "\"x\"",
    "\"\"",
    "true",
    "[]",
    "[[]]",
    "[[1.0, -2.0]]",
    "{}",
    "{ rule = \"one_to_one\" }",
    "{ rule = \"fixed_indegree\", k = 5000 }",
    "{ distribution = \"normal\", mean = 0.0, std = 0.0 }",
    "{ distribution = \"uniform\", low = 2.0, high = 1.0 }",
    "{ rule = \"explicit\", pairs = [[0, 99999]] }",
    "\"lif\"",
    "\"parrot\"",
    "\"E\"",
    "\"I\"",
    // Values of the experiment keys: expressions, names, storages, receptors, encodings.
    "\"2 * n\"",
    "\"n / 0\"",
    "\"-(n - radius - 1)\"",
    "\"nope\"",
    "\"1e9\"",
    "\"(((\"",
    "{ rule = \"address\", dims = 3 }",
    "{ rule = \"one_shot_hebb\", value = 1.0 }",
    "{ rule = \"climbing_fibre_kernel\", ltp = 1, ltd = 2, peak_ms = 0 }",
    "\"fire\"",
    "\"bits\"",
    "\"dense\"",
    "\"sparse\"",
    "\"dual_rail\"",
    "\"one_hot\"",
    "\"counts\"",
    "[\"write\"]",
    "{ parallel_fibre = 1 }",
    "\"keys\"",
    "\"probes\"",
    "\"memory\"",
    "\"parallel_fibre\"",
    "0.001",
    "{ from = 0, to = 1, step = 0 }",
];

const RECORDERS: &str = r#"
[[recorder]]
type = "membrane"
population = "E"
neurons = [0, 1]
interval_ms = 0.5

[[recorder]]
type = "membrane"
population = "I"
times_ms = [1.0, 2.0, 19.0]

[[recorder]]
type = "inputs"
population = "E"
neurons = [3]

[[recorder]]
type = "weights"
projection = "E->E"
times_ms = [0.0, 10.0]
"#;

/// cuba_ed shrunk so that valid mutants run fast, with recorders so that their keys are
/// fuzzed too.
fn small_cuba() -> String {
    CUBA.replace("neurons = 4000", "neurons = 40")
        .replace("in_degree = 80", "in_degree = 0.8")
        .replace("duration_ms = 1000.0", "duration_ms = 20.0")
        + RECORDERS
}

#[test]
fn the_fuzzed_circuit_is_valid_before_mutation() {
    let c = engram::config::parse("small.toml", &small_cuba()).unwrap();
    assert_eq!(c.recorders.len(), 4);
}

/// The small cuba_ed with the value on one line replaced.
fn mutate(line: usize, value: &str) -> String {
    let small = small_cuba();
    let lines: Vec<&str> = small.lines().collect();
    let k = line % lines.len();
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i == k {
            match l.split_once('=') {
                Some((key, _)) => out.push_str(&format!("{key}= {value}")),
                None => out.push_str(value),
            }
        } else {
            out.push_str(l);
        }
        out.push('\n');
    }
    out
}

fn exercise(text: &str) {
    let Ok(circuit) = engram::config::parse("fuzz.toml", text) else {
        return;
    };
    if circuit.network.estimated_bytes() < 50e6 && circuit.duration_ms <= 1000.0 {
        let _ = simulate::run(circuit, &mut |_| {});
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = engram::config::parse("fuzz.toml", &text);
    }

    #[test]
    fn toml_like_text_never_panics(lines in prop::collection::vec(
        ("[a-z_]{1,12}", prop::sample::select(VALUES)).prop_map(|(k, v)| format!("{k} = {v}")), 0..12)) {
        let _ = engram::config::parse("fuzz.toml", &lines.join("\n"));
    }

    #[test]
    fn mutated_circuits_never_panic(line in 0usize..200, value in prop::sample::select(VALUES),
                                   line2 in 0usize..200, value2 in prop::sample::select(VALUES)) {
        exercise(&mutate(line, value));
        let once = mutate(line, value);
        let twice: String = {
            let lines: Vec<&str> = once.lines().collect();
            let k = line2 % lines.len();
            lines.iter().enumerate().map(|(i, l)| {
                if i == k { l.split_once('=').map_or(value2.to_string(), |(key, _)| format!("{key}= {value2}")) } else { l.to_string() }
            }).collect::<Vec<_>>().join("\n")
        };
        exercise(&twice);
    }
}

/// The experiment files, shrunk so that valid mutants run in milliseconds.
fn small_experiments() -> Vec<String> {
    let cb = include_str!("../circuits/cerebellum_sdm.toml")
        .replace("n = 100 ", "n = 12 ")
        .replace("granule_cells = 20000", "granule_cells = 300")
        .replace("radius = 38 ", "radius = 4 ")
        .replace("patterns = 50", "patterns = 3")
        .replace("queries_per_level = 10", "queries_per_level = 1")
        .replace("fit_below = 38", "fit_below = 4");
    let hc = include_str!("../circuits/hippocampus_hopfield.toml")
        .replace("dim = 64", "dim = 8")
        .replace("patterns = 100", "patterns = 3")
        .replace("window_ms = 2000.0", "window_ms = 300.0")
        .replace("queries_per_level = 40", "queries_per_level = 1");
    let tem = include_str!("../circuits/tem_gridworld.toml")
        .replace("size = 11 ", "size = 4 ")
        .replace("categories = 45", "categories = 5")
        .replace("episodes = 3", "episodes = 2")
        .replace("steps = 500 ", "steps = 12 ")
        // A mutant that turns the pool excitatory runs away; clipped rates keep it to seconds.
        .replace(
            "psp_inh_ms = \"pool_psp_ms\" }",
            "psp_inh_ms = \"pool_psp_ms\", max_rate_hz = 20000.0 }",
        );
    vec![cb, hc, tem]
}

/// Parses a mutant; runs it (without its variants and sweeps) when it is small.
fn exercise_experiment(text: &str) {
    let Ok(ex) = engram::experiment::parse("fuzz.toml", text) else {
        return;
    };
    let c = &ex.base.circuit;
    let presented: usize = c
        .network
        .populations
        .iter()
        .map(|p| match &p.model {
            engram::engine::network::Model::SpikeTimes(t) => t.iter().map(Vec::len).sum(),
            _ => 0,
        })
        .sum();
    if c.network.estimated_bytes() < 50e6 && c.duration_ms <= 20_000.0 && presented < 100_000 {
        let _ = engram::experiment::run(ex.base, &mut |_| {});
    }
}

fn replace_line(text: &str, line: usize, value: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let k = line % lines.len();
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == k {
                l.split_once('=')
                    .map_or(value.to_string(), |(key, _)| format!("{key}= {value}"))
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_small_experiments_are_valid_and_run() {
    for text in small_experiments() {
        let ex = engram::experiment::parse("small.toml", &text).unwrap();
        let done = engram::experiment::run(ex.base, &mut |_| {}).unwrap();
        assert!(!done.outcomes.is_empty() && !done.run.spikes.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    /// Experiment files with one or two values replaced: parsing never panics, and valid
    /// small mutants run (comparisons included) without panicking.
    #[test]
    fn mutated_experiments_never_panic(file in 0usize..3, line in 0usize..400, value in prop::sample::select(VALUES),
                                       line2 in 0usize..400, value2 in prop::sample::select(VALUES)) {
        let base = &small_experiments()[file];
        let once = replace_line(base, line, value);
        exercise_experiment(&once);
        exercise_experiment(&replace_line(&once, line2, value2));
    }
}
