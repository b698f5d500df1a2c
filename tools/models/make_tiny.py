#!/usr/bin/env python3
"""Builds models/tiny-onnx/: a tiny latent video diffusion model of the platform's structure —
CLIP-tokenised text encoder, conv denoiser (epsilon prediction), VAE-style decoder — written
with the onnx helper API from a fixed seed, without torch. Its weights are RANDOM (seed 20261129):
it is a test model, not a product; its videos are coloured noise shaped by the prompt.

With --oom-variant it also writes oom/denoiser.onnx: the denoiser plus a buffer too large to
allocate, for the tests of the out-of-memory fallback to the next precision.

Also writes the fp16 variant (onnxconverter-common, inputs and outputs kept fp32) and the int8
variant (onnxruntime.quantization dynamic quantisation) when those packages are installed, and
the YAML config beside them. Usage: python tools/models/make_tiny.py [OUT_DIR] (default
models/tiny-onnx). The CLIP BPE vocabulary is copied from the open-clip-torch wheel's
bpe_simple_vocab_16e6.txt.gz when a path to it is given in OPEN_CLIP_VOCAB, else the tokenizer
section points at the file of that name which must be placed beside the config.
"""
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20261129
VOCAB = 49408      # CLIP's BPE vocabulary size
MAX_LENGTH = 77    # CLIP's context length
TEXT_DIM = 32      # text embedding width
HIDDEN = 16        # denoiser channels
CHANNELS = 4       # latent channels
TIME_FREQS = 8     # sinusoidal timestep features (sin and cos each)
OPSET = 18
IR_VERSION = 10  # what ONNX Runtime 1.31 reads (onnx 1.23 would write 14)


def tensor(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def text_encoder(rng):
    """input_ids int64 [B, L] -> text_embeddings float [B, L, D]: token + position embedding,
    tanh, a linear layer."""
    inits = [
        tensor("token_embedding", rng.standard_normal((VOCAB, TEXT_DIM)) * 0.5),
        tensor("position_embedding", rng.standard_normal((MAX_LENGTH, TEXT_DIM)) * 0.1),
        tensor("proj", rng.standard_normal((TEXT_DIM, TEXT_DIM)) / np.sqrt(TEXT_DIM)),
    ]
    nodes = [
        helper.make_node("Gather", ["token_embedding", "input_ids"], ["tokens"]),
        helper.make_node("Add", ["tokens", "position_embedding"], ["embedded"]),
        helper.make_node("Tanh", ["embedded"], ["activated"]),
        helper.make_node("MatMul", ["activated", "proj"], ["text_embeddings"]),
    ]
    graph = helper.make_graph(
        nodes, "text_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", MAX_LENGTH])],
        [helper.make_tensor_value_info("text_embeddings", TensorProto.FLOAT, ["batch", MAX_LENGTH, TEXT_DIM])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION)


