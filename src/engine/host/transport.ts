/**
 * A message transport: the smallest thing the station RPC needs from a port. Node's worker_threads
 * MessagePort, Electron's MessagePortMain (main side) and the utility process's port (engine side) all differ
 * a little in shape; the adapters below hide that so the RPC code is one piece, testable in plain Node.
 * This module imports nothing from Electron: the Electron shapes are described structurally.
 */
export interface MessageTransport {
  send(message: unknown): void;
  /** Subscribes to incoming messages; returns the unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void;
  close?(): void;
}

/** Node's worker_threads MessagePort (and anything else that emits the bare value). */
export interface NodePortLike {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
  start?(): void;
  close?(): void;
}

/** Electron's MessagePortMain: emits `{ data, ports }` events and must be started. */
export interface EventPortLike {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  off?(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  removeListener?(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  start?(): void;
  close?(): void;
}

export function nodePortTransport(port: NodePortLike): MessageTransport {
  return {
    send: (message) => port.postMessage(message),
    onMessage(listener) {
      port.on('message', listener);
      port.start?.();
      return () => {
        port.off('message', listener);
      };
    },
    close: () => port.close?.(),
  };
}

export function eventPortTransport(port: EventPortLike): MessageTransport {
  return {
    send: (message) => port.postMessage(message),
    onMessage(listener) {
      const handler = (event: { data: unknown }) => listener(event.data);
      port.on('message', handler);
      port.start?.();
      return () => {
        if (port.off) port.off('message', handler);
        else port.removeListener?.('message', handler);
      };
    },
    close: () => port.close?.(),
  };
}
