package dedupe_test

import (
	"bufio"
	"math/bits"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"warta.dev/warta/internal/monitor/dedupe"
	"warta.dev/warta/internal/monitor/query"
)

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		// host, scheme, port, fragment, trailing slash
		"HTTPS://WWW.Kompas.COM/read/2024/03/05/banjir/":      "https://kompas.com/read/2024/03/05/banjir",
		"https://kompas.com":                                  "https://kompas.com/",
		"https://www.kompas.com/":                             "https://kompas.com/",
		"http://example.go.id:80/berita":                      "http://example.go.id/berita",
		"https://example.go.id:443/berita#komentar":           "https://example.go.id/berita",
		"https://example.go.id:8443/berita":                   "https://example.go.id:8443/berita",
		"http://example.go.id:443/berita":                     "http://example.go.id:443/berita",
		"https://news.example.id./a":                          "https://news.example.id/a",
		"https://user:secret@example.id/a":                    "https://example.id/a",
		"https://[2001:DB8::1]:443/a/":                        "https://[2001:db8::1]/a",
		"https://m.tribunnews.com/regional/2024/03/05/banjir": "https://tribunnews.com/regional/2024/03/05/banjir",
		"https://amp.kompas.com/read/2024/03/05/banjir":       "https://kompas.com/read/2024/03/05/banjir",
		"https://m.id/a":                                      "https://m.id/a", // a host of its own, not a mobile edition
		"https://mobile.example.id/a":                         "https://mobile.example.id/a",
		"https://news.example.id/a/AMP":                       "https://news.example.id/a",
		"https://news.example.id/berita-123.amp.html":         "https://news.example.id/berita-123.html",
		"https://news.example.id/berita-123.amp":              "https://news.example.id/berita-123",
		"https://news.example.id/ampera/berita":               "https://news.example.id/ampera/berita",
		"https://news.example.id/a?outputType=amp&id=3":       "https://news.example.id/a?id=3",
		"https://news.example.id/a?outputType=json":           "https://news.example.id/a?outputType=json",
		"https://news.example.id/a?amp":                       "https://news.example.id/a",
		"https://news.example.id/a?amp=1&page=2":              "https://news.example.id/a?page=2",
		"https://news.example.id/a?page=2&id=9":               "https://news.example.id/a?id=9&page=2",
		"https://news.example.id/a?id=9&&page=all&":           "https://news.example.id/a?id=9&page=all",
		"https://news.example.id/a?q=banjir+rob&UTM_Source=x": "https://news.example.id/a?q=banjir+rob",
		"https://news.example.id/a?tag=a&tag=b":               "https://news.example.id/a?tag=a&tag=b",
		"https://news.example.id/a?tag=b&tag=a":               "https://news.example.id/a?tag=a&tag=b",
		"https://news.example.id/a?pk_campaign=x&mtm_source=y&at_medium=z&ns_source=w&_ga=1&s_cid=2&cmpid=3&ref=tw&ref_src=twsrc": "https://news.example.id/a",
		// not an absolute http(s) URL: trimmed and left alone
		"  not a url  ":                "not a url",
		"":                             "",
		"/relative/path?utm_source=x":  "/relative/path?utm_source=x",
		"mailto:humas@example.go.id":   "mailto:humas@example.go.id",
		"ftp://files.example.id/a/":    "ftp://files.example.id/a/",
		"https://bad host.example/a":   "https://bad host.example/a",
		"https://example.id/%zz?a=1 ":  "https://example.id/%zz?a=1",
		"https://example.id/a b?x=1 ":  "https://example.id/a%20b?x=1",
		"https://example.id/a?x=%zz&b": "https://example.id/a?b&x=%zz",
	} {
		if got := dedupe.Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

// Copies of one article's link, as readers share them, reduce to one address; other articles
// keep theirs.
func TestCanonicalVariants(t *testing.T) {
	for _, group := range [][]string{{
		"https://www.tribunnews.com/regional/2024/03/05/banjir-rendam-ratusan-rumah-di-baleendah",
		"https://www.tribunnews.com/regional/2024/03/05/banjir-rendam-ratusan-rumah-di-baleendah/",
		"http://www.tribunnews.com/regional/2024/03/05/banjir-rendam-ratusan-rumah-di-baleendah",
		"https://tribunnews.com/regional/2024/03/05/banjir-rendam-ratusan-rumah-di-baleendah?utm_source=facebook&utm_medium=social&fbclid=IwAR3xYz",
		"https://m.tribunnews.com/regional/2024/03/05/banjir-rendam-ratusan-rumah-di-baleendah?utm_source=whatsapp",
		"https://www.tribunnews.com/amp/regional/2024/03/05/banjir-rendam-ratusan-rumah-di-baleendah",
		"https://www.tribunnews.com/regional/2024/03/05/banjir-rendam-ratusan-rumah-di-baleendah?amp=1#read-next",
		"https://www.tribunnews.com/regional/2024/03/05/banjir-rendam-ratusan-rumah-di-baleendah?gclid=abc&mc_cid=1&mc_eid=2&igshid=3&_ga=2.1.1",
	}, {
		"https://news.detik.com/berita/d-7212345/kpk-tahan-mantan-kadis-pupr",
		"https://news.detik.com/berita/d-7212345/kpk-tahan-mantan-kadis-pupr/amp",
		"https://news.detik.com/berita/d-7212345/kpk-tahan-mantan-kadis-pupr?utm_campaign=detikcomsocmed&utm_source=twitter&ref_src=twsrc%5Etfw",
		"https://NEWS.detik.com:443/berita/d-7212345/kpk-tahan-mantan-kadis-pupr?outputType=amp",
		"https://news.detik.com/berita/d-7212345/kpk-tahan-mantan-kadis-pupr?yclid=9&s_cid=x&at_medium=sharing&at_campaign=y",
	}} {
		want := dedupe.Canonical(group[0])
		if strings.Contains(want, "www.") {
			t.Errorf("%q kept www", want)
		}
		for _, u := range group[1:] {
			// The http copy keeps its scheme: a site may serve only one of the two.
			if got := strings.Replace(dedupe.Canonical(u), "http://", "https://", 1); got != want {
				t.Errorf("Canonical(%q) = %q, want %q", u, got, want)
			}
		}
	}
	distinct := []string{
		"https://www.tribunnews.com/regional/2024/03/05/banjir-rendam-ratusan-rumah-di-baleendah",
		"https://www.tribunnews.com/regional/2024/03/06/banjir-rendam-ratusan-rumah-di-bekasi",
		"https://regional.kompas.com/read/2024/03/05/10150041/banjir-rendam?page=2",
		"https://regional.kompas.com/read/2024/03/05/10150041/banjir-rendam?page=3",
		"https://regional.kompas.com/read/2024/03/05/10150041/banjir-rendam",
		"https://example.go.id/berita?id=101",
		"https://example.go.id/berita?id=102",
	}
	seen := map[string]string{}
	for _, u := range distinct {
		c := dedupe.Canonical(u)
		if other, ok := seen[c]; ok {
			t.Errorf("%q and %q both give %q", other, u, c)
		}
		seen[c] = u
	}
}

func TestFingerprint(t *testing.T) {
	for _, empty := range []string{"", "   ", "— … !?", "\n\t"} {
		if fp := dedupe.Fingerprint(empty); fp != 0 {
			t.Errorf("Fingerprint(%q) = %x, want 0", empty, fp)
		}
	}
	a := dedupe.Fingerprint("Banjir merendam ratusan rumah di Kecamatan Baleendah")
	if a == 0 {
		t.Fatal("a text has fingerprint 0")
	}
	// Case, diacritics and punctuation do not matter: the words are read folded.
	if b := dedupe.Fingerprint("BANJIR merendam ratusan rumah — di kecamatan Baléendah!"); b != a {
		t.Errorf("folded text gives %x, want %x", b, a)
	}
	// Fingerprints are stored: the hash must not change between versions or processes.
	if a != 0x91e1447c57d38961 {
		t.Errorf("fingerprint is %#x; changing it makes every stored fingerprint wrong", a)
	}
	// Short texts (fewer than three words) still get distinct fingerprints.
	if dedupe.Fingerprint("banjir") == dedupe.Fingerprint("longsor") || dedupe.Fingerprint("banjir rob") == dedupe.Fingerprint("rob banjir") {
		t.Error("short texts collide")
	}
	if d := dedupe.Distance(0b1011, 0b0110); d != 3 {
		t.Errorf("Distance = %d, want 3", d)
	}
	if d := dedupe.Distance(0, 1<<64-1); d != 64 {
		t.Errorf("Distance = %d, want 64", d)
	}
}

// reference is the SimHash of 3-shingles written plainly over query.Tokenize, with the hashes
// Fingerprint documents: FNV-1a of the folded word and SplitMix64's finaliser.
func reference(text string) uint64 {
	mix := func(h uint64) uint64 {
		h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
		h = (h ^ h>>27) * 0x94d049bb133111eb
		return h ^ h>>31
	}
	var hs []uint64
	for _, tok := range query.Tokenize(text) {
		h := uint64(14695981039346656037)
		for i := 0; i < len(tok.Text); i++ {
			h = (h ^ uint64(tok.Text[i])) * 1099511628211
		}
		hs = append(hs, mix(h))
	}
	if len(hs) < 3 {
		var h uint64
		for _, w := range hs {
			h = mix(h ^ w)
		}
		return h
	}
	var counts [64]int
	for i := 2; i < len(hs); i++ {
		sh := mix(hs[i-2]*0x9e3779b97f4a7c15 ^ bits.RotateLeft64(hs[i-1], 21) ^ bits.RotateLeft64(hs[i], 42))
		for b := range 64 {
			counts[b] += int(sh >> b & 1)
		}
	}
	var fp uint64
	for b, c := range counts {
		if 2*c > len(hs)-2 {
			fp |= 1 << b
		}
	}
	return fp
}

// Fingerprint reads words as query.Tokenize does, so the monitor's matching and its duplicate
// finding agree on what a word is; long texts pass the point where its counters are emptied.
func TestFingerprintReadsAsTokenize(t *testing.T) {
	texts := []string{
		"Banjir", "Banjir rob", "COVID-19 naik lagi", "Kafe di Bandung: CAFÉ Ñandú, naïve résumé",
		"Pemerintah Kabupaten Bandung—BPBD—menyatakan “tidak ada korban jiwa”.",
		"Ελληνικά και русский текст 123 ١٢٣ mixed with Bahasa Indonesia",
		"e\u0301 combining marks: Cafe\u0301 se\u0301ance",
		strings.Repeat("Banjir merendam rumah warga di Baleendah. ", 200),
	}
	for _, a := range readArticles(t) {
		texts = append(texts, a.text)
	}
	for _, text := range texts {
		if got, want := dedupe.Fingerprint(text), reference(text); got != want {
			t.Errorf("Fingerprint(%.40q) = %#x, want %#x", text, got, want)
		}
	}
}

type article struct{ name, story, text string }

// readArticles reads testdata/articles.txt: "## name" starts an article; names that share the
// part before "~" are one story.
func readArticles(t testing.TB) []article {
	t.Helper()
	f, err := os.Open("testdata/articles.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []article
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			story, _, _ := strings.Cut(line[3:], "~")
			out = append(out, article{name: line[3:], story: story})
		case line == "" || strings.HasPrefix(line, "#"):
		case len(out) == 0:
			t.Fatalf("text before the first article: %q", line)
		default:
			out[len(out)-1].text += line + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Copies of a story are near and different stories are not, measured on every pair of the
// articles in testdata, once as written (reports of about 170 words) and once run on to about 350
// words, as full-length articles are: each copy is followed by the same 170 words of its story
// (its first version's words backwards, which share no shingle with any text). Different stories
// must never be near. Whether a given copy is near is partly chance (see NearDistance), so the
// test asks for the measured rate of copies found, with a little room, on full-length articles,
// and logs both rates.
func TestSyndication(t *testing.T) {
	arts := readArticles(t)
	first := map[string]string{}
	for _, a := range arts {
		if _, ok := first[a.story]; !ok {
			first[a.story] = backwards(a.text)
		}
	}
	for _, length := range []string{"as written", "run on to ~350 words"} {
		fps := make([]uint64, len(arts))
		for i, a := range arts {
			text := a.text
			if length != "as written" {
				text += first[a.story]
			}
			fps[i] = dedupe.Fingerprint(text)
		}
		var same, found, different, wrong int
		var dSame, dDiff []int
		for i := range arts {
			for j := i + 1; j < len(arts); j++ {
				d := dedupe.Distance(fps[i], fps[j])
				near := d <= dedupe.NearDistance
				if arts[i].story == arts[j].story {
					same++
					dSame = append(dSame, d)
					if near {
						found++
					}
				} else {
					different++
					dDiff = append(dDiff, d)
					if near {
						wrong++
						t.Errorf("%s: %s and %s are %d bits apart: different stories taken for one", length, arts[i].name, arts[j].name, d)
					}
				}
			}
		}
		tpr := float64(found) / float64(same)
		t.Logf("%s, NearDistance %d: copies found %d of %d (true positive rate %.2f), different stories taken for one %d of %d (false positive rate %.3f)",
			length, dedupe.NearDistance, found, same, tpr, wrong, different, float64(wrong)/float64(different))
		if length != "as written" && tpr < 0.8 {
			t.Errorf("%s: true positive rate %.2f, want at least 0.8", length, tpr)
		}
		t.Logf("%s: distances between copies %v; between different stories min %d, mean %.1f",
			length, slices.Sorted(slices.Values(dSame)), slices.Min(dDiff), mean(dDiff))
	}
	// A portal's footer added to a short report, or a few words changed, still leaves it near.
	byName := map[string]string{}
	for _, a := range arts {
		byName[a.name] = a.text
	}
	for _, pair := range [][2]string{
		{"banjir-baleendah", "banjir-baleendah~footer"},
		{"banjir-baleendah", "banjir-baleendah~edit"},
		{"kebakaran-pasar", "kebakaran-pasar~footer"},
	} {
		if d := dedupe.Distance(dedupe.Fingerprint(byName[pair[0]]), dedupe.Fingerprint(byName[pair[1]])); d > dedupe.NearDistance {
			t.Errorf("%s and %s are %d bits apart", pair[0], pair[1], d)
		}
	}
}

func backwards(text string) string {
	words := strings.Fields(text)
	slices.Reverse(words)
	return strings.Join(words, " ")
}

func mean(xs []int) float64 {
	s := 0
	for _, x := range xs {
		s += x
	}
	return float64(s) / float64(len(xs))
}

// flip changes n distinct bits of fp.
func flip(fp uint64, n int, r *rand.Rand) uint64 {
	for _, b := range r.Perm(64)[:n] {
		fp ^= 1 << b
	}
	return fp
}

func TestIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := dedupe.NewIndex(3)
	a, b, c, d := r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()
	x.Add(10, a)
	x.Add(11, flip(a, 2, r)) // a copy of story 10, seen later
	x.Add(20, b)
	if id, ok := x.Near(flip(a, dedupe.NearDistance, r)); !ok || id != 10 {
		t.Errorf("Near = %d %v, want the earliest copy, 10", id, ok)
	}
	if id, ok := x.Near(b); !ok || id != 20 {
		t.Errorf("Near(b) = %d %v, want 20", id, ok)
	}
	if id, ok := x.Near(flip(b, dedupe.NearDistance+1, r)); ok {
		t.Errorf("Near found %d for a fingerprint %d bits away", id, dedupe.NearDistance+1)
	}
	if _, ok := x.Near(c); ok {
		t.Error("Near found an unrelated fingerprint")
	}
	// Full: adding forgets the oldest, so story 10 is now known by its later copy.
	x.Add(30, c)
	if id, ok := x.Near(a); !ok || id != 11 {
		t.Errorf("after eviction Near(a) = %d %v, want 11", id, ok)
	}
	x.Add(40, d)
	if id, ok := x.Near(a); ok {
		t.Errorf("after both copies went Near(a) = %d, want none", id)
	}
	if x.Len() != 3 {
		t.Errorf("Len = %d, want 3", x.Len())
	}
	for _, fp := range []uint64{b, c, d} {
		if _, ok := x.Near(fp); !ok {
			t.Errorf("lost %x", fp)
		}
	}
	// An empty text is no story: it is neither remembered nor matched.
	x.Add(50, 0)
	if _, ok := x.Near(0); ok || x.Len() != 3 {
		t.Error("a zero fingerprint was indexed")
	}
	if dedupe.NewIndex(0).Len() != 0 {
		t.Error("a new index is not empty")
	}
}

// The band lookup gives what a scan of every remembered fingerprint gives, through many
// evictions.
func TestIndexAgreesWithScan(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const capacity = 500
	x := dedupe.NewIndex(capacity)
	type entry struct {
		id int64
		fp uint64
	}
	var all []entry
	hits := 0
	for i := range 5000 {
		var fp uint64
		if len(all) > 0 && r.IntN(3) == 0 { // a copy of a recent story
			fp = flip(all[len(all)-1-r.IntN(min(len(all), capacity))].fp, r.IntN(12), r)
		} else {
			fp = r.Uint64()
		}
		if fp == 0 {
			continue
		}
		q := fp
		if r.IntN(2) == 0 {
			q = flip(fp, r.IntN(10), r)
		}
		live := all[max(0, len(all)-capacity):]
		var want int64 = -1
		for _, e := range live {
			if bits.OnesCount64(e.fp^q) <= dedupe.NearDistance {
				want = e.id
				break
			}
		}
		got, ok := x.Near(q)
		if !ok {
			got = -1
		} else {
			hits++
		}
		if got != want {
			t.Fatalf("step %d: Near = %d, scan finds %d", i, got, want)
		}
		x.Add(int64(i), fp)
		all = append(all, entry{int64(i), fp})
	}
	if hits < 1000 {
		t.Errorf("only %d of 5000 lookups found something: the test asks too little", hits)
	}
}

func TestIndexConcurrent(t *testing.T) {
	x := dedupe.NewIndex(1000)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for i := range 2000 {
				fp := r.Uint64() | 1
				x.Add(int64(w*10000+i), fp)
				if _, ok := x.Near(fp); !ok && x.Len() < 1000 {
					t.Errorf("worker %d lost its own fingerprint", w)
					return
				}
			}
		})
	}
	wg.Wait()
	if x.Len() != 1000 {
		t.Errorf("Len = %d, want 1000", x.Len())
	}
}

