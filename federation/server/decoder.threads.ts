/**
 * A small pool of decoder threads (see decoder.ts). Each task goes to the thread with the fewest
 * tasks in flight. The body is copied once into a buffer of its own and transferred, not cloned.
 * A thread that dies fails only the tasks it held (those requests get a 500; nothing of theirs
 * was stored) and is replaced. Threads are referenced only while they hold tasks, so an idle pool
 * never keeps the process alive.
 *
 * On the ingest benchmark (2 cores, 4 devices) one decoder thread raised throughput by about
 * 15% over decoding on the event loop; moving the content hashing there too did not help, since
 * cloning the extra strings back cost as much as it saved.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RawBody } from './body.ts';
import type { DecodedSync } from './decode.ts';
import { apiErrorFrom, type DecodeReply, type DecodeTask, type SyncDecoder } from './decoder.ts';
import type { DecodedPush, PushSigner } from '../hub/decode.ts';

/** One thread per core beyond the event loop's, at least 1 and at most 4. */
export function defaultDecoderThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

interface Pending {
  resolve(decoded: DecodedSync | DecodedPush): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

const SCRIPT = new URL('./decode.thread.js', import.meta.url);

/**
 * A decoder thread's young generation, in MB. Decoding allocates a batch's worth of short-lived
 * objects (parsed JSON, zod's outputs, canonical strings) and the default young generation
 * collects them many times per batch: with 128 MB, decoding a 1,000-record push took 16–17 ms of
 * CPU instead of 19–21 (a thread decoding captured pushes, minimum of 25 rounds; 192 MB gave no
 * more). V8 grows it only as far as a thread's allocation needs.
 */
const YOUNG_GENERATION_MB = 128;

export function threadDecoder(threads: number = defaultDecoderThreads()): SyncDecoder {
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const start = (index: number): Slot => {
    const worker = new Worker(SCRIPT, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    const fail = (error: Error) => {
      if (slots[index] !== slot) return;
      for (const p of slot.pending.values()) p.reject(error);
      slot.pending.clear();
      if (!closed) slots[index] = start(index);
    };
    worker.on('message', (reply: DecodeReply) => {
      const pending = slot.pending.get(reply.id);
      if (pending === undefined) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.ok) pending.resolve(reply.decoded);
      else if ('error' in reply) pending.reject(apiErrorFrom(reply.error));
      else pending.reject(new Error(`Sync decoder thread failed: ${reply.crash}`));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`Sync decoder thread exited with code ${code}`)));
    return slot;
  };
  for (let i = 0; i < Math.max(1, Math.trunc(threads)); i++) slots.push(start(i));

  const run = (body: RawBody, limit: number, push?: PushSigner): Promise<DecodedSync | DecodedPush> => {
    if (closed) return Promise.reject(new Error('The sync decoder is closed'));
    const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = nextId++;
    const bytes = new Uint8Array(body.bytes); // our own copy, so its buffer can be transferred
    const task: DecodeTask = { id, bytes, encoding: body.encoding, limit, ...(push !== undefined ? { push } : {}) };
    return new Promise<DecodedSync | DecodedPush>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage(task, [bytes.buffer]);
    });
  };

  return {
    decode(body: RawBody, limit: number): Promise<DecodedSync> {
      return run(body, limit) as Promise<DecodedSync>;
    },
    decodePush(body: RawBody, limit: number, node: PushSigner): Promise<DecodedPush> {
      return run(body, limit, { id: node.id, publicKey: node.publicKey }) as Promise<DecodedPush>;
    },
    async close() {
      if (closed) return;
      closed = true;
      const all = slots.splice(0);
      for (const slot of all) {
        for (const p of slot.pending.values()) p.reject(new Error('The sync decoder was closed'));
        slot.pending.clear();
      }
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}
