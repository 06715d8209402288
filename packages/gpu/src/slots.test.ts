import { describe, expect, it } from 'vitest';
import { specialize, templateSlots } from './slots.js';

const SRC = `const TM: u32 = 16u; // template slot: rows
const TN: u32 = 4u; // not a slot
  const DCH: u32 = 2u; // template slot (indented: not a module-scope slot)
const DCH: u32 = 4u;   // template slot: chunks
fn f() -> u32 { return TM * TN * DCH; }
`;

describe('template slots', () => {
  it('finds only the marked module-scope u32 consts', () => {
    expect([...templateSlots(SRC)]).toEqual([['TM', 16], ['DCH', 4]]);
  });

  it('rewrites the named slots, keeps the others, and caches per (source, values)', () => {
    const a = specialize(SRC, { TM: 8 });
    expect(a).toContain('const TM: u32 = 8u; // template slot: rows');
    expect(a).toContain('const DCH: u32 = 4u;   // template slot: chunks');
    expect(a).toContain('const TN: u32 = 4u; // not a slot');
    expect(specialize(SRC, { TM: 8 })).toBe(a);
    expect(specialize(SRC, { TM: 24, DCH: 1 })).toContain('const DCH: u32 = 1u;');
  });

  it('names what is wrong', () => {
    expect(() => specialize(SRC, { TN: 2 })).toThrow(/no template slot 'TN' \(slots: TM, DCH\)/);
    expect(() => specialize(SRC, { TM: -1 })).toThrow(/slot TM must be a u32, got -1/);
  });
});
