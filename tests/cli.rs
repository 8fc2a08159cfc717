//! The `engram` binary: outputs, determinism, and bad input (exit code 2, located messages).

mod common;

use common::{assert_bad, engram};

const CUBA: &str = include_str!("../circuits/cuba_ed.toml");

/// cuba_ed shortened to 200 ms.
fn short_cuba() -> String {
    CUBA.replace("duration_ms = 1000.0", "duration_ms = 200.0")
}

#[test]
fn run_writes_every_output_and_the_network_export() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), short_cuba()).unwrap();
    let (code, _, err) = engram(
        &[
            "run",
            "c.toml",
            "--out",
            "res",
            "--export-network",
            "--format",
            "csv",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let folder = dir.path().join("res/cuba_ed");
    for f in [
        "spikes.csv",
        "summary.json",
        "raster.png",
        "report.md",
        "connections.csv",
        "initial_state.csv",
    ] {
        assert!(folder.join(f).is_file(), "{f} missing");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("summary.json")).unwrap()).unwrap();
    let synapses = summary["synapses"].as_u64().unwrap();
    let connections = std::fs::read_to_string(folder.join("connections.csv")).unwrap();
    assert_eq!(connections.lines().count() as u64, synapses + 1);
    let spikes = std::fs::read_to_string(folder.join("spikes.csv")).unwrap();
    assert_eq!(
        spikes.lines().count() as u64,
        summary["spikes"].as_u64().unwrap() + 1
    );
    // Pairwise connection probability 0.02 over 4000·4000 − 4000 ordered pairs: binomial mean
    // 319920, sd 560; a 5 sd bound.
    assert!(
        (synapses as f64 - 319_920.0).abs() < 5.0 * 560.0,
        "{synapses} synapses"
    );
    // Nothing half-written is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("res"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn same_seed_gives_identical_spikes_and_another_seed_different_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), short_cuba()).unwrap();
    let spikes = |out: &str, seed: &str| {
        let (code, _, err) = engram(
            &["run", "c.toml", "--out", out, "--seed", seed, "--format", "csv"],
            dir.path(),
        );
        assert_eq!(code, 0, "{err}");
        std::fs::read(dir.path().join(out).join("cuba_ed/spikes.csv")).unwrap()
    };
    let a = spikes("a", "5");
    let b = spikes("b", "5");
    let c = spikes("c", "6");
    assert!(a.len() > 1000);
    assert_eq!(a, b, "same circuit and seed must give byte-identical spikes.csv");
    assert_ne!(a, c);
}

/// The line (1-based) of the first occurrence of `needle` in cuba_ed.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect(needle) + 1
}

#[test]
fn toml_syntax_error_is_located() {
    let text = short_cuba().replace("size = \"neurons / 5\"", "size = = 800");
    assert_bad(&text, line_of(&text, "size = = 800"), "field `size`", "");
}

#[test]
fn unknown_key_is_an_error() {
    let text = short_cuba().replace("size = \"neurons / 5\"", "size = 800\nsizes = 3");
    assert_bad(
        &text,
        line_of(&text, "sizes = 3"),
        "population[1].sizes",
        "unknown field",
    );
}

#[test]
fn unknown_model_parameter_is_an_error() {
    let text = short_cuba().replacen("tau_m = 20.0", "tau_mem = 20.0", 1);
    assert_bad(
        &text,
        line_of(&text, "tau_mem"),
        "population[0].params.tau_mem",
        "unknown lif parameter",
    );
}

#[test]
fn wrong_type_is_an_error() {
    let text = short_cuba().replace("size = \"neurons / 5\"", "size = true");
    assert_bad(
        &text,
        line_of(&text, "size = true"),
        "population[1].size",
        "expected a number",
    );
    let text = short_cuba().replace("name = \"I\"", "name = 3");
    assert_bad(&text, line_of(&text, "name = 3"), "name", "invalid type");
}

#[test]
fn unknown_population_is_an_error() {
    let text = short_cuba().replace("post = \"I\"", "post = \"J\"");
    assert_bad(
        &text,
        line_of(&text, "post = \"J\""),
        "projection[1].post",
        "unknown population `J`",
    );
}

#[test]
fn probability_outside_unit_interval_is_an_error() {
    let text = short_cuba().replacen("p = \"p\"", "p = 1.5", 1);
    assert_bad(
        &text,
        line_of(&text, "p = 1.5"),
        "projection[0].connectivity.p",
        "outside [0, 1]",
    );
}

#[test]
fn non_positive_delay_is_an_error() {
    let text = short_cuba().replacen("delay_ms = 0.1", "delay_ms = 0.0", 1);
    assert_bad(
        &text,
        line_of(&text, "delay_ms = 0.0"),
        "projection[0].delay_ms",
        "the shortest delay engram resolves",
    );
    let text = short_cuba().replacen(
        "delay_ms = 0.1",
        "delay_ms = { distribution = \"uniform\", low = -1.0, high = 2.0 }",
        1,
    );
    assert_bad(
        &text,
        line_of(&text, "low = -1.0"),
        "projection[0].delay_ms",
        "the shortest delay engram resolves",
    );
}

#[test]
fn empty_population_is_an_error() {
    let text = short_cuba().replace("size = \"neurons / 5\"", "size = 0");
    assert_bad(
        &text,
        line_of(&text, "size = 0"),
        "population[1].size",
        "at least one neuron",
    );
}

#[test]
fn network_too_large_for_the_machine_is_an_error() {
    let text = short_cuba()
        .replace("size = \"neurons * 4 / 5\"", "size = 3000000")
        .replacen(
            "connectivity = { rule = \"fixed_probability\", p = \"p\" }",
            "connectivity = { rule = \"all_to_all\" }",
            1,
        );
    // Named at the largest part: the all-to-all projection's connectivity.
    let line = text
        .lines()
        .position(|l| l.contains("rule = \"all_to_all\""))
        .unwrap()
        + 1;
    assert_bad(&text, line, "projection[0].connectivity", "GiB");
}

