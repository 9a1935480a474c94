/**
 * Test support for clock drills: imported before anything else (`node --import …/clock-skew.js`),
 * it moves this process's clock by VERNACULAR_CLOCK_SKEW_MS milliseconds — `Date.now()` and
 * `new Date()` alike — as a machine whose clock is wrong would be.
 */
const skew = Number(process.env.VERNACULAR_CLOCK_SKEW_MS ?? '0');

if (Number.isFinite(skew) && skew !== 0) {
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + skew);
      else super(...(args as [string | number | Date]));
    }

    static override now(): number {
      return RealDate.now() + skew;
    }
  }
  globalThis.Date = SkewedDate as DateConstructor;
}

export {};
