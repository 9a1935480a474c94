import { describe, expect, it } from 'vitest';
import { openApiDocument, PROTOCOL_VERSION } from './index.ts';

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
      '/api/v1/campaigns/{slug}/progress', '/api/v1/campaigns/{slug}/seeds', '/api/v1/review/queue', '/api/v1/status', '/api/v1/releases', '/federation/v1/cursor', '/federation/v1/enroll', '/federation/v1/glossary/{campaign}', '/federation/v1/pull', '/federation/v1/push'].sort());
    expect(doc.paths).toHaveProperty(['/federation/v1/push', 'post', 'responses', '409']);
    expect(doc.paths['/api/v1/sync'].post.responses).toHaveProperty('413');
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

  it('survives a JSON round trip (what the server sends)', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
