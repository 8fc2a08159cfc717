//! From a parsed circuit file to a validated `Circuit`, with every semantic check done before
//! anything is built.

use std::collections::HashMap;

use super::circuit::{Circuit, OutputOptions, Recorder};
use super::error::Reporter;
use super::schema::{CircuitToml, NeuronModelToml, RecorderKind, SourceModelToml};
use super::source::FieldPath;
use super::values;
use crate::engine::connect::Rule;
use crate::engine::distribution::Distribution;
use crate::engine::network::{Model, NetworkDesc, PopulationDesc, ProjectionDesc, Storage};
use crate::engine::neuron::escape_noise::EscapeNoiseParams;
use crate::engine::neuron::poisson_source::PoissonParams;

/// Memory this machine has, bytes (from /proc/meminfo; 24 GiB if unknown).
pub fn machine_memory_bytes() -> f64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        })
        .map_or(24.0 * 1024.0 * 1024.0 * 1024.0, |kb| kb * 1024.0)
}

fn size(r: &mut Reporter, path: &FieldPath, n: i64) -> usize {
    if n < 1 {
        r.at(
            path,
            format!("size {n}: a population needs at least one neuron"),
            "give size ≥ 1",
        );
        return 0;
    }
    if n > u32::MAX as i64 {
        r.at(
            path,
            format!("size {n} is larger than engram can index"),
            "use at most 4294967295 neurons",
        );
        return 0;
    }
    n as usize
}

