-- The small groups' conversation: threads and replies in the three groups
-- the placement code made of the May 2026 cohort (Adult group 1, Adult
-- group 2, Pediatric group 1; sql/demo/groups.sql). demo.c runs this file
-- inside its own transaction once the groups exist and hold no thread, then
-- writes every row of demo_posts through forum_write_post in order of time
-- (as conversation.sql), then runs groups_conversation_after.sql: what the
-- facilitator did (a pin, a lock, a hidden post) and the flag waiting for him.
--
-- Times: the groups met on the live days (13-15 May 2026, Eastern time):
-- "Small Group Start-Up" on the first day, "Small Group Reflection" and the
-- community-building blocks after it. Between the courses, the groups keep
-- talking: those posts are dated from the day the demo is loaded, so the
-- group always has something recent.
--
-- The people are fictional. No patient in these posts is identifiable, with
-- one deliberate exception the demo needs: a reply that names a bed number
-- and an age over 89, flagged by a member and waiting for the facilitator.

CREATE TEMP TABLE demo_posts (
    thread  text NOT NULL,
    space   text NOT NULL,         -- a group's name
    handle  text NOT NULL,
    at      timestamptz NOT NULL,
    title   text,
    body    text NOT NULL,
    note    text NOT NULL DEFAULT ''   -- a content note (sql/017), '' for none
) ON COMMIT DROP;

INSERT INTO demo_posts (thread, space, handle, at, title, body) VALUES

-- Adult group 1: Priya (nurse), Sam (chaplain), Tomás (pharmacist), Dr. Adeyemi (psychologist);
-- Chidi Okafor facilitates.

('ag1-hello', 'Adult group 1', 'okafor', timestamptz '2026-05-13 13:05 America/New_York',
 'Welcome to our group: how we will work together',
$b$Welcome, all four of you. This space belongs to our small group: only the five of us can read it, and it stays with us through Foundations, Core Practice and the third course.

What we agreed at Start-Up this morning, so we can come back to it:

- **What is said here stays here.** Talk about the conversation, not the chart: no names, rooms or dates that could point to a patient or a family.
- **Nobody has to share.** "Pass" is always an answer, here and on the calls.
- **Be curious before being helpful.** Ask what it was like before offering what you would have done.

To begin: tell us where you work and one conversation you would like to get better at by the end of the series.$b$),

('ag1-hello', 'Adult group 1', 'priya', timestamptz '2026-05-13 18:40 America/New_York', NULL,
$b$Priya, she/her. I am a nurse on a medical step-down unit. The conversation I want to get better at is the one at 3 a.m., when a family member asks me "is she dying?" and the physician is not there. I usually say "let me page the doctor", and I have started to feel that is a way of leaving the room.$b$),

('ag1-hello', 'Adult group 1', 'sam', timestamptz '2026-05-13 19:22 America/Denver', NULL,
$b$Sam, they/them, chaplain with a hospice team that covers three counties. I want to get better at the first visit, when I am "the chaplain" and people brace for a sermon. I would like to be let in sooner.

Priya, I do not think "let me page the doctor" is leaving the room if you stay in it while you wait.$b$),

('ag1-hello', 'Adult group 1', 'tomas', timestamptz '2026-05-13 20:02 America/New_York', NULL,
$b$Tomás, clinical pharmacist, inpatient palliative consult service. I am usually the one explaining why we are stopping twelve medicines. I want to get better at hearing what a medicine *means* to a family before I talk about what it does.$b$),

('ag1-hello', 'Adult group 1', 'adeyemi', timestamptz '2026-05-13 21:15 America/New_York', NULL,
$b$Naomi, psychologist in psycho-oncology. My conversations are long and slow by design, so I want to learn from all of you how to do the important part in ten minutes. And I want to notice sooner when *I* am the one who is not ready to hear something.$b$),

