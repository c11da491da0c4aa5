import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { StationError } from '../../shared/errors.js';
import { giveFloats } from './float-pool.js';

/**
 * The ONNX sessions live on a worker thread. onnxruntime-node's `session.run` computes synchronously on the
 * calling thread (its promise only defers the call), so on the main thread every crop, alignment and check
 * waited for every model run. Here a run proceeds while the main thread cuts the next model's input.
 * Runs are still one at a time (one worker): two at once would fight over the two cores.
 *
 * The worker's code is a small CommonJS script evaluated in the worker (a separate .js file would not exist
 * when the engine runs from TypeScript sources under the test runner). Tensors cross as transferred buffers.
 */
export interface ModelInfo {
  inputNames: string[];
  outputNames: string[];
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const sessions = new Map();
async function handle(m) {
  if (m.type === 'load') {
    const session = await ort.InferenceSession.create(m.load, m.options);
    sessions.set(m.role, session);
    return { result: { inputNames: [...session.inputNames], outputNames: [...session.outputNames] } };
  }
  if (m.type === 'run') {
    const session = sessions.get(m.role);
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', m.data, m.dims) });
    const outputs = {};
    for (const name of session.outputNames) outputs[name] = out[name].data;
    // The input goes back too, so the main thread can reuse its memory for the next image.
    return { result: { outputs, input: m.data }, transfer: [...new Set([m.data.buffer, ...Object.values(outputs).map((d) => d.buffer)])] };
  }
  if (m.type === 'release') {
    for (const session of sessions.values()) await session.release();
    sessions.clear();
    return { result: null };
  }
  throw new Error('unknown message ' + m.type);
}
parentPort.on('message', (m) => {
  handle(m).then(
    ({ result, transfer }) => {
      try {
        parentPort.postMessage({ id: m.id, ok: true, result }, transfer || []);
      } catch {
        parentPort.postMessage({ id: m.id, ok: true, result });
      }
    },
    (error) => parentPort.postMessage({ id: m.id, ok: false, message: String((error && error.message) || error) }),
  );
});
`;

/**
 * In the packaged app onnxruntime-node is unpacked next to the asar (a native library cannot load from
 * inside it), and a worker thread is not promised Electron's asar file redirection: point it at the
 * unpacked copy directly.
 */
export function unpackedPath(file: string): string {
  const marker = `${path.sep}app.asar${path.sep}`;
  const at = file.indexOf(marker);
  if (at < 0) return file;
  const unpacked = `${file.slice(0, at)}${path.sep}app.asar.unpacked${path.sep}${file.slice(at + marker.length)}`;
  return fs.existsSync(unpacked) ? unpacked : file;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor() {
    const ortPath = unpackedPath(createRequire(import.meta.url).resolve('onnxruntime-node'));
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath } });
    // Idle, the worker must not keep the process alive (a caller that forgets close() still exits).
    this.worker.unref();
    this.worker.on('message', (message: { id: number; ok: boolean; result?: unknown; message?: string }) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) this.worker.unref();
      if (message.ok) waiting.resolve(message.result);
      else waiting.reject(new Error(message.message ?? 'model run failed'));
    });
    const fail = (error: Error): void => {
      this.failure = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', (error) => fail(new StationError('INTERNAL', `The model worker stopped: ${error.message}.`, { cause: error })));
    this.worker.on('exit', (code) => fail(new StationError('INTERNAL', `The model worker exited (code ${code}).`)));
  }

  private call<T>(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Creates the session for `role` from a file path or model bytes. */
  load(role: string, load: string | Uint8Array, options: object): Promise<ModelInfo> {
    return this.call({ type: 'load', role, load, options });
  }

  /**
   * Runs one model. The input's buffer is handed over to the worker (the caller must not use it again); it
   * comes back with the outputs and goes to the float pool for the next image.
   */
  async run(role: string, data: Float32Array, dims: readonly number[]): Promise<Record<string, Float32Array>> {
    const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
    const reply = await this.call<{ outputs: Record<string, Float32Array>; input: Float32Array }>({ type: 'run', role, data: own, dims: [...dims] }, [own.buffer as ArrayBuffer]);
    giveFloats(reply.input);
    return reply.outputs;
  }

  async close(): Promise<void> {
    if (!this.failure) await this.call({ type: 'release' }).catch(() => undefined);
    this.failure ??= new StationError('INTERNAL', 'The vision engine is closed.');
    await this.worker.terminate();
  }
}

let started: InferenceWorker | null = null;

/**
 * Starts an inference worker now, for the next model start to take (takeInferenceWorker): starting a worker
 * and loading onnxruntime on it is a good part of a cold start, and this module loads little, so a process
 * can start it before it loads the model check and its command line (zod, commander) on its own thread.
 */
export function startInferenceWorker(): void {
  started ??= new InferenceWorker();
}

/** The worker started by startInferenceWorker (once), or a new one. */
export function takeInferenceWorker(): InferenceWorker {
  const worker = started ?? new InferenceWorker();
  started = null;
  return worker;
}
