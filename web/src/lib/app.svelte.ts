/**
 * The app's state and actions, in one place the screens read from. It owns the outbox, the
 * identity and the sync client, and wires sync to its triggers: app start, the `online` event,
 * each save, the page becoming visible again, and the client's own retry schedule.
 */
import {
  canonicalLanguageTag,
  generalCampaign,
  isContent,
  type Leaderboard,
  type PublicCampaign as Campaign,
  publicCampaign,
  type ContentKind,
  type FlagReason,
  type ReviewAction,
  type Seed,
  type SeedType,
} from '../../../federation/protocol/index.ts';
import { adoptKey, forgetContributor, giveConsent, loadConsent, loadIdentity, type ConsentRecord, type Identity } from './identity.ts';
import { type PersonalProgress, personalProgress } from './progress.ts';
import { type KioskSettings, loadKiosk, pruneRetired, retiredKeys, retireKey, saveKiosk } from './kiosk.ts';
import { ContributorKey, restoreKey } from './keys.ts';
import { makeContribution, makeRecord, seedOf, validate, type ContributionContext, type FieldErrors, type FormState } from './forms.ts';
import { CampaignCache, reviewable, type ReviewItem } from './campaigns.ts';
import { history, type History, type StatusMap } from './history.ts';
import { NodeClient, NodeError, type NodeErrorCode } from './node.ts';
import type { CampaignProgress, Checks, ContentContribution, Contribution, HubLink, ReviewContent, UnsignedContribution } from '../../../federation/protocol/index.ts';
import { runChecks, type CheckReport } from './checks.ts';
import { IdbOutbox } from './outbox/outbox.idb.ts';
import { StorageError, type Outbox, type OutboxCounts, type OutboxEntry, type StorageErrorCode } from './outbox/outbox.ts';
import { SyncClient, type SyncState } from './sync.ts';
import { startModelWorker, type ModelWorker } from '../../../worker/client.ts';
import type { DeviceProbe } from '../../../worker/probe.ts';
import { WorkerError } from '../../../worker/rpc.ts';
import { browserTimers } from './timers.ts';

export type PersistState = 'persisted' | 'not-persisted' | 'unsupported' | 'unknown';

const LANGUAGE_KEY = 'language';
const LICENCES_KEY = 'acceptedLicences';
const STATUS_KEY = 'statuses';
const MODEL_DEVICE_KEY = 'modelDevice';

/** Where models load: the probe's choice, or the contributor's override (Settings). */
export type ModelDevice = 'auto' | 'webgpu' | 'wasm';

export type SaveResult = { ok: true } | { ok: false; errors: FieldErrors } | { ok: false; storage: StorageErrorCode };

export class AppState {
  ready = $state(false);
  fatal = $state<StorageErrorCode | null>(null);
  storageError = $state<StorageErrorCode | null>(null);
  identity = $state<Identity | null>(null);
  consent = $state<ConsentRecord | null>(null);
  /** Licences the contributor agreed to give contributions under (the first-run one included). */
  acceptedLicences = $state<string[]>([]);
  language = $state<string | null>(null);
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  counts = $state<OutboxCounts>({ waiting: 0, sent: 0, rejected: 0 });
  entries = $state<OutboxEntry[]>([]);
  sync = $state<SyncState | null>(null);
  persist = $state<PersistState>('unknown');
  estimate = $state<{ usage: number; quota: number } | null>(null);

  device = $state<DeviceProbe | { error: string } | null>(null);
  /** The device every model `load` asks for; kept in the outbox's meta store. */
  modelDevice = $state<ModelDevice>('auto');

