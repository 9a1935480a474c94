/**
 * Failed sign-ins, counted per account name and per client address within a window: past the
 * limit, sign-in is refused (429 too_many_attempts) until the window of the oldest failure ends.
 * In memory, per process: it slows online guessing; the scrypt cost and the ≥ 12-character rule
 * make offline guessing expensive. An address gets a larger allowance than a name, since a whole
 * library may share one address.
 */
export interface ThrottleLimits {
  perName: number;
  perAddress: number;
  /** WebAuthn challenges handed to one address per window (each is a stored row until it expires). */
  challengesPerAddress: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perName: 5, perAddress: 30, challengesPerAddress: 60, windowMs: 15 * 60_000 };
/** Keys remembered at most (oldest dropped first), so a flood of names cannot exhaust memory. */
const MAX_KEYS = 10_000;

export class SignInThrottle {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  #recent(key: string): number[] {
    const since = this.now() - this.limits.windowMs;
    const kept = (this.#failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, kept);
    return kept;
  }

  /** Seconds to wait before trying again, or 0 when a try is allowed now. */
  retryAfter(name: string, address: string): number {
    let wait = 0;
    for (const [key, limit] of [[`n:${name}`, this.limits.perName], [`a:${address}`, this.limits.perAddress]] as const) {
      const recent = this.#recent(key);
      if (recent.length >= limit) wait = Math.max(wait, recent[recent.length - limit]! + this.limits.windowMs - this.now());
    }
    return Math.ceil(wait / 1000);
  }

  failed(name: string, address: string): void {
    for (const key of [`n:${name}`, `a:${address}`]) {
      const list = this.#recent(key);
      list.push(this.now());
      this.#failures.delete(key);
      this.#failures.set(key, list.slice(-Math.max(this.limits.perName, this.limits.perAddress)));
    }
    while (this.#failures.size > MAX_KEYS) this.#failures.delete(this.#failures.keys().next().value!);
  }

  /**
   * Counts a WebAuthn challenge for the address: false when it has had its allowance this
   * window, so nobody can fill the challenge table faster than challenges expire.
   */
  challenge(address: string): boolean {
    const key = `c:${address}`;
    const recent = this.#recent(key);
    if (recent.length >= this.limits.challengesPerAddress) return false;
    recent.push(this.now());
    this.#failures.delete(key);
    this.#failures.set(key, recent);
    while (this.#failures.size > MAX_KEYS) this.#failures.delete(this.#failures.keys().next().value!);
    return true;
  }

  /** A successful sign-in clears the name's failures (not the address's). */
  succeeded(name: string): void {
    this.#failures.delete(`n:${name}`);
  }
}
