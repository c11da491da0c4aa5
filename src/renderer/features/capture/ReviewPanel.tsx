import { useState } from 'react';
import type { StationApi } from '../../../shared/contract.js';
import type { EnrollResult } from '../../../shared/schemas.js';
import { describeError } from '../../station.js';
import { checkLines, enrollOutcome, photoVerdict, type Outcome } from './reviewView.js';
import type { Photo } from './useCaptureMachine.js';
import { CHECK_TITLE_IDS, VERDICT_IDS } from './messageIds.js';
import { useT } from '../../i18n/useT.js';
import { PinEntry } from '../../components/PinEntry.js';
import { useAdminStatus } from '../../hooks/useAdminStatus.js';

interface Props {
  api: StationApi;
  photos: Photo[];
  /** The normalised class id, or null while the field is empty or invalid. */
  classId: string | null;
  retaking: number | null;
  onRetake(id: number): void;
  onRemove(id: number): void;
  /** The enrollment is in the queue: start over for the next person. */
  onQueued(): void;
  onNeedClassId(): void;
}

type Submit = { kind: 'idle' } | { kind: 'sending' } | { kind: 'done'; outcome: Outcome } | { kind: 'failed'; message: string };

/**
 * The photos taken, each with every failed or warned check in words and who can fix it, retake-in-place and
 * remove; then Enroll, with a visible progress state and the result in words (what was left out and why,
 * the same-person and duplicate checks, and the supervisor override for a duplicate).
 */
export function ReviewPanel({ api, photos, classId, retaking, onRetake, onRemove, onQueued, onNeedClassId }: Props) {
  const t = useT();
  const [submit, setSubmit] = useState<Submit>({ kind: 'idle' });
  const [overriding, setOverriding] = useState(false);
  const admin = useAdminStatus(api);
  const checking = photos.some((photo) => photoVerdict(photo.analysis, photo.error) === 'checking');
  // A byte-identical copy of another photo adds nothing to the template (the engine would drop it too).
  const usable = photos.filter((photo) => photo.bytes !== null && photo.duplicateOf === null);
  const numberOf = (id: number | null) => photos.findIndex((photo) => photo.id === id) + 1;

  const request = (force: boolean, adminPin?: string) => ({
    classId: classId!,
    images: usable.map((photo) => ({ name: photo.name, bytes: photo.bytes! })),
    force,
    ...(adminPin !== undefined ? { adminPin } : {}),
  });

  const finish = (result: EnrollResult) => {
    const outcome = enrollOutcome(result, usable.length);
    setSubmit({ kind: 'done', outcome });
    setOverriding(false);
    if (outcome.kind === 'queued') onQueued();
  };

  const send = async () => {
    if (!classId) {
      onNeedClassId();
      return;
    }
    setSubmit({ kind: 'sending' });
    try {
      finish(await api.enroll(request(false)));
    } catch (error) {
      setSubmit({ kind: 'failed', message: describeError(error).message });
    }
  };

  /**
   * The supervisor override of a duplicate refusal. The engine decides: with an open administrator session
   * (or no PIN set yet) it needs no PIN; otherwise the PIN goes with the request, and a wrong PIN or a
   * lockout is rejected to the PIN entry, which explains it (the refusal stays on screen to try again).
   */
  const override = async (pin?: string) => {
    if (!classId) {
      onNeedClassId();
      return;
    }
    finish(await api.enroll(request(true, pin)));
  };

  const who = (audience: 'subject' | 'operator') => t(audience === 'subject' ? 'capture.review.byPerson' : 'capture.review.byOperator');
  // A check without a title of its own is shown by its id (the engine's sentence follows anyway).
  const checkTitle = (check: string) => (CHECK_TITLE_IDS[check] ? t(CHECK_TITLE_IDS[check]) : check);

  return (
    <div className="review" aria-labelledby="photos-title">
      <h3 id="photos-title">{t('capture.review.title', { count: photos.length })}</h3>
      {photos.length === 0 ? <p className="muted">{t('capture.review.empty')}</p> : null}
      <ul className="shots" aria-labelledby="photos-title">
        {photos.map((photo, index) => {
          const verdict = photoVerdict(photo.analysis, photo.error, photo.duplicateOf !== null);
          const lines = photo.analysis ? checkLines(photo.analysis) : [];
          return (
            <li key={photo.id} className={`shot shot-${verdict}`} data-testid="photo">
              {photo.url ? <img src={photo.url} alt={t('capture.review.photoAlt', { number: index + 1 })} className="shot-thumb" /> : <span className="shot-thumb shot-pending" aria-hidden="true" />}
              <div className="shot-body">
                <p className="shot-verdict">
                  {retaking === photo.id ? t('capture.review.retaking') : t(VERDICT_IDS[verdict], { number: index + 1, error: photo.error ?? '', other: numberOf(photo.duplicateOf) })}
                </p>
                {lines.length > 0 ? (
                  <ul className="checks">
                    {lines.map((line) => (
                      <li key={line.check} className={`check-${line.severity}`}>
                        <strong>{t(line.severity === 'fail' ? 'capture.review.mustFix' : 'capture.review.warning')}</strong> {checkTitle(line.check)} ({who(line.audience)})<span className="check-detail">{line.detail}</span>
                      </li>
                    ))}
                  </ul>
                ) : null}
                <div className="shot-actions">
                  <button type="button" onClick={() => onRetake(photo.id)} disabled={retaking !== null} aria-label={t('capture.review.retakeLabel', { number: index + 1 })}>
                    {t('capture.review.retake')}
                  </button>
                  <button type="button" onClick={() => onRemove(photo.id)} aria-label={t('capture.review.removeLabel', { number: index + 1 })}>
                    {t('capture.review.remove')}
                  </button>
                </div>
              </div>
            </li>
          );
        })}
      </ul>
      <div className="submit">
        <button type="button" className="primary" onClick={() => void send()} disabled={submit.kind === 'sending' || usable.length === 0 || checking}>
          {submit.kind === 'sending' ? t('capture.submit.sending') : t('capture.submit.enroll')}
        </button>
        <div className="outcome" aria-live="polite" data-testid="outcome">
          {submit.kind === 'sending' ? <p role="status">{t('capture.submit.preparing')}</p> : null}
          {submit.kind === 'failed' ? <p role="alert" className="error">{submit.message}</p> : null}
          {submit.kind === 'done' ? <OutcomeText outcome={submit.outcome} /> : null}
          {submit.kind === 'done' && submit.outcome.kind === 'duplicate' ? (
            overriding ? (
              <div className="override">
                {admin.status?.unlocked ? (
                  <>
                    {admin.status.pinSet ? null : <p className="warn">{t('capture.override.noPin')}</p>}
                    <button type="button" className="danger" onClick={() => void override().catch((error: unknown) => setSubmit({ kind: 'failed', message: describeError(error).message }))}>
                      {t(admin.status.pinSet ? 'capture.override.confirmOpen' : 'capture.override.confirm')}
                    </button>
                  </>
                ) : (
                  <PinEntry admin={admin} id="admin-pin" label={t('capture.override.pin')} submitLabel={t('capture.override.confirm')} danger onPin={override} />
                )}
              </div>
            ) : (
              <button
                type="button"
                className="danger"
                onClick={() => {
                  setOverriding(true);
                  void admin.refresh();
                }}
              >
                {t('capture.override.start')}
              </button>
            )
          ) : null}
        </div>
      </div>
    </div>
  );
}

