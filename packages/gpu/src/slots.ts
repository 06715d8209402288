// WGSL template slots: the one way a launcher specialises what an `override` cannot set. WGSL
// sizes function-scope arrays (a register tile of TM rows, say) only by a creation-time constant,
// so such a knob is a line of ordinary WGSL marked as a slot,
//     const TM: u32 = 16u; // template slot: rows per workgroup
// which editors and linters read as it stands (with its default), and which specialize() rewrites
// with the launcher's value. Everything else a launcher varies is an override constant (an
// argument of gpu.pipeline) or a runtime param: each pipeline costs lavapipe seconds of LLVM time.

const SLOT = /^const (\w+): u32 = \d+u;(\s*\/\/ template slot\b.*)$/gm;
const cache = new Map<string, Map<string, string>>();

/** The template slots of `source` (name → default). */
export function templateSlots(source: string): Map<string, number> {
  return new Map([...source.matchAll(SLOT)].map((m) => [m[1], Number(/= (\d+)u/.exec(m[0])![1])]));
}

/**
 * `source` with the named template slots set (u32 values); slots not named keep their default.
 * Cached per (source, values), so the pipeline cache sees one string per variant. Throws if a name
 * is not a slot of the source.
 */
export function specialize(source: string, values: Readonly<Record<string, number>>): string {
  let bySource = cache.get(source);
  if (!bySource) cache.set(source, (bySource = new Map()));
  const key = JSON.stringify(values);
  const hit = bySource.get(key);
  if (hit !== undefined) return hit;
  const slots = templateSlots(source);
  for (const [name, v] of Object.entries(values)) {
    if (!slots.has(name)) throw new Error(`specialize: the shader has no template slot '${name}' (slots: ${[...slots.keys()].join(', ') || 'none'})`);
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** 32) throw new Error(`specialize: slot ${name} must be a u32, got ${v}`);
  }
  const out = source.replace(SLOT, (line, name: string, tail: string) => (name in values ? `const ${name}: u32 = ${values[name]}u;${tail}` : line));
  bySource.set(key, out);
  return out;
}
