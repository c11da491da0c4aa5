import net from 'node:net';
import type * as grpc from '@grpc/grpc-js';
import { StationError } from '../../shared/errors.js';

/** A client is its remote IP address (its port changes with every connection); IPv4-mapped IPv6 is IPv4. */
export function clientAddress(socket: net.Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

export interface LimitedListener {
  /** The port actually bound. */
  port: number;
  /** Open connections per client address (for tests and diagnostics). */
  openConnections(): Map<string, number>;
  /** Stops accepting; resolves once every accepted socket has closed (gRPC's shutdown or destroyAll closes them). */
  stopListening(): Promise<void>;
  /** Destroys every socket still open (after the gRPC server's grace period). */
  destroyAll(): void;
}

export interface LimitedListenOptions {
  host: string;
  port: number;
  maxConnectionsPerClient: number;
  /** Told once per refused connection (the client's address, never more). */
  onRefused?: (client: string, open: number) => void;
}

/**
 * Listens with a plain net.Server and hands each accepted socket to the gRPC server through its connection
 * injector, so the service can count sockets per client before gRPC sees them: grpc-js has no per-client
 * connection limit of its own. A connection past the limit is closed at once, before any TLS or HTTP/2 work.
 */
export function listenLimited(server: grpc.Server, credentials: grpc.ServerCredentials, options: LimitedListenOptions): Promise<LimitedListener> {
  const injector = server.createConnectionInjector(credentials);
  const open = new Map<string, number>();
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    const client = clientAddress(socket);
    const count = open.get(client) ?? 0;
    if (count >= options.maxConnectionsPerClient) {
      options.onRefused?.(client, count);
      socket.destroy();
      return;
    }
    open.set(client, count + 1);
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
    injector.injectConnection(socket);
  });
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      injector.destroy();
      reject(new StationError('USAGE', `Cannot listen on ${options.host}:${options.port}: ${error.message}.`, { cause: error }));
    };
    listener.once('error', onError);
    listener.listen({ host: options.host, port: options.port }, () => {
      listener.off('error', onError);
      const address = listener.address() as net.AddressInfo;
      resolve({
        port: address.port,
        openConnections: () => new Map(open),
        stopListening: () => new Promise((done) => listener.close(() => done())),
        destroyAll: () => {
          for (const socket of sockets) socket.destroy();
        },
      });
    });
  });
}
