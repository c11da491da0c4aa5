import type { DoctorCheck } from '../../shared/contract.js';
import { toErrorInfo } from '../../shared/errors.js';
import type { SettingsStore } from '../store/settings.js';
import { BwsClient } from './client.js';
import { clientOptionsFrom, resolveBwsConfig } from './config.js';
import { parseEndpoint } from './endpoint.js';
import { BwsCallError, tidyGrpcDetails } from './errors.js';
import { decodeClientKey } from './token.js';

/**
 * `station doctor` checks of the BWS endpoint: configuration (an unconfigured endpoint is fine), transport
 * (TLS, loopback plaintext, or an explicitly insecure plaintext endpoint, shown as such), credentials present
 * and well-formed (never shown), and with `network` the readiness answer of the health service and an
 * authenticated call: the template status of a class id that need not exist. An answer (or NOT_FOUND) means
 * the service accepted the client id and key; UNAUTHENTICATED or PERMISSION_DENIED means it did not.
 * A failing row carries the station's error code; a row that could not be checked because another failed
 * says which, and fails with that row's code.
 */
export async function endpointDoctorChecks(input: { settings?: SettingsStore | undefined; env: NodeJS.ProcessEnv; network: boolean }): Promise<DoctorCheck[]> {
  let config;
  try {
    config = resolveBwsConfig({ settings: input.settings, env: input.env });
  } catch (error) {
    return [failedCheck('bws endpoint', error)];
  }
  if (!config.endpoint) return [{ name: 'bws endpoint', ok: true, detail: 'not configured' }];

  const checks: DoctorCheck[] = [];
  let endpointOk = false;
  try {
    const endpoint = parseEndpoint(config.endpoint, { insecure: config.insecure });
    const transport = endpoint.tls
      ? `TLS${config.caFile ? ` (extra CA file ${config.caFile})` : ' (default roots)'}`
      : endpoint.loopback
        ? 'plaintext (loopback only)'
        : 'PLAINTEXT, INSECURE setting on: traffic and tokens are readable on the network';
    const basicHost = /^grpc\./i.test(endpoint.host) && /\.bioid\.com$/i.test(endpoint.host);
    const detail = `${endpoint.url} from ${config.sources.endpoint}, ${transport}`;
    checks.push(basicHost ? { name: 'bws endpoint', ok: false, code: 'BWS_WRONG_HOST', detail: `${detail} - this looks like the basic host: face recognition is on face.<location>.bioid.com, not grpc.; change the endpoint.` } : { name: 'bws endpoint', ok: true, detail });
    endpointOk = !basicHost;
  } catch (error) {
    checks.push(failedCheck('bws endpoint', error));
  }

  const missing = config.missing.filter((name) => name !== 'endpoint');
  let credentials: DoctorCheck = missing.length > 0
    ? { name: 'bws credentials', ok: false, code: 'NOT_CONFIGURED', detail: `missing ${missing.join(' and ')}: set them with \`station config set client-id\` and \`station config set key\` (or BWS_CLIENT_ID and BWS_KEY).` }
    : { name: 'bws credentials', ok: true, detail: `client id ${config.clientId} (from ${config.sources.clientId}), key set (from ${config.sources.key})` };
  if (credentials.ok) {
    try {
      decodeClientKey(config.key);
    } catch (error) {
      credentials = failedCheck('bws credentials', error);
    }
  }
  checks.push(credentials);

  if (!input.network) return checks;
  if (!endpointOk) {
    const cause = checks[0]!;
    checks.push({ name: 'bws readiness', ok: false, code: cause.code ?? 'ENDPOINT_INVALID', detail: 'not checked: fix the endpoint first (see bws endpoint)' });
    return checks;
  }
  // Health needs no credentials; a placeholder identity is used when they are missing (no token is sent).
  const options = clientOptionsFrom({ ...config, clientId: config.clientId || 'doctor', key: credentials.ok ? config.key : Buffer.alloc(64).toString('base64'), missing: [] });
  let client: BwsClient | undefined;
  try {
    client = new BwsClient(options);
    const readiness = await readinessCheck(client);
    checks.push(readiness);
    if (!credentials.ok) checks.push({ name: 'bws authentication', ok: false, code: credentials.code, detail: 'not checked: fix the credentials first (see bws credentials)' });
    else if (!readiness.ok) checks.push({ name: 'bws authentication', ok: false, code: readiness.code, detail: 'not checked: the service is not ready (see bws readiness)' });
    else checks.push(await authenticationCheck(client));
  } finally {
    client?.close();
  }
  return checks;
}

