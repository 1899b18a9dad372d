-- The series' support page (issue 12 item 6) and one learner who has stepped
-- away from a hard thread (item 5). Loaded by `cairn demo` on every load,
-- after the small groups' conversation; idempotent: a series that already has
-- a page, or a step-away already made, is left as it is.
--
-- The page is written by Dr. Rivera, the series' director, a week before the
-- load. The resources are real and current in the US: the 988 Suicide &
-- Crisis Lifeline (call or text 988), the Physician Support Line
-- (1-888-409-0141), 911 in an emergency. The rest points at what every
-- learner's own workplace has (an employee assistance program, peer
-- support, chaplains for staff), because those differ from hospital to
-- hospital.

INSERT INTO support_page_versions (series_id, body, edited_by, edited_at)
SELECT se.id, $page$We talk about death and grief for a living, and we are not immune to either. If a patient's death, a family meeting, a mistake or a long run of hard weeks is staying with you, please reach for one of these. Asking is part of the work, not a failure at it.

**If you are in danger now, or someone else is: call 911.**

# Today, any hour

- **988 Suicide & Crisis Lifeline** (US): call or text **988**, or chat at [988lifeline.org](https://988lifeline.org). For anyone in distress, not only when suicide is on your mind.
- **Physician Support Line**: **1-888-409-0141**, weekdays 8 am to 1 am Eastern. Free and confidential, answered by volunteer psychiatrists, for physicians and medical students; no appointment needed.

# Where you work

- **Your employee assistance program (EAP).** Free, confidential counseling for you and your household, usually a few sessions without a referral. Your EAP does not report to your manager. The number is on your benefits card or your intranet's well-being page.
- **Peer support after an adverse event** ("second victim" or care-for-the-caregiver programs). Many hospitals have trained colleagues who will meet you within a day or two of a bad outcome, a death that went badly, or an error. Ask your unit leader, patient safety office or EAP for the name of yours.
- **Chaplains are for staff too.** You do not need to be religious. Your hospital's spiritual care team will sit with you after a hard death, lead a short pause at the bedside, or just listen.

# In this course

- Your **small group and its facilitator** are here for the hard stories, and so is the rest of this community. "Pass" is always an answer.
- You can **step away** from any thread or discussion for a while (the link is under its title): no notifications, no unread counts, until you are ready.
- If something you read here troubled you, or you are worried about a colleague in the course, tell Chidi Okafor or Dr. Rivera. You will not be the first, and we would rather know.

Take care of yourself the way you take care of your patients.$page$,
       u.id, now() - interval '7 days'
  FROM series se JOIN users u ON u.handle = 'rivera'
 WHERE se.slug = 'palliative-care'
   AND NOT EXISTS (SELECT 1 FROM support_page_versions v WHERE v.series_id = se.id);

-- Dr. Lee stepped away for a week from the thread about the first child a
-- PICU nurse lost, after he replied in it (sign in as pediatrics@cairn.test).
INSERT INTO step_aways (user_id, thread_id, until, created_at)
SELECT u.id, t.id, now() + interval '7 days', now()
  FROM users u, threads t JOIN spaces s ON s.id = t.space_id
  JOIN groups g ON g.id = s.group_id JOIN series se ON se.id = g.series_id
 WHERE u.handle = 'lee' AND se.slug = 'palliative-care' AND g.name = 'Pediatric group 1'
   AND t.title = 'The first child I lost in the PICU'
ON CONFLICT (user_id, thread_id) WHERE thread_id IS NOT NULL DO NOTHING;
