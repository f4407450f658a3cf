#!/usr/bin/python3
"""Times a peer of attn_benchmark on a grid and prints one line per grid point:

    peer=torch n=512 d_model=768 h=12 ms=23.4

or, when the peer cannot run, one line saying why:

    peer=torch status=unavailable reason=No_module_named_'torch'

With --serve it first prints "peer=LABEL status=ready" (or the line above), then answers
each line "N D_MODEL HEADS" read from stdin: attn_benchmark --peer runs it that way, so
that every grid point is measured for everyone at about the same time.

Peers: "torch", PyTorch's nn.MultiheadAttention(need_weights=True,
average_attn_weights=False), which returns the weights of every head; "numpy", the same
layer in plain float32 numpy (projections, per-head scores, softmax, weights · V, output).
Thread counts come from the environment (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS) and
--threads; run_benchmark.sh sets the same for every peer and for attn_benchmark.
"""
import argparse
import os
import statistics
import sys
import time


def parse_layers(text):
    layers = []
    for part in text.split(","):
        d_model, heads = (int(v) for v in part.lower().split("x"))
        if d_model % heads:
            raise SystemExit(f"layer {part}: d_model must be a multiple of heads")
        layers.append((d_model, heads))
    return layers


def median_ms(run, min_runs=5, max_runs=50, min_seconds=0.3, once_seconds=1.0):
    """Median wall time of run(); the first run warms up and counts only when slow."""
    # The results are freed after the clock stops, as attn_benchmark frees its traces.
    start = time.perf_counter()
    result = run()
    first = time.perf_counter() - start
    del result
    if first > once_seconds:
        return first * 1e3
    times = []
    while len(times) < max_runs and (len(times) < min_runs or sum(times) < min_seconds):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
        del result
    return statistics.median(times) * 1e3


def torch_forward(threads):
    import torch

    torch.set_num_threads(threads)

    def prepare(n, d_model, heads):
        torch.manual_seed(n)
        layer = torch.nn.MultiheadAttention(d_model, heads, batch_first=True).eval()
        x = torch.randn(1, n, d_model)

        def run():
            with torch.inference_mode():
                return layer(x, x, x, need_weights=True, average_attn_weights=False)

        return run

    return prepare


def numpy_forward(threads):
    import numpy as np

    def prepare(n, d_model, heads):
        rng = np.random.default_rng(n)
        d_k = d_model // heads
        bound = (6.0 / (2 * d_model)) ** 0.5
        w_q, w_k, w_v, w_o = (rng.uniform(-bound, bound, (d_model, d_model)).astype(np.float32) for _ in range(4))
        x = rng.standard_normal((n, d_model)).astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(d_k))

        def split(y):  # [n x h·d] -> [h x n x d]
            return np.ascontiguousarray(y.reshape(n, heads, d_k).transpose(1, 0, 2))

        def run():
            q, k, v = split(x @ w_q.T), split(x @ w_k.T), split(x @ w_v.T)
            weights = (q @ k.transpose(0, 2, 1)) * scale
            weights -= weights.max(axis=-1, keepdims=True)
            np.exp(weights, out=weights)
            weights /= weights.sum(axis=-1, keepdims=True)
            heads_out = weights @ v
            output = heads_out.transpose(1, 0, 2).reshape(n, d_model) @ w_o.T
            return output, weights

        return run

    return prepare


PEERS = {"torch": torch_forward, "numpy": numpy_forward}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", choices=sorted(PEERS), required=True)
    parser.add_argument("--label", help="name printed as peer= (default: --peer)")
    parser.add_argument("--n", default="8,32,128,512,2048")
    parser.add_argument("--layers", default="64x4,256x8,768x12")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    parser.add_argument("--min-time", type=float, default=0.3)
    parser.add_argument("--serve", action="store_true",
                        help="answer requests 'N D_MODEL HEADS' read from stdin, one line each (attn_benchmark --peer)")
    args = parser.parse_args()
    label = args.label or args.peer

    try:
        prepare = PEERS[args.peer](args.threads)
    except Exception as error:  # an absent or broken install: say so, the table goes on
        reason = str(error).replace(" ", "_") or type(error).__name__
        print(f"peer={label} status=unavailable reason={reason}", flush=True)
        return 0

    if args.serve:
        print(f"peer={label} status=ready", flush=True)
        for request in sys.stdin:
            n, d_model, heads = (int(v) for v in request.split())
            ms = median_ms(prepare(n, d_model, heads), min_seconds=args.min_time)
            print(f"peer={label} n={n} d_model={d_model} h={heads} ms={ms:.4f}", flush=True)
        return 0

    for d_model, heads in parse_layers(args.layers):
        for n in (int(v) for v in args.n.split(",")):
            ms = median_ms(prepare(n, d_model, heads), min_seconds=args.min_time)
            print(f"peer={label} n={n} d_model={d_model} h={heads} ms={ms:.4f}", flush=True)
            print(f"{label}: n={n} d_model={d_model} h={heads} {ms:.3f} ms", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
