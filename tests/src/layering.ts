// The layering rules of ARCHITECTURE.md that a change in one room must not break, checked on the
// source text (imports, and WGSL `// #include` lines):
//  1. Kernels borrow no helpers. A file in kernels/src/<a>/ reaches another kernel folder <b> only
//     through <b>'s public launcher kernels/src/<b>/<b>.ts (to compose: conv2d through matmul,
//     layernorm through reduce), or, from WGSL, <b>'s shader library <b>/<b>.inc.wgsl (the RNG's
//     rng.inc.wgsl). It imports no argument-check helper (a name check…) from another folder:
//     those live in @pretext/gpu. Files at kernels/src/ itself are the package's surface (index.ts)
//     and the bench contract (bench-case.ts, bench-tf.ts: *.bench.ts only).
//  2. Production code never imports a test reference (*.ref.ts) for logic. Production = every
//     source file but tests (*.test.ts, test utilities, the tests package, @pretext/gpu/testing),
//     benches (*.bench.ts) and the references themselves. The one allowed consumer is
//     @pretext/core's CPU backend (packages/core/src/backends/cpu*.ts), which runs the references
//     as its implementation; kernels/src/index.ts re-exports them for it. Checked both for paths
//     (…/x.ref.js) and for the names the references export, imported from @pretext/kernels.
//  3. @pretext/kernels sits right above @pretext/gpu: nothing under kernels/ imports a workspace
//     package other than @pretext/gpu and @pretext/random, and only its tests and benches import
//     @pretext/gpu/testing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

export interface SourceFile {
  /** Path from the repository root, '/'-separated: 'kernels/src/conv2d/conv2d.ts'. */
  path: string;
  text: string;
}

export interface Import {
  /** The specifier as written: '../reduce/reduce.js', '@pretext/gpu', 'rng.inc.wgsl'. */
  spec: string;
  /** Imported names ('*X' for a namespace import of X; empty for `export *` and side effects). */
  names: string[];
  /** 'import' (static or dynamic), 'export' (a re-export) or 'include' (WGSL). */
  kind: 'import' | 'export' | 'include';
}

const STATIC = /(?:^|[\n;])\s*(import|export)\s+(?:type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
const SIDE_EFFECT = /(?:^|[\n;])\s*import\s+['"]([^'"]+)['"]/g;
const DYNAMIC = /import\(\s*['"]([^'"]+)['"]\s*\)/g;
const INCLUDE = /^\s*\/\/ #include "([^"]+)"\s*$/gm;

function clauseNames(clause: string): string[] {
  const ns = /\*\s+as\s+(\w+)/.exec(clause);
  if (ns) return [`*${ns[1]}`];
  const braces = /\{([^}]*)\}/.exec(clause);
  const names = braces ? braces[1].split(',').map((s) => s.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]).filter(Boolean) : [];
  const dflt = /^(\w+)\s*(?:,|$)/.exec(clause.trim());
  return dflt && dflt[1] !== 'type' ? [dflt[1], ...names] : names;
}

/** Every import, re-export and WGSL include of a source file. */
export function importsOf(file: SourceFile): Import[] {
  if (file.path.endsWith('.wgsl')) return [...file.text.matchAll(INCLUDE)].map((m) => ({ spec: m[1], names: [], kind: 'include' }));
  const out: Import[] = [];
  for (const m of file.text.matchAll(STATIC)) out.push({ spec: m[3], names: clauseNames(m[2]), kind: m[1] as 'import' | 'export' });
  for (const m of file.text.matchAll(SIDE_EFFECT)) out.push({ spec: m[1], names: [], kind: 'import' });
  for (const m of file.text.matchAll(DYNAMIC)) out.push({ spec: m[1], names: [], kind: 'import' });
  return out;
}

const isTest = (p: string) => /\.test\.ts$|\.test-util\.ts$/.test(p) || p.startsWith('tests/') || p === 'packages/gpu/src/testing.ts';
const isBench = (p: string) => p.endsWith('.bench.ts');
const isRef = (p: string) => p.endsWith('.ref.ts');
const isProduction = (p: string) => !isTest(p) && !isBench(p) && !isRef(p);
const REF_CONSUMER = /^packages\/core\/src\/backends\/cpu[\w-]*\.ts$/;
const ABOVE_GPU = /^@pretext\/(core|models|data|tasks|eval|cli|bench)(\/|$)/;

