//! From a parsed circuit file to a validated `Circuit`, with every semantic check done before
//! anything is built: names, values, sizes, storage, plasticity and teachers, the protocol
//! (patterns, phases, readouts, feedback), variants, sweeps, and the memory budget.

use std::collections::HashMap;

use super::budget;
use super::circuit::{
    Circuit, CompareBlock, OutputOptions, Recorder, ScheduledChange, Sweep, SweepPlot, TableFormat, Variant,
};
use super::error::Reporter;
use super::expr::{self, Env};
use super::protocol::{Align, Encode, Feedback, PatternSet, Phase, Present, Protocol, Readout, ReadoutKind};
use super::schema::{
    CircuitToml, EncodeToml, FormatToml, PatternKind, RecorderKind, SourceModelToml, StorageToml,
};
use super::source::FieldPath;
use super::values;
use crate::engine::connect::Sizes;
use crate::engine::distribution::Distribution;
use crate::engine::network::{Model, NetworkDesc, PopulationDesc, ProjectionDesc, Storage};
use crate::engine::neuron::{self, poisson_source::PoissonParams};
use crate::engine::simulation::{MAX_WEIGHT, MIN_DELAY_MS};

/// Most epochs (shortest delays) a run may step through: about a minute of empty epochs.
const MAX_EPOCHS: f64 = 1e9;

/// Most spikes one Poisson source may fire in a run.
const MAX_SOURCE_SPIKES: f64 = 1e9;
use crate::math::grid_code::{GridCells, GridModules};

/// Most spikes a protocol may present, and most samples a recorder may take.
const MAX_PROTOCOL_SPIKES: f64 = 2e8;
const MAX_SAMPLES: f64 = 1e8;
/// Most components a pattern set may hold (8 bytes each).
const MAX_PATTERN_COMPONENTS: f64 = 5e7;

fn size(r: &mut Reporter, path: &FieldPath, v: &toml::Value) -> usize {
    let Some(n) = values::number(r, path, v) else {
        return 0;
    };
    if n.fract() != 0.0 || n.is_nan() {
        r.at(
            path,
            format!("size {n} is not a whole number"),
            "give a whole number of neurons",
        );
        return 0;
    }
    if n < 1.0 {
        r.at(
            path,
            format!("size {n}: a population needs at least one neuron"),
            "give size ≥ 1",
        );
        return 0;
    }
    if n > u32::MAX as f64 {
        r.at(
            path,
            format!("size {n} is larger than engram can index"),
            "use at most 4294967295 neurons",
        );
        return 0;
    }
    n as usize
}

fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// Evaluates `[let]`: each value a number or an expression over the others (any order, no
/// cycles); `overrides` replace definitions (variants, sweeps).
fn lets(r: &mut Reporter, lets: &toml::Table, overrides: &[(String, f64)]) -> Env {
    let root = FieldPath::root().key("let");
    let mut pending: Vec<(String, toml::Value)> = Vec::new();
    for (k, v) in lets {
        if !is_identifier(k) || matches!(k.as_str(), "pi") {
            r.at(
                &root.key(k),
                format!("`{k}` cannot be a name"),
                "names are letters, digits and `_`, not starting with a digit (and not `pi`)",
            );
            continue;
        }
        let v = match overrides.iter().find(|(n, _)| n == k) {
            Some((_, x)) => toml::Value::Float(*x),
            None => v.clone(),
        };
        if !matches!(
            v,
            toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::String(_)
        ) {
            r.at(
                &root.key(k),
                format!("expected a number or an expression, found {}", v.type_str()),
                "e.g. n = 100 or golgi = \"-(n - radius - 1)\"",
            );
            continue;
        }
        pending.push((k.clone(), v));
    }
    let mut env = Env::default();
    // Evaluate whatever has all its names defined, until nothing changes.
    loop {
        let before = pending.len();
        let mut rest = Vec::new();
        for (k, v) in pending {
            let ready = match &v {
                toml::Value::String(s) => expr::names(s).iter().all(|n| env.values.contains_key(n)),
                _ => true,
            };
            if ready {
                let saved = std::mem::take(&mut r.env);
                r.env = env.clone();
                let x = values::number(r, &root.key(&k), &v);
                r.env = saved;
                match x {
                    Some(x) if x.is_finite() => {
                        env.values.insert(k, x);
                    }
                    Some(x) => {
                        r.at(
                            &root.key(&k),
                            format!("`{k}` evaluates to {x}"),
                            "give a finite value",
                        );
                        r.poisoned.push(k);
                    }
                    None => r.poisoned.push(k),
                }
            } else {
                rest.push((k, v));
            }
        }
        pending = rest;
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    // What is left uses names that are undefined, failed, or in a cycle.
    let uses = |v: &toml::Value| match v {
        toml::Value::String(s) => expr::names(s),
        _ => Vec::new(),
    };
    for (k, v) in &pending {
        let undefined: Vec<String> = uses(v)
            .into_iter()
            .filter(|m| !lets.contains_key(m))
            .map(|m| format!("`{m}`"))
            .collect();
        if !undefined.is_empty() {
            r.at(
                &root.key(k),
                format!("`{k}` uses {}, which [let] does not define", undefined.join(", ")),
                "define every name it uses in [let]",
            );
            r.poisoned.push(k.clone());
        }
    }
    loop {
        let before = r.poisoned.len();
        for (k, v) in &pending {
            if !r.poisoned.contains(k) && uses(v).iter().any(|n| r.poisoned.contains(n)) {
                r.poisoned.push(k.clone()); // the root error is reported where it is
            }
        }
        if r.poisoned.len() == before {
            break;
        }
    }
    for (k, v) in &pending {
        if !r.poisoned.contains(k) {
            let waiting: Vec<String> = uses(v)
                .into_iter()
                .filter(|n| !env.values.contains_key(n))
                .map(|m| format!("`{m}`"))
                .collect();
            r.at(
                &root.key(k),
                format!("`{k}` depends on {} in a cycle", waiting.join(", ")),
                "define every name from names that do not depend on it",
            );
        }
    }
    r.poisoned.extend(pending.into_iter().map(|(k, _)| k));
    env
}

/// Overrides `[let]` values from a table (variants, sweeps): each key must exist.
fn overrides(r: &mut Reporter, path: &FieldPath, t: &toml::Table, known: &toml::Table) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (k, v) in t {
        if !known.contains_key(k) {
            let mut names: Vec<&str> = known.keys().map(String::as_str).collect();
            names.sort_unstable();
            r.at(
                &path.key(k),
                format!("`{k}` is not a [let] value of this file"),
                format!(
                    "variants and sweeps change [let] values; this file defines: {}",
                    names.join(", ")
                ),
            );
            continue;
        }
        if let Some(x) = values::finite(r, &path.key(k), v) {
            out.push((k.clone(), x));
        }
    }
    out
}

