-- The recipient service's tables (SQLite). Dates are ISO text (YYYY-MM-DD).

-- Per-database settings: the secret the key attribute is hashed under (HMAC-SHA256).
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- Every campaign published, and the version served to its recipients.
CREATE TABLE campaigns (
    id              TEXT PRIMARY KEY,
    current_version TEXT NOT NULL
);

-- Every version of a campaign's bytecode (version: SHA-256 of the bytecode, hex).
CREATE TABLE versions (
    campaign TEXT NOT NULL REFERENCES campaigns (id),
    version  TEXT NOT NULL,
    bytecode BLOB NOT NULL,
    PRIMARY KEY (campaign, version)
);

-- One row per published recipient. After retention (`guide purge`) `record` and `key_hash`
-- are NULL: the row only answers "this guide is no longer available".
CREATE TABLE recipients (
    token           TEXT PRIMARY KEY,
    campaign        TEXT NOT NULL REFERENCES campaigns (id),
    version         TEXT NOT NULL,
    key_hash        BLOB,
    record          TEXT,
    available_from  TEXT,
    available_until TEXT,
    FOREIGN KEY (campaign, version) REFERENCES versions (campaign, version)
);

CREATE UNIQUE INDEX recipients_key ON recipients (campaign, key_hash);
CREATE INDEX recipients_until ON recipients (available_until) WHERE record IS NOT NULL;