('ag1-family-meeting', 'Adult group 1', 'priya', timestamptz '2026-05-14 19:30 America/New_York',
 'My first family meeting as the one leading it',
$b$After today's session on family meetings I keep replaying one from last month, the first one I ran myself because the attending was held up in a code.

I did what I had seen done: introductions, then the update, then the plan. About two minutes into the update, the patient's son stood up and walked to the window and did not come back to the table. I kept going because I did not know what else to do.

What I would do differently after today: *ask what they already understand before I say anything*, and stop when someone leaves the table, even if they only leave it in their head.

Has anyone found words for that moment, when someone walks to the window?$b$),

('ag1-family-meeting', 'Adult group 1', 'adeyemi', timestamptz '2026-05-14 20:11 America/New_York', NULL,
$b$Priya, thank you for bringing this. Walking to the window is often the body saying "I heard it before you finished". You could name it gently: "I can see this is hard to hear. Would it help to take a moment?" And then take the moment yourself: sit back, put the papers down.

The update will still be there in two minutes. The son may not be.$b$),

('ag1-family-meeting', 'Adult group 1', 'sam', timestamptz '2026-05-14 21:03 America/Denver', NULL,
$b$In a meeting like that last year, when the daughter went quiet and looked at the floor, I said: "It sounds like you have been carrying this for a long time." Then I said nothing at all. It felt like a whole minute. She said, "Nobody has asked me how *I* am in three weeks."

Chaplains are allowed to be the one who does not move the meeting along. Sometimes I think that is most of my job. If you ever want a chaplain in a meeting you are leading, ask; we come.$b$),

('ag1-family-meeting', 'Adult group 1', 'okafor', timestamptz '2026-05-15 07:48 America/Chicago', NULL,
$b$Three things I notice in this thread, which I will bring to Small Group Reflection today:

1. Priya's question is about the *moment*, not the script. That is exactly where we practise tomorrow.
2. Naomi and Sam both answered with a pause, in different words.
3. None of you said "I should have known the answer". Good. Nobody leads their first family meeting well; we lead it, and then we get to talk about it.$b$),

('ag1-family-meeting', 'Adult group 1', 'tomas', timestamptz '2026-05-15 12:26 America/New_York', NULL,
$b$I am usually the quiet one at the end of the table in those meetings, waiting for the medication question. Reading this I realise I could also be the one who notices the person at the window. I will try that.$b$),

('ag1-call', 'Adult group 1', 'okafor', timestamptz '2026-05-15 15:30 America/Chicago',
 'Our between-session call',
$b$Several of you asked to keep meeting between Core Practice and the next course. Reply with the times that work for you and I will pick one. Thirty minutes, cameras optional.$b$),

('ag1-call', 'Adult group 1', 'priya', timestamptz '2026-05-15 17:02 America/New_York', NULL,
$b$Thursdays at lunch work for me: 12:30 Eastern.$b$),

('ag1-call', 'Adult group 1', 'sam', timestamptz '2026-05-15 17:40 America/Denver', NULL,
$b$Thursday 12:30 Eastern is 10:30 for me, which is perfect.$b$),

('ag1-call', 'Adult group 1', 'okafor', timestamptz '2026-05-16 09:10 America/Chicago', NULL,
$b$Settled: **Thursdays, 12:30 Eastern**, first call on 28 May. The link is in the calendar invitation. I will lock this thread so the time stays easy to find.$b$),

('ag1-pause', 'Adult group 1', 'sam', now() - interval '6 days 3 hours',
 'Trying the pause at the bedside',
$b$Since the course I have been trying the pause we practised: say the headline, then stop, and count to ten in my head before I say anything else.

This week it worked twice and failed once. The time it failed, I think I paused because the technique said so, not because the person needed it, and they could tell.

How is it going for the rest of you, now that you are back at work?$b$),

('ag1-pause', 'Adult group 1', 'priya', now() - interval '5 days 20 hours', NULL,
$b$I did it at 3 a.m. on Sunday. The daughter asked me "is she dying?" and instead of "let me page the doctor" I said: "I think she may be, yes. Can I sit with you?" Then I paged the doctor *from the chair*. It was the hardest ten seconds of my month.$b$),

