package publish

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/secrets"
)

// Content is what publishing needs of the content studio.
type Content interface {
	Get(ctx context.Context, wsID, id int64) (*content.Item, error)
	// SetOutcome records where an item's publishing ended (published, failed, held) or that it
	// is scheduled again.
	SetOutcome(ctx context.Context, tx *db.Tx, wsID, id int64, st content.Status, publishedAt *time.Time) error
}

// Media opens the files a post carries.
type Media interface {
	GetMany(ctx context.Context, wsID int64, ids []int64) ([]media.Asset, error)
	Open(ctx context.Context, wsID, id int64, thumb bool) (io.ReadCloser, media.Asset, error)
}

// Links tags a post's links with its campaign's UTM parameters for the network.
type Links interface {
	Tag(ctx context.Context, wsID, campaignID int64, n channel.Network, text string) (string, error)
}

// People finds who to tell: a workspace's owners and admins.
type People interface {
	Admins(ctx context.Context, wsID int64) ([]int64, error)
}

// Notifier tells a member, in the caller's transaction.
type Notifier interface {
	Notify(ctx context.Context, tx *db.Tx, n notify.Notice) error
}

// Options tune the engine. The zero value is what the app uses.
type Options struct {
	// Lease is how long an attempt may take before another process may take the publication
	// over (asking the network first); 0 means 2 minutes. Connectors' requests time out sooner.
	Lease time.Duration
	// Overdue is how late an unattempted post may be before the watchdog raises the alarm; 0
	// means a minute.
	Overdue time.Duration
	// Backoff is the wait before each retry of a temporary failure; nil means 10 s, 30 s, 2 min,
	// 5 min, 15 min, 30 min, 1 h.
	Backoff []time.Duration
}

// Service is publishing: accounts, publications, the engine.
type Service struct {
	d           *db.DB
	keys        *secrets.Keyring
	q           *jobs.Queue
	conns       map[channel.Network]channel.Connector
	content     Content
	media       Media
	links       Links
	people      People
	notify      Notifier
	log         *slog.Logger
	opts        Options
	redirectURL string
	publicBase  string
	signingKey  []byte

	poke chan struct{}
	// refreshing serialises credential renewal per account: networks that rotate refresh tokens
	// (X) refuse the older one, so two renewals at once would lose the account.
	refreshing sync.Map
}

// Deps are a Service's parts.
type Deps struct {
	DB         *db.DB
	Keys       *secrets.Keyring
	Queue      *jobs.Queue
	Connectors []channel.Connector
	Content    Content
	Media      Media
	Links      Links
	People     People
	Notify     Notifier
	Log        *slog.Logger
	// RedirectURL is Warta's OAuth callback as networks must know it.
	RedirectURL string
	// PublicBaseURL is the installation's address as the internet reaches it, for networks
	// that fetch media themselves (Instagram, Threads); empty when it has none.
	PublicBaseURL string
	// SigningKey signs the expiring media links.
	SigningKey []byte
}

// New builds the service and registers its jobs on the queue.
func New(deps Deps, opts Options) *Service {
	if opts.Lease == 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Overdue == 0 {
		opts.Overdue = time.Minute
	}
	if len(opts.Backoff) == 0 {
		opts.Backoff = []time.Duration{10 * time.Second, 30 * time.Second, 2 * time.Minute, 5 * time.Minute,
			15 * time.Minute, 30 * time.Minute, time.Hour}
	}
	s := &Service{d: deps.DB, keys: deps.Keys, q: deps.Queue, conns: map[channel.Network]channel.Connector{},
		content: deps.Content, media: deps.Media, links: deps.Links, people: deps.People, notify: deps.Notify, log: deps.Log,
		opts: opts, redirectURL: deps.RedirectURL, publicBase: deps.PublicBaseURL, signingKey: deps.SigningKey, poke: make(chan struct{}, 1)}
	for _, c := range deps.Connectors {
		s.conns[c.Network()] = c
	}
	jobs.Register(s.q, &publishWorker{s: s})
	jobs.Register(s.q, &watchWorker{s: s})
	jobs.Register(s.q, &metricsWorker{s: s})
	s.q.Periodic(30*time.Second, watchArgs{})
	s.q.Periodic(time.Hour, metricsArgs{})
	return s
}

// wake tells the dispatcher that something may be due sooner than it thought.
func (s *Service) wake() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}
