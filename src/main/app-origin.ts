/**
 * The app's own origin. The renderer is served from `app://station/`, never from file:// or http://, so the
 * CSP, the permission policy and the IPC sender checks all have one origin to compare against.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'station';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True only for URLs on the app origin (`app://station/...`). Unparseable input is not the app. */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}
