/*
 * log.h - one line per event on stderr, with a UTC timestamp and a level.
 *
 * Never log cookies, form bodies, passwords, tokens or keys. The access log
 * (one line per request) is written by http.c through log_access.
 */
#ifndef CAIRN_LOG_H
#define CAIRN_LOG_H

typedef enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

/* Messages below this level are dropped. Set once at start. */
void log_set_level(log_level level);
void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
