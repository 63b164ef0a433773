// `npm run migrate-bindings -- [--dry-run] [--keep-external-ids]`: gives every tenant created before
// bindings existed its binding (lib/admin/binding-migration.ts says what it binds), with the same
// environment as the functions (STAGE / MAIN_TABLE, AWS_* for endpoint, region and credentials).
// Prints one JSON line per tenant it binds; warnings are for the operator to act on.
import { migrateBindings } from '../lib/admin/binding-migration';
import { adminDeps } from '../lib/wiring/admin';

const dryRun = process.argv.includes('--dry-run');
const keepExternalIds = process.argv.includes('--keep-external-ids');

migrateBindings(adminDeps, { dryRun, keepExternalIds, by: 'migrate-bindings' }).then(
  (steps) => {
    for (const step of steps) {
      const { binding, ...rest } = step;
      process.stdout.write(`${JSON.stringify({ ...rest, roles: binding?.roles, dryRun })}\n`);
    }
    process.stderr.write(`migrate-bindings: ${steps.length} tenant(s) ${dryRun ? 'would be' : ''} bound\n`);
  },
  (err: unknown) => {
    process.stderr.write(`migrate-bindings failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
