/**
 * The written form of a BWS endpoint, one rule for the Settings field, the CLI and the engine:
 * `https://host[:port]` (or `http://` for a local service), where host is a DNS name, an IPv4 address or an
 * IPv6 address in brackets (`https://[2001:db8::1]:8443`, as in any URL: the brackets keep the address's
 * colons apart from the port's), the port 1..65535, and nothing after it but an optional "/". Whether
 * plaintext is allowed is the engine's decision (bws/endpoint.ts), not part of the form.
 */
export type EndpointProblem =
  /** No `https://` (or `http://`) in front, or another scheme. */
  | 'scheme'
  /** No host, or one that is not a DNS name, an IPv4 address or a bracketed IPv6 address. */
  | 'host'
  /** A port that is not 1..65535. */
  | 'port'
  /** A path, query or fragment after the host. */
  | 'path'
  /** A user name or password in the address. */
  | 'credentials';

export type EndpointForm =
  | {
      ok: true;
      scheme: 'https' | 'http';
      /** Without brackets, lower case (IPv6 as the URL standard writes it: `2001:db8::1`). */
      host: string;
      ipv6: boolean;
      port: number;
      /** host:port as URLs and grpc-js write it (`[2001:db8::1]:8443` for IPv6). */
      authority: string;
    }
  | { ok: false; problem: EndpointProblem };

const DNS_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

export function readEndpoint(text: string): EndpointForm {
  const fail = (problem: EndpointProblem): EndpointForm => ({ ok: false, problem });
  const parts = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(text.trim());
  if (!parts) return fail('scheme');
  const scheme = parts[1]!.toLowerCase();
  const given = parts[2]!;
  if (scheme !== 'https' && scheme !== 'http') return fail('scheme');
  if (given.includes('@')) return fail('credentials');
  if (parts[3] !== '' && parts[3] !== '/') return fail('path');
  // A bracketed IPv6 address or a name / IPv4 address without colons, then an optional :port. An IPv6 address
  // without brackets (`::1:443`) cannot be told apart from its port, so it is not an endpoint.
  const hostPort = /^(\[[^\]]*\]|[^:[\]]*)(?::([^:]*))?$/.exec(given);
  if (!hostPort || hostPort[1] === '') return fail('host');
  const portText = hostPort[2];
  if (portText !== undefined && (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)) return fail('port');
  let url: URL;
  try {
    // The URL parser checks IPv4 and IPv6 literals and normalises them (and turns international names into
    // their ASCII form); a name it lets through must still be made of DNS labels.
    url = new URL(`${scheme}://${hostPort[1]}/`);
  } catch {
    return fail('host');
  }
  const ipv6 = url.hostname.startsWith('[');
  const host = ipv6 ? url.hostname.slice(1, -1) : url.hostname;
  if (!ipv6 && !host.replace(/\.$/, '').split('.').every((label) => DNS_LABEL.test(label))) return fail('host');
  const port = portText !== undefined ? Number(portText) : scheme === 'https' ? 443 : 80;
  return { ok: true, scheme, host, ipv6, port, authority: `${ipv6 ? `[${host}]` : host}:${port}` };
}
