import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.ts';
import { registryContract } from './registry.contract.ts';

registryContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-registry-'));
  return {
    open: () => openStore({ dataDir: dir }),
    reopen: () => openStore({ dataDir: dir, mustExist: true }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
