#!/usr/bin/env node
// Makes sure the programs the tests run exist: Chromium (CHROMIUM_PATH, or Debian's `chromium`)
// for the browser tests; Pebble and pebble-challtestsrv (an ACME test CA and its DNS), Knot DNS
// (a DNS server taking RFC 2136 updates) and dnsmasq for the HTTPS tests. When some are missing,
// installs Debian's packages if this is root on a machine with apt-get; otherwise stops with one
// sentence saying how. (Test tools must never download a browser or a binary of their own.)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const onPath = (name) => {
  const r = spawnSync('sh', ['-c', `command -v ${name} || ls /usr/sbin/${name} 2>/dev/null`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim().split('\n')[0] : null;
};
const chromium = () => (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : onPath('chromium') ?? onPath('chromium-browser'));

// [package, is it there?]
const needed = [
  ['chromium', chromium],
  ['pebble', () => onPath('pebble') && onPath('pebble-challtestsrv')],
  ['knot', () => onPath('knotd')],
  ['dnsmasq', () => onPath('dnsmasq')],
];
const missing = needed.filter(([, present]) => !present()).map(([pkg]) => pkg);
if (missing.length === 0) process.exit(0);

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
if (!root || !apt) {
  console.error(
    `The tests need ${missing.join(', ')}: install them (on Debian/Ubuntu: sudo apt-get install -y ${missing.join(' ')}), or for Chromium set CHROMIUM_PATH to a Chromium binary, then run npm test again.`,
  );
  process.exit(1);
}
console.log(`Installing Debian's ${missing.join(', ')} for the tests (about a minute)…`);
// The services these packages bring are not wanted running: the tests start their own, on free ports.
execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')} >/dev/null; for s in knot dnsmasq; do (systemctl stop $s || service $s stop || pkill -x \${s}d || pkill -x $s) >/dev/null 2>&1; done; true`], { stdio: 'inherit' });
const still = needed.filter(([, present]) => !present()).map(([pkg]) => pkg);
if (still.length > 0) {
  console.error(`Installing ${still.join(', ')} with apt-get did not provide the programs; install them by hand (or set CHROMIUM_PATH).`);
  process.exit(1);
}
