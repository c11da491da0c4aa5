import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import ts from 'typescript';
import { REQUEST_METHODS, type StationApi } from '../../src/shared/contract.js';
import { errorValue } from '../../src/engine/host/validate.js';
import { CONTENT_SECURITY_POLICY } from '../../src/main/protocol.js';
import { MessageChannel } from 'node:worker_threads';
import type { FrameMessage, FrameReply } from '../../src/shared/frames.js';
import type { LiveFrame, LiveGuidance } from '../../src/shared/schemas.js';
import { serveFrames, type FrameServer } from '../../src/engine/host/frame-server.js';
import { nodePortTransport } from '../../src/engine/host/transport.js';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

const encode = (value: unknown) => JSON.stringify(value ?? null, (_key, item: unknown) => (item instanceof Uint8Array ? { $bytes: Buffer.from(item).toString('base64') } : item));
const decode = (text: string): unknown =>
  JSON.parse(text, (_key, item: unknown) => (item && typeof item === 'object' && typeof (item as { $bytes?: unknown }).$bytes === 'string' ? new Uint8Array(Buffer.from((item as { $bytes: string }).$bytes, 'base64')) : item));

/** Hands one frame to the engine's frame server and resolves with its reply. */
export type FrameForwarder = (frame: FrameMessage) => Promise<FrameReply>;

/**
 * The test process's end of the frame path: a real MessageChannel to the engine's frame server (the same
 * serveFrames the engine process runs), frames transferred, replies matched by a channel-wide id.
 */
export function forwardFramesTo(analyze: (frame: LiveFrame) => Promise<LiveGuidance>): { forward: FrameForwarder; close(): void; stats: FrameServer['stats'] } {
  const channel = new MessageChannel();
  const server = serveFrames(nodePortTransport(channel.port1), analyze);
  const waiting = new Map<number, (reply: FrameReply) => void>();
  let next = 1;
  channel.port2.on('message', (reply: FrameReply) => {
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  return {
    stats: server.stats,
    forward: (frame) =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, (reply) => resolve({ ...reply, id: frame.id }));
        channel.port2.postMessage({ ...frame, id }, [frame.data]);
      }),
    close() {
      server.close();
      channel.port2.close();
    },
  };
}

/** test/e2e/bridge.ts with its types stripped: the page's `window.station`. */
function bridgeScript(): string {
  const source = fs.readFileSync(path.join(import.meta.dirname, 'bridge.ts'), 'utf8');
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
}

/**
 * Serves the built renderer on 127.0.0.1 with the app's CSP header (as app:// does), plus the bridge:
 * POST /__station/<method> calls `api` (in the test, the RPC client of a real engine), GET
 * /__station/events streams its events.
 */
export async function startBridgeServer(rendererDir: string, api: StationApi, options: { frames?: FrameForwarder } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const bridge = bridgeScript();
  const streams = new Set<http.ServerResponse>();
  const push = (event: string, payload: unknown) => {
    for (const stream of streams) stream.write(`event: ${event}\ndata: ${encode(payload)}\n\n`);
  };
  const unsubscribe = [api.onSyncStatus((status) => push('syncStatus', status)), api.onJobsChanged(() => push('jobsChanged', null))];

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: string | Buffer) => {
      response.writeHead(status, { 'content-type': type, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
      response.end(body);
    };
    if (url.pathname === '/__station/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      response.write(': connected\n\n');
      streams.add(response);
      request.on('close', () => streams.delete(response));
      return;
    }
    if (url.pathname === '/__station/frame' && request.method === 'POST' && options.frames) {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        // A fresh ArrayBuffer of exactly the frame's bytes, transferred to the engine's port.
        const data = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
        const id = Number(url.searchParams.get('id'));
        void options.frames!({ t: 'frame', id, width: Number(url.searchParams.get('width')), height: Number(url.searchParams.get('height')), data }).then((reply) => send(200, 'application/json', JSON.stringify(reply)));
      });
      return;
    }
    if (url.pathname.startsWith('/__station/') && request.method === 'POST') {
      const method = url.pathname.slice('/__station/'.length);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void (async () => {
          try {
            if (!(REQUEST_METHODS as readonly string[]).includes(method)) throw Object.assign(new Error(`unknown method ${method}`), { code: 'INVALID_REQUEST' });
            const args = decode(Buffer.concat(chunks).toString('utf8')) as unknown[];
            const value = await (api[method as (typeof REQUEST_METHODS)[number]] as (...callArgs: unknown[]) => Promise<unknown>)(...args);
            send(200, 'application/json', encode({ ok: true, value }));
          } catch (error) {
            send(200, 'application/json', encode({ ok: false, error: errorValue(error) }));
          }
        })();
      });
      return;
    }
    if (url.pathname === '/__bridge.js') return send(200, TYPES['.js']!, bridge);
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(rendererDir, `.${relative}`);
    if (!file.startsWith(`${path.resolve(rendererDir)}${path.sep}`) || !fs.existsSync(file)) return send(404, 'text/plain', 'not found');
    let body: string | Buffer = fs.readFileSync(file);
    if (file.endsWith('index.html')) {
      // The bridge stands where the preload would: it runs before the app's module script.
      body = body.toString('utf8').replace('<script type="module"', '<script type="module" src="./__bridge.js"></script>\n    <script type="module"');
    }
    send(200, TYPES[path.extname(file)] ?? 'application/octet-stream', body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      unsubscribe.forEach((stop) => stop());
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
