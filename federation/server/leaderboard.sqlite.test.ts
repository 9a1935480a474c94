import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.ts';
import { leaderboardContract } from './leaderboard.contract.ts';

leaderboardContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-leaderboard-'));
  return {
    open: () => openStore({ dataDir: dir }),
    reopen: () => openStore({ dataDir: dir, mustExist: true }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