fn patterns(r: &mut Reporter, c: &CircuitToml, seed: u64) -> Vec<PatternSet> {
    let root = FieldPath::root();
    let mut sets: Vec<PatternSet> = Vec::new();
    for p in &c.pattern {
        r.failed_sets.push(p.name.clone()); // until it is made
    }
    for (i, p) in c.pattern.iter().enumerate() {
        let path = root.key("pattern").index(i);
        if p.name.is_empty() || sets.iter().any(|s| s.name == p.name) {
            r.at(
                &path.key("name"),
                format!("pattern set name `{}` is empty or used twice", p.name),
                "give every pattern set its own name",
            );
        }
        // Keys that only some kinds read: one table, checked once.
        let (kind, applies): (&str, &[&str]) = match p.kind {
            PatternKind::RandomBits => ("random_bits", &["count", "dim"]),
            PatternKind::RandomSigns => ("random_signs", &["count", "dim"]),
            PatternKind::Noisy => ("noisy", &["of", "flip", "per_level"]),
            PatternKind::Given => ("given", &["values"]),
            PatternKind::Walk => ("walk", &["world", "episodes", "steps"]),
            PatternKind::GridCode => ("grid_code", &["of", "grid"]),
        };
        for (key, present) in [
            ("count", p.count.is_some()),
            ("dim", p.dim.is_some()),
            ("of", p.of.is_some()),
            ("flip", p.flip.is_some()),
            ("per_level", p.per_level.is_some()),
            ("values", p.values.is_some()),
            ("world", p.world.is_some()),
            ("episodes", p.episodes.is_some()),
            ("steps", p.steps.is_some()),
            ("grid", p.grid.is_some()),
        ] {
            if present && !applies.contains(&key) {
                r.at(
                    &path.key(key),
                    format!("`{key}` does not apply to `kind = \"{kind}\"`"),
                    "remove it",
                );
            }
        }
        let set = match p.kind {
            PatternKind::Walk => {
                let (Some(world), Some(episodes), Some(steps)) = (&p.world, &p.episodes, &p.steps) else {
                    r.at(
                        &path,
                        "walks need `world = { size, categories }`, `episodes` and `steps`",
                        "e.g. world = { size = 11, categories = 45 }, episodes = 3, steps = 500",
                    );
                    continue;
                };
                let wp = path.key("world");
                let size = values::count(r, &wp.key("size"), &world.size, 2, 1000);
                let categories = values::count(r, &wp.key("categories"), &world.categories, 1, 100_000);
                let episodes = values::count(r, &path.key("episodes"), episodes, 1, 10_000);
                let steps = values::count(r, &path.key("steps"), steps, 1, 10_000_000);
                let (Some(size), Some(categories), Some(episodes), Some(steps)) =
                    (size, categories, episodes, steps)
                else {
                    continue;
                };
                let total = (episodes * steps) as f64 * categories as f64;
                if total > MAX_PATTERN_COMPONENTS {
                    r.at(
                        &path.key("steps"),
                        format!("{episodes} × {steps} steps of {categories} categories is more than {MAX_PATTERN_COMPONENTS:e} components"),
                        "fewer episodes, steps or categories",
                    );
                    continue;
                }
                PatternSet::walks(
                    seed,
                    &p.name,
                    size as usize,
                    categories as usize,
                    episodes as usize,
                    steps as usize,
                )
            }
            PatternKind::GridCode => {
                let (Some(of), Some(grid)) = (&p.of, &p.grid) else {
                    r.at(
                        &path,
                        "a grid code needs `of = \"<a walk set>\"` and `grid = { modules, scale, ratio, cells_per_side, threshold }`",
                        "e.g. of = \"walk\", grid = { modules = 3, scale = 3.0, ratio = 1.4, cells_per_side = 6, threshold = 0.5 }",
                    );
                    continue;
                };
                let Some(base) = sets
                    .iter()
                    .position(|s| &s.name == of && s.walks.is_some() && s.grid.is_none())
                else {
                    if r.failed_sets.contains(of) && c.pattern.iter().take(i).any(|q| &q.name == of) {
                        continue;
                    }
                    let walks: Vec<&str> = sets
                        .iter()
                        .filter(|s| s.walks.is_some() && s.grid.is_none())
                        .map(|s| s.name.as_str())
                        .collect();
                    r.at(
                        &path.key("of"),
                        format!("`{of}` is not a walk set defined above this one"),
                        format!(
                            "walk sets above: {}",
                            if walks.is_empty() {
                                "none".to_string()
                            } else {
                                walks.join(", ")
                            }
                        ),
                    );
                    continue;
                };
                let gp = path.key("grid");
                let modules = values::count(r, &gp.key("modules"), &grid.modules, 1, 100);
                let scale = values::within(r, &gp.key("scale"), &grid.scale, 1e-3, 1e6, "module spacing");
                let ratio = values::within(r, &gp.key("ratio"), &grid.ratio, 1e-3, 1e3, "spacing ratio");
                let angle = |r: &mut Reporter, key: &str, v: &Option<toml::Value>| match v {
                    Some(v) => values::within(r, &gp.key(key), v, -360.0, 360.0, "angle in degrees"),
                    None => Some(0.0),
                };
                let orientation = angle(r, "orientation_deg", &grid.orientation_deg);
                let rotation = angle(r, "rotation_deg", &grid.rotation_deg);
                let side = values::count(r, &gp.key("cells_per_side"), &grid.cells_per_side, 1, 100);
                let threshold =
                    values::within(r, &gp.key("threshold"), &grid.threshold, -1.5, 3.0, "threshold");
                let (
                    Some(modules),
                    Some(scale),
                    Some(ratio),
                    Some(orientation),
                    Some(rotation),
                    Some(side),
                    Some(threshold),
                ) = (modules, scale, ratio, orientation, rotation, side, threshold)
                else {
                    continue;
                };
                let cells = (modules * side * side) as f64;
                if cells * sets[base].len() as f64 > MAX_PATTERN_COMPONENTS {
                    r.at(
                        &gp,
                        format!(
                            "{cells} cells × {} steps is more than {MAX_PATTERN_COMPONENTS:e} components",
                            sets[base].len()
                        ),
                        "fewer modules, cells or steps",
                    );
                    continue;
                }
                let m = GridModules::new(
                    modules as usize,
                    scale,
                    ratio,
                    orientation.to_radians(),
                    rotation.to_radians(),
                );
                PatternSet::grid_code(
                    &p.name,
                    &sets[base],
                    base,
                    GridCells::new(m, side as usize, threshold),
                )
            }
            PatternKind::RandomBits | PatternKind::RandomSigns => {
                let count = p
                    .count
                    .as_ref()
                    .and_then(|v| values::count(r, &path.key("count"), v, 1, 10_000_000));
                let dim = p
                    .dim
                    .as_ref()
                    .and_then(|v| values::count(r, &path.key("dim"), v, 1, 1_000_000));
                if p.count.is_none() || p.dim.is_none() {
                    r.at(
                        &path,
                        "random patterns need `count` and `dim`",
                        "e.g. count = 50, dim = 100",
                    );
                }
                match (count, dim) {
                    (Some(n), Some(d)) if (n * d) as f64 <= MAX_PATTERN_COMPONENTS => PatternSet::random(
                        seed,
                        &p.name,
                        n as usize,
                        d as usize,
                        p.kind == PatternKind::RandomSigns,
                    ),
                    (Some(n), Some(d)) => {
                        r.at(
                            &path.key("count"),
                            format!("{n} × {d} components is more than {MAX_PATTERN_COMPONENTS:e}"),
                            "fewer or shorter patterns",
                        );
                        continue;
                    }
                    _ => continue,
                }
            }
            PatternKind::Noisy => {
                let Some(of) = &p.of else {
                    r.at(
                        &path,
                        "noisy copies need `of = \"<pattern set>\"`",
                        "name a set defined above this one",
                    );
                    continue;
                };
                let Some(base) = sets.iter().position(|s| &s.name == of) else {
                    let known: Vec<&str> = sets.iter().map(|s| s.name.as_str()).collect();
                    if r.failed_sets.contains(of) && c.pattern.iter().take(i).any(|q| &q.name == of) {
                        continue; // that set's own error is reported
                    }
                    r.at(
                        &path.key("of"),
                        format!("unknown pattern set `{of}`"),
                        format!("sets defined above: {}", known.join(", ")),
                    );
                    continue;
                };
                let flips: Vec<f64> = p
                    .flip
                    .as_deref()
                    .unwrap_or(&[])
                    .iter()
                    .enumerate()
                    .filter_map(|(j, v)| {
                        values::within(r, &path.key("flip").index(j), v, 0.0, 1.0, "flip fraction")
                    })
                    .collect();
                let per_level = p
                    .per_level
                    .as_ref()
                    .and_then(|v| values::count(r, &path.key("per_level"), v, 1, 10_000_000));
                if flips.is_empty() || per_level.is_none() {
                    r.at(
                        &path,
                        "noisy copies need `flip = [fractions]` (at least one) and `per_level ≥ 1`",
                        "e.g. flip = [0.0, 0.1, 0.2], per_level = 10",
                    );
                    continue;
                }
                let total = flips.len() as f64 * per_level.unwrap_or(0) as f64 * sets[base].dim as f64;
                if total > MAX_PATTERN_COMPONENTS {
                    r.at(
                        &path,
                        format!("{total} components is more than {MAX_PATTERN_COMPONENTS:e}"),
                        "fewer levels or copies",
                    );
                    continue;
                }
                PatternSet::noisy(
                    seed,
                    &p.name,
                    &sets[base],
                    base,
                    &flips,
                    per_level.unwrap_or(1) as usize,
                )
            }
            PatternKind::Given => {
                let Some(items) = &p.values else {
                    r.at(
                        &path,
                        "given patterns need `values = [[...], ...]`",
                        "one list per pattern, of 0/1 or ±1",
                    );
                    continue;
                };
                let dim = items.first().map_or(0, Vec::len);
                let signs = items.iter().flatten().any(|x| *x < 0.0);
                let ok = !items.is_empty()
                    && dim > 0
                    && items.iter().all(|x| x.len() == dim)
                    && items.iter().flatten().all(|x| {
                        if signs {
                            *x == 1.0 || *x == -1.0
                        } else {
                            *x == 0.0 || *x == 1.0
                        }
                    });
                if !ok {
                    r.at(
                        &path.key("values"),
                        "values must be non-empty lists of equal length, all of 0/1 or all of ±1",
                        "e.g. values = [[1, 0, 1], [0, 0, 1]]",
                    );
                    continue;
                }
                PatternSet {
                    name: p.name.clone(),
                    signs,
                    dim,
                    items: items.clone(),
                    ..Default::default()
                }
            }
        };
        r.failed_sets.retain(|f| f != &set.name);
        sets.push(set);
    }
    sets
}

fn encode(e: EncodeToml) -> Encode {
    match e {
        EncodeToml::DualRail => Encode::DualRail,
        EncodeToml::Ones => Encode::Ones,
        EncodeToml::Zeros => Encode::Zeros,
        EncodeToml::OneHot => Encode::OneHot,
        EncodeToml::OneHotInEpisode => Encode::OneHotInEpisode,
        EncodeToml::All => Encode::All,
    }
}

