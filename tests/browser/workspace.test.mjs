// The clerk's workspace in headless Chromium at 1280×800: the real daemon on a spool with
// bundles decided by the check (several waiting for a clerk), two clerks (dana, a clerk; aigul,
// a lead clerk). Each item of the workspace is driven as a clerk would:
//   - the queue: waiting time against the target, counts per reason and court, search;
//   - the bundle page on one screen: header, findings, signature card, viewer, decision;
//   - a finding click shows its document and page; thumbnails and zoom; a DOCX's text;
//   - three bundles decided with the keyboard alone (keystrokes and time counted);
//   - the language switch, remembered across logins;
//   - a lead's bulk rejection, each bundle audited on its own;
//   - /review/stats with the registry's numbers and SVG charts;
//   - the basic decision without JavaScript; the Content-Security-Policy.
// Screenshots of the queue, the bundle page and the stats page go to SOT_SCREENSHOTS (docs/).
//
//   SOT_INTAKED=… SOT_INTAKE=… SOT_SAMPLES=… [SOT_SCREENSHOTS=dir] node workspace.test.mjs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, login, run, waitFor } from './support.mjs';

const shots = process.env.SOT_SCREENSHOTS || '';
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

// Bundles for the clerks (review) and some the check decides alone (for the stats).
const forReview = ['duplicate-file', 'scan-resolution-low-readable', 'readability-doubtful-docx-mojibake',
                   'title-mismatch-claim-as-decision', 'title-mismatch-power-of-attorney',
                   'title-mismatch-receipt-as-contract', 'file-name-letter', 'file-name-not-descriptive',
                   'deadline-passed', 'signature-stale-crl', 'scan-text-under-image-150'];
const decidedAlone = ['clean-claim-individual', 'clean-letter', 'clean-appeal-exempt', 'file-empty',
                      'digest-mismatch-content'];

