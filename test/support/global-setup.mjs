// Jest loads global setup outside its ESM transform; tsx loads the TypeScript setup instead.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { startSuiteStack } = await tsImport('./stack-setup.ts', import.meta.url);
  globalThis.__credvendTeardown = await startSuiteStack();
}
