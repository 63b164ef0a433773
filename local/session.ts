// What `npm start` leaves for the other npm scripts: the running local stack's environment (table
// names, endpoints, region, the local emulator's credentials), so `npm run audit` in another terminal
// reaches it with no extra setup. Only the local emulator's own keys are written, never a real one.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface LocalSession {
  pid: number;
  env: Record<string, string>;
}

/** `.local/stack.json` in the checkout; CREDVEND_LOCAL_SESSION moves it (tests use their own). */
export function localSessionPath(): string {
  return process.env.CREDVEND_LOCAL_SESSION ?? join(ROOT, '.local', 'stack.json');
}

export function writeLocalSession(env: Record<string, string>): void {
  const path = localSessionPath();
  mkdirSync(dirname(path), { recursive: true });
  const session: LocalSession = { pid: process.pid, env };
  writeFileSync(path, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the file only if this process wrote it (a second `npm start` may have replaced it). */
export function removeLocalSession(): void {
  const session = readSession();
  if (session?.pid === process.pid) rmSync(localSessionPath(), { force: true });
}

function readSession(): LocalSession | undefined {
  const path = localSessionPath();
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LocalSession;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type SessionChoice = { source: 'environment' } | { source: 'local'; pid: number } | { source: 'none' };

/**
 * An explicit configuration (STAGE or MAIN_TABLE set) is used as is, so a deployed stage is never mixed with
 * the local one; otherwise the environment of a running `npm start`, where one is running.
 */
export function useLocalSessionIfRunning(env: NodeJS.ProcessEnv = process.env): SessionChoice {
  if (env.STAGE || env.MAIN_TABLE) return { source: 'environment' };
  const session = readSession();
  if (!session || !alive(session.pid)) return { source: 'none' };
  // Ambient AWS settings would override the local emulator's keys or region.
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  Object.assign(env, session.env);
  return { source: 'local', pid: session.pid };
}
