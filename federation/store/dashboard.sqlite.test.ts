import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './index.ts';
import { dashboardContract } from './dashboard.contract.ts';

dashboardContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-dashboard-'));
  return {
    open: () => openStore({ dataDir: dir }),
    reopen: () => openStore({ dataDir: dir, mustExist: true }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
