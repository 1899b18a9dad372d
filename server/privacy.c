/*
 * privacy.c - the patient-privacy guard's checker (see privacy.h).
 *
 * How it reads a text:
 *
 *   1. Tokens. One pass decodes UTF-8 (refusing anything else) into words,
 *      numbers and single punctuation marks, each with its byte offsets and
 *      whether space came before it. Curly quotes, non-breaking hyphens and
 *      spaces are folded into their plain forms; apostrophes and hyphens
 *      inside a word keep it whole ("O’Brien", "93-year-old" is a number, a
 *      hyphen and "year-old"); a final 's is noted as a possessive.
 *   2. Sentences. Full stops (not after Mr., Dr., an initial or before a
 *      lower-case word), ! ? ; : and line breaks end a sentence. No rule
 *      looks across one.
 *   3. Names. A title (Mr., Mrs., Ms., Mx., Señora, Baby Boy, Grandpa,
 *      Patient) and the capitalised words after it; a capitalised word after
 *      "son", "patient", "named"...; or any capitalised word that is not in
 *      the list of ordinary capitalised words (weekdays, course words,
 *      languages, eponymous diseases). Colleagues are not patients: a name
 *      after Dr., Nurse, Chaplain... or before a credential (RN, MD) is
 *      skipped. A capitalised word that starts a sentence counts only in the
 *      stronger patterns.
 *   4. Rules, each a small pattern over tokens with a bounded window, so the
 *      whole check is linear: a name beside an age ("Mrs. Alvarez, 82",
 *      "(67)", "is 47", "a 71-year-old, Mr. Bianchi"); a name joined to a
 *      diagnosis by words that only describe ("Mr. Chen's ALS", "Ms.
 *      Lindqvist, who has advanced dementia"; "Dr. Ahmed's handout on ALS"
 *      is a colleague, and "handout" is not such a word); a name within a
 *      few words of a room or bed; dates after (or just before) the words of
 *      a birth, an admission or a death; numbers by their shape (phone
 *      numbers, social security numbers, long record numbers) or by the word
 *      before them (MRN, account); addresses by house number and street
 *      word; ages of 90 and more, unless they describe a group ("aged 90
 *      and older").
 *
 * The word lists are sorted, lower-case, and searched by bisection
 * (privacy_lists_ok checks the order in the unit test).
 */
#include "cairn/privacy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(x) (sizeof(x) / sizeof((x)[0]))

enum { T_WORD, T_NUM, T_PUNCT };

enum {
	F_SPACE = 1,            /* whitespace before the token */
	F_NL = 2,               /* a line break before it */
	F_FIRST = 4,            /* first word or number of its sentence */
	F_CAP = 8,              /* a word that starts with a capital */
	F_ALLCAPS = 16,         /* a word of two or more letters, all capitals */
	F_POSS = 32,            /* a word ending in 's or ’s */
	F_DIGITS = 64,          /* a word with a digit inside ("q4h", "EG4") */
};

/* Punctuation is folded to ASCII where it has a plain form; dashes (not
 * hyphens) become DASH. */
#define DASH 0x2013u

typedef struct tok {
	uint32_t start, end;    /* bytes [start, end) */
	uint32_t core_end;      /* a word's end before its possessive 's */
	uint32_t fold, fold_n;  /* a word's core, folded: ctx.fold[fold .. fold + fold_n) */
	uint32_t val;           /* number: value (saturated); punctuation: the mark */
	uint32_t sent;          /* sentence number */
	uint8_t kind;
	uint8_t ndig;           /* number: digits (saturated at 255) */
	uint8_t flags;
} tok;

enum { N_INITIAL = 1, N_MID, N_INTRO, N_TITLED };

typedef struct name_span {
	uint32_t a, b;          /* tokens [a, b) */
	uint8_t strength;       /* N_* */
} name_span;

typedef struct ctx {
	arena *a;
	const unsigned char *s;
	size_t len;
	unsigned char *fold;    /* words' cores with hyphens and apostrophes in ASCII */
	size_t fold_used;
	tok *t;
	size_t n;
	name_span *names;
	size_t nnames;
	int32_t *name_at;       /* per token: the name span holding it, or -1 */
	privacy_span *spans;
	size_t nspans, spans_cap;
	unsigned codes;
} ctx;

/* ---- word lists (sorted, lower-case) ------------------------------------ */

/* Titles before a patient's name. */
static const char *const TITLES[] = {
	"abuela", "abuelo", "aunt", "auntie", "baby", "don", "doña", "grandfather", "grandma",
	"grandmother", "grandpa", "granny", "great-grandfather", "great-grandma",
	"great-grandmother", "great-grandpa", "madam", "madame", "miss", "mister", "mme",
	"monsieur", "mr", "mrs", "ms", "mx", "nana", "papa", "patient", "pt", "senor", "senora",
	"señor", "señora", "señorita", "sr", "sra", "srta", "uncle",
};

/* Titles of colleagues, clergy and teachers: the name after one is not a
 * patient's. */
static const char *const COLLEAGUE_TITLES[] = {
	"capt", "captain", "chaplain", "coach", "dean", "doc", "doctor", "dr", "father", "fr",
	"imam", "nurse", "pastor", "prof", "professor", "rabbi", "rev", "reverend", "sheikh",
	"sister",
};

/* Lower-case words that introduce the name after them. */
static const char *const INTRO[] = {
	"aunt", "baby", "boy", "boyfriend", "brother", "called", "child", "client", "cousin",
	"dad", "daughter", "father", "fiancé", "fiancée", "gentleman", "girl", "girlfriend",
	"grandchild", "granddaughter", "grandfather", "grandma", "grandmother", "grandpa",
	"grandson", "husband", "infant", "kid", "lady", "man", "mom", "mother", "named",
	"nephew", "niece", "partner", "patient", "pt", "sibling", "sister", "son", "spouse",
	"stepdaughter", "stepson", "teen", "teenager", "toddler", "twin", "uncle", "veteran",
	"widow", "widower", "wife", "woman",
};

/* Capitalised words that are not names (whatever their place in a
 * sentence): function words, time words, the course's words, roles, places
 * of care, languages and faiths, and the people whose names diseases carry. */
static const char *const STOP[] = {
	"a", "about", "above", "acp", "across", "actually", "addison", "adult", "adults",
	"after", "afternoon", "again", "agenda", "all", "allah", "also", "although", "always",
	"am", "america", "american", "among", "an", "and", "another", "answer", "any",
	"anybody", "anyone", "anything", "apgar", "april", "arabic", "are", "around", "as",
	"asian", "at", "attending", "attendings", "august", "autumn", "baby", "back", "bay",
	"be", "because", "becker", "bed", "been", "before", "behind", "being", "bell", "below",
	"bengali", "best", "better", "between", "beyond", "bible", "big", "black", "block",
	"both", "boy", "boys", "breakout", "brother", "buddhist", "burkitt", "but", "by", "can",
	"cantonese", "care", "case", "catholic", "ce", "chaplaincy", "chapter", "child",
	"children", "chinese", "christian", "christmas", "class", "clinic", "clinician",
	"clinicians", "cme", "cohort", "colleague", "colleagues", "comfort", "consult",
	"consults", "core", "could", "course", "covid", "creole", "crohn", "cushing", "dad",
	"daughter", "day", "days", "dear", "death", "december", "did", "do", "does", "down",
	"duchenne", "during", "each", "earlier", "east", "easter", "eid", "either", "else",
	"end", "english", "even", "evening", "ever", "every", "everybody", "everyone",
	"everything", "ewing", "fall", "families", "family", "fanconi", "father", "february",
	"fellow", "fellows", "few", "figure", "filipino", "finally", "first", "floor", "for",
	"forum", "foundations", "french", "friday", "from", "gehrig", "german", "girl", "girls",
	"glasgow", "goals", "god", "good", "grace", "grandmother", "graves", "great", "grief",
	"group", "groups", "had", "haitian", "has", "hashimoto", "have", "he", "hello", "her",
	"here", "hers", "hi", "him", "hindi", "hindu", "hipaa", "his", "hispanic", "hmong",
	"hodgkin", "home", "honestly", "hope", "hospice", "hospital", "hour", "how", "however",
	"huntington", "i", "icu", "if", "in", "indigenous", "instead", "into", "is", "it",
	"italian", "its", "january", "japanese", "jesus", "jewish", "journal", "july", "june",
	"just", "karnofsky", "kawasaki", "keynote", "kid", "kids", "korean", "krabbe", "last",
	"later", "latina", "latino", "latinx", "learner", "learners", "less", "lesson", "let",
	"level", "lewy", "life", "like", "little", "lord", "lunch", "made", "man", "mandarin",
	"many", "march", "may", "maybe", "me", "medicaid", "medicare", "medicine", "meeting",
	"men", "might", "mine", "module", "mom", "monday", "more", "morning", "most", "mother",
	"much", "muslim", "must", "my", "native", "navajo", "never", "new", "news", "next",
	"niemann-pick", "night", "nights", "no", "nobody", "none", "nor", "north", "not",
	"note", "nothing", "november", "now", "nurse", "nurses", "october", "of", "often", "oh",
	"ok", "okay", "on", "once", "one", "only", "onto", "or", "orthodox", "other", "others",
	"our", "ours", "over", "page", "pain", "palliative", "panel", "parent", "parents",
	"parkinson", "part", "passover", "patient", "patients", "pediatric", "pediatrics",
	"peds", "people", "per", "perhaps", "person", "pharmacist", "pharmacists", "pharmacy",
	"phase", "physician", "physicians", "picu", "please", "plenary", "polish", "pompe",
	"portuguese", "post", "practice", "protestant", "psalm", "psalms", "psychologist",
	"psychology", "punjabi", "qtc", "question", "quran", "ramadan", "raynaud", "really",
	"reflection", "reminder", "resident", "residents", "rett", "room", "round", "rounds",
	"russian", "same", "saturday", "scenario", "second", "september", "series", "serious",
	"session", "sessions", "several", "shall", "she", "shift", "should", "sikh", "since",
	"sister", "sjögren", "slide", "slides", "small", "so", "social", "somali", "some",
	"somebody", "someone", "something", "sometimes", "son", "sorry", "south", "spanish",
	"spring", "staff", "stage", "step", "still", "student", "students", "such", "summer",
	"sunday", "table", "tagalog", "tay-sachs", "team", "teams", "teen", "teens", "than",
	"thank", "thanks", "thanksgiving", "that", "the", "their", "theirs", "them", "then",
	"there", "these", "they", "third", "this", "those", "though", "through", "thursday",
	"tip", "to", "today", "tomorrow", "tonight", "too", "torah", "tuesday", "twice", "type",
	"under", "unit", "until", "update", "urdu", "us", "usa", "very", "vietnamese", "was",
	"we", "wednesday", "week", "weeks", "well", "were", "west", "what", "when", "where",
	"whether", "which", "while", "white", "who", "whom", "whose", "why", "wife", "will",
	"wilms", "wilson", "winter", "with", "without", "woman", "women", "workshop", "would",
	"yes", "yesterday", "yet", "you", "your", "yours", "zoom",
};

