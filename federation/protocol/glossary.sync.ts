/**
 * The glossary's HTTP sync messages: y-protocols sync messages (type as a varUint, then the
 * payload as a length-prefixed byte array), concatenated in one body.
 *
 *   device → node:  step 1 (the device's state vector), then, when it has anything the node may
 *                   lack, step 2 (an update holding only what is missing from the node's last
 *                   known state vector).
 *   node → device:  step 2 (exactly what the device lacks, from the device's state vector),
 *                   then step 1 (the node's state vector, which the device keeps for next time).
 *
 * Decoding never trusts the bytes: truncated input, an unknown message type, trailing bytes, a
 * state vector or an update that does not decode all raise `GlossarySyncError` with the stable
 * code `malformed_sync_message`, before anything touches a document.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync';
import { shapeProblem } from './shape.ts';

export class GlossarySyncError extends Error {
  readonly code = 'malformed_sync_message';
  constructor(message: string) {
    super(message);
    this.name = 'GlossarySyncError';
  }
}

export type SyncMessage =
  | { type: 'step1'; stateVector: Uint8Array }
  | { type: 'step2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array };

export function encodeSyncMessages(messages: readonly SyncMessage[]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const m of messages) {
    if (m.type === 'step1') {
      encoding.writeVarUint(encoder, messageYjsSyncStep1);
      encoding.writeVarUint8Array(encoder, m.stateVector);
    } else {
      encoding.writeVarUint(encoder, m.type === 'step2' ? messageYjsSyncStep2 : messageYjsUpdate);
      encoding.writeVarUint8Array(encoder, m.update);
    }
  }
  return encoding.toUint8Array(encoder);
}

function checkStateVector(sv: Uint8Array): void {
  try {
    Y.decodeStateVector(sv);
  } catch {
    throw new GlossarySyncError('A state vector does not decode');
  }
}

/**
 * Deepest nesting of a value an update may carry. A glossary holds maps of strings and a text;
 * nothing in it is nested, and a deeply nested value (a few bytes per level) would make every
 * later encoding of the document overflow the stack — refused here, once, with a 400.
 */
const MAX_VALUE_DEPTH = 8;

function checkUpdate(update: Uint8Array): void {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    throw new GlossarySyncError('An update does not decode');
  }
  for (const struct of decoded.structs) {
    const content: unknown = (struct as { content?: unknown }).content;
    const values =
      content instanceof Y.ContentAny || content instanceof Y.ContentJSON ? content.arr
      : content instanceof Y.ContentEmbed ? [content.embed]
      : content instanceof Y.ContentFormat ? [content.value]
      : content instanceof Y.ContentDoc ? [content.opts]
      : [];
    if (values.length > 0 && shapeProblem(values, MAX_VALUE_DEPTH)?.code === 'nesting_too_deep') {
      throw new GlossarySyncError(`An update holds a value nested more than ${MAX_VALUE_DEPTH - 1} levels deep`);
    }
  }
}

/** Every message in `bytes`, each payload checked to decode; throws `GlossarySyncError`. */
export function decodeSyncMessages(bytes: Uint8Array): SyncMessage[] {
  const decoder = decoding.createDecoder(bytes);
  const out: SyncMessage[] = [];
  try {
    while (decoding.hasContent(decoder)) {
      const type = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (type === messageYjsSyncStep1) out.push({ type: 'step1', stateVector: payload });
      else if (type === messageYjsSyncStep2) out.push({ type: 'step2', update: payload });
      else if (type === messageYjsUpdate) out.push({ type: 'update', update: payload });
      else throw new GlossarySyncError(`Unknown sync message type ${type}`);
    }
  } catch (err) {
    if (err instanceof GlossarySyncError) throw err;
    throw new GlossarySyncError('Truncated sync message');
  }
  for (const m of out) {
    if (m.type === 'step1') checkStateVector(m.stateVector);
    else checkUpdate(m.update);
  }
  return out;
}

/** True when an update carries nothing: no structs and an empty delete set. */
export function isEmptyUpdate(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  return structs.length === 0 && ds.clients.size === 0;
}

export interface ClientRequest {
  stateVector: Uint8Array;
  update: Uint8Array | null;
}

/**
 * The device's request: its state vector, and what the node lacks judging by `nodeStateVector`
 * (the one the node last answered; everything when unknown). Deletions do not advance a state
 * vector, so the update always carries the document's delete set, which is compact.
 */
export function encodeClientRequest(doc: Y.Doc, nodeStateVector: Uint8Array | null): Uint8Array {
  const update = Y.encodeStateAsUpdate(doc, nodeStateVector ?? undefined);
  const messages: SyncMessage[] = [{ type: 'step1', stateVector: Y.encodeStateVector(doc) }];
  if (!isEmptyUpdate(update)) messages.push({ type: 'step2', update });
  return encodeSyncMessages(messages);
}

/** Step 1 first, then at most one update (step 2 or update); throws `GlossarySyncError`. */
export function decodeClientRequest(bytes: Uint8Array): ClientRequest {
  const messages = decodeSyncMessages(bytes);
  const [first, second, ...rest] = messages;
  if (first?.type !== 'step1') throw new GlossarySyncError('A request must start with sync step 1');
  if (second?.type === 'step1' || rest.length > 0) {
    throw new GlossarySyncError('A request holds one state vector and at most one update');
  }
  return { stateVector: first.stateVector, update: second?.update ?? null };
}

export interface ServerAnswer {
  /** What the device lacks. */
  update: Uint8Array;
  /** The node's state vector after it stored the device's update. */
  stateVector: Uint8Array;
}

export function encodeServerAnswer(doc: Y.Doc, clientStateVector: Uint8Array): Uint8Array {
  return encodeSyncMessages([
    { type: 'step2', update: Y.encodeStateAsUpdate(doc, clientStateVector) },
    { type: 'step1', stateVector: Y.encodeStateVector(doc) },
  ]);
}

/** Exactly step 2 then step 1; throws `GlossarySyncError`. */
export function decodeServerAnswer(bytes: Uint8Array): ServerAnswer {
  const messages = decodeSyncMessages(bytes);
  const [first, second] = messages;
  if (messages.length !== 2 || first?.type !== 'step2' || second?.type !== 'step1') {
    throw new GlossarySyncError('An answer must be sync step 2 followed by sync step 1');
  }
  return { update: first.update, stateVector: second.stateVector };
}

/**
 * Applies an update that has already been checked to decode. Yjs may still throw on a
 * well-formed but inconsistent update; that is reported as malformed too.
 */
export function applyCheckedUpdate(doc: Y.Doc, update: Uint8Array, origin: unknown): void {
  try {
    Y.applyUpdate(doc, update, origin);
  } catch {
    throw new GlossarySyncError('An update could not be applied');
  }
}
