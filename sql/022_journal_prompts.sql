-- Reflection prompts (issue 14 items 1 and 5; DESIGN §4 journal_prompts, §6).
--
-- A prompt belongs to a reflection or small-group item of an offering's agenda.
-- It opens when its item ends (agenda_items.ends_at, by the one clock): from then
-- on the offering's confirmed learners find it on their home and in their journal.
-- On an item with parallel breakouts (tracks = true) a prompt may speak to one
-- breakout's learners only (track); NULL speaks to every learner of the offering.
-- A breakout has its item's times (agenda_breakouts holds none of its own), so a
-- track's prompt opens when the slot ends.
CREATE TABLE journal_prompts (
    id              bigserial PRIMARY KEY,
    agenda_item_id  bigint NOT NULL REFERENCES agenda_items(id) ON DELETE CASCADE,
    track           text CHECK (track IN ('adult', 'pediatric')),
    body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
    version         int NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    updated_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    updated_at      timestamptz NOT NULL
);
-- One prompt per item and audience (everyone, or one breakout's learners).
CREATE UNIQUE INDEX journal_prompts_item_track
    ON journal_prompts (agenda_item_id, coalesce(track, ''));

-- The link from an entry to the prompt it was written from, in clear (DESIGN §6:
-- "only dates, the course and the prompt link are stored in clear"). Deleting a
-- prompt (possible only before it opens) or its agenda item leaves the entries,
-- without the link.
ALTER TABLE journal_entries
    ADD COLUMN prompt_id bigint REFERENCES journal_prompts(id) ON DELETE SET NULL;
CREATE INDEX journal_entries_prompt ON journal_entries (prompt_id, user_id, created_at)
    WHERE prompt_id IS NOT NULL;

-- What a group's facilitators may know of a prompt (issue 14 item 5): how many of
-- the group's learners wrote from it in the seven days after it opened, frozen
-- when it is first asked for after those seven days. group_size is the number of
-- the group's members who could write from it (confirmed learners of the prompt's
-- offering, of its track). reflected is stored only when it may be shown
-- (3 <= reflected <= group_size - 2); otherwise it is NULL: "too few or too many
-- to show without naming people". Never who, never what.
CREATE TABLE journal_prompt_counts (
    prompt_id   bigint NOT NULL REFERENCES journal_prompts(id) ON DELETE CASCADE,
    group_id    bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    reflected   int CHECK (reflected >= 3),
    group_size  int NOT NULL CHECK (group_size >= 0),
    frozen_at   timestamptz NOT NULL,
    PRIMARY KEY (prompt_id, group_id),
    CHECK (reflected IS NULL OR reflected <= group_size - 2)
);
