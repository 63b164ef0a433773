// Builds the web console (console/src, Preact + uPlot) into the assets the `console` Lambda serves:
//   dist/console/assets.json  { "<path under /console>": { type, body, cache } }, bundled into
//                             handlers/console.ts by serverless-esbuild like any JSON import.
// The JS and CSS file names carry a content hash, so they are cached as immutable; index.html is not.
// Pages are every file of console/src/pages/ (the virtual module `console:pages`): adding a page is
// adding one file. Usage: node scripts/build-console.mjs   (also `npm run build:console`, `prepare`, `test`).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PAGES_DIR = join(root, 'console/src/pages');
export const CONSOLE_ASSETS_FILE = join(root, 'dist/console/assets.json');

/** `console:pages`: an array of every page module's default export, in file-name order. */
const pagesPlugin = {
  name: 'console-pages',
  setup(b) {
    b.onResolve({ filter: /^console:pages$/ }, () => ({ path: 'pages', namespace: 'console-pages' }));
    b.onLoad({ filter: /.*/, namespace: 'console-pages' }, () => {
      const files = readdirSync(PAGES_DIR)
        .filter((f) => /\.tsx?$/.test(f))
        .sort();
      const imports = files.map((f, i) => `import p${i} from ${JSON.stringify(join(PAGES_DIR, f))};`).join('\n');
      return { contents: `${imports}\nexport default [${files.map((_, i) => `p${i}`).join(', ')}];`, loader: 'js', resolveDir: PAGES_DIR };
    });
  },
};

const hash = (text) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/** Builds the assets in memory: { path: { type, body, cache } }, paths relative to /console. */
export async function buildConsoleAssets() {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['console/src/main.tsx'],
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [pagesPlugin],
    logLevel: 'warning',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text;
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
  if (!js) throw new Error('build-console: esbuild produced no JavaScript');
  const jsName = `assets/app.${hash(js)}.js`;
  const cssName = `assets/app.${hash(css)}.css`;
  const html = readFileSync(join(root, 'console/index.html'), 'utf8')
    .replace('{{script}}', `/console/${jsName}`)
    .replace('{{style}}', `/console/${cssName}`);
  return {
    '': { type: 'text/html; charset=utf-8', body: html, cache: 'no-store' },
    [jsName]: { type: 'text/javascript; charset=utf-8', body: js, cache: 'public, max-age=31536000, immutable' },
    [cssName]: { type: 'text/css; charset=utf-8', body: css, cache: 'public, max-age=31536000, immutable' },
  };
}

/** Builds and writes dist/console/assets.json; returns the assets. */
export async function buildConsole() {
  const assets = await buildConsoleAssets();
  mkdirSync(dirname(CONSOLE_ASSETS_FILE), { recursive: true });
  writeFileSync(CONSOLE_ASSETS_FILE, `${JSON.stringify(assets)}\n`);
  return assets;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const assets = await buildConsole();
  const sizes = Object.entries(assets).map(([path, a]) => `${path || 'index.html'} ${Buffer.byteLength(a.body)} B`);
  console.log(`build-console: wrote ${CONSOLE_ASSETS_FILE} (${sizes.join(', ')})`);
}
