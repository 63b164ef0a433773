// Every package a Lambda handler reaches (through the relative imports of handlers/ and lib/) is a
// runtime dependency in package.json: a devDependency is absent from a production install
// (`npm ci --omit=dev`), so a function bundling one works only by accident of the build machine.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '../../..');

/** The package name of a bare specifier ('@aws-sdk/client-iam/x' -> '@aws-sdk/client-iam'); undefined for node: built-ins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** The packages the handler files reach, each with one file that imports it. */
function packagesReached(entries: string[]): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    // `import type` is erased from the bundle: it needs no runtime package.
    const text = readFileSync(file, 'utf8').replace(/^import type [^;]+;/gm, '');
    for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
      if (spec.startsWith('.')) {
        const target = normalize(join(dirname(file), spec));
        const path = [target, `${target}.ts`, join(target, 'index.ts')].find((p) => p.endsWith('.ts') && existsSync(p));
        if (path) visit(path);
      } else {
        const pkg = packageOf(spec);
        if (pkg && !packages.has(pkg)) packages.set(pkg, file.slice(ROOT.length + 1));
      }
    }
  };
  for (const entry of entries) visit(entry);
  return packages;
}

describe('runtime dependencies', () => {
  const handlers = readdirSync(join(ROOT, 'handlers'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(ROOT, 'handlers', f));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

  it('reads the handlers and the packages they reach (the check below has something to check)', () => {
    expect(handlers.length).toBeGreaterThan(5);
    const reached = packagesReached(handlers);
    expect([...reached.keys()]).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/client-sts', '@aws-sdk/client-iam']));
  });

  it('every package a handler reaches is in "dependencies", not only "devDependencies"', () => {
    const missing = [...packagesReached(handlers)]
      .filter(([name]) => !(name in pkg.dependencies))
      .map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing).toEqual([]);
  });
});
