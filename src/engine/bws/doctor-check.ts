import type { DoctorCheck } from '../../shared/contract.js';
import { toErrorInfo } from '../../shared/errors.js';
import type { SettingsStore } from '../store/settings.js';
import { BwsClient } from './client.js';
import { clientOptionsFrom, resolveBwsConfig } from './config.js';
import { parseEndpoint } from './endpoint.js';
import { BwsCallError, classifyFailure, tidyGrpcDetails } from './errors.js';
import { decodeClientKey } from './token.js';

/**
 * `station doctor` checks of the BWS endpoint: configuration (an unconfigured endpoint is fine), transport
 * (TLS, loopback plaintext, or an explicitly insecure plaintext endpoint, shown as such), credentials present
 * and well-formed (never shown), and with `network` the readiness answer of the health service.
 */
export async function endpointDoctorChecks(input: { settings?: SettingsStore | undefined; env: NodeJS.ProcessEnv; network: boolean }): Promise<DoctorCheck[]> {
  let config;
  try {
    config = resolveBwsConfig({ settings: input.settings, env: input.env });
  } catch (error) {
    return [{ name: 'bws endpoint', ok: false, detail: toErrorInfo(error).message }];
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
    const host = /^grpc\./i.test(endpoint.host) && /\.bioid\.com$/i.test(endpoint.host) ? ' - this looks like the basic host: face recognition is on face.<location>.bioid.com, not grpc.' : '';
    checks.push({ name: 'bws endpoint', ok: host === '', detail: `${endpoint.url} from ${config.sources.endpoint}, ${transport}${host}` });
    endpointOk = host === '';
  } catch (error) {
    checks.push({ name: 'bws endpoint', ok: false, detail: toErrorInfo(error).message });
  }

  const missing = config.missing.filter((name) => name !== 'endpoint');
  let credentialsOk = missing.length === 0;
  let credentialsDetail = missing.length > 0 ? `missing ${missing.join(' and ')}` : `client id ${config.clientId} (from ${config.sources.clientId}), key set (from ${config.sources.key})`;
  if (credentialsOk) {
    try {
      decodeClientKey(config.key);
    } catch (error) {
      credentialsOk = false;
      credentialsDetail = toErrorInfo(error).message;
    }
  }
  checks.push({ name: 'bws credentials', ok: credentialsOk, detail: credentialsDetail });

  if (!input.network) return checks;
  if (!endpointOk) {
    checks.push({ name: 'bws readiness', ok: false, detail: 'not checked: fix the endpoint first' });
    return checks;
  }
  // Health needs no credentials; a placeholder identity is used when they are missing (no token is sent).
  const options = clientOptionsFrom({ ...config, clientId: config.clientId || 'doctor', key: credentialsOk ? config.key : Buffer.alloc(64).toString('base64'), missing: [] });
  let client: BwsClient | undefined;
  try {
    client = new BwsClient(options);
    const started = Date.now();
    const result = await client.health('readiness', { deadlineMs: 10_000 });
    const version = result.metadata.bwsVersion ? `, bws-version ${result.metadata.bwsVersion}` : '';
    checks.push({ name: 'bws readiness', ok: result.response.status === 'SERVING', detail: `${result.response.status} in ${Date.now() - started} ms${version}` });
  } catch (error) {
    const detail = error instanceof BwsCallError ? `${error.grpcCodeName}: ${tidyGrpcDetails(error.grpcDetails) || classifyFailure(error).message}` : toErrorInfo(error).message;
    checks.push({ name: 'bws readiness', ok: false, detail });
  } finally {
    client?.close();
  }
  return checks;
}
