package monitor

import (
	"context"
	"fmt"
	"testing"
	"time"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// Alerts announce news: a negative story from a large outlet raises one alert; the stories a
// changed query finds among those already collected, and a new source's old backlog, raise none;
// and a rule's quiet period holds whatever the checks.
func TestAlertsAnnounceOnlyNews(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		ctx := context.Background()
		check := func() {
			t.Helper()
			if err := f.s.CheckAlerts(ctx); err != nil {
				t.Fatal(err)
			}
		}
		count := func() int {
			t.Helper()
			alerts, err := f.s.Alerts(ctx, f.ws, 100)
			if err != nil {
				t.Fatal(err)
			}
			return len(alerts)
		}
		topic := f.topic(t, "Cabai", Issue, "cabai")
		if _, err := f.s.SaveRule(ctx, f.actor, f.ws, 0, RuleInput{TopicID: topic.ID, Kind: AlertNegative, MinReach: 100_000, Quiet: time.Hour,
			Emails: []int64{f.actor.UserID}, Enabled: true}); err != nil {
			t.Fatal(err)
		}
		// Six flood complaints of ten to fifteen days ago, in a large paper: not about cabai yet.
		for i, body := range complaints[:6] {
			f.ingest(t, "Harian Surya", story(fmt.Sprintf("https://surya.example/banjir-%d", i), fmt.Sprintf("Banjir %d: warga kecewa", i),
				"Tim Surya", body, f.now.Add(-time.Duration(10+i)*24*time.Hour)))
		}
		check()
		// The query changes to floods: the old stories become mentions, and nothing is alerted.
		if _, err := f.s.UpdateTopic(ctx, f.actor, f.ws, topic.ID, TopicInput{Name: "Banjir", Kind: Issue, Query: "banjir"}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.Backfill(ctx, f.ws, topic.ID); err != nil {
			t.Fatal(err)
		}
		check()
		if n, _ := f.s.CountMentions(ctx, f.ws, MentionFilter{TopicID: topic.ID, State: "any"}); n != 6 || count() != 0 {
			t.Fatalf("after the query changed: %d mentions, %d alerts; want 6 and none", n, count())
		}
		// A source's backlog of old news is not news either.
		f.ingest(t, "Metro TV Jakarta", story("https://metro.example/banjir-lama", "Banjir lama di Sukamaju, warga kecewa", "Tim Metro",
			complaints[6], f.now.Add(-5*24*time.Hour)))
		check()
		if count() != 0 {
			t.Fatalf("an old story raised %d alerts", count())
		}
		// Today's complaint on the large outlet is: one alert, and a second check adds none.
		f.ingest(t, "Metro TV Jakarta", story("https://metro.example/banjir-hari-ini", "Banjir hari ini, warga kecewa", "Tim Metro",
			complaints[7], f.now.Add(-time.Hour)))
		// The smaller outlet's complaint is under the reach set: no alert.
		f.ingest(t, "Kabar Jatim", story("https://kabar.example/banjir", "Banjir di Kabar Jatim, warga kecewa", "Tim Kabar",
			complaints[8], f.now.Add(-time.Hour)))
		check()
		check()
		if count() != 1 {
			t.Fatalf("%d alerts after today's complaint, want 1", count())
		}
	})
}

// complaints are nine different stories of residents angry about floods.
var complaints = []string{
	"Warga Sukamaju Utara kecewa karena banjir merendam rumah mereka dua hari tanpa bantuan dari kelurahan.",
	"Pedagang pasar mengeluh rugi besar setelah banjir menghanyutkan dagangan, dan menuding drainase kota buruk.",
	"Orang tua murid protes sekolah diliburkan lagi karena banjir, sementara perbaikan tanggul tak kunjung selesai.",
	"Pengendara terjebak genangan banjir setinggi pinggang di jalan provinsi, polisi lambat mengatur lalu lintas.",
	"Relawan menilai penanganan banjir kacau: logistik menumpuk di gudang sementara pengungsi kelaparan.",
	"DPRD mengecam lambatnya pemkot menangani banjir dan menuntut evaluasi dinas pekerjaan umum.",
	"Banjir tahun lalu meninggalkan kerusakan jalan yang sampai kini belum diperbaiki, keluh warga pesisir.",
	"Air banjir kembali naik pagi ini dan warga marah karena pompa air di rumah pompa rusak sejak pekan lalu.",
	"Warga kompleks perumahan menyesalkan banjir yang berulang dan menuding pengembang menutup saluran air.",
}
