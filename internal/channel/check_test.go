package channel_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/i18n"
)

func image(bytes int64) channel.Media {
	return channel.Media{Kind: channel.KindImage, Bytes: bytes, Alt: "Wali kota meresmikan taman"}
}

func TestCheckReturnsEveryBrokenRule(t *testing.T) {
	hashtags := strings.Repeat("#jakarta ", 31)
	cases := []struct {
		name string
		v    channel.Variant
		opts channel.CountOptions
		want []channel.Problem
	}{
		{
			name: "X: exactly 280 passes",
			v:    channel.Variant{Network: channel.X, Text: strings.Repeat("a", 280)},
		},
		{
			name: "X: 281 fails",
			v:    channel.Variant{Network: channel.X, Text: strings.Repeat("a", 281)},
			want: []channel.Problem{{Network: channel.X, Field: "text", Key: channel.ProblemTextTooLong, Args: []any{"Length", 281, "Max", 280}}},
		},
		{
			name: "X: a 300-character link with a sentence fits",
			v:    channel.Variant{Network: channel.X, Text: "Siaran pers lengkap: https://humas.jakarta.go.id/" + strings.Repeat("b", 271)},
		},
		{
			name: "Mastodon: 600 characters fail on a default instance",
			v:    channel.Variant{Network: channel.Mastodon, Text: strings.Repeat("kata ", 120)},
			want: []channel.Problem{{Network: channel.Mastodon, Field: "text", Key: channel.ProblemTextTooLong, Args: []any{"Length", 600, "Max", 500}}},
		},
		{
			name: "Mastodon: 600 characters pass on an instance of 1,000",
			v:    channel.Variant{Network: channel.Mastodon, Text: strings.Repeat("kata ", 120)},
			opts: channel.CountOptions{MastodonLimit: 1000},
		},
		{
			name: "Telegram: 1,100 characters pass as a message",
			v:    channel.Variant{Network: channel.Telegram, Text: strings.Repeat("kata ", 220)},
		},
		{
			name: "Telegram: 1,100 characters fail as a caption",
			v:    channel.Variant{Network: channel.Telegram, Text: strings.Repeat("kata ", 220), Media: []channel.Media{image(1_000_000)}},
			want: []channel.Problem{{Network: channel.Telegram, Field: "text", Key: channel.ProblemCaptionTooLong, Args: []any{"Length", 1100, "Max", 1024}}},
		},
		{
			name: "Telegram: no first comment",
			v:    channel.Variant{Network: channel.Telegram, Text: "Pengumuman", FirstComment: "Info lengkap di situs"},
			want: []channel.Problem{{Network: channel.Telegram, Field: "first_comment", Key: channel.ProblemNoFirstComment}},
		},
		{
			name: "LinkedIn: a first comment over 1,250",
			v:    channel.Variant{Network: channel.LinkedIn, Text: "Laporan tahunan", FirstComment: strings.Repeat("a", 1251)},
			want: []channel.Problem{{Network: channel.LinkedIn, Field: "first_comment", Key: channel.ProblemCommentTooLong, Args: []any{"Length", 1251, "Max", 1250}}},
		},
		{
			name: "Instagram: 31 hashtags and no image",
			v:    channel.Variant{Network: channel.Instagram, Text: "Car free day " + hashtags + "&#39; #2026"},
			want: []channel.Problem{
				{Network: channel.Instagram, Field: "text", Key: channel.ProblemTooManyHashtags, Args: []any{"Hashtags", 31, "Max", 30}},
				{Network: channel.Instagram, Field: "media", Key: channel.ProblemMediaRequired},
			},
		},
		{
			name: "Instagram: a GIF is refused and does not count as the image it needs",
			v:    channel.Variant{Network: channel.Instagram, Text: "Halo", Media: []channel.Media{{Kind: channel.KindGIF, Bytes: 100, Alt: "Animasi"}}},
			want: []channel.Problem{
				{Network: channel.Instagram, Field: "media", Key: channel.ProblemMediaRequired},
				{Network: channel.Instagram, Field: "media", Key: channel.ProblemKindRefused, Args: []any{"Kinds", channel.KindGIF}},
			},
		},
		{
			name: "X: five images, two of them without alt text, one too large",
			v: channel.Variant{Network: channel.X, Text: "Galeri", Media: []channel.Media{
				image(1_000_000), {Kind: channel.KindImage, Bytes: 6_000_000}, image(1), image(1), {Kind: channel.KindImage, Bytes: 2, Alt: " "},
			}},
			want: []channel.Problem{
				{Network: channel.X, Field: "media", Key: channel.ProblemTooManyMedia, Args: []any{"Items", 5, "Max", 4}},
				{Network: channel.X, Field: "media", Key: channel.ProblemMediaTooLarge, Args: []any{"Kind", channel.KindImage, "Index", 2, "Size", int64(6_000_000), "Max", int64(5_000_000)}},
				{Network: channel.X, Field: "media", Key: channel.ProblemAltMissing, Args: []any{"Kind", channel.KindImage, "Index", 2}},
				{Network: channel.X, Field: "media", Key: channel.ProblemAltMissing, Args: []any{"Kind", channel.KindImage, "Index", 5}},
			},
		},
		{
			name: "X: an image and two videos",
			v: channel.Variant{Network: channel.X, Text: "Video", Media: []channel.Media{
				image(1), {Kind: channel.KindVideo, Bytes: 1}, {Kind: channel.KindVideo, Bytes: 1},
			}},
			want: []channel.Problem{
				{Network: channel.X, Field: "media", Key: channel.ProblemTooManyOfKind, Args: []any{"Kinds", channel.KindVideo, "Items", 2, "Max", 1}},
				{Network: channel.X, Field: "media", Key: channel.ProblemMediaMix, Args: []any{"Kinds", channel.KindVideo, "OtherKinds", channel.KindImage}},
			},
		},
		{
			name: "Mastodon: images and a GIF share a post",
			v:    channel.Variant{Network: channel.Mastodon, Text: "Foto", Media: []channel.Media{image(1), {Kind: channel.KindGIF, Bytes: 1, Alt: "Animasi"}}},
		},
		{
			name: "Bluesky: an image over 2 MB, a document",
			v: channel.Variant{Network: channel.Bluesky, Text: "Foto", Media: []channel.Media{
				image(2_500_000), {Kind: channel.KindDocument, Bytes: 10},
			}},
			want: []channel.Problem{
				{Network: channel.Bluesky, Field: "media", Key: channel.ProblemKindRefused, Args: []any{"Kinds", channel.KindDocument}},
				{Network: channel.Bluesky, Field: "media", Key: channel.ProblemMediaTooLarge, Args: []any{"Kind", channel.KindImage, "Index", 1, "Size", int64(2_500_000), "Max", int64(2_000_000)}},
			},
		},
		{
			name: "Telegram: photos and videos share an album, documents do not",
			v: channel.Variant{Network: channel.Telegram, Text: "Album", Media: []channel.Media{
				image(1), {Kind: channel.KindVideo, Bytes: 1}, {Kind: channel.KindDocument, Bytes: 1},
			}},
			want: []channel.Problem{
				{Network: channel.Telegram, Field: "media", Key: channel.ProblemMediaMix, Args: []any{"Kinds", channel.KindDocument, "OtherKinds", channel.KindImage}},
			},
		},
		{
			name: "Facebook: an empty variant",
			v:    channel.Variant{Network: channel.Facebook, Text: "  "},
			want: []channel.Problem{{Network: channel.Facebook, Field: "text", Key: channel.ProblemEmpty}},
		},
		{
			name: "a network Warta does not know",
			v:    channel.Variant{Network: "myspace", Text: "Halo"},
			want: []channel.Problem{{Network: "myspace", Field: "network", Key: channel.ProblemUnknownNetwork}},
		},
	}
	for _, c := range cases {
		if got := channel.Check(c.v, c.opts); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got  %#v\n want %#v", c.name, got, c.want)
		}
	}
}

