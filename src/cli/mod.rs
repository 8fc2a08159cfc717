//! The command line: `engram run`, `engram validate`, `engram bench`.

/// `println!` that ignores a closed stdout (e.g. `engram ... | head`) instead of panicking.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

mod bench;
mod bench_scaling;
mod math;
mod math_tem;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::circuit::TableFormat;

#[derive(Parser)]
#[command(
    name = "engram",
    version,
    about = "Exact event-driven spiking circuit simulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// `--format`.
#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Parquet,
    Csv,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate circuits and write outputs/<name>/ (no circuit: the built-in default circuits).
    Run {
        /// Circuit files (TOML).
        circuits: Vec<PathBuf>,
        /// Folder to write results into.
        #[arg(long, default_value = "outputs")]
        out: PathBuf,
        /// Replace the circuits' seeds.
        #[arg(long)]
        seed: Option<u64>,
        /// Also write the connections and initial_state tables (the realised network).
        #[arg(long)]
        export_network: bool,
        /// Data tables (spikes, readouts, recorders, network export) in this format, whatever
        /// the circuits' `[output] format` says (default: as the circuits say; parquet).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Memory budget in GiB (default: this machine's memory): networks, spike lists and
        /// sources that would not fit are refused; a run holding spikes past half of it stops.
        #[arg(long)]
        memory_gib: Option<f64>,
        /// Output budget in GiB (default: the free space on the disk of --out): outputs known
        /// before the run that would not fit are refused; a run whose spikes table would pass it
        /// stops.
        #[arg(long)]
        max_output_gib: Option<f64>,
    },
    /// Check circuit files without running them.
    Validate {
        #[arg(required = true)]
        circuits: Vec<PathBuf>,
        /// Memory budget in GiB (default: this machine's memory).
        #[arg(long)]
        memory_gib: Option<f64>,
        /// Output budget in GiB (default: the free space on the disk of ./outputs).
        #[arg(long)]
        max_output_gib: Option<f64>,
    },
    /// The equations without spikes (SDM, ...), each with --json.
    #[command(subcommand)]
    Math(math::MathCommand),
    /// Print the JSON Schema of circuit files (for editors that check TOML against a schema).
    Schema,
    /// Measure simulation speed on the cuba_ed benchmark (or a given circuit).
    Bench {
        /// Circuit to time (default: the built-in cuba_ed).
        circuit: Option<PathBuf>,
        /// Timed repetitions (the best and the median are reported).
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Override the simulated time, ms.
        #[arg(long)]
        duration_ms: Option<f64>,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
        /// Worker threads (default 1, for per-core figures).
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// The cuba_ed family at several sizes (constant in-degree) on 1..N threads: a table
        /// and a plot (scaling.csv, scaling.png in --out). Simulated time: --duration-ms
        /// (default 200).
        #[arg(long)]
        scaling: bool,
        /// Sizes (neurons) for --scaling.
        #[arg(long, value_delimiter = ',', default_value = "4000,40000,400000")]
        sizes: Vec<u64>,
        /// Most threads for --scaling (default: one per core).
        #[arg(long)]
        max_threads: Option<usize>,
        /// Folder for --scaling's table and plot.
        #[arg(long, default_value = "outputs/bench")]
        out: PathBuf,
    },
}

/// Runs `f` on a pool of `threads` workers (None: one per core).
fn with_threads(threads: Option<usize>, f: impl FnOnce() -> u8 + Send) -> u8 {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        if !(1..=4096).contains(&t) {
            eprintln!("error: --threads {t}: give 1 to 4096 worker threads (leave it out for one per core)");
            return EXIT_BAD_INPUT;
        }
        b = b.num_threads(t);
    }
    match b.build() {
        Ok(pool) => pool.install(f),
        Err(e) => {
            eprintln!("error: cannot start {threads:?} threads: {e}");
            EXIT_FAILURE
        }
    }
}

/// Exit code for bad input (circuit files, arguments).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code for failures that are not the input's fault (e.g. the disk).
pub const EXIT_FAILURE: u8 = 1;

/// Applies `--memory-gib`; Some(exit code) if it is refused.
/// Sets the budgets given on the command line; the exit code if one is not a size.
fn set_budget(memory_gib: Option<f64>, max_output_gib: Option<f64>) -> Option<u8> {
    use crate::config::budget;
    let set = memory_gib
        .map_or(Ok(()), budget::set_memory_gib)
        .and_then(|()| max_output_gib.map_or(Ok(()), budget::set_output_gib));
    match set {
        Ok(()) => None,
        Err(e) => {
            eprintln!("error: {e}");
            Some(EXIT_BAD_INPUT)
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        None => run::run(&[], &run::Options::default()),
        Some(Command::Run {
            circuits,
            out,
            seed,
            export_network,
            format,
            threads,
            memory_gib,
            max_output_gib,
        }) => match set_budget(memory_gib, max_output_gib) {
            Some(code) => code,
            None => {
                crate::config::budget::set_output_dir(&out);
                let options = run::Options {
                    out,
                    seed,
                    export_network,
                    format: format.map(|f| match f {
                        FormatArg::Parquet => TableFormat::Parquet,
                        FormatArg::Csv => TableFormat::Csv,
                    }),
                };
                with_threads(threads, || run::run(&circuits, &options))
            }
        },
        Some(Command::Validate {
            circuits,
            memory_gib,
            max_output_gib,
        }) => set_budget(memory_gib, max_output_gib).unwrap_or_else(|| run::validate(&circuits)),
        Some(Command::Math(cmd)) => math::run(cmd),
        Some(Command::Schema) => {
            let schema = crate::experiment::schema::circuit_schema();
            outln!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
            0
        }
        Some(Command::Bench {
            circuit,
            repeats,
            duration_ms,
            json,
            threads,
            scaling,
            sizes,
            max_threads,
            out,
        }) => {
            if scaling {
                let max = max_threads
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
                if !(1..=4096).contains(&max) || sizes.is_empty() || sizes.iter().any(|&n| n < 5) {
                    eprintln!(
                        "error: --scaling needs --max-threads in 1..=4096 and sizes of at least 5 neurons"
                    );
                    EXIT_BAD_INPUT
                } else if circuit.is_some() {
                    eprintln!("error: --scaling measures the built-in cuba_ed family; leave out the circuit");
                    EXIT_BAD_INPUT
                } else {
                    let d = duration_ms.unwrap_or(200.0);
                    if !(d > 0.0 && d.is_finite()) {
                        eprintln!("error: --duration-ms must be positive");
                        EXIT_BAD_INPUT
                    } else {
                        bench_scaling::scaling(&sizes, max, repeats, d, &out, json)
                    }
                }
            } else {
                with_threads(Some(threads), || {
                    bench::bench(circuit.as_deref(), repeats, duration_ms, json)
                })
            }
        }
    };
    ExitCode::from(code)
}
