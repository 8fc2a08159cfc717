//! Small chart helpers on top of plotters: lines and dots, histograms, rasters, heat maps.

use std::path::Path;

use plotters::prelude::*;

/// A tick label with at most four significant digits.
fn short(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.2e}");
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[derive(Clone, Copy, Debug)]
pub enum Style {
    Line,
    Dashed,
    Dots,
}

pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub style: Style,
}

fn range(values: impl Iterator<Item = f64>, log: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite() && (!log || *v > 0.0)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return if log { (1e-3, 1.0) } else { (0.0, 1.0) };
    }
    if log {
        (lo / 1.5, hi * 1.5)
    } else if hi > lo {
        let pad = 0.05 * (hi - lo);
        (lo - pad, hi + pad)
    } else {
        (lo - 0.5, hi + 0.5)
    }
}

/// A chart of lines and dot series; `log_y` uses a logarithmic y axis (non-positive values are
/// left out).
pub fn chart(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    log_y: bool,
) -> Result<(), String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let root = BitMapBackend::new(path, (900, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let (x0, x1) = range(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)), false);
    let (y0, y1) = range(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)), log_y);
    let mut b = ChartBuilder::on(&root);
    b.caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(75);
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(x_label)
                .y_desc(y_label)
                .x_label_formatter(&|v| short(*v))
                .y_label_formatter(&|v| short(*v))
                .draw()
                .map_err(|x| e(&x))?;
            for (k, s) in series.iter().enumerate() {
                let colour = Palette99::pick(k).to_rgba();
                let pts: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .copied()
                    .filter(|p| p.1.is_finite() && (!log_y || p.1 > 0.0))
                    .collect();
                let anno = match s.style {
                    Style::Line => chart
                        .draw_series(LineSeries::new(pts, colour.stroke_width(2)))
                        .map_err(|x| e(&x))?,
                    Style::Dashed => chart
                        .draw_series(DashedLineSeries::new(pts, 8, 5, colour.stroke_width(2)))
                        .map_err(|x| e(&x))?,
                    Style::Dots => chart
                        .draw_series(pts.into_iter().map(|p| Circle::new(p, 3, colour.filled())))
                        .map_err(|x| e(&x))?,
                };
                anno.label(s.name.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
                });
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .draw()
                .map_err(|x| e(&x))?;
        }};
    }
    if log_y {
        draw!(
            b.build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                .map_err(|x| e(&x))?
        );
    } else {
        draw!(b.build_cartesian_2d(x0..x1, y0..y1).map_err(|x| e(&x))?);
    }
    root.present().map_err(|x| e(&x))
}

/// A histogram of `values` in `bins` equal bins.
pub fn histogram(path: &Path, title: &str, x_label: &str, values: &[f64], bins: usize) -> Result<(), String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let (lo, hi) = range(values.iter().copied(), false);
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    for v in values {
        let b = (((v - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1) as f64 * 1.1;
    let root = BitMapBackend::new(path, (900, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(75)
        .build_cartesian_2d(lo..hi, 0.0..top)
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc("synapses")
        .draw()
        .map_err(|x| e(&x))?;
    chart
        .draw_series(counts.iter().enumerate().map(|(k, c)| {
            let x = lo + k as f64 * width;
            Rectangle::new([(x, 0.0), (x + width, *c as f64)], BLUE.mix(0.6).filled())
        }))
        .map_err(|x| e(&x))?;
    root.present().map_err(|x| e(&x))
}

/// One labelled block of rows in a raster: (label, number of rows, spikes as (time, row)).
pub type RasterGroup = (String, usize, Vec<(f64, usize)>);

/// A raster of labelled blocks of rows, stacked bottom to top.
pub fn raster(path: &Path, title: &str, t0: f64, t1: f64, groups: &[RasterGroup]) -> Result<(), String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let total: usize = groups.iter().map(|g| g.1).sum::<usize>().max(1);
    let root = BitMapBackend::new(path, (1000, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(75)
        .build_cartesian_2d(t0..t1, 0.0..total as f64)
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .x_desc("time (ms)")
        .y_desc("neuron (stacked)")
        .disable_mesh()
        .draw()
        .map_err(|x| e(&x))?;
    let mut base = 0usize;
    for (k, (label, rows, spikes)) in groups.iter().enumerate() {
        let colour = Palette99::pick(k).to_rgba();
        let b = base;
        chart
            .draw_series(
                spikes
                    .iter()
                    .map(|&(t, row)| Circle::new((t, (b + row) as f64 + 0.5), 2, colour.filled())),
            )
            .map_err(|x| e(&x))?
            .label(format!("{label} ({rows} rows)"))
            .legend(move |(x, y)| Circle::new((x, y), 4, colour.filled()));
        base += rows;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|x| e(&x))?;
    root.present().map_err(|x| e(&x))
}

/// One panel of `heatmaps`: a label and a side × side map, row y = 0 at the bottom; NaN cells
/// (never visited) are grey.
pub type Heatmap = (String, usize, Vec<f64>);

/// Heat maps side by side, each scaled from 0 to its own maximum (dark blue to yellow).
pub fn heatmaps(path: &Path, title: &str, maps: &[Heatmap]) -> Result<(), String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let n = maps.len().max(1);
    let root = BitMapBackend::new(path, (320 * n as u32, 380)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let root = root.titled(title, ("sans-serif", 20)).map_err(|x| e(&x))?;
    for (panel, (label, side, values)) in root.split_evenly((1, n)).iter().zip(maps) {
        let side = (*side).max(1);
        let top = values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(panel)
            .caption(label, ("sans-serif", 13))
            .margin(8)
            .x_label_area_size(20)
            .y_label_area_size(25)
            .build_cartesian_2d(0.0..side as f64, 0.0..side as f64)
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(4)
            .y_labels(4)
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| short(*v))
            .draw()
            .map_err(|x| e(&x))?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                let (x, y) = ((i % side) as f64, (i / side) as f64);
                let colour = if v.is_finite() {
                    let f = if top > 0.0 { (v / top).clamp(0.0, 1.0) } else { 0.0 };
                    RGBColor(
                        (30.0 + 225.0 * f) as u8,
                        (20.0 + 210.0 * f) as u8,
                        (110.0 * (1.0 - f) + 20.0) as u8,
                    )
                } else {
                    RGBColor(200, 200, 200)
                };
                Rectangle::new([(x, y), (x + 1.0, y + 1.0)], colour.filled())
            }))
            .map_err(|x| e(&x))?;
    }
    root.present().map_err(|x| e(&x))
}
