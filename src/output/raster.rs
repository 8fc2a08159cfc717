//! `raster.png`: spike raster, one colour per population.

use std::path::Path;

use plotters::prelude::*;

use crate::experiment::simulate::RunResult;

/// At most this many dots are drawn; above it each population shows only its first neurons.
const MAX_DOTS: usize = 200_000;

pub fn raster(path: &Path, run: &RunResult) -> Result<(), String> {
    let net = run.net();
    let total = run.spikes.len().max(1) as usize;
    let shown_fraction = (MAX_DOTS as f64 / total as f64).min(1.0);
    // Neurons shown per population, stacked bottom to top in file order.
    let shown: Vec<u32> = net
        .populations
        .iter()
        .map(|p| ((p.size as f64 * shown_fraction).ceil() as u32).max(1))
        .collect();
    let mut base = Vec::new();
    let mut y = 0u32;
    for s in &shown {
        base.push(y);
        y += s;
    }
    let height = y.max(1);
    let t_max = run.circuit.duration_ms;

    let root = BitMapBackend::new(path, (1200, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let title = format!("{} — spikes", run.circuit.name);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..t_max, 0u32..height)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("time (ms)")
        .y_desc("neuron (stacked by population)")
        .disable_mesh()
        .draw()
        .map_err(|e| e.to_string())?;
    // The dots shown, population by population (at most about MAX_DOTS of them).
    let mut dots: Vec<Vec<(f64, u32)>> = vec![Vec::new(); net.populations.len()];
    run.spikes.visit(f64::NEG_INFINITY, f64::INFINITY, &mut |s| {
        let k = net.population_of(s.neuron);
        let local = s.neuron - net.populations[k].offset;
        if local < shown[k] {
            dots[k].push((s.time, base[k] + local));
        }
    });
    for (k, pop) in net.populations.iter().enumerate() {
        let colour = Palette99::pick(k).to_rgba();
        let dots = dots[k]
            .iter()
            .map(|&(t, y)| Circle::new((t, y), 1, colour.filled()));
        chart
            .draw_series(dots)
            .map_err(|e| e.to_string())?
            .label(format!(
                "{} ({} of {} shown)",
                pop.name,
                shown[k].min(pop.size as u32),
                pop.size
            ))
            .legend(move |(x, y)| Circle::new((x, y), 4, colour.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}
