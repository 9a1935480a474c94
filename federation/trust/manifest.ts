/**
 * A push batch's canonical bytes: what the node key signs and the hub keeps the signature of.
 *
 *   ["vernacular-batch/1", node, after, through, [[id, contentHash, deviceId, receivedAt], …]]
 *
 * Each record enters by the SHA-256 of its contribution's canonical JSON (the same content hash
 * the store keeps), so the manifest commits to every byte of every record without repeating them,
 * and can be rebuilt from what the hub stores — the batch's record ids in order and each record's
 * hash and provenance — to re-verify the signature at any later time, e.g. before a release.
 */
export const MANIFEST_TAG = 'vernacular-batch/1';

export interface ManifestEntry {
  id: string;
  hash: string;
  deviceId: string;
  receivedAt: string;
}

export interface BatchRange {
  node: string;
  after: number;
  through: number;
}

export function batchManifest(range: BatchRange, entries: readonly ManifestEntry[]): string {
  return JSON.stringify([
    MANIFEST_TAG,
    range.node,
    range.after,
    range.through,
    entries.map((e) => [e.id, e.hash, e.deviceId, e.receivedAt]),
  ]);
}
