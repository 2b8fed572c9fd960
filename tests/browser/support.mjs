// What the browser tests share: the binaries and Chromium they drive, expectations that count
// failures, waiting, and a real daemon on a fresh spool with the generated samples and clerks.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const bins = { intaked: process.env.SOT_INTAKED, intake: process.env.SOT_INTAKE,
                      samples: process.env.SOT_SAMPLES };
export const chromiumPath = process.env.SOT_CHROMIUM || '/usr/bin/chromium';
for (const [k, v] of Object.entries(bins))
  if (!v || !fs.existsSync(v)) throw new Error(`binary ${k} not found: ${v}`);
if (!fs.existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (Debian package chromium)`);
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

let failures = 0;
export function expect(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}
export function fail(e) {
  console.log(`FAIL ${e.stack || e}`);
  failures++;
}
export const failed = () => failures;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export async function waitFor(test, ms, what) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await test()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// A daemon on a new spool: samples generated, clerks [login, role, password] added, the HTTP
// endpoint on a free port. deliver(name) puts a sample bundle into incoming/ as the portal does.
export async function startDaemon({ clerks, workers = 1, extraHttp = '' }) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sot-browser-'));
  const spool = path.join(work, 'spool');
  const log = path.join(work, 'daemon.log');
  const gen = spawnSync(bins.samples, [path.join(work, 'samples')], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`sot-samples failed: ${gen.stderr}`);
  const users = path.join(work, 'clerks.txt');
  for (const [login, role, pw] of clerks) {
    const add = spawnSync(bins.intake, ['users', 'add', login, '--role', role, '--users-file', users],
                          { input: `${pw}\n`, encoding: 'utf8' });
    if (add.status !== 0) throw new Error(`users add failed: ${add.stderr}`);
  }
  const pki = path.join(work, 'samples', 'pki');
  const config = path.join(work, 'sot-intake.toml');
  fs.writeFileSync(config, `[signature]
trust_dir = "${pki}/trust"
intermediates_dir = "${pki}/intermediates"
crl_dir = "${pki}/crl"
[http]
listen = "127.0.0.1:0"
users_file = "${users}"
${extraHttp}
`);
  const out = fs.openSync(log, 'a');
  const daemon = spawn(bins.intaked, ['--config', config, '--spool', spool, '--workers', String(workers)],
                       { stdio: ['ignore', out, out] });
  let port = 0;
  await waitFor(() => {
    const m = fs.existsSync(log) && fs.readFileSync(log, 'utf8').match(/on 127\.0\.0\.1:(\d+)/);
    if (m) port = Number(m[1]);
    return port > 0;
  }, 30000, 'the HTTP endpoint');
  return {
    work, spool, config, base: `http://127.0.0.1:${port}`,
    deliver(name, as = name) {
      fs.cpSync(path.join(work, 'samples', 'bundles', name), path.join(spool, 'tmp', as), { recursive: true });
      fs.renameSync(path.join(spool, 'tmp', as), path.join(spool, 'incoming', as));
    },
    count(dir) {
      const d = path.join(spool, dir);
      return fs.existsSync(d) ? fs.readdirSync(d).filter((n) => !n.startsWith('.')).length : 0;
    },
    async stop() {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.exitCode !== null ? r() : daemon.on('exit', r));
      if (failures) console.log(fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-4000) : '(no daemon log)');
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

// A new page in `context` logged in as `who` (the form filled and sent as a clerk does).
export async function login(context, base, who, password) {
  const page = await context.newPage();
  await page.goto(`${base}/review/login`);
  await page.fill('#login', who);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('#signin')]);
  return page;
}

// Runs a test: a daemon as startDaemon(options) and headless Chromium for `body`, both
// stopped afterwards whatever happens; an exception is a failure. Exits with the verdict.
export async function run(options, body) {
  let d;
  let browser;
  try {
    d = await startDaemon(options);
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
    await body(d, browser);
  } catch (e) {
    fail(e);
  } finally {
    if (browser) await browser.close();
    if (d) await d.stop();
  }
  finish();
}

function finish() {
  console.log(failures ? `${failures} failed` : 'all passed');
  process.exit(failures ? 1 : 0);
}
