//! `engram math ...`: the equations without a circuit.

use clap::Subcommand;
use serde_json::{Value, json};

use super::EXIT_BAD_INPUT;
use crate::math::sdm::{HammingSpace, cosine_of_distance, fit_beta};
use crate::math::sdm_optimal::optimal_radii;

#[derive(Subcommand)]
pub enum MathCommand {
    /// Sparse Distributed Memory.
    #[command(subcommand)]
    Sdm(SdmCommand),
    /// Classical and modern Hopfield networks.
    #[command(subcommand)]
    Hopfield(HopfieldCommand),
    /// The grid code, path integration and TEM's memories of walks.
    #[command(subcommand)]
    Tem(super::math_tem::TemCommand),
}

#[derive(Subcommand)]
pub enum HopfieldCommand {
    /// Modern Hopfield retrieval of random ±1 patterns from queries with a fraction of bits flipped (one update).
    Retrieve {
        #[arg(long)]
        dim: usize,
        #[arg(long)]
        patterns: usize,
        /// Fraction of the stored pattern's bits flipped to make the query.
        #[arg(long)]
        flip: f64,
        #[arg(long)]
        beta: f64,
        #[arg(long, default_value_t = 100)]
        trials: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Classical Hopfield network at load A (A·D patterns), iterated to a fixed point from a stored pattern.
    Classical {
        #[arg(long)]
        dim: usize,
        #[arg(long)]
        load: f64,
        #[arg(long, default_value_t = 20)]
        trials: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum SdmCommand {
    /// Circle intersection I(n, d, d_v) for every d_v, with expected neuron counts and the softmax it follows.
    Intersection {
        #[arg(long)]
        n: usize,
        /// Number of neurons (hard locations); accepts `2^64`.
        #[arg(long, value_parser = parse_count)]
        r: f64,
        #[arg(long)]
        d: usize,
        #[arg(long)]
        json: bool,
    },
    /// The β of the softmax that the intersection follows (least squares and published convention).
    Beta {
        #[arg(long)]
        n: usize,
        #[arg(long)]
        d: usize,
        #[arg(long)]
        json: bool,
    },
    /// Optimal radii for signal-to-noise, memory capacity and critical distance.
    Optimal {
        #[arg(long)]
        n: usize,
        #[arg(long, value_parser = parse_count)]
        r: f64,
        #[arg(long, value_parser = parse_count)]
        m: f64,
        #[arg(long)]
        json: bool,
    },
}

/// A positive count: `1000`, `1e6` or `2^64`.
fn parse_count(s: &str) -> Result<f64, String> {
    let v = match s.split_once('^') {
        Some((b, e)) => {
            let b: f64 = b
                .trim()
                .parse()
                .map_err(|_| format!("`{s}`: base is not a number"))?;
            let e: f64 = e
                .trim()
                .parse()
                .map_err(|_| format!("`{s}`: exponent is not a number"))?;
            b.powf(e)
        }
        None => s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number (e.g. 1000, 1e6, 2^64)"))?,
    };
    if v.is_finite() && v >= 1.0 {
        Ok(v)
    } else {
        Err(format!("`{s}` must be a finite count ≥ 1"))
    }
}

fn check_nd(n: usize, d: usize) -> Result<(), String> {
    if n == 0 || n > 100_000 {
        return Err(format!("--n {n}: give 1 ≤ n ≤ 100000"));
    }
    if d > n {
        return Err(format!("--d {d} exceeds --n {n}"));
    }
    Ok(())
}

fn print(value: Value, json: bool, text: impl FnOnce(&Value)) {
    if json {
        outln!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
    } else {
        text(&value);
    }
}

pub fn run(cmd: MathCommand) -> u8 {
    let cmd = match cmd {
        MathCommand::Sdm(c) => c,
        MathCommand::Hopfield(h) => return report(hopfield(h)),
        MathCommand::Tem(t) => return report(super::math_tem::run(t)),
    };
    let result = match cmd {
        SdmCommand::Intersection { n, r, d, json } => check_nd(n, d).map(|()| {
            let space = HammingSpace::new(n);
            let beta = fit_beta(&space, d).beta_ols;
            let ln_i0 = space.ln_intersection(d, 0);
            let rows: Vec<Value> = (0..=n)
                .map(|dv| {
                    let cos = cosine_of_distance(n, dv);
                    let ln_i = space.ln_intersection(d, dv);
                    json!({
                        "d_v": dv,
                        "cos": cos,
                        "ln_intersection": if ln_i.is_finite() { json!(ln_i) } else { Value::Null },
                        "expected_neurons": space.ln_expected_overlap(r, d, dv).exp(),
                        "normalized": (ln_i - ln_i0).exp(),
                        "softmax": (beta * (cos - 1.0)).exp(),
                    })
                })
                .collect();
            print(Value::Array(rows), json, |v| {
                outln!("# n = {n}, r = {r:e}, d = {d}, beta (least squares) = {beta:.4}");
                outln!("{:>6} {:>9} {:>16} {:>16} {:>12} {:>12}", "d_v", "cos", "ln_intersection", "expected", "normalized", "softmax");
                for row in v.as_array().into_iter().flatten() {
                    outln!(
                        "{:>6} {:>9.5} {:>16.6} {:>16.6e} {:>12.4e} {:>12.4e}",
                        row["d_v"].as_u64().unwrap_or(0),
                        row["cos"].as_f64().unwrap_or(0.0),
                        row["ln_intersection"].as_f64().unwrap_or(f64::NEG_INFINITY),
                        row["expected_neurons"].as_f64().unwrap_or(0.0),
                        row["normalized"].as_f64().unwrap_or(0.0),
                        row["softmax"].as_f64().unwrap_or(0.0)
                    );
                }
            });
        }),
        SdmCommand::Beta { n, d, json } => check_nd(n, d).and_then(|()| {
            if d < 2 {
                return Err("--d must be ≥ 2 to fit a slope".into());
            }
            let f = fit_beta(&HammingSpace::new(n), d);
            let v = json!({"n": n, "d": d, "points": f.points, "beta_ols": f.beta_ols, "beta_published": f.beta_published, "intercept": f.intercept});
            print(v, json, |_| {
                outln!("n = {n}, d = {d}: beta_ols = {:.4}, beta_published = {:.4} (ln I fitted on cos over d_v = 0..{})", f.beta_ols, f.beta_published, d - 1)
            });
            Ok(())
        }),
        SdmCommand::Optimal { n, r, m, json } => check_nd(n, 0).map(|()| {
            let o = optimal_radii(n, r, m);
            let v = json!({"n": n, "r": r, "m": m, "p_snr": o.p_snr, "d_snr": o.d_snr, "p_mem": o.p_mem, "d_mem": o.d_mem, "d_cd": o.d_cd, "critical_distance": o.critical_distance});
            print(v, json, |_| {
                outln!("n = {n}, r = {r:e}, m = {m}:");
                outln!("  signal-to-noise   d_snr = {} (p = {:.3e})", o.d_snr, o.p_snr);
                outln!("  memory capacity   d_mem = {} (p = {:.3e})", o.d_mem, o.p_mem);
                outln!("  critical distance d_cd  = {} (corrects queries up to {} bits off)", o.d_cd, o.critical_distance);
            });
        }),
    };
    report(result)
}

fn report(result: Result<(), String>) -> u8 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_BAD_INPUT
        }
    }
}

