-- The benchmark's large data set (issue 8, item 5): about :posts posts over :threads threads in
-- four spaces, loaded set-based in one transaction, on a database that "cairn demo" has loaded.
--
--   psql -v posts=1000000 -v threads=20000 -f tests/bench/large.sql
--
-- Bodies are built from 20,000 generated sentences over a clinical and everyday vocabulary of
-- about 700 words picked with a Zipf-like skew (a few words are very common, most are rare), so
-- full-text search meets what a real community's index holds: common two-word queries match a
-- large share of the posts, rare words a handful. Threads are spread over the cohort and
-- announcement spaces of the May 2026 Core Practice run, the series space, and the cohort space
-- of the January 2026 Foundations run (which the benchmark's reader, @lee, cannot open), and
-- over the two years before the demo's "now". It also writes "helpful" reactions (about 3% of
-- posts per person) and notifications: for everyone some 5% of posts (a tenth unread), and for @lee
-- the unread ones the badge benchmark counts — two in threads lee can open, one in a thread
-- lee cannot (a cohort lee is not in).
\set ON_ERROR_STOP on
BEGIN;
SET LOCAL synchronous_commit = off;
SET LOCAL maintenance_work_mem = '512MB';
-- Building the full-text index once at the end is many times faster than updating it per row.
DROP INDEX posts_search;

