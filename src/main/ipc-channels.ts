import type { EventChannel, RequestMethod } from '../shared/contract.js';

/**
 * IPC channel names shared by main and the preload (no Electron import here, so the sandboxed preload bundle
 * pulls in only these strings).
 */
export const requestChannel = (method: RequestMethod): string => `station:${method}`;
export const eventChannel = (channel: EventChannel): string => `station:event:${channel}`;

/** What an IPC request resolves to: the value, or an error value. Never a thrown Error (it loses its code). */
export type IpcReply = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
