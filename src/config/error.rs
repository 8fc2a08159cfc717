//! Errors in circuit files: where (file, line, column, field), what, and how to fix it.

use super::expr::Env;
use super::source::{FieldPath, SourceFile};

#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub field: String,
    pub message: String,
    pub hint: Option<String>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "field `{}`: ", self.field)?;
        }
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// Every error found in one file.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl std::fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Collects errors against one source file; `env` holds the `[let]` values expressions use,
/// and `context` (e.g. "variant `no_pool`") is prefixed to every message.
pub struct Reporter<'a> {
    pub src: &'a SourceFile,
    pub errors: Vec<ConfigError>,
    pub env: Env,
    pub context: String,
    /// `[let]` names whose definition has an error (reported once, where it is defined).
    pub poisoned: Vec<String>,
    /// The pattern sets defined so far (name, items), for parameters that name one.
    pub patterns: Vec<(String, Vec<Vec<f64>>)>,
    /// Pattern sets whose definition has an error (references to them are not reported again).
    pub failed_sets: Vec<String>,
}

impl<'a> Reporter<'a> {
    pub fn new(src: &'a SourceFile) -> Self {
        Reporter {
            src,
            errors: Vec::new(),
            env: Env::default(),
            context: String::new(),
            poisoned: Vec::new(),
            patterns: Vec::new(),
            failed_sets: Vec::new(),
        }
    }

    /// An error about the field at `path`.
    pub fn at(&mut self, path: &FieldPath, message: impl Into<String>, hint: impl Into<String>) {
        let offset = self.src.locate(path).map_or(0, |r| r.start);
        let (line, column) = self.src.line_col(offset);
        let hint: String = hint.into();
        let message: String = message.into();
        let message = if self.context.is_empty() {
            message
        } else {
            format!("{}: {message}", self.context)
        };
        let error = ConfigError {
            file: self.src.path.clone(),
            line,
            column,
            field: path.to_string(),
            message,
            hint: (!hint.is_empty()).then_some(hint),
        };
        // The same problem found twice (e.g. in several variants) is reported once.
        if !self.errors.contains(&error) {
            self.errors.push(error);
        }
    }

    /// An error from the TOML parser or deserializer (syntax, unknown key, wrong type).
    pub fn toml(&mut self, e: &toml::de::Error) {
        let offset = e.span().map_or(0, |r| r.start);
        let (line, column) = self.src.line_col(offset);
        let message = e.message().trim().to_string();
        let hint = if message.contains("unknown field") {
            "remove or correct the key; README.md (\"Circuit format\") lists every key"
        } else if message.contains("invalid type") {
            "give the value the type the message names (numbers without quotes, names in quotes)"
        } else if message.contains("missing field") {
            "add the field; README.md (\"Circuit format\") shows an example"
        } else {
            "check the TOML syntax at that line"
        };
        let mut field = self.src.path_at(offset).to_string();
        if field.is_empty() {
            // Unparseable text has no field tree: name the key written on that line, if any.
            let text = self.src.text.lines().nth(line.saturating_sub(1)).unwrap_or("");
            field = text.split_once('=').map_or("", |(k, _)| k.trim()).to_string();
        }
        self.errors.push(ConfigError {
            file: self.src.path.clone(),
            line,
            column,
            field,
            message,
            hint: Some(hint.to_string()),
        });
    }

    pub fn finish<T>(self, value: T) -> Result<T, ConfigErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(ConfigErrors(self.errors))
        }
    }
}