  campaign = $state<Campaign>(publicCampaign(generalCampaign()));
  campaigns = $state<Campaign[]>([]);
  /** Unused cached seeds of the current campaign and language, by type. */
  seeds = $state<Partial<Record<SeedType, Seed[]>>>({});
  queue = $state<ReviewItem[]>([]);
  /** The current campaign's progress toward its goals, as the node last counted it. */
  progress = $state<CampaignProgress | null>(null);
  statuses = $state<StatusMap>({});
  /** Why the last read from the node failed (null once one succeeds). */
  nodeError = $state<NodeErrorCode | null>(null);

  /** Kiosk mode (kiosk.ts): the device is a shared tablet for one campaign. */
  kiosk = $state<KioskSettings | null>(null);
  /** My items, their revisions, withdrawals and reviews, as the device knows them. */
  mine = $derived<History>(
    // On a kiosk only the visitor's own items: never an earlier visitor's, waiting or not.
    history(this.kiosk === null ? this.entries : this.entries.filter((e) => this.identity !== null && e.contribution.contributor === this.identity.contributorId), this.statuses, this.identity?.contributorId),
  );
  /** My own progress: items, accepted, streak, badges (progress.ts). */
  personal = $derived<PersonalProgress>(
    personalProgress(
      this.mine,
      this.entries.filter((e) => e.contribution.kind === 'review' && this.identity !== null && e.contribution.contributor === this.identity.contributorId).map((e) => e.savedAt),
      Date.now(),
    ),
  );
  /** The review queue as offered: never my own items, nor ones already reviewed here. */
  toReview = $derived<ReviewItem[]>(this.identity ? reviewable(this.queue, this.mine.reviewed) : []);

  #outbox: Outbox | null = null;
  #cache: CampaignCache | null = null;
  #node = new NodeClient((input, init) => fetch(input, init));
  #lastFullRefresh = 0;
  #worker: ModelWorker | null = null;
  #sync: SyncClient | null = null;
  #signer: ContributorKey | null = null;
  /** Keys of earlier kiosk visitors whose items still wait, by public key text. */
  #retired = new Map<string, ContributorKey>();

  async init(): Promise<void> {
    try {
      this.#outbox = await IdbOutbox.open();
    } catch (e) {
      this.fatal = e instanceof StorageError ? e.code : 'storage_unavailable';
      this.ready = true;
      return;
    }
    const outbox = this.#outbox;
    const [identity, consent, language, licences, modelDevice] = await Promise.all([
      loadIdentity(outbox),
      loadConsent(outbox),
      outbox.getMeta<string>(LANGUAGE_KEY),
      outbox.getMeta<string[]>(LICENCES_KEY),
      outbox.getMeta<ModelDevice>(MODEL_DEVICE_KEY),
    ]);
    if (modelDevice === 'webgpu' || modelDevice === 'wasm') this.modelDevice = modelDevice;
    this.kiosk = (await loadKiosk(outbox)) ?? null;
    for (const stored of await retiredKeys(outbox)) this.#retired.set(stored.key, new ContributorKey(stored));
    this.identity = identity?.identity ?? null;
    this.#useSigner(identity?.signer ?? null);
    this.consent = consent ?? null;
    this.acceptedLicences = licences ?? [];
    this.language = language ?? null;
    this.#cache = new CampaignCache(outbox, this.#node);
    await this.#loadCached();
    await this.refresh();
    addEventListener('online', () => {
      this.online = true;
      void this.#sync?.request();
      void this.refreshFromNode();
    });
    addEventListener('offline', () => {
      this.online = false;
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.#sync?.request();
    });
    if (this.identity) await this.#startSync(this.identity);
    void this.checkPersistence(false);
    this.ready = true;
    void this.refreshFromNode();
  }

