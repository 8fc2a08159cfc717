//! Readers for the fields whose shape depends on their content: distributions, connection
//! rules and model parameters. Each reports errors at the exact field path.

use super::error::Reporter;
use super::source::FieldPath;
use crate::engine::connect::Rule;
use crate::engine::distribution::Distribution;
use crate::engine::neuron::lif::LifParams;

/// Reads a number (integer or float).
pub fn number(r: &mut Reporter, path: &FieldPath, v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Float(x) => Some(*x),
        toml::Value::Integer(i) => Some(*i as f64),
        other => {
            r.at(
                path,
                format!("expected a number, found {}", other.type_str()),
                "write a number without quotes, e.g. 0.25",
            );
            None
        }
    }
}

/// Reads a table's keys against a list of allowed ones; unknown keys are reported.
fn check_keys(r: &mut Reporter, path: &FieldPath, t: &toml::Table, allowed: &[&str]) {
    for k in t.keys() {
        if !allowed.contains(&k.as_str()) {
            r.at(
                &path.key(k),
                format!("unknown key `{k}`"),
                format!("allowed keys here: {}", allowed.join(", ")),
            );
        }
    }
}

fn required_number(r: &mut Reporter, path: &FieldPath, t: &toml::Table, key: &str) -> Option<f64> {
    match t.get(key) {
        Some(v) => number(r, &path.key(key), v),
        None => {
            r.at(
                path,
                format!("missing key `{key}`"),
                format!("add `{key} = <number>`"),
            );
            None
        }
    }
}

const DIST_HINT: &str = "write a number, or a table such as { distribution = \"uniform\", low = 1.0, high = 2.0 } \
     or { distribution = \"normal\", mean = 0.0, std = 1.0, low = -1.0, high = 1.0 }";

/// A fixed number or `{ distribution = "uniform" | "normal", ... }`.
pub fn distribution(r: &mut Reporter, path: &FieldPath, v: &toml::Value) -> Option<Distribution> {
    let t = match v {
        toml::Value::Integer(_) | toml::Value::Float(_) => {
            let x = number(r, path, v)?;
            if !x.is_finite() {
                r.at(path, "the value must be finite", "");
                return None;
            }
            return Some(Distribution::Fixed(x));
        }
        toml::Value::Table(t) => t,
        other => {
            r.at(
                path,
                format!(
                    "expected a number or a distribution table, found {}",
                    other.type_str()
                ),
                DIST_HINT,
            );
            return None;
        }
    };
    let kind = match t.get("distribution") {
        Some(toml::Value::String(s)) => s.as_str(),
        _ => {
            r.at(
                path,
                "a distribution table needs `distribution = \"uniform\"` or `\"normal\"`",
                DIST_HINT,
            );
            return None;
        }
    };
    match kind {
        "uniform" => {
            check_keys(r, path, t, &["distribution", "low", "high"]);
            let low = required_number(r, path, t, "low")?;
            let high = required_number(r, path, t, "high")?;
            if !(low.is_finite() && high.is_finite() && low <= high) {
                r.at(
                    &path.key("high"),
                    format!("uniform needs finite low ≤ high (got {low}, {high})"),
                    "",
                );
                return None;
            }
            Some(Distribution::Uniform { low, high })
        }
        "normal" => {
            check_keys(r, path, t, &["distribution", "mean", "std", "low", "high"]);
            let mean = required_number(r, path, t, "mean")?;
            let std = required_number(r, path, t, "std")?;
            let low = t
                .get("low")
                .map_or(Some(f64::NEG_INFINITY), |v| number(r, &path.key("low"), v))?;
            let high = t
                .get("high")
                .map_or(Some(f64::INFINITY), |v| number(r, &path.key("high"), v))?;
            if !(std >= 0.0 && std.is_finite() && mean.is_finite()) {
                r.at(
                    &path.key("std"),
                    format!("normal needs a finite mean and std ≥ 0 (got std = {std})"),
                    "",
                );
                return None;
            }
            // The clipping interval must carry probability mass, or redrawing never ends.
            let z = |x: f64| (x - mean) / std.max(1e-300);
            if low >= high || z(high) < -8.0 || z(low) > 8.0 {
                r.at(
                    path,
                    format!("the interval [{low}, {high}] holds almost no mass of N({mean}, {std}²)"),
                    "widen low/high around the mean",
                );
                return None;
            }
            Some(Distribution::Normal { mean, std, low, high })
        }
        other => {
            r.at(
                &path.key("distribution"),
                format!("unknown distribution `{other}`"),
                "use \"uniform\" or \"normal\"",
            );
            None
        }
    }
}

