import fs from 'node:fs';
import { bwsCallDocumentSchema, bwsErrorDocumentSchema, bwsHealthDocumentSchema, bwsUpgradeDocumentSchema } from '../../../shared/json-documents.js';
import path from 'node:path';
import type { Command } from 'commander';
import { StationError } from '../../../shared/errors.js';
import type { BwsClient } from '../../bws/client.js';
import { type BwsOverrides, type ResolvedBwsConfig, clientOptionsFrom, resolveBwsConfig } from '../../bws/config.js';
import { timestampToIso } from '../../bws/messages.js';
import type { CallResult } from '../../bws/types.js';
import type { startEmbeddedLocalBws } from '../../bws-local/embedded.js';
import { DEFAULT_PARTITION, DEFAULT_STORAGE, templateSpace } from '../../bws-local/bcid.js';
import { SERVE_LIMIT_FLAGS, parseServeLimits } from '../../bws-local/serve-limits.js';
import { dataPaths } from '../../paths.js';
import { action, classIdArgument, type CliContext, usageError } from '../context.js';
import { formatTable } from '../output.js';
import { readImageFile } from '../../image-file.js';

interface ConnectionOptions {
  endpoint?: string;
  clientId?: string;
  key?: string;
  keyFile?: string;
  caFile?: string;
  insecure?: boolean;
  local?: boolean;
  reference?: string;
  deadline?: string;
}

/**
 * `station bws ...`: the local BWS-compatible service (`serve`) and admin commands like BioID's own CLI.
 * Admin commands print the response, the response headers and the trailer; they exit 0 on success and with
 * the gRPC status code (1..16) when the call fails (2 stays "usage error" for bad options).
 */
