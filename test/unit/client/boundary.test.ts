// The client ships on its own: its files may import each other and node built-ins, nothing else.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const CLIENT = resolve(import.meta.dirname ?? '.', '../../../client');
const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

describe('client/ dependencies', () => {
  const files = readdirSync(CLIENT).filter((f) => f.endsWith('.ts'));

  it('has the entry points', () => {
    expect(files).toEqual(expect.arrayContaining(['index.ts', 'cli.ts']));
  });

  it('imports only ./siblings and node: built-ins', () => {
    const imports = files.flatMap((file) =>
      [...readFileSync(join(CLIENT, file), 'utf8').matchAll(SPECIFIER)].map((m) => `${file}: ${m[1] ?? m[2] ?? m[3]}`),
    );
    expect(imports).toContain('cli.ts: ./issue');
    expect(imports).toContain('issue.ts: node:fs/promises');
    for (const line of imports) expect(line).toMatch(/^[\w-]+\.ts: (\.\/[\w-]+|node:[\w/]+)$/);
  });
});
