/**
 * A recording stand-in for the `electron` module (vitest.config.ts aliases `electron` here): build machines
 * have no Electron binary, and the shell's tests need to see what the shell asked Electron to do. Only the
 * surface the shell uses is here. Everything records its calls; `resetElectronStub()` clears the records.
 * MessageChannelMain is real underneath (a worker_threads MessageChannel) so the RPC runs for real.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';

type Listener = (...args: unknown[]) => void;

export const calls: Array<{ api: string; args: unknown[] }> = [];
const record = (api: string, args: unknown[]) => calls.push({ api, args });

// ---------------------------------------------------------------- app
export const app = Object.assign(new EventEmitter(), {
  paths: { userData: '/tmp/enrollment-station-stub' } as Record<string, string>,
  setName: (...args: unknown[]) => record('app.setName', args),
  enableSandbox: () => record('app.enableSandbox', []),
  isPackaged: false,
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  getPath(name: string) {
    return app.paths[name] ?? `/tmp/enrollment-station-stub/${name}`;
  },
  quit: () => record('app.quit', []),
});

// ---------------------------------------------------------------- windows and web contents
export class FakeWebContents extends EventEmitter {
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
  }
  zoomLevel = 0;
  visualZoomLimits: [number, number] | null = null;
  devToolsOpen = false;
  setZoomLevel(level: number) {
    this.zoomLevel = level;
  }
  setVisualZoomLevelLimits(minimum: number, maximum: number) {
    this.visualZoomLimits = [minimum, maximum];
    return Promise.resolve();
  }
  closeDevTools() {
    this.devToolsOpen = false;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }) {
    this.windowOpenHandler = handler;
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly instances: BrowserWindow[] = [];
  static getAllWindows() {
    return [...BrowserWindow.instances];
  }
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.instances.push(this);
    record('BrowserWindow', [options]);
  }
  loadURL(url: string) {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  menuRemoved = false;
  removeMenu() {
    this.menuRemoved = true;
  }
  show() {}
  /** Window state the kiosk controller changes (recorded as plain fields). */
  kiosk = false;
  fullScreen = false;
  closable = true;
  menuBarVisible = true;
  setKiosk(flag: boolean) {
    this.kiosk = flag;
  }
  isKiosk() {
    return this.kiosk;
  }
  setFullScreen(flag: boolean) {
    this.fullScreen = flag;
  }
  setClosable(flag: boolean) {
    this.closable = flag;
  }
  setMenuBarVisibility(visible: boolean) {
    this.menuBarVisible = visible;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {}
}

// ---------------------------------------------------------------- menu and crash reporter
export const Menu = {
  /** What the shell last set as the application menu: undefined = never set (Electron's default menu). */
  application: undefined as unknown,
  setApplicationMenu(menu: unknown) {
    Menu.application = menu;
  },
  buildFromTemplate(template: unknown[]) {
    return { template };
  },
};

export const crashReporter = {
  start: (options: Record<string, unknown>) => record('crashReporter.start', [options]),
};

// ---------------------------------------------------------------- IPC
type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

export const ipcMain = {
  handlers: new Map<string, InvokeHandler>(),
  /** `ipcMain.on` listeners (one-way messages such as the frame-port request). */
  listeners: new Map<string, Set<Listener>>(),
  on(channel: string, listener: Listener) {
    if (!ipcMain.listeners.has(channel)) ipcMain.listeners.set(channel, new Set());
    ipcMain.listeners.get(channel)!.add(listener);
    return ipcMain;
  },
  removeListener(channel: string, listener: Listener) {
    ipcMain.listeners.get(channel)?.delete(listener);
    return ipcMain;
  },
  handle(channel: string, handler: InvokeHandler) {
    if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcMain.handlers.set(channel, handler);
  },
  removeHandler(channel: string) {
    ipcMain.handlers.delete(channel);
  },
};

/** The event main sees for renderer requests; tests set it to play a trusted or an untrusted sender. */
export const ipcStub = {
  senderEvent: { senderFrame: { url: 'app://station/index.html', parent: null } } as unknown,
};

/** The renderer side. `invoke` reaches ipcMain's handler through a structured clone, like real IPC. */
class FakeIpcRenderer extends EventEmitter {
  async invoke(channel: string, ...args: unknown[]) {
    record('ipcRenderer.invoke', [channel, ...args]);
    const handler = ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return structuredClone(await handler(ipcStub.senderEvent, ...structuredClone(args)));
  }
  /**
   * One-way message to main. The event carries the configured sender frame and a `sender` whose
   * postMessage delivers back to this renderer with the transferred ports, as webContents.postMessage does.
   */
  send(channel: string, ...args: unknown[]) {
    record('ipcRenderer.send', [channel, ...args]);
    const sender = { postMessage: (reply: string, message: unknown, ports: unknown[] = []) => this.emit(reply, { sender: this, senderId: 0, ports }, message) };
    for (const listener of ipcMain.listeners.get(channel) ?? []) listener({ ...(ipcStub.senderEvent as object), sender }, ...structuredClone(args));
  }
  /** Delivers an event as Electron does: (event, ...args), where the event exposes `sender` (this object). */
  deliver(channel: string, ...args: unknown[]) {
    this.emit(channel, { sender: this, senderId: 0, ports: [] }, ...args);
  }
}
export const ipcRenderer = new FakeIpcRenderer();

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown) {
    record('contextBridge.exposeInMainWorld', [key]);
    contextBridge.exposed.set(key, api);
  },
};

