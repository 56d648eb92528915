package i18n_test

import (
	"testing"
	"time"

	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
)

func TestIndonesianAndEnglishFormats(t *testing.T) {
	b, err := i18n.NewBundle(catalog.Common)
	if err != nil {
		t.Fatal(err)
	}
	wib, _ := i18n.LoadZone("Asia/Jakarta")
	at := time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC) // 10.00 WIB
	id := b.Locale("id", wib)
	en := b.Locale("en", wib)
	cases := []struct{ got, want string }{
		{id.LongDateTime(at), "Kamis, 3 Desember 2026 pukul 10.00 WIB"},
		{en.LongDateTime(at), "Thursday 3 December 2026, 10:00 WIB"},
		{id.Date(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)), "27 Nov 2026"},
		{id.Date(time.Date(2026, 8, 17, 12, 0, 0, 0, time.UTC)), "17 Agu 2026"},
		{id.Number(1234567.89), "1.234.567,89"},
		{en.Number(1234.5), "1,234.5"},
		{id.Money(1500000, "IDR"), "Rp 1.500.000"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	wita, _ := i18n.LoadZone("Asia/Makassar")
	if got := b.Locale("id", wita).Clock(at); got != "11.00 WITA" {
		t.Errorf("WITA clock: %q", got)
	}
}

func TestAcceptLanguage(t *testing.T) {
	for header, want := range map[string]string{
		"id-ID,id;q=0.9,en;q=0.8": "id",
		"en-SG,en;q=0.9":          "en",
		"fr-FR":                   "en",
		"":                        "en",
		"ms-MY,id;q=0.5":          "id",
	} {
		if got := i18n.FromAcceptLanguage(header, "en"); got != want {
			t.Errorf("%q: got %s want %s", header, got, want)
		}
	}
}

// A Count argument picks a plural form where there is one, and is plain data where there is not.
func TestCountWithoutPluralForms(t *testing.T) {
	b, err := i18n.NewBundle(catalog.Common)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Locale("en", nil).T("date.at", "Date", "1 May", "Time", "10:00", "Count", 1); got != "1 May, 10:00" {
		t.Errorf("got %q", got)
	}
}
