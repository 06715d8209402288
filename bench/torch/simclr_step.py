"""The simclr task's training step in PyTorch on the CPU: the peer a CPU-only user would pick.

Same step as `pretext train simclr --dataset fashion-mnist --preset full` (simclr.ts): two views of
each image on the fly (random resized crop, scale 0.2–1, ratio 3/4–4/3, bilinear; flip p=0.5;
brightness and contrast jitter 0.8·s with p=0.8), ConvNet (conv3×3 without bias → BN → ReLU, widths
w/2w/4w, 2×2 max-pool after the first two blocks, the last 7×7 map average-pooled to grid × grid
cells), projection head (Linear without bias → BN → ReLU → Linear), NT-Xent at τ, AdamW with weight
decay on weights only (rank > 1, as ours), and the step's metrics read back (loss, accuracy).
The augmentation is batched (affine_grid + grid_sample), as a user who cares about speed writes it.

    python3 bench/torch/simclr_step.py --batch 256 --threads 2
    python3 bench/torch/simclr_step.py --serve      # the bench's way: see serve.py
"""
import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

import serve


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class ConvNet(nn.Module):
    def __init__(self, channels, width, grid):
        super().__init__()
        w = [width, 2 * width, 4 * width]
        self.b1, self.b2, self.b3 = block(channels, w[0]), block(w[0], w[1]), block(w[1], w[2])
        self.grid = grid

    def forward(self, x):
        h = F.max_pool2d(self.b1(x), 2)  # (N, w, 14, 14)
        h = F.max_pool2d(self.b2(h), 2)  # (N, 2w, 7, 7)
        h = self.b3(h)  # (N, 4w, 7, 7)
        k = math.ceil(h.shape[-1] / self.grid)  # ours: gridWindow(7, 2) = window 4, stride 3
        s = max(1, (h.shape[-1] - k) // (self.grid - 1)) if self.grid > 1 else 1
        return F.avg_pool2d(h, k, s).flatten(1)  # (N, 4w·g²)


def augment(x, jitter, gen):
    """Random resized crop + flip + brightness/contrast jitter, per image, one batched pass.   (N, C, H, W)"""
    n = x.shape[0]
    area = torch.empty(n).uniform_(0.2, 1, generator=gen)
    logr = torch.empty(n).uniform_(math.log(3 / 4), math.log(4 / 3), generator=gen)
    sw = torch.sqrt(area * torch.exp(logr)).clamp(max=1)  # crop width / image width
    sh = torch.sqrt(area / torch.exp(logr)).clamp(max=1)
    cx = (torch.rand(n, generator=gen) * 2 - 1) * (1 - sw)  # crop centre in [-1, 1] coordinates
    cy = (torch.rand(n, generator=gen) * 2 - 1) * (1 - sh)
    flip = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 2], theta[:, 1, 1], theta[:, 1, 2] = sw * flip, cx, sh, cy
    v = F.grid_sample(x, F.affine_grid(theta, list(x.shape), align_corners=False), mode='bilinear', align_corners=False)
    on = (torch.rand(n, 1, 1, 1, generator=gen) < 0.8).float()
    s = 0.8 * jitter
    b = 1 + on * torch.empty(n, 1, 1, 1).uniform_(-s, s, generator=gen)
    c = 1 + on * torch.empty(n, 1, 1, 1).uniform_(-s, s, generator=gen)
    v = (v * b).clamp(0, 1)
    mean = v.mean(dim=(1, 2, 3), keepdim=True)
    return ((v - mean) * c + mean).clamp(0, 1)


def nt_xent(z, tau):
    """NT-Xent over 2N rows: the positive of row i is i ± N, the other 2N − 2 rows are negatives."""
    z = F.normalize(z, dim=1)
    n2 = z.shape[0]
    logits = (z @ z.t()) / tau  # (2N, 2N)
    logits.fill_diagonal_(float('-inf'))
    target = (torch.arange(n2) + n2 // 2) % n2
    return F.cross_entropy(logits, target), (logits.argmax(1) == target).float().mean()


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--batch', type=int, default=256, help='images per step (two views each)')
    p.add_argument('--size', type=int, default=28)
    p.add_argument('--channels', type=int, default=1)
    p.add_argument('--width', type=int, default=32)
    p.add_argument('--grid', type=int, default=2)
    p.add_argument('--proj-hidden', type=int, default=256)
    p.add_argument('--proj-dim', type=int, default=64)
    p.add_argument('--tau', type=float, default=0.5)
    p.add_argument('--jitter', type=float, default=0.5)
    p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--weight-decay', type=float, default=1e-4)
    serve.add_args(p)
    a = p.parse_args()
    serve.setup(a)
    gen = torch.Generator().manual_seed(1)
    encoder = ConvNet(a.channels, a.width, a.grid)
    features = 4 * a.width * a.grid * a.grid
    head = nn.Sequential(nn.Linear(features, a.proj_hidden, bias=False), nn.BatchNorm1d(a.proj_hidden), nn.ReLU(), nn.Linear(a.proj_hidden, a.proj_dim))
    params = [*encoder.parameters(), *head.parameters()]
    opt = torch.optim.AdamW([{'params': [q for q in params if q.dim() > 1], 'weight_decay': a.weight_decay},
                             {'params': [q for q in params if q.dim() <= 1], 'weight_decay': 0}], lr=a.lr)
    images = torch.rand(a.batch, a.channels, a.size, a.size, generator=gen)  # seeded noise, as the bench's batch

    def step():
        views = augment(torch.cat([images, images]), a.jitter, gen)  # (2N, C, H, W): rows n and N + n are a pair
        loss, accuracy = nt_xent(head(encoder(views)), a.tau)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item(), accuracy.item()

    serve.drive(a, step, a.batch, 'images', f'simclr step N={a.batch}x2 {a.size}x{a.size} width {a.width} grid {a.grid}', params)


if __name__ == '__main__':
    main()