/// Parses circuit text; `overrides` replace `[let]` values (variants and sweep points).
pub fn validate(
    r: &mut Reporter,
    mut c: CircuitToml,
    overrides_: &[(String, f64)],
    seed: Option<u64>,
) -> Circuit {
    let root = FieldPath::root();
    if let Some(s) = seed {
        c.seed = s;
    }
    if c.name.is_empty()
        || c.name.len() > 120
        || c.name.starts_with('.')
        || !c
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "_-.".contains(ch))
    {
        r.at(
            &root.key("name"),
            format!("`{}` cannot be used as an output folder name", c.name),
            "use up to 120 letters, digits, `_`, `-` and `.`, not starting with `.`",
        );
    }
    r.env = lets(r, &c.lets, overrides_);
    let pattern_sets = patterns(r, &c, c.seed);
    r.patterns = pattern_sets
        .iter()
        .map(|s| (s.name.clone(), s.items.clone()))
        .collect();

    let mut populations: Vec<PopulationDesc> = Vec::new();
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

    let model_names = neuron::MODELS
        .iter()
        .map(|m| m.name)
        .collect::<Vec<_>>()
        .join(", ");
    for (i, p) in c.population.iter().enumerate() {
        let path = root.key("population").index(i);
        name_ok(r, &path.key("name"), &p.name, populations.len());
        let n = size(r, &path.key("size"), &p.size);
        let Some(model) = neuron::find(&p.model) else {
            r.at(
                &path.key("model"),
                format!("unknown neuron model `{}`", p.model),
                format!("models: {model_names} (spike sources are [[stimulus]] blocks)"),
            );
            populations.push(PopulationDesc {
                name: p.name.clone(),
                size: n,
                model: Model::SpikeTimes(Vec::new()),
                v_init: None,
            });
            record_spikes.push(p.record);
            continue;
        };
        let params = values::params(r, &path.key("params"), &p.params, model.params, &[], model.name);
        if let Some(ps) = &params
            && let Err(e) = (model.check)(ps)
        {
            values::report_param_error(
                r,
                &path.key("params"),
                e,
                "README.md (\"Populations and neuron models\") lists each model's parameters",
            );
        }
        let v_init = match &p.v_init {
            Some(v) if model.has_membrane => values::distribution(r, &path.key("v_init"), v),
            Some(_) => {
                r.at(
                    &path.key("v_init"),
                    format!(
                        "a `{}` neuron has no membrane potential to initialise",
                        model.name
                    ),
                    "remove `v_init`",
                );
                None
            }
            None => None,
        };
        populations.push(PopulationDesc {
            name: p.name.clone(),
            size: n,
            model: Model::Neuron(
                model,
                params.unwrap_or_else(|| crate::engine::params::Params::defaults(model.params)),
            ),
            v_init,
        });
        record_spikes.push(p.record);
    }

    // Spike lists of `spike_times` stimuli, which phases add to.
    let mut spike_lists: Vec<Option<Vec<Vec<f64>>>> = vec![None; populations.len()];
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
        match s.model {
            SourceModelToml::Poisson => {
                not_for(r, "times_ms", s.times_ms.is_some(), "poisson");
                let rate_hz = match &s.rate_hz {
                    Some(v) => values::number(r, &path.key("rate_hz"), v).unwrap_or(0.0),
                    None => {
                        r.at(&path, "a poisson stimulus needs `rate_hz`", "e.g. rate_hz = 10.0");
                        0.0
                    }
                };
                if !(rate_hz >= 0.0 && rate_hz.is_finite()) {
                    r.at(
                        &path.key("rate_hz"),
                        format!("rate {rate_hz} Hz is not a finite rate ≥ 0"),
                        "give a rate ≥ 0 Hz",
                    );
                }
                let start_ms = s
                    .start_ms
                    .as_ref()
                    .and_then(|v| values::number(r, &path.key("start_ms"), v))
                    .unwrap_or(0.0);
                let stop_ms = s
                    .stop_ms
                    .as_ref()
                    .and_then(|v| values::number(r, &path.key("stop_ms"), v))
                    .unwrap_or(f64::INFINITY);
                if !(start_ms >= 0.0 && start_ms < stop_ms) {
                    r.at(
                        &path.key("start_ms"),
                        format!("start {start_ms} ms is not in [0, stop = {stop_ms})"),
                        "give 0 ≤ start_ms < stop_ms",
                    );
                }
                let n = s.size.as_ref().map_or(1, |v| size(r, &path.key("size"), v));
                populations.push(PopulationDesc {
                    name: s.name.clone(),
                    size: n,
                    model: Model::Poisson(PoissonParams {
                        rate_hz,
                        start_ms,
                        stop_ms,
                    }),
                    v_init: None,
                });
                spike_lists.push(None);
            }
            SourceModelToml::SpikeTimes => {
                not_for(r, "rate_hz", s.rate_hz.is_some(), "spike_times");
                not_for(r, "start_ms", s.start_ms.is_some(), "spike_times");
                not_for(r, "stop_ms", s.stop_ms.is_some(), "spike_times");
                let mut sz = s.size.as_ref().map(|v| size(r, &path.key("size"), v));
                // Each neuron's list of presented times costs 24 bytes before anything runs.
                if let Some(n) = sz
                    && s.times_ms.is_none()
                    && n as f64 * 24.0 > 0.25 * budget::memory_bytes()
                {
                    r.at(
                        &path.key("size"),
                        format!(
                            "size {n}: the spike lists of that many neurons alone need {:.1} GiB",
                            n as f64 * 24.0 / 1024f64.powi(3)
                        ),
                        "give fewer neurons",
                    );
                    sz = Some(1);
                }
                let times = match (&s.times_ms, sz) {
                    (Some(t), _) => t.clone(),
                    (None, Some(n)) => vec![Vec::new(); n],
                    (None, None) => {
                        r.at(&path, "a spike_times stimulus needs `times_ms = [[t, ...], ...]` (one list per neuron) or `size` (spikes presented by phases)", "");
                        vec![Vec::new()]
                    }
                };
                for (j, list) in times.iter().enumerate() {
                    if let Some(t) = list.iter().find(|t| !(**t >= 0.0 && t.is_finite())) {
                        r.at(
                            &path.key("times_ms").index(j),
                            format!("spike time {t} ms is negative or not finite"),
                            "spike times are ≥ 0 ms",
                        );
                    }
                }
                if let Some(n) = sz
                    && n != times.len()
                {
                    r.at(
                        &path.key("size"),
                        format!("size {n} but {} lists of times", times.len()),
                        "give one list of times per neuron, or leave out `size`",
                    );
                }
                if times.is_empty() {
                    r.at(
                        &path.key("times_ms"),
                        "no neurons: `times_ms` is empty",
                        "give one list of times per neuron",
                    );
                }
                populations.push(PopulationDesc {
                    name: s.name.clone(),
                    size: times.len(),
                    model: Model::SpikeTimes(Vec::new()),
                    v_init: None,
                });
                spike_lists.push(Some(times));
            }
        }
        record_spikes.push(s.record);
    }

    // Projections: names first (teachers refer to projections further down).
    let mut proj_names: Vec<String> = Vec::new();
    for (i, p) in c.projection.iter().enumerate() {
        let name = p.name.clone().unwrap_or_else(|| format!("{}->{}", p.pre, p.post));
        if proj_names.contains(&name) {
            r.at(
                &root.key("projection").index(i).key("name"),
                format!("a projection called `{name}` already exists"),
                "give the projections distinct `name`s",
            );
        }
        proj_names.push(name);
    }
    let known_pops = |index: &HashMap<String, usize>| {
        let mut known: Vec<&str> = index.keys().map(String::as_str).collect();
        known.sort_unstable();
        known.join(", ")
    };
    let mut projections: Vec<ProjectionDesc> = Vec::new();
    // File index of each kept projection, and (teacher projection, file index of its target).
    let mut kept: Vec<usize> = Vec::new();
    let mut teachers: Vec<(usize, usize)> = Vec::new();
    for (i, p) in c.projection.iter().enumerate() {
        let path = root.key("projection").index(i);
        let find = |r: &mut Reporter, key: &str, who: &str| -> Option<usize> {
            let found = index.get(who).copied();
            if found.is_none() {
                r.at(
                    &path.key(key),
                    format!("unknown population `{who}`"),
                    format!("known populations and stimuli: {}", known_pops(&index)),
                );
            }
            found
        };
        let pre = find(r, "pre", &p.pre);
        let post = find(r, "post", &p.post);
        let sizes = match (pre, post) {
            (Some(a), Some(b)) => Some(Sizes {
                n_pre: populations[a].size,
                n_post: populations[b].size,
                no_self: a == b && !p.autapses,
            }),
            _ => None,
        };
        let rule = values::connectivity(r, &path.key("connectivity"), &p.connectivity, sizes);
        let listed_weights = rule
            .as_ref()
            .and_then(|x| x.connect.listed())
            .is_some_and(|l| l.weights.is_some());
        let weight = match &p.weight {
            Some(w) => values::distribution(r, &path.key("weight"), w),
            None if listed_weights || p.teacher_of.is_some() || p.receptor.is_some() => {
                Some(Distribution::Fixed(0.0))
            }
            None => {
                r.at(
                    &path,
                    "missing `weight`",
                    "add `weight = <mV>` (a number, an expression or a distribution)",
                );
                None
            }
        };
        if let Some(d) = &weight {
            // Weights are stored as f32; a normal without bounds reaches mean ± 40 sd at most.
            let (low, high) = match *d {
                Distribution::Normal { mean, std, low, high } => {
                    (low.max(mean - 40.0 * std), high.min(mean + 40.0 * std))
                }
                _ => d.range(),
            };
            if low.abs() > MAX_WEIGHT || high.abs() > MAX_WEIGHT {
                r.at(
                    &path.key("weight"),
                    format!(
                        "weights can reach {}; a synapse holds |w| ≤ {MAX_WEIGHT:.3e}",
                        values::show(if low.abs() > high.abs() { low } else { high })
                    ),
                    "give a weight that fits (weights are stored as 32-bit floats)",
                );
            }
        }
        let delay = values::distribution(r, &path.key("delay_ms"), &p.delay_ms);
        if let Some(d) = &delay {
            let (low, high) = d.range();
            if low.is_nan() || low < MIN_DELAY_MS {
                r.at(
                    &path.key("delay_ms"),
                    format!("delays can be as small as {} ms; the shortest delay engram resolves is {MIN_DELAY_MS} ms", values::show(low)),
                    format!("give delays ≥ {MIN_DELAY_MS} ms (a distribution with low ≥ {MIN_DELAY_MS})"),
                );
            } else if high > 1e7 {
                r.at(
                    &path.key("delay_ms"),
                    format!("delays up to {high} ms"),
                    "give delays below 10⁷ ms",
                );
            }
        }
        let delay_step = p
            .delay_step_ms
            .as_ref()
            .and_then(|v| values::number(r, &path.key("delay_step_ms"), v))
            .unwrap_or(0.1);
        if !(delay_step > 0.0 && delay_step.is_finite()) {
            r.at(
                &path.key("delay_step_ms"),
                format!("delay step {delay_step} ms is not positive"),
                "e.g. delay_step_ms = 0.1",
            );
        }
        let plasticity = p
            .plasticity
            .as_ref()
            .and_then(|t| values::plasticity(r, &path.key("plasticity"), t));
        let receptor = match (&p.receptor, post.and_then(|k| populations[k].model.neuron())) {
            (None, _) => Some(0),
            (Some(name), Some(model)) => {
                let k = model.receptor(name);
                if k.is_none() {
                    r.at(
                        &path.key("receptor"),
                        format!("model `{}` has no receptor `{name}`", model.name),
                        format!("its receptors: {}", model.receptors.join(", ")),
                    );
                }
                k
            }
            (Some(_), None) => None,
        };
        let storage = match p.storage {
            None | Some(StorageToml::Auto) => Storage::Auto,
            Some(StorageToml::Sparse) => Storage::Sparse,
            Some(StorageToml::Dense) => Storage::Dense,
            Some(StorageToml::Bits) => Storage::Bits,
        };
        let (Some(pre), Some(post), Some(rule), Some(weight), Some(delay), Some(receptor)) =
            (pre, post, rule, weight, delay, receptor)
        else {
            continue;
        };
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
        let desc = ProjectionDesc {
            name: proj_names[i].clone(),
            pre,
            post,
            rule,
            weight,
            delay,
            delay_step,
            autapses: p.autapses,
            storage,
            plasticity,
            teacher_of: None,
            receptor,
            double: p.precision.map(|x| x == super::schema::PrecisionToml::F64),
        };
        let sizes = sizes.expect("pre and post known");
        let transmits = populations[post]
            .model
            .neuron()
            .is_none_or(|m| m.transmits(receptor));
        let special = p.teacher_of.is_some() || (receptor != 0 && transmits);
        if let Some(pl) = &desc.plasticity
            && pl.rule.uses_post
            && !populations[post].model.neuron().is_some_and(|m| m.fires)
        {
            r.at(
                &path.key("plasticity").key("rule"),
                format!(
                    "rule `{}` learns from postsynaptic spikes, but `{}` ({}) never fires",
                    pl.rule.name,
                    p.post,
                    populations[post].model.name()
                ),
                "attach it to a projection onto neurons that fire (lif, escape_noise, parrot)",
            );
            continue;
        }
        // Storage that cannot hold this projection's wiring or weights.
        let storage_error = match desc.resolved_storage() {
            Storage::Bits if !(desc.weight.is_fixed() && desc.delay.is_fixed()) => Some(
                "bit storage holds one fixed weight and one fixed delay; this projection draws them"
                    .to_string(),
            ),
            Storage::Bits
                if desc
                    .rule
                    .connect
                    .listed()
                    .is_some_and(|l| l.weights.is_some() || l.delays.is_some()) =>
            {
                Some("bit storage cannot hold per-synapse weights or delays".to_string())
            }
            Storage::Bits | Storage::Dense if special => {
                Some("teacher and receptor projections need sparse storage".to_string())
            }
            Storage::Bits if desc.plasticity.is_some() => {
                Some("plastic weights need dense storage".to_string())
            }
            Storage::Sparse if desc.plasticity.is_some() => Some(
                "plastic weights need dense storage (plasticity acts on dense weight matrices)".to_string(),
            ),
            Storage::Dense if !desc.rule.connect.all_pairs(sizes) => Some(format!(
                "dense storage holds every pair connected; rule `{}` does not connect every pair",
                desc.rule.name
            )),
            Storage::Dense if !desc.delay.is_fixed() => {
                Some("dense storage holds one fixed delay; this projection draws delays".to_string())
            }
            s if p.precision.is_some() && s != Storage::Dense => {
                Some("`precision` applies to dense weights only".to_string())
            }
            _ => None,
        };
        if let Some(e) = storage_error {
            r.at(
                &path.key(if p.storage.is_some() { "storage" } else { "plasticity" }),
                format!("storage `{}` cannot hold this projection: {e}", desc.resolved_storage().name()),
                "choose `storage = \"sparse\"` (any wiring), \"dense\" (all_to_all, one delay; plasticity) or \"bits\" (one fixed weight and delay), or leave it out",
            );
            continue;
        }
        if let Some(t) = &p.teacher_of {
            match proj_names.iter().position(|n| n == t) {
                Some(k) => teachers.push((projections.len(), k)),
                None => r.at(
                    &path.key("teacher_of"),
                    format!("unknown projection `{t}`"),
                    format!("projections: {}", proj_names.join(", ")),
                ),
            }
        }
        kept.push(i);
        projections.push(desc);
    }
    for (t, target_file) in teachers {
        let path = root.key("projection").index(kept[t]).key("teacher_of");
        let Some(target) = kept.iter().position(|&f| f == target_file) else {
            continue; // the target had an error of its own
        };
        let rule = projections[target].plasticity.as_ref().map(|pl| pl.rule);
        if !rule.is_some_and(|r| r.uses_teacher) {
            r.at(
                &path,
                format!("projection `{}` has no plasticity rule that takes a teacher", projections[target].name),
                "give that projection `plasticity = { rule = ... }` (climbing_fibre_kernel, one_shot_hebb), or remove `teacher_of`",
            );
            continue;
        }
        if projections[target].post != projections[t].post {
            r.at(
                &path,
                format!(
                    "a teacher reaches the postsynaptic neurons of `{}` (population `{}`), but this projection targets `{}`",
                    projections[target].name, populations[projections[target].post].name, populations[projections[t].post].name
                ),
                "aim the teacher at the plastic projection's postsynaptic population",
            );
            continue;
        }
        projections[t].teacher_of = Some(target);
    }

    // Summed (bit, dense), teacher and receptor events travel in the ring of future epochs,
    // each epoch as long as the shortest delay: their delays must fit in it.
    let min_delay = projections
        .iter()
        .map(|p| p.delay.range().0)
        .fold(f64::INFINITY, f64::min);
    let ring = (crate::engine::simulation::MAX_SLOTS - 2) as f64;
    for (k, p) in projections.iter().enumerate() {
        let ringed = p.resolved_storage() != Storage::Sparse || p.teacher_of.is_some() || p.receptor != 0;
        if ringed && p.delay.range().1 > ring * min_delay {
            r.at(
                &root.key("projection").index(kept[k]).key("delay_ms"),
                format!(
                    "delay {} ms is more than {ring} times the shortest delay ({min_delay} ms); bit, dense, teacher and receptor projections need delays within that",
                    p.delay.range().1
                ),
                "shorten this delay, lengthen the shortest one, or store the projection as sparse",
            );
        }
    }

    let mut protocol = Protocol {
        patterns: pattern_sets,
        phases: Vec::new(),
        readouts: Vec::new(),
    };
    let mut changes = Vec::new();
    phases(
        r,
        &c,
        &mut protocol,
        &populations,
        &spike_lists,
        &projections,
        &mut changes,
    );
    readouts(r, &c, &mut protocol, &populations, &index, &projections);
    feedback(r, &c, &mut protocol, &populations, &spike_lists);

    // Spikes the protocol presents.
    let sizes: Vec<usize> = populations.iter().map(|p| p.size).collect();
    let presented = protocol.spike_count(&sizes);
    if presented > MAX_PROTOCOL_SPIKES {
        r.at(
            &root.key("phase"),
            format!("the phases present {presented:.3e} spikes; at most {MAX_PROTOCOL_SPIKES:e}"),
            "fewer trials, shorter patterns, or a longer `every_ms`",
        );
    } else if r.errors.is_empty() {
        protocol.compile(&mut spike_lists);
    }
    for (k, list) in spike_lists.into_iter().enumerate() {
        if let Some(l) = list {
            populations[k].size = l.len();
            populations[k].model = Model::SpikeTimes(l);
        }
    }

    let last_phase_end = protocol.phases.iter().map(Phase::end).fold(0.0, f64::max);
    let duration_ms = match &c.duration_ms {
        Some(v) => {
            let d = values::number(r, &root.key("duration_ms"), v).unwrap_or(f64::NAN);
            if !(d > 0.0 && d.is_finite()) {
                r.at(
                    &root.key("duration_ms"),
                    format!("duration {d} ms is not positive"),
                    "give the simulated time in ms, e.g. duration_ms = 1000.0",
                );
            } else if d < last_phase_end {
                r.at(
                    &root.key("duration_ms"),
                    format!("the run stops at {d} ms, before the last phase ends ({last_phase_end} ms)"),
                    "lengthen duration_ms, or leave it out to stop at the end of the last phase",
                );
            }
            d
        }
        None if last_phase_end > 0.0 => last_phase_end,
        None => {
            r.at(
                &root,
                "missing `duration_ms`",
                "give the simulated time in ms (files with phases may leave it out)",
            );
            1.0
        }
    };
    if duration_ms > 1e9 {
        r.at(
            &root.key("duration_ms"),
            format!("{duration_ms} ms of simulated time"),
            "at most 10⁹ ms (11.6 days)",
        );
    }
    // Each epoch lasts the shortest delay: bound the number of epochs a run steps through.
    if let Some((k, p)) = projections
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.delay.range().0.total_cmp(&b.1.delay.range().0))
    {
        let epochs = duration_ms / p.delay.range().0;
        if epochs > MAX_EPOCHS && p.delay.range().0 >= MIN_DELAY_MS {
            r.at(
                &root.key("projection").index(kept[k]).key("delay_ms"),
                format!(
                    "the shortest delay, {} ms, cuts {duration_ms} ms into {} epochs",
                    values::show(p.delay.range().0),
                    values::show(epochs)
                ),
                format!("at most {MAX_EPOCHS:e} epochs: lengthen the shortest delay or shorten the run"),
            );
        }
    }

    // Poisson sources: every spike they fire is held until the run ends (16 bytes each).
    for pop in &populations {
        if let Model::Poisson(pp) = &pop.model
            && pp.rate_hz.is_finite()
        {
            let active = (pp.stop_ms.min(duration_ms) - pp.start_ms).max(0.0);
            let spikes = pop.size as f64 * pp.rate_hz * active / 1000.0;
            if spikes * 16.0 > 0.5 * budget::memory_bytes() || spikes > MAX_SOURCE_SPIKES {
                let at = c
                    .stimulus
                    .iter()
                    .position(|s| s.name == pop.name)
                    .map_or(root.clone(), |i| root.key("stimulus").index(i).key("rate_hz"));
                r.at(
                    &at,
                    format!(
                        "`{}` would fire about {} spikes ({} neurons × {} Hz × {} ms)",
                        pop.name,
                        values::show(spikes),
                        pop.size,
                        values::show(pp.rate_hz),
                        values::show(active)
                    ),
                    format!("at most {MAX_SOURCE_SPIKES:e} spikes, and half the memory budget at 16 bytes each ({}): lower the rate, the size or the duration", budget::describe()),
                );
            }
        }
    }

    let network = NetworkDesc {
        seed: c.seed,
        populations,
        projections,
    };
    let need = network.estimated_bytes();
    let have = budget::memory_bytes();
    if need > 0.8 * have {
        // Point at the largest part: a population's size or a projection's connectivity.
        let gib = |b: f64| b / 1073741824.0;
        let pops = network
            .populations
            .iter()
            .map(|p| (NetworkDesc::population_bytes(p), Some(p), None));
        let projs = network
            .projections
            .iter()
            .enumerate()
            .map(|(k, p)| (network.projection_bytes(p), None, Some(k)));
        let largest = pops.chain(projs).max_by(|a, b| a.0.total_cmp(&b.0));
        let (at, part) = match largest {
            Some((b, Some(p), _)) => {
                let at = if let Some(i) = c.stimulus.iter().position(|s| s.name == p.name) {
                    root.key("stimulus").index(i).key("size")
                } else if let Some(i) = c.population.iter().position(|q| q.name == p.name) {
                    root.key("population").index(i).key("size")
                } else {
                    root.clone()
                };
                (
                    at,
                    format!("population `{}`: {} neurons, {:.1} GiB", p.name, p.size, gib(b)),
                )
            }
            Some((b, None, Some(k))) => (
                root.key("projection").index(kept[k]).key("connectivity"),
                format!(
                    "projection `{}`: {} GiB",
                    network.projections[k].name,
                    values::show((gib(b) * 10.0).round() / 10.0)
                ),
            ),
            _ => (root.clone(), String::new()),
        };
        r.at(
            &at,
            format!(
                "the network needs about {} GiB (the largest part, {part}); {}",
                values::show((gib(need) * 10.0).round() / 10.0),
                budget::describe()
            ),
            "reduce sizes or connection probabilities",
        );
    }

    let mut recorders = recorders(r, &c, &network, &index, &proj_names, &kept, duration_ms);
    let mut keep_spikes = record_spikes.clone();
    readout_recorders(&protocol, &network, &mut recorders, &mut keep_spikes);
    for rec in &recorders {
        if let Recorder::Membrane { neurons, times, .. } = rec
            && neurons.len() as f64 * times.len() as f64 > MAX_SAMPLES
        {
            r.at(
                &root.key("recorder"),
                format!(
                    "{} neurons × {} sample times is more than 10⁸ samples",
                    neurons.len(),
                    times.len()
                ),
                "record fewer neurons or use a longer interval_ms",
            );
        }
    }

    let format = match c.output.format {
        FormatToml::Parquet => TableFormat::Parquet,
        FormatToml::Csv => TableFormat::Csv,
    };
    output_budget(r, &c, &network, &record_spikes, &recorders, format, duration_ms);

    let compare = c
        .compare
        .iter()
        .enumerate()
        .map(|(i, t)| CompareBlock {
            path: root.key("compare").index(i),
            table: t.clone(),
        })
        .collect();
    let variants = variants(r, &c);
    let sweeps = sweeps(r, &c);

    Circuit {
        name: c.name,
        description: c.description,
        source: r.src.path.clone(),
        text: r.src.text.clone(),
        duration_ms,
        env: r.env.clone(),
        network,
        record_spikes,
        keep_spikes,
        recorders,
        changes,
        output: OutputOptions {
            format,
            raster: c.output.raster,
            phase_rasters: c.output.phase_rasters,
            connections: c.output.connections,
            initial_state: c.output.initial_state,
        },
        protocol,
        compare,
        variants,
        sweeps,
    }
}