/** A class id no station enrolls on purpose: its template status is a cheap read that needs valid credentials. */
const PROBE_CLASS_ID = '9223372036854775807';

async function readinessCheck(client: BwsClient): Promise<DoctorCheck> {
  try {
    const started = Date.now();
    const result = await client.health('readiness', { deadlineMs: 10_000 });
    const version = result.metadata.bwsVersion ? `, bws-version ${result.metadata.bwsVersion}` : '';
    const detail = `${result.response.status} in ${Date.now() - started} ms${version}`;
    if (result.response.status === 'SERVING') return { name: 'bws readiness', ok: true, detail };
    return { name: 'bws readiness', ok: false, code: 'BWS_UNAVAILABLE', detail: `${detail}: the service is up but not ready; try again later, and tell its operator if it persists.` };
  } catch (error) {
    if (!(error instanceof BwsCallError)) return failedCheck('bws readiness', error);
    const said = tidyGrpcDetails(error.grpcDetails);
    return { name: 'bws readiness', ok: false, code: String(error.code), detail: `${error.grpcCodeName}${said ? ` (${said})` : ''}: the service cannot be reached; check the endpoint address, the network and that the service is running.` };
  }
}

async function authenticationCheck(client: BwsClient): Promise<DoctorCheck> {
  const name = 'bws authentication';
  try {
    await client.getTemplateStatus(PROBE_CLASS_ID, { deadlineMs: 10_000 });
    return { name, ok: true, detail: 'client id and key accepted (template status read)' };
  } catch (error) {
    if (!(error instanceof BwsCallError)) return failedCheck(name, error);
    const said = tidyGrpcDetails(error.grpcDetails);
    const code = String(error.code);
    switch (error.grpcCodeName) {
      case 'NOT_FOUND':
        return { name, ok: true, detail: 'client id and key accepted (template status answered NOT_FOUND for an unused class id)' };
      case 'UNAUTHENTICATED':
        return { name, ok: false, code, detail: `BWS rejected the client id and key (UNAUTHENTICATED${said ? `: ${said}` : ''}): set the ones from the BWS portal with \`station config set client-id\` and \`station config set key\` (or BWS_CLIENT_ID and BWS_KEY), and check this computer's clock.` };
      case 'PERMISSION_DENIED':
        return { name, ok: false, code, detail: `BWS denied this client permission (PERMISSION_DENIED${said ? `: ${said}` : ''}): it may not use face recognition or this storage; check the client in the BWS portal.` };
      case 'UNIMPLEMENTED':
        return { name, ok: false, code, detail: 'This endpoint does not offer BWS face recognition (UNIMPLEMENTED): use face.<location>.bioid.com, not grpc.<location>.bioid.com.' };
      default:
        return { name, ok: false, code, detail: `The credentials could not be checked: ${error.grpcCodeName}${said ? ` (${said})` : ''}. Run \`station doctor\` again later, and tell the service's operator if it persists.` };
    }
  }
}

/** A row for a failure: the error's code and its sentence. */
export function failedCheck(name: string, error: unknown): DoctorCheck {
  const info = toErrorInfo(error);
  return { name, ok: false, code: info.code, detail: info.message };
}
