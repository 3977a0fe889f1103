// The player on every screen, and its accessibility audit, in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core). Run by cli/tests/player_sweep.rs, which starts
// the real `guide preview` on a temporary copy of the campaigns:
//
//     node player.sweep.mjs URL CAMPAIGNS_DIR ARTIFACTS_DIR
//
// 1. The sweep: for every scene of every demo recipient of every campaign, at six screen sizes,
//    every text, pop-up button, service button and the rating lie inside the stage's visible
//    box, clear of the caption, and nothing in the stage scrolls; no page scrolls sideways (WCAG 1.4.10).
// 2. Motion: texts wait for the narration that mentions them, scenes change with a short
//    transition, and nothing moves under `prefers-reduced-motion`.
// 3. The audit: axe-core finds no WCAG 2.1 A/AA violation on the index and on every campaign
//    page, playing, with a pop-up open, at the ending, and with the error overlay. axe-core is
//    evaluated over the DevTools protocol (playwright's `evaluate`), which the page's strict
//    Content-Security-Policy does not apply to: the page itself is served unchanged.
// 4. Focus, the live region, the preview details (a recipient who is not eligible, the
//    "Personalizzato" selector, dates in Italian).
// Screenshots of one scene per campaign at phone and desktop size go to ARTIFACTS_DIR.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const [base, campaignsDir, artifacts] = process.argv.slice(2);
if (!base || !campaignsDir || !artifacts) {
  console.error('usage: node player.sweep.mjs URL CAMPAIGNS_DIR ARTIFACTS_DIR');
  process.exit(2);
}
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const executablePath = process.env.GUIDE_CHROMIUM || '/usr/bin/chromium';
fs.mkdirSync(artifacts, { recursive: true });
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-sweep-chromium-'));

const VIEWPORTS = [
  { width: 320, height: 568 },
  { width: 390, height: 844 },
  { width: 768, height: 1024 },
  { width: 1024, height: 768 },
  { width: 1366, height: 900 },
  { width: 1920, height: 1080 },
];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };

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
  }
}

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  viewport: DESKTOP,
  locale: 'it-IT',
  reducedMotion: 'reduce',
  timeout: 60000,
});
context.setDefaultTimeout(8000);
const page = context.pages()[0] || await context.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push('page error: ' + e.message));
page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
page.on('request', (r) => {
  if (!r.url().startsWith(base) && !r.url().startsWith('data:')) problems.push('outside request: ' + r.url());
});

// ------------------------------------------------------------------ helpers

async function openCampaign(href) {
  await page.goto(new URL(href, base).href);
  await page.waitForFunction(() => document.body.dataset.evaluated !== undefined);
  await page.evaluate(() => document.fonts.ready);
}

