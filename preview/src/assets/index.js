// The index page: reload when a campaign is recompiled or the list of campaigns changes.
'use strict';
(function () {
  if (!window.EventSource) return;
  let timer = null;
  const events = new EventSource('/events');
  const reload = function () {
    if (timer) return;
    timer = setTimeout(function () { window.location.reload(); }, 150);
  };
  events.addEventListener('index', reload);
})();
