// An exported ONNX model run in onnxruntime-node (CPU) and compared with our own forward before
// the file is written: the ORT session, and the comparison, whose errors name the file and what
// ORT said (the op or opset it lacks).
import type * as Ort from 'onnxruntime-node';
import { UsageError } from './flags.js';

/** The largest |ORT − ours| an export may show (f32 sums in another order). */
export const ONNX_TOLERANCE = 1e-4;

export type OrtModule = typeof Ort;
export type OrtFeeds = Record<string, Ort.Tensor>;

/** onnxruntime-node, an optional dependency: its absence is a usage error saying how to install it. */
export async function loadOrt(): Promise<{ ort: OrtModule; version: string }> {
  let ort: OrtModule;
  try {
    ort = await import('onnxruntime-node');
  } catch {
    throw new UsageError('--check needs the npm package onnxruntime-node (an optional dependency): ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node');
  }
  return { ort, version: ort.env.versions.node ?? ort.env.versions.common ?? '?' };
}

/** Runs `model` on each set of feeds; returns each run's outputs, in the session's output order. */
export async function runOnnx(model: Uint8Array, feeds: readonly OrtFeeds[], file: string): Promise<{ version: string; outputs: Float32Array[][] }> {
  const { ort, version } = await loadOrt();
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  } catch (e) {
    throw new Error(`onnxruntime-node ${version} cannot load ${file}: ${(e as Error).message}`);
  }
  try {
    const outputs: Float32Array[][] = [];
    for (const f of feeds) {
      const out = await session.run(f);
      outputs.push(session.outputNames.map((n) => out[n].data as Float32Array));
    }
    return { version, outputs };
  } catch (e) {
    throw new Error(`onnxruntime-node ${version} cannot run ${file}: ${(e as Error).message}`);
  } finally {
    await session.release();
  }
}

/** max |got − want|; a NaN on one side only counts as infinite, on both as equal. */
export function maxAbsDiff(got: Float32Array, want: Float32Array, file: string, what: string): number {
  if (got.length !== want.length) throw new Error(`${file}: onnxruntime-node gave ${got.length} values${what ? ` of ${what}` : ''}, our forward ${want.length}`);
  let diff = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    diff = Math.max(diff, Number.isNaN(d) ? (Number.isNaN(got[i]) && Number.isNaN(want[i]) ? 0 : Number.POSITIVE_INFINITY) : d);
  }
  return diff;
}

/** Throws unless `diff` is within the tolerance: the export is not written. */
export function checkDiff(diff: number, file: string, version: string): void {
  if (!(diff < ONNX_TOLERANCE)) throw new Error(`${file}: onnxruntime-node ${version} differs from our forward by ${diff.toExponential(2)} (> ${ONNX_TOLERANCE}); not written`);
}