#[test]
fn missing_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = engram(&["run", "nope.toml"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("nope.toml") && err.contains("cannot read"), "{err}");
}

#[test]
fn default_run_includes_the_benchmark_the_cerebellum_and_the_hippocampus() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = engram(&["run", "--out", "res"], dir.path());
    assert_eq!(code, 0, "{err}");
    for name in [
        "cuba_ed",
        "cerebellum_sdm",
        "hippocampus_hopfield",
        "stdp_window",
        "stdp_frequency",
        "pf_pc_window",
    ] {
        assert!(out.contains(name), "{name} not run: {out}");
        assert!(dir.path().join("res").join(name).join("summary.json").is_file());
    }
    let c = dir.path().join("res/cerebellum_sdm");
    for f in [
        "report.md",
        "recall.png",
        "intersection.png",
        "weights_vs_softmax.png",
        "raster_write.png",
        "raster_read.png",
        "weights.png",
        "variants_sdm_overlaps.png",
        "variants/claws/summary.json",
    ] {
        assert!(c.join(f).is_file(), "{f} missing");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(c.join("summary.json")).unwrap()).unwrap();
    for cmp in [
        &summary["comparison"]["sdm"],
        &summary["variants"]["claws"]["comparison"]["sdm"],
    ] {
        assert_eq!(cmp["pc_input_max_abs_error"].as_f64(), Some(0.0), "{cmp}");
        assert_eq!(cmp["output_bit_mismatches"].as_u64(), Some(0));
        assert_eq!(cmp["granule_activation_mismatches"].as_u64(), Some(0));
    }
    let h = dir.path().join("res/hippocampus_hopfield");
    assert!(h.join("sweep.csv").is_file() && h.join("variants/no_pool/report.md").is_file());
    for (name, plots) in [("stdp_window", 2), ("stdp_frequency", 2), ("pf_pc_window", 1)] {
        let d = dir.path().join("res").join(name);
        assert!(
            d.join("sweep.csv").is_file()
                && d.join("weight_traces.parquet").is_file()
                && d.join("report.md").is_file()
        );
        assert!(
            d.join(format!(
                "sweep_{}.png",
                if name == "stdp_frequency" {
                    "frequency"
                } else {
                    "window"
                }
            ))
            .is_file()
        );
        if plots == 2 {
            assert!(
                d.join(format!(
                    "sweep_{}_2.png",
                    if name == "stdp_frequency" {
                        "frequency"
                    } else {
                        "window"
                    }
                ))
                .is_file()
            );
        }
    }
    // The default run's outputs stay under the 25 MB the performance issue sets.
    fn bytes(p: &std::path::Path) -> u64 {
        std::fs::read_dir(p)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let m = e.metadata().unwrap();
                if m.is_dir() { bytes(&e.path()) } else { m.len() }
            })
            .sum()
    }
    let total = bytes(&dir.path().join("res"));
    assert!(total < 25_000_000, "{total} bytes of outputs");
}

#[test]
fn two_circuits_of_one_name_are_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), short_cuba()).unwrap();
    std::fs::write(dir.path().join("b.toml"), short_cuba()).unwrap();
    let (code, _, err) = engram(&["run", "a.toml", "b.toml", "--out", "res"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("a.toml") && err.contains("b.toml") && err.contains("`name`"),
        "{err}"
    );
    assert!(!dir.path().join("res/cuba_ed").exists());
}

/// Every row of a Parquet spikes table: (time bits, population, neuron), read with the parquet
/// crate alone.
fn parquet_spikes(path: &std::path::Path) -> Vec<(u64, String, u64)> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::RowAccessor;
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let names: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(names, ["time_ms", "population", "neuron"]);
    reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            let row = row.unwrap();
            (
                row.get_double(0).unwrap().to_bits(),
                row.get_string(1).unwrap().clone(),
                row.get_long(2).unwrap() as u64,
            )
        })
        .collect()
}

#[test]
fn parquet_spikes_read_back_equal_the_runs_spikes() {
    let dir = tempfile::tempdir().unwrap();
    let text = short_cuba();
    std::fs::write(dir.path().join("c.toml"), &text).unwrap();
    let (code, _, err) = engram(&["run", "c.toml", "--out", "res"], dir.path());
    assert_eq!(code, 0, "{err}");
    let folder = dir.path().join("res/cuba_ed");
    assert!(!folder.join("spikes.csv").exists());
    let read = parquet_spikes(&folder.join("spikes.parquet"));
    // The same circuit run in this process: its spikes, as the engine holds them.
    let ex = engram::experiment::parse("c.toml", &text).unwrap();
    let done = engram::experiment::run(ex.base, &mut |_| {}).unwrap();
    let net = done.run.net();
    let expected: Vec<(u64, String, u64)> = done
        .run
        .spikes
        .all()
        .iter()
        .map(|s| {
            let pop = &net.populations[net.population_of(s.neuron)];
            (
                s.time.to_bits(),
                pop.name.clone(),
                u64::from(s.neuron) - pop.offset as u64,
            )
        })
        .collect();
    assert!(expected.len() > 1000);
    assert_eq!(read, expected);
}

#[test]
fn an_unknown_table_format_is_an_error() {
    let text = "name = \"t\"\nduration_ms = 10.0\n\n[[population]]\nname = \"Q\"\nsize = 1\nmodel = \"parrot\"\n\n[output]\nformat = \"xlsx\"\n";
    assert_bad(text, 10, "output.format", "expected `parquet` or `csv`");
}