/// `[[phase]]` blocks: timing, presented volleys, plasticity switches.
fn phases(
    r: &mut Reporter,
    c: &CircuitToml,
    protocol: &mut Protocol,
    populations: &[PopulationDesc],
    spike_lists: &[Option<Vec<Vec<f64>>>],
    projections: &[ProjectionDesc],
    changes: &mut Vec<ScheduledChange>,
) {
    let root = FieldPath::root();
    let set_names = protocol
        .patterns
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut previous_end = 0.0;
    let mut spans: Vec<(f64, f64, usize)> = Vec::new();
    for (i, ph) in c.phase.iter().enumerate() {
        let path = root.key("phase").index(i);
        if ph.name.is_empty() || protocol.phases.iter().any(|p| p.name == ph.name) {
            r.at(
                &path.key("name"),
                format!("phase name `{}` is empty or used twice", ph.name),
                "give every phase its own name",
            );
        }
        let set = match (&ph.each, &ph.trials) {
            (Some(each), None) => {
                let Some(set) = protocol.pattern(each) else {
                    if r.failed_sets.contains(each) {
                        continue;
                    }
                    r.at(
                        &path.key("each"),
                        format!("unknown pattern set `{each}`"),
                        format!("pattern sets: {set_names}"),
                    );
                    continue;
                };
                set
            }
            (None, Some(n)) => {
                let Some(n) = values::count(r, &path.key("trials"), n, 1, 10_000_000) else {
                    continue;
                };
                // Trials without a pattern: a set of n empty items.
                protocol.patterns.push(PatternSet {
                    name: format!("{}:trials", ph.name),
                    items: vec![Vec::new(); n as usize],
                    ..Default::default()
                });
                protocol.patterns.len() - 1
            }
            _ => {
                r.at(
                    &path,
                    "a phase needs exactly one of `each` (one trial per item of a pattern set) and `trials` (a number)",
                    "e.g. each = \"keys\", or trials = 60",
                );
                continue;
            }
        };
        let each_name = protocol.patterns[set].name.clone();
        let interval =
            values::duration(r, &path.key("interval_ms"), &ph.interval_ms, 1e-3).unwrap_or(f64::NAN);
        let start = match &ph.start_ms {
            Some(v) => values::duration(r, &path.key("start_ms"), v, 0.0).unwrap_or(f64::NAN),
            None => previous_end,
        };
        let mut plasticity = Vec::new();
        for (name, on) in &ph.plasticity {
            let Some(k) = projections.iter().position(|p| &p.name == name) else {
                r.at(
                    &path.key("plasticity").key(name),
                    format!("unknown projection `{name}`"),
                    "name a projection that has `plasticity`",
                );
                continue;
            };
            if projections[k].plasticity.is_none() {
                r.at(
                    &path.key("plasticity").key(name),
                    format!("projection `{name}` has no plasticity rule to switch"),
                    "give it `plasticity = { rule = ... }`, or remove this key",
                );
                continue;
            }
            match on {
                toml::Value::Boolean(b) => plasticity.push((k, *b)),
                _ => r.at(
                    &path.key("plasticity").key(name),
                    "expected true or false",
                    "e.g. plasticity = { parallel_fibre = false }",
                ),
            }
        }
        let mut reset_each_episode = Vec::new();
        for (j, name) in ph.reset_each_episode.iter().enumerate() {
            let at = path.key("reset_each_episode").index(j);
            match projections.iter().position(|p| &p.name == name) {
                Some(k) if projections[k].plasticity.is_some() => reset_each_episode.push(k),
                Some(_) => r.at(
                    &at,
                    format!("projection `{name}` has no plasticity rule: its weights never change"),
                    "name plastic projections only",
                ),
                None => r.at(
                    &at,
                    format!("unknown projection `{name}`"),
                    "name a projection that has `plasticity`",
                ),
            }
        }
        if !ph.reset_each_episode.is_empty() && protocol.patterns[set].episode_len().is_none() {
            r.at(
                &path.key("reset_each_episode"),
                format!(
                    "the phase's set `{}` has no episodes",
                    protocol.patterns[set].name
                ),
                "reset per episode in a phase over a walk set (`each` = a set of kind walk or grid_code)",
            );
        }
        let feedback_repeats = match &ph.feedback {
            Some(f) => values::count(r, &path.key("feedback").key("repeats"), &f.repeats, 1, 1000)
                .unwrap_or(0) as usize,
            None => 0,
        };
        let trials = protocol.patterns[set].len();
        let phase = Phase {
            name: ph.name.clone(),
            set,
            start,
            interval,
            trials,
            presentations: 1 + feedback_repeats,
            plasticity,
            reset_each_episode,
            present: Vec::new(),
            feedback: None,
        };
        let span = (phase.presentations as f64) * interval;
        let mut present = Vec::new();
        for (j, pr) in ph.present.iter().enumerate() {
            let pp = path.key("present").index(j);
            let stim = populations.iter().position(|p| p.name == pr.to);
            let Some(stim) = stim.filter(|&k| spike_lists[k].is_some()) else {
                let sources: Vec<&str> = populations
                    .iter()
                    .zip(spike_lists)
                    .filter(|(_, l)| l.is_some())
                    .map(|(p, _)| p.name.as_str())
                    .collect();
                r.at(
                    &pp.key("to"),
                    if stim.is_some() {
                        format!("`{}` is not a spike_times stimulus", pr.to)
                    } else {
                        format!("unknown stimulus `{}`", pr.to)
                    },
                    format!(
                        "present to a [[stimulus]] with model = \"spike_times\"; this file has: {}",
                        sources.join(", ")
                    ),
                );
                continue;
            };
            let set_name = pr.pattern.as_deref().unwrap_or(&each_name);
            let Some(pset) = protocol.pattern(set_name) else {
                if r.failed_sets.iter().any(|f| f == set_name) {
                    continue;
                }
                r.at(
                    &pp.key("pattern"),
                    format!("unknown pattern set `{set_name}`"),
                    format!("pattern sets: {set_names}"),
                );
                continue;
            };
            let this = &protocol.patterns[set];
            let other = &protocol.patterns[pset];
            let base_len = this.base.map(|b| protocol.patterns[b].len());
            let align = if pset == set || (this.base.is_none() && other.len() == this.len()) {
                Align::Same
            } else if this.base == Some(pset) || base_len == Some(other.len()) {
                Align::Target
            } else if other.len() == this.len() {
                Align::Same
            } else {
                r.at(
                    &pp.key("pattern"),
                    format!("cannot pair the {} items of `{}` with the {} trials of `{}`", other.len(), other.name, this.len(), this.name),
                    "present the phase's own set, a set of the same size, or (for noisy copies) the set they copy or one of its size",
                );
                continue;
            };
            let enc = encode(pr.encode);
            let size = spike_lists[stim].as_ref().map_or(0, Vec::len);
            if let Some(want) = enc.size_for(other.dim, other.len(), other.episode_len())
                && want != size
            {
                r.at(
                    &pp.key("encode"),
                    format!(
                        "`{}` of `{}` ({} components, {} items) needs {want} neurons; `{}` has {size}",
                        enc.name(),
                        other.name,
                        other.dim,
                        other.len(),
                        pr.to
                    ),
                    "dual_rail: 2·dim neurons; ones/zeros: dim; one_hot: one per item; one_hot_in_episode: one per step of an episode; all: any size",
                );
                continue;
            }
            let at = pr
                .at_ms
                .as_ref()
                .and_then(|v| values::duration(r, &pp.key("at_ms"), v, 0.0))
                .unwrap_or(0.0);
            let every = pr
                .every_ms
                .as_ref()
                .and_then(|v| values::duration(r, &pp.key("every_ms"), v, 1e-3))
                .unwrap_or(0.0);
            let until = match (&pr.until_ms, every > 0.0) {
                (Some(v), true) => values::duration(r, &pp.key("until_ms"), v, 0.0).unwrap_or(at),
                (None, true) => {
                    r.at(
                        &pp,
                        "`every_ms` needs `until_ms` (where the repeats stop, from the presentation)",
                        "e.g. every_ms = 20.0, until_ms = 2000.0",
                    );
                    at
                }
                (Some(_), false) => {
                    r.at(
                        &pp.key("until_ms"),
                        "`until_ms` applies only with `every_ms`",
                        "remove it, or add every_ms",
                    );
                    at
                }
                (None, false) => at,
            };
            if at >= span || until > span {
                r.at(
                    &pp.key(if at >= span { "at_ms" } else { "until_ms" }),
                    format!("spikes at {} ms after a presentation fall into the next trial ({span} ms apart)", at.max(until)),
                    "keep at_ms and until_ms within interval_ms (times the presentations of a feedback trial)",
                );
                continue;
            }
            present.push(Present {
                stimulus: stim,
                set: pset,
                align,
                encode: enc,
                at,
                every,
                until,
            });
        }
        let phase = Phase { present, ..phase };
        if start.is_finite() && interval.is_finite() {
            for &(a, b, k) in &spans {
                if start < b && phase.end() > a {
                    r.at(
                        &path.key(if ph.start_ms.is_some() { "start_ms" } else { "name" }),
                        format!("phase `{}` [{start}, {}) ms overlaps phase `{}` [{a}, {b}) ms", ph.name, phase.end(), protocol.phases[k].name),
                        "give start_ms at or after the other phase's end, or leave it out to follow the previous phase",
                    );
                }
            }
            spans.push((start, phase.end(), protocol.phases.len()));
            previous_end = phase.end();
            for &(k, on) in &phase.plasticity {
                changes.push(ScheduledChange {
                    time: start,
                    projection: k,
                    plasticity: on,
                });
            }
        }
        protocol.phases.push(phase);
    }
    if protocol
        .phases
        .iter()
        .map(|p| p.trials * p.presentations)
        .sum::<usize>()
        > 10_000_000
    {
        r.at(&root.key("phase"), "more than 10⁷ presentations", "fewer trials");
    }
}

