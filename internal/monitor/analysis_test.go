package monitor

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/monitor/catalog"
	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/jobs"
	mediastore "warta.dev/warta/internal/platform/media"
	"warta.dev/warta/internal/platform/web"
)

// fixture is monitoring over a fresh database, with a workspace in Jakarta's time zone, a member,
// the outlets media relations would give, and the media library for clippings' files.
type fixture struct {
	s     *Service
	ws    int64
	actor audit.Actor
	zone  *time.Location
	now   time.Time
	// outlet ids by name, and a source per outlet
	sources map[string]int64
}

// testOutlets stands in for media relations: the outlets a source's stories come from.
type testOutlets map[int64]Outlet

func (o testOutlets) Outlet(_ context.Context, _, id int64) (*Outlet, error) {
	out, ok := o[id]
	if !ok {
		return nil, db.ErrNotFound
	}
	return &out, nil
}

func (testOutlets) EnsureOutlet(context.Context, *db.Tx, int64, OutletInput) (int64, error) {
	return 0, errors.New("not used")
}

// libraryFiles keeps clippings' files in the real media library, as the app does.
type libraryFiles struct{ l *media.Library }

func (f libraryFiles) Upload(ctx context.Context, a audit.Actor, wsID int64, name string, r io.Reader) (int64, error) {
	asset, err := f.l.Upload(ctx, a, wsID, name, r)
	return asset.ID, err
}

var testOutletList = []Outlet{
	{ID: 1, Name: "Kabar Jatim", Type: "online", Province: "Jawa Timur", Reach: 50_000},
	{ID: 2, Name: "Harian Surya", Type: "print", Province: "Jawa Timur", Reach: 120_000},
	{ID: 3, Name: "Metro TV Jakarta", Type: "tv", Province: "DKI Jakarta", Reach: 900_000},
}

func newFixture(t *testing.T, engine db.Dialect) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, media.Migrations, Migrations)
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	q, err := jobs.New(d, log)
	if err != nil {
		t.Fatal(err)
	}
	store, err := mediastore.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	outlets := testOutlets{}
	for _, o := range testOutletList {
		outlets[o.ID] = o
	}
	s := New(Deps{DB: d, Queue: q, Log: log, Outlets: outlets, Files: libraryFiles{media.New(d, store)}})
	s.RegisterJobs(q)
	zone, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, zone: zone, now: time.Date(2026, 6, 20, 3, 0, 0, 0, time.UTC), sources: map[string]int64{}}
	s.SetClock(func() time.Time { return f.now })
	var user int64
	err = d.Tx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO workspaces (slug, name, lang, timezone, created_at) VALUES ('humas', 'Humas Sukamaju', 'id', 'Asia/Jakarta', ?) RETURNING id`,
			f.now).Scan(&f.ws); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO users (email, name, created_at) VALUES ('ratna@sukamaju.example', 'Ratna', ?) RETURNING id`, f.now).Scan(&user); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'editor', ?)`, f.ws, user, f.now); err != nil {
			return err
		}
		for _, o := range testOutletList {
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO monitor_sources (workspace_id, kind, name, url, outlet_id, interval_s, next_poll_at, created_at, updated_at)
				VALUES (?, 'feed', ?, ?, ?, 900, ?, ?, ?) RETURNING id`, f.ws, o.Name, "https://"+strings.ReplaceAll(strings.ToLower(o.Name), " ", "")+".example/rss",
				o.ID, f.now, f.now, f.now).Scan(&id); err != nil {
				return err
			}
			f.sources[o.Name] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.actor = audit.Actor{UserID: user, Label: "ratna@sukamaju.example"}
	return f
}

// wib is a time on a day of June 2026 in Jakarta.
func (f *fixture) wib(day, hour, minute int) time.Time {
	return time.Date(2026, 6, day, hour, minute, 0, 0, f.zone)
}

