/**
 * The steward's console, on a hub: every enrolled node with its last exchange and what it last
 * reported (backlog, set aside, last problem), and revoke / quarantine / unquarantine — what
 * `vernacular hub node …` does, audited. A node has no nodes: 404 there.
 */
import type { Context, Hono } from 'hono';
import { NodeRevokeRequest, type StaffNode, type StaffNodeList } from '../../protocol/index.ts';
import type { Store } from '../../store/index.ts';
import { type EnrolledNode, HubRegistry } from '../../hub/registry.ts';
import { ApiError } from '../../server/errors.ts';
import { audit, kitOf } from '../context.ts';
import { staffBody } from './body.ts';
import { staffPath } from './route.ts';

function hubOnly(c: Context): void {
  if (kitOf(c).server !== 'hub') throw new ApiError(404, 'not_found', 'Enrolled nodes are a hub’s; this is a node');
}

function view(n: EnrolledNode): StaffNode {
  return {
    id: n.id, name: n.name, state: n.state, quarantined: n.quarantined, enrolledAt: n.enrolledAt, revokedAt: n.revokedAt,
    lastPushAt: n.lastPushAt, lastPullAt: n.lastPullAt, cursor: n.cursor, ...(n.report !== undefined ? { report: n.report } : {}),
  };
}

export function nodeRoutes(app: Hono, store: Store): void {
  const registry = new HubRegistry(store.db);
  const known = async (c: Context): Promise<EnrolledNode> => {
    const id = c.req.param('id')!;
    const node = /^n-[a-z2-7]{16}$/.test(id) ? await registry.node(id) : undefined;
    if (node === undefined) throw new ApiError(404, 'not_found', `No node ${id} is enrolled on this hub`);
    return node;
  };

  staffPath(app, '/api/v1/staff/nodes', {
    GET: async (c) => {
      hubOnly(c);
      const answer: StaffNodeList = { nodes: (await registry.nodes()).map(view) };
      return c.json(answer);
    },
  });
  staffPath(app, '/api/v1/staff/nodes/:id/revoke', {
    POST: async (c, who) => {
      hubOnly(c);
      const node = await known(c);
      const { quarantine } = await staffBody(c, NodeRevokeRequest);
      await registry.setState(node.id, 'revoked');
      if (quarantine) await registry.setQuarantined(node.id, true);
      await audit(c, who, { action: 'node_revoke', target: node.id, details: { name: node.name, quarantine } });
      return c.json(view((await registry.node(node.id))!));
    },
  });
  for (const action of ['quarantine', 'unquarantine'] as const) {
    staffPath(app, `/api/v1/staff/nodes/:id/${action}`, {
      POST: async (c, who) => {
        hubOnly(c);
        const node = await known(c);
        await registry.setQuarantined(node.id, action === 'quarantine');
        await audit(c, who, { action: action === 'quarantine' ? 'node_quarantine' : 'node_unquarantine', target: node.id, details: { name: node.name } });
        return c.json(view((await registry.node(node.id))!));
      },
    });
  }
}
