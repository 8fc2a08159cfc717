//! Short files that once took the machine down, hung or were silently wrong (issue "Nothing a
//! circuit file says can hang, exhaust or silently corrupt a run"): each is now refused up
//! front with file:line, field and a fix. T: a Poisson stimulus of 20 cells at 20 Hz → 50 LIF
//! cells, p = 0.5, weight 5, delay 1 ms, 100 ms.

mod common;

use common::{assert_bad, engram};

const T: &str = r#"name = "t"
seed = 1
duration_ms = 100.0

[[stimulus]]
name = "P"
model = "poisson"
size = 20
rate_hz = 20.0

[[population]]
name = "N"
size = 50
model = "lif"
params = { tau_m = 20.0, c_m = 250.0, e_l = -70.0, v_th = -55.0, v_reset = -70.0, t_ref = 2.0, i_e = 0.0 }

[[projection]]
name = "P->N"
pre = "P"
post = "N"
connectivity = { rule = "fixed_probability", p = 0.5 }
weight = 5.0
delay_ms = 1.0
"#;

#[test]
fn the_base_file_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.toml"), T).unwrap();
    let (code, _, err) = engram(&["run", "t.toml", "--out", "res"], dir.path());
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_weight_beyond_f32_is_refused_not_stored_as_infinity() {
    assert_bad(&T.replace("weight = 5.0", "weight = 1e39"), 22, "weight", "1e39");
    assert_bad(
        &T.replace(
            "weight = 5.0",
            "weight = { distribution = \"normal\", mean = 0.0, std = 1e38 }",
        ),
        22,
        "weight",
        "a synapse holds",
    );
}

#[test]
fn explicit_weights_get_the_checks_of_a_scalar_weight() {
    let pairs = "connectivity = { rule = \"explicit\", pairs = [[0, 0], [1, 1]], weights = [WS] }";
    let with = |ws: &str| {
        T.replace(
            "connectivity = { rule = \"fixed_probability\", p = 0.5 }",
            &pairs.replace("WS", ws),
        )
    };
    assert_bad(&with("1e39, 1.0"), 21, "weights", "does not fit");
    assert_bad(&with("inf, 1.0"), 21, "weights", "finite");
    assert_bad(&with("nan, 1.0"), 21, "weights", "finite");
}

#[test]
fn a_vanishing_delay_is_refused_instead_of_hanging() {
    assert_bad(
        &T.replace("delay_ms = 1.0", "delay_ms = 1e-300"),
        23,
        "delay_ms",
        "1e-300",
    );
    // Resolvable, but a billion-epoch run: refused too.
    assert_bad(
        &T.replace("delay_ms = 1.0", "delay_ms = 0.001")
            .replace("duration_ms = 100.0", "duration_ms = 1e7"),
        23,
        "delay_ms",
        "epochs",
    );
}

#[test]
fn a_poisson_source_that_would_fill_the_memory_is_refused() {
    assert_bad(
        &T.replace("rate_hz = 20.0", "rate_hz = 1e9"),
        9,
        "rate_hz",
        "2e9 spikes",
    );
}

#[test]
fn zero_threads_is_an_error_not_one_thread() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.toml"), T).unwrap();
    let (code, _, err) = engram(&["run", "t.toml", "--out", "res", "--threads", "0"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--threads 0"), "{err}");
    assert!(!dir.path().join("res").exists());
}

#[test]
fn a_membrane_recorder_samples_every_requested_time_without_input() {
    // An isolated neuron relaxes from −60 to E_L = −70 mV: V(t) = −70 + 10·e^{−t/20}, sampled
    // every ms whether or not anything reaches it (once, no sample after its last input).
    let text = "name = \"t\"\nduration_ms = 100.0\n\n[[population]]\nname = \"Q\"\nsize = 1\nmodel = \"lif\"\nparams = { tau_m = 20.0, c_m = 250.0, e_l = -70.0, v_th = -55.0, v_reset = -70.0, t_ref = 2.0, i_e = 0.0 }\nv_init = -60.0\n\n[[recorder]]\ntype = \"membrane\"\npopulation = \"Q\"\ninterval_ms = 1.0\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("q.toml"), text).unwrap();
    let (code, _, err) = engram(&["run", "q.toml", "--out", "res", "--format", "csv"], dir.path());
    assert_eq!(code, 0, "{err}");
    let csv = std::fs::read_to_string(dir.path().join("res/t/membrane.csv")).unwrap();
    let rows: Vec<(f64, f64)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].parse().unwrap(), f[3].parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), 100, "{csv}");
    for (k, (t, v)) in rows.iter().enumerate() {
        assert_eq!(*t, k as f64);
        let want = -70.0 + 10.0 * (-t / 20.0).exp();
        assert!((v - want).abs() < 1e-9, "t {t}: {v} vs {want}");
    }
}

