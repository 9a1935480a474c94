import { describe, expect, it } from 'vitest';
import { isRateLimited, openApiDocument, PROTOCOL_VERSION } from './index.ts';
import { staffApiPaths } from './openapi.staff.ts';
import { ROUTE_TABLE } from '../staff/routes.table.ts';

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('openApiDocument', () => {
  const doc = openApiDocument('9.9.9');

  it('is an OpenAPI 3.1 document carrying the server and protocol versions', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('9.9.9');
    expect(doc.info.description).toContain(`Wire protocol ${PROTOCOL_VERSION}`);
  });

  it('describes every endpoint', () => {
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/glossary/{campaign}', '/api/v1/glossary/{campaign}/sync', '/api/v1/health', '/api/v1/models', '/api/v1/sync', '/models/{id}/resolve/{revision}/{path}', '/ort/{version}/{file}',
      '/api/v1/node', '/api/v1/campaigns', '/api/v1/campaigns/join/{code}', '/api/v1/campaigns/{slug}',
      '/api/v1/campaigns/{slug}/progress', '/api/v1/campaigns/{slug}/seeds', '/api/v1/campaigns/{slug}/leaderboard', '/api/v1/campaigns/{slug}/leaderboard/me', '/api/v1/review/queue', '/api/v1/status', '/api/v1/releases', '/federation/v1/certificate', '/federation/v1/cursor', '/federation/v1/enroll', '/federation/v1/glossary/{campaign}', '/federation/v1/gold', '/federation/v1/pull', '/federation/v1/push', '/federation/v1/report',
      ...Object.keys(staffApiPaths)].sort());
    expect(doc.paths).toHaveProperty(['/federation/v1/push', 'post', 'responses', '409']);
    expect(doc.paths).toHaveProperty(['/api/v1/sync', 'post', 'responses', '413']);
    expect(doc.paths).toHaveProperty(['/api/v1/glossary/{campaign}/sync', 'post', 'responses', '413']);
    expect(doc.paths).toHaveProperty(['/api/v1/glossary/{campaign}', 'get']);
  });

  it('has a component for every wire type', () => {
    for (const id of ['Contribution', 'Idiom', 'IdiomData', 'Consent', 'Device', 'SyncRequest', 'SyncResponse', 'SyncResult', 'Health', 'ErrorBody', 'Campaign', 'CampaignList', 'CampaignProgress', 'SeedList', 'ReviewQueue', 'StatusRequest', 'StatusResponse', 'ReviewData', 'WithdrawalData', 'ModelsResponse', 'ModelEntry', 'ModelFileEntry',
      'EnrollRequest', 'EnrollResponse', 'CertificateName', 'CertificateRequest', 'CertificateResponse', 'PushRequest', 'PushResponse', 'PullResponse', 'PushRecord', 'HubLink', 'NodeId', 'ReleaseList', 'ReleaseSummary', 'ReleaseFileEntry',
      'PublicCampaign', 'StaffSession', 'StaffUser', 'StaffUserList', 'CampaignDraft', 'CampaignPatch', 'FileImport', 'GoldImport', 'ImportResult', 'FlaggedQueue', 'ModerationResult', 'SignInLink', 'AuditList', 'AuditEntry', 'PasskeyAssertion', 'PasskeyRegistration', 'PasskeyOptions', 'WelcomeInfo',
      'GlossaryRecord', 'ContributorGlossaryRecord', 'ServerGlossaryRecord', 'GlossaryExchangeRequest', 'GlossaryExchangeResponse', 'GlossaryLog', 'GlossaryLogEntry', 'GlossaryRevertRequest', 'GlossaryRestoreRequest', 'GlossaryActionResult']) {
      expect(doc.components.schemas).toHaveProperty(id);
    }
  });

  it('resolves every $ref inside its own components', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(5);
    for (const ref of all) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas).toHaveProperty(ref.slice('#/components/schemas/'.length));
    }
  });

  it('describes every staff route the route table has, each with a summary, an operationId, a tag, the session scheme and its error responses', () => {
    const staffPaths = Object.keys(ROUTE_TABLE).filter((p) => p.startsWith('/api/v1/staff/')).map((p) => p.replace(/:(\w+)/g, '{$1}'));
    expect(Object.keys(staffApiPaths).sort()).toEqual(staffPaths.sort());
    expect(doc.components.securitySchemes.staffSession).toMatchObject({ type: 'apiKey', in: 'cookie', name: '__Host-vernacular-staff' });
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(staffApiPaths)) {
      const methods = Object.keys(ROUTE_TABLE[path.replace(/\{(\w+)\}/g, ':$1')]!).filter((m) => m !== 'ALL').map((m) => m.toLowerCase()).sort();
      expect(Object.keys(item).sort(), path).toEqual(methods);
      for (const op of Object.values(item) as { summary: string; operationId: string; tags: string[]; security?: unknown; responses: Record<string, unknown> }[]) {
        expect(op.summary, path).toBeTruthy();
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(op.tags.length).toBe(1);
        const rule = ROUTE_TABLE[path.replace(/\{(\w+)\}/g, ':$1')]!;
        const isStaff = Object.values(rule).some((r) => r.access === 'staff' || r.access === 'session');
        if (op.tags[0] === 'staff') {
          expect(isStaff, path).toBe(true);
          expect(op.security).toEqual([{ staffSession: [] }]);
          expect(op.responses).toHaveProperty('401');
        }
        expect(Object.keys(op.responses).some((code) => code.startsWith('4'))).toBe(true);
      }
    }
  });

  it('gives every operation a summary, a tag, its security and the errors any route can give, by construction', () => {
    type Op = { summary?: string; tags?: string[]; security?: Record<string, string[]>[]; responses: Record<string, { headers?: object }> };
    const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Op>).map(([method, op]) => ({ path, method, op })));
    expect(ops.length).toBeGreaterThan(20);
    for (const { path, method, op } of ops) {
      const where = `${method} ${path}`;
      expect(op.summary, where).toMatch(/\S/);
      expect(op.tags, where).toHaveLength(1);
      const signed = path.startsWith('/federation/') && path !== '/federation/v1/enroll';
      const device = path === '/api/v1/review/queue' || path === '/api/v1/status' || path === '/api/v1/glossary/{campaign}/sync' || path === '/api/v1/campaigns/{slug}/leaderboard/me';
      const staff = op.tags?.[0] === 'staff';
      expect(op.security, where).toEqual(signed ? [{ nodeSignature: [] }] : device ? [{ deviceKey: [] }] : staff ? [{ staffSession: [] }] : []);
      expect('429' in op.responses, where).toBe(isRateLimited(method, path));
      if (isRateLimited(method, path)) expect(op.responses['429']!.headers, where).toHaveProperty('Retry-After');
      for (const status of ['503', '507']) expect(status in op.responses, `${where} ${status}`).toBe(method !== 'get');
      if (path.startsWith('/federation/') || path === '/api/v1/releases') expect(op.responses, where).toHaveProperty('404');
    }
    expect(doc.components.securitySchemes).toHaveProperty('nodeSignature');
    expect(doc.components.securitySchemes).toHaveProperty('deviceKey');
    expect(doc.tags.map((t) => t.name)).toEqual([...new Set(ops.flatMap(({ op }) => op.tags!))].sort());
  });

  it('survives a JSON round trip (what the server sends)', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
