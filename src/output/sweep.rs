//! `sweep.csv` (one row per sweep point: the sweep, its swept values, every comparison's
//! scalars) and one plot per sweep that asks for it.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::plot::{self, Series, Style};
use crate::experiment::{SweepPoint, SweepResult};

fn columns(sweeps: &[SweepResult]) -> (Vec<String>, Vec<String>) {
    let mut lets: Vec<String> = Vec::new();
    let mut metrics: Vec<String> = Vec::new();
    for s in sweeps {
        for p in &s.points {
            for (k, _) in &p.values {
                if !lets.contains(k) {
                    lets.push(k.clone());
                }
            }
            for (k, _) in &p.scalars {
                if !metrics.contains(k) {
                    metrics.push(k.clone());
                }
            }
        }
    }
    (lets, metrics)
}

/// The file of plot `k` of a sweep.
pub fn plot_file(sweep: &str, k: usize) -> String {
    if k == 0 {
        format!("sweep_{sweep}.png")
    } else {
        format!("sweep_{sweep}_{}.png", k + 1)
    }
}

/// Writes `sweep.csv` and the plots; returns the sweeps for `summary.json`.
pub fn write(dir: &Path, sweeps: &[SweepResult]) -> Result<Value, String> {
    let (lets, metrics) = columns(sweeps);
    let mut csv = String::from("sweep");
    for c in lets.iter().chain(&metrics) {
        csv.push(',');
        csv.push_str(c);
    }
    csv.push_str(",error\n");
    let mut out = serde_json::Map::new();
    for s in sweeps {
        let mut rows = Vec::new();
        for p in &s.points {
            let mut line = s.sweep.name.clone();
            let get = |list: &[(String, f64)], k: &str| list.iter().find(|x| x.0 == k).map(|x| x.1);
            for k in &lets {
                line.push(',');
                if let Some(v) = get(&p.values, k) {
                    line.push_str(&v.to_string());
                }
            }
            for k in &metrics {
                line.push(',');
                if let Some(v) = get(&p.scalars, k) {
                    line.push_str(&v.to_string());
                }
            }
            // The error column keeps a failed point's reason (commas and newlines replaced).
            let error = p.error.as_deref().unwrap_or("").replace([',', '\n'], " ");
            let _ = writeln!(csv, "{line},{error}");
            let mut row = serde_json::Map::new();
            for (k, v) in p.values.iter().chain(&p.scalars) {
                row.insert(k.clone(), json!(v));
            }
            if let Some(e) = &p.error {
                row.insert("error".into(), json!(e));
            }
            rows.push(Value::Object(row));
        }
        out.insert(s.sweep.name.clone(), Value::Array(rows));
        for (k, pl) in s.sweep.plots.iter().enumerate() {
            // One curve per metric and per combination of the other swept names' values.
            let others: Vec<&String> = s
                .sweep
                .over
                .iter()
                .map(|o| &o.0)
                .filter(|n| **n != pl.x)
                .collect();
            let key = |p: &SweepPoint| -> Vec<(String, f64)> {
                others
                    .iter()
                    .filter_map(|n| p.values.iter().find(|v| &v.0 == *n).cloned())
                    .collect()
            };
            let mut groups: Vec<Vec<(String, f64)>> = Vec::new();
            for p in &s.points {
                let g = key(p);
                if !groups.contains(&g) {
                    groups.push(g);
                }
            }
            let mut series = Vec::new();
            for metric in &pl.y {
                for g in &groups {
                    let label = if g.is_empty() {
                        metric.clone()
                    } else {
                        let at = g
                            .iter()
                            .map(|(n, v)| format!("{n} = {v}"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        format!("{metric} ({at})")
                    };
                    let points = s
                        .points
                        .iter()
                        .filter(|p| key(p) == *g)
                        .filter_map(|p| {
                            let x = p.values.iter().find(|v| v.0 == pl.x)?.1;
                            let y = p.scalars.iter().find(|v| &v.0 == metric)?.1;
                            Some((if pl.log_x { x.log10() } else { x }, y))
                        })
                        .collect();
                    let style = [Style::Line, Style::Dashed, Style::Dots][series.len() % 3];
                    series.push(Series {
                        name: label,
                        points,
                        style,
                    });
                }
            }
            let title = if pl.title.is_empty() {
                format!("Sweep `{}`", s.sweep.name)
            } else {
                pl.title.clone()
            };
            let x_label = if pl.log_x {
                format!("log10 {}", pl.x)
            } else {
                pl.x.clone()
            };
            plot::chart(
                &dir.join(plot_file(&s.sweep.name, k)),
                &title,
                &x_label,
                "",
                &series,
                pl.log_y,
            )?;
        }
    }
    std::fs::write(dir.join("sweep.csv"), csv).map_err(|e| format!("cannot write sweep.csv: {e}"))?;
    Ok(Value::Object(out))
}

/// The report section: one table per sweep (swept values and the plotted metrics, or all).
pub fn section(_dir: &Path, sweeps: &[SweepResult]) -> Result<String, String> {
    let mut s = String::from(
        "\n## Sweeps\n\nEvery point is a run of this file with the `[let]` values shown; all scalars are in `sweep.csv`.\n",
    );
    for sw in sweeps {
        let mut metrics: Vec<String> = Vec::new();
        for m in sw.sweep.plots.iter().flat_map(|p| p.y.iter()) {
            if !metrics.contains(m) {
                metrics.push(m.clone());
            }
        }
        if metrics.is_empty() {
            metrics = sw.points.first().map_or(Vec::new(), |p| {
                p.scalars.iter().map(|x| x.0.clone()).take(6).collect()
            });
        }
        let lets: Vec<String> = sw.sweep.over.iter().map(|x| x.0.clone()).collect();
        let _ = writeln!(s, "\n### `{}`\n", sw.sweep.name);
        let _ = writeln!(s, "| {} | {} |", lets.join(" | "), metrics.join(" | "));
        let _ = writeln!(s, "|{}", "---|".repeat(lets.len() + metrics.len()));
        for p in &sw.points {
            let cells: Vec<String> = lets
                .iter()
                .map(|k| {
                    p.values
                        .iter()
                        .find(|v| &v.0 == k)
                        .map_or(String::new(), |v| v.1.to_string())
                })
                .chain(metrics.iter().map(|k| {
                    p.scalars
                        .iter()
                        .find(|v| &v.0 == k)
                        .map_or("—".into(), |v| format!("{:.6}", v.1))
                }))
                .collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
        for k in 0..sw.sweep.plots.len() {
            let _ = writeln!(
                s,
                "\n![sweep {}]({})",
                sw.sweep.name,
                plot_file(&sw.sweep.name, k)
            );
        }
    }
    Ok(s)
}
