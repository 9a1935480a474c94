/**
 * A node's side of the glossary exchange (hub/glossary.ts): for each campaign, the records of its
 * log the hub may lack go up — those made here, never those that came from the hub — and the
 * hub's records from elsewhere come back, each checked again here (a contributor's signature over
 * what they signed; the hub vouches for server records) before it is stored with its author. Both
 * cursors are kept in the store (`glossary_cursors`) and move only after the hub answered, so a
 * lost answer means the same records go again, which stores nothing twice.
 *
 * Every campaign is exchanged — those with a log here, those this node holds, and `general` — so a
 * glossary begun on another node reaches this one's devices before anyone here edits it.
 */
import {
  DEFAULT_CAMPAIGN,
  GLOSSARY_EXCHANGE_BYTES,
  GLOSSARY_EXCHANGE_RECORDS,
  type GlossaryExchangeResponse,
  PROTOCOL_VERSION,
} from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { checkRelayed, type ReadRecord } from '../glossary/records.ts';
import type { GlossaryStore } from '../glossary/store.ts';
import { HUB_ORIGIN } from './link.ts';

/** Exchanges in a row for one campaign before moving on (the next round goes on from there). */
const MAX_ROUNDS = 50;

export interface GlossaryExchangeDeps {
  store: Store;
  glossary: GlossaryStore;
  /** Sends one exchange (a JSON body); undefined when the hub does not know the campaign yet. */
  post: (campaign: string, json: string) => Promise<GlossaryExchangeResponse | undefined>;
  log: (line: string) => void;
}

export interface GlossaryExchangeSummary {
  campaigns: number;
  sent: number;
  received: number;
}

export async function exchangeGlossaries({ store, glossary, post, log }: GlossaryExchangeDeps): Promise<GlossaryExchangeSummary> {
  const campaigns = new Set([DEFAULT_CAMPAIGN, ...(await glossary.campaigns()), ...(await store.campaigns()).map((c) => c.slug)]);
  const summary: GlossaryExchangeSummary = { campaigns: 0, sent: 0, received: 0 };
  for (const campaign of [...campaigns].sort()) {
    let exchanged = false;
    try {
      exchanged = await exchangeCampaign(campaign, { store, glossary, post, log }, summary);
    } catch (err) {
      // The hub refused this campaign's exchange as such (not the link): the others still go.
      if (!(err instanceof Error && 'status' in err && err.status === 400)) throw err;
      log(`federation: the hub refused the glossary exchange of ${campaign}: ${err.message}`);
    }
    if (exchanged) summary.campaigns++;
  }
  return summary;
}

/** Exchanges one campaign until neither side has more; false when the hub does not know it. */
async function exchangeCampaign(campaign: string, { glossary, post, log }: GlossaryExchangeDeps, summary: GlossaryExchangeSummary): Promise<boolean> {
  let exchanged = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const cursors = await glossary.cursors(campaign);
    const out = await glossary.records(campaign, { after: cursors.pushed, excludeOrigin: HUB_ORIGIN, limit: GLOSSARY_EXCHANGE_RECORDS, maxChars: GLOSSARY_EXCHANGE_BYTES });
    const answer = await post(campaign, `{"protocol":${PROTOCOL_VERSION},"after":${cursors.pulled},"records":[${out.map((r) => r.json).join(',')}]}`);
    if (answer === undefined) break;
    exchanged = true;
    for (const p of answer.problems) log(`federation: the hub refused glossary record ${p.index} of campaign ${campaign}: ${p.code} ${p.message}`);
    const incoming: ReadRecord[] = [];
    for (const record of answer.records) {
      const checked = checkRelayed(record, campaign, () => true);
      if ('code' in checked) log(`federation: a glossary record from the hub for ${campaign} was refused: ${checked.code} ${checked.message}`);
      else incoming.push(checked);
    }
    if (incoming.length > 0) {
      const statuses = await glossary.ingest(campaign, incoming, HUB_ORIGIN);
      summary.received += statuses.filter((s) => s === 'accepted').length;
    }
    summary.sent += out.length;
    const pushed = out.length > 0 ? out[out.length - 1]!.seq : cursors.pushed;
    await glossary.saveCursors(campaign, { pushed, pulled: answer.next });
    const moreHere = out.length > 0 && (await glossary.records(campaign, { after: pushed, excludeOrigin: HUB_ORIGIN, limit: 1 })).length > 0;
    if (!answer.more && !moreHere) break;
  }
  return exchanged;
}
