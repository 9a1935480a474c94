/**
 * The steward's console API on a hub: the nodes with what they last reported; revoke (with
 * quarantine) and quarantine, audited; a node's librarian has no nodes, a teacher no authority.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffNode, StaffNodeList } from '../../protocol/index.ts';
import { HubRegistry } from '../../hub/registry.ts';
import { generateNodeKey } from '../../trust/keys.ts';
import { errorCode, signedIn, staffWorld, type StaffWorld } from '../../../test/support/staff.ts';

describe('the steward’s console API', () => {
  let hub: StaffWorld;
  let node: StaffWorld;
  let nodeId = '';

  beforeAll(async () => {
    hub = await staffWorld('hub');
    node = await staffWorld('node');
    const registry = new HubRegistry(hub.store.db);
    const { token } = await registry.createToken('Kisumu public library');
    const { key } = generateNodeKey();
    const enrolled = await registry.enrol(token, key.id, key.publicKey);
    if (!enrolled.ok) throw new Error('enrolment failed');
    nodeId = enrolled.node.id;
    await registry.report(nodeId, { backlog: 12, setAside: 1, error: 'The hub refused 1 record (conflict)', version: '0.1.0' }, new Date('2026-12-08T10:00:00.000Z'));
  });
  afterAll(async () => {
    await hub?.close();
    await node?.close();
  });

  it('lists the nodes with their last exchange and report', async () => {
    const steward = await signedIn(hub, 'Neema', 'steward');
    const answer = await steward.get<StaffNodeList>('/api/v1/staff/nodes');
    expect(answer.status).toBe(200);
    expect(answer.body.nodes).toEqual([
      expect.objectContaining({
        id: nodeId, name: 'Kisumu public library', state: 'active', quarantined: false, lastPushAt: null, cursor: 0,
        report: { at: '2026-12-08T10:00:00.000Z', backlog: 12, setAside: 1, error: 'The hub refused 1 record (conflict)', version: '0.1.0' },
      }),
    ]);
  });

  it('revokes with quarantine and takes it back into releases, each in the audit log', async () => {
    const steward = await signedIn(hub, 'Neema 2', 'steward');
    const revoked = await steward.post<StaffNode>(`/api/v1/staff/nodes/${nodeId}/revoke`, { quarantine: true });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ state: 'revoked', quarantined: true });
    expect(revoked.body.revokedAt).not.toBeNull();
    const back = await steward.post<StaffNode>(`/api/v1/staff/nodes/${nodeId}/unquarantine`);
    expect(back.body).toMatchObject({ state: 'revoked', quarantined: false });
    const audit = await steward.get<{ entries: { action: string; target: string | null; outcome: string }[] }>('/api/v1/staff/audit');
    const actions = audit.body.entries.filter((e) => e.target === nodeId).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['node_revoke', 'node_unquarantine']));
    expect(errorCode(await steward.post(`/api/v1/staff/nodes/${nodeId}/revoke`, { quarantine: 'yes' }))).toBe('invalid_request');
    expect(errorCode(await steward.post('/api/v1/staff/nodes/n-aaaaaaaaaaaaaaaa/quarantine'))).toBe('not_found');
  });

  it('refuses a teacher, and has no nodes on a node', async () => {
    const teacher = await signedIn(hub, 'Baraka', 'teacher', []);
    const refused = await teacher.get('/api/v1/staff/nodes');
    expect([refused.status, errorCode(refused)]).toEqual([403, 'forbidden']);
    expect((await teacher.post(`/api/v1/staff/nodes/${nodeId}/quarantine`)).status).toBe(403);
    const librarian = await signedIn(node, 'Amina', 'librarian');
    const none = await librarian.get('/api/v1/staff/nodes');
    expect([none.status, errorCode(none)]).toEqual([404, 'not_found']);
  });
});
