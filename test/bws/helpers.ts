import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { BwsClient, type BwsClientOptions } from '../../src/engine/bws/client.js';
import { faceRecognitionDefinition } from '../../src/engine/bws/proto.js';
import { type ListenOptions, type LocalBwsServiceOptions, type RunningLocalBws, type ServerTls, startLocalBws } from '../../src/engine/bws-local/index.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The shared photos: ../shared/faces beside the repository (CI checks shared/ out next to it). */
export const facesDir = path.resolve(repoRoot, '..', 'shared', 'faces');
export const face = (name: string): Buffer => fs.readFileSync(path.join(facesDir, name));

export function tempDir(prefix = 'bws-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Polls `condition` every 50 ms until it holds or `timeoutMs` passes; says whether it held. */
export async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

export interface Credentials {
  clientId: string;
  key: string;
}

export function newCredentials(): Credentials {
  return { clientId: `client-${randomBytes(4).toString('hex')}`, key: randomBytes(64).toString('base64') };
}

export interface LocalFixture {
  service: RunningLocalBws;
  credentials: Credentials;
  dataDir: string;
  dbKey: Buffer;
  endpoint: string;
  client(overrides?: Partial<BwsClientOptions>): BwsClient;
  close(): Promise<void>;
}

/** A real local service on 127.0.0.1:0 (or [::1]:0) with its own encrypted database in a temp folder. */
export async function startFixture(options: Partial<LocalBwsServiceOptions> & { dataDir?: string; dbKey?: Buffer; credentials?: Credentials; tls?: ServerTls; host?: '127.0.0.1' | '::1' } & Pick<ListenOptions, 'serverOptions' | 'maxConnectionsPerClient'> = {}): Promise<LocalFixture> {
  const credentials = options.credentials ?? newCredentials();
  const dataDir = options.dataDir ?? tempDir();
  const dbKey = options.dbKey ?? randomBytes(32);
  const host = options.host ?? '127.0.0.1';
  const service = await startLocalBws({ ...options, host, port: 0, clientId: credentials.clientId, key: credentials.key, dataDir, dbKey });
  const endpoint = `http://${host === '::1' ? '[::1]' : host}:${service.port}`;
  const clients: BwsClient[] = [];
  return {
    service,
    credentials,
    dataDir,
    dbKey,
    endpoint,
    client(overrides = {}) {
      const client = new BwsClient({ endpoint, clientId: credentials.clientId, key: credentials.key, ...overrides });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await service.close();
    },
  };
}

/** What became of one flooding HTTP/2 connection: the service spoke to it (accepted) or closed it first. */
export interface FloodConnection {
  session: http2.ClientHttp2Session;
  accepted: Promise<boolean>;
}

/**
 * An HTTP/2 connection to the service from `localAddress` (any 127.x address reaches 127.0.0.1 on Linux, so
 * one test can be two clients). It is accepted when the service's SETTINGS arrive, refused when the socket
 * closes first.
 */
export function floodConnection(port: number, localAddress: string): FloodConnection {
  const session = http2.connect(`http://127.0.0.1:${port}`, { createConnection: () => net.connect({ host: '127.0.0.1', port, localAddress }) });
  session.on('error', () => undefined);
  const accepted = new Promise<boolean>((resolve) => {
    session.once('remoteSettings', () => resolve(true));
    session.once('close', () => resolve(false));
  });
  return { session, accepted };
}

/**
 * A GetTemplateStatus call on its own connection with an oversized authorization header. The client stays
 * open (an abuser does not hang up): only the service can close its connection.
 */
export function oversizedCall(address: string, headerBytes: number, clients: grpc.Client[]): Promise<grpc.ServiceError | null> {
  const definition = faceRecognitionDefinition().GetTemplateStatus!;
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  clients.push(client);
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${'a'.repeat(headerBytes)}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, { classId: '1' }, metadata, { deadline: Date.now() + 20_000 }, (error) => resolve(error ?? null));
  });
}

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  /** Credentials callers use. */
  credentials: Credentials;
  /** Everything the service wrote on stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * `station bws serve` (the compiled CLI) in its own process on 127.0.0.1:0, with a fresh data folder and key;
 * resolves once it prints its `listening` line.
 */
export async function serveProcess(args: string[] = []): Promise<ServeProcess> {
  const dir = tempDir('bws-serve-');
  const credentials = { clientId: 'serve-client', key: randomBytes(64).toString('base64') };
  fs.writeFileSync(path.join(dir, 'bws.key'), `${credentials.key}\n`, { mode: 0o600 });
  const env = { ...process.env, NO_COLOR: '1', STATION_DB_KEY: randomBytes(32).toString('base64'), BWS_ENDPOINT: '', BWS_CLIENT_ID: '', BWS_KEY: '', STATION_MODEL_MANIFEST: '' };
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'station.js'), '--data-dir', path.join(dir, 'data'), 'bws', 'serve', '--port', '0', '--client-id', credentials.clientId, '--key-file', path.join(dir, 'bws.key'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^listening \S+:(\d+)\n/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    port,
    credentials,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A throwaway CA and a server certificate for localhost / 127.0.0.1 / ::1, made with openssl: files `ca.pem`
 * (for the client's CA file) and the server's certificate and key.
 */
export function makeCertificates(dir: string): { ca: string; cert: Buffer; key: Buffer } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Station Test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  return { ca: path.join(dir, 'ca.pem'), cert: fs.readFileSync(path.join(dir, 'server.pem')), key: fs.readFileSync(path.join(dir, 'server.key')) };
}

/** Whether this machine has the IPv6 loopback address (containers and CI runners may not). */
export function hasIpv6Loopback(): boolean {
  return Object.values(os.networkInterfaces()).some((addresses) => addresses?.some((address) => address.family === 'IPv6' && address.address === '::1'));
}