export function registerBws(program: Command): void {
  const bws = program.command('bws').description('talk to a BWS 3 face recognition service, or run the local BWS-compatible one');

  const serveCommand = bws
    .command('serve')
    .description('run the local BWS-compatible service (templates kept encrypted in the data folder); prints "listening <host>:<port>" when ready')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '0')
    .option('--client-id <id>', 'client id callers must use (or BWS_CLIENT_ID)')
    .option('--key <base64>', 'client key callers sign with (visible to other users: prefer --key-file or BWS_KEY)')
    .option('--key-file <file>', 'read the client key from this file')
    .option('--storage <name>', 'storage name of the templates this service keeps (the first part of their BCID)', DEFAULT_STORAGE)
    .option('--partition <id>', 'partition id of the templates this service keeps (the second part of their BCID)', String(DEFAULT_PARTITION))
    .option('--template-mode <mode>', 'full: keep a face thumbnail of every enrolled image, so templates can be upgraded to a newer encoder; standard: feature vectors only', 'full')
    .option('--encrypt-compact', 'also encrypt the compact templates used for matching (slower Search); the enhanced templates are always encrypted')
    .option('--store-only', 'count images without analysing them (benchmarks): Verify and Search are refused')
    .option('--tls-cert <file>', 'PEM certificate chain: serve TLS instead of plaintext')
    .option('--tls-key <file>', 'PEM private key for --tls-cert');
  for (const limit of SERVE_LIMIT_FLAGS) serveCommand.option(`--${limit.flag} <n>`, `${limit.description} (default ${limit.defaultValue}, ${limit.min}-${limit.max})`);
  serveCommand.action(action(async (context, options: ServeOptions) => serve(context, options)));

  const admin = (name: string, description: string) =>
    bws
      .command(name)
      .description(description)
      .option('--endpoint <url>', 'https://host:port, or http://127.0.0.1:port (or BWS_ENDPOINT, or the station settings)')
      .option('--client-id <id>', 'BWS client id (or BWS_CLIENT_ID, or the station settings)')
      .option('--key <base64>', 'BWS client key (visible to other users: prefer --key-file or BWS_KEY)')
      .option('--key-file <file>', 'read the BWS client key from this file')
      .option('--ca-file <file>', 'PEM file of extra CA certificates')
      .option('--insecure', 'allow plaintext to a non-loopback endpoint')
      .option('--local', "talk to this data folder's embedded local service (started in-process)")
      .option('--reference <text>', 'Reference-Number header (echoed back by the service)')
      .option('--deadline <seconds>', 'deadline of the call');

  admin('health', 'ask the health service (no credentials needed): liveness and readiness')
    .option('--service <name>', 'liveness or readiness (default: both)')
    .action(
      action(async (context, options: ConnectionOptions & { service?: string }) => {
        const services = options.service ? [options.service] : ['liveness', 'readiness'];
        for (const service of services) if (!['liveness', 'readiness', ''].includes(service)) throw usageError('--service must be liveness or readiness.');
        return withClient(context, options, true, async (client, callOptions) => {
          const results: Array<{ service: string } & CallResult<unknown>> = [];
          for (const service of services) results.push({ service, ...(await client.health(service as 'liveness' | 'readiness', callOptions)) });
          if (context.json) context.out.document(bwsHealthDocumentSchema, { endpoint: client.endpoint.url, results: results.map((result) => ({ service: result.service, response: result.response as Record<string, unknown>, headers: result.metadata.headers, trailers: result.metadata.trailers })) });
          else for (const result of results) context.out.line(`${result.service}: ${(result.response as { status: string }).status}`);
          return results.every((result) => (result.response as { status: string }).status === 'SERVING') ? 0 : 1;
        });
      }),
    );

  admin('enroll', 'enroll images for a class id (additive: an existing template gets the new images added)')
    .requiredOption('--class-id <id>', 'class id, 1 .. 9223372036854775807')
    .argument('[images...]', 'image files (none: return the template status, action NONE)')
    .action(
      action(async (context, images: string[], options: ConnectionOptions & { classId: string }) => {
        // Usage and file errors first: no connection, no local service for a command that cannot run.
        const classId = classIdArgument(context, options.classId);
        const bytes = images.map((file) => readImageFile(file));
        return withClient(context, options, false, async (client, callOptions) => show(context, 'Enroll', await client.enroll(classId, bytes, callOptions)));
      }),
    );

  admin('upgrade', "rebuild templates with the service's newer encoder from their stored thumbnails (an Enroll with no images)")
    .option('--class-id <id>', 'the class id whose template to upgrade')
    .option('--all-known', 'every class id this station has synced (a site whose service moved to a newer encoder)')
    .action(
      action(async (context, options: ConnectionOptions & { classId?: string; allKnown?: boolean }) => {
        if (Boolean(options.classId) === Boolean(options.allKnown)) throw usageError('Give --class-id N or --all-known (one of them).');
        const classIds = options.classId ? [classIdArgument(context, options.classId)] : await knownClassIds(context);
        if (classIds.length === 0) {
          context.out.note('This station has synced no class id yet: nothing to upgrade.');
          if (context.json) context.out.document(bwsUpgradeDocumentSchema, { results: [] });
          return 0;
        }
        return withClient(context, options, false, async (client, callOptions) => upgrade(context, client, classIds, callOptions));
      }),
    );

  admin('status', "show a class id's template status")
    .requiredOption('--class-id <id>', 'class id')
    .option('--thumbnails', 'download the stored face thumbnails')
    .option('--save-thumbnails <dir>', 'write the thumbnails as PNG files into this folder')
    .action(
      action(async (context, options: ConnectionOptions & { classId: string; thumbnails?: boolean; saveThumbnails?: string }) => {
        const classId = classIdArgument(context, options.classId);
        return withClient(context, options, false, async (client, callOptions) => {
          const result = await client.getTemplateStatus(classId, { ...callOptions, thumbnails: Boolean(options.thumbnails || options.saveThumbnails) });
          if (options.saveThumbnails) {
            fs.mkdirSync(options.saveThumbnails, { recursive: true });
            result.response.thumbnails.forEach((thumbnail, index) => fs.writeFileSync(path.join(options.saveThumbnails!, `${result.response.classId}-${index + 1}.png`), thumbnail.image));
            context.out.note(`saved ${result.response.thumbnails.length} thumbnail(s) in ${options.saveThumbnails}`);
          }
          return show(context, 'GetTemplateStatus', result);
        });
      }),
    );

  admin('delete', "delete a class id's template")
    .requiredOption('--class-id <id>', 'class id')
    .action(
      action(async (context, options: ConnectionOptions & { classId: string }) => {
        const classId = classIdArgument(context, options.classId);
        return withClient(context, options, false, async (client, callOptions) => show(context, 'DeleteTemplate', await client.deleteTemplate(classId, callOptions)));
      }),
    );

  admin('tags', "replace a template's tags (no tags: remove them all)")
    .requiredOption('--class-id <id>', 'class id')
    .argument('[tags...]', 'the new tags')
    .action(
      action(async (context, tags: string[], options: ConnectionOptions & { classId: string }) => {
        const classId = classIdArgument(context, options.classId);
        return withClient(context, options, false, async (client, callOptions) => show(context, 'SetTemplateTags', await client.setTemplateTags(classId, tags, callOptions)));
      }),
    );

  admin('verify', "compare one image with a class id's template")
    .requiredOption('--class-id <id>', 'class id')
    .argument('<image>', 'image file')
    .action(
      action(async (context, image: string, options: ConnectionOptions & { classId: string }) => {
        const classId = classIdArgument(context, options.classId);
        const bytes = readImageFile(image);
        return withClient(context, options, false, async (client, callOptions) => show(context, 'Verify', await client.verify(classId, bytes, callOptions)));
      }),
    );

  admin('search', 'find the templates most similar to each image')
    .argument('<images...>', 'image files')
    .option('--tags <tags>', 'only templates with any of these tags (comma-separated)')
    .option('--top-matches', 'only the best matches')
    .action(
      action(async (context, images: string[], options: ConnectionOptions & { tags?: string; topMatches?: boolean }) => {
        const bytes = images.map((file) => readImageFile(file));
        return withClient(context, options, false, async (client, callOptions) => {
          const tags = options.tags ? options.tags.split(',').map((tag) => tag.trim()).filter(Boolean) : [];
          return show(context, 'Search', await client.search(bytes, { ...callOptions, tags, topMatches: Boolean(options.topMatches) }));
        });
      }),
    );
}

