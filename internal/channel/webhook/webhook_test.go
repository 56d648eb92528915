package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/webhook"
	"warta.dev/warta/internal/channel/webhook/webhooktest"
	"warta.dev/warta/internal/platform/i18n"
)

var ctx = context.Background()

func start(t *testing.T, srv *webhooktest.Server, env channel.Env, n channel.Network, values map[string]string) (channel.Connector, channel.Account, error) {
	t.Helper()
	if env.Client == nil {
		env.Client = &http.Client{}
	}
	env.Endpoint = srv.URL()
	c := webhook.New(env, n)
	step, err := c.Start(ctx, channel.Start{Values: values})
	if err != nil {
		return c, channel.Account{}, err
	}
	if len(step.Accounts) != 1 {
		t.Fatalf("start gave %d accounts, want 1", len(step.Accounts))
	}
	return c, step.Accounts[0], nil
}

func connect(t *testing.T, srv *webhooktest.Server, n channel.Network) (channel.Connector, channel.Account) {
	t.Helper()
	c, a, err := start(t, srv, channel.Env{}, n, srv.ConnectValuesFor(n))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return c, a
}

func asError(t *testing.T, err error) *channel.Error {
	t.Helper()
	var e *channel.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *channel.Error", err)
	}
	return e
}

func last(srv *webhooktest.Server) channeltest.Post {
	posts := srv.Posts()
	if len(posts) == 0 {
		return channeltest.Post{}
	}
	return posts[len(posts)-1]
}

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		n         channel.Network
		kind      string
		withMedia bool
	}{
		{channel.Slack, "slack", false},
		{channel.Discord, "discord", true},
		{channel.Teams, "teams", false},
		{channel.Webhook, "generic", false},
	} {
		t.Run(string(tc.n), func(t *testing.T) {
			srv := webhooktest.New()
			defer srv.Close()
			c, acct := connect(t, srv, tc.n)
			if acct.Network != tc.n || acct.Kind != tc.kind || acct.Server != srv.URL() || acct.RemoteID == "" {
				t.Errorf("account %+v", acct)
			}
			if acct.Secret.Password != srv.URLFor(tc.n) || strings.Contains(acct.RemoteID+acct.Handle+acct.Name, srv.URLFor(tc.n)) {
				t.Error("the webhook address must be the secret, and only the secret")
			}
			channeltest.Conformance(t, c, srv, &acct, tc.withMedia, "")
		})
	}
}

func TestDiscordReadsTheWebhookAndLinksPosts(t *testing.T) {
	srv := webhooktest.New()
	defer srv.Close()
	c, acct := connect(t, srv, channel.Discord)
	if acct.Handle != "Warta" || acct.Name != "Warta" || !strings.HasPrefix(acct.URL, "https://discord.com/channels/") {
		t.Errorf("account %+v, want the webhook's name and its channel", acct)
	}
	got, err := c.Publish(ctx, &acct, channel.Post{Key: "d1", Text: "Siaran pers terbit"})
	if err != nil {
		t.Fatal(err)
	}
	if want := acct.URL + "/" + last(srv).ID; got.URL != want || got.RemoteID != last(srv).ID {
		t.Errorf("published %+v, want %s", got, want)
	}
	if p, err := c.Verify(ctx, &acct); err != nil || p.Handle != "Warta" {
		t.Errorf("verify: %+v, %v", p, err)
	}

	_, err = c.Publish(ctx, &acct, channel.Post{Key: "d2", Text: strings.Repeat("a", 2001)})
	if e := asError(t, err); e.Kind != channel.Rejected || e.Reason != "Invalid Form Body: content: Must be 2000 or fewer in length." {
		t.Errorf("2,001 characters gave %v, want Discord's form error", err)
	}
}

