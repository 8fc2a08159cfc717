//! A circuit file's text and the positions of its keys and values, so that every error can
//! name a file, line, column and field.

use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a field path: a key, or an index into an array.
#[derive(Clone, Debug, PartialEq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A field path such as `projection[1].connectivity.p`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    pub fn key(&self, k: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }

    pub fn index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if n == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: &str, text: String) -> Self {
        SourceFile {
            path: path.to_string(),
            text,
        }
    }

    /// The document with spans (parsed again on each call: errors are rare and files small).
    fn doc(&self) -> Option<Spanned<DeTable<'_>>> {
        DeTable::parse(&self.text).ok()
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    /// The span of the value at `path`, or of the deepest enclosing item that exists.
    pub fn locate(&self, path: &FieldPath) -> Option<Range<usize>> {
        let doc = self.doc()?;
        let mut best = None;
        let mut current: Option<&DeValue> = None;
        let root = doc.get_ref();
        for (n, seg) in path.0.iter().enumerate() {
            let table = if n == 0 {
                Some(root)
            } else {
                current.and_then(|v| v.as_table())
            };
            let next = match seg {
                Seg::Key(k) => table
                    .and_then(|t| t.iter().find(|(key, _)| key.get_ref() == k))
                    .map(|(key, v)| {
                        best = Some(key.span());
                        v
                    }),
                Seg::Index(i) => current.and_then(|v| v.as_array()).and_then(|a| a.get(*i)),
            };
            let Some(v) = next else { break };
            if !v.get_ref().is_table() || v.span().start < v.span().end {
                best = Some(v.span());
            }
            current = Some(v.get_ref());
        }
        best
    }

    /// The field path of the innermost key or value that contains `offset`.
    pub fn path_at(&self, offset: usize) -> FieldPath {
        let mut path = FieldPath::root();
        if let Some(doc) = self.doc() {
            descend_table(doc.get_ref(), offset, &mut path);
        }
        path
    }
}

fn contains(v: &Spanned<DeValue>, offset: usize) -> bool {
    v.span().contains(&offset)
        || match v.get_ref() {
            DeValue::Table(t) => t
                .iter()
                .any(|(k, v)| k.span().contains(&offset) || contains(v, offset)),
            DeValue::Array(a) => a.iter().any(|e| contains(e, offset)),
            _ => false,
        }
}

fn descend_table(t: &DeTable, offset: usize, path: &mut FieldPath) {
    for (k, v) in t.iter() {
        if k.span().contains(&offset) {
            path.0.push(Seg::Key(k.get_ref().to_string()));
            return;
        }
        if contains(v, offset) {
            path.0.push(Seg::Key(k.get_ref().to_string()));
            descend_value(v, offset, path);
            return;
        }
    }
}

fn descend_value(v: &Spanned<DeValue>, offset: usize, path: &mut FieldPath) {
    match v.get_ref() {
        DeValue::Table(t) => descend_table(t, offset, path),
        DeValue::Array(a) => {
            if let Some((i, e)) = a.iter().enumerate().find(|(_, e)| contains(e, offset)) {
                path.0.push(Seg::Index(i));
                descend_value(e, offset, path);
            }
        }
        _ => {}
    }
}