('ag1-pause', 'Adult group 1', 'tomas', now() - interval '5 days 2 hours', NULL,
$b$Mine did not go well. The gentleman in bed 14 on our unit last Tuesday, 93 years old, asked me straight out whether his new pills were "the ones that end it". I froze and started explaining half-lives. I have been thinking about him all week.$b$),

('ag1-pause', 'Adult group 1', 'adeyemi', now() - interval '4 days 22 hours', NULL,
$b$Tomás, freezing at a question like that is human, and you are still thinking about him, which says a lot about the kind of clinician you are. Priya, "can I sit with you?" is the whole course in five words.

Sam, I recognise "pausing because the technique said so". Maybe the pause is not the counting; it is the noticing.$b$),

-- Adult group 2: Dr. Bell (hospitalist), Rachel Kim (PA), Daniel Cho (NP), Dr. Weiss (fellow,
-- not returning for the third course); Lucia Ferrari joins for the third course.

('ag2-hello', 'Adult group 2', 'okafor', timestamptz '2026-05-13 13:10 America/New_York',
 'Welcome to our group',
$b$Welcome. This space is ours for the whole series, and only the members of our group and its facilitators can read it.

The agreements from Start-Up: what is said here stays here; no names, rooms or dates that point to a patient; "pass" is always an answer. Tell us where you work and one conversation you want to get better at.$b$),

('ag2-hello', 'Adult group 2', 'kim', timestamptz '2026-05-13 17:35 America/Los_Angeles', NULL,
$b$Rachel, PA on a hospital medicine team. I want to get better at the conversation that starts with "so what happens now?" at discharge, when the honest answer is "probably another admission".$b$),

('ag2-hello', 'Adult group 2', 'weiss', timestamptz '2026-05-13 20:50 America/New_York', NULL,
$b$Hannah, palliative medicine fellow, last months of fellowship. I want to get better at stopping when I have said enough.$b$),

('ag2-time', 'Adult group 2', 'bell', timestamptz '2026-05-14 18:15 America/Chicago',
 'Where do you find the time?',
$b$Honest question after today. I carry eighteen to twenty patients on a hospitalist list. The skills in this course take time I do not have at 4 p.m. with three admissions waiting. How do the rest of you make room for a real conversation?$b$),

('ag2-time', 'Adult group 2', 'cho', timestamptz '2026-05-14 19:02 America/Denver', NULL,
$b$I do not always. What helps: I decide in the morning which *one* patient gets the long conversation today, and I tell the team, so it is protected time rather than stolen time.$b$),

('ag2-time', 'Adult group 2', 'bell', timestamptz '2026-05-14 20:30 America/Chicago', NULL,
$b$Fair. Though in my hospital we could save an hour a day if the social workers stopped calling a family meeting every time someone mentions hospice. Half of those meetings are social work filling their own calendars.$b$),

('ag2-time', 'Adult group 2', 'kim', timestamptz '2026-05-14 21:20 America/Los_Angeles', NULL,
$b$Marcus, I hear the workload. For me the family meetings our social worker calls are where I learn what the family actually knows. They save me the second and third conversation. Maybe the question is how to share them better across the team rather than have fewer.$b$),

