// The page resolves the @pretext/* packages to their TypeScript sources (the `source` condition,
// as the tests do) and their browser entries (the `browser` condition: no Node file loaders).
// The dev and preview servers serve Fashion-MNIST's .gz files from the Debian package.
import { createReadStream, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defaultClientConditions, defineConfig, type Plugin, type PreviewServer, type ViteDevServer } from 'vite';

const DIR = process.env.PRETEXT_FASHION_MNIST ?? '/usr/share/datasets/fashion-mnist';

function fashionMnist(): Plugin {
  const serve = (server: ViteDevServer | PreviewServer): void => {
    server.middlewares.use('/data/fashion-mnist', (req, res, next) => {
      const file = join(DIR, basename(req.url ?? ''));
      if (!file.endsWith('-ubyte.gz') || !existsSync(file)) return next();
      res.setHeader('content-type', 'application/octet-stream');
      createReadStream(file).pipe(res);
    });
  };
  return { name: 'pretext-fashion-mnist', configureServer: serve, configurePreviewServer: serve };
}

export default defineConfig({
  resolve: { conditions: ['source', ...defaultClientConditions] },
  plugins: [fashionMnist()],
  server: { host: '127.0.0.1' },
  build: { target: 'es2022' },
});
