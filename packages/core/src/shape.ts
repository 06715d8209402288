// Shape arithmetic shared by ops and backends.

export type Shape = readonly number[];

export const sizeOf = (s: Shape): number => s.reduce((a, b) => a * b, 1);
export const fmt = (s: Shape): string => `[${s.join(', ')}]`;

/** numpy broadcasting of two shapes; throws naming the op and both shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new ShapeError(op, `cannot broadcast ${fmt(a)} with ${fmt(b)}`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Normalises a possibly negative axis against a rank. */
export function axisOf(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new ShapeError(op, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

export class ShapeError extends Error {
  override name = 'ShapeError';
  constructor(op: string, problem: string) {
    super(`${op}: ${problem}`);
  }
}
