package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/monitor"
	"warta.dev/warta/internal/monitor/catalog"
	"warta.dev/warta/internal/monitor/corpus"
)

// demoTopics are what the city's humas team watches.
var demoTopics = []monitor.TopicInput{
	{Name: "Pemkot Sukamaju", Kind: monitor.Brand, Query: `sukamaju NOT sumberjaya OR "pemkot sukamaju" OR "kota sukamaju"`,
		KeyMessages: []string{"cek kesehatan gratis", "pelayanan publik", "Jembatan Kali Jaya"}},
	{Name: "Wali Kota Hendra Kurniawan", Kind: monitor.Person, Query: `"hendra kurniawan" OR ("wali kota" NEAR/3 sukamaju)`},
	{Name: "Banjir Sukamaju", Kind: monitor.Issue, Query: `(banjir OR flood* OR genangan) sukamaju`},
	{Name: "Air bersih PDAM", Kind: monitor.Issue, Query: `(pdam OR "air bersih" OR "water utility") sukamaju`},
	{Name: "Isu Jembatan Kali Jaya", Kind: monitor.Issue, Query: `"kali jaya" (jembatan OR bridge OR "mark-up" OR anggaran)`},
	{Name: "Kabupaten Sumberjaya", Kind: monitor.Competitor, Query: `sumberjaya`},
}

// loadMonitoring follows the starter outlets whose feeds the demo carries, watches the city's
// topics and reads the fixtures' stories as a poll would have; a few are triaged, and a spike
// rule watches the floods. With no internet the sources then report that they cannot be reached,
// which is what the health view is for.
func loadMonitoring(ctx context.Context, a *app.App, actor audit.Actor, wsID int64) error {
	feeds := corpus.Fixtures(time.Now())
	var keys []string
	for k := range feeds {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, t := range demoTopics {
		if _, err := a.Monitor.CreateTopic(ctx, actor, wsID, t); err != nil {
			return fmt.Errorf("demo topic %q: %w", t.Name, err)
		}
	}
	if _, err := a.Monitor.AddFromCatalog(ctx, actor, wsID, keys); err != nil {
		return err
	}
	sources, err := a.Monitor.Sources(ctx, wsID)
	if err != nil {
		return err
	}
	for _, src := range sources {
		entry, _ := catalog.Lookup(src.CatalogKey)
		res, err := a.Monitor.Fetcher.ParseFeed(feeds[src.CatalogKey], entry.FeedURL)
		if err != nil {
			return fmt.Errorf("demo feed %s: %w", src.CatalogKey, err)
		}
		if _, err := a.Monitor.Ingest(ctx, wsID, src.ID, res.Items); err != nil {
			return err
		}
	}
	mentions, err := a.Monitor.Mentions(ctx, wsID, monitor.MentionFilter{Limit: 200})
	if err != nil {
		return err
	}
	relevant, flagged := monitor.MentionRelevant, monitor.MentionFlagged
	editor, err := a.Auth.UserByEmail(ctx, "budi@sukamaju.example")
	if err != nil {
		return err
	}
	budi := editor.ID
	for _, m := range mentions {
		title := strings.ToLower(m.Item.Title)
		var t monitor.Triage
		switch {
		case m.TopicName == "Pemkot Sukamaju" && strings.Contains(title, "cek kesehatan"):
			t = monitor.Triage{State: &relevant, AddLabel: "liputan program"}
		case m.TopicName == "Isu Jembatan Kali Jaya" && strings.Contains(title, "mark-up"):
			note := "Siapkan kronologi lelang dan tanggapan Inspektorat sebelum jumpa pers Jumat."
			t = monitor.Triage{State: &flagged, AssigneeID: &budi, Note: &note, AddLabel: "perlu tanggapan"}
		case m.TopicName == "Banjir Sukamaju" && strings.Contains(title, "keluhkan"):
			t = monitor.Triage{State: &flagged, AssigneeID: &budi, AddLabel: "perlu tanggapan"}
		default:
			continue
		}
		if _, err := a.Monitor.TriageMentions(ctx, actor, wsID, []int64{m.ID}, t); err != nil {
			return err
		}
	}
	topics, err := a.Monitor.Topics(ctx, wsID)
	if err != nil {
		return err
	}
	for _, t := range topics {
		if t.Name == "Banjir Sukamaju" {
			_, err := a.Monitor.SaveRule(ctx, actor, wsID, 0, monitor.RuleInput{TopicID: t.ID, Kind: monitor.AlertSpike, Factor: 3, MinCount: 5,
				Window: time.Hour, BaselineDays: 7, Quiet: 6 * time.Hour, Emails: []int64{actor.UserID}, Enabled: true})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
