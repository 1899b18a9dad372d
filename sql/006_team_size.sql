-- A team's size when its quote was frozen: a member replaced later is
-- quoted at that size (the same group discount), whoever has left since.
ALTER TABLE teams ADD COLUMN confirmed_size int CHECK (confirmed_size IS NULL OR confirmed_size >= 1);
UPDATE teams t SET confirmed_size = (SELECT count(*) FROM team_members m WHERE m.team_id = t.id)
 WHERE state = 'confirmed';
