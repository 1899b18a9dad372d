-- Who has been active in a space, kept rather than recounted (issue 11
-- item 4, the facilitator's dashboard): per space and person, how many
-- posts they wrote there, when they last posted and when they last read.
-- A dashboard of forty groups reads 480 rows of this table instead of
-- counting posts.
--
-- Kept by statement-level triggers with transition tables, so a bulk insert
-- (the benchmark's million posts) costs one upsert per statement, not one
-- per row. Counts are of posts written: a post deleted later still counts
-- as a contribution. A thread moved to another space takes its counts along.
CREATE TABLE space_activity (
    space_id      bigint NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    posts         int NOT NULL DEFAULT 0 CHECK (posts >= 0),
    last_post_at  timestamptz,
    last_read_at  timestamptz,
    PRIMARY KEY (space_id, user_id)
);

INSERT INTO space_activity (space_id, user_id, posts, last_post_at)
SELECT t.space_id, p.author_id, count(*), max(p.created_at)
  FROM posts p JOIN threads t ON t.id = p.thread_id
 GROUP BY t.space_id, p.author_id;

CREATE FUNCTION cairn_posts_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO space_activity AS sa (space_id, user_id, posts, last_post_at)
    SELECT t.space_id, n.author_id, count(*), max(n.created_at)
      FROM new_posts n JOIN threads t ON t.id = n.thread_id
     GROUP BY t.space_id, n.author_id
    ON CONFLICT (space_id, user_id) DO UPDATE
       SET posts = sa.posts + EXCLUDED.posts,
           last_post_at = greatest(sa.last_post_at, EXCLUDED.last_post_at);
    RETURN NULL;
END $$;
CREATE TRIGGER posts_activity AFTER INSERT ON posts
    REFERENCING NEW TABLE AS new_posts
    FOR EACH STATEMENT EXECUTE FUNCTION cairn_posts_activity();

-- Reading advances the read marker (reads), which is when a person was last
-- seen in the space.
CREATE FUNCTION cairn_reads_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO space_activity AS sa (space_id, user_id, last_read_at)
    SELECT DISTINCT t.space_id, n.user_id, cairn_now()
      FROM new_reads n JOIN threads t ON t.id = n.thread_id
    ON CONFLICT (space_id, user_id) DO UPDATE
       SET last_read_at = greatest(sa.last_read_at, EXCLUDED.last_read_at);
    RETURN NULL;
END $$;
CREATE TRIGGER reads_activity_insert AFTER INSERT ON reads
    REFERENCING NEW TABLE AS new_reads
    FOR EACH STATEMENT EXECUTE FUNCTION cairn_reads_activity();
CREATE TRIGGER reads_activity_update AFTER UPDATE ON reads
    REFERENCING NEW TABLE AS new_reads
    FOR EACH STATEMENT EXECUTE FUNCTION cairn_reads_activity();

-- A thread moved between spaces takes its authors' counts with it (a row
-- trigger that fires on moves only: replies update threads too).
CREATE FUNCTION cairn_thread_moved_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH moved AS (
        SELECT p.author_id, count(*) AS posts, max(p.created_at) AS last_post_at
          FROM posts p WHERE p.thread_id = NEW.id GROUP BY p.author_id),
    taken AS (
        UPDATE space_activity sa SET posts = greatest(sa.posts - m.posts, 0)
          FROM moved m
         WHERE sa.space_id = OLD.space_id AND sa.user_id = m.author_id)
    INSERT INTO space_activity AS sa (space_id, user_id, posts, last_post_at)
    SELECT NEW.space_id, author_id, posts, last_post_at FROM moved
    ON CONFLICT (space_id, user_id) DO UPDATE
       SET posts = sa.posts + EXCLUDED.posts,
           last_post_at = greatest(sa.last_post_at, EXCLUDED.last_post_at);
    RETURN NULL;
END $$;
CREATE TRIGGER threads_moved_activity AFTER UPDATE OF space_id ON threads
    FOR EACH ROW WHEN (OLD.space_id IS DISTINCT FROM NEW.space_id)
    EXECUTE FUNCTION cairn_thread_moved_activity();
