#!/usr/bin/env python3
"""The table of `engram bench --scaling`, for NEST: the cuba_ed family (Brette et al. 2007,
benchmark 4) at several sizes with constant in-degree, on 1..N threads, iaf_psc_delta_ps.

    pip install nest-simulator
    python3 benches/peers/nest_scaling.py [--sizes 4000,40000,400000] [--max-threads 2]
                                          [--duration-ms 200] [--repeats 3] [--json]

Each cell builds the network anew (4/5 excitatory, 1/5 inhibitory; each neuron gets 64
excitatory and 16 inhibitory inputs — NEST's fixed_indegree: the mean in-degree of engram's
pairwise probability 80/N, whose pairwise_bernoulli in NEST draws N² numbers and takes minutes at
400 000 neurons; weights +0.25 / -2.25 mV, delay 0.1 ms, E_L = -49 mV above threshold, initial
potentials uniform in [V_reset, V_th]), then times nest.Run alone after nest.Prepare (best of
--repeats; the thread counts of one size take turns, as in engram's table, so a drift of the
machine's speed reaches every count alike).
Synaptic events are counted as engram counts them: every spike delivered along each of its
neuron's outgoing synapses (spikes per population times that population's mean out-degree).
"""
import argparse
import json
import time

PARAMS = {"tau_m": 20.0, "C_m": 250.0, "E_L": -49.0, "V_th": -50.0, "V_reset": -60.0,
          "t_ref": 5.0, "I_e": 0.0}


def cell(nest, n, threads, duration):
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": threads, "rng_seed": 1})
    n_e, n_i = n * 4 // 5, n // 5
    t0 = time.perf_counter()
    e = nest.Create("iaf_psc_delta_ps", n_e, params=PARAMS)
    i = nest.Create("iaf_psc_delta_ps", n_i, params=PARAMS)
    for pop in (e, i):
        pop.V_m = nest.random.uniform(-60.0, -50.0)
    out = {}
    for name, pre, post, w in (("E->E", e, e, 0.25), ("E->I", e, i, 0.25),
                               ("I->E", i, e, -2.25), ("I->I", i, i, -2.25)):
        before = nest.GetKernelStatus("num_connections")
        indegree = 64 if pre is e else 16
        nest.Connect(pre, post, {"rule": "fixed_indegree", "indegree": indegree, "allow_autapses": name != "E->E"},
                     {"synapse_model": "static_synapse", "weight": w, "delay": 0.1})
        out[name] = nest.GetKernelStatus("num_connections") - before
    rec_e = nest.Create("spike_recorder")
    rec_i = nest.Create("spike_recorder")
    nest.Connect(e, rec_e)
    nest.Connect(i, rec_i)
    # Prepare builds NEST's connection tables (part of the build, as in engram): only Run is timed.
    nest.Prepare()
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    nest.Run(duration)
    sim = time.perf_counter() - t1
    nest.Cleanup()
    spikes_e, spikes_i = rec_e.n_events, rec_i.n_events
    synapses = sum(out.values())
    events = (spikes_e * (out["E->E"] + out["E->I"]) / n_e
              + spikes_i * (out["I->E"] + out["I->I"]) / n_i)
    return {"neurons": n, "threads": threads, "synapses": synapses, "spikes": spikes_e + spikes_i,
            "synaptic_events": round(events), "build_seconds": build, "simulate_seconds": sim}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="4000,40000,400000")
    ap.add_argument("--max-threads", type=int, default=2)
    ap.add_argument("--duration-ms", type=float, default=200.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    import nest  # imported late: it prints a banner

    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        turns = [[cell(nest, n, threads, args.duration_ms) for threads in range(1, args.max_threads + 1)]
                 for _ in range(max(args.repeats, 1))]
        for t in range(args.max_threads):
            best = min((turn[t] for turn in turns), key=lambda c: c["simulate_seconds"])
            best["events_per_second"] = best["synaptic_events"] / best["simulate_seconds"]
            best["ns_per_event"] = 1e9 * best["simulate_seconds"] / max(best["synaptic_events"], 1)
            rows.append(best)
    for r in rows:
        one = next(x for x in rows if x["neurons"] == r["neurons"] and x["threads"] == 1)
        r["speedup_vs_1_thread"] = one["simulate_seconds"] / r["simulate_seconds"]
        r["ns_per_event_vs_smallest"] = r["ns_per_event"] / rows[0]["ns_per_event"]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"NEST {nest.__version__} iaf_psc_delta_ps: cuba_ed, {args.duration_ms} ms simulated, best of {args.repeats}")
    print("| neurons | threads | synapses | events | s | events/s | ns/event | speed-up | ns/event ÷ smallest |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['neurons']} | {r['threads']} | {r['synapses']} | {r['synaptic_events']} | "
              f"{r['simulate_seconds']:.4f} | {r['events_per_second']:.4e} | {r['ns_per_event']:.2f} | "
              f"{r['speedup_vs_1_thread']:.3f} | {r['ns_per_event_vs_smallest']:.3f} |")


if __name__ == "__main__":
    main()
