/*
 * banned.h - functions that must not be used in rendergate.
 *
 * Each is replaced by a macro that expands to an undeclared identifier,
 * so any use is a compile error naming the reason. Included last by
 * compat.h so that system headers are not affected.
 *
 * Use instead: rg_buf_* or snprintf (checked) for sprintf/strcpy/strcat;
 * rg_parse_i64()/strtol with end checks for atoi; gmtime_r/localtime_r.
 */
#ifndef RENDERGATE_BANNED_H
#define RENDERGATE_BANNED_H

#define RG_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) RG_BANNED(strcpy)
#undef strcat
#define strcat(x, y) RG_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) RG_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) RG_BANNED(strncat)
#undef sprintf
#define sprintf(...) RG_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) RG_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) RG_BANNED(strtok)
#undef strtok_r
#define strtok_r(x, y, z) RG_BANNED(strtok_r)
#undef atoi
#define atoi(x) RG_BANNED(atoi)
#undef atol
#define atol(x) RG_BANNED(atol)
#undef atoll
#define atoll(x) RG_BANNED(atoll)
#undef gmtime
#define gmtime(x) RG_BANNED(gmtime)
#undef localtime
#define localtime(x) RG_BANNED(localtime)
#undef ctime
#define ctime(x) RG_BANNED(ctime)
#undef asctime
#define asctime(x) RG_BANNED(asctime)
#undef mktemp
#define mktemp(x) RG_BANNED(mktemp)
#undef gets
#define gets(x) RG_BANNED(gets)

#endif
