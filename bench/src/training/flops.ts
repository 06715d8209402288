// Napkin math for a training step: the FLOPs of its convolutions and matrix products only
// (elementwise ops, norms, softmax and the optimizer are left out). Forward = 2·MACs; the
// backward is counted as 2× the forward (dX and dW each cost one forward), so a step = 3× forward.

/** MACs of a stride-1, 'same'-padded k×k convolution over (n, cin, h, w) → (n, cout, h, w). */
export const convMacs = (n: number, cin: number, cout: number, h: number, w: number, k = 3): number => n * h * w * cout * cin * k * k;

export interface StepFlops {
  /** Multiply-accumulates of one forward pass. */
  forwardMacs: number;
  /** 2·MACs forward + 2× that backward. */
  stepFlops: number;
}

const step = (forwardMacs: number): StepFlops => ({ forwardMacs, stepFlops: 3 * 2 * forwardMacs });

/**
 * SimCLR on the small ConvNet: `views` images of s×s (2N for N source images), three 3×3 convs
 * of width w, 2w, 4w (max-pool 2× after the first two), projection head 4w → hidden → d, and
 * NT-Xent's Z·Zᵀ over the (views, d) embeddings (the fused kernel's backward recomputes it; that
 * recomputation is not counted, as for the other layers).
 */
export function simclrStepFlops(views: number, s: number, width: number, hidden: number, dim: number, cin = 1, featureDim = 4 * width): StepFlops {
  const s2 = Math.floor(s / 2);
  const s4 = Math.floor(s2 / 2);
  const conv =
    convMacs(views, cin, width, s, s) + // (2N, 1, 28, 28) → (2N, w, 28, 28)
    convMacs(views, width, 2 * width, s2, s2) + // (2N, w, 14, 14) → (2N, 2w, 14, 14)
    convMacs(views, 2 * width, 4 * width, s4, s4); // (2N, 2w, 7, 7) → (2N, 4w, 7, 7)
  const head = views * (featureDim * hidden + hidden * dim); // (2N, 4w·grid²) → (2N, hidden) → (2N, d)
  const logits = views * views * dim; // (2N, d)·(d, 2N)
  return step(conv + head + logits);
}

/**
 * Colorization on the small ConvNet: n gray images of s×s (after the encoder's downsampling) through
 * the three 3×3 convs of width w, 2w, 4w, then the decoder at the map's resolution × u: a 3×3 conv
 * 4w → d and a 1×1 conv d → q (the ab bins, or 2 for L2).
 */
export function colorizationStepFlops(n: number, s: number, width: number, decoderWidth: number, q: number, upsample: number): StepFlops {
  const [s2, s4] = [Math.floor(s / 2), Math.floor(s / 4)];
  const so = s4 * upsample;
  const encoder = convMacs(n, 1, width, s, s) + convMacs(n, width, 2 * width, s2, s2) + convMacs(n, 2 * width, 4 * width, s4, s4);
  const decoder = convMacs(n, 4 * width, decoderWidth, so, so) + convMacs(n, decoderWidth, q, so, so, 1); // (n, 4w, s/4·u, ·) → (n, q, s/4·u, ·)
  return step(encoder + decoder);
}

/**
 * A pre-norm Transformer encoder over b×t tokens: per layer the QKV, output, and two MLP
 * projections (12·d² MACs per token) and attention's Q·Kᵀ and P·V (2·t·d per token, all heads);
 * then the tied LM head (d·vocab per token).
 */
export function transformerStepFlops(b: number, t: number, d: number, layers: number, vocab: number): StepFlops {
  const tokens = b * t;
  const perLayer = tokens * 12 * d * d + tokens * 2 * t * d;
  return step(layers * perLayer + tokens * d * vocab);
}
