import type { StationApi } from '../../shared/contract.js';
import { StationError, type ErrorInfo } from '../../shared/errors.js';
import { serveStationApi, type RpcServer } from './rpc.js';
import type { MessageTransport } from './transport.js';
import { errorValue } from './validate.js';

/** What Electron main sends first on the engine's private port: the data folder and the unwrapped key. */
export interface EngineInit {
  dataDir: string;
  key: Uint8Array;
  /** The OS's preferred UI languages (Electron's app.getPreferredSystemLanguages()); optional. */
  systemLocales?: string[];
}

/** Handshake messages around the RPC (the RPC itself uses `t: 'req' | 'res' | 'evt'`). */
export type HandshakeMessage = { t: 'init'; dataDir: string; key: Uint8Array; systemLocales?: string[] } | { t: 'ready' } | { t: 'fatal'; error: ErrorInfo };

function parseInit(message: unknown): EngineInit | null {
  if (typeof message !== 'object' || message === null || (message as { t?: unknown }).t !== 'init') return null;
  const { dataDir, key, systemLocales } = message as { dataDir?: unknown; key?: unknown; systemLocales?: unknown };
  if (typeof dataDir !== 'string' || dataDir.length === 0) throw new StationError('DATA_DIR', 'The engine was started without a data folder.');
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new StationError('KEY_INVALID', 'The engine was handed a key that is not 32 bytes.');
  // Only plain language tags are kept; anything else is ignored (English is the fallback).
  const locales = Array.isArray(systemLocales) ? systemLocales.filter((tag): tag is string => typeof tag === 'string' && /^[A-Za-z0-9_-]{1,35}$/.test(tag)).slice(0, 16) : [];
  return { dataDir, key, systemLocales: locales };
}

/**
 * The engine side of the process boundary, independent of Electron: waits for `init`, builds the station with
 * `build`, serves it on the same transport and answers `ready` (or `fatal` with an error value, after which
 * the supervisor decides whether to try again). Resolves with the running server.
 */
export function hostEngine(transport: MessageTransport, build: (init: EngineInit) => Promise<StationApi> | StationApi): Promise<RpcServer | null> {
  return new Promise((resolve) => {
    const stop = transport.onMessage((message) => {
      let init: EngineInit | null;
      try {
        init = parseInit(message);
      } catch (error) {
        stop();
        transport.send({ t: 'fatal', error: errorValue(error) } satisfies HandshakeMessage);
        resolve(null);
        return;
      }
      if (!init) return;
      stop();
      void (async () => {
        try {
          const api = await build(init);
          const server = serveStationApi(transport, api);
          transport.send({ t: 'ready' } satisfies HandshakeMessage);
          resolve(server);
        } catch (error) {
          transport.send({ t: 'fatal', error: errorValue(error) } satisfies HandshakeMessage);
          resolve(null);
        }
      })();
    });
  });
}
