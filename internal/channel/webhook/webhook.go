// Package webhook posts to chat tools through their incoming webhooks (Slack, Discord,
// Microsoft Teams workflows) and to any receiver the organisation runs (a generic, signed JSON
// webhook). A webhook URL is a credential: whoever has it can post, so it is kept as the
// account's secret and never shown in errors.
//
// # The generic webhook
//
// Warta POSTs each post as JSON:
//
//	{"id": "<publication key>", "text": "…", "language": "id",
//	 "media": [{"name": "foto.jpg", "mime": "image/jpeg", "kind": "image", "size": 123456,
//	            "alt": "…", "url": "https://warta.example/…"}],
//	 "sent_at": "2026-11-27T03:00:00Z"}
//
// with the headers
//
//	X-Warta-Delivery: <publication key>   (the same on every retry of one post)
//	X-Warta-Timestamp: <Unix seconds>
//	X-Warta-Signature: sha256=<hex of HMAC-SHA256(secret, "<timestamp>.<body>")>
//
// A receiver verifies a delivery by computing HMAC-SHA256 with the account's signing secret (its
// bytes as typed) over the X-Warta-Timestamp value, a full stop and the raw request body, and
// comparing the hex digest with the one after "sha256=" in constant time (hmac.Equal,
// crypto.timingSafeEqual, hash_equals). It refuses timestamps more than five minutes from its
// clock, so a captured request cannot be replayed later, and it ignores a delivery ID it has
// already handled, remembering each for 24 hours at least, since Warta sends one post again,
// under the same ID and freshly signed, when an answer was lost. It answers any 2xx status,
// optionally with a JSON object {"id": "…"} naming what it made. "url" is present only when
// Warta has a public base URL; it is signed and expires.
package webhook

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the guides, the connect form's labels and the refusals of a wrong address.
var Catalog = i18n.Catalog{Name: "webhook", FS: i18n.Dir(catalogFiles, "i18n")}

// kinds is the Account.Kind of each network this package serves.
var kinds = map[channel.Network]string{
	channel.Slack:   "slack",
	channel.Discord: "discord",
	channel.Teams:   "teams",
	channel.Webhook: "generic",
}

type connector struct {
	env  channel.Env
	n    channel.Network
	kind string
}

// New returns the connector of one webhook network: channel.Slack, channel.Discord,
// channel.Teams or channel.Webhook.
func New(env channel.Env, n channel.Network) channel.Connector {
	kind, ok := kinds[n]
	if !ok {
		panic(fmt.Sprintf("webhook: %q is not a webhook network", n))
	}
	c := &connector{env: env, n: n, kind: kind}
	if n == channel.Webhook {
		return generic{c}
	}
	return c
}

// generic is the generic webhook's connector: the shared one, and channel.Idempotent, which only
// the generic webhook is. Slack, Discord and Teams would show a repeated post twice.
type generic struct{ *connector }

var _ channel.Idempotent = generic{}

// IdempotencyWindow is a day: the package's contract for the generic webhook (see "The generic
// webhook" above) has a receiver ignore an X-Warta-Delivery it has already handled, remembering
// each for 24 hours at least, and every attempt at one post carries the same one. So within a
// day the engine may send a post whose answer was lost again instead of asking Find, which
// cannot look.
func (generic) IdempotencyWindow() time.Duration { return 24 * time.Hour }

// All returns the connectors of every webhook network.
func All(env channel.Env) []channel.Connector {
	return []channel.Connector{New(env, channel.Slack), New(env, channel.Discord), New(env, channel.Teams), New(env, channel.Webhook)}
}

func (c *connector) Network() channel.Network { return c.n }

func (c *connector) Guide() channel.Guide {
	g := channel.Guide{Needs: c.key("guide.needs")}
	steps := 4
	switch c.n {
	case channel.Slack:
		g.DocsURL = "https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks/"
	case channel.Discord:
		g.DocsURL = "https://support.discord.com/hc/en-us/articles/228383668-Intro-to-Webhooks"
	case channel.Teams:
		g.DocsURL = "https://support.microsoft.com/en-us/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498"
	case channel.Webhook:
		steps = 5
	}
	for i := 1; i <= steps; i++ {
		g.Steps = append(g.Steps, c.key(fmt.Sprintf("guide.step%d", i)))
	}
	return g
}

// key is a catalog key of this connector's kind.
func (c *connector) key(name string) string { return "webhook." + c.kind + "." + name }

var placeholders = map[channel.Network]string{
	channel.Slack:   "https://hooks.slack.com/services/T…/B…/…",
	channel.Discord: "https://discord.com/api/webhooks/…/…",
	channel.Teams:   "https://….logic.azure.com:443/workflows/…",
	channel.Webhook: "https://example.org/warta-webhook",
}

func (c *connector) Fields() []channel.Field {
	fields := []channel.Field{{Name: "url", Label: "webhook.field.url.label", Help: c.key("url_help"), Secret: true,
		Placeholder: placeholders[c.n]}}
	if c.n == channel.Webhook {
		fields = append(fields, channel.Field{Name: "secret", Label: "webhook.field.secret.label",
			Help: "webhook.field.secret.help", Secret: true})
	}
	return append(fields, channel.Field{Name: "name", Label: "webhook.field.name.label", Help: "webhook.field.name.help", Optional: true})
}

// minSecret is the shortest signing secret accepted: HMAC keys shorter than this are guessable.
const minSecret = 16

