-- Each series' support page (issue 12 item 6): resources for clinicians in
-- distress, written in Markdown by the series' directors and administrators
-- at /series/:slug/support/edit and read by anyone at /series/:slug/support.
--
-- Every save is a new version (who saved it and when), so an edit never
-- loses the text it replaces and the page can say "last updated ... by ...".
-- The page shows the newest version; a series without one shows a short
-- built-in text with the crisis lines (server/support.c). Only Markdown is
-- stored: the page is rendered when shown, by the posts' safe renderer
-- (markdown.h, without mentions), so the demo loader and any later import
-- write Markdown alone and the renderer's rules always apply.
CREATE TABLE support_page_versions (
    id          bigserial PRIMARY KEY,
    series_id   bigint NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    edited_by   bigint REFERENCES users(id) ON DELETE SET NULL,
    edited_at   timestamptz NOT NULL
);
CREATE INDEX support_page_versions_series ON support_page_versions (series_id, id DESC);
