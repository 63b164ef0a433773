// Preloaded by the operator scripts (`tsx --import ./scripts/local-env.ts …`, see package.json)
// before any module reads its configuration: with neither STAGE nor MAIN_TABLE set, they use the stack a running
// `npm start` announced in .local/stack.json.
import { useLocalSessionIfRunning } from '../local/session';

const choice = useLocalSessionIfRunning();
if (choice.source === 'local') process.stderr.write(`using the local stack of npm start (pid ${choice.pid})\n`);
if (choice.source === 'none') {
  process.stderr.write(
    'neither STAGE nor MAIN_TABLE set and no local stack running: start one with `npm start`, or set STAGE/MAIN_TABLE and AWS_*\n',
  );
}
