import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './index.ts';
import { goldContract } from './gold.contract.ts';

goldContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-gold-'));
  return {
    open: () => openStore({ dataDir: dir }),
    reopen: () => openStore({ dataDir: dir, mustExist: true }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