// ---------------------------------------------------------------- protocol and session
export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: unknown[]) {
    protocol.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response>) {
    protocol.handlers.set(scheme, handler);
  },
};

export class FakeSession {
  permissionRequestHandler: Listener | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  devicePermissionHandler: ((...args: unknown[]) => boolean) | null = null;
  beforeRequest: ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) | null = null;
  readonly webRequest = {
    onBeforeRequest: (listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) => {
      this.beforeRequest = listener;
    },
  };
  setPermissionRequestHandler(handler: Listener) {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: (...args: unknown[]) => boolean) {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: (...args: unknown[]) => boolean) {
    this.devicePermissionHandler = handler;
  }
}
export const session = { defaultSession: new FakeSession() };

// ---------------------------------------------------------------- safeStorage
/**
 * Wraps by XOR with a per-"keyring" secret, so a different keyring (or user) really cannot unwrap, and
 * reports the configured Linux backend.
 */
export const safeStorage = {
  backend: 'gnome_libsecret' as string,
  available: true,
  keyringSecret: 0x5a,
  shouldReEncrypt: false,
  isEncryptionAvailable: () => safeStorage.available,
  isAsyncEncryptionAvailable: async () => safeStorage.available,
  getSelectedStorageBackend: () => safeStorage.backend,
  encryptString(text: string): Buffer {
    if (!safeStorage.available) throw new Error('Encryption is not available.');
    const body = Buffer.from(text, 'utf8').map((byte) => byte ^ safeStorage.keyringSecret);
    return Buffer.concat([Buffer.from('v11'), Buffer.from([safeStorage.keyringSecret]), body]);
  },
  decryptString(wrapped: Buffer): string {
    if (wrapped.subarray(0, 3).toString() !== 'v11' || wrapped[3] !== safeStorage.keyringSecret) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(wrapped.subarray(4).map((byte) => byte ^ safeStorage.keyringSecret)).toString('utf8');
  },
  encryptStringAsync: async (text: string) => safeStorage.encryptString(text),
  decryptStringAsync: async (wrapped: Buffer) => ({ result: safeStorage.decryptString(wrapped), shouldReEncrypt: safeStorage.shouldReEncrypt }),
};

// ---------------------------------------------------------------- utility processes and ports
/** Electron's MessagePortMain shape over a real worker_threads port: emits `{ data, ports }` events. */
export class FakeMessagePortMain extends EventEmitter {
  private started = false;
  constructor(readonly port: MessagePort) {
    super();
  }
  postMessage(message: unknown) {
    this.port.postMessage(message);
  }
  start() {
    if (this.started) return;
    this.started = true;
    this.port.on('message', (data: unknown) => this.emit('message', { data, ports: [] }));
  }
  close() {
    this.port.close();
  }
}

export class MessageChannelMain {
  readonly port1: FakeMessagePortMain;
  readonly port2: FakeMessagePortMain;
  constructor() {
    const channel = new MessageChannel();
    this.port1 = new FakeMessagePortMain(channel.port1);
    this.port2 = new FakeMessagePortMain(channel.port2);
  }
}

export class FakeUtilityProcess extends EventEmitter {
  readonly messages: Array<{ message: unknown; transfer: unknown[] }> = [];
  killed = false;
  constructor(readonly modulePath: string, readonly args: string[], readonly options: unknown) {
    super();
  }
  postMessage(message: unknown, transfer: unknown[] = []) {
    this.messages.push({ message, transfer });
    utilityProcess.onMessage?.(this, message, transfer);
  }
  kill() {
    if (this.killed) return false;
    this.killed = true;
    queueMicrotask(() => this.emit('exit', 0));
    return true;
  }
  /** Test helper: the process died on its own (a native abort, say). */
  crash(code = 134) {
    this.emit('exit', code);
  }
}

export const utilityProcess = {
  forked: [] as FakeUtilityProcess[],
  /** Called for every message main posts to a child: tests play the engine's side here. */
  onMessage: null as null | ((child: FakeUtilityProcess, message: unknown, transfer: unknown[]) => void),
  fork(modulePath: string, args: string[] = [], options: unknown = {}) {
    const child = new FakeUtilityProcess(modulePath, args, options);
    utilityProcess.forked.push(child);
    return child;
  },
};

export function resetElectronStub(): void {
  calls.length = 0;
  BrowserWindow.instances.length = 0;
  ipcMain.handlers.clear();
  ipcMain.listeners.clear();
  ipcRenderer.removeAllListeners();
  ipcStub.senderEvent = { senderFrame: { url: 'app://station/index.html', parent: null } };
  contextBridge.exposed.clear();
  protocol.privileged.length = 0;
  protocol.handlers.clear();
  session.defaultSession = new FakeSession();
  Object.assign(safeStorage, { backend: 'gnome_libsecret', available: true, keyringSecret: 0x5a, shouldReEncrypt: false });
  utilityProcess.forked.length = 0;
  utilityProcess.onMessage = null;
  Menu.application = undefined;
  app.isPackaged = false;
}

export default { app, BrowserWindow, Menu, crashReporter, ipcMain, ipcRenderer, contextBridge, protocol, session, safeStorage, utilityProcess, MessageChannelMain };
