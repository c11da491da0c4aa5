import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { chooseCamera, isVirtualCamera, type CameraDevice, type RememberedCamera } from './cameraChoice.js';

/** The chosen camera is a per-station preference of the operator, kept in the window's own storage. */
const STORAGE_KEY = 'station.camera';

/** The camera chosen at this window's capture screen, if any (shown, and forgettable, in Settings). */
export function readRemembered(): RememberedCamera | null {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as RememberedCamera | null;
    return value && typeof value.id === 'string' && typeof value.label === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** Back to the station's camera setting (or the first camera): forgets the choice made at the capture screen. */
export function forgetRemembered(): void {
  localStorage.removeItem(STORAGE_KEY);
}

export type CameraStatus =
  | { kind: 'starting' }
  | { kind: 'on' }
  | { kind: 'none' }
  /** Only virtual cameras are connected and the site blocks them. */
  | { kind: 'blocked' }
  | { kind: 'error'; reason: 'denied' | 'busy' | 'notFound' | 'other' };

export interface CameraView {
  status: CameraStatus;
  devices: CameraDevice[];
  current: CameraDevice | null;
  /** The camera in use is a known virtual camera. */
  virtual: boolean;
  /** The remembered camera is not connected (another one is in use until it comes back). */
  rememberedMissing: boolean;
  choose(deviceId: string): void;
  retry(): void;
}

/** getUserMedia's error names, sorted into what the operator can do about them. */
function errorReason(error: unknown): 'denied' | 'busy' | 'notFound' | 'other' {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'notFound';
  return 'other';
}

/**
 * Opens the chosen camera on `video` at the highest resolution it offers (stills are taken from it) and
 * keeps the choice: remembered by id and label, re-selected when it is plugged in again, another camera used
 * while it is away. `onLost` is called when the picture stops (unplugged, taken by another program).
 */
export function useCamera(video: RefObject<HTMLVideoElement | null>, options: { blockVirtual: boolean; siteCamera: string; onReady(): void; onLost(): void }): CameraView {
  const [status, setStatus] = useState<CameraStatus>({ kind: 'starting' });
  const [devices, setDevices] = useState<CameraDevice[]>([]);
  const [current, setCurrent] = useState<CameraDevice | null>(null);
  const [rememberedMissing, setRememberedMissing] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const events = useRef(options);
  events.current = options;
  const stream = useRef<MediaStream | null>(null);
  const currentId = useRef<string | null>(null);

  const stop = useCallback(() => {
    stream.current?.getTracks().forEach((track) => track.stop());
    stream.current = null;
    if (video.current) video.current.srcObject = null;
  }, [video]);

  const open = useCallback(
    async (deviceId: string | null) => {
      setStatus({ kind: 'starting' });
      stop();
      try {
        // Video only: the station never asks for the microphone (main denies audio anyway).
        const media = await navigator.mediaDevices.getUserMedia({ audio: false, video: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), width: { ideal: 1920 }, height: { ideal: 1080 } } });
        const track = media.getVideoTracks()[0];
        stream.current = media;
        const settings = track?.getSettings();
        const device = { deviceId: settings?.deviceId ?? deviceId ?? '', label: track?.label ?? '' };
        currentId.current = device.deviceId;
        setCurrent(device);
        track?.addEventListener('ended', () => {
          if (stream.current !== media) return;
          setStatus({ kind: 'none' });
          events.current.onLost();
          setAttempt((value) => value + 1);
        });
        if (video.current) {
          video.current.srcObject = media;
          await video.current.play().catch(() => undefined);
        }
        setStatus({ kind: 'on' });
        events.current.onReady();
        return device;
      } catch (error) {
        setStatus({ kind: 'error', reason: errorReason(error) });
        events.current.onLost();
        return null;
      }
    },
    [stop, video],
  );

  // Enumerate, choose, open; again when devices come and go (the remembered camera coming back is switched to).
  useEffect(() => {
    let cancelled = false;
    const pick = async () => {
      const list = (await navigator.mediaDevices.enumerateDevices()).filter((device) => device.kind === 'videoinput').map((device) => ({ deviceId: device.deviceId, label: device.label }));
      if (cancelled) return;
      setDevices(list);
      // The operator's choice in this window, else the camera the station's settings name (by label).
      const wanted = readRemembered() ?? (options.siteCamera ? { id: '', label: options.siteCamera } : null);
      const choice = chooseCamera(list, wanted, options.blockVirtual);
      setRememberedMissing(choice.rememberedMissing);
      if (!choice.device) {
        if (list.length > 0 && options.blockVirtual) {
          stop();
          currentId.current = null;
          setStatus({ kind: 'blocked' });
          events.current.onLost();
        } else if (list.length === 0) {
          stop();
          currentId.current = null;
          setStatus({ kind: 'none' });
          events.current.onLost();
        }
        return;
      }
      if (choice.device.deviceId !== currentId.current || !stream.current) await open(choice.device.deviceId || null);
    };
    // Labels are only listed once the page may use a camera: ask first, then choose among the real list.
    const start = async () => {
      if (!stream.current) {
        const first = await open(readRemembered()?.id ?? null);
        if (!first && readRemembered()) await open(null);
      }
      await pick();
    };
    void start();
    const onChange = () => void pick();
    navigator.mediaDevices.addEventListener('devicechange', onChange);
    return () => {
      cancelled = true;
      navigator.mediaDevices.removeEventListener('devicechange', onChange);
    };
  }, [open, stop, options.blockVirtual, options.siteCamera, attempt]);

  useEffect(() => () => stop(), [stop]);

  const choose = useCallback(
    (deviceId: string) => {
      const device = devices.find((entry) => entry.deviceId === deviceId);
      if (!device) return;
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ id: device.deviceId, label: device.label } satisfies RememberedCamera));
      setRememberedMissing(false);
      void open(device.deviceId);
    },
    [devices, open],
  );

  return { status, devices, current, virtual: current ? isVirtualCamera(current.label) : false, rememberedMissing, choose, retry: () => setAttempt((value) => value + 1) };
}
