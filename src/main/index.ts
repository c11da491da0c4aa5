/**
 * Electron main: wires the shell together. Everything with a decision in it lives in its own small module
 * (window, protocol, security, ipc, keystore, engine-supervisor) so it can be tested against a stub.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, crashReporter, ipcMain, MessageChannelMain, protocol, safeStorage, session, utilityProcess } from 'electron';
import { EVENT_CHANNELS } from '../shared/contract.js';
import { openLog } from '../engine/logs.js';
import { redactUrlCredentials } from '../shared/redact.js';
import { engineEnvironment } from './engine-env.js';
import { EngineSupervisor } from './engine-supervisor.js';
import { eventChannel } from './ipc-channels.js';
import { registerFramePorts, registerIpcHandlers } from './ipc.js';
import { KioskController } from './kiosk.js';
import { SafeStorageKeyProvider } from './keystore.js';
import { installAppProtocol, registerAppScheme } from './protocol.js';
import { applyContentsPolicy, applySessionPolicy } from './security.js';
import { createMainWindow } from './window.js';
import { applyApplicationMenu, windowPolicyFor } from './window-policy.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '../renderer');
const preloadPath = path.join(here, '../preload/index.cjs');
const engineEntry = path.join(here, 'engine-process.js');

app.setName('Enrollment Station');
// Crash reports stay on this machine (app.getPath('crashDumps')); a support bundle can include them.
crashReporter.start({ uploadToServer: false });
// Schemes must be registered before `ready`; the sandbox is enforced for every renderer, not just ours.
registerAppScheme(protocol);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // A second app on the same data folder would fight over the queue; the first window is brought forward.
  app.quit();
} else {
  app.on('web-contents-created', (_event, contents) => applyContentsPolicy(contents));
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(startStation);
}

async function startStation(): Promise<void> {
  installAppProtocol(protocol, rendererDir);
  applySessionPolicy(session.defaultSession);

  // The same folder the CLI uses by default (paths.ts computes userData the way Electron does).
  const dataDir = process.env.STATION_DATA_DIR ? path.resolve(process.env.STATION_DATA_DIR) : app.getPath('userData');
  // logs/app.log in the data folder (rotated, size-capped): the shell's own events, such as engine restarts.
  const appLog = openLog(dataDir, 'app');
  appLog.info(`app ${app.getVersion()} started (Electron ${process.versions.electron}, ${app.isPackaged ? 'packaged' : 'from a checkout'})`);
  const keyProvider = new SafeStorageKeyProvider(safeStorage, { allowWeakKeystore: process.env.STATION_ALLOW_WEAK_KEYSTORE === '1' });

  const supervisor = new EngineSupervisor({
    fork: () => utilityProcess.fork(engineEntry, [], { serviceName: 'Enrollment Station engine', stdio: 'inherit', env: engineEnvironment({ packaged: app.isPackaged, resourcesPath: process.resourcesPath }) }),
    createChannel: () => new MessageChannelMain(),
    obtainInit: async () => ({ dataDir, key: new Uint8Array(await keyProvider.obtainKey(dataDir)), systemLocales: app.getPreferredSystemLanguages() }),
    log: (line) => {
      console.log(redactUrlCredentials(line));
      appLog.warn(line);
    },
  });
  // A packaged app gets the production window policy (window-policy.ts); kiosk mode is layered on top of it.
  const policy = windowPolicyFor({ packaged: app.isPackaged });
  applyApplicationMenu(policy);
  const window = createMainWindow({ preloadPath, policy });
  const kiosk = new KioskController(window);
  // Kiosk mode follows its setting: applied at start, and whenever an administrator changes it.
  registerIpcHandlers(ipcMain, supervisor.api, (name, value) => {
    if (name === 'kioskMode') kiosk.apply(value === true);
  });
  registerFramePorts(ipcMain, () => supervisor.openFrameChannel(), (line) => console.log(line));

  // Engine events go to every app window; the preload strips the IPC event before the renderer sees them.
  const broadcast = (channel: (typeof EVENT_CHANNELS)[number], payload: unknown) => {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(eventChannel(channel), payload);
  };
  supervisor.api.onSyncStatus((status) => broadcast('syncStatus', status));
  supervisor.api.onJobsChanged(() => broadcast('jobsChanged', null));
  app.on('before-quit', () => supervisor.stop());

  await supervisor.start();
  const kioskSetting = await supervisor.api.getSettings().then((views) => views.find((view) => view.name === 'kioskMode')?.value === true, () => false);
  kiosk.apply(kioskSetting);
}