/// `[[readout]]` blocks.
fn readouts(
    r: &mut Reporter,
    c: &CircuitToml,
    protocol: &mut Protocol,
    populations: &[PopulationDesc],
    index: &HashMap<String, usize>,
    projections: &[ProjectionDesc],
) {
    let root = FieldPath::root();
    for (i, ro) in c.readout.iter().enumerate() {
        let path = root.key("readout").index(i);
        if ro.name.is_empty() || protocol.readouts.iter().any(|x| x.name == ro.name) {
            r.at(
                &path.key("name"),
                format!("readout name `{}` is empty or used twice", ro.name),
                "give every readout its own name",
            );
        }
        let kind = ro.kind;
        let mut projection = None;
        let mut synapses = Vec::new();
        let pop = if kind == ReadoutKind::WeightChange {
            if ro.population.is_some() {
                r.at(
                    &path.key("population"),
                    "a weight_change readout reads a projection",
                    "give `projection` instead",
                );
            }
            let Some(name) = &ro.projection else {
                r.at(
                    &path,
                    "a weight_change readout needs `projection`",
                    "name a [[projection]]",
                );
                continue;
            };
            let Some(k) = projections.iter().position(|p| &p.name == name) else {
                r.at(
                    &path.key("projection"),
                    format!("unknown projection `{name}`"),
                    "name it as in its `name` (default `pre->post`)",
                );
                continue;
            };
            let (n_pre, n_post) = (
                populations[projections[k].pre].size,
                populations[projections[k].post].size,
            );
            for (j, pair) in ro.synapses.iter().flatten().enumerate() {
                match pair[..] {
                    [a, b] if a >= 0 && b >= 0 && (a as usize) < n_pre && (b as usize) < n_post => {
                        synapses.push((a as u32, b as u32))
                    }
                    _ => r.at(
                        &path.key("synapses").index(j),
                        format!("{pair:?} is not a [pre, post] pair inside {n_pre} × {n_post}"),
                        "indices start at 0",
                    ),
                }
            }
            projection = Some(k);
            projections[k].post
        } else {
            if ro.projection.is_some() || ro.synapses.is_some() {
                r.at(
                    &path.key("projection"),
                    "`projection` and `synapses` apply to weight_change readouts",
                    "remove them",
                );
            }
            let Some(name) = &ro.population else {
                r.at(
                    &path,
                    format!("a {} readout needs `population`", kind.name()),
                    "name a population or stimulus",
                );
                continue;
            };
            let Some(&pop) = index.get(name) else {
                r.at(
                    &path.key("population"),
                    format!("unknown population `{name}`"),
                    "name a population or stimulus",
                );
                continue;
            };
            pop
        };
        let need = match kind {
            ReadoutKind::InputSum => Some("input"),
            ReadoutKind::MembraneChange => Some("v_m"),
            _ => None,
        };
        if let Some(var) = need
            && !populations[pop].model.neuron().is_some_and(|m| m.records(var))
        {
            let able: Vec<&str> = neuron::MODELS
                .iter()
                .filter(|m| m.records(var))
                .map(|m| m.name)
                .collect();
            r.at(
                &path.key("kind"),
                format!(
                    "`{}` ({}) does not record `{var}`",
                    populations[pop].name,
                    populations[pop].model.name()
                ),
                format!("models that do: {}", able.join(", ")),
            );
            continue;
        }
        let phases: Vec<usize> = match &ro.phases {
            None => (0..protocol.phases.len()).collect(),
            Some(names) => names
                .iter()
                .enumerate()
                .filter_map(|(j, n)| {
                    let k = protocol.phase(n);
                    if k.is_none() {
                        r.at(
                            &path.key("phases").index(j),
                            format!("unknown phase `{n}`"),
                            "name a [[phase]]",
                        );
                    }
                    k
                })
                .collect(),
        };
        let from = values::duration(r, &path.key("from_ms"), &ro.from_ms, 0.0).unwrap_or(f64::NAN);
        let to = values::duration(r, &path.key("to_ms"), &ro.to_ms, 0.0).unwrap_or(f64::NAN);
        if from.is_nan() || to.is_nan() || from >= to {
            r.at(
                &path.key("to_ms"),
                format!("the window [{from}, {to}) ms is empty"),
                "give from_ms < to_ms",
            );
            continue;
        }
        for &k in &phases {
            let ph = &protocol.phases[k];
            if to > ph.interval {
                r.at(
                    &path.key("to_ms"),
                    format!("the window ends {to} ms after a presentation, after the next one in phase `{}` ({} ms apart)", ph.name, ph.interval),
                    "end the window within the phase's interval_ms",
                );
            }
        }
        let prefixes: Vec<f64> = match (&ro.prefixes_ms, kind) {
            (None, _) => Vec::new(),
            (Some(list), ReadoutKind::Counts) => list
                .iter()
                .enumerate()
                .filter_map(|(j, v)| {
                    let p = values::number(r, &path.key("prefixes_ms").index(j), v)?;
                    if !(p > 0.0 && p <= to - from) {
                        r.at(
                            &path.key("prefixes_ms").index(j),
                            format!("{p} ms is not in (0, to_ms − from_ms]"),
                            "",
                        );
                        return None;
                    }
                    Some(p)
                })
                .collect(),
            (Some(_), _) => {
                r.at(
                    &path.key("prefixes_ms"),
                    "`prefixes_ms` applies to `counts` readouts only",
                    "remove it",
                );
                Vec::new()
            }
        };
        if kind == ReadoutKind::WeightChange {
            let per = if synapses.is_empty() {
                projection.map_or(0.0, |k| {
                    let p = &projections[k];
                    populations[p.pre].size as f64 * populations[p.post].size as f64
                })
            } else {
                synapses.len() as f64
            };
            let presentations: usize = phases
                .iter()
                .map(|&k| protocol.phases[k].trials * protocol.phases[k].presentations)
                .sum();
            if per * presentations as f64 > MAX_SAMPLES {
                r.at(
                    &path.key("projection"),
                    format!("{per} weights × {presentations} presentations is more than 10⁸ values"),
                    "list fewer `synapses`, or read fewer phases",
                );
                continue;
            }
        }
        // Vector readouts hold one value per neuron, presentation and window.
        if matches!(
            kind,
            ReadoutKind::Counts | ReadoutKind::InputSum | ReadoutKind::MembraneChange
        ) {
            let presentations: usize = phases
                .iter()
                .map(|&k| protocol.phases[k].trials * protocol.phases[k].presentations)
                .sum();
            let values = populations[pop].size as f64 * presentations as f64 * (1 + prefixes.len()) as f64;
            if values > MAX_SAMPLES {
                r.at(
                    &path.key("population"),
                    format!(
                        "{} neurons × {presentations} presentations is {values:.3e} values, more than 10⁸",
                        populations[pop].size
                    ),
                    "read fewer phases or a smaller population",
                );
                continue;
            }
        }
        protocol.readouts.push(Readout {
            name: ro.name.clone(),
            kind,
            population: pop,
            phases,
            from,
            to,
            prefixes,
            projection,
            synapses,
        });
    }
}

