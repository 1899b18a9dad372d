-- Demo data: the Palliative Care Education Series, its three courses, their
-- offerings, fee tables and agendas.
--
-- Run once, inside one transaction, on a freshly migrated database (needs
-- sql/001_series.sql). Plain SQL only: it is sent as one multi-statement
-- script through PQexec, so no psql backslash commands.
--
-- Source: the Core Practice course page (shared/seeds/core-practice-course-page.txt).
-- Course texts are taken verbatim from it; the web page's non-breaking spaces
-- are stored as ordinary spaces and trailing spaces are dropped. Every value
-- the page does not give is chosen for the demo and said so in the
-- offering's `notes` (see also sql/demo/README.md).
--
-- Dates: the May 2026 Core Practice offering and both Foundations offerings
-- have fixed dates. The "upcoming" Core Practice run is dated relative to the
-- day this script is run (current_date): it is the only part of the output
-- that differs from one run to another (besides created_at).
--
-- Rows refer to each other by slug, never by a literal id.

-- ---------------------------------------------------------------- series

INSERT INTO series (slug, title, summary) VALUES (
    'palliative-care',
    'Palliative Care Education Series',
    'A three-course continuing-education series in primary palliative care for '
    'adult and pediatric interprofessional clinicians who care for patients with '
    'serious illness: Foundations of Palliative Care, Core Practice of Palliative '
    'Care, and a third course to be announced.'
);

-- ---------------------------------------------------------------- courses

-- Foundations: the page says only that it precedes Core Practice and is
-- offered in October 2025 (in person) and January 2026 (virtual). Nothing
-- more is invented here: no objectives, audience or prerequisites.
INSERT INTO courses (series_id, position, slug, title, tagline, overview, announced)
SELECT s.id, 1, 'foundations', 'Foundations of Palliative Care',
       'The first course of the Palliative Care Education Series.',
       'Foundations of Palliative Care is the first course of the three-course '
       'Palliative Care Education Series; Core Practice of Palliative Care follows it. '
       'It is offered in October 2025 (in person) and in January 2026 (virtual).'
       || E'\n\n' ||
       'A full description of this course, with its learning objectives, has not '
       'been published here yet.',
       true
  FROM series s WHERE s.slug = 'palliative-care';

