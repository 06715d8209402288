// Tensor: a storage on a backend plus, when it needs a gradient, the node that produced it.
import type { Backend, DType, HostArray, Storage } from './backend.js';
import { getBackend, track, untrack } from './engine.js';
import type { Node } from './autograd.js';
import { fmt, type Shape, sizeOf } from './shape.js';

export class Tensor {
  readonly __isTensor = true;
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  requiresGrad: boolean;
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves and when recording is off). */
  node: Node | null = null;
  /** A name for error messages and checkpoints (parameters get theirs from modules). */
  name?: string;
  private _storage: Storage | null;

  constructor(
    storage: Storage,
    readonly backend: Backend<Storage> = getBackend(),
    requiresGrad = false,
  ) {
    this._storage = storage;
    this.shape = storage.shape;
    this.dtype = storage.dtype;
    this.requiresGrad = requiresGrad;
    this.id = track(this);
  }

  get storage(): Storage {
    if (!this._storage) throw new Error(`tensor${this.name ? ` '${this.name}'` : ''} ${fmt(this.shape)} was disposed and cannot be used`);
    return this._storage;
  }

  get disposed(): boolean {
    return this._storage === null;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Copies the values to the host (the only readback). */
  async data(): Promise<HostArray> {
    return this.backend.download(this.storage);
  }

  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item() needs a single-element tensor, got ${fmt(this.shape)}`);
    return (await this.data())[0];
  }

  /** Points this tensor at another storage of the same shape (parameters moving into an arena). */
  rebind(storage: Storage): void {
    if (storage.shape.join() !== this.shape.join()) throw new Error(`rebind: shape [${storage.shape}] differs from [${this.shape}]`);
    const old = this.storage;
    this._storage = storage;
    this.backend.release(old);
  }

  /** Frees the storage (shared views keep it until they are freed too). */
  dispose(): void {
    if (!this._storage) return;
    this.backend.release(this._storage);
    this._storage = null;
    this.node = null;
    untrack(this);
  }

  /** The same values, cut from the graph. Shares storage. */
  detach(): Tensor {
    return new Tensor(this.backend.view(this.storage, this.shape), this.backend, false);
  }

  /** Checks that `other` lives on the same backend (mixing devices is an error). */
  sameBackend(op: string, other: Tensor): void {
    if (other.backend !== this.backend) throw new Error(`${op}: tensors on different backends (${this.backend.name} and ${other.backend.name})`);
  }

  toString(): string {
    return `Tensor(${fmt(this.shape)}, ${this.dtype}, ${this.backend.name}${this.requiresGrad ? ', requires_grad' : ''})`;
  }
}

export type { Shape };
