/** The campaigns a staff member manages, with their join codes: list, create, change visibility, import seeds. */
import type { z } from 'zod';
import type { Campaign, CampaignDraft, CampaignVisibility, ImportResult } from '../../../federation/protocol/index.ts';
import { type StaffClient, StaffError } from './client.ts';

export class StaffCampaignsState {
  campaigns = $state<Campaign[]>([]);
  loaded = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);
  /** The field the server named in its last refusal (details.field). */
  errorField = $state<string | null>(null);
  imported = $state<ImportResult | null>(null);

  constructor(private readonly client: StaffClient) {}

  async #run<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    this.errorField = null;
    try {
      return await work();
    } catch (e) {
      this.error = e instanceof StaffError ? e.code : 'server';
      const field = e instanceof StaffError ? e.details?.field : undefined;
      this.errorField = typeof field === 'string' ? field : null;
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  async load(): Promise<void> {
    const list = await this.#run(() => this.client.campaigns());
    if (list) this.campaigns = list.campaigns;
    this.loaded = true;
  }

  async create(draft: z.input<typeof CampaignDraft>): Promise<Campaign | undefined> {
    const made = await this.#run(() => this.client.createCampaign(draft));
    if (made) this.campaigns = [...this.campaigns, made].sort((a, b) => a.slug.localeCompare(b.slug));
    return made;
  }

  async setVisibility(slug: string, visibility: CampaignVisibility): Promise<void> {
    const changed = await this.#run(() => this.client.updateCampaign(slug, { visibility }));
    if (changed) this.campaigns = this.campaigns.map((c) => (c.slug === slug ? changed : c));
  }

  async importSeeds(slug: string, format: 'csv' | 'jsonl', text: string): Promise<void> {
    this.imported = (await this.#run(() => this.client.importSeeds(slug, format, text))) ?? null;
  }
}
