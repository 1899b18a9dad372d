-- The demo's conversation: threads and replies in the May 2026 cohort's
-- spaces and in the series community. demo.c runs this file inside its own
-- transaction, then writes every row of demo_posts through the forum's own
-- code path (forum_write_post: Markdown, mentions, notifications, reading
-- state), in order of time, and finally runs conversation_after.sql.
--
-- Times: the cohort's conversation happens around its live days (13-15 May
-- 2026, Eastern time), like its agenda. The series community is dated from
-- the day the demo is loaded, so there is always something recent: the
-- newest reply, a few hours old, mentions the demo learner (Priya) and waits
-- for her as an unread notification.
--
-- The people are fictional; no patient in these posts is identifiable, as
-- the course asks of every case brought to it.

CREATE TEMP TABLE demo_posts (
    thread  text NOT NULL,         -- a key for the thread within this script
    space   text NOT NULL CHECK (space IN ('cohort', 'announcements', 'series')),
    handle  text NOT NULL,
    at      timestamptz NOT NULL,
    title   text,                  -- the opening post only
    body    text NOT NULL,
    note    text NOT NULL DEFAULT ''   -- a content note (sql/017), '' for none
) ON COMMIT DROP;

INSERT INTO demo_posts (thread, space, handle, at, title, body) VALUES

('welcome', 'announcements', 'rivera', timestamptz '2026-05-11 09:00 America/New_York',
 'Welcome to Core Practice: before Wednesday',
$b$Welcome, everyone. We are glad you are here.

A few things before we meet on **Wednesday 13 May at 10:00 Eastern**:

- Join from a quiet place where you can speak freely. Much of the course is practice in small groups, and your camera helps your partners.
- Bring one conversation from your own work that you wish had gone differently. You will not be asked to share it with the whole cohort.
- Between sessions, this space and the *Cohort discussion* are yours. Facilitators read them every day.

Please leave out anything that could identify a patient or family: names, dates, rooms, places. Talk about the conversation, not the chart.$b$),

('welcome', 'announcements', 'tomas', timestamptz '2026-05-11 12:41 America/New_York', NULL,
$b$Thank you, Dr. Rivera. First time in a course like this for a pharmacist on our team; looking forward to it.$b$),

('serious-news', 'cohort', 'okafor', timestamptz '2026-05-14 17:20 America/New_York',
 'After “Delivering Serious News”: what are you taking back to your unit?',
$b$Thank you all for the work in this morning's practice rounds. Several of you said afterwards that the hardest part was not the words but what came *after* them.

What is one thing from today that you will try in your next conversation? Small and specific is best.$b$),

('serious-news', 'cohort', 'priya', timestamptz '2026-05-14 17:48 America/New_York', NULL,
$b$The pause after the headline. I realised in the practice round that I fill the silence almost immediately, usually with numbers or a plan, because the silence feels unbearable to *me*.

Next shift I am going to say the headline and then stop, and count to ten in my head if I have to.$b$),

('serious-news', 'cohort', 'lee', timestamptz '2026-05-14 18:30 America/New_York', NULL,
$b$For me it was asking what the parents already understand before I say anything. In the pediatric breakout our actor-mother answered "I know she's not getting better" and the whole conversation changed. I had prepared three minutes of explanation she did not need.

Ask, tell, ask. I have known it for years and I still skip the first ask when I am nervous.$b$),

('serious-news', 'cohort', 'sam', timestamptz '2026-05-14 19:05 America/New_York', NULL,
$b$As a chaplain I am usually the one who arrives *after* the news. What struck me today was how much the first minute shapes everything I see later: whether a family feels they were told the truth, and whether someone stayed with them.

@priya, the silence you describe is not empty. It is often the first moment the family is allowed to feel anything.$b$),

('serious-news', 'cohort', 'amara', timestamptz '2026-05-14 20:12 America/New_York', NULL,
$b$> @lee wrote:
>
> Ask, tell, ask. I have known it for years and I still skip the first ask when I am nervous.

Same. In the practice round I noticed I skip it most with families who seem "medically savvy". Those are often the parents who most need to be asked, because they have been holding the most on their own.$b$),

('serious-news', 'cohort', 'okafor', timestamptz '2026-05-15 08:05 America/New_York', NULL,
$b$These are exactly the things to carry into this afternoon's small groups. @sam, would you be willing to say a little more there about what families tell you later about that first minute?

Reminder for everyone: today is Pain, Dyspnea, GI symptoms, mood and the dying patient, with adult and pediatric breakouts. Small groups meet at 15:30 Eastern.$b$),

('conversion', 'cohort', 'priya', timestamptz '2026-05-14 21:30 America/New_York',
 'Before tomorrow’s pain session: a conversion question from last week',
$b$Last week one of our patients went from oral morphine to oral oxycodone and was very sleepy for two days afterwards. The new dose came straight from the equianalgesic table.

What should we have done differently? I would love to understand this before the pain session tomorrow.$b$),

