// A fake credvend API on 127.0.0.1 for the client tests. Its bodies come from the server's own
// code (issueResponseBody, errorResponse, refreshAfterOf), so the client is tested against the
// exact wire shapes the API produces. Credential values are random and made at test time.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppError } from '../../../lib/core/errors';
import { logger } from '../../../lib/core/log';
import { errorResponse } from '../../../lib/http/handler';
import { type IssueResult, refreshAfterOf } from '../../../lib/vend/issue';
import type { IssuedCredentials } from '../../../lib/vend/ports';
import { issueResponseBody } from '../../../lib/vend/response';

// errorResponse logs every refusal; the planned failures of these tests are not news.
logger.setLogLevel('SILENT');

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type IssueBody = ReturnType<typeof issueResponseBody>;

/** What the server does with one request; unplanned requests get `issue`. */
export type Step =
  | { kind: 'issue' }
  | { kind: 'error'; error: AppError }
  | { kind: 'raw'; status: number; body: string; headers?: Record<string, string> }
  | { kind: 'drop' }
  | { kind: 'hang' };

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomAccessKeyId(): string {
  let id = 'ASIA';
  for (let i = 0; i < 16; i++) id += ALNUM[randomInt(ALNUM.length)];
  return id;
}

export function randomCredentials(expiration: Date): IssuedCredentials {
  return {
    accessKeyId: randomAccessKeyId(),
    secretAccessKey: randomBytes(30).toString('base64'),
    // Odd byte counts give '=' padding; STS tokens are base64 with + / = too.
    sessionToken: randomBytes(200 + randomInt(200)).toString('base64'),
    expiration,
    principalArn: `arn:aws:sts::123456789012:assumed-role/credvend-acme/partner-one.${randomUUID().slice(0, 8)}`,
    principalId: `AROAFAKE${randomInt(1e6)}:partner-one`,
    packedPolicySize: randomInt(1, 100),
  };
}

/** A partner API key in credvend's shape (cv1.<id>.<secret>), random per test. */
export function randomApiKey(): string {
  const id = Array.from({ length: 16 }, () => 'abcdefghijklmnopqrstuvwxyz234567'[randomInt(32)]).join('');
  return `cv1.pk-${id}.${randomBytes(32).toString('base64url')}`;
}

export class FakeCredvend {
  readonly requests: SeenRequest[] = [];
  /** Every 201 body sent, in order. */
  readonly issued: IssueBody[] = [];
  /** Lifetime of minted credentials, in seconds. */
  lifetimeSeconds = 900;
  /** The server's clock (epoch ms); tests move it together with the client's `now`. */
  clock: () => number = Date.now;
  /** Extra routes (e.g. a fake STS) by path. */
  readonly routes = new Map<string, (req: SeenRequest, res: ServerResponse) => void>();

  private plan: Step[] = [];
  private gate: Promise<void> | undefined;
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeCredvend> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeCredvend(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  /** Queues what the next requests get, in order. */
  next(...steps: Step[]): this {
    this.plan.push(...steps);
    return this;
  }

  /** A minimal STS GetCallerIdentity at `path`; returns what each call's signature carried. */
  fakeSts(path: string): { authorization?: string; securityToken?: string }[] {
    const seen: { authorization?: string; securityToken?: string }[] = [];
    this.routes.set(path, (req, res) => {
      seen.push({ authorization: req.headers.authorization, securityToken: req.headers['x-amz-security-token'] as string | undefined });
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
          '<Arn>arn:aws:sts::123456789012:assumed-role/credvend-acme/partner-one</Arn><UserId>AROAFAKE:partner-one</UserId>' +
          '<Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>' +
          '</GetCallerIdentityResponse>',
      );
    });
    return seen;
  }

  /** Holds every response until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  /** Resolves once the server has received `count` requests in total. */
  receivedCount(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Every secret value the server has handed out, for "never on stderr" checks. */
  secrets(): string[] {
    return this.issued.flatMap((b) => [b.credentials.secretAccessKey, b.credentials.sessionToken, b.serialized]);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // kept as text
    }
    const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
    const route = this.routes.get(seen.path);
    if (route) return route(seen, res);

    this.requests.push(seen);
    for (const w of this.waiters.filter((w) => this.requests.length >= w.count)) w.resolve();
    const step = this.plan.shift() ?? { kind: 'issue' };
    if (this.gate) await this.gate;

    const requestId = randomUUID();
    switch (step.kind) {
      case 'issue':
        return send(res, 201, this.mint(requestId), { 'cache-control': 'no-store' });
      case 'error': {
        const r = errorResponse(step.error, requestId);
        return send(res, r.statusCode ?? 500, r.body ?? '', r.headers as Record<string, string>);
      }
      case 'raw':
        return send(res, step.status, step.body, step.headers);
      case 'drop':
        req.socket.destroy();
        return;
      case 'hang':
        return;
    }
  }

  private mint(requestId: string): string {
    const issuedAt = new Date(this.clock());
    const expiration = new Date(issuedAt.getTime() + this.lifetimeSeconds * 1000);
    const credentials = randomCredentials(expiration);
    const result: IssueResult = {
      credentials,
      refreshAfter: refreshAfterOf(issuedAt, expiration),
      record: {
        issuanceId: randomUUID(),
        tenantId: 'acme',
        partnerId: 'partner-one',
        keyId: 'pk-fakefakefakefake',
        mode: 'assume-role',
        accessKeyId: credentials.accessKeyId,
        principalArn: credentials.principalArn,
        principalId: credentials.principalId,
        policyVersion: 4,
        policySha256: '0'.repeat(64),
        durationSeconds: this.lifetimeSeconds,
        issuedAt: issuedAt.toISOString(),
        expiresAt: expiration.toISOString(),
        sourceIp: '127.0.0.1',
        userAgent: 'test',
        requestId,
        status: 'active',
      },
    };
    const body = issueResponseBody(result, issuedAt);
    this.issued.push(body);
    return JSON.stringify(body);
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}
