package telegram_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/telegram"
	"warta.dev/warta/internal/channel/telegram/telegramtest"
	"warta.dev/warta/internal/platform/i18n"
)

var ctx = context.Background()

func start(t *testing.T, srv *telegramtest.Server, env channel.Env, values map[string]string) (channel.Connector, channel.Account, error) {
	t.Helper()
	env.Client, env.Endpoint = &http.Client{}, srv.URL()
	c := telegram.New(env)
	step, err := c.Start(ctx, channel.Start{Values: values})
	if err != nil {
		return c, channel.Account{}, err
	}
	if len(step.Accounts) != 1 {
		t.Fatalf("start gave %d accounts, want 1", len(step.Accounts))
	}
	return c, step.Accounts[0], nil
}

func connect(t *testing.T, srv *telegramtest.Server) (channel.Connector, channel.Account) {
	t.Helper()
	c, a, err := start(t, srv, channel.Env{}, srv.ConnectValues())
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return c, a
}

func kindOf(t *testing.T, err error) *channel.Error {
	t.Helper()
	var e *channel.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *channel.Error", err)
	}
	return e
}

func TestConformance(t *testing.T) {
	srv := telegramtest.New()
	defer srv.Close()
	c, acct := connect(t, srv)
	want := channel.Account{Network: channel.Telegram, Kind: "channel", RemoteID: strconv.FormatInt(srv.ChatID(), 10),
		Handle: "@wartatest", Name: "Warta Test", URL: "https://t.me/wartatest"}
	if got := acct; got.Network != want.Network || got.Kind != want.Kind || got.RemoteID != want.RemoteID ||
		got.Handle != want.Handle || got.Name != want.Name || got.URL != want.URL {
		t.Errorf("account %+v, want %+v", got, want)
	}
	if acct.Secret.Password != srv.Token() {
		t.Error("the bot token is not kept as the account's secret")
	}
	channeltest.Conformance(t, c, srv, &acct, true, "")
}