function OutcomeText({ outcome }: { outcome: Outcome }) {
  const t = useT();
  switch (outcome.kind) {
    case 'queued':
      return (
        <div role="status" className="success">
          <p>{t('capture.outcome.queued', { classId: outcome.classId, used: outcome.used, total: outcome.total })}</p>
          {outcome.forcedOver ? <p>{t('capture.outcome.forced', { other: outcome.forcedOver })}</p> : null}
          {outcome.dropped.map((item) => (
            <p key={item.name} className="warn">
              {t('capture.outcome.dropped', { name: item.name, reasons: item.reasons.join(' ') })}
            </p>
          ))}
        </div>
      );
    case 'duplicate':
      return (
        <p role="alert" className="error">
          {t('capture.outcome.duplicate', { other: outcome.similarTo, similarity: outcome.similarity, classId: outcome.classId })}
        </p>
      );
    case 'differentPeople':
      return (
        <p role="alert" className="error">
          {t('capture.outcome.differentPeople')} <span className="check-detail">{outcome.detail}</span>
        </p>
      );
    case 'noneAcceptable':
      return (
        <div role="alert" className="error">
          <p>{t('capture.outcome.noneAcceptable')}</p>
          {outcome.dropped.map((item) => (
            <p key={item.name}>{t('capture.outcome.dropped', { name: item.name, reasons: item.reasons.join(' ') })}</p>
          ))}
        </div>
      );
    default:
      return (
        <p role="alert" className="error">
          {outcome.detail}
        </p>
      );
  }
}
