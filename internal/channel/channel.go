// Package channel knows the networks Warta publishes to: one table of each network's rules (text
// limit and how the network counts, hashtags, media, first comment), the counting itself, and the
// check that says exactly which rule a channel variant breaks. The content editor uses it for the
// live count and on save; publishing uses the same table before it sends.
package channel

import (
	"embed"

	"warta.dev/warta/internal/platform/i18n"
)

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the network names and the problem messages.
var Catalog = i18n.Catalog{Name: "channel", FS: i18n.Dir(catalogFiles, "i18n")}

// Network names a social network; the value is what is stored.
type Network string

// The networks Warta publishes to.
const (
	X         Network = "x"
	Bluesky   Network = "bluesky"
	Mastodon  Network = "mastodon"
	LinkedIn  Network = "linkedin"
	Threads   Network = "threads"
	Facebook  Network = "facebook"
	Instagram Network = "instagram"
	Telegram  Network = "telegram"
	// Webhooks: chat tools and any receiver, for posts and internal announcements.
	Slack   Network = "slack"
	Discord Network = "discord"
	Teams   Network = "teams"
	Webhook Network = "webhook"
)

// Kinds of media a variant can carry.
const (
	KindImage    = "image"
	KindVideo    = "video"
	KindGIF      = "gif"
	KindDocument = "document"
)

// Counting is how a network measures the length of a text.
type Counting int

const (
	// CountCodePoints counts Unicode code points.
	CountCodePoints Counting = iota
	// CountWeighted is X's twitter-text v3 count: a link is 23 whatever its length, an emoji
	// is 2, a character outside X's light ranges (CJK, most symbols) is 2, the rest 1.
	CountWeighted
	// CountGraphemes counts what a reader sees as one character: a family emoji or a flag is 1.
	CountGraphemes
	// CountMastodon counts graphemes after a link becomes 23 characters and a remote mention
	// @user@server becomes @user, as Mastodon's StatusLengthValidator does.
	CountMastodon
	// CountEmojiBytes counts code points, but an emoji as its UTF-8 bytes (Threads).
	CountEmojiBytes
)

// MediaRule is what a network takes of one kind of media.
type MediaRule struct {
	Kind     string
	MaxBytes int64
	// Max is how many of this kind one post takes; 0 means up to the network's MaxMedia.
	Max int
	// Group: kinds of different groups cannot share a post (X: photos, or one GIF, or one video).
	Group string
}

// Rules are one network's limits.
type Rules struct {
	Network Network
	// MaxText is the text limit; for Mastodon it is the default, the instance may set another.
	MaxText  int
	Counting Counting
	// CaptionMax, when set, is the limit of the text of a post that carries media (Telegram).
	CaptionMax int
	// CommentMax is the first comment's limit; 0 means the same as MaxText (a reply is a post).
	CommentMax  int
	MaxHashtags int // 0: no limit
	MaxMedia    int // items in one post
	Media       []MediaRule
	// RequiresMedia: the network publishes nothing without at least one image or video.
	RequiresMedia bool
	FirstComment  bool
	// ThreadParts, when set, is how many posts a long text may become when the person asks for a
	// thread: the text is split at sentence and word ends, each part numbered (X).
	ThreadParts int
}

// Decimal megabytes, as the networks write their limits; exact byte counts are used where a
// network publishes one.
const (
	mb = 1_000_000
	gb = 1_000_000_000
)

