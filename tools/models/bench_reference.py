#!/usr/bin/env python3
"""Python onnxruntime's side of `videogenx bench model --model NAME`: the time of one sampler
step of the same denoiser graph, the same latent shape, the same intra-op threads — scale the
latent, run the conditional and unconditional branches as one batch, combine them (CFG) and take
an Euler step — for each batch size, the members stacked in one run. Prints JSON
{"batch": median seconds per step}.

  bench_reference.py DENOISER_ONNX --batches 1,2,4,8 --steps 10 --threads 0 --frames 2 --height 90 --width 160
"""
import argparse
import json
import statistics
import time

import numpy as np
import onnxruntime as ort


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("denoiser")
    parser.add_argument("--batches", default="1,2,4,8")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--frames", type=int, default=2)
    parser.add_argument("--height", type=int, default=90)
    parser.add_argument("--width", type=int, default=160)
    parser.add_argument("--text-length", type=int, default=77)
    parser.add_argument("--text-width", type=int, default=32)
    args = parser.parse_args()
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(args.denoiser, options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(1)
    results = {}
    for batch in [int(b) for b in args.batches.split(",")]:
        x = rng.standard_normal((batch, 4, args.frames, args.height, args.width)).astype(np.float32) * 14.6
        text = rng.standard_normal((2 * batch, args.text_length, args.text_width)).astype(np.float32)
        sigmas = np.linspace(14.6, 0.03, args.steps + 3).astype(np.float32)
        times = []
        for step in range(args.steps + 2):
            sigma, next_sigma = sigmas[step], sigmas[step + 1]
            start = time.perf_counter()
            scaled = x / np.sqrt(sigma * sigma + 1)
            sample = np.concatenate([scaled, scaled])
            t = np.full((2 * batch,), 500.0, dtype=np.float32)
            eps = session.run(None, {"sample": sample, "timestep": t, "encoder_hidden_states": text})[0]
            cond, uncond = eps[:batch], eps[batch:]
            denoised_cond = x - sigma * cond
            denoised_uncond = x - sigma * uncond
            denoised = denoised_uncond + 7.5 * (denoised_cond - denoised_uncond)
            x = x + (x - denoised) / sigma * (next_sigma - sigma)
            if step >= 2:  # two warm-up steps
                times.append(time.perf_counter() - start)
        results[batch] = statistics.median(times)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
