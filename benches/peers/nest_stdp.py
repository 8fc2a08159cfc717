#!/usr/bin/env python3
"""Run engram's STDP experiments and the same protocols in NEST; compare final weights.

    pip install nest-simulator
    python3 benches/peers/nest_stdp.py [circuits/stdp_window.toml circuits/stdp_frequency.toml] [--json]

For each file: `engram run FILE` writes sweep.csv (one row per sweep point, with the final
weight of the `pair` and `triplet` synapses). For every point, the script evaluates the file's
[let] values (with the point's swept values), rebuilds the protocol in NEST 3.10 — a parrot
neuron for the presynaptic cell and one postsynaptic parrot per rule, each told when to fire by a
spike_generator on port 0; the plastic synapse (stdp_synapse with the `pair` projection's
parameters, stdp_triplet_synapse with the `triplet` defaults) reaches the postsynaptic parrot on
port 1, which NEST's parrots do not repeat — simulates, and compares the final weights, point by
point. Spike times are on NEST's 0.1 ms grid (stdp_synapse takes presynaptic times from the
grid). Prints the largest relative difference and both simulators' wall-clock times.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RESOLUTION = 0.1

# engram's defaults (src/engine/plasticity/stdp_pair.rs, stdp_triplet.rs) in NEST's names.
PAIR_DEFAULTS = {"tau_plus": 20.0, "tau_minus": 20.0, "lambda": 0.01, "alpha": 1.0,
                 "mu_plus": 1.0, "mu_minus": 1.0, "wmax": 100.0}
TRIPLET_DEFAULTS = {"tau_plus": 16.8, "tau_x": 101.0, "tau_minus": 33.7, "tau_y": 125.0,
                    "a2_plus": 5e-10, "a3_plus": 6.2e-3, "a2_minus": 7e-3, "a3_minus": 2.3e-4,
                    "wmax": 100.0}


def evaluate(lets, overrides):
    """The file's [let] values with `overrides`, expressions evaluated in dependency order."""
    env = dict(overrides)
    pending = {k: v for k, v in lets.items() if k not in env}
    funcs = {"max": max, "min": min, "exp": math.exp, "ln": math.log, "sqrt": math.sqrt,
             "atan": math.atan, "abs": abs, "pi": math.pi}
    while pending:
        progress = False
        for k, v in list(pending.items()):
            try:
                env[k] = float(eval(v.replace("^", "**"), {"__builtins__": {}}, {**funcs, **env})) \
                    if isinstance(v, str) else float(v)
                del pending[k]
                progress = True
            except NameError:
                pass
        if not progress:
            sys.exit(f"cannot evaluate [let] {sorted(pending)}")
    return env


def value(v, env):
    return float(eval(v.replace("^", "**"), {"__builtins__": {}}, {"max": max, "min": min, **env})) \
        if isinstance(v, str) else float(v)


def protocol(spec, env):
    """Presynaptic and postsynaptic spike times (ms) of the file's phases, as engram presents them:
    the presynaptic stimulus fires at the trial time + pre_at; the postsynaptic parrot fires when
    its drive (trial time + drive_at) arrives, `delay` later."""
    pre, post, start = [], [], 0.0
    for ph in spec["phase"]:
        n = int(value(ph["trials"], env))
        period = value(ph["interval_ms"], env)
        for k in range(n):
            t = start + k * period
            for pr in ph.get("present", []):
                at = t + value(pr.get("at_ms", 0.0), env)
                if pr["to"] == "pre":
                    pre.append(at)
                elif pr["to"] == "post_drive":
                    post.append(at + env["delay"])
        start += n * period
    return pre, post, start


