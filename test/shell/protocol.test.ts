import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocol, resetElectronStub } from '../stubs/electron.js';
import { CONTENT_SECURITY_POLICY, createAppProtocolHandler, installAppProtocol, registerAppScheme, resolveAppPath } from '../../src/main/protocol.js';

const EXPECTED_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

let base: string;
let root: string;
let handler: ReturnType<typeof createAppProtocolHandler>;

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'station-protocol-'));
  root = path.join(base, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>station</title>');
  fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  // Secrets beside the served folder: a traversal that worked would return these bytes.
  fs.writeFileSync(path.join(base, 'secret.txt'), 'TOP-SECRET');
  fs.mkdirSync(path.join(base, 'renderer-evil'));
  fs.writeFileSync(path.join(base, 'renderer-evil', 'x.txt'), 'TOP-SECRET');
  fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
  handler = createAppProtocolHandler(root);
});

afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('sends the strict CSP header with every file it serves', async () => {
    expect(CONTENT_SECURITY_POLICY).toBe(EXPECTED_CSP);
    const page = await handler({ url: 'app://station/index.html', method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(EXPECTED_CSP);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>station</title>');

    const script = await handler({ url: 'app://station/assets/app.js' });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toBe(EXPECTED_CSP);

    const root = await handler({ url: 'app://station/' });
    expect(await root.text()).toContain('<title>station</title>');
  });

  it('sends the CSP header on refusals and missing files too', async () => {
    const missing = await handler({ url: 'app://station/nope.js' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(EXPECTED_CSP);
  });

  it.each([
    'app://station/../secret.txt',
    'app://station/%2e%2e/secret.txt',
    'app://station/..%2fsecret.txt',
    'app://station/assets/..%2f..%2fsecret.txt',
    'app://station/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://station/..%5csecret.txt',
    'app://station/%2e%2e%5c..%5csecret.txt',
    'app://station/..%2frenderer-evil/x.txt',
    'app://station/assets%2f..%2f..%2fsecret.txt',
    'app://station/index.html%00.js',
    'app://station/%252e%252e/secret.txt',
    'app://station/assets/link.txt',
    'app://other-host/index.html',
    'app://station/%E0%A4%A',
  ])('refuses %s', async (url) => {
    const response = await handler({ url });
    expect([403, 404]).toContain(response.status);
    expect(await response.text()).not.toContain('TOP-SECRET');
    expect(response.headers.get('content-security-policy')).toBe(EXPECTED_CSP);
  });

  it('maps paths inside the folder only', () => {
    expect(resolveAppPath(root, 'app://station/assets/app.js')).toBe(path.join(root, 'assets', 'app.js'));
    expect(resolveAppPath(root, 'app://station/..%2fsecret.txt')).toBeNull();
    expect(resolveAppPath(root, 'file:///etc/passwd')).toBeNull();
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await handler({ url: 'app://station/index.html', method: 'POST' });
    expect(response.status).toBe(405);
  });

  it('registers app:// as a standard secure scheme and installs the handler', async () => {
    resetElectronStub();
    registerAppScheme(protocol as never);
    expect(protocol.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true }) }]);
    installAppProtocol(protocol as never, root);
    const installed = protocol.handlers.get('app');
    expect(installed).toBeDefined();
    const response = await installed!(new Request('app://station/index.html'));
    expect(response.headers.get('content-security-policy')).toBe(EXPECTED_CSP);
  });
});
