import * as grpc from '@grpc/grpc-js';
import { MAX_REQUEST_BYTES } from '../bws/client.js';
import { faceRecognitionDefinition, healthDefinition } from '../bws/proto.js';
import { listenLimited } from './connections.js';
import { metadataLimit } from './limits.js';
import { DEFAULT_MAX_CONNECTIONS_PER_CLIENT, DEFAULT_MAX_STREAMS_PER_CONNECTION, MAX_METADATA_BYTES } from './serve-limits.js';
import { type LocalBwsHandlers, type LocalBwsServiceOptions, createLocalBwsHandlers } from './handlers.js';

/**
 * Server options of the local service. The receive limit is the service's 50 MB request limit: grpc-js itself
 * answers RESOURCE_EXHAUSTED ("Received message larger than max") before a handler sees a bigger request.
 * The rest sheds abuse: request headers over 16 KiB are refused before the token check, a connection carries
 * at most 16 calls at once, a connection without calls is closed after 30 s (a client that sent garbage and
 * went quiet does not hold a socket), a dead peer is found by keepalive pings, and no connection lives longer
 * than 10 minutes (plus 2 minutes for its calls to finish; a real client reconnects on the GOAWAY), so even
 * one that keeps calls open cannot hold a socket for ever. The number of connections per client is bounded
 * by the listener (see connections.ts).
 */
const BASE_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
  'grpc.max_send_message_length': 256 * 1024 * 1024,
  'grpc.max_connection_idle_ms': 30_000,
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.max_connection_age_ms': 10 * 60_000,
  'grpc.max_connection_age_grace_ms': 2 * 60_000,
};

/** The server options with the default limits. */
export const LOCAL_SERVER_OPTIONS: grpc.ServerOptions = localServerOptions();

/** LOCAL_SERVER_OPTIONS with other header and per-connection call limits (`station bws serve` flags). */
export function localServerOptions(limits: { maxStreamsPerConnection?: number; maxMetadataBytes?: number } = {}): grpc.ServerOptions {
  return {
    ...BASE_OPTIONS,
    'grpc.max_concurrent_streams': limits.maxStreamsPerConnection ?? DEFAULT_MAX_STREAMS_PER_CONNECTION,
    interceptors: [metadataLimit(limits.maxMetadataBytes ?? MAX_METADATA_BYTES)],
  };
}

export interface ServerTls {
  /** PEM certificate chain and private key of the server. */
  cert: Buffer;
  key: Buffer;
}

export interface ListenOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tls?: ServerTls;
  /** Overrides of LOCAL_SERVER_OPTIONS (tests shorten the idle timeout). */
  serverOptions?: grpc.ServerOptions;
  /** Calls one connection may carry at once (default 16; HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS). */
  maxStreamsPerConnection?: number;
  /** Request header bytes (names and values) past which a call is answered RESOURCE_EXHAUSTED (default 16 KiB). */
  maxMetadataBytes?: number;
  /** Connections one client address may hold at once (default 8); more are closed as they arrive. */
  maxConnectionsPerClient?: number;
  /** Told about each connection refused for the per-client limit (address and its open connections). */
  onConnectionRefused?: (client: string, open: number) => void;
}

export interface RunningServer {
  /** host:port actually bound ([v6]:port for IPv6). */
  address: string;
  host: string;
  port: number;
  server: grpc.Server;
  /** Open connections per client address. */
  openConnections(): Map<string, number>;
  /** Stops listening, lets calls in flight finish for `graceMs` (default 5 s), then drops every connection. */
  close(graceMs?: number): Promise<void>;
}

export interface RunningLocalBws extends RunningServer {
  handlers: LocalBwsHandlers;
}

/**
 * Binds FaceRecognition + Health implementations on a new grpc.Server. Used by startLocalBws and by anyone who
 * wraps the real handlers (a fault-injecting server passes its wrapped implementation here).
 */
export async function serveBws(
  implementation: { faceRecognition: grpc.UntypedServiceImplementation; health: grpc.UntypedServiceImplementation },
  listen: ListenOptions = {},
  serverOptions: grpc.ServerOptions = localServerOptions(listen),
): Promise<RunningServer> {
  const host = listen.host ?? '127.0.0.1';
  const server = new grpc.Server({ ...serverOptions, ...listen.serverOptions });
  server.addService(faceRecognitionDefinition(), implementation.faceRecognition);
  server.addService(healthDefinition(), implementation.health);
  const credentials = listen.tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: listen.tls.cert, private_key: listen.tls.key }], false)
    : grpc.ServerCredentials.createInsecure();
  const listener = await listenLimited(server, credentials, {
    host: host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host,
    port: listen.port ?? 0,
    maxConnectionsPerClient: listen.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
    ...(listen.onConnectionRefused ? { onRefused: listen.onConnectionRefused } : {}),
  });
  const bindHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    address: `${bindHost}:${listener.port}`,
    host,
    port: listener.port,
    server,
    openConnections: listener.openConnections,
    close: async (graceMs?: number) => {
      // The listener's close completes when its last socket has gone, so drop what gRPC left first.
      const stopped = listener.stopListening();
      await shutdown(server, graceMs);
      listener.destroyAll();
      await stopped;
    },
  };
}

/** Graceful shutdown (in-flight calls finish) with a hard stop after 5 s. */
export function shutdown(server: grpc.Server, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Starts the local BWS-compatible service (vision mode unless options.mode says otherwise). */
export async function startLocalBws(options: LocalBwsServiceOptions & ListenOptions): Promise<RunningLocalBws> {
  const handlers = createLocalBwsHandlers(options);
  let running: RunningServer;
  try {
    running = await serveBws(handlers, options);
  } catch (error) {
    await handlers.close();
    throw error;
  }
  return {
    ...running,
    handlers,
    close: async (graceMs?: number) => {
      await running.close(graceMs);
      await handlers.close();
    },
  };
}

/**
 * A store-only local service for the queue benchmark: accepts Enroll and counts feature vectors per class
 * (no vision, no thumbnails); GetTemplateStatus, DeleteTemplate and SetTemplateTags work as usual.
 */
export function startStoreOnlyBws(options: Omit<LocalBwsServiceOptions, 'mode' | 'vision'> & ListenOptions): Promise<RunningLocalBws> {
  return startLocalBws({ ...options, mode: 'store-only' });
}
