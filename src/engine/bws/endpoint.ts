import net from 'node:net';
import { StationError } from '../../shared/errors.js';
import { type EndpointProblem, readEndpoint } from '../../shared/endpoint.js';
import { redactUrlCredentials } from '../../shared/redact.js';

/**
 * A BWS endpoint: `https://host[:port]` (TLS, the norm) or `http://host:port` (plaintext; only for a loopback
 * address unless the operator explicitly allows an insecure endpoint). The written form (IPv6 in brackets,
 * port range, no path) is the shared rule of src/shared/endpoint.ts, which the Settings field checks too.
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

/** What is wrong with an endpoint's form, in words (the endpoint is quoted without any password in it). */
const FORM_PROBLEMS: Record<EndpointProblem, (shown: string) => string> = {
  scheme: (shown) => `Endpoint "${shown}" must start with https:// (or http:// for a local service): use https://face.<location>.bioid.com, https://host:port, https://[IPv6 address]:port or http://127.0.0.1:<port>.`,
  host: (shown) => `Endpoint "${shown}" has no usable host: use a host name, an IPv4 address, or an IPv6 address in brackets (https://[2001:db8::1]:443).`,
  port: (shown) => `Endpoint "${shown}" has a port outside 1-65535.`,
  path: (shown) => `Endpoint "${shown}" must be only scheme://host:port, without a path, query or fragment.`,
  credentials: (shown) => `Endpoint "${shown}" must be only scheme://host:port, without a user name or password (the client id and key are separate settings).`,
};

export function parseEndpoint(text: string, options: { insecure?: boolean } = {}): Endpoint {
  const form = readEndpoint(text);
  // Every message below quotes the endpoint as given, without a password someone may have put in it.
  if (!form.ok) throw new StationError('ENDPOINT_INVALID', FORM_PROBLEMS[form.problem](redactUrlCredentials(text.trim())));
  const tls = form.scheme === 'https';
  const loopback = isLoopbackHost(form.host);
  if (!tls && !loopback && !options.insecure) {
    throw new StationError(
      'ENDPOINT_INSECURE',
      `Refusing plaintext to ${form.host}: http:// is only allowed for a loopback address (127.0.0.1, ::1, localhost). Use https://, or set the "insecure" setting if this on-premises server really has no TLS.`,
    );
  }
  return { url: `${form.scheme}://${form.authority}`, tls, host: form.host, port: form.port, target: form.authority, loopback };
}