/// Phase `feedback` (after readouts exist).
fn feedback(
    r: &mut Reporter,
    c: &CircuitToml,
    protocol: &mut Protocol,
    populations: &[PopulationDesc],
    spike_lists: &[Option<Vec<Vec<f64>>>],
) {
    let root = FieldPath::root();
    for (i, ph) in c.phase.iter().enumerate() {
        let Some(f) = &ph.feedback else { continue };
        let path = root.key("phase").index(i).key("feedback");
        let Some(k) = protocol.phase(&ph.name) else {
            continue;
        };
        let Some(ro) = protocol.readout(&f.readout) else {
            r.at(
                &path.key("readout"),
                format!("unknown readout `{}`", f.readout),
                "name a [[readout]] taken in this phase",
            );
            continue;
        };
        let readout = &protocol.readouts[ro];
        if matches!(
            readout.kind,
            ReadoutKind::Fired | ReadoutKind::Counts | ReadoutKind::WeightChange
        ) || !readout.phases.contains(&k)
        {
            r.at(
                &path.key("readout"),
                format!(
                    "readout `{}` is not a vector taken in phase `{}`",
                    f.readout, ph.name
                ),
                "feed back a membrane_change or input_sum readout that lists this phase",
            );
            continue;
        }
        let stim = populations
            .iter()
            .position(|p| p.name == f.to)
            .filter(|&s| spike_lists[s].is_some());
        let Some(stim) = stim else {
            r.at(
                &path.key("to"),
                format!("`{}` is not a spike_times stimulus", f.to),
                "feed back into a [[stimulus]] with model = \"spike_times\"",
            );
            continue;
        };
        let enc = encode(f.encode);
        let dim = populations[readout.population].size;
        let size = spike_lists[stim].as_ref().map_or(0, Vec::len);
        if matches!(enc, Encode::OneHot | Encode::OneHotInEpisode | Encode::All)
            || enc.size_for(dim, 1, None) != Some(size)
        {
            r.at(
                &path.key("encode"),
                format!(
                    "`{}` of a {dim}-component readout does not fit `{}` ({size} neurons)",
                    enc.name(),
                    f.to
                ),
                "dual_rail needs 2·dim neurons, ones/zeros dim",
            );
            continue;
        }
        protocol.phases[k].feedback = Some(Feedback {
            readout: ro,
            stimulus: stim,
            encode: enc,
            repeats: protocol.phases[k].presentations - 1,
        });
    }
}