// Chooses a recipient in the selector and waits for the player to have its guide.
async function choose(key) {
  await page.evaluate(async (key) => {
    const before = document.body.dataset.evaluated;
    const sel = document.getElementById('recipient-select');
    sel.value = key;
    sel.dispatchEvent(new Event('change'));
    for (let i = 0; i < 200 && document.body.dataset.evaluated === before; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
  }, key);
}

// The page does not scroll sideways.
async function sideways() {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

// Walks every scene of the current guide (Home, then Page Down on the progress bar) and lists
// what is clipped or scrolls inside the stage. Runs in the page: one round trip per recipient.
function sweepScenes() {
  return page.evaluate(() => {
    const out = { views: 0, bad: 0, failures: [] };
    const stage = document.getElementById('stage');
    const screen = document.getElementById('screen');
    const progress = document.getElementById('progress');
    if (progress.disabled) return out;
    const key = (k) => progress.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    key('Home');
    for (let n = 0; n < 100; n++) {
      out.views++;
      const before = out.failures.length;
      const label = document.getElementById('scene-label').textContent;
      const s = stage.getBoundingClientRect();
      const c = screen.getBoundingClientRect();
      const box = { left: Math.max(s.left, c.left), right: Math.min(s.right, c.right), top: Math.max(s.top, c.top), bottom: Math.min(s.bottom, c.bottom) };
      const what = stage.querySelectorAll('.scene-texts p, .popup-open, .service, .rating, .rating-option label');
      const cap = document.getElementById('captions');
      const cr = cap.textContent ? cap.getBoundingClientRect() : null;
      for (const e of what) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (cr && r.left < cr.right && cr.left < r.right && r.top < cr.bottom && cr.top < r.bottom) {
          out.failures.push(`${label}: the caption covers ${e.className || e.tagName} "${(e.textContent || '').trim().slice(0, 40)}"`);
        }
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
          out.failures.push(`${label}: ${e.className || e.tagName} "${(e.textContent || '').trim().slice(0, 40)}" at ${Math.round(r.left)},${Math.round(r.top)}-${Math.round(r.right)},${Math.round(r.bottom)} outside the stage ${Math.round(box.left)},${Math.round(box.top)}-${Math.round(box.right)},${Math.round(box.bottom)}`);
        }
      }
      for (const e of [stage, ...stage.querySelectorAll('*')]) {
        if (e.clientHeight === 0 && e.clientWidth === 0) continue;
        if (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1) {
          out.failures.push(`${label}: ${e.tagName}.${e.className} scrolls (${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight})`);
        }
      }
      if (out.failures.length > before) out.bad++;
      const next = document.getElementById('next');
      if (next.disabled) break;
      key('PageDown');
    }
    return out;
  });
}

async function audit(what) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  // A colour contrast axe cannot decide (text over an image or a gradient) counts as a failure.
  const undecided = result.incomplete.filter((v) => v.id === 'color-contrast');
  const found = result.violations.concat(undecided).map((v) => `${what}: ${v.id} (${v.impact}) ${v.help}\n      ` +
    v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160)).join('\n      '));
  return found;
}

// ------------------------------------------------------------------ the run

