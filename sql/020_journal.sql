-- The private journal (issue 13, DESIGN §6): one row per entry. Only what the server needs
-- to list and order entries is in clear (who, for which offering, when, under which key
-- version and format); title, body and tags are inside `sealed`: padded to 256-byte blocks
-- and sealed with XChaCha20-Poly1305 under a per-entry subkey of the author's journal master
-- key (crypto_entry_seal), associated data binding user, entry id, key version and format.
-- The key version names the journal_keys row whose JMK opens it; a version that is locked
-- (after a reset, until the recovery code is entered) leaves its entries locked.
CREATE TABLE journal_entries (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    offering_id  bigint REFERENCES offerings(id) ON DELETE SET NULL,
    key_version  int NOT NULL,
    format       int NOT NULL DEFAULT 1 CHECK (format >= 1),
    sealed       bytea NOT NULL CHECK (length(sealed) >= 296),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    -- A key version cannot go while entries need it (rotation moves them first).
    FOREIGN KEY (user_id, key_version) REFERENCES journal_keys (user_id, version)
);
CREATE INDEX journal_entries_user_created ON journal_entries (user_id, created_at DESC, id DESC);
CREATE INDEX journal_entries_offering ON journal_entries (offering_id) WHERE offering_id IS NOT NULL;
