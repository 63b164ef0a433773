// EMF metrics from the vend path (issue 15): AuditWriteFailures when the issuance record cannot be written
// (the fail-closed 503) and StsThrottles when STS answered Throttling, as Powertools Metrics writes them.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DependencyUnavailableError, UpstreamRefusedError } from '../../../lib/core/errors';
import { JsonLogger, logger } from '../../../lib/core/log';
import type { Caller } from '../../../lib/identity/authenticate';
import { type IssueDeps, issueCredentials } from '../../../lib/vend/issue';
import { FakeDirectory, FakeLedger, FakeSts, NO_MFA, PARTNER_ID, TENANT_ID } from '../issuance-fakes';

const caller: Caller = { kind: 'partner', keyId: 'pk-abcdefghijklmnop', tenantId: TENANT_ID, partnerId: PARTNER_ID };
const ctx = { caller, requestId: 'req-1', sourceIp: '192.0.2.1', userAgent: 'jest' };

let lines: string[];
let deps: IssueDeps & { ledger: FakeLedger; sts: FakeSts };

beforeEach(() => {
  lines = [];
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
  }
  deps = {
    directory: new FakeDirectory(),
    ledger: new FakeLedger(),
    sts: new FakeSts(),
    now: () => new Date(),
    newId: () => 'id-1',
    mfa: NO_MFA,
  };
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** The EMF lines written, parsed. */
const emf = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => '_aws' in l);

function expectEmf(line: Record<string, unknown> | undefined, name: string) {
  expect(line).toEqual({
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [{ Namespace: 'credvend', Dimensions: [['service']], Metrics: [{ Name: name, Unit: 'Count' }] }],
    },
    service: 'credvend',
    [name]: 1,
  });
}

describe('vend metrics (EMF)', () => {
  it('AuditWriteFailures: one line when the issuance record cannot be written, and the 503 still answers', async () => {
    deps.ledger.failWith = new DependencyUnavailableError('audit_write_failed', 'The issuance could not be recorded');
    await expect(issueCredentials(deps, ctx, {})).rejects.toMatchObject({ statusCode: 503, code: 'audit_write_failed' });
    expect(emf()).toHaveLength(1);
    expectEmf(emf()[0], 'AuditWriteFailures');
  });

  it('StsThrottles: one line when STS answered Throttling; nothing is recorded', async () => {
    deps.sts.failWith = new DependencyUnavailableError('sts_throttled', 'STS is throttling requests; retry later', {
      retryAfterSeconds: 2,
    });
    await expect(issueCredentials(deps, ctx, {})).rejects.toMatchObject({ code: 'sts_throttled' });
    expect(emf()).toHaveLength(1);
    expectEmf(emf()[0], 'StsThrottles');
    expect(deps.ledger.records).toEqual([]);
  });

  it('no metric for other STS refusals, nor for a successful issuance', async () => {
    deps.sts.failWith = new UpstreamRefusedError('sts_access_denied', 'denied');
    await expect(issueCredentials(deps, ctx, {})).rejects.toMatchObject({ code: 'sts_access_denied' });
    deps.sts.failWith = undefined;
    await issueCredentials(deps, ctx, {});
    expect(lines.length).toBeGreaterThan(0);
    expect(emf()).toEqual([]);
  });

  it('is written whatever the log level, in the namespace it is given', () => {
    const written: string[] = [];
    const quiet = new JsonLogger('credvend', 'SILENT', (line) => written.push(line), undefined, 'other-namespace');
    quiet.info('not written');
    quiet.metric('StsThrottles', 3);
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0]!)).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'other-namespace', Dimensions: [['service']] }] },
      StsThrottles: 3,
    });
    // The shared logger takes its namespace from POWERTOOLS_METRICS_NAMESPACE (serverless.yml sets credvend).
    expect(logger).toBeInstanceOf(JsonLogger);
  });
});
