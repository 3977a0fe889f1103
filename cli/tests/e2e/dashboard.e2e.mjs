// End-to-end test of the monitoring in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core). Run by cli/tests/monitoring.rs, which publishes recipients and starts the
// real `guide serve` and `guide dashboard`:
//
//     node dashboard.e2e.mjs LINK DASHBOARD_URL ARTIFACTS_DIR
//
// 1. A recipient opens their link (?c=sms), plays, opens a pop-up, turns the captions off and
//    leaves: the player's events reach the server (the Rust test reads them in the database).
// 2. The dashboard's campaign page: its charts and tables render, and axe-core finds no
//    WCAG 2.1 A/AA violation.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const [link, dashboard, artifacts] = process.argv.slice(2);
if (!link || !dashboard || !artifacts) {
  console.error('usage: node dashboard.e2e.mjs LINK DASHBOARD_URL ARTIFACTS_DIR');
  process.exit(2);
}
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const executablePath = process.env.GUIDE_CHROMIUM || '/usr/bin/chromium';
fs.mkdirSync(artifacts, { recursive: true });

let failed = 0;
async function step(name, f) {
  const started = Date.now();
  try {
    await f();
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-dashboard-e2e-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  viewport: { width: 1366, height: 900 },
  locale: 'it-IT',
  timeout: 60000,
});
context.setDefaultTimeout(10000);
const origins = [new URL(link).origin, new URL(dashboard).origin];
const outside = [];
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (origins.some((o) => url.startsWith(o)) || url.startsWith('data:')) return route.continue();
  outside.push(url);
  return route.abort();
});

try {
  await step('a recipient watches, opens a pop-up, turns the captions off, leaves', async () => {
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    const sent = [];
    page.on('request', (r) => { if (r.url().endsWith('/eventi')) sent.push(r.postData() || ''); });
    const resp = await page.goto(link);
    assert.equal(resp.status(), 200);
    await page.locator('#play').click();
    await page.waitForFunction(() => document.querySelector('#time').textContent.startsWith('0:02'), null, { timeout: 8000 });
    await page.locator('#play').click();
    await page.locator('#next').click();
    await page.locator('.popup-open').first().click();
    await page.getByRole('dialog').waitFor();
    await page.locator('#popup-close').click();
    await page.locator('#cc').click();
    // The first batch goes within 2 s; the rest when the page is hidden.
    await page.waitForTimeout(2500);
    await page.close({ runBeforeUnload: true });
    assert.ok(sent.length >= 1, 'a batch was sent');
    assert.deepEqual(problems, []);
  });

  await step('the dashboard: charts, tables, no WCAG 2.1 A/AA violation', async () => {
    const page = await context.newPage();
    const resp = await page.goto(new URL('/c/naspi', dashboard).href);
    assert.equal(resp.status(), 200);
    assert.ok(await page.locator('svg.chart').count() >= 5, 'the charts render');
    assert.ok(await page.locator('table').count() >= 10, 'a table behind every figure');
    assert.ok((await page.locator('table caption').first().innerText()).length > 0);
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }));
    const found = result.violations.map((v) => `${v.id} (${v.impact}) ${v.help}: ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
    assert.deepEqual(found, [], found.join('\n'));
    await page.screenshot({ path: path.join(artifacts, 'dashboard-1366x900.png'), fullPage: true });
    await page.goto(dashboard);
    await page.locator('table a[href="/c/naspi"]').waitFor();
    await page.evaluate(axeSource);
    const index = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }));
    assert.deepEqual(index.violations.map((v) => v.id), []);
    assert.deepEqual(outside, [], 'nothing requested outside');
  });
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed === 0 ? 0 : 1);
