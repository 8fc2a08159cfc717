#!/usr/bin/env python3
"""Rebuild a network exported by engram in NEST and compare spike trains and timings.

    pip install nest-simulator
    python3 benches/peers/nest_compare.py [circuits/cuba_ed.toml] [--check-ms 100] [--json]

Steps: run `engram run CIRCUIT --export-network` (connections.csv, initial_state.csv,
spikes.csv, summary.json); build the same neurons (iaf_psc_delta_ps, the circuit's lif
parameters), the same synapses and initial membrane potentials in NEST with one thread; simulate
the same duration; compare every neuron's spike train over the first --check-ms ms (same count,
largest time difference) and report where the trains first part; time both simulations.

Only `lif` populations are supported (the benchmark circuits have no other model).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time
import tomllib
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

NEST_NAMES = {"tau_m": "tau_m", "c_m": "C_m", "e_l": "E_L", "v_th": "V_th",
              "v_reset": "V_reset", "t_ref": "t_ref", "i_e": "I_e"}
ENGRAM_DEFAULTS = {"tau_m": 10.0, "c_m": 250.0, "e_l": -70.0, "v_th": -55.0,
                   "v_reset": -70.0, "t_ref": 2.0, "i_e": 0.0}


def run_engram(circuit, out):
    exe = os.path.join(ROOT, "target", "release", "engram")
    if not os.path.exists(exe):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    subprocess.run([exe, "run", circuit, "--out", out, "--export-network", "--format", "csv", "--threads", "1"], check=True,
                   stdout=subprocess.DEVNULL)


def read_spikes(path, limit_ms):
    trains = defaultdict(list)
    with open(path) as f:
        for row in csv.DictReader(f):
            t = float(row["time_ms"])
            if t < limit_ms:
                trains[(row["population"], int(row["neuron"]))].append(t)
    return trains


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("circuit", nargs="?", default=os.path.join(ROOT, "circuits", "cuba_ed.toml"))
    ap.add_argument("--check-ms", type=float, default=100.0, help="compare spike trains up to this time")
    ap.add_argument("--out", default=os.path.join(ROOT, "outputs", "peers"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    with open(args.circuit, "rb") as f:
        spec = tomllib.load(f)
    name = spec["name"]
    duration = float(spec["duration_ms"])
    run_engram(args.circuit, args.out)
    folder = os.path.join(args.out, name)
    with open(os.path.join(folder, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(folder, "timings.json")) as f:
        summary.update(json.load(f))

    import nest  # imported late: it prints a banner
    import numpy as np

    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    delays = []
    with open(os.path.join(folder, "connections.csv")) as f:
        rows = list(csv.DictReader(f))
    delays = sorted({float(r["delay_ms"]) for r in rows})
    resolution = min(0.1, delays[0]) if delays else 0.1
    nest.SetKernelStatus({"resolution": resolution, "local_num_threads": 1, "rng_seed": 1})

    ids = {}
    t0 = time.perf_counter()
    for pop in spec.get("population", []):
        if pop["model"] != "lif":
            sys.exit(f"population {pop['name']}: only lif populations can be compared")
        params = dict(ENGRAM_DEFAULTS, **pop.get("params", {}))
        # Sizes as engram realised them (a file may give them as [let] expressions).
        size = next(p["neurons"] for p in summary["populations"] if p["name"] == pop["name"])
        nodes = nest.Create("iaf_psc_delta_ps", size,
                            params={NEST_NAMES[k]: float(v) for k, v in params.items()})
        ids[pop["name"]] = nodes.tolist()
    with open(os.path.join(folder, "initial_state.csv")) as f:
        for r in csv.DictReader(f):
            pass
    v0 = defaultdict(dict)
    with open(os.path.join(folder, "initial_state.csv")) as f:
        for r in csv.DictReader(f):
            v0[r["population"]][int(r["neuron"])] = float(r["v_m"])
    for pname, nodes in ids.items():
        vm = [v0[pname][i] for i in range(len(nodes))]
        nest.GetLocalNodeCollection(nest.NodeCollection(nodes)).set({"V_m": vm}) if False else \
            nest.NodeCollection(nodes).set([{"V_m": v} for v in vm])

    pre = np.array([ids[r["pre_population"]][int(r["pre"])] for r in rows], dtype=np.int64)
    post = np.array([ids[r["post_population"]][int(r["post"])] for r in rows], dtype=np.int64)
    w = np.array([float(r["weight"]) for r in rows])
    d = np.array([float(r["delay_ms"]) for r in rows])
    nest.Connect(pre, post, "one_to_one", {"synapse_model": "static_synapse", "weight": w, "delay": d})
    rec = nest.Create("spike_recorder")
    everyone = sum((ids[p] for p in ids), [])
    nest.Connect(nest.NodeCollection(sorted(everyone)), rec)
    build_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    nest.Simulate(duration)
    nest_sim_s = time.perf_counter() - t1

    ev = rec.get("events")
    senders, times = np.asarray(ev["senders"]), np.asarray(ev["times"], dtype=float)
    if "offsets" in ev and len(ev["offsets"]) == len(times):
        times = times - np.asarray(ev["offsets"], dtype=float)
    back = {nid: (p, i) for p, nodes in ids.items() for i, nid in enumerate(nodes)}

    def trains_until(limit):
        nt = defaultdict(list)
        for s, t in zip(senders, times):
            if t < limit:
                nt[back[int(s)]].append(float(t))
        return nt

    def compare(limit):
        a = read_spikes(os.path.join(folder, "spikes.csv"), limit)
        b = trains_until(limit)
        count_mismatch = 0
        max_dt = 0.0
        first_diff = None
        for key in set(a) | set(b):
            ta, tb = sorted(a.get(key, [])), sorted(b.get(key, []))
            if len(ta) != len(tb):
                count_mismatch += 1
            for x, y in zip(ta, tb):
                if abs(x - y) > 1e-6 and (first_diff is None or min(x, y) < first_diff):
                    first_diff = min(x, y)
                max_dt = max(max_dt, abs(x - y)) if len(ta) == len(tb) else max_dt
        return sum(len(v) for v in a.values()), sum(len(v) for v in b.values()), count_mismatch, max_dt, first_diff

    na, nb, cm, max_dt, _ = compare(args.check_ms)
    _, _, _, _, first_diff = compare(duration)
    result = {
        "circuit": name,
        "check_ms": args.check_ms,
        "engram_spikes": na,
        "nest_spikes": nb,
        "neurons_with_different_counts": cm,
        "max_abs_time_difference_ms": max_dt,
        "first_difference_ms_over_whole_run": first_diff,
        "duration_ms": duration,
        "engram_simulate_seconds": summary["simulate_seconds"],
        "nest_simulate_seconds": nest_sim_s,
        "nest_build_seconds": build_s,
        "speedup": nest_sim_s / summary["simulate_seconds"],
        "nest_version": nest.__version__,
        "threads": 1,
    }
    same = cm == 0 and max_dt <= 1e-6 and na == nb
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{name}: first {args.check_ms} ms: engram {na} spikes, NEST {nb} spikes, "
              f"{cm} neurons with different counts, max |dt| = {max_dt:.3e} ms -> {'SAME' if same else 'DIFFERENT'}")
        print(f"  trains first differ (>1e-6 ms) at {first_diff} ms over the whole {duration} ms run")
        print(f"  simulate {duration} ms, one thread: engram {summary['simulate_seconds']:.3f} s, "
              f"NEST {nest.__version__} iaf_psc_delta_ps {nest_sim_s:.3f} s -> {result['speedup']:.1f}x")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
