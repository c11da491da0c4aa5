import { EVENT_CHANNELS, REQUEST_METHODS, type EventChannel, type RequestMethod, type StationApi } from '../../shared/contract.js';
import type { SyncStatus } from '../../shared/schemas.js';
import { StationError, type ErrorInfo } from '../../shared/errors.js';
import type { MessageTransport } from './transport.js';
import { errorValue, isErrorValue, validateRequest } from './validate.js';

/**
 * The station RPC: StationApi over any message transport (the utility process's MessagePort in the app, a
 * worker_threads MessageChannel in tests). Requests carry an id; replies carry the value or a plain
 * `{code, message}` error; events are pushed without a request. Structured clone carries Uint8Array frames
 * and images without copying them through JSON.
 */
export type RpcMessage =
  | { t: 'req'; id: number; method: string; args: unknown[] }
  | { t: 'res'; id: number; ok: true; value: unknown }
  | { t: 'res'; id: number; ok: false; error: ErrorInfo }
  | { t: 'evt'; channel: EventChannel; payload: unknown };

function isMessage(value: unknown): value is RpcMessage {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}

export interface RpcServer {
  close(): void;
}

/**
 * Serves `api` on `transport`. Every request is validated again here against the contract's schemas (main
 * already did; this port must not trust its peer either), and every failure goes back as an error value.
 */
export function serveStationApi(transport: MessageTransport, api: StationApi): RpcServer {
  const push = (channel: EventChannel, payload: unknown) => transport.send({ t: 'evt', channel, payload } satisfies RpcMessage);
  const unsubscribers = [api.onSyncStatus((status) => push('syncStatus', status)), api.onJobsChanged(() => push('jobsChanged', null))];

  const stopListening = transport.onMessage((message) => {
    if (!isMessage(message) || message.t !== 'req' || typeof message.id !== 'number') return;
    const { id } = message;
    void (async () => {
      try {
        const request = validateRequest(message.method, message.args);
        const call = api[request.method] as (...args: unknown[]) => Promise<unknown>;
        const value = await call.apply(api, request.args);
        transport.send({ t: 'res', id, ok: true, value } satisfies RpcMessage);
      } catch (error) {
        transport.send({ t: 'res', id, ok: false, error: errorValue(error) } satisfies RpcMessage);
      }
    })();
  });

  return {
    close() {
      stopListening();
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };
}

export interface StationClient extends StationApi {
  /** Fails every request still waiting for an answer (the peer went away) and stops listening. */
  dispose(reason: ErrorInfo): void;
  /** Requests sent and not yet answered. */
  pendingCount(): number;
}

/** The other end: a StationApi whose calls travel over `transport`. Rejections are StationErrors. */
export function createStationClient(transport: MessageTransport): StationClient {
  let nextId = 1;
  let disposed: ErrorInfo | null = null;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  const listeners: Record<EventChannel, Set<(payload: unknown) => void>> = { syncStatus: new Set(), jobsChanged: new Set() };

  const stopListening = transport.onMessage((message) => {
    if (!isMessage(message)) return;
    if (message.t === 'res') {
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(isErrorValue(message.error) ? new StationError(message.error.code, message.error.message) : new StationError('INTERNAL', 'The engine sent a malformed error.'));
    } else if (message.t === 'evt' && (EVENT_CHANNELS as readonly string[]).includes(message.channel)) {
      for (const listener of listeners[message.channel]) listener(message.payload);
    }
  });

  const request = (method: RequestMethod, args: unknown[]): Promise<unknown> => {
    if (disposed) return Promise.reject(new StationError(disposed.code, disposed.message));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      transport.send({ t: 'req', id, method, args } satisfies RpcMessage);
    });
  };

  const subscribe = (channel: EventChannel, listener: (payload: unknown) => void) => {
    listeners[channel].add(listener);
    return () => {
      listeners[channel].delete(listener);
    };
  };

  const methods = Object.fromEntries(REQUEST_METHODS.map((method) => [method, (...args: unknown[]) => request(method, args)])) as unknown as Pick<StationApi, RequestMethod>;

  return {
    ...methods,
    onSyncStatus: (listener) => subscribe('syncStatus', (payload) => listener(payload as SyncStatus)),
    onJobsChanged: (listener) => subscribe('jobsChanged', () => listener()),
    dispose(reason) {
      if (disposed) return;
      disposed = reason;
      stopListening();
      for (const waiter of pending.values()) waiter.reject(new StationError(reason.code, reason.message));
      pending.clear();
    },
    pendingCount: () => pending.size,
  } satisfies StationClient;
}
