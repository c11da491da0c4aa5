import path from 'node:path';

/**
 * The engine process's environment. A packaged app's models live outside the asar, in resources/models
 * (never a manifest named by the user's environment); the engine verifies them by sha256 before it starts and
 * refuses to run on a mismatch. From a checkout the engine finds the project's models/ itself.
 */
export function engineEnvironment(options: { packaged: boolean; resourcesPath: string; env?: NodeJS.ProcessEnv }): NodeJS.ProcessEnv {
  const env = { ...(options.env ?? process.env) };
  if (options.packaged) env.STATION_MODEL_MANIFEST = path.join(options.resourcesPath, 'models', 'manifest.json');
  return env;
}