const campaigns = [];
const audits = [];
try {
  await step('the index: every screen, no sideways scroll, the audit', async () => {
    await page.goto(base);
    await page.locator('table.campaigns').waitFor();
    for (const a of await page.locator('table.campaigns tbody th a').all()) {
      campaigns.push({ href: await a.getAttribute('href'), title: await a.innerText() });
    }
    assert.equal(campaigns.length, 5);
    for (const v of VIEWPORTS) {
      await page.setViewportSize(v);
      assert.ok(await sideways() <= 0, `the index scrolls sideways at ${v.width}x${v.height}`);
    }
    await page.setViewportSize(DESKTOP);
    audits.push(...await audit('index'));
    await page.setViewportSize({ width: 320, height: 568 });
    audits.push(...await audit('index at 320 px'));
    await page.setViewportSize(DESKTOP);
  });

  await step('axe-core runs under the page CSP and finds a planted contrast failure', async () => {
    // A page without scripts (the answer for an unknown campaign), under the same CSP.
    const seen = problems.length;
    await page.goto(new URL('/c/no-such-campaign', base).href);
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.id = 'canary';
      p.textContent = 'Testo poco leggibile';
      p.style.color = '#aaaaaa';
      p.style.background = '#ffffff';
      document.querySelector('main').append(p);
    });
    const found = await audit('canary');
    assert.ok(found.some((f) => f.includes('color-contrast') && f.includes('#canary')), found.join('\n'));
    problems.length = seen; // the answer's 404, expected
  });

  const sweepStarted = Date.now();
  const perViewport = new Map(VIEWPORTS.map((v) => [v.width + 'x' + v.height, { views: 0, bad: 0 }]));
  for (const c of campaigns) {
    await step(`the sweep: ${c.title}`, async () => {
      await openCampaign(c.href);
      const demos = await page.locator('#recipient-select optgroup[label="Destinatari demo"] option').evaluateAll((os) => os.map((o) => o.value));
      assert.ok(demos.length > 0);
      const failures = [];
      for (const v of VIEWPORTS) {
        await page.setViewportSize(v);
        const sv = perViewport.get(v.width + 'x' + v.height);
        const side = await sideways();
        if (side > 0) failures.push(`${v.width}x${v.height}: the page scrolls sideways by ${side} px`);
        for (const d of demos) {
          await choose(d);
          const r = await sweepScenes();
          sv.views += r.views;
          sv.bad += r.bad;
          failures.push(...r.failures.map((f) => `${v.width}x${v.height} ${d}: ${f}`));
        }
      }
      assert.deepEqual(failures.slice(0, 20), [], `${failures.length} problems`);
    });
  }
  console.log(`     sweep: ${[...perViewport].map(([k, v]) => `${k} ${v.bad}/${v.views}`).join(', ')} (scene views with a problem / scene views) in ${Date.now() - sweepStarted} ms`);

  await step('screenshots: one scene per campaign, phone and desktop', async () => {
    for (const c of campaigns) {
      const name = c.href.replace(/^\/c\//, '').replace(/\W+/g, '-');
      await openCampaign(c.href);
      for (const [size, v] of [['phone', PHONE], ['desktop', DESKTOP]]) {
        await page.setViewportSize(v);
        await page.locator('#progress').evaluate((p) => p.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageDown', bubbles: true })));
        await page.locator('#stage').scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(artifacts, `player-${name}-${size}.png`) });
        await page.locator('#progress').evaluate((p) => p.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true })));
      }
    }
    await page.setViewportSize(DESKTOP);
  });

  for (const c of campaigns) {
    await step(`the audit: ${c.title} (playing, pop-up, ending)`, async () => {
      await openCampaign(c.href);
      await page.locator('#play').click();
      await page.waitForTimeout(300);
      audits.push(...await audit(`${c.title}, playing`));
      await page.locator('#play').click();
      // The first scene with a pop-up.
      const progress = page.locator('#progress');
      await progress.evaluate((p) => p.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true })));
      for (let i = 0; i < 30 && await page.locator('.popup-open').count() === 0; i++) {
        if (await page.locator('#next').isDisabled()) break;
        await page.locator('#next').click();
      }
      if (await page.locator('.popup-open').count() > 0) {
        await page.locator('.popup-open').first().click();
        await page.locator('#popup').waitFor();
        audits.push(...await audit(`${c.title}, pop-up open`));
        await page.keyboard.press('Escape');
        await page.locator('#popup').waitFor({ state: 'hidden' });
      }
      await progress.focus();
      await page.keyboard.press('End');
      await page.waitForFunction(() => document.querySelector('#scene-label').textContent.startsWith('Fine'));
      audits.push(...await audit(`${c.title}, ending`));
      await page.setViewportSize(PHONE);
      audits.push(...await audit(`${c.title}, ending on a phone`));
      await page.setViewportSize(DESKTOP);
    });
  }

  await step('the audit: the error overlay, open and collapsed', async () => {
    const file = path.join(campaignsDir, 'naspi', 'naspi.guide');
    const original = fs.readFileSync(file, 'utf8');
    try {
      await openCampaign('/c/naspi');
      fs.writeFileSync(file, original.replace('{durata_settimane | count(', '{durata_settimane_ | count('));
      await page.locator('#diagnostics').waitFor({ timeout: 10000 });
      audits.push(...await audit('naspi, error overlay'));
      await page.getByRole('button', { name: 'Nascondi gli errori' }).click();
      audits.push(...await audit('naspi, error bar collapsed'));
      // The collapsed bar covers neither the captions nor the texts.
      const overlap = await page.evaluate(() => {
        const bar = document.getElementById('diagnostics').getBoundingClientRect();
        return ['captions', 'scene-texts'].filter((id) => {
          const r = document.getElementById(id).getBoundingClientRect();
          return r.height > 0 && r.top < bar.bottom && bar.top < r.bottom;
        });
      });
      assert.deepEqual(overlap, []);
    } finally {
      fs.writeFileSync(file, original);
    }
    await page.locator('#diagnostics').waitFor({ state: 'hidden', timeout: 10000 });
  });

  await step('axe-core finds no WCAG 2.1 A/AA violation', async () => {
    assert.deepEqual(audits, []);
  });

  await step('one polite live region says the scene; captions and texts are not live', async () => {
    await openCampaign('/c/naspi');
    const live = await page.evaluate(() => Array.from(document.querySelectorAll('[aria-live], [role="status"], [role="log"], [role="alert"]'))
      .filter((e) => !e.closest('[hidden]') && e.closest('#player')).map((e) => e.id));
    assert.deepEqual(live, ['scene-announce']);
    assert.match(await page.locator('#scene-announce').textContent(), /^Scena 1 di \d+: Benvenuta Chiara/);
    await page.locator('#next').click();
    assert.match(await page.locator('#scene-announce').textContent(), /^Scena 2 di \d+: .+/);
    assert.equal(await page.locator('#scene-announce').getAttribute('aria-live'), 'polite');
  });

  await step('the focus never falls to <body> when the scene changes', async () => {
    await openCampaign('/c/naspi');
    await page.locator('#progress').evaluate((p) => p.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageDown', bubbles: true })));
    const button = page.locator('.popup-open').first();
    await button.focus();
    // The scene changes under the focused button (as when the guide plays on).
    await page.evaluate(() => document.getElementById('next').click());
    const active = await page.evaluate(() => document.activeElement && document.activeElement.id);
    assert.equal(active, 'stage');
  });

  await step('every control shows a focus ring', async () => {
    await openCampaign('/c/naspi');
    await page.locator('#progress').focus();
    await page.keyboard.press('End');
    await page.locator('body').focus();
    const missing = [];
    const seen = new Set();
    for (let i = 0; i < 150; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const a = document.activeElement;
        if (!a || a === document.body) return null;
        const shown = a.matches('.rating-option input') ? a.nextElementSibling : a;
        const cs = getComputedStyle(shown);
        const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) || cs.boxShadow !== 'none';
        return { key: a.id || Array.from(document.querySelectorAll('*')).indexOf(a) + ' ' + a.outerHTML.slice(0, 60), ring };
      });
      if (!info) continue;
      // Round the page once (a date field holds the focus for several Tabs).
      if (seen.size > 1 && info.key === [...seen][0]) break;
      seen.add(info.key);
      if (!info.ring) missing.push(info.key);
    }
    assert.ok(seen.size > 20, `${seen.size} controls reached: ${[...seen].join(' | ')}`);
    assert.deepEqual(missing, []);
  });

  await step('motion: texts wait for their narration; a transition; none under reduced motion', async () => {
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    await openCampaign('/c/naspi');
    let waiting = 0;
    for (let i = 0; i < 10 && waiting === 0; i++) {
      await page.locator('#next').click();
      waiting = await page.locator('#scene-texts p.is-waiting').count();
    }
    assert.ok(waiting > 0, 'a scene has a text that waits for the narration');
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.scene-body')).animationName), 'scene-in');
    assert.equal(await page.locator('#scene-texts p.scene-title.is-waiting').count(), 0, 'the title shows at once');
    await page.locator('#play').click();
    await page.waitForFunction(() => document.querySelectorAll('#scene-texts p.is-waiting').length === 0, null, { timeout: 30000 });
    await page.locator('#play').click();
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.locator('#progress').evaluate((p) => p.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true })));
    for (let i = 0; i < 6; i++) {
      await page.locator('#next').click();
      assert.equal(await page.locator('#scene-texts p.is-waiting').count(), 0);
      assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.scene-body')).animationName), 'none');
    }
  });

  await step('a recipient who is not eligible: the guide stops and is cleared, in Italian', async () => {
    await openCampaign('/c/assegno_unico');
    await page.locator('#play').click();
    const consent = page.locator('.field[data-name="consenso_servizi_proattivi"] input[data-role="value"]');
    await consent.uncheck();
    await page.locator('#outcome').waitFor();
    assert.match(await page.locator('#outcome-text').innerText(), /^Questo destinatario non riceve la guida/);
    assert.equal(await page.locator('#variant').innerText(), '—');
    assert.equal(await page.locator('#play').isDisabled(), true);
    assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Riproduci');
    assert.equal(await page.locator('#scene-texts').innerText(), '');
    assert.equal(await page.locator('#recipient-select').inputValue(), 'custom', 'the selector says Personalizzato');
    await consent.check();
    await page.locator('#outcome').waitFor({ state: 'hidden' });
    assert.match(await page.locator('#variant').innerText(), /^v-/);
  });

  await step('dates in the header are in Italian', async () => {
    const text = await page.locator('#available').innerText();
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}/);
    assert.match(text, /^Sempre disponibile$|\d{1,2} (gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre) \d{4}/);
  });

  await step('a phone held sideways: the player alone, filling the screen', async () => {
    await page.setViewportSize({ width: 844, height: 390 });
    await openCampaign('/c/naspi');
    assert.equal(await page.locator('.topbar').isVisible(), false, 'no page chrome');
    const fit = await page.evaluate(() => {
      const r = document.getElementById('screen').getBoundingClientRect();
      const c = document.querySelector('.controls').getBoundingClientRect();
      return { top: r.top, width: r.width, controlsBottom: c.bottom };
    });
    assert.equal(fit.top, 0);
    assert.equal(fit.width, 844);
    assert.ok(fit.controlsBottom >= 390 - 1, 'the player fills the height');
    await page.setViewportSize(DESKTOP);
  });

  await step('the total duration is rounded, not cut', async () => {
    await openCampaign('/c/naspi');
    const state = await page.evaluate(() => fetch('/api/state/naspi').then((r) => r.json()));
    const ms = state.demos.find((d) => d.name === 'chiara').duration_ms;
    const s = Math.round(ms / 1000);
    const total = (await page.locator('#time').innerText()).split(' / ')[1];
    assert.equal(total, Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'));
  });

  await step('a campaign still compiling says so', async () => {
    // The state the server gives for a campaign whose first compilation is still running.
    await page.route('**/api/state/naspi', (route) => route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({
        slug: 'naspi', id: 'naspi', title: 'La tua NASpI', dir: 'naspi', generation: 1, compiling: true,
        status: 'pending', status_text: 'Compilazione in corso', errors: 0, warnings: 0, diagnostics: [],
        playable: false, fields: [], demos: [], witnesses: [], visuals_present: [],
      }),
    }));
    try {
      await page.goto(new URL('/c/naspi', base).href);
      await page.locator('#outcome').waitFor();
      assert.equal(await page.locator('#outcome-text').innerText(), 'Compilazione in corso…');
      assert.equal(await page.locator('#status').evaluate((e) => e.textContent + getComputedStyle(e, '::after').content), 'Compilazione in corso"…"');
      assert.equal(await page.locator('#play').isDisabled(), true);
    } finally {
      await page.unroute('**/api/state/naspi');
    }
  });

  await step('full screen from the button', async () => {
    await openCampaign('/c/naspi');
    const full = page.locator('#fullscreen');
    await full.click();
    await page.waitForFunction(() => document.fullscreenElement && document.fullscreenElement.id === 'player');
    // The button follows the `fullscreenchange` event, which may come after the element is set.
    await page.waitForFunction(() => document.getElementById('fullscreen').getAttribute('aria-pressed') === 'true', null, { timeout: 5000 });
    assert.equal(await full.getAttribute('aria-pressed'), 'true');
    await full.click();
    await page.waitForFunction(() => !document.fullscreenElement);
  });

  await step('no page error, no request outside the preview', async () => {
    assert.deepEqual(problems, []);
  });
} catch (e) {
  failed++;
  console.log(`FAIL ${e && e.stack ? e.stack : e}`);
} finally {
  if (audits.length) console.log('axe-core:\n  ' + audits.join('\n  '));
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