  /** Campaign, seeds, review queue and statuses as last cached: what the app shows offline. */
  async #loadCached(): Promise<void> {
    const cache = this.#cache;
    if (!cache || !this.#outbox) return;
    try {
      this.campaign = await cache.current();
      this.campaigns = await cache.cachedList();
      this.statuses = (await this.#outbox.getMeta<StatusMap>(STATUS_KEY)) ?? {};
      await this.#loadSeedsAndQueue();
    } catch (e) {
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
    }
  }

  async #loadSeedsAndQueue(): Promise<void> {
    const cache = this.#cache;
    if (!cache) return;
    const slug = this.campaign.slug;
    this.progress = await cache.cachedProgress(slug);
    if (!this.language) return;
    const seeds: Partial<Record<SeedType, Seed[]>> = {};
    for (const type of ['prompt', 'draft', 'pair', 'pivot'] as const) seeds[type] = await cache.seeds(slug, this.language, type);
    this.seeds = seeds;
    this.queue = await cache.cachedQueue(slug, this.language);
  }

  /**
   * While online: the campaign list, the current campaign, its progress, a batch of seeds per
   * needed type, the review queue and the status of my sent items. Each part that fails keeps its
   * cached copy. After a sync (`light`) only what a save changes is asked for: seeds to top up,
   * progress and statuses;
   * the rest at most once a minute, so a room full of phones does not hammer its node.
   */
  async refreshFromNode(options: { light?: boolean } = {}): Promise<void> {
    const cache = this.#cache;
    if (!cache || !this.consent || !navigator.onLine) return;
    const attempt = async (fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
        this.nodeError = null;
      } catch (e) {
        if (e instanceof NodeError) this.nodeError = e.code;
        else if (e instanceof StorageError) this.storageError = e.code;
        else throw e;
      }
    };
    const full = !options.light || Date.now() - this.#lastFullRefresh > 60_000;
    const slug = this.campaign.slug;
    if (full) {
      this.#lastFullRefresh = Date.now();
      await attempt(async () => {
        this.campaigns = await cache.refreshList();
      });
      await attempt(async () => {
        const fresh = await cache.fetchCampaign(slug);
        // The contributor may have switched campaign meanwhile: only refresh the one still chosen.
        if (this.campaign.slug === slug && fresh.version !== this.campaign.version) {
          await cache.setCurrent(fresh);
          this.campaign = fresh;
        }
      });
    }
    // What a save changes: the progress toward the campaign's goals too.
    await attempt(async () => {
      const progress = await cache.refreshProgress(slug);
      if (this.campaign.slug === slug) this.progress = progress;
    });
    const { identity, language } = this;
    if (identity && language) {
      const campaign = $state.snapshot(this.campaign);
      await attempt(() => cache.refill(campaign, language, identity.deviceId));
      if (full) {
        await attempt(async () => {
          await cache.refreshQueue(campaign.slug, language);
        });
      }
      await this.#loadSeedsAndQueue();
    }
    await attempt(() => this.refreshStatuses());
  }

  /** Asks the node how my sent items fare (pending, accepted…); kept for offline display. */
  async refreshStatuses(): Promise<void> {
    if (!this.#outbox || !this.identity) return;
    const mine = this.entries.filter((e) => e.status === 'sent' && isContent(e.contribution)).map((e) => e.id);
    if (mine.length === 0) return;
    const next: StatusMap = {};
    for (let i = 0; i < mine.length; i += 500) {
      const { items } = await this.#node.status(mine.slice(i, i + 500));
      for (const item of items) next[item.id] = item;
    }
    this.statuses = next;
    await this.#outbox.setMeta(STATUS_KEY, next);
  }

  async chooseCampaign(campaign: Campaign): Promise<void> {
    if (!this.#cache) return;
    try {
      await this.#cache.setCurrent($state.snapshot(campaign));
      this.campaign = campaign;
      await this.#loadSeedsAndQueue();
    } catch (e) {
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
      return;
    }
    void this.refreshFromNode();
  }

  /** Joins a campaign by its code; needs the node. */
  async joinCampaign(code: string): Promise<{ ok: true; campaign: Campaign } | { ok: false; code: NodeErrorCode }> {
    if (!this.#cache) return { ok: false, code: 'network' };
    try {
      const campaign = await this.#cache.join(code);
      this.campaign = campaign;
      await this.#loadSeedsAndQueue();
      void this.refreshFromNode();
      return { ok: true, campaign };
    } catch (e) {
      if (e instanceof NodeError) return { ok: false, code: e.code };
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
      return { ok: false, code: 'server' };
    }
  }

  /**
   * The Authorization header of a request signed at `at` with the key this device holds now (the
   * glossary's syncs); null before consent made one.
   */
  signRequest = async (method: string, target: string, body: Uint8Array, at: number): Promise<string | null> =>
    this.#signer === null ? null : this.#signer.authorization(method, target, body, at);

  #useSigner(signer: ContributorKey | null): void {
    this.#signer = signer;
    this.#node.signer = signer === null ? null : (method, target, body) => signer.authorization(method, target, body);
  }

  /**
   * Signs a batch as it is sent, with the key this device holds now. Items saved here under
   * another key (before a restore replaced it) were this person's too: they go under this one.
   */
  async #signBatch(items: UnsignedContribution[]): Promise<Contribution[]> {
    const signer = this.#signer;
    // An earlier kiosk visitor's items go under their own (retired) key, never the next visitor's.
    const groups = new Map<ContributorKey, { at: number[]; items: UnsignedContribution[] }>();
    items.forEach((item, i) => {
      const own = this.#retired.get(item.key) ?? signer;
      if (own === null) throw new Error('No contributor key on this device');
      const group = groups.get(own) ?? { at: [], items: [] };
      group.at.push(i);
      group.items.push(item.key === own.key ? item : { ...item, key: own.key, contributor: own.contributorId });
      groups.set(own, group);
    });
    const out = new Array<Contribution>(items.length);
    for (const [key, group] of groups) {
      const signed = (await key.signItems(group.items)) as Contribution[];
      group.at.forEach((at, k) => (out[at] = signed[k]!));
    }
    return out;
  }

  /**
   * Makes this device a kiosk for `campaign` (kiosk.ts), started by staff member `by`; whoever was
   * contributing here is signed out as a visitor is.
   */
  async startKiosk(campaign: Campaign, by: string, idleMs: number): Promise<void> {
    if (!this.#outbox) return;
    const settings: KioskSettings = { campaign: campaign.slug, startedBy: by, startedAt: Date.now(), idleMs };
    await saveKiosk(this.#outbox, settings);
    this.kiosk = settings;
    await this.chooseCampaign(campaign);
    await this.endVisit();
  }

  /** Back to a personal device (staff only: the caller checked a staff session). */
  async stopKiosk(): Promise<void> {
    if (!this.#outbox) return;
    await saveKiosk(this.#outbox, undefined);
    this.kiosk = null;
  }

  /**
   * Ends a kiosk visit: the visitor's key is retired (kept only to sign their waiting items), and
   * their consent, choices, statuses and review queue are forgotten; the next visitor starts at
   * consent, in the kiosk's campaign.
   */
  async endVisit(): Promise<void> {
    const outbox = this.#outbox;
    if (!outbox) return;
    try {
      const stored = await forgetContributor(outbox, [LANGUAGE_KEY, LICENCES_KEY, STATUS_KEY]);
      if (stored !== undefined) {
        await retireKey(outbox, stored);
        this.#retired.set(stored.key, new ContributorKey(stored));
      }
      this.identity = null;
      this.#useSigner(null);
      this.consent = null;
      this.language = null;
      this.acceptedLicences = [];
      this.statuses = {};
      this.queue = [];
      this.seeds = {};
      const home = this.kiosk === null ? undefined : this.campaigns.find((c) => c.slug === this.kiosk!.campaign);
      if (home !== undefined && home.slug !== this.campaign.slug) await this.chooseCampaign(home);
      await this.refresh();
    } catch (e) {
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
    }
  }

  async #startSync(identity: Identity): Promise<void> {
    if (this.#sync || !this.#outbox) return;
    const outbox = this.#outbox;
    const client = new SyncClient({
      outbox,
      deviceId: identity.deviceId,
      sign: (items) => this.#signBatch(items),
      endpoint: '/api/v1/sync',
      fetch: (input, init) => fetch(input, init),
      isOnline: () => navigator.onLine,
      timers: browserTimers,
      random: Math.random,
    });
    this.#sync = client;
    await client.restore();
    let lastSuccess = client.state.lastSuccessAt;
    client.subscribe((s) => {
      this.sync = s;
      if (s.lastSuccessAt !== lastSuccess || s.phase === 'idle') {
        const sentSomething = s.lastSuccessAt !== lastSuccess;
        lastSuccess = s.lastSuccessAt;
        void this.refresh().then(() => (sentSomething ? this.refreshFromNode({ light: true }) : undefined));
      }
    });
    void client.request();
  }

  /** Reloads counts and the list from the outbox. */
  async refresh(): Promise<void> {
    if (!this.#outbox) return;
    try {
      const [counts, entries] = await Promise.all([this.#outbox.counts(), this.#outbox.list()]);
      this.counts = counts;
      this.entries = entries;
      if (this.#retired.size > 0) {
        const waiting = new Set(entries.filter((e) => e.status === 'waiting').map((e) => e.contribution.key));
        const kept = await pruneRetired(this.#outbox, waiting);
        this.#retired = new Map(kept.map((k) => [k.key, this.#retired.get(k.key) ?? new ContributorKey(k)]));
      }
    } catch (e) {
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
    }
  }

  async acceptConsent(): Promise<void> {
    if (!this.#outbox) return;
    try {
      const { identity, signer, consent } = await giveConsent(this.#outbox);
      this.identity = identity;
      this.#useSigner(signer);
      this.consent = consent;
      this.storageError = null;
      // Asked right after a deliberate action, when browsers are most willing to grant it.
      await this.checkPersistence(true);
      await this.#startSync(identity);
      void this.refreshFromNode();
    } catch (e) {
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
    }
  }

  /** Stores the chosen language; returns false when the tag is not valid BCP 47. */
  async setLanguage(tag: string): Promise<boolean> {
    const canonical = canonicalLanguageTag(tag.trim());
    if (!canonical || !this.#outbox) return false;
    try {
      await this.#outbox.setMeta(LANGUAGE_KEY, canonical);
      this.language = canonical;
      await this.#loadSeedsAndQueue();
      void this.refreshFromNode();
      return true;
    } catch (e) {
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
      return false;
    }
  }

  /**
   * The campaign's licence when the contributor has not agreed to it yet: contributions to a
   * campaign are given under its licence, so the form waits for that consent.
   */
  get licenceToAccept(): string | null {
    const licence = this.campaign.licence;
    if (!this.consent || licence === this.consent.licence || this.acceptedLicences.includes(licence)) return null;
    return licence;
  }

  async acceptLicence(licence: string): Promise<void> {
    if (!this.#outbox || this.acceptedLicences.includes(licence)) return;
    const next = [...this.acceptedLicences, licence];
    try {
      await this.#outbox.setMeta(LICENCES_KEY, next);
      this.acceptedLicences = next;
    } catch (e) {
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
    }
  }

  /** Who, in which language and campaign, under the consent given at first run. */
  #context(): ContributionContext | null {
    const { identity, consent, language } = this;
    if (!identity || !consent || !language) return null;
    return { identity: $state.snapshot(identity), consent: $state.snapshot(consent), language, campaign: this.campaign.slug };
  }

  /**
   * The context for content: given to a campaign under the campaign's licence, which the
   * contributor must have accepted. A revision stays in its original's campaign, language and
   * licence.
   */
  #contentContext(original?: Pick<ContentContribution, 'campaign' | 'language' | 'consent'>): ContributionContext | null {
    const base = this.#context();
    if (!base) return null;
    const licence = original ? original.consent.licence : this.campaign.licence;
    if (licence !== base.consent.licence && !this.acceptedLicences.includes(licence)) return null;
    return {
      ...base,
      consent: { ...base.consent, licence },
      ...(original ? { campaign: original.campaign, language: original.language } : {}),
    };
  }

  async #save(make: (seq: number) => UnsignedContribution): Promise<{ ok: true } | { ok: false; storage: StorageErrorCode }> {
    if (!this.#outbox) return { ok: false, storage: 'storage_failed' };
    try {
      await this.#outbox.save(make);
      this.storageError = null;
    } catch (e) {
      const code = e instanceof StorageError ? e.code : 'storage_failed';
      this.storageError = code;
      return { ok: false, storage: code };
    }
    await this.refresh();
    void this.#sync?.request();
    return { ok: true };
  }

  /**
   * Validates and saves any kind's form to the outbox (as a revision of `revisionOf` when given:
   * an edit of my own item, or an improvement of someone else's). On a storage failure nothing
   * already saved is touched and the form keeps what was typed (the caller clears it on success).
   */
  async saveForm(form: FormState, options: { original?: ReviewContent; checks?: Checks } = {}): Promise<SaveResult> {
    const v = validate(form);
    if (!v.ok) return v;
    const { original, checks } = options;
    const ctx = this.#contentContext(original);
    if (!ctx) return { ok: false, storage: 'storage_failed' };
    const result = await this.#save((seq) =>
      makeContribution(form.kind, v.data, ctx, seq, { ...(original ? { revisionOf: original.id } : {}), ...(checks ? { checks } : {}) }),
    );
    const seed = seedOf(form.context);
    if (result.ok && seed && this.#cache) {
      try {
        await this.#cache.markUsed(this.campaign.slug, seed);
        await this.#loadSeedsAndQueue();
      } catch {
        // A seed offered twice is harmless; the contribution itself is saved.
      }
    }
    return result;
  }

  /** A vote or a flag on someone else's item, saved like any contribution. */
  async review(item: ReviewItem['item'], action: ReviewAction, reason?: FlagReason): Promise<SaveResult> {
    const base = this.#context();
    if (!base) return { ok: false, storage: 'storage_failed' };
    const ctx = { ...base, campaign: item.campaign, language: item.language };
    const data = { target: item.id, action, ...(action === 'flag' && reason ? { reason } : {}) };
    return this.#save((seq) => makeRecord({ kind: 'review', data }, ctx, seq));
  }

  /** A tombstone for one of my items (with its revisions), or for everything I gave. */
  async withdraw(target: { id: string; campaign: string; language: string } | 'all'): Promise<SaveResult> {
    const base = this.#context();
    if (!base) return { ok: false, storage: 'storage_failed' };
    if (target === 'all') return this.#save((seq) => makeRecord({ kind: 'withdrawal', data: { scope: 'all' } }, base, seq));
    const ctx = { ...base, campaign: target.campaign, language: target.language };
    return this.#save((seq) => makeRecord({ kind: 'withdrawal', data: { scope: 'item', target: target.id } }, ctx, seq));
  }

  /** The kinds the current campaign enables, in the protocol's order. */
  get kinds(): ContentKind[] {
    return this.campaign.kinds;
  }

  sendNow(): void {
    void this.#sync?.request();
  }

  async checkPersistence(ask: boolean): Promise<void> {
    const storage = navigator.storage;
    if (!storage?.persisted) {
      this.persist = 'unsupported';
      return;
    }
    try {
      let persisted = await storage.persisted();
      if (!persisted && ask && storage.persist) persisted = await storage.persist();
      this.persist = persisted ? 'persisted' : 'not-persisted';
      const est = await storage.estimate?.();
      if (est && typeof est.usage === 'number' && typeof est.quota === 'number') this.estimate = { usage: est.usage, quota: est.quota };
    } catch {
      this.persist = 'unsupported';
    }
  }

  /**
   * The on-device checks of a form (language, personal data), run by the model worker. Null when
   * the worker cannot run them: the caller then saves without checks rather than lose the item.
   */
  async checkForm(form: FormState, original?: { language: string }): Promise<CheckReport | null> {
    const language = original?.language ?? this.language;
    if (!language) return null;
    try {
      this.#worker ??= startModelWorker();
      return await runChecks(this.#worker, form, language);
    } catch {
      return null;
    }
  }

  /** The model worker, started on first use. */
  modelWorker(): ModelWorker {
    return (this.#worker ??= startModelWorker());
  }

  /** Stores where models should load from now on (the next `load` uses it). */
  async setModelDevice(device: ModelDevice): Promise<void> {
    this.modelDevice = device;
    try {
      await this.#outbox?.setMeta(MODEL_DEVICE_KEY, device);
    } catch (e) {
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
    }
  }

  /** This node's link to the national hub; null when the node cannot be asked now (offline). */
  async hubLink(): Promise<HubLink | null> {
    try {
      return await this.#node.hubLink();
    } catch {
      return null;
    }
  }

  /** Asks the model worker (started on first use) what this device can run models on. */
  async probeDevice(): Promise<void> {
    if (this.device) return;
    try {
      this.#worker ??= startModelWorker();
      this.device = await this.#worker.call('probe', {});
    } catch (e) {
      this.device = { error: e instanceof WorkerError ? e.code : 'failed' };
    }
  }

  /** The current campaign's opt-in leaderboard in my language, and my nickname there (node.ts; online only). */
  async leaderboard(): Promise<{ board: Leaderboard; me: string | null }> {
    const slug = this.campaign.slug;
    const [board, me] = await Promise.all([this.#node.leaderboard(slug, this.language ?? undefined), this.identity ? this.#node.leaderboardMe(slug) : Promise.resolve({ nickname: null })]);
    return { board, me: me.nickname };
  }

  /** Shows me on the current campaign's leaderboard under `nickname`, or (null) stops showing me. */
  async setLeaderboardName(nickname: string | null): Promise<string | null> {
    return (await this.#node.leaderboardMe(this.campaign.slug, { nickname })).nickname;
  }

  /** A recovery code for this device's key, protected by `passphrase` (keys.ts). */
  async recoveryCode(passphrase: string): Promise<string> {
    if (this.#signer === null) throw new Error('No contributor key on this device');
    return this.#signer.recoveryCode(passphrase);
  }

  /**
   * Makes the key in a recovery code this device's key: from now on it signs as that contributor
   * (and can edit and withdraw what they gave on their old phone). Throws RecoveryError.
   */
  async restoreFrom(code: string, passphrase: string): Promise<void> {
    if (!this.#outbox) throw new StorageError('storage_unavailable');
    const stored = await restoreKey(code, passphrase);
    const { identity, signer } = await adoptKey(this.#outbox, stored);
    this.identity = identity;
    this.#useSigner(signer);
    if (this.consent) await this.#startSync(identity);
    void this.refreshFromNode();
  }

  /** Everything this device saved, as a JSON document for the contributor to keep. */
  exportJson(): Blob {
    const doc = {
      format: 'vernacular-contributions',
      version: 1,
      exportedAt: new Date().toISOString(),
      contributor: this.identity?.contributorId ?? null,
      contributions: $state.snapshot(this.entries).filter((e) => this.kiosk === null || e.contribution.contributor === this.identity?.contributorId).map((e) => ({
        status: e.status,
        savedAt: new Date(e.savedAt).toISOString(),
        ...(e.sentAt ? { sentAt: new Date(e.sentAt).toISOString() } : {}),
        ...(e.rejection ? { rejection: e.rejection } : {}),
        contribution: e.contribution,
      })),
    };
    return new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
  }
}
