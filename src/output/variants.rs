//! The variants section of the report: every comparison scalar of the circuit beside each
//! variant's, and the comparisons' curves overlaid (`variants_<curve>.png`).

use std::fmt::Write as _;
use std::path::Path;

use super::plot::{self, Series, Style};
use crate::config::circuit::Variant;
use crate::experiment::Done;

pub fn section(dir: &Path, base: &Done, variants: &[(Variant, Done)]) -> Result<String, String> {
    let mut s = String::from(
        "\n## Variants\n\nThe same file with some `[let]` values replaced; each variant's full outputs are in `variants/<name>/`.\n\n",
    );
    let scalars = |d: &Done| -> Vec<(String, f64)> {
        d.outcomes
            .iter()
            .flat_map(|(n, o)| o.scalars().into_iter().map(move |(k, v)| (format!("{n}.{k}"), v)))
            .collect()
    };
    let base_scalars = scalars(base);
    let names: Vec<String> = variants
        .iter()
        .map(|(v, _)| {
            let set = v
                .overrides
                .iter()
                .map(|(k, x)| format!("{k} = {x}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{} ({set})", v.name)
        })
        .collect();
    let _ = writeln!(s, "| metric | as written | {} |", names.join(" | "));
    let _ = writeln!(s, "|{}", "---|".repeat(2 + variants.len()));
    let others: Vec<Vec<(String, f64)>> = variants.iter().map(|(_, d)| scalars(d)).collect();
    for (k, v) in &base_scalars {
        let cells: Vec<String> = others
            .iter()
            .map(|o| {
                o.iter()
                    .find(|x| &x.0 == k)
                    .map_or("—".into(), |x| format!("{:.4}", x.1))
            })
            .collect();
        let _ = writeln!(s, "| {k} | {v:.4} | {} |", cells.join(" | "));
    }
    // Curves with the same id, overlaid.
    for (ci, curve) in base.outcomes.iter().flat_map(|(_, o)| o.curves()).enumerate() {
        let mut series = vec![Series {
            name: "as written".into(),
            points: curve.points.clone(),
            style: Style::Dots,
        }];
        for (v, d) in variants {
            if let Some(c) = d
                .outcomes
                .iter()
                .flat_map(|(_, o)| o.curves())
                .find(|c| c.id == curve.id)
            {
                series.push(Series {
                    name: v.name.clone(),
                    points: c.points,
                    style: [Style::Dots, Style::Line][ci % 2],
                });
            }
        }
        let file = format!("variants_{}.png", curve.id);
        plot::chart(
            &dir.join(&file),
            &curve.title,
            &curve.x_label,
            &curve.y_label,
            &series,
            curve.log_y,
        )?;
        let _ = writeln!(s, "\n![{}]({file})", curve.title);
    }
    Ok(s)
}
