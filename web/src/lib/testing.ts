/** Test fixtures for the app's unit tests: a fixed contributor key and the identity made from it. */
import { contributorIdOf, formatKey } from '../../../federation/protocol/index.ts';
import type { Identity } from './identity.ts';

/** A well-formed Ed25519 public key text (nothing is signed with it in these tests). */
export const TEST_KEY = formatKey('Ed25519', Uint8Array.from({ length: 32 }, (_, i) => i));
export const TEST_IDENTITY: Identity = {
  contributorId: contributorIdOf(TEST_KEY),
  deviceId: '5b0e0c43-3c1c-4c5e-9d36-4c7d3f1c8a20',
  key: TEST_KEY,
};