/// The file's `[[recorder]]` blocks.
fn recorders(
    r: &mut Reporter,
    c: &CircuitToml,
    network: &NetworkDesc,
    index: &HashMap<String, usize>,
    proj_names: &[String],
    kept: &[usize],
    duration_ms: f64,
) -> Vec<Recorder> {
    let root = FieldPath::root();
    let mut recorders = Vec::new();
    for (i, rec) in c.recorder.iter().enumerate() {
        let path = root.key("recorder").index(i);
        let times = match (&rec.times_ms, &rec.interval_ms) {
            (Some(t), None) => {
                let membrane = rec.kind == RecorderKind::Membrane;
                let mut t: Vec<f64> = t
                    .iter()
                    .enumerate()
                    .filter_map(|(j, v)| {
                        let at = path.key("times_ms").index(j);
                        let x = values::duration(r, &at, v, 0.0)?;
                        // Membrane samples are taken before the run's end; weights up to it.
                        if x > duration_ms || (membrane && x == duration_ms) {
                            r.at(
                                &at,
                                format!(
                                    "{} ms is outside the run (0 to {duration_ms} ms)",
                                    values::show(x)
                                ),
                                if membrane {
                                    "give times < duration_ms"
                                } else {
                                    "give times ≤ duration_ms"
                                },
                            );
                            return None;
                        }
                        Some(x)
                    })
                    .collect();
                t.sort_by(f64::total_cmp);
                t
            }
            (None, Some(v)) => {
                let dt = values::number(r, &path.key("interval_ms"), v).unwrap_or(f64::NAN);
                if !(dt > 0.0 && dt.is_finite()) {
                    r.at(
                        &path.key("interval_ms"),
                        format!("interval {dt} ms is not positive"),
                        "e.g. interval_ms = 0.1",
                    );
                    continue;
                }
                let n = (duration_ms / dt).ceil();
                if n > MAX_SAMPLES {
                    r.at(
                        &path.key("interval_ms"),
                        format!("{n:.3e} sample times"),
                        "use a longer interval_ms",
                    );
                    continue;
                }
                (0..n as usize)
                    .map(|k| k as f64 * dt)
                    .filter(|t| *t < duration_ms)
                    .collect()
            }
            (None, None) if matches!(rec.kind, RecorderKind::Inputs | RecorderKind::WeightTrace) => {
                Vec::new()
            }
            _ => {
                r.at(&path, "give exactly one of `times_ms` and `interval_ms`", "");
                continue;
            }
        };
        match rec.kind {
            RecorderKind::Membrane | RecorderKind::Inputs => {
                let var = if rec.kind == RecorderKind::Membrane {
                    "v_m"
                } else {
                    "input"
                };
                let Some(pname) = &rec.population else {
                    r.at(&path, "this recorder needs `population`", "");
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
                if !pd.model.neuron().is_some_and(|m| m.records(var)) {
                    r.at(
                        &path.key("population"),
                        format!("`{pname}` ({}) does not record `{var}`", pd.model.name()),
                        "record a lif or integrator population",
                    );
                    continue;
                }
                // Before listing "every neuron": a recorder of more samples than allowed stops here.
                let count = rec.neurons.as_ref().map_or(pd.size, Vec::len) as f64;
                let samples = count * (times.len().max(1) as f64);
                if samples > MAX_SAMPLES {
                    r.at(
                        &path.key(if rec.neurons.is_some() {
                            "neurons"
                        } else {
                            "population"
                        }),
                        format!(
                            "{} neurons × {} times is {} samples, more than {MAX_SAMPLES:e}",
                            values::show(count),
                            times.len().max(1),
                            values::show(samples)
                        ),
                        "record fewer neurons (`neurons = [...]`) or fewer times",
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
                if rec.kind == RecorderKind::Membrane {
                    recorders.push(Recorder::Membrane {
                        population: pop,
                        neurons,
                        times,
                    });
                } else {
                    if rec.times_ms.is_some() || rec.interval_ms.is_some() {
                        r.at(
                            &path,
                            "an inputs recorder records every input jump; it takes no times",
                            "remove times_ms / interval_ms",
                        );
                    }
                    recorders.push(Recorder::Inputs {
                        population: pop,
                        neurons,
                    });
                }
            }
            RecorderKind::WeightTrace => {
                if rec.times_ms.is_some()
                    || rec.interval_ms.is_some()
                    || rec.population.is_some()
                    || rec.neurons.is_some()
                {
                    r.at(&path, "a weight_trace recorder logs every change of its synapses; it takes `projection` and `synapses` only", "remove the other keys");
                    continue;
                }
                let Some(pname) = &rec.projection else {
                    r.at(
                        &path,
                        "a weight_trace recorder needs `projection`",
                        "name a plastic projection",
                    );
                    continue;
                };
                let Some(k) = proj_names
                    .iter()
                    .position(|n| n == pname)
                    .and_then(|f| kept.iter().position(|&x| x == f))
                else {
                    // A projection with an error of its own is not reported again here.
                    if !proj_names.contains(pname) {
                        r.at(
                            &path.key("projection"),
                            format!("unknown projection `{pname}`"),
                            "name it as in its `name` (default `pre->post`)",
                        );
                    }
                    continue;
                };
                let pd = &network.projections[k];
                if pd.plasticity.is_none() {
                    r.at(
                        &path.key("projection"),
                        format!("projection `{pname}` has no plasticity: its weights never change"),
                        "trace a projection with `plasticity`",
                    );
                    continue;
                }
                let (n_pre, n_post) = (
                    network.populations[pd.pre].size,
                    network.populations[pd.post].size,
                );
                let list = rec.synapses.clone().unwrap_or_default();
                if list.is_empty() || list.len() > 10_000 {
                    r.at(
                        &path.key("synapses"),
                        "give 1 to 10000 synapses as [pre, post]",
                        "e.g. synapses = [[0, 0], [3, 1]]",
                    );
                    continue;
                }
                let mut synapses = Vec::new();
                for (j, pair) in list.iter().enumerate() {
                    match pair[..] {
                        [a, b] if a >= 0 && b >= 0 && (a as usize) < n_pre && (b as usize) < n_post => {
                            synapses.push((a as u32, b as u32))
                        }
                        _ => r.at(
                            &path.key("synapses").index(j),
                            format!("{pair:?} is not a [pre, post] pair inside {n_pre} × {n_post}"),
                            "indices start at 0",
                        ),
                    }
                }
                recorders.push(Recorder::WeightTrace {
                    projection: k,
                    synapses,
                });
            }
            RecorderKind::Weights => {
                let Some(pname) = &rec.projection else {
                    r.at(&path, "a weights recorder needs `projection`", "");
                    continue;
                };
                let k = proj_names
                    .iter()
                    .position(|n| n == pname)
                    .and_then(|f| kept.iter().position(|&x| x == f));
                match k {
                    Some(k) => {
                        let w = network.wiring(&network.projections[k]).expected_synapses();
                        if w * times.len() as f64 > MAX_SAMPLES {
                            r.at(
                                &path,
                                format!(
                                    "{w:.3e} weights × {} snapshots is more than 10⁸ values",
                                    times.len()
                                ),
                                "take fewer snapshots",
                            );
                            continue;
                        }
                        recorders.push(Recorder::Weights { projection: k, times })
                    }
                    None if proj_names.contains(pname) => {} // its own error is reported
                    None => r.at(
                        &path.key("projection"),
                        format!("unknown projection `{pname}`"),
                        "name it as in its `name` (default `pre->post`)",
                    ),
                }
            }
        }
    }
    recorders
}

/// The rows known before the run — spikes of recorded Poisson sources, membrane samples,
/// weight snapshots — against the output budget; refused at the largest part.
#[allow(clippy::too_many_arguments)]
fn output_budget(
    r: &mut Reporter,
    c: &CircuitToml,
    network: &NetworkDesc,
    record_spikes: &[bool],
    recorders: &[Recorder],
    format: TableFormat,
    duration_ms: f64,
) {
    let root = FieldPath::root();
    let mut parts: Vec<(f64, FieldPath, String)> = Vec::new();
    for (k, pop) in network.populations.iter().enumerate() {
        if let Model::Poisson(pp) = &pop.model
            && record_spikes.get(k).copied().unwrap_or(false)
        {
            let active = (pp.stop_ms.min(duration_ms) - pp.start_ms).max(0.0);
            let rows = pop.size as f64 * pp.rate_hz * active / 1000.0;
            let at = c
                .stimulus
                .iter()
                .position(|s| s.name == pop.name)
                .map_or(root.clone(), |i| root.key("stimulus").index(i).key("rate_hz"));
            parts.push((rows, at, format!("the spikes of source `{}`", pop.name)));
        }
    }
    for rec in recorders {
        match rec {
            Recorder::Membrane {
                population,
                neurons,
                times,
            } => parts.push((
                neurons.len() as f64 * times.len() as f64,
                root.key("recorder"),
                format!(
                    "membrane samples of `{}` ({} neurons × {} times)",
                    network.populations[*population].name,
                    neurons.len(),
                    times.len()
                ),
            )),
            Recorder::Weights { projection, times } => {
                let p = &network.projections[*projection];
                parts.push((
                    network.wiring(p).expected_synapses() * times.len() as f64,
                    root.key("recorder"),
                    format!("weight snapshots of `{}` ({} times)", p.name, times.len()),
                ));
            }
            Recorder::Inputs { .. } | Recorder::WeightTrace { .. } => {}
        }
    }
    let per_row = budget::row_bytes(format);
    let total: f64 = parts.iter().map(|p| p.0).sum::<f64>() * per_row;
    let have = budget::output_bytes();
    if total > have
        && let Some((rows, at, what)) = parts.into_iter().max_by(|a, b| a.0.total_cmp(&b.0))
    {
        let gib = |b: f64| values::show((b / 1073741824.0 * 100.0).round() / 100.0);
        r.at(
            &at,
            format!(
                "the outputs known before the run would take about {} GiB ({} bytes a row), the largest part {}: {} rows; {}",
                gib(total),
                per_row,
                what,
                values::show(rows.round()),
                budget::describe_output()
            ),
            "record fewer neurons, times or spikes (`record = false` keeps a population's spikes out of the spikes table), or raise --max-output-gib",
        );
    }
}

/// Recorders and spike recording that readouts need; membrane recorders of one population are
/// merged (a group keeps one membrane recording).
fn readout_recorders(
    protocol: &Protocol,
    network: &NetworkDesc,
    recorders: &mut Vec<Recorder>,
    keep_spikes: &mut [bool],
) {
    for ro in &protocol.readouts {
        let size = network.populations[ro.population].size as u32;
        match ro.kind {
            ReadoutKind::Fired | ReadoutKind::Counts => keep_spikes[ro.population] = true,
            ReadoutKind::WeightChange => {}
            ReadoutKind::InputSum => {
                let all: Vec<u32> = (0..size).collect();
                match recorders.iter_mut().find(
                    |x| matches!(x, Recorder::Inputs { population, .. } if *population == ro.population),
                ) {
                    Some(Recorder::Inputs { neurons, .. }) => *neurons = all,
                    _ => recorders.push(Recorder::Inputs {
                        population: ro.population,
                        neurons: all,
                    }),
                }
            }
            ReadoutKind::MembraneChange => {
                let mut times = Vec::new();
                for &k in &ro.phases {
                    let ph = &protocol.phases[k];
                    for t in 0..ph.trials {
                        for p in 0..ph.presentations {
                            times.push(ph.time(t, p) + ro.from);
                            times.push(ph.time(t, p) + ro.to);
                        }
                    }
                }
                recorders.push(Recorder::Membrane {
                    population: ro.population,
                    neurons: (0..size).collect(),
                    times,
                });
            }
        }
    }
    // One membrane recorder per population: union of neurons and of times.
    let mut merged: Vec<Recorder> = Vec::new();
    for rec in recorders.drain(..) {
        if let Recorder::Membrane {
            population,
            neurons,
            times,
        } = &rec
            && let Some(Recorder::Membrane {
                neurons: n, times: t, ..
            }) = merged
                .iter_mut()
                .find(|x| matches!(x, Recorder::Membrane { population: p, .. } if p == population))
        {
            n.extend(neurons);
            t.extend(times);
            continue;
        }
        merged.push(rec);
    }
    for rec in &mut merged {
        if let Recorder::Membrane { neurons, times, .. } = rec {
            neurons.sort_unstable();
            neurons.dedup();
            times.sort_by(f64::total_cmp);
            times.dedup();
        }
    }
    *recorders = merged;
}

/// A variant's or sweep's `name`: an identifier no earlier one of its kind uses.
fn distinct_name(r: &mut Reporter, path: &FieldPath, kind: &str, name: &str, taken: bool) {
    if taken {
        r.at(
            &path.key("name"),
            format!("another {kind} is already called `{name}`"),
            format!("give each {kind} its own name"),
        );
    } else if !is_identifier(name) {
        r.at(
            &path.key("name"),
            format!("{kind} name `{name}` is not a name"),
            "letters, digits and `_`, not starting with a digit",
        );
    }
}

fn variants(r: &mut Reporter, c: &CircuitToml) -> Vec<Variant> {
    let root = FieldPath::root();
    let mut out: Vec<Variant> = Vec::new();
    for (i, v) in c.variant.iter().enumerate() {
        let path = root.key("variant").index(i);
        let taken = out.iter().any(|x| x.name == v.name);
        distinct_name(r, &path, "variant", &v.name, taken);
        let overrides = overrides(r, &path.key("let"), &v.lets, &c.lets);
        out.push(Variant {
            name: v.name.clone(),
            description: v.description.clone(),
            overrides,
        });
    }
    out
}

fn sweeps(r: &mut Reporter, c: &CircuitToml) -> Vec<Sweep> {
    let root = FieldPath::root();
    let mut out: Vec<Sweep> = Vec::new();
    for (i, s) in c.sweep.iter().enumerate() {
        let path = root.key("sweep").index(i);
        let taken = out.iter().any(|x| x.name == s.name);
        distinct_name(r, &path, "sweep", &s.name, taken);
        let fixed = overrides(r, &path.key("let"), &s.lets, &c.lets);
        let mut over = Vec::new();
        for (name, v) in &s.over {
            let vp = path.key("over").key(name);
            if !c.lets.contains_key(name) {
                let mut names: Vec<&str> = c.lets.keys().map(String::as_str).collect();
                names.sort_unstable();
                r.at(
                    &vp,
                    format!("cannot sweep `{name}`: it is not a [let] value of this file"),
                    format!(
                        "sweeps change [let] values; this file defines: {}",
                        names.join(", ")
                    ),
                );
                continue;
            }
            let values_: Vec<f64> = match v {
                toml::Value::Array(a) => a
                    .iter()
                    .enumerate()
                    .filter_map(|(j, x)| values::finite(r, &vp.index(j), x))
                    .collect(),
                toml::Value::Table(t) => {
                    values::check_keys(r, &vp, t, &["from", "to", "step"]);
                    let get =
                        |r: &mut Reporter, k: &str| t.get(k).and_then(|x| values::finite(r, &vp.key(k), x));
                    match (get(r, "from"), get(r, "to"), get(r, "step")) {
                        (Some(a), Some(b), Some(st)) if st > 0.0 && b >= a && (b - a) / st <= 10_000.0 => {
                            let n = ((b - a) / st + 1e-9).floor() as usize;
                            (0..=n).map(|k| a + k as f64 * st).collect()
                        }
                        _ => {
                            r.at(
                                &vp,
                                "a range needs from ≤ to and step > 0, at most 10⁴ points",
                                "e.g. { from = 0.0, to = 1.0, step = 0.1 }",
                            );
                            Vec::new()
                        }
                    }
                }
                _ => {
                    r.at(
                        &vp,
                        "expected a list of values or { from, to, step }",
                        "e.g. beta = [0.01, 0.1, 1.0]",
                    );
                    Vec::new()
                }
            };
            if values_.is_empty() {
                r.at(
                    &vp,
                    format!("no values to sweep `{name}` over"),
                    "give at least one value",
                );
                continue;
            }
            over.push((name.clone(), values_));
        }
        if over.is_empty() {
            r.at(
                &path.key("over"),
                "a sweep needs at least one swept [let] name",
                "e.g. over = { beta = [0.01, 0.1] }",
            );
        }
        let points: f64 = over.iter().map(|(_, v)| v.len() as f64).product();
        if points > 10_000.0 {
            r.at(
                &path.key("over"),
                format!("{points} sweep points"),
                "at most 10⁴ points",
            );
        }
        let many = matches!(s.plot, super::schema::OneOrMany::Many(_));
        let plots = s.plot.as_slice().iter().enumerate().map(|(j, p)| {
            let pp = if many {
                path.key("plot").index(j)
            } else {
                path.key("plot")
            };
            if !over.iter().any(|(n, _)| *n == p.x) {
                r.at(
                    &pp.key("x"),
                    format!("`{}` is not swept here", p.x),
                    "plot against one of the `over` names",
                );
            }
            SweepPlot {
                x: p.x.clone(),
                y: p.y.clone(),
                log_x: p.log_x,
                log_y: p.log_y,
                title: p.title.clone(),
            }
        });
        let plots = plots.collect();
        out.push(Sweep {
            name: s.name.clone(),
            path,
            fixed,
            over,
            plots,
        });
    }
    out
}
