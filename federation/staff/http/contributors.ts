/**
 * A steward's withdrawal on a contributor's behalf (store/steward.ts): for someone who lost their
 * key and asks, in person, to withdraw everything they gave. A steward on the hub (it reaches every
 * node with their pulls), or the librarian of a node that stands alone (no hub above it); a node
 * enrolled with a hub refuses and names the hub, whose steward decides. Audited either way.
 */
import type { Hono } from 'hono';
import { v7 as uuidv7 } from 'uuid';
import { ContributorWithdrawRequest, type ContributorWithdrawResult } from '../../protocol/index.ts';
import type { Store } from '../../store/index.ts';
import { withdrawContributor } from '../../store/steward.ts';
import { LinkStore } from '../../node/link.ts';
import { ApiError } from '../../server/errors.ts';
import { audit } from '../context.ts';
import { staffBody } from './body.ts';
import { staffPath } from './route.ts';

export function contributorRoutes(app: Hono, store: Store): void {
  staffPath(app, '/api/v1/staff/contributors/:id/withdraw', {
    POST: async (c, who) => {
      const contributor = c.req.param('id')!.toLowerCase();
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(contributor)) {
        throw new ApiError(400, 'invalid_request', 'A contributor id is a UUID (Settings shows it on the contributor’s phone)');
      }
      const link = await new LinkStore(store.db).get();
      if (link !== undefined) {
        await audit(c, who, { action: 'contributor_withdraw', target: contributor, outcome: 'denied', code: 'forbidden', details: { reason: 'federated' } });
        throw new ApiError(403, 'forbidden', `This node is enrolled with the hub "${link.hubName}": its steward withdraws on a contributor's behalf`, { reason: 'federated' });
      }
      const { reason } = await staffBody(c, ContributorWithdrawRequest);
      const at = new Date().toISOString();
      const id = uuidv7();
      const withdrawn = await withdrawContributor(store.db, { id, contributor, at, by: who.user.id, reason });
      await audit(c, who, { action: 'contributor_withdraw', target: contributor, details: { id, withdrawn, reason } });
      const answer: ContributorWithdrawResult = { id, contributor, at, withdrawn };
      return c.json(answer);
    },
  });
}
