import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeSession, FakeWebContents, resetElectronStub } from '../stubs/electron.js';
import { applyContentsPolicy, applySessionPolicy } from '../../src/main/security.js';

const APP = 'app://station';

function requestDecision(session: FakeSession, permission: string, details: Record<string, unknown>): boolean {
  let granted: boolean | undefined;
  session.permissionRequestHandler!({}, permission, (value: boolean) => (granted = value), details);
  if (granted === undefined) throw new Error('the permission handler did not answer');
  return granted;
}

describe('session policy', () => {
  let session: FakeSession;
  beforeEach(() => {
    resetElectronStub();
    session = new FakeSession();
    applySessionPolicy(session as never);
  });

  it('allows camera video from the app origin', () => {
    expect(requestDecision(session, 'media', { requestingUrl: `${APP}/index.html`, securityOrigin: `${APP}/`, mediaTypes: ['video'] })).toBe(true);
    expect(session.permissionCheckHandler!(null, 'media', `${APP}/`, { mediaType: 'video', securityOrigin: `${APP}/`, isMainFrame: true })).toBe(true);
  });

  it('denies the microphone, even together with the camera', () => {
    expect(requestDecision(session, 'media', { requestingUrl: `${APP}/index.html`, mediaTypes: ['audio'] })).toBe(false);
    expect(requestDecision(session, 'media', { requestingUrl: `${APP}/index.html`, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(requestDecision(session, 'media', { requestingUrl: `${APP}/index.html`, mediaTypes: [] })).toBe(false);
    expect(session.permissionCheckHandler!(null, 'media', `${APP}/`, { mediaType: 'audio', isMainFrame: true })).toBe(false);
    expect(session.permissionCheckHandler!(null, 'media', `${APP}/`, { mediaType: 'unknown', isMainFrame: true })).toBe(false);
  });

  it.each(['geolocation', 'notifications', 'clipboard-read', 'display-capture', 'midi', 'pointerLock', 'openExternal', 'fullscreen', 'unknown'])('denies %s, even to the app', (permission) => {
    expect(requestDecision(session, permission, { requestingUrl: `${APP}/index.html` })).toBe(false);
    expect(session.permissionCheckHandler!(null, permission, `${APP}/`, { isMainFrame: true })).toBe(false);
  });

  it('denies the camera to any other origin', () => {
    for (const origin of ['https://evil.example', 'http://127.0.0.1:8080', 'file:///etc', 'app://station.evil.example', 'app://other']) {
      expect(requestDecision(session, 'media', { requestingUrl: `${origin}/x`, securityOrigin: origin, mediaTypes: ['video'] })).toBe(false);
      expect(session.permissionCheckHandler!(null, 'media', origin, { mediaType: 'video', isMainFrame: true })).toBe(false);
    }
    // An app page embedding someone else (or being embedded) does not lend its origin.
    expect(requestDecision(session, 'media', { requestingUrl: 'https://evil.example/', securityOrigin: `${APP}/`, mediaTypes: ['video'] })).toBe(false);
  });

  it('denies USB, HID and serial devices', () => {
    expect(session.devicePermissionHandler!({ deviceType: 'usb', origin: APP })).toBe(false);
  });

  it('cancels every request that is not the app itself', () => {
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      session.beforeRequest!({ url }, (response) => (cancel = response.cancel));
      return cancel;
    };
    expect(decide(`${APP}/assets/index.js`)).toBe(false);
    expect(decide('data:image/png;base64,AAAA')).toBe(false);
    expect(decide(`blob:${APP}/0f1e`)).toBe(false);
    expect(decide('https://cdn.example/lib.js')).toBe(true);
    expect(decide('http://127.0.0.1:9/')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
    expect(decide('blob:https://evil.example/1')).toBe(true);
  });
});

describe('web contents policy', () => {
  const navigate = (contents: EventEmitter, event: string, url: string) => {
    let prevented = false;
    contents.emit(event, { preventDefault: () => (prevented = true), url }, url);
    return prevented;
  };

  it('keeps navigation on the app origin', () => {
    const contents = new FakeWebContents();
    applyContentsPolicy(contents as never);
    expect(navigate(contents, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'app://other/index.html')).toBe(true);
    expect(navigate(contents, 'will-navigate', `${APP}/index.html#queue`)).toBe(false);
    expect(navigate(contents, 'will-redirect', 'https://evil.example/')).toBe(true);
    expect(navigate(contents, 'will-frame-navigate', 'https://evil.example/')).toBe(true);
  });

  it('denies window.open and webviews', () => {
    const contents = new FakeWebContents();
    applyContentsPolicy(contents as never);
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: `${APP}/index.html` })).toEqual({ action: 'deny' });
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) }, {}, {});
    expect(prevented).toBe(true);
  });
});
