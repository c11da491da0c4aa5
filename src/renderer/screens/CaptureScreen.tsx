import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { classIdInputSchema, type StationApi } from '../../shared/contract.js';
import type { EnrollResult, ImageAnalysis, LiveGuidance } from '../../shared/schemas.js';
import { describeError } from '../station.js';
import { useLiveGuidance } from './useLiveGuidance.js';

interface Shot {
  id: number;
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
  url: string;
  analysis: ImageAnalysis | null;
  error: string | null;
}

type CameraState = { kind: 'off' } | { kind: 'starting' } | { kind: 'on' } | { kind: 'error'; message: string };

function guidanceText(guidance: LiveGuidance | null, camera: CameraState): string {
  if (camera.kind === 'starting') return 'Starting the camera…';
  if (camera.kind === 'error') return camera.message;
  if (camera.kind === 'off') return 'Camera is off.';
  if (!guidance) return 'Looking for a face…';
  if (guidance.prompts.length > 0) return guidance.prompts[0]!.message;
  if (guidance.ready) return 'Hold still: ready to capture.';
  return guidance.faceFound ? 'Face found.' : 'Looking for a face…';
}

/** A still at the camera's full resolution (not the preview frame), as JPEG bytes. */
async function captureStill(video: HTMLVideoElement): Promise<{ blob: Blob; bytes: Uint8Array<ArrayBuffer> }> {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  if (!context || canvas.width === 0) throw new Error('The camera has not delivered a picture yet.');
  context.drawImage(video, 0, 0);
  const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((value) => (value ? resolve(value) : reject(new Error('Could not encode the still.'))), 'image/jpeg', 0.95));
  return { blob, bytes: new Uint8Array(await blob.arrayBuffer()) };
}