def nest_weights(nest, spec, env, pre, post, end):
    """Final weights of the pair and triplet synapses in NEST."""
    proj = {p["name"]: p for p in spec["projection"]}
    pair = dict(PAIR_DEFAULTS, **{k: value(v, env) for k, v in proj["pair"]["plasticity"].items() if k != "rule"})
    trip = dict(TRIPLET_DEFAULTS, **{k: value(v, env) for k, v in proj["triplet"]["plasticity"].items() if k != "rule"})
    d = env["delay"]
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.SetKernelStatus({"resolution": RESOLUTION, "local_num_threads": 1})

    def grid(ts):
        out = [round(t / RESOLUTION) * RESOLUTION for t in ts]
        assert all(abs(a - b) < 1e-9 for a, b in zip(out, ts)), "spike times off NEST's grid"
        return out

    # Generators fire one resolution step early; the parrots repeat at the wanted times.
    pre_gen = nest.Create("spike_generator", params={"spike_times": [round(t - RESOLUTION, 10) for t in grid(pre)]})
    post_gen = nest.Create("spike_generator", params={"spike_times": [round(t - RESOLUTION, 10) for t in grid(post)]})
    pre_parrot = nest.Create("parrot_neuron")
    post_pair = nest.Create("parrot_neuron", params={"tau_minus": pair["tau_minus"]})
    post_trip = nest.Create("parrot_neuron", params={"tau_minus": trip["tau_minus"], "tau_minus_triplet": trip["tau_y"]})
    nest.Connect(pre_gen, pre_parrot, syn_spec={"delay": RESOLUTION})
    nest.Connect(post_gen, post_pair, syn_spec={"delay": RESOLUTION})
    nest.Connect(post_gen, post_trip, syn_spec={"delay": RESOLUTION})
    nest.Connect(pre_parrot, post_pair, syn_spec={
        "synapse_model": "stdp_synapse", "receptor_type": 1, "delay": d,
        "weight": value(proj["pair"]["weight"], env), "tau_plus": pair["tau_plus"], "lambda": pair["lambda"],
        "alpha": pair["alpha"], "mu_plus": pair["mu_plus"], "mu_minus": pair["mu_minus"], "Wmax": pair["wmax"]})
    nest.Connect(pre_parrot, post_trip, syn_spec={
        "synapse_model": "stdp_triplet_synapse", "receptor_type": 1, "delay": d,
        "weight": value(proj["triplet"]["weight"], env), "tau_plus": trip["tau_plus"],
        "tau_plus_triplet": trip["tau_x"], "Aplus": trip["a2_plus"], "Aplus_triplet": trip["a3_plus"],
        "Aminus": trip["a2_minus"], "Aminus_triplet": trip["a3_minus"], "Wmax": trip["wmax"]})
    nest.Simulate(end + 2 * d + 1.0)
    w_pair = nest.GetConnections(pre_parrot, post_pair).get("weight")
    w_trip = nest.GetConnections(pre_parrot, post_trip).get("weight")
    return float(w_pair), float(w_trip)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", default=[os.path.join(ROOT, "circuits", "stdp_window.toml"),
                                                 os.path.join(ROOT, "circuits", "stdp_frequency.toml")])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    exe = os.path.join(ROOT, "target", "release", "engram")
    if not os.path.exists(exe):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    import nest  # imported late: it prints a banner

    results = []
    for path in args.files:
        with open(path, "rb") as f:
            spec = tomllib.load(f)
        out = tempfile.mkdtemp()
        t0 = time.perf_counter()
        subprocess.run([exe, "run", path, "--out", out, "--threads", "1"], check=True, stdout=subprocess.DEVNULL)
        engram_s = time.perf_counter() - t0
        with open(os.path.join(out, spec["name"], "sweep.csv")) as f:
            rows = list(csv.DictReader(f))
        swept = [k for s in spec["sweep"] for k in s["over"]]
        nest_s, worst = 0.0, {"pair": (0.0, None), "triplet": (0.0, None)}
        for row in rows:
            point = {k: float(row[k]) for k in swept if row.get(k)}
            env = evaluate(spec["let"], point)
            pre, post, end = protocol(spec, env)
            t1 = time.perf_counter()
            w_pair, w_trip = nest_weights(nest, spec, env, pre, post, end)
            nest_s += time.perf_counter() - t1
            for rule, w_nest in (("pair", w_pair), ("triplet", w_trip)):
                w_engram = float(row[f"{rule}.w_final"])
                rel = abs(w_engram - w_nest) / max(abs(w_nest), 1e-300)
                if rel >= worst[rule][0]:
                    worst[rule] = (rel, {"point": point, "engram": w_engram, "nest": w_nest})
        results.append({"file": os.path.relpath(path, ROOT), "points": len(rows),
                        "max_rel_diff_pair": worst["pair"][0], "worst_pair": worst["pair"][1],
                        "max_rel_diff_triplet": worst["triplet"][0], "worst_triplet": worst["triplet"][1],
                        "engram_run_seconds": engram_s, "nest_seconds": nest_s})
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(f"{r['file']}: {r['points']} points; final weights vs NEST 3.10: "
                  f"largest relative difference pair {r['max_rel_diff_pair']:.2e}, triplet {r['max_rel_diff_triplet']:.2e}; "
                  f"engram (whole run, all points) {r['engram_run_seconds']:.2f} s, NEST (build + simulate, all points) {r['nest_seconds']:.2f} s")
            for rule in ("pair", "triplet"):
                print(f"  worst {rule}: {r['worst_' + rule]}")
    if any(max(r["max_rel_diff_pair"], r["max_rel_diff_triplet"]) > 1e-6 for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
