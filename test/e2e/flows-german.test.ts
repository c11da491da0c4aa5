import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCaptureSession, until, untilPhotosChecked, type CaptureSession } from './capture-harness.js';

/**
 * The German operator UI end to end, in real Chromium against the real engine: the OS says Austrian German,
 * so the station speaks German without any setting; guidance, class id help, review and queue are German;
 * numbers and dates are German (decimal comma, day.month.year); an enrollment is queued. Then the language
 * setting overrides the OS.
 */
let session: CaptureSession;

beforeAll(async () => {
  session = await openCaptureSession({ camera: 'obama.jpg', viewport: { width: 900, height: 640 }, systemLocales: ['de-AT', 'en-US'] });
}, 240_000);
afterAll(async () => {
  await session?.close();
});

const text = (testId: string) => session.page.getByTestId(testId).textContent();

describe('the German UI end to end', { timeout: 240_000 }, () => {
  it('follows the OS language: German tabs, guidance and class id help', async () => {
    const { page } = session;
    await page.getByRole('tab', { name: 'Aufnahme' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    expect(await page.getByRole('tab').allTextContents()).toEqual(['Aufnahme', 'Warteschlange', 'Einstellungen']);
    await until(page, 'the German ready prompt', () => document.querySelector('[data-testid="person-prompt"]')?.textContent === 'Sehr gut. Bitte stillhalten.');
    expect(await text('operator-line')).toMatch(/^Bedienung: /);
    expect(await text('capture-progress')).toBe('Geben Sie die Klassen-ID ein, um die automatische Aufnahme zu starten.');
    expect(await page.locator('#class-id-help').textContent()).toBe('Ausweis scannen oder die Klassen-ID der Person eingeben (Ziffern, 1 bis 9223372036854775807).');
    await session.screenshot('de-flow-capture-guidance');
  });

  it('enrolls in German: class id explained, photos reviewed in German, queued with a German confirmation', async () => {
    const { page, station } = session;
    const field = page.getByLabel('Klassen-ID');
    await field.fill('12a');
    expect(await page.locator('#class-id-help').textContent()).toBe('Nur Ziffern: keine Buchstaben, Leerzeichen, Vorzeichen oder Trennzeichen.');
    await field.fill('');
    await field.pressSequentially('0042');
    expect(await page.locator('#class-id-help').textContent()).toBe('„0042“ ist Klasse 42 (führende Nullen entfallen).');
    await field.press('Enter');
    await untilPhotosChecked(page, 3);
    expect(await page.locator('[data-testid="photo"] .shot-verdict').allTextContents()).toEqual(['Foto 1: gut.', 'Foto 2: gut.', 'Foto 3: gut.']);
    expect(await text('capture-progress')).toBe('3 Fotos aufgenommen. Prüfen Sie sie rechts und wählen Sie dann „Anlernen“.');
    expect(await page.getByRole('heading', { name: 'Fotos (3)' }).count()).toBe(1);
    await session.screenshot('de-flow-capture-review');
    await page.getByRole('button', { name: 'Anlernen' }).click();
    await until(page, 'the German confirmation', () => /Warteschlange|Nicht eingereiht/.test(document.querySelector('[data-testid="outcome"]')?.textContent ?? ''));
    expect(await text('outcome')).toBe('Klasse 42 ist mit 3 von 3 Fotos in der Warteschlange. Alle Fotos zeigen dieselbe Person. Sie wird gesendet, sobald der Dienst erreichbar ist.');
    expect((await station.listJobs()).map((job) => [job.classId, job.state, job.imageCount])).toEqual([['42', 'queued', 3]]);
  });

  it('refuses the same face under another class id in German, with the similarity as a German number', async () => {
    const { page, station } = session;
    await page.getByLabel('Klassen-ID').fill('43');
    await untilPhotosChecked(page, 3);
    await page.getByRole('button', { name: 'Anlernen' }).click();
    await until(page, 'the German refusal', () => /Nicht eingereiht/.test(document.querySelector('[data-testid="outcome"]')?.textContent ?? ''));
    const refusal = (await page.getByTestId('outcome').getByRole('alert').textContent()) ?? '';
    // A decimal comma, as German writes numbers ("0,93", never "0.93").
    expect(refusal).toMatch(/^Nicht eingereiht: Dieses Gesicht ähnelt Klasse 42 \(Ähnlichkeit [01],\d\d\), die auf dieser Station bereits angelernt ist\./);
    expect(await page.getByRole('button', { name: 'Freigabe durch Aufsicht…' }).count()).toBe(1);
    expect((await station.listJobs()).map((job) => job.classId)).toEqual(['42']);
  });

  it('shows the queue in German: state, advice, age and the creation date in German form', async () => {
    const { page, station } = session;
    const [job] = await station.listJobs();
    await page.getByRole('tab', { name: 'Warteschlange' }).click();
    await page.getByRole('heading', { name: 'Warteschlange', level: 2 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: '42' });
    await row.waitFor();
    expect(await row.locator('.state').textContent()).toBe('Wartet auf Senden');
    expect(await row.locator('.advice').textContent()).toBe('Nichts zu tun: wird gesendet, sobald der Dienst erreichbar ist.');
    expect(await row.locator('time').textContent()).toMatch(/^(jetzt|vor \d+ (Sek\.|Min\.))$/);
    await row.getByText('Details').click();
    const created = await row.locator('dd').nth(1).textContent();
    expect(created).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/);
    expect(created).toBe(new Intl.DateTimeFormat('de', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(job!.createdAt)));
    await page.getByRole('button', { name: 'Jetzt senden' }).click();
    await until(page, 'the German sync answer', () => /wartet/.test(document.querySelector('[data-testid="sync-feedback"]')?.textContent ?? ''));
    expect(await text('sync-feedback')).toBe('Es ist kein Dienst eingerichtet, daher wird nichts gesendet. 1 Registrierung wartet.');
    await session.screenshot('de-flow-queue');
  });

  it('the language setting wins over the OS language', async () => {
    const { page, station } = session;
    await station.setSetting('language', 'en');
    await page.reload();
    await page.getByRole('tab', { name: 'Capture' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await station.setSetting('language', '');
    await page.reload();
    await page.getByRole('tab', { name: 'Aufnahme' }).waitFor();
    expect(session.problems).toEqual([]);
  });
});