#[test]
fn recorder_times_outside_the_run_are_refused() {
    let text = format!(
        "{T}\n[[recorder]]\ntype = \"membrane\"\npopulation = \"N\"\nneurons = [0]\ntimes_ms = [1.0, 250.0]\n"
    );
    assert_bad(&text, 29, "times_ms[1]", "outside the run");
}

#[test]
fn escape_noise_rate_clipping_is_counted_and_warned_about() {
    let file = |max: f64| {
        format!(
            "name = \"clip\"\nduration_ms = 100.0\n\n[[population]]\nname = \"E\"\nsize = 5\nmodel = \"escape_noise\"\nparams = {{ rho0_hz = 1000.0, beta = 1.0, psp_exc_ms = 10.0, psp_inh_ms = 10.0, max_rate_hz = {max} }}\n"
        )
    };
    for (max, clipped) in [(100.0, true), (1e6, false)] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.toml"), file(max)).unwrap();
        let (code, _, err) = engram(&["run", "c.toml", "--out", "res"], dir.path());
        assert_eq!(code, 0, "{err}");
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("res/clip/summary.json")).unwrap())
                .unwrap();
        let n = s["populations"][0]["rate_clipped"].as_u64().unwrap();
        assert_eq!(n > 0, clipped, "max {max}: {n}");
        assert_eq!(err.contains("clipped at max_rate_hz"), clipped, "{err}");
        // Clipped at 100 Hz, 5 neurons fire about 5 × 100 Hz × 0.1 s = 50 spikes (Poisson,
        // 6 sd); unclipped, 5 × 1000 Hz × 0.1 s = 500.
        let spikes = s["populations"][0]["spikes"].as_f64().unwrap();
        let want = if clipped { 50.0 } else { 500.0 };
        assert!((spikes - want).abs() < 6.0 * want.sqrt(), "{spikes} vs {want}");
    }
}

#[test]
fn the_memory_guard_names_the_largest_part() {
    let text = T
        .replace("size = 50", "size = 2000000")
        .replace("size = 20\n", "size = 2000\n")
        .replace("p = 0.5", "p = 0.99");
    assert_bad(&text, 21, "projection[0].connectivity", "projection `P->N`");
}

#[test]
fn spikes_past_the_memory_budget_stream_to_disk_and_the_table_is_unchanged() {
    // 100 s of T at 200 Hz sources: about 1.6 million spikes (26 MB at 16 bytes); a 0.03 GiB
    // budget holds half of 32 MB, 1.0 million, in memory — the rest goes to a spill file. The
    // spikes table must be byte for byte the one of a run that held every spike in memory.
    let text = T
        .replace("duration_ms = 100.0", "duration_ms = 100000.0")
        .replace("rate_hz = 20.0", "rate_hz = 200.0");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.toml"), text).unwrap();
    let mut tables = Vec::new();
    for (out, gib) in [("small", "0.03"), ("large", "1")] {
        let (code, _, err) = engram(
            &[
                "run",
                "t.toml",
                "--out",
                out,
                "--memory-gib",
                gib,
                "--format",
                "csv",
            ],
            dir.path(),
        );
        assert_eq!(code, 0, "{err}");
        let folder = dir.path().join(out).join("t");
        let names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.contains("spill")), "{names:?}");
        tables.push(std::fs::read(folder.join("spikes.csv")).unwrap());
        let timings: serde_json::Value =
            serde_json::from_slice(&std::fs::read(folder.join("timings.json")).unwrap()).unwrap();
        let streamed = timings["spikes_streamed_to_disk"].as_u64().unwrap();
        assert_eq!(streamed > 0, out == "small", "{streamed} spikes streamed to disk");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join(out))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("t")]);
    }
    let rows = tables[0].iter().filter(|b| **b == b'\n').count() - 1;
    assert!(rows > 1_200_000, "{rows} spikes: the budget was not passed");
    assert!(
        tables[0] == tables[1],
        "the streamed table differs from the held one"
    );
    let (code, _, err) = engram(&["validate", "t.toml", "--memory-gib", "-1"], dir.path());
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_other_reproductions_are_refused_with_the_field() {
    // An escape-noise cell without a rate ceiling.
    let en = "name = \"e\"\nduration_ms = 100.0\n\n[[population]]\nname = \"E\"\nsize = 5\nmodel = \"escape_noise\"\nparams = { rho0_hz = 10.0, beta = 1.0, psp_exc_ms = 10.0, psp_inh_ms = 10.0, max_rate_hz = inf }\n";
    assert_bad(en, 8, "max_rate_hz", "finite");
    // A normal distribution with a NaN bound.
    assert_bad(
        &T.replace(
            "weight = 5.0",
            "weight = { distribution = \"normal\", mean = 1.0, std = 1.0, low = nan }",
        ),
        22,
        "weight",
        "numbers",
    );
    // A membrane recorder sampling every 10⁻⁹ ms.
    let rec = format!("{T}\n[[recorder]]\ntype = \"membrane\"\npopulation = \"N\"\ninterval_ms = 1e-9\n");
    assert_bad(&rec, 28, "interval_ms", "sample times");
    // A 235-character name: refused before anything runs.
    let long = T.replace("name = \"t\"", &format!("name = \"{}\"", "x".repeat(235)));
    assert_bad(&long, 1, "name", "output folder name");
}

