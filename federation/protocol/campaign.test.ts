import { describe, expect, it } from 'vitest';
import { Campaign, generalCampaign, openApiDocument } from './index.ts';

const REV = 'a'.repeat(32);
const withModels = (models: unknown) => Campaign.safeParse({ ...generalCampaign(), models });

describe('Campaign.models.compare', () => {
  it('names one model (against the seed answer) or two (against each other), each with its own settings', () => {
    expect(withModels({ compare: [{ id: 'tiny-llama' }] }).success).toBe(true);
    expect(withModels({ compare: [{ id: 'tiny-llama', revision: REV, maxNewTokens: 32 }, { id: 'tiny-llama', temperature: 0.7 }] }).success).toBe(true);
    expect(withModels({ draft: { id: 'a' }, compare: [{ id: 'a' }, { id: 'b' }] }).success).toBe(true);
  });

  it('refuses none, more than two, the same model twice, and unknown settings', () => {
    expect(withModels({ compare: [] }).success).toBe(false);
    expect(withModels({ compare: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }).success).toBe(false);
    expect(withModels({ compare: [{ id: 'a', revision: REV }, { id: 'a', revision: REV, maxNewTokens: 9 }] }).success).toBe(false);
    expect(withModels({ compare: [{ id: 'a', topK: 3 }] }).success).toBe(false);
    expect(withModels({ compare: [{ id: 'a' }], other: [{ id: 'b' }] }).success).toBe(false);
  });

  it('is documented in the OpenAPI document', () => {
    const schemas = openApiDocument('0.0.0').components.schemas as Record<string, unknown>;
    expect(schemas).toHaveProperty('CompareModels');
    expect(JSON.stringify(schemas.Campaign)).toContain('#/components/schemas/CompareModels');
  });
});
