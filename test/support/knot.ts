/**
 * Knot DNS (Debian's knotd) on loopback, authoritative for one zone that takes RFC 2136 updates
 * signed with one TSIG key: what a deployment's DNS looks like to the hub.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir } from './server.ts';

export interface Knot {
  /** host:port (TCP and UDP). */
  address: string;
  host: string;
  port: number;
  zone: string;
  /** name:algorithm:secret, as the hub's --tsig-key takes it. */
  tsigKey: string;
  stop(): Promise<void>;
}

/** A daemon from /usr/sbin, which a non-root PATH may lack. */
export function sbin(name: string): string {
  return existsSync(`/usr/sbin/${name}`) ? `/usr/sbin/${name}` : name;
}

export async function startKnot(zone = 'lib.test'): Promise<Knot> {
  const dir = await tempDir('knot');
  const port = await freePort();
  const secret = randomBytes(32).toString('base64');
  writeFileSync(join(dir, `${zone}.zone`), [`$ORIGIN ${zone}.`, '$TTL 60', `@ SOA ns.${zone}. hostmaster.${zone}. 1 3600 600 86400 60`, `@ NS ns.${zone}.`, 'ns A 127.0.0.1', ''].join('\n'));
  writeFileSync(
    join(dir, 'knot.conf'),
    [
      'server:',
      `    listen: 127.0.0.1@${port}`,
      `    rundir: ${dir}`,
      `    pidfile: ${join(dir, 'knot.pid')}`,
      'database:',
      `    storage: ${dir}`,
      'key:',
      '  - id: vernacular-hub',
      '    algorithm: hmac-sha256',
      `    secret: ${secret}`,
      'acl:',
      '  - id: hub-update',
      '    key: vernacular-hub',
      '    action: update',
      'zone:',
      `  - domain: ${zone}`,
      `    file: ${join(dir, `${zone}.zone`)}`,
      '    acl: hub-update',
      '    zonefile-sync: -1',
      'log:',
      '  - target: stderr',
      '    any: info',
      '',
    ].join('\n'),
  );
  const log: string[] = [];
  const child: ChildProcess = spawn(sbin('knotd'), ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log.push(chunk.toString());
      if (/loaded, serial|server started/.test(log.join(''))) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`knotd exited (${code}): ${log.join('')}`)));
    setTimeout(() => reject(new Error(`knotd did not start: ${log.join('')}`)), 20_000).unref();
  });
  // The zone loads just after the server starts: wait for it.
  for (let i = 0; i < 100 && !/\[lib\.test\.\] loaded|loaded, serial/.test(log.join('')); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    address: `127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    zone,
    tsigKey: `vernacular-hub:hmac-sha256:${secret}`,
    async stop() {
      child.kill('SIGTERM');
    },
  };
}