await run({ workers: 2, extraHttp: 'review_target_hours = 24',
                          clerks: [['dana', 'clerk', 'dana-secret-password'], ['aigul', 'lead', 'aigul-lead-password']] }, async (d, browser) => {
  const { spool, base } = d;
  const countDir = (x) => d.count(x);
  for (const b of [...forReview, ...decidedAlone]) d.deliver(b);
  const all = forReview.length + decidedAlone.length;
  await waitFor(() => countDir('review') + countDir('registered') + countDir('rejected') === all,
                180000, 'every bundle decided by the check');
  expect(countDir('review') === forReview.length, `${forReview.length} bundles wait for a clerk`);
  // Two bundles have waited long: past the 24 h target, and nearly there (registry times set
  // back, as if they had arrived earlier).
  const ago = (h) => new Date(Date.now() - h * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const db = path.join(spool, 'state', 'registry.sqlite');
  const py = spawnSync('/usr/bin/python3', ['-c', `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for bundle, at in ((sys.argv[2], sys.argv[3]), (sys.argv[4], sys.argv[5])):
    c.execute("UPDATE transitions SET at=? WHERE bundle=? AND rowid=(SELECT min(rowid) FROM transitions WHERE bundle=?)", (at, bundle, bundle))
c.commit()`, db, 'deadline-passed', ago(50), 'signature-stale-crl', ago(20)], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`registry update failed: ${py.stderr}`);
  const viewport = { width: 1280, height: 800 };
  const dana = await browser.newContext({ viewport });
  let page = await login(dana, base, 'dana', 'dana-secret-password');

  // --- The queue -------------------------------------------------------------------------
  const html = await (await page.request.get(`${base}/review`)).text();
  const csp = (await page.request.get(`${base}/review`)).headers()['content-security-policy'] || '';
  expect(csp.includes("script-src 'self'") && !csp.includes('unsafe-inline'),
         `the Content-Security-Policy allows scripts from the server only (${csp})`);
  expect(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) && !/\sstyle=/i.test(html) && !/\son[a-z]+=/i.test(html),
         'no inline script, style or event handler in the page');
  expect((await page.$$('#queue tbody tr')).length === forReview.length, 'the queue lists every bundle in review');
  const late = await page.getAttribute('tr:has(a.bundle:text-is("deadline-passed"))', 'class');
  const near = await page.getAttribute('tr:has(a.bundle:text-is("signature-stale-crl"))', 'class');
  const fresh = await page.getAttribute('tr:has(a.bundle:text-is("duplicate-file"))', 'class');
  expect(late === 'age-late' && near === 'age-near' && fresh === 'age-ok',
         `waiting time coloured against the 24 h target (${late}, ${near}, ${fresh})`);
  const reasons = await page.textContent('#counts-reason');
  expect(/TITLE_MISMATCH\s*3/.test(reasons) && /FILE_NAME_NOT_DESCRIPTIVE\s*2/.test(reasons),
         'counts per reason');
  expect(/\d/.test(await page.textContent('#counts-court')), 'counts per court');
  if (shots) await page.screenshot({ path: path.join(shots, 'review-queue.png') });
  await page.fill('#q', 'TITLE-Mismatch');
  await Promise.all([page.waitForNavigation(), page.press('#q', 'Enter')]);
  const found = await page.$$eval('#queue a.bundle', (as) => as.map((a) => a.textContent));
  expect(found.length === 3 && found.every((n) => n.startsWith('title-mismatch')),
         `search finds the three title mismatches, case-insensitively (${found})`);

  // --- Three bundles with the keyboard alone ------------------------------------------------
  // From the filtered queue: j selects the first row, o opens it; on each bundle x (reject,
  // the reasons found ticked) or r (register), then Enter; the next bundle opens by itself.
  let keys = 0;
  const press = async (k) => { keys++; await page.keyboard.press(k); };
  await page.click('h1');  // focus leaves the search box
  await press('j');
  await Promise.all([page.waitForNavigation(), press('o')]);
  const plan = ['x', 'r', 'x'];
  const decided = [];
  const times = [];
  for (let i = 0; i < plan.length; i++) {
    await page.waitForSelector('#decision');
    const name = await page.textContent('#bundle');
    const t0 = Date.now();
    await press(plan[i]);
    if (plan[i] === 'x') {
      const shown = await page.evaluate(() => {
        const r = document.getElementById('reject').getBoundingClientRect();
        const pre = [...document.querySelectorAll('#reject-form label.pre input')];
        return r.bottom <= window.innerHeight && r.top >= 0 && pre.length > 0 && pre.every((c) => c.checked);
      });
      expect(shown, `x opens the rejection with the found reasons ticked and its button in view (${name.trim()})`);
    }
    await Promise.all([page.waitForNavigation(), press('Enter')]);
    await page.waitForLoadState('domcontentloaded');
    times.push(Date.now() - t0);
    decided.push([name.trim(), plan[i]]);
    if (i < plan.length - 1)
      expect((await page.textContent('#flash')).includes(name.trim()), `after ${name.trim()} the next bundle opens, saying what was done`);
  }
  await page.waitForSelector('#outcome');
  expect(keys === 2 + 2 * plan.length, `three bundles decided with ${keys} keystrokes and no mouse`);
  for (const [name, k] of decided) {
    const where = k === 'r' ? 'registered' : 'rejected';
    const ok = fs.existsSync(path.join(spool, where, name));
    let note = '';
    if (ok && where === 'rejected') {
      const n = JSON.parse(fs.readFileSync(path.join(spool, where, name, 'result', 'notice.json')));
      note = n.reasons.map((r) => r.code).join(',');
    }
    expect(ok && (where === 'registered' || note === 'TITLE_MISMATCH'),
           `${name}: ${where}${note ? ` for ${note} (the reason the check found)` : ''}`);
  }
  console.log(`keyboard: ${keys} keystrokes, 0 clicks for 3 bundles; ${(keys / 3).toFixed(1)} keystrokes and ` +
              `median ${median(times)} ms (key to the next bundle on screen) per bundle`);

  // --- One screen per decision ------------------------------------------------------------
  await page.goto(`${base}/review/b/scan-resolution-low-readable`);
  await page.waitForFunction(() => document.getElementById('page-img')?.complete);
  const fits = await page.evaluate(() => {
    const inView = (sel) => {
      const e = document.querySelector(sel);
      if (!e) return false;
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight &&
             r.left >= 0 && r.right <= window.innerWidth;
    };
    return { page: document.documentElement.scrollHeight <= window.innerHeight,
             head: inView('#bundle-head'), finding: inView('#findings li.finding'),
             register: inView('#register'), reject: inView('#reject-toggle'),
             signer: inView('#signer'), viewer: inView('#page-img') && inView('#thumbs') };
  });
  expect(Object.values(fits).every(Boolean),
         `at 1280×800 without scrolling: header, first finding, viewer, signature, register, reject (${JSON.stringify(fits)})`);
  const findingText = await page.textContent('#findings li.finding');
  expect(findingText.includes('150 dpi') && findingText.includes('Шарттың көшірмесі.pdf') &&
         !findingText.includes('{'), 'the finding in words: message, file and page, evidence as a phrase');
  const card = await page.textContent('#signature');
  expect(card.includes('АХМЕТОВ') && card.includes('900101300126') && (await page.$$('#signature li.good')).length === 3,
         'the signature card: signer, IIN, chain, CRL and validity in green');
  if (shots) await page.screenshot({ path: path.join(shots, 'review-bundle.png') });
  expect(!(await page.isVisible('#signature-technical pre')), 'the technical record is one click away');
  await page.click('#signature-technical summary');
  expect(await page.isVisible('#signature-technical pre'), 'and opens with that click');

  // --- A finding click shows its document and page; thumbnails; zoom ----------------------
  await page.goto(`${base}/review/b/scan-resolution-low-readable?doc=0`);
  expect((await page.textContent('.doctab.selected')).includes('Талап арыз.pdf'), 'the viewer shows the first document');
  await Promise.all([page.waitForNavigation(), page.click('#findings a.finding-link')]);
  expect((await page.textContent('.doctab.selected')).includes('Шарттың көшірмесі.pdf') &&
         /\/preview\/1\/1\?/.test(await page.getAttribute('#page-img', 'src')),
         'clicking the finding shows its document and page');
  expect((await page.$$('#thumbs .thumb')).length === 2, 'the document\'s pages as thumbnails');
  await page.goto(`${base}/review/b/scan-resolution-low-readable?doc=2`);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('f')]);
  expect((await page.textContent('.doctab.selected')).includes('Шарттың көшірмесі.pdf'),
         'f opens the next finding with its document');
  await Promise.all([page.waitForNavigation(), page.click('#thumbs .thumb[data-page="2"]')]);
  expect(/\/preview\/1\/2\?/.test(await page.getAttribute('#page-img', 'src')), 'a thumbnail shows its page');
  await page.waitForFunction(() => document.getElementById('page-img')?.complete);
  const before = await page.$eval('#page-img', (i) => [i.naturalWidth, i.getBoundingClientRect().width]);
  await Promise.all([page.waitForNavigation(), page.click('#zoom-in')]);
  const src = await page.getAttribute('#page-img', 'src');
  await page.waitForFunction(() => document.getElementById('page-img')?.complete);
  const after = await page.$eval('#page-img', (i) => [i.naturalWidth, i.getBoundingClientRect().width]);
  expect(/dpi=100/.test(src) && after[0] > before[0] * 1.2 && after[1] > before[1] * 1.2,
         `zoom renders and shows the page larger (${before} → ${after})`);
  // An office document's text.
  await page.goto(`${base}/review/b/readability-doubtful-docx-mojibake`);
  expect((await page.textContent('.doctab.selected')).includes('.docx') && (await page.isVisible('#doc-text')) &&
         (await page.textContent('#doc-text')).trim().length > 20, 'a DOCX is previewed as its text');

  // --- Language: kk for the whole UI, remembered for this clerk ----------------------------
  await Promise.all([page.waitForNavigation(), page.click('#lang-kk')]);
  expect((await page.getAttribute('html', 'lang')) === 'kk' && (await page.textContent('#register')).includes('Тіркеу') &&
         (await page.textContent('h2')).includes('Ескертулер') &&
         (await page.textContent('#findings')).includes('бағасы'), 'the language switch turns the page Kazakh');
  await Promise.all([page.waitForNavigation(), page.click('#logout')]);
  const again = await login(dana, base, 'dana', 'dana-secret-password');
  expect((await again.getAttribute('html', 'lang')) === 'kk' && (await again.textContent('h1')).includes('Қарауға кезек'),
         'the next login opens in Kazakh (remembered for the clerk)');
  await Promise.all([again.waitForNavigation(), again.click('#lang-ru')]);
  expect((await again.textContent('h1')).includes('Очередь'), 'and switches back to Russian');
  const r = await again.request.get(`${base}/review/stats`);
  expect(r.status() === 403, 'a clerk cannot open the registry\'s figures');

  // --- A lead clerk decides two bundles in one action ------------------------------------
  const aigulCtx = await browser.newContext({ viewport });
  const lead = await login(aigulCtx, base, 'aigul', 'aigul-lead-password');
  await lead.goto(`${base}/review?q=file-name`);
  const picks = await lead.$$('input.bulk-pick');
  expect(picks.length === 2, 'the lead sees the two bundles to decide together');
  for (const p of picks) await p.check();
  await lead.selectOption('#bulk-action', 'reject');
  await lead.selectOption('#bulk-code', 'FILE_NAME_NOT_DESCRIPTIVE');
  await lead.fill('#bulk-note', 'Файлдарды мазмұны бойынша атаңыз.');
  await Promise.all([lead.waitForNavigation(), lead.click('#bulk-apply')]);
  expect((await lead.$$('#bulk-results tr.good')).length === 2, 'both are decided');
  const audit = spawnSync('/usr/bin/python3', ['-c', `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("SELECT count(DISTINCT bundle) FROM audit WHERE actor='aigul' AND action='reject'").fetchone()[0])`, db],
                          { encoding: 'utf8' });
  expect(audit.stdout.trim() === '2' && ['file-name-letter', 'file-name-not-descriptive'].every((b) =>
    JSON.parse(fs.readFileSync(path.join(spool, 'rejected', b, 'result', 'report.json'))).decision?.by === 'aigul'),
         'each bundle is a decision of its own in the audit trail, by the lead');

  // --- The registry at a glance ----------------------------------------------------------
  await lead.goto(`${base}/review/stats`);
  const n = async (id) => Number((await lead.textContent(id)).trim());
  const totals = { registered: await n('#total-registered'), rejected: await n('#total-rejected'),
                   review: await n('#total-review'), received: await n('#total-received') };
  const disk = { registered: countDir('registered'), rejected: countDir('rejected'), review: countDir('review'),
                 received: all };
  expect(JSON.stringify(totals) === JSON.stringify(disk),
         `the stats page's numbers are the registry's (${JSON.stringify(totals)} vs ${JSON.stringify(disk)})`);
  expect((await lead.$$('#chart-days svg rect')).length > 0 && (await lead.$$('#chart-reject svg rect')).length > 0 &&
         (await lead.textContent('#chart-reject')).includes('TITLE_MISMATCH'),
         'server-rendered SVG charts: per day, top reasons');
  expect((await lead.textContent('#clerks')).includes('dana') && (await lead.textContent('#clerks')).includes('aigul'),
         'each clerk\'s decisions');
  if (shots) await lead.screenshot({ path: path.join(shots, 'review-stats.png'), fullPage: true });

  // --- Without JavaScript, the basic decision works -------------------------------------
  const nojs = await browser.newContext({ viewport, javaScriptEnabled: false });
  const plain = await login(nojs, base, 'dana', 'dana-secret-password');
  await Promise.all([plain.waitForNavigation(), plain.click('a.bundle:text-is("duplicate-file")')]);
  await Promise.all([plain.waitForNavigation(), plain.click('#register')]);
  expect(fs.existsSync(path.join(spool, 'registered', 'duplicate-file')), 'registered without JavaScript');

  // The metrics a Grafana dashboard shows (docs/grafana-dashboard.json): the clerks' decisions
  // and the bundles still waiting for one.
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const metric = (re) => Number((metrics.match(re) || [])[1]);
  expect(metric(/^sot_clerk_decisions_total\{action="register"\} (\d+)$/m) === 2 &&
         metric(/^sot_clerk_decisions_total\{action="reject"\} (\d+)$/m) === 4 &&
         metric(/^sot_review_waiting (\d+)$/m) === countDir('review'),
         'the metrics count the clerks\' decisions and the bundles waiting for one');
  const dashboard = JSON.parse(fs.readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url)));
  const used = new Set(dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr))
    .flatMap((e) => e.match(/sot_[a-z_]+/g)).map((m) => m.replace(/_bucket$/, '')));
  const missing = [...used].filter((m) => !new RegExp(`^# TYPE ${m} `, 'm').test(metrics));
  expect(used.size >= 10 && missing.length === 0,
         `every metric the Grafana dashboard queries is one the daemon exports (${used.size}; missing: ${missing})`);
});
