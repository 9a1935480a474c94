/**
 * The staff API from the app: same-origin requests (the session is an HttpOnly cookie the page
 * never sees), every answer checked against its protocol schema. A failure is a `StaffError` with
 * the server's stable code, or `network` / `server`, which the screens turn into a sentence.
 */
import type { z } from 'zod';
import {
  AuditList,
  Campaign,
  type CampaignDraft,
  type CampaignPatch,
  ErrorBody,
  DriveDashboard,
  StaffNode,
  StaffNodeList,
  FlaggedQueue,
  ImportResult,
  ModerationResult,
  PasskeyOptions,
  SignInLink,
  StaffCampaignList,
  StaffSession,
  StaffUser,
  StaffUserList,
  WelcomeInfo,
  type StaffRole,
} from '../../../federation/protocol/index.ts';

export class StaffError extends Error {
  constructor(
    /** A request error code from the server, or `network` / `server`. */
    readonly code: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(code);
    this.name = 'StaffError';
  }
}

type Json = z.input<typeof CampaignDraft> | z.input<typeof CampaignPatch> | Record<string, unknown>;

export class StaffClient {
  constructor(
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
    private readonly base = '/api/v1/staff',
  ) {}

  async #call<S extends z.ZodType>(method: string, path: string, schema: S | null, body?: Json): Promise<z.output<S>> {
    let res: Response;
    try {
      res = await this.fetcher(`${this.base}${path}`, {
        method,
        cache: 'no-store',
        credentials: 'same-origin',
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new StaffError('network');
    }
    let data: unknown;
    try {
      data = res.status === 204 ? undefined : await res.json();
    } catch {
      throw new StaffError('server');
    }
    if (!res.ok) {
      const error = ErrorBody.safeParse(data);
      throw new StaffError(error.success ? error.data.error.code : 'server', error.success ? error.data.error.details : undefined);
    }
    if (schema === null) return undefined as z.output<S>;
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new StaffError('server');
    return parsed.data;
  }

  session = () => this.#call('GET', '/session', StaffSession);
  signOut = () => this.#call('DELETE', '/session', null);
  signInPassphrase = (name: string, passphrase: string) => this.#call('POST', '/session/passphrase', StaffSession, { name, passphrase });
  passkeyOptions = () => this.#call('POST', '/session/passkey/options', PasskeyOptions);
  signInPasskey = (response: unknown) => this.#call('POST', '/session/passkey', StaffSession, { response });

  welcome = (token: string) => this.#call('GET', `/welcome/${encodeURIComponent(token)}`, WelcomeInfo);
  welcomePassphrase = (token: string, passphrase: string) => this.#call('POST', `/welcome/${encodeURIComponent(token)}/passphrase`, StaffSession, { passphrase });
  welcomePasskeyOptions = (token: string) => this.#call('POST', `/welcome/${encodeURIComponent(token)}/passkey/options`, PasskeyOptions);
  welcomePasskey = (token: string, response: unknown) => this.#call('POST', `/welcome/${encodeURIComponent(token)}/passkey`, StaffSession, { response });

  campaigns = () => this.#call('GET', '/campaigns', StaffCampaignList);
  createCampaign = (draft: z.input<typeof CampaignDraft>) => this.#call('POST', '/campaigns', Campaign, draft);
  updateCampaign = (slug: string, patch: z.input<typeof CampaignPatch>) => this.#call('PATCH', `/campaigns/${encodeURIComponent(slug)}`, Campaign, patch);
  importSeeds = (slug: string, format: 'csv' | 'jsonl', text: string) => this.#call('POST', `/campaigns/${encodeURIComponent(slug)}/seeds`, ImportResult, { format, text });

  flagged = () => this.#call('GET', '/flagged', FlaggedQueue);
  dashboard = (slug: string, hours: number) => this.#call('GET', `/campaigns/${encodeURIComponent(slug)}/dashboard?hours=${hours}`, DriveDashboard);
  moderate = (id: string, action: 'hide' | 'clear') => this.#call('POST', `/items/${encodeURIComponent(id)}/${action}`, ModerationResult);

  users = () => this.#call('GET', '/users', StaffUserList);
  addUser = (name: string, role: StaffRole, campaigns: string[]) => this.#call('POST', '/users', SignInLink, { name, role, campaigns });
  revokeUser = (id: string) => this.#call('POST', `/users/${encodeURIComponent(id)}/revoke`, StaffUser);
  newLink = (id: string) => this.#call('POST', `/users/${encodeURIComponent(id)}/link`, SignInLink);

  nodes = () => this.#call('GET', '/nodes', StaffNodeList);
  revokeNode = (id: string, quarantine: boolean) => this.#call('POST', `/nodes/${encodeURIComponent(id)}/revoke`, StaffNode, { quarantine });
  quarantineNode = (id: string, on: boolean) => this.#call('POST', `/nodes/${encodeURIComponent(id)}/${on ? 'quarantine' : 'unquarantine'}`, StaffNode, {});

  audit = (before?: number) => this.#call('GET', `/audit?limit=50${before !== undefined ? `&before=${before}` : ''}`, AuditList);
}
