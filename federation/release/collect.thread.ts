/** Entry point of a collect thread (collect.threads.ts): set up once, then answers each page it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { type CollectedPage, type CollectSetup, collector, type PageTask } from './collect.ts';

const port = parentPort;
if (port === null) throw new Error('collect.thread.js runs only as a worker thread');
const collect = collector(workerData as CollectSetup);
port.on('message', ({ id, task }: { id: number; task: PageTask }) => {
  let reply: { id: number; out: CollectedPage } | { id: number; error: string };
  try {
    reply = { id, out: collect(task) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  port.postMessage(reply, 'out' in reply ? [reply.out.bands.buffer as ArrayBuffer, reply.out.sigs.buffer as ArrayBuffer] : []);
});