/** The repository path an import of `from` resolves to ('.js' → '.ts'), or null for a package. */
function resolveRelative(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return normalize(join(dirname(from), spec)).split('\\').join('/').replace(/\.js$/, '.ts');
}

/** kernels/src/<folder>/… → folder; a file at kernels/src/ itself → ''; elsewhere null. */
function kernelFolder(path: string): string | null {
  const m = /^kernels\/src\/(?:([^/]+)\/)?[^/]+$/.exec(path) ?? /^kernels\/src\/([^/]+)\//.exec(path);
  return m ? (m[1] ?? '') : null;
}

/** Names exported by the kernels' references (refRef-style functions and their helpers). */
export function referenceNames(files: readonly SourceFile[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) {
    if (!f.path.startsWith('kernels/src/') || !isRef(f.path)) continue;
    for (const m of f.text.matchAll(/export\s+(?:async\s+)?(?:function|const|let|class)\s+(\w+)/g)) names.add(m[1]);
  }
  return names;
}

/** What breaks the three rules, one line each ('path: what'); empty when the tree is in order. */
export function layeringViolations(files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  const refNames = referenceNames(files);
  for (const f of files) {
    const from = kernelFolder(f.path);
    for (const imp of importsOf(f)) {
      const target = resolveRelative(f.path, imp.spec);
      const to = target ? kernelFolder(target) : null;
      // 1. kernel folders compose through public launchers only
      if (from && to !== null && to !== from) {
        const launcher = to !== '' && (target === `kernels/src/${to}/${to}.ts` || (imp.kind === 'include' && target === `kernels/src/${to}/${to}.inc.wgsl`));
        const contract = to === '' && /^kernels\/src\/bench-(case|tf)\.ts$/.test(target!) && isBench(f.path);
        if (!launcher && !contract) out.push(`${f.path}: imports ${imp.spec}, not a public launcher of another kernel folder (kernels/src/<name>/<name>.ts)`);
        const helpers = imp.names.filter((n) => /^check[A-Z]?/.test(n));
        if (launcher && helpers.length) out.push(`${f.path}: imports the argument check ${helpers.join(', ')} from ${imp.spec}; checks live in @pretext/gpu`);
      }
      // 2. no reference in production code
      if (isProduction(f.path) && !REF_CONSUMER.test(f.path)) {
        const reexport = imp.kind === 'export' && f.path === 'kernels/src/index.ts';
        if (target && isRef(target) && !reexport) out.push(`${f.path}: imports the test reference ${imp.spec}`);
        if (imp.spec === '@pretext/kernels') {
          for (const n of imp.names) {
            if (refNames.has(n)) out.push(`${f.path}: imports the reference ${n} from @pretext/kernels`);
            if (n.startsWith('*')) {
              const used = [...f.text.matchAll(new RegExp(`\\b${n.slice(1)}\\.(\\w+)`, 'g'))].map((m) => m[1]).filter((u) => refNames.has(u));
              for (const u of new Set(used)) out.push(`${f.path}: uses the reference ${n.slice(1)}.${u} from @pretext/kernels`);
            }
          }
        }
      }
      // 3. kernels/ imports nothing above @pretext/gpu
      if (f.path.startsWith('kernels/')) {
        if (ABOVE_GPU.test(imp.spec)) out.push(`${f.path}: imports ${imp.spec}, a package above @pretext/gpu`);
        if (imp.spec === '@pretext/gpu/testing' && !isTest(f.path) && !isBench(f.path)) out.push(`${f.path}: imports @pretext/gpu/testing outside a test or bench`);
      }
    }
  }
  return out;
}

const SKIP = new Set(['node_modules', 'dist', '.turbo', 'results']);

/** The repository's TypeScript and WGSL sources (generated *.wgsl.ts excluded). */
export function repositorySources(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (SKIP.has(name) || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if ((name.endsWith('.ts') && !name.endsWith('.wgsl.ts') && !name.endsWith('.d.ts')) || name.endsWith('.wgsl')) {
        out.push({ path: relative(root, p).split('\\').join('/'), text: readFileSync(p, 'utf8') });
      }
    }
  };
  for (const top of ['kernels', 'packages', 'bench', 'tests']) walk(join(root, top));
  return out;
}
