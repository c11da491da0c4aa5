import { FRAME_PORT_GRANT, FRAME_PORT_REQUEST, isFrameReply, type FrameMessage, type FrameReply } from '../../../shared/frames.js';
import type { LiveGuidance } from '../../../shared/schemas.js';

/** The DOM MessagePort surface the link uses (a worker_threads port has it too, for the unit tests). */
export interface FramePortLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
  close(): void;
}

export type FrameOutcome =
  | { kind: 'guidance'; guidance: LiveGuidance; latencyMs: number }
  | { kind: 'dropped' }
  | { kind: 'error'; code: string; message: string }
  /** No answer in time: the engine restarted or the port died. Ask for a new port. */
  | { kind: 'lost' };

export interface FrameLinkStats {
  sent: number;
  answered: number;
  /** Frames not sent because one was still in flight, plus frames the engine answered `dropped`. */
  dropped: number;
}

/**
 * The renderer's end of the frame port: sends one raw RGBA frame at a time, transferring its buffer (the
 * caller's array is emptied, not copied), and refuses a new frame while one is in flight: the caller drops
 * it and sends a newer one when the answer is in. The engine's answer comes back with the renderer-to-
 * guidance latency measured here.
 */
export class FrameLink {
  private nextId = 1;
  private inFlight: { id: number; sentAt: number; resolve: (outcome: FrameOutcome) => void; timer: ReturnType<typeof setTimeout> } | null = null;
  private closed = false;
  readonly stats: FrameLinkStats = { sent: 0, answered: 0, dropped: 0 };

  constructor(
    private readonly port: FramePortLike,
    private readonly options: { replyTimeoutMs?: number; now?: () => number } = {},
  ) {
    port.addEventListener('message', (event) => this.onReply(event.data));
    port.start();
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a frame, or returns null (and counts a drop) when one is still in flight or the link is closed. */
  send(width: number, height: number, data: Uint8Array | Uint8ClampedArray): Promise<FrameOutcome> | null {
    if (this.inFlight || this.closed) {
      this.stats.dropped += 1;
      return null;
    }
    const id = this.nextId++;
    const now = this.options.now ?? (() => performance.now());
    // A view on part of a buffer cannot be transferred as is: copy only in that (unusual) case.
    const buffer = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? (data.buffer as ArrayBuffer) : data.slice().buffer;
    const message: FrameMessage = { t: 'frame', id, width, height, data: buffer };
    return new Promise<FrameOutcome>((resolve) => {
      const timer = setTimeout(() => {
        if (this.inFlight?.id !== id) return;
        this.inFlight = null;
        this.close();
        resolve({ kind: 'lost' });
      }, this.options.replyTimeoutMs ?? 10_000);
      this.inFlight = { id, sentAt: now(), resolve, timer };
      this.stats.sent += 1;
      this.port.postMessage(message, [buffer]);
    });
  }

  private onReply(data: unknown): void {
    if (!isFrameReply(data) || this.inFlight?.id !== data.id) return;
    const { resolve, sentAt, timer } = this.inFlight;
    clearTimeout(timer);
    this.inFlight = null;
    const now = this.options.now ?? (() => performance.now());
    resolve(this.outcome(data, now() - sentAt));
  }

  private outcome(reply: FrameReply, latencyMs: number): FrameOutcome {
    if (reply.t === 'guidance') {
      this.stats.answered += 1;
      return { kind: 'guidance', guidance: reply.guidance, latencyMs };
    }
    if (reply.t === 'dropped') {
      this.stats.dropped += 1;
      return { kind: 'dropped' };
    }
    return { kind: 'error', code: reply.error.code, message: reply.error.message };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
  }
}

/** The page's window, as far as asking for a frame port goes. */
export interface PortWindow {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  postMessage(message: unknown, targetOrigin: string): void;
}

/**
 * Asks the preload (in the app) or the test bridge (in the browser tests) for a frame port: posts
 * FRAME_PORT_REQUEST to this window and waits for FRAME_PORT_GRANT with the port attached.
 */
export function requestFramePort(target: PortWindow, timeoutMs = 15_000): Promise<MessagePort> {
  return new Promise((resolve, reject) => {
    const onMessage = (event: MessageEvent) => {
      if (event.source !== target || event.data !== FRAME_PORT_GRANT || !event.ports[0]) return;
      clearTimeout(timer);
      target.removeEventListener('message', onMessage);
      resolve(event.ports[0]);
    };
    const timer = setTimeout(() => {
      target.removeEventListener('message', onMessage);
      reject(new Error('No frame port: the engine did not answer.'));
    }, timeoutMs);
    target.addEventListener('message', onMessage);
    target.postMessage(FRAME_PORT_REQUEST, '*');
  });
}
