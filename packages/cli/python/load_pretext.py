"""Load a model exported by `pretext export <run> --format safetensors` into PyTorch.

    from load_pretext import load_pretext
    model = load_pretext("encoder.safetensors")   # an nn.Module in eval mode
    features = model(images)                      # images (N, C, H, W) float32 in [0, 1]

    lm = load_pretext("lm.safetensors")           # a language run (gpt, mlm, mlm-simcse)
    logits = lm(ids)                              # ids (N, T) int64, T <= max_len -> (N, T, vocab)
    logits = lm(ids, mask)                        # bidirectional: mask (N, T), 1 = token, 0 = padding
    features = lm.features(ids, mask)             # mean of the hidden states over the tokens (N, dim)

Needs only torch (the safetensors file is read here, no `safetensors` package). An image encoder is
the same ConvNet as Pretext's: three conv3x3-BN-ReLU blocks of width w, 2w, 4w, 2x2 max pool after
the first two, then average pooling of the last map to a grid x grid of cells, flattened. A
language model is the same Transformer: token + position embeddings, pre-norm blocks (attention,
then a 4x MLP with GELU in its tanh form), a final layer norm, and the LM head (the token embedding
transposed when tied). Weight names are PyTorch's (blocks.0.conv.weight, blocks.0.bn.running_mean,
blocks.0.attn.qkv.weight, lnf.bias, ...); tokenizer.json beside an LM export maps text to ids.

    python3 load_pretext.py encoder.safetensors [--check inputs.npy expected.npy]

prints the architecture; with --check, runs the inputs (images, or token ids stored as float32)
and prints the max abs difference from the expected features or logits (exit 1 above 1e-4).
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


# Where a key is hidden from a query: exp(s - 1e30 - max) is 0 in float32, as in Pretext's ONNX export.
HIDDEN = -1e30


def sinusoidal(max_len, dim):
    """PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(...), (max_len, dim)."""
    pe = torch.zeros(max_len, dim)
    p = torch.arange(max_len, dtype=torch.float64)[:, None]
    a = p / 10000 ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    pe[:, 0::2] = torch.sin(a).float()
    pe[:, 1::2] = torch.cos(a[:, : dim // 2]).float()
    return pe


class SelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, bias, row_keep):
        n, t, c = x.shape
        hs = c // self.heads
        q, k, v = self.qkv(x).view(n, t, 3, self.heads, hs).permute(2, 0, 3, 1, 4)  # (N, nh, T, hs) each
        s = q @ k.transpose(-2, -1) / math.sqrt(hs)  # (N, nh, T, T)
        if bias is not None:
            s = s + bias
        p = s.softmax(-1)
        if row_keep is not None:
            p = p * row_keep  # a row whose keys are all padding attends to nothing: 0
        return self.proj((p @ v).transpose(1, 2).reshape(n, t, c))


class Block(nn.Module):
    def __init__(self, dim, heads, eps):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim, eps=eps)
        self.attn = SelfAttention(dim, heads)
        self.ln2 = nn.LayerNorm(dim, eps=eps)
        self.fc = nn.Linear(dim, 4 * dim)
        self.out = nn.Linear(4 * dim, dim)

    def forward(self, x, bias, row_keep):
        h = x + self.attn(self.ln1(x), bias, row_keep)
        return h + self.out(F.gelu(self.fc(self.ln2(h)), approximate="tanh"))


class Transformer(nn.Module):
    def __init__(self, vocab, max_len, dim, heads, layers, positions="learned", causal=True, tied=True, head_bias=False, eps=1e-5, gelu="tanh"):
        super().__init__()
        if gelu != "tanh":
            raise ValueError(f"gelu {gelu!r}: this loader computes the tanh form")
        self.max_len, self.causal = max_len, causal
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(max_len, dim) if positions == "learned" else None
        if self.pos is None:
            self.register_buffer("sinusoid", sinusoidal(max_len, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, eps) for _ in range(layers)])
        self.lnf = nn.LayerNorm(dim, eps=eps)
        self.head = None if tied else nn.Linear(dim, vocab, bias=head_bias)
        self.feature_dim = dim

    def hidden(self, ids, mask=None):
        """ids (N, T) int64, mask (N, T) 1 = token (bidirectional models) -> (N, T, dim)."""
        n, t = ids.shape
        if t > self.max_len:
            raise ValueError(f"sequence length {t} exceeds the model's context {self.max_len}")
        pe = self.pos.weight[:t] if self.pos is not None else self.sinusoid[:t]
        h = self.tok(ids) + pe
        bias = row_keep = None
        if self.causal:
            bias = torch.full((t, t), HIDDEN).triu(1)  # key j hidden from query i when j > i
        if mask is not None:
            pad = (mask == 0)[:, None, None, :]  # (N, 1, 1, T)
            key_bias = torch.zeros(pad.shape).masked_fill(pad, HIDDEN)
            bias = key_bias if bias is None else bias + key_bias
            row_keep = (~pad).any(-1, keepdim=True).float()  # (N, 1, 1, 1)
        for b in self.blocks:
            h = b(h, bias, row_keep)
        return self.lnf(h)

    def forward(self, ids, mask=None):
        """Logits (N, T, vocab)."""
        h = self.hidden(ids, mask)
        return self.head(h) if self.head is not None else h @ self.tok.weight.t()

    def features(self, ids, mask=None):
        """Mean of the hidden states over the tokens (N, dim), as Pretext's evaluation pools."""
        w = (torch.ones(ids.shape) if mask is None else (mask != 0).float())[..., None]
        return (self.hidden(ids, mask) * w).sum(1) / w.sum(1)


ARCHITECTURES = {"ConvNet": ConvNet, "Transformer": Transformer}


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
            got = model(x.long() if isinstance(model, Transformer) else x)
        diff = (got - want).abs().max().item()
        print(f"max abs difference from Pretext's forward: {diff:.3g} over {tuple(x.shape)} inputs")
        sys.exit(0 if diff < 1e-4 else 1)
