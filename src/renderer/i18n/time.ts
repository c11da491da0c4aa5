/**
 * How long ago something happened, as a value and unit for Intl.RelativeTimeFormat ("3 min ago",
 * "vor 3 Minuten"). Pure, so it is tested with fixed clocks. Future times (a retry that is due) give
 * positive values ("in 2 min").
 */
export type RelativeUnit = 'second' | 'minute' | 'hour' | 'day';

export function relativeTime(iso: string, now: number): { value: number; unit: RelativeUnit } | null {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  const seconds = Math.round((at - now) / 1000);
  const size = Math.abs(seconds);
  if (size < 45) return { value: size < 5 ? 0 : seconds, unit: 'second' };
  if (size < 45 * 60) return { value: Math.round(seconds / 60), unit: 'minute' };
  if (size < 22 * 3600) return { value: Math.round(seconds / 3600), unit: 'hour' };
  return { value: Math.round(seconds / 86_400), unit: 'day' };
}

/** A wait (the PIN lockout) as a number and unit for the locale's unit formatter: seconds, from 2 min on minutes. */
export function waitParts(seconds: number): { value: number; unit: 'second' | 'minute' } {
  return seconds < 120 ? { value: seconds, unit: 'second' } : { value: Math.ceil(seconds / 60), unit: 'minute' };
}
