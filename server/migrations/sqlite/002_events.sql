-- What the recipients' players report (`POST /g/TOKEN/eventi`), anonymised by construction:
-- no token, no record value, no address, no user-agent. `viewer` is a keyed hash of the token
-- (HMAC-SHA256 under the `viewer_secret` of `meta`, 128 bits, hex): it counts unique viewers
-- and cannot be turned back into a token without the secret.
CREATE TABLE events (
    campaign TEXT NOT NULL,
    version  TEXT NOT NULL,
    variant  TEXT NOT NULL,
    -- The day the event was received (YYYY-MM-DD).
    day      TEXT NOT NULL,
    -- initialized, played, paused, seeked, progressed, completed, scene, popup, button,
    -- rated, captions, text (see the README).
    kind     TEXT NOT NULL,
    -- The scene, pop-up or service id ('' for none).
    target   TEXT NOT NULL,
    -- The progress step (10..100), completion (80, 100), rating, captions on (1) or off (0).
    value    INTEGER NOT NULL,
    -- qr, myinps, io, sms, email, altro, diretto.
    channel  TEXT NOT NULL,
    -- mobile, tablet, desktop.
    device   TEXT NOT NULL,
    viewer   TEXT NOT NULL
);

CREATE INDEX events_by_kind ON events (campaign, kind, target, viewer);
CREATE INDEX events_by_day ON events (day);

-- The id of every batch stored, so a batch sent twice is counted once. Kept a few days.
CREATE TABLE event_batches (
    id  TEXT PRIMARY KEY,
    day TEXT NOT NULL
);

CREATE INDEX event_batches_by_day ON event_batches (day);
