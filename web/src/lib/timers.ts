/** The browser's clock and timers, in the shape the sync clients take (tests pass fake ones). */
import type { Timers } from './sync.ts';

export const browserTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
