// The direction of dependencies in lib/: each folder may import only from folders on a lower layer,
// so no folder pair imports both ways and no file imports itself in a circle.
//
//   6 wiring, deploy              composition roots, one per Lambda; the deploy scripts' plans and checks
//   5 store, sts, openapi         adapters (DynamoDB, STS) implementing the capabilities' ports; the API document
//   4 admin, audit, decode        capabilities built on the ones below
//   3 vend                        the issuance flow
//   2 identity, http, health, mfa authentication; the middy stack; health probes; TOTP devices and seeds
//   1 policy, aws                 policy rendering and STS limits; SDK clients, deadline, signing
//   0 core, client                shared kernel (errors, log, config, model, table keys); the partner client

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { backEdges, fileCycles, folderOf, LAYERS, libImports } from './import-graph';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('lib/ layers', () => {
  const edges = libImports(ROOT);

  it('reads the real import graph', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(new Set(edges.map((e) => folderOf(e.from))).size).toBeGreaterThanOrEqual(12);
  });

  it('every folder of lib/ has a layer (a new folder must be placed here)', () => {
    const folders = readdirSync(`${ROOT}/lib`, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(folders.filter((f) => !(f in LAYERS))).toEqual([]);
  });

  it('no import runs from a lower layer up, or across one layer', () => {
    expect(backEdges(edges)).toEqual([]);
  });

  it('no file imports itself through others', () => {
    expect(fileCycles(edges)).toEqual([]);
  });

  it('the checks catch a back-edge, a sideways edge and a cycle', () => {
    const up = { from: 'lib/core/log.ts', to: 'lib/vend/issue.ts' };
    const sideways = { from: 'lib/store/directory.ts', to: 'lib/sts/sdk-sts.ts' };
    const unknown = { from: 'lib/vend/issue.ts', to: 'lib/newfolder/x.ts' };
    expect(backEdges([up, sideways, unknown, { from: 'lib/vend/issue.ts', to: 'lib/core/log.ts' }])).toEqual([
      'lib/core/log.ts -> lib/vend/issue.ts',
      'lib/store/directory.ts -> lib/sts/sdk-sts.ts',
      'lib/vend/issue.ts -> lib/newfolder/x.ts',
    ]);
    expect(
      fileCycles([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
      ]),
    ).toEqual([['a', 'b', 'c']]);
  });
});