func TestPostLinksAndPlainText(t *testing.T) {
	srv := telegramtest.New()
	defer srv.Close()
	c, acct := connect(t, srv)
	text := "*Penting*: rapat _humas_ pukul 10.00 <b>WIB</b> [tautan](https://example.org)"
	got, err := c.Publish(ctx, &acct, channel.Post{Key: "k1", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	last := srv.Posts()[len(srv.Posts())-1]
	if last.Text != text || last.Extra["parse_mode"] != nil {
		t.Errorf("server holds %q with parse mode %v, want the text as typed, unparsed", last.Text, last.Extra["parse_mode"])
	}
	_, msgID, _ := strings.Cut(got.RemoteID, ":")
	if got.URL != "https://t.me/wartatest/"+msgID {
		t.Errorf("post URL %q for %s", got.URL, got.RemoteID)
	}
	if got.At.IsZero() {
		t.Error("no publication time")
	}
}

func TestAlbumCarriesCaptionOnFirstItem(t *testing.T) {
	srv := telegramtest.New()
	defer srv.Close()
	c, acct := connect(t, srv)
	p := channel.Post{Key: "album", Text: "Dokumentasi peresmian pasar rakyat", Media: []channel.MediaFile{
		channeltest.Image("Wali kota menggunting pita", ""),
		channeltest.Image("Pedagang menata dagangan", ""),
		channeltest.Image("Warga berbelanja", ""),
	}}
	got, err := c.Publish(ctx, &acct, p)
	if err != nil {
		t.Fatal(err)
	}
	last := srv.Posts()[len(srv.Posts())-1]
	if last.Extra["method"] != "sendmediagroup" || len(last.Media) != 3 {
		t.Fatalf("server holds %+v, want one album of 3 photos", last)
	}
	if caps := last.Extra["captions"].([]string); !slices.Equal(caps, []string{p.Text, "", ""}) {
		t.Errorf("captions %q, want the text on the first photo only", caps)
	}
	if got.RemoteID != last.ID || !strings.HasPrefix(got.URL, "https://t.me/wartatest/") {
		t.Errorf("published %+v, album starts at %s", got, last.ID)
	}
}

func TestCaptionLimit(t *testing.T) {
	srv := telegramtest.New()
	defer srv.Close()
	c, acct := connect(t, srv)
	long := strings.Repeat("é", 1025) // 1,025 characters, 2,050 bytes
	_, err := c.Publish(ctx, &acct, channel.Post{Key: "cap", Text: long, Media: []channel.MediaFile{channeltest.Image("Foto", "")}})
	if e := kindOf(t, err); e.Kind != channel.Rejected || !strings.Contains(e.Reason, "caption is too long") {
		t.Errorf("caption of 1,025 characters gave %v, want Telegram's refusal", err)
	}
	if _, err := c.Publish(ctx, &acct, channel.Post{Key: "cap2", Text: long[:2048], Media: []channel.MediaFile{channeltest.Image("Foto", "")}}); err != nil {
		t.Errorf("caption of 1,024 characters: %v", err)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	srv := telegramtest.New()
	defer srv.Close()
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	c, acct, err := start(t, srv, channel.Env{Now: func() time.Time { return now }}, srv.ConnectValues())
	if err != nil {
		t.Fatal(err)
	}
	srv.FailNext(channeltest.RateLimited, 1)
	_, err = c.Publish(ctx, &acct, channel.Post{Key: "r1", Text: "Pengumuman"})
	if e := kindOf(t, err); e.Kind != channel.RateLimited || !e.RetryAt.Equal(now.Add(60*time.Second)) {
		t.Errorf("429 with retry_after 60 gave %v (retry at %v), want retry at %v", err, e.RetryAt, now.Add(time.Minute))
	}

	srv.SetFloodLimit(2)
	for i := range 2 {
		if _, err := c.Publish(ctx, &acct, channel.Post{Key: "f" + strconv.Itoa(i), Text: "Kabar " + strconv.Itoa(i)}); err != nil {
			t.Fatalf("post %d under the flood limit: %v", i, err)
		}
	}
	_, err = c.Publish(ctx, &acct, channel.Post{Key: "f3", Text: "Kabar ketiga"})
	if e := kindOf(t, err); e.Kind != channel.RateLimited || e.RetryAt.Before(now) || e.RetryAt.After(now.Add(time.Minute)) {
		t.Errorf("third post in a minute gave %v, want a wait of at most a minute", err)
	}
}

func TestBotWithoutRights(t *testing.T) {
	srv := telegramtest.New()
	defer srv.Close()
	other := srv.AddBot("bot_lain_bot")
	values := map[string]string{"bot_token": other, "chat": "https://t.me/wartatest"}
	_, _, err := start(t, srv, channel.Env{}, values)
	if e := kindOf(t, err); e.Kind != channel.Rejected || e.Key != "telegram.error.not_admin" {
		t.Errorf("a bot outside the channel gave %v (key %q), want the not-admin refusal", err, e.Key)
	}

	srv.SetMember(srv.ChatID(), other, telegramtest.Member{Status: "administrator"})
	_, _, err = start(t, srv, channel.Env{}, values)
	if e := kindOf(t, err); e.Kind != channel.Rejected || e.Key != "telegram.error.cannot_post" ||
		!strings.Contains(e.Reason, "Post messages") {
		t.Errorf("an administrator without Post messages gave %v (key %q)", err, e.Key)
	}

	// Rights taken away after connecting: the post is refused, a kicked bot needs reconnecting.
	c, acct := connect(t, srv)
	srv.SetMember(srv.ChatID(), srv.Token(), telegramtest.Member{Status: "administrator"})
	_, err = c.Publish(ctx, &acct, channel.Post{Key: "x", Text: "Pengumuman"})
	if e := kindOf(t, err); e.Kind != channel.Rejected || !strings.Contains(e.Reason, "need administrator rights") {
		t.Errorf("publish without the right gave %v", err)
	}
	if _, err := c.Verify(ctx, &acct); kindOf(t, err).Key != "telegram.error.cannot_post" {
		t.Errorf("verify without the right gave %v", err)
	}
	srv.SetMember(srv.ChatID(), srv.Token(), telegramtest.Member{Status: "kicked"})
	_, err = c.Publish(ctx, &acct, channel.Post{Key: "y", Text: "Pengumuman"})
	if e := kindOf(t, err); e.Kind != channel.Unauthorized {
		t.Errorf("publish by a kicked bot gave %v, want unauthorized", err)
	}
}

func TestGroupThatBecomesSupergroup(t *testing.T) {
	srv := telegramtest.New()
	defer srv.Close()
	group := srv.AddChat(telegramtest.Chat{Type: "group", Title: "Tim Humas"})
	srv.SetMember(group.ID, srv.Token(), telegramtest.Member{Status: "member"})
	c, acct, err := start(t, srv, channel.Env{}, map[string]string{"bot_token": srv.Token(), "chat": strconv.FormatInt(group.ID, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if acct.Kind != "group" || acct.Handle != "Tim Humas" || acct.URL != "" {
		t.Errorf("group account %+v", acct)
	}
	first, err := c.Publish(ctx, &acct, channel.Post{Key: "g1", Text: "Rapat koordinasi besok"})
	if err != nil || first.URL != "" {
		t.Fatalf("publish to a basic group: %+v, %v (a basic group's messages have no link)", first, err)
	}

	super := srv.Migrate(group.ID)
	got, err := c.Publish(ctx, &acct, channel.Post{Key: "g2", Text: "Rapat dipindah ke aula"})
	if err != nil {
		t.Fatalf("publish after the group moved: %v", err)
	}
	last := srv.Posts()[len(srv.Posts())-1]
	internal := strings.TrimPrefix(strconv.FormatInt(super, 10), "-100")
	if got.RemoteID != last.ID || last.Account != strconv.FormatInt(super, 10) ||
		!strings.HasPrefix(got.URL, "https://t.me/c/"+internal+"/") {
		t.Errorf("published %+v, server holds %+v in the supergroup %d", got, last, super)
	}
}

func TestGroupWhereMembersMayNotSend(t *testing.T) {
	srv := telegramtest.New()
	defer srv.Close()
	group := srv.AddChat(telegramtest.Chat{Type: "supergroup", Title: "Pengumuman Internal", MembersMayNotSend: true})
	srv.SetMember(group.ID, srv.Token(), telegramtest.Member{Status: "member"})
	_, _, err := start(t, srv, channel.Env{}, map[string]string{"bot_token": srv.Token(), "chat": strconv.FormatInt(group.ID, 10)})
	if e := kindOf(t, err); e.Kind != channel.Rejected || e.Key != "telegram.error.cannot_post" {
		t.Errorf("member of a read-only group gave %v", err)
	}
}

func TestPrivateChannel(t *testing.T) {
	srv := telegramtest.New()
	defer srv.Close()
	ch := srv.AddChat(telegramtest.Chat{Type: "channel", Title: "Internal Pemkot"})
	values := map[string]string{"bot_token": srv.Token(), "chat": strconv.FormatInt(ch.ID, 10)}
	if _, _, err := start(t, srv, channel.Env{}, values); kindOf(t, err).Reason != "Bad Request: chat not found" {
		t.Errorf("a private channel the bot is not in gave %v", err)
	}
	srv.SetMember(ch.ID, srv.Token(), telegramtest.Member{Status: "administrator", CanPost: true})
	c, acct, err := start(t, srv, channel.Env{}, values)
	if err != nil {
		t.Fatal(err)
	}
	if acct.Handle != "Internal Pemkot" || acct.URL != "" {
		t.Errorf("private channel account %+v", acct)
	}
	got, err := c.Publish(ctx, &acct, channel.Post{Key: "p", Text: "Hanya untuk pegawai"})
	if err != nil {
		t.Fatal(err)
	}
	_, msgID, _ := strings.Cut(got.RemoteID, ":")
	if want := "https://t.me/c/" + strings.TrimPrefix(acct.RemoteID, "-100") + "/" + msgID; got.URL != want {
		t.Errorf("URL %q, want %q", got.URL, want)
	}
}

func TestCredentials(t *testing.T) {
	srv := telegramtest.New()
	defer srv.Close()
	for _, v := range []map[string]string{
		{"bot_token": "", "chat": "@wartatest"},
		{"bot_token": "123:short", "chat": "@wartatest"},
	} {
		_, _, err := start(t, srv, channel.Env{}, v)
		if e := kindOf(t, err); e.Kind != channel.Rejected || e.Reason != "bot_token" {
			t.Errorf("token %q gave %v", v["bot_token"], err)
		}
	}
	_, _, err := start(t, srv, channel.Env{}, map[string]string{"bot_token": srv.Token(), "chat": "https://t.me/+AbCdEf"})
	if e := kindOf(t, err); e.Kind != channel.Rejected || e.Reason != "chat" {
		t.Errorf("an invite link gave %v, want a refusal of the chat field", err)
	}
	_, _, err = start(t, srv, channel.Env{}, map[string]string{"bot_token": "123456789:" + strings.Repeat("A", 35), "chat": "@wartatest"})
	if e := kindOf(t, err); e.Kind != channel.Unauthorized || e.Reason != "Unauthorized" {
		t.Errorf("an unknown token gave %v", err)
	}

	c, acct := connect(t, srv)
	srv.Revoke()
	_, err = c.Publish(ctx, &acct, channel.Post{Key: "rv", Text: "Pengumuman"})
	if e := kindOf(t, err); e.Kind != channel.Unauthorized {
		t.Errorf("publish with a revoked token gave %v", err)
	}
	if strings.Contains(err.Error(), srv.Token()) {
		t.Error("the error shows the bot token")
	}
}

func TestNothingToFindOrCount(t *testing.T) {
	c := telegram.New(channel.Env{})
	if _, err := c.Find(ctx, &channel.Account{}, channel.Post{}); !errors.Is(err, channel.ErrCannotTell) {
		t.Errorf("find: %v", err)
	}
	if _, err := c.Metrics(ctx, &channel.Account{}, []string{"1:2"}); !errors.Is(err, channel.ErrNotOffered) {
		t.Errorf("metrics: %v", err)
	}
}

func TestCatalogCoversGuideAndForm(t *testing.T) {
	b, err := i18n.NewBundle(telegram.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	c := telegram.New(channel.Env{})
	keys := append([]string{c.Guide().Needs}, c.Guide().Steps...)
	for _, f := range c.Fields() {
		keys = append(keys, f.Label, f.Help)
	}
	for _, k := range append(keys, "telegram.error.not_admin", "telegram.error.cannot_post",
		"telegram.error.not_member", "telegram.error.not_channel") {
		if !b.Has(k) {
			t.Errorf("catalog misses %s in a language", k)
		}
	}
	if en, id := b.Keys("en"), b.Keys("id"); !slices.Equal(en, id) {
		t.Errorf("en and id differ:\n%v\n%v", en, id)
	}
}
