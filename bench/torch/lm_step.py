"""The gpt and mlm tasks' training step in PyTorch on the CPU: the peer a CPU-only user would pick.

Same model as `pretext train gpt|mlm --preset full`: token + learned position embeddings, pre-norm
blocks (LayerNorm, fused QKV, softmax attention with the causal or key-padding mask, GELU (tanh form, as ours) MLP of
4d), final LayerNorm, LM head tied to the embedding, cross-entropy (mlm: on BERT's 15% chosen
positions only), AdamW. Prints tokens/s over timed steps (one step = forward, backward, update).

    python3 bench/torch/lm_step.py --task mlm --batch 32 --context 128
    python3 bench/torch/lm_step.py --task gpt --batch 32 --context 64 --json
    python3 bench/torch/lm_step.py --task gpt --serve     # the bench's way: see serve.py
"""
import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

import serve


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x, bias):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)  # 3 × (B, nh, T, hs)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(c // self.heads) + bias, dim=-1)  # (B, nh, T, T)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, c))
        return x + self.out(F.gelu(self.fc(self.ln2(x)), approximate='tanh'))


class LM(nn.Module):
    def __init__(self, vocab, context, d, heads, layers):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(context, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.lnf = nn.LayerNorm(d)

    def forward(self, ids, bias):
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        for blk in self.blocks:
            x = blk(x, bias)
        return self.lnf(x) @ self.tok.weight.t()  # tied head (B, T, V)


def batch(task, b, t, vocab, gen):
    """gpt: windows of a token stream (next token targets); mlm: entries of random length in [T/2, T], padded, 15% chosen (80/10/10)."""
    if task == 'gpt':
        s = torch.randint(4, vocab, (b, t + 1), generator=gen)
        causal = torch.triu(torch.full((t, t), float('-inf')), 1)
        return s[:, :-1], s[:, 1:].reshape(-1), causal
    ids = torch.randint(4, vocab, (b, t), generator=gen)
    lens = torch.randint(t // 2, t + 1, (b,), generator=gen)
    keep = torch.arange(t)[None, :] < lens[:, None]
    ids[~keep] = 0
    chosen = (torch.rand(b, t, generator=gen) < 0.15) & keep
    targets = torch.where(chosen, ids, torch.full_like(ids, -100)).reshape(-1)
    r = torch.rand(b, t, generator=gen)
    ids = torch.where(chosen & (r < 0.8), torch.ones_like(ids), ids)
    ids = torch.where(chosen & (r >= 0.8) & (r < 0.9), torch.randint(4, vocab, (b, t), generator=gen), ids)
    bias = torch.zeros(b, 1, 1, t).masked_fill(~keep[:, None, None, :], float('-inf'))
    return ids, targets, bias


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--task', choices=['gpt', 'mlm'], default='mlm')
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--context', type=int, default=128)
    p.add_argument('--layers', type=int, default=4)
    p.add_argument('--dim', type=int, default=128)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--vocab', type=int, default=370, help='fortunes characters: 370 (specials, 256 bytes, 110 characters)')
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--weight-decay', type=float, default=0.01)
    serve.add_args(p)
    a = p.parse_args()
    serve.setup(a)
    gen = torch.Generator().manual_seed(1)
    model = LM(a.vocab, a.context, a.dim, a.heads, a.layers)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    ids, targets, bias = batch(a.task, a.batch, a.context, a.vocab, gen)

    def step():
        loss = F.cross_entropy(model(ids, bias).reshape(-1, a.vocab), targets, ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    serve.drive(a, step, a.batch * a.context, 'tokens', f'{a.task} step B={a.batch} T={a.context} d={a.dim} L={a.layers}', list(model.parameters()))


if __name__ == '__main__':
    main()
