/*
 * zone.c - the list of named zones and the one formatter for instants.
 *
 * Abbreviations are chosen by offset, not by date rules: PostgreSQL has
 * already applied the rules when it wrote the wall-clock time, so a zone
 * whose rules change (Mexico dropped daylight saving in 2022) still gets a
 * true label, at worst "UTC-6" instead of a name.
 */
#include "cairn/zone.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Offered in the profile, sign-up and offering forms, in this order. Offsets
 * in minutes east of UTC; a zone without daylight saving has no dst. */
static const struct zone_entry {
	const char *id, *name, *place;
	const char *std;
	int std_min;
	const char *dst;
	int dst_min;
} zones[] = {
	{"America/New_York", "US Eastern Time", "New York", "EST", -300, "EDT", -240},
	{"America/Chicago", "US Central Time", "Chicago", "CST", -360, "CDT", -300},
	{"America/Denver", "US Mountain Time", "Denver", "MST", -420, "MDT", -360},
	{"America/Phoenix", "Arizona Time", "Phoenix", "MST", -420, NULL, 0},
	{"America/Los_Angeles", "US Pacific Time", "Los Angeles", "PST", -480, "PDT", -420},
	{"America/Anchorage", "Alaska Time", "Anchorage", "AKST", -540, "AKDT", -480},
	{"Pacific/Honolulu", "Hawaii Time", "Honolulu", "HST", -600, NULL, 0},
	{"America/Puerto_Rico", "Atlantic Time", "Puerto Rico", "AST", -240, NULL, 0},
	{"America/Halifax", "Canada Atlantic Time", "Halifax", "AST", -240, "ADT", -180},
	{"America/St_Johns", "Newfoundland Time", "St. John's", "NST", -210, "NDT", -150},
	{"America/Toronto", "Canada Eastern Time", "Toronto", "EST", -300, "EDT", -240},
	{"America/Winnipeg", "Canada Central Time", "Winnipeg", "CST", -360, "CDT", -300},
	{"America/Edmonton", "Canada Mountain Time", "Edmonton", "MST", -420, "MDT", -360},
	{"America/Vancouver", "Canada Pacific Time", "Vancouver", "PST", -480, "PDT", -420},
	{"America/Mexico_City", "Mexico Central Time", "Mexico City", "CST", -360, NULL, 0},
	{"Europe/London", "UK Time", "London", "GMT", 0, "BST", 60},
	{"Europe/Dublin", "Irish Time", "Dublin", "GMT", 0, "IST", 60},
	{"Europe/Paris", "Central European Time", "Paris", "CET", 60, "CEST", 120},
	{"Europe/Berlin", "Central European Time", "Berlin", "CET", 60, "CEST", 120},
	{"Africa/Johannesburg", "South Africa Time", "Johannesburg", "SAST", 120, NULL, 0},
	{"Asia/Kolkata", "India Time", "Kolkata", "IST", 330, NULL, 0},
	{"Asia/Singapore", "Singapore Time", NULL, "SGT", 480, NULL, 0},
	{"Asia/Tokyo", "Japan Time", "Tokyo", "JST", 540, NULL, 0},
	{"Australia/Sydney", "Australian Eastern Time", "Sydney", "AEST", 600, "AEDT", 660},
	{"Pacific/Auckland", "New Zealand Time", "Auckland", "NZST", 720, "NZDT", 780},
	{"UTC", "UTC", "Coordinated Universal Time", "UTC", 0, NULL, 0},
};

static const char *const months[] = {"January", "February", "March", "April", "May", "June",
                                     "July", "August", "September", "October", "November",
                                     "December"};
static const char *const weekdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};

