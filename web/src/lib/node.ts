/**
 * Reads from the node: campaigns, seeds, the review queue and the status of one's own items. Every
 * answer is checked against the protocol schema before the app uses it; any failure is one of
 * three codes, so callers can fall back to what they cached.
 */
import type { z } from 'zod';
import {
  CampaignList,
  CampaignProgress,
  HubLink,
  Leaderboard,
  LeaderboardMe,
  PublicCampaign,
  ReviewQueue,
  SeedList,
  StatusResponse,
  type SeedType,
} from '../../../federation/protocol/index.ts';

/** `refused`: the node refused what was sent (400), e.g. a nickname that looks like personal data. */
export type NodeErrorCode = 'network' | 'not_found' | 'server' | 'refused';

export class NodeError extends Error {
  constructor(readonly code: NodeErrorCode) {
    super(code);
    this.name = 'NodeError';
  }
}

/** Makes the Authorization header of a request signed with the contributor's key (keys.ts). */
export type RequestSigner = (method: string, target: string, body?: string) => Promise<string>;

export class NodeClient {
  /** Set once the device has a key: the queue and statuses are asked for as that contributor. */
  signer: RequestSigner | null = null;

  constructor(
    private readonly fetcher: typeof fetch,
    private readonly base = '/api/v1',
  ) {}

  async #signed(method: string, path: string, body?: string): Promise<RequestInit> {
    if (this.signer === null) throw new NodeError('server');
    const authorization = await this.signer(method, `${this.base}${path}`, body);
    return {
      method,
      headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body } : {}),
    };
  }

  async #get<S extends z.ZodType>(path: string, schema: S, init?: RequestInit): Promise<z.output<S>> {
    let res: Response;
    try {
      res = await this.fetcher(`${this.base}${path}`, { cache: 'no-store', ...init });
    } catch {
      throw new NodeError('network');
    }
    if (res.status === 404) throw new NodeError('not_found');
    if (res.status === 400) throw new NodeError('refused');
    if (!res.ok) throw new NodeError('server');
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new NodeError('server');
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new NodeError('server');
    return parsed.data;
  }

  campaigns(): Promise<CampaignList> {
    return this.#get('/campaigns', CampaignList);
  }

  campaign(slug: string): Promise<PublicCampaign> {
    return this.#get(`/campaigns/${encodeURIComponent(slug)}`, PublicCampaign);
  }

  /** What the node holds of a campaign toward its goals. */
  progress(slug: string): Promise<CampaignProgress> {
    return this.#get(`/campaigns/${encodeURIComponent(slug)}/progress`, CampaignProgress);
  }

  join(code: string): Promise<PublicCampaign> {
    return this.#get(`/campaigns/join/${encodeURIComponent(code.trim().toUpperCase())}`, PublicCampaign);
  }

  seeds(slug: string, q: { type: SeedType; language: string; device: string; limit: number }): Promise<SeedList> {
    const params = new URLSearchParams({ type: q.type, language: q.language, device: q.device, limit: String(q.limit) });
    return this.#get(`/campaigns/${encodeURIComponent(slug)}/seeds?${params}`, SeedList);
  }

  /** Others' items to review, signed: the node leaves out mine and those I reviewed. */
  async queue(q: { campaign: string; language: string; limit: number }): Promise<ReviewQueue> {
    const path = `/review/queue?${new URLSearchParams({ campaign: q.campaign, language: q.language, limit: String(q.limit) })}`;
    return this.#get(path, ReviewQueue, await this.#signed('GET', path));
  }

  /** The node's link to the national hub (GET /api/v1/node). */
  hubLink(): Promise<HubLink> {
    return this.#get('/node', HubLink);
  }

  /** A campaign's opt-in leaderboard (per language when given). */
  leaderboard(slug: string, language?: string): Promise<Leaderboard> {
    return this.#get(`/campaigns/${encodeURIComponent(slug)}/leaderboard${language ? `?${new URLSearchParams({ language, limit: '10' })}` : '?limit=10'}`, Leaderboard);
  }

  /** My nickname on it (null: not shown); with `nickname` set (or null to stop showing), changes it. Signed. */
  async leaderboardMe(slug: string, change?: { nickname: string | null }): Promise<LeaderboardMe> {
    const path = `/campaigns/${encodeURIComponent(slug)}/leaderboard/me`;
    if (change === undefined) return this.#get(path, LeaderboardMe, await this.#signed('GET', path));
    if (change.nickname === null) return this.#get(path, LeaderboardMe, await this.#signed('DELETE', path));
    return this.#get(path, LeaderboardMe, await this.#signed('POST', path, JSON.stringify({ nickname: change.nickname })));
  }

  /** The status of my own items (signed: the node answers only for the signer's items). */
  async status(ids: string[]): Promise<StatusResponse> {
    return this.#get('/status', StatusResponse, await this.#signed('POST', '/status', JSON.stringify({ ids })));
  }
}
