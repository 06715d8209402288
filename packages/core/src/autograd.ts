// Reverse-mode autograd: ops record a Node on their output; backward() walks the nodes in
// reverse topological order and applies the gradient table (grads.ts).
import type { BinaryOp, Conv2dSpec, Storage } from './backend.js';
import { isGradEnabled, keep, noGrad } from './engine.js';
import type { UnaryOp, UpsampleMode } from '@pretext/kernels';
import { GRADS } from './grads.js';
import type { Shape } from './shape.js';
import { Tensor } from './tensor.js';

/** Every differentiable op and its attributes. grads.ts must have a rule for each. */
export interface OpAttrs {
  unary: { op: UnaryOp; alpha?: number };
  binary: { op: BinaryOp };
  reduce: { op: 'sum' | 'mean' | 'max' | 'min'; axis: number; keepdims: boolean };
  sumToShape: { shape: Shape };
  broadcastTo: { shape: Shape };
  reshape: { shape: Shape };
  permute: { dims: readonly number[] };
  slice: { starts: readonly number[]; stops: readonly number[] };
  concat: { axis: number };
  gather: Record<string, never>;
  where: Record<string, never>;
  matmul: { transA: boolean; transB: boolean; hasBias: boolean };
  softmax: { scale: number; log: boolean };
  attention: { scale: number; causal: boolean; causalOffset: number; maskKind?: 'additive' | 'boolean' };
  crossEntropy: { ignoreIndex: number; smoothing: number };
  softCrossEntropy: Record<string, never>;
  infonce: { tau: number; normalize: boolean };
  conv2d: Conv2dSpec & { hasBias: boolean };
  maxPool2d: { kernel: [number, number]; stride: [number, number]; padding: [number, number] };
  avgPool2d: { kernel: [number, number]; stride: [number, number]; padding: [number, number] };
  upsample2d: { size: [number, number]; mode: UpsampleMode };
  layerNorm: { eps: number };
  batchNorm: { eps: number; relu: boolean };
  batchNormReluPool: { eps: number; pool: number | 'mean' };
  dropout: { p: number; seed: number; stream: number };
}
export type OpName = keyof OpAttrs;

export interface Node<P extends OpName = OpName> {
  op: P;
  attrs: OpAttrs[P];
  inputs: readonly (Tensor | null)[];
  /** Extra storages the backward rule needs (saved statistics, LSE, argmax, …); owned by the node. */
  saved: Record<string, Storage>;
  freed: boolean;
}

export interface GradContext<P extends OpName> {
  attrs: OpAttrs[P];
  inputs: readonly (Tensor | null)[];
  out: Tensor;
  saved: Record<string, Storage>;
}

/** dL/d(inputs) from dL/d(out); null where an input takes no gradient. */
export type GradRule<P extends OpName> = (dy: Tensor, ctx: GradContext<P>) => (Tensor | null)[];

/** Attaches a node to `out` when recording is on and some input needs a gradient. */
export function record<P extends OpName>(op: P, attrs: OpAttrs[P], inputs: readonly (Tensor | null)[], out: Tensor, saved: Record<string, Storage> = {}): Tensor {
  if (isGradEnabled() && inputs.some((t) => t?.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, attrs, inputs, saved, freed: false } as Node;
  } else {
    for (const s of Object.values(saved)) out.backend.release(s);
  }
  return out;
}

/**
 * Accumulates dL/dleaf into every leaf's .grad. `grad` defaults to 1 for a scalar output.
 * The graph is freed afterwards unless retainGraph; backward through a freed graph throws.
 */
export function backward(root: Tensor, grad?: Tensor, opts: { retainGraph?: boolean } = {}): void {
  if (!root.requiresGrad) throw new Error('backward: tensor does not require grad (no input of its graph has requiresGrad)');
  if (!grad && root.size !== 1) throw new Error(`backward: output of shape [${root.shape.join(', ')}] is not a scalar; pass the gradient`);
  const order = topoOrder(root);
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, grad ? grad.detach() : filled(root, 1));
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      const node = t.node;
      if (!node) {
        accumulateLeaf(t, g);
        continue;
      }
      if (node.freed) throw new Error(`backward: the graph through '${node.op}' was already freed; call backward(…, { retainGraph: true }) the first time`);
      const rule = GRADS[node.op] as GradRule<OpName>;
      const seen = new Set<Tensor>([g]);
      // a rule may pass dy straight through (or twice): give each input its own handle
      const ins = rule(g, { attrs: node.attrs, inputs: node.inputs, out: t, saved: node.saved }).map((x) => {
        if (!x) return x;
        if (seen.has(x)) return x.detach();
        seen.add(x);
        return x;
      });
      g.dispose();
      node.inputs.forEach((x, k) => {
        const gx = ins[k];
        if (!x || !gx) {
          gx?.dispose();
          return;
        }
        if (!x.requiresGrad) {
          gx.dispose();
          return;
        }
        const prev = grads.get(x);
        if (prev) {
          grads.set(x, addInPlace(prev, gx));
        } else grads.set(x, gx);
      });
    }
    if (!opts.retainGraph) for (const t of order) freeNode(t);
  });
}

function accumulateLeaf(t: Tensor, g: Tensor): void {
  if (t.grad && !t.grad.disposed) {
    const sum = addInPlace(t.grad, g);
    t.grad = keep(sum);
  } else {
    t.grad = keep(g);
  }
}

function addInPlace(a: Tensor, b: Tensor): Tensor {
  const s = new Tensor(a.backend.binary('add', a.storage, b.storage), a.backend);
  a.dispose();
  b.dispose();
  return s;
}

function filled(like: Tensor, v: number): Tensor {
  return new Tensor(like.backend.fill(like.shape, v, 'f32'), like.backend);
}

function freeNode(t: Tensor): void {
  const n = t.node;
  if (!n || n.freed) return;
  n.freed = true;
  for (const s of Object.values(n.saved)) t.backend.release(s);
  n.saved = {};
}

function topoOrder(root: Tensor): Tensor[] {
  const seen = new Set<Tensor>();
  const order: Tensor[] = [];
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length) {
    const [t, done] = stack.pop()!;
    if (done) {
      order.push(t);
      continue;
    }
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.disposed && t !== root) throw new Error(`backward: a tensor of the graph (${t.toString()}) was disposed before backward`);
    stack.push([t, true]);
    for (const x of t.node?.inputs ?? []) if (x?.requiresGrad && !seen.has(x)) stack.push([x, false]);
  }
  return order;
}
