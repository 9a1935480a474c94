#!/usr/bin/env node
// Makes sure a Chromium for the browser tests exists: CHROMIUM_PATH, or Debian's `chromium`.
// When missing, installs Debian's package if this is root on a machine with apt-get; otherwise
// stops with one sentence saying how. (Test tools must never download a browser of their own.)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const found = () => {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
};

if (found()) process.exit(0);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
if (!root || !apt) {
  console.error(
    'The browser tests need Chromium: install it (on Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary, then run npm test again.',
  );
  process.exit(1);
}
console.log('Chromium is missing; installing Debian\'s chromium package (about a minute)…');
execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'], { stdio: 'inherit' });
if (!found()) {
  console.error('Installing chromium with apt-get did not provide a chromium binary; install it by hand or set CHROMIUM_PATH.');
  process.exit(1);
}
