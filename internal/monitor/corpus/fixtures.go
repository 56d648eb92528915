package corpus

import (
	"embed"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"time"
)

// The fixture feeds are written with dates in November 2026; Fixtures moves them to now.
//
//go:embed fixtures/*.xml
var fixtureFiles embed.FS

var feedDate = regexp.MustCompile(`<(pubDate|lastBuildDate)>([^<]+)</`)

// Fixtures returns the demo workspace's news feeds by catalogue key (antara, kompas, detik,
// tribun-jatim, jawa-pos, the-jakarta-post): coverage of the fictional City of Sukamaju in East
// Java and its neighbour Sumberjaya, syndicated copies of ANTARA stories, and unrelated national
// news. Every date moves by the same amount, so that the newest item is three hours before now
// (to the minute) and the stories keep their order and spacing.
func Fixtures(now time.Time) map[string][]byte {
	files := map[string][]byte{}
	var newest time.Time
	names, _ := fs.Glob(fixtureFiles, "fixtures/*.xml")
	for _, name := range names {
		data, _ := fixtureFiles.ReadFile(name)
		for _, m := range feedDate.FindAllSubmatch(data, -1) {
			if t := parseFeedDate(m[2]); t.After(newest) {
				newest = t
			}
		}
		files[strings.TrimSuffix(path.Base(name), ".xml")] = data
	}
	shift := now.Add(-3 * time.Hour).Truncate(time.Minute).Sub(newest)
	for key, data := range files {
		files[key] = feedDate.ReplaceAllFunc(data, func(m []byte) []byte {
			sub := feedDate.FindSubmatch(m)
			return []byte("<" + string(sub[1]) + ">" + parseFeedDate(sub[2]).Add(shift).Format(time.RFC1123Z) + "</")
		})
	}
	return files
}

func parseFeedDate(b []byte) time.Time {
	t, err := time.Parse(time.RFC1123Z, string(b))
	if err != nil {
		panic("corpus: fixture date: " + err.Error()) // embedded; the tests read every fixture
	}
	return t
}