static const struct zone_entry *entry(const char *zone)
{
	for (size_t i = 0; zone && i < sizeof zones / sizeof zones[0]; i++)
		if (!strcmp(zone, zones[i].id))
			return &zones[i];
	return NULL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so the offset needs neither timegm nor TZ. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

typedef struct parsed {
	int year, month, day, hour, minute, second, weekday;
	int offset_min;
} parsed;

/* "YYYY-MM-DDTHH:MM:SS EPOCH" (ZONE_SQL) into local fields and the offset. */
static bool parse(const char *value, parsed *p)
{
	long long epoch;
	char tee, end;
	if (!value || sscanf(value, "%4d-%2d-%2d%c%2d:%2d:%2d %lld%c", &p->year, &p->month, &p->day,
	                     &tee, &p->hour, &p->minute, &p->second, &epoch, &end) != 8 ||
	    tee != 'T')
		return false;
	if (p->month < 1 || p->month > 12 || p->day < 1 || p->day > 31 || p->hour > 23 ||
	    p->minute > 59 || p->second > 60 || p->hour < 0 || p->minute < 0 || p->second < 0)
		return false;
	int64_t days = days_from_civil(p->year, p->month, p->day);
	int64_t local = days * 86400 + p->hour * 3600 + p->minute * 60 + p->second;
	int64_t offset = local - (int64_t)epoch;
	/* Zones are within 14 hours of UTC; offsets with seconds (local mean
	 * time before 1900) have no place in an ISO offset. */
	if (offset < -18 * 3600 || offset > 18 * 3600 || offset % 60)
		return false;
	p->offset_min = (int)(offset / 60);
	p->weekday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	return true;
}

static const char *abbreviation(arena *a, const char *zone, int offset_min)
{
	const struct zone_entry *z = entry(zone);
	if (z && offset_min == z->std_min)
		return z->std;
	if (z && z->dst && offset_min == z->dst_min)
		return z->dst;
	int m = abs(offset_min);
	if (m % 60)
		return arena_sprintf(a, "UTC%c%d:%02d", offset_min < 0 ? '-' : '+', m / 60, m % 60);
	return arena_sprintf(a, "UTC%c%d", offset_min < 0 ? '-' : '+', m / 60);
}

static const char *text_of(arena *a, const parsed *p, const char *zone, const char *reader_zone,
                           unsigned flags)
{
	int h12 = p->hour % 12 ? p->hour % 12 : 12;
	const char *ampm = p->hour < 12 ? "am" : "pm";
	const char *month = months[p->month - 1];
	char clock[16];
	snprintf(clock, sizeof clock, "%d:%02d %s", h12, p->minute, ampm);
	const char *text;
	switch ((zone_style)(flags & 0xff)) {
	case ZONE_CLOCK:
		text = arena_strdup(a, clock);
		break;
	case ZONE_DATE:
		/* A date alone is the reader's day; naming a zone would not help. */
		return arena_sprintf(a, "%.3s %d, %d", month, p->day, p->year);
	case ZONE_SHORT:
		text = arena_sprintf(a, "%.3s %d, %s", month, p->day, clock);
		break;
	case ZONE_DAY:
		text = arena_sprintf(a, "%s, %s %d, %s", weekdays[p->weekday], month, p->day, clock);
		break;
	case ZONE_LONG:
		text = arena_sprintf(a, "%s %d, %d, %s", month, p->day, p->year, clock);
		break;
	case ZONE_FULL:
	default:
		text = arena_sprintf(a, "%.3s %d, %d, %s", month, p->day, p->year, clock);
		break;
	}
	if ((flags & ZONE_NAMED) || !reader_zone || strcmp(zone, reader_zone))
		text = arena_sprintf(a, "%s %s", text, abbreviation(a, zone, p->offset_min));
	return text;
}

const char *zone_text(arena *a, const char *value, const char *zone, const char *reader_zone,
                      unsigned flags)
{
	parsed p;
	if (!parse(value, &p))
		return NULL;
	return text_of(a, &p, zone, reader_zone, flags);
}

tv *zone_time(arena *a, const char *value, const char *zone, const char *reader_zone,
              unsigned flags)
{
	parsed p;
	if (!parse(value, &p))
		return tv_null(a);
	tv *t = tv_obj(a);
	int m = abs(p.offset_min);
	tv_set_str(t, "iso", arena_sprintf(a, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", p.year,
	                                   p.month, p.day, p.hour, p.minute, p.second,
	                                   p.offset_min < 0 ? '-' : '+', m / 60, m % 60));
	tv_set_str(t, "text", text_of(a, &p, zone, reader_zone, flags));
	return t;
}

const char *zone_name(arena *a, const char *zone)
{
	const struct zone_entry *z = entry(zone);
	if (z)
		return z->name;
	/* "America/Argentina/Buenos_Aires" -> "Buenos Aires (America/Argentina)" */
	const char *slash = strrchr(zone, '/');
	char *city = arena_strdup(a, slash ? slash + 1 : zone);
	for (char *c = city; *c; c++)
		if (*c == '_')
			*c = ' ';
	return slash ? arena_sprintf(a, "%s (%.*s)", city, (int)(slash - zone), zone) : city;
}

tv *zone_options(arena *a, const char *chosen)
{
	tv *list = tv_list(a);
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		const struct zone_entry *z = &zones[i];
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "value", z->id);
		tv_set_str(o, "label", z->place ? arena_sprintf(a, "%s (%s)", z->name, z->place)
		                                : z->name);
		tv_set_bool(o, "selected", chosen && !strcmp(chosen, z->id));
	}
	if (chosen && *chosen && !entry(chosen)) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "value", chosen);
		tv_set_str(o, "label", zone_name(a, chosen));
		tv_set_bool(o, "selected", true);
	}
	return list;
}
