import { MessageChannel } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FRAME_PORT_GRANT, FRAME_PORT_REQUEST, type FrameReply } from '../../src/shared/frames.js';
import type { LiveFrame, LiveGuidance } from '../../src/shared/schemas.js';
import { hostEngine } from '../../src/engine/host/engine-host.js';
import { serveFrames } from '../../src/engine/host/frame-server.js';
import { eventPortTransport, nodePortTransport } from '../../src/engine/host/transport.js';
import { EngineSupervisor } from '../../src/main/engine-supervisor.js';
import { registerFramePorts } from '../../src/main/ipc.js';
import { relayFramePorts, type RelayWindow } from '../../src/preload/frame-port.js';
import { FakeMessagePortMain, ipcMain, ipcRenderer, ipcStub, MessageChannelMain, resetElectronStub, utilityProcess } from '../stubs/electron.js';
import { MemoryStation } from '../stubs/memory-station.js';

/** A grey RGBA frame whose brightness the MemoryStation reports back: proves the pixels arrived. */
function greyFrame(width: number, height: number, level: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(width * height * 4).fill(level);
}

function nextReply(port: { once(event: 'message', listener: (value: unknown) => void): unknown }): Promise<FrameReply> {
  return new Promise((resolve) => port.once('message', (value) => resolve(value as FrameReply)));
}

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const channel of channels.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

