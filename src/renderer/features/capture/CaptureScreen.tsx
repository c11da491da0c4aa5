import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { StationApi } from '../../../shared/contract.js';
import type { LiveGuidance, SettingView } from '../../../shared/schemas.js';
import { DEFAULT_CAPTURE_CONFIG, type CaptureConfig } from './captureMachine.js';
import { classIdFeedback, LARGEST_CLASS_ID } from './classIdInput.js';
import { frameFacts, PROMPT_ICONS, type SubjectKey } from './guidanceView.js';
import { cameraStatusId, CLASS_ID_ERROR_IDS, OPERATOR_HINT_IDS, PERSON_PROMPT_IDS } from './messageIds.js';
import { Field } from '../../components/Field.js';
import { PromptIcon } from './PromptIcon.js';
import { ReviewPanel } from './ReviewPanel.js';
import { useCamera } from './useCamera.js';
import { useCaptureMachine } from './useCaptureMachine.js';
import { useLiveGuidance, type GuidanceUpdate } from './useLiveGuidance.js';
import { useT } from '../../i18n/useT.js';
import './capture.css';

/** The capture settings the engine keeps (images per enrollment, idle reset, virtual cameras). */
function captureSettings(views: SettingView[]): { config: CaptureConfig; blockVirtual: boolean; camera: string } {
  const value = (name: string) => views.find((view) => view.name === name)?.value;
  const wanted = value('imagesPerEnrollment');
  const idle = value('idleResetSeconds');
  return {
    config: { ...DEFAULT_CAPTURE_CONFIG, wanted: typeof wanted === 'number' ? wanted : DEFAULT_CAPTURE_CONFIG.wanted, idleResetMs: typeof idle === 'number' ? idle * 1000 : DEFAULT_CAPTURE_CONFIG.idleResetMs },
    blockVirtual: value('blockVirtualCameras') === true,
    camera: typeof value('camera') === 'string' ? (value('camera') as string) : '',
  };
}

const isTyping = (target: EventTarget | null) => target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(target.tagName));