interface ServeOptions {
  host: string;
  port: string;
  clientId?: string;
  key?: string;
  keyFile?: string;
  storage: string;
  partition: string;
  templateMode: string;
  encryptCompact?: boolean;
  storeOnly?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  /** The limit flags as typed (see SERVE_LIMIT_FLAGS). */
  [limit: string]: string | boolean | undefined;
}

async function serve(context: CliContext, options: ServeOptions): Promise<number> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError('--port must be a number from 0 to 65535.');
  const space = templateSpace(options.storage, options.partition);
  if (options.templateMode !== 'full' && options.templateMode !== 'standard') throw usageError(`--template-mode must be full or standard (got "${options.templateMode}").`);
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) throw usageError('Give both --tls-cert and --tls-key, or neither.');
  const limits = parseServeLimits(options as Record<string, string | undefined>);
  if (options.key) warnLiteralKey(context);
  const config = resolveBwsConfig({ env: context.env, overrides: { clientId: options.clientId, key: options.key, keyFile: options.keyFile } });
  if (!config.clientId || !config.key) throw new StationError('NOT_CONFIGURED', 'Give the credentials callers must use: --client-id (or BWS_CLIENT_ID) and --key-file, BWS_KEY or --key.');
  // gRPC, SQLite and the vision engine load only when a command needs them (`station --help` stays quick).
  const { localBwsSecrets, localServiceKey } = await import('../../bws-local/embedded.js');
  const { startLocalBws } = await import('../../bws-local/server.js');
  // The templates database key is the local service's own (kept encrypted in the data folder).
  const secrets = localBwsSecrets(context.dataDir, localServiceKey(await context.keyProvider.obtainKey(context.dataDir)));
  const tls = options.tlsCert && options.tlsKey ? { cert: fs.readFileSync(options.tlsCert), key: fs.readFileSync(options.tlsKey) } : undefined;
  const running = await startLocalBws({
    host: options.host,
    port,
    clientId: config.clientId,
    key: config.key,
    dataDir: dataPaths(context.dataDir).localBwsDir,
    dbKey: secrets.templatesKey,
    mode: options.storeOnly ? 'store-only' : 'vision',
    ...space,
    templateMode: options.templateMode,
    compactEncryption: Boolean(options.encryptCompact),
    log: (line) => context.out.note(line),
    ...limits,
    onConnectionRefused: refusalLog(context),
    ...(tls ? { tls } : {}),
  });
  process.stdout.write(`listening ${running.address}\n`);
  context.out.note(
    `local BWS service (${options.storeOnly ? 'store-only' : 'vision'}, ${tls ? 'TLS' : 'plaintext'}); templates ${space.storage}/${space.partition}/<classId>, ${options.templateMode} mode, compact templates ${options.encryptCompact ? 'encrypted' : 'in a plain index'}; kept in ${dataPaths(context.dataDir).localBwsDir}. Ctrl-C stops it.`,
  );
  context.out.note(
    `limits: ${limits.maxConcurrentAnalyses} analyses at once, ${limits.maxQueuedAnalyses} waiting, ${limits.maxRequestPixels / 1e6} MP per request, ${limits.maxConnectionsPerClient} connections per client, ${limits.maxStreamsPerConnection} calls per connection, ${limits.maxMetadataBytes} header bytes.`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await running.close();
  return 0;
}

