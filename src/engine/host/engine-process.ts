/**
 * Entry of the engine's Electron utilityProcess (bundled to out/main/engine-process.js). Native, crash-prone
 * work (ONNX, sharp, SQLite) runs here, so a native abort ends this process, not the window; main respawns it.
 * Main transfers a private MessagePort on the parent port, then sends `{t:'init', dataDir, key}` on it.
 * No Electron import: `process.parentPort` is described structurally.
 */
import { assertModelsInstalled, loadManifest } from '../models/manifest.js';
import { StaticKeyProvider } from '../store/keys.js';
import { createStation } from '../station.js';
import { hostEngine } from './engine-host.js';
import { eventPortTransport, type EventPortLike } from './transport.js';

interface ParentPortLike {
  once(event: 'message', listener: (event: { data: unknown; ports: EventPortLike[] }) => void): unknown;
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!parentPort) {
  process.stderr.write('engine-process: this entry runs inside the Enrollment Station app; use `npx station` for the engine in plain Node.\n');
  process.exit(2);
}

parentPort.once('message', (event) => {
  const port = event.ports[0];
  if (!port) {
    process.stderr.write('engine-process: no port was handed over; exiting.\n');
    process.exit(2);
  }
  void hostEngine(eventPortTransport(port), async ({ dataDir, key, systemLocales }) => {
    // Refuse to start on missing or changed models (main passes the packaged app's resources/models manifest
    // in STATION_MODEL_MANIFEST); the error reaches main as a fatal handshake and is not retried.
    assertModelsInstalled(loadManifest());
    const station = await createStation({ dataDir, keyProvider: new StaticKeyProvider(Buffer.from(key), 'OS keystore (safeStorage), unwrapped by the app'), systemLocales });
    // The app syncs in the background whenever BWS is configured; the status reaches the UI as events.
    void station.startBackgroundSync();
    return station;
  });
});
