// Package telegram publishes to a Telegram channel or group through a bot, with the Bot API
// (core.telegram.org/bots/api). The user makes a bot with @BotFather, adds it to the channel as
// an administrator allowed to post, and types the bot token and the channel's @username.
package telegram

import (
	"context"
	"embed"
	"regexp"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the guide, the connect form's labels and the refusals of a bot without rights.
var Catalog = i18n.Catalog{Name: "telegram", FS: i18n.Dir(catalogFiles, "i18n")}

// apiBase is the Bot API host; a method is called at <apiBase>/bot<token>/<method>.
const apiBase = "https://api.telegram.org"

// Messages of this package's catalog for a chat the bot cannot post to, set as Error.Key.
const (
	keyNotAdmin   = "telegram.error.not_admin"
	keyCannotPost = "telegram.error.cannot_post"
	keyNotMember  = "telegram.error.not_member"
	keyNotChannel = "telegram.error.not_channel"
)

// tokenShape is what @BotFather hands out: the bot's numeric ID, a colon, 35 characters.
var tokenShape = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]{35}$`)

// usernameShape: Telegram usernames are 5–32 characters of a-z, 0-9 and underscores.
var usernameShape = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)

type connector struct{ env channel.Env }

// New returns the Telegram connector.
func New(env channel.Env) channel.Connector { return &connector{env: env} }

func (c *connector) Network() channel.Network { return channel.Telegram }

func (c *connector) Guide() channel.Guide {
	return channel.Guide{
		Needs: "telegram.guide.needs",
		Steps: []string{
			"telegram.guide.step1", "telegram.guide.step2", "telegram.guide.step3",
			"telegram.guide.step4", "telegram.guide.step5",
		},
		DocsURL: "https://core.telegram.org/bots/features#botfather",
	}
}

func (c *connector) Fields() []channel.Field {
	return []channel.Field{
		{Name: "bot_token", Label: "telegram.field.bot_token.label", Help: "telegram.field.bot_token.help",
			Secret: true, Placeholder: "123456789:AA…"},
		{Name: "chat", Label: "telegram.field.chat.label", Help: "telegram.field.chat.help",
			Placeholder: "@username"},
	}
}

// Start checks the token, finds the chat and makes sure the bot may post there: nothing is
// posted.
func (c *connector) Start(ctx context.Context, req channel.Start) (channel.Step, error) {
	token := strings.TrimSpace(req.Values["bot_token"])
	if !tokenShape.MatchString(token) {
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "bot_token"}
	}
	chat, ok := chatRef(req.Values["chat"])
	if !ok {
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "chat"}
	}
	a, err := c.connect(ctx, token, chat)
	if err != nil {
		return channel.Step{}, err
	}
	return channel.Step{Accounts: []channel.Account{a}}, nil
}

// Finish is not used: a bot connects with its token alone.
func (c *connector) Finish(context.Context, channel.Finish) ([]channel.Account, error) {
	return nil, &channel.Error{Kind: channel.Rejected, Reason: "Telegram connects with a bot token, not a sign-in"}
}

// Verify reads the chat again and checks the bot still may post there.
func (c *connector) Verify(ctx context.Context, a *channel.Account) (channel.Profile, error) {
	fresh, err := c.connect(ctx, a.Secret.Password, a.RemoteID)
	if err != nil {
		return channel.Profile{}, err
	}
	return channel.Profile{Handle: fresh.Handle, Name: fresh.Name, URL: fresh.URL, QuotaLeft: -1}, nil
}

// Refresh does nothing: a bot token lasts until it is revoked in @BotFather.
func (c *connector) Refresh(context.Context, *channel.Account, time.Duration) (bool, error) {
	return false, nil
}

// Find cannot look: a bot reads no channel history, and sending has no idempotency key.
func (c *connector) Find(context.Context, *channel.Account, channel.Post) (*channel.Published, error) {
	return nil, channel.ErrCannotTell
}

// Metrics: the Bot API gives bots no view or reaction counts of channel posts.
func (c *connector) Metrics(context.Context, *channel.Account, []string) (map[string]channel.Metrics, error) {
	return nil, channel.ErrNotOffered
}

// chatRef turns what the user typed (@name, name, t.me/name, -100…) into a chat_id.
func chatRef(typed string) (string, bool) {
	s := strings.TrimSpace(typed)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "t.me/"), "telegram.me/")
	s = strings.TrimSuffix(s, "/")
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return s, true
	}
	s = strings.TrimPrefix(s, "@")
	if !usernameShape.MatchString(s) {
		return "", false // an invite link (t.me/+…) names no chat a bot can address
	}
	return "@" + s, true
}

// connect reads the bot and the chat, and refuses a chat the bot cannot post to.
func (c *connector) connect(ctx context.Context, token, chat string) (channel.Account, error) {
	var me user
	if _, err := c.call(ctx, token, "getMe", jsonBody(map[string]any{}), &me); err != nil {
		return channel.Account{}, err
	}
	var ch chatInfo
	if _, err := c.call(ctx, token, "getChat", jsonBody(map[string]any{"chat_id": chat}), &ch); err != nil {
		return channel.Account{}, err
	}
	var kind string
	switch ch.Type {
	case "channel":
		kind = "channel"
	case "group", "supergroup":
		kind = "group"
	default:
		return channel.Account{}, &channel.Error{Kind: channel.Rejected, Key: keyNotChannel,
			Reason: "the chat is a private chat with a person, not a channel or group"}
	}
	var m chatMember
	_, err := c.call(ctx, token, "getChatMember", jsonBody(map[string]any{"chat_id": ch.ID, "user_id": me.ID}), &m)
	if e := channel.AsError(err); err != nil {
		// A channel hides its members from a bot that is not one of its administrators.
		if kind == "channel" && e.Kind == channel.Rejected {
			e.Key = keyNotAdmin
		}
		return channel.Account{}, e
	}
	if e := refusal(kind, ch, m); e != nil {
		return channel.Account{}, e
	}
	a := channel.Account{
		Network:  channel.Telegram,
		Kind:     kind,
		RemoteID: strconv.FormatInt(ch.ID, 10),
		Handle:   ch.Title,
		Name:     ch.Title,
		Secret:   channel.Secret{Password: token},
	}
	if ch.Username != "" {
		a.Handle = "@" + ch.Username
		a.URL = "https://t.me/" + ch.Username
	}
	return a, nil
}

// refusal says why the bot may not post in the chat, or nil. Bot API ChatMember: in a channel
// only an administrator with can_post_messages posts; in a group any member may send unless
// the group's permissions or the bot's restrictions forbid it.
func refusal(kind string, ch chatInfo, m chatMember) *channel.Error {
	refuse := func(key, reason string) *channel.Error {
		return &channel.Error{Kind: channel.Rejected, Key: key, Reason: reason}
	}
	if kind == "channel" {
		switch {
		case m.Status == "creator", m.Status == "administrator" && m.CanPostMessages:
			return nil
		case m.Status == "administrator":
			return refuse(keyCannotPost, `the bot is an administrator of the channel without the "Post messages" right`)
		}
		return refuse(keyNotAdmin, "the bot is not an administrator of the channel")
	}
	switch m.Status {
	case "creator", "administrator":
		return nil
	case "member":
		if ch.Permissions != nil && ch.Permissions.CanSendMessages != nil && !*ch.Permissions.CanSendMessages {
			return refuse(keyCannotPost, "members of the group may not send messages and the bot is not an administrator")
		}
		return nil
	case "restricted":
		if m.IsMember && m.CanSendMessages {
			return nil
		}
		return refuse(keyCannotPost, "the bot is restricted in the group and may not send messages")
	}
	return refuse(keyNotMember, "the bot is not a member of the group")
}

// Bot API objects, as far as Warta reads them.
type (
	user struct {
		ID       int64  `json:"id"`
		IsBot    bool   `json:"is_bot"`
		Username string `json:"username"`
	}
	chatInfo struct {
		ID          int64  `json:"id"`
		Type        string `json:"type"`
		Title       string `json:"title"`
		Username    string `json:"username"`
		Permissions *struct {
			CanSendMessages *bool `json:"can_send_messages"`
		} `json:"permissions"`
	}
	chatMember struct {
		Status          string `json:"status"`
		CanPostMessages bool   `json:"can_post_messages"`
		CanSendMessages bool   `json:"can_send_messages"`
		IsMember        bool   `json:"is_member"`
	}
	message struct {
		MessageID int64 `json:"message_id"`
		Date      int64 `json:"date"`
	}
)
