import net from 'node:net';
import { StationError } from '../../shared/errors.js';
import { redactUrlCredentials } from '../../shared/redact.js';

/**
 * A BWS endpoint: `https://host[:port]` (TLS, the norm) or `http://host:port` (plaintext; only for a loopback
 * address unless the operator explicitly allows an insecure endpoint).
 */
export interface Endpoint {
  /** As given, normalised (scheme://host:port). */
  url: string;
  tls: boolean;
  host: string;
  port: number;
  /** host:port as grpc-js wants it ([v6]:port for IPv6). */
  target: string;
  loopback: boolean;
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

export function parseEndpoint(text: string, options: { insecure?: boolean } = {}): Endpoint {
  const trimmed = text.trim();
  // Every message below quotes the endpoint as given, without a password someone may have put in it.
  const shown = redactUrlCredentials(trimmed);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new StationError('ENDPOINT_INVALID', `"${shown}" is not an endpoint: use https://face.<location>.bioid.com (TLS) or http://127.0.0.1:<port> for a local service.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new StationError('ENDPOINT_INVALID', `Endpoint ${shown} must start with https:// (or http:// for a local service).`);
  }
  if (url.pathname !== '/' && url.pathname !== '' || url.search || url.hash || url.username || url.password) {
    throw new StationError('ENDPOINT_INVALID', `Endpoint ${shown} must be only scheme://host:port, without a path, query or user name.`);
  }
  const tls = url.protocol === 'https:';
  const host = url.hostname;
  if (!host) throw new StationError('ENDPOINT_INVALID', `Endpoint ${shown} has no host name.`);
  // URL drops a default port (:443 / :80), so an absent port means the scheme's default.
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  const loopback = isLoopbackHost(host);
  if (!tls && !loopback && !options.insecure) {
    throw new StationError(
      'ENDPOINT_INSECURE',
      `Refusing plaintext to ${host}: http:// is only allowed for a loopback address (127.0.0.1, ::1, localhost). Use https://, or set the "insecure" setting if this on-premises server really has no TLS.`,
    );
  }
  const target = `${host}:${port}`;
  return { url: `${url.protocol}//${target}`, tls, host: host.replace(/^\[|\]$/g, ''), port, target, loopback };
}
