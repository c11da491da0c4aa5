import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { StationError } from '../../shared/errors.js';
import type { AuditLog } from './audit.js';
import type { SettingsStore } from './settings.js';

/**
 * The administrator PIN that guards the app's settings, the kiosk exit and supervisor overrides.
 * Stored as a salted scrypt hash (never the PIN), compared in constant time. After 5 wrong PINs in a row
 * every further try waits for a delay that doubles each time (30 s, 1 min, 2 min, ... up to 1 h); the
 * failure count and the lock survive a restart because they live in the encrypted database.
 * Every success, failure, refusal while locked and change goes into the audit log (never the PIN).
 */
export interface PinRecord {
  v: 1;
  salt: string;
  hash: string;
  N: number;
  r: number;
  p: number;
}

interface LockState {
  failures: number;
  lockedUntil: number | null;
}

export interface AdminStatus {
  pinSet: boolean;
  unlocked: boolean;
  lockedUntil: string | null;
  retryAfterSeconds: number;
  triesLeft: number;
}

const PIN_KEY = 'admin.pin';
const LOCK_KEY = 'admin.lock';
const KEY_LENGTH = 32;
/** About 50-100 ms on a kiosk PC: slow for guessing, quick for a person. */
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
export const FREE_TRIES = 5;
const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 3_600_000;
/** An unlocked session ends after this long without an administrator action. */
export const ADMIN_SESSION_MS = 5 * 60_000;

export function checkPinFormat(pin: string): void {
  if (!/^[0-9]{4,12}$/.test(pin)) throw new StationError('USAGE', 'The PIN must be 4 to 12 digits.');
}