const RULE_HINT: &str = "rules: { rule = \"all_to_all\" }, { rule = \"one_to_one\" }, \
     { rule = \"fixed_probability\", p = 0.1 }, { rule = \"fixed_indegree\", k = 10, multapses = false }, \
     { rule = \"explicit\", pairs = [[0, 1], [2, 0]], weights = [..], delays_ms = [..] }";

/// A connection rule table.
pub fn rule(r: &mut Reporter, path: &FieldPath, v: &toml::Value) -> Option<Rule> {
    let Some(t) = v.as_table() else {
        r.at(
            path,
            format!("expected a table, found {}", v.type_str()),
            RULE_HINT,
        );
        return None;
    };
    let name = match t.get("rule") {
        Some(toml::Value::String(s)) => s.as_str(),
        _ => {
            r.at(path, "missing `rule = \"...\"`", RULE_HINT);
            return None;
        }
    };
    match name {
        "all_to_all" => {
            check_keys(r, path, t, &["rule"]);
            Some(Rule::AllToAll)
        }
        "one_to_one" => {
            check_keys(r, path, t, &["rule"]);
            Some(Rule::OneToOne)
        }
        "fixed_probability" => {
            check_keys(r, path, t, &["rule", "p"]);
            let p = required_number(r, path, t, "p")?;
            if !(0.0..=1.0).contains(&p) {
                r.at(
                    &path.key("p"),
                    format!("probability {p} is outside [0, 1]"),
                    "give a connection probability between 0 and 1",
                );
                return None;
            }
            Some(Rule::FixedProbability { p })
        }
        "fixed_indegree" => {
            check_keys(r, path, t, &["rule", "k", "multapses"]);
            let k = match t.get("k") {
                Some(toml::Value::Integer(k)) if *k >= 0 => *k as usize,
                _ => {
                    r.at(&path.key("k"), "`k` must be a whole number ≥ 0", "e.g. k = 80");
                    return None;
                }
            };
            let multapses = match t.get("multapses") {
                None => false,
                Some(toml::Value::Boolean(b)) => *b,
                Some(_) => {
                    r.at(&path.key("multapses"), "`multapses` must be true or false", "");
                    return None;
                }
            };
            Some(Rule::FixedInDegree { k, multapses })
        }
        "explicit" => {
            check_keys(r, path, t, &["rule", "pairs", "weights", "delays_ms"]);
            let mut pairs = Vec::new();
            match t.get("pairs").and_then(|p| p.as_array()) {
                Some(list) => {
                    for (i, e) in list.iter().enumerate() {
                        let pair = e.as_array().filter(|a| a.len() == 2).and_then(|a| {
                            let a0 = a[0].as_integer().filter(|x| (0..=u32::MAX as i64).contains(x))?;
                            let a1 = a[1].as_integer().filter(|x| (0..=u32::MAX as i64).contains(x))?;
                            Some((a0 as u32, a1 as u32))
                        });
                        match pair {
                            Some(p) => pairs.push(p),
                            None => r.at(
                                &path.key("pairs").index(i),
                                "each pair must be [pre, post] with indices ≥ 0",
                                "e.g. pairs = [[0, 1], [3, 2]]",
                            ),
                        }
                    }
                }
                None => {
                    r.at(path, "`explicit` needs `pairs = [[pre, post], ...]`", RULE_HINT);
                    return None;
                }
            }
            let list = |r: &mut Reporter, key: &str| -> Option<Vec<f64>> {
                let v = t.get(key)?;
                let Some(a) = v.as_array() else {
                    r.at(&path.key(key), "expected a list of numbers", "");
                    return None;
                };
                let xs: Vec<f64> = a
                    .iter()
                    .enumerate()
                    .filter_map(|(i, x)| number(r, &path.key(key).index(i), x))
                    .collect();
                if xs.len() != pairs.len() {
                    r.at(
                        &path.key(key),
                        format!("{} values for {} pairs", xs.len(), pairs.len()),
                        "give one value per pair",
                    );
                }
                Some(xs)
            };
            let weights = list(r, "weights");
            let delays = list(r, "delays_ms");
            let bad_delay = delays
                .as_ref()
                .and_then(|d| d.iter().enumerate().find(|(_, x)| !(**x > 0.0 && x.is_finite())));
            if let Some((i, x)) = bad_delay {
                r.at(
                    &path.key("delays_ms").index(i),
                    format!("delay {x} ms is not positive"),
                    "delays must be > 0 ms",
                );
            }
            Some(Rule::Explicit {
                pairs,
                weights,
                delays,
            })
        }
        other => {
            r.at(&path.key("rule"), format!("unknown rule `{other}`"), RULE_HINT);
            None
        }
    }
}

