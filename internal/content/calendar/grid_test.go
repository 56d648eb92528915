package calendar

import (
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// dayOf finds the month grid's cell of date and the titles on it.
func dayOf(l Layout, date string) (Day, []string) {
	for _, w := range l.Weeks {
		for _, d := range w {
			if d.Date == date {
				var titles []string
				for _, e := range d.Entries {
					titles = append(titles, e.Title)
				}
				return d, titles
			}
		}
	}
	return Day{}, nil
}

// An entry falls on its day in the workspace's zone, not in UTC: late on 1 December in WITA is
// still 1 December, and just after midnight on 2 December in WIB is 2 December although it is
// 1 December in UTC.
func TestMonthGridPlacesEntriesByTheWorkspaceZone(t *testing.T) {
	wita, wib := zone(t, "Asia/Makassar"), zone(t, "Asia/Jakarta")
	late := Entry{Kind: "content", ID: 1, Title: "late", At: time.Date(2026, 12, 1, 23, 30, 0, 0, wita)}
	early := Entry{Kind: "content", ID: 2, Title: "early", At: time.Date(2026, 12, 2, 0, 30, 0, 0, wib)}
	if late.At.UTC().Day() != 1 || late.At.UTC().Hour() != 15 || early.At.UTC().Day() != 1 {
		t.Fatalf("the test's own times are wrong: %v %v", late.At.UTC(), early.At.UTC())
	}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		zone        *time.Location
		entry       Entry
		date, other string
	}{
		{wita, late, "2026-12-01", "2026-12-02"},
		{wib, early, "2026-12-02", "2026-12-01"},
		{time.UTC, early, "2026-12-01", "2026-12-02"},
	} {
		l := Lay(Month, time.Date(2026, 12, 1, 0, 0, 0, 0, c.zone), c.zone, []Entry{c.entry}, now)
		if _, titles := dayOf(l, c.date); len(titles) != 1 || titles[0] != c.entry.Title {
			t.Errorf("%s: %s shows %v, want %q", c.zone, c.date, titles, c.entry.Title)
		}
		if _, titles := dayOf(l, c.other); len(titles) != 0 {
			t.Errorf("%s: %s shows %v, want nothing", c.zone, c.other, titles)
		}
	}
}

// December 2026 starts on a Tuesday and ends on a Thursday: the grid runs Monday 30 November to
// Sunday 3 January, marks the days outside the month and today, and steps by month.
func TestMonthWeekAndListLayouts(t *testing.T) {
	wita := zone(t, "Asia/Makassar")
	now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) // 10.00 WITA on 3 December
	date := time.Date(2026, 12, 17, 0, 0, 0, 0, wita)
	l := Lay("", date, wita, nil, now)
	if l.View != Month || len(l.Weeks) != 5 || l.Weeks[0][0].Date != "2026-11-30" || l.Weeks[4][6].Date != "2027-01-03" {
		t.Fatalf("month grid: %s, %d weeks, %s … %s", l.View, len(l.Weeks), l.Weeks[0][0].Date, l.Weeks[len(l.Weeks)-1][6].Date)
	}
	if d, _ := dayOf(l, "2026-11-30"); !d.Outside {
		t.Error("30 November is not marked as outside December")
	}
	if d, _ := dayOf(l, "2026-12-03"); !d.Today || d.Outside {
		t.Errorf("3 December: today %v, outside %v", d.Today, d.Outside)
	}
	if l.Prev != "2026-11-01" || l.Next != "2027-01-01" {
		t.Errorf("month steps: %s, %s", l.Prev, l.Next)
	}
	if !l.Span.From.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, wita)) || !l.Span.To.Equal(time.Date(2027, 1, 4, 0, 0, 0, 0, wita)) {
		t.Errorf("month span: %v – %v", l.Span.From, l.Span.To)
	}

	// The week of Thursday 17 December: an entry at 06.15 adds the 06.00 row, one at 21.40 the
	// 21.00 row; an all-day milestone sits in its own row.
	morning := Entry{Kind: "content", ID: 1, Title: "pagi", At: time.Date(2026, 12, 15, 6, 15, 0, 0, wita)}
	night := Entry{Kind: "content", ID: 2, Title: "malam", At: time.Date(2026, 12, 18, 21, 40, 0, 0, wita)}
	start := Entry{Kind: "campaign", ID: 3, Part: "start", Title: "mulai", At: time.Date(2026, 12, 16, 0, 0, 0, 0, wita), AllDay: true}
	w := Lay(Week, date, wita, []Entry{morning, night, start}, now)
	if len(w.Days) != 7 || w.Days[0].Date != "2026-12-14" || w.Days[6].Date != "2026-12-20" {
		t.Fatalf("week days: %+v", w.Days)
	}
	if w.Hours[0].Clock != "06:00" || w.Hours[len(w.Hours)-1].Clock != "21:00" {
		t.Errorf("week rows run %s to %s", w.Hours[0].Clock, w.Hours[len(w.Hours)-1].Clock)
	}
	if got := w.Hours[0].Cells[1].Entries; len(got) != 1 || got[0].Title != "pagi" || w.Hours[0].Cells[1].Date != "2026-12-15" {
		t.Errorf("06.00 on Tuesday: %+v", w.Hours[0].Cells[1])
	}
	if got := w.Days[2].Entries; len(got) != 1 || got[0].Title != "mulai" {
		t.Errorf("all-day row on Wednesday: %+v", got)
	}
	if w.Prev != "2026-12-10" || w.Next != "2026-12-24" {
		t.Errorf("week steps: %s, %s", w.Prev, w.Next)
	}

	// The list shows only the days that have something.
	li := Lay(List, date, wita, []Entry{morning, night, start}, now)
	if len(li.Days) != 3 || li.Days[0].Date != "2026-12-15" || li.Days[2].Date != "2026-12-18" {
		t.Errorf("list days: %+v", li.Days)
	}
}

func TestKeys(t *testing.T) {
	for _, e := range []Entry{{Kind: "content", ID: 12}, {Kind: "campaign", ID: 5, Part: "start"}} {
		kind, id, part, ok := ParseKey(e.Key())
		if !ok || kind != e.Kind || id != e.ID || part != e.Part {
			t.Errorf("%s parses to %s %d %s %v", e.Key(), kind, id, part, ok)
		}
	}
	for _, bad := range []string{"", "content", "content:", "content:x", ":5", "content:-1", "a:1:b:c"} {
		if _, _, _, ok := ParseKey(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
