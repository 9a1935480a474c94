/**
 * Campaigns, their seeds and the review queue, cached on the device (the outbox's meta store in
 * IndexedDB) so that seeded kinds and reviewing keep working offline. While online the app tops
 * the caches up; offline it reads them. Seeds used once are remembered and never offered again.
 *
 * Without any campaign chosen the app works in the open `general` campaign with every kind.
 */
import {
  CampaignProgress,
  PublicCampaign,
  SEED_FOR_KIND,
  generalCampaign,
  publicCampaign,
  type ContentKind,
  type ReviewQueue,
  type Seed,
  type SeedType,
} from '../../../federation/protocol/index.ts';
import type { NodeClient } from './node.ts';
import type { Outbox } from './outbox/outbox.ts';

export type Meta = Pick<Outbox, 'getMeta' | 'setMeta'>;
export type ReviewItem = ReviewQueue['items'][number];

/** Seeds fetched per type at a time, and the level under which the cache is topped up. */
export const PREFETCH = 10;
const REFILL_BELOW = 5;

const CURRENT = 'campaign';
const LIST = 'campaigns';
const seedKey = (slug: string, language: string, type: SeedType) => `seeds:${slug}:${language}:${type}`;
const usedKey = (slug: string) => `seedsUsed:${slug}`;
const queueKey = (slug: string, language: string) => `queue:${slug}:${language}`;
const progressKey = (slug: string) => `progress:${slug}`;

type Campaign = PublicCampaign;

/**
 * A campaign as cached by this or an earlier version of the app, which still kept join codes:
 * the code is dropped, so a device that joined before keeps its campaign.
 */
function cachedCampaign(stored: unknown): Campaign | null {
  const candidate = stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? publicCampaign(stored as Campaign) : stored;
  const parsed = PublicCampaign.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

/** The seed types a campaign's enabled kinds draw on. */
export function seedTypes(campaign: Campaign): SeedType[] {
  const types = new Set<SeedType>();
  for (const kind of campaign.kinds) {
    if (kind in SEED_FOR_KIND) types.add(SEED_FOR_KIND[kind as keyof typeof SEED_FOR_KIND]);
  }
  return [...types];
}

export function seedTypeFor(kind: ContentKind): SeedType | undefined {
  return kind in SEED_FOR_KIND ? SEED_FOR_KIND[kind as keyof typeof SEED_FOR_KIND] : undefined;
}

export class CampaignCache {
  constructor(
    private readonly meta: Meta,
    private readonly node: NodeClient,
  ) {}

  async current(): Promise<Campaign> {
    return cachedCampaign(await this.meta.getMeta<unknown>(CURRENT)) ?? publicCampaign(generalCampaign());
  }

  async setCurrent(campaign: Campaign): Promise<void> {
    await this.meta.setMeta(CURRENT, publicCampaign(campaign));
  }

  async cachedList(): Promise<Campaign[]> {
    const list = await this.meta.getMeta<unknown>(LIST);
    return Array.isArray(list) ? list.map(cachedCampaign).filter((c): c is Campaign => c !== null) : [];
  }

  /** Fetches the node's campaigns; the cached list when offline. */
  async refreshList(): Promise<Campaign[]> {
    const { campaigns } = await this.node.campaigns();
    await this.meta.setMeta(LIST, campaigns);
    return campaigns;
  }

  /** The node's copy of a campaign (its kinds or languages may have changed since it was cached). */
  fetchCampaign(slug: string): Promise<Campaign> {
    return this.node.campaign(slug);
  }

  /** Joins by code (asks the node; needs to be online) and makes it the current campaign. */
  async join(code: string): Promise<Campaign> {
    const campaign = await this.node.join(code);
    await this.setCurrent(campaign);
    return campaign;
  }

  async #used(slug: string): Promise<Set<string>> {
    return new Set((await this.meta.getMeta<string[]>(usedKey(slug))) ?? []);
  }

  /** Unused cached seeds of one type, in the order the node served them. */
  async seeds(slug: string, language: string, type: SeedType): Promise<Seed[]> {
    const used = await this.#used(slug);
    const cached = (await this.meta.getMeta<Seed[]>(seedKey(slug, language, type))) ?? [];
    return cached.filter((s) => !used.has(s.id));
  }

  /** Tops up every seed type the campaign needs; failures leave the cache as it was. */
  async refill(campaign: Campaign, language: string, device: string): Promise<void> {
    for (const type of seedTypes(campaign)) {
      const have = await this.seeds(campaign.slug, language, type);
      if (have.length >= REFILL_BELOW) continue;
      const { seeds } = await this.node.seeds(campaign.slug, { type, language, device, limit: PREFETCH });
      const used = await this.#used(campaign.slug);
      const ids = new Set(have.map((s) => s.id));
      const merged = [...have, ...seeds.filter((s) => s.type === type && !used.has(s.id) && !ids.has(s.id))];
      await this.meta.setMeta(seedKey(campaign.slug, language, type), merged);
    }
  }

  async markUsed(slug: string, seedId: string): Promise<void> {
    const used = await this.#used(slug);
    used.add(seedId);
    await this.meta.setMeta(usedKey(slug), [...used]);
  }

  /** The campaign's progress toward its goals as last fetched, if ever. */
  async cachedProgress(slug: string): Promise<CampaignProgress | null> {
    const parsed = CampaignProgress.safeParse(await this.meta.getMeta<unknown>(progressKey(slug)));
    return parsed.success && parsed.data.campaign === slug ? parsed.data : null;
  }

  async refreshProgress(slug: string): Promise<CampaignProgress> {
    const progress = await this.node.progress(slug);
    await this.meta.setMeta(progressKey(slug), progress);
    return progress;
  }

  async cachedQueue(slug: string, language: string): Promise<ReviewItem[]> {
    return (await this.meta.getMeta<ReviewItem[]>(queueKey(slug, language))) ?? [];
  }

  async refreshQueue(slug: string, language: string): Promise<ReviewItem[]> {
    const { items } = await this.node.queue({ campaign: slug, language, limit: 20 });
    await this.meta.setMeta(queueKey(slug, language), items);
    return items;
  }
}

/**
 * What the review screen offers: never ones this device already reviewed (nor, from the node,
 * one's own: the queue is asked for with the contributor's signature and never names authors).
 */
export function reviewable(items: ReviewItem[], reviewed: Set<string>): ReviewItem[] {
  return items.filter((i) => !reviewed.has(i.item.id));
}