CREATE TEMP TABLE bench_vocab AS
SELECT row_number() OVER () AS n, w FROM unnest(regexp_split_to_array(
'the a of and to in that is for it with as was on be at by this have from or one had not but
what all were when we there can an your which their said if do will each about how up out them
then she many some so these would other into has more her two like him see time could no make
than first been its who now people my made over did down only way find use may water long little
very after words called just where most know patient family patients families care goals serious
news conversation conversations pain dyspnea breathlessness nausea delirium fatigue anxiety
depression grief loss bereavement hospice palliative comfort symptom symptoms opioid opioids
morphine hydromorphone methadone fentanyl oxycodone dose doses titration breakthrough constipation
laxative senna bowel regimen steroid dexamethasone haloperidol lorazepam midazolam oxygen fan
secretions prognosis prognostic uncertainty hope worry wish wishes values priorities surrogate
proxy advance directive polst code status resuscitation intubation ventilator dialysis feeding
tube nutrition hydration infection sepsis cancer metastatic heart failure copd dementia stroke
kidney liver cirrhosis frailty decline trajectory weeks months days hours dying death died
bedside rounds team nurse nurses physician physicians chaplain chaplains social worker workers
pharmacist pharmacists resident residents fellow fellows attending psychologist interprofessional
pediatric adult child children parent parents mother father daughter son sister brother spouse
wife husband partner grandmother grandfather baby infant teen adolescent school sibling siblings
neonatal picu nicu icu ward clinic unit floor home outpatient inpatient consult consultation
referral meeting meetings huddle debrief reflection reflect reflected reflecting practice
practiced practising session sessions small group groups cohort faculty facilitator course
module role play roleplay scenario case cases story stories listening silence empathy empathic
statement statements naming understanding respecting supporting exploring ask tell asked told
invitation permission headline warning shot pause pauses tears crying anger angry upset shock
denial acceptance coping resilience burnout moral distress compassion self boundaries sustain
sustainability cultural culture language interpreter spiritual spirituality faith prayer ritual
meaning legacy dignity quality life suffering relief recommend recommendation recommended
plan plans planning decision decisions shared goals-of-care time-limited trial trials benefit
burden burdens tradeoffs option options choice choices medical medication medications drug
drugs route oral subcutaneous intravenous infusion pump patch liquid tablet hour night morning
evening weekend shift handoff documentation note notes chart template question questions
answer answers learned learning teach teaching taught skill skills framework model map
remap sick serious illness illnesses chronic acute admission discharge readmission transfer
transition transitions hospice-eligible enrollment eligible visit visits call calls phone video
telehealth bereaved condolence letter card funeral memorial anniversary remembrance honest
honesty truth trust relationship relationships rapport presence present hard difficult gentle
kind kindness clear clarity simple plain jargon words phrase phrases script scripts wording
tried try trying worked working helped helpful useful noticed notice wonder wondering curious
felt feel feeling feelings sad sadness relieved grateful thanks thank appreciate appreciated
colleague colleagues everyone together support supported supportive safe safety emotional
week last next today yesterday tomorrow again still already always never often sometimes
remember remembered forget struggle struggled struggling surprised surprising moment moments
room family-meeting goals-conversation responding response responses emotion emotions cue
cues data information prognosis-talk expect expected expecting outcome outcomes better worse
stable unstable comfortable uncomfortable restless agitated sleep sleeping eating drinking
walking weak weaker weakness bedbound confused confusion pressure wound wounds skin mouth
swallow swallowing cough coughing fever bleeding seizure seizures itch itching hiccups
anorexia cachexia weight appetite edema ascites paracentesis thoracentesis drain catheter
foley port line lines labs scan scans biopsy chemo chemotherapy radiation immunotherapy
surgery surgeon oncologist oncology cardiology nephrology neurology geriatrics primary
specialist specialty program service services hospital system policy insurance cost costs
equity access rural urban community communities volunteer volunteers music art journal writing
wrote write written read reading book article study evidence guideline guidelines protocol
ethics ethical consent capacity autonomy beneficence justice conflict conflicts disagreement
mediation negotiate negotiation compromise boundary limits request requests demand demands', '\s+')) w;

-- Sentences: 8 to 16 words each, skewed towards the common words.
CREATE TEMP TABLE bench_sentences AS
WITH v AS (SELECT array_agg(w ORDER BY n) AS words, count(*)::int AS n FROM bench_vocab)
SELECT i, upper(left(s, 1)) || substr(s, 2) || '.' AS s FROM (
  SELECT i, array_to_string(ARRAY(
    SELECT v.words[1 + floor(power(random(), 2.2) * v.n)::int]
      FROM generate_series(1, 8 + (i * 7919) % 9) AS k), ' ') AS s
  FROM v, generate_series(1, 20000) AS i) x;
CREATE UNIQUE INDEX ON bench_sentences (i);
ANALYZE bench_sentences;

CREATE TEMP TABLE bench_spaces AS
SELECT s.id, row_number() OVER (ORDER BY s.id) AS n FROM spaces s
  LEFT JOIN offerings o ON o.id = s.offering_id
 WHERE (o.slug = 'core-practice-2026-05' AND s.kind IN ('cohort', 'announcements'))
    OR (o.slug = 'foundations-2026-01' AND s.kind = 'cohort')
    OR s.kind = 'series';
CREATE TEMP TABLE bench_authors AS
SELECT u.id, u.handle, row_number() OVER (ORDER BY u.id) AS n FROM users u
 WHERE u.handle IN ('priya', 'sam', 'lee', 'amara', 'tomas', 'okafor', 'rivera');

-- Threads: spread over two years before the demo's May 2026 run ends, 10 to 90 posts each
-- (about 50 on average), in the four spaces (the cohort space most).
CREATE TEMP TABLE bench_threads AS
SELECT j,
       timestamptz '2024-06-01 12:00 UTC' + (j * interval '1 hour') * (17000.0 / :threads) AS started,
       10 + (j * 48271) % 81 AS posts,
       (SELECT id FROM bench_spaces WHERE n = 1 + (CASE WHEN j % 10 < 6 THEN 0 ELSE j % 4 END) % (SELECT count(*) FROM bench_spaces)) AS space_id,
       (SELECT id FROM bench_authors WHERE n = 1 + j % (SELECT count(*) FROM bench_authors)) AS author_id
  FROM generate_series(1, :threads) AS j;
-- Scale the post counts so that they add up to about :posts.
UPDATE bench_threads SET posts = greatest(1, round(posts * :posts::numeric / (SELECT sum(posts) FROM bench_threads)));

ALTER TABLE bench_threads ADD COLUMN thread_id bigint;
WITH made AS (
  INSERT INTO threads (space_id, author_id, title, created_at, last_post_at, last_poster_id)
  SELECT b.space_id, b.author_id,
         left((SELECT s FROM bench_sentences WHERE i = 1 + (b.j * 104729) % 20000), 120),
         b.started, b.started, b.author_id
    FROM bench_threads b ORDER BY b.j
  RETURNING id, created_at)
UPDATE bench_threads b SET thread_id = m.id FROM made m WHERE m.created_at = b.started;

-- Posts: each a few sentences (1 to 6), the opening post a little longer, minutes apart.
INSERT INTO posts (thread_id, number, author_id, body_src, body_html, body_text, search, created_at)
SELECT x.thread_id, x.number, x.author_id, x.body, '<p>' || x.body || '</p>', x.body,
       to_tsvector('english', x.body), x.at
  FROM (
    SELECT b.thread_id, k AS number, au.ids[1 + (b.j * 31 + k * 17) % au.n] AS author_id,
           array_to_string(ARRAY(
             SELECT se.texts[1 + ((b.j * 7907 + k * 6841 + m * 104723) % se.n)]
               FROM generate_series(1, 1 + (b.j + k) % (CASE WHEN k = 1 THEN 6 ELSE 5 END)) AS m),
             ' ') AS body,
           b.started + (k * interval '7 minutes') AS at
      FROM (SELECT array_agg(s ORDER BY i) AS texts, count(*)::int AS n FROM bench_sentences) se,
           (SELECT array_agg(id ORDER BY n) AS ids, count(*)::int AS n FROM bench_authors) au,
           bench_threads b, generate_series(1, b.posts) AS k
     ORDER BY b.started, k) x;

CREATE INDEX posts_search ON posts USING gin (search);

UPDATE threads t SET last_number = p.n, last_post_at = p.at, last_poster_id = p.author
  FROM (SELECT DISTINCT ON (thread_id) thread_id, number AS n, created_at AS at, author_id AS author
          FROM posts ORDER BY thread_id, number DESC) p
 WHERE p.thread_id = t.id AND t.id IN (SELECT thread_id FROM bench_threads);

-- Reactions: each person finds about 3% of the posts helpful.
INSERT INTO reactions (post_id, user_id, created_at)
SELECT p.id, a.id, p.created_at + interval '1 hour'
  FROM posts p JOIN bench_threads b ON b.thread_id = p.thread_id, bench_authors a
 WHERE (p.id * 2654435761 + a.id * 40503) % 100 < 3 AND a.id <> p.author_id
ON CONFLICT DO NOTHING;

-- Notifications: everyone has been told of about 5% of the posts. Everyone but @lee has left
-- a tenth of them unread (so the planner sees thousands unread per person on average), at
-- most one per thread (sql/010: an unread one counts the posts since; later ones are dropped).
INSERT INTO notifications (user_id, kind, thread_id, post_id, actor_id, excerpt, created_at, read_at)
SELECT a.id, 'follow', p.thread_id, p.id, p.author_id, left(p.body_text, 120), p.created_at,
       CASE WHEN a.handle <> 'lee' AND p.id % 10 = 0 THEN NULL
            ELSE p.created_at + interval '2 hours' END
  FROM posts p JOIN bench_threads b ON b.thread_id = p.thread_id, bench_authors a
 WHERE (p.id * 2246822519 + a.id * 3266489917) % 100 < 5 AND a.id <> p.author_id
ON CONFLICT DO NOTHING;

-- @lee's unread ones: two in recent threads lee can open, one in the Foundations cohort (lee
-- is not in it), so the badge must say 2.
INSERT INTO notifications (user_id, kind, thread_id, post_id, actor_id, excerpt, created_at)
SELECT (SELECT id FROM users WHERE handle = 'lee'), 'mention', p.thread_id, p.id, p.author_id,
       left(p.body_text, 120), p.created_at
  FROM (SELECT DISTINCT ON (sp.kind, o.slug) p.id, p.thread_id, p.author_id, p.body_text, p.created_at
          FROM posts p JOIN threads t ON t.id = p.thread_id JOIN spaces sp ON sp.id = t.space_id
          LEFT JOIN offerings o ON o.id = sp.offering_id
         WHERE t.id IN (SELECT thread_id FROM bench_threads)
           AND (sp.kind IN ('cohort', 'series'))
           AND p.author_id <> (SELECT id FROM users WHERE handle = 'lee')
         ORDER BY sp.kind, o.slug, p.id DESC) p;

COMMIT;
-- As autovacuum would have by now: visibility and hint bits set, so index scans read only the heap.
VACUUM (ANALYZE) threads;
VACUUM (ANALYZE) posts;
VACUUM (ANALYZE) reactions;
VACUUM (ANALYZE) notifications;
SELECT 'LARGE_POSTS=' || count(*) FROM posts;
SELECT 'LARGE_THREADS=' || count(*) FROM threads;
