// Where the OIDC fetches may connect (issue 17, SSRF): the address is checked on the connection
// itself, so a registered DNS name that resolves inward (now or after a rebinding) is never reached.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../lib/core/config';
import { addressProblem, parseLocalHosts } from '../../lib/identity/address-guard';
import { guardedFetchJson, MAX_DOCUMENT_BYTES } from '../../lib/identity/jwks';
import { issuerProblem, urlProblem } from '../../lib/identity/oidc-rules';

describe('addressProblem', () => {
  const internal = [
    '169.254.169.254', // EC2/ECS instance metadata
    'fd00:ec2::254', // EC2 metadata over IPv6
    '169.254.170.2', // ECS task metadata
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::',
    'fe80::1',
    'fc00::1',
    'ff02::1',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe', // NAT64 of 169.254.169.254
    '2002:a9fe:a9fe::1', // 6to4 of 169.254.169.254
    '2001:0:4136:e378::1', // Teredo
  ];
  it.each(internal)('refuses %s', (address) => {
    expect(addressProblem(address)).toBe('an address that is not public');
    expect(addressProblem(address, { allowLoopback: true })).toBe('an address that is not public');
  });

  it('refuses loopback unless the local stage allows it', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect({ address, problem: addressProblem(address) }).toEqual({ address, problem: 'a loopback address' });
      expect({ address, problem: addressProblem(address, { allowLoopback: true }) }).toEqual({ address, problem: undefined });
    }
  });

  it('accepts public unicast addresses', () => {
    for (const address of ['140.82.112.3', '8.8.8.8', '2606:4700::6810:84e5', '172.32.0.1', '100.128.0.1']) {
      expect({ address, problem: addressProblem(address) }).toEqual({ address, problem: undefined });
    }
  });
});

describe('issuer URLs: ports', () => {
  it('a port other than 443 only when allowed (the operator listed the issuer)', () => {
    expect(issuerProblem('https://idp.example.com:8443')).toMatch(/port/);
    expect(urlProblem('https://idp.example.com:22/keys')).toMatch(/port/);
    expect(issuerProblem('https://idp.example.com:8443', { allowPort: true })).toBeUndefined();
    expect(issuerProblem('https://idp.example.com:443')).toBeDefined(); // not normalised: tokens name it without
    expect(issuerProblem('https://user@idp.example.com')).toBeDefined();
  });
});

describe('guardedFetchJson', () => {
  let server: Server;
  let port: number;
  let hits: string[];
  let answer: (url: string) => { status: number; headers?: Record<string, string>; body: string };
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      const a = answer(req.url ?? '');
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  beforeEach(() => {
    hits = [];
    answer = () => ({ status: 200, body: '{"keys":[]}' });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: Error) => e,
    );

  it('never connects to a name that resolves to an internal address', async () => {
    const fetchJson = guardedFetchJson({ localHosts: { 'idp.rebind.test': '127.0.0.1' } });
    const err = await refusal(fetchJson(`http://idp.rebind.test:${port}/jwks`, 2000));
    expect(err).toMatchObject({ name: 'AddressRefusedError', message: 'idp.rebind.test resolves to a loopback address' });
    expect(hits).toEqual([]);
    const metadata = guardedFetchJson({ allowLoopbackHttp: true, localHosts: { 'idp.rebind.test': '169.254.169.254' } });
    expect(await refusal(metadata(`http://idp.rebind.test:${port}/jwks`, 2000))).toMatchObject({ name: 'AddressRefusedError' });
    expect(hits).toEqual([]);
  });

  it('refuses IP literals it would connect to without a lookup', async () => {
    expect(await refusal(guardedFetchJson()(`http://127.0.0.1:${port}/jwks`, 2000))).toMatchObject({ name: 'AddressRefusedError' });
    expect(hits).toEqual([]);
  });

  it('connects to loopback on the local stages (the local issuer)', async () => {
    const fetchJson = guardedFetchJson({ allowLoopbackHttp: true, localHosts: { 'idp.local.test': '127.0.0.1' } });
    expect(await fetchJson(`http://idp.local.test:${port}/jwks`, 2000)).toEqual({ keys: [] });
    expect(await guardedFetchJson({ allowLoopbackHttp: true })(`http://localhost:${port}/jwks`, 2000)).toEqual({ keys: [] });
    expect(hits).toEqual(['/jwks', '/jwks']);
  });

  it('follows no redirect', async () => {
    answer = (url) =>
      url === '/jwks' ? { status: 302, headers: { location: `http://localhost:${port}/internal` }, body: '' } : { status: 200, body: '{}' };
    const err = await refusal(guardedFetchJson({ allowLoopbackHttp: true })(`http://localhost:${port}/jwks`, 2000));
    expect(err?.message).toBe('status 302');
    expect(hits).toEqual(['/jwks']);
  });

  it(`reads at most ${MAX_DOCUMENT_BYTES} bytes, declared or not`, async () => {
    const big = JSON.stringify({ keys: [], pad: 'x'.repeat(MAX_DOCUMENT_BYTES) });
    answer = () => ({ status: 200, body: big });
    const fetchJson = guardedFetchJson({ allowLoopbackHttp: true });
    expect((await refusal(fetchJson(`http://localhost:${port}/jwks`, 2000)))?.message).toBe('document too large');
    answer = () => ({ status: 200, headers: { 'transfer-encoding': 'chunked' }, body: big });
    expect((await refusal(fetchJson(`http://localhost:${port}/jwks`, 2000)))?.message).toBe('document too large');
  });
});

describe('OIDC_LOCAL_HOSTS', () => {
  it('is read only where loopback issuers are allowed (the local stages), never in a deployment', () => {
    expect(loadConfig({ OIDC_LOCAL_HOSTS: 'idp.example.com=8.8.8.8' }).oidcLocalHosts).toBeUndefined();
    const local = loadConfig({ OIDC_ALLOW_LOOPBACK_HTTP: 'true', OIDC_LOCAL_HOSTS: 'IdP.rebind.test = 169.254.169.254,broken' });
    expect(parseLocalHosts(local.oidcLocalHosts)).toEqual({ 'idp.rebind.test': '169.254.169.254' });
  });
});
