/**
 * Which camera to use: the one remembered (by device id, else by label: ids change when a camera is plugged
 * into another port or the browser profile is reset), else the first that is not a known virtual camera.
 * Virtual cameras (OBS, ManyCam, phone apps, ...) can feed any picture, including a photo or a video of
 * someone else, so they are flagged, and a site can block them. Pure functions, tested in Node.
 */

export interface CameraDevice {
  deviceId: string;
  label: string;
}

export interface RememberedCamera {
  id: string;
  label: string;
}

/** Labels of virtual camera drivers, matched case-insensitively anywhere in the device label. */
const VIRTUAL_CAMERA_PATTERNS: RegExp[] = [
  /\bOBS\b/i,
  /ManyCam/i,
  /Snap Camera/i,
  /XSplit/i,
  /DroidCam/i,
  /Iriun/i,
  /\bCamo\b/i,
  /NVIDIA Broadcast/i,
  /Camtwist/i,
  /e2eSoft|VCam/i,
  /SplitCam/i,
  /YouCam/i,
  /Epoc ?Cam/i,
  /mmhmm/i,
  /Virtual ?Cam/i,
  /v4l2 ?loopback|Dummy video device/i,
  /Fake/i,
];

/** Infrared sensors (Windows Hello) show up as cameras but are no use for a colour portrait. */
const INFRARED = /\bIR Camera\b|\bInfrared\b/i;

export function isVirtualCamera(label: string): boolean {
  return VIRTUAL_CAMERA_PATTERNS.some((pattern) => pattern.test(label));
}

/** A label without what the OS adds to tell identical models apart (" #2", " (046d:0825)"). */
export function baseLabel(label: string): string {
  return label
    .replace(/\s*\([0-9a-f]{4}:[0-9a-f]{4}\)\s*$/i, '')
    .replace(/\s*#\d+\s*$/, '')
    .trim();
}

export interface CameraPick {
  device: CameraDevice | null;
  /** How it was chosen, for the operator line ("the remembered camera is not connected"). */
  reason: 'remembered-id' | 'remembered-label' | 'first' | 'none';
  /** The remembered camera exists but is missing now. */
  rememberedMissing: boolean;
}

/**
 * Picks the camera: remembered id, then remembered label, then the first usable one. Virtual cameras are
 * skipped when `blockVirtual` is set (even if remembered); infrared sensors are never picked on their own.
 */
export function chooseCamera(devices: readonly CameraDevice[], remembered: RememberedCamera | null, blockVirtual: boolean): CameraPick {
  const allowed = devices.filter((device) => !(blockVirtual && isVirtualCamera(device.label)));
  if (remembered) {
    const byId = allowed.find((device) => device.deviceId === remembered.id);
    if (byId) return { device: byId, reason: 'remembered-id', rememberedMissing: false };
    const wanted = baseLabel(remembered.label);
    const byLabel = wanted === '' ? undefined : allowed.find((device) => baseLabel(device.label) === wanted);
    if (byLabel) return { device: byLabel, reason: 'remembered-label', rememberedMissing: false };
  }
  const usable = allowed.filter((device) => !INFRARED.test(device.label));
  const preferred = usable.find((device) => !isVirtualCamera(device.label)) ?? usable[0] ?? null;
  return { device: preferred, reason: preferred ? 'first' : 'none', rememberedMissing: remembered !== null };
}
