package calendar

import (
	"fmt"
	"time"
)

// Views of the calendar page.
const (
	Month = "month"
	Week  = "week"
	List  = "list"
)

// Day is one day of a view, with its entries in time order.
type Day struct {
	Date    string    // "2026-12-03"
	Time    time.Time // the day's midnight in the workspace's zone
	Outside bool      // in the month grid, a day of the month before or after
	Today   bool
	Entries []Entry
}

// Hour is a row of the week view: the entries starting in that hour, one cell per day.
type Hour struct {
	Clock string // "09:00", the value a drop on the row sets
	Cells []Day
}

// Layout is a view laid out: the span it covers, its days and where to go next.
type Layout struct {
	View string
	Date time.Time // the day navigated to, at midnight
	Span Span
	// Weeks are the month grid's rows, Monday first.
	Weeks [][]Day
	// Days are the week's seven days (with the all-day entries) or the list's days with entries.
	Days  []Day
	Hours []Hour
	Prev  string
	Next  string
}

// Working hours the week view always shows; earlier or later rows appear when entries need them.
const firstHour, lastHour = 7, 19

func midnight(t time.Time, zone *time.Location) time.Time {
	t = t.In(zone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone)
}

// mondayOf is the Monday on or before day.
func mondayOf(day time.Time) time.Time {
	back := (int(day.Weekday()) + 6) % 7
	return day.AddDate(0, 0, -back)
}

// SpanOf is the stretch of time a view of date covers: the month's whole weeks, the week from
// Monday, or the month for the list.
func SpanOf(view string, date time.Time, zone *time.Location) Span {
	day := midnight(date, zone)
	first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, zone)
	switch view {
	case Week:
		from := mondayOf(day)
		return Span{From: from, To: from.AddDate(0, 0, 7), Zone: zone}
	case List:
		return Span{From: first, To: first.AddDate(0, 1, 0), Zone: zone}
	}
	from := mondayOf(first)
	to := mondayOf(first.AddDate(0, 1, -1)).AddDate(0, 0, 7)
	return Span{From: from, To: to, Zone: zone}
}

// Lay places entries (already in the view's span) on the view of date. now marks today.
func Lay(view string, date time.Time, zone *time.Location, entries []Entry, now time.Time) Layout {
	switch view {
	case Week, List:
	default:
		view = Month
	}
	day := midnight(date, zone)
	span := SpanOf(view, day, zone)
	l := Layout{View: view, Date: day, Span: span}
	today := now.In(zone).Format(dateLayout)
	byDay := map[string][]Entry{}
	for _, e := range entries {
		byDay[e.Day(zone)] = append(byDay[e.Day(zone)], e)
	}
	newDay := func(t time.Time) Day {
		d := Day{Date: t.Format(dateLayout), Time: t}
		d.Today = d.Date == today
		return d
	}
	switch view {
	case Month:
		for w := span.From; w.Before(span.To); w = w.AddDate(0, 0, 7) {
			var week []Day
			for i := range 7 {
				d := newDay(w.AddDate(0, 0, i))
				d.Outside = d.Time.Month() != day.Month()
				d.Entries = byDay[d.Date]
				week = append(week, d)
			}
			l.Weeks = append(l.Weeks, week)
		}
		l.Prev, l.Next = monthStep(day, -1), monthStep(day, 1)
	case List:
		for t := span.From; t.Before(span.To); t = t.AddDate(0, 0, 1) {
			if d := newDay(t); len(byDay[d.Date]) > 0 {
				d.Entries = byDay[d.Date]
				l.Days = append(l.Days, d)
			}
		}
		l.Prev, l.Next = monthStep(day, -1), monthStep(day, 1)
	case Week:
		lo, hi := firstHour, lastHour
		for _, e := range entries {
			if !e.AllDay {
				h := e.At.In(zone).Hour()
				lo, hi = min(lo, h), max(hi, h)
			}
		}
		for i := range 7 {
			d := newDay(span.From.AddDate(0, 0, i))
			for _, e := range byDay[d.Date] {
				if e.AllDay {
					d.Entries = append(d.Entries, e)
				}
			}
			l.Days = append(l.Days, d)
		}
		for h := lo; h <= hi; h++ {
			row := Hour{Clock: fmt.Sprintf("%02d:00", h)}
			for _, d := range l.Days {
				cell := Day{Date: d.Date, Time: d.Time.Add(time.Duration(h) * time.Hour), Today: d.Today}
				for _, e := range byDay[d.Date] {
					if !e.AllDay && e.At.In(zone).Hour() == h {
						cell.Entries = append(cell.Entries, e)
					}
				}
				row.Cells = append(row.Cells, cell)
			}
			l.Hours = append(l.Hours, row)
		}
		l.Prev, l.Next = day.AddDate(0, 0, -7).Format(dateLayout), day.AddDate(0, 0, 7).Format(dateLayout)
	}
	return l
}

// monthStep is the first day of the month n months from day's.
func monthStep(day time.Time, n int) string {
	return time.Date(day.Year(), day.Month()+time.Month(n), 1, 0, 0, 0, 0, day.Location()).Format(dateLayout)
}
