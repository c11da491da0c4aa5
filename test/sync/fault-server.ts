import { randomBytes } from 'node:crypto';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { createLocalBwsHandlers, serveBws, type LocalBwsHandlers, type RunningServer } from '../../src/engine/bws-local/index.js';
import { tempDir } from '../helpers/paths.js';

/**
 * A fault-injecting BWS: the REAL local service's handlers (store-only mode: JWT checks, template store,
 * headers) wrapped so a test can, per Enroll call, answer UNAVAILABLE or INVALID_ARGUMENT without storing,
 * store and then answer too late, or store and then drop the connection. Clients reach it through a TCP proxy
 * so connections can be cut (after a request arrived) and the network taken down and brought back.
 */
export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; code: grpc.status; details: string }
  | { kind: 'late'; delayMs: number }
  | { kind: 'drop-after-commit' }
  | { kind: 'drop-before-commit' }
  | { kind: 'delay'; beforeMs: number; afterMs: number }
  /** Holds the call (checked every 10 ms) until the condition holds, then stores and answers. */
  | { kind: 'hold'; until: () => boolean }
  /** Stores, then answers with the real answer as `change` returns it (a service that reports otherwise). */
  | { kind: 'rewrite'; change: (answer: Record<string, unknown>) => Record<string, unknown> };

export interface EnrollArrival {
  classId: string;
  /** The local job id from the Reference-Number header (station-jobid-attempt). */
  jobId: string | null;
  images: number;
}

export interface FaultyBws {
  endpoint: string;
  credentials: { clientId: string; key: string };
  handlers: LocalBwsHandlers;
  /** Decides the fault for each Enroll that arrives (default: pass). */
  plan: (arrival: EnrollArrival, index: number) => Fault;
  arrivals: EnrollArrival[];
  /** Enrollments the real service stored, per local job id. */
  commits: Map<string, number>;
  /** The class id of every GetTemplateStatus call, in order of arrival. */
  statusReads: string[];
  /** Enroll calls being processed right now (from arrival until the answer is sent or the call is dropped). */
  inFlight: number;
  /** The same, per class id. */
  inFlightByClass: Map<string, number>;
  /** Enroll calls in flight whose enrollment the service already stored (the answer not sent yet). */
  storedUnanswered: number;
  proxy: TcpProxy;
  featureVectors(classId: string): number;
  close(): Promise<void>;
}

export async function startFaultyBws(options: { credentials?: { clientId: string; key: string }; mode?: 'store-only' | 'vision' } = {}): Promise<FaultyBws> {
  const credentials = options.credentials ?? { clientId: `client-${randomBytes(4).toString('hex')}`, key: randomBytes(64).toString('base64') };
  const handlers = createLocalBwsHandlers({ ...credentials, dataDir: tempDir('faulty-bws-'), dbKey: randomBytes(32), mode: options.mode ?? 'store-only' });
  const realEnroll = handlers.faceRecognition.Enroll as grpc.handleUnaryCall<{ classId: string; images: unknown[] }, unknown>;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const state: FaultyBws = {
    endpoint: '',
    credentials,
    handlers,
    plan: () => ({ kind: 'pass' }),
    arrivals: [],
    commits: new Map(),
    statusReads: [],
    inFlight: 0,
    inFlightByClass: new Map(),
    storedUnanswered: 0,
    proxy: undefined as unknown as TcpProxy,
    featureVectors: (classId) => handlers.store.get(classId)?.featureVectors ?? 0,
    close: async () => {},
  };

  const wrappedEnroll: grpc.handleUnaryCall<{ classId: string; images: unknown[] }, unknown> = (call, callback) => {
    const reference = call.metadata.get('reference-number')[0];
    const jobId = typeof reference === 'string' ? (/^[^-]+-(.+)-\d+$/.exec(reference)?.[1] ?? null) : null;
    const arrival: EnrollArrival = { classId: String(call.request.classId), jobId, images: call.request.images?.length ?? 0 };
    const fault = state.plan(arrival, state.arrivals.length);
    state.arrivals.push(arrival);
    state.inFlight += 1;
    state.inFlightByClass.set(arrival.classId, (state.inFlightByClass.get(arrival.classId) ?? 0) + 1);
    let stored = false;
    const done = () => {
      state.inFlight -= 1;
      state.inFlightByClass.set(arrival.classId, state.inFlightByClass.get(arrival.classId)! - 1);
      if (stored) state.storedUnanswered -= 1;
    };
    // Runs the real handler; resolves with its answer once it has stored (or refused) the enrollment.
    const runReal = () =>
      new Promise<{ error: grpc.ServiceError | null; value: unknown; trailer: grpc.Metadata | undefined }>((resolve) => {
        realEnroll(call, ((error: grpc.ServiceError | null, value: unknown, trailer?: grpc.Metadata) => {
          if (!error && jobId) state.commits.set(jobId, (state.commits.get(jobId) ?? 0) + 1);
          if (!error) {
            stored = true;
            state.storedUnanswered += 1;
          }
          resolve({ error, value, trailer });
        }) as grpc.sendUnaryData<unknown>);
      });
    void (async () => {
      switch (fault.kind) {
        case 'status':
          done();
          callback({ code: fault.code, details: fault.details });
          return;
        case 'drop-before-commit':
          state.proxy.dropAll();
          done();
          return;
        case 'drop-after-commit':
          await runReal();
          state.proxy.dropAll();
          done();
          return;
        case 'late': {
          const answer = await runReal();
          await sleep(fault.delayMs);
          done();
          callback(answer.error, answer.value, answer.trailer);
          return;
        }
        case 'hold': {
          while (!fault.until()) await sleep(10);
          const answer = await runReal();
          done();
          callback(answer.error, answer.value, answer.trailer);
          return;
        }
        case 'rewrite': {
          const answer = await runReal();
          done();
          callback(answer.error, answer.error ? answer.value : fault.change(answer.value as Record<string, unknown>), answer.trailer);
          return;
        }
        case 'delay': {
          await sleep(fault.beforeMs);
          const answer = await runReal();
          await sleep(fault.afterMs);
          done();
          callback(answer.error, answer.value, answer.trailer);
          return;
        }
        default: {
          const answer = await runReal();
          done();
          callback(answer.error, answer.value, answer.trailer);
        }
      }
    })();
  };

  const realStatus = handlers.faceRecognition.GetTemplateStatus as grpc.handleUnaryCall<{ classId: string }, unknown>;
  const countedStatus: grpc.handleUnaryCall<{ classId: string }, unknown> = (call, callback) => {
    state.statusReads.push(String(call.request.classId));
    realStatus(call, callback);
  };
  const faceRecognition = { ...handlers.faceRecognition, Enroll: wrappedEnroll, GetTemplateStatus: countedStatus };
  const running: RunningServer = await serveBws({ faceRecognition, health: handlers.health });
  const proxy = await TcpProxy.start(running.port);
  state.proxy = proxy;
  state.endpoint = `http://127.0.0.1:${proxy.port}`;
  state.close = async () => {
    await proxy.close();
    await running.close(0);
    await handlers.close();
  };
  return state;
}

/** A TCP proxy on 127.0.0.1 that can cut every connection and refuse new ones (a network outage). */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private down = false;

  private constructor(private readonly server: net.Server, readonly port: number) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const holder: { proxy?: TcpProxy } = {};
    const server = net.createServer((client) => holder.proxy!.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return holder.proxy;
  }

  private accept(client: net.Socket, targetPort: number): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Cuts every open connection (each side sees a reset). */
  dropAll(): void {
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  setDown(down: boolean): void {
    this.down = down;
    if (down) this.dropAll();
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
