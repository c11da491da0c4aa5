/**
 * Entry of the engine's Electron utilityProcess (bundled to out/main/engine-process.js). Native, crash-prone
 * work (ONNX, sharp, SQLite) runs here, so a native abort ends this process, not the window; main respawns it.
 * Main first transfers a private MessagePort on the parent port (`{t:'port'}`), then sends
 * `{t:'init', dataDir, key}` on it. Later it may transfer frame ports (`{t:'frames'}`): each carries live
 * camera frames from a window straight to this process (see src/shared/frames.ts).
 * No Electron import: `process.parentPort` is described structurally.
 */
import type { StationApi } from '../../shared/contract.js';
import { StaticKeyProvider } from '../store/keys.js';
import { startInstalledModelsEarly } from '../vision/models-start.js';
import { hostEngine } from './engine-host.js';
import { serveFrames } from './frame-server.js';
import { eventPortTransport, type EventPortLike } from './transport.js';

interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: EventPortLike[] }) => void): unknown;
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!parentPort) {
  process.stderr.write('engine-process: this entry runs inside the Enrollment Station app; use `npx station` for the engine in plain Node.\n');
  process.exit(2);
}

// The six models load on their own thread while the rest of the engine's modules load here (about a third of
// a second on two cores), instead of after them. A refused model check is not reported here: the handshake
// runs the same check again and hands its error to main.
try {
  startInstalledModelsEarly();
} catch {
  // Reported at the handshake.
}
const stationModule = import('../station.js');
// A module that fails to load (say, a native module built for another Node) is reported at the handshake too.
stationModule.catch(() => {});

let stationReady: ((station: StationApi) => void) | null = null;
const station = new Promise<StationApi>((resolve) => {
  stationReady = resolve;
});
let hosted = false;

parentPort.on('message', (event) => {
  const kind = (event.data as { t?: unknown } | null)?.t;
  const port = event.ports[0];
  if (kind === 'frames' && port) {
    // Frames wait for the station like requests do; the port is served as soon as it exists.
    void station.then((ready) => serveFrames(eventPortTransport(port), (frame) => ready.analyzeFrame(frame)));
    return;
  }
  if (hosted) return;
  if (!port) {
    process.stderr.write('engine-process: no port was handed over; exiting.\n');
    process.exit(2);
  }
  hosted = true;
  void hostEngine(eventPortTransport(port), async ({ dataDir, key, systemLocales }) => {
    // Refuse to start on missing or changed models (main passes the packaged app's resources/models manifest
    // in STATION_MODEL_MANIFEST); the error reaches main as a fatal handshake and is not retried. The same
    // check starts the models loading (createStation's own early start then has nothing left to do).
    startInstalledModelsEarly();
    const { createStation } = await stationModule;
    const created = await createStation({ dataDir, keyProvider: new StaticKeyProvider(Buffer.from(key), 'OS keystore (safeStorage), unwrapped by the app'), systemLocales });
    // The app syncs in the background whenever BWS is configured; the status reaches the UI as events.
    void created.startBackgroundSync();
    stationReady?.(created);
    return created;
  });
});
