// Types of scripts/build-console.mjs for the TypeScript that imports it (start, test setup, bench).
import type { ConsoleAssets } from '../lib/http/console';

export const CONSOLE_ASSETS_FILE: string;
export function buildConsoleAssets(): Promise<ConsoleAssets>;
export function buildConsole(): Promise<ConsoleAssets>;
