// A local OIDC issuer (issue 17) for `npm start` and the tests: discovery, a JWKS, and minting. It
// listens on 127.0.0.1 only, over plain http, which the functions accept for loopback issuers only in
// the stages that run on this machine (serverless.yml custom.oidcLocal: local and itest).
//
//   GET  /.well-known/openid-configuration   issuer and jwks_uri
//   GET  /jwks                               the current public keys
//   POST /mint                               a fresh token for the demo workload identity (npm start's curl)
//
// In-process callers (tests) mint any claims with mint(), rotate the signing key, or make the JWKS hang.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface LocalOidcIssuer {
  /** The issuer URL (`http://localhost:<port>`), exactly as tokens carry it in `iss`. */
  url: string;
  /** A token signed with the current key; `claims` override the defaults (iss, iat, exp in 5 minutes). */
  mint(claims?: JWTPayload, opts?: { header?: Record<string, unknown>; kid?: string }): Promise<string>;
  /** A new signing key replaces the current one in the JWKS (the old one is dropped). */
  rotate(): Promise<void>;
  /** The current public keys, as the JWKS serves them. */
  publicKeys(): JWK[];
  /** While true, /jwks and discovery accept the request and never answer. */
  setHanging(hanging: boolean): void;
  /** How many JWKS and discovery requests were served. */
  requests(): { discovery: number; jwks: number };
  close(): Promise<void>;
}

export interface LocalOidcOptions {
  port?: number;
  /** What POST /mint puts in `aud` and `sub` (the demo workload identity). */
  demo?: { audience: string; subject: string; claims?: Record<string, string> };
}

interface SigningKey {
  kid: string;
  privateKey: PrivateKey;
  jwk: JWK;
}

let kidCounter = 0;
async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = `local-${Date.now().toString(36)}-${++kidCounter}`;
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export async function startLocalOidcIssuer(opts: LocalOidcOptions = {}): Promise<LocalOidcIssuer> {
  let current = await newKey();
  let hanging = false;
  const counts = { discovery: 0, jwks: 0 };
  const held: ServerResponse[] = [];
  let url = '';

  const mint: LocalOidcIssuer['mint'] = async (claims = {}, mintOpts = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = { iss: url, iat: now, exp: now + 300, ...claims };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: mintOpts.kid ?? current.kid, ...mintOpts.header })
      .sign(current.privateKey);
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/.well-known/openid-configuration' || path === '/jwks')) {
      if (path === '/jwks') counts.jwks++;
      else counts.discovery++;
      if (hanging) {
        held.push(res);
        return;
      }
      if (path === '/jwks') return json(res, 200, { keys: [current.jwk] });
      return json(res, 200, {
        issuer: url,
        jwks_uri: `${url}/jwks`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (req.method === 'POST' && path === '/mint' && opts.demo) {
      const { audience, subject, claims } = opts.demo;
      void mint({ aud: audience, sub: subject, jti: `local-${Date.now()}`, ...claims }).then((token) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
        res.end(token);
      });
      return;
    }
    json(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  url = `http://localhost:${(server.address() as AddressInfo).port}`;

  return {
    url,
    mint,
    rotate: async () => {
      current = await newKey();
    },
    publicKeys: () => [current.jwk],
    setHanging: (value) => {
      hanging = value;
      if (!value) for (const res of held.splice(0)) res.destroy();
    },
    requests: () => ({ ...counts }),
    close: async () => {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
