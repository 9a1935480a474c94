/**
 * Re-verifying what the hub holds: for every batch a node pushed, rebuild its manifest from the
 * records stored now (each one's content hash recomputed from its stored content, and its device
 * and the node's receipt time) and check the node's signature over it. A record changed in the
 * database after it arrived, or a batch that was never signed by that node, fails here — before
 * a release is built on it.
 */
import { publicKeyObject, verifySignature } from '../trust/keys.ts';
import { batchManifest, type ManifestEntry } from '../trust/manifest.ts';
import type { Store } from '../store/index.ts';
import { contentHash, fromRow } from '../store/rows.ts';
import type { ContributionRow } from '../store/schema.ts';
import { HubRegistry } from './registry.ts';

export interface AuditFailure {
  node: string;
  after: number;
  through: number;
  reason: string;
}

export interface AuditReport {
  batches: number;
  records: number;
  failures: AuditFailure[];
}

export async function verifyBatches(store: Store): Promise<AuditReport> {
  const registry = new HubRegistry(store.db);
  const keys = new Map((await registry.nodes()).map((n) => [n.id, publicKeyObject(n.publicKey)]));
  const report: AuditReport = { batches: 0, records: 0, failures: [] };
  for await (const batch of registry.batches()) {
    report.batches++;
    report.records += batch.ids.length;
    const fail = (reason: string) => report.failures.push({ node: batch.node, after: batch.after, through: batch.through, reason });
    const key = keys.get(batch.node);
    if (key === undefined) {
      fail('no enrolled node has this id');
      continue;
    }
    const rows = new Map<string, ContributionRow>();
    for (let i = 0; i < batch.ids.length; i += 500) {
      const chunk = batch.ids.slice(i, i + 500);
      const found = await store.db.selectFrom('contributions').selectAll().where('id', 'in', chunk).execute();
      for (const r of found) rows.set(r.id, { ...r, seq: Number(r.seq) });
    }
    const entries: ManifestEntry[] = [];
    let missing = 0;
    for (const id of batch.ids) {
      const row = rows.get(id);
      if (row === undefined) {
        missing++;
        entries.push({ id, hash: '', deviceId: '', receivedAt: '' });
        continue;
      }
      entries.push({ id, hash: contentHash(fromRow(row).contribution), deviceId: row.device_id, receivedAt: row.origin_received_at ?? row.received_at });
    }
    if (!verifySignature(key, batchManifest(batch, entries), batch.signature)) {
      fail(missing > 0 ? `${missing} of its records are not stored` : 'the signature does not verify against the stored records');
    }
  }
  return report;
}
