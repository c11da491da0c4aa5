// Packaging of the Enrollment Station app: the one file electron-builder reads (`npm run dist`).
// test/build/package.test.ts applies these same rules to prove the packaged file set without the Electron
// binary, so every rule here has a reason and a test.
//
// Build each OS's installers on that OS (CI does): the native modules are rebuilt for Electron's ABI on the
// machine that packages, and only that machine's onnxruntime binaries are shipped.

/** Native modules and the packages whose shared libraries they load at run time (all unpacked from the asar). */
export const NATIVE_PACKAGES = ['better-sqlite3-multiple-ciphers', 'onnxruntime-node', 'onnxruntime-common', 'sharp', '@img'];

/** Electron fuses, flipped in the packaged binary (see README "Install and deploy"). */
export const FUSES = {
  // No ELECTRON_RUN_AS_NODE: the binary cannot be turned into a general Node runtime. The engine runs in a
  // utilityProcess, which does not need it.
  runAsNode: false,
  // NODE_OPTIONS (and NODE_EXTRA_CA_CERTS) and --inspect are ignored: nobody injects code or a debugger.
  // An on-premises BWS CA is configured with the `ca-file` setting instead.
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  // The app is loaded only from the (integrity-checked) app.asar, never from a loose app/ folder.
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
  // file:// pages get no extra privileges; the UI is served from app://.
  grantFileProtocolExtraPrivileges: false,
};

const env = process.env;
const notarise = Boolean(env.APPLE_TEAM_ID && ((env.APPLE_ID && env.APPLE_APP_SPECIFIC_PASSWORD) || (env.APPLE_API_KEY && env.APPLE_API_KEY_ID && env.APPLE_API_ISSUER)));
const macSigning = Boolean(env.CSC_LINK || env.CSC_NAME);

/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'com.bioid.enrollment-station',
  productName: 'Enrollment Station',
  executableName: 'enrollment-station',
  directories: { output: 'release', buildResources: 'build' },

  // The app: the electron-vite bundles, the BWS proto files and package.json. electron-builder adds the
  // production dependencies (never the dev dependencies) from package.json.
  files: [
    'package.json',
    'out/**/*',
    'proto/**/*.proto',
    '!**/*.map',
    '!**/*.{ts,tsx,mts,cts}',
    '!**/node_modules/*/{test,tests,__tests__,docs,doc,example,examples,bench,benchmark}/**',
    // Type declarations only (protobufjs lists @types/node as a dependency): nothing loads them at run time.
    '!**/node_modules/@types/**',
    '!**/node_modules/**/*.{md,markdown,gyp,gypi,cc,cpp,c,h,hpp,o,a,obj,pdb,lib,exp,ilk,tlog,mk}',
    // better-sqlite3-multiple-ciphers compiles from source: ship its binding, not the sources or objects.
    '!**/node_modules/better-sqlite3-multiple-ciphers/{deps,src}/**',
    '!**/node_modules/better-sqlite3-multiple-ciphers/build/{deps,node_gyp_bins}/**',
    '!**/node_modules/better-sqlite3-multiple-ciphers/build/Release/{obj,obj.target,.deps}/**',
    '!**/node_modules/better-sqlite3-multiple-ciphers/build/Release/test_extension.node',
    '!**/node_modules/better-sqlite3-multiple-ciphers/build/*.{mk,Makefile}',
    '!**/node_modules/better-sqlite3-multiple-ciphers/build/{Makefile,config.gypi}',
    // onnxruntime-node carries every OS's and CPU's runtime (about 280 MB): keep only the one being built.
    '!**/node_modules/onnxruntime-node/bin/napi-v*/!(${platform})/**',
    '!**/node_modules/onnxruntime-node/bin/napi-v*/${platform}/!(${arch})/**',
    '!**/node_modules/onnxruntime-node/script/**',
  ],
  asar: true,
  // A .node file, or a library it loads (libonnxruntime, libvips), cannot be loaded from inside an asar. The
  // inference worker loads onnxruntime-node by path, so its JavaScript (and onnxruntime-common) is unpacked too.
  asarUnpack: [
    '**/*.node',
    '**/*.{so,so.*,dylib,dll}',
    ...NATIVE_PACKAGES.map((name) => `**/node_modules/${name}/**`),
  ],
  // The face models stay outside the asar: resources/models, verified by sha256 before the engine starts.
  extraResources: [{ from: 'models', to: 'models', filter: ['manifest.json', '*.onnx'] }],
  // Rebuild the native modules for Electron's ABI on the packaging machine (from source where needed).
  npmRebuild: true,
  buildDependenciesFromSource: false,
  electronFuses: FUSES,

  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    maintainer: env.STATION_PACKAGE_MAINTAINER || 'Enrollment Station maintainers <enrollment-station@localhost>',
    synopsis: 'Face enrollment station for BioID BWS 3',
  },
  deb: { depends: ['libnss3', 'libgtk-3-0 | libgtk-4-1', 'libsecret-1-0'] },

  win: { target: [{ target: 'nsis', arch: ['x64'] }] },
  // Per-machine (Program Files, all users): what a kiosk needs. Silent install: `Setup.exe /S [/D=dir]`.
  nsis: {
    oneClick: false,
    perMachine: true,
    allowElevation: true,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    artifactName: 'Enrollment-Station-Setup-${version}.${ext}',
  },

  mac: {
    target: ['dmg'],
    category: 'public.app-category.business',
    hardenedRuntime: true,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
    extendInfo: { NSCameraUsageDescription: 'Enrollment Station photographs the person being enrolled.' },
    // Signing (CSC_LINK + CSC_KEY_PASSWORD, or CSC_NAME) and notarisation (APPLE_ID +
    // APPLE_APP_SPECIFIC_PASSWORD + APPLE_TEAM_ID, or an App Store Connect API key) only when configured;
    // without them the dmg is built unsigned.
    identity: macSigning ? undefined : null,
    notarize: notarise,
  },
  dmg: { artifactName: 'Enrollment-Station-${version}-${arch}.${ext}' },

  publish: null,
};

export default config;
