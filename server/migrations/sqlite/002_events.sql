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

CREATE INDEX events_by_day ON events (day);

-- The id of every batch stored, so a batch sent twice is counted once. Kept a few days.
CREATE TABLE event_batches (
    id  TEXT PRIMARY KEY,
    day TEXT NOT NULL
);

CREATE INDEX event_batches_by_day ON event_batches (day);

-- What the dashboard reads, kept up to date in the transaction of each batch (so that its
-- figures come from small tables, not from scanning every event).

-- One row per viewer of a campaign: the variant, day, channel and device of their first batch,
-- whether they interacted (pop-up, service button or rating), their highest completion (0, 80,
-- 100) and their highest rating (0: none).
CREATE TABLE viewers (
    campaign   TEXT NOT NULL,
    viewer     TEXT NOT NULL,
    variant    TEXT NOT NULL,
    first_day  TEXT NOT NULL,
    channel    TEXT NOT NULL,
    device     TEXT NOT NULL,
    interacted INTEGER NOT NULL,
    completed  INTEGER NOT NULL,
    rating     INTEGER NOT NULL,
    PRIMARY KEY (campaign, viewer)
);

-- The dashboard's groupings read these indexes alone, not the table.
CREATE INDEX viewers_by_day ON viewers (campaign, first_day, interacted, completed);
CREATE INDEX viewers_by_variant ON viewers (campaign, variant, interacted, completed);
CREATE INDEX viewers_by_channel ON viewers (campaign, channel);
CREATE INDEX viewers_by_device ON viewers (campaign, device);
CREATE INDEX viewers_by_rating ON viewers (campaign, rating);

-- Each scene reached, pop-up opened, service pressed and progress step, once per viewer.
CREATE TABLE viewer_targets (
    campaign TEXT NOT NULL,
    kind     TEXT NOT NULL,
    target   TEXT NOT NULL,
    viewer   TEXT NOT NULL,
    PRIMARY KEY (campaign, kind, target, viewer)
) WITHOUT ROWID;

-- The viewers of each (kind, target) of `viewer_targets`.
CREATE TABLE target_counts (
    campaign TEXT NOT NULL,
    kind     TEXT NOT NULL,
    target   TEXT NOT NULL,
    viewers  INTEGER NOT NULL,
    PRIMARY KEY (campaign, kind, target)
) WITHOUT ROWID;
