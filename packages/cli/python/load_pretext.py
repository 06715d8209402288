"""Load an encoder exported by `pretext export <run> --format safetensors` into PyTorch.

    from load_pretext import load_pretext
    model = load_pretext("encoder.safetensors")   # an nn.Module in eval mode
    features = model(images)                      # images (N, C, H, W) float32 in [0, 1]

Needs only torch (the safetensors file is read here, no `safetensors` package). The network is the
same ConvNet as Pretext's: three conv3x3-BN-ReLU blocks of width w, 2w, 4w, 2x2 max pool after the
first two, then average pooling of the last map to a grid x grid of cells, flattened. Weight names
are PyTorch's (blocks.0.conv.weight, blocks.0.bn.running_mean, ...).

    python3 load_pretext.py encoder.safetensors [--check inputs.npy expected.npy]

prints the architecture; with --check, runs the inputs and prints the max abs difference from the
expected features (exit 1 above 1e-4).
"""
import json
import math
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

DTYPES = {"F32": torch.float32, "I32": torch.int32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """(tensors by name, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, h in header.items():
        begin, end = h["data_offsets"]
        buf = bytearray(data[base + begin : base + end])
        t = torch.frombuffer(buf, dtype=DTYPES[h["dtype"]]) if buf else torch.empty(0, dtype=DTYPES[h["dtype"]])
        tensors[name] = t.reshape(h["shape"]).clone()
    return tensors, meta


def grid_window(n, g):
    """Window and stride that cut a side of n cells into g equal, possibly overlapping, windows."""
    k = math.ceil(n / g)
    s = max(1, (n - k) // (g - 1)) if g > 1 else 1
    return k, s


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, eps):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=eps)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class ConvNet(nn.Module):
    def __init__(self, in_channels, width, grid=1, downsample=1, eps=1e-5):
        super().__init__()
        w = [width, 2 * width, 4 * width]
        self.grid, self.downsample = grid, downsample
        self.blocks = nn.ModuleList([ConvBlock(in_channels, w[0], eps), ConvBlock(w[0], w[1], eps), ConvBlock(w[1], w[2], eps)])
        self.feature_dim = w[2] * grid * grid

    def forward(self, x):
        if self.downsample > 1:
            x = F.avg_pool2d(x, self.downsample)
        x = F.max_pool2d(self.blocks[0](x), 2)
        x = F.max_pool2d(self.blocks[1](x), 2)
        x = self.blocks[2](x)
        if self.grid == 1:
            return x.mean(dim=(2, 3))
        kh, sh = grid_window(x.shape[2], self.grid)
        kw, sw = grid_window(x.shape[3], self.grid)
        return F.avg_pool2d(x, (kh, kw), (sh, sw)).flatten(1)


ARCHITECTURES = {"ConvNet": ConvNet}


def load_pretext(path):
    tensors, meta = read_safetensors(path)
    arch = json.loads(meta["pretext.architecture"])
    kind = arch.pop("architecture")
    if kind not in ARCHITECTURES:
        raise ValueError(f"{path}: architecture {kind} is not one this loader builds ({', '.join(ARCHITECTURES)})")
    arch.pop("input", None)
    model = ARCHITECTURES[kind](**arch)
    missing, unexpected = model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"{path}: missing {missing}, unexpected {unexpected}")
    return model.eval()


def read_npy(path):
    """A little-endian f4 .npy (as `pretext embed` and the tests write) as a tensor."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:6] == b"\x93NUMPY", f"{path}: not a .npy file"
    n = struct.unpack("<H", data[8:10])[0]
    header = eval(data[10 : 10 + n].decode("latin1"))  # the .npy header is a Python literal
    assert header["descr"] == "<f4" and not header["fortran_order"], f"{path}: want little-endian float32, C order"
    return torch.frombuffer(bytearray(data[10 + n :]), dtype=torch.float32).reshape(header["shape"])


if __name__ == "__main__":
    model = load_pretext(sys.argv[1])
    print(f"{sys.argv[1]}: {type(model).__name__}, {sum(p.numel() for p in model.parameters())} parameters, features {model.feature_dim}")
    if len(sys.argv) == 5 and sys.argv[2] == "--check":
        x, want = read_npy(sys.argv[3]), read_npy(sys.argv[4])
        with torch.no_grad():
            got = model(x)
        diff = (got - want).abs().max().item()
        print(f"max abs difference from Pretext's forward: {diff:.3g} over {tuple(x.shape)} inputs")
        sys.exit(0 if diff < 1e-4 else 1)
