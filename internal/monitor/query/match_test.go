package query_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"warta.dev/warta/internal/monitor/query"
)

// The realistic topics find in each news item what their teams would want, and nothing else.
func TestRealisticTopics(t *testing.T) {
	topics := realTopics(t)
	if len(topics) != 200 {
		t.Fatalf("%d topics, want 200", len(topics))
	}
	want := map[string][]string{
		"id_rob_jakarta_utara": {`(banjir OR rob OR genangan) jakarta`, `"pompa air" NEAR/5 rusak`},
		"id_laba_bank":         {`"Bank Nusantara" OR BNUS`, `"Rina Wulandari"`, `"suku bunga" "Bank Indonesia"`},
		"id_sinyal_maluku":     {`"Telko Prima" OR telkoprima`, `"Telko Prima" NEAR/5 gangguan`},
		"id_sepak_bola":        nil,
		"id_harga_beras":       nil,
		"en_nickel_smelter":    {`smelter* Morowali`, `nickel NEAR/5 export`, `"electric vehicle" battery Indonesia`},
		"en_bali_levy":         {`"Ngurah Rai" (bandara OR airport)`, `"pungutan wisatawan" OR "tourist levy"`, `tourism Bali (visitors OR arrivals)`},
		"en_chip_markets":      nil,
	}
	m := query.NewMatcher(topics)
	articles := realArticles(t)
	if len(articles) != len(want) {
		t.Fatalf("%d articles, want %d", len(articles), len(want))
	}
	for name, text := range articles {
		var got []string
		for _, mt := range m.Match(text) {
			got = append(got, topics[mt.Topic].String())
		}
		if !slices.Equal(got, want[name]) {
			t.Errorf("%s matched %q, want %q", name, got, want[name])
		}
	}
}

// Matcher answers as each query alone would, topics and hits, whether it has seen a text's words
// before or not, over generated queries of every kind and texts of every kind of word.
func TestMatcherAgreesWithQuery(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	topics := map[int64]*query.Query{}
	for len(topics) < 200 {
		q, err := query.Parse(randomQuery(r))
		if err != nil {
			continue // "NOT a" and the like are refused; the rest is what matters
		}
		topics[int64(len(topics)*3+1)] = q
	}
	for id, q := range realTopics(t) {
		topics[1000+id] = q
	}
	for i, src := range []string{`NOT NOT banjir`, `rob NOT (NOT jakarta)`, `"banjir banjir" NEAR/1 banjir`, `jak* jakarta*`} {
		topics[int64(2000+i)] = mustParse(t, src)
	}
	var texts []string
	for range 40 {
		texts = append(texts, randomText(r, 20+r.IntN(200)))
	}
	for _, a := range realArticles(t) {
		texts = append(texts, a)
	}
	texts = append(texts, article, "", "—", "Café", "e\u0301tat Banjir")

	want := make([][]query.Match, len(texts))
	for i, text := range texts {
		want[i] = matchEach(topics, text)
	}
	m := query.NewMatcher(topics)
	matched := 0
	for round := range 2 { // the second time every word is known
		for i, text := range texts {
			got := m.Match(text)
			if !reflect.DeepEqual(got, want[i]) {
				t.Fatalf("round %d, text %d %.80q:\nmatcher %v\nalone   %v", round, i, text, got, want[i])
			}
			matched += len(got)
		}
	}
	if matched < 100 {
		t.Fatalf("only %d matches: the test would prove little", matched)
	}
}

