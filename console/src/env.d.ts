// Every page module's default export, in file-name order (scripts/build-console.mjs makes the module).
declare module 'console:pages' {
  const pages: import('./page').Page[];
  export default pages;
}