('conversion', 'cohort', 'tomas', timestamptz '2026-05-14 22:10 America/New_York', NULL,
$b$Good question to bring. The table gives you a starting point, not a dose:

1. Add up the total opioid from the last 24 hours, including breakthrough doses.
2. Convert with the table.
3. **Reduce the result by 25–50%** for incomplete cross-tolerance between opioids, and by more in frail or older patients or with kidney or liver impairment.
4. Order a breakthrough dose of about 10–15% of the new daily total, and reassess in 24 hours.

Step 3 is the one most often skipped. The sleepiness you saw is what it protects against.$b$),

('conversion', 'cohort', 'priya', timestamptz '2026-05-14 22:34 America/New_York', NULL,
$b$That is it: we skipped step 3. Thank you, Tomás. I am going to ask our pharmacist to add the reduction to the order set's guidance.$b$),

('dyspnea', 'cohort', 'lee', timestamptz '2026-05-15 19:40 America/New_York',
 'Dyspnea: when parents fear that morphine will hasten death',
$b$The dyspnea breakout was excellent. The question I still carry: when a child is breathless and the parents are afraid that an opioid will "speed things up", how do you answer without dismissing the fear?

I tend to reach for evidence, and I am not sure evidence is what they are asking for.$b$),

('dyspnea', 'cohort', 'amara', timestamptz '2026-05-15 20:02 America/New_York', NULL,
$b$In our family meetings I try to name the fear first: "Many parents worry that this medicine could shorten their child's life. Is that something you're worried about?" Often the answer opens a different conversation, about what the end will look like.

Only then does the information land.$b$),

('dyspnea', 'cohort', 'tomas', timestamptz '2026-05-15 20:25 America/New_York', NULL,
$b$For the information part: at the low doses used for breathlessness, started low and titrated to comfort, opioids have not been shown to shorten life. It helps families to hear that the dose is chosen for comfort and watched closely, and what the team will look for.$b$),

('dyspnea', 'cohort', 'okafor', timestamptz '2026-05-15 21:10 America/New_York', NULL,
$b$And give the parents something to *do*: a fan on the face, sitting upright, a calm voice, their hand. Breathlessness is frightening to watch, and helplessness makes the fear of the medicine louder.

Thank you all for three generous days.$b$),

('goals', 'series', 'sam', now() - interval '9 days 4 hours',
 'A goals-of-care conversation that went sideways, and what helped',
$b$Back on the units since May, I have been trying the "explore values before recommending" approach from Day 2. Last week a family meeting went sideways: the daughter heard "comfort" as "giving up" and left the room.

What helped, an hour later, was not a better explanation. It was asking her what her father would say about the last few weeks if he could sit with us. She answered for a long time.

Has anyone else had a conversation come back after it seemed lost?$b$),

('goals', 'series', 'priya', now() - interval '8 days 20 hours', NULL,
$b$Yes, and it nearly always came back through a question, not through more information. Thank you for writing this, Sam. The "if he could sit with us" question is going on a card in my pocket.$b$),

('goals', 'series', 'okafor', now() - interval '8 days 2 hours', NULL,
$b$This is the heart of Day 2: a recommendation only lands once the family hears their own person in it.

Sam, would you bring this to our small group next time? It deserves more than a thread.$b$),

('next-run', 'series', 'amara', now() - interval '5 days 6 hours',
 'Coming back for the next Core Practice run with your team?',
$b$Our pediatric palliative team (a physician, two nurses, a chaplain and me) would like to take Core Practice together in the next run. Has anyone registered a team? How does it work?$b$),

('next-run', 'series', 'rivera', now() - interval '5 days 2 hours', NULL,
$b$Lovely to hear, Amara. A team coordinator registers the team on the offering's page ("Register a team"), sees the quote with each member's fee, and confirms it; each member then gets an invitation to join. Teams of three or more get the group discount, and we keep teams together in the small groups.

Registration for [the next run](/offerings/core-practice-upcoming) is open now.$b$),

('next-run', 'series', 'tomas', now() - interval '2 days 5 hours', NULL,
$b$We are doing the same with our adult team. The early-registration deadline is the one to watch.$b$),

('goals', 'series', 'amara', now() - interval '3 hours', NULL,
$b$@priya, I used your "say the headline and then stop" yesterday with a mother in our clinic. The silence was long. Then she said, "I knew. I needed someone to say it." Thank you for putting it into words in May.$b$);

-- Filled by demo.c as it starts each thread: the script's key -> threads.id.
CREATE TEMP TABLE demo_threads (
    key  text PRIMARY KEY,
    id   bigint NOT NULL
) ON COMMIT DROP;
