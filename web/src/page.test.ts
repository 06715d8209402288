// The page in Debian's headless Chromium on a software WebGPU adapter: it must find an adapter,
// train SimCLR when `train` is clicked, the loss must fall by ≥ 20% within the 50 steps, and no
// console error may appear. A screenshot of the finished page is written for a person to look at.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.PRETEXT_CHROMIUM ?? '/usr/bin/chromium';
/**
 * WebGPU on a machine without a GPU: Chromium's Vulkan path over its own software Vulkan
 * (SwiftShader; lavapipe is not offered to WebGPU by Chromium 156 here), and the flags that keep a
 * headless Chromium off the network (this machine's network is closed).
 */
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--enable-unsafe-swiftshader',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
];
const STEPS = 50;

let server: ViteDevServer;
let browser: Browser;
let url: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`the browser test needs Chromium at ${CHROMIUM}: bash scripts/setup.sh installs it (as root: apt-get install chromium), or set PRETEXT_CHROMIUM`);
  server = await createServer({ root: WEB, configFile: join(WEB, 'vite.config.ts'), server: { port: 0, host: '127.0.0.1', hmr: false, watch: null }, logLevel: 'error' }); // no reload when a file changes mid-test
  await server.listen();
  url = server.resolvedUrls?.local[0] ?? '';
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface PageState {
  ready: boolean;
  adapter: string;
  losses: number[];
  done: boolean;
  error: string;
}

describe('training in a browser tab', () => {
  it(`trains SimCLR on WebGPU: the loss falls by ≥ 20% within ${STEPS} steps, no console error`, async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    const pretext = () => page.evaluate(() => (window as unknown as { pretext: PageState }).pretext);
    await page.waitForFunction(() => {
      const s = (window as unknown as { pretext?: PageState }).pretext;
      return s && (s.ready || s.error);
    }, undefined, { timeout: 120_000 });
    expect((await pretext()).error).toBe('');
    await page.click('#train');
    await page.waitForFunction(() => {
      const s = (window as unknown as { pretext: PageState }).pretext;
      return s.done || s.error;
    }, undefined, { timeout: 280_000, polling: 1000 });
    const s = await pretext();
    const shot = join(mkdtempSync(join(tmpdir(), 'pretext-web-')), 'trained.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`adapter ${s.adapter}; loss ${s.losses[0].toFixed(3)} → ${s.losses.at(-1)?.toFixed(3)}; screenshot ${shot}`);
    expect(s.error).toBe('');
    expect(s.losses).toHaveLength(STEPS);
    // the smallest mean of 5 consecutive steps against the first step's loss
    const smooth = s.losses.slice(4).map((_, i) => s.losses.slice(i, i + 5).reduce((a, b) => a + b, 0) / 5);
    expect(Math.min(...smooth)).toBeLessThanOrEqual(0.8 * s.losses[0]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