/* Credentials: a name followed by one is a colleague's. */
static const char *const CREDENTIALS[] = {
	"aprn", "bcc", "bsn", "chpn", "cns", "dmin", "dnp", "do", "facp", "fnp", "lcsw",
	"licsw", "lmft", "lpc", "lpn", "mbbs", "md", "mdiv", "mph", "msn", "msw", "np", "pa",
	"pa-c", "pharmd", "phd", "psyd", "rn", "rph",
};

/* Words after which a full stop does not end the sentence. */
static const char *const ABBREV[] = {
	"acct", "al", "approx", "apr", "apt", "aug", "ave", "blvd", "capt", "cf", "co", "ct",
	"dec", "dept", "dob", "dr", "eg", "esp", "est", "ext", "feb", "fig", "fr", "ft", "ie",
	"inc", "jan", "jr", "jul", "jun", "ln", "lt", "mar", "mme", "mr", "mrs", "ms", "mt",
	"mx", "no", "nos", "nov", "oct", "pl", "pp", "prof", "pt", "rd", "rev", "rm", "sep",
	"sept", "sr", "sra", "srta", "st", "ste", "tel", "vol", "vs",
};

/* Particles inside a name ("Calle del Sol", "María de la Cruz"). */
static const char *const PARTICLES[] = {
	"al", "bin", "da", "das", "de", "del", "della", "den", "der", "di", "do", "dos", "du",
	"el", "ibn", "la", "le", "van", "von", "y",
};

/* Words between a name and a diagnosis that only describe the person or
 * the disease; any other word breaks the link. */
static const char *const GLUE[] = {
	"a", "active", "acute", "advanced", "advancing", "aggressive", "alcoholic", "already",
	"also", "an", "and", "b-cell", "been", "being", "bladder", "blood", "body", "bone",
	"born", "brain", "breast", "cardiac", "cell", "cerebral", "cervical", "chronic",
	"colon", "colorectal", "confirmed", "congenital", "cystic", "diagnosed", "died", "dies",
	"dying", "early-stage", "end", "end-stage", "esophageal", "fatal", "frontotemporal",
	"gastric", "grade", "had", "has", "have", "having", "head", "heart", "hepatic", "her",
	"high-grade", "his", "history", "hx", "hypoplastic", "ii", "iii", "incurable",
	"inoperable", "is", "its", "iv", "just", "kidney", "known", "late-stage", "left",
	"likely", "liver", "living", "low-grade", "lung", "lymphoblastic", "lymphocytic",
	"metastatic", "multiple", "muscular", "myelogenous", "myeloid", "neck", "new", "newly",
	"non-small", "now", "of", "old", "ovarian", "pancreatic", "presumed", "primary",
	"probable", "progressive", "prostate", "pulmonary", "rare", "recently", "recurrent",
	"refractory", "relapsed", "renal", "respiratory", "right", "secondary", "severe",
	"sickle", "skin", "small", "small-cell", "spinal", "squamous", "stage", "still",
	"stomach", "suffering", "suspected", "t-cell", "terminal", "the", "their", "treated",
	"triple-negative", "type", "untreatable", "uterine", "vascular", "was", "who", "whose",
	"widespread", "with", "year-old", "years", "yo",
};

/* Diagnoses (and the last part of hyphenated ones: "post-stroke"). */
static const char *const DIAGNOSES[] = {
	"adenocarcinoma", "alzheimer", "alzheimers", "anencephaly", "aneurysm", "arrest",
	"astrocytoma", "atrophy", "batten", "bifida", "bleed", "cancer", "cancers", "carcinoma",
	"cardiomyopathy", "cholangiocarcinoma", "cirrhosis", "copd", "covid", "covid-19",
	"crohn", "dementia", "disease", "disorder", "duchenne", "dystrophy", "embolism",
	"emphysema", "encephalopathy", "ependymoma", "epidermolysis", "ewing", "failure",
	"fibrosis", "gangrene", "glioblastoma", "glioma", "hemorrhage", "hepatitis",
	"hepatoblastoma", "hodgkin", "huntington", "hydrocephalus", "infarct", "infection",
	"injury", "krabbe", "leukaemia", "leukemia", "leukodystrophy", "lupus", "lymphoma",
	"malignancy", "medulloblastoma", "melanoma", "meningitis", "mesothelioma", "metastases",
	"metastasis", "mets", "myeloma", "neuroblastoma", "obstruction", "osteosarcoma",
	"overdose", "palsy", "parkinson", "parkinsons", "pneumonia", "retinoblastoma",
	"rhabdomyosarcoma", "sarcoidosis", "sarcoma", "scleroderma", "sclerosis", "sepsis",
	"sickle", "stroke", "syndrome", "trisomy", "tumor", "tumors", "tumour", "tumours",
	"wilms",
};

/* Diagnoses written in capitals, matched as written ("ALL", not "all"). */
static const char *const DIAGNOSIS_ACRONYMS[] = {
	"AIDS", "ALD", "ALL", "ALS", "AML", "ARDS", "CDH", "CF", "CHF", "CJD", "CKD", "CLL",
	"CML", "COPD", "DIPG", "DMD", "ESKD", "ESLD", "ESRD", "FTD", "GBM", "HCC", "HIE", "HIV",
	"HLHS", "IPF", "MDS", "MS", "MSA", "NEC", "NSCLC", "PPHN", "PSP", "SCD", "SCLC", "SMA",
	"TBI",
};

/* Words of a birth, and of the events of a stay whose day identifies it. */
static const char *const BIRTH_WORDS[] = {
	"birth", "birthdate", "birthday", "born", "dob",
};
static const char *const EVENT_WORDS[] = {
	"admission", "admit", "admitted", "arrived", "coded", "death", "deceased", "diagnosed",
	"died", "dies", "discharge", "discharged", "doa", "dod", "expired", "extubated",
	"extubation", "hospitalised", "hospitalized", "intubated", "intubation", "passed",
	"presented", "pronounced", "readmission", "readmitted", "transfer", "transferred",
};

/* Words whose number is a record's: MRN 00482913, account #55-90213. */
static const char *const RECORD_WORDS[] = {
	"account", "acct", "chart", "claim", "csn", "encounter", "fin", "har", "id",
	"insurance", "mbi", "medicaid", "medicare", "member", "mrn", "nhs", "policy", "record",
	"security", "ssn", "subscriber",
};
/* Words that may sit between a record word and its number. */
static const char *const RECORD_SKIP[] = {
	"id", "is", "nbr", "no", "num", "number", "was",
};
/* Words before a long number that say it is not a patient's. */
static const char *const NOT_RECORD[] = {
	"doi", "isbn", "meeting", "nct", "npi", "passcode", "pin", "pmcid", "pmid", "webinar",
	"zoom",
};
static const char *const PHONE_WORDS[] = {
	"call", "called", "calling", "cell", "contact", "dial", "ext", "fax", "landline",
	"line", "mobile", "number", "pager", "phone", "reach", "reached", "tel", "telephone",
	"text", "texted",
};

static const char *const STREET_SUFFIXES[] = {
	"alley", "ave", "avenue", "blvd", "boulevard", "cir", "circle", "close", "court",
	"cres", "crescent", "ct", "dr", "drive", "expressway", "freeway", "highway", "hwy",
	"lane", "ln", "loop", "parkway", "pike", "pkwy", "pl", "place", "plaza", "rd", "road",
	"row", "sq", "square", "st", "street", "ter", "terrace", "trail", "trl", "turnpike",
	"way",
};
/* Street words that come before the name ("47 Calle del Sol"). */
static const char *const STREET_PREFIXES[] = {
	"av", "avenida", "calle", "camino", "carrera", "highway", "hwy", "route", "rte", "rua",
	"rue", "strada", "via",
};
static const char *const DIRECTIONS[] = {
	"e", "east", "n", "ne", "north", "nw", "s", "se", "south", "sw", "w", "west",
};

static const char *const ROOM_WORDS[] = {
	"bay", "bed", "bedspace", "crib", "cubicle", "isolette", "rm", "room",
};
/* Rooms that are not a patient's: "breakout room 3". */
static const char *const NOT_PATIENT_ROOMS[] = {
	"bath", "board", "break", "break-out", "breakout", "call", "chat", "class",
	"conference", "consult", "day", "dining", "dorm", "exam", "family", "group", "hotel",
	"huddle", "lecture", "living", "lounge", "meditation", "meeting", "prayer", "quiet",
	"reading", "seminar", "sim", "simulation", "sitting", "small-group", "staff", "study",
	"team", "teams", "virtual", "waiting", "webex", "zoom",
};

/* Words after a number that make it a quantity, not an age or a room. */
static const char *const UNITS[] = {
	"bpm", "breaths", "cc", "cm", "day", "days", "degrees", "dollars", "g", "hour", "hours",
	"hr", "hrs", "kg", "l", "lb", "lbs", "mcg", "meq", "mg", "min", "mins", "minute",
	"minutes", "ml", "mm", "mmhg", "mmol", "month", "months", "ms", "night", "nights",
	"patients", "people", "percent", "points", "sec", "seconds", "times", "units", "week",
	"weeks", "x",
};

/* Office mailboxes: an email address whose name is one of these is not a
 * person's. */
static const char *const ROLE_MAILBOXES[] = {
	"admin", "admissions", "cme", "contact", "course", "courses", "do-not-reply",
	"education", "hello", "help", "info", "no-reply", "noreply", "office", "registrar",
	"support", "webmaster",
};

typedef struct word_list {
	const char *const *w;
	size_t n;
} word_list;

#define LIST(x) { x, N_OF(x) }
static const word_list ALL_LISTS[] = {
	LIST(TITLES), LIST(COLLEAGUE_TITLES), LIST(INTRO), LIST(STOP),
	LIST(CREDENTIALS), LIST(ABBREV), LIST(PARTICLES), LIST(GLUE),
	LIST(DIAGNOSES), LIST(BIRTH_WORDS), LIST(EVENT_WORDS), LIST(RECORD_WORDS),
	LIST(RECORD_SKIP), LIST(NOT_RECORD), LIST(PHONE_WORDS), LIST(STREET_SUFFIXES),
	LIST(STREET_PREFIXES), LIST(DIRECTIONS), LIST(ROOM_WORDS),
	LIST(NOT_PATIENT_ROOMS), LIST(UNITS), LIST(ROLE_MAILBOXES),
};

static const char *const CODE_NAMES[PRIVACY_CODE_COUNT] = {
	"name_with_age", "name_with_diagnosis", "name_with_room", "date_of_birth",
	"record_number", "phone", "email", "street_address", "room_bed",
	"exact_date", "age_over_89",
};

/* ---- UTF-8 and characters ----------------------------------------------- */

/* The code point at s[*i], advancing *i; -1 for bytes that are not UTF-8
 * (overlong forms, surrogates and values past U+10FFFF included). */