// Start checks the address's shape and, for Discord, that the webhook exists (GET needs no
// other credential). Slack and Teams offer nothing to read, and nothing is posted to test them:
// a message appears only when the user publishes one.
func (c *connector) Start(ctx context.Context, req channel.Start) (channel.Step, error) {
	raw := strings.TrimSpace(req.Values["url"])
	if raw == "" {
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "url"}
	}
	u, ok := c.shape(raw)
	if !ok {
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "url", Key: c.key("error.url")}
	}
	name := strings.TrimSpace(req.Values["name"])
	a := channel.Account{Network: c.n, Kind: c.kind, Server: u.Scheme + "://" + u.Host, RemoteID: urlID(raw),
		Name: name, Secret: channel.Secret{Password: raw}}
	switch c.n {
	case channel.Slack:
		a.Handle = strings.Split(u.Path, "/")[3] // the webhook's B… ID, not secret
		a.Name = or(name, "Slack")
	case channel.Teams:
		a.Handle = "workflow " + workflowID(u.Path)
		a.Name = or(name, "Microsoft Teams")
	case channel.Webhook:
		secret := strings.TrimSpace(req.Values["secret"])
		// The person types it, and gives the same to the receiver: Warta never shows a secret.
		if len(secret) < minSecret {
			return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "secret", Key: "webhook.generic.error.secret"}
		}
		a.Secret.Extra = map[string]string{"secret": secret}
		a.Handle = u.Host
		a.Name = or(name, u.Host)
	case channel.Discord:
		hook, err := c.discordHook(ctx, raw)
		if err != nil {
			return channel.Step{}, err
		}
		a.RemoteID, a.Handle, a.Name = hook.ID, hook.Name, or(name, hook.Name)
		a.Secret.Extra = map[string]string{"guild_id": hook.GuildID, "channel_id": hook.ChannelID}
		if hook.GuildID != "" {
			a.URL = "https://discord.com/channels/" + hook.GuildID + "/" + hook.ChannelID
		}
	}
	return channel.Step{Accounts: []channel.Account{a}}, nil
}

// Finish is not used: a webhook connects with its address alone.
func (c *connector) Finish(context.Context, channel.Finish) ([]channel.Account, error) {
	return nil, &channel.Error{Kind: channel.Rejected, Reason: "a webhook connects with its address, not a sign-in"}
}

// Verify reads a Discord webhook again; the others have nothing to read, so their stored
// profile stands.
func (c *connector) Verify(ctx context.Context, a *channel.Account) (channel.Profile, error) {
	p := channel.Profile{Handle: a.Handle, Name: a.Name, URL: a.URL, QuotaLeft: -1}
	if c.n != channel.Discord {
		return p, nil
	}
	hook, err := c.discordHook(ctx, a.Secret.Password)
	if err != nil {
		return channel.Profile{}, err
	}
	p.Handle = hook.Name
	return p, nil
}

// Refresh does nothing: a webhook address lasts until it is deleted.
func (c *connector) Refresh(context.Context, *channel.Account, time.Duration) (bool, error) {
	return false, nil
}

// Find cannot look: an incoming webhook reads nothing back (Discord's message lookup needs the
// message ID, which a lost answer did not bring).
func (c *connector) Find(context.Context, *channel.Account, channel.Post) (*channel.Published, error) {
	return nil, channel.ErrCannotTell
}

// Metrics: webhooks report no reactions or views.
func (c *connector) Metrics(context.Context, *channel.Account, []string) (map[string]channel.Metrics, error) {
	return nil, channel.ErrNotOffered
}

// The shapes of each network's webhook addresses.
var (
	slackPath   = regexp.MustCompile(`^/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+$`)
	discordPath = regexp.MustCompile(`^/api(/v[0-9]+)?/webhooks/([0-9]+)/([A-Za-z0-9_-]+)$`)
	// Power Automate: …logic.azure.com/workflows/<id>/triggers/manual/paths/invoke, and the
	// newer …environment.api.powerplatform.com/powerautomate/automations/direct/workflows/<id>/….
	teamsPath = regexp.MustCompile(`^(/powerautomate/automations/direct)?/workflows/([0-9A-Za-z]+)/triggers/[^/]+/paths/invoke$`)
)

var (
	slackHosts   = []string{"hooks.slack.com", "hooks.slack-gov.com"}
	discordHosts = []string{"discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"}
)

// shape parses a webhook address and checks it is one of the network's. With an Endpoint the
// network's host is the Endpoint's.
func (c *connector) shape(raw string) (*url.URL, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return nil, false
	}
	if c.n == channel.Webhook {
		return u, u.Scheme == "https" || u.Scheme == "http"
	}
	hostOK := func(hosts ...string) bool {
		if c.env.Endpoint != "" {
			ep, err := url.Parse(c.env.Endpoint)
			return err == nil && u.Scheme == ep.Scheme && u.Host == ep.Host
		}
		return u.Scheme == "https" && (len(hosts) == 0 || contains(hosts, u.Hostname()))
	}
	switch c.n {
	case channel.Slack:
		return u, hostOK(slackHosts...) && slackPath.MatchString(u.Path)
	case channel.Discord:
		return u, hostOK(discordHosts...) && discordPath.MatchString(u.Path)
	}
	host := u.Hostname()
	azure := strings.HasSuffix(host, ".logic.azure.com") || strings.HasSuffix(host, ".powerplatform.com")
	return u, (c.env.Endpoint != "" || azure) && hostOK() && teamsPath.MatchString(u.Path) && u.Query().Get("sig") != ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func workflowID(path string) string {
	id := teamsPath.FindStringSubmatch(path)[2]
	if len(id) > 8 {
		id = id[:8]
	}
	return id
}

// urlID names an account by its address without revealing it.
func urlID(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:12])
}

func or(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}