-- Core Practice: verbatim from the course page, with two typo fixes in the
-- second and third overview paragraphs:
--   * "threw-day" -> "three-day"                                (paragraph 2)
--   * "hone essential the primary" -> "hone the essential primary" (paragraph 3)
-- Audience: the "designed for" paragraph, the first sentence of the
-- paragraph that follows it on the page (its second sentence, "Group
-- discounts are available - please contact us at ...", is left out: the
-- offering's own group-discount rule applies instead), and the "Who Should
-- Participate" list.
-- Prerequisites: verbatim, including the page's "Foundations in Palliative
-- Care" (the course is titled "Foundations of Palliative Care").
INSERT INTO courses (series_id, position, slug, title, tagline, overview, audience,
                     prerequisites, announced)
SELECT s.id, 2, 'core-practice', 'Core Practice of Palliative Care',
       'Equip adult and pediatric clinicians across disciplines with practical strategies to confidently assess, communicate with, and support patients and families living with serious illness—skills they can apply immediately in clinical practice.',
       'Core Practice of Palliative Care is a new course that will provide primary palliative care education for adult and pediatric interprofessional clinicians of all specialties. The course has been designed and led by an interprofessional team of adult and pediatric clinicians and is intended for all members of a palliative care team. This is an opportunity to join a generous learning community, build skills and knowledge in a rigorous and efficient three days, and to learn with exceptional faculty from across the Harvard Medical School network.'
       || E'\n\n' ||
       -- typo fixed: page has "threw-day"
       'Offered through the Harvard Medical School Center for Palliative Care, this is an intensive, three-day immersive course designed to meet the evolving educational needs and practice realities of interprofessional clinicians who care for patients with serious illness. Building on the longstanding legacy of Palliative Care Education and Practice (PCEP), this redesigned course represents the second part of a three-course series. It follows Foundations of Palliative Care, offered in October 2025 (in person) and January 2026 (virtual).'
       || E'\n\n' ||
       -- typo fixed: page has "hone essential the primary"
       'Core Practice of Palliative Care emphasizes deliberate skill expansion and applied practice through case-based discussions, role-playing with simulated patients, and guided reflection. Participants will have multiple opportunities for supported practice with structured feedback, allowing them to expand and hone the essential primary palliative care skills required across care settings. Participants will strengthen their confidence in comprehensive assessment and management of patients and families living with serious illness, while broadening their interprofessional community, deepening self-reflection, and cultivating sustainability in their work. Clinicians will leave with practical skills and strategies they can immediately apply to day-to-day clinical practice.',
       'Core Practice of Palliative Care is designed for patient-facing clinicians from across disciplines and specialties who seek to expand and strengthen their palliative care skills. It is ideal for clinicians interested in enhancing their primary palliative care skills, palliative care champions, clinicians joining palliative care teams without prior fellowship training, and fellowship-trained clinicians seeking to refresh, deepen and sustain their skills.'
       || E'\n\n' ||
       'We strongly encourage palliative care teams to participate together and to benefit from having a shared experience and developing a common language.'
       || E'\n\n' ||
       'Primary Care Physicians, Pharmacists, Physician Assistants, Psychologists, Nurses, Nurse Practitioners, Specialty Physicians, Social Workers, Chaplains, Psychiatrists, and Others',
       'Learners are not required to have taken Foundations in Palliative Care to enroll in this course, though a clinical background and experience caring for seriously ill patients and their families is strongly recommended.',
       true
  FROM series s WHERE s.slug = 'palliative-care';

INSERT INTO courses (series_id, position, slug, title, overview, announced)
SELECT s.id, 3, 'third-course', 'Third course (to be announced)',
       'The third course of the Palliative Care Education Series has not been announced yet.',
       false
  FROM series s WHERE s.slug = 'palliative-care';

-- Core Practice's domains, learning objectives and competencies, in page order.
-- Competencies: positions 1-5 are the page's Institute of Medicine core
-- competencies, 6-11 its ABMS/ACGME competencies (course_points has no
-- column saying which framework a competency belongs to).
INSERT INTO course_points (course_id, kind, position, body)
SELECT c.id, p.kind, p.position, p.body
  FROM courses c,
       (VALUES
        ('domain', 1, 'Whole-Person Assessment and Management'),
        ('domain', 2, 'Serious Illness Communication'),
        ('domain', 3, 'Community Building and Self-Reflection'),
        ('objective', 1, 'Apply a comprehensive, consistent framework to whole-person assessment and management (physical, psychosocial, spiritual domains).'),
        ('objective', 2, 'Deliberately practice serious illness communication skills with simulated patient encounters, supported by structured feedback and coaching from peers and expert clinicians.'),
        ('objective', 3, 'Strengthen a community of peers committed to providing high-quality care for people with serious illness.'),
        ('objective', 4, 'Engage in reflective practices that support sustainability of meaningful, long-term clinical work.'),
        -- Institute of Medicine Core Competencies
        ('competency', 1, 'Provide Patient-Centered Care'),
        ('competency', 2, 'Work in Interdisciplinary Teams'),
        ('competency', 3, 'Employ Evidence-Based Practice'),
        ('competency', 4, 'Apply Quality Improvement'),
        ('competency', 5, 'Utilize Informatics'),
        -- ABMS / ACGME competencies
        ('competency', 6, 'Patient Care and Procedural Skills'),
        ('competency', 7, 'Medical Knowledge'),
        ('competency', 8, 'Practice-Based Learning and Improvement'),
        ('competency', 9, 'Professionalism'),
        ('competency', 10, 'Systems-Based Practice'),
        ('competency', 11, 'Interpersonal and Communication Skills')
       ) AS p (kind, position, body)
 WHERE c.slug = 'core-practice';

-- ---------------------------------------------------------------- offerings

-- Foundations: the page gives only the months. Dates (Wed-Fri), deadlines
-- (same rule as the upcoming Core Practice run), fees and processing fee
-- (copied from Core Practice) are chosen for the demo. No location,
-- capacity, credits or agenda: the page gives none.
INSERT INTO offerings (course_id, slug, starts_on, ends_on, time_zone, format,
                       registration_deadline, early_deadline, processing_fee_cents, notes)
SELECT c.id, o.slug, o.starts_on, o.starts_on + 2, 'America/New_York', o.format,
       ((o.starts_on - 7) + time '23:59') AT TIME ZONE 'America/New_York',
       ((o.starts_on - 21) + time '23:59') AT TIME ZONE 'America/New_York',
       1000,
       o.notes
  FROM courses c,
       (VALUES
        ('foundations-2025-10', date '2025-10-15', 'in_person',
         'The course page says only that Foundations is offered in October 2025, in person. '
         'The dates (Wednesday to Friday), the deadlines (registration 7 days and early '
         'registration 21 days before the start, 23:59 Eastern), the fee table and the '
         'processing fee (copied from Core Practice) were chosen for the demo. The location '
         'is not given.'),
        ('foundations-2026-01', date '2026-01-14', 'live_online',
         'The course page says only that Foundations is offered in January 2026, virtually. '
         'The dates (Wednesday to Friday), the deadlines (registration 7 days and early '
         'registration 21 days before the start, 23:59 Eastern), the fee table and the '
         'processing fee (copied from Core Practice) were chosen for the demo.')
       ) AS o (slug, starts_on, format, notes)
 WHERE c.slug = 'foundations';

-- Core Practice, May 2026, as on the course page. Chosen for the demo: the
-- early deadline, the group-discount numbers and the capacity.
INSERT INTO offerings (course_id, slug, starts_on, ends_on, time_zone, format, capacity,
                       registration_deadline, early_deadline, processing_fee_cents,
                       group_discount_min_size, group_discount_percent,
                       credit_summary, credits, notes)
SELECT c.id, 'core-practice-2026-05', date '2026-05-13', date '2026-05-15',
       'America/New_York', 'live_online', 120,
       timestamp '2026-05-06 23:59' AT TIME ZONE 'America/New_York',
       timestamp '2026-04-15 23:59' AT TIME ZONE 'America/New_York',
       1000, 3, 10,
       '16.00 AMA PRA Category 1 Credit(s)™',
       'The Harvard Medical School designates this live activity for a maximum of 16.00 AMA PRA Category 1 Credit(s)™. Physicians should claim only the credit commensurate with the extent of their participation in the activity.'
       || E'\n\n' ||
       'This activity is approved for 16.00 contact hours, of which 3.75 is eligible for pharmacology credit.'
       || E'\n\n' ||
       'Successful completion of this CME activity, which includes participation in the evaluation component, enables the participant to earn up to 16.00 MOC points in the American Board of Internal Medicine’s (ABIM) Maintenance of Certification (MOC) program. It is the CME activity provider’s responsibility to submit participant completion information to ACCME for the purpose of granting ABIM MOC credit.'
       || E'\n\n' ||
       'Successful completion of this CME activity, which includes participation in the activity, with individual assessments of the participant and feedback to the participant, enables the participant to earn 16.00 MOC points in the American Board of Pediatrics’ (ABP) Maintenance of Certification (MOC) program. It is the CME activity provider’s responsibility to submit participant completion information to ACCME for the purpose of granting ABP MOC credit.'
       || E'\n\n' ||
       -- the page's two bullets, one per line
       'This activity meets the criteria of the Massachusetts Board of Registration in Medicine for 16.00 credits of Risk Management Study. This includes:'
       || E'\n' || '- 3.50 credit(s) of Opioid Education and Pain Management Training'
       || E'\n' || '- 13.00 credit(s) of End-of-Life Care Education',
       'The course page gives no early-registration deadline: 15 April 2026, 23:59 Eastern, was '
       'chosen for the demo. The page says only that group discounts are available: 10% off '
       'the course fee for teams of 3 or more was chosen for the demo. The capacity (120) was '
       'chosen for the demo.'
  FROM courses c WHERE c.slug = 'core-practice';

-- The upcoming Core Practice run: starts on the first Wednesday at least 35
-- days after the day the script is run, Wednesday to Friday; registration
-- closes 7 days and early registration 21 days before the start, 23:59
-- Eastern. Otherwise the same settings as May 2026.
INSERT INTO offerings (course_id, slug, starts_on, ends_on, time_zone, format, capacity,
                       registration_deadline, early_deadline, processing_fee_cents,
                       group_discount_min_size, group_discount_percent,
                       credit_summary, credits, notes)
SELECT m.course_id, 'core-practice-upcoming', u.starts_on, u.starts_on + 2,
       m.time_zone, m.format, m.capacity,
       ((u.starts_on - 7) + time '23:59') AT TIME ZONE 'America/New_York',
       ((u.starts_on - 21) + time '23:59') AT TIME ZONE 'America/New_York',
       m.processing_fee_cents, m.group_discount_min_size, m.group_discount_percent,
       m.credit_summary, m.credits,
       'A demo run of the course, dated relative to the day the demo data was loaded: it '
       'starts on the first Wednesday at least 35 days after that day. Its deadlines were '
       'chosen for the demo, relative to that day too: registration closes 7 days and early '
       'registration 21 days before the start, at 23:59 Eastern. As for May 2026, the group '
       'discount (10% for teams of 3 or more) and the capacity (120) were chosen for the '
       'demo. The agenda is the May 2026 one, moved to these dates.'
  FROM offerings m,
       -- isodow: Monday = 1 ... Wednesday = 3 ... Sunday = 7
       (SELECT d + ((10 - extract(isodow FROM d)::int) % 7) AS starts_on
          FROM (SELECT current_date + 35 AS d) AS x) AS u
 WHERE m.slug = 'core-practice-2026-05';

-- Fees: the page's table, the same for every category and every offering.
INSERT INTO offering_fees (offering_id, category, regular_cents, early_cents)
SELECT o.id, f.code, 199500, 179550
  FROM offerings o CROSS JOIN fee_categories f
 WHERE o.slug IN ('foundations-2025-10', 'foundations-2026-01',
                  'core-practice-2026-05', 'core-practice-upcoming');

-- ---------------------------------------------------------------- agenda

-- The May 2026 agenda exactly as on the page ("All agenda sessions are in
-- Eastern Time"): Day 1 has 10 items, Day 2 has 9, Day 3 has 11. Titles and
-- faculty lines as printed; items marked "(Adult and Pediatric Sessions)"
-- are stored without that suffix, with tracks = true and two breakouts
-- (below). Times are local wall-clock times on the offering's day.
INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at, title, kind,
                          faculty, tracks)
SELECT o.id, a.day,
       ((o.starts_on + (a.day - 1)) + a.starts) AT TIME ZONE o.time_zone,
       ((o.starts_on + (a.day - 1)) + a.ends) AT TIME ZONE o.time_zone,
       a.title, a.kind, a.faculty, a.tracks
  FROM offerings o,
       (VALUES
        -- Day 1, Wednesday 13 May 2026
        (1, time '10:00', time '10:30', 'Welcome to the Core Principles of Palliative Care', 'plenary',
            'Harry Han; Lindsay Dow; Vanessa Battista; Hadley Bloomhardt', false),
        (1, '10:30', '11:15', 'The Frame of Palliative Care', 'plenary',
            'Vanessa Battista; Harry Han; Hadley Bloomhardt; Lindsay Dow', false),
        (1, '11:15', '11:30', 'Break', 'break', '', false),
        (1, '11:30', '12:30', 'Scaffolds for a Comprehensive Palliative Care Assessment', 'plenary', '', true),
        (1, '12:30', '13:30', 'Lunch', 'lunch', '', false),
        (1, '13:30', '14:30', 'Scaffolds for a Comprehensive Palliative Care Assessment', 'plenary', '', true),
        (1, '14:30', '14:45', 'Break', 'break', '', false),
        (1, '14:45', '15:45', 'Clinical Trajectories for Patients with Serious Illness', 'plenary', '', true),
        (1, '15:45', '16:00', 'Transition', 'break', '', false),
        (1, '16:00', '17:00', 'Small Group Community Building and Reflection', 'reflection', '', false),
        -- Day 2, Thursday 14 May 2026
        (2, '10:00', '10:15', 'Welcome Back', 'plenary',
            'Harry Han; Vanessa Battista; Hadley Bloomhardt; Lindsay Dow', false),
        (2, '10:15', '10:45', 'Delivering Serious News', 'plenary', 'Lindsay Dow', false),
        (2, '10:45', '11:15', 'Small Group Start-Up', 'small_group', '', false),
        (2, '11:15', '13:00', 'Delivering Serious News -- Practice', 'practice', '', false),
        (2, '13:00', '14:00', 'Lunch', 'lunch', '', false),
        (2, '14:00', '14:30', 'Exploring Values and Preferences and Making Recommendations', 'plenary',
            'Lindsay Dow', false),
        (2, '14:30', '16:30', 'Exploring Values and Preferences and Making Recommendations: Practice',
            'practice', '', false),
        (2, '16:30', '16:45', 'Small Group Reflection', 'reflection', '', false),
        (2, '16:45', '17:00', 'Large Group Close', 'plenary', '', false),
        -- Day 3, Friday 15 May 2026
        (3, '10:00', '10:15', 'Welcome Back', 'plenary',
            'Vanessa Battista; Harry Han; Hadley Bloomhardt; Lindsay Dow', false),
        (3, '10:15', '11:30', 'Pain', 'plenary', '', true),
        (3, '11:30', '11:45', 'Break', 'break', '', false),
        (3, '11:45', '12:30', 'Dyspnea', 'plenary', '', true),
        (3, '12:30', '13:30', 'Lunch', 'lunch', '', false),
        -- the page's unbalanced parenthesis is kept as printed
        (3, '13:30', '14:00', 'GI (Nausea/Vomiting, Constipation', 'plenary', '', true),
        (3, '14:00', '14:30', 'Depression/Anxiety/Adjustment', 'plenary', '', true),
        (3, '14:30', '14:45', 'Break', 'break', '', false),
        (3, '14:45', '15:30', 'Caring for the Dying Patient', 'plenary', '', true),
        (3, '15:30', '16:15', 'Community Building and Self Reflection (Small Groups)', 'reflection', '', false),
        (3, '16:15', '16:30', 'Closing', 'plenary',
            'Vanessa Battista; Harry Han; Hadley Bloomhardt; Lindsay Dow', false)
       ) AS a (day, starts, ends, title, kind, faculty, tracks)
 WHERE o.slug = 'core-practice-2026-05';

-- One adult and one pediatric breakout for every tracks item (the page names
-- no faculty for them).
INSERT INTO agenda_breakouts (agenda_item_id, track, title, faculty)
SELECT i.id, t.track, i.title || ' — ' || t.label, ''
  FROM agenda_items i
  JOIN offerings o ON o.id = i.offering_id
 CROSS JOIN (VALUES ('adult', 'Adult'), ('pediatric', 'Pediatric')) AS t (track, label)
 WHERE o.slug = 'core-practice-2026-05' AND i.tracks;

-- The same agenda on the upcoming run: moved by whole days, keeping the local
-- wall-clock times in the offering's zone (so a daylight-saving change
-- between the two runs does not shift them).
INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at, title, kind,
                          faculty, tracks)
