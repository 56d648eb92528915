package query_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"warta.dev/warta/internal/monitor/query"
)

// realTopics reads testdata/topics.txt: 200 queries of the kinds communications teams write.
func realTopics(tb testing.TB) map[int64]*query.Query {
	b, err := os.ReadFile("testdata/topics.txt")
	if err != nil {
		tb.Fatal(err)
	}
	topics := map[int64]*query.Query{}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		q, err := query.Parse(line)
		if err != nil {
			tb.Fatalf("%s: %v", line, err)
		}
		topics[int64(len(topics)+1)] = q
	}
	return topics
}

// realArticles reads the news items of testdata/articles, in Indonesian and English, each about
// 1,500 characters, by file name.
func realArticles(tb testing.TB) map[string]string {
	files, err := filepath.Glob("testdata/articles/*.txt")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no articles: %v", err)
	}
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".txt")] = string(b)
	}
	return out
}

// BenchmarkMatcher is the case: 200 topics, news items of about 1,500 characters, each
// matching 0–3 topics as real items do. One goroutine: ingestion needs the other core. The
// matcher has read the items once before, as a long-running one knows most words of the news.
func BenchmarkMatcher(b *testing.B) {
	benchMatch(b, realTopics(b), articleList(realArticles(b)), false)
}

// BenchmarkMatcherFirstSight is the other end: a new matcher for every item, so that every word
// is stemmed and looked up in the index, as right after the topics change. The matchers are
// built a hundred at a time with the timer stopped.
func BenchmarkMatcherFirstSight(b *testing.B) {
	topics, texts := realTopics(b), articleList(realArticles(b))
	b.ReportAllocs()
	var fresh []*query.Matcher
	for i := range b.N {
		if len(fresh) == 0 {
			b.StopTimer()
			for range 100 {
				fresh = append(fresh, query.NewMatcher(topics))
			}
			b.StartTimer()
		}
		fresh[len(fresh)-1].Match(texts[i%len(texts)])
		fresh = fresh[:len(fresh)-1]
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkMatcherParallel uses every core, as ingestion workers would.
func BenchmarkMatcherParallel(b *testing.B) {
	benchMatch(b, realTopics(b), articleList(realArticles(b)), true)
}

// BenchmarkMatcherHighMatch is the worst case for highlighting: topics drawn from the article's
// own vocabulary, so about a third of them match a 400-word item and all their hits are built.
func BenchmarkMatcherHighMatch(b *testing.B) {
	benchMatch(b, benchTopics(200), []string{article}, false)
}

func articleList(m map[string]string) []string {
	var out []string
	for _, a := range m {
		out = append(out, a)
	}
	return out
}

func benchMatch(b *testing.B, topics map[int64]*query.Query, texts []string, parallel bool) {
	m := query.NewMatcher(topics)
	size, matched := 0, 0
	for _, t := range texts {
		size += len(t)
		matched += len(m.Match(t))
	}
	b.SetBytes(int64(size / len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				m.Match(texts[i%len(texts)])
			}
		})
	} else {
		for i := 0; b.Loop(); i++ {
			m.Match(texts[i%len(texts)])
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(matched)/float64(len(texts)), "topics/item")
}