/// `escape_noise` parameters: `rho0_hz`, `beta` (1/mV), `psp_exc_ms`, `psp_inh_ms` required;
/// `u_offset` (mV, default 0) and `max_rate_hz` (default 10⁶) optional.
pub fn escape_noise_params(
    r: &mut Reporter,
    path: &FieldPath,
    t: &toml::Table,
) -> Option<crate::engine::neuron::escape_noise::EscapeNoiseParams> {
    check_keys(
        r,
        path,
        t,
        &[
            "rho0_hz",
            "beta",
            "u_offset",
            "psp_exc_ms",
            "psp_inh_ms",
            "max_rate_hz",
        ],
    );
    let p = crate::engine::neuron::escape_noise::EscapeNoiseParams {
        rho0_hz: required_number(r, path, t, "rho0_hz")?,
        beta: required_number(r, path, t, "beta")?,
        u_offset: t
            .get("u_offset")
            .map_or(Some(0.0), |v| number(r, &path.key("u_offset"), v))?,
        psp_exc_ms: required_number(r, path, t, "psp_exc_ms")?,
        psp_inh_ms: required_number(r, path, t, "psp_inh_ms")?,
        max_rate_hz: t
            .get("max_rate_hz")
            .map_or(Some(1e6), |v| number(r, &path.key("max_rate_hz"), v))?,
    };
    if let Err(e) = p.check() {
        r.at(path, e, "see README.md (\"Populations and neuron models\")");
        return None;
    }
    Some(p)
}

/// `lif` parameters: NEST's names, every one optional (NEST's defaults).
pub fn lif_params(r: &mut Reporter, path: &FieldPath, t: &toml::Table) -> Option<LifParams> {
    let mut p = LifParams::default();
    let mut ok = true;
    for (k, v) in t {
        let slot = match k.as_str() {
            "tau_m" => &mut p.tau_m,
            "c_m" => &mut p.c_m,
            "e_l" => &mut p.e_l,
            "v_th" => &mut p.v_th,
            "v_reset" => &mut p.v_reset,
            "t_ref" => &mut p.t_ref,
            "i_e" => &mut p.i_e,
            _ => {
                r.at(
                    &path.key(k),
                    format!("unknown lif parameter `{k}`"),
                    "lif parameters: tau_m (ms), c_m (pF), e_l, v_th, v_reset (mV), t_ref (ms), i_e (pA)",
                );
                ok = false;
                continue;
            }
        };
        match number(r, &path.key(k), v) {
            Some(x) => *slot = x,
            None => ok = false,
        }
    }
    if let Err(e) = p.check() {
        r.at(path, e, "see README.md (\"Neuron models\")");
        ok = false;
    }
    ok.then_some(p)
}
