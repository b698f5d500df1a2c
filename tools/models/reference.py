#!/usr/bin/env python3
"""Reference outputs for the Swift ONNX backend's parity tests, from Python's onnxruntime and
Hugging Face tokenizers (both from .venv-models; nothing is fetched from a hub).

  reference.py components MODEL_DIR OUT_DIR   inputs and outputs of each component (seeded)
  reference.py tokens VOCAB_GZ OUT_JSON [N]   CLIP token ids of N (default 1000) prompts
  reference.py run MODEL_DIR IO_DIR           a whole sampling run (see sampling_run)

Tensors are written as OUT_DIR/<component>.<tensor>.bin (little-endian float32 or int64) with
a manifest.json of names, dtypes and shapes.
"""
import gzip
import json
import os
import random
import sys

import numpy as np


def components(model_dir, out):
    import onnxruntime as ort
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    ids = np.full((2, 77), 49407, dtype=np.int64)
    ids[:, 0] = 49406
    ids[0, 1:5] = [320, 1170, 3240, 530]
    ids[1, 1:3] = [1929, 4382]
    feeds = {"text_encoder": {"input_ids": ids}}
    manifest = {}
    sessions = {name: ort.InferenceSession(os.path.join(model_dir, f"{name}.onnx"), providers=["CPUExecutionProvider"])
                for name in ["text_encoder", "denoiser", "vae_decoder"]}
    embeddings = sessions["text_encoder"].run(None, feeds["text_encoder"])[0]
    feeds["denoiser"] = {
        "sample": rng.standard_normal((2, 4, 2, 12, 20)).astype(np.float32),
        "timestep": np.array([999.0, 421.0], dtype=np.float32),
        "encoder_hidden_states": embeddings,
    }
    feeds["vae_decoder"] = {"latent": rng.standard_normal((1, 4, 2, 12, 20)).astype(np.float32)}
    for name, session in sessions.items():
        outputs = session.run(None, feeds[name])
        tensors = dict(feeds[name])
        for spec, value in zip(session.get_outputs(), outputs):
            tensors[spec.name] = value
        for tensor, value in tensors.items():
            path = os.path.join(out, f"{name}.{tensor}.bin")
            value.astype(value.dtype.newbyteorder("<")).tofile(path)
            manifest[f"{name}.{tensor}"] = {"dtype": str(value.dtype), "shape": list(value.shape),
                                            "output": tensor in [o.name for o in session.get_outputs()]}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def sampling_run(model_dir, io_dir):
    """A whole sampling run written independently of the Swift backend: Euler steps with
    classifier-free guidance over the given σ levels, the denoiser's ε turned into the clean
    latent, the training timestep of each σ interpolated in log σ (scaled-linear βs, 1000
    steps), then the VAE decoder. Inputs from IO_DIR (ids.i64 [2, 77], x.f32 [1, 4, T, H, W],
    sigmas.f32, meta.json {"cfg": w, "shape": [...]}); writes latent.f32 and video.f32."""
    import onnxruntime as ort
    meta = json.load(open(os.path.join(io_dir, "meta.json")))
    ids = np.fromfile(os.path.join(io_dir, "ids.i64"), dtype="<i8").reshape(2, 77)
    x = np.fromfile(os.path.join(io_dir, "x.f32"), dtype="<f4").reshape(meta["shape"])
    sigmas = np.fromfile(os.path.join(io_dir, "sigmas.f32"), dtype="<f4")
    w = np.float32(meta["cfg"])
    sess = {name: ort.InferenceSession(os.path.join(model_dir, f"{name}.onnx"), providers=["CPUExecutionProvider"])
            for name in ["text_encoder", "denoiser", "vae_decoder"]}
    text = sess["text_encoder"].run(None, {"input_ids": ids})[0]
    betas = np.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=np.float64) ** 2
    cumulative = np.cumprod(1 - betas)
    train = np.sqrt((1 - cumulative) / cumulative).astype(np.float32)
    log_train = np.log(train.astype(np.float64))
    for i in range(len(sigmas) - 1):
        sigma, following = np.float32(sigmas[i]), np.float32(sigmas[i + 1])
        t = np.float32(np.interp(np.log(np.float64(sigma)), log_train, np.arange(1000)))
        scaled = (x / np.sqrt(sigma * sigma + 1)).astype(np.float32)
        eps = sess["denoiser"].run(None, {"sample": np.concatenate([scaled, scaled]), "timestep": np.array([t, t], dtype=np.float32),
                                          "encoder_hidden_states": text})[0]
        clean_cond = x - sigma * eps[:1]
        clean_uncond = x - sigma * eps[1:]
        clean = clean_uncond + w * (clean_cond - clean_uncond)
        x = (x + (x - clean) / sigma * (following - sigma)).astype(np.float32)
    video = sess["vae_decoder"].run(None, {"latent": x})[0]
    x.astype("<f4").tofile(os.path.join(io_dir, "latent.f32"))
    video.astype("<f4").tofile(os.path.join(io_dir, "video.f32"))
    json.dump({"video_shape": list(video.shape)}, open(os.path.join(io_dir, "out.json"), "w"))


