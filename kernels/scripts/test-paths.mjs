#!/usr/bin/env node
// The kernel tests again on the paths other adapters take, each kernel with a subgroup variant
// covered by a few awkward cases (forward and backward against its reference):
//   portable:  PRETEXT_SUBGROUPS=0 on the default adapter, so every launcher takes its portable variant
//   lanes4:    SwiftShader (Chromium's software Vulkan, 4-lane subgroups), so the subgroup variants
//              run at a second width (lavapipe has 8). Needs Chromium's libvk_swiftshader.so
//              (scripts/setup.sh installs chromium); missing, this pass fails saying so.
// subgroup-paths.test.ts checks that each pass got the subgroup width it asked for.
// Usage: node scripts/test-paths.mjs [portable|lanes4 …]   (default both)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib64/chromium/vk_swiftshader_icd.json', '/opt/google/chrome/vk_swiftshader_icd.json'];

/** [file, test-name pattern]: the subset, a few cases per kernel with a subgroup variant. */
const SUBSET = [
  ['src/subgroup-paths.test.ts', ''],
  ['src/matmul/matmul.test.ts', 'subgroup variant|autotune'],
  ['src/softmax/softmax.test.ts', 'oftmax \\{"shape":\\[(3,5,36|2,2,6,20|131,36)\\]'],
  ['src/attention/attention.test.ts', 'sg shaders\\) \\{"tq":(7|130),"d":(12|36),'],
  ['src/infonce/infonce.test.ts', '2N=(66|130) D=(40|128) τ=[\\d.]+ normalize=\\w+ \\w+ matches|N=9 D=8 queue=5|N=37 D=8 mean|D=12: random'],
  ['src/conv2d/conv2d.test.ts', 'x (3,5,11,11|2,4,28,27|3,1,9,12|2,4,6,9) cout|winograd > forward, dx and dw match the reference: x (3,12,5,7|2,68,5,7)|autotune'],
];

const passes = {
  portable: () => ({ PRETEXT_SUBGROUPS: '0', PRETEXT_EXPECT_SUBGROUP_WIDTH: '0' }),
  lanes4: () => {
    const icd = process.env.PRETEXT_SWIFTSHADER_ICD ?? SWIFTSHADER_ICDS.find((p) => existsSync(p));
    if (!icd || !existsSync(icd)) {
      throw new Error(`SwiftShader's Vulkan ICD not found (looked in ${SWIFTSHADER_ICDS.join(', ')}; set PRETEXT_SWIFTSHADER_ICD). ` +
        'Install Chromium (apt-get install chromium, or bash scripts/setup.sh).');
    }
    return { VK_ICD_FILENAMES: icd, PRETEXT_EXPECT_SUBGROUP_WIDTH: '4' };
  },
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(passes);
let failed = 0;
for (const name of wanted) {
  if (!(name in passes)) throw new Error(`test-paths: unknown pass '${name}' (known: ${Object.keys(passes).join(', ')})`);
  const env = { ...process.env, ...passes[name]() };
  for (const [file, pattern] of SUBSET) {
    console.log(`\n[test-paths] ${name}: ${file}${pattern ? ` -t /${pattern}/` : ''}`);
    const args = ['exec', 'vitest', 'run', file, ...(pattern ? ['-t', pattern] : [])];
    const r = spawnSync('pnpm', args, { cwd: root, env, stdio: 'inherit' });
    if (r.status !== 0) failed++;
  }
}
if (failed) {
  console.error(`[test-paths] ${failed} run(s) failed`);
  process.exit(1);
}