func (f *fixture) topic(t *testing.T, name, kind, q string, messages ...string) *Topic {
	t.Helper()
	tp, err := f.s.CreateTopic(context.Background(), f.actor, f.ws, TopicInput{Name: name, Kind: kind, Query: q, KeyMessages: messages})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func (f *fixture) ingest(t *testing.T, outlet string, items ...fetch.Item) {
	t.Helper()
	if _, err := f.s.Ingest(context.Background(), f.ws, f.sources[outlet], items); err != nil {
		t.Fatal(err)
	}
}

// mentionOf finds the topic's mention of the story with this headline.
func (f *fixture) mentionOf(t *testing.T, topic int64, title string) *Mention {
	t.Helper()
	ms, err := f.s.Mentions(context.Background(), f.ws, MentionFilter{TopicID: topic, State: "any", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i := range ms {
		if ms[i].Item.Title == title {
			return &ms[i]
		}
	}
	t.Fatalf("no mention of %q", title)
	return nil
}

func (f *fixture) analyze(t *testing.T, af AnalysisFilter) *Analysis {
	t.Helper()
	af.Zone = f.zone
	if af.From.IsZero() {
		af.From, af.To = f.wib(10, 0, 0), f.wib(14, 0, 0)
	}
	a, err := f.s.Analyze(context.Background(), f.ws, af)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

const (
	healthBody = "Pemerintah Kota Sukamaju membuka layanan kesehatan gratis di 30 puskesmas mulai Senin. Warga cukup membawa KTP " +
		"untuk memeriksakan tekanan darah, gula darah dan kolesterol. Wali Kota berharap layanan ini membantu warga " +
		"mengenali penyakit sejak dini dan mengapresiasi petugas puskesmas yang bekerja keras."
	floodBody = "Warga Sukamaju Utara mengeluhkan penanganan banjir yang lambat. Air setinggi lutut merendam rumah selama dua hari dan " +
		"bantuan belum juga datang, kata warga yang kecewa dan menuntut pemerintah kota bertindak cepat."
)

func story(url, title, author, body string, at time.Time) fetch.Item {
	return fetch.Item{URL: url, Title: title, Author: author, Summary: body, Text: body, Lang: "id", Published: at.UTC()}
}

// coverage is a week of Sukamaju's news: the city (brand), its mayor (person) and the neighbouring
// city it is compared with (competitor); one story syndicated on a second outlet, one published
// after midnight in Jakarta but before midnight in UTC, one triaged as not relevant, one of May.
type coverage struct {
	brand, mayor, rival *Topic
}

func (f *fixture) coverage(t *testing.T) coverage {
	t.Helper()
	ctx := context.Background()
	c := coverage{
		brand: f.topic(t, "Pemkot Sukamaju", Brand, "sukamaju", "Pelayanan kesehatan gratis untuk warga", "Harga tidak naik"),
		mayor: f.topic(t, "Wali Kota Hendra", Person, `"hendra kurniawan"`),
		rival: f.topic(t, "Kota Sumberjaya", Competitor, "sumberjaya"),
	}
	f.ingest(t, "Kabar Jatim",
		story("https://kabarjatim.example/cek-kesehatan", "Pemkot Sukamaju buka layanan kesehatan gratis", "Dewi Lestari", healthBody, f.wib(10, 9, 0)),
		story("https://kabarjatim.example/banjir", "Warga Sukamaju keluhkan banjir", "Budi Santoso", floodBody, f.wib(11, 1, 30)),
		story("https://kabarjatim.example/taman", "Sumberjaya resmikan taman kota", "", "Pemerintah Kota Sumberjaya meresmikan taman kota baru di pusat kota.", f.wib(13, 8, 0)),
		story("https://kabarjatim.example/kerja-sama", "Sumberjaya dan Sukamaju teken kerja sama air bersih", "", "Dua kota bertetangga sepakat berbagi sumber air bersih.", f.wib(13, 15, 0)),
		story("https://kabarjatim.example/lomba", "Sukamaju gelar lomba burung", "", "Lomba kicau burung digelar di alun-alun Sukamaju.", f.wib(14, 10, 0)),
		story("https://kabarjatim.example/mei", "Sukamaju pada bulan Mei", "", "Berita lama tentang Sukamaju.", time.Date(2026, 5, 20, 10, 0, 0, 0, f.zone)),
	)
	f.ingest(t, "Harian Surya",
		story("https://surya.example/kesehatan-gratis", "Cek kesehatan gratis di puskesmas Sukamaju", "Anto", "Harian Surya – "+healthBody, f.wib(10, 10, 0)),
		story("https://surya.example/cabai", "Harga cabai naik di pasar Sukamaju", "Dewi Lestari", "Harga cabai rawit di pasar Sukamaju naik menjadi Rp 80.000 per kilogram.", f.wib(12, 9, 0)),
	)
	f.ingest(t, "Metro TV Jakarta",
		story("https://metrotv.example/beras", "Hendra Kurniawan: harga beras di Sukamaju tidak naik", "Rina", "Wali Kota Hendra Kurniawan memastikan harga beras di Sukamaju tidak naik menjelang Lebaran.", f.wib(12, 19, 0)),
	)
	for _, tp := range []*Topic{c.brand, c.mayor, c.rival} {
		if err := f.s.Backfill(ctx, f.ws, tp.ID); err != nil {
			t.Fatal(err)
		}
	}
	irrelevant := MentionIrrelevant
	if _, err := f.s.TriageMentions(ctx, f.actor, f.ws, []int64{f.mentionOf(t, c.brand.ID, "Sukamaju gelar lomba burung").ID}, Triage{State: &irrelevant}); err != nil {
		t.Fatal(err)
	}
	// A person's reading of a story's tone counts over the lexicon's.
	for title, tone := range map[string]string{"Harga cabai naik di pasar Sukamaju": Negative, "Hendra Kurniawan: harga beras di Sukamaju tidak naik": Positive} {
		if err := f.s.SetSentiment(ctx, f.actor, f.ws, f.mentionOf(t, c.brand.ID, title).Item.ID, tone); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func seriesOf(a *Analysis, topic int64) *Series {
	for i := range a.Volume {
		if a.Volume[i].TopicID == topic {
			return &a.Volume[i]
		}
	}
	return nil
}

func shareOf(a *Analysis, topic int64) *Share {
	for i := range a.Share {
		if a.Share[i].TopicID == topic {
			return &a.Share[i]
		}
	}
	return nil
}

// The coverage of a week as a communications officer reads it, on each engine.
func TestAnalysis(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		c := f.coverage(t)
		// The syndicated copy and the story marked not relevant do not count, the story after
		// midnight in Jakarta counts on the next day, and share of voice, sentiment and the top
		// outlets and authors agree with the stories.
		t.Run("week", func(t *testing.T) {
			a := f.analyze(t, AnalysisFilter{})

			if len(a.Days) != 5 || !a.Days[0].Equal(f.wib(10, 0, 0)) || !a.Days[4].Equal(f.wib(14, 0, 0)) {
				t.Fatalf("days: %v", a.Days)
			}
			// Brand: the health story once (its copy left out), the flood, rice and chilli stories, and
			// the cooperation with Sumberjaya; the bird contest was marked not relevant.
			if s := seriesOf(a, c.brand.ID); s == nil || s.Total != 5 || !slices.Equal(s.Counts, []int{1, 1, 2, 1, 0}) {
				t.Errorf("the brand's volume per day: %+v", s)
			}
			if s := seriesOf(a, c.rival.ID); s == nil || !slices.Equal(s.Counts, []int{0, 0, 0, 2, 0}) {
				t.Errorf("the competitor's volume per day: %+v", s)
			}
			if a.Volume[0].TopicID != c.brand.ID {
				t.Errorf("the busiest topic comes first: %+v", a.Volume[0])
			}
			if a.Stories != 6 || a.Mentions != 8 {
				t.Errorf("%d stories and %d mentions, want 6 and 8", a.Stories, a.Mentions)
			}

			// Share of voice: 5 + 1 + 2 mentions.
			for _, want := range []struct {
				topic   int64
				count   int
				percent int
			}{{c.brand.ID, 5, 63}, {c.mayor.ID, 1, 13}, {c.rival.ID, 2, 25}} {
				if s := shareOf(a, want.topic); s == nil || s.Count != want.count || s.Percent() != want.percent {
					t.Errorf("share of voice of topic %d: %+v, want %d (%d%%)", want.topic, s, want.count, want.percent)
				}
			}

			// Sentiment per day counts stories: the rice story mentions the brand and the mayor, once.
			if s := a.Sentiment[0]; s.Total() != 1 || s.Positive != 1 {
				t.Errorf("10 June: %+v, want the health story once, positive", s)
			}
			if s := a.Sentiment[1]; s.Total() != 1 || s.Negative != 1 {
				t.Errorf("11 June (the flood, published 01.30 WIB): %+v", s)
			}
			if s := a.Sentiment[2]; s.Total() != 2 || s.Negative != 1 || s.Positive != 1 {
				t.Errorf("12 June: %+v, want the chilli story negative and the rice story positive", s)
			}
			if s := a.Sentiment[4]; s.Total() != 0 {
				t.Errorf("14 June has only the story marked not relevant: %+v", s)
			}

			if len(a.Outlets) != 3 || a.Outlets[0].Name != "Kabar Jatim" || a.Outlets[0].Count != 4 ||
				a.Outlets[1].Name != "Harian Surya" || a.Outlets[1].Count != 1 || a.Outlets[1].Negative != 1 || a.Outlets[2].Name != "Metro TV Jakarta" {
				t.Errorf("top outlets: %+v", a.Outlets)
			}
			// Dewi Lestari wrote for two outlets; stories without an author are not ranked.
			var dewi []string
			for _, au := range a.Authors {
				if au.Name == "Dewi Lestari" {
					dewi = append(dewi, au.Outlet)
				}
				if au.Name == "" || au.Name == "Anto" {
					t.Errorf("ranked author %+v (no name, or only on a copy)", au)
				}
			}
			if len(a.Authors) != 4 || len(dewi) != 2 {
				t.Errorf("top authors: %+v", a.Authors)
			}
		})
		// Each filter narrows every figure: outlet type, region, a single day and a single topic.
		t.Run("filters", func(t *testing.T) {

			printed := f.analyze(t, AnalysisFilter{OutletType: "print"})
			if printed.Stories != 1 || seriesOf(printed, c.brand.ID).Total != 1 || printed.Outlets[0].Name != "Harian Surya" {
				t.Errorf("print: %d stories, outlets %+v (the syndicated copy stays counted under its online original)", printed.Stories, printed.Outlets)
			}
			jakarta := f.analyze(t, AnalysisFilter{Region: "DKI Jakarta"})
			if jakarta.Stories != 1 || jakarta.Mentions != 2 || len(jakarta.Outlets) != 1 || jakarta.Outlets[0].Name != "Metro TV Jakarta" {
				t.Errorf("DKI Jakarta: %d stories, %d mentions, %+v", jakarta.Stories, jakarta.Mentions, jakarta.Outlets)
			}
			// 11 June in Jakarta is the flood story alone, though in UTC it was published on the 10th.
			day := f.analyze(t, AnalysisFilter{From: f.wib(11, 0, 0), To: f.wib(11, 0, 0)})
			if len(day.Days) != 1 || day.Stories != 1 || day.Sentiment[0].Negative != 1 {
				t.Errorf("11 June: %d days, %d stories, %+v", len(day.Days), day.Stories, day.Sentiment)
			}
			may := f.analyze(t, AnalysisFilter{From: time.Date(2026, 5, 1, 0, 0, 0, 0, f.zone), To: time.Date(2026, 5, 31, 0, 0, 0, 0, f.zone)})
			if may.Stories != 1 || len(may.Days) != 31 {
				t.Errorf("May: %d stories over %d days", may.Stories, len(may.Days))
			}

			// One topic: its own volume and stories; share of voice still compares them all.
			mayor := f.analyze(t, AnalysisFilter{TopicID: c.mayor.ID})
			if len(mayor.Volume) != 1 || mayor.Volume[0].TopicID != c.mayor.ID || mayor.Stories != 1 || len(mayor.Share) != 3 {
				t.Errorf("the mayor alone: %+v, %d stories, share %+v", mayor.Volume, mayor.Stories, mayor.Share)
			}
			if mayor.Outlets[0].Name != "Metro TV Jakarta" || len(mayor.Outlets) != 1 {
				t.Errorf("the mayor's outlets: %+v", mayor.Outlets)
			}
		})
		// Key messages: a story carries a message when it has its meaningful words in any form
		// ("pelayanan" in the message, "layanan" in the story), and a negation is one of them, so
		// prices rising does not carry "prices do not rise". The syndicated copy counts once.
		t.Run("key messages", func(t *testing.T) {
			a := f.analyze(t, AnalysisFilter{})
			if len(a.Messages) != 1 || a.Messages[0].TopicID != c.brand.ID {
				t.Fatalf("key messages: %+v (only the brand has some)", a.Messages)
			}
			tm := a.Messages[0]
			if tm.Mentions != 5 || len(tm.Messages) != 2 {
				t.Fatalf("the brand's messages: %+v", tm)
			}
			if m := tm.Messages[0]; m.Message != "Pelayanan kesehatan gratis untuk warga" || m.Count != 1 || m.Percent() != 20 {
				t.Errorf("free health care: %+v, want 1 story of 5", m)
			}
			if m := tm.Messages[1]; m.Count != 1 {
				t.Errorf("prices do not rise: %+v, want the rice story only, not the chilli one", m)
			}

			// Words in any order, any form; every content word is needed.
			for _, tc := range []struct {
				msg, text string
				want      bool
			}{
				{"Kemacetan berkurang", "Arus lalu lintas lancar, macet sudah jauh berkurang.", true},
				{"Floods are handled quickly", "The city handled the flooding quickly.", true},
				{"Harga tidak naik", "Harga cabai naik lagi.", false},
				{"Harga tidak naik", "Pemkot memastikan harga beras tidak akan naik.", true},
				{"Layanan kesehatan gratis", "Layanan kesehatan kini berbayar.", false},
				{"Program 3 juta rumah", "Program tiga juta rumah.", false},
			} {
				if got := newMessageSet([]string{tc.msg}).carried(tc.text)[0]; got != tc.want {
					t.Errorf("%q carries %q: %v, want %v", tc.text, tc.msg, got, tc.want)
				}
			}
		})
	})
}

// Every outlet type media relations knows, and every clipping medium, has its words in both
// languages: the filters and the clipping form show them.
func TestAnalysisWordsForOutletTypesAndMedia(t *testing.T) {
	b, err := i18n.NewBundle(Catalog)
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range catalog.Types {
		if !b.Has(outletTypeKey + ty) {
			t.Errorf("no words for the outlet type %q", ty)
		}
	}
	for _, m := range ClippingMedia {
		if !b.Has("monitor.medium."+m) || !slices.Contains(catalog.Types, clippingOutletType[m]) {
			t.Errorf("the medium %q has no words or counts as no outlet type", m)
		}
	}
}
