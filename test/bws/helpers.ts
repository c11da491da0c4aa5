import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BwsClient, type BwsClientOptions } from '../../src/engine/bws/client.js';
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

/** A real local service on 127.0.0.1:0 with its own encrypted database in a temp folder. */
export async function startFixture(options: Partial<LocalBwsServiceOptions> & { dataDir?: string; dbKey?: Buffer; credentials?: Credentials; tls?: ServerTls } & Pick<ListenOptions, 'serverOptions' | 'maxConnectionsPerClient'> = {}): Promise<LocalFixture> {
  const credentials = options.credentials ?? newCredentials();
  const dataDir = options.dataDir ?? tempDir();
  const dbKey = options.dbKey ?? randomBytes(32);
  const service = await startLocalBws({ ...options, host: '127.0.0.1', port: 0, clientId: credentials.clientId, key: credentials.key, dataDir, dbKey });
  const endpoint = `http://127.0.0.1:${service.port}`;
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