describe('frame server (engine side of the frame port)', () => {
  it('moves the frame (the sender keeps no copy) and answers with guidance computed from its pixels', async () => {
    const channel = new MessageChannel();
    channels.push(channel);
    const engine = new MemoryStation();
    serveFrames(nodePortTransport(channel.port1), (frame) => engine.analyzeFrame(frame));
    const data = greyFrame(640, 480, 100);
    const replied = nextReply(channel.port2);
    channel.port2.postMessage({ t: 'frame', id: 7, width: 640, height: 480, data: data.buffer }, [data.buffer]);
    // Transferred: the renderer's buffer is detached, 1.2 MB were moved, not copied.
    expect(data.byteLength).toBe(0);
    const reply = await replied;
    expect(reply).toMatchObject({ t: 'guidance', id: 7 });
    expect((reply as { guidance: LiveGuidance }).guidance.prompts[0]!.message).toBe('No face found (frame 640x480, brightness 100, centre 50%).');
  });

  it('answers `dropped` at once to a frame that arrives while one is being analysed, and refuses bad frames', async () => {
    const channel = new MessageChannel();
    channels.push(channel);
    const engine = new MemoryStation();
    let release: () => void = () => undefined;
    const seen: number[] = [];
    const server = serveFrames(nodePortTransport(channel.port1), async (frame: LiveFrame) => {
      seen.push(frame.data[0]!);
      if (seen.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return engine.analyzeFrame(frame);
    });
    const replies: FrameReply[] = [];
    channel.port2.on('message', (value) => replies.push(value as FrameReply));
    const send = (id: number, level: number) => {
      const data = greyFrame(32, 24, level);
      channel.port2.postMessage({ t: 'frame', id, width: 32, height: 24, data: data.buffer }, [data.buffer]);
    };
    send(1, 10);
    send(2, 20);
    send(3, 30);
    await expect.poll(() => replies.map((reply) => `${reply.t}:${reply.id}`)).toEqual(['dropped:2', 'dropped:3']);
    release();
    await expect.poll(() => replies.length).toBe(3);
    expect(replies[2]).toMatchObject({ t: 'guidance', id: 1 });
    // Only the first frame reached the analyser; the dropped ones never did.
    expect(seen).toEqual([10]);
    expect(server.stats).toEqual({ analysed: 1, dropped: 2 });

    // A frame whose size does not match its bytes is refused with a coded error, never analysed.
    channel.port2.postMessage({ t: 'frame', id: 4, width: 32, height: 24, data: new Uint8Array(10).buffer });
    await expect.poll(() => replies.length).toBe(4);
    expect(replies[3]).toEqual({ t: 'error', id: 4, error: { code: 'IMAGE_UNREADABLE', message: expect.stringMatching(/raw RGBA/) } });
    channel.port2.postMessage({ t: 'frame', id: 5, width: 1280, height: 720, data: new Uint8Array(1280 * 720 * 4).buffer });
    await expect.poll(() => replies.length).toBe(5);
    expect(replies[4]).toMatchObject({ t: 'error', id: 5, error: { code: 'IMAGE_UNREADABLE' } });
    expect(seen).toEqual([10]);
  });
});

/** The page's window in Node: messages posted to it are dispatched to its listeners with itself as source. */
class FakeWindow implements RelayWindow {
  private readonly listeners = new Set<(event: { source: unknown; data: unknown; ports: unknown[] }) => void>();
  postMessage(message: unknown, _origin: string, transfer: unknown[] = []) {
    queueMicrotask(() => this.listeners.forEach((listener) => listener({ data: message, ports: transfer, source: this })));
  }
  addEventListener(_type: 'message', listener: (event: { source: unknown; data: unknown; ports: unknown[] }) => void) {
    this.listeners.add(listener);
  }
}

describe('frame port through the Electron shell (stubbed Electron, real ports)', () => {
  let supervisor: EngineSupervisor;
  beforeEach(() => {
    resetElectronStub();
    // Plays the engine process: the RPC host on the first port, the frame server on every `frames` port.
    utilityProcess.onMessage = (_child, message, transfer) => {
      const port = transfer[0] as FakeMessagePortMain;
      const kind = (message as { t?: string }).t;
      const engine = new MemoryStation('/data/station');
      if (kind === 'port') void hostEngine(eventPortTransport(port), () => engine);
      if (kind === 'frames') serveFrames(eventPortTransport(port), (frame) => engine.analyzeFrame(frame));
    };
    supervisor = new EngineSupervisor({
      fork: () => utilityProcess.fork('/app/out/main/engine-process.js'),
      createChannel: () => new MessageChannelMain(),
      obtainInit: async () => ({ dataDir: '/data/station', key: new Uint8Array(32).fill(1) }),
      readyTimeoutMs: 5_000,
    });
  });
  afterEach(() => supervisor.stop());

  it('a window asks through the preload, main opens a channel to the engine, and frames reach it directly', async () => {
    registerFramePorts(ipcMain as never, () => supervisor.openFrameChannel());
    const page = new FakeWindow();
    relayFramePorts(page, ipcRenderer as never);
    await supervisor.start();

    const granted = new Promise<FakeMessagePortMain>((resolve) =>
      page.addEventListener('message', (event) => {
        if (event.data === FRAME_PORT_GRANT) resolve(event.ports[0] as FakeMessagePortMain);
      }),
    );
    page.postMessage(FRAME_PORT_REQUEST, '*');
    const port = await granted;
    // The engine got the other end with a `frames` message; the RPC port stays the first one.
    expect(utilityProcess.forked[0]!.messages.map((entry) => entry.message)).toEqual([{ t: 'port' }, { t: 'frames' }]);

    const transport = eventPortTransport(port);
    const reply = new Promise<unknown>((resolve) => transport.onMessage(resolve));
    transport.send({ t: 'frame', id: 1, width: 16, height: 16, data: greyFrame(16, 16, 200).buffer });
    expect(await reply).toMatchObject({ t: 'guidance', id: 1, guidance: { prompts: [{ message: 'No face found (frame 16x16, brightness 200, centre 47%).' }] } });
  });

  it('ignores a request from an untrusted frame: no channel is opened', async () => {
    let opened = 0;
    registerFramePorts(ipcMain as never, async () => {
      opened += 1;
      return supervisor.openFrameChannel();
    });
    ipcStub.senderEvent = { senderFrame: { url: 'https://evil.example/', parent: null } };
    const grants: unknown[] = [];
    ipcRenderer.on(FRAME_PORT_GRANT, (event: unknown) => grants.push(event));
    ipcRenderer.send(FRAME_PORT_REQUEST);
    // An iframe of the app is refused too.
    ipcStub.senderEvent = { senderFrame: { url: 'app://station/index.html', parent: {} } };
    ipcRenderer.send(FRAME_PORT_REQUEST);
    await new Promise((resolve) => setImmediate(resolve));
    expect(opened).toBe(0);
    expect(grants).toEqual([]);
  });
});
