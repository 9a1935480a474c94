/**
 * Who is signed in to the staff area, and signing in: a passphrase or a passkey, and the first
 * sign-in from a one-time link (which sets the passphrase or registers the passkey). Passkeys go
 * through @simplewebauthn/browser; a browser without WebAuthn is told so.
 */
import { browserSupportsWebAuthn, startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import type { StaffSession, WelcomeInfo } from '../../../federation/protocol/index.ts';
import { type StaffClient, StaffError } from './client.ts';

export class StaffSessionState {
  session = $state<StaffSession | null>(null);
  /** True until the first answer about the current session. */
  checking = $state(true);
  busy = $state(false);
  /** The code of the last failure (a server code, `network`, `server`, `passkey_cancelled`, `passkey_unsupported`). */
  error = $state<string | null>(null);
  welcomeInfo = $state<WelcomeInfo | null>(null);

  constructor(private readonly client: StaffClient) {}

  get passkeysSupported(): boolean {
    return typeof window !== 'undefined' && browserSupportsWebAuthn();
  }

  async #run<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    try {
      return await work();
    } catch (e) {
      if (e instanceof StaffError) this.error = e.code;
      else if (e instanceof WebAuthnError || (e instanceof Error && e.name === 'NotAllowedError')) this.error = 'passkey_cancelled';
      else this.error = 'server';
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  async load(): Promise<void> {
    try {
      this.session = await this.client.session();
    } catch {
      this.session = null;
    } finally {
      this.checking = false;
    }
  }

  async signInWithPassphrase(name: string, passphrase: string): Promise<boolean> {
    const s = await this.#run(() => this.client.signInPassphrase(name, passphrase));
    if (s) this.session = s;
    return s !== undefined;
  }

  async signInWithPasskey(): Promise<boolean> {
    if (!this.passkeysSupported) {
      this.error = 'passkey_unsupported';
      return false;
    }
    const s = await this.#run(async () => {
      const optionsJSON = await this.client.passkeyOptions();
      const response = await startAuthentication({ optionsJSON: optionsJSON as never });
      return this.client.signInPasskey(response);
    });
    if (s) this.session = s;
    return s !== undefined;
  }

  async readWelcome(token: string): Promise<void> {
    this.welcomeInfo = (await this.#run(() => this.client.welcome(token))) ?? null;
  }

  async welcomeWithPassphrase(token: string, passphrase: string): Promise<boolean> {
    const s = await this.#run(() => this.client.welcomePassphrase(token, passphrase));
    if (s) this.session = s;
    return s !== undefined;
  }

  async welcomeWithPasskey(token: string): Promise<boolean> {
    if (!this.passkeysSupported) {
      this.error = 'passkey_unsupported';
      return false;
    }
    const s = await this.#run(async () => {
      const optionsJSON = await this.client.welcomePasskeyOptions(token);
      const response = await startRegistration({ optionsJSON: optionsJSON as never });
      return this.client.welcomePasskey(token, response);
    });
    if (s) this.session = s;
    return s !== undefined;
  }

  async signOut(): Promise<void> {
    await this.#run(() => this.client.signOut());
    this.session = null;
  }
}
