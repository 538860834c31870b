"""Golden fixtures for Tailor's diffusers import, produced by the reference implementation.

Builds small randomly initialised diffusers UNet2DModels covering every block type and option the
worker supports, runs them, and writes under OUT (default: the worker's test resources):

  <case>/unet/config.json, diffusion_pytorch_model.safetensors     float32 weights
  <case>-fp16/unet/..., <case>-bf16/unet/...                        the same weights rounded
  <case>/reference.safetensors   inputs (sample, timesteps) and outputs (output, output_fp16,
                                 output_bf16: the model run in float32 on the rounded weights)
  <case>/state_dict.json         [name, shape, dtype] of every tensor, as save_pretrained writes

Run at development time with Debian's python3-torch and diffusers' source (never committed):

  git -C <diffusers checkout> archive v0.30.3 src/diffusers | tar -x -C /tmp/diffusers
  PYTHONPATH=worker-image/golden/diffusers/stubs:/tmp/diffusers/src \
      /usr/bin/python3 worker-image/golden/diffusers/generate.py

stubs/ stands in for huggingface_hub and safetensors (not packaged by Debian), which diffusers
imports but does not use to build or run a model; this script writes safetensors itself.

With --load DIR it instead loads a folder written by `tailor-worker export --format diffusers`
into the reference UNet2DModel (its config as is, every tensor by name, strictly) and prints the
parameter count and the output's mean and deviation on a fixed input.
"""
import json
import os
import struct
import sys

import torch

import diffusers
from diffusers.models.unets.unet_2d import UNet2DModel

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "--load" else os.path.join(
    HERE, "..", "..", "worker", "src", "test", "resources", "diffusers-golden")

CASES = {
    # google/ddpm-cifar10-32's options at a small width: plain and attention blocks, no explicit
    # head width (one head), asymmetric downsample padding, freq_shift 1, sin before cos, eps 1e-6
    "ddpm": dict(
        sample_size=16, in_channels=3, out_channels=3, block_out_channels=(8, 16, 16),
        down_block_types=("DownBlock2D", "AttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "AttnUpBlock2D", "UpBlock2D"),
        layers_per_block=2, attention_head_dim=None, norm_num_groups=4, norm_eps=1e-6,
        downsample_padding=0, flip_sin_to_cos=False, freq_shift=1, act_fn="silu"),
    # UNet2DModel's own defaults where they differ: head width 4 (several heads), cos before sin,
    # symmetric padding; plus centred input, a mid scale factor, swish for silu, sharded weights
    "attn": dict(
        sample_size=8, in_channels=1, out_channels=1, block_out_channels=(8, 16),
        down_block_types=("AttnDownBlock2D", "AttnDownBlock2D"),
        up_block_types=("AttnUpBlock2D", "AttnUpBlock2D"),
        layers_per_block=1, attention_head_dim=4, norm_num_groups=4, norm_eps=1e-5,
        center_input_sample=True, mid_block_scale_factor=1.4142135623730951,
        act_fn="swish"),
    # heads narrower than the stream (inner width 10 of 12, 20 of 24), no mid attention,
    # a [h, w] sample size, UNetRes-prefixed block names
    "narrow": dict(
        sample_size=[8, 8], in_channels=3, out_channels=3, block_out_channels=(12, 24),
        down_block_types=("UNetResDownBlock2D", "AttnDownBlock2D"),
        up_block_types=("AttnUpBlock2D", "UNetResUpBlock2D"),
        layers_per_block=1, attention_head_dim=5, norm_num_groups=4, add_attention=False),
}

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def save_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 \
            else t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def load_safetensors(path):
    import numpy as np
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", t["dtype"]
        begin, end = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[begin:end], dtype="<f4").copy()).reshape(
            t["shape"])
    return out


def load_export(folder):
    unet = os.path.join(folder, "unet")
    with open(os.path.join(unet, "config.json")) as f:
        config = {k: v for k, v in json.load(f).items() if not k.startswith("_")}
    model = UNet2DModel(**config).eval()
    model.load_state_dict(load_safetensors(
        os.path.join(unet, "diffusion_pytorch_model.safetensors")), strict=True)
    size = model.config.sample_size
    x = torch.randn((2, model.config.in_channels, size, size),
                    generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y = model(x, torch.tensor([10, 500])).sample
    print(folder, "loads into UNet2DModel:", sum(p.numel() for p in model.parameters()),
          "parameters; output mean %.4f std %.4f" % (y.mean().item(), y.std().item()))


def randomise(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                base = 1.0 if name.endswith("weight") else 0.0
                p.copy_(base + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g) / fan_in ** 0.5)


def write_unet(folder, model, config, dtype, shards=1):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(dict(config, _class_name="UNet2DModel", _diffusers_version=diffusers.__version__),
                  f, indent=2, sort_keys=True)
    state = {k: v.to(dtype) for k, v in model.state_dict().items()}
    if shards == 1:
        save_safetensors(os.path.join(folder, "diffusion_pytorch_model.safetensors"), state)
        return
    names = sorted(state)
    weight_map = {}
    for i in range(shards):
        part = names[i::shards]
        file = f"diffusion_pytorch_model-{i + 1:05d}-of-{shards:05d}.safetensors"
        save_safetensors(os.path.join(folder, file), {n: state[n] for n in part})
        weight_map.update({n: file for n in part})
    with open(os.path.join(folder, "diffusion_pytorch_model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f, indent=2, sort_keys=True)


def main():
    torch.set_grad_enabled(False)
    for i, (case, config) in enumerate(CASES.items()):
        model = UNet2DModel(**config).eval()
        randomise(model, 1000 + i)
        g = torch.Generator().manual_seed(2000 + i)
        size = model.config.sample_size
        size = size[0] if isinstance(size, (list, tuple)) else size
        sample = torch.randn((2, model.config.in_channels, size, size), generator=g)
        timesteps = torch.tensor([3, 731], dtype=torch.long)
        io = {"sample": sample, "timesteps": timesteps.float(),
              "output": model(sample, timesteps).sample}
        write_unet(os.path.join(OUT, case, "unet"), model, config, torch.float32,
                   shards=2 if case == "attn" else 1)
        for dtype, tag in ((torch.float16, "fp16"), (torch.bfloat16, "bf16")):
            rounded = UNet2DModel(**config).eval()
            rounded.load_state_dict({k: v.to(dtype).float() for k, v in model.state_dict().items()})
            io["output_" + tag] = rounded(sample, timesteps).sample
            write_unet(os.path.join(OUT, case + "-" + tag, "unet"), model, config, dtype)
        save_safetensors(os.path.join(OUT, case, "reference.safetensors"), io)
        with open(os.path.join(OUT, case, "state_dict.json"), "w") as f:
            json.dump([[k, list(v.shape), DTYPES[v.dtype]] for k, v in model.state_dict().items()],
                      f, indent=0)
        print(case, sum(p.numel() for p in model.parameters()), "parameters")
    with open(os.path.join(OUT, "VERSION"), "w") as f:
        f.write(f"diffusers {diffusers.__version__}, torch {torch.__version__}\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--load":
        load_export(sys.argv[2])
    else:
        main()
