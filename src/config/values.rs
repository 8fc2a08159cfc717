//! Readers for values: numbers (or expressions over `[let]` names), counts, distributions, and
//! the parameter tables of neuron models, plasticity rules and connection rules, read against
//! the parameter lists those declare. Each reports errors at the exact field path.

use super::error::Reporter;
use super::expr;
use super::source::FieldPath;
use crate::engine::connect::{self, Rule, Sizes};
use crate::engine::distribution::Distribution;
use crate::engine::params::{Param, ParamDefault, ParamError, ParamKind, Params, Value};
use crate::engine::plasticity::{self, PlasticityDesc};

/// Reads a number: an integer, a float, or a string holding an expression over `[let]` names.
pub fn number(r: &mut Reporter, path: &FieldPath, v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Float(x) => Some(*x),
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::String(s) => match expr::eval(s, &r.env) {
            Ok(x) => Some(x),
            // A [let] name whose own definition failed: that error is already reported.
            Err(_) if expr::names(s).iter().any(|n| r.poisoned.contains(n)) => None,
            Err(e) => {
                r.at(
                    path,
                    format!("cannot evaluate `{s}`: {e}"),
                    "write a number, or an expression over [let] names such as \"2 * n\"",
                );
                None
            }
        },
        other => {
            r.at(
                path,
                format!("expected a number, found {}", other.type_str()),
                "write a number without quotes, e.g. 0.25, or an expression in quotes, e.g. \"2 * n\"",
            );
            None
        }
    }
}

/// A finite number.
pub fn finite(r: &mut Reporter, path: &FieldPath, v: &toml::Value) -> Option<f64> {
    let x = number(r, path, v)?;
    if !x.is_finite() {
        r.at(
            path,
            format!("{} is not a finite number", show(x)),
            "give a finite value",
        );
        return None;
    }
    Some(x)
}

/// A finite number in `[low, high]`.
pub fn within(
    r: &mut Reporter,
    path: &FieldPath,
    v: &toml::Value,
    low: f64,
    high: f64,
    what: &str,
) -> Option<f64> {
    let x = finite(r, path, v)?;
    if !(low..=high).contains(&x) {
        r.at(
            path,
            format!("{what} {} is outside [{}, {}]", show(x), show(low), show(high)),
            format!("give {what} between {low} and {high}"),
        );
        return None;
    }
    Some(x)
}

/// A whole number in `[low, high]` (an expression must evaluate to a whole number).
pub fn count(r: &mut Reporter, path: &FieldPath, v: &toml::Value, low: u64, high: u64) -> Option<u64> {
    let x = number(r, path, v)?;
    if !(x.fract() == 0.0 && x >= low as f64 && x <= high as f64) {
        r.at(
            path,
            format!("{} is not a whole number in [{low}, {high}]", show(x)),
            format!("give a whole number between {low} and {high}"),
        );
        return None;
    }
    Some(x as u64)
}

/// A duration in ms, at least `low` and finite.
pub fn duration(r: &mut Reporter, path: &FieldPath, v: &toml::Value, low: f64) -> Option<f64> {
    let x = number(r, path, v)?;
    if !(x >= low && x.is_finite()) {
        r.at(
            path,
            format!("{} ms is not a finite duration ≥ {} ms", show(x), show(low)),
            format!("give a duration ≥ {low} ms"),
        );
        return None;
    }
    Some(x)
}

/// Checks a table's keys against a list of allowed ones; unknown keys are reported.
pub fn check_keys(r: &mut Reporter, path: &FieldPath, t: &toml::Table, allowed: &[&str]) {
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
/// A number for a message: plain between 10⁻³ and 10⁶, in exponent form (4 significant digits)
/// otherwise.
pub fn show(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-3..1e6).contains(&x.abs()) {
        format!("{x}")
    } else {
        // Four significant digits, trailing zeros dropped: 6.333e8, 1e39.
        let e = format!("{x:.3e}");
        match e.split_once('e') {
            Some((m, exp)) if m.contains('.') => {
                format!("{}e{exp}", m.trim_end_matches('0').trim_end_matches('.'))
            }
            _ => e,
        }
    }
}