pub fn validate(r: &mut Reporter, c: CircuitToml) -> Circuit {
    let root = FieldPath::root();
    if c.name.is_empty()
        || c.name.starts_with('.')
        || !c
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "_-.".contains(ch))
    {
        r.at(
            &root.key("name"),
            format!("`{}` cannot be used as an output folder name", c.name),
            "use letters, digits, `_`, `-` and `.`, not starting with `.`",
        );
    }
    if !(c.duration_ms > 0.0 && c.duration_ms.is_finite()) {
        r.at(
            &root.key("duration_ms"),
            format!("duration {} ms is not positive", c.duration_ms),
            "give the simulated time in ms, e.g. duration_ms = 1000.0",
        );
    }

    let mut populations = Vec::new();
    let mut record_spikes = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut name_ok = |r: &mut Reporter, path: &FieldPath, name: &str, n: usize| {
        if name.is_empty() {
            r.at(path, "empty name", "give every population a name");
        } else if index.insert(name.to_string(), n).is_some() {
            r.at(
                path,
                format!("a population or stimulus called `{name}` already exists"),
                "names must be unique",
            );
        }
    };

    for (i, p) in c.population.iter().enumerate() {
        let path = root.key("population").index(i);
        name_ok(r, &path.key("name"), &p.name, populations.len());
        let n = size(r, &path.key("size"), p.size);
        let (model, v_init) = match p.model {
            NeuronModelToml::Lif => {
                let params = values::lif_params(r, &path.key("params"), &p.params).unwrap_or_default();
                let v_init = p
                    .v_init
                    .as_ref()
                    .and_then(|v| values::distribution(r, &path.key("v_init"), v));
                (Model::Lif(params), v_init)
            }
            NeuronModelToml::EscapeNoise => {
                let params = values::escape_noise_params(r, &path.key("params"), &p.params);
                if p.v_init.is_some() {
                    r.at(
                        &path.key("v_init"),
                        "an escape-noise neuron starts with u = 0 and I = 0",
                        "remove `v_init`",
                    );
                }
                let fallback = EscapeNoiseParams {
                    rho0_hz: 0.0,
                    beta: 0.0,
                    u_offset: 0.0,
                    psp_exc_ms: 1.0,
                    psp_inh_ms: 1.0,
                    max_rate_hz: 1.0,
                };
                (Model::EscapeNoise(params.unwrap_or(fallback)), None)
            }
            NeuronModelToml::Parrot => {
                if let Some(k) = p.params.keys().next() {
                    r.at(
                        &path.key("params").key(k),
                        "a parrot has no parameters",
                        "remove `params`",
                    );
                }
                if p.v_init.is_some() {
                    r.at(
                        &path.key("v_init"),
                        "a parrot has no membrane potential",
                        "remove `v_init`",
                    );
                }
                (Model::Parrot, None)
            }
        };
        populations.push(PopulationDesc {
            name: p.name.clone(),
            size: n,
            model,
            v_init,
        });
        record_spikes.push(p.record);
    }

    for (i, s) in c.stimulus.iter().enumerate() {
        let path = root.key("stimulus").index(i);
        name_ok(r, &path.key("name"), &s.name, populations.len());
        let not_for = |r: &mut Reporter, key: &str, present: bool, model: &str| {
            if present {
                r.at(
                    &path.key(key),
                    format!("`{key}` does not apply to a {model} stimulus"),
                    "remove it",
                );
            }
        };
        let model = match s.model {
            SourceModelToml::Poisson => {
                not_for(r, "times_ms", s.times_ms.is_some(), "poisson");
                let rate_hz = s.rate_hz.unwrap_or_else(|| {
                    r.at(&path, "a poisson stimulus needs `rate_hz`", "e.g. rate_hz = 10.0");
                    0.0
                });
                if !(rate_hz >= 0.0 && rate_hz.is_finite()) {
                    r.at(
                        &path.key("rate_hz"),
                        format!("rate {rate_hz} Hz is negative"),
                        "give a rate ≥ 0 Hz",
                    );
                }
                let start_ms = s.start_ms.unwrap_or(0.0);
                let stop_ms = s.stop_ms.unwrap_or(f64::INFINITY);
                if !(start_ms >= 0.0 && start_ms < stop_ms) {
                    r.at(
                        &path.key("start_ms"),
                        format!("start {start_ms} ms is not in [0, stop = {stop_ms})"),
                        "give 0 ≤ start_ms < stop_ms",
                    );
                }
                let n = size(r, &path.key("size"), s.size.unwrap_or(1));
                (
                    Model::Poisson(PoissonParams {
                        rate_hz,
                        start_ms,
                        stop_ms,
                    }),
                    n,
                )
            }
            SourceModelToml::SpikeTimes => {
                not_for(r, "rate_hz", s.rate_hz.is_some(), "spike_times");
                not_for(r, "start_ms", s.start_ms.is_some(), "spike_times");
                not_for(r, "stop_ms", s.stop_ms.is_some(), "spike_times");
                let times = s.times_ms.clone().unwrap_or_else(|| {
                    r.at(
                        &path,
                        "a spike_times stimulus needs `times_ms = [[t, ...], ...]` (one list per neuron)",
                        "",
                    );
                    vec![vec![]]
                });
                for (j, list) in times.iter().enumerate() {
                    if let Some(t) = list.iter().find(|t| !(**t >= 0.0 && t.is_finite())) {
                        r.at(
                            &path.key("times_ms").index(j),
                            format!("spike time {t} ms is negative or not finite"),
                            "spike times are ≥ 0 ms",
                        );
                    }
                }
                let n = match s.size {
                    Some(sz) if sz as usize != times.len() => {
                        r.at(
                            &path.key("size"),
                            format!("size {sz} but {} lists of times", times.len()),
                            "give one list of times per neuron, or leave out `size`",
                        );
                        times.len()
                    }
                    _ => times.len(),
                };
                if n == 0 {
                    r.at(
                        &path.key("times_ms"),
                        "no neurons: `times_ms` is empty",
                        "give one list of times per neuron",
                    );
                }
                (Model::SpikeTimes(times), n)
            }
        };
        populations.push(PopulationDesc {
            name: s.name.clone(),
            size: model.1,
            model: model.0,
            v_init: None,
        });
        record_spikes.push(s.record);
    }

    let mut projections = Vec::new();
    let mut proj_index: HashMap<String, usize> = HashMap::new();
    for (i, p) in c.projection.iter().enumerate() {
        let path = root.key("projection").index(i);
        let name = p.name.clone().unwrap_or_else(|| format!("{}->{}", p.pre, p.post));
        if proj_index.insert(name.clone(), projections.len()).is_some() {
            r.at(
                &path.key("name"),
                format!("a projection called `{name}` already exists"),
                "give the projections distinct `name`s",
            );
        }
        let find = |r: &mut Reporter, key: &str, who: &str| -> Option<usize> {
            let found = index.get(who).copied();
            if found.is_none() {
                let mut known: Vec<&str> = index.keys().map(String::as_str).collect();
                known.sort_unstable();
                r.at(
                    &path.key(key),
                    format!("unknown population `{who}`"),
                    format!("known populations and stimuli: {}", known.join(", ")),
                );
            }
            found
        };
        let pre = find(r, "pre", &p.pre);
        let post = find(r, "post", &p.post);
        let rule = values::rule(r, &path.key("connectivity"), &p.connectivity);
        let weight = match &p.weight {
            Some(w) => values::distribution(r, &path.key("weight"), w),
            None => match &rule {
                Some(Rule::Explicit { weights: Some(_), .. }) => Some(Distribution::Fixed(0.0)),
                _ => {
                    r.at(
                        &path,
                        "missing `weight`",
                        "add `weight = <mV>` (a number or a distribution)",
                    );
                    None
                }
            },
        };
        let delay = values::distribution(r, &path.key("delay_ms"), &p.delay_ms);
        if let Some(d) = &delay {
            let (low, _) = d.range();
            if low.is_nan() || low <= 0.0 {
                r.at(
                    &path.key("delay_ms"),
                    format!("delays can be as small as {low} ms; they must be > 0"),
                    "give a positive delay, or a distribution with low > 0",
                );
            }
        }
        let delay_step = p.delay_step_ms.unwrap_or(0.1);
        if !(delay_step > 0.0 && delay_step.is_finite()) {
            r.at(
                &path.key("delay_step_ms"),
                format!("delay step {delay_step} ms is not positive"),
                "e.g. delay_step_ms = 0.1",
            );
        }
        let (Some(pre), Some(post), Some(rule), Some(weight), Some(delay)) = (pre, post, rule, weight, delay)
        else {
            continue;
        };
        let (n_pre, n_post) = (populations[pre].size, populations[post].size);
        if !populations[post].model.takes_input() {
            r.at(
                &path.key("post"),
                format!(
                    "`{}` is a {} stimulus and takes no input",
                    p.post,
                    populations[post].model.name()
                ),
                "connect to a neuron population",
            );
        }
        match &rule {
            Rule::OneToOne if n_pre != n_post => {
                r.at(
                    &path.key("connectivity"),
                    format!("one_to_one needs equal sizes ({n_pre} vs {n_post})"),
                    "use populations of the same size or another rule",
                );
            }
            Rule::FixedInDegree { k, multapses: false } => {
                let available = n_pre - usize::from(pre == post && !p.autapses && n_pre > 0);
                if *k > available {
                    r.at(
                        &path.key("connectivity").key("k"),
                        format!("k = {k} distinct inputs but only {available} candidates"),
                        "lower k or set multapses = true",
                    );
                }
            }
            Rule::FixedInDegree { k, multapses: true }
                if *k > 0 && n_pre == 1 && pre == post && !p.autapses =>
            {
                r.at(
                    &path.key("connectivity").key("k"),
                    "no candidate inputs: the only neuron is itself and autapses are off",
                    "",
                );
            }
            Rule::Explicit { pairs, .. } => {
                for (j, &(a, b)) in pairs.iter().enumerate() {
                    if a as usize >= n_pre || b as usize >= n_post {
                        r.at(
                            &path.key("connectivity").key("pairs").index(j),
                            format!("pair [{a}, {b}] is outside {n_pre} × {n_post} neurons"),
                            "indices start at 0",
                        );
                    }
                }
            }
            _ => {}
        }
        projections.push(ProjectionDesc {
            name,
            pre,
            post,
            rule,
            weight,
            delay,
            delay_step,
            autapses: p.autapses,
            storage: Storage::Auto,
            plasticity: None,
            teacher_of: None,
        });
    }

    let network = NetworkDesc {
        seed: c.seed,
        populations,
        projections,
    };
    let need = network.estimated_bytes();
    let have = machine_memory_bytes();
    if need > 0.8 * have {
        r.at(
            &root,
            format!(
                "the network needs about {:.1} GiB; this machine has {:.1} GiB",
                need / 1073741824.0,
                have / 1073741824.0
            ),
            "reduce sizes or connection probabilities",
        );
    }

    let mut recorders = Vec::new();
    for (i, rec) in c.recorder.iter().enumerate() {
        let path = root.key("recorder").index(i);
        let times = match (&rec.times_ms, rec.interval_ms) {
            (Some(t), None) => {
                let mut t = t.clone();
                t.sort_by(f64::total_cmp);
                t
            }
            (None, Some(dt)) if dt > 0.0 && dt.is_finite() && c.duration_ms > 0.0 => {
                let n = (c.duration_ms / dt).ceil() as usize;
                (0..n)
                    .map(|k| k as f64 * dt)
                    .filter(|t| *t < c.duration_ms)
                    .collect()
            }
            (None, Some(dt)) => {
                r.at(
                    &path.key("interval_ms"),
                    format!("interval {dt} ms is not positive"),
                    "e.g. interval_ms = 0.1",
                );
                continue;
            }
            _ => {
                r.at(&path, "give exactly one of `times_ms` and `interval_ms`", "");
                continue;
            }
        };
        match rec.kind {
            RecorderKind::Membrane => {
                let Some(pname) = &rec.population else {
                    r.at(&path, "a membrane recorder needs `population`", "");
                    continue;
                };
                let Some(&pop) = index.get(pname) else {
                    r.at(
                        &path.key("population"),
                        format!("unknown population `{pname}`"),
                        "",
                    );
                    continue;
                };
                let pd = &network.populations[pop];
                if !matches!(pd.model, Model::Lif(_)) {
                    r.at(
                        &path.key("population"),
                        format!("`{pname}` ({}) has no membrane potential", pd.model.name()),
                        "record a lif population",
                    );
                    continue;
                }
                let mut neurons: Vec<u32> = Vec::new();
                for (j, &n) in rec
                    .neurons
                    .clone()
                    .unwrap_or_else(|| (0..pd.size as i64).collect())
                    .iter()
                    .enumerate()
                {
                    if n < 0 || n as usize >= pd.size {
                        r.at(
                            &path.key("neurons").index(j),
                            format!("neuron {n} is outside `{pname}` (size {})", pd.size),
                            "indices start at 0",
                        );
                    } else {
                        neurons.push(n as u32);
                    }
                }
                neurons.sort_unstable();
                neurons.dedup();
                if (neurons.len() as f64) * (times.len() as f64) > 1e8 {
                    r.at(
                        &path,
                        format!(
                            "{} neurons × {} sample times is more than 10⁸ samples",
                            neurons.len(),
                            times.len()
                        ),
                        "record fewer neurons or use a longer interval_ms",
                    );
                    continue;
                }
                recorders.push(Recorder::Membrane {
                    population: pop,
                    neurons,
                    times,
                });
            }
            RecorderKind::Weights => {
                let Some(pname) = &rec.projection else {
                    r.at(&path, "a weights recorder needs `projection`", "");
                    continue;
                };
                match proj_index.get(pname) {
                    Some(&k) => recorders.push(Recorder::Weights { projection: k, times }),
                    None => r.at(
                        &path.key("projection"),
                        format!("unknown projection `{pname}`"),
                        "name it as in its `name` (default `pre->post`)",
                    ),
                }
            }
        }
    }

    Circuit {
        name: c.name,
        description: c.description,
        source: r.src.path.clone(),
        duration_ms: c.duration_ms,
        network,
        record_spikes,
        recorders,
        changes: Vec::new(),
        output: OutputOptions {
            raster: c.output.raster,
            connections: c.output.connections,
            initial_state: c.output.initial_state,
        },
    }
}
