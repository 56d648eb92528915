package campaign

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/i18n"
)

// Offset is "T−2 days, 09:00": whole days from the anchor's date and a wall-clock time in the
// workspace's zone. It is days and a clock, not a duration, so "09:00" stays 09:00 when a
// daylight-saving change falls between the anchor and the item.
type Offset struct {
	Days  int
	Clock string // "09:00"
}

// MaxOffsetDays bounds an offset to a year either side of the anchor.
const MaxOffsetDays = 366

// From is the time of the offset for an anchor: the anchor's date in zone, plus Days, at Clock in
// zone. time.Date normalises the day count across month ends and daylight-saving changes.
func (o Offset) From(anchor time.Time, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	a := anchor.In(zone)
	h, m, ok := parseClock(o.Clock)
	if !ok {
		// An offset that was never parsed keeps the anchor's own time of day.
		h, m = a.Hour(), a.Minute()
	}
	return time.Date(a.Year(), a.Month(), a.Day()+o.Days, h, m, 0, 0, zone)
}

// String is the offset as people type it: "T-2 09:00", "T+1 14:30", "T+0 10:00".
func (o Offset) String() string {
	return fmt.Sprintf("T%+d %s", o.Days, o.Clock)
}

// Label is the offset in the locale's words: "T−2 days, 09:00" or "T−2 hari, 09.00".
func (o Offset) Label(l *i18n.Locale) string {
	sign, n := "+", o.Days
	if n < 0 {
		sign, n = "−", -n
	}
	clock := o.Clock
	if l.Lang == "id" {
		clock = strings.Replace(clock, ":", ".", 1)
	}
	return l.T("campaign.offset.label", "Count", n, "Sign", sign, "Clock", clock)
}

// offsetRE accepts what String and Label write in either language ("T-2 09:00", "T−2 hari, 09.00"),
// looser spacing ("t+1 day 9:30", "T 10:00" for the anchor's own day) and "H-2 09.00", as
// Indonesian offices write offsets from D-day.
var offsetRE = regexp.MustCompile(`(?i)^[th]\s*(?:([+\-−])\s*(\d{1,3})(?:\s*(?:days?|hari))?(?:\s*,\s*|\s+))?(\d{1,2})[:.](\d{2})$`)

// ParseOffset reads an offset such as "T-2 09:00", with the Unicode minus sign accepted too.
func ParseOffset(s string) (Offset, error) {
	m := offsetRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Offset{}, ErrBadOffset
	}
	days := 0
	if m[2] != "" {
		days, _ = strconv.Atoi(m[2])
		if m[1] != "+" {
			days = -days
		}
	}
	hour, _ := strconv.Atoi(m[3])
	clock := fmt.Sprintf("%02d:%s", hour, m[4])
	if _, _, ok := parseClock(clock); !ok || days > MaxOffsetDays || days < -MaxOffsetDays {
		return Offset{}, ErrBadOffset
	}
	return Offset{Days: days, Clock: clock}, nil
}

// MarshalText writes the offset as String does, so the API shows "T-2 09:00".
func (o Offset) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads what ParseOffset reads.
func (o *Offset) UnmarshalText(b []byte) error {
	p, err := ParseOffset(string(b))
	if err != nil {
		return err
	}
	*o = p
	return nil
}

// parseClock reads "HH:MM" on the 24-hour clock.
func parseClock(s string) (h, m int, ok bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}