function derive(pin: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => scrypt(pin, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPin(pin: string, params: { N: number; r: number; p: number } = DEFAULT_SCRYPT): Promise<PinRecord> {
  const salt = randomBytes(16);
  const hash = await derive(pin, salt, params);
  return { v: 1, salt: salt.toString('base64'), hash: hash.toString('base64'), ...params };
}

export async function pinMatches(pin: string, record: PinRecord): Promise<boolean> {
  const expected = Buffer.from(record.hash, 'base64');
  const actual = await derive(pin, Buffer.from(record.salt, 'base64'), record);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * One line for an administrator's site file ("adminPinHash"): the scrypt parameters, salt and hash, never the
 * PIN. `station config pin-hash` prints it.
 */
export function formatPinRecord(record: PinRecord): string {
  return `scrypt$${record.N}$${record.r}$${record.p}$${record.salt}$${record.hash}`;
}

/** The record of a site file's "adminPinHash" line; null when the text is not one. */
export function parsePinRecord(text: string): PinRecord | null {
  const match = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]{16,}={0,2})\$([A-Za-z0-9+/]{43}=)$/.exec(text.trim());
  if (!match) return null;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Bounds keep a hostile file from asking for gigabytes of scrypt memory or a weak work factor.
  if (!(N >= 2 ** 14 && N <= 2 ** 20 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return null;
  return { v: 1, salt: match[4]!, hash: match[5]!, N, r, p };
}

export class AdminPin {
  private unlockedUntil = 0;

  constructor(
    private readonly settings: SettingsStore,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
    private readonly scryptParams: { N: number; r: number; p: number } = DEFAULT_SCRYPT,
  ) {}

  private record(): PinRecord | null {
    // A PIN set by the administrator's site file wins over one set in the app, and cannot be changed there.
    if (this.settings.site?.adminPin) return this.settings.site.adminPin;
    const value = this.settings.getInternal(PIN_KEY) as PinRecord | undefined;
    return value && value.v === 1 ? value : null;
  }

  private lock(): LockState {
    const value = this.settings.getInternal(LOCK_KEY) as LockState | undefined;
    return value ?? { failures: 0, lockedUntil: null };
  }

  get pinSet(): boolean {
    return this.record() !== null;
  }

  /** Open when no PIN is set yet (first setup), else only during an unlocked session. */
  get unlocked(): boolean {
    if (!this.pinSet) return true;
    return this.now() < this.unlockedUntil;
  }

  status(): AdminStatus {
    const { failures, lockedUntil } = this.lock();
    const waitMs = lockedUntil ? Math.max(0, lockedUntil - this.now()) : 0;
    return {
      pinSet: this.pinSet,
      unlocked: this.unlocked,
      lockedUntil: waitMs > 0 ? new Date(lockedUntil!).toISOString() : null,
      retryAfterSeconds: Math.ceil(waitMs / 1000),
      triesLeft: Math.max(0, FREE_TRIES - failures),
    };
  }

  /** Checks a PIN (with the lockout); resolves when it is right, throws PIN_WRONG or PIN_LOCKED. */
  async verify(pin: string, purpose: string): Promise<void> {
    const record = this.record();
    if (!record) throw new StationError('PIN_REQUIRED', 'No administrator PIN is set yet.');
    const state = this.lock();
    if (state.lockedUntil && state.lockedUntil > this.now()) {
      this.audit.append('admin_pin_refused_locked', null, { purpose });
      throw new StationError('PIN_LOCKED', `Too many wrong PINs: try again after ${new Date(state.lockedUntil).toISOString()}.`, { details: { lockedUntil: new Date(state.lockedUntil).toISOString() } });
    }
    if (/^[0-9]{4,12}$/.test(pin) && (await pinMatches(pin, record))) {
      this.settings.setInternal(LOCK_KEY, { failures: 0, lockedUntil: null } satisfies LockState);
      this.audit.append('admin_pin_ok', null, { purpose });
      return;
    }
    const failures = state.failures + 1;
    const lockedUntil = failures >= FREE_TRIES ? this.now() + Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - FREE_TRIES)) : null;
    this.settings.setInternal(LOCK_KEY, { failures, lockedUntil } satisfies LockState);
    this.audit.append('admin_pin_wrong', null, { purpose, failures });
    if (lockedUntil) throw new StationError('PIN_LOCKED', `Wrong PIN, ${failures} times in a row: try again after ${new Date(lockedUntil).toISOString()}.`, { details: { lockedUntil: new Date(lockedUntil).toISOString() } });
    throw new StationError('PIN_WRONG', `Wrong PIN (${FREE_TRIES - failures} more tries before a waiting time).`);
  }

  async unlock(pin: string): Promise<AdminStatus> {
    await this.verify(pin, 'unlock settings');
    this.unlockedUntil = this.now() + ADMIN_SESSION_MS;
    return this.status();
  }

  lockNow(): AdminStatus {
    this.unlockedUntil = 0;
    return this.status();
  }

  /** Every administrator action keeps the session open a little longer; refuses when it is not open. */
  requireUnlocked(action: string): void {
    if (!this.unlocked) throw new StationError('PIN_REQUIRED', `Enter the administrator PIN to ${action}.`);
    if (this.pinSet) this.unlockedUntil = this.now() + ADMIN_SESSION_MS;
  }

  /** Sets or changes the PIN: the current PIN is required once one is set. */
  async change(currentPin: string, newPin: string): Promise<AdminStatus> {
    if (this.settings.site?.adminPin) throw new StationError('SITE_LOCKED', `The administrator PIN is set by the site file ${this.settings.site.path}; change it there.`);
    checkPinFormat(newPin);
    if (this.pinSet) await this.verify(currentPin, 'change the PIN');
    this.settings.setInternal(PIN_KEY, await hashPin(newPin, this.scryptParams));
    this.settings.setInternal(LOCK_KEY, { failures: 0, lockedUntil: null } satisfies LockState);
    this.audit.append('admin_pin_changed', null, {});
    this.unlockedUntil = this.now() + ADMIN_SESSION_MS;
    return this.status();
  }
}
