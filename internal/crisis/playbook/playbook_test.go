package playbook

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

var langs = []string{"id", "en"}

// A writer who switches language sees the same choice of templates, for the same crisis types.
func TestBothLanguagesOfferTheSameTemplates(t *testing.T) {
	id, en := books["id"].Templates, books["en"].Templates
	if len(id) != len(en) {
		t.Fatalf("id has %d templates, en has %d", len(id), len(en))
	}
	if len(id) < 7 || len(id) > 9 {
		t.Errorf("%d templates per language, want 7 to 9", len(id))
	}
	for i := range id {
		a, b := id[i], en[i]
		if a.Key != b.Key || a.Kind != b.Kind || !slices.Equal(a.Types, b.Types) {
			t.Errorf("template %d: id %s/%s/%v, en %s/%s/%v", i, a.Key, a.Kind, a.Types, b.Key, b.Kind, b.Types)
		}
		for _, tp := range []Template{a, b} {
			if tp.Name == "" || tp.Title == "" || tp.Body == "" {
				t.Errorf("%s is missing its name, title or body in one language", tp.Key)
			}
			if !slices.Contains(kinds, tp.Kind) {
				t.Errorf("%s has unknown kind %q", tp.Key, tp.Kind)
			}
			for _, ty := range tp.Types {
				if !ty.Valid() {
					t.Errorf("%s names unknown type %q", tp.Key, ty)
				}
			}
		}
		// Both versions must ask the writer for the same facts.
		if ua, ub := sorted(Used(a.Title+a.Body)), sorted(Used(b.Title+b.Body)); !slices.Equal(ua, ub) {
			t.Errorf("%s: id uses %v, en uses %v", a.Key, ua, ub)
		}
	}
	seen := map[string]bool{}
	for _, tp := range id {
		if seen[tp.Key] {
			t.Errorf("key %s is used twice", tp.Key)
		}
		seen[tp.Key] = true
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

// Whatever the crisis, the first hour has a statement ready, and the chooser lists it first.
func TestEveryTypeHasAHoldingStatementFirst(t *testing.T) {
	for _, lang := range langs {
		for _, ty := range Types {
			tps := Templates(ty, lang)
			if len(tps) == 0 || tps[0].Kind != KindHolding {
				t.Fatalf("%s/%s: first template is not a holding statement: %+v", lang, ty, tps)
			}
			for i := 1; i < len(tps); i++ {
				if slices.Index(kinds, tps[i-1].Kind) > slices.Index(kinds, tps[i].Kind) {
					t.Errorf("%s/%s: %s listed before %s", lang, ty, tps[i-1].Key, tps[i].Key)
				}
			}
			has := func(kind string) bool {
				return slices.ContainsFunc(tps, func(tp Template) bool { return tp.Kind == kind })
			}
			if !has(KindUpdate) || !has(KindResolved) {
				t.Errorf("%s/%s: no update or closing statement", lang, ty)
			}
			if ty != Victim && !has(KindApology) {
				t.Errorf("%s/%s: no apology template", lang, ty)
			}
		}
	}
}

var example = regexp.MustCompile(`‘([^’]+)’`)

// A holding statement, filled in with the examples the placeholder help gives, is short enough
// to publish within the hour (120 to 200 words) and carries CERC's parts: what is being done,
// what people should do, when the next update comes and where to look.
func TestHoldingStatementsAreShortAndComplete(t *testing.T) {
	for _, lang := range langs {
		values := map[string]string{}
		for _, p := range Placeholders(lang) {
			m := example.FindStringSubmatch(p.Description)
			if m == nil {
				t.Fatalf("%s: the help for {{%s}} gives no example", lang, p.Name)
			}
			values[p.Name] = m[1]
		}
		for _, tp := range bookFor(lang).Templates {
			if tp.Kind != KindHolding {
				continue
			}
			if n := len(strings.Fields(Fill(tp.Body, values))); n < 120 || n > 200 {
				t.Errorf("%s/%s: %d words once filled, want 120 to 200", lang, tp.Key, n)
			}
			used := Used(tp.Body)
			for _, p := range []string{"organisasi", "imbauan", "pembaruan_berikutnya", "kanal_info", "narahubung"} {
				if !slices.Contains(used, p) {
					t.Errorf("%s/%s does not use {{%s}}", lang, tp.Key, p)
				}
			}
		}
	}
}

func TestFillReplacesKnownPlaceholdersAndMarksTheRest(t *testing.T) {
	got := Fill("{{organisasi}} menyampaikan bahwa pada {{ waktu }} terjadi {{kejadian}} di {{lokasi}}. {{tanggapan}}", map[string]string{
		"organisasi": "Pemerintah Kota Sukamaju",
		"waktu":      "Kamis, 3 Desember 2026 pukul 06.30 WIB",
		"lokasi":     "   ",
		"tanggapan":  "ini bukan placeholder yang dikenal",
	})
	want := "Pemerintah Kota Sukamaju menyampaikan bahwa pada Kamis, 3 Desember 2026 pukul 06.30 WIB terjadi [kejadian] di [lokasi]. [tanggapan]"
	if got != want {
		t.Errorf("Fill:\n got %q\nwant %q", got, want)
	}
}

// A template filled with every documented placeholder leaves nothing for the writer to find.
func TestEveryPlaceholderUsedIsDocumented(t *testing.T) {
	for _, lang := range langs {
		values := map[string]string{}
		for _, p := range Placeholders(lang) {
			if p.Description == "" {
				t.Errorf("%s: {{%s}} has no description", lang, p.Name)
			}
			values[p.Name] = "X"
		}
		var texts []string
		for _, tp := range bookFor(lang).Templates {
			texts = append(texts, tp.Title, tp.Body)
		}
		for _, ty := range Types {
			for _, qa := range Questions(ty, lang) {
				texts = append(texts, qa.Question, qa.Answer)
			}
		}
		for _, s := range texts {
			for _, name := range Used(s) {
				if _, ok := values[name]; !ok {
					t.Errorf("%s: {{%s}} is used but not in Placeholders", lang, name)
				}
			}
			if out := Fill(s, values); strings.ContainsAny(out, "{}[]") {
				t.Errorf("%s: filled text still has something to fill: %q", lang, out)
			}
		}
	}
	names := func(lang string) []string {
		var out []string
		for _, p := range Placeholders(lang) {
			out = append(out, p.Name)
		}
		return out
	}
	if id, en := names("id"), names("en"); !slices.Equal(id, en) {
		t.Errorf("placeholder names differ: id %v, en %v", id, en)
	}
}

func TestGuidanceForEveryType(t *testing.T) {
	for _, ty := range Types {
		var keys [2][]string
		for i, lang := range langs {
			g := GuidanceFor(ty, lang)
			if g.Type != ty || g.Name == "" || g.Summary == "" || len(g.Examples) == 0 || len(g.Avoid) == 0 || len(g.Strategies) == 0 {
				t.Errorf("%s/%s: incomplete guidance: %+v", lang, ty, g)
			}
			for _, s := range g.Strategies {
				if s.Key == "" || s.Name == "" || s.Advice == "" {
					t.Errorf("%s/%s: incomplete strategy %+v", lang, ty, s)
				}
				keys[i] = append(keys[i], s.Key)
			}
			if n := len(Questions(ty, lang)); n < 6 || n > 8 {
				t.Errorf("%s/%s: %d anticipated questions, want 6 to 8", lang, ty, n)
			}
			for _, qa := range Questions(ty, lang) {
				if qa.Question == "" || qa.Answer == "" {
					t.Errorf("%s/%s: empty question or answer", lang, ty)
				}
			}
		}
		if !slices.Equal(keys[0], keys[1]) {
			t.Errorf("%s: strategies differ between id %v and en %v", ty, keys[0], keys[1])
		}
		if len(GuidanceFor(ty, "id").Examples) != len(GuidanceFor(ty, "en").Examples) ||
			len(GuidanceFor(ty, "id").Avoid) != len(GuidanceFor(ty, "en").Avoid) ||
			len(Questions(ty, "id")) != len(Questions(ty, "en")) {
			t.Errorf("%s: id and en differ in examples, avoid or questions", ty)
		}
	}
	// SCCT's core match: a preventable crisis calls for rebuilding, a victim crisis for instructing.
	if g := GuidanceFor(Preventable, "en"); g.Strategies[0].Key != "instructing" || g.Strategies[1].Key != "apology" {
		t.Errorf("preventable should lead with safety, then apology: %v", g.Strategies)
	}
	if g := GuidanceFor(Victim, "en"); slices.ContainsFunc(g.Strategies, func(s Strategy) bool { return s.Key == "apology" }) {
		t.Error("a victim crisis should not recommend apology")
	}
}

func TestPrinciplesAreCERCsSix(t *testing.T) {
	want := []string{"be-first", "be-right", "be-credible", "express-empathy", "promote-action", "show-respect"}
	for _, lang := range langs {
		var got []string
		for _, p := range Principles(lang) {
			if p.Name == "" || p.Advice == "" {
				t.Errorf("%s: %s is incomplete", lang, p.Key)
			}
			got = append(got, p.Key)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: principles %v, want %v", lang, got, want)
		}
	}
	if Principles("en")[0].Name != "Be first" {
		t.Errorf("en principle 1 is %q", Principles("en")[0].Name)
	}
}

// Unknown and regional language tags fall back sensibly, and lookups by key work in both.
func TestLanguageChoiceAndLookup(t *testing.T) {
	if GuidanceFor(Victim, "fr").Name != GuidanceFor(Victim, "id").Name {
		t.Error("an unknown language should give Indonesian")
	}
	if GuidanceFor(Victim, "en-GB").Name != GuidanceFor(Victim, "en").Name {
		t.Error("en-GB should give English")
	}
	tp, ok := TemplateByKey("holding-victim", "en")
	if !ok || tp.Kind != KindHolding || !strings.Contains(tp.Body, "{{imbauan}}") {
		t.Errorf("holding-victim: %+v, %v", tp, ok)
	}
	if _, ok := TemplateByKey("no-such-template", "id"); ok {
		t.Error("an unknown key was found")
	}
	if g := GuidanceFor(Type("other"), "id"); g.Summary != "" || Type("other").Valid() {
		t.Error("an unknown type should give no guidance")
	}
	// Callers get copies: changing one must not change what the next caller sees.
	Templates(Accidental, "id")[0].Types[0] = Victim
	if Templates(Accidental, "id")[0].Types[0] != Accidental {
		t.Error("Templates returned shared data")
	}
}
