/** Entry point of a decoder thread (see decoder.threads.ts): answers each task it is sent. */
import { parentPort } from 'node:worker_threads';
import { type DecodeTask, runDecodeTask } from './decoder.ts';

const port = parentPort;
if (port === null) throw new Error('decode.thread.js runs only as a worker thread');
port.on('message', (task: DecodeTask) => port.postMessage(runDecodeTask(task)));
