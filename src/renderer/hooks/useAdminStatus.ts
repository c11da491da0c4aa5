import { useCallback, useEffect, useState } from 'react';
import type { StationApi } from '../../shared/contract.js';
import type { AdminStatus } from '../../shared/schemas.js';

export interface AdminState {
  /** null until the engine has answered. */
  status: AdminStatus | null;
  /** Asks the engine again (after a PIN was tried, or an action that needs the session). */
  refresh(): Promise<AdminStatus | null>;
  /** Takes an answer the engine already gave (unlock, lock, PIN change). */
  set(status: AdminStatus): void;
}

/**
 * The administrator session as the engine sees it. The engine alone decides (the PIN, the lockout and its
 * clock live there); the window only shows it: every second while a lockout runs (so the wait counts down by
 * the engine's clock), every 15 s while a session is open (it ends by itself after a few idle minutes).
 */
export function useAdminStatus(api: StationApi): AdminState {
  const [status, setStatus] = useState<AdminStatus | null>(null);

  const refresh = useCallback(async () => {
    try {
      const value = await api.adminStatus();
      setStatus(value);
      return value;
    } catch {
      return null;
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const waiting = (status?.retryAfterSeconds ?? 0) > 0;
  const open = status?.pinSet === true && status.unlocked;
  useEffect(() => {
    if (!waiting && !open) return undefined;
    const timer = setInterval(() => void refresh(), waiting ? 1000 : 15_000);
    return () => clearInterval(timer);
  }, [waiting, open, refresh]);

  return { status, refresh, set: setStatus };
}
