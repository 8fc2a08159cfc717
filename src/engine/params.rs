//! Named, typed parameters of neuron models, plasticity rules and connectivity rules.
//!
//! Each model or rule lists its parameters once (name, kind, default, unit, meaning); the circuit
//! format reads and checks a file's table against that list, the JSON Schema is generated from
//! it, and the model or rule reads the checked values back by name.

/// What a parameter holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// A real number (an expression in circuit files).
    Number,
    /// A whole number ≥ 0.
    Count,
    /// true or false.
    Flag,
    /// A list of [i, j] index pairs.
    Pairs,
    /// A list of real numbers.
    Numbers,
    /// The name of a `[[pattern]]` set; the format hands over its vectors.
    Pattern,
}

/// A parameter's default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamDefault {
    /// The file must give it.
    Required,
    /// Absent unless the file gives it.
    Optional,
    Number(f64),
    Count(u64),
    Flag(bool),
}

/// One parameter of a model or rule.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamKind,
    pub default: ParamDefault,
    pub unit: &'static str,
    pub doc: &'static str,
}

impl Param {
    pub const fn number(
        name: &'static str,
        default: ParamDefault,
        unit: &'static str,
        doc: &'static str,
    ) -> Self {
        Param {
            name,
            kind: ParamKind::Number,
            default,
            unit,
            doc,
        }
    }
    pub const fn count(name: &'static str, default: ParamDefault, doc: &'static str) -> Self {
        Param {
            name,
            kind: ParamKind::Count,
            default,
            unit: "",
            doc,
        }
    }
    pub const fn flag(name: &'static str, default: bool, doc: &'static str) -> Self {
        Param {
            name,
            kind: ParamKind::Flag,
            default: ParamDefault::Flag(default),
            unit: "",
            doc,
        }
    }
    pub const fn list(name: &'static str, kind: ParamKind, doc: &'static str) -> Self {
        Param {
            name,
            kind,
            default: ParamDefault::Optional,
            unit: "",
            doc,
        }
    }
}

/// A checked parameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Number(f64),
    Count(u64),
    Flag(bool),
    Pairs(Vec<(u32, u32)>),
    Numbers(Vec<f64>),
    /// A pattern set's vectors (items × components).
    Matrix(Vec<Vec<f64>>),
}

/// The values of one model's or rule's parameters, defaults filled in.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Params(pub Vec<(&'static str, Value)>);

/// A parameter problem: which parameter (empty: the table as a whole) and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamError {
    pub param: &'static str,
    pub message: String,
}

impl ParamError {
    pub fn new(param: &'static str, message: impl Into<String>) -> Self {
        ParamError {
            param,
            message: message.into(),
        }
    }
}

impl Params {
    /// The defaults of `specs` (required and optional ones left out).
    pub fn defaults(specs: &[Param]) -> Params {
        Params(
            specs
                .iter()
                .filter_map(|p| {
                    let v = match p.default {
                        ParamDefault::Number(x) => Value::Number(x),
                        ParamDefault::Count(x) => Value::Count(x),
                        ParamDefault::Flag(x) => Value::Flag(x),
                        ParamDefault::Required | ParamDefault::Optional => return None,
                    };
                    Some((p.name, v))
                })
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn set(&mut self, name: &'static str, v: Value) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = v,
            None => self.0.push((name, v)),
        }
    }

    /// A number (counts read as numbers); NaN when absent (checks reject NaN).
    pub fn number(&self, name: &str) -> f64 {
        match self.get(name) {
            Some(Value::Number(x)) => *x,
            Some(Value::Count(x)) => *x as f64,
            _ => f64::NAN,
        }
    }

    pub fn count(&self, name: &str) -> u64 {
        match self.get(name) {
            Some(Value::Count(x)) => *x,
            _ => 0,
        }
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some(Value::Flag(true)))
    }

    pub fn numbers(&self, name: &str) -> Option<&[f64]> {
        match self.get(name) {
            Some(Value::Numbers(x)) => Some(x),
            _ => None,
        }
    }

    pub fn matrix(&self, name: &str) -> Option<&[Vec<f64>]> {
        match self.get(name) {
            Some(Value::Matrix(x)) => Some(x),
            _ => None,
        }
    }

    pub fn pairs(&self, name: &str) -> Option<&[(u32, u32)]> {
        match self.get(name) {
            Some(Value::Pairs(x)) => Some(x),
            _ => None,
        }
    }
}

/// Checks that each named number is finite and (with `positive`) > 0, or (with `non_negative`)
/// ≥ 0; the first failure is returned.
pub fn require(p: &Params, finite: &[&'static str], positive: &[&'static str]) -> Result<(), ParamError> {
    for &name in finite {
        if !p.number(name).is_finite() {
            return Err(ParamError::new(name, format!("{name} must be a finite number")));
        }
    }
    for &name in positive {
        let x = p.number(name);
        if !(x > 0.0 && x.is_finite()) {
            return Err(ParamError::new(
                name,
                format!("{name} must be a positive finite number (got {x})"),
            ));
        }
    }
    Ok(())
}
