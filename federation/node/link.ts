/**
 * A node's one link to its hub (migration 0006): the hub's address, the node's enrolled id, the
 * cursor of each direction (push: the node's own order, as far as the hub holds it; pull: the hub's
 * order, as far as this node has applied it), when each last succeeded, the last problem in words,
 * the clock offset learnt from the hub, the last reviewer standing the hub took (migration 0011),
 * and the campaigns pulled from it (so they are not pushed back as this node's own). Also the
 * records the hub refused (migration 0014, `fed_set_aside`): each stays stored here, is shown to
 * the operator, and is left out of later pushes.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** The origin recorded for what a node pulls from its hub. */
export const HUB_ORIGIN = 'hub';

export type LinkState = 'ok' | 'unreachable' | 'revoked' | 'failing';

export interface FedLinkTable {
  id: number;
  hub_url: string;
  node_id: string;
  node_name: string;
  hub_id: string;
  hub_name: string;
  enrolled_at: string;
  push_cursor: number | string;
  pull_cursor: number | string;
  last_push_at: string | null;
  last_pull_at: string | null;
  last_error: string | null;
  state: string;
  clock_offset_ms: number | string;
  /** The last reviewer-standing version the hub took (migration 0011). */
  standing_version: number | string;
}

export interface FedPulledCampaignsTable {
  slug: string;
  version: number;
  hash: string;
}

export interface FedSetAsideTable {
  seq: number | string;
  id: string;
  code: string;
  field: string | null;
  message: string;
  refused_at: string;
}

/** A record of this node's that its hub refused. */
export interface SetAside {
  /** The record's place in this node's order. */
  seq: number;
  id: string;
  /** The hub's code (an item error code, or the request error code of a batch of it alone). */
  code: string;
  field?: string;
  message: string;
  refusedAt: string;
}

export type NodeTables = {
  fed_link: FedLinkTable;
  fed_pulled_campaigns: FedPulledCampaignsTable;
  fed_set_aside: FedSetAsideTable;
  contributions: Database['contributions'];
};

export interface Link {
  hubUrl: string;
  nodeId: string;
  nodeName: string;
  hubId: string;
  hubName: string;
  enrolledAt: string;
  pushCursor: number;
  pullCursor: number;
  lastPushAt: string | null;
  lastPullAt: string | null;
  lastError: string | null;
  state: LinkState;
  clockOffsetMs: number;
  /** The last version of this node's reviewer standing the hub took (store/reviewers.ts `changes`). */
  standingVersion: number;
}

export type LinkUpdate = Partial<Pick<Link, 'pushCursor' | 'pullCursor' | 'lastPushAt' | 'lastPullAt' | 'lastError' | 'state' | 'clockOffsetMs' | 'standingVersion'>>;

function toLink(r: FedLinkTable): Link {
  return {
    hubUrl: r.hub_url,
    nodeId: r.node_id,
    nodeName: r.node_name,
    hubId: r.hub_id,
    hubName: r.hub_name,
    enrolledAt: r.enrolled_at,
    pushCursor: Number(r.push_cursor),
    pullCursor: Number(r.pull_cursor),
    lastPushAt: r.last_push_at,
    lastPullAt: r.last_pull_at,
    lastError: r.last_error,
    state: (['ok', 'unreachable', 'revoked', 'failing'] as const).find((s) => s === r.state) ?? 'failing',
    clockOffsetMs: Number(r.clock_offset_ms),
    standingVersion: Number(r.standing_version),
  };
}

export class LinkStore {
  readonly db: Kysely<NodeTables>;

  constructor(main: Kysely<Database>) {
    this.db = main.withTables<NodeTables>();
  }

  async get(): Promise<Link | undefined> {
    const row = await this.db.selectFrom('fed_link').selectAll().where('id', '=', 1).executeTakeFirst();
    return row === undefined ? undefined : toLink(row);
  }

