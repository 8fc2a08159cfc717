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
];

/// cuba_ed with the value on one line replaced, and its size shrunk so that valid mutants run fast.
fn mutate(line: usize, value: &str) -> String {
    let small = CUBA
        .replace("size = 3200", "size = 32")
        .replace("size = 800", "size = 8")
        .replace("duration_ms = 1000.0", "duration_ms = 20.0");
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

const BUILT: &[&str] = &[
    include_str!("../circuits/cerebellum_sdm.toml"),
    include_str!("../circuits/hippocampus_hopfield.toml"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Built circuits' files with one value replaced: parsing never panics.
    #[test]
    fn mutated_built_circuits_never_panic(file in 0usize..2, line in 0usize..100, value in prop::sample::select(VALUES)) {
        let lines: Vec<&str> = BUILT[file].lines().collect();
        let k = line % lines.len();
        let text: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i == k { l.split_once('=').map_or(value.to_string(), |(key, _)| format!("{key}= {value}")) } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n");
        let _ = engram::experiment::parse("fuzz.toml", &text);
    }
}
