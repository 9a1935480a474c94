/**
 * The benchmarks send as fast as the server takes requests, from one address (127.0.0.1): a flood
 * by design. They turn the rate limits off with the server's own options (`serve --rate-limit
 * off --rate-limit-key off`), never by an exemption of loopback, which a deployment would inherit.
 */
export const BENCH_NO_RATE_LIMITS = ['--rate-limit', 'off', '--rate-limit-key', 'off'];