func BenchmarkFingerprint(b *testing.B) {
	text := readArticles(b)[0].text
	text += text[:1500-len(text)]
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		dedupe.Fingerprint(text)
	}
}

// Near in a full index of 100,000 random fingerprints, for a fingerprint that is a copy of one
// (found) and one that is not (every candidate is read).
func BenchmarkIndexNear(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	x := dedupe.NewIndex(100_000)
	fps := make([]uint64, 100_000)
	for i := range fps {
		fps[i] = r.Uint64() | 1
		x.Add(int64(i), fps[i])
	}
	copies := make([]uint64, 1024)
	for i := range copies {
		copies[i] = flip(fps[r.IntN(len(fps))], 3, r)
	}
	b.Run("copy", func(b *testing.B) {
		i := 0
		for b.Loop() {
			x.Near(copies[i%len(copies)])
			i++
		}
	})
	fresh := make([]uint64, 1024)
	for i := range fresh {
		fresh[i] = r.Uint64() | 1
	}
	b.Run("new", func(b *testing.B) {
		i := 0
		for b.Loop() {
			x.Near(fresh[i%len(fresh)])
			i++
		}
	})
}

func BenchmarkIndexAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	x := dedupe.NewIndex(100_000)
	b.ReportAllocs()
	var i int64
	for b.Loop() {
		x.Add(i, r.Uint64()|1)
		i++
	}
}