/**
 * Notes refused connections without letting a flood flood the log: the first from a client, then at most one
 * line a minute per client with how many were refused since.
 */
function refusalLog(context: CliContext): (client: string, open: number) => void {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (client, open) => {
    const seen = last.get(client);
    const now = Date.now();
    if (seen && now - seen.at < 60_000) {
      seen.suppressed++;
      return;
    }
    const more = seen?.suppressed ? ` (${seen.suppressed} more refused in the last minute)` : '';
    last.set(client, { at: now, suppressed: 0 });
    context.out.note(`Refused a connection from ${client}: it already holds ${open} (--max-connections-per-client)${more}.`);
  };
}

/** The class ids of this data folder's synced enrollments (its receipts). */
async function knownClassIds(context: CliContext): Promise<string[]> {
  if (!fs.existsSync(dataPaths(context.dataDir).queueDb)) return [];
  const { openQueueDatabase } = await import('../../store/queue-db.js');
  const { QueueStore } = await import('../../store/queue-store.js');
  const db = await openQueueDatabase({ dataDir: context.dataDir, keyProvider: context.keyProvider, create: false, integrityCheck: 'none' });
  try {
    return new QueueStore(db).syncedClassIds();
  } finally {
    db.close();
  }
}

interface UpgradeResult {
  classId: string;
  action: string;
  encoderVersion: number | null;
  featureVectors: number | null;
  message: string;
}

/**
 * Asks the service to upgrade each template (Enroll with no images): TEMPLATE_UPGRADED, or NONE when it is
 * current, missing, or cannot be upgraded (the service says why). Exit 0 when nothing is left behind, 3 when a
 * template could not be upgraded or a call failed; rejected credentials or a wrong host stop at once.
 */
async function upgrade(context: CliContext, client: BwsClient, classIds: string[], callOptions: { reference?: string; deadlineMs?: number }): Promise<number> {
  const { BwsCallError, classifyFailure, tidyGrpcDetails } = await import('../../bws/errors.js');
  const results: UpgradeResult[] = [];
  for (const classId of classIds) {
    try {
      const { response } = await client.enroll(classId, [], callOptions);
      const status = response.template_status;
      const problems = response.errors.map((error) => error.message).join(' ');
      const action = String(response.performed_action);
      const message =
        action === 'TEMPLATE_UPGRADED' ? `upgraded to encoder version ${status?.encoder_version}` : problems || (status?.available ? `already current (encoder version ${status.encoder_version})` : 'no template on the service');
      results.push({ classId, action, encoderVersion: status?.available ? status.encoder_version : null, featureVectors: status?.available ? status.feature_vectors : null, message });
    } catch (error) {
      if (!(error instanceof BwsCallError)) throw error;
      const failure = classifyFailure(error);
      if (failure.class === 'credentials' || failure.class === 'wrong_host') throw error;
      results.push({ classId, action: error.grpcCodeName, encoderVersion: null, featureVectors: null, message: tidyGrpcDetails(error.grpcDetails) || failure.message });
    }
  }
  const left = results.filter((result) => result.action !== 'TEMPLATE_UPGRADED' && !(result.action === 'NONE' && result.message.startsWith('already current')) && result.message !== 'no template on the service');
  if (context.json) context.out.document(bwsUpgradeDocumentSchema, { results });
  else {
    context.out.line(formatTable(['class id', 'action', 'encoder', 'vectors', 'result'], results.map((result) => [result.classId, result.action, result.encoderVersion ?? '-', result.featureVectors ?? '-', result.message])));
    const upgraded = results.filter((result) => result.action === 'TEMPLATE_UPGRADED').length;
    context.out.note(`${upgraded} of ${results.length} template(s) upgraded${left.length > 0 ? `; ${left.length} could not be: see the result column` : ''}.`);
  }
  return left.length > 0 ? 3 : 0;
}

