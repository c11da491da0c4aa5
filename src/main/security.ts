import type { Session, WebContents } from 'electron';
import { isAppUrl } from './app-origin.js';

/**
 * Navigation and permission policy. The window shows the app and nothing else: no navigation away from
 * app://station, no new windows, no <webview>, no requests to other origins, and of all permissions only the
 * camera (video, not audio) for the app origin.
 */

/** The one permission the station asks for: camera video, from the app's own main origin. */
export function permissionRequestAllowed(permission: string, details: { requestingUrl?: string; securityOrigin?: string; mediaTypes?: readonly string[] }): boolean {
  if (permission !== 'media') return false;
  const origin = details.securityOrigin ?? details.requestingUrl;
  if (!isAppUrl(origin) || (details.requestingUrl !== undefined && !isAppUrl(details.requestingUrl))) return false;
  const types = details.mediaTypes ?? [];
  return types.length > 0 && types.every((type) => type === 'video');
}

/** Chromium also asks synchronously ("may this origin use media?"); same answer, with `mediaType` singular. */
export function permissionCheckAllowed(permission: string, requestingOrigin: string, details: { mediaType?: string; securityOrigin?: string }): boolean {
  if (permission !== 'media') return false;
  if (!isAppUrl(requestingOrigin)) return false;
  if (details.securityOrigin !== undefined && !isAppUrl(details.securityOrigin)) return false;
  return details.mediaType === 'video';
}

/** Requests the renderer may make: its own files plus in-memory data/blob URLs (and devtools when open). */
export function requestAllowed(url: string): boolean {
  if (isAppUrl(url)) return true;
  return url.startsWith('data:') || url.startsWith('blob:app://station/') || url.startsWith('devtools:');
}

type SessionPolicyTarget = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onBeforeRequest'>;
};

export function applySessionPolicy(session: SessionPolicyTarget): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(permissionRequestAllowed(permission, details as { requestingUrl?: string; securityOrigin?: string; mediaTypes?: string[] }));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => permissionCheckAllowed(permission, requestingOrigin, details));
  // USB, HID, serial: never.
  session.setDevicePermissionHandler(() => false);
  // No remote content: anything not served by the app is cancelled before it leaves the machine.
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !requestAllowed(details.url) }));
}

type ContentsPolicyTarget = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** Applied to every WebContents the app creates (see `web-contents-created` in index.ts). */
export function applyContentsPolicy(contents: ContentsPolicyTarget): void {
  const stayOnApp = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', stayOnApp);
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', stayOnApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // window.open and target=_blank: denied. External links are not opened either (a kiosk has no browser).
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
