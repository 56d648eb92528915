package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

func (l *Locale) month(m time.Month) string     { return l.T(fmt.Sprintf("date.month.%d", m)) }
func (l *Locale) monthAbbr(m time.Month) string { return l.T(fmt.Sprintf("date.mon.%d", m)) }
func (l *Locale) weekday(d time.Weekday) string { return l.T(fmt.Sprintf("date.day.%d", d)) }

// Date formats a day in the locale's zone: "27 Nov 2026" in both languages.
func (l *Locale) Date(t time.Time) string {
	t = t.In(l.Zone)
	return fmt.Sprintf("%d %s %d", t.Day(), l.monthAbbr(t.Month()), t.Year())
}

// LongDate: "Kamis, 3 Desember 2026" / "Thursday 3 December 2026".
func (l *Locale) LongDate(t time.Time) string {
	t = t.In(l.Zone)
	sep := " "
	if l.Lang == "id" {
		sep = ", "
	}
	return fmt.Sprintf("%s%s%d %s %d", l.weekday(t.Weekday()), sep, t.Day(), l.month(t.Month()), t.Year())
}

// Clock: "10.00 WIB" / "10:00 WIB".
func (l *Locale) Clock(t time.Time) string {
	t = t.In(l.Zone)
	layout := "15:04"
	if l.Lang == "id" {
		layout = "15.04"
	}
	return t.Format(layout) + " " + ZoneName(t)
}

// ZoneName is how a time's zone is written after the clock: Indonesia's zones by their own names
// (Asia/Pontianak is WIB too), others by their abbreviation, and as "UTC+8" or "UTC+5:30" when the
// zone has no letters for it.
func ZoneName(t time.Time) string {
	switch t.Location().String() {
	case "Asia/Jakarta", "Asia/Pontianak":
		return "WIB"
	case "Asia/Makassar":
		return "WITA"
	case "Asia/Jayapura":
		return "WIT"
	}
	abbr, offset := t.Zone()
	if abbr != "" && !strings.ContainsAny(abbr[:1], "+-0123456789") {
		return abbr
	}
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	s := "UTC" + sign + strconv.Itoa(offset/3600)
	if m := offset % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return s
}

// DateTime: "27 Nov 2026 10.00 WIB".
func (l *Locale) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return l.Date(t) + " " + l.Clock(t)
}

// LongDateTime: "Kamis, 3 Desember 2026 pukul 10.00 WIB" / "Thursday 3 December 2026, 10:00 WIB".
func (l *Locale) LongDateTime(t time.Time) string {
	return l.T("date.at", "Date", l.LongDate(t), "Time", l.Clock(t))
}

func (l *Locale) printer() *message.Printer {
	if l.Lang == "id" {
		return message.NewPrinter(language.Indonesian)
	}
	return message.NewPrinter(language.BritishEnglish)
}

// Number formats a number with the locale's separators: 1.234,5 or 1,234.5.
func (l *Locale) Number(v any) string {
	return l.printer().Sprint(number.Decimal(v, number.MaxFractionDigits(2)))
}

// Money formats an amount of a currency: "Rp 1.500.000" in Indonesian.
func (l *Locale) Money(amount float64, iso string) string {
	unit, err := currency.ParseISO(iso)
	if err != nil {
		return l.Number(amount) + " " + iso
	}
	if iso == "IDR" {
		return "Rp " + l.printer().Sprint(number.Decimal(amount, number.MaxFractionDigits(0)))
	}
	return l.printer().Sprint(currency.Symbol(unit.Amount(amount)))
}
