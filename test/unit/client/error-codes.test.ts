// The error codes the client README documents are the codes the API documents (lib/openapi/openapi.json,
// which is generated from the code) and the codes the client itself raises; and the OpenAPI document
// names every code the server's error classes can carry, under the status that class answers.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const openapi = JSON.parse(read('lib/openapi/openapi.json')) as {
  components: { responses: Record<string, { description: string }> };
};

/** status -> the codes the OpenAPI error response for that status names (snake_case words in its description). */
function openapiCodes(): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const [name, response] of Object.entries(openapi.components.responses)) {
    const status = /^Error(\d{3})$/.exec(name)?.[1];
    if (!status) continue;
    out.set(Number(status), new Set(response.description.match(/\b[a-z]+(?:_[a-z0-9]+)+\b/g) ?? []));
  }
  return out;
}

/** The rows of the client README's "Error codes" table: [code, status]. */
function readmeTable(readme: string): [string, string][] {
  const section = readme.split(/^### Error codes$/m)[1]?.split(/^#{1,3} /m)[0] ?? '';
  return [...section.matchAll(/^\| `([a-z_0-9]+)` +\| (\d{3}|client) +\|/gm)].map((m) => [m[1] as string, m[2] as string]);
}

/** String literals the client passes as an error code (CredvendError({ code }), configError, ParseError, errorForStatus). */
function clientCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of readdirSync(join(root, 'client')).filter((f) => f.endsWith('.ts'))) {
    const source = read(`client/${file}`);
    for (const m of source.matchAll(/(?:code: |configError\(|ParseError\(|usageError\()'([a-z_0-9]+)'/g)) codes.add(m[1] as string);
  }
  return codes;
}

/** Words written as code in the README that are not error codes. */
const NOT_CODES = new Set(['credential_process']);

describe('client README error codes', () => {
  const readme = read('client/README.md');
  const table = readmeTable(readme);
  const api = openapiCodes();

  it('has a table to check', () => {
    expect(table.length).toBeGreaterThan(20);
  });

  it.each(table.filter(([, status]) => status !== 'client'))('API code %s is documented by the OpenAPI under %s', (code, status) => {
    expect([...(api.get(Number(status)) ?? [])]).toContain(code);
  });

  it.each(table.filter(([, status]) => status === 'client'))('client code %s is one the client raises', (code) => {
    expect([...clientCodes()]).toContain(code);
  });

  it('mentions no code anywhere that is neither in the table nor a known non-code word', () => {
    const documented = new Set(table.map(([code]) => code));
    const mentioned = [...readme.matchAll(/`([a-z]+(?:_[a-z0-9]+)+)`/g)].map((m) => m[1] as string);
    const stray = mentioned.filter((word) => !documented.has(word) && !NOT_CODES.has(word));
    expect(stray).toEqual([]);
  });

  it('the table check fails on a code the API does not send (the old scope_not_covered)', () => {
    const broken = readme.replace('| `scope_not_allowed`  ', '| `scope_not_covered`  ');
    const [code, status] = readmeTable(broken).find(([c]) => c === 'scope_not_covered') ?? [];
    expect(code).toBe('scope_not_covered');
    expect([...(api.get(Number(status)) ?? [])]).not.toContain(code);
  });
});

describe('OpenAPI error responses', () => {
  const STATUS_OF_TYPE: Record<string, number> = {
    BadRequestCode: 400,
    UnauthorizedCode: 401,
    ForbiddenCode: 403,
    NotFoundCode: 404,
    ConflictCode: 409,
    UnprocessableCode: 422,
    RateLimitedCode: 429,
    UpstreamRefusedCode: 502,
    DependencyUnavailableCode: 503,
  };

  it('name every code of every server error type under its status', () => {
    const source = read('lib/core/errors.ts');
    const api = openapiCodes();
    const missing: string[] = [];
    let seen = 0;
    for (const m of source.matchAll(/export type (\w+Code) =([^;]+);/g)) {
      const status = STATUS_OF_TYPE[m[1] as string];
      expect([m[1], status]).toEqual([m[1], expect.any(Number)]);
      for (const code of (m[2] as string).match(/'([a-z_0-9]+)'/g) ?? []) {
        seen++;
        const bare = code.slice(1, -1);
        if (!api.get(status as number)?.has(bare)) missing.push(`${status} ${bare}`);
      }
    }
    expect(seen).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });
});
