-- Stepping away (issue 12 item 5): a member takes a break from one thread or
-- from a whole space until a time they chose, at most 90 days ahead.
--
-- While a row is in force (until > cairn_now()), nothing of that thread or
-- space reaches the person: no notification is made for them (a mention
-- included), so no message is queued in the outbox either, and nothing of it
-- counts as unread (the header's badge, the discussions list and the home
-- page, group lists, thread lists). Reading it is never refused. The row ends
-- by itself when its time passes (queries compare with the one clock), or
-- earlier when the person comes back (the row is deleted). Stepping away
-- again replaces the time: one row per person and thread, or person and
-- space.
--
-- The hot pages ask "which spaces and threads has this person stepped away
-- from now?" once per statement, by user_id: the two partial unique indexes
-- answer it and keep one row per person and thread or space.
CREATE TABLE step_aways (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    space_id    bigint REFERENCES spaces(id) ON DELETE CASCADE,
    thread_id   bigint REFERENCES threads(id) ON DELETE CASCADE,
    until       timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    CHECK ((space_id IS NULL) <> (thread_id IS NULL)),
    CHECK (until > created_at AND until <= created_at + interval '90 days')
);
CREATE UNIQUE INDEX step_aways_space ON step_aways (user_id, space_id)
    WHERE space_id IS NOT NULL;
CREATE UNIQUE INDEX step_aways_thread ON step_aways (user_id, thread_id)
    WHERE thread_id IS NOT NULL;
