//! The recorded spikes of a run, in (time, neuron) order: the newest in memory, the older ones
//! streamed to a spill file on disk once the memory part reaches its limit, so a run holds at
//! most `limit` spikes in memory however many it records. Readers ask for a time window; a
//! sparse index of the spilled part (the time of every `STRIDE`-th spike) finds it in the file
//! without reading the rest.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::event::Spike;

/// Bytes of one spilled spike: time (f64) and neuron (u32), little-endian.
pub const RECORD: usize = 12;
/// One index entry per this many spilled spikes.
const STRIDE: u64 = 1024;
/// Spilled spikes decoded per read.
const READ_BLOCK: u64 = 1 << 16;

/// Distinguishes the spill files of the simulations of one process.
static NEXT_FILE: AtomicU64 = AtomicU64::new(0);

struct Spill {
    path: PathBuf,
    file: File,
    /// Spikes in the file.
    len: u64,
    /// Time of spike `k * STRIDE` of the file.
    index: Vec<f64>,
}

impl Drop for Spill {
    fn drop(&mut self) {
        // On Unix the file was unlinked as soon as it was opened.
        if !cfg!(unix) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[derive(Default)]
pub struct SpikeLog {
    /// The newest spikes, after those in the spill file.
    tail: Vec<Spike>,
    spill: Option<Spill>,
    /// Where the spill file goes (`None`: everything stays in memory).
    spill_dir: Option<PathBuf>,
    /// Most spikes held in memory before the tail is spilled.
    limit: usize,
    /// The first failed read of the spill file (readers then see fewer spikes; the run is not
    /// to be trusted and says so).
    read_error: Mutex<Option<String>>,
}

impl SpikeLog {
    /// A log that keeps everything in memory.
    pub fn in_memory() -> SpikeLog {
        SpikeLog {
            limit: usize::MAX,
            ..SpikeLog::default()
        }
    }

    /// A log that spills to a file in `dir` whenever more than `limit` spikes are in memory.
    pub fn spilling(dir: &Path, limit: usize) -> SpikeLog {
        SpikeLog {
            spill_dir: Some(dir.to_path_buf()),
            limit: limit.max(1),
            ..SpikeLog::default()
        }
    }

    /// Whether spikes beyond the memory limit go to disk.
    pub fn spills(&self) -> bool {
        self.spill_dir.is_some()
    }

    /// Spikes logged.
    pub fn len(&self) -> u64 {
        self.spilled() + self.tail.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Spikes held in memory.
    pub fn in_memory_len(&self) -> usize {
        self.tail.len()
    }

    /// Spikes in the spill file.
    pub fn spilled(&self) -> u64 {
        self.spill.as_ref().map_or(0, |s| s.len)
    }

    /// Appends a spike no earlier than the last one.
    pub fn push(&mut self, s: Spike) {
        self.tail.push(s);
    }

    /// Moves the memory part to the spill file if it is over the limit (and the log spills).
    pub fn spill_if_full(&mut self) -> Result<(), String> {
        if self.tail.len() <= self.limit {
            return Ok(());
        }
        let Some(dir) = &self.spill_dir else {
            return Ok(());
        };
        if self.spill.is_none() {
            let name = format!(
                ".spikes-{}-{}.spill",
                std::process::id(),
                NEXT_FILE.fetch_add(1, Ordering::Relaxed)
            );
            let path = dir.join(name);
            let file = File::options()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| format!("cannot create the spike spill file {}: {e}", path.display()))?;
            // Unlinked at once on Unix: the open file stays readable, and nothing is left behind
            // however the process ends, nor moved with the folder it was made in.
            if cfg!(unix) {
                let _ = std::fs::remove_file(&path);
            }
            self.spill = Some(Spill {
                path,
                file,
                len: 0,
                index: Vec::new(),
            });
        }
        let spill = self.spill.as_mut().expect("created above");
        let mut bytes = Vec::with_capacity(self.tail.len() * RECORD);
        for (k, s) in self.tail.iter().enumerate() {
            let position = spill.len + k as u64;
            if position.is_multiple_of(STRIDE) {
                spill.index.push(s.time);
            }
            bytes.extend_from_slice(&s.time.to_le_bytes());
            bytes.extend_from_slice(&s.neuron.to_le_bytes());
        }
        spill
            .file
            .write_all(&bytes)
            .map_err(|e| format!("cannot write the spike spill file {}: {e}", spill.path.display()))?;
        spill.len += self.tail.len() as u64;
        self.tail.clear();
        Ok(())
    }

    /// Calls `f` with every spike in `[a, b)`, in order.
    pub fn visit(&self, a: f64, b: f64, f: &mut dyn FnMut(&Spike)) {
        if let Some(spill) = &self.spill {
            // Spikes at or after `a` start after the last index entry before `a`; those before
            // `b` end before the first index entry at or after `b`.
            let j0 = spill.index.partition_point(|t| *t < a);
            let j1 = spill.index.partition_point(|t| *t < b);
            let start = (j0.saturating_sub(1) as u64) * STRIDE;
            let end = (j1 as u64 * STRIDE).min(spill.len);
            let mut at = start;
            let mut bytes = Vec::new();
            while at < end {
                let n = (end - at).min(READ_BLOCK);
                bytes.resize(n as usize * RECORD, 0);
                if let Err(e) = read_at(&spill.file, &mut bytes, at * RECORD as u64) {
                    if let Ok(mut slot) = self.read_error.lock() {
                        slot.get_or_insert(format!(
                            "cannot read the spike spill file {}: {e}",
                            spill.path.display()
                        ));
                    }
                    return;
                }
                for r in bytes.chunks_exact(RECORD) {
                    let s = Spike {
                        time: f64::from_le_bytes(r[..8].try_into().expect("8 bytes")),
                        neuron: u32::from_le_bytes(r[8..].try_into().expect("4 bytes")),
                    };
                    if s.time >= a && s.time < b {
                        f(&s);
                    }
                }
                at += n;
            }
        }
        let lo = self.tail.partition_point(|s| s.time < a);
        for s in self.tail[lo..].iter().take_while(|s| s.time < b) {
            f(s);
        }
    }

    /// The spikes in `[a, b)`.
    pub fn window(&self, a: f64, b: f64) -> Vec<Spike> {
        let mut out = Vec::new();
        self.visit(a, b, &mut |s| out.push(*s));
        out
    }

    /// Every spike, in order.
    pub fn all(&self) -> Vec<Spike> {
        self.window(f64::NEG_INFINITY, f64::INFINITY)
    }

    /// The first failed read of the spill file, if any.
    pub fn read_error(&self) -> Option<String> {
        self.read_error.lock().ok().and_then(|s| s.clone())
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = file.try_clone()?;
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spikes at times drawn so that many share a time, several per epoch, in order.
    fn spikes(n: usize) -> Vec<Spike> {
        let mut t = 0.0;
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..n)
            .map(|k| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if x.is_multiple_of(3) {
                    t += (x % 1000) as f64 * 1e-3;
                }
                Spike {
                    time: t,
                    neuron: (k % 97) as u32,
                }
            })
            .collect()
    }

    #[test]
    fn a_spilling_log_holds_at_most_its_limit_and_reads_back_every_window_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let all = spikes(50_000);
        let mut log = SpikeLog::spilling(dir.path(), 3000);
        for chunk in all.chunks(37) {
            for s in chunk {
                log.push(*s);
            }
            log.spill_if_full().unwrap();
            assert!(log.in_memory_len() <= 3000 + 37);
        }
        assert!(log.spilled() > 40_000);
        assert_eq!(log.len(), all.len() as u64);
        assert_eq!(log.all(), all);
        let end = all.last().unwrap().time;
        for k in 0..200 {
            let a = end * (k as f64 / 200.0) - 0.5;
            for w in [0.0, 1e-3, 0.3, 2.0, 40.0, end] {
                let want: Vec<Spike> = all
                    .iter()
                    .filter(|s| s.time >= a && s.time < a + w)
                    .copied()
                    .collect();
                assert_eq!(log.window(a, a + w), want, "[{a}, {})", a + w);
            }
            // Window edges at spike times, where ties meet the index.
            let t = all[k * 250].time;
            let want: Vec<Spike> = all
                .iter()
                .filter(|s| s.time >= t && s.time < t + 1.0)
                .copied()
                .collect();
            assert_eq!(log.window(t, t + 1.0), want);
        }
        assert!(log.read_error().is_none());
        drop(log);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the spill file goes with the log"
        );
    }

    #[test]
    fn an_in_memory_log_never_spills() {
        let mut log = SpikeLog::in_memory();
        let all = spikes(10_000);
        for s in &all {
            log.push(*s);
        }
        log.spill_if_full().unwrap();
        assert_eq!(log.spilled(), 0);
        assert_eq!(log.in_memory_len(), 10_000);
        let want: Vec<Spike> = all.iter().filter(|s| s.time < 1.0).copied().collect();
        assert_eq!(log.window(0.0, 1.0), want);
    }
}
