/**
 * A node's one link to its hub (migration 0006): the hub's address, the node's enrolled id, the
 * cursor of each direction (push: the node's own order, as far as the hub holds it; pull: the hub's
 * order, as far as this node has applied it), when each last succeeded, the last problem in words,
 * the clock offset learnt from the hub, and the campaigns pulled from it (so they are not pushed
 * back as this node's own).
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
}

export interface FedPulledCampaignsTable {
  slug: string;
  version: number;
  hash: string;
}

export type NodeTables = {
  fed_link: FedLinkTable;
  fed_pulled_campaigns: FedPulledCampaignsTable;
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
}

export type LinkUpdate = Partial<Pick<Link, 'pushCursor' | 'pullCursor' | 'lastPushAt' | 'lastPullAt' | 'lastError' | 'state' | 'clockOffsetMs'>>;

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

  /** Records a (new) enrolment. Enrolling with another hub starts both cursors again from zero. */
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
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('fed_link').execute();
      await trx.insertInto('fed_link').values(row).execute();
      if (!sameHub) await trx.deleteFrom('fed_pulled_campaigns').execute();
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
