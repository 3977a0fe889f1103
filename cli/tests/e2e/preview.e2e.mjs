// End-to-end test of `guide preview` in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core; no browser is downloaded). Run by cli/tests/preview_e2e.rs, which
// starts the real `guide preview` on a temporary copy of the campaigns:
//
//     node preview.e2e.mjs URL CAMPAIGNS_DIR ARTIFACTS_DIR
//
// It opens a campaign, plays it, opens a pop-up with the keyboard, edits a recipient
// attribute, then edits the .guide file on disk and sees the page change, and saves
// screenshots in ARTIFACTS_DIR.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, campaignsDir, artifacts] = process.argv.slice(2);
if (!base || !campaignsDir || !artifacts) {
  console.error('usage: node preview.e2e.mjs URL CAMPAIGNS_DIR ARTIFACTS_DIR');
  process.exit(2);
}
const executablePath = process.env.GUIDE_CHROMIUM || '/usr/bin/chromium';
fs.mkdirSync(artifacts, { recursive: true });
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-e2e-chromium-'));

let passed = 0;
let failed = 0;
async function step(name, f) {
  const started = Date.now();
  try {
    await f();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    throw e;
  }
}

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
const page = context.pages()[0] || await context.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push('page error: ' + e.message));
page.on('dialog', async (d) => { problems.push('a dialog opened: ' + d.message()); await d.dismiss(); });
page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
// Nothing but the preview itself may be requested: the page works with no network.
page.on('request', (r) => {
  if (!r.url().startsWith(base) && !r.url().startsWith('data:')) problems.push('outside request: ' + r.url());
});

const guideFile = path.join(campaignsDir, 'naspi', 'naspi.guide');
const original = fs.readFileSync(guideFile, 'utf8');
const activeInfo = () => page.evaluate(() => {
  const a = document.activeElement;
  return a ? { tag: a.tagName, id: a.id, cls: a.className, text: (a.textContent || '').trim(), label: a.getAttribute('aria-label') } : null;
});
const stageText = () => page.locator('#scene-texts').innerText();
const sceneLabel = () => page.locator('#scene-label').innerText();