#[test]
fn an_out_that_names_a_file_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.toml"), T).unwrap();
    std::fs::write(dir.path().join("afile"), "").unwrap();
    let (code, out, err) = engram(&["run", "t.toml", "--out", "afile"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out") && err.contains("not a folder"), "{err}");
    // Nothing was simulated: no summary line on stdout.
    assert!(!out.contains("synaptic events"), "{out}");
}

#[test]
fn a_recorder_of_every_neuron_of_a_huge_population_is_refused_before_listing_them() {
    // Found by the fuzzer: "all neurons" of 10⁹ listed before the sample count was checked.
    let text = T
        .replace("size = 50", "size = \"1e9\"")
        .replace("p = 0.5", "p = 1e-9")
        + "\n[[recorder]]\ntype = \"membrane\"\npopulation = \"N\"\ntimes_ms = [1.0]\n";
    assert_bad(&text, 27, "recorder[0].population", "samples");
}

#[test]
fn outputs_known_before_the_run_that_pass_the_output_budget_are_refused_up_front() {
    // 50 neurons sampled every 0.001 ms for 100 ms: 5·10⁶ rows, about 76 MiB at 16 bytes a
    // row, against 0.01 GiB.
    let text = format!("{T}\n[[recorder]]\ntype = \"membrane\"\npopulation = \"N\"\ninterval_ms = 0.001\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.toml"), text).unwrap();
    for args in [
        &["validate", "t.toml", "--max-output-gib", "0.01"][..],
        &["run", "t.toml", "--out", "res", "--max-output-gib", "0.01"][..],
    ] {
        let (code, _, err) = engram(args, dir.path());
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("t.toml:25:")
                && err.contains("membrane samples of `N`")
                && err.contains("--max-output-gib"),
            "{err}"
        );
    }
    assert!(!dir.path().join("res/t").exists());
    let (code, _, err) = engram(
        &["run", "t.toml", "--out", "res", "--max-output-gib", "0.2"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = engram(
        &["run", "t.toml", "--out", "res", "--max-output-gib", "0"],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_run_whose_spikes_table_would_pass_the_output_budget_stops_naming_the_population() {
    // The source's spikes are not written (record = false), so nothing is known up front; N
    // fires about 1.4·10⁶ spikes in 100 s, 22 MB at 16 bytes a row, against 0.005 GiB (5.4 MB).
    let text = T
        .replace("duration_ms = 100.0", "duration_ms = 100000.0")
        .replace("rate_hz = 20.0", "rate_hz = 200.0\nrecord = false");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.toml"), text).unwrap();
    let (code, _, err) = engram(
        &["run", "t.toml", "--out", "res", "--max-output-gib", "0.005"],
        dir.path(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("population `N`") && err.contains("output budget") && err.contains("--max-output-gib"),
        "{err}"
    );
    assert!(!dir.path().join("res/t").exists());
}
