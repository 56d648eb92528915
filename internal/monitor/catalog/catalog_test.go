package catalog_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"warta.dev/warta/internal/monitor/catalog"
	"warta.dev/warta/internal/press"
)

// Indonesia's 38 provinces, as the press contacts and outlets write them.
var provinces = []string{"Aceh", "Sumatera Utara", "Sumatera Barat", "Riau", "Kepulauan Riau", "Jambi", "Sumatera Selatan",
	"Kepulauan Bangka Belitung", "Bengkulu", "Lampung", "DKI Jakarta", "Jawa Barat", "Banten", "Jawa Tengah", "DI Yogyakarta",
	"Jawa Timur", "Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Barat", "Kalimantan Tengah",
	"Kalimantan Selatan", "Kalimantan Timur", "Kalimantan Utara", "Sulawesi Utara", "Gorontalo", "Sulawesi Tengah",
	"Sulawesi Barat", "Sulawesi Selatan", "Sulawesi Tenggara", "Maluku", "Maluku Utara", "Papua", "Papua Barat",
	"Papua Barat Daya", "Papua Selatan", "Papua Tengah", "Papua Pegunungan"}

func TestFileHasNoUnknownFields(t *testing.T) {
	raw, err := os.ReadFile("outlets.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var entries []catalog.Entry
	if err := dec.Decode(&entries); err != nil {
		t.Fatalf("outlets.json: %v", err)
	}
	if len(entries) != len(catalog.All()) {
		t.Fatalf("file has %d entries, All returns %d", len(entries), len(catalog.All()))
	}
}

func TestEntries(t *testing.T) {
	all := catalog.All()
	if len(all) < 60 {
		t.Errorf("%d entries, want at least 60", len(all))
	}
	if !slices.Equal(catalog.Types, press.OutletTypes) {
		t.Errorf("types %v differ from the press outlet types %v", catalog.Types, press.OutletTypes)
	}
	keys := map[string]bool{}
	scopes := map[string]int{}
	for _, e := range all {
		if e.Key == "" || e.Name == "" || keys[e.Key] {
			t.Errorf("%q (%s): key empty or used twice", e.Key, e.Name)
		}
		keys[e.Key] = true
		if e.Key != strings.ToLower(e.Key) || strings.ContainsAny(e.Key, " _./") {
			t.Errorf("%s: key is not a slug", e.Key)
		}
		for _, u := range []string{e.Website, e.FeedURL} {
			p, err := url.Parse(u)
			if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
				t.Errorf("%s: %q is not an absolute web address", e.Key, u)
			}
		}
		for _, f := range []struct {
			name, value string
			allowed     []string
		}{{"kind", e.Kind, catalog.Kinds}, {"type", e.Type, press.OutletTypes}, {"scope", e.Scope, catalog.Scopes},
			{"language", e.Language, catalog.Languages}, {"evidence", e.Evidence, catalog.Evidences}} {
			if !slices.Contains(f.allowed, f.value) {
				t.Errorf("%s: %s %q is not one of %v", e.Key, f.name, f.value, f.allowed)
			}
		}
		if len(e.Country) != 2 || strings.ToUpper(e.Country) != e.Country {
			t.Errorf("%s: country %q is not an ISO 3166-1 alpha-2 code", e.Key, e.Country)
		}
		if (e.Scope == "international") == (e.Country == "ID") {
			t.Errorf("%s: scope %s does not fit country %s", e.Key, e.Scope, e.Country)
		}
		switch {
		case e.Scope == "regional" && !slices.Contains(provinces, e.Province):
			t.Errorf("%s: regional outlet with province %q", e.Key, e.Province)
		case e.Scope != "regional" && e.Province != "":
			t.Errorf("%s: %s outlet with a province", e.Key, e.Scope)
		}
		if e.Reach != 0 {
			t.Errorf("%s: reach %d, but no audience figure was checked", e.Key, e.Reach)
		}
		scopes[e.Scope]++
	}
	if scopes["regional"] < 25 {
		t.Errorf("%d regional entries, want at least 25", scopes["regional"])
	}
	if scopes["national"] == 0 || scopes["international"] == 0 {
		t.Errorf("scopes %v, want every scope", scopes)
	}
}

func TestOrder(t *testing.T) {
	all := catalog.All()
	rank := func(e catalog.Entry) int { return slices.Index(catalog.Scopes, e.Scope) }
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if rank(a) > rank(b) || rank(a) == rank(b) && strings.ToLower(a.Name) > strings.ToLower(b.Name) {
			t.Errorf("%s (%s) comes before %s (%s)", a.Name, a.Scope, b.Name, b.Scope)
		}
	}
	all[0].Name = "changed"
	if catalog.All()[0].Name == "changed" {
		t.Error("changing All's result changed the catalogue")
	}
}

func TestLookup(t *testing.T) {
	e, ok := catalog.Lookup("antara")
	if !ok || e.Name != "ANTARA" || e.Type != "wire" || e.Scope != "national" {
		t.Errorf("Lookup(antara) = %+v, %v", e, ok)
	}
	if e, ok := catalog.Lookup("tribun-jatim"); !ok || e.Province != "Jawa Timur" {
		t.Errorf("Lookup(tribun-jatim) = %+v, %v", e, ok)
	}
	if _, ok := catalog.Lookup("no-such-outlet"); ok {
		t.Error("Lookup found an unknown key")
	}
}
