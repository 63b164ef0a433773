// CLI: npx tsx local/sts/main.ts --port 4566 --config path.json [--host 127.0.0.1]
// The config file holds LocalStsOptions as JSON (users, roles, parameters, ...); flags override it.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type LocalStsOptions, startLocalSts } from './server';

function loadOptions(): LocalStsOptions {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, host: { type: 'string' }, config: { type: 'string' }, quiet: { type: 'boolean' } },
    strict: true,
  });
  if (!values.config) throw new Error('usage: local/sts/main.ts --config path.json [--port N] [--host H] [--quiet]');
  let config: LocalStsOptions;
  try {
    config = JSON.parse(readFileSync(values.config, 'utf8')) as LocalStsOptions;
  } catch {
    // Not the parser's message: it quotes the file, which holds secrets.
    throw new Error(`${values.config}: cannot read it as JSON`);
  }
  if (!config || !Array.isArray(config.users))
    throw new Error(`${values.config}: "users" must be an array of { userName, accessKeyId, secretAccessKey }`);
  const port = values.port === undefined ? config.port : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new Error(`invalid --port ${values.port ?? ''}`);
  return { ...config, port, host: values.host ?? config.host, quiet: values.quiet ?? config.quiet };
}

async function main(): Promise<void> {
  const sts = await startLocalSts(loadOptions());
  console.log(`local STS listening on ${sts.url}`);
  const stop = (): void => {
    sts.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  // Only the message: a config error must not echo the file's contents (it holds secrets).
  console.error(`local STS: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
