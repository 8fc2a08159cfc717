//! Circuit files: the TOML schema, validation, and errors that name file, line and field.

pub mod circuit;
pub mod error;
pub mod schema;
pub mod source;
pub mod validate;
pub mod values;

pub use circuit::{Circuit, OutputOptions, Recorder, ScheduledChange};
pub use error::{ConfigError, ConfigErrors};

use error::Reporter;
use source::SourceFile;

/// Parses and validates circuit text; `path` is used in error messages.
pub fn parse(path: &str, text: &str) -> Result<Circuit, ConfigErrors> {
    let src = SourceFile::new(path, text.to_string());
    let mut r = Reporter::new(&src);
    let raw: schema::CircuitToml = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            r.toml(&e);
            return Err(ConfigErrors(r.errors));
        }
    };
    let circuit = validate::validate(&mut r, raw);
    r.finish(circuit)
}

/// Deserialises `text` as `T` (whose schema refuses unknown keys), then lets `check` report
/// semantic errors at field paths; every error names file, line, column and field.
pub fn parse_checked<T: serde::de::DeserializeOwned>(
    path: &str,
    text: &str,
    check: impl FnOnce(&mut Reporter, &T),
) -> Result<T, ConfigErrors> {
    let src = SourceFile::new(path, text.to_string());
    let mut r = Reporter::new(&src);
    match toml::from_str::<T>(text) {
        Ok(value) => {
            check(&mut r, &value);
            r.finish(value)
        }
        Err(e) => {
            r.toml(&e);
            Err(ConfigErrors(r.errors))
        }
    }
}

/// Reads, parses and validates a circuit file.
pub fn load(path: &std::path::Path) -> Result<Circuit, ConfigErrors> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&shown, &text),
        Err(e) => Err(ConfigErrors(vec![ConfigError {
            file: shown,
            line: 0,
            column: 0,
            field: String::new(),
            message: format!("cannot read the file: {e}"),
            hint: Some("check the path; `engram run` with no argument runs the built-in circuits".into()),
        }])),
    }
}