// Networks holds every network's rules, in the order a picker shows them. Publishing reuses it.
var Networks = []Rules{
	{
		Network:  X,
		MaxText:  280, // twitter-text config/v3.json: maxWeightedTweetLength 280
		Counting: CountWeighted,
		MaxMedia: 4, // docs.x.com media best practices: "up to 4 photos, 1 animated GIF or 1 video in a Post"
		Media: []MediaRule{
			{Kind: KindImage, MaxBytes: 5 * mb, Group: "photos"},          // docs.x.com/x-api/media: Image 5 MB
			{Kind: KindGIF, MaxBytes: 15 * mb, Max: 1, Group: "gif"},      // docs.x.com/x-api/media: GIF 15 MB
			{Kind: KindVideo, MaxBytes: 512 * mb, Max: 1, Group: "video"}, // docs.x.com/x-api/media: Video 512 MB (amplify_video)
		},
		FirstComment: true, // a reply to the post
		ThreadParts:  25,   // Warta's own bound: a longer text belongs on the newsroom
	},
	{
		Network:  Bluesky,
		MaxText:  300, // lexicon app.bsky.feed.post: text maxGraphemes 300
		Counting: CountGraphemes,
		// lexicon app.bsky.embed.images: maxLength 4. The newer app.bsky.embed.gallery takes 10,
		// but a PDS or AppView older than it does not.
		MaxMedia: 4,
		Media: []MediaRule{
			// lexicon app.bsky.embed.images image maxSize 2000000: "May be up to 2 MB, formerly
			// limited to 1 MB" (docs.bsky.app "Creating a post", updated May 2026).
			{Kind: KindImage, MaxBytes: 2_000_000, Group: "photos"},
			// lexicon app.bsky.embed.video maxSize 100000000: "up to 100mb, formerly limited to 50mb".
			{Kind: KindVideo, MaxBytes: 100_000_000, Max: 1, Group: "video"},
			// No GIF: a post has no animated-image type; the Bluesky app turns a GIF into a video first.
		},
		FirstComment: true, // a reply to the post
		ThreadParts:  25,   // Warta's own bound: a longer text belongs on the newsroom
	},
	{
		Network: Mastodon,
		// Default of Mastodon's StatusLengthValidator; each instance tells its own in
		// /api/v2/instance configuration.statuses.max_characters (see CountOptions).
		MaxText:  500,
		Counting: CountMastodon,
		MaxMedia: 4, // /api/v2/instance configuration.statuses.max_media_attachments, default 4
		Media: []MediaRule{
			// /api/v2/instance configuration.media_attachments of mastodon.social (the defaults):
			// image_size_limit 16777216, video_size_limit 103809024. A GIF is an image there,
			// turned into a looping video by the server; a video cannot share a post.
			{Kind: KindImage, MaxBytes: 16_777_216, Group: "photos"},
			{Kind: KindGIF, MaxBytes: 16_777_216, Group: "photos"},
			{Kind: KindVideo, MaxBytes: 103_809_024, Max: 1, Group: "video"},
		},
		FirstComment: true, // a reply to the post
		ThreadParts:  25,   // Warta's own bound: a longer text belongs on the newsroom
	},
	{
		Network:    LinkedIn,
		MaxText:    3000, // Posts API commentary: 3,000 characters
		Counting:   CountCodePoints,
		CommentMax: 1250, // LinkedIn comments: 1,250 characters
		MaxMedia:   20,   // learn.microsoft.com MultiImage API: "minimum of 2 images and maximum of 20 images"
		Media: []MediaRule{
			// The Images API states only a pixel cap (36,152,320); 5 MB is what schedulers posting
			// through it (Ayrshare, Blotato) document. GIFs go through the Images API too.
			{Kind: KindImage, MaxBytes: 5 * mb, Group: "photos"},
			{Kind: KindGIF, MaxBytes: 5 * mb, Group: "photos"},
			{Kind: KindVideo, MaxBytes: 500 * mb, Max: 1, Group: "video"},       // Videos API: 75 KB to 500 MB
			{Kind: KindDocument, MaxBytes: 100 * mb, Max: 1, Group: "document"}, // Documents API: 100 MB, 300 pages
		},
		FirstComment: true,
	},
	{
		Network: Threads,
		// developers.facebook.com Threads Posts: "Text posts are limited to 500 characters.
		// Emojis are counted as the number of UTF-8 bytes."
		MaxText:  500,
		Counting: CountEmojiBytes,
		MaxMedia: 20, // Threads carousel posts: up to 20 images, videos or a mix
		Media: []MediaRule{
			{Kind: KindImage, MaxBytes: 8 * mb, Group: "carousel"}, // Threads media specifications: image 8 MB (JPEG, PNG)
			{Kind: KindVideo, MaxBytes: 1 * gb, Group: "carousel"}, // Threads media specifications: video 1 GB
		},
		FirstComment: true, // a reply to the post
		ThreadParts:  25,   // Warta's own bound: a longer text belongs on the newsroom
	},
	{
		Network:    Facebook,
		MaxText:    63206, // the longest Facebook post
		Counting:   CountCodePoints,
		CommentMax: 8000, // Facebook comments: 8,000 characters
		MaxMedia:   10,   // Meta documents no cap for a multi-photo Page post; 10 is what schedulers (Late) allow
		Media: []MediaRule{
			// Meta's photo specifications for Page media: .jpeg .bmp .png .gif .tiff, "Files can not
			// exceed 10MB" (older versions of the page said 4MB).
			{Kind: KindImage, MaxBytes: 10 * mb, Group: "photos"},
			{Kind: KindGIF, MaxBytes: 10 * mb, Group: "photos"},
			// Video API, resumable upload: up to 10 GB; a video post carries one video, no photos.
			{Kind: KindVideo, MaxBytes: 10 * gb, Max: 1, Group: "video"},
		},
		FirstComment: true,
	},
	{
		Network: Instagram,
		// developers.facebook.com Instagram content publishing: captions are limited to 2,200
		// characters and 30 hashtags. The first comment is held to the same 2,200.
		MaxText:     2200,
		Counting:    CountCodePoints,
		MaxHashtags: 30,
		MaxMedia:    10, // Instagram content publishing: a carousel takes up to 10 images, videos or a mix
		Media: []MediaRule{
			{Kind: KindImage, MaxBytes: 8 * mb, Group: "carousel"},   // image specifications: JPEG, 8 MB
			{Kind: KindVideo, MaxBytes: 300 * mb, Group: "carousel"}, // reel specifications: 300 MB
		},
		RequiresMedia: true, // a post is an image, a video or a carousel; text alone is refused
		FirstComment:  true,
	},
	{
		Network:    Telegram,
		MaxText:    4096,            // Bot API sendMessage: text 1-4096 characters after entities parsing
		Counting:   CountCodePoints, // TDLib counts utf8_length, i.e. code points
		CaptionMax: 1024,            // Bot API: caption 0-1024 characters
		MaxMedia:   10,              // Bot API sendMediaGroup: 2-10 items
		Media: []MediaRule{
			// Bot API: "The photo must be at most 10 MB"; other files a bot uploads: 50 MB.
			// Photos and videos share an album; documents only with documents; an animation
			// cannot be in an album at all.
			{Kind: KindImage, MaxBytes: 10 * mb, Group: "album"},
			{Kind: KindVideo, MaxBytes: 50 * mb, Group: "album"},
			{Kind: KindGIF, MaxBytes: 50 * mb, Max: 1, Group: "gif"},
			{Kind: KindDocument, MaxBytes: 50 * mb, Group: "document"},
		},
		FirstComment: false, // a channel post has no comment a bot can add
	},
	{
		Network: Slack,
		// api.slack.com/messaging/webhooks and chat.postMessage: "truncate messages containing
		// more than 40,000 characters". An incoming webhook uploads no files.
		MaxText:  40000,
		Counting: CountCodePoints,
	},
	{
		Network:  Discord,
		MaxText:  2000, // discord.com/developers/docs/resources/webhook: content up to 2000 characters
		Counting: CountCodePoints,
		MaxMedia: 10, // Execute Webhook: up to 10 files
		Media: []MediaRule{
			{Kind: KindImage, MaxBytes: 10 * 1024 * 1024, Group: "files"}, // 10 MiB upload limit without boosts
			{Kind: KindGIF, MaxBytes: 10 * 1024 * 1024, Group: "files"},
		},
	},
	{
		Network: Teams,
		// A Teams workflow posts an Adaptive Card; Teams messages are limited to about 28 KB,
		// so the text is held well under it. Images would need a public URL: none are sent.
		MaxText:  20000,
		Counting: CountCodePoints,
	},
	{
		Network:  Webhook,
		MaxText:  100000, // Warta's own bound: a receiver gets JSON and decides
		Counting: CountCodePoints,
	},
}