try {
  await step('the index lists the campaigns', async () => {
    await page.goto(base);
    await page.getByRole('link', { name: 'La tua NASpI' }).waitFor();
    assert.equal(await page.locator('table.campaigns tbody tr').count(), 5);
    await page.screenshot({ path: path.join(artifacts, 'index.png'), fullPage: true });
  });

  await step('the campaign page shows the first demo recipient', async () => {
    await page.getByRole('link', { name: 'La tua NASpI' }).click();
    await page.waitForURL(/\/c\/naspi$/);
    await page.waitForFunction(() => document.querySelector('#scene-texts').textContent.includes('Benvenut'));
    assert.match(await sceneLabel(), /Scena 1 di \d+ · intro/);
    assert.match(await page.locator('#variant').innerText(), /^v-[0-9a-f]{16}$/);
    const selected = await page.locator('#recipient-select').inputValue();
    assert.equal(selected, 'demo:chiara');
    assert.match(await stageText(), /Benvenuta Chiara/);
    // Why each scene plays: Chiara declared no self-employment income.
    const income = page.locator('.why-scene', { has: page.locator('.why-id', { hasText: /^reddito_autonomo$/ }) });
    assert.match(await income.innerText(), /non si vede[\s\S]*reddito_autonomo is present[\s\S]*falso[\s\S]*assente/);
  });

  await step('every control has a name and is reachable with Tab', async () => {
    const unnamed = await page.evaluate(() => Array.from(document.querySelectorAll('button, input, select, textarea, a[href]'))
      .filter((e) => !e.closest('[hidden]') && !e.closest('dialog'))
      .filter((e) => {
        const label = e.getAttribute('aria-label') || (e.labels && e.labels.length ? e.labels[0].textContent : '') || e.textContent || e.getAttribute('aria-labelledby');
        return !label || !label.trim();
      }).map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(unnamed, []);
    // Tab from the top reaches play, next and captions.
    await page.locator('body').focus();
    const reached = new Set();
    for (let i = 0; i < 40 && reached.size < 4; i++) {
      await page.keyboard.press('Tab');
      const a = await activeInfo();
      if (a && ['play', 'next', 'prev', 'cc', 'progress'].includes(a.id)) reached.add(a.id);
      if (a && a.id === 'play') {
        const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
        assert.notEqual(outline, 'none', 'the focused control shows its focus');
      }
    }
    assert.ok(reached.has('play') && reached.has('next') && reached.has('cc'), [...reached].join(','));
  });

  await step('it plays: time advances, captions show', async () => {
    await page.locator('#play').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Pausa');
    await page.waitForFunction(() => document.querySelector('#time').textContent.startsWith('0:01'), null, { timeout: 5000 });
    assert.ok((await page.locator('#captions').innerText()).length > 10, 'a caption is shown');
    // Captions off and on again.
    await page.locator('#cc').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#cc').getAttribute('aria-pressed'), 'false');
    assert.equal(await page.locator('#captions').isVisible(), false);
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#cc').getAttribute('aria-pressed'), 'true');
  });

  await step('next scene with the keyboard', async () => {
    await page.locator('#next').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#scene-label').textContent.includes('importo'));
    assert.match(await stageText(), /La tua NASpI è di € 865,10 al mese/);
  });

  await step('a pop-up opens with the keyboard and pauses the guide', async () => {
    // From the "next" button, Shift+Tab back to the pop-up's button in the scene.
    let found = false;
    for (let i = 0; i < 20 && !found; i++) {
      await page.keyboard.press('Shift+Tab');
      const a = await activeInfo();
      found = a && String(a.cls).includes('popup-open');
    }
    assert.ok(found, 'the pop-up button is reachable with the keyboard');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: "Come viene calcolato l'importo" });
    await dialog.waitFor();
    assert.equal((await activeInfo()).id, 'popup-close', 'the focus moves into the pop-up');
    await page.screenshot({ path: path.join(artifacts, 'popup.png') });
    const t1 = await page.locator('#time').innerText();
    await page.waitForTimeout(1500);
    assert.equal(await page.locator('#time').innerText(), t1, 'nothing advances while the pop-up is open');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    const back = await activeInfo();
    assert.ok(String(back.cls).includes('popup-open'), 'the focus returns to the pop-up button');
    await page.waitForFunction((t) => document.querySelector('#time').textContent !== t, t1, { timeout: 5000 });
    await page.locator('#play').click();
    assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Riproduci');
  });

  await step('editing a recipient attribute updates the player', async () => {
    const amount = page.locator('.field[data-name="importo_mensile"] input');
    await amount.fill('999');
    await page.waitForFunction(() => document.querySelector('#scene-texts').textContent.includes('€ 999,00'));
    assert.match(await sceneLabel(), /importo/, 'the scene is kept');
    // A bad value: the runtime's error next to the field, the player keeps going.
    const age = page.locator('.field[data-name="eta"] input');
    await age.fill('ventisette');
    const error = page.locator('.field[data-name="eta"] .field-error');
    await error.waitFor();
    assert.match(await error.innerText(), /eta.*expected an integer/);
    assert.equal(await age.getAttribute('aria-invalid'), 'true');
    assert.match(await stageText(), /€ 999,00/);
    await age.fill('27');
    await error.waitFor({ state: 'hidden' });
  });

  await step('a recipient value is shown as text, never run', async () => {
    await page.locator('.field[data-name="nome"] input').fill('<img src=x onerror=alert(1)>');
    await page.getByRole('button', { name: 'Vai alla scena intro' }).click();
    await page.waitForFunction(() => document.querySelector('#scene-texts').textContent.includes('<img src=x'));
    assert.match(await stageText(), /Benvenuta <img src=x onerror=alert\(1\)>/);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    await page.locator('.field[data-name="nome"] input').fill('Chiara');
    await page.waitForFunction(() => document.querySelector('#scene-texts').textContent.includes('Benvenuta Chiara'));
    await page.locator('#next').click();
    await page.waitForFunction(() => document.querySelector('#scene-label').textContent.includes('importo'));
  });

  await step('saving the .guide file updates the open page', async () => {
    const edited = original.replace('text "La tua NASpI è di {importo_mensile} al mese"', 'text "Questo mese la tua NASpI vale {importo_mensile}"');
    assert.notEqual(edited, original);
    const before = Date.now();
    fs.writeFileSync(guideFile, edited);
    await page.waitForFunction(() => document.querySelector('#scene-texts').textContent.includes('Questo mese la tua NASpI vale € 999,00'), null, { timeout: 5000 });
    console.log(`     page updated ${Date.now() - before} ms after the save`);
    assert.match(await sceneLabel(), /importo/, 'the scene is kept');
    assert.equal(await page.locator('.field[data-name="importo_mensile"] input').inputValue(), '999', 'the edited values are kept');
    assert.equal(await page.locator('#recipient-select').inputValue(), 'custom', 'the edited recipient is kept, as "Personalizzato"');
  });

  await step('an error in the file shows the diagnostics over the player; fixing it clears them', async () => {
    const broken = original.replace('{durata_settimane | count(', '{durata_settimane_ | count(');
    fs.writeFileSync(guideFile, broken);
    const overlay = page.locator('#diagnostics');
    await overlay.waitFor({ timeout: 5000 });
    const text = await overlay.innerText();
    assert.match(text, /naspi\.guide:\d+:\d+/);
    assert.match(text, /durata_settimane_/);
    assert.match(await page.locator('#status').innerText(), /errore/);
    await page.screenshot({ path: path.join(artifacts, 'errors.png') });
    // The last good version stays playable under the diagnostics.
    await page.getByRole('button', { name: 'Nascondi gli errori' }).click();
    await page.locator('#next').click();
    await page.waitForFunction(() => document.querySelector('#scene-label').textContent.includes('primo_pagamento'));
    fs.writeFileSync(guideFile, original);
    await overlay.waitFor({ state: 'hidden', timeout: 5000 });
    assert.match(await page.locator('#status').innerText(), /Nessun problema/);
  });

  await step('the ending: service buttons and the 1-5 rating', async () => {
    const progress = page.locator('#progress');
    const max = Number(await progress.getAttribute('max'));
    await progress.focus();
    await page.keyboard.press('End');
    await page.waitForFunction(() => document.querySelector('#scene-label').textContent.startsWith('Fine'));
    assert.ok(max > 60000);
    const services = page.locator('.services a');
    assert.ok(await services.count() >= 3);
    assert.equal(await services.first().getAttribute('rel'), 'noopener noreferrer');
    const four = page.getByRole('radio', { name: '4' });
    await four.focus();
    await page.keyboard.press('Space');
    assert.equal(await four.isChecked(), true);
    await page.locator('.rating-thanks').getByText('Grazie').waitFor();
  });

  await step('motion is reduced when the browser asks', async () => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.locator('#prev').click();
    const animation = await page.evaluate(() => getComputedStyle(document.querySelector('#stage')).animationName);
    assert.equal(animation, 'none');
    await page.emulateMedia({ reducedMotion: 'no-preference' });
  });

  await step('screenshot', async () => {
    await page.getByRole('button', { name: 'Vai alla scena importo' }).click();
    await page.waitForFunction(() => document.querySelector('#scene-label').textContent.includes('importo'));
    await page.waitForTimeout(700); // the transition's end
    await page.screenshot({ path: path.join(artifacts, 'preview-naspi.png'), fullPage: true });
  });

  await step('no page error, no dialog, no request outside the preview', async () => {
    assert.deepEqual(problems, []);
  });
} catch (e) {
  try { await page.screenshot({ path: path.join(artifacts, 'failure.png'), fullPage: true }); } catch (_) { /* ignore */ }
  if (problems.length) console.log('problems seen by the page:\n  ' + problems.join('\n  '));
} finally {
  fs.writeFileSync(guideFile, original);
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
