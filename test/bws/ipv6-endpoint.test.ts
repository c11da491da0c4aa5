import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../src/engine/bws/endpoint.js';
import { endpointDoctorChecks } from '../../src/engine/bws/doctor-check.js';
import { createStation, type Station } from '../../src/engine/station.js';
import { HeadlessKeyProvider } from '../../src/engine/store/keys.js';
import { hasIpv6Loopback, type LocalFixture, makeCertificates, startFixture, tempDir } from './helpers.js';

/**
 * IPv6 endpoints: written as in any URL, the address in brackets (`https://[2001:db8::1]:8443`). The engine
 * reads them, stores them as a setting and connects to them over TLS; forms that cannot be an endpoint are
 * refused with a sentence. The connection is made to a real local service listening on [::1].
 */
describe('IPv6 endpoint forms', () => {
  it('reads bracketed IPv6 addresses, with the default port and the loopback rule', () => {
    expect(parseEndpoint('https://[2001:db8::1]:8443')).toEqual({ url: 'https://[2001:db8::1]:8443', tls: true, host: '2001:db8::1', port: 8443, target: '[2001:db8::1]:8443', loopback: false });
    expect(parseEndpoint(' https://[::1] ')).toMatchObject({ url: 'https://[::1]:443', port: 443, target: '[::1]:443', loopback: true });
    // The URL standard's normal form: lower case, zeros compressed.
    expect(parseEndpoint('https://[2001:DB8:0:0:0:0:0:1]:443/')).toMatchObject({ host: '2001:db8::1', target: '[2001:db8::1]:443' });
    expect(parseEndpoint('http://[0:0:0:0:0:0:0:1]:5050')).toMatchObject({ tls: false, loopback: true, target: '[::1]:5050' });
    expect(() => parseEndpoint('http://[2001:db8::1]:5050')).toThrow(expect.objectContaining({ code: 'ENDPOINT_INSECURE' }));
  });

  it('refuses what cannot be an endpoint, saying what to write instead (and never echoing a password)', () => {
    const refusal = (text: string) => {
      try {
        parseEndpoint(text);
        return 'accepted';
      } catch (error) {
        return `${(error as { code: string }).code}: ${(error as Error).message}`;
      }
    };
    expect(refusal('[::1]:443')).toBe('ENDPOINT_INVALID: Endpoint "[::1]:443" must start with https:// (or http:// for a local service): use https://face.<location>.bioid.com, https://host:port, https://[IPv6 address]:port or http://127.0.0.1:<port>.');
    expect(refusal('https://::1:443')).toBe('ENDPOINT_INVALID: Endpoint "https://::1:443" has no usable host: use a host name, an IPv4 address, or an IPv6 address in brackets (https://[2001:db8::1]:443).');
    expect(refusal('https://[2001:db8::zz]')).toMatch(/^ENDPOINT_INVALID: .*IPv6 address in brackets/);
    expect(refusal('https://[::1]:70000')).toBe('ENDPOINT_INVALID: Endpoint "https://[::1]:70000" has a port outside 1-65535.');
    expect(refusal('https://[::1]:443/bws')).toMatch(/^ENDPOINT_INVALID: .*without a path/);
    const withPassword = refusal('https://admin:hunter2@[::1]:443');
    expect(withPassword).toMatch(/^ENDPOINT_INVALID: Endpoint "https:\/\/\*\*\*@\[::1\]:443" must be only scheme:\/\/host:port, without a user name or password/);
    expect(withPassword).not.toContain('hunter2');
  });
});

describe.skipIf(!hasIpv6Loopback())('a real local service on [::1]', () => {
  let fixture: LocalFixture;
  let certs: ReturnType<typeof makeCertificates>;
  let station: Station;

  beforeAll(async () => {
    certs = makeCertificates(tempDir('bws-ipv6-'));
    fixture = await startFixture({ mode: 'store-only', host: '::1', tls: { cert: certs.cert, key: certs.key } });
    station = await createStation({ dataDir: path.join(tempDir('bws-ipv6-station-'), 'data'), keyProvider: new HeadlessKeyProvider({ envKey: randomBytes(32).toString('base64') }), env: {} });
  });
  afterAll(async () => {
    await station?.close();
    await fixture?.close();
  });

  it('round-trips calls over TLS to https://[::1]:port (the certificate names ::1)', async () => {
    const client = fixture.client({ endpoint: `https://[::1]:${fixture.service.port}`, caFile: certs.ca });
    expect(client.endpoint).toMatchObject({ tls: true, host: '::1', loopback: true });
    expect((await client.health('readiness')).response.status).toBe('SERVING');
    expect((await client.getTemplateStatus('9223372036854775807')).response.available).toBe(false);
  });

  it('takes it as the station’s endpoint setting, and the doctor reaches and authenticates against it', async () => {
    const endpoint = `https://[::1]:${fixture.service.port}`;
    await station.setSetting('endpoint', endpoint);
    await station.setSetting('caFile', certs.ca);
    await station.setSetting('clientId', fixture.credentials.clientId);
    await station.setSetting('key', fixture.credentials.key);
    expect((await station.getSettings()).find((view) => view.name === 'endpoint')?.value).toBe(endpoint);
    const checks = await endpointDoctorChecks({ settings: station.store.settings, env: {}, network: true });
    expect(checks.map(({ name, ok }) => ({ name, ok }))).toEqual([
      { name: 'bws endpoint', ok: true },
      { name: 'bws credentials', ok: true },
      { name: 'bws readiness', ok: true },
      { name: 'bws authentication', ok: true },
    ]);
    expect(checks[0]!.detail).toContain(`https://[::1]:${fixture.service.port}`);
  });

  it('refuses a setting that cannot be an endpoint before storing it, in words', async () => {
    await expect(station.setSetting('endpoint', '[::1]:443')).rejects.toMatchObject({ code: 'ENDPOINT_INVALID', message: expect.stringMatching(/must start with https:\/\//) });
    expect((await station.getSettings()).find((view) => view.name === 'endpoint')?.value).toBe(`https://[::1]:${fixture.service.port}`);
  });
});
