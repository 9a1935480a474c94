import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IdbOutbox } from './outbox.idb.ts';
import { MemoryOutbox } from './outbox.memory.ts';
import { outboxContract } from './outbox.contract.ts';
import { StorageError, toStorageError } from './outbox.ts';

let n = 0;
outboxContract('memory', async () => new MemoryOutbox());
outboxContract(
  'IndexedDB',
  async () => IdbOutbox.open(`test-${++n}`),
  async (o) => {
    o.close();
    return IdbOutbox.open(`test-${n}`);
  },
);

describe('storage errors', () => {
  it('maps QuotaExceededError to storage_full', () => {
    expect(toStorageError(new DOMException('full', 'QuotaExceededError')).code).toBe('storage_full');
  });
  it('maps a failure to open (private mode) to storage_unavailable', () => {
    expect(toStorageError(new DOMException('no', 'InvalidStateError'), true).code).toBe('storage_unavailable');
  });
  it('maps anything else to storage_failed and keeps the cause', () => {
    const cause = new Error('x');
    const e = toStorageError(cause);
    expect(e).toBeInstanceOf(StorageError);
    expect(e.code).toBe('storage_failed');
    expect(e.cause).toBe(cause);
  });
});
