import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BpeTokenizer, CharTokenizer, CLS, EntryLoader, entryBatch, loadFortunes, PAD, preTokenize, SEP, splitText, StreamLoader, tokenizeText, tokenizerFromJson, tokenStream, Utf8Error,
} from '../node.js';
import { decodeUtf8 } from './utf8.js';

const fortunes = loadFortunes();
const { train, valid } = splitText(fortunes, 0.1, 0);
const SAMPLES = ['Hello, world!', '  two  spaces\tand tab\n', 'naïve café — “quotes” 😀 ∑ 日本語', "it's 42 o'clock", ''];

describe('fortunes', () => {
  it('loads every category file as UTF-8, entries split on % lines', () => {
    expect(fortunes.texts.length).toBeGreaterThan(15_000);
    expect(fortunes.categories).toContain('computers');
    expect(fortunes.texts.every((t) => !t.includes('\n%\n') && t.length > 0)).toBe(true);
    // the files are UTF-8: 'coup d'état' in knghtbrd, 'Linuxkongreß' in linux (a latin1 read gives 'Ã©', 'ÃŸ')
    expect(fortunes.texts.some((t) => t.includes("coup d'état"))).toBe(true);
    expect(fortunes.texts.some((t) => t.includes('Linuxkongreß'))).toBe(true);
  });

  it('splits by entry with a seed, each entry keeping its category', () => {
    expect(train.texts.length + valid.texts.length).toBe(fortunes.texts.length);
    expect(Math.abs(valid.texts.length - 0.1 * fortunes.texts.length)).toBeLessThanOrEqual(1);
    const again = splitText(fortunes, 0.1, 0);
    expect(again.valid.texts).toEqual(valid.texts);
    expect(splitText(fortunes, 0.1, 1).valid.texts).not.toEqual(valid.texts);
    const i = fortunes.texts.indexOf(valid.texts[5]);
    expect(valid.labels[5]).toBe(fortunes.labels[i]);
  });

  it('reports text that is not UTF-8 with the file and the byte offset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fortunes-'));
    writeFileSync(join(dir, 'good'), 'fine\n%\ncafé\n');
    writeFileSync(join(dir, 'bad'), Buffer.concat([Buffer.from('ok\n%\ncaf'), Buffer.from([0xe9]), Buffer.from(' au lait\n')]));
    expect(() => loadFortunes({ dir })).toThrow(Utf8Error);
    expect(() => loadFortunes({ dir })).toThrow(`${join(dir, 'bad')}: not valid UTF-8 at byte offset 8 (lead byte 0xe9 followed by 0x20)`);
    const cases: [number[], number, RegExp][] = [
      [[0x61, 0x80], 1, /continuation byte 0x80 without a lead byte/],
      [[0x61, 0x62, 0xf0, 0x9f, 0x98], 2, /cut short/],
      [[0xc0, 0xaf], 0, /byte 0xc0 never appears/], // overlong '/'
      [[0xed, 0xa0, 0x80], 0, /lead byte 0xed followed by 0xa0/], // a surrogate
    ];
    for (const [bytes, offset, why] of cases) {
      expect(() => decodeUtf8(Uint8Array.from(bytes), 'x')).toThrow(new RegExp(`x: not valid UTF-8 at byte offset ${offset} `));
      expect(() => decodeUtf8(Uint8Array.from(bytes), 'x')).toThrow(why);
    }
  });
});

