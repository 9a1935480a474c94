/**
 * The OpenAPI document each role serves, checked by Redocly's own linter with its recommended
 * ruleset (`redocly lint --extends recommended`): no errors; its warnings are printed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.ts';
import { createApp } from './app.ts';

interface Problem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer?: string }[];
}

const CLI = join(dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin', 'cli.js');

/** Redocly's problems with the document at `file` (run where no config file can change the rules). */
function lint(file: string): Promise<Problem[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, 'lint', file, '--extends', 'recommended', '--format', 'json', '--max-problems', '1000'],
      { cwd: dirname(file), encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const start = stdout.indexOf('{');
        try {
          resolve((JSON.parse(stdout.slice(start)) as { problems: Problem[] }).problems);
        } catch {
          reject(new Error(`redocly lint gave no JSON (${error?.message ?? 'no error'}):\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

describe('the served OpenAPI document, linted by Redocly (recommended)', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-openapi-'));
    store = await openStore({ dataDir: join(dir, 'data') });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const role of ['node', 'hub'] as const) {
    it(`has no errors as a ${role} serves it`, async () => {
      const app = createApp({ store, role, version: '1.0.0', webRoot: join(dir, 'web') });
      const response = await app.request('/api/v1/openapi.json');
      expect(response.status).toBe(200);
      const file = join(dir, `openapi.${role}.json`);
      writeFileSync(file, JSON.stringify(await response.json(), null, 1));
      const problems = await lint(file);
      const show = (p: Problem) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`;
      const warnings = problems.filter((p) => p.severity !== 'error');
      if (warnings.length > 0) console.log(`Redocly warnings (${role}):\n${warnings.map(show).join('\n')}`);
      expect(problems.filter((p) => p.severity === 'error').map(show)).toEqual([]);
    }, 120_000);
  }
});
