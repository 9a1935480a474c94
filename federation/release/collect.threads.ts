/**
 * Where the per-page work of stages 2–6 runs (collect.ts): on worker threads when the compiled
 * thread script is there (the server build, dist/), else on the calling thread (tests running
 * the TypeScript sources; a worker thread cannot load TypeScript). Either way pages come back in
 * the order they were given, so the work table is the same.
 *
 * Pages go round-robin to the threads; the caller keeps a few in flight (`capacity`) so the
 * threads are never idle while it reads the next page or writes the last one.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type CollectedPage, type CollectSetup, collector, type PageTask } from './collect.ts';

export interface PageRunner {
  /** Pages to keep in flight for full use of the threads. */
  capacity: number;
  /** Threads the pages run on (0: the calling thread). */
  threads: number;
  run(task: PageTask): Promise<CollectedPage>;
  close(): Promise<void>;
}

const SCRIPT = new URL('./collect.thread.js', import.meta.url);

/** One thread per core (the main thread only reads and writes), at most 8. */
export function defaultCollectThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** The threads if `threads` > 0 and the compiled thread script exists; else the calling thread. */
export function pageRunner(setup: CollectSetup, threads: number = defaultCollectThreads()): PageRunner {
  if (threads > 0 && existsSync(fileURLToPath(SCRIPT))) return threadRunner(setup, threads);
  const collect = collector(setup);
  return { capacity: 1, threads: 0, run: async (task) => collect(task), close: async () => collect.close() };
}

function threadRunner(setup: CollectSetup, count: number): PageRunner {
  interface Pending { resolve(out: CollectedPage): void; reject(error: Error): void }
  const pending = new Map<number, Pending>();
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(SCRIPT, { workerData: setup });
    worker.on('message', (reply: { id: number; out: CollectedPage } | { id: number; error: string }) => {
      const p = pending.get(reply.id);
      if (p === undefined) return;
      pending.delete(reply.id);
      if ('out' in reply) p.resolve(reply.out);
      else p.reject(new Error(`A release collect thread failed: ${reply.error}`));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`A release collect thread exited with code ${code}`));
    });
    return worker;
  });
  let next = 0;
  return {
    capacity: count * 2,
    threads: count,
    run(task) {
      if (failure !== undefined) return Promise.reject(failure);
      const id = next++;
      return new Promise<CollectedPage>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        workers[id % count]!.postMessage({ id, task });
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
