//! Numbers written as expressions: `"2 * n"`, `"-(dims - radius - 1)"`,
//! `"peak_ms / atan(exponent)"`. Names refer to `[let]` values (or to variant and sweep
//! settings of them); the functions are `abs atan ceil cos cosh exp floor lambert_w ln log2
//! max min round sin sinh sqrt tan tanh` and the constant `pi`. Evaluation is plain f64
//! arithmetic.

use std::collections::BTreeMap;

/// Named values an expression can use, in the order they were defined.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Env {
    pub values: BTreeMap<String, f64>,
}

impl Env {
    pub fn get(&self, name: &str) -> Option<f64> {
        self.values.get(name).copied()
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Op(char),
}

fn tokens(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == '_') {
                i += 1;
            }
            // An exponent: 1e-3, 2.5E6.
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let s: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            out.push(Tok::Num(s.parse().map_err(|_| format!("`{s}` is not a number"))?));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Name(chars[start..i].iter().collect()));
        } else if "+-*/^(),".contains(c) {
            out.push(Tok::Op(c));
            i += 1;
        } else {
            return Err(format!("unexpected character `{c}`"));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    at: usize,
    env: &'a Env,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn eat(&mut self, op: char) -> bool {
        if self.peek() == Some(&Tok::Op(op)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Result<f64, String> {
        self.depth += 1;
        if self.depth > 64 {
            return Err("the expression is nested too deeply".into());
        }
        let mut v = self.term()?;
        loop {
            if self.eat('+') {
                v += self.term()?;
            } else if self.eat('-') {
                v -= self.term()?;
            } else {
                break;
            }
        }
        self.depth -= 1;
        Ok(v)
    }

    fn term(&mut self) -> Result<f64, String> {
        let mut v = self.unary()?;
        loop {
            if self.eat('*') {
                v *= self.unary()?;
            } else if self.eat('/') {
                v /= self.unary()?;
            } else {
                break;
            }
        }
        Ok(v)
    }

    fn unary(&mut self) -> Result<f64, String> {
        if self.eat('-') {
            return Ok(-self.unary()?);
        }
        if self.eat('+') {
            return self.unary();
        }
        let base = self.atom()?;
        if self.eat('^') {
            // Right-associative, binds tighter than unary minus on its left: -2^2 = -4.
            return Ok(base.powf(self.unary()?));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<f64, String> {
        match self.toks.get(self.at).cloned() {
            Some(Tok::Num(x)) => {
                self.at += 1;
                Ok(x)
            }
            Some(Tok::Op('(')) => {
                self.at += 1;
                let v = self.expr()?;
                if !self.eat(')') {
                    return Err("missing `)`".into());
                }
                Ok(v)
            }
            Some(Tok::Name(name)) => {
                self.at += 1;
                if self.eat('(') {
                    let mut args = vec![self.expr()?];
                    while self.eat(',') {
                        args.push(self.expr()?);
                    }
                    if !self.eat(')') {
                        return Err(format!("missing `)` after the arguments of `{name}`"));
                    }
                    return call(&name, &args);
                }
                if name == "pi" {
                    return Ok(std::f64::consts::PI);
                }
                self.env.get(&name).ok_or_else(|| {
                    let known: Vec<&str> = self.env.values.keys().map(String::as_str).collect();
                    if known.is_empty() {
                        format!("unknown name `{name}`: define it in [let]")
                    } else {
                        format!("unknown name `{name}` (defined: {})", known.join(", "))
                    }
                })
            }
            Some(Tok::Op(c)) => Err(format!("unexpected `{c}`")),
            None => Err("the expression ends too early".into()),
        }
    }
}

fn call(name: &str, args: &[f64]) -> Result<f64, String> {
    let one = |f: fn(f64) -> f64| {
        if args.len() == 1 {
            Ok(f(args[0]))
        } else {
            Err(format!("`{name}` takes one argument"))
        }
    };
    match name {
        "abs" => one(f64::abs),
        "atan" => one(f64::atan),
        "ceil" => one(f64::ceil),
        "cos" => one(f64::cos),
        "cosh" => one(f64::cosh),
        "sinh" => one(f64::sinh),
        "tanh" => one(f64::tanh),
        "lambert_w" => one(lambert_w),
        "exp" => one(f64::exp),
        "floor" => one(f64::floor),
        "ln" => one(f64::ln),
        "log2" => one(f64::log2),
        "round" => one(f64::round),
        "sin" => one(f64::sin),
        "sqrt" => one(f64::sqrt),
        "tan" => one(f64::tan),
        "min" if !args.is_empty() => Ok(args.iter().copied().fold(f64::INFINITY, f64::min)),
        "max" if !args.is_empty() => Ok(args.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
        _ => Err(format!(
            "unknown function `{name}` (functions: abs atan ceil cos cosh exp floor lambert_w ln log2 max min round sin sinh sqrt tan tanh)"
        )),
    }
}

/// The principal branch of Lambert's W (`W e^W = x`, x ≥ −1/e), by Halley's iteration; NaN
/// below −1/e.
pub fn lambert_w(x: f64) -> f64 {
    if x.is_nan() || x < -1.0 / std::f64::consts::E {
        return f64::NAN;
    }
    if x == 0.0 || x.is_infinite() {
        return x;
    }
    let mut w = if x < 1.0 { x } else { x.ln() - x.ln().ln().max(0.0) };
    for _ in 0..100 {
        let e = w.exp();
        let f = w * e - x;
        let step = f / (e * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0));
        if !step.is_finite() {
            break;
        }
        w -= step;
        if step.abs() <= 1e-15 * (1.0 + w.abs()) {
            break;
        }
    }
    w
}

/// Evaluates `text` with the names in `env`.
pub fn eval(text: &str, env: &Env) -> Result<f64, String> {
    if text.len() > 2000 {
        return Err("the expression is longer than 2000 characters".into());
    }
    let toks = tokens(text)?;
    if toks.is_empty() {
        return Err("empty expression".into());
    }
    let mut p = Parser {
        toks,
        at: 0,
        env,
        depth: 0,
    };
    let v = p.expr()?;
    if p.at != p.toks.len() {
        return Err(format!(
            "unexpected `{}` after the expression",
            show(&p.toks[p.at])
        ));
    }
    Ok(v)
}

/// The names an expression refers to (not functions or `pi`).
pub fn names(text: &str) -> Vec<String> {
    let Ok(toks) = tokens(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        if let Tok::Name(n) = t
            && toks.get(k + 1) != Some(&Tok::Op('('))
            && n != "pi"
        {
            out.push(n.clone());
        }
    }
    out
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Num(x) => x.to_string(),
        Tok::Name(n) => n.clone(),
        Tok::Op(c) => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        let mut e = Env::default();
        e.values.insert("n".into(), 100.0);
        e.values.insert("radius".into(), 38.0);
        e
    }

    #[test]
    fn arithmetic_precedence_functions_and_names() {
        let e = env();
        assert_eq!(eval("2 * n", &e), Ok(200.0));
        assert_eq!(eval("-(n - radius - 1)", &e), Ok(-61.0));
        assert_eq!(eval("1 + 2 * 3 ^ 2", &e), Ok(19.0));
        assert_eq!(eval("-2^2", &e), Ok(-4.0));
        assert_eq!(eval("2^3^2", &e), Ok(512.0));
        assert_eq!(eval("max(1, n, 3) / min(4, 2)", &e), Ok(50.0));
        assert_eq!(eval("1e-3 * 2.5E3", &e), Ok(2.5));
        assert_eq!(eval("100 / atan(4)", &e), Ok(100.0 / 4f64.atan()));
        assert_eq!(eval("pi", &e), Ok(std::f64::consts::PI));
        assert_eq!(names("2 * n + max(radius, pi)"), vec!["n", "radius"]);
        for x in [1e-9, 0.1, 1.0, 2.5, 40.0, 1e6] {
            let w = lambert_w(x);
            assert!((w * w.exp() - x).abs() <= 1e-12 * x.max(1.0), "W({x}) = {w}");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = env();
        assert!(eval("2 * m", &e).unwrap_err().contains("unknown name `m`"));
        assert!(eval("(1 + 2", &e).unwrap_err().contains("missing `)`"));
        assert!(eval("1 +", &e).unwrap_err().contains("ends too early"));
        assert!(eval("foo(1)", &e).unwrap_err().contains("unknown function"));
        assert!(eval("1 $ 2", &e).unwrap_err().contains("unexpected character"));
        assert!(eval(&"(".repeat(100), &e).unwrap_err().contains("nested"));
        assert!(eval("", &e).is_err());
    }
}
