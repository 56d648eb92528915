package release

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/i18n"
)

// EmbargoLine formats the embargo in lang ("id" or "en") in zone, with the zone's Indonesian
// abbreviation (WIB, WITA, WIT) or its name: "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 10.00 WIB",
// "EMBARGOED UNTIL Thursday, 3 December 2026, 10:00 WIB".
func EmbargoLine(b *i18n.Bundle, lang string, at time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	l := b.Locale(lang, zone)
	t := at.In(zone)
	return l.T("release.embargo.until", "Date", longDate(l, t), "Time", l.Clock(t))
}

// ImmediateLine is what a release without embargo says instead.
func ImmediateLine(b *i18n.Bundle, lang string) string {
	return b.Locale(lang, time.UTC).T("release.embargo.immediate")
}

// longDate is "Kamis, 3 Desember 2026" / "Thursday, 3 December 2026": the weekday with a comma in
// both languages, as release headers are written (the platform's English LongDate has none).
func longDate(l *i18n.Locale, t time.Time) string {
	return fmt.Sprintf("%s, %d %s %d", l.T(fmt.Sprintf("date.day.%d", t.Weekday())), t.Day(), l.T(fmt.Sprintf("date.month.%d", t.Month())), t.Year())
}

// datelineDate writes a YYYY-MM-DD day as the dateline shows it: "3 Desember 2026".
func datelineDate(l *i18n.Locale, day string) string {
	t, err := time.Parse(dayLayout, day)
	if err != nil {
		return day
	}
	return fmt.Sprintf("%d %s %d", t.Day(), l.T(fmt.Sprintf("date.month.%d", t.Month())), t.Year())
}

const dayLayout = "2006-01-02"

var romans = []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}

// FormatNumber fills a numbering pattern: n is the release's number in its year, day the day it
// is numbered for.
func FormatNumber(pattern string, n int, day time.Time) string {
	if strings.TrimSpace(pattern) == "" {
		pattern = DefaultPattern
	}
	return strings.NewReplacer(
		"{n}", fmt.Sprintf("%03d", n),
		"{roman}", romans[day.Month()-1],
		"{month}", fmt.Sprintf("%02d", int(day.Month())),
		"{year}", strconv.Itoa(day.Year()),
	).Replace(pattern)
}
