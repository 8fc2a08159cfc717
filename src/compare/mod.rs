//! Where named readouts meet the math. A comparison is one folder (its keys and their checks,
//! its metrics, its figures) plus one line in `COMPARISONS`; a `[[compare]]` block names it
//! with `model = "..."` and hands it pattern sets, phases and readouts by name.

pub mod attention;
pub mod hopfield;
pub mod plasticity;
pub mod sdm;
pub mod tem;

use std::path::Path;

use serde_json::Value;

use crate::config::Circuit;
use crate::config::circuit::CompareBlock;
use crate::config::error::Reporter;
use crate::config::protocol::ReadoutKind;
use crate::config::source::FieldPath;
use crate::config::values;
use crate::experiment::simulate::RunResult;

/// The comparisons a circuit file can name, one line each.
pub static COMPARISONS: &[&Comparison] = &[
    &sdm::COMPARISON,
    &hopfield::modern::COMPARISON,
    &hopfield::classical::COMPARISON,
    &attention::COMPARISON,
    &plasticity::COMPARISON,
    &tem::COMPARISON,
];

pub fn find(name: &str) -> Option<&'static Comparison> {
    COMPARISONS.iter().copied().find(|c| c.name == name)
}

/// What a key of a `[[compare]]` block names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// A `[[pattern]]` set.
    Pattern,
    /// A `[[phase]]`.
    Phase,
    /// A `[[projection]]`.
    Projection,
    /// A number (or expression).
    Number,
    /// A `[[readout]]` of this kind, given in the block's `readouts = { ... }` table.
    Readout(ReadoutKind),
}

/// One key of a comparison.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub kind: KeyKind,
    pub required: bool,
    pub doc: &'static str,
}

impl Key {
    pub const fn new(name: &'static str, kind: KeyKind, required: bool, doc: &'static str) -> Self {
        Key {
            name,
            kind,
            required,
            doc,
        }
    }
}

/// A comparison as the circuit format sees it.
pub struct Comparison {
    pub name: &'static str,
    pub summary: &'static str,
    pub keys: &'static [Key],
    pub check: fn(&mut Keys) -> Option<Box<dyn Spec>>,
}

/// A checked `[[compare]]` block, ready to compare a run.
pub trait Spec: Send + Sync {
    fn compare(&self, run: &RunResult) -> Result<Box<dyn Outcome>, String>;
}

/// A curve that variants of one file overlay in one plot.
#[derive(Clone, Debug)]
pub struct Curve {
    pub id: &'static str,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_y: bool,
    pub points: Vec<(f64, f64)>,
}

/// What a comparison measured.
pub trait Outcome: Send {
    /// Everything, for `summary.json` under `comparison.<name>`.
    fn metrics(&self) -> Value;
    /// Single numbers (for `sweep.csv` and the variants table).
    fn scalars(&self) -> Vec<(String, f64)>;
    /// One line for the terminal.
    fn headline(&self) -> String;
    /// A section of `report.md`.
    fn report(&self) -> String;
    /// Plots and tables into `dir`.
    fn figures(&self, dir: &Path, run: &RunResult) -> Result<(), String>;
    /// Curves to overlay across variants.
    fn curves(&self) -> Vec<Curve> {
        Vec::new()
    }
}

/// Reads a `[[compare]]` block's keys against its comparison's list, resolving names to the
/// circuit's pattern sets, phases, projections and readouts; every error is located.
pub struct Keys<'a, 'r> {
    pub r: &'a mut Reporter<'r>,
    pub path: FieldPath,
    pub table: &'a toml::Table,
    pub circuit: &'a Circuit,
    pub comparison: &'static Comparison,
}