func TestDiscordMentionsDoNotPing(t *testing.T) {
	srv := webhooktest.New()
	defer srv.Close()
	c, acct := connect(t, srv, channel.Discord)
	text := "@everyone @here rapat darurat pukul 10.00 di aula"
	if _, err := c.Publish(ctx, &acct, channel.Post{Key: "m1", Text: text}); err != nil {
		t.Fatal(err)
	}
	if p := last(srv); p.Text != text || p.Extra["mention_everyone"] != false {
		t.Errorf("server holds %q, notifying everyone: %v", p.Text, p.Extra["mention_everyone"])
	}

	// The same text without allowed_mentions notifies the whole server: the check is real.
	resp, err := http.Post(srv.URLFor(channel.Discord)+"?wait=true", "application/json", strings.NewReader(`{"content":"@everyone rapat"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if last(srv).Extra["mention_everyone"] != true {
		t.Error("the contract server does not notice an unguarded @everyone")
	}
}

func TestSlackTextStaysText(t *testing.T) {
	srv := webhooktest.New()
	defer srv.Close()
	c, acct := connect(t, srv, channel.Slack)
	text := "Info untuk <!channel> & semua: skor 3 > 2 <https://contoh.example|klik di sini>"
	got, err := c.Publish(ctx, &acct, channel.Post{Key: "s1", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	p := last(srv)
	if p.Text != text || p.Extra["pings"] != false {
		t.Errorf("Slack shows %q (pings %v), want the text as typed and no @channel", p.Text, p.Extra["pings"])
	}
	if got.RemoteID != "s1" || p.ID != "s1" {
		t.Errorf("published %+v, server holds %s: the key travels in the message metadata", got, p.ID)
	}
}

// recorder keeps the last request the connector sent, to replay it.
type recorder struct {
	mu     sync.Mutex
	header http.Header
	url    string
	body   []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.header, r.url, r.body = req.Header.Clone(), req.URL.String(), body
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func replay(t *testing.T, rec *recorder, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, rec.url, bytes.NewReader(body))
	req.Header = rec.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestGenericWebhookIsSigned(t *testing.T) {
	srv := webhooktest.New()
	defer srv.Close()
	rec := &recorder{}
	c, acct, err := start(t, srv, channel.Env{Client: &http.Client{Transport: rec}}, channel.Webhook, srv.ConnectValues())
	if err != nil {
		t.Fatal(err)
	}
	p := channel.Post{Key: "pub-42", Text: "Layanan KTP keliling", Language: "id",
		Media: []channel.MediaFile{channeltest.Image("Petugas melayani warga", "https://warta.example/m/1?sig=x")}}
	got, err := c.Publish(ctx, &acct, p)
	if err != nil {
		t.Fatal(err)
	}
	held := last(srv)
	if held.Key != "pub-42" || held.ID != got.RemoteID || len(held.Media) != 1 || held.Media[0].Alt != "Petugas melayani warga" {
		t.Errorf("receiver holds %+v, connector said %+v", held, got)
	}
	if sig := rec.header.Get("X-Warta-Signature"); !strings.HasPrefix(sig, "sha256=") || len(sig) != 7+64 {
		t.Errorf("signature header %q", sig)
	}

	before := len(srv.Posts())
	tampered := bytes.Replace(rec.body, []byte("Layanan KTP keliling"), []byte("Layanan KTP dihentikan"), 1)
	if status, out := replay(t, rec, tampered); status != http.StatusUnauthorized || out["error"] != "invalid signature" {
		t.Errorf("a tampered body got %d %v, want 401 invalid signature", status, out)
	}
	if status, out := replay(t, rec, rec.body); status != http.StatusOK || out["id"] != got.RemoteID {
		t.Errorf("the same delivery again got %d %v, want the first answer", status, out)
	}
	if len(srv.Posts()) != before {
		t.Error("a tampered or repeated delivery made a post")
	}

	// A clock ten minutes behind makes a stale timestamp, which the receiver refuses.
	late, lateAcct, _ := start(t, srv, channel.Env{Now: func() time.Time { return time.Now().Add(-10 * time.Minute) }},
		channel.Webhook, srv.ConnectValues())
	_, err = late.Publish(ctx, &lateAcct, channel.Post{Key: "old", Text: "Terlambat"})
	if e := asError(t, err); e.Kind != channel.Unauthorized || !strings.Contains(e.Reason, "timestamp") {
		t.Errorf("a stale delivery gave %v", err)
	}
}

// The signing secret is the person's: typed once, given to the receiver, never shown by Warta.
func TestGenericWebhookNeedsASecret(t *testing.T) {
	srv := webhooktest.New()
	defer srv.Close()
	for _, secret := range []string{"", "pendek"} {
		_, _, err := start(t, srv, channel.Env{}, channel.Webhook, map[string]string{"url": srv.URLFor(channel.Webhook), "secret": secret})
		if e := asError(t, err); e.Kind != channel.Rejected || e.Reason != "secret" {
			t.Errorf("secret %q gave %v", secret, err)
		}
	}
	c, acct, err := start(t, srv, channel.Env{}, channel.Webhook, map[string]string{"url": srv.URLFor(channel.Webhook), "name": "Intranet",
		"secret": "kunci-rahasia-intranet-pemkot"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, &acct, channel.Post{Key: "g1", Text: "Halo"}); asError(t, err).Kind != channel.Unauthorized {
		t.Errorf("a receiver with another secret gave %v", err)
	}
	srv.SetHookSecret("kunci-rahasia-intranet-pemkot")
	if _, err := c.Publish(ctx, &acct, channel.Post{Key: "g2", Text: "Halo"}); err != nil || acct.Name != "Intranet" {
		t.Errorf("with the typed secret: %v (%s)", err, acct.Name)
	}
}

func TestRemovedWebhooksNeedReconnecting(t *testing.T) {
	srv := webhooktest.New()
	defer srv.Close()
	for _, n := range []channel.Network{channel.Slack, channel.Discord, channel.Teams, channel.Webhook} {
		c, acct := connect(t, srv, n)
		srv.Revoke()
		_, err := c.Publish(ctx, &acct, channel.Post{Key: "rv-" + string(n), Text: "Pengumuman"})
		if e := asError(t, err); e.Kind != channel.Unauthorized || e.Reason == "" {
			t.Errorf("%s: publish to a removed webhook gave %v", n, err)
		}
		if strings.Contains(err.Error(), acct.Secret.Password) {
			t.Errorf("%s: the error shows the webhook address", n)
		}
	}
	c := webhook.New(channel.Env{Client: &http.Client{}, Endpoint: srv.URL()}, channel.Discord)
	_, err := c.Start(ctx, channel.Start{Values: map[string]string{"url": srv.URL() + "/api/webhooks/1300000000000000001/wrongtoken"}})
	if e := asError(t, err); e.Kind != channel.Unauthorized || e.Reason != "Invalid Webhook Token" {
		t.Errorf("a wrong Discord token gave %v", err)
	}
}

func TestAddressShapes(t *testing.T) {
	env := channel.Env{Client: &http.Client{}} // the real hosts; none is called
	for _, tc := range []struct {
		n   channel.Network
		url string
		ok  bool
	}{
		{channel.Slack, "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdEFGH1234ijklMNOP5678", true},
		{channel.Slack, "https://hooks.slack.com/triggers/T0123ABCD/123/abc", false},
		{channel.Slack, "https://discord.com/api/webhooks/1/abc", false},
		{channel.Slack, "http://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcd", false},
		{channel.Teams, "https://prod-12.westus.logic.azure.com:443/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbC", true},
		{channel.Teams, "https://default0a1b.2c.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/0a1b2c3d/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbC", true},
		{channel.Teams, "https://prod-12.westus.logic.azure.com:443/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=2016-06-01", false},
		{channel.Teams, "https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456", false},
		{channel.Discord, "https://discord.com/channels/1/2", false},
		{channel.Webhook, "https://intranet.example.org/hooks/warta", true},
		{channel.Webhook, "ftp://intranet.example.org/hooks", false},
	} {
		c := webhook.New(env, tc.n)
		step, err := c.Start(ctx, channel.Start{Values: map[string]string{"url": tc.url, "secret": "rahasia-penerima-webhook-2026"}})
		if tc.ok && (err != nil || len(step.Accounts) != 1) {
			t.Errorf("%s %s: %v", tc.n, tc.url, err)
		}
		if !tc.ok {
			if e := asError(t, err); e.Kind != channel.Rejected || e.Reason != "url" || e.Key == "" {
				t.Errorf("%s %s: %v, want a refusal that says what the address looks like", tc.n, tc.url, err)
			}
		}
	}
}

func TestNothingToFindOrCount(t *testing.T) {
	for _, c := range webhook.All(channel.Env{}) {
		if _, err := c.Find(ctx, &channel.Account{}, channel.Post{}); !errors.Is(err, channel.ErrCannotTell) {
			t.Errorf("%s find: %v", c.Network(), err)
		}
		if _, err := c.Metrics(ctx, &channel.Account{}, []string{"1"}); !errors.Is(err, channel.ErrNotOffered) {
			t.Errorf("%s metrics: %v", c.Network(), err)
		}
	}
}

// Only the generic webhook's receivers deduplicate by X-Warta-Delivery, so only it lets the
// engine send a post again after a lost answer; Slack, Discord and Teams would show it twice.
func TestOnlyTheGenericWebhookIsIdempotent(t *testing.T) {
	for _, c := range webhook.All(channel.Env{}) {
		i, ok := c.(channel.Idempotent)
		switch c.Network() {
		case channel.Webhook:
			if !ok || i.IdempotencyWindow() != 24*time.Hour {
				t.Errorf("the generic webhook: idempotent %v, want a window of 24 hours", ok)
			}
		default:
			if ok {
				t.Errorf("%s is idempotent, window %s; its webhooks do not deduplicate", c.Network(), i.IdempotencyWindow())
			}
		}
	}
}

func TestCatalogCoversGuidesAndForms(t *testing.T) {
	b, err := i18n.NewBundle(webhook.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"webhook.generic.error.secret"}
	for _, c := range webhook.All(channel.Env{}) {
		g := c.Guide()
		keys = append(append(keys, g.Needs), g.Steps...)
		for _, f := range c.Fields() {
			keys = append(keys, f.Label, f.Help)
		}
		keys = append(keys, strings.Replace(c.Fields()[0].Help, "url_help", "error.url", 1))
	}
	for _, k := range keys {
		if !b.Has(k) {
			t.Errorf("catalog misses %s in a language", k)
		}
	}
	if en, id := b.Keys("en"), b.Keys("id"); !slices.Equal(en, id) {
		t.Errorf("en and id differ:\n%v\n%v", en, id)
	}
}
