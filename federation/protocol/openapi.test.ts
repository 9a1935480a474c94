import { describe, expect, it } from 'vitest';
import { isRateLimited, openApiDocument, PROTOCOL_VERSION } from './index.ts';

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
      '/api/v1/campaigns/{slug}/progress', '/api/v1/campaigns/{slug}/seeds', '/api/v1/review/queue', '/api/v1/status', '/api/v1/releases', '/federation/v1/cursor', '/federation/v1/enroll', '/federation/v1/glossary/{campaign}', '/federation/v1/gold', '/federation/v1/pull', '/federation/v1/push'].sort());
    expect(doc.paths).toHaveProperty(['/federation/v1/push', 'post', 'responses', '409']);
    expect(doc.paths).toHaveProperty(['/api/v1/sync', 'post', 'responses', '413']);
    expect(doc.paths).toHaveProperty(['/api/v1/glossary/{campaign}/sync', 'post', 'responses', '413']);
    expect(doc.paths).toHaveProperty(['/api/v1/glossary/{campaign}', 'get']);
  });

  it('has a component for every wire type', () => {
    for (const id of ['Contribution', 'Idiom', 'IdiomData', 'Consent', 'Device', 'SyncRequest', 'SyncResponse', 'SyncResult', 'Health', 'ErrorBody', 'Campaign', 'CampaignList', 'CampaignProgress', 'SeedList', 'ReviewQueue', 'StatusRequest', 'StatusResponse', 'ReviewData', 'WithdrawalData', 'ModelsResponse', 'ModelEntry', 'ModelFileEntry',
      'EnrollRequest', 'EnrollResponse', 'PushRequest', 'PushResponse', 'PullResponse', 'PushRecord', 'HubLink', 'NodeId', 'ReleaseList', 'ReleaseSummary', 'ReleaseFileEntry']) {
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
      expect(op.security, where).toEqual(signed ? [{ nodeSignature: [] }] : []);
      expect('429' in op.responses, where).toBe(isRateLimited(method, path));
      if (isRateLimited(method, path)) expect(op.responses['429']!.headers, where).toHaveProperty('Retry-After');
      for (const status of ['503', '507']) expect(status in op.responses, `${where} ${status}`).toBe(method !== 'get');
      if (path.startsWith('/federation/') || path === '/api/v1/releases') expect(op.responses, where).toHaveProperty('404');
    }
    expect(doc.components.securitySchemes).toHaveProperty('nodeSignature');
    expect(doc.tags.map((t) => t.name)).toEqual([...new Set(ops.flatMap(({ op }) => op.tags!))].sort());
  });

  it('survives a JSON round trip (what the server sends)', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
