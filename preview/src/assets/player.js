// The campaign page: the recipient form, the player of the recipient's timeline, the panel that
// explains why each scene plays, and live reload.
//
// Safety: every value that comes from a record, a timeline or a diagnostic is written with
// textContent or as an attribute value; this file never assigns innerHTML.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const slug = document.body.dataset.slug || '';
  // `guide serve` shows a recipient's own guide with the same player: the page embeds the
  // timeline (a JSON data block) and has no designer panels.
  const recipientMode = document.body.dataset.mode === 'recipient';
  const slugPath = slug.split('/').map(encodeURIComponent).join('/');
  const reducedMotion = window.matchMedia ? window.matchMedia('(prefers-reduced-motion: reduce)') : { matches: false };

  const st = {
    state: null,          // /api/state answer
    fieldsKey: '',        // JSON of the form fields, to rebuild the form only when they change
    scenes: [],           // the timeline's scenes, the ending last
    duration: 0,
    idx: 0,               // current scene
    t: 0,                 // ms into the current scene
    playing: false,
    captions: true,
    popupOpen: false,
    popupOpener: null,
    lastTick: performance.now(),
    evalSeq: 0,
    evalTimer: null,
    rendered: null,       // the scene object last rendered
    diagnosticsHidden: false,
    rating: null,
    campaign: '',         // the timeline's campaign id (recipient mode: where its visuals are)
    audio: null,          // the narration (when the server speaks), or null
    audioSrc: null,       // the address it comes from
  };

  // ---------------------------------------------------------------- DOM helpers

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === 'text') e.textContent = String(v);
        else if (k === 'class') e.className = v;
        else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children || []) {
      if (c === null || c === undefined) continue;
      e.append(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }

  // `m:ss`; a position is cut to the second it is in, a total is rounded to the nearest one.
  function clock(ms, round) {
    const s = Math.max(0, (round ? Math.round : Math.floor)(ms / 1000));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  const MONTHS = ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto',
    'settembre', 'ottobre', 'novembre', 'dicembre'];

  // `2024-02-29` written in Italian: `29 febbraio 2024`; anything else as it is.
  function italianDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
    const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
    return m && month ? Number(m[3]) + ' ' + month + ' ' + m[1] : String(iso);
  }

  // ---------------------------------------------------------------- texts in time with the narration

  const STOPWORDS = new Set(['della', 'delle', 'dello', 'degli', 'nella', 'nelle', 'sono', 'questo',
    'questa', 'quello', 'quella', 'anche', 'come', 'puoi', 'hai', 'tuo', 'tua', 'tuoi', 'tue', 'per',
    'con', 'che', 'non', 'una', 'uno', 'gli', 'dal', 'dalla', 'alla', 'alle', 'sul', 'sulla', 'più']);

  function words(text) {
    return (String(text).toLowerCase().match(/[\p{L}\p{N}]+(?:[.,]\p{N}+)*/gu) || [])
      .filter((w) => (w.length >= 3 || /\p{N}/u.test(w)) && !STOPWORDS.has(w));
  }

  // When each text of a scene shows, in ms from the scene's start: the title at once, every
  // other text with the caption cue that shares the most words with it (the narration that
  // mentions it), or spread over the first part of the scene when no cue does.
  function revealTimes(texts, captions, duration) {
    const cues = captions.map((c) => ({ start: c.start, words: new Set(words(c.text)) }));
    const latest = Math.max(0, duration * 0.6);
    return texts.map((t, i) => {
      if (i === 0) return 0;
      let best = null;
      let score = 0;
      for (const c of cues) {
        const n = words(t).filter((w) => c.words.has(w)).length;
        if (n > score) { score = n; best = c; }
      }
      const at = best ? best.start : latest * i / texts.length;
      return Math.max(0, Math.min(at, latest));
    });
  }

  function safeUrl(u) {
    try {
      const url = new URL(String(u), window.location.href);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  // ---------------------------------------------------------------- timeline

  // The scenes in playing order with scene-relative captions; the ending is the last scene
  // whether the timeline lists it in `scenes` or apart.
  function normalize(tl) {
    const scenes = Array.isArray(tl.scenes) ? tl.scenes.slice() : [];
    const ending = tl.ending && typeof tl.ending === 'object' ? tl.ending : null;
    if (ending) {
      const last = scenes[scenes.length - 1];
      const listed = last && last.id === ending.id && last.start_ms === ending.start_ms;
      if (!listed) scenes.push(ending);
    }
    let start = 0;
    return scenes.map((s, i) => {
      const duration = Math.max(1, Number(s.duration_ms) || 0);
      const begin = Number.isFinite(s.start_ms) ? s.start_ms : start;
      start = begin + duration;
      const caps = Array.isArray(s.captions) ? s.captions : [];
      // Captions are timed from the guide's start (the runtime's timeline): make them relative
      // to the scene, unless they already are.
      const absolute = caps.every((c) => Number(c.start_ms) >= begin);
      const captions = caps.map((c) => ({
        start: (Number(c.start_ms) || 0) - (absolute ? begin : 0),
        end: (Number(c.end_ms) || 0) - (absolute ? begin : 0),
        text: String(c.text || ''),
      }));
      const texts = Array.isArray(s.texts) ? s.texts.map(String) : [];
      return {
        id: String(s.id || ''),
        start: begin,
        duration: duration,
        visual: s.visual || null,
        visualAlt: typeof s.visual_alt === 'string' ? s.visual_alt : '',
        texts: texts,
        reveal: revealTimes(texts, captions, duration),
        narration: String(s.narration || ''),
        popups: Array.isArray(s.popups) ? s.popups : [],
        buttons: Array.isArray(s.buttons) ? s.buttons : [],
        rating: s.rating || null,
        ending: i === scenes.length - 1 && (ending !== null || !!s.rating),
        captions: captions,
      };
    });
  }

  function setTimeline(tl) {
    const prev = st.scenes[st.idx];
    const prevId = prev ? prev.id : null;
    st.scenes = normalize(tl);
    st.campaign = tl && typeof tl.campaign === 'string' ? tl.campaign : '';
    const last = st.scenes[st.scenes.length - 1];
    st.duration = last ? last.start + last.duration : 0;
    let i = st.scenes.findIndex((s) => s.id === prevId);
    if (i < 0) i = Math.min(st.idx, Math.max(0, st.scenes.length - 1));
    st.idx = i;
    const cur = st.scenes[i];
    st.t = cur ? Math.min(st.t, cur.duration - 1) : 0;
    if (st.t < 0) st.t = 0;
    if (!recipientMode) $('variant').textContent = tl.variant ? String(tl.variant) : '—';
    const av = tl.available || {};
    if (!recipientMode) $('available').textContent = av.from || av.until
      ? 'Disponibile' + (av.from ? ' dal ' + italianDate(av.from) : '') + (av.until ? ' al ' + italianDate(av.until) : '')
      : 'Sempre disponibile';
    renderMarkers();
    renderScene(false);
    renderTime();
    hideOutcome();
  }

  // ---------------------------------------------------------------- rendering

  function renderMarkers() {
    const box = $('markers');
    box.replaceChildren();
    const range = $('progress');
    range.max = String(st.duration);
    if (!st.duration) return;
    st.scenes.forEach((s, i) => {
      if (i === 0) return;
      const m = el('span', { class: 'marker' });
      m.style.left = (100 * s.start / st.duration) + '%';
      box.append(m);
    });
  }

  function focusKey() {
    const a = document.activeElement;
    return a && $('stage').contains(a) ? a.dataset.key || null : null;
  }

  // Says "Scena N di M: title" once per scene change, politely (the one live region).
  function announce(s) {
    const box = $('scene-announce');
    const text = s ? 'Scena ' + (st.idx + 1) + ' di ' + st.scenes.length + ': ' + (s.texts[0] || s.id) : '';
    if (box.dataset.said === text) return;
    box.dataset.said = text;
    box.textContent = text;
  }

  // Where a scene's visual is: the preview serves the campaign folder's files it knows exist;
  // `guide serve` serves `/visual/CAMPAIGN/NAME` (a 404 shows the fallback).
  function visualSrc(name) {
    const path = name.split('/').map(encodeURIComponent).join('/');
    if (recipientMode) {
      return st.campaign ? '/visual/' + encodeURIComponent(st.campaign) + '/' + path : null;
    }
    const present = (st.state && st.state.visuals_present) || [];
    return present.includes(name) ? '/visual/' + slugPath + '/' + path : null;
  }

  // A missing picture: a neutral drawing, never the file name; it still says what the picture
  // would have shown, when the campaign says it (a clone of the page's `#visual-fallback`).
  function visualFallback(s) {
    const tpl = $('visual-fallback');
    const box = tpl ? tpl.content.firstElementChild.cloneNode(true) : el('div', { class: 'visual-fallback' });
    if (s.visualAlt) {
      box.setAttribute('role', 'img');
      box.setAttribute('aria-label', s.visualAlt);
    }
    return box;
  }

  function renderScene(animate) {
    const s = st.scenes[st.idx];
    const stage = $('stage');
    const key = focusKey();
    const hadFocus = stage.contains(document.activeElement) && document.activeElement !== stage;
    st.rendered = s || null;
    const texts = $('scene-texts');
    const actions = $('scene-actions');
    const extras = $('ending-extras');
    const visual = $('visual');
    texts.replaceChildren();
    actions.replaceChildren();
    extras.replaceChildren();
    visual.replaceChildren();
    extras.hidden = true;
    if (!s) {
      stage.setAttribute('aria-label', 'Nessuna scena');
      $('scene-label').textContent = '';
      $('captions').textContent = '';
      announce(null);
      if (hadFocus) stage.focus();
      return;
    }
    const n = st.scenes.length;
    const label = s.ending ? 'Fine' : 'Scena ' + (st.idx + 1) + ' di ' + n;
    stage.setAttribute('aria-label', label + ': ' + s.id);
    $('scene-label').textContent = label + ' · ' + s.id;
    stage.classList.toggle('is-ending', s.ending);

    if (s.visual) {
      const src = visualSrc(s.visual);
      if (src) {
        // `alt` is the campaign's alternative text, empty for a decorative visual.
        const img = el('img', { src: src, alt: s.visualAlt });
        img.addEventListener('error', () => img.replaceWith(visualFallback(s)));
        visual.append(img);
      } else {
        visual.append(visualFallback(s));
      }
    }
    visual.hidden = !s.visual;

    s.texts.forEach((t, i) => texts.append(el('p', { class: i === 0 ? 'scene-title' : 'scene-text', text: t })));

    for (const p of s.popups) {
      const b = el('button', {
        type: 'button',
        class: 'popup-open',
        'aria-haspopup': 'dialog',
        'data-key': 'popup:' + p.id,
        text: p.button || 'Approfondisci',
      });
      b.addEventListener('click', () => openPopup(p, b));
      actions.append(b);
    }

    if (s.ending) {
      extras.hidden = false;
      if (s.buttons.length) {
        const list = el('ul', { class: 'services', 'aria-label': 'Servizi online' });
        for (const b of s.buttons) {
          const href = safeUrl(b.url);
          const item = href
            ? el('a', { class: 'service', href: href, target: '_blank', rel: 'noopener noreferrer', 'data-key': 'service:' + b.url, text: b.label })
            : el('span', { class: 'service', text: b.label });
          list.append(el('li', null, [item]));
        }
        extras.append(list);
      }
      if (s.rating) extras.append(ratingBox(s.rating));
    }

    if (animate && !reducedMotion.matches) {
      stage.classList.remove('enter');
      void stage.offsetWidth; // restart the animation
      stage.classList.add('enter');
    }
    if (hadFocus) {
      // The focused control was redrawn: the same one again, or the stage, never <body>.
      const again = key ? Array.from(stage.querySelectorAll('[data-key]')).find((x) => x.dataset.key === key) : null;
      (again || stage).focus();
    }
    announce(s);
    renderReveal();
    renderCaption(true);
  }

  // Hides the texts the narration has not reached yet (never under reduced motion).
  function renderReveal() {
    const s = st.scenes[st.idx];
    if (!s) return;
    const still = reducedMotion.matches;
    $('scene-texts').querySelectorAll('p').forEach((p, i) => {
      p.classList.toggle('is-waiting', !still && st.t < (s.reveal[i] || 0));
    });
  }

  function ratingBox(r) {
    const min = Number(r.min) || 1;
    const max = Number(r.max) || 5;
    const fs = el('fieldset', { class: 'rating' }, [el('legend', { text: r.question || '' })]);
    const row = el('div', { class: 'rating-options' });
    for (let v = min; v <= max; v++) {
      const id = 'rating-' + v;
      const input = el('input', { type: 'radio', name: 'rating', id: id, value: String(v), 'data-key': 'rating:' + v });
      if (st.rating === v) input.checked = true;
      input.addEventListener('change', () => {
        st.rating = v;
        if (recipientMode) {
          thanks.textContent = 'Grazie! Hai dato ' + v + ' su ' + max + '.';
          fetch(document.body.dataset.rating, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ rating: v }),
          }).catch(() => {});
        } else {
          thanks.textContent = 'Grazie! Hai dato ' + v + ' su ' + max + '. (In anteprima il voto non viene inviato.)';
        }
      });
      row.append(el('span', { class: 'rating-option' }, [input, el('label', { for: id, text: String(v) })]));
    }
    const thanks = el('p', { class: 'rating-thanks', 'aria-live': 'polite' });
    fs.append(row, thanks);
    return fs;
  }

  function renderCaption(force) {
    const box = $('captions');
    box.hidden = !st.captions;
    const s = st.scenes[st.idx];
    let text = '';
    if (s && st.captions) {
      const c = s.captions.find((c) => st.t >= c.start && st.t < c.end) ||
        (st.t >= s.duration - 1 && s.captions.length ? s.captions[s.captions.length - 1] : null);
      text = c ? c.text : '';
    }
    if (force || box.textContent !== text) box.replaceChildren(...(text ? [el('span', { text: text })] : []));
  }

  function renderTime() {
    const s = st.scenes[st.idx];
    const at = s ? s.start + st.t : 0;
    $('time').textContent = clock(at) + ' / ' + clock(st.duration, true);
    const range = $('progress');
    if (document.activeElement !== range || !st.playing) range.value = String(Math.round(at));
    const label = s ? (s.ending ? 'Fine' : 'Scena ' + (st.idx + 1) + ' di ' + st.scenes.length) + ' (' + s.id + '), ' : '';
    range.setAttribute('aria-valuetext', label + clock(at) + ' di ' + clock(st.duration, true));
    $('prev').disabled = !s || (st.idx === 0 && st.t < 1000);
    $('next').disabled = !s || st.idx >= st.scenes.length - 1;
    $('play').disabled = !s;
    range.disabled = !s;
  }

  function setPlaying(on) {
    st.playing = on && st.scenes.length > 0;
    const b = $('play');
    b.setAttribute('aria-label', st.playing ? 'Pausa' : 'Riproduci');
    b.classList.toggle('is-playing', st.playing);
    st.lastTick = performance.now();
    syncAudio();
  }

  // ---------------------------------------------------------------- the voice

  // `guide serve --audio-cache` speaks the guide at /g/TOKEN/audio (`guide preview --voice`:
  // each evaluation at the address it answers with): one track as long as the guide, each
  // sentence at its caption's time. Where it cannot play (no voice on the server, no audio in
  // the browser), the guide plays silently with its captions.
  function useAudio(src) {
    if (st.audioSrc === src) return;
    st.audioSrc = src;
    if (st.audio) {
      st.audio.pause();
      if (st.audio.src.startsWith('blob:')) URL.revokeObjectURL(st.audio.src);
    }
    st.audio = null;
    if (!$('voice')) return;
    $('voice').hidden = true;
    $('volume').hidden = true;
    if (!src || typeof Audio !== 'function' || typeof fetch !== 'function') return;
    fetchAudio(src, 0);
  }

  // The server makes the audio on the first request and answers `202` until it is ready: ask
  // again every 2 s, for about three minutes at most. The file is played from memory (a `blob:`
  // address, which the pages' CSP allows for media).
  async function fetchAudio(src, tries) {
    let r = null;
    try { r = await fetch(src, { cache: 'no-store' }); } catch (_) { r = null; }
    if (st.audioSrc !== src || !r) return;
    if (r.status === 202 && tries < 90) {
      setTimeout(() => fetchAudio(src, tries + 1), 2000);
      return;
    }
    if (r.status !== 200) return;
    let url;
    try { url = URL.createObjectURL(await r.blob()); } catch (_) { return; }
    if (st.audioSrc !== src) { URL.revokeObjectURL(url); return; }
    const a = new Audio();
    a.preload = 'auto';
    a.muted = $('voice').getAttribute('aria-pressed') !== 'true';
    a.volume = Math.max(0, Math.min(1, Number($('volume').value) || 0));
    a.addEventListener('canplay', () => {
      if (st.audio !== a) return;
      $('voice').hidden = false;
      $('volume').hidden = false;
      syncAudio();
    });
    a.addEventListener('error', () => {
      if (st.audio !== a) return;
      st.audio = null;
      $('voice').hidden = true;
      $('volume').hidden = true;
    });
    a.src = url;
    st.audio = a;
  }

  // The audio ready to follow the guide, or null.
  function audioReady() {
    const a = st.audio;
    return a && a.readyState >= 2 ? a : null;
  }

  // Plays the narration while the guide plays (not while a pop-up is open), at the guide's
  // position: a seek moves it.
  function syncAudio() {
    const a = audioReady();
    if (!a) return;
    const s = st.scenes[st.idx];
    if (!s || !st.playing || st.popupOpen) {
      if (!a.paused) a.pause();
      return;
    }
    const pos = s.start + st.t;
    if (Math.abs(a.currentTime * 1000 - pos) > 250) a.currentTime = pos / 1000;
    if (a.paused) a.play().catch(() => {});
  }

  function goTo(i, t, animate) {
    if (!st.scenes.length) return;
    st.idx = Math.max(0, Math.min(i, st.scenes.length - 1));
    st.t = Math.max(0, t || 0);
    renderScene(animate);
    renderTime();
  }

  function seek(ms) {
    const i = st.scenes.findIndex((s) => ms >= s.start && ms < s.start + s.duration);
    const idx = i < 0 ? st.scenes.length - 1 : i;
    const s = st.scenes[idx];
    if (!s) return;
    if (idx !== st.idx) goTo(idx, ms - s.start, true);
    else { st.t = Math.max(0, ms - s.start); renderReveal(); renderCaption(false); renderTime(); }
  }

  function tick() {
    const now = performance.now();
    const dt = now - st.lastTick;
    st.lastTick = now;
    syncAudio();
    // Nothing advances while a pop-up is open.
    if (!st.playing || st.popupOpen || !st.scenes.length) return;
    const s = st.scenes[st.idx];
    // The narration, when it plays, is the clock: captions and texts follow its sound.
    const a = audioReady();
    if (a && !a.paused && !a.seeking) st.t = Math.max(st.t, a.currentTime * 1000 - s.start);
    else st.t += dt;
    if (st.t >= s.duration) {
      if (st.idx < st.scenes.length - 1) {
        goTo(st.idx + 1, 0, true);
      } else {
        st.t = s.duration;
        setPlaying(false);
      }
    }
    renderReveal();
    renderCaption(false);
    renderTime();
  }

  // ---------------------------------------------------------------- pop-ups

  function openPopup(p, opener) {
    const dialog = $('popup');
    st.popupOpen = true;
    syncAudio();
    st.popupOpener = opener;
    $('popup-title').textContent = p.title || '';
    $('popup-body').textContent = p.body || '';
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    $('popup-close').focus();
  }

  function closePopup() {
    const dialog = $('popup');
    if (dialog.open && typeof dialog.close === 'function') dialog.close();
    else onPopupClosed();
  }

  function onPopupClosed() {
    $('popup').removeAttribute('open');
    st.popupOpen = false;
    st.lastTick = performance.now();
    // The scene may have been redrawn meanwhile (a reload): find the same button again.
    const key = st.popupOpener ? st.popupOpener.dataset.key : null;
    const again = key ? Array.from($('stage').querySelectorAll('[data-key]')).find((x) => x.dataset.key === key) : null;
    const back = st.popupOpener && document.contains(st.popupOpener) ? st.popupOpener : (again || $('play'));
    st.popupOpener = null;
    back.focus();
  }

  // ---------------------------------------------------------------- the form

  function fieldId(i) { return 'f' + i; }

  function buildForm(fields) {
    const form = $('record-form');
    const values = st.state ? readRecordSafe() : null;
    form.replaceChildren();
    fields.forEach((f, i) => {
      const id = fieldId(i);
      const hintText = [f.description, f.type_name, f.personal ? 'dato personale' : null].filter(Boolean).join(' · ');
      const hint = el('p', { class: 'hint', id: id + '-hint', text: hintText });
      const error = el('p', { class: 'field-error', id: id + '-error', hidden: true });
      const describedBy = id + '-hint ' + id + '-error';
      const box = el('div', { class: 'field field-' + f.kind, 'data-name': f.name, 'data-kind': f.kind, 'data-index': String(i) });
      let control;
      if (f.kind === 'set') {
        control = el('fieldset', { class: 'set', 'aria-describedby': describedBy }, [el('legend', { text: f.name })]);
        f.options.forEach((o, j) => {
          const cid = id + '-o' + j;
          control.append(el('span', { class: 'check' }, [
            el('input', { type: 'checkbox', id: cid, value: o, 'data-role': 'value' }),
            el('label', { for: cid, text: o }),
          ]));
        });
        box.append(control);
      } else if (f.kind === 'bool') {
        box.append(el('span', { class: 'check' }, [
          el('input', { type: 'checkbox', id: id, 'data-role': 'value', 'aria-describedby': describedBy }),
          el('label', { for: id, text: f.name }),
        ]));
      } else {
        box.append(el('label', { for: id, text: f.name }));
        if (f.kind === 'enum') {
          control = el('select', { id: id, 'data-role': 'value', 'aria-describedby': describedBy },
            f.options.map((o) => el('option', { value: o, text: o })));
        } else if (f.kind === 'date') {
          control = el('input', { type: 'date', id: id, 'data-role': 'value', 'aria-describedby': describedBy });
        } else if (f.kind === 'json') {
          control = el('textarea', { id: id, rows: '3', 'data-role': 'value', spellcheck: 'false', 'aria-describedby': describedBy });
        } else {
          const mode = f.kind === 'int' ? 'numeric' : (f.kind === 'decimal' || f.kind === 'money') ? 'decimal' : null;
          control = el('input', { type: 'text', id: id, inputmode: mode, autocomplete: 'off', spellcheck: 'false', 'data-role': 'value', 'aria-describedby': describedBy });
        }
        if (f.kind === 'money') box.append(el('span', { class: 'money' }, [el('span', { class: 'prefix', 'aria-hidden': 'true', text: '€' }), control]));
        else box.append(control);
      }
      if (f.optional) {
        const pid = id + '-present';
        box.append(el('span', { class: 'check present' }, [
          el('input', { type: 'checkbox', id: pid, 'data-role': 'present', 'aria-describedby': id + '-hint' }),
          el('label', { for: pid, text: 'presente' }),
        ]));
      }
      box.append(hint, error);
      form.append(box);
    });
    if (values) writeRecord(values, false);
  }

  function controlsOf(box) {
    return {
      values: Array.from(box.querySelectorAll('[data-role="value"]')),
      present: box.querySelector('[data-role="present"]'),
    };
  }

  function moneyText(v) {
    if (typeof v === 'number') return v.toFixed(2);
    return v === null || v === undefined ? '' : String(v);
  }

  // Fills the form with a record; `replace` clears the attributes the record does not have.
  function writeRecord(rec, replace) {
    const form = $('record-form');
    for (const box of form.querySelectorAll('.field')) {
      const name = box.dataset.name;
      const kind = box.dataset.kind;
      const has = rec && Object.prototype.hasOwnProperty.call(rec, name);
      if (!has && !replace) continue;
      const v = has ? rec[name] : null;
      const { values, present } = controlsOf(box);
      if (present) present.checked = v !== null && v !== undefined;
      if (kind === 'set') {
        const set = Array.isArray(v) ? v.map(String) : [];
        values.forEach((c) => { c.checked = set.includes(c.value); });
      } else if (kind === 'bool') {
        values[0].checked = v === true;
      } else if (kind === 'json') {
        values[0].value = v === null || v === undefined ? '' : JSON.stringify(v);
      } else if (kind === 'money') {
        values[0].value = moneyText(v);
      } else if (kind === 'enum') {
        if (v !== null && v !== undefined) values[0].value = String(v);
      } else {
        values[0].value = v === null || v === undefined ? '' : String(v);
      }
      syncPresent(box);
    }
  }

  function syncPresent(box) {
    const { values, present } = controlsOf(box);
    if (!present) return;
    values.forEach((c) => { c.disabled = !present.checked; });
    box.classList.toggle('is-absent', !present.checked);
  }

  function numberOr(text, integer) {
    const t = text.trim();
    if (integer) {
      if (/^[-+]?\d+$/.test(t)) {
        const n = Number(t);
        if (Number.isSafeInteger(n)) return n;
      }
      return t;
    }
    const norm = t.includes(',') && !t.includes('.') ? t.replace(',', '.') : t;
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(norm)) return Number(norm);
    return t;
  }

  function moneyOr(text) {
    let t = text.trim().replace(/^€\s*/, '');
    // Italian writing: 1.234,56
    if (t.includes(',')) t = t.replace(/\./g, '').replace(',', '.');
    return t;
  }

  // The record as JSON, typed from the form. Values that do not parse are sent as written, so
  // the runtime's own error explains what is wrong with them.
  function readRecordSafe() {
    const rec = {};
    for (const box of $('record-form').querySelectorAll('.field')) {
      const name = box.dataset.name;
      const kind = box.dataset.kind;
      const { values, present } = controlsOf(box);
      if (present && !present.checked) { rec[name] = null; continue; }
      const c = values[0];
      let v;
      switch (kind) {
        case 'set': v = values.filter((x) => x.checked).map((x) => x.value); break;
        case 'bool': v = c.checked; break;
        case 'int': v = c.value.trim() === '' ? null : numberOr(c.value, true); break;
        case 'decimal': v = c.value.trim() === '' ? null : numberOr(c.value, false); break;
        case 'money': v = c.value.trim() === '' ? null : moneyOr(c.value); break;
        case 'date': v = c.value === '' ? null : c.value; break;
        case 'json':
          if (c.value.trim() === '') v = null;
          else { try { v = JSON.parse(c.value); } catch (_) { v = c.value; } }
          break;
        default: v = c.value;
      }
      rec[name] = v;
    }
    return rec;
  }

  function clearErrors() {
    for (const box of $('record-form').querySelectorAll('.field')) {
      const e = box.querySelector('.field-error');
      e.hidden = true;
      e.textContent = '';
      box.classList.remove('has-error');
      box.querySelectorAll('[data-role="value"]').forEach((c) => c.removeAttribute('aria-invalid'));
    }
    $('record-error').hidden = true;
    $('record-error').textContent = '';
  }

  function showFieldError(field, message) {
    const box = Array.from($('record-form').querySelectorAll('.field')).find((b) => b.dataset.name === field);
    if (!box) {
      $('record-error').textContent = message;
      $('record-error').hidden = false;
      return;
    }
    const e = box.querySelector('.field-error');
    e.textContent = message;
    e.hidden = false;
    box.classList.add('has-error');
    box.querySelectorAll('[data-role="value"]').forEach((c) => c.setAttribute('aria-invalid', 'true'));
  }

  // ---------------------------------------------------------------- recipients

  function recipients() {
    const s = st.state || {};
    const out = [];
    (s.demos || []).forEach((d) => out.push({ key: 'demo:' + d.name, group: 'demo', label: d.broken ? d.name + ' (non valido: ' + d.broken + ')' : d.name, record: d.record, variant: d.variant }));
    (s.witnesses || []).forEach((w) => out.push({ key: 'variant:' + w.variant, group: w.group === 'minimal' ? 'minimal' : 'other', label: w.name, record: w.record, variant: w.variant }));
    return out;
  }

  function buildSelector(keep) {
    const sel = $('recipient-select');
    const list = recipients();
    sel.replaceChildren();
    const groups = {
      demo: el('optgroup', { label: 'Destinatari demo' }),
      minimal: el('optgroup', { label: 'Varianti che insieme mostrano ogni scena' }),
      other: el('optgroup', { label: 'Altre varianti' }),
    };
    for (const r of list) {
      const v = r.group === 'demo' && r.variant && !r.label.includes('(non valido') ? ' · ' + String(r.variant).slice(0, 8) : '';
      groups[r.group].append(el('option', { value: r.key, text: r.label + v }));
    }
    for (const g of Object.values(groups)) if (g.children.length) sel.append(g);
    sel.append(el('option', { value: 'custom', text: 'Personalizzato (valori del modulo)' }));
    sel.value = keep && list.some((r) => r.key === keep) ? keep : (keep === 'custom' ? 'custom' : (list[0] ? list[0].key : 'custom'));
  }

  function chooseRecipient(key) {
    const r = recipients().find((x) => x.key === key);
    if (r) writeRecord(r.record, true);
    evaluateNow();
  }

  // ---------------------------------------------------------------- evaluation

  function scheduleEvaluate() {
    clearTimeout(st.evalTimer);
    st.evalTimer = setTimeout(evaluateNow, 200);
  }

  function showOutcome(text) {
    $('outcome-text').textContent = text;
    $('outcome').hidden = false;
  }

  function hideOutcome() {
    $('outcome').hidden = true;
  }

  // No guide for this recipient: stop, and drop the previous recipient's guide.
  function clearGuide() {
    setPlaying(false);
    useAudio(null);
    st.scenes = [];
    st.duration = 0;
    st.idx = 0;
    st.t = 0;
    $('variant').textContent = '—';
    $('available').textContent = '';
    renderMarkers();
    renderScene(false);
    renderTime();
  }

  // The reference date the campaign's `today` reads (the preview's own control; empty: today).
  function asOf() {
    const input = $('as-of');
    return input && input.value ? input.value : null;
  }

  async function evaluateNow() {
    clearTimeout(st.evalTimer);
    if (!st.state || !st.state.playable) return;
    const seq = ++st.evalSeq;
    const record = readRecordSafe();
    let out;
    try {
      const r = await fetch('/api/evaluate/' + slugPath, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ record: record, as_of: asOf() }),
      });
      out = await r.json();
    } catch (e) {
      if (seq === st.evalSeq) showOutcome('Il server dell\'anteprima non risponde.');
      return;
    }
    if (seq !== st.evalSeq) return;
    clearErrors();
    renderWhy(out.explanation);
    renderNotifications(out.status === 'ok' ? out.notifications : null);
    if (out.status === 'ok') {
      hideOutcome();
      setTimeline(out.timeline);
      useAudio(out.audio || null);
      document.body.dataset.generation = String(out.generation);
    } else if (out.status === 'record_error') {
      // The player keeps the last good timeline; the error sits next to its field.
      showFieldError(out.field, out.message);
    } else if (out.status === 'not_eligible') {
      clearGuide();
      showOutcome('Questo destinatario non riceve la guida: non soddisfa la condizione su chi la riceve (la trovi sotto, in «Perché queste scene»).');
    } else {
      clearGuide();
      showOutcome('La guida non può essere prodotta per questo destinatario. Controlla i valori del modulo.');
    }
    document.body.dataset.evaluated = String(seq);
  }

  // ---------------------------------------------------------------- notifications

  const CHANNELS = { io: 'App IO', sms: 'SMS', email: 'E-mail' };
  const SKIPPED = {
    not_applicable: 'Non inviato: il destinatario non soddisfa la condizione del canale.',
    no_contact: 'Non inviato: nessun contatto registrato.',
  };

  // Markdown as the app IO shows it: paragraphs, **bold**; built as nodes, never as HTML.
  function markdownNodes(md) {
    return md.split(/\n\n+/).map((para) => {
      const p = el('p');
      para.split(/(\*\*[^*]+\*\*)/).forEach((chunk) => {
        const bold = /^\*\*([^*]+)\*\*$/.exec(chunk);
        p.append(bold ? el('strong', { text: bold[1] }) : document.createTextNode(chunk));
      });
      return p;
    });
  }

  function renderNotifications(list) {
    const box = $('notifications');
    if (!box) return;
    box.replaceChildren();
    if (!list || !list.length) {
      box.append(el('p', { class: 'muted', text: list ? 'La campagna non dichiara notifiche (blocchi notify).' : '—' }));
      return;
    }
    for (const n of list) {
      const card = el('article', { class: 'notification notification-' + n.channel, 'aria-label': CHANNELS[n.channel] || n.channel }, [
        el('h3', { text: CHANNELS[n.channel] || n.channel }),
      ]);
      if (n.status !== 'send') {
        card.append(el('p', { class: 'muted', text: SKIPPED[n.status] || n.status }));
        box.append(card);
        continue;
      }
      if (n.to) card.append(el('p', { class: 'small' }, ['A: ', el('code', { text: n.to })]));
      if (n.subject) card.append(el('p', { class: 'notification-subject' }, [el('strong', { text: n.subject })]));
      if (n.channel === 'io') {
        card.append(el('div', { class: 'notification-body' }, markdownNodes(n.text)));
        if (n.buttons && n.buttons.length) {
          card.append(el('p', { class: 'scene-actions' }, n.buttons.map((b) => el('span', { class: 'button-like', title: b.url, text: b.label }))));
        }
        card.append(el('p', { class: 'muted small', text: (n.markdown || '').length + ' caratteri con i pulsanti (limite 80–10.000)' }));
      } else if (n.channel === 'sms') {
        card.append(el('p', { class: 'notification-body', text: n.text }));
        const s = n.sms || {};
        card.append(el('p', { class: 'muted small', text: s.units + ' ' + (s.encoding === 'UCS-2' ? 'unità UCS-2' : 'caratteri GSM-7') + ', ' + s.segments + (s.segments === 1 ? ' segmento' : ' segmenti') }));
      } else {
        card.append(el('pre', { class: 'notification-body', text: n.text }));
        if (n.html) card.append(el('details', {}, [el('summary', { text: 'HTML' }), el('pre', { class: 'small', text: n.html })]));
      }
      box.append(card);
    }
  }

  // ---------------------------------------------------------------- why each scene plays

  function reasonItem(r) {
    const state = r.holds === true ? 'vero' : r.holds === false ? 'falso' : 'non valutata';
    const li = el('li', { class: 'reason reason-' + (r.holds === true ? 'true' : r.holds === false ? 'false' : 'skipped') }, [
      el('span', { class: 'reason-kind', text: r.kind }),
      ' ',
      el('code', { text: r.condition || '(altrimenti)' }),
      ' ',
      el('span', { class: 'reason-result', text: '→ ' + state }),
    ]);
    if (r.values && r.values.length) {
      li.append(el('span', { class: 'reason-values' }, r.values.map((nv) => el('span', { class: 'value' }, [el('code', { text: nv[0] }), ' = ', el('strong', { text: nv[1] })]))));
    }
    if (r.at) li.append(el('span', { class: 'reason-at', text: r.at }));
    return li;
  }

  function renderWhy(x) {
    const a = document.activeElement;
    const focused = a && $('why').contains(a) ? a.getAttribute('aria-label') : null;
    renderWhyList(x);
    if (focused !== null) {
      const again = Array.from($('why').querySelectorAll('button')).find((b) => b.getAttribute('aria-label') === focused);
      (again || $('why-heading')).focus();
    }
  }

  function renderWhyList(x) {
    const list = $('why');
    const req = $('why-requires');
    list.replaceChildren();
    req.replaceChildren();
    if (!x) {
      list.append(el('li', { class: 'muted', text: 'Nessuna spiegazione: il destinatario ha un valore non valido.' }));
      return;
    }
    if (x.requires) {
      req.append(el('p', { class: 'requires' }, [el('strong', { text: 'Chi riceve la guida: ' })]), el('ul', { class: 'reasons' }, [reasonItem(x.requires)]));
    }
    for (const s of x.scenes || []) {
      const head = el('div', { class: 'why-head' }, [
        el('span', { class: 'why-mark', 'aria-hidden': 'true', text: s.plays ? '▶' : '–' }),
        el('code', { class: 'why-id', text: s.id }),
        el('span', { class: 'why-state', text: s.plays ? 'si vede' : 'non si vede' }),
        el('span', { class: 'reason-at', text: s.at }),
      ]);
      if (s.plays) {
        const b = el('button', { type: 'button', class: 'link', text: 'Vai alla scena', 'aria-label': 'Vai alla scena ' + s.id });
        b.addEventListener('click', () => {
          const i = st.scenes.findIndex((y) => y.id === s.id);
          if (i >= 0) { goTo(i, 0, true); $('stage').scrollIntoView({ block: 'nearest' }); $('play').focus(); }
        });
        head.append(b);
      }
      const li = el('li', { class: 'why-scene ' + (s.plays ? 'plays' : 'skipped') }, [head]);
      if (s.reasons.length) li.append(el('ul', { class: 'reasons' }, s.reasons.map(reasonItem)));
      else li.append(el('p', { class: 'muted small', text: 'Sempre: nessuna condizione.' }));
      list.append(li);
    }
  }

  // ---------------------------------------------------------------- state and live reload

  function renderDiagnostics(s) {
    const box = $('diagnostics');
    const errors = (s.diagnostics || []).filter((d) => d.severity === 'error');
    const warnings = (s.diagnostics || []).filter((d) => d.severity !== 'error');
    const list = $('diagnostics-list');
    list.replaceChildren();
    for (const d of errors) list.append(el('pre', { class: 'diagnostic', text: d.text }));
    box.hidden = errors.length === 0;
    box.classList.toggle('collapsed', st.diagnosticsHidden);
    $('diagnostics-toggle').hidden = !s.playable;
    $('diagnostics-title').textContent = errors.length === 1 ? 'La campagna ha 1 errore' : 'La campagna ha ' + errors.length + ' errori';
    $('diagnostics-note').textContent = s.playable
      ? 'Il lettore riproduce l\'ultima versione senza errori. Correggi il file e salva: la pagina si aggiorna da sola.'
      : 'Non c\'è ancora una versione senza errori da riprodurre. Correggi il file e salva.';
    const w = $('warnings');
    w.hidden = warnings.length === 0;
    $('warnings-summary').textContent = warnings.length === 1 ? '1 avviso' : warnings.length + ' avvisi';
    const wl = $('warnings-list');
    wl.replaceChildren();
    for (const d of warnings) wl.append(el('pre', { class: 'diagnostic', text: d.text }));
  }

  async function loadState() {
    let s;
    try {
      const r = await fetch('/api/state/' + slugPath);
      if (!r.ok) throw new Error(String(r.status));
      s = await r.json();
    } catch (e) {
      showOutcome('Questa campagna non è più nella cartella dell\'anteprima.');
      return;
    }
    const first = st.state === null;
    const keep = first ? null : $('recipient-select').value;
    const custom = first ? null : readRecordSafe();
    st.state = s;
    document.body.dataset.stateGeneration = String(s.generation);
    document.title = s.title + ' — anteprima';
    $('campaign-title').textContent = s.title;
    $('crumb-title').textContent = s.title;
    const status = $('status');
    status.textContent = s.status_text;
    status.className = 'badge badge-' + s.status;
    renderDiagnostics(s);
    const key = JSON.stringify(s.fields || []);
    if (key !== st.fieldsKey) {
      st.fieldsKey = key;
      buildForm(s.fields || []);
    }
    buildSelector(keep);
    if (first) {
      const sel = $('recipient-select').value;
      if (sel !== 'custom') chooseRecipient(sel);
      else evaluateNow();
    } else {
      // Keep what the designer was looking at: the same values (edited or not), same scene.
      if (custom) writeRecord(custom, false);
      evaluateNow();
    }
    if (!s.playable) {
      clearGuide();
      if (s.compiling) showOutcome('Compilazione in corso…');
    }
  }

  function listen() {
    if (!window.EventSource) return;
    const events = new EventSource('/events');
    events.addEventListener('campaign', (e) => {
      let data = {};
      try { data = JSON.parse(e.data); } catch (_) { return; }
      if (data.slug === slug) loadState();
    });
    // The variants were computed: the selector gains their witnesses.
    events.addEventListener('analysis', (e) => {
      let data = {};
      try { data = JSON.parse(e.data); } catch (_) { return; }
      if (data.slug === slug) loadState();
    });
    events.addEventListener('open', () => { document.body.dataset.live = 'yes'; });
  }

  // ---------------------------------------------------------------- wiring

  function wire() {
    $('play').addEventListener('click', () => {
      if (!st.playing && st.idx === st.scenes.length - 1 && st.t >= (st.scenes[st.idx] || {}).duration - 1) goTo(0, 0, true);
      setPlaying(!st.playing);
    });
    $('prev').addEventListener('click', () => {
      if (st.t > 1500) goTo(st.idx, 0, false);
      else goTo(st.idx - 1, 0, true);
    });
    $('next').addEventListener('click', () => goTo(st.idx + 1, 0, true));
    const progress = $('progress');
    progress.addEventListener('input', (e) => seek(Number(e.target.value)));
    // Keys on the progress bar: arrows move 5 seconds, Page Up/Down a scene, Home/End the
    // start and the ending.
    progress.addEventListener('keydown', (e) => {
      const s = st.scenes[st.idx];
      if (!s) return;
      const at = s.start + st.t;
      const moves = {
        ArrowLeft: () => seek(Math.max(0, at - 5000)),
        ArrowDown: () => seek(Math.max(0, at - 5000)),
        ArrowRight: () => seek(Math.min(st.duration - 1, at + 5000)),
        ArrowUp: () => seek(Math.min(st.duration - 1, at + 5000)),
        PageUp: () => goTo(st.idx - 1, 0, true),
        PageDown: () => goTo(st.idx + 1, 0, true),
        Home: () => goTo(0, 0, true),
        End: () => goTo(st.scenes.length - 1, 0, true),
      };
      if (moves[e.key]) {
        e.preventDefault();
        moves[e.key]();
      }
    });
    $('cc').addEventListener('click', () => {
      st.captions = !st.captions;
      $('cc').setAttribute('aria-pressed', String(st.captions));
      renderCaption(true);
    });
    if ($('voice')) {
      $('voice').addEventListener('click', () => {
        const on = $('voice').getAttribute('aria-pressed') !== 'true';
        $('voice').setAttribute('aria-pressed', String(on));
        if (st.audio) st.audio.muted = !on;
      });
      $('volume').addEventListener('input', () => {
        if (st.audio) st.audio.volume = Math.max(0, Math.min(1, Number($('volume').value) || 0));
      });
    }
    const full = $('fullscreen');
    if (document.fullscreenEnabled && $('player').requestFullscreen) {
      full.hidden = false;
      full.addEventListener('click', () => {
        if (document.fullscreenElement) document.exitFullscreen();
        else $('player').requestFullscreen().catch(() => {});
      });
      document.addEventListener('fullscreenchange', () => {
        const on = document.fullscreenElement === $('player');
        full.setAttribute('aria-pressed', String(on));
      });
    }
    $('popup-close').addEventListener('click', closePopup);
    $('popup').addEventListener('close', onPopupClosed);
    if (recipientMode) {
      wireKeys();
      return;
    }
    $('diagnostics-toggle').addEventListener('click', () => {
      st.diagnosticsHidden = !st.diagnosticsHidden;
      $('diagnostics').classList.toggle('collapsed', st.diagnosticsHidden);
      $('diagnostics-toggle').setAttribute('aria-expanded', String(!st.diagnosticsHidden));
      $('diagnostics-toggle').textContent = st.diagnosticsHidden ? 'Mostra gli errori' : 'Nascondi gli errori';
    });
    $('recipient-select').addEventListener('change', (e) => {
      if (e.target.value !== 'custom') chooseRecipient(e.target.value);
    });
    const form = $('record-form');
    const edited = (e) => {
      const box = e.target.closest('.field');
      if (box && e.target.dataset.role === 'present') syncPresent(box);
      // The values are no longer those of the recipient chosen.
      if (e.isTrusted) $('recipient-select').value = 'custom';
      scheduleEvaluate();
    };
    form.addEventListener('input', edited);
    form.addEventListener('change', edited);
    form.addEventListener('submit', (e) => { e.preventDefault(); evaluateNow(); });
    const asOfInput = $('as-of');
    if (asOfInput) asOfInput.addEventListener('change', scheduleEvaluate);
    wireKeys();
  }

  function wireKeys() {
    // Space or K plays and pauses when the focus is on the player itself, not on a control.
    document.addEventListener('keydown', (e) => {
      if (st.popupOpen || e.altKey || e.ctrlKey || e.metaKey) return;
      const t = e.target;
      const onControl = t && t.closest && t.closest('button, a, input, select, textarea, summary, [contenteditable]');
      if (onControl) return;
      if (e.key === ' ' || e.key === 'k' || e.key === 'K') {
        if (t === document.body || (t.closest && t.closest('#player'))) {
          e.preventDefault();
          $('play').click();
        }
      }
    });
    setInterval(tick, 100);
  }

  wire();
  if (recipientMode) {
    let tl = null;
    try { tl = JSON.parse($('timeline').textContent); } catch (_) { tl = null; }
    if (tl) { setTimeline(tl); useAudio(document.body.dataset.audio || null); }
    else showOutcome('La guida non può essere mostrata.');
  } else {
    listen();
    loadState();
  }
})();
