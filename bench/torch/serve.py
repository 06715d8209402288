"""How the bench drives a PyTorch step: a one-shot timing (`--steps`) or a server (`--serve`).

--serve: after the warm-up steps it prints one JSON line ({"ready": true, torch, threads, items,
params}: params counts the trained values, which the bench compares with our model's),
then answers each `step` line on stdin with one timed step ({"ms": ...}) until `quit` or EOF, so
the bench can interleave our steps and PyTorch's (A B A B …) in one run under the same load.
"""
import json
import statistics
import sys
import time

import torch


def add_args(p):
    p.add_argument('--threads', type=int, default=0, help='torch threads (default: 1 or torch\'s own choice, whichever ran a warm-up step faster)')
    p.add_argument('--steps', type=int, default=5, help='timed steps (after the warm-up steps)')
    p.add_argument('--warmup', type=int, default=2, help='untimed steps first')
    p.add_argument('--serve', action='store_true', help='answer `step` lines on stdin with one timed step each (JSON)')
    p.add_argument('--json', action='store_true')


def setup(a):
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)


def pick_threads(step):
    """The faster of 1 thread and torch's default count, by one timed step each (best of two): on a
    loaded machine OpenMP's barriers can make 2 threads slower than 1, and the peer runs at its best."""
    default = torch.get_num_threads()
    best = (float('inf'), default)
    for n in sorted({1, default}):
        torch.set_num_threads(n)
        best = min(best, (min(timed(step) for _ in range(2)), n))
    torch.set_num_threads(best[1])


def timed(step):
    t0 = time.perf_counter()
    step()
    return 1000 * (time.perf_counter() - t0)


def drive(a, step, items, unit, describe, params):
    """Warm up, then time `a.steps` steps (or serve); prints items/s for one-shot runs. params: the trained tensors."""
    for _ in range(a.warmup):
        step()
    if not a.threads:
        pick_threads(step)
    info = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'items': items, 'unit': unit, 'params': sum(q.numel() for q in params)}
    if a.serve:
        print(json.dumps({'ready': True, **info}), flush=True)
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == 'quit':
                break
            if cmd != 'step':
                print(json.dumps({'error': f'unknown command {cmd!r} (step | quit)'}), flush=True)
                continue
            print(json.dumps({'ms': timed(step)}), flush=True)
        return
    ms = statistics.median(timed(step) for _ in range(a.steps))
    out = {**info, 'step_ms': ms, f'{unit}_per_s': items / (ms / 1000)}
    print(json.dumps(out) if a.json else f"pytorch {info['torch']} ({info['threads']} threads) {describe}: {ms:.1f} ms, {out[f'{unit}_per_s']:.0f} {unit}/s")
