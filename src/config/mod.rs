//! Circuit files: the TOML schema, validation, and errors that name file, line and field.

pub mod budget;
pub mod circuit;
pub mod error;
pub mod expr;
pub mod protocol;
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
    parse_with(path, text, &[], None, "")
}

/// Like `parse`, with `[let]` values replaced (a variant or a sweep point) and the seed
/// replaced if given; `context` names the variant or point in error messages.
pub fn parse_with(
    path: &str,
    text: &str,
    overrides: &[(String, f64)],
    seed: Option<u64>,
    context: &str,
) -> Result<Circuit, ConfigErrors> {
    let src = SourceFile::new(path, text.to_string());
    let mut r = Reporter::new(&src);
    r.context = context.to_string();
    let raw: schema::CircuitToml = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            r.toml(&e);
            return Err(ConfigErrors(r.errors));
        }
    };
    let circuit = validate::validate(&mut r, raw, overrides, seed);
    r.finish(circuit)
}

/// Reads, parses and validates a circuit file.
pub fn load(path: &std::path::Path) -> Result<Circuit, ConfigErrors> {
    let text = read(path)?;
    parse(&path.display().to_string(), &text)
}

/// Reads a circuit file's text; a file that cannot be read is bad input like any other.
pub fn read(path: &std::path::Path) -> Result<String, ConfigErrors> {
    std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: path.display().to_string(),
            line: 0,
            column: 0,
            field: String::new(),
            message: format!("cannot read the file: {e}"),
            hint: Some("check the path; `engram run` with no argument runs the built-in circuits".into()),
        }])
    })
}
