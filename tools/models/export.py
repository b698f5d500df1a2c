#!/usr/bin/env python3
"""Export a latent video diffusion model to the VideoGenX ONNX contract, optimise it, make its
fp16 and int8 variants and write its YAML config (README, "Bring your own model").

  # 1. PyTorch -> ONNX (needs torch + diffusers + transformers; NOT installed by make model-deps):
  python tools/models/export.py torch --pipeline PATH_TO_LOCAL_DIFFUSERS_PIPELINE --out models/NAME/fp32
  # 2. constant folding / simplification, fp16 (inputs and outputs kept fp32), int8 dynamic
  #    quantisation, and the config (onnx, onnxruntime, onnxconverter-common: make model-deps):
  python tools/models/export.py variants --fp32 models/NAME/fp32 --out models/NAME --fp16 --int8
  python tools/models/export.py config --name NAME --folder models/NAME --vocabulary models/NAME/bpe_simple_vocab_16e6.txt.gz \
      --resolutions 720P --fps 24 --max-frames 96 --max-batch 4 --memory-mb 6000 --prediction epsilon > models/NAME.yaml

The pipeline is read from a local folder (diffusers' save_pretrained layout) — nothing is
downloaded: no from_pretrained of a hub id. The torch step wraps the three components to the
contract: the text encoder returns last_hidden_state for int64 input_ids [B, 77]; the denoiser
takes sample [B, 4, T, H, W], timestep [B] (float) and encoder_hidden_states [B, 77, D] and
returns the noise (or v) prediction; the VAE decoder takes latent [B, 4, T, H, W] (already
divided by the VAE's scaling factor inside the wrapper) and returns frames [B, 3, 4T, 8H, 8W] in
[-1, 1]. Dynamic axes: batch, frames, height, width (opset 18).

Which public models fit this build: the latent layout must be 4 channels, 1/8 in space and 1/4
in time (config `latent`). ModelScope's text-to-video (UNet3D, CLIP ViT-H text encoder,
epsilon prediction) has 4 channels and 1/8 in space but a per-frame 2D VAE (1/1 in time): its
decoder can be exported, but this build refuses `temporal_scale: 1` until the sampler's latent
geometry takes the config's scales (see the closing notes of issue 14).
"""
import argparse
import os
import sys

COMPONENTS = ["text_encoder", "denoiser", "vae_decoder"]


def export_torch(args):
    import torch  # noqa: F401  (only this subcommand needs torch)
    from diffusers import DiffusionPipeline

    pipe = DiffusionPipeline.from_pretrained(args.pipeline, local_files_only=True)  # a local folder only
    os.makedirs(args.out, exist_ok=True)

    class TextEncoder(torch.nn.Module):
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids):
            return self.encoder(input_ids)[0]

    class Denoiser(torch.nn.Module):
        def __init__(self, unet):
            super().__init__()
            self.unet = unet

        def forward(self, sample, timestep, encoder_hidden_states):
            return self.unet(sample, timestep, encoder_hidden_states=encoder_hidden_states).sample

    class VaeDecoder(torch.nn.Module):
        def __init__(self, vae, scaling):
            super().__init__()
            self.vae = vae
            self.scaling = scaling

        def forward(self, latent):
            return self.vae.decode(latent / self.scaling).sample

    ids = torch.zeros((1, 77), dtype=torch.int64)
    width = pipe.text_encoder.config.hidden_size
    sample = torch.randn((1, 4, 2, 16, 16))
    axes = {0: "batch", 2: "frames", 3: "height", 4: "width"}
    torch.onnx.export(TextEncoder(pipe.text_encoder), (ids,), os.path.join(args.out, "text_encoder.onnx"),
                      input_names=["input_ids"], output_names=["text_embeddings"],
                      dynamic_axes={"input_ids": {0: "batch"}, "text_embeddings": {0: "batch"}}, opset_version=18)
    torch.onnx.export(Denoiser(pipe.unet), (sample, torch.tensor([500.0]), torch.randn((1, 77, width))),
                      os.path.join(args.out, "denoiser.onnx"),
                      input_names=["sample", "timestep", "encoder_hidden_states"], output_names=["noise_pred"],
                      dynamic_axes={"sample": axes, "timestep": {0: "batch"}, "encoder_hidden_states": {0: "batch"}, "noise_pred": axes},
                      opset_version=18)
    torch.onnx.export(VaeDecoder(pipe.vae, pipe.vae.config.scaling_factor), (sample,), os.path.join(args.out, "vae_decoder.onnx"),
                      input_names=["latent"], output_names=["video"],
                      dynamic_axes={"latent": axes, "video": {0: "batch", 2: "video_frames", 3: "video_height", 4: "video_width"}},
                      opset_version=18)


