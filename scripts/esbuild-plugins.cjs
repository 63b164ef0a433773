// esbuild plugins for serverless-esbuild (custom.esbuild.plugins). CommonJS: serverless-esbuild
// loads this file with require().
//
// The vend handler imports lib/wiring/web-identity.ts (the OIDC token verifier: jose, the JWKS
// cache, the identities' Query) with a lazy import() only when a request carries a JWT (issue 17).
// esbuild would inline it into the handler module; this plugin keeps it a module of its own,
// `web-identity.mjs` beside the handler, built with the same options, so key-authenticated cold
// starts load none of it. (esbuild's `splitting` would do this too, but for every function and for
// the SDK's own lazy imports, changing every bundle the bench and the package check measure.)
const path = require('node:path');
const esbuild = require('esbuild');

const LAZY = /[\\/]wiring[\\/]web-identity(\.ts)?$/;
const OUTPUT = 'web-identity.mjs';

module.exports = [
  {
    name: 'credvend-lazy-web-identity',
    setup(build) {
      const options = build.initialOptions;
      let used = false;
      build.onResolve({ filter: LAZY }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        used = true;
        return { path: `./${OUTPUT}`, external: true };
      });
      build.onEnd(async (result) => {
        if (result.errors.length || !used || !options.outdir) return;
        const { plugins: _p, entryPoints: _e, outdir, outExtension: _x, metafile: _m, ...rest } = options;
        await esbuild.build({
          ...rest,
          entryPoints: [path.join(__dirname, '..', 'lib', 'wiring', 'web-identity.ts')],
          outfile: path.join(outdir, OUTPUT),
        });
      });
    },
  },
];
