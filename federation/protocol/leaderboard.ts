/**
 * A campaign's opt-in leaderboard (off by default): contributors who chose to show under a
 * nickname, with how many of their items count and how many review accepted, per campaign and
 * language. Nicknames stay on the server that holds them (never relayed, never in a release).
 */
import { z } from 'zod';
import { text } from './text.ts';
import { CampaignSlug } from './campaign.ts';

export const Nickname = text(24, { min: 2 });

/** POST /api/v1/campaigns/{slug}/leaderboard/me (signed): show me under this nickname. */
export const LeaderboardJoin = z.object({ nickname: Nickname }).strict().meta({ id: 'LeaderboardJoin' });

/** GET …/leaderboard/me (signed): my nickname here, or null when I do not show. */
export const LeaderboardMe = z.object({ nickname: z.string().nullable() }).strict().meta({ id: 'LeaderboardMe' });
export type LeaderboardMe = z.infer<typeof LeaderboardMe>;

export const LeaderboardQuery = z.object({ language: z.string().min(1).max(35).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }).strict();

export const Leaderboard = z
  .object({
    campaign: CampaignSlug,
    language: z.string().optional(),
    entries: z.array(z.object({ rank: z.int().min(1), nickname: z.string(), items: z.int().min(0), accepted: z.int().min(0) }).strict()),
  })
  .strict()
  .meta({ id: 'Leaderboard' });
export type Leaderboard = z.infer<typeof Leaderboard>;
