import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { hashPin, pinMatches } from '../../src/engine/store/admin-pin.js';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { createStation, type Station } from '../../src/engine/station.js';

/**
 * The administrator PIN on a real encrypted queue: a salted scrypt hash, never the PIN; a lockout whose
 * delay grows after 5 wrong PINs and survives a restart; every attempt audited; settings refused without it.
 */
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'station-pin-'));
const key = randomBytes(32).toString('base64');
const FAST = { N: 2 ** 10, r: 8, p: 1 };
let clock = Date.parse('2026-03-01T08:00:00Z');
const open: Station[] = [];

async function station(name: string): Promise<Station> {
  const opened = await createStation({ dataDir: path.join(work, name), keyProvider: new HeadlessKeyProvider({ envKey: key }), env: {}, adminPin: { now: () => clock, scrypt: FAST } });
  open.push(opened);
  return opened;
}

function auditEvents(opened: Station): string[] {
  return opened.store.audit.recent(1000).reverse().map((entry) => entry.event).filter((event) => event.startsWith('admin_') || event.startsWith('setting_'));
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((opened) => opened.close()));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('administrator PIN', () => {
  it('hashes with a random salt and matches only the right PIN', async () => {
    const one = await hashPin('4711', FAST);
    const two = await hashPin('4711', FAST);
    expect(one.salt).not.toBe(two.salt);
    expect(one.hash).not.toBe(two.hash);
    expect(JSON.stringify(one)).not.toContain('4711');
    await expect(pinMatches('4711', one)).resolves.toBe(true);
    await expect(pinMatches('4712', one)).resolves.toBe(false);
  });

  it('settings are open until a PIN is set, then need it; the PIN is never in settings or the database text', async () => {
    const s = await station('gate');
    expect(await s.adminStatus()).toEqual({ pinSet: false, unlocked: true, lockedUntil: null, retryAfterSeconds: 0, triesLeft: 5 });
    await s.setSetting('clientId', 'first-setup');
    await expect(s.setAdminPin('', '12')).rejects.toMatchObject({ code: 'USAGE' });
    expect(await s.setAdminPin('', '246810')).toMatchObject({ pinSet: true, unlocked: true });
    await s.lockAdmin();
    await expect(s.setSetting('clientId', 'changed')).rejects.toMatchObject({ code: 'PIN_REQUIRED' });
    expect(s.store.settings.get('clientId')).toBe('first-setup');
    await expect(s.unlockAdmin('135790')).rejects.toMatchObject({ code: 'PIN_WRONG' });
    expect(await s.unlockAdmin('246810')).toMatchObject({ unlocked: true });
    await s.setSetting('clientId', 'changed');
    expect(s.store.settings.get('clientId')).toBe('changed');
    expect(JSON.stringify(await s.getSettings())).not.toMatch(/246810|admin\.pin/);
    // A session ends by itself after a few idle minutes.
    clock += 6 * 60_000;
    expect((await s.adminStatus()).unlocked).toBe(false);
    await expect(s.setSetting('clientId', 'later')).rejects.toMatchObject({ code: 'PIN_REQUIRED' });
    // Changing the PIN needs the current one.
    await expect(s.setAdminPin('000000', '111111')).rejects.toMatchObject({ code: 'PIN_WRONG' });
    await s.setAdminPin('246810', '111111');
    await s.lockAdmin();
    await expect(s.unlockAdmin('246810')).rejects.toMatchObject({ code: 'PIN_WRONG' });
    await s.unlockAdmin('111111');
    expect(auditEvents(s)).toEqual([
      'setting_changed',
      'admin_pin_changed',
      'admin_pin_wrong',
      'admin_pin_ok',
      'setting_changed',
      'admin_pin_wrong',
      'admin_pin_ok',
      'admin_pin_changed',
      'admin_pin_wrong',
      'admin_pin_ok',
    ]);
    expect(JSON.stringify(s.store.audit.recent(1000))).not.toMatch(/246810|111111|135790/);
  });

  it('locks after 5 wrong PINs with a growing delay that a restart does not reset; the right PIN is refused while locked', async () => {
    let s = await station('lockout');
    await s.setAdminPin('', '8642');
    await s.lockAdmin();
    for (let attempt = 1; attempt <= 4; attempt += 1) await expect(s.unlockAdmin('0000')).rejects.toMatchObject({ code: 'PIN_WRONG' });
    expect(await s.adminStatus()).toMatchObject({ triesLeft: 1, retryAfterSeconds: 0 });
    const fifth = await s.unlockAdmin('0000').catch((error: unknown) => error as { code: string });
    expect(fifth).toMatchObject({ code: 'PIN_LOCKED' });
    const first = Date.parse((await s.adminStatus()).lockedUntil!);
    expect(first - clock).toBe(30_000);
    // The wait in seconds by the engine's own clock, so the window shows it without trusting its own clock.
    expect(await s.adminStatus()).toMatchObject({ triesLeft: 0, retryAfterSeconds: 30 });
    await expect(s.unlockAdmin('8642')).rejects.toMatchObject({ code: 'PIN_LOCKED' });

    // Restart: the lock is in the encrypted database, not in memory.
    await s.close();
    open.splice(open.indexOf(s), 1);
    s = await station('lockout');
    expect((await s.adminStatus()).lockedUntil).toBe(new Date(first).toISOString());
    clock = first + 1;
    await expect(s.unlockAdmin('0000')).rejects.toMatchObject({ code: 'PIN_LOCKED' });
    const second = Date.parse((await s.adminStatus()).lockedUntil!);
    expect(second - clock).toBe(60_000);
    clock = second + 1;
    expect(await s.unlockAdmin('8642')).toMatchObject({ unlocked: true, lockedUntil: null });
    // A success starts the count again: four more wrong PINs do not lock.
    await s.lockAdmin();
    for (let attempt = 1; attempt <= 4; attempt += 1) await expect(s.unlockAdmin('0000')).rejects.toMatchObject({ code: 'PIN_WRONG' });
    expect(auditEvents(s).filter((event) => event === 'admin_pin_refused_locked')).toHaveLength(1);
  });

  it('the app\'s supervisor override (enroll with force) needs the PIN once one is set, and is audited', async () => {
    const s = await station('override');
    await s.setAdminPin('', '246810');
    await s.lockAdmin();
    const request = { classId: 'not-a-class', images: [{ name: 'a.png', bytes: new Uint8Array([1]) }], force: true };
    await expect(s.enroll(request)).rejects.toMatchObject({ code: 'PIN_REQUIRED' });
    await expect(s.enroll({ ...request, adminPin: '135790' })).rejects.toMatchObject({ code: 'PIN_WRONG' });
    // The right PIN passes the gate: what refuses the request now is its class id, checked next.
    await expect(s.enroll({ ...request, adminPin: '246810' })).rejects.toMatchObject({ code: 'INVALID_CLASS_ID' });
    const events = s.store.audit.recent(1000).reverse().map((entry) => entry.event);
    expect(events.filter((event) => event === 'enroll_override')).toHaveLength(1);
    expect(events.slice(-3)).toEqual(['admin_pin_wrong', 'admin_pin_ok', 'enroll_override']);
  });

  it('the engine refuses settings the window must not change, even when unlocked', async () => {
    const s = await station('locked-settings');
    await expect(s.setSetting('insecure', true)).rejects.toMatchObject({ code: 'SETTING_LOCKED' });
    expect(s.store.settings.get('insecure')).toBe(false);
    await expect(s.setSetting('admin.pin', { v: 1 })).rejects.toMatchObject({ code: 'USAGE' });
    expect(auditEvents(s)).toEqual(['setting_refused']);
  });
});
