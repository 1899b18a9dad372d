-- The IANA zone names PostgreSQL knows, as an indexed table. Looking a name
-- up in the pg_timezone_names view reads the whole zone database (~150 ms);
-- this table answers at once. `cairn` refreshes it at every start, since
-- the zone list changes only when PostgreSQL's does.
CREATE TABLE time_zones (
    name text PRIMARY KEY
);
INSERT INTO time_zones SELECT DISTINCT name FROM pg_timezone_names;
