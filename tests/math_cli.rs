//! `engram math sdm ...` reproduces the published numbers (Bricken & Pehlevan 2021).

use std::process::Command;

fn json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_engram"))
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn published_betas() {
    for (d, beta) in [("5", 35.5), ("11", 15.9), ("15", 10.1)] {
        let v = json(&["math", "sdm", "beta", "--n", "64", "--d", d]);
        let got = v["beta_published"].as_f64().unwrap();
        assert!((got - beta).abs() < 0.05, "d = {d}: {got}");
    }
}

#[test]
fn optimal_radii_of_the_paper() {
    let v = json(&[
        "math", "sdm", "optimal", "--n", "64", "--r", "2^64", "--m", "1024",
    ]);
    assert_eq!(
        (v["d_snr"].as_u64(), v["d_mem"].as_u64(), v["d_cd"].as_u64()),
        (Some(11), Some(5), Some(15))
    );
}

#[test]
fn intersection_rows_are_consistent() {
    let v = json(&[
        "math",
        "sdm",
        "intersection",
        "--n",
        "64",
        "--r",
        "2^64",
        "--d",
        "11",
    ]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 65);
    assert_eq!(rows[0]["normalized"].as_f64(), Some(1.0));
    let e = |k: usize| rows[k]["expected_neurons"].as_f64().unwrap();
    for k in 1..rows.len() {
        // The intersection never grows with distance (up to rounding of the log-space sums)…
        assert!(e(k) <= e(k - 1) * (1.0 + 1e-12), "d_v = {k}");
    }
    for k in 1..11 {
        // …and is a staircase: I(2k−1) = I(2k).
        assert!((e(2 * k - 1) / e(2 * k) - 1.0).abs() < 1e-12, "k = {k}");
    }
    // E[c] = r·I/2^n = I·2^(64−64) = I at d_v = 0.
    let ln_i = rows[0]["ln_intersection"].as_f64().unwrap();
    assert!((rows[0]["expected_neurons"].as_f64().unwrap().ln() - ln_i).abs() < 1e-9);
}

#[test]
fn bad_arguments_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_engram"))
        .args(["math", "sdm", "beta", "--n", "64", "--d", "99"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_engram"))
        .args(["math", "sdm", "optimal", "--n", "64", "--r", "two", "--m", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `engram math hopfield retrieve` for D = 64, N = 100, 20 % flips, 100 trials, seed 4.
fn retrieve(beta: &str) -> serde_json::Value {
    let args = format!(
        "math hopfield retrieve --dim 64 --patterns 100 --flip 0.2 --beta {beta} --trials 100 --seed 4"
    );
    json(&args.split_whitespace().collect::<Vec<_>>())
}

#[test]
fn modern_hopfield_retrieves_at_large_beta_and_averages_at_small_beta() {
    let sharp = retrieve("1.0");
    // Target overlap 64·0.6 = 38.4 against ~N(0, 64) for 99 others (max ≈ 20): the softmax at
    // β = 1 puts e^{−18} on the runner-up, so every trial is recovered exactly.
    assert_eq!(sharp["exact_recovery"].as_f64(), Some(1.0));
    assert_eq!(sharp["argmax_correct"].as_f64(), Some(1.0));
    let flat = retrieve("0.001");
    // β → 0 averages all 100 patterns: the top weight tends to 1/100.
    assert!(flat["mean_top_weight"].as_f64().unwrap() < 0.02);
}

#[test]
fn classical_hopfield_breaks_down_past_its_capacity() {
    let low = json(&[
        "math",
        "hopfield",
        "classical",
        "--dim",
        "400",
        "--load",
        "0.05",
        "--trials",
        "10",
        "--seed",
        "2",
    ]);
    assert!(low["final_overlap"].as_f64().unwrap() > 0.99, "{low}");
    let high = json(&[
        "math",
        "hopfield",
        "classical",
        "--dim",
        "400",
        "--load",
        "0.3",
        "--trials",
        "10",
        "--seed",
        "2",
    ]);
    assert!(high["final_overlap"].as_f64().unwrap() < 0.9, "{high}");
}
