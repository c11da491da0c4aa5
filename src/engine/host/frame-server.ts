import { StationError } from '../../shared/errors.js';
import { isFrameMessage, type FrameMessage, type FrameReply } from '../../shared/frames.js';
import { liveFrameSchema, type LiveFrame, type LiveGuidance } from '../../shared/schemas.js';
import type { MessageTransport } from './transport.js';
import { errorValue } from './validate.js';

export interface FrameServer {
  close(): void;
  /** Frames analysed, and frames answered `dropped` because one was still being analysed. */
  readonly stats: { analysed: number; dropped: number };
}

/** A frame's pixels as a Uint8Array view, whether the port delivered an ArrayBuffer or a typed array. */
function pixels(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** Checks a frame against the contract's frame schema; throws a coded error a person can act on. */
export function toLiveFrame(message: FrameMessage): LiveFrame {
  const data = pixels(message.data);
  const parsed = data ? liveFrameSchema.safeParse({ width: message.width, height: message.height, data }) : null;
  if (!parsed?.success) {
    throw new StationError('IMAGE_UNREADABLE', 'A camera frame must be raw RGBA bytes (width*height*4) of at most 640x480; this one was refused.');
  }
  return parsed.data;
}

/**
 * Serves live guidance on a dedicated frame port: one frame at a time; a frame that arrives while the
 * previous one is still being analysed is answered `dropped` at once (the renderer then simply sends a newer
 * frame), so the engine never works through a backlog of stale pictures.
 */
export function serveFrames(transport: MessageTransport, analyze: (frame: LiveFrame) => Promise<LiveGuidance>): FrameServer {
  let busy = false;
  const stats = { analysed: 0, dropped: 0 };
  const reply = (message: FrameReply) => transport.send(message);
  const stop = transport.onMessage((message) => {
    if (!isFrameMessage(message)) return;
    if (busy) {
      stats.dropped += 1;
      reply({ t: 'dropped', id: message.id });
      return;
    }
    busy = true;
    void (async () => {
      try {
        const guidance = await analyze(toLiveFrame(message));
        stats.analysed += 1;
        reply({ t: 'guidance', id: message.id, guidance });
      } catch (error) {
        reply({ t: 'error', id: message.id, error: errorValue(error) });
      } finally {
        busy = false;
      }
    })();
  });
  return {
    stats,
    close() {
      stop();
      transport.close?.();
    },
  };
}
