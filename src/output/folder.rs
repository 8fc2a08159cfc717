//! An output folder that appears whole or not at all, and that one run at a time writes.
//!
//! A run claims `DIR/NAME` before it simulates: it takes the lock `DIR/.NAME.lock` (a file made
//! with create-new, holding the run's process id; a lock whose process is gone is stale and
//! taken over), removes what killed runs left beside the folder (`.NAME.partial-*`,
//! `.NAME.old-*`), and writes its files into the hidden staging folder `.NAME.partial-PID`.
//! The commit swaps staging and target in one atomic exchange (Linux `renameat2`), so the
//! target is at every instant either the previous result or the new one, then removes the old
//! one; where the exchange is not available it moves the old folder aside, moves the new one
//! in, and removes the old one (a kill between the two renames leaves the previous result under
//! `.NAME.old-PID`, which the next run puts back). SIGINT removes the staging folder and the lock
//! before the process exits.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Staging folders and locks to remove if the process is interrupted.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn track(p: &Path) {
    if let Ok(mut l) = LIVE.lock() {
        l.push(p.to_path_buf());
    }
}

fn untrack(p: &Path) {
    if let Ok(mut l) = LIVE.lock() {
        l.retain(|x| x != p);
    }
}

/// Installs the SIGINT handler: remove every live staging folder and lock, exit 130.
pub fn clean_up_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        if let Ok(l) = LIVE.lock() {
            for p in l.iter() {
                if p.is_dir() {
                    let _ = std::fs::remove_dir_all(p);
                } else {
                    let _ = std::fs::remove_file(p);
                }
            }
        }
        eprintln!("interrupted: staging folders removed, previous results left in place");
        std::process::exit(130);
    });
}

/// For tests of a killed run: `ENGRAM_FAULT_AT=<point>` aborts the process there
/// (`staged`, `exchanged`, `aside`); `ENGRAM_FAULT_NO_EXCHANGE` takes the path without the
/// atomic exchange.
fn fault_point(point: &str) {
    if std::env::var("ENGRAM_FAULT_AT").is_ok_and(|p| p == point) {
        std::process::abort();
    }
}

/// Why a folder cannot be claimed.
#[derive(Debug)]
pub enum ClaimError {
    /// Another run is writing it.
    InUse(String),
    /// The path cannot hold an output folder (a file is in the way, no permission, ...).
    Unusable(String),
}

impl std::fmt::Display for ClaimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClaimError::InUse(s) | ClaimError::Unusable(s) => f.write_str(s),
        }
    }
}

pub struct StagedFolder {
    staging: PathBuf,
    target: PathBuf,
    lock: PathBuf,
    name: String,
    parent: PathBuf,
    done: bool,
}

fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

impl StagedFolder {
    /// Claims `target` for this run (see the module's text).
    pub fn claim(target: &Path) -> Result<Self, ClaimError> {
        let unusable = |what: String| ClaimError::Unusable(what);
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        if parent.exists() && !parent.is_dir() {
            return Err(unusable(format!(
                "{} is a file, not a folder for outputs",
                parent.display()
            )));
        }
        std::fs::create_dir_all(&parent)
            .map_err(|e| unusable(format!("cannot create {}: {e}", parent.display())))?;
        if target.exists() && !target.is_dir() {
            return Err(unusable(format!(
                "{} exists and is not a folder",
                target.display()
            )));
        }
        let name = target
            .file_name()
            .map_or("run".into(), |n| n.to_string_lossy().into_owned());
        let me = std::process::id();
        let lock = parent.join(format!(".{name}.lock"));
        let mut tries = 0;
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&lock)
            {
                Ok(mut f) => {
                    use std::io::Write;
                    let _ = writeln!(f, "{me}");
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < 3 => {
                    tries += 1;
                    let holder = std::fs::read_to_string(&lock)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    match holder {
                        Some(pid) if pid != me && process_alive(pid) => {
                            return Err(ClaimError::InUse(format!(
                                "the output folder {} is in use by another engram run (process {pid}; lock {})",
                                target.display(),
                                lock.display()
                            )));
                        }
                        // A lock being written (no id yet) is given a moment.
                        None => std::thread::sleep(std::time::Duration::from_millis(50)),
                        // Left by a run that is gone: take it over.
                        _ => {
                            let _ = std::fs::remove_file(&lock);
                        }
                    }
                }
                Err(e) => {
                    return Err(unusable(format!("cannot lock {}: {e}", lock.display())));
                }
            }
        }
        track(&lock);
        let folder = StagedFolder {
            staging: parent.join(format!(".{name}.partial-{me}")),
            target: target.to_path_buf(),
            lock,
            name,
            parent,
            done: false,
        };
        folder.remove_leftovers();
        std::fs::create_dir_all(&folder.staging)
            .map_err(|e| unusable(format!("cannot create {}: {e}", folder.staging.display())))?;
        track(&folder.staging);
        Ok(folder)
    }

    /// What killed runs left beside the target: staging folders are removed; a previous
    /// result moved aside is put back if the target is missing, removed otherwise.
    fn remove_leftovers(&self) {
        let Ok(entries) = std::fs::read_dir(&self.parent) else {
            return;
        };
        let (partial, old) = (format!(".{}.partial-", self.name), format!(".{}.old-", self.name));
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            if file.starts_with(&partial) {
                let _ = std::fs::remove_dir_all(&path);
            } else if file.starts_with(&old) {
                if self.target.exists() {
                    let _ = std::fs::remove_dir_all(&path);
                } else {
                    let _ = std::fs::rename(&path, &self.target);
                }
            }
        }
    }

    /// Where to write the files.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the staged folder in the target's place.
    pub fn commit(mut self) -> std::io::Result<PathBuf> {
        fault_point("staged");
        if self.target.exists() {
            let exchanged = std::env::var_os("ENGRAM_FAULT_NO_EXCHANGE").is_none()
                && exchange(&self.staging, &self.target).is_ok();
            if exchanged {
                // The staging path now holds the previous result.
                fault_point("exchanged");
                std::fs::remove_dir_all(&self.staging)?;
            } else {
                let aside = self
                    .parent
                    .join(format!(".{}.old-{}", self.name, std::process::id()));
                std::fs::rename(&self.target, &aside)?;
                fault_point("aside");
                std::fs::rename(&self.staging, &self.target)?;
                std::fs::remove_dir_all(&aside)?;
            }
        } else {
            std::fs::rename(&self.staging, &self.target)?;
        }
        self.done = true;
        Ok(self.target.clone())
    }
}

/// Swaps two paths atomically (Linux renameat2 with RENAME_EXCHANGE).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; the call reads them only.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("no atomic exchange here"))
}

impl Drop for StagedFolder {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        untrack(&self.staging);
        let _ = std::fs::remove_file(&self.lock);
        untrack(&self.lock);
    }
}
