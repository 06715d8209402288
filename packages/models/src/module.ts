// Module: parameters, buffers (running statistics), submodules, train()/eval(), named dicts.
import { full, rand, randn, type Tensor, zeros } from '@pretext/core';

/** Seeds for parameter init: one stream per parameter, reproducible from the model seed. */
export class Init {
  private stream = 0;
  constructor(readonly seed: number) {}
  /** U(−bound, bound), PyTorch's default for Linear/Conv (kaiming_uniform with a = √5 ⇒ bound = 1/√fan_in). */
  uniform(shape: readonly number[], bound: number): Tensor {
    return rand(shape, { seed: this.seed, stream: this.stream++, lo: -bound, hi: bound, requiresGrad: true });
  }
  /** N(0, std²). */
  normal(shape: readonly number[], std: number): Tensor {
    return randn(shape, { seed: this.seed, stream: this.stream++, std, requiresGrad: true });
  }
  zeros(shape: readonly number[]): Tensor {
    return zeros(shape, { requiresGrad: true });
  }
  ones(shape: readonly number[]): Tensor {
    return full(shape, 1, { requiresGrad: true });
  }
}

export abstract class Module {
  training = true;
  /** Non-trainable state saved with the model (running mean/var). */
  protected buffers: Record<string, Tensor> = {};

  /** Parameters are the tensors held in fields (frozen ones too); submodules are found recursively. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (k === 'buffers') continue;
      const name = prefix ? `${prefix}.${k}` : k;
      if (isTensor(v)) out.push([name, v]);
      else if (v instanceof Module) out.push(...v.namedParameters(name));
      else if (Array.isArray(v)) v.forEach((m, i) => { if (m instanceof Module) out.push(...m.namedParameters(`${name}.${i}`)); });
    }
    for (const [n, t] of out) t.name ??= n;
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = Object.entries(this.buffers).map(([k, t]) => [prefix ? `${prefix}.${k}` : k, t]);
    for (const [k, v] of Object.entries(this)) {
      const name = prefix ? `${prefix}.${k}` : k;
      if (v instanceof Module) out.push(...v.namedBuffers(name));
      else if (Array.isArray(v)) v.forEach((m, i) => { if (m instanceof Module) out.push(...m.namedBuffers(`${name}.${i}`)); });
    }
    return out;
  }

  /** Parameters and buffers by name (what a checkpoint stores). */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  train(on = true): this {
    this.training = on;
    for (const v of Object.values(this)) {
      if (v instanceof Module) v.train(on);
      else if (Array.isArray(v)) for (const m of v) if (m instanceof Module) m.train(on);
    }
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Frees every parameter and buffer, submodules included (idempotent). The module owns its
   * parameters: after an optimizer moved them into its arena they are views, and the flat buffer
   * is freed with the last of them and the optimizer's own dispose(), in either order.
   */
  dispose(): void {
    for (const [, t] of this.stateDict()) t.dispose();
  }
}

function isTensor(v: unknown): v is Tensor {
  return !!v && typeof v === 'object' && (v as { __isTensor?: boolean }).__isTensor === true;
}