export function CaptureScreen({ api }: { api: StationApi }) {
  const video = useRef<HTMLVideoElement>(null);
  const [camera, setCamera] = useState<CameraState>({ kind: 'off' });
  const [classId, setClassId] = useState('');
  const [classIdTouched, setClassIdTouched] = useState(false);
  const [shots, setShots] = useState<Shot[]>([]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const nextShotId = useRef(1);
  const guidance = useLiveGuidance(api, video, camera.kind === 'on', busy);

  const startCamera = useCallback(async () => {
    setCamera({ kind: 'starting' });
    try {
      // Video only: the station never asks for the microphone (main denies audio anyway).
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1920 }, height: { ideal: 1080 } }, audio: false });
      if (video.current) {
        video.current.srcObject = stream;
        await video.current.play().catch(() => undefined);
      }
      setCamera({ kind: 'on' });
    } catch (error) {
      setCamera({ kind: 'error', message: `The camera could not be opened: ${describeError(error).message}` });
    }
  }, []);

  useEffect(() => {
    const element = video.current;
    void startCamera();
    return () => {
      const stream = element?.srcObject as MediaStream | null;
      stream?.getTracks().forEach((track) => track.stop());
      if (element) element.srcObject = null;
    };
  }, [startCamera]);

  // Thumbnails are blob: URLs; release the ones still shown when the screen goes away.
  const shownShots = useRef<Shot[]>([]);
  shownShots.current = shots;
  useEffect(() => () => shownShots.current.forEach((shot) => URL.revokeObjectURL(shot.url)), []);

  const parsedClassId = classIdInputSchema.safeParse(classId);
  const classIdError = classId.trim() === '' ? 'Enter the class id (digits only).' : parsedClassId.success ? null : (parsedClassId.error.issues[0]?.message ?? 'Invalid class id.');

  const takeShot = async () => {
    if (!video.current) return;
    setBusy(true);
    try {
      const { blob, bytes } = await captureStill(video.current);
      const id = nextShotId.current++;
      const shot: Shot = { id, name: `capture-${id}.jpg`, bytes, url: URL.createObjectURL(blob), analysis: null, error: null };
      setShots((list) => [...list, shot]);
      try {
        const analysis = await api.analyzeStill({ name: shot.name, bytes });
        setShots((list) => list.map((entry) => (entry.id === id ? { ...entry, analysis } : entry)));
      } catch (error) {
        setShots((list) => list.map((entry) => (entry.id === id ? { ...entry, error: describeError(error).message } : entry)));
      }
    } catch (error) {
      setResult({ kind: 'error', text: describeError(error).message });
    } finally {
      setBusy(false);
    }
  };

  const removeShot = (id: number) => {
    setShots((list) => {
      const shot = list.find((entry) => entry.id === id);
      if (shot) URL.revokeObjectURL(shot.url);
      return list.filter((entry) => entry.id !== id);
    });
  };

  const enroll = async (event: FormEvent) => {
    event.preventDefault();
    setClassIdTouched(true);
    if (!parsedClassId.success || shots.length === 0) return;
    setBusy(true);
    setResult(null);
    try {
      const outcome: EnrollResult = await api.enroll({ classId: parsedClassId.data, images: shots.map((shot) => ({ name: shot.name, bytes: shot.bytes })), force: false });
      if (outcome.queued) {
        setResult({ kind: 'ok', text: `Queued for class ${outcome.classId} with ${outcome.accepted.length} image(s).` });
        shots.forEach((shot) => URL.revokeObjectURL(shot.url));
        setShots([]);
        setClassId('');
        setClassIdTouched(false);
      } else {
        setResult({ kind: 'error', text: outcome.refusal?.message ?? 'Not queued: no acceptable image.' });
      }
    } catch (error) {
      setResult({ kind: 'error', text: describeError(error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="capture" aria-labelledby="capture-title">
      <h2 id="capture-title">Capture</h2>
      <div className="capture-grid">
        <div className="preview-column">
          <div className="preview">
            <video ref={video} className="preview-video mirrored" muted playsInline aria-label="Camera preview (mirrored)" />
            <svg className="overlay" viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true">
              <ellipse cx="50" cy="47" rx="21" ry="34" className={`oval ${guidance?.ready ? 'oval-ready' : ''}`} />
            </svg>
          </div>
          <p className={`guidance ${guidance?.ready ? 'guidance-ready' : ''}`} role="status" aria-live="polite" data-testid="guidance">
            {guidanceText(guidance, camera)}
          </p>
          <div className="row">
            <button type="button" className="primary" onClick={() => void takeShot()} disabled={camera.kind !== 'on' || busy}>
              Take photo
            </button>
            {camera.kind === 'error' || camera.kind === 'off' ? (
              <button type="button" onClick={() => void startCamera()}>
                Start camera
              </button>
            ) : null}
          </div>
        </div>
        <form className="enroll-column" onSubmit={(event) => void enroll(event)} noValidate>
          <label htmlFor="class-id">Class ID</label>
          <input
            id="class-id"
            name="classId"
            inputMode="numeric"
            autoComplete="off"
            value={classId}
            onChange={(event) => setClassId(event.target.value)}
            onBlur={() => setClassIdTouched(true)}
            aria-invalid={classIdTouched && classIdError !== null}
            aria-describedby="class-id-help"
          />
          <p id="class-id-help" className={classIdTouched && classIdError ? 'field-error' : 'field-help'}>
            {classIdTouched && classIdError ? classIdError : 'The person’s BWS class id: digits, up to 9223372036854775807.'}
          </p>
          <h3 id="shots-title">Photos ({shots.length})</h3>
          {shots.length === 0 ? (
            <p className="muted">No photos yet. Take one or more photos of the person.</p>
          ) : (
            <ul className="shots" aria-labelledby="shots-title">
              {shots.map((shot) => (
                <li key={shot.id} className="shot">
                  <img src={shot.url} alt={`Photo ${shot.id}`} className="shot-thumb" />
                  <span className="shot-verdict">
                    {shot.error ?? (shot.analysis ? (shot.analysis.accepted ? 'Accepted' : (shot.analysis.assessments.find((check) => !check.pass)?.message ?? 'Not accepted')) : 'Checking…')}
                  </span>
                  <button type="button" onClick={() => removeShot(shot.id)} aria-label={`Remove photo ${shot.id}`}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          <button type="submit" className="primary" disabled={busy || shots.length === 0}>
            Enroll
          </button>
          {result ? (
            <p role={result.kind === 'error' ? 'alert' : 'status'} className={result.kind === 'error' ? 'error' : 'success'}>
              {result.text}
            </p>
          ) : null}
        </form>
      </div>
    </section>
  );
}
