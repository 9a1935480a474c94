/**
 * The hub's records of its nodes (migration 0006): one-time enrolment tokens, enrolled nodes with
 * their keys, standing and push cursor, the nonces seen within the signature window, every batch
 * signature with the ids it covered, and which node a relayed campaign came from. Kysely only, so
 * it runs unchanged on SQLite and PostgreSQL.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { NodeState } from '../protocol/index.ts';

export interface FedTokensTable {
  token_hash: string;
  name: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: string | null;
}

export interface FedNodesTable {
  id: string;
  name: string;
  public_key: string;
  state: string;
  quarantined: number;
  enrolled_at: string;
  revoked_at: string | null;
  cursor: number | string;
  last_push_at: string | null;
  last_pull_at: string | null;
  /** The node's last NodeReport (JSON, advisory) and when it came (migration 0015). */
  report: string | null;
  reported_at: string | null;
}

export interface FedNoncesTable {
  node: string;
  nonce: string;
  expires_at: number | string;
}

export interface FedBatchesTable {
  node: string;
  after: number | string;
  through: number | string;
  signature: string;
  ids: string;
  received_at: string;
}

export interface FedCampaignOriginsTable {
  slug: string;
  node: string;
}

export type HubTables = {
  fed_tokens: FedTokensTable;
  fed_nodes: FedNodesTable;
  fed_nonces: FedNoncesTable;
  fed_batches: FedBatchesTable;
  fed_campaign_origins: FedCampaignOriginsTable;
};

export interface EnrolledNode {
  id: string;
  name: string;
  publicKey: string;
  state: NodeState;
  quarantined: boolean;
  enrolledAt: string;
  revokedAt: string | null;
  /** Everything the node stored through this sequence number is held here. */
  cursor: number;
  lastPushAt: string | null;
  lastPullAt: string | null;
  /** What the node last reported of its link, and when. */
  report?: { at: string; backlog: number; setAside: number; error?: string; version: string };
}

export interface StoredBatch {
  node: string;
  after: number;
  through: number;
  signature: string;
  ids: string[];
  receivedAt: string;
}

/** How long an enrolment token stays usable unless told otherwise. */
export const DEFAULT_TOKEN_DAYS = 7;

const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

function toNode(row: FedNodesTable): EnrolledNode {
  return {
    id: row.id,
    name: row.name,
    publicKey: row.public_key,
    state: row.state === 'revoked' ? 'revoked' : 'active',
    quarantined: Number(row.quarantined) === 1,
    enrolledAt: row.enrolled_at,
    revokedAt: row.revoked_at,
    cursor: Number(row.cursor),
    lastPushAt: row.last_push_at,
    lastPullAt: row.last_pull_at,
    ...(row.report !== null && row.report !== undefined && row.reported_at !== null ? { report: reportOf(row.report, row.reported_at) } : {}),
  };
}

function reportOf(json: string, at: string): EnrolledNode['report'] {
  const r = JSON.parse(json) as { backlog: number; setAside: number; error?: string; version: string };
  return { at, backlog: r.backlog, setAside: r.setAside, ...(r.error !== undefined ? { error: r.error } : {}), version: r.version };
}

export type EnrolOutcome = { ok: true; node: EnrolledNode } | { ok: false; reason: 'invalid_token' | 'key_in_use' };

export class HubRegistry {
  readonly db: Kysely<HubTables>;

  constructor(main: Kysely<Database>) {
    this.db = main.withTables<HubTables>();
  }

  /** A new one-time token for a node called `name`; only its hash is kept. */
  async createToken(name: string, days = DEFAULT_TOKEN_DAYS, now = new Date()): Promise<{ token: string; expiresAt: string }> {
    const token = `vt1-${randomBytes(24).toString('base64url')}`;
    const expiresAt = new Date(now.getTime() + days * 86_400_000).toISOString();
    await this.db
      .insertInto('fed_tokens')
      .values({ token_hash: tokenHash(token), name, created_at: now.toISOString(), expires_at: expiresAt, used_at: null, used_by: null })
      .execute();
    return { token, expiresAt };
  }