// Lookup returns the rules of a network.
func Lookup(n Network) (Rules, bool) {
	for _, r := range Networks {
		if r.Network == n {
			return r, true
		}
	}
	return Rules{}, false
}

// media returns the rule for a kind, if the network takes it.
func (r Rules) media(kind string) (MediaRule, bool) {
	for _, m := range r.Media {
		if m.Kind == kind {
			return m, true
		}
	}
	return MediaRule{}, false
}

// CountOptions carries what a count or a limit depends on beyond the network.
type CountOptions struct {
	// MastodonLimit is the instance's max_characters; 0 means Mastodon's default, 500.
	MastodonLimit int
	// MastodonURLLength is the instance's characters_reserved_per_url; 0 means 23.
	MastodonURLLength int
	// WithMedia: the post carries media, so Telegram's text is a caption (1,024).
	WithMedia bool
	// Thread: the person asked for a long text to go out as a thread, where the network allows.
	Thread bool
}

// Limit is the text limit of a network for a post: the instance's limit on Mastodon, the
// caption limit on Telegram when the post carries media. 0 for an unknown network.
func Limit(n Network, opts CountOptions) int {
	r, ok := Lookup(n)
	if !ok {
		return 0
	}
	switch {
	case opts.Thread && r.ThreadParts > 0:
		// Each part leaves room for its " (12/25)".
		return (r.MaxText - 10) * r.ThreadParts
	case n == Mastodon && opts.MastodonLimit > 0:
		return opts.MastodonLimit
	case opts.WithMedia && r.CaptionMax > 0:
		return r.CaptionMax
	}
	return r.MaxText
}

// Counter is the live count for the editor: the text's length as the network counts it, and the
// limit it counts against.
func Counter(n Network, text string, opts CountOptions) (count, limit int) {
	return Count(n, text, opts), Limit(n, opts)
}
