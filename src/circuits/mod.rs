//! Circuits: turn circuit descriptions and protocols into engine networks and runs.

pub mod builtin;
pub mod cerebellum;
pub mod generic;
pub mod hippocampus;

use crate::config::{self, Circuit, ConfigErrors};

/// A circuit file of any kind.
pub enum Loaded {
    /// Populations and projections given directly.
    Network(Circuit),
    /// `circuit = "cerebellum_sdm"`.
    Cerebellum(Box<cerebellum::spec::CerebellumToml>, String),
    /// `circuit = "hippocampus_hopfield"`.
    Hippocampus(Box<hippocampus::spec::HippocampusToml>, String),
}

impl Loaded {
    pub fn name(&self) -> &str {
        match self {
            Loaded::Network(c) => &c.name,
            Loaded::Cerebellum(c, _) => &c.name,
            Loaded::Hippocampus(c, _) => &c.name,
        }
    }

    pub fn set_seed(&mut self, seed: u64) {
        match self {
            Loaded::Network(c) => c.network.seed = seed,
            Loaded::Cerebellum(c, _) => c.seed = seed,
            Loaded::Hippocampus(c, _) => c.seed = seed,
        }
    }
}

/// Parses a circuit file: a `circuit = "..."` key selects a built circuit, otherwise the file
/// describes a network directly.
pub fn parse(path: &str, text: &str) -> Result<Loaded, ConfigErrors> {
    let kind = toml::from_str::<toml::Table>(text)
        .ok()
        .and_then(|t| t.get("circuit").and_then(|v| v.as_str().map(str::to_string)));
    match kind.as_deref() {
        Some("hippocampus_hopfield") => {
            hippocampus::spec::parse(path, text).map(|c| Loaded::Hippocampus(Box::new(c), path.to_string()))
        }
        Some("cerebellum_sdm") => {
            cerebellum::spec::parse(path, text).map(|c| Loaded::Cerebellum(Box::new(c), path.to_string()))
        }
        Some(other) => {
            let src = config::source::SourceFile::new(path, text.to_string());
            let mut r = config::error::Reporter::new(&src);
            r.at(
                &config::source::FieldPath::root().key("circuit"),
                format!("unknown circuit `{other}`"),
                "built circuits: \"cerebellum_sdm\", \"hippocampus_hopfield\"; leave `circuit` out to describe a network",
            );
            Err(ConfigErrors(r.errors))
        }
        None => config::parse(path, text).map(Loaded::Network),
    }
}

/// Reads and parses a circuit file.
pub fn load(path: &std::path::Path) -> Result<Loaded, ConfigErrors> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&path.display().to_string(), &text),
        Err(_) => config::load(path).map(Loaded::Network),
    }
}
