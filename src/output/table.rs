//! A data table written row by row as Apache Parquet (the default: typed, compressed columns
//! that pandas, polars, pyarrow and DuckDB read without engram) or as CSV (`[output] format =
//! "csv"` or `--format csv`). Numbers keep the simulator's exact values in both: Parquet stores
//! the f64 itself, CSV Rust's shortest round-trip decimal.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

pub use crate::config::circuit::TableFormat as Format;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// f64 (Parquet DOUBLE).
    Real,
    /// A whole number ≥ 0 (Parquet INT64).
    Count,
    /// A name (Parquet UTF-8 string, dictionary-encoded).
    Name,
}

/// One value of a row.
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    Real(f64),
    Count(u64),
    Name(&'a str),
}

/// Rows buffered per Parquet row group (and the most a table holds in memory while writing).
const ROW_GROUP: usize = 1 << 20;

/// A column's buffered values in a Parquet table; names as indices into the table's names.
enum Buffer {
    Real(Vec<f64>),
    Count(Vec<i64>),
    Name(Vec<u32>),
}

struct ParquetTable {
    writer: SerializedFileWriter<BufWriter<File>>,
    columns: Vec<Buffer>,
    /// Every distinct name written, and its index.
    names: Vec<ByteArray>,
    index: std::collections::HashMap<String, u32>,
    rows: usize,
}

enum Sink {
    Csv(BufWriter<File>),
    Parquet(Box<ParquetTable>),
}

/// A table being written: `create`, `row` as often as needed, then `finish`. A table not
/// finished is not a valid file.
pub struct Table {
    kinds: Vec<Kind>,
    sink: Sink,
}

fn parquet_error(e: parquet::errors::ParquetError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl Table {
    /// Creates `dir/<stem>.<extension>` with these columns.
    pub fn create(
        dir: &Path,
        stem: &str,
        columns: &[(&str, Kind)],
        format: Format,
    ) -> std::io::Result<Table> {
        let path = dir.join(format!("{stem}.{}", format.extension()));
        let file = BufWriter::with_capacity(1 << 20, File::create(path)?);
        let kinds: Vec<Kind> = columns.iter().map(|c| c.1).collect();
        let sink = match format {
            Format::Csv => {
                let mut w = file;
                let header: Vec<&str> = columns.iter().map(|c| c.0).collect();
                writeln!(w, "{}", header.join(","))?;
                Sink::Csv(w)
            }
            Format::Parquet => {
                let fields = columns
                    .iter()
                    .map(|(name, kind)| {
                        let t = match kind {
                            Kind::Real => Type::primitive_type_builder(name, Physical::DOUBLE),
                            Kind::Count => Type::primitive_type_builder(name, Physical::INT64),
                            Kind::Name => Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
                                .with_logical_type(Some(LogicalType::String)),
                        };
                        t.with_repetition(Repetition::REQUIRED).build().map(Arc::new)
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(parquet_error)?;
                let schema = Type::group_type_builder(stem)
                    .with_fields(fields)
                    .build()
                    .map_err(parquet_error)?;
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_created_by(format!("engram {}", env!("CARGO_PKG_VERSION")))
                    .build();
                let writer = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(props))
                    .map_err(parquet_error)?;
                let columns = kinds
                    .iter()
                    .map(|k| match k {
                        Kind::Real => Buffer::Real(Vec::new()),
                        Kind::Count => Buffer::Count(Vec::new()),
                        Kind::Name => Buffer::Name(Vec::new()),
                    })
                    .collect();
                Sink::Parquet(Box::new(ParquetTable {
                    writer,
                    columns,
                    names: Vec::new(),
                    index: Default::default(),
                    rows: 0,
                }))
            }
        };
        Ok(Table { kinds, sink })
    }

    /// Writes one row; its cells match the columns in number and kind.
    pub fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        let matches = cells.len() == self.kinds.len()
            && cells.iter().zip(&self.kinds).all(|(c, k)| {
                matches!(
                    (c, k),
                    (Cell::Real(_), Kind::Real) | (Cell::Count(_), Kind::Count) | (Cell::Name(_), Kind::Name)
                )
            });
        if !matches {
            return Err(std::io::Error::other(format!(
                "a row of {} cells does not match the table's columns {:?}",
                cells.len(),
                self.kinds
            )));
        }
        match &mut self.sink {
            Sink::Csv(w) => {
                for (k, c) in cells.iter().enumerate() {
                    if k > 0 {
                        w.write_all(b",")?;
                    }
                    match c {
                        Cell::Real(x) => write!(w, "{x}")?,
                        Cell::Count(n) => write!(w, "{n}")?,
                        Cell::Name(s) => w.write_all(s.as_bytes())?,
                    }
                }
                w.write_all(b"\n")
            }
            Sink::Parquet(t) => {
                for (buffer, c) in t.columns.iter_mut().zip(cells) {
                    match (buffer, c) {
                        (Buffer::Real(v), Cell::Real(x)) => v.push(*x),
                        (Buffer::Count(v), Cell::Count(n)) => v.push(i64::try_from(*n).unwrap_or(i64::MAX)),
                        (Buffer::Name(v), Cell::Name(s)) => {
                            let id = match t.index.get(*s) {
                                Some(id) => *id,
                                None => {
                                    let id = t.names.len() as u32;
                                    t.names.push(ByteArray::from(s.as_bytes().to_vec()));
                                    t.index.insert(s.to_string(), id);
                                    id
                                }
                            };
                            v.push(id);
                        }
                        _ => {} // checked above
                    }
                }
                t.rows += 1;
                if t.rows >= ROW_GROUP {
                    t.flush()?;
                }
                Ok(())
            }
        }
    }

    /// Completes the file.
    pub fn finish(self) -> std::io::Result<()> {
        match self.sink {
            Sink::Csv(mut w) => w.flush(),
            Sink::Parquet(mut t) => {
                if t.rows > 0 {
                    t.flush()?;
                }
                let mut file = t.writer.into_inner().map_err(parquet_error)?;
                file.flush()
            }
        }
    }
}

impl ParquetTable {
    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> std::io::Result<()> {
        let mut group = self.writer.next_row_group().map_err(parquet_error)?;
        for buffer in &mut self.columns {
            let Some(mut column) = group.next_column().map_err(parquet_error)? else {
                break;
            };
            match buffer {
                Buffer::Real(v) => {
                    column
                        .typed::<DoubleType>()
                        .write_batch(v, None, None)
                        .map_err(parquet_error)?;
                    v.clear();
                }
                Buffer::Count(v) => {
                    column
                        .typed::<Int64Type>()
                        .write_batch(v, None, None)
                        .map_err(parquet_error)?;
                    v.clear();
                }
                Buffer::Name(v) => {
                    let values: Vec<ByteArray> =
                        v.iter().map(|id| self.names[*id as usize].clone()).collect();
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(&values, None, None)
                        .map_err(parquet_error)?;
                    v.clear();
                }
            }
            column.close().map_err(parquet_error)?;
        }
        group.close().map_err(parquet_error)?;
        self.rows = 0;
        Ok(())
    }
}
