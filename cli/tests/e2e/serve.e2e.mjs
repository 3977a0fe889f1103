// End-to-end test of `guide serve` in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core). Run by cli/tests/serve.rs, which publishes the demo recipients and starts
// the real `guide serve`:
//
//     node serve.e2e.mjs LINK ARTIFACTS_DIR
//
// At 390×844 (a phone) and 1366×900 it opens a recipient's link, plays the guide, opens a
// pop-up, presses a service button and rates, and saves a screenshot of each size.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [link, artifacts] = process.argv.slice(2);
if (!link || !artifacts) {
  console.error('usage: node serve.e2e.mjs LINK ARTIFACTS_DIR');
  process.exit(2);
}
const base = new URL(link).origin;
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
    throw e;
  }
}

for (const [width, height] of [[390, 844], [1366, 900]]) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-serve-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width, height },
    locale: 'it-IT',
    timeout: 60000,
  });
  context.setDefaultTimeout(10000);
  const problems = [];
  const outside = [];
  // Nothing leaves the machine: a request elsewhere (a service button) is answered here.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<title>servizio</title>' });
  });
  const page = context.pages()[0] || await context.newPage();
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
  const label = `${width}x${height}`;
  try {
    await step(`${label}: the link opens the recipient's guide`, async () => {
      const resp = await page.goto(link);
      assert.equal(resp.status(), 200);
      assert.equal(await page.title(), 'La tua guida INPS');
      await page.waitForFunction(() => document.querySelector('#scene-texts').textContent.includes('Benvenuta Chiara'));
      assert.equal(await page.locator('#record-form').count(), 0, 'no designer panel');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `no horizontal scrolling (${overflow} px too wide)`);
    });

    await step(`${label}: the scene's picture, with its alternative text`, async () => {
      await page.waitForFunction(() => {
        const i = document.querySelector('#visual img');
        return i && i.complete && i.naturalWidth === 640;
      });
      const alt = await page.locator('#visual img').getAttribute('alt');
      assert.ok(alt.startsWith('Pittogramma: '), alt);
      assert.equal(await page.locator('.visual-fallback').count(), 0);
    });

    await step(`${label}: the voice (spoken on the first request, then cached)`, async () => {
      // `202` while the server speaks it (asked again every 2 s, for 2 minutes at most).
      const [status, type, size] = await page.evaluate(async () => {
        for (let i = 0; i < 60; i++) {
          const r = await fetch(document.body.dataset.audio);
          if (r.status !== 202) return [r.status, r.headers.get('content-type'), (await r.arrayBuffer()).byteLength];
          await new Promise((ok) => setTimeout(ok, 2000));
        }
        return [202, null, 0];
      });
      assert.equal(status, 200);
      assert.equal(type, 'audio/ogg');
      assert.ok(size > 50000 && size < 600000, `${size} bytes`);
      await page.locator('#voice').waitFor({ timeout: 30000 });
      await page.locator('#volume').waitFor();
      assert.equal(await page.locator('#voice').getAttribute('aria-pressed'), 'true');
    });

    await step(`${label}: it plays`, async () => {
      await page.locator('#play').click();
      assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Pausa');
      await page.waitForFunction(() => document.querySelector('#time').textContent.startsWith('0:01'), null, { timeout: 5000 });
      assert.ok((await page.locator('#captions').innerText()).length > 10, 'a caption is shown');
      await page.locator('#play').click();
    });

    await step(`${label}: a pop-up opens and closes`, async () => {
      await page.locator('#next').click();
      await page.waitForFunction(() => document.querySelector('#scene-texts').textContent.includes('€ 865,10'));
      await page.locator('.popup-open').first().click();
      const dialog = page.getByRole('dialog', { name: "Come viene calcolato l'importo" });
      await dialog.waitFor();
      await page.screenshot({ path: path.join(artifacts, `serve-popup-${label}.png`) });
      await page.locator('#popup-close').click();
      await dialog.waitFor({ state: 'hidden' });
    });

    await step(`${label}: the ending: a service button and the rating`, async () => {
      await page.locator('#progress').focus();
      await page.keyboard.press('End');
      const service = page.locator('.services a').first();
      await service.waitFor();
      assert.equal(await service.getAttribute('rel'), 'noopener noreferrer');
      const href = await service.getAttribute('href');
      const [opened] = await Promise.all([context.waitForEvent('page'), service.click()]);
      await opened.waitForLoadState();
      assert.equal(opened.url(), href);
      await opened.close();
      assert.deepEqual(outside, [href], 'only the service was requested outside');
      const [rated] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/rating') && r.request().method() === 'POST'),
        page.getByRole('radio', { name: '4' }).check(),
      ]);
      assert.equal(rated.status(), 204);
      await page.locator('.rating-thanks').getByText('Grazie').waitFor();
      await page.screenshot({ path: path.join(artifacts, `serve-${label}.png`), fullPage: true });
      assert.deepEqual(problems, []);
    });
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}
process.exit(failed === 0 ? 0 : 1);
