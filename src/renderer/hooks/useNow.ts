import { useEffect, useState } from 'react';

/** The current time, refreshed every `everyMs`, so "3 min ago" keeps counting while a screen stays open. */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