def denoiser(rng, oom=False):
    """sample [B, C, T, H, W], timestep [B], encoder_hidden_states [B, L, D] -> noise_pred
    [B, C, T, H, W]: conv3d, plus a conditioning vector from the mean text embedding and
    sinusoidal timestep features, SiLU, a channel attention gate, conv3d back."""
    freqs = np.exp(-np.log(1000.0) * np.arange(TIME_FREQS) / TIME_FREQS).reshape(1, TIME_FREQS)
    inits = [
        tensor("freqs", freqs),
        tensor("conv_in_w", rng.standard_normal((HIDDEN, CHANNELS, 3, 3, 3)) * 0.08),
        tensor("conv_in_b", np.zeros(HIDDEN)),
        tensor("cond_w", rng.standard_normal((TEXT_DIM + 2 * TIME_FREQS, HIDDEN)) * 0.2),
        tensor("gate_w", rng.standard_normal((HIDDEN, HIDDEN)) * 0.3),
        tensor("conv_out_w", rng.standard_normal((CHANNELS, HIDDEN, 3, 3, 3)) * 0.05),
        tensor("conv_out_b", np.zeros(CHANNELS)),
        numpy_helper.from_array(np.array([-1, HIDDEN, 1, 1, 1], dtype=np.int64), "cond_shape"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        numpy_helper.from_array(np.array([2, 3, 4], dtype=np.int64), "spatial_axes"),
    ]
    nodes = [
        # Conditioning: mean text embedding ++ [sin, cos](t · freqs).
        helper.make_node("ReduceMean", ["encoder_hidden_states", "axis1"], ["text_mean"], keepdims=0),
        helper.make_node("Unsqueeze", ["timestep", "axis1"], ["t_column"]),
        helper.make_node("MatMul", ["t_column", "freqs"], ["t_angles"]),
        helper.make_node("Sin", ["t_angles"], ["t_sin"]),
        helper.make_node("Cos", ["t_angles"], ["t_cos"]),
        helper.make_node("Concat", ["text_mean", "t_sin", "t_cos"], ["cond_in"], axis=1),
        helper.make_node("MatMul", ["cond_in", "cond_w"], ["cond"]),
        helper.make_node("Reshape", ["cond", "cond_shape"], ["cond_5d"]),
        # Features.
        helper.make_node("Conv", ["sample", "conv_in_w", "conv_in_b"], ["h0"], pads=[1, 1, 1, 1, 1, 1]),
        helper.make_node("Add", ["h0", "cond_5d"], ["h1"]),
        helper.make_node("Sigmoid", ["h1"], ["h1_sig"]),
        helper.make_node("Mul", ["h1", "h1_sig"], ["h2"]),
        # Channel attention: softmax-free gate from the pooled features.
        helper.make_node("ReduceMean", ["h2", "spatial_axes"], ["pooled"], keepdims=0),
        helper.make_node("MatMul", ["pooled", "gate_w"], ["gate_logits"]),
        helper.make_node("Sigmoid", ["gate_logits"], ["gate"]),
        helper.make_node("Reshape", ["gate", "cond_shape"], ["gate_5d"]),
        helper.make_node("Mul", ["h2", "gate_5d"], ["h3"]),
        helper.make_node("Conv", ["h3", "conv_out_w", "conv_out_b"], ["noise_pred" if not oom else "raw_pred"], pads=[1, 1, 1, 1, 1, 1]),
    ]
    if oom:
        # Test only: the same network plus a 4 TiB buffer ONNX Runtime cannot allocate at run
        # time (a real out-of-memory error), added as 0 so the output is unchanged.
        inits.append(numpy_helper.from_array(np.array([1 << 40], dtype=np.int64), "huge_shape"))
        nodes += [
            helper.make_node("ConstantOfShape", ["huge_shape"], ["huge"], value=helper.make_tensor("zero", TensorProto.FLOAT, [1], [0.0])),
            helper.make_node("ReduceSum", ["huge"], ["nothing"], keepdims=0),
            helper.make_node("Add", ["raw_pred", "nothing"], ["noise_pred"]),
        ]
    latent = ["batch", CHANNELS, "frames", "height", "width"]
    graph = helper.make_graph(
        nodes, "denoiser",
        [
            helper.make_tensor_value_info("sample", TensorProto.FLOAT, latent),
            helper.make_tensor_value_info("timestep", TensorProto.FLOAT, ["batch"]),
            helper.make_tensor_value_info("encoder_hidden_states", TensorProto.FLOAT, ["batch", MAX_LENGTH, TEXT_DIM]),
        ],
        [helper.make_tensor_value_info("noise_pred", TensorProto.FLOAT, latent)],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION)


def vae_decoder(rng):
    """latent [B, C, T, H, W] -> video [B, 3, 4T, 8H, 8W] in [-1, 1]: a 1×1×1 conv to RGB,
    nearest upsampling ×4 in time and ×8 in space, a 3×3×3 smoothing conv, tanh."""
    inits = [
        tensor("to_rgb_w", rng.standard_normal((3, CHANNELS, 1, 1, 1)) * 0.6),
        tensor("to_rgb_b", np.zeros(3)),
        tensor("smooth_w", np.full((3, 1, 3, 3, 3), 1.0 / 27.0)),
        numpy_helper.from_array(np.array([1, 1, 4, 8, 8], dtype=np.float32), "scales"),
    ]
    nodes = [
        helper.make_node("Conv", ["latent", "to_rgb_w", "to_rgb_b"], ["rgb"]),
        helper.make_node("Resize", ["rgb", "", "scales"], ["up"], mode="nearest"),
        helper.make_node("Conv", ["up", "smooth_w"], ["smoothed"], pads=[1, 1, 1, 1, 1, 1], group=3),
        helper.make_node("Tanh", ["smoothed"], ["video"]),
    ]
    graph = helper.make_graph(
        nodes, "vae_decoder",
        [helper.make_tensor_value_info("latent", TensorProto.FLOAT, ["batch", CHANNELS, "frames", "height", "width"])],
        [helper.make_tensor_value_info("video", TensorProto.FLOAT, ["batch", 3, "video_frames", "video_height", "video_width"])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION)


CONFIG = """# tiny-onnx: a TEST model (random weights, seed {seed}) of the platform's model structure.
# Written by tools/models/make_tiny.py; see tools/models/README.md.
name: tiny-onnx
backend: onnx
version: "{seed}"
description: tiny random-weight test network (text encoder, conv denoiser, VAE-style decoder)
tokenizer:
  kind: clip_bpe
  vocabulary: {folder}/bpe_simple_vocab_16e6.txt.gz
  max_length: {max_length}
latent:
  channels: {channels}
  spatial_scale: 8
  temporal_scale: 4
schedule:
  training_steps: 1000
  beta_start: 0.00085
  beta_end: 0.012
  prediction: epsilon
supports:
  resolutions: [720P]
  fps: [24, 30]
  max_frames: 240
  max_batch: 8
memory_mb_per_task: 256
variants:
{variants}"""


def main():
    positional = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = positional[0] if positional else os.path.join("models", "tiny-onnx")
    os.makedirs(os.path.join(out, "fp32"), exist_ok=True)
    rng = np.random.default_rng(SEED)
    components = {"text_encoder": text_encoder(rng), "denoiser": denoiser(rng), "vae_decoder": vae_decoder(rng)}
    if "--oom-variant" in sys.argv:
        # The tests' out-of-memory denoiser (same weights: the generator is re-seeded).
        os.makedirs(os.path.join(out, "oom"), exist_ok=True)
        again = np.random.default_rng(SEED)
        text_encoder(again)
        onnx.save(denoiser(again, oom=True), os.path.join(out, "oom", "denoiser.onnx"))
    for name, model in components.items():
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(out, "fp32", f"{name}.onnx"))
    variants = ["fp32"]
    try:
        from onnxconverter_common import float16
        os.makedirs(os.path.join(out, "fp16"), exist_ok=True)
        for name, model in components.items():
            half = float16.convert_float_to_float16(model, keep_io_types=True)
            onnx.save(half, os.path.join(out, "fp16", f"{name}.onnx"))
        variants.append("fp16")
    except ImportError:
        print("make_tiny: onnxconverter-common not installed: no fp16 variant", file=sys.stderr)
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
        os.makedirs(os.path.join(out, "int8"), exist_ok=True)
        for name in components:
            quantize_dynamic(os.path.join(out, "fp32", f"{name}.onnx"), os.path.join(out, "int8", f"{name}.onnx"), weight_type=QuantType.QInt8)
        variants.append("int8")
    except ImportError:
        print("make_tiny: onnxruntime.quantization not installed: no int8 variant", file=sys.stderr)
    vocab = os.environ.get("OPEN_CLIP_VOCAB")
    if vocab:
        shutil.copyfile(vocab, os.path.join(out, "bpe_simple_vocab_16e6.txt.gz"))
    folder = os.path.basename(os.path.normpath(out))
    lines = "".join(
        f"  - precision: {v}\n"
        + "".join(f"    {c}: {folder}/{v}/{c}.onnx\n" for c in components)
        for v in variants
    )
    with open(os.path.normpath(out) + ".yaml", "w") as f:
        f.write(CONFIG.format(seed=SEED, max_length=MAX_LENGTH, channels=CHANNELS, folder=folder, variants=lines))
    print(f"make_tiny: wrote {out} ({', '.join(variants)}) and {out}.yaml")


if __name__ == "__main__":
    main()