describe('tokenizers', () => {
  const chars = CharTokenizer.train(train.texts);
  const bpe = BpeTokenizer.train(train.texts.slice(0, 3000), 600);

  it('round-trip every validation entry and non-ASCII, unseen characters (byte fallback)', () => {
    for (const tok of [chars, bpe, tokenizerFromJson(JSON.parse(JSON.stringify(bpe.toJSON())), 't'), tokenizerFromJson(chars.toJSON(), 't')]) {
      for (const s of [...SAMPLES, ...valid.texts.slice(0, 300)]) expect(tok.decode(tok.encode(s))).toBe(s);
      const ids = tok.encode('日本語😀');
      expect(ids.every((id) => id >= 4 && id < 260)).toBe(true); // unseen: bytes only
      expect(ids.length).toBe(3 * 3 + 4);
      expect(tok.decode([CLS, ...tok.encode('a'), SEP, PAD])).toBe('[CLS]a[SEP]');
    }
  });

  it('count characters per token (bits per character)', () => {
    for (const tok of [chars, bpe]) {
      for (const s of SAMPLES) expect(Array.from(tok.encode(s), (id) => tok.charsOf(id)).reduce((a, b) => a + b, 0)).toBe([...s].length);
    }
  });

  it('BPE: the vocabulary size asked for, merges that shorten the text, deterministic', () => {
    expect(bpe.vocabSize).toBe(600);
    const text = valid.texts.slice(0, 200).join('\n');
    expect(bpe.encode(text).length).toBeLessThan(0.6 * new TextEncoder().encode(text).length);
    expect(BpeTokenizer.train(train.texts.slice(0, 3000), 600).merges).toEqual(bpe.merges);
    expect(preTokenize(" it's 42, ok  ").join('')).toBe(" it's 42, ok  ");
    expect(() => BpeTokenizer.train(['a'], 100)).toThrow(/vocabSize must be an integer in \[260, 65536\]/);
  });

  it('characters: most frequent first; ids past specials and bytes', () => {
    expect(chars.chars[0]).toBe(' ');
    expect(chars.encode(' ')[0]).toBe(260);
    expect(chars.vocabSize).toBe(260 + chars.chars.length);
  });
});

describe('token batches', () => {
  const tok = CharTokenizer.train(train.texts);
  const corpus = tokenizeText(valid, tok);

  it('entries: [CLS] entry [SEP] padded to the longest row (a multiple of 8), truncated or rejected past the context', () => {
    const short = corpus.entries.map((e, i) => [e.length, i]).filter(([n]) => n < 20).map(([, i]) => i).slice(0, 3);
    const b = entryBatch(corpus, short, 64, 'reject');
    const longest = Math.max(...short.map((i) => corpus.entries[i].length + 2));
    expect(b.shape).toEqual([3, Math.ceil(longest / 8) * 8]);
    const t = b.shape[1];
    short.forEach((e, k) => {
      const row = Array.from(b.ids.subarray(k * t, (k + 1) * t));
      const n = corpus.entries[e].length;
      expect(row.slice(0, n + 2)).toEqual([CLS, ...corpus.entries[e], SEP]);
      expect(row.slice(n + 2).every((x) => x === PAD)).toBe(true);
      expect(Array.from(b.keep.subarray(k * t, (k + 1) * t)).reduce((a, c) => a + c, 0)).toBe(n + 2);
      expect(b.labels[k]).toBe(corpus.labels[e]);
    });
    const long = corpus.entries.findIndex((e) => e.length > 100);
    const cut = entryBatch(corpus, [long], 64, 'truncate');
    expect(cut.shape).toEqual([1, 64]);
    expect(Array.from(cut.ids.subarray(0, 64))).toEqual([CLS, ...corpus.entries[long].subarray(0, 62), SEP]);
    expect(() => entryBatch(corpus, [long], 64, 'reject')).toThrow(/entry 0 \(.*\) is \d+ tokens \+ \[CLS\] \[SEP\], longer than the context of 64/);
    expect(() => new EntryLoader(corpus, 8, { seed: 0, context: 64, overflow: 'reject' })).toThrow(/longer than the context of 64 \(\d+ of \d+ entries are\)/);
  });

  it('stream: windows of T + 1 over the entries joined by [SEP], every window once per epoch', async () => {
    const stream = tokenStream(corpus);
    expect(stream.length).toBe(corpus.entries.reduce((n, e) => n + e.length + 1, 0));
    const loader = new StreamLoader(corpus, 16, { seed: 3, context: 32 });
    const starts = new Set<number>();
    for await (const b of loader.epoch(0)) {
      expect(b.shape).toEqual([16, 32]);
      for (let k = 0; k < 16; k++) {
        const s = b.index[k];
        starts.add(s);
        expect(Array.from(b.ids.subarray(k * 32, k * 32 + 32))).toEqual(Array.from(stream.subarray(s, s + 32)));
        expect(Array.from(b.targets?.subarray(k * 32, k * 32 + 32) ?? [])).toEqual(Array.from(stream.subarray(s + 1, s + 33)));
      }
    }
    expect(starts.size).toBe(16 * loader.batchesPerEpoch);
    expect([...starts].every((s) => (s - [...starts][0]) % 32 === 0)).toBe(true);
    expect(Array.from(loader.batch(0, 2).index)).toEqual(Array.from((await loader.epoch(0, 2).next()).value?.index ?? []));
  });
});