('ag2-time', 'Adult group 2', 'weiss', timestamptz '2026-05-15 08:05 America/New_York', NULL,
$b$Daniel's "one long conversation a day, announced to the team" is going straight into my notes for when I start as an attending in July.$b$),

-- Pediatric group 1: Amara (social worker), Dr. Lee (pediatrician), Rev. Mensah (pediatric
-- chaplain), Gabriela Ruiz (PICU nurse).

('pg1-hello', 'Pediatric group 1', 'okafor', timestamptz '2026-05-13 13:15 America/New_York',
 'Welcome to our group',
$b$Welcome. Pediatric palliative care asks things of us that we rarely get to say out loud; this space is for saying them. Only our group and its facilitators can read it, and it stays with us through the series.

Our agreements from Start-Up: what is said here stays here; no names, rooms or dates that point to a child or a family; "pass" is always an answer; and if a post tells of a death, put a note at the top so each of us can choose when to read it.$b$),

('pg1-hello', 'Pediatric group 1', 'ruiz', timestamptz '2026-05-13 19:30 America/Chicago', NULL,
$b$Gabriela, PICU nurse for nine years. I want to get better at talking with the parents at 2 a.m., when the attending has gone home and they ask me what the numbers on the monitor mean.$b$),

('pg1-hello', 'Pediatric group 1', 'mensah', timestamptz '2026-05-13 20:45 America/New_York', NULL,
$b$Ayodele, chaplain at a children's hospital. I want to get better at being with the siblings, who are so often in the corridor while the adults talk.$b$),

('pg1-child', 'Pediatric group 1', 'ruiz', timestamptz '2026-05-15 20:10 America/Chicago',
 'The first child I lost in the PICU',
$b$At Reflection today Rev. Mensah asked us to write about a death we still carry. I did not want to say mine out loud, so I am writing it here.

It was my second year. A little boy, a long illness, and a morning when everyone knew before anyone said it. His mother asked me to hold him while she called his father, and I did, and he died while she was on the phone in the corridor. I never told her that I thought it happened in those minutes. I have wondered for seven years whether I should have called her back in.

I do not need answers. I think I needed to write it down somewhere it would be read by people who understand.$b$),

('pg1-child', 'Pediatric group 1', 'mensah', timestamptz '2026-05-15 21:35 America/New_York', NULL,
$b$Gabriela, thank you for trusting us with him.

I want to tell you what I said to a mother once, in a corridor very like yours: "He was not alone. Someone who loved caring for him was holding him." She told me later it was the sentence she kept.

You did not take anything from his mother. You gave her son seven minutes of being held, and you have carried them carefully for seven years. You are allowed to set some of the weight down here.$b$),

('pg1-child', 'Pediatric group 1', 'amara', timestamptz '2026-05-15 22:05 America/New_York', NULL,
$b$Reading this with you, Gabriela. I have worked with a lot of parents after a child's death, and almost all of them told me, years later, about the nurse who was there. Not what the nurse said: that the nurse was there.$b$),

('pg1-child', 'Pediatric group 1', 'lee', timestamptz '2026-05-16 08:15 America/Los_Angeles', NULL,
$b$I went home after Reflection and thought about the physicians' version of this: we leave at the moment that matters most, to write the note. Thank you for writing yours. I would like us to talk, on our next call, about how we look after each other after a death on the unit, because I am not sure any of our hospitals do it well.$b$),

('pg1-siblings', 'Pediatric group 1', 'amara', now() - interval '3 days 5 hours',
 'Talking with siblings: what has worked for you?',
$b$Following up on Ayodele's wish to be with the siblings in the corridor. This month I started offering siblings a job during family meetings (drawing a picture for their brother or sister, choosing the music) and asking the parents first whether the sibling may stay for part of the meeting.

What have you seen work with children of different ages?$b$),

('pg1-siblings', 'Pediatric group 1', 'mensah', now() - interval '2 days 19 hours', NULL,
$b$Honest, simple words for the youngest ones ("his body stopped working, and it will not start again"), and a promise that it is not their fault, said more than once. For teenagers, asking them what they already know, exactly as we practised with adults. They usually know more than we think.$b$);

-- Gabriela's story is told behind a content note: her colleagues open it
-- when they are ready (issue 12 item 4).
UPDATE demo_posts SET note = 'death of a child' WHERE thread = 'pg1-child' AND title IS NOT NULL;

CREATE TEMP TABLE demo_threads (
    key text PRIMARY KEY,
    id  bigint NOT NULL
) ON COMMIT DROP;
