/** The steward's console on a hub: enrolled nodes (and their governing), and the releases built here. */
import { ReleaseList, type StaffNode } from '../../../federation/protocol/index.ts';
import { type StaffClient, StaffError } from './client.ts';

export class NodesState {
  nodes = $state<StaffNode[]>([]);
  releases = $state<ReleaseList['releases']>([]);
  loaded = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);

  constructor(
    private readonly client: StaffClient,
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  async load(): Promise<void> {
    this.error = null;
    try {
      this.nodes = (await this.client.nodes()).nodes;
      const res = await this.fetcher('/api/v1/releases', { cache: 'no-store' });
      const parsed = res.ok ? ReleaseList.safeParse(await res.json()) : undefined;
      this.releases = parsed?.success ? parsed.data.releases : [];
    } catch (e) {
      this.error = e instanceof StaffError ? e.code : 'server';
    }
    this.loaded = true;
  }

  async #change(run: () => Promise<StaffNode>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      const changed = await run();
      this.nodes = this.nodes.map((n) => (n.id === changed.id ? changed : n));
    } catch (e) {
      this.error = e instanceof StaffError ? e.code : 'server';
    } finally {
      this.busy = false;
    }
  }

  revoke = (id: string, quarantine: boolean) => this.#change(() => this.client.revokeNode(id, quarantine));
  quarantine = (id: string, on: boolean) => this.#change(() => this.client.quarantineNode(id, on));
}
