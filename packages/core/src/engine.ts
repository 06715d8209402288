// Global state of the framework: the default backend, grad mode, and cleanup scopes.
import type { Backend, Storage } from './backend.js';
import type { Tensor } from './tensor.js';

type AnyBackend = Backend<Storage>;

const state = {
  backend: null as AnyBackend | null,
  gradEnabled: true,
  scopes: [] as Set<Tensor>[],
  live: 0,
  nextId: 1,
};

// biome-ignore lint/suspicious/noExplicitAny: backends are contravariant in their storage type
export function setBackend(b: Backend<any>): void {
  state.backend = b as AnyBackend;
}

export function getBackend(): AnyBackend {
  if (!state.backend) throw new Error('no backend: call `await useWebGpu()` or `useCpu()` first');
  return state.backend;
}

export const isGradEnabled = (): boolean => state.gradEnabled;

/** Runs fn with gradient recording off (torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  const prev = state.gradEnabled;
  state.gradEnabled = false;
  try {
    return fn();
  } finally {
    state.gradEnabled = prev;
  }
}

/** Registers a new tensor with the innermost scope; returns its id. */
export function track(t: Tensor): number {
  state.live++;
  state.scopes[state.scopes.length - 1]?.add(t);
  return state.nextId++;
}

export function untrack(t: Tensor): void {
  state.live--;
  for (const s of state.scopes) s.delete(t);
}

/** Removes t from every open scope so it outlives them. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of state.scopes) s.delete(t);
  return t;
}

/**
 * Runs fn; every tensor created inside and not returned (or kept) is disposed at the end
 * (tf.tidy). Returned tensors move to the enclosing scope. Works with async fn too.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  state.scopes.push(scope);
  let popped = false;
  const finish = (result: unknown) => {
    if (popped) return;
    popped = true;
    const i = state.scopes.lastIndexOf(scope);
    if (i >= 0) state.scopes.splice(i, 1);
    const survivors = new Set<Tensor>();
    collect(result, survivors);
    for (const t of scope) {
      if (survivors.has(t)) state.scopes[state.scopes.length - 1]?.add(t);
      else t.dispose();
    }
  };
  try {
    const out = fn();
    if (out instanceof Promise) {
      return out.then(
        (v) => (finish(v), v),
        (e) => {
          finish(undefined);
          throw e;
        },
      ) as T;
    }
    finish(out);
    return out;
  } catch (e) {
    finish(undefined);
    throw e;
  }
}

function collect(v: unknown, into: Set<Tensor>): void {
  if (!v || typeof v !== 'object') return;
  if ((v as { __isTensor?: boolean }).__isTensor) {
    into.add(v as Tensor);
    const g = (v as Tensor).grad;
    if (g) into.add(g);
    return;
  }
  if (Array.isArray(v)) for (const x of v) collect(x, into);
  else if (v.constructor === Object || v instanceof Map) for (const x of v instanceof Map ? v.values() : Object.values(v)) collect(x, into);
}

/** Tensors alive now (created and not disposed): a debug counter for leaks. */
export const liveTensors = (): number => state.live;