impl Keys<'_, '_> {
    fn spec(&self, name: &str) -> &'static Key {
        self.comparison
            .keys
            .iter()
            .find(|k| k.name == name)
            .expect("comparisons read only the keys they declare")
    }

    fn raw(&mut self, name: &str) -> Option<(FieldPath, toml::Value)> {
        let key = self.spec(name);
        let (path, v) = if let KeyKind::Readout(_) = key.kind {
            let p = self.path.key("readouts");
            (p.key(name), self.table.get("readouts").and_then(|t| t.get(name)))
        } else {
            (self.path.key(name), self.table.get(name))
        };
        if v.is_none() && key.required {
            let (at, written) = match key.kind {
                KeyKind::Readout(kind) => (
                    self.path.key("readouts"),
                    format!("readouts = {{ {name} = \"<a {} readout>\" }}", kind.name()),
                ),
                _ => (self.path.clone(), format!("{name} = ...")),
            };
            self.r.at(
                &at,
                format!(
                    "comparison `{}` needs `{name}` ({})",
                    self.comparison.name, key.doc
                ),
                format!("add `{written}`"),
            );
        }
        v.map(|v| (path, v.clone()))
    }

    fn name_of(&mut self, name: &str) -> Option<(FieldPath, String)> {
        let (path, v) = self.raw(name)?;
        match v.as_str() {
            Some(s) => Some((path, s.to_string())),
            None => {
                self.r.at(
                    &path,
                    format!("expected a name in quotes, found {}", v.type_str()),
                    "",
                );
                None
            }
        }
    }

    pub fn pattern(&mut self, name: &str) -> Option<usize> {
        let (path, s) = self.name_of(name)?;
        let k = self.circuit.protocol.pattern(&s);
        if k.is_none() {
            let known: Vec<&str> = self
                .circuit
                .protocol
                .patterns
                .iter()
                .map(|p| p.name.as_str())
                .collect();
            self.r.at(
                &path,
                format!("unknown pattern set `{s}`"),
                format!("pattern sets: {}", known.join(", ")),
            );
        }
        k
    }

    pub fn phase(&mut self, name: &str) -> Option<usize> {
        let (path, s) = self.name_of(name)?;
        let k = self.circuit.protocol.phase(&s);
        if k.is_none() {
            let known: Vec<&str> = self
                .circuit
                .protocol
                .phases
                .iter()
                .map(|p| p.name.as_str())
                .collect();
            self.r.at(
                &path,
                format!("unknown phase `{s}`"),
                format!("phases: {}", known.join(", ")),
            );
        }
        k
    }

    pub fn projection(&mut self, name: &str) -> Option<usize> {
        let (path, s) = self.name_of(name)?;
        let k = self.circuit.projection(&s);
        if k.is_none() {
            let known: Vec<&str> = self
                .circuit
                .network
                .projections
                .iter()
                .map(|p| p.name.as_str())
                .collect();
            self.r.at(
                &path,
                format!("unknown projection `{s}`"),
                format!("projections: {}", known.join(", ")),
            );
        }
        k
    }

    pub fn number(&mut self, name: &str) -> Option<f64> {
        let (path, v) = self.raw(name)?;
        values::finite(self.r, &path, &v)
    }

    /// An optional whole number in `[1, high]`; `default` when the block leaves it out.
    pub fn count_or(&mut self, name: &str, default: u64, high: u64) -> Option<u64> {
        match self.raw(name) {
            Some((path, v)) => values::count(self.r, &path, &v, 1, high),
            None => Some(default),
        }
    }

    /// A readout of the declared kind, taken in each of `phases`.
    pub fn readout(&mut self, name: &str, phases: &[usize]) -> Option<usize> {
        let KeyKind::Readout(kind) = self.spec(name).kind else {
            return None;
        };
        let (path, s) = self.name_of(name)?;
        let Some(k) = self.circuit.protocol.readout(&s) else {
            let known: Vec<&str> = self
                .circuit
                .protocol
                .readouts
                .iter()
                .map(|p| p.name.as_str())
                .collect();
            self.r.at(
                &path,
                format!("unknown readout `{s}`"),
                format!("readouts: {}", known.join(", ")),
            );
            return None;
        };
        let ro = &self.circuit.protocol.readouts[k];
        if ro.kind != kind {
            let fits: Vec<&str> = self
                .circuit
                .protocol
                .readouts
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.name.as_str())
                .collect();
            self.r.at(
                &path,
                format!(
                    "readout `{s}` is `{}`; `{name}` needs a `{}` readout",
                    ro.kind.name(),
                    kind.name()
                ),
                if fits.is_empty() {
                    format!("add a [[readout]] with kind = \"{}\"", kind.name())
                } else {
                    format!("readouts of that kind: {}", fits.join(", "))
                },
            );
            return None;
        }
        if let Some(&missing) = phases.iter().find(|p| !ro.phases.contains(p)) {
            let phase = &self.circuit.protocol.phases[missing].name;
            self.r.at(
                &path,
                format!("readout `{s}` is not taken in phase `{phase}`"),
                format!("add \"{phase}\" to its `phases`"),
            );
            return None;
        }
        Some(k)
    }

    /// Reports an error about the block as a whole (or about `key`).
    pub fn error(&mut self, key: &str, message: impl Into<String>, hint: impl Into<String>) {
        let p = if key.is_empty() {
            self.path.clone()
        } else {
            self.path.key(key)
        };
        self.r.at(&p, message, hint);
    }
}

/// Checks every `[[compare]]` block of `circuit`.
pub fn check_all(r: &mut Reporter, circuit: &Circuit) -> Vec<(String, Box<dyn Spec>)> {
    let names = COMPARISONS.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
    let mut out: Vec<(String, Box<dyn Spec>)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for block in &circuit.compare {
        let CompareBlock { path, table } = block;
        let Some(model) = table.get("model").and_then(|m| m.as_str()) else {
            r.at(
                path,
                "a [[compare]] block needs `model = \"...\"`",
                format!("models: {names}"),
            );
            continue;
        };
        let Some(comparison) = find(model) else {
            r.at(
                &path.key("model"),
                format!("unknown comparison model `{model}`"),
                format!("models: {names}"),
            );
            continue;
        };
        let name = match table.get("name") {
            Some(toml::Value::String(s)) => s.clone(),
            Some(_) => {
                r.at(&path.key("name"), "expected a name in quotes", "");
                continue;
            }
            None => model.to_string(),
        };
        if seen.contains(&name) {
            r.at(
                path,
                format!("two comparisons are called `{name}`"),
                "give one of them `name = \"...\"`",
            );
        }
        seen.push(name.clone());
        // Unknown keys, at the top and in `readouts`.
        let mut allowed: Vec<&str> = vec!["model", "name", "readouts"];
        allowed.extend(
            comparison
                .keys
                .iter()
                .filter(|k| !matches!(k.kind, KeyKind::Readout(_)))
                .map(|k| k.name),
        );
        values::check_keys(r, path, table, &allowed);
        match table.get("readouts") {
            Some(toml::Value::Table(t)) => {
                let roles: Vec<&str> = comparison
                    .keys
                    .iter()
                    .filter(|k| matches!(k.kind, KeyKind::Readout(_)))
                    .map(|k| k.name)
                    .collect();
                values::check_keys(r, &path.key("readouts"), t, &roles);
            }
            Some(_) => r.at(
                &path.key("readouts"),
                "expected a table of readout names",
                "e.g. readouts = { counts = \"memory_counts\" }",
            ),
            None => {}
        }
        let mut keys = Keys {
            r,
            path: path.clone(),
            table,
            circuit,
            comparison,
        };
        if let Some(spec) = (comparison.check)(&mut keys) {
            out.push((name, spec));
        }
    }
    out
}