def clip_tokenizer(vocab_gz):
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors
    lines = gzip.open(vocab_gz).read().decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1:49152 - 256 - 2 + 1]]
    def bytes_to_unicode():
        bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
        cs = bs[:]
        n = 0
        for b in range(256):
            if b not in bs:
                bs.append(b)
                cs.append(256 + n)
                n += 1
        return [chr(c) for c in cs]
    alphabet = bytes_to_unicode()
    tokens = alphabet + [v + "</w>" for v in alphabet] + ["".join(m) for m in merges] + ["<|startoftext|>", "<|endoftext|>"]
    vocab = {t: i for i, t in enumerate(tokens)}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<|endoftext|>", continuing_subword_prefix="",
                               end_of_word_suffix="</w>", fuse_unk=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""), behavior="removed", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.post_processor = processors.RobertaProcessing(("<|endoftext|>", 49407), ("<|startoftext|>", 49406),
                                                      add_prefix_space=False, trim_offsets=False)
    tok.enable_truncation(max_length=77)
    tok.enable_padding(length=77, pad_id=49407, pad_token="<|endoftext|>")
    return tok


def prompts(n):
    rng = random.Random(20261129)
    words = ["a", "red", "fox", "running", "through", "snow", "Lighthouse", "at", "DUSK", "cyber-punk", "city", "neon",
             "rain's", "we'll", "it'd", "they've", "I'm", "don't", "4K", "1080p", "30fps", "2026", "ünïcödé", "café", "naïve",
             "東京", "夜景", "一只红色的狐狸在雪中奔跑", "猫", "🦊", "🌧️", "🚀✨", "👨‍👩‍👧", "¡hola!", "«quoted»", "C++", "e-mail@example.com",
             "tab\there", "new\nline", "  spaces  ", "ΑΒΓ", "привет", "مرحبا", "हिन्दी", "한국어", "x²", "½", "…", "—", "#hashtag"]
    fixed = ["", "a red fox running through snow", "一只红色的狐狸在雪中奔跑", "🦊🦊🦊 fox emoji 🌨️",
             " ".join(["very long prompt"] * 60), "It's   the   end.", "ÀÉÎÕÜ mixed Case", "1234567890"]
    out = list(fixed)
    while len(out) < n:
        k = rng.randint(1, 40 if rng.random() < 0.9 else 120)
        out.append(" ".join(rng.choice(words) for _ in range(k)))
    return out[:n]


def tokens(vocab_gz, out, n):
    tok = clip_tokenizer(vocab_gz)
    data = [{"text": p, "ids": tok.encode(p).ids} for p in prompts(n)]
    with open(out, "w") as f:
        json.dump(data, f, ensure_ascii=False)


if __name__ == "__main__":
    if sys.argv[1] == "components":
        components(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "run":
        sampling_run(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "tokens":
        tokens(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 1000)
    else:
        sys.exit(__doc__)