function warnLiteralKey(context: CliContext): void {
  context.out.warn('a key given with --key is visible to other local users (ps, shell history). Prefer --key-file or BWS_KEY.');
}

/** Builds the client (from options, env, settings, or the embedded local service), runs the body, maps failures. */
async function withClient(context: CliContext, options: ConnectionOptions, noAuthNeeded: boolean, body: (client: BwsClient, callOptions: { reference?: string; deadlineMs?: number }) => Promise<number | void>): Promise<number> {
  const callOptions: { reference?: string; deadlineMs?: number } = {};
  if (options.reference !== undefined) callOptions.reference = options.reference;
  if (options.deadline !== undefined) {
    const seconds = Number(options.deadline);
    if (!Number.isFinite(seconds) || seconds <= 0) throw usageError('--deadline must be a positive number of seconds.');
    callOptions.deadlineMs = Math.round(seconds * 1000);
  }
  const { BwsClient } = await import('../../bws/client.js');
  const { BwsCallError, tidyGrpcDetails } = await import('../../bws/errors.js');
  let embedded: Awaited<ReturnType<typeof startEmbeddedLocalBws>> | null = null;
  let client: BwsClient;
  if (options.local) {
    if (options.endpoint || options.clientId || options.key || options.keyFile) throw usageError('--local talks to the embedded service with its own credentials: drop --endpoint, --client-id and --key.');
    const { localServiceKey, startEmbeddedLocalBws } = await import('../../bws-local/embedded.js');
    embedded = await startEmbeddedLocalBws(context.dataDir, localServiceKey(await context.keyProvider.obtainKey(context.dataDir)));
    client = new BwsClient({ endpoint: embedded.endpoint, clientId: embedded.clientId, key: embedded.key });
  } else {
    if (options.key) warnLiteralKey(context);
    const overrides: BwsOverrides = { endpoint: options.endpoint, clientId: options.clientId, key: options.key, keyFile: options.keyFile, caFile: options.caFile, insecure: options.insecure };
    let config = resolveBwsConfig({ env: context.env, overrides });
    if (config.missing.length > 0) config = await configWithSettings(context, overrides);
    if (noAuthNeeded && config.endpoint && config.missing.length > 0) {
      // Health needs no credentials: any placeholder identity works, no token is sent.
      config = { ...config, clientId: config.clientId || 'health-check', key: config.key || Buffer.alloc(64).toString('base64'), missing: [] };
    }
    client = new BwsClient(clientOptionsFrom(config));
  }
  try {
    return (await body(client, callOptions)) ?? 0;
  } catch (error) {
    if (!(error instanceof BwsCallError)) throw error;
    const advice = adminAdvice(error.grpcCode, error.grpcCodeName);
    if (context.json) {
      context.out.document(bwsErrorDocumentSchema, { error: { code: error.grpcCodeName, grpcCode: error.grpcCode, message: tidyGrpcDetails(error.grpcDetails), advice }, headers: error.metadata.headers, trailers: error.metadata.trailers });
    } else {
      printMetadata(context, error.metadata.headers, error.metadata.trailers);
      context.out.note(`${context.out.paint('red', 'error:')} ${error.grpcCodeName} (${error.grpcCode}): ${tidyGrpcDetails(error.grpcDetails) || 'no details'}`);
      context.out.note(advice);
    }
    return error.grpcCode;
  } finally {
    client.close();
    await embedded?.close();
  }
}

