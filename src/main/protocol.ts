import fs from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { APP_HOST, APP_SCHEME } from './app-origin.js';

/** The renderer's Content-Security-Policy, sent as a response header on every app:// response. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.onnx': 'application/octet-stream',
};

/** Headers every app:// response carries, success or not. */
export function securityHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

function refuse(status: number, text: string): Response {
  return new Response(text, { status, headers: securityHeaders('text/plain; charset=utf-8') });
}

/**
 * Maps an app:// URL to a file inside `rootDir`, or null when it would leave it. Percent-decoding happens
 * before the check, so `%2e%2e%2f` and `..%5c` tricks are caught; NUL bytes and backslashes are refused.
 */
export function resolveAppPath(rootDir: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  // A `..` segment is never legitimate in a request for a built asset: refuse it rather than clamp it.
  if (pathname.split('/').includes('..')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const root = path.resolve(rootDir);
  const target = path.resolve(root, `.${path.posix.normalize(pathname)}`);
  const relative = path.relative(root, target);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return target;
}

/** The app:// handler: static files of the built renderer with the CSP header; nothing outside the folder. */
export function createAppProtocolHandler(rootDir: string): (request: { url: string; method?: string }) => Promise<Response> {
  const root = path.resolve(rootDir);
  return async (request) => {
    if (request.method && request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Method not allowed');
    const file = resolveAppPath(root, request.url);
    if (!file) return refuse(403, 'Forbidden');
    try {
      // Symlinks must not lead out of the folder either.
      const real = await fs.realpath(file);
      const realRoot = await fs.realpath(root);
      if (path.relative(realRoot, real).startsWith('..')) return refuse(403, 'Forbidden');
      const body = await fs.readFile(real);
      const type = MIME_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
      return new Response(new Uint8Array(body), { status: 200, headers: securityHeaders(type) });
    } catch {
      return refuse(404, 'Not found');
    }
  };
}

/** Must run before `app` is ready: makes app:// a standard, secure origin (so 'self' and getUserMedia work). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
  ]);
}

export function installAppProtocol(protocol: Pick<Protocol, 'handle'>, rootDir: string): void {
  const handler = createAppProtocolHandler(rootDir);
  protocol.handle(APP_SCHEME, (request) => handler(request));
}
