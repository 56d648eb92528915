package calendar

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"warta.dev/warta/internal/platform/i18n"
)

// Summary is the entry's one line: its title, with what the date is for a milestone.
func (e Entry) Summary(l *i18n.Locale) string {
	if e.Label == "" {
		return e.Title
	}
	return l.T(e.Label, "Title", e.Title)
}

// writeICS writes a feed: one event per entry, timed events in UTC, all-day ones as dates, each
// with a UID that stays the same while the entry moves, so applications update it in place. Only
// what the calendar page shows goes in: no body, no comments.
func writeICS(w io.Writer, o *FeedOwner, entries []Entry, l *i18n.Locale, baseURL string, now time.Time) error {
	host := "warta"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	cal := ics.NewCalendarFor("Warta")
	cal.SetProductId("-//Warta//Calendar//EN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName(l.T("calendar.feed.name", "Workspace", o.WorkspaceName))
	cal.SetXWRTimezone(o.Zone.String())
	cal.SetXPublishedTTL("PT1H")
	cal.SetRefreshInterval("PT1H", ics.WithValue(string(ics.ValueDataTypeDuration)))
	for _, e := range entries {
		ev := cal.AddEvent(e.DOMID() + "@" + host)
		ev.SetDtStampTime(now)
		if e.AllDay {
			day := e.At.In(o.Zone)
			ev.SetAllDayStartAt(day)
			ev.SetAllDayEndAt(day.AddDate(0, 0, 1))
		} else {
			ev.SetStartAt(e.At)
		}
		ev.SetSummary(e.Summary(l))
		ev.SetURL(baseURL + "/w/" + o.WorkspaceSlug + e.Link)
		var about []string
		if e.StatusLabel != "" {
			about = append(about, l.T(e.StatusLabel))
		}
		var channels []string
		for _, c := range e.Channels {
			channels = append(channels, l.T(fmt.Sprintf("channel.name.%s", c)))
		}
		if len(channels) > 0 {
			about = append(about, strings.Join(channels, ", "))
		}
		if len(about) > 0 {
			ev.SetDescription(strings.Join(about, " · "))
		}
	}
	return cal.SerializeTo(w)
}
