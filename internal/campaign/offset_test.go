package campaign_test

import (
	"errors"
	"testing"
	"time"

	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// "T+2 09:00" is 09:00 on the wall clock two days later, even when the clocks change in between:
// adding 48 hours would land an hour off.
func TestOffsetFromAcrossDaylightSaving(t *testing.T) {
	ams := zone(t, "Europe/Amsterdam")
	cases := []struct {
		name   string
		anchor time.Time
		offset campaign.Offset
		want   time.Time // in UTC
	}{
		// Summer time starts on Sunday 29 March 2026: 09:00 CEST is 07:00 UTC, not 08:00.
		{"spring forward", time.Date(2026, 3, 28, 10, 0, 0, 0, ams), campaign.Offset{Days: 2, Clock: "09:00"}, time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)},
		{"back into winter time", time.Date(2026, 3, 30, 10, 0, 0, 0, ams), campaign.Offset{Days: -2, Clock: "09:00"}, time.Date(2026, 3, 28, 8, 0, 0, 0, time.UTC)},
		// Summer time ends on Sunday 25 October 2026: 09:00 CET is 08:00 UTC.
		{"fall back", time.Date(2026, 10, 24, 18, 0, 0, 0, ams), campaign.Offset{Days: 1, Clock: "09:00"}, time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		got := c.offset.From(c.anchor, ams)
		if !got.Equal(c.want) {
			t.Errorf("%s: %s from %s = %s, want %s", c.name, c.offset, c.anchor, got.UTC(), c.want)
		}
		if wall := got.In(ams).Format("15:04"); wall != c.offset.Clock {
			t.Errorf("%s: wall clock %s, want %s", c.name, wall, c.offset.Clock)
		}
	}
}

// The anchor's date is its date in the workspace's zone, which is not always the UTC date.
func TestOffsetFromInIndonesianZones(t *testing.T) {
	wib, wita := zone(t, "Asia/Jakarta"), zone(t, "Asia/Makassar")
	launch := time.Date(2026, 11, 27, 10, 0, 0, 0, wib)
	if got := (campaign.Offset{Days: -2, Clock: "09:00"}).From(launch, wib); !got.Equal(time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("T-2 09:00 WIB: %s", got.UTC())
	}
	if got := (campaign.Offset{Days: 5, Clock: "16:45"}).From(launch, wib); got.In(wib).Format("2006-01-02 15:04") != "2026-12-02 16:45" {
		t.Errorf("T+5 across the month end: %s", got.In(wib))
	}
	// 17:30 UTC on 26 November is already 01:30 on 27 November in Makassar.
	late := time.Date(2026, 11, 26, 17, 30, 0, 0, time.UTC)
	got := (campaign.Offset{Days: -1, Clock: "14:30"}).From(late, wita)
	if got.In(wita).Format("2006-01-02 15:04") != "2026-11-26 14:30" || !got.Equal(time.Date(2026, 11, 26, 6, 30, 0, 0, time.UTC)) {
		t.Errorf("T-1 14:30 WITA from 01:30 WITA on the 27th: %s", got.In(wita))
	}
}

func TestParseOffset(t *testing.T) {
	good := map[string]campaign.Offset{
		"T-2 09:00":        {Days: -2, Clock: "09:00"},
		"T−2 09:00":        {Days: -2, Clock: "09:00"}, // the Unicode minus sign
		"t+1 14:30":        {Days: 1, Clock: "14:30"},
		"T+0 10:00":        {Days: 0, Clock: "10:00"},
		"T 10:00":          {Days: 0, Clock: "10:00"},
		"  T-10 8:15  ":    {Days: -10, Clock: "08:15"},
		"T−2 hari, 09.00":  {Days: -2, Clock: "09:00"},
		"T-2 days, 09:00":  {Days: -2, Clock: "09:00"},
		"T+1 day 23:59":    {Days: 1, Clock: "23:59"},
		"T+366 00:00":      {Days: 366, Clock: "00:00"},
		"T - 3 , 07:05":    {Days: -3, Clock: "07:05"},
		"T+14 hari, 10.30": {Days: 14, Clock: "10:30"},
		"H-2 09.00":        {Days: -2, Clock: "09:00"},
	}
	for in, want := range good {
		got, err := campaign.ParseOffset(in)
		if err != nil || got != want {
			t.Errorf("ParseOffset(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := campaign.ParseOffset(got.String()); err != nil || back != got {
			t.Errorf("%q does not read back: %+v %v", got.String(), back, err)
		}
	}
	bad := []string{"", "T", "T-2", "2 09:00", "T-2 25:00", "T-2 09:60", "T-400 09:00", "X-2 09:00", "T-2 9", "T--2 09:00",
		"T-2 09:00 pagi", "T-209:00", "D-2 09:00", "T-2 9am"}
	for _, in := range bad {
		if o, err := campaign.ParseOffset(in); !errors.Is(err, campaign.ErrBadOffset) {
			t.Errorf("ParseOffset(%q) = %+v, %v; want ErrBadOffset", in, o, err)
		}
	}
}

func TestOffsetWords(t *testing.T) {
	b, err := i18n.NewBundle(catalog.Common, campaign.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	en, id := b.Locale("en", time.UTC), b.Locale("id", time.UTC)
	cases := []struct {
		o            campaign.Offset
		str, en, ind string
	}{
		{campaign.Offset{Days: -2, Clock: "09:00"}, "T-2 09:00", "T−2 days, 09:00", "T−2 hari, 09.00"},
		{campaign.Offset{Days: 1, Clock: "14:30"}, "T+1 14:30", "T+1 day, 14:30", "T+1 hari, 14.30"},
		{campaign.Offset{Days: 0, Clock: "10:00"}, "T+0 10:00", "T+0 days, 10:00", "T+0 hari, 10.00"},
	}
	for _, c := range cases {
		if got := c.o.String(); got != c.str {
			t.Errorf("String: %q, want %q", got, c.str)
		}
		if got := c.o.Label(en); got != c.en {
			t.Errorf("English: %q, want %q", got, c.en)
		}
		if got := c.o.Label(id); got != c.ind {
			t.Errorf("Indonesian: %q, want %q", got, c.ind)
		}
		// What the screens show can be typed back.
		for _, label := range []string{c.en, c.ind} {
			if back, err := campaign.ParseOffset(label); err != nil || back != c.o {
				t.Errorf("label %q reads back as %+v %v", label, back, err)
			}
		}
	}
}
