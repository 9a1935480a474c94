/**
 * The wire protocol: the one source of truth for every type that crosses a trust boundary.
 * Pure (no I/O); imported by web/, worker/ and federation/ alike.
 */
export * from './limits.ts';
export * from './errors.ts';
export * from './text.ts';
export * from './language.ts';
export * from './checks.ts';
export * from './kinds.ts';
export * from './contribution.ts';
export * from './consensus.ts';
export * from './reviewers.ts';
export * from './campaign.ts';
export * from './api.ts';
export * from './glossary.ts';
export * from './glossary.log.ts';
export * from './issues.ts';
export * from './sync.ts';
export * from './canonical.ts';
export * from './signing.ts';
export * from './shape.ts';
export * from './models.ts';
export * from './operations.ts';
export * from './openapi.ts';
export * from './federation.ts';
export * from './releases.ts';
export * from './gold.ts';
export * from './staff.ts';
export * from './leaderboard.ts';