fn hopfield(cmd: HopfieldCommand) -> Result<(), String> {
    use crate::engine::rng::{Domain, name_key, stream};
    use crate::math::hopfield::{ClassicalHopfield, flip, random_patterns, sign};
    let check = |dim: usize, trials: usize| {
        if !(1..=100_000).contains(&dim) || trials == 0 || trials > 1_000_000 {
            Err(format!(
                "give 1 ≤ --dim ≤ 100000 (got {dim}) and 1 ≤ --trials ≤ 1000000 (got {trials})"
            ))
        } else {
            Ok(())
        }
    };
    match cmd {
        HopfieldCommand::Retrieve {
            dim,
            patterns,
            flip: f,
            beta,
            trials,
            seed,
            json,
        } => {
            check(dim, trials)?;
            if !(0.0..=1.0).contains(&f) || !beta.is_finite() || patterns == 0 || patterns > 1_000_000 {
                return Err("give 0 ≤ --flip ≤ 1, a finite --beta and 1 ≤ --patterns ≤ 1000000".into());
            }
            let (mut exact, mut argmax, mut top) = (0usize, 0usize, 0.0);
            for t in 0..trials {
                let mut rng = stream(seed, Domain::Protocol, name_key("hopfield retrieve"), t as u64);
                let x = random_patterns(&mut rng, dim, patterns);
                let target = x.column(0).into_owned();
                let q = flip(&mut rng, &target, (f * dim as f64).round() as usize);
                let net = crate::math::hopfield::ModernHopfield { x, beta };
                let p = net.weights(&q);
                let best = p
                    .iter()
                    .enumerate()
                    .fold((0, f64::MIN), |b, (i, v)| if *v > b.1 { (i, *v) } else { b });
                exact += usize::from(sign(&net.update(&q)) == target);
                argmax += usize::from(best.0 == 0);
                top += best.1;
            }
            let k = trials as f64;
            let v = json!({"dim": dim, "patterns": patterns, "flip": f, "beta": beta, "trials": trials, "seed": seed,
                "exact_recovery": exact as f64 / k, "argmax_correct": argmax as f64 / k, "mean_top_weight": top / k});
            print(v, json, |v| {
                outln!(
                    "modern Hopfield, D = {dim}, N = {patterns}, {f} flipped, beta = {beta}, {trials} trials:"
                );
                outln!(
                    "  exact_recovery {}  argmax_correct {}  mean_top_weight {:.4}",
                    v["exact_recovery"],
                    v["argmax_correct"],
                    top / k
                );
            });
        }
        HopfieldCommand::Classical {
            dim,
            load,
            trials,
            seed,
            json,
        } => {
            check(dim, trials)?;
            let count = (load * dim as f64).round();
            if !(count >= 1.0 && count <= 10.0 * dim as f64) {
                return Err(format!("--load {load} gives {count} patterns; give 1/D ≤ A ≤ 10"));
            }
            let mut overlap = 0.0;
            for t in 0..trials {
                let mut rng = stream(seed, Domain::Protocol, name_key("hopfield classical"), t as u64);
                let x = random_patterns(&mut rng, dim, count as usize);
                let net = ClassicalHopfield::store(&x);
                let start = x.column(0).into_owned();
                let (s, _) = net.run_async(&mut rng, &start, 200);
                overlap += s.dot(&start) / dim as f64;
            }
            let v = json!({"dim": dim, "load": load, "patterns": count as usize, "trials": trials, "seed": seed,
                "final_overlap": overlap / trials as f64});
            print(v, json, |v| {
                outln!(
                    "classical Hopfield, D = {dim}, load {load} ({count} patterns), {trials} trials: final_overlap {}",
                    v["final_overlap"]
                );
            });
        }
    }
    Ok(())
}
