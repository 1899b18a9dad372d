-- Demo reflection prompts (issue 14 item 1): one for each reflection and
-- small-group session of Core Practice's agenda, in the May 2026 run and the
-- upcoming one, written by Dr. Rivera in the course's voice. Loaded by
-- `cairn demo` on every load, before the people are made (their journal
-- entries link to these prompts) and again after (to name Dr. Rivera once
-- she exists). Idempotent: a prompt that exists is kept as it is.
INSERT INTO journal_prompts (agenda_item_id, track, body, created_by, created_at, updated_by,
                             updated_at)
SELECT ai.id, NULL, p.body, u.id, w.at, u.id, w.at
  FROM (VALUES
        (1, 'Small Group Community Building and Reflection',
         'Today began with the whole person: body, mind, relationships, spirit. Think of one '
         'patient or family you cared for recently. What do you notice about them now that you '
         'did not name at the time?' || E'\n' ||
         'And what do you carry home from work that you would like this group to help you hold?'),
        (2, 'Small Group Start-Up',
         'Before we practice delivering serious news: remember a time you were in the room when '
         'hard news was given, as the clinician or as someone who loved the patient. What do you '
         'remember of the silence afterwards? What do you want to try, or to stop doing, in '
         'today''s practice?'),
        (2, 'Small Group Reflection',
         'You practiced delivering serious news and exploring what matters most. Which moment '
         'of today stays with you: a word that landed, a pause you held, or one you could not '
         'hold? What do you want to remember the next time you sit down with a family?'),
        (3, 'Community Building and Self Reflection (Small Groups)',
         'We closed with caring for the dying patient. As you go back to your work: what '
         'sustains you in it, and what drains you? Name one practice you will keep (a pause '
         'after a death, a word with a colleague, the walk to your car) and who can help you '
         'keep it.')
       ) AS p (day, title, body)
  JOIN agenda_items ai ON ai.day_number = p.day AND ai.title = p.title
  JOIN offerings o ON o.id = ai.offering_id
  CROSS JOIN LATERAL (SELECT CASE WHEN o.slug = 'core-practice-2026-05'
                                  THEN timestamptz '2026-05-06 12:00 America/New_York'
                                  ELSE now() END AS at) AS w
  LEFT JOIN users u ON u.handle = 'rivera'
 WHERE o.slug IN ('core-practice-2026-05', 'core-practice-upcoming')
ON CONFLICT (agenda_item_id, coalesce(track, '')) DO NOTHING;

UPDATE journal_prompts p
   SET created_by = u.id, updated_by = u.id
  FROM users u, agenda_items ai, offerings o
 WHERE u.handle = 'rivera' AND p.created_by IS NULL AND ai.id = p.agenda_item_id
   AND o.id = ai.offering_id AND o.slug IN ('core-practice-2026-05', 'core-practice-upcoming');