/** Resolves the configuration with the station's settings too, when this data folder has a queue. */
async function configWithSettings(context: CliContext, overrides: BwsOverrides): Promise<ResolvedBwsConfig> {
  const { SettingsStore } = await import('../../store/settings.js');
  const { loadSiteConfig } = await import('../../store/site-file.js');
  const site = loadSiteConfig(context.env);
  if (!fs.existsSync(dataPaths(context.dataDir).queueDb)) return resolveBwsConfig({ settings: new SettingsStore(null, site), env: context.env, overrides });
  const { openQueueDatabase } = await import('../../store/queue-db.js');
  const db = await openQueueDatabase({ dataDir: context.dataDir, keyProvider: context.keyProvider, create: false, integrityCheck: 'none' });
  try {
    return resolveBwsConfig({ settings: new SettingsStore(db, site), env: context.env, overrides });
  } finally {
    db.close();
  }
}

function show(context: CliContext, method: string, result: CallResult<unknown>): number {
  const response = printable(result.response, context.json);
  if (context.json) {
    context.out.document(bwsCallDocumentSchema, { method, response: response as Record<string, unknown>, headers: result.metadata.headers, trailers: result.metadata.trailers });
    return 0;
  }
  printMetadata(context, result.metadata.headers, null);
  context.out.line(`${method} response:`);
  context.out.line(JSON.stringify(response, null, 2));
  printMetadata(context, null, result.metadata.trailers);
  return 0;
}

function printMetadata(context: CliContext, headers: Record<string, string> | null, trailers: Record<string, string> | null): void {
  if (headers) context.out.line(`headers: ${Object.entries(headers).map(([key, value]) => `${key}=${value}`).join(', ') || '(none)'}`);
  if (trailers) context.out.line(`trailers: ${Object.entries(trailers).map(([key, value]) => `${key}=${value}`).join(', ') || '(none)'}`);
}

/**
 * Timestamps as ISO text; bytes as base64 in JSON and as a size for people; field names in camelCase, the key
 * style of every JSON document the station prints (the proto's `feature_vectors` is `featureVectors`).
 */
function printable(value: unknown, json: boolean): unknown {
  if (value instanceof Uint8Array) return json ? Buffer.from(value).toString('base64') : `<${value.length} bytes${Buffer.from(value.subarray(0, 8)).toString('hex') === '89504e470d0a1a0a' ? ', PNG' : ''}>`;
  if (Array.isArray(value)) return value.map((item) => printable(item, json));
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.seconds === 'string' && typeof record.nanos === 'number' && Object.keys(record).length === 2) return timestampToIso(record as { seconds: string; nanos: number });
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [camelCase(key), printable(item, json)]));
  }
  return value;
}

function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/**
 * What a failed admin command means for the person who ran it. These are one-off calls: nothing is queued,
 * retried or paused (that is the sync engine's wording, for queued jobs).
 */
function adminAdvice(code: number, name: string): string {
  switch (name) {
    case 'UNAVAILABLE':
      return 'The service cannot be reached: check the endpoint address, the network and that the service is running, then run the command again.';
    case 'DEADLINE_EXCEEDED':
      return 'No answer within the deadline: the call may or may not have taken effect. Check with `station bws status` before repeating an enroll, delete or tags call.';
    case 'UNAUTHENTICATED':
      return "The service rejected the credentials: check the client id and key (--client-id, --key-file, BWS_CLIENT_ID, BWS_KEY or the station's settings) and this computer's clock.";
    case 'PERMISSION_DENIED':
      return 'The service denied permission: this client may not use face recognition or this storage. Check the client in the BWS portal.';
    case 'UNIMPLEMENTED':
      return 'This endpoint does not offer BWS face recognition: use face.<location>.bioid.com (not grpc.<location>).';
    case 'NOT_FOUND':
      return 'The service holds nothing for this class id.';
    case 'INVALID_ARGUMENT':
    case 'FAILED_PRECONDITION':
    case 'OUT_OF_RANGE':
      return 'The service refused the request as given: see the details above.';
    case 'RESOURCE_EXHAUSTED':
      return 'A quota or size limit of the service was reached: send less at once, or try again later.';
    case 'CANCELLED':
      return 'The call was cancelled before it completed; run the command again.';
    default:
      return `The service failed to complete the call (${name}, ${code}); try again later, and tell the service's operator if it persists.`;
  }
}