SELECT u.id, i.day_number,
       (i.starts_at AT TIME ZONE m.time_zone + (u.starts_on - m.starts_on) * interval '1 day')
           AT TIME ZONE m.time_zone,
       (i.ends_at AT TIME ZONE m.time_zone + (u.starts_on - m.starts_on) * interval '1 day')
           AT TIME ZONE m.time_zone,
       i.title, i.kind, i.faculty, i.tracks
  FROM agenda_items i
  JOIN offerings m ON m.id = i.offering_id AND m.slug = 'core-practice-2026-05'
 CROSS JOIN offerings u
 WHERE u.slug = 'core-practice-upcoming'
 ORDER BY i.starts_at;

-- ... and its breakouts, matching each copied item to its original by day,
-- local start time and title (unique within an offering's agenda).
INSERT INTO agenda_breakouts (agenda_item_id, track, title, faculty)
SELECT n.id, b.track, b.title, b.faculty
  FROM agenda_breakouts b
  JOIN agenda_items i ON i.id = b.agenda_item_id
  JOIN offerings m ON m.id = i.offering_id AND m.slug = 'core-practice-2026-05'
  JOIN offerings u ON u.slug = 'core-practice-upcoming'
  JOIN agenda_items n ON n.offering_id = u.id
                     AND n.day_number = i.day_number
                     AND n.title = i.title
                     AND (n.starts_at AT TIME ZONE u.time_zone)::time
                         = (i.starts_at AT TIME ZONE m.time_zone)::time;
