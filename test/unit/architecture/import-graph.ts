// The import graph of lib/, read from the source: which file imports which (relative imports only).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

export interface ImportEdge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** `from '…'`, `import '…'` and `import('…')`, type-only imports included: they couple folders too. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every relative import between files under `root`/lib, as paths relative to `root`. */
export function libImports(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(join(root, 'lib'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const target = normalize(join(dirname(file), match[1]!));
      edges.push({
        from: relative(root, file),
        to: relative(root, target.endsWith('.ts') || target.endsWith('.json') ? target : `${target}.ts`),
      });
    }
  }
  return edges;
}

/** The folder directly under lib/ a path belongs to ('lib/vend/issue.ts' -> 'vend'); outside lib/: its top folder. */
export function folderOf(path: string): string {
  const parts = path.split('/');
  return parts[0] === 'lib' ? parts[1]! : parts[0]!;
}

/** Import cycles between files, each as the list of files around it. */
export function fileCycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const to of next.get(file) ?? []) {
      if (state.get(to) === 'open') cycles.push(stack.slice(stack.indexOf(to)));
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of next.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

/** The layer of each folder of lib/ (the order is explained in layers.test.ts). */
export const LAYERS: Record<string, number> = {
  core: 0,
  client: 0,
  policy: 1,
  aws: 1,
  identity: 2,
  mfa: 2,
  http: 2,
  health: 2,
  vend: 3,
  admin: 4,
  decode: 4,
  audit: 4,
  store: 5,
  sts: 5,
  openapi: 5,
  wiring: 6,
  deploy: 6,
};

/** Imports that cross folders without going down a layer, as "from -> to". */
export function backEdges(edges: ImportEdge[]): string[] {
  return edges
    .filter(({ from, to }) => {
      const [a, b] = [folderOf(from), folderOf(to)];
      return a !== b && !((LAYERS[b] ?? Number.POSITIVE_INFINITY) < (LAYERS[a] ?? Number.NEGATIVE_INFINITY));
    })
    .map(({ from, to }) => `${from} -> ${to}`);
}
