/** A drive's live dashboard (GET /api/v1/staff/campaigns/{slug}/dashboard), polled while shown. */
import type { DriveDashboard } from '../../../federation/protocol/index.ts';
import { type StaffClient, StaffError } from './client.ts';

/** How often the dashboard asks the node again. */
export const DASHBOARD_POLL_MS = 15_000;

export class DashboardState {
  data = $state<DriveDashboard | null>(null);
  error = $state<string | null>(null);
  hours = $state(12);

  constructor(private readonly client: StaffClient) {}

  async load(slug: string): Promise<void> {
    try {
      this.data = await this.client.dashboard(slug, this.hours);
      this.error = null;
    } catch (e) {
      this.error = e instanceof StaffError ? e.code : 'server';
    }
  }

  /** Loads now and every DASHBOARD_POLL_MS until the returned function is called. */
  follow(slug: string): () => void {
    void this.load(slug);
    const timer = setInterval(() => void this.load(slug), DASHBOARD_POLL_MS);
    return () => clearInterval(timer);
  }
}
