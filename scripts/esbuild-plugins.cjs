// esbuild plugins for serverless-esbuild (custom.esbuild.plugins). CommonJS: serverless-esbuild
// loads this file with require().
//
// Modules a handler imports with a lazy import() only when a request needs them. esbuild would
// inline each into the handler module; this plugin keeps each a module of its own, its `output`
// beside the handler, built with the same options, so cold starts that never need it load none of it.
// (esbuild's `splitting` would do this too, but for every function and for the SDK's own lazy
// imports, changing every bundle the bench and the package check measure.) A static import of the
// same module is left alone (it is inlined as usual), and so is an entry nothing imports lazily.
//
//   lib/wiring/web-identity.ts  the OIDC token verifier: jose, the JWKS cache, the identities' Query
//                               (issue 17), imported by the vend handler when a request carries a JWT
//   lib/wiring/mfa.ts           the MFA code check: otpauth, the seed cipher, the devices' Query and
//                               the key's SSM read (issue 19), imported when a request sends mfaCode
const path = require('node:path');
const esbuild = require('esbuild');

const ROOT = path.join(__dirname, '..');

/** source (from the repository root, without extension) -> the module written beside the handler. */
const LAZY_MODULES = [
  { source: 'lib/wiring/web-identity', output: 'web-identity.mjs' },
  { source: 'lib/wiring/mfa', output: 'mfa.mjs' },
];

function lazyPlugin({ source, output }) {
  const target = path.join(ROOT, source);
  const name = path.basename(source);
  return {
    name: `credvend-lazy-${name}`,
    setup(build) {
      const options = build.initialOptions;
      let used = false;
      // Any specifier ending in the module's name; resolved to decide whether it is this module.
      const filter = new RegExp(`[\\\\/]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\.ts)?$`);
      build.onResolve({ filter }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const resolved = path.resolve(args.resolveDir, args.path).replace(/\.ts$/, '');
        if (resolved !== target) return undefined;
        used = true;
        return { path: `./${output}`, external: true };
      });
      build.onEnd(async (result) => {
        if (result.errors.length || !used || !options.outdir) return;
        const { plugins: _p, entryPoints: _e, outdir, outExtension: _x, metafile: _m, ...rest } = options;
        await esbuild.build({
          ...rest,
          entryPoints: [`${target}.ts`],
          outfile: path.join(outdir, output),
        });
      });
    },
  };
}

module.exports = LAZY_MODULES.map(lazyPlugin);
