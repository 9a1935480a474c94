/** Entry point of the Parquet thread (parquet.sink.ts): writes the batches it is sent, in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { type SinkMessage, type SinkSetup, sinkWriters } from './parquet.sink.ts';

const port = parentPort;
if (port === null) throw new Error('parquet.thread.js runs only as a worker thread');
const writers = sinkWriters(workerData as SinkSetup);
let failed: string | undefined;
port.on('message', (m: SinkMessage) => {
  void (async () => {
    try {
      if (m.op === 'rows') {
        if (failed === undefined) writers.rows(m.config, m.split, m.lines.map((line) => JSON.parse(line) as Record<string, unknown>));
        port.postMessage({ written: true });
      } else if (m.op === 'finish') {
        if (failed !== undefined) port.postMessage({ ok: false, error: failed });
        else port.postMessage({ ok: true, results: await writers.finish() });
      } else {
        await writers.abort();
        port.postMessage({ ok: true, results: { parquet: [], views: [] } });
      }
    } catch (err) {
      failed ??= err instanceof Error ? (err.stack ?? err.message) : String(err);
      port.postMessage({ ok: false, error: failed });
    }
  })();
});
