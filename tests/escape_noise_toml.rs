//! The `escape_noise` model from a circuit file: its resting rate, and its parameter checks.

const TEXT: &str = r#"
name = "escape"
seed = 2
duration_ms = 5000.0
[[population]]
name = "m"
size = 50
model = "escape_noise"
params = { rho0_hz = 20.0, beta = 0.5, psp_exc_ms = 10.0, psp_inh_ms = 10.0 }
"#;

#[test]
fn resting_escape_noise_neurons_fire_at_rho0() {
    let c = engram::config::parse("e.toml", TEXT).unwrap();
    let r = engram::experiment::simulate::run(c, &mut |_| {}).unwrap();
    // 50 neurons × 5 s × 20 Hz = 5000 expected, Poisson sd 71: 5 sd.
    let n = r.spikes.len() as f64;
    assert!((n - 5000.0).abs() < 5.0 * 5000f64.sqrt(), "{n}");
}

#[test]
fn escape_noise_parameters_are_checked() {
    let bad = TEXT.replace("beta = 0.5", "betta = 0.5");
    let e = engram::config::parse("e.toml", &bad).unwrap_err().to_string();
    assert!(
        e.contains("population[0].params.betta") && e.contains("unknown escape_noise parameter"),
        "{e}"
    );
    let bad = TEXT.replace("psp_exc_ms = 10.0", "psp_exc_ms = -1.0");
    let e = engram::config::parse("e.toml", &bad).unwrap_err().to_string();
    assert!(e.contains("psp_exc_ms") && e.contains("e.toml:"), "{e}");
}
