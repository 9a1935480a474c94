import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.ts';
import { glossaryStoreContract } from './store.contract.ts';

glossaryStoreContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-glossary-store-'));
  return {
    open: () => openStore({ dataDir: dir }),
    reopen: () => openStore({ dataDir: dir, mustExist: true }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