pub fn distribution(r: &mut Reporter, path: &FieldPath, v: &toml::Value) -> Option<Distribution> {
    let t = match v {
        toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::String(_) => {
            return finite(r, path, v).map(Distribution::Fixed);
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
                    format!(
                        "uniform needs finite low ≤ high (got {}, {})",
                        show(low),
                        show(high)
                    ),
                    "e.g. { distribution = \"uniform\", low = 0.5, high = 1.5 }",
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
                    format!("normal needs a finite mean and std ≥ 0 (got std = {})", show(std)),
                    "e.g. { distribution = \"normal\", mean = 1.0, std = 0.1 }",
                );
                return None;
            }
            if low.is_nan() || high.is_nan() {
                r.at(
                    path,
                    "low and high must be numbers",
                    "give numbers, or leave low/high out for an unbounded normal",
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

/// The parameter list of `specs`, for hints.
pub fn describe(specs: &[Param]) -> String {
    if specs.is_empty() {
        return "it has no parameters".into();
    }
    specs
        .iter()
        .map(|p| {
            let unit = if p.unit.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.unit)
            };
            let d = match p.default {
                ParamDefault::Required => ", required".to_string(),
                ParamDefault::Optional => String::new(),
                ParamDefault::Number(x) => format!(", default {x}"),
                ParamDefault::Count(x) => format!(", default {x}"),
                ParamDefault::Flag(x) => format!(", default {x}"),
            };
            format!("{}{unit}{d}", p.name)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads a parameter table against `specs`: unknown keys, wrong kinds and missing required
/// parameters are errors; defaults fill the rest. `skip` keys belong to the surrounding table.
pub fn params(
    r: &mut Reporter,
    path: &FieldPath,
    t: &toml::Table,
    specs: &'static [Param],
    skip: &[&str],
    what: &str,
) -> Option<Params> {
    let mut out = Params::defaults(specs);
    let mut ok = true;
    for (k, v) in t {
        if skip.contains(&k.as_str()) {
            continue;
        }
        let Some(spec) = specs.iter().find(|p| p.name == k) else {
            r.at(
                &path.key(k),
                format!("unknown {what} parameter `{k}`"),
                format!("{what} parameters: {}", describe(specs)),
            );
            ok = false;
            continue;
        };
        let p = path.key(k);
        let value = match spec.kind {
            ParamKind::Number => number(r, &p, v).map(Value::Number),
            ParamKind::Count => count(r, &p, v, 0, u32::MAX as u64).map(Value::Count),
            ParamKind::Flag => match v {
                toml::Value::Boolean(b) => Some(Value::Flag(*b)),
                _ => {
                    r.at(&p, format!("`{k}` must be true or false"), "");
                    None
                }
            },
            ParamKind::Numbers => match v.as_array() {
                Some(a) => {
                    let xs: Vec<Option<f64>> = a
                        .iter()
                        .enumerate()
                        .map(|(i, x)| number(r, &p.index(i), x))
                        .collect();
                    xs.into_iter().collect::<Option<Vec<f64>>>().map(Value::Numbers)
                }
                None => {
                    r.at(&p, "expected a list of numbers", "e.g. [0.5, 1.0]");
                    None
                }
            },
            ParamKind::Pattern => match v.as_str() {
                Some(name) => match r.patterns.iter().find(|(n, _)| n == name) {
                    Some((_, items)) => Some(Value::Matrix(items.clone())),
                    None if r.failed_sets.iter().any(|f| f == name) => None,
                    None => {
                        let known: Vec<&str> = r.patterns.iter().map(|(n, _)| n.as_str()).collect();
                        r.at(
                            &p,
                            format!("unknown pattern set `{name}`"),
                            format!("pattern sets: {}", known.join(", ")),
                        );
                        None
                    }
                },
                None => {
                    r.at(&p, "expected the name of a [[pattern]] set in quotes", "");
                    None
                }
            },
            ParamKind::Pairs => match v.as_array() {
                Some(list) => {
                    let mut pairs = Vec::with_capacity(list.len());
                    for (i, e) in list.iter().enumerate() {
                        let pair = e.as_array().filter(|a| a.len() == 2).and_then(|a| {
                            let a0 = a[0].as_integer().filter(|x| (0..=u32::MAX as i64).contains(x))?;
                            let a1 = a[1].as_integer().filter(|x| (0..=u32::MAX as i64).contains(x))?;
                            Some((a0 as u32, a1 as u32))
                        });
                        match pair {
                            Some(x) => pairs.push(x),
                            None => r.at(
                                &p.index(i),
                                "each pair must be [pre, post] with indices ≥ 0",
                                "e.g. pairs = [[0, 1], [3, 2]]",
                            ),
                        }
                    }
                    Some(Value::Pairs(pairs))
                }
                None => {
                    r.at(
                        &p,
                        "expected a list of [pre, post] pairs",
                        "e.g. pairs = [[0, 1], [3, 2]]",
                    );
                    None
                }
            },
        };
        match value {
            Some(x) => out.set(spec.name, x),
            None => ok = false,
        }
    }
    for spec in specs {
        if spec.default == ParamDefault::Required
            && out.get(spec.name).is_none()
            && !t.contains_key(spec.name)
        {
            r.at(
                path,
                format!("missing {what} parameter `{}`", spec.name),
                format!("{what} parameters: {}", describe(specs)),
            );
            ok = false;
        }
    }
    ok.then_some(out)
}

/// Reports a model's or rule's own check failure at the parameter it names.
pub fn report_param_error(r: &mut Reporter, path: &FieldPath, e: ParamError, hint: &str) {
    let p = if e.param.is_empty() {
        path.clone()
    } else {
        path.key(e.param)
    };
    r.at(&p, e.message, hint);
}

/// The rule names for hints.
fn rule_names() -> String {
    connect::RULES
        .iter()
        .map(|r| r.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A connection rule table `{ rule = "...", <parameters> }`, checked against the sizes.
pub fn connectivity(
    r: &mut Reporter,
    path: &FieldPath,
    v: &toml::Value,
    sizes: Option<Sizes>,
) -> Option<Rule> {
    let Some(t) = v.as_table() else {
        r.at(
            path,
            format!("expected a table, found {}", v.type_str()),
            format!(
                "e.g. {{ rule = \"fixed_probability\", p = 0.1 }}; rules: {}",
                rule_names()
            ),
        );
        return None;
    };
    let name = match t.get("rule") {
        Some(toml::Value::String(s)) => s.as_str(),
        _ => {
            r.at(
                path,
                "missing `rule = \"...\"`",
                format!("rules: {}", rule_names()),
            );
            return None;
        }
    };
    let Some(spec) = connect::find(name) else {
        r.at(
            &path.key("rule"),
            format!("unknown rule `{name}`"),
            format!("rules: {}", rule_names()),
        );
        return None;
    };
    let p = params(r, path, t, spec.params, &["rule"], name)?;
    if let Some(s) = sizes
        && let Err(e) = (spec.check)(&p, s)
    {
        report_param_error(r, path, e, "README.md (\"Projections\") describes every rule");
        return None;
    }
    Some((spec.build)(&p))
}

/// A plasticity table `{ rule = "...", <parameters> }`.
pub fn plasticity(r: &mut Reporter, path: &FieldPath, t: &toml::Table) -> Option<PlasticityDesc> {
    let names = plasticity::RULES
        .iter()
        .map(|r| r.name)
        .collect::<Vec<_>>()
        .join(", ");
    let name = match t.get("rule") {
        Some(toml::Value::String(s)) => s.as_str(),
        _ => {
            r.at(
                path,
                "missing `rule = \"...\"`",
                format!("plasticity rules: {names}"),
            );
            return None;
        }
    };
    let Some(rule) = plasticity::find(name) else {
        r.at(
            &path.key("rule"),
            format!("unknown plasticity rule `{name}`"),
            format!("plasticity rules: {names}"),
        );
        return None;
    };
    let p = params(r, path, t, rule.params, &["rule"], name)?;
    if let Err(e) = (rule.check)(&p) {
        report_param_error(
            r,
            path,
            e,
            "README.md (\"Plasticity\") lists each rule's parameters",
        );
        return None;
    }
    Some(PlasticityDesc { rule, params: p })
}
