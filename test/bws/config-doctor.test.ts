import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOptionsFrom, resolveBwsConfig } from '../../src/engine/bws/config.js';
import { endpointDoctorChecks } from '../../src/engine/bws/doctor-check.js';
import { openEncryptedDatabase } from '../../src/engine/store/database.js';
import { SETTINGS_MIGRATION_SQL, SettingsStore } from '../../src/engine/store/settings.js';
import { type LocalFixture, startFixture, tempDir } from './helpers.js';

function settingsStore(): SettingsStore {
  const db = openEncryptedDatabase({ file: path.join(tempDir(), 'queue.db'), key: randomBytes(32), create: true, migrations: [{ version: 1, description: 'settings', up: (d) => d.exec(SETTINGS_MIGRATION_SQL) }] });
  return new SettingsStore(db);
}

describe('BWS configuration', () => {
  it('takes options over env over settings, and reads --key-file', () => {
    const settings = settingsStore();
    settings.set('endpoint', 'https://face.bws-eu.bioid.com');
    settings.set('clientId', 'from-settings');
    settings.set('key', 'c2V0dGluZ3Mta2V5');
    const fromSettings = resolveBwsConfig({ settings, env: {} });
    expect(fromSettings).toMatchObject({ endpoint: 'https://face.bws-eu.bioid.com', clientId: 'from-settings', missing: [], sources: { endpoint: 'settings', clientId: 'settings', key: 'settings' } });

    const fromEnv = resolveBwsConfig({ settings, env: { BWS_ENDPOINT: 'https://face.bws-us.bioid.com', BWS_CLIENT_ID: 'from-env', BWS_KEY: 'ZW52LWtleQ==' } });
    expect(fromEnv).toMatchObject({ endpoint: 'https://face.bws-us.bioid.com', clientId: 'from-env', key: 'ZW52LWtleQ==', sources: { key: 'env' } });

    const keyFile = path.join(tempDir(), 'key');
    fs.writeFileSync(keyFile, 'ZmlsZS1rZXk=\n');
    const fromOptions = resolveBwsConfig({ settings, env: { BWS_KEY: 'ZW52LWtleQ==' }, overrides: { clientId: 'from-option', keyFile } });
    expect(fromOptions).toMatchObject({ clientId: 'from-option', key: 'ZmlsZS1rZXk=', sources: { clientId: 'option', key: 'key-file' } });

    const empty = resolveBwsConfig({ env: {} });
    expect(empty.missing).toEqual(['endpoint', 'clientId', 'key']);
    expect(() => clientOptionsFrom(empty)).toThrow(expect.objectContaining({ code: 'NOT_CONFIGURED' }));
    expect(() => resolveBwsConfig({ env: {}, overrides: { keyFile: path.join(tempDir(), 'missing') } })).toThrow(expect.objectContaining({ code: 'NOT_CONFIGURED' }));
  });
});

describe('doctor checks of the endpoint', () => {
  let fixture: LocalFixture;
  beforeAll(async () => {
    fixture = await startFixture({ mode: 'store-only' });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('an unconfigured endpoint is ok with detail "not configured"', async () => {
    expect(await endpointDoctorChecks({ env: {}, network: true })).toEqual([{ name: 'bws endpoint', ok: true, detail: 'not configured' }]);
  });

  it('reports transport, credentials (never the key) and the readiness answer', async () => {
    const env = { BWS_ENDPOINT: fixture.endpoint, BWS_CLIENT_ID: fixture.credentials.clientId, BWS_KEY: fixture.credentials.key };
    const checks = await endpointDoctorChecks({ env, network: true });
    const byName = Object.fromEntries(checks.map((check) => [check.name, check]));
    expect(byName['bws endpoint']).toMatchObject({ ok: true });
    expect(byName['bws endpoint']!.detail).toMatch(/plaintext \(loopback only\)/);
    expect(byName['bws credentials']).toMatchObject({ ok: true });
    expect(byName['bws readiness']).toMatchObject({ ok: true });
    expect(byName['bws readiness']!.detail).toMatch(/^SERVING/);
    expect(JSON.stringify(checks)).not.toContain(fixture.credentials.key);
  });

  it('shows an insecure plaintext endpoint and an unreachable one', async () => {
    const insecure = await endpointDoctorChecks({ env: { BWS_ENDPOINT: 'http://192.0.2.1:9', BWS_INSECURE: '1' }, network: false });
    expect(insecure[0]).toMatchObject({ name: 'bws endpoint', ok: true });
    expect(insecure[0]!.detail).toMatch(/INSECURE/);
    expect(insecure[1]).toMatchObject({ name: 'bws credentials', ok: false });

    const refused = await endpointDoctorChecks({ env: { BWS_ENDPOINT: 'http://192.0.2.1:9' }, network: false });
    expect(refused[0]).toMatchObject({ ok: false });
    expect(refused[0]!.detail).toMatch(/loopback/);

    const closed = await startFixture({ mode: 'store-only' });
    const endpoint = closed.endpoint;
    await closed.close();
    const down = await endpointDoctorChecks({ env: { BWS_ENDPOINT: endpoint }, network: true });
    expect(down.find((check) => check.name === 'bws readiness')).toMatchObject({ ok: false });
  });
});