def optimise(source, target):
    """Constant folding and graph simplification: onnxsim when installed, else ONNX Runtime's
    own basic (constant-folding) optimisation written back to a file."""
    import onnx
    try:
        from onnxsim import simplify
        model, ok = simplify(onnx.load(source))
        if ok:
            onnx.save(model, target)
            return "onnxsim"
    except ImportError:
        pass
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = target
    ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
    return "onnxruntime basic optimisation"


def variants(args):
    import onnx
    done = []
    os.makedirs(os.path.join(args.out, "fp32"), exist_ok=True)
    for name in COMPONENTS:
        source = os.path.join(args.fp32, f"{name}.onnx")
        target = os.path.join(args.out, "fp32", f"{name}.onnx")
        if os.path.abspath(source) != os.path.abspath(target):
            how = optimise(source, target)
            print(f"export: {name}: optimised ({how})", file=sys.stderr)
    done.append("fp32")
    if args.fp16:
        from onnxconverter_common import float16
        os.makedirs(os.path.join(args.out, "fp16"), exist_ok=True)
        for name in COMPONENTS:
            model = onnx.load(os.path.join(args.out, "fp32", f"{name}.onnx"))
            onnx.save(float16.convert_float_to_float16(model, keep_io_types=True), os.path.join(args.out, "fp16", f"{name}.onnx"))
        done.append("fp16")
    if args.int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic
        os.makedirs(os.path.join(args.out, "int8"), exist_ok=True)
        for name in COMPONENTS:
            quantize_dynamic(os.path.join(args.out, "fp32", f"{name}.onnx"), os.path.join(args.out, "int8", f"{name}.onnx"),
                             weight_type=QuantType.QInt8)
        done.append("int8")
    print(" ".join(done))


def config(args):
    folder = os.path.basename(os.path.normpath(args.folder))
    present = [v for v in ["fp32", "fp16", "int8"] if os.path.isdir(os.path.join(args.folder, v))]
    lines = [
        f"name: {args.name}", "backend: onnx", f'version: "{args.version}"',
        f"tokenizer: {{kind: clip_bpe, vocabulary: {os.path.relpath(args.vocabulary, os.path.dirname(os.path.normpath(args.folder)))}, max_length: 77}}",
        "latent: {channels: 4, spatial_scale: 8, temporal_scale: 4}",
        f"schedule: {{training_steps: 1000, beta_start: 0.00085, beta_end: 0.012, prediction: {args.prediction}}}",
        f"supports: {{resolutions: [{', '.join(args.resolutions.split(','))}], fps: [{args.fps}], max_frames: {args.max_frames}, max_batch: {args.max_batch}}}",
        f"memory_mb_per_task: {args.memory_mb}", "variants:",
    ]
    for v in present:
        files = ", ".join(f"{c}: {folder}/{v}/{c}.onnx" for c in COMPONENTS)
        lines.append(f"  - {{precision: {v}, {files}}}")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("torch")
    t.add_argument("--pipeline", required=True)
    t.add_argument("--out", required=True)
    v = sub.add_parser("variants")
    v.add_argument("--fp32", required=True)
    v.add_argument("--out", required=True)
    v.add_argument("--fp16", action="store_true")
    v.add_argument("--int8", action="store_true")
    c = sub.add_parser("config")
    for name in ["name", "folder", "vocabulary"]:
        c.add_argument(f"--{name}", required=True)
    c.add_argument("--version", default="1")
    c.add_argument("--resolutions", default="720P")
    c.add_argument("--fps", default="24")
    c.add_argument("--max-frames", type=int, default=96)
    c.add_argument("--max-batch", type=int, default=4)
    c.add_argument("--memory-mb", type=int, default=4096)
    c.add_argument("--prediction", default="epsilon", choices=["epsilon", "v_prediction"])
    args = parser.parse_args()
    {"torch": export_torch, "variants": variants, "config": config}[args.command](args)


if __name__ == "__main__":
    main()
