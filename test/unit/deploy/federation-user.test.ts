// The federation user's key plan: create when nothing works, rotate without breaking warm functions,
// finish an interrupted run, and do nothing when done.
import { describe, expect, it } from '@jest/globals';
import { describeStep, type FederationUserState, planFederationUser, runFederationUserPlan } from '../../../lib/deploy/federation-user';

const NOW = new Date('2026-12-02T12:00:00.000Z');
const GRACE = 30;
const base = { userName: 'credvend-prod-federation', parameter: '/credvend/prod/federation-user' };
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
const plan = (state: Partial<FederationUserState>, rotate = false) =>
  planFederationUser({ ...base, accessKeyIds: [], ...state }, { rotate, graceSeconds: GRACE, now: NOW }).map(describeStep);

describe('federation user plan', () => {
  it('a fresh user: create a key and store it, nothing to wait for', () => {
    expect(plan({})).toEqual([
      'create an access key: no working key is stored',
      'store it as a SecureString: the functions read /credvend/prod/federation-user',
    ]);
  });

  it('done: the stored key is the only one, so nothing (idempotent)', () => {
    expect(plan({ accessKeyIds: ['AKIAA'], stored: { accessKeyId: 'AKIAA', writtenAt: ago(3600) } })).toEqual([]);
  });

  it('rotation: a new key is stored, the old one deleted only after the grace', () => {
    expect(plan({ accessKeyIds: ['AKIAA'], stored: { accessKeyId: 'AKIAA', writtenAt: ago(3600) } }, true)).toEqual([
      'create an access key: rotation asked for',
      'store it as a SecureString: the functions read /credvend/prod/federation-user',
      'wait 30 s: warm functions re-read the parameter within the cache TTL',
      'delete access key AKIAA: replaced by the new key',
    ]);
  });

  it('a run interrupted in its grace: the old key goes once the grace since the write has passed', () => {
    expect(plan({ accessKeyIds: ['AKIAA', 'AKIAB'], stored: { accessKeyId: 'AKIAB', writtenAt: ago(10) } })).toEqual([
      'wait until 2026-12-02T12:00:20.000Z: warm functions have re-read the stored key by then (its write + the grace)',
      'delete access key AKIAA: not the stored key',
    ]);
  });

  it('rotating with two keys frees a slot first (IAM allows two), after the grace', () => {
    expect(plan({ accessKeyIds: ['AKIAA', 'AKIAB'], stored: { accessKeyId: 'AKIAB', writtenAt: ago(5) } }, true)).toEqual([
      'wait until 2026-12-02T12:00:25.000Z: warm functions have re-read the stored key by then (its write + the grace)',
      'delete access key AKIAA: not the stored key; IAM allows two keys per user',
      'create an access key: rotation asked for',
      'store it as a SecureString: the functions read /credvend/prod/federation-user',
      'wait 30 s: warm functions re-read the parameter within the cache TTL',
      'delete access key AKIAB: replaced by the new key',
    ]);
  });

  it('a stored key that no longer exists: a new key, and stray keys deleted (after the grace, to be safe)', () => {
    expect(plan({ accessKeyIds: ['AKIAX', 'AKIAY'], stored: { accessKeyId: 'AKIAGONE', writtenAt: ago(5) } })).toEqual([
      'delete access key AKIAX: not the stored key; IAM allows two keys per user',
      'create an access key: no working key is stored',
      'store it as a SecureString: the functions read /credvend/prod/federation-user',
      'wait 30 s: warm functions re-read the parameter within the cache TTL',
      'delete access key AKIAY: replaced by the new key',
    ]);
  });

  it('runs the steps in order and stores the new key as the JSON the functions read, printing no secret', async () => {
    const state: FederationUserState = { ...base, accessKeyIds: ['AKIAA'], stored: { accessKeyId: 'AKIAA', writtenAt: ago(3600) } };
    const steps = planFederationUser(state, { rotate: true, graceSeconds: GRACE, now: NOW });
    const calls: string[] = [];
    const lines: string[] = [];
    const current = await runFederationUserPlan(
      state,
      steps,
      {
        deleteAccessKey: async (_user, id) => void calls.push(`delete ${id}`),
        createAccessKey: async () => {
          calls.push('create');
          return { accessKeyId: 'AKIANEW', secretAccessKey: 'very-secret' };
        },
        putSecureString: async (name, value) => void calls.push(`put ${name} ${value}`),
        sleep: async (ms) => void calls.push(`sleep ${ms}`),
        now: () => NOW,
      },
      (line) => lines.push(line),
    );
    expect(calls).toEqual([
      'create',
      `put /credvend/prod/federation-user ${JSON.stringify({ accessKeyId: 'AKIANEW', secretAccessKey: 'very-secret' })}`,
      'sleep 30000',
      'delete AKIAA',
    ]);
    expect(current).toBe('AKIANEW');
    expect(lines.join('\n')).not.toContain('very-secret');
  });
});
