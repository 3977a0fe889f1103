// What a recipient does with their guide, reported to the service (`POST /g/TOKEN/eventi`) for
// the monitoring dashboard. It watches the shared player from outside (its controls, its
// progress bar, the embedded timeline) and changes nothing in it.
//
// Events are queued and sent in batches: every 15 seconds while something is queued, and when
// the page is hidden or closed (sendBeacon, which survives the page). Each batch carries a
// random id: the server stores a batch sent twice once. Nothing personal is sent: the token is
// already in the address, the channel comes from `?c=`, the rest are ids of the guide.
(function () {
  'use strict';

  const body = document.body;
  if (body.dataset.mode !== 'recipient' || !body.dataset.rating) return;
  const url = body.dataset.rating.replace(/\/rating$/, '/eventi');
  const params = new URLSearchParams(location.search);
  const channel = (params.get('c') || '').slice(0, 16);

  let timeline = null;
  try {
    timeline = JSON.parse(document.getElementById('timeline').textContent);
  } catch (e) {
    return;
  }
  const scenes = (timeline.scenes || []).slice();
  if (timeline.ending && !scenes.some((s) => s.id === timeline.ending.id)) scenes.push(timeline.ending);
  const services = new Set();
  for (const s of scenes) for (const b of s.buttons || []) services.add(b.url);

  const queue = [];
  const MAX_BATCH = 100;

  function batchId() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return btoa(String.fromCharCode.apply(null, b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function emit(k, s, v) {
    const e = { k: k };
    if (s !== undefined) e.s = s;
    if (v !== undefined) e.v = v;
    queue.push(e);
  }

  // Sends what is queued: with sendBeacon when the page is going away, else with fetch
  // (keepalive), retried once with the same id if the network failed.
  function flush(leaving) {
    while (queue.length) {
      const batch = { id: batchId(), e: queue.splice(0, MAX_BATCH) };
      if (channel) batch.c = channel;
      const text = JSON.stringify(batch);
      if (leaving && navigator.sendBeacon && navigator.sendBeacon(url, text)) continue;
      const send = () => fetch(url, { method: 'POST', body: text, keepalive: true, credentials: 'same-origin' });
      send().catch(() => setTimeout(() => send().catch(() => {}), 5000));
    }
  }

  // ---------------------------------------------------------------- what is watched
  const reached = new Set();
  let lastStep = 0;
  let completed80 = false;
  let completed100 = false;
  let playing = false;
  let lastAt = 0;

  function sceneAt(ms) {
    let found = scenes[0];
    for (const s of scenes) if (ms >= s.start_ms) found = s;
    return found;
  }

  function poll() {
    const range = document.getElementById('progress');
    const play = document.getElementById('play');
    if (!range || !play) return;
    const nowPlaying = play.classList.contains('is-playing');
    if (nowPlaying !== playing) {
      playing = nowPlaying;
      emit(playing ? 'played' : 'paused');
    }
    const at = Number(range.value) || 0;
    const total = Number(range.max) || timeline.duration_ms || 0;
    if (Math.abs(at - lastAt) > 2500) emit('seeked');
    lastAt = at;
    if (playing || at > 0) {
      const s = sceneAt(at);
      if (s && !reached.has(s.id)) {
        reached.add(s.id);
        emit('scene', s.id);
      }
    }
    if (total > 0) {
      const share = Math.min(1, at / total);
      const step = Math.floor(share * 10 + 1e-9) * 10;
      while (lastStep < step) {
        lastStep += 10;
        emit('progressed', undefined, lastStep);
      }
      if (!completed80 && share >= 0.8) { completed80 = true; emit('completed', undefined, 80); }
      if (!completed100 && share >= 0.999) { completed100 = true; emit('completed', undefined, 100); }
    }
  }

  document.addEventListener('click', (e) => {
    const t = e.target instanceof Element ? e.target.closest('a, button') : null;
    if (!t) return;
    const key = t.dataset.key || '';
    if (key.startsWith('popup:')) emit('popup', key.slice(6));
    else if (t.classList.contains('service') && services.has(t.getAttribute('href'))) emit('button', t.getAttribute('href'));
    else if (t.id === 'cc') setTimeout(() => emit('captions', undefined, t.getAttribute('aria-pressed') === 'true' ? 1 : 0), 0);
    else if (/\/testo$/.test(t.getAttribute('href') || '')) { emit('text'); flush(true); }
  }, true);

  document.addEventListener('change', (e) => {
    const t = e.target;
    if (t instanceof HTMLInputElement && t.name === 'rating') emit('rated', undefined, Number(t.value));
  });

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flush(true);
  });
  window.addEventListener('pagehide', () => flush(true));

  emit('initialized');
  setInterval(poll, 250);
  setInterval(() => flush(false), 15000);
  // A first batch soon, so a view counts even if the page is killed without a pagehide.
  setTimeout(() => flush(false), 2000);
})();
