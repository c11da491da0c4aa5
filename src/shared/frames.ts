import type { ErrorInfo } from './errors.js';
import type { LiveGuidance } from './schemas.js';

/**
 * The live frame path: camera frames travel from the renderer to the engine on their own MessagePort (not the
 * request/response IPC), as raw RGBA in a transferred ArrayBuffer, so a 640x480 frame (1.2 MB) is moved, not
 * copied or serialised. The renderer keeps at most one frame in flight; the engine also answers `dropped` to a
 * frame that arrives while it is still working on the previous one, so a backlog can never build up.
 */

/** Window messages between the page and its preload (or the browser tests' bridge) to obtain the port. */
export const FRAME_PORT_REQUEST = 'station:frame-port-request';
export const FRAME_PORT_GRANT = 'station:frame-port';

export interface FrameMessage {
  t: 'frame';
  id: number;
  width: number;
  height: number;
  /** width * height * 4 bytes of RGBA, upright and not mirrored. Transferred, not copied. */
  data: ArrayBuffer;
}

export type FrameReply =
  | { t: 'guidance'; id: number; guidance: LiveGuidance }
  | { t: 'dropped'; id: number }
  | { t: 'error'; id: number; error: ErrorInfo };

export function isFrameMessage(value: unknown): value is FrameMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Partial<FrameMessage>;
  return message.t === 'frame' && typeof message.id === 'number' && typeof message.width === 'number' && typeof message.height === 'number';
}

export function isFrameReply(value: unknown): value is FrameReply {
  if (typeof value !== 'object' || value === null) return false;
  const reply = value as { t?: unknown; id?: unknown };
  return (reply.t === 'guidance' || reply.t === 'dropped' || reply.t === 'error') && typeof reply.id === 'number';
}