static int32_t utf8_next(const unsigned char *s, size_t n, size_t *i)
{
	unsigned c = s[*i];
	if (c < 0x80) {
		(*i)++;
		return (int32_t)c;
	}
	size_t len;
	uint32_t cp, min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2, cp = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, cp = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return -1;
	}
	if (n - *i < len)
		return -1;
	for (size_t k = 1; k < len; k++) {
		unsigned d = s[*i + k];
		if ((d & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (d & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*i += len;
	return (int32_t)cp;
}

/* Spaces, control characters (NUL included), the byte-order mark and the
 * zero-width space all separate words. */
static bool is_space(uint32_t c)
{
	return c <= 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

static bool is_line_break(uint32_t c)
{
	return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* Combining marks and joiners continue a word ("é" written as e + U+0301). */
static bool is_mark(uint32_t c)
{
	return (c >= 0x300 && c <= 0x36F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
	       (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
	       (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200C || c == 0x200D || c == 0xAD;
}

/* Letters of every script, roughly: what matters is that names in Latin
 * letters with accents are words, and that punctuation and symbols are not. */
static bool is_letter(uint32_t c)
{
	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	if (c == 0xAA || c == 0xB5 || c == 0xBA)
		return true;
	if (c < 0xC0 || c == 0xD7 || c == 0xF7)
		return false;
	if (c < 0x2000)
		return !is_mark(c) && c != 0x37E && c != 0x387;
	if (c < 0x2C00)
		return false;   /* punctuation, symbols, arrows, dingbats */
	if (c < 0x2E00)
		return true;    /* Glagolitic, Latin Extended-C, Coptic, ... */
	if (c < 0x3040)
		return false;   /* CJK punctuation */
	if (c < 0xD800)
		return true;
	if (c >= 0xF900 && c <= 0xFDFF)
		return true;
	if (c >= 0xFE70 && c <= 0xFEFC)
		return true;
	if ((c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A) ||
	    (c >= 0xFF66 && c <= 0xFFDC))
		return true;
	return c >= 0x10000 && c < 0x1F000 ? true : c >= 0x20000 && c < 0x40000;
}

static bool is_upper(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z';
	if (c >= 0xC0 && c <= 0xDE)
		return c != 0xD7;
	if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177) ||
	    (c >= 0x1E00 && c <= 0x1EFF))
		return c % 2 == 0;
	if (c >= 0x139 && c <= 0x148)
		return c % 2 == 1;
	if (c == 0x178 || c == 0x179 || c == 0x17B || c == 0x17D)
		return true;
	return (c >= 0x391 && c <= 0x3AB) || (c >= 0x400 && c <= 0x42F);
}

static bool is_apostrophe(uint32_t c)
{
	return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC;
}

static bool is_hyphen(uint32_t c)
{
	return c == '-' || c == 0x2010 || c == 0x2011 || c == 0x2212 || c == 0xFE63 ||
	       c == 0xFF0D;
}

/* Punctuation in its plain form. */
static uint32_t fold_punct(uint32_t c)
{
	if (is_apostrophe(c) || c == 0x201B || c == 0xB4 || c == '`')
		return '\'';
	if ((c >= 0x201C && c <= 0x201F) || c == 0xAB || c == 0xBB || c == 0x2039 ||
	    c == 0x203A)
		return '"';
	if (is_hyphen(c))
		return '-';
	if (c >= 0x2012 && c <= 0x2015)
		return DASH;
	if (c == 0x2026)
		return '.';
	if (c == 0xFF0C)
		return ',';
	if (c == 0xFF08)
		return '(';
	if (c == 0xFF09)
		return ')';
	if (c == 0xFF20 || c == 0xFE6B)
		return '@';
	return c;
}

/* ---- tokens ---------------------------------------------------------------- */

static void push(ctx *c, const tok *t, size_t *cap)
{
	if (c->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		c->t = arena_realloc(c->a, c->t, *cap * sizeof(tok), ncap * sizeof(tok));
		*cap = ncap;
	}
	c->t[c->n++] = *t;
}

/* A word from s[start] (its first letter, already decoded as first) to the
 * end of its letters, digits, marks and inner apostrophes or hyphens. */
static bool scan_word(ctx *c, size_t start, uint32_t first, tok *t)
{
	const unsigned char *s = c->s;
	size_t end = start;
	(void)utf8_next(s, c->len, &end);
	bool allcaps = is_upper(first);
	int letters = 1;
	for (;;) {
		if (end >= c->len)
			break;
		size_t j = end;
		int32_t d = utf8_next(s, c->len, &j);
		if (d < 0)
			return false;
		if (is_letter((uint32_t)d) || is_mark((uint32_t)d)) {
			if (is_letter((uint32_t)d)) {
				letters++;
				if (!is_upper((uint32_t)d))
					allcaps = false;
			}
			end = j;
			continue;
		}
		if (d >= '0' && d <= '9') {
			t->flags |= F_DIGITS;
			end = j;
			continue;
		}
		if (is_apostrophe((uint32_t)d) || is_hyphen((uint32_t)d)) {
			if (j >= c->len)
				break;
			size_t k = j;
			int32_t e = utf8_next(s, c->len, &k);
			if (e < 0)
				return false;
			if (is_letter((uint32_t)e) ||
			    (is_hyphen((uint32_t)d) && e >= '0' && e <= '9')) {
				end = j;
				continue;
			}
		}
		break;
	}
	t->kind = T_WORD;
	t->end = t->core_end = (uint32_t)end;
	if (is_upper(first))
		t->flags |= F_CAP;
	if (allcaps && letters >= 2)
		t->flags |= F_ALLCAPS;
	/* A possessive: 's or ’s (or ʼs) at the end, after at least one letter. */
	if (end - start >= 3 && (s[end - 1] == 's' || s[end - 1] == 'S')) {
		size_t q = end - 1;
		if (s[q - 1] == '\'') {
			t->core_end = (uint32_t)(q - 1);
		} else if (q >= start + 4 && s[q - 3] == 0xE2 && s[q - 2] == 0x80 &&
		           (s[q - 1] == 0x99 || s[q - 1] == 0x98)) {
			t->core_end = (uint32_t)(q - 3);
		} else if (q >= start + 3 && s[q - 2] == 0xCA && s[q - 1] == 0xBC) {
			t->core_end = (uint32_t)(q - 2);
		}
		if (t->core_end != end)
			t->flags |= F_POSS;
	}
	/* The folded core: "year‑old" (U+2011) compares as "year-old". */
	t->fold = (uint32_t)c->fold_used;
	for (size_t i = start; i < t->core_end;) {
		const unsigned char *q = s + i;
		size_t left = t->core_end - i;
		unsigned char out = q[0];
		size_t step = 1;
		if (left >= 3 && q[0] == 0xE2 && q[1] == 0x80 && (q[2] == 0x90 || q[2] == 0x91))
			out = '-', step = 3;
		else if (left >= 3 && q[0] == 0xE2 && q[1] == 0x88 && q[2] == 0x92)
			out = '-', step = 3;
		else if (left >= 3 && q[0] == 0xEF && ((q[1] == 0xB9 && q[2] == 0xA3) ||
		                                       (q[1] == 0xBC && q[2] == 0x8D)))
			out = '-', step = 3;
		else if (left >= 3 && q[0] == 0xE2 && q[1] == 0x80 && (q[2] == 0x98 || q[2] == 0x99))
			out = '\'', step = 3;
		else if (left >= 2 && q[0] == 0xCA && q[1] == 0xBC)
			out = '\'', step = 2;
		else if (left >= 2 && q[0] == 0xC2 && q[1] == 0xAD)
			step = 2, out = 0;      /* a soft hyphen: dropped */
		if (out)
			c->fold[c->fold_used++] = out;
		i += step;
	}
	t->fold_n = (uint32_t)(c->fold_used - t->fold);
	return true;
}

static privacy_status tokenize(ctx *c)
{
	size_t cap = 0, i = 0;
	uint8_t pending = 0;
	while (i < c->len) {
		size_t at = i;
		int32_t cp = utf8_next(c->s, c->len, &i);
		if (cp < 0)
			return PRIVACY_BAD_UTF8;
		uint32_t u = (uint32_t)cp;
		if (is_space(u) || (u == 0xAD)) {
			pending |= F_SPACE;
			if (is_line_break(u))
				pending |= F_NL;
			continue;
		}
		tok t = {0};
		t.start = (uint32_t)at;
		t.flags = pending;
		pending = 0;
		if (u >= '0' && u <= '9') {
			uint64_t v = u - '0';
			unsigned nd = 1;
			while (i < c->len && c->s[i] >= '0' && c->s[i] <= '9') {
				v = v * 10 + (c->s[i] - '0');
				if (v > 999999999)
					v = 999999999;
				if (nd < 255)
					nd++;
				i++;
			}
			t.kind = T_NUM;
			t.val = (uint32_t)v;
			t.ndig = (uint8_t)nd;
			t.end = t.core_end = (uint32_t)i;
		} else if (is_letter(u)) {
			if (!scan_word(c, at, u, &t))
				return PRIVACY_BAD_UTF8;
			i = t.end;
		} else if (is_mark(u)) {
			continue;   /* a stray mark outside a word */
		} else {
			t.kind = T_PUNCT;
			t.val = fold_punct(u);
			t.end = t.core_end = (uint32_t)i;
		}
		push(c, &t, &cap);
	}
	return PRIVACY_CHECKED;
}

/* ---- token tests ------------------------------------------------------------ */

/* Compare the bytes of p (ASCII letters lowered) with a lower-case word. */
static int cmp_lower(const unsigned char *p, size_t n, const char *w)
{
	size_t i = 0;
	for (; i < n && w[i]; i++) {
		unsigned char a = p[i], b = (unsigned char)w[i];
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a + 32);
		if (a != b)
			return a < b ? -1 : 1;
	}
	if (i < n)
		return 1;
	return w[i] ? -1 : 0;
}

static bool bytes_in(const unsigned char *p, size_t n, const char *const *list, size_t count)
{
	size_t lo = 0, hi = count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = cmp_lower(p, n, list[mid]);
		if (!r)
			return true;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

#define IN(c, k, list) in_list((c), (k), (list), N_OF(list))

/* A word's folded core (without its possessive); its length in *n. */
static const unsigned char *wtext(const ctx *c, size_t k, size_t *n)
{
	*n = c->t[k].fold_n;
	return c->fold + c->t[k].fold;
}

/* Is token k a word (without its possessive) in the list? */
static bool in_list(const ctx *c, size_t k, const char *const *list, size_t count)
{
	if (k >= c->n || c->t[k].kind != T_WORD)
		return false;
	size_t n;
	const unsigned char *p = wtext(c, k, &n);
	return bytes_in(p, n, list, count);
}

static bool is_word(const ctx *c, size_t k, const char *w)
{
	if (k >= c->n || c->t[k].kind != T_WORD)
		return false;
	size_t n;
	const unsigned char *p = wtext(c, k, &n);
	return !cmp_lower(p, n, w);
}

/* A word exactly as written (for acronyms: "ALL", not "all"). */
static bool is_exact(const ctx *c, size_t k, const char *w)
{
	if (k >= c->n || c->t[k].kind != T_WORD)
		return false;
	size_t n;
	const unsigned char *p = wtext(c, k, &n);
	return strlen(w) == n && !memcmp(p, w, n);
}

static bool is_punct(const ctx *c, size_t k, uint32_t ch)
{
	return k < c->n && c->t[k].kind == T_PUNCT && c->t[k].val == ch;
}

static bool is_num(const ctx *c, size_t k)
{
	return k < c->n && c->t[k].kind == T_NUM;
}

/* Token k follows token k-1 with nothing between them. */
static bool glued(const ctx *c, size_t k)
{
	return k > 0 && k < c->n && !(c->t[k].flags & F_SPACE);
}

static bool same_sentence(const ctx *c, size_t a, size_t b)
{
	return a < c->n && b < c->n && c->t[a].sent == c->t[b].sent;
}

static size_t word_len(const ctx *c, size_t k)
{
	return c->t[k].fold_n;
}

/* A single capital letter: an initial, or a bed ("bed B"). */
static bool is_letter_word(const ctx *c, size_t k)
{
	return k < c->n && c->t[k].kind == T_WORD && word_len(c, k) == 1 &&
	       (c->t[k].flags & F_CAP);
}

/* ---- findings ----------------------------------------------------------------- */

static void add_bytes(ctx *c, size_t start, size_t end, privacy_code code)
{
	if (c->nspans == c->spans_cap) {
		size_t ncap = c->spans_cap ? c->spans_cap * 2 : 8;
		c->spans = arena_realloc(c->a, c->spans, c->spans_cap * sizeof(privacy_span),
		                         ncap * sizeof(privacy_span));
		c->spans_cap = ncap;
	}
	c->spans[c->nspans++] = (privacy_span){start, end, code};
	c->codes |= 1u << code;
}

/* A finding over tokens [a, b). */
static void add(ctx *c, size_t a, size_t b, privacy_code code)
{
	if (b <= a)
		b = a + 1;
	add_bytes(c, c->t[a].start, c->t[b - 1].end, code);
}

/* ---- sentences ---------------------------------------------------------------- */

static bool closing(const ctx *c, size_t k)
{
	return is_punct(c, k, '"') || is_punct(c, k, '\'') || is_punct(c, k, ')') ||
	       is_punct(c, k, ']') || is_punct(c, k, '*') || is_punct(c, k, '_');
}

/* Does punctuation token k end a sentence? */
static bool ends_sentence(const ctx *c, size_t k)
{
	const tok *t = &c->t[k];
	if (t->kind != T_PUNCT)
		return false;
	uint32_t ch = t->val;
	if (ch != '.' && ch != '!' && ch != '?' && ch != ';')
		return false;
	size_t j = k + 1;
	while (j < c->n && closing(c, j) && glued(c, j))
		j++;
	if (j >= c->n)
		return true;
	if (ch == '.' && glued(c, j))
		return false;   /* 2.5, y.o */
	if (ch == '.') {
		if (k > 0 && glued(c, k) && c->t[k - 1].kind == T_WORD &&
		    (word_len(c, k - 1) == 1 || IN(c, k - 1, ABBREV)))
			return false;   /* Mr. Chen, J. M., Apt. 2 */
		if (c->t[j].kind == T_WORD && !(c->t[j].flags & F_CAP))
			return false;   /* a sentence does not start in lower case */
	}
	return true;
}

static void sentences(ctx *c)
{
	uint32_t sent = 0;
	bool start = true;
	for (size_t k = 0; k < c->n; k++) {
		if (k > 0 && (c->t[k].flags & F_NL)) {
			sent++;
			start = true;
		}
		c->t[k].sent = sent;
		if (start && c->t[k].kind != T_PUNCT) {
			c->t[k].flags |= F_FIRST;
			start = false;
		}
		if (ends_sentence(c, k)) {
			sent++;
			start = true;
		} else if (is_punct(c, k, ':') && !glued(c, k + 1)) {
			/* "Reflection: Ms. Brennan ...": a label; what follows starts
			 * afresh, but "DOB: 4/12/1950" stays one sentence. */
			start = true;
		}
	}
}

/* ---- names ---------------------------------------------------------------------- */

/* A capitalised word that may be part of a name (not an acronym). */
static bool cap_word(const ctx *c, size_t k)
{
	return k < c->n && c->t[k].kind == T_WORD && (c->t[k].flags & F_CAP) &&
	       !(c->t[k].flags & F_ALLCAPS) && !(c->t[k].flags & F_DIGITS) &&
	       word_len(c, k) >= 2;
}

/* Initials from k: "J." "M." ... ; returns the token after them, or k. */
static size_t initials(const ctx *c, size_t k)
{
	size_t j = k;
	while (is_letter_word(c, j) && is_punct(c, j + 1, '.') && glued(c, j + 1) &&
	       same_sentence(c, k, j))
		j += 2;
	return j;
}

/* Name words from k: capitalised words (stop-listed ones only when `any`),
 * particles between them, initials; at most four words; a possessive ends
 * the name. Returns the token after the name, or k when there is none. */
static size_t name_words(const ctx *c, size_t k, bool any)
{
	size_t j = k, words = 0;
	while (j < c->n && words < 4) {
		if (j != k && !same_sentence(c, k, j) && !is_punct(c, j - 1, '.'))
			break;
		size_t after = initials(c, j);
		if (after > j) {
			j = after;
			words++;
			continue;
		}
		if (cap_word(c, j) && (any || !IN(c, j, STOP))) {
			words++;
			j++;
			if (c->t[j - 1].flags & F_POSS)
				break;
			continue;
		}
		if (words > 0 && IN(c, j, PARTICLES) && !(c->t[j].flags & F_CAP) &&
		    cap_word(c, j + 1)) {
			j++;
			continue;
		}
		/* Two or three capitals after a title: "Mr. JM". */
		if (any && words == 0 && (c->t[j].flags & F_ALLCAPS) && word_len(c, j) <= 3) {
			words++;
			j++;
			continue;
		}
		break;
	}
	return words ? j : k;
}

/* Is the name ending before token e followed by a credential ("Chidi
 * Okafor, RN")? */
static bool credential_after(const ctx *c, size_t e)
{
	size_t j = e;
	if (is_punct(c, j, ','))
		j++;
	if (!IN(c, j, CREDENTIALS))
		return false;
	/* "do" and "pa" are words too: a credential is written with capitals. */
	return (c->t[j].flags & F_CAP) != 0;
}

static void add_name(ctx *c, size_t a, size_t b, int strength, size_t *cap)
{
	if (credential_after(c, b))
		return;
	if (c->nnames == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		c->names = arena_realloc(c->a, c->names, *cap * sizeof(name_span),
		                         ncap * sizeof(name_span));
		*cap = ncap;
	}
	c->names[c->nnames++] = (name_span){(uint32_t)a, (uint32_t)b, (uint8_t)strength};
	for (size_t k = a; k < b; k++)
		c->name_at[k] = (int32_t)(c->nnames - 1);
}

static void find_names(ctx *c)
{
	size_t cap = 0;
	c->name_at = arena_alloc(c->a, (c->n ? c->n : 1) * sizeof(int32_t));
	for (size_t k = 0; k < c->n; k++)
		c->name_at[k] = -1;
	for (size_t k = 0; k < c->n;) {
		if (c->t[k].kind != T_WORD) {
			k++;
			continue;
		}
		size_t j = k + 1;
		if (is_punct(c, j, '.') && glued(c, j))
			j++;
		/* Colleagues: skip the title and the name after it. */
		if ((c->t[k].flags & F_CAP) && IN(c, k, COLLEAGUE_TITLES)) {
			size_t e = name_words(c, j, true);
			if (e > j) {
				k = e;
				continue;
			}
		}
		if ((c->t[k].flags & F_CAP) && IN(c, k, TITLES) && !(c->t[k].flags & F_POSS)) {
			size_t from = j;
			if (is_word(c, k, "baby") && (is_word(c, j, "boy") || is_word(c, j, "girl")))
				from = j + 1;
			size_t e = name_words(c, from, true);
			if (e > from) {
				add_name(c, k, e, N_TITLED, &cap);
				k = e;
				continue;
			}
		}
		if (!(c->t[k].flags & F_CAP) && IN(c, k, INTRO) && !(c->t[k].flags & F_POSS)) {
			size_t e = name_words(c, k + 1, true);
			if (e > k + 1 && !IN(c, k + 1, STOP)) {
				add_name(c, k + 1, e, N_INTRO, &cap);
				k = e;
				continue;
			}
			if (e > k + 1 && (is_word(c, k, "named") || is_word(c, k, "called"))) {
				add_name(c, k + 1, e, N_INTRO, &cap);
				k = e;
				continue;
			}
		}
		size_t e = name_words(c, k, false);
		if (e > k) {
			add_name(c, k, e, (c->t[k].flags & F_FIRST) ? N_INITIAL : N_MID, &cap);
			k = e;
			continue;
		}
		k++;
	}
}

/* ---- ages ------------------------------------------------------------------------ */

/* Is the word at k a spelled age of ninety or more ("ninety-two",
 * "ninety-two-year-old", "hundred-year-old")? */
static bool spelled_old(const ctx *c, size_t k)
{
	if (k >= c->n || c->t[k].kind != T_WORD)
		return false;
	size_t n;
	const unsigned char *p = wtext(c, k, &n);
	static const char *const heads[] = {"ninety", "one-hundred", "hundred", "a-hundred"};
	for (size_t i = 0; i < N_OF(heads); i++) {
		size_t h = strlen(heads[i]);
		if (n >= h && !cmp_lower(p, h, heads[i]) && (n == h || p[h] == '-'))
			return true;
	}
	static const char *const old_words[] = {"centenarian", "nonagenarian", "supercentenarian"};
	return IN(c, k, old_words);
}

/* Does the word at k end with "-old" or equal "old"? */
static bool ends_old(const ctx *c, size_t k)
{
	if (k >= c->n || c->t[k].kind != T_WORD)
		return false;
	size_t n;
	const unsigned char *p = wtext(c, k, &n);
	return (n == 3 && !cmp_lower(p, 3, "old")) || (n > 4 && !cmp_lower(p + n - 4, 4, "-old"));
}

/* An age phrase starting at the number k: "93-year-old", "93 year old",
 * "93 yo", "93y/o", "93 y.o.", "93 years old", "93 years of age", "6-month-old",
 * "3 days old", "45M". Returns the token after it (0: none) and the age in
 * years (0 for months, weeks and days). */
static size_t age_phrase(const ctx *c, size_t k, unsigned *years)
{
	if (!is_num(c, k) || c->t[k].ndig > 3)
		return 0;
	unsigned v = c->t[k].val;
	size_t j = k + 1;
	if (is_punct(c, j, '-') && glued(c, j) && glued(c, j + 1))
		j++;    /* 93-year-old */
	if (j >= c->n || c->t[j].kind != T_WORD)
		return 0;
	size_t n;
	const unsigned char *p = wtext(c, j, &n);
	/* The unit's first part: year(s)/yr(s), month(s)/mo, week(s)/wk, day(s). */
	static const struct { const char *w; bool years; } units[] = {
		{"year", true}, {"years", true}, {"yr", true}, {"yrs", true},
		{"month", false}, {"months", false}, {"mo", false}, {"week", false},
		{"weeks", false}, {"wk", false}, {"day", false}, {"days", false},
	};
	size_t head = n;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '-') {
			head = i;
			break;
		}
	for (size_t u = 0; u < N_OF(units); u++) {
		if (cmp_lower(p, head, units[u].w))
			continue;
		*years = units[u].years ? v : 0;
		if (head < n && ends_old(c, j))
			return j + 1;                           /* year-old */
		if (head == n && ends_old(c, j + 1))
			return j + 2;                           /* year old, years old */
		if (head == n && is_punct(c, j + 1, '-') && glued(c, j + 1) && ends_old(c, j + 2))
			return j + 3;                           /* year -old */
		if (units[u].years && head == n && is_word(c, j + 1, "young"))
			return j + 2;
		if (units[u].years && head == n && is_word(c, j + 1, "of") && is_word(c, j + 2, "age"))
			return j + 3;
		return 0;
	}
	*years = v;
	if (!cmp_lower(p, n, "yo") || !cmp_lower(p, n, "yoa"))
		return j + 1;
	if (!cmp_lower(p, n, "y") && (is_punct(c, j + 1, '/') || is_punct(c, j + 1, '.')) &&
	    is_word(c, j + 2, "o")) {
		size_t e = j + 3;
		if (is_punct(c, e, '.') && glued(c, e))
			e++;
		return e;
	}
	/* 45M, 56F: glued to the number only. */
	if (j == k + 1 && glued(c, j) && n == 1 && (p[0] == 'M' || p[0] == 'F'))
		return j + 1;
	return 0;
}

/* Is the number at k followed by what makes it a quantity or a part of a
 * bigger number (a unit, %, a fraction, a time, a decimal, a range)? */
static bool quantity_after(const ctx *c, size_t k)
{
	size_t j = k + 1;
	if (j >= c->n)
		return false;
	if (c->t[j].kind == T_PUNCT) {
		uint32_t ch = c->t[j].val;
		if (ch == '%' || ch == '/' || ch == ':' || ch == '+' || ch == DASH ||
		    (ch == '-' && is_num(c, j + 1)))
			return true;
		if (ch == '.' && glued(c, j) && is_num(c, j + 1) && glued(c, j + 1))
			return true;
		return false;
	}
	if (c->t[j].kind == T_WORD && IN(c, j, UNITS))
		return true;
	if (is_word(c, j, "to") && is_num(c, j + 1))
		return true;
	return false;
}

/* A number that is an age by itself after "Name," or "Name (": it is
 * followed by a comma, a closing parenthesis, a full stop, a semicolon, a
 * dash or nothing. */
static bool bare_age(const ctx *c, size_t k, bool paren)
{
	if (!is_num(c, k) || c->t[k].ndig > 3 || c->t[k].val > 125)
		return false;
	size_t j = k + 1;
	if (j >= c->n || !same_sentence(c, k, j))
		return !paren;
	if (c->t[j].kind != T_PUNCT)
		return false;
	uint32_t ch = c->t[j].val;
	if (paren)
		return ch == ')' || ch == ',';
	if (ch == '.' && glued(c, j) && is_num(c, j + 1))
		return false;
	return ch == ',' || ch == ')' || ch == '.' || ch == ';' || ch == DASH || ch == ':';
}

/* An age starting at k (an age phrase, "age 82", "aged 82", a bare number
 * where one is allowed). Returns the token after it and the years. */
static size_t age_at(const ctx *c, size_t k, bool bare_ok, bool paren, unsigned *years)
{
	size_t e = age_phrase(c, k, years);
	if (e)
		return e;
	if ((is_word(c, k, "age") || is_word(c, k, "aged"))) {
		size_t j = k + 1;
		if (is_punct(c, j, ':'))
			j++;
		if (is_num(c, j) && c->t[j].ndig <= 3 && c->t[j].val <= 125 && !quantity_after(c, j)) {
			*years = c->t[j].val;
			return j + 1;
		}
	}
	if (bare_ok && bare_age(c, k, paren)) {
		*years = c->t[k].val;
		return k + 1;
	}
	return 0;
}

static void flag_age(ctx *c, size_t a, size_t b, unsigned years)
{
	if (years >= 90 && years <= 130)
		add(c, a, b, PRIVACY_AGE_OVER_89);
}

/* A name beside an age: after it ("Mrs. Alvarez, 82", "Mr. Okonkwo (67)",
 * "Rosa Delgado, a 58-year-old", "Ms. Haddad is 47", "Ava, who is 7") or
 * before it ("a 71-year-old, Mr. Bianchi", "82-year-old Mrs. Alvarez", "a
 * 6-month-old named Eli"). */
static void names_with_ages(ctx *c)
{
	for (size_t i = 0; i < c->nnames; i++) {
		const name_span *nm = &c->names[i];
		size_t b = nm->b, j, e;
		unsigned years = 0;
		bool poss = (c->t[b - 1].flags & F_POSS) != 0;
		if (!poss && (is_punct(c, b, ',') || is_punct(c, b, '(')) && same_sentence(c, nm->a, b + 1)) {
			bool paren = is_punct(c, b, '(');
			j = b + 1;
			if (is_word(c, j, "a") || is_word(c, j, "an") || is_word(c, j, "now") ||
			    is_word(c, j, "only") || is_word(c, j, "just"))
				j++;
			if (is_word(c, j, "who") && (is_word(c, j + 1, "is") || is_word(c, j + 1, "was") ||
			                             is_word(c, j + 1, "turned")))
				j += 2;
			if ((e = age_at(c, j, true, paren, &years))) {
				add(c, nm->a, e, PRIVACY_NAME_WITH_AGE);
				flag_age(c, j, e, years);
				continue;
			}
			/* An apposition first: "Mr. Jones, a retired teacher, 84,". */
			if (!paren && (is_word(c, j, "a") || is_word(c, j - 1, "a") || is_word(c, j, "our") ||
			               is_word(c, j, "my") || is_word(c, j, "the"))) {
				size_t q = j;
				while (q < j + 6 && q < c->n && c->t[q].kind == T_WORD &&
				       !(c->t[q].flags & F_CAP))
					q++;
				if (is_punct(c, q, ',') && (e = age_at(c, q + 1, true, false, &years)) &&
				    c->t[q + 1].kind == T_NUM) {
					add(c, nm->a, e, PRIVACY_NAME_WITH_AGE);
					flag_age(c, q + 1, e, years);
					continue;
				}
			}
		}
		/* "Ms. Haddad is 47", "Mr. Lee was only 34", "Jamal is a 14-year-old". */
		if (!poss && (is_word(c, b, "is") || is_word(c, b, "was") || is_word(c, b, "turned") ||
		              is_word(c, b, "turns"))) {
			j = b + 1;
			if (is_word(c, j, "now") || is_word(c, j, "only") || is_word(c, j, "just") ||
			    is_word(c, j, "barely") || is_word(c, j, "almost") || is_word(c, j, "nearly"))
				j++;
			bool article = is_word(c, j, "a") || is_word(c, j, "an");
			if (article)
				j++;
			if ((e = age_phrase(c, j, &years))) {
				add(c, nm->a, e, PRIVACY_NAME_WITH_AGE);
				flag_age(c, j, e, years);
				continue;
			}
			if (!article && nm->strength >= N_MID && is_num(c, j) && c->t[j].ndig <= 3 &&
			    c->t[j].val <= 125 && !quantity_after(c, j) && same_sentence(c, b, j)) {
				add(c, nm->a, j + 1, PRIVACY_NAME_WITH_AGE);
				flag_age(c, j, j + 1, c->t[j].val);
				continue;
			}
			if (!article && spelled_old(c, j)) {
				add(c, nm->a, j + 1, PRIVACY_NAME_WITH_AGE);
				add(c, j, j + 1, PRIVACY_AGE_OVER_89);
				continue;
			}
		}
		/* Before the name: the age phrase ends at a-1, or before a comma,
		 * "named", "called" or "patient" there. */
		size_t a = nm->a;
		size_t skip = 0, q = a;
		while (q > 0 && skip < 2 &&
		       (is_punct(c, q - 1, ',') || is_word(c, q - 1, "named") ||
		        is_word(c, q - 1, "called") || is_word(c, q - 1, "patient") ||
		        is_word(c, q - 1, "pt"))) {
			q--;
			skip++;
		}
		if (q == 0 || (skip == 0 && nm->strength != N_TITLED))
			continue;
		/* Find an age phrase that ends exactly at q: it starts at most six
		 * tokens earlier, with a number. */
		for (size_t s = q >= 7 ? q - 7 : 0; s < q; s++) {
			if (!is_num(c, s) || !same_sentence(c, s, a))
				continue;
			if ((e = age_phrase(c, s, &years)) == q) {
				add(c, s, nm->b, PRIVACY_NAME_WITH_AGE);
				flag_age(c, s, e, years);
				break;
			}
		}
	}
}

/* Ages of 90 and more, with or without a name: "a 93-year-old", "aged 94",
 * "turned 97", "her 94th birthday", "she is 90", "At 93,". Not a group:
 * "aged 90 and older", "patients over 90". */
static void old_ages(ctx *c)
{
	static const char *const subjects[] = {
		"dad", "father", "grandfather", "grandma", "grandmother", "grandpa", "he",
		"husband", "man", "mom", "mother", "patient", "pt", "she", "wife", "woman",
	};
	for (size_t k = 0; k < c->n; k++) {
		unsigned years = 0;
		size_t e;
		if (c->t[k].kind == T_WORD && spelled_old(c, k)) {
			/* "ninety-two-year-old", "ninety-two years old", "a centenarian",
			 * and "ninety-two" after is/was/turned/aged. */
			size_t n;
			const unsigned char *p = wtext(c, k, &n);
			bool old = ends_old(c, k) || (n > 5 && !cmp_lower(p, 5, "cente")) ||
			           (n > 5 && !cmp_lower(p, 5, "nonag")) || (n > 5 && !cmp_lower(p, 5, "super")) ||
			           (is_word(c, k + 1, "years") && ends_old(c, k + 2));
			bool after_verb = k > 0 && (is_word(c, k - 1, "is") || is_word(c, k - 1, "was") ||
			                            is_word(c, k - 1, "turned") || is_word(c, k - 1, "aged") ||
			                            is_word(c, k - 1, "age"));
			if (old || after_verb)
				add(c, k, k + 1, PRIVACY_AGE_OVER_89);
			continue;
		}
		if (!is_num(c, k))
			continue;
		if ((e = age_phrase(c, k, &years))) {
			if (years >= 90 && years <= 130 && !is_word(c, e, "and") && !is_word(c, e, "or") &&
			    !is_punct(c, e, '+'))
				add(c, k, e, PRIVACY_AGE_OVER_89);
			continue;
		}
		unsigned v = c->t[k].val;
		if (c->t[k].ndig > 3 || v < 90 || v > 130)
			continue;
		/* "94th birthday" */
		if (glued(c, k + 1) && (is_word(c, k + 1, "th") || is_word(c, k + 1, "st") ||
		                        is_word(c, k + 1, "nd") || is_word(c, k + 1, "rd")) &&
		    is_word(c, k + 2, "birthday")) {
			add(c, k, k + 3, PRIVACY_AGE_OVER_89);
			continue;
		}
		if (quantity_after(c, k))
			continue;
		/* A group: "aged 90 and older", "90 or over", "90+". */
		if ((is_word(c, k + 1, "and") || is_word(c, k + 1, "or")) &&
		    (is_word(c, k + 2, "older") || is_word(c, k + 2, "over") ||
		     is_word(c, k + 2, "above") || is_word(c, k + 2, "up") || is_word(c, k + 2, "beyond")))
			continue;
		if (is_word(c, k + 1, "plus") || is_word(c, k + 1, "years") || is_word(c, k + 1, "year"))
			continue;
		size_t p = k - (k > 0);
		if (k == 0)
			continue;
		if (is_punct(c, p, ':') && p > 0)
			p--;
		bool hit = false;
		if (is_word(c, p, "aged") || is_word(c, p, "age") || is_word(c, p, "turned") ||
		    is_word(c, p, "turning") || is_word(c, p, "turns"))
			hit = true;
		/* "she is 90", "the patient was 93" */
		if ((is_word(c, p, "is") || is_word(c, p, "was")) && p > 0 && IN(c, p - 1, subjects))
			hit = true;
		/* "At 93, she ..." */
		if (is_word(c, p, "at") && (c->t[p].flags & F_FIRST) && is_punct(c, k + 1, ','))
			hit = true;
		if (hit && same_sentence(c, p, k))
			add(c, p, k + 1, PRIVACY_AGE_OVER_89);
	}
}

/* ---- diagnoses ------------------------------------------------------------------- */

/* Is the word at k a diagnosis ("ALS", "cancer", "Duchenne", "post-stroke")? */
static bool diagnosis(const ctx *c, size_t k)
{
	if (k >= c->n || c->t[k].kind != T_WORD)
		return false;
	const tok *t = &c->t[k];
	size_t n;
	const unsigned char *p = wtext(c, k, &n);
	if ((t->flags & F_ALLCAPS) || n <= 5) {
		for (size_t i = 0; i < N_OF(DIAGNOSIS_ACRONYMS); i++)
			if (is_exact(c, k, DIAGNOSIS_ACRONYMS[i]))
				return true;
		if (t->flags & F_ALLCAPS && n <= 5)
			return false;
	}
	if (bytes_in(p, n, DIAGNOSES, N_OF(DIAGNOSES)))
		return true;
	for (size_t i = n; i > 0; i--)
		if (p[i - 1] == '-')
			return bytes_in(p + i, n - i, DIAGNOSES, N_OF(DIAGNOSES));
	return false;
}

/* May token k sit between a name and its diagnosis? */
static bool glue(const ctx *c, size_t k)
{
	const tok *t = &c->t[k];
	if (t->kind == T_NUM)
		return true;
	if (t->kind == T_PUNCT)
		return t->val == ',' || t->val == '(' || t->val == '-' || t->val == DASH ||
		       t->val == '/';
	return IN(c, k, GLUE) || ends_old(c, k);
}

static void names_with_diagnoses(ctx *c)
{
	for (size_t i = 0; i < c->nnames; i++) {
		const name_span *nm = &c->names[i];
		size_t b = nm->b;
		bool poss = (c->t[b - 1].flags & F_POSS) != 0;
		/* "Kids with cancer": a bare plural is not a name. */
		if (!poss && nm->strength <= N_MID && nm->b == nm->a + 1 && is_word(c, b, "with")) {
			size_t n;
			const unsigned char *p = wtext(c, nm->a, &n);
			if (n > 2 && p[n - 1] == 's' && p[n - 2] != 's')
				continue;
		}
		size_t limit = poss ? 4 : 10;
		size_t found = 0, from = b;
		/* An apposition first: "Mr. Patel, a retired engineer with ALS". */
		if (!poss && is_punct(c, b, ',') && (is_word(c, b + 1, "a") || is_word(c, b + 1, "an"))) {
			size_t q = b + 2;
			while (q < b + 6 && q < c->n && c->t[q].kind == T_WORD && !(c->t[q].flags & F_CAP) &&
			       !is_word(c, q, "with") && !is_word(c, q, "who"))
				q++;
			if (is_word(c, q, "with") || is_word(c, q, "who"))
				from = q;
		}
		for (size_t k = from, steps = 0; k < c->n && steps <= limit; k++, steps++) {
			if (!same_sentence(c, nm->a, k))
				break;
			if (diagnosis(c, k)) {
				found = k + 1;
				break;
			}
			if (!glue(c, k))
				break;
		}
		/* Before the name: "an ALS patient, Mr. Chen", "a leukemia patient
		 * named Ray". */
		if (!found && nm->a >= 2) {
			size_t q = nm->a, skip = 0;
			while (q > 0 && skip < 3 &&
			       (is_punct(c, q - 1, ',') || is_word(c, q - 1, "patient") ||
			        is_word(c, q - 1, "named") || is_word(c, q - 1, "called") ||
			        is_word(c, q - 1, "pt"))) {
				q--;
				skip++;
			}
			if (skip && q > 0 && diagnosis(c, q - 1) && same_sentence(c, q - 1, nm->a)) {
				add(c, q - 1, nm->b, PRIVACY_NAME_WITH_DIAGNOSIS);
				continue;
			}
		}
		/* A titled name and "his/her" diagnosis later in the sentence: "Mr.
		 * Osei's wife asked about his dementia". */
		if (!found && nm->strength >= N_INTRO) {
			for (size_t k = b, steps = 0; k + 1 < c->n && steps < 10; k++, steps++) {
				if (!same_sentence(c, nm->a, k + 1))
					break;
				if (!(is_word(c, k, "his") || is_word(c, k, "her")))
					continue;
				for (size_t q = k + 1; q < c->n && q < k + 5 && same_sentence(c, k, q); q++) {
					if (diagnosis(c, q)) {
						found = q + 1;
						break;
					}
					if (!glue(c, q))
						break;
				}
				if (found)
					break;
			}
		}
		if (found)
			add(c, nm->a, found, PRIVACY_NAME_WITH_DIAGNOSIS);
	}
}

/* ---- rooms and beds -------------------------------------------------------------- */

static void rooms(ctx *c)
{
	for (size_t k = 0; k < c->n; k++) {
		if (!IN(c, k, ROOM_WORDS) || (c->t[k].flags & F_POSS))
			continue;
		if (k > 0 && IN(c, k - 1, NOT_PATIENT_ROOMS))
			continue;
		size_t j = k + 1;
		if (is_punct(c, j, '.') && glued(c, j))
			j++;
		if (is_punct(c, j, '#') || is_word(c, j, "number") || is_word(c, j, "no"))
			j++;
		if (is_punct(c, j, '.') && glued(c, j))
			j++;
		if (is_punct(c, j, '#'))
			j++;
		size_t e = 0;
		if (is_num(c, j) && c->t[j].ndig <= 5 && same_sentence(c, k, j)) {
			e = j + 1;
			/* 4B, 12A, 4-312 */
			if (e < c->n && glued(c, e) && c->t[e].kind == T_WORD && word_len(c, e) <= 2)
				e++;
			else if (is_punct(c, e, '-') && glued(c, e) && is_num(c, e + 1) && glued(c, e + 1))
				e += 2;
			if (e < c->n && (IN(c, e, UNITS) || is_word(c, e, "beds") || is_word(c, e, "rooms") ||
			                 is_punct(c, e, '%')))
				e = 0;
			if (e && (is_punct(c, e, '/') || is_punct(c, e, ':')) && glued(c, e))
				e = 0;
		} else if (is_letter_word(c, j) && !is_word(c, k, "room") && !is_word(c, k, "rm") &&
		           same_sentence(c, k, j)) {
			/* bed B, bay C: one capital letter from A to H */
			unsigned char L = c->s[c->t[j].start];
			if (L >= 'A' && L <= 'H' && !(is_punct(c, j + 1, '.') && glued(c, j + 1) &&
			                              is_letter_word(c, j + 2)))
				e = j + 1;
		}
		if (!e)
			continue;
		add(c, k, e, PRIVACY_ROOM_BED);
		/* A name within six tokens of the room, in the same sentence. */
		size_t lo = k >= 6 ? k - 6 : 0, hi = e + 6 < c->n ? e + 6 : c->n;
		for (size_t q = lo; q < hi; q++) {
			if (q >= k && q < e)
				continue;
			int32_t ni = c->name_at[q];
			if (ni < 0 || !same_sentence(c, q, k))
				continue;
			const name_span *nm = &c->names[ni];
			size_t a = nm->a < k ? nm->a : k;
			size_t b = nm->b > e ? nm->b : e;
			add(c, a, b, PRIVACY_NAME_WITH_ROOM);
			break;
		}
	}
}

/* ---- dates ----------------------------------------------------------------------- */

static int month_of(const ctx *c, size_t k)
{
	static const struct { const char *w; int m; bool cap; } months[] = {
		{"january", 1, false}, {"jan", 1, false}, {"february", 2, false}, {"feb", 2, false},
		{"march", 3, false}, {"mar", 3, true}, {"april", 4, false}, {"apr", 4, false},
		{"may", 5, true}, {"june", 6, false}, {"jun", 6, false}, {"july", 7, false},
		{"jul", 7, false}, {"august", 8, false}, {"aug", 8, false}, {"september", 9, false},
		{"sept", 9, false}, {"sep", 9, false}, {"october", 10, false}, {"oct", 10, false},
		{"november", 11, false}, {"nov", 11, false}, {"december", 12, false}, {"dec", 12, false},
	};
	if (k >= c->n || c->t[k].kind != T_WORD || (c->t[k].flags & F_POSS))
		return 0;
	size_t n = word_len(c, k);
	if (n < 3 || n > 9)
		return 0;
	for (size_t i = 0; i < N_OF(months); i++)
		if (is_word(c, k, months[i].w) && (!months[i].cap || (c->t[k].flags & F_CAP)))
			return months[i].m;
	return 0;
}

/* A day of the month at k, with its ordinal ("3", "3rd"); the token after. */
static size_t day_at(const ctx *c, size_t k)
{
	if (!is_num(c, k) || c->t[k].ndig > 2 || c->t[k].val < 1 || c->t[k].val > 31)
		return 0;
	size_t e = k + 1;
	if (glued(c, e) && (is_word(c, e, "st") || is_word(c, e, "nd") || is_word(c, e, "rd") ||
	                    is_word(c, e, "th")))
		e++;
	if (e < c->n && glued(c, e) && (c->t[e].kind == T_NUM || c->t[e].kind == T_WORD))
		return 0;
	if (is_punct(c, e, ':') || is_punct(c, e, '%'))
		return 0;   /* March 3:00, 3% */
	if (e < c->n && (IN(c, e, UNITS) || is_word(c, e, "am") || is_word(c, e, "pm")))
		return 0;
	return e;
}

/* A year after a date: ", 1938" or " 1938" or "/2025". */
static size_t year_after(const ctx *c, size_t e)
{
	size_t j = e;
	if (is_punct(c, j, ','))
		j++;
	if (is_num(c, j) && c->t[j].ndig == 4 && c->t[j].val >= 1850 && c->t[j].val <= 2199 &&
	    same_sentence(c, e - 1, j))
		return j + 1;
	return e;
}

static bool num_between(const ctx *c, size_t k, unsigned lo, unsigned hi, unsigned maxdig)
{
	return is_num(c, k) && c->t[k].ndig <= maxdig && c->t[k].val >= lo && c->t[k].val <= hi;
}

/* A date starting at k: "March 3", "Mar. 3rd, 2025", "14 August", "the 2nd of
 * January", "11/14/2025", "2/17", "1961-07-19", "14.11.2025". Returns the
 * token after it, or 0. */
static size_t date_at(const ctx *c, size_t k)
{
	size_t j, e;
	if (month_of(c, k)) {
		j = k + 1;
		if (is_punct(c, j, '.') && glued(c, j))
			j++;
		if ((e = day_at(c, j)) && same_sentence(c, k, j))
			return year_after(c, e);
		return 0;
	}
	if (!is_num(c, k) || (k > 0 && glued(c, k) && (is_num(c, k - 1) || c->t[k - 1].kind == T_WORD ||
	                                            is_punct(c, k - 1, '/') || is_punct(c, k - 1, '-') ||
	                                            is_punct(c, k - 1, '.'))))
		return 0;
	/* 14 August, 2nd of January */
	if ((e = day_at(c, k))) {
		j = e;
		if (is_word(c, j, "of"))
			j++;
		if (month_of(c, j) && same_sentence(c, k, j))
			return year_after(c, j + 1);
	}
	/* Numbers joined by / - . without spaces. */
	size_t parts[3], np = 0;
	uint32_t sep = 0;
	j = k;
	for (;;) {
		parts[np++] = j;
		if (np == 3)
			break;
		size_t s = j + 1;
		if (!(s < c->n && c->t[s].kind == T_PUNCT && glued(c, s) && is_num(c, s + 1) &&
		      glued(c, s + 1)))
			break;
		uint32_t ch = c->t[s].val;
		if (ch != '/' && ch != '-' && ch != '.')
			break;
		if (sep && ch != sep)
			return 0;
		sep = ch;
		j = s + 1;
	}
	e = parts[np - 1] + 1;
	/* A fourth part, or letters glued on: not a date. */
	if (e < c->n && glued(c, e) &&
	    (c->t[e].kind != T_PUNCT || ((c->t[e].val == '/' || c->t[e].val == '-') && is_num(c, e + 1))))
		return 0;
	if (np == 2 && sep == '/') {
		/* m/d (or d/m): only ever a date beside the words of an event. */
		bool md = num_between(c, parts[0], 1, 12, 2) && num_between(c, parts[1], 1, 31, 2);
		bool dm = num_between(c, parts[0], 1, 31, 2) && num_between(c, parts[1], 1, 12, 2);
		return md || dm ? e : 0;
	}
	if (np != 3)
		return 0;
	size_t y;
	if (c->t[parts[0]].ndig == 4) {
		/* 1961-07-19 */
		if (sep == '.' || !num_between(c, parts[1], 1, 12, 2) || !num_between(c, parts[2], 1, 31, 2))
			return 0;
		y = parts[0];
	} else {
		y = parts[2];
		bool md = num_between(c, parts[0], 1, 12, 2) && num_between(c, parts[1], 1, 31, 2);
		bool dm = num_between(c, parts[0], 1, 31, 2) && num_between(c, parts[1], 1, 12, 2);
		if (!md && !dm)
			return 0;
		if (c->t[y].ndig != 4 && !(c->t[y].ndig == 2 && sep == '/'))
			return 0;
	}
	if (c->t[y].ndig == 4 && (c->t[y].val < 1850 || c->t[y].val > 2199))
		return 0;
	return e;
}

/* Is the word at k one of an event ("admitted", "died", "passed away")? */
static bool event_word(const ctx *c, size_t k)
{
	if (!IN(c, k, EVENT_WORDS))
		return false;
	if (is_word(c, k, "passed"))
		return is_word(c, k + 1, "away") || is_word(c, k + 1, "on") || is_num(c, k + 1) ||
		       month_of(c, k + 1);
	return true;
}

static void dates(ctx *c)
{
	for (size_t k = 0; k < c->n; k++) {
		size_t e = date_at(c, k);
		if (!e)
			continue;
		int kind = 0;   /* 1: birth, 2: event */
		/* The words before it (up to eight words and numbers, same sentence),
		 * nearest first, then the three after it. */
		size_t words = 0;
		for (size_t q = k; q > 0 && words < 8; q--) {
			size_t p = q - 1;
			if (!same_sentence(c, p, k))
				break;
			if (c->t[p].kind == T_PUNCT)
				continue;
			words++;
			if (IN(c, p, BIRTH_WORDS)) {
				kind = 1;
				break;
			}
			if (event_word(c, p)) {
				kind = 2;
				break;
			}
		}
		words = 0;
		for (size_t q = e; !kind && q < c->n && words < 3; q++) {
			if (!same_sentence(c, q, k))
				break;
			if (c->t[q].kind == T_PUNCT)
				continue;
			words++;
			if (is_word(c, q, "birthday"))
				kind = 1;
			else if (event_word(c, q))
				kind = 2;
		}
		if (kind)
			add(c, k, e, kind == 1 ? PRIVACY_DATE_OF_BIRTH : PRIVACY_EXACT_DATE);
		k = e - 1;
	}
}

/* ---- numbers: phones, social security and record numbers ------------------------ */

/* Is one of the `words` previous words (same sentence) in the list? */
static bool word_before(const ctx *c, size_t k, size_t words, const char *const *list, size_t n)
{
	size_t seen = 0;
	for (size_t q = k; q > 0 && seen < words; q--) {
		size_t p = q - 1;
		if (!same_sentence(c, p, k))
			return false;
		if (c->t[p].kind == T_PUNCT)
			continue;
		seen++;
		if (in_list(c, p, list, n))
			return true;
	}
	return false;
}

/* Digits in tokens [a, b) (words with digits inside count theirs). */
static size_t digits_in(const ctx *c, size_t a, size_t b)
{
	size_t d = 0;
	for (size_t k = a; k < b; k++) {
		if (c->t[k].kind == T_NUM)
			d += c->t[k].ndig;
		else if (c->t[k].kind == T_WORD && (c->t[k].flags & F_DIGITS))
			for (uint32_t i = c->t[k].start; i < c->t[k].end; i++)
				d += c->s[i] >= '0' && c->s[i] <= '9';
	}
	return d;
}

/* The record word before a code: MRN 00482913, account #55-90213, Medicare
 * ID 1EG4-TE5-MK73, Social Security number, 123-45-6789. Marks the tokens
 * it claims so the phone rules leave them. */
static void records(ctx *c, uint8_t *claimed)
{
	for (size_t k = 0; k < c->n; k++) {
		if (!IN(c, k, RECORD_WORDS))
			continue;
		if (is_word(c, k, "id") && word_before(c, k, 2, NOT_RECORD, N_OF(NOT_RECORD)))
			continue;
		size_t j = k + 1, skips = 0;
		while (j < c->n && skips < 4 && same_sentence(c, k, j) &&
		       (is_punct(c, j, '#') || is_punct(c, j, ':') || is_punct(c, j, '=') ||
		        is_punct(c, j, ',') || is_punct(c, j, '(') || is_punct(c, j, '.') ||
		        IN(c, j, RECORD_SKIP))) {
			j++;
			skips++;
		}
		if (j >= c->n || !same_sentence(c, k, j))
			continue;
		if (!(c->t[j].kind == T_NUM || (c->t[j].kind == T_WORD && (c->t[j].flags & F_DIGITS))))
			continue;
		/* The code: tokens glued together (digits, letters, hyphens). */
		size_t e = j + 1;
		while (e < c->n && glued(c, e) &&
		       (c->t[e].kind != T_PUNCT || ((c->t[e].val == '-' || c->t[e].val == '.' ||
		                                     c->t[e].val == '/') &&
		                                    e + 1 < c->n && glued(c, e + 1) &&
		                                    c->t[e + 1].kind != T_PUNCT)))
			e++;
		/* "MRN: 3349 1208": groups of three or more digits after a space. */
		for (int groups = 0; groups < 3 && is_num(c, e) && !glued(c, e) && c->t[e].ndig >= 3 &&
		                     c->t[e - 1].kind == T_NUM && same_sentence(c, k, e); groups++)
			e++;
		if (digits_in(c, j, e) < 5 || date_at(c, j) >= e)
			continue;
		add(c, k, e, PRIVACY_RECORD_NUMBER);
		memset(claimed + j, 1, e - j);
	}
}

static bool toll_free(unsigned area)
{
	return area == 800 || area == 833 || area == 844 || area == 855 || area == 866 ||
	       area == 877 || area == 888;
}

/* Groups of digits from k: "(617) 555-0142", "503.555.0199", "+44 20 7946
 * 0958", "123-45-6789", "4471823". Classifies each run. */
static void numbers(ctx *c, const uint8_t *claimed)
{
	for (size_t k = 0; k < c->n; k++) {
		if (!is_num(c, k) || claimed[k])
			continue;
		/* A number glued to a word or another number is part of something else. */
		if (k > 0 && glued(c, k) &&
		    (c->t[k - 1].kind != T_PUNCT ||
		     (c->t[k - 1].val != '(' && c->t[k - 1].val != '+' && c->t[k - 1].val != '#')))
			continue;
		bool plus = k > 0 && glued(c, k) && is_punct(c, k - 1, '+');
		bool paren = k > 0 && glued(c, k) && is_punct(c, k - 1, '(');
		bool money = k > 0 && glued(c, k) && (is_punct(c, k - 1, '$') || is_punct(c, k - 1, 0x20AC) ||
		                                      is_punct(c, k - 1, 0xA3));
		size_t g[8];
		uint32_t sep[8] = {0};
		size_t ng = 0, j = k;
		for (;;) {
			g[ng++] = j;
			if (ng == N_OF(g))
				break;
			size_t nx = j + 1;
			if (paren && ng == 1 && is_punct(c, nx, ')') && glued(c, nx)) {
				size_t after = nx + 1;
				if (is_punct(c, after, '-') && glued(c, after))
					after++;
				if (is_num(c, after) && same_sentence(c, j, after)) {
					sep[ng] = ')';
					j = after;
					continue;
				}
				break;
			}
			if (nx < c->n && c->t[nx].kind == T_PUNCT && glued(c, nx) &&
			    (c->t[nx].val == '-' || c->t[nx].val == '.') && is_num(c, nx + 1) && glued(c, nx + 1)) {
				sep[ng] = c->t[nx].val;
				j = nx + 1;
				continue;
			}
			/* Space between groups only for groups of two or more digits. */
			if (is_num(c, nx) && !glued(c, nx) && !(c->t[nx].flags & F_NL) &&
			    c->t[j].ndig >= 2 && c->t[nx].ndig >= 2 && (plus || paren || ng >= 1) &&
			    c->t[nx].ndig <= 4) {
				sep[ng] = ' ';
				j = nx;
				continue;
			}
			break;
		}
		size_t end = g[ng - 1] + 1;
		size_t first = plus || paren ? k - 1 : k;
		/* Something glued on after ("555-0123abc", "2.5/3") is not a phone. */
		if (end < c->n && glued(c, end) && (c->t[end].kind != T_PUNCT ||
		                                    c->t[end].val == '/' || c->t[end].val == ':'))
			goto next;
		size_t digits = digits_in(c, k, end);
		unsigned d[8];
		for (size_t i = 0; i < ng; i++)
			d[i] = c->t[g[i]].ndig;
		bool dashes = true;
		for (size_t i = 1; i < ng; i++)
			dashes = dashes && (sep[i] == '-' || sep[i] == ' ');
		/* Social security number: 3-2-4. */
		if (ng == 3 && d[0] == 3 && d[1] == 2 && d[2] == 4 && dashes && !plus && !paren) {
			add(c, first, end, PRIVACY_RECORD_NUMBER);
			goto next;
		}
		/* North American numbers: 3-3-4, 1-3-3-4, (3) 3-4. */
		{
			size_t o = (ng == 4 && d[0] == 1 && c->t[g[0]].val == 1) ? 1 : 0;
			if (ng - o == 3 && d[o] == 3 && d[o + 1] == 3 && d[o + 2] == 4 && !plus) {
				unsigned area = c->t[g[o]].val;
				if (area >= 200 && !toll_free(area))
					add(c, first, end, PRIVACY_PHONE);
				goto next;
			}
		}
		if (plus && digits >= 8 && digits <= 15) {
			if (!(d[0] == 1 && c->t[g[0]].val == 1 && ng > 1 && toll_free(c->t[g[1]].val)))
				add(c, first, end, PRIVACY_PHONE);
			goto next;
		}
		/* A local number, 555-0123, beside a word of telephones. */
		if (ng == 2 && d[0] == 3 && d[1] == 4 && (sep[1] == '-' || sep[1] == '.') &&
		    word_before(c, k, 6, PHONE_WORDS, N_OF(PHONE_WORDS))) {
			add(c, first, end, PRIVACY_PHONE);
			goto next;
		}
		/* One long run of digits: a record number (or a phone number written
		 * without separators, beside a word of telephones). */
		if (ng == 1 && digits >= 7 && !money && !plus) {
			if (word_before(c, k, 3, NOT_RECORD, N_OF(NOT_RECORD)))
				goto next;
			if (end < c->n && IN(c, end, UNITS))
				goto next;
			if ((digits == 10 || digits == 11) && word_before(c, k, 6, PHONE_WORDS, N_OF(PHONE_WORDS)))
				add(c, first, end, PRIVACY_PHONE);
			else
				add(c, first, end, PRIVACY_RECORD_NUMBER);
		}
next:
		k = end - 1;
	}
}

/* ---- emails ---------------------------------------------------------------------- */

static bool email_local(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '%' || ch == '+' || ch == '-';
}

static bool email_domain(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '-';
}

static void emails(ctx *c)
{
	const unsigned char *s = c->s;
	const unsigned char *at = s;
	size_t n = c->len;
	while ((at = memchr(at, '@', n - (size_t)(at - s))) != NULL) {
		size_t i = (size_t)(at - s);
		at++;
		size_t a = i, b = i + 1;
		while (a > 0 && email_local(s[a - 1]))
			a--;
		while (a < i && s[a] == '.')
			a++;
		while (b < n && email_domain(s[b]))
			b++;
		while (b > i + 1 && (s[b - 1] == '.' || s[b - 1] == '-'))
			b--;
		if (a == i || b <= i + 1)
			continue;   /* @handle: a mention, not an address */
		/* The domain has a dot, and its last label two letters or more. */
		size_t dot = b;
		while (dot > i + 1 && s[dot - 1] != '.')
			dot--;
		if (dot <= i + 2 || b - dot < 2)
			continue;
		bool letters = true;
		for (size_t q = dot; q < b; q++)
			letters = letters && ((s[q] | 0x20) >= 'a' && (s[q] | 0x20) <= 'z');
		if (!letters)
			continue;
		if (bytes_in(s + a, i - a, ROLE_MAILBOXES, N_OF(ROLE_MAILBOXES)))
			continue;
		add_bytes(c, a, b, PRIVACY_EMAIL);
	}
}

/* ---- street addresses ------------------------------------------------------------ */

static void addresses(ctx *c)
{
	for (size_t k = 0; k < c->n; k++) {
		/* Apt 2B, Apartment 4, P.O. Box 12 */
		if ((is_word(c, k, "apt") || is_word(c, k, "apartment")) && (c->t[k].flags & F_CAP)) {
			size_t j = k + 1;
			if (is_punct(c, j, '.') && glued(c, j))
				j++;
			if (is_punct(c, j, '#'))
				j++;
			if ((is_num(c, j) || is_letter_word(c, j)) && same_sentence(c, k, j)) {
				size_t e = j + 1;
				if (e < c->n && glued(c, e) && c->t[e].kind == T_WORD && word_len(c, e) <= 2)
					e++;
				add(c, k, e, PRIVACY_STREET_ADDRESS);
			}
			continue;
		}
		if (is_word(c, k, "box") && is_num(c, k + 1) && k > 0 &&
		    (is_word(c, k - 1, "po") || (is_punct(c, k - 1, '.') && k > 1 && is_word(c, k - 2, "o")))) {
			add(c, k, k + 2, PRIVACY_STREET_ADDRESS);
			continue;
		}
		if (!is_num(c, k) || c->t[k].ndig > 6 || c->t[k].val == 0)
			continue;
		if (k > 0 && glued(c, k) && !is_punct(c, k - 1, '('))
			continue;
		size_t j = k + 1;
		if (j < c->n && glued(c, j) && c->t[j].kind == T_WORD && word_len(c, j) == 1)
			j++;    /* 12B Elm Street */
		if (j >= c->n || !same_sentence(c, k, j) || glued(c, j))
			continue;
		/* 47 Calle del Sol, 12 Route 9 */
		if ((c->t[j].flags & F_CAP) && IN(c, j, STREET_PREFIXES)) {
			size_t e = name_words(c, j + 1, true);
			if (e == j + 1 && IN(c, j + 1, PARTICLES))
				e = name_words(c, j + 2, true);
			if (e == j + 1 && is_num(c, j + 1))
				e = j + 2;
			if (e > j + 1) {
				add(c, k, e, PRIVACY_STREET_ADDRESS);
				k = e - 1;
			}
			continue;
		}
		/* 2210 N. Lincoln Ave., 1412 Elm Street, 210 W 4th St */
		if (IN(c, j, DIRECTIONS) && (c->t[j].flags & F_CAP)) {
			j++;
			if (is_punct(c, j, '.') && glued(c, j))
				j++;
		}
		size_t words = 0, q = j;
		while (q < c->n && words < 4 && same_sentence(c, k, q)) {
			if (cap_word(c, q) && !(c->t[q].flags & F_POSS) && !IN(c, q, STREET_SUFFIXES)) {
				q++;
				words++;
				continue;
			}
			if (is_num(c, q) && glued(c, q + 1) &&
			    (is_word(c, q + 1, "th") || is_word(c, q + 1, "st") || is_word(c, q + 1, "nd") ||
			     is_word(c, q + 1, "rd"))) {
				q += 2;
				words++;
				continue;
			}
			break;
		}
		if (!words || !IN(c, q, STREET_SUFFIXES))
			continue;
		/* A street word is written as one: "Street", "St", "street". */
		size_t e = q + 1;
		if (is_punct(c, e, '.') && glued(c, e))
			e++;
		add(c, k, e, PRIVACY_STREET_ADDRESS);
		k = e - 1;
	}
}

/* ---- the check --------------------------------------------------------------------- */

static int span_cmp(const void *x, const void *y)
{
	const privacy_span *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->code != b->code)
		return a->code < b->code ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return 0;
}

privacy_status privacy_check(arena *a, const char *text, size_t len, privacy_report *out)
{
	memset(out, 0, sizeof *out);
	if (len > PRIVACY_MAX_BYTES)
		return PRIVACY_TOO_LONG;
	ctx c = {.a = a, .s = (const unsigned char *)text, .len = len};
	c.fold = arena_alloc(a, len + 1);
	privacy_status st = tokenize(&c);
	if (st != PRIVACY_CHECKED)
		return st;
	if (c.n) {
		sentences(&c);
		find_names(&c);
		uint8_t *claimed = arena_calloc(a, c.n, 1);
		records(&c, claimed);
		numbers(&c, claimed);
		names_with_ages(&c);
		old_ages(&c);
		names_with_diagnoses(&c);
		rooms(&c);
		dates(&c);
		addresses(&c);
	}
	emails(&c);
	if (c.nspans) {
		qsort(c.spans, c.nspans, sizeof *c.spans, span_cmp);
		size_t w = 0;
		for (size_t i = 0; i < c.nspans; i++)
			if (!w || span_cmp(&c.spans[w - 1], &c.spans[i]))
				c.spans[w++] = c.spans[i];
		out->spans = c.spans;
		out->nspans = w;
	}
	out->codes = c.codes;
	return PRIVACY_CHECKED;
}

const char *privacy_code_name(privacy_code code)
{
	return (unsigned)code < PRIVACY_CODE_COUNT ? CODE_NAMES[code] : NULL;
}

bool privacy_lists_ok(void)
{
	for (size_t l = 0; l < N_OF(ALL_LISTS); l++) {
		const word_list *wl = &ALL_LISTS[l];
		for (size_t i = 0; i < wl->n; i++) {
			for (const char *p = wl->w[i]; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					return false;
			if (i && strcmp(wl->w[i - 1], wl->w[i]) >= 0)
				return false;
		}
	}
	for (size_t i = 1; i < N_OF(DIAGNOSIS_ACRONYMS); i++)
		if (strcmp(DIAGNOSIS_ACRONYMS[i - 1], DIAGNOSIS_ACRONYMS[i]) >= 0)
			return false;
	return true;
}