// Many goroutines share one Matcher, as ingestion workers do, and each gets the answer a matcher
// of its own would give, while the shared one learns words and starts its memory afresh. Run
// with -race to check the locking.
func TestMatcherConcurrent(t *testing.T) {
	topics := realTopics(t)
	r := rand.New(rand.NewPCG(5, 6))
	var texts []string
	for _, a := range realArticles(t) {
		texts = append(texts, a)
	}
	for range 20 {
		texts = append(texts, randomText(r, 200)) // new words to learn while others read
	}
	for i := range 4 { // and enough of them for the matcher to start its memory afresh
		var b strings.Builder
		for j := range 5000 {
			fmt.Fprintf(&b, "baru%d-%d ", i, j)
		}
		texts = append(texts, b.String()+texts[i])
	}
	want := make([][]query.Match, len(texts))
	for i, text := range texts {
		want[i] = query.NewMatcher(topics).Match(text) // a matcher of its own, one text only
	}
	m := query.NewMatcher(topics)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for k := range 2 * len(texts) {
				i := (g*7 + k) % len(texts)
				if got := m.Match(texts[i]); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("goroutine %d, text %d: %v, want %v", g, i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func mustParse(t *testing.T, src string) *query.Query {
	q, err := query.Parse(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return q
}

// matchEach matches text against every query alone, in topic order, as Matcher.Match answers.
func matchEach(topics map[int64]*query.Query, text string) []query.Match {
	var out []query.Match
	for id, q := range topics {
		if hits, ok := q.Match(text); ok {
			out = append(out, query.Match{Topic: id, Hits: hits})
		}
	}
	slices.SortFunc(out, func(a, b query.Match) int { return int(a.Topic - b.Topic) })
	return out
}

// Words for generated queries and texts: roots with their affixed and inflected forms, capitals,
// accents, and words a stemmer cuts in surprising ways.
var randomWords = strings.Fields(`banjir kebanjiran Banjir BANJIR rob jakarta Jakarta bangun pembangunan
	dibangun membangun baca membaca pembaca bacalah sama kebersamaan rumah rumahnya ajar pelajaran belajar
	temukan ditemukan menemukan flood floods flooding flooded policy policies run running minister ministers
	cafe café CAFÉ ole Ölé kursi kera keras news new bus pemerintah pemerintahnya bencana bencananya
	benci jakarta covid 19 air bersih warga layanan publik keluhan mengeluhkan bank nusantara telko prima
	sinyal hilang kuota internet desa terpencil tanggul jebol smelter smelters morowali export exports nickel`)

func randomQuery(r *rand.Rand) string {
	w := func() string { return randomWords[r.IntN(len(randomWords))] }
	phrase := func() string { return fmt.Sprintf(`"%s %s"`, w(), w()) }
	prefix := func() string {
		for {
			if x := query.Fold(w()); len(x) >= 4 {
				return x[:3+r.IntN(len(x)-3)] + "*"
			}
		}
	}
	operand := func() string {
		switch r.IntN(4) {
		case 0:
			return phrase()
		case 1:
			return prefix()
		default:
			return w()
		}
	}
	switch r.IntN(8) {
	case 0:
		return fmt.Sprintf("%s %s", operand(), operand())
	case 1:
		return fmt.Sprintf("%s OR %s", operand(), operand())
	case 2:
		return fmt.Sprintf("(%s OR %s) %s", operand(), operand(), operand())
	case 3:
		return fmt.Sprintf("%s NEAR/%d %s", operand(), 1+r.IntN(6), operand())
	case 4:
		return fmt.Sprintf("%s NOT %s", operand(), operand())
	case 5:
		return fmt.Sprintf("%s -%s OR %s DEKAT/3 %s", operand(), w(), operand(), operand())
	case 6:
		return fmt.Sprintf("%s ATAU (%s DAN %s)", phrase(), operand(), w())
	default:
		return operand()
	}
}

// randomText strings words with punctuation, some capitalised, some never seen before.
func randomText(r *rand.Rand, n int) string {
	seps := []string{" ", " ", " ", ", ", ". ", " — ", "-", " “", "” ", "\n", "/", " (", ") "}
	var b strings.Builder
	for range n {
		switch r.IntN(12) {
		case 0:
			fmt.Fprintf(&b, "kata%d", r.IntN(100000)) // a word no text had before
		case 1:
			w := randomWords[r.IntN(len(randomWords))]
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		case 2:
			b.WriteString("e\u0301tat") // a combining accent
		default:
			b.WriteString(randomWords[r.IntN(len(randomWords))])
		}
		b.WriteString(seps[r.IntN(len(seps))])
	}
	return b.String()
}