export function CaptureScreen({ api }: { api: StationApi }) {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const classIdInput = useRef<HTMLInputElement>(null);
  const [settings, setSettings] = useState(() => ({ config: DEFAULT_CAPTURE_CONFIG, blockVirtual: false, camera: '' }));
  const [classId, setClassId] = useState('');
  const [live, setLive] = useState<GuidanceUpdate | null>(null);
  const feedback = classIdFeedback(classId);

  useEffect(() => {
    void api.getSettings().then((views) => setSettings(captureSettings(views)), () => undefined);
  }, [api]);

  const clearSession = useCallback(() => {
    setClassId('');
    classIdInput.current?.focus();
  }, []);
  const machine = useCaptureMachine(api, video, settings.config, clearSession);
  const { dispatch, state } = machine;

  const camera = useCamera(video, {
    blockVirtual: settings.blockVirtual,
    siteCamera: settings.camera,
    onReady: () => dispatch({ type: 'CAMERA_READY', at: Date.now() }),
    onLost: () => {
      setLive(null);
      dispatch({ type: 'CAMERA_LOST', at: Date.now() });
    },
  });

  const onGuidance = useCallback(
    (update: GuidanceUpdate) => {
      setLive(update);
      dispatch({ type: 'FRAME', at: update.at, ...frameFacts(update.guidance) });
    },
    [dispatch],
  );
  // Frames flow while the camera is on, except during review (no capture to coach for).
  useLiveGuidance(video, camera.status.kind === 'on' && state.phase !== 'review', onGuidance);

  // Armed (auto-capture allowed) only with a valid class id.
  const armed = feedback.kind === 'ok';
  useEffect(() => dispatch({ type: 'ARM', armed, at: Date.now() }), [armed, dispatch]);

  // Any operator input counts as activity for the inactivity reset; Space takes a photo by hand.
  useEffect(() => {
    const onActivity = () => dispatch({ type: 'ACTIVITY', at: Date.now() });
    const onKey = (event: KeyboardEvent) => {
      onActivity();
      if (event.key === ' ' && !event.repeat && !isTyping(event.target) && camera.status.kind === 'on') {
        event.preventDefault();
        dispatch({ type: 'MANUAL_CAPTURE', at: Date.now() });
      }
    };
    window.addEventListener('pointerdown', onActivity);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('pointerdown', onActivity);
      window.removeEventListener('keydown', onKey);
    };
  }, [dispatch, camera.status.kind]);

  // A scanner types the id and presses Enter: that moves on to capture, it never submits.
  const onClassIdKey = (event: ReactKeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    if (classIdFeedback(event.currentTarget.value).kind === 'ok') stage.current?.focus();
  };

  const subject = (state.subject?.key ?? null) as SubjectKey | null;
  const operatorHints = useMemo(() => (state.operator?.key ? state.operator.key.split(' ') : []), [state.operator]);
  const guidance: LiveGuidance | null = camera.status.kind === 'on' ? (live?.guidance ?? null) : null;
  const frame = live ? { width: live.frameWidth, height: live.frameHeight } : null;

  const personLine = (() => {
    if (camera.status.kind !== 'on') return t(cameraStatusId(camera.status));
    if (state.phase === 'review') return t('capture.person.done');
    if (state.phase === 'capturing') return t('capture.person.capturing');
    if (!subject) return t('capture.person.starting');
    return t(PERSON_PROMPT_IDS[subject]);
  })();
  const icon = camera.status.kind === 'on' && state.phase !== 'review' && subject ? PROMPT_ICONS[subject] : null;

  const progress = (() => {
    if (camera.status.kind !== 'on') return null;
    if (state.phase === 'review') return t('capture.progress.review', { count: machine.photos.length });
    if (!armed) return t('capture.progress.needClassId');
    if (state.phase === 'capturing') return t('capture.progress.collecting', { taken: state.candidates.length, wanted: state.retaking !== null ? 1 : settings.config.wanted });
    if (state.phase === 'stable') return t('capture.progress.steady');
    return t('capture.progress.waiting');
  })();

  return (
    <section className="capture" aria-labelledby="capture-title">
      <div className="stage" ref={stage} tabIndex={-1} aria-labelledby="stage-title">
        <div className="stage-head">
          <h2 id="capture-title">{t('capture.title')}</h2>
          <span id="stage-title" className="visually-hidden">
            {t('capture.stage')}
          </span>
          <label htmlFor="camera-choice" className="inline-label">
            {t('capture.camera.label')}
          </label>
          <select id="camera-choice" value={camera.current?.deviceId ?? ''} onChange={(event) => camera.choose(event.target.value)} disabled={camera.devices.length === 0}>
            {camera.devices.length === 0 ? <option value="">{t('capture.camera.noneListed')}</option> : null}
            {camera.devices.map((device, index) => (
              <option key={device.deviceId || index} value={device.deviceId}>
                {device.label || t('capture.camera.unnamed', { number: index + 1 })}
              </option>
            ))}
          </select>
        </div>
        <div className="preview" data-testid="preview">
          <div className="preview-media mirrored">
            <video ref={video} className="preview-video" muted playsInline aria-label={t('capture.preview')} />
            {frame ? (
              <svg className="overlay" viewBox={`0 0 ${frame.width} ${frame.height}`} preserveAspectRatio="xMidYMid meet" aria-hidden="true">
                {guidance?.target ? <ellipse className={`oval ${guidance.ready ? 'oval-ready' : ''}`} cx={guidance.target.cx} cy={guidance.target.cy} rx={guidance.target.rx} ry={guidance.target.ry} /> : null}
                {guidance?.box ? <rect className={`face-box ${guidance.ready ? 'face-box-ready' : ''}`} x={guidance.box[0]} y={guidance.box[1]} width={guidance.box[2] - guidance.box[0]} height={guidance.box[3] - guidance.box[1]} rx={6} /> : null}
              </svg>
            ) : null}
          </div>
        </div>
        <div className={`person-prompt ${subject === 'ready' || state.phase === 'capturing' ? 'person-ready' : ''}`}>
          {icon ? <PromptIcon name={icon} /> : null}
          <p role="status" aria-live="polite" aria-atomic="true" data-testid="person-prompt">
            {personLine}
          </p>
        </div>
        <p className="operator-line" data-testid="operator-line" aria-live="polite">
          <span className="operator-tag">{t('capture.operator.tag')}</span>{' '}
          {[
            ...(camera.virtual ? [t(settings.blockVirtual ? 'capture.camera.virtualBlocked' : 'capture.camera.virtual', { label: camera.current?.label ?? '' })] : []),
            ...(camera.rememberedMissing ? [t('capture.camera.rememberedMissing')] : []),
            ...(state.noFaceAdvice ? [t('capture.operator.noFaceAdvice')] : []),
            ...operatorHints.map((key) => t(OPERATOR_HINT_IDS[key] ?? 'capture.operator.other')),
          ].join(' ') || t('capture.operator.none')}
        </p>
        <div className="capture-controls">
          <p className="progress" data-testid="capture-progress" aria-live="polite">
            {progress}
          </p>
          {state.phase === 'capturing' ? <progress className="collect-bar" max={settings.config.wanted} value={state.candidates.length} aria-label={t('capture.progress.bar')} /> : null}
          <button type="button" onClick={() => dispatch({ type: 'MANUAL_CAPTURE', at: Date.now() })} disabled={camera.status.kind !== 'on'} aria-keyshortcuts="Space">
            {t('capture.manual')}
          </button>
          {camera.status.kind === 'error' || camera.status.kind === 'none' ? (
            <button type="button" onClick={camera.retry}>
              {t('capture.camera.retry')}
            </button>
          ) : null}
        </div>
      </div>
      <div className="side">
        <Field
          id="class-id"
          label={t('capture.classId.label')}
          live
          error={feedback.kind === 'error' ? t(CLASS_ID_ERROR_IDS[feedback.reason], { max: LARGEST_CLASS_ID }) : null}
          hint={
            feedback.kind === 'empty'
              ? t('capture.classId.help', { max: LARGEST_CLASS_ID })
              : feedback.kind === 'ok' && feedback.normalised
                ? t('capture.classId.normalised', { typed: feedback.given, classId: feedback.classId })
                : feedback.kind === 'ok'
                  ? t('capture.classId.ok', { classId: feedback.classId })
                  : null
          }
        >
          {(control) => <input {...control} ref={classIdInput} name="classId" inputMode="numeric" autoComplete="off" value={classId} onChange={(event) => setClassId(event.target.value)} onKeyDown={onClassIdKey} />}
        </Field>
        <ReviewPanel
          api={api}
          photos={machine.photos}
          classId={feedback.kind === 'ok' ? feedback.classId : null}
          retaking={state.retaking}
          onRetake={(id) => dispatch({ type: 'RETAKE', id, at: Date.now() })}
          onRemove={(id) => dispatch({ type: 'REMOVE', id, at: Date.now() })}
          onQueued={machine.reset}
          onNeedClassId={() => classIdInput.current?.focus()}
        />
      </div>
    </section>
  );
}