  /** Records a (new) enrolment. Enrolling with another hub starts both cursors again from zero, with nothing set aside. */
  async enrolled(link: Pick<Link, 'hubUrl' | 'nodeId' | 'nodeName' | 'hubId' | 'hubName'>, now = new Date()): Promise<Link> {
    const previous = await this.get();
    const sameHub = previous !== undefined && previous.hubUrl === link.hubUrl && previous.nodeId === link.nodeId;
    const row: FedLinkTable = {
      id: 1,
      hub_url: link.hubUrl,
      node_id: link.nodeId,
      node_name: link.nodeName,
      hub_id: link.hubId,
      hub_name: link.hubName,
      enrolled_at: now.toISOString(),
      push_cursor: sameHub ? previous.pushCursor : 0,
      pull_cursor: sameHub ? previous.pullCursor : 0,
      last_push_at: sameHub ? previous.lastPushAt : null,
      last_pull_at: sameHub ? previous.lastPullAt : null,
      last_error: null,
      state: 'ok',
      clock_offset_ms: sameHub ? previous.clockOffsetMs : 0,
      standing_version: sameHub ? previous.standingVersion : 0,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('fed_link').execute();
      await trx.insertInto('fed_link').values(row).execute();
      if (!sameHub) {
        await trx.deleteFrom('fed_pulled_campaigns').execute();
        // Another hub has refused nothing yet: everything goes to it.
        await trx.deleteFrom('fed_set_aside').execute();
      }
    });
    return toLink(row);
  }

  async update(change: LinkUpdate): Promise<void> {
    const set: Partial<FedLinkTable> = {};
    if (change.pushCursor !== undefined) set.push_cursor = change.pushCursor;
    if (change.pullCursor !== undefined) set.pull_cursor = change.pullCursor;
    if (change.lastPushAt !== undefined) set.last_push_at = change.lastPushAt;
    if (change.lastPullAt !== undefined) set.last_pull_at = change.lastPullAt;
    if (change.lastError !== undefined) set.last_error = change.lastError;
    if (change.state !== undefined) set.state = change.state;
    if (change.clockOffsetMs !== undefined) set.clock_offset_ms = Math.round(change.clockOffsetMs);
    if (change.standingVersion !== undefined) set.standing_version = change.standingVersion;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('fed_link').set(set).where('id', '=', 1).execute();
  }

  /** Records held here (not pulled from the hub) after the push cursor: what the hub lacks. */
  async backlog(pushCursor: number): Promise<number> {
    const row = await this.db
      .selectFrom('contributions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('seq', '>', pushCursor)
      .where((eb) => eb.or([eb('origin', 'is', null), eb('origin', '<>', HUB_ORIGIN)]))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Keeps records the hub refused (the latest reason wins for a record refused again). */
  async setAside(records: readonly SetAside[]): Promise<void> {
    for (const r of records) {
      const row: FedSetAsideTable = {
        seq: r.seq, id: r.id.slice(0, 200), code: r.code.slice(0, 64), field: r.field?.slice(0, 256) ?? null,
        message: r.message.slice(0, 1000), refused_at: r.refusedAt,
      };
      await this.db
        .insertInto('fed_set_aside')
        .values(row)
        .onConflict((oc) => oc.column('seq').doUpdateSet({ code: row.code, field: row.field, message: row.message, refused_at: row.refused_at }))
        .execute();
    }
  }

  /** The places of set-aside records after `after`, in this node's order (left out of pushes). */
  async setAsideAfter(after: number): Promise<Set<number>> {
    const rows = await this.db.selectFrom('fed_set_aside').select('seq').where('seq', '>', after).execute();
    return new Set(rows.map((r) => Number(r.seq)));
  }

  /** How many records are set aside, and the latest `limit` of them, newest first. */
  async setAsideSummary(limit = 5): Promise<{ count: number; recent: SetAside[] }> {
    const count = await this.db.selectFrom('fed_set_aside').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
    const rows = await this.db.selectFrom('fed_set_aside').selectAll().orderBy('refused_at', 'desc').orderBy('seq', 'desc').limit(limit).execute();
    return {
      count: Number(count?.n ?? 0),
      recent: rows.map((r) => ({
        seq: Number(r.seq), id: r.id, code: r.code, ...(r.field !== null ? { field: r.field } : {}), message: r.message, refusedAt: r.refused_at,
      })),
    };
  }

  async pulledCampaigns(): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('fed_pulled_campaigns').selectAll().execute();
    return new Map(rows.map((r) => [r.slug, r.hash]));
  }

  async notePulled(slug: string, version: number, hash: string): Promise<void> {
    await this.db
      .insertInto('fed_pulled_campaigns')
      .values({ slug, version, hash })
      .onConflict((oc) => oc.column('slug').doUpdateSet({ version, hash }))
      .execute();
  }
}
