package channel_test

import (
	"strings"
	"testing"

	"warta.dev/warta/internal/channel"
)

func TestCountAsEachNetworkCounts(t *testing.T) {
	longURL := "https://humas.jakarta.go.id/berita/" + strings.Repeat("a", 265) // 300 characters
	family := "👨\u200d👩\u200d👧\u200d👦"                                          // seven code points, one emoji
	cases := []struct {
		name    string
		network channel.Network
		text    string
		opts    channel.CountOptions
		want    int
	}{
		{"X: a 300-character link counts 23", channel.X, longURL, channel.CountOptions{}, 23},
		{"X: text around a link", channel.X, "Baca " + longURL + " sekarang", channel.CountOptions{}, 5 + 23 + 9},
		{"X: a link without a scheme, its full stop left out", channel.X, "Kunjungi warta.id/berita.", channel.CountOptions{}, 9 + 23 + 1},
		{"X: an email address is no link", channel.X, "Surel humas@warta.id", channel.CountOptions{}, 20},
		{"X: a dotted word is no link", channel.X, "Halo.Apa kabar", channel.CountOptions{}, 14},
		{"X: halo and an emoji", channel.X, "halo 👋", channel.CountOptions{}, 7},
		{"X: a family emoji is one emoji", channel.X, family, channel.CountOptions{}, 2},
		{"X: Japanese weighs 2 a character", channel.X, "こんにちは", channel.CountOptions{}, 10},
		{"Bluesky: graphemes, a family and a flag are 1 each", channel.Bluesky, "Dirgahayu Indonesia 🇮🇩 " + family, channel.CountOptions{}, 23},
		{"Bluesky: a link counts in full", channel.Bluesky, longURL, channel.CountOptions{}, 300},
		{"Mastodon: a link counts 23", channel.Mastodon, "Baca " + longURL, channel.CountOptions{}, 5 + 23},
		{"Mastodon: a link without a scheme counts in full", channel.Mastodon, "Baca warta.id/berita", channel.CountOptions{}, 20},
		{"Mastodon: a remote mention counts its username", channel.Mastodon, "Halo @humas@mastodon.social!", channel.CountOptions{}, len("Halo @humas!")},
		{"Mastodon: the instance's link length", channel.Mastodon, longURL, channel.CountOptions{MastodonURLLength: 30}, 30},
		{"Threads: an emoji counts its UTF-8 bytes", channel.Threads, "halo 👋", channel.CountOptions{}, 9},
		{"Telegram: code points", channel.Telegram, "Halo " + family, channel.CountOptions{}, 12},
		{"LinkedIn: a link counts in full", channel.LinkedIn, longURL, channel.CountOptions{}, 300},
	}
	for _, c := range cases {
		if got := channel.Count(c.network, c.text, c.opts); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

func TestLimitAndCounter(t *testing.T) {
	cases := []struct {
		network channel.Network
		opts    channel.CountOptions
		want    int
	}{
		{channel.X, channel.CountOptions{}, 280},
		{channel.Bluesky, channel.CountOptions{}, 300},
		{channel.Mastodon, channel.CountOptions{}, 500},
		{channel.Mastodon, channel.CountOptions{MastodonLimit: 1000}, 1000},
		{channel.LinkedIn, channel.CountOptions{}, 3000},
		{channel.Threads, channel.CountOptions{}, 500},
		{channel.Facebook, channel.CountOptions{}, 63206},
		{channel.Instagram, channel.CountOptions{}, 2200},
		{channel.Telegram, channel.CountOptions{}, 4096},
		{channel.Telegram, channel.CountOptions{WithMedia: true}, 1024},
		{channel.X, channel.CountOptions{WithMedia: true}, 280},
	}
	for _, c := range cases {
		if got := channel.Limit(c.network, c.opts); got != c.want {
			t.Errorf("Limit(%s, %+v) = %d, want %d", c.network, c.opts, got, c.want)
		}
	}
	count, limit := channel.Counter(channel.Telegram, strings.Repeat("kata ", 220), channel.CountOptions{WithMedia: true})
	if count != 1100 || limit != 1024 {
		t.Errorf("Telegram caption counter: %d of %d, want 1100 of 1024", count, limit)
	}
	if count, limit := channel.Counter("myspace", "halo", channel.CountOptions{}); count != 4 || limit != 0 {
		t.Errorf("unknown network counter: %d of %d", count, limit)
	}
}

// The table is the one place the publishing issue reads: every network once, in the picker's order.
func TestNetworksTable(t *testing.T) {
	want := []channel.Network{channel.X, channel.Bluesky, channel.Mastodon, channel.LinkedIn, channel.Threads, channel.Facebook, channel.Instagram, channel.Telegram,
		channel.Slack, channel.Discord, channel.Teams, channel.Webhook}
	if len(channel.Networks) != len(want) {
		t.Fatalf("%d networks, want %d", len(channel.Networks), len(want))
	}
	for i, n := range want {
		r, ok := channel.Lookup(n)
		if !ok || channel.Networks[i].Network != n {
			t.Errorf("network %d: %q, want %q", i, channel.Networks[i].Network, n)
		}
		social := i < 8 // webhooks (Slack, Teams, a generic receiver) take text only, Discord files
		if r.MaxText <= 0 || (social && (r.MaxMedia <= 0 || len(r.Media) == 0)) {
			t.Errorf("%s: incomplete rules %+v", n, r)
		}
		for _, m := range r.Media {
			if m.MaxBytes <= 0 || m.Group == "" {
				t.Errorf("%s %s: incomplete media rule %+v", n, m.Kind, m)
			}
		}
	}
	if _, ok := channel.Lookup("myspace"); ok {
		t.Error("an unknown network was found")
	}
}
