// A parameter arena: every parameter of a model as a view into ONE flat storage, so optimizer
// steps, clipping and EMA are single dispatches over all parameters. Offsets are multiples of
// 64 elements (256 bytes, the storage-binding alignment), the gaps belong to no segment.
// Ownership: the parameter tensors stay their module's (Module.dispose frees them); the arena holds
// one more reference to the flat buffer, which returns to the pool when the arena and every view
// are released, in either order.
import type { Backend, Segment, Storage } from '../backend.js';
import type { Tensor } from '../tensor.js';

const ALIGN = 64;

export interface ArenaEntry {
  name: string;
  tensor: Tensor;
  offset: number;
}

export class ParamArena {
  readonly entries: ArenaEntry[];
  readonly n: number;
  readonly flat: Storage;
  readonly backend: Backend<Storage>;

  /** Moves each parameter's values into the arena; the tensors keep working, now as views. */
  constructor(params: readonly (readonly [string, Tensor])[]) {
    if (!params.length) throw new Error('ParamArena: no parameters');
    this.backend = params[0][1].backend;
    let at = 0;
    this.entries = params.map(([name, tensor]) => {
      if (tensor.backend !== this.backend) throw new Error(`ParamArena: parameter '${name}' is on ${tensor.backend.name}, others on ${this.backend.name}`);
      if (tensor.dtype !== 'f32') throw new Error(`ParamArena: parameter '${name}' is ${tensor.dtype}, must be f32`);
      const e = { name, tensor, offset: at };
      at += Math.ceil(tensor.size / ALIGN) * ALIGN;
      return e;
    });
    this.n = at;
    this.flat = this.backend.fill([at], 0, 'f32');
    for (const e of this.entries) {
      const view = this.backend.viewAt(this.flat, e.offset, e.tensor.shape);
      this.backend.copyInto(e.tensor.storage, view);
      e.tensor.rebind(view);
    }
  }

  /** A zero flat buffer with the arena's layout (gradients, optimizer state, EMA targets). */
  zeros(): Storage {
    return this.backend.fill([this.n], 0, 'f32');
  }

  /**
   * Segments for the optimizer: weight decay and LARS off for 1-D parameters (biases, norms), as
   * SimCLR; `lrScale` multiplies a parameter's learning rate (param groups: fine-tuning's encoder
   * at a tenth of the head's). A scale must be finite and ≥ 0 (0 freezes the parameter).
   */
  segments(decayFilter: (name: string, t: Tensor) => boolean = (_n, t) => t.rank > 1, lrScale: (name: string, t: Tensor) => number = () => 1): Segment[] {
    return this.entries.map((e) => {
      const decay = decayFilter(e.name, e.tensor);
      const lr = lrScale(e.name, e.tensor);
      if (!(Number.isFinite(lr) && lr >= 0)) throw new Error(`ParamArena: the lr scale of '${e.name}' must be finite and ≥ 0, got ${lr}`);
      return { start: e.offset, length: e.tensor.size, weightDecay: decay ? 1 : 0, lr, lars: decay };
    });
  }

  /** Copies every parameter's .grad into the flat gradient buffer (zeros where a grad is absent). */
  gatherGrads(into: Storage): void {
    for (const e of this.entries) {
      const dst = this.backend.viewAt(into, e.offset, e.tensor.shape);
      const g = e.tensor.grad;
      if (g) {
        if (g.shape.join() !== e.tensor.shape.join()) throw new Error(`gradient of '${e.name}' has shape [${g.shape}] but the parameter [${e.tensor.shape}]`);
        this.backend.copyInto(g.storage, dst);
      } else {
        const z = this.backend.fill(e.tensor.shape, 0, 'f32');
        this.backend.copyInto(z, dst);
        this.backend.release(z);
      }
      this.backend.release(dst);
    }
  }

  private disposed = false;

  /**
   * Drops the arena's own reference to the flat buffer (idempotent). The parameter tensors are
   * views that hold references of their own: the buffer is freed when their owner disposes them too.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.backend.release(this.flat);
  }
}
