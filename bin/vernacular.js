#!/usr/bin/env node
// The `vernacular` command: a shim that runs the compiled CLI (federation/cli/main.ts).
import { existsSync } from 'node:fs';

const main = new URL('../dist/server/federation/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('vernacular is not built yet: run `npm run build` in the project folder first.');
  process.exit(1);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
