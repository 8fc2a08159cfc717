//! `raster_<phase>.png`: the first trial of each phase, every population stacked; large
//! populations show only the neurons that fired, renumbered.

use std::fmt::Write as _;
use std::path::Path;

use super::plot::{self, RasterGroup};
use crate::experiment::simulate::RunResult;

/// Populations larger than this show only the neurons that fired in the window.
const ALL_ROWS_UP_TO: usize = 400;

pub fn rasters(dir: &Path, run: &RunResult) -> Result<String, String> {
    let mut s = String::from("\n### One trial of each phase\n\n");
    for ph in &run.circuit.protocol.phases {
        if ph.trials == 0 {
            continue;
        }
        let t0 = ph.time(0, 0);
        let t1 = (t0 + ph.interval * ph.presentations as f64).min(run.circuit.duration_ms);
        let mut groups: Vec<RasterGroup> = Vec::new();
        for (k, pop) in run.net().populations.iter().enumerate() {
            let spikes = run.spikes_of(k, t0, t1);
            if pop.size <= ALL_ROWS_UP_TO {
                groups.push((pop.name.clone(), pop.size, spikes));
            } else {
                let mut ids: Vec<usize> = spikes.iter().map(|x| x.1).collect();
                ids.sort_unstable();
                ids.dedup();
                let renumbered = spikes
                    .iter()
                    .map(|&(t, i)| (t, ids.binary_search(&i).unwrap_or(0)))
                    .collect();
                groups.push((
                    format!("{} (the {} of {} that fired)", pop.name, ids.len(), pop.size),
                    ids.len().max(1),
                    renumbered,
                ));
            }
        }
        let file = format!(
            "raster_{}.png",
            ph.name
                .replace(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-', "_")
        );
        plot::raster(
            &dir.join(&file),
            &format!("Phase `{}`, first trial", ph.name),
            t0 - 0.5,
            t1,
            &groups,
        )?;
        let _ = writeln!(s, "![phase {}]({file})\n", ph.name);
    }
    Ok(s)
}