  /**
   * Spends the token on the node with this key (its id derived from the key). The same key
   * enrolling again with a fresh token keeps its id and history, and becomes active again only if
   * it was never revoked.
   */
  async enrol(token: string, nodeId: string, publicKey: string, now = new Date()): Promise<EnrolOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      const spent = await trx
        .updateTable('fed_tokens')
        .set({ used_at: at, used_by: nodeId })
        .where('token_hash', '=', tokenHash(token))
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returning(['name'])
        .executeTakeFirst();
      if (spent === undefined) return { ok: false, reason: 'invalid_token' } as const;
      const existing = await trx.selectFrom('fed_nodes').selectAll().where('public_key', '=', publicKey).executeTakeFirst();
      if (existing !== undefined) {
        if (existing.id !== nodeId) return { ok: false, reason: 'key_in_use' } as const;
        await trx.updateTable('fed_nodes').set({ name: spent.name }).where('id', '=', nodeId).execute();
        return { ok: true, node: toNode({ ...existing, name: spent.name }) } as const;
      }
      const row: FedNodesTable = {
        id: nodeId, name: spent.name, public_key: publicKey, state: 'active', quarantined: 0,
        enrolled_at: at, revoked_at: null, cursor: 0, last_push_at: null, last_pull_at: null, report: null, reported_at: null,
      };
      await trx.insertInto('fed_nodes').values(row).execute();
      return { ok: true, node: toNode(row) } as const;
    });
  }

  async node(id: string): Promise<EnrolledNode | undefined> {
    const row = await this.db.selectFrom('fed_nodes').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toNode(row);
  }

  /** A node by its id or its exact name (names are not unique: an ambiguous name is an error). */
  async find(idOrName: string): Promise<EnrolledNode> {
    const rows = await this.db.selectFrom('fed_nodes').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).execute();
    if (rows.length === 0) throw new Error(`No enrolled node is called or numbered "${idOrName}"; see \`vernacular hub node list\``);
    if (rows.length > 1) throw new Error(`Several nodes are called "${idOrName}"; name one by its id (${rows.map((r) => r.id).join(', ')})`);
    return toNode(rows[0]!);
  }

  async nodes(): Promise<EnrolledNode[]> {
    const rows = await this.db.selectFrom('fed_nodes').selectAll().orderBy('enrolled_at').orderBy('id').execute();
    return rows.map(toNode);
  }

  async setState(id: string, state: NodeState, now = new Date()): Promise<void> {
    await this.db
      .updateTable('fed_nodes')
      .set({ state, revoked_at: state === 'revoked' ? now.toISOString() : null })
      .where('id', '=', id)
      .execute();
  }

  /** Keeps what a node reported of its link (advisory, for the steward). */
  async report(id: string, report: { backlog: number; setAside: number; error?: string | undefined; version: string }, now = new Date()): Promise<void> {
    const { backlog, setAside, error, version } = report;
    await this.db
      .updateTable('fed_nodes')
      .set({ report: JSON.stringify({ backlog, setAside, ...(error !== undefined ? { error } : {}), version }), reported_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
  }

  async setQuarantined(id: string, quarantined: boolean): Promise<void> {
    await this.db.updateTable('fed_nodes').set({ quarantined: quarantined ? 1 : 0 }).where('id', '=', id).execute();
  }

  /** Ids of nodes whose records a release leaves out. */
  async quarantined(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('fed_nodes').select('id').where('quarantined', '=', 1).execute();
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Records the nonce; false when it was already seen (a replay). Expired nonces are dropped now
   * and then, which is safe: a request that old is refused by its timestamp first. With `within`
   * (an ingest's transaction) it commits with that transaction's writes, or not at all.
   */
  async useNonce(node: string, nonce: string, expiresAt: number, within?: Kysely<Database>): Promise<boolean> {
    const db = within === undefined ? this.db : within.withTables<HubTables>();
    const inserted = await db
      .insertInto('fed_nonces')
      .values({ node, nonce, expires_at: expiresAt })
      .onConflict((oc) => oc.columns(['node', 'nonce']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** True when the nonce was already recorded (a push checks this first and records it in its transaction). */
  async nonceUsed(node: string, nonce: string): Promise<boolean> {
    const row = await this.db.selectFrom('fed_nonces').select('node').where('node', '=', node).where('nonce', '=', nonce).executeTakeFirst();
    return row !== undefined;
  }

  async purgeNonces(now: number): Promise<void> {
    await this.db.deleteFrom('fed_nonces').where('expires_at', '<', now).execute();
  }

  async *batches(): AsyncIterable<StoredBatch> {
    let last: { node: string; after: number; through: number } | undefined;
    for (;;) {
      let q = this.db.selectFrom('fed_batches').selectAll().orderBy('node').orderBy('after').orderBy('through').limit(200);
      if (last !== undefined) {
        const l = last;
        q = q.where((eb) => eb.or([
          eb('node', '>', l.node),
          eb.and([eb('node', '=', l.node), eb('after', '>', l.after)]),
          eb.and([eb('node', '=', l.node), eb('after', '=', l.after), eb('through', '>', l.through)]),
        ]));
      }
      const rows = await q.execute();
      for (const r of rows) {
        yield { node: r.node, after: Number(r.after), through: Number(r.through), signature: r.signature, ids: JSON.parse(r.ids) as string[], receivedAt: r.received_at };
      }
      if (rows.length < 200) return;
      const end = rows[rows.length - 1]!;
      last = { node: end.node, after: Number(end.after), through: Number(end.through) };
    }
  }

  /**
   * Keeps a batch's signature and ids (once: the same batch again changes nothing) and moves the
   * node's cursor forward to its end (never back), in one transaction. Answers the cursor.
   */
  async recordAndAdvance(batch: StoredBatch, now = new Date(), within?: Kysely<Database>): Promise<number> {
    if (within !== undefined) return this.record(within.withTables<HubTables>(), batch, now);
    return this.db.transaction().execute((trx) => this.record(trx, batch, now));
  }

  /** recordAndAdvance's writes, through `trx` (a transaction: its own, or an ingest's). */
  private async record(trx: Kysely<HubTables>, batch: StoredBatch, now: Date): Promise<number> {
    await trx
      .insertInto('fed_batches')
      .values({
        node: batch.node, after: batch.after, through: batch.through, signature: batch.signature,
        ids: JSON.stringify(batch.ids), received_at: batch.receivedAt,
      })
      .onConflict((oc) => oc.columns(['node', 'after', 'through']).doNothing())
      .execute();
    // The cursor only ever moves forward: the larger of where it is and where the batch ends.
    const row = await trx
      .updateTable('fed_nodes')
      .set((eb) => ({
        cursor: eb.case().when('cursor', '<', batch.through).then(batch.through).else(eb.ref('cursor')).end(),
        last_push_at: now.toISOString(),
      }))
      .where('id', '=', batch.node)
      .returning('cursor')
      .executeTakeFirst();
    return Number(row?.cursor ?? 0);
  }

  async notePull(node: string, now = new Date()): Promise<void> {
    await this.db.updateTable('fed_nodes').set({ last_pull_at: now.toISOString() }).where('id', '=', node).execute();
  }

  /** The node a relayed campaign belongs to; undefined for campaigns made on the hub. */
  async campaignOrigins(): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('fed_campaign_origins').selectAll().execute();
    return new Map(rows.map((r) => [r.slug, r.node]));
  }

  async claimCampaign(slug: string, node: string): Promise<void> {
    await this.db.insertInto('fed_campaign_origins').values({ slug, node }).onConflict((oc) => oc.column('slug').doNothing()).execute();
  }
}
