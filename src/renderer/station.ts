import type { StationApi } from '../shared/contract.js';

declare global {
  interface Window {
    /** Provided by the preload (or the browser tests' bridge): the station contract, nothing else. */
    station?: StationApi;
  }
}

/** The station API, or null when the page runs without a bridge (then the shell says so instead of crashing). */
export function station(): StationApi | null {
  return window.station ?? null;
}

/** Errors cross the bridge as `{code, message}` values (or Errors); this turns either into one sentence. */
export function describeError(error: unknown): { code: string; message: string } {
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof message === 'string') return { code: typeof code === 'string' ? code : 'INTERNAL', message };
  }
  return { code: 'INTERNAL', message: String(error) };
}
