// The clerks' review UI end to end in headless Chromium: the real daemon on a spool with a
// bundle in review, a clerk logs in, opens the bundle (findings, page previews), rejects it
// with a reason and a note, and sees the notice; requests without a session or without the
// CSRF token are refused. Run by ctest; exits non-zero on the first failed expectation.
//
//   SOT_INTAKED=… SOT_INTAKE=… SOT_SAMPLES=… node review.test.mjs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bins, expect, run, waitFor } from './support.mjs';

await run({ clerks: [['dana', 'clerk', 'dana-secret-password']] }, async (d, browser) => {
  const { spool, base, config } = d;
  // A bundle for the clerks, delivered the way the portal delivers.
  d.deliver('duplicate-file', 'dup-1');
  await waitFor(() => fs.existsSync(path.join(spool, 'review', 'dup-1')), 60000, 'the bundle in review');

  // Without a session: pages redirect to the login, actions are refused.
  let r = await fetch(`${base}/review/b/dup-1/decide`, {
    method: 'POST', body: 'action=reject&codes=FILE_CORRUPT', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(r.status === 403, 'a decision without a session is refused (403)');
  r = await fetch(`${base}/review`, { redirect: 'manual' });
  expect(r.status === 303 && r.headers.get('location') === '/review/login',
         'the queue without a session redirects to the login');

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/review`);
  expect(page.url().endsWith('/review/login'), 'the browser lands on the login page');
  await page.fill('#login', 'dana');
  await page.fill('#password', 'wrong password!');
  await page.click('#signin');
  expect((await page.textContent('#error')).includes('Неверный'), 'a wrong password is refused');
  await page.fill('#login', 'dana');
  await page.fill('#password', 'dana-secret-password');
  await page.click('#signin');
  await page.waitForSelector('#queue');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'sot_session');
  expect(session && session.httpOnly && session.sameSite === 'Strict',
         'the session cookie is HttpOnly and SameSite=Strict');
  expect(await page.isVisible('a.bundle:has-text("dup-1")'), 'the queue lists the bundle');

  await page.click('a.bundle:has-text("dup-1")');
  await page.waitForSelector('#findings');
  expect((await page.textContent('#findings')).includes('DUPLICATE_FILE'),
         'the bundle page shows its finding');
  expect((await page.textContent('#signature')).includes('serialNumber=IIN'),
         'the bundle page shows the signature section');
  page.on('crash', () => console.log('page crashed'));
  await page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('img.preview')].slice(0, 2);
    return imgs.length > 0 && imgs.every((i) => i.complete);
  }, null, { timeout: 30000 });
  const previews = await page.$$eval('img.preview', (imgs) => imgs.slice(0, 2).map((i) => i.naturalWidth));
  expect(previews.length >= 1 && previews.every((w) => w > 100), `page previews render (${previews})`);

  // A POST with the session but without the CSRF token is refused.
  r = await page.request.post(`${base}/review/b/dup-1/decide`, {
    form: { action: 'reject', codes: 'FILE_CORRUPT' }, maxRedirects: 0 });
  expect(r.status() === 403, 'a decision without the CSRF token is refused (403)');
  expect(fs.existsSync(path.join(spool, 'review', 'dup-1')), 'and the bundle has not moved');

  // Reject with a reason, the document and a note for the filer.
  await page.click('#reject-toggle');
  // The reason the check found is ticked already; this clerk gives another one instead.
  expect(await page.isChecked('#reject-form input[name="codes"][value="DUPLICATE_FILE"]'),
         'the reason the check found is pre-selected');
  await page.uncheck('#reject-form input[name="codes"][value="DUPLICATE_FILE"]');
  await page.click('#reject-form details.more > summary');
  await page.check('#reject-form input[name="codes"][value="FILE_CORRUPT"]');
  await page.selectOption('#file', 'Шарттың түпнұсқасы.pdf');
  await page.fill('#note', 'Шарттың түпнұсқасы көшірмесімен бірдей — түпнұсқаны жүктеңіз.');
  await page.click('#reject');
  await page.waitForSelector('#outcome');
  expect((await page.textContent('#outcome')).includes('Отказано'), 'the decision is shown');
  const notice = await page.textContent('#notice');
  expect(notice.includes('Шарттың түпнұсқасы.pdf') && notice.includes('түпнұсқаны жүктеңіз'),
         'the notice shows the reason, the document and the note');
  const href = await page.getAttribute('#document', 'href');
  r = await page.request.get(`${base}${href}`);
  const pdf = await r.body();
  expect(r.status() === 200 && r.headers()['content-type'] === 'application/pdf' &&
         pdf.subarray(0, 5).toString() === '%PDF-', 'notice.pdf opens');
  expect(fs.existsSync(path.join(spool, 'rejected', 'dup-1', 'result', 'notice.pdf')),
         'the bundle moved to rejected/ with its notice');

  // The filer sees it too, and the decision is in the audit trail.
  const status = spawnSync(bins.intake, ['status', '--json', '--config', config, '--spool', spool,
                                         JSON.parse(fs.readFileSync(path.join(spool, 'rejected', 'dup-1',
                                           'manifest.json'))).submission_id], { encoding: 'utf8' });
  const s = JSON.parse(status.stdout || '{}');
  expect(s.status === 'rejected' && s.reasons?.[0]?.code === 'FILE_CORRUPT',
         'the filer status says rejected with the clerk\'s reason');
  const report = JSON.parse(fs.readFileSync(path.join(spool, 'rejected', 'dup-1', 'result', 'report.json')));
  expect(report.decision?.by === 'dana', 'the report names the clerk who decided');
});