func locales(t *testing.T) (id, en *i18n.Locale) {
	t.Helper()
	b, err := i18n.NewBundle(channel.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	return b.Locale("id", time.UTC), b.Locale("en", time.UTC)
}

func TestMessagesInBothLanguages(t *testing.T) {
	id, en := locales(t)
	cases := []struct {
		p      channel.Problem
		id, en string
	}{
		{
			channel.Problem{Network: channel.X, Field: "text", Key: channel.ProblemTextTooLong, Args: []any{"Length", 312, "Max", 280}},
			"Teks untuk X berisi 312 karakter, melebihi batas 280.",
			"The text for X is 312 characters, over the limit of 280.",
		},
		{
			channel.Check(channel.Variant{Network: channel.Facebook, Text: strings.Repeat("a", 63207)}, channel.CountOptions{})[0],
			"Teks untuk Facebook berisi 63.207 karakter, melebihi batas 63.206.",
			"The text for Facebook is 63,207 characters, over the limit of 63,206.",
		},
		{
			channel.Problem{Network: channel.Telegram, Field: "text", Key: channel.ProblemCaptionTooLong, Args: []any{"Length", 1100, "Max", 1024}},
			"Teks untuk Telegram berisi 1.100 karakter, melebihi batas 1.024 untuk keterangan media.",
			"The text for Telegram is 1,100 characters, over the limit of 1,024 for a caption with media.",
		},
		{
			channel.Problem{Network: channel.Bluesky, Field: "media", Key: channel.ProblemMediaTooLarge, Args: []any{"Kind", channel.KindImage, "Index", 1, "Size", int64(2_500_000), "Max", int64(2_000_000)}},
			"Gambar ke-1 untuk Bluesky berukuran 2,5 MB, melebihi batas 2 MB.",
			"Image 1 for Bluesky is 2.5 MB, over the limit of 2 MB.",
		},
		{
			// Sizes that would read the same are written in bytes.
			channel.Problem{Network: channel.X, Field: "media", Key: channel.ProblemMediaTooLarge, Args: []any{"Kind", channel.KindVideo, "Index", 2, "Size", int64(512_000_001), "Max", int64(512_000_000)}},
			"Video ke-2 untuk X berukuran 512.000.001 B, melebihi batas 512.000.000 B.",
			"Video 2 for X is 512,000,001 B, over the limit of 512,000,000 B.",
		},
		{
			channel.Problem{Network: channel.X, Field: "media", Key: channel.ProblemMediaMix, Args: []any{"Kinds", channel.KindVideo, "OtherKinds", channel.KindImage}},
			"X tidak menerima video bersama gambar dalam satu unggahan.",
			"X does not take videos together with images in one post.",
		},
		{
			channel.Problem{Network: channel.X, Field: "media", Key: channel.ProblemAltMissing, Args: []any{"Kind", channel.KindImage, "Index", 3}},
			"Gambar ke-3 untuk X belum punya teks alternatif; tambahkan sebelum diterbitkan.",
			"Image 3 for X has no alt text yet; add it before publishing.",
		},
		{
			channel.Problem{Network: channel.Instagram, Field: "text", Key: channel.ProblemTooManyHashtags, Args: []any{"Hashtags", 31, "Max", 30}},
			"Teks untuk Instagram memuat 31 tagar, melebihi batas 30.",
			"The text for Instagram has 31 hashtags, over the limit of 30.",
		},
		{
			channel.Problem{Network: channel.Telegram, Field: "first_comment", Key: channel.ProblemNoFirstComment},
			"Telegram tidak mendukung komentar pertama; kosongkan kolom itu.",
			"Telegram has no first comment; leave that field empty.",
		},
	}
	for _, c := range cases {
		if got := c.p.Message(id); got != c.id {
			t.Errorf("id: got %q, want %q", got, c.id)
		}
		if got := c.p.Message(en); got != c.en {
			t.Errorf("en: got %q, want %q", got, c.en)
		}
	}
}

// Every problem Check can return reads as a sentence in both languages, never as a bare key.
func TestEveryProblemHasItsWords(t *testing.T) {
	id, en := locales(t)
	var variants []channel.Variant
	for _, r := range channel.Networks {
		var media []channel.Media
		for _, kind := range []string{channel.KindImage, channel.KindVideo, channel.KindGIF, channel.KindDocument} {
			for range 11 {
				media = append(media, channel.Media{Kind: kind, Bytes: 20_000_000_000})
			}
		}
		variants = append(variants,
			channel.Variant{Network: r.Network, Text: strings.Repeat("#a ", 25000), FirstComment: strings.Repeat("b", 70000), Media: media},
			channel.Variant{Network: r.Network})
	}
	variants = append(variants, channel.Variant{Network: "myspace"})
	keys := map[string]bool{}
	for _, v := range variants {
		for _, p := range channel.Check(v, channel.CountOptions{}) {
			keys[p.Key] = true
			for _, l := range []*i18n.Locale{id, en} {
				if msg := p.Message(l); strings.Contains(msg, "channel.") || strings.Contains(msg, "<no value>") {
					t.Errorf("%s %s: %q", l.Lang, p.Key, msg)
				}
			}
		}
	}
	if len(keys) != 14 {
		t.Errorf("the variants above reach %d kinds of problem, want all 14: %v", len(keys), keys)
	}
}
