package channel

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"warta.dev/warta/internal/platform/i18n"
)

// Media is one attachment of a variant.
type Media struct {
	Kind  string `json:"kind"` // image, video, gif, document
	Bytes int64  `json:"bytes"`
	Alt   string `json:"alt"`
}

// Variant is what a content item says on one network.
type Variant struct {
	Network      Network `json:"network"`
	Text         string  `json:"text"`
	FirstComment string  `json:"first_comment"`
	Media        []Media `json:"media"`
	// Thread: a text over the limit goes out as a thread where the network allows (Rules.ThreadParts).
	Thread bool `json:"thread,omitempty"`
}

// Problem is one rule a variant breaks. Field is the form field it belongs beside: text, media,
// first_comment (network for a network Warta does not know). Args are name/value pairs for the
// message, as Check makes them: an int is a number, an int64 a size in bytes, a string under
// Kind, Kinds or OtherKinds a media kind. Index counts a variant's media from 1.
type Problem struct {
	Network Network `json:"network"`
	Field   string  `json:"field"`
	Key     string  `json:"key"`
	Args    []any   `json:"args,omitempty"`
}

// Catalog keys of the problems, for callers that treat one apart (a draft may lack alt text).
const (
	ProblemUnknownNetwork  = "channel.problem.unknown_network"
	ProblemEmpty           = "channel.problem.empty"
	ProblemTextTooLong     = "channel.problem.text_too_long"
	ProblemCaptionTooLong  = "channel.problem.caption_too_long"
	ProblemTooManyHashtags = "channel.problem.too_many_hashtags"
	ProblemNoFirstComment  = "channel.problem.first_comment_unsupported"
	ProblemCommentTooLong  = "channel.problem.comment_too_long"
	ProblemKindRefused     = "channel.problem.kind_not_accepted"
	ProblemTooManyMedia    = "channel.problem.too_many_media"
	ProblemTooManyOfKind   = "channel.problem.too_many_of_kind"
	ProblemMediaMix        = "channel.problem.media_mix"
	ProblemMediaTooLarge   = "channel.problem.media_too_large"
	ProblemAltMissing      = "channel.problem.alt_missing"
	ProblemMediaRequired   = "channel.problem.media_required"
)

// Check returns every rule v breaks on its network, in the order of the form: text, first
// comment, media. opts.WithMedia and opts.Thread are taken from v itself.
func Check(v Variant, opts CountOptions) []Problem {
	opts.Thread = v.Thread
	r, ok := Lookup(v.Network)
	if !ok {
		return []Problem{{Network: v.Network, Field: "network", Key: ProblemUnknownNetwork}}
	}
	var out []Problem
	add := func(field, key string, args ...any) {
		out = append(out, Problem{Network: v.Network, Field: field, Key: key, Args: args})
	}
	opts.WithMedia = len(v.Media) > 0

	if !r.RequiresMedia && strings.TrimSpace(v.Text) == "" && len(v.Media) == 0 {
		add("text", ProblemEmpty)
	}
	if n, max := Count(v.Network, v.Text, opts), Limit(v.Network, opts); n > max {
		key := ProblemTextTooLong
		if opts.WithMedia && r.CaptionMax > 0 {
			key = ProblemCaptionTooLong
		}
		add("text", key, "Length", n, "Max", max)
	}
	if n := countHashtags(v.Text); r.MaxHashtags > 0 && n > r.MaxHashtags {
		add("text", ProblemTooManyHashtags, "Hashtags", n, "Max", r.MaxHashtags)
	}

	if strings.TrimSpace(v.FirstComment) != "" {
		if !r.FirstComment {
			add("first_comment", ProblemNoFirstComment)
		} else {
			max := r.CommentMax
			if max == 0 {
				max = Limit(v.Network, CountOptions{MastodonLimit: opts.MastodonLimit})
			}
			if n := Count(v.Network, v.FirstComment, opts); n > max {
				add("first_comment", ProblemCommentTooLong, "Length", n, "Max", max)
			}
		}
	}

	out = append(out, checkMedia(r, v)...)
	return out
}

func checkMedia(r Rules, v Variant) []Problem {
	var out []Problem
	add := func(key string, args ...any) {
		out = append(out, Problem{Network: v.Network, Field: "media", Key: key, Args: args})
	}
	if r.RequiresMedia && !hasImageOrVideo(v.Media) {
		add(ProblemMediaRequired)
	}
	var (
		kinds   []string // accepted kinds, in the order they first appear
		perKind = map[string]int{}
		refused = map[string]bool{}
	)
	for _, m := range v.Media {
		if _, ok := r.media(m.Kind); !ok {
			if !refused[m.Kind] {
				refused[m.Kind] = true
				add(ProblemKindRefused, "Kinds", m.Kind)
			}
			continue
		}
		if perKind[m.Kind] == 0 {
			kinds = append(kinds, m.Kind)
		}
		perKind[m.Kind]++
	}
	if len(v.Media) > r.MaxMedia {
		add(ProblemTooManyMedia, "Items", len(v.Media), "Max", r.MaxMedia)
	}
	for _, k := range kinds {
		rule, _ := r.media(k)
		if rule.Max > 0 && perKind[k] > rule.Max {
			add(ProblemTooManyOfKind, "Kinds", k, "Items", perKind[k], "Max", rule.Max)
		}
	}
	if len(kinds) > 1 {
		first, _ := r.media(kinds[0])
		for _, k := range kinds[1:] {
			if rule, _ := r.media(k); rule.Group != first.Group {
				add(ProblemMediaMix, "Kinds", k, "OtherKinds", kinds[0])
				break // one sentence says it; the fix is the same
			}
		}
	}
	for i, m := range v.Media {
		rule, ok := r.media(m.Kind)
		if !ok {
			continue
		}
		if m.Bytes > rule.MaxBytes {
			add(ProblemMediaTooLarge, "Kind", m.Kind, "Index", i+1, "Size", m.Bytes, "Max", rule.MaxBytes)
		}
		if (m.Kind == KindImage || m.Kind == KindGIF) && strings.TrimSpace(m.Alt) == "" {
			add(ProblemAltMissing, "Kind", m.Kind, "Index", i+1)
		}
	}
	return out
}

func hasImageOrVideo(media []Media) bool {
	for _, m := range media {
		if m.Kind == KindImage || m.Kind == KindVideo {
			return true
		}
	}
	return false
}

// hashtag is # and a word; countHashtags leaves out a # inside a word or an HTML entity
// (&#39;) and a tag of digits only, which networks do not link.
var hashtag = regexp.MustCompile(`#[\p{L}\p{M}\p{N}_]+`)

func countHashtags(text string) int {
	n := 0
	for _, m := range hashtag.FindAllStringIndex(text, -1) {
		if m[0] > 0 {
			if prev, _ := utf8.DecodeLastRuneInString(text[:m[0]]); isWord(prev) || prev == '&' {
				continue
			}
		}
		if strings.IndexFunc(text[m[0]+1:m[1]], func(r rune) bool { return !unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

// Message says the problem in the user's language, naming the network.
func (p Problem) Message(l *i18n.Locale) string {
	network := string(p.Network)
	if _, ok := Lookup(p.Network); ok {
		network = l.T(fmt.Sprintf("channel.name.%s", network))
	}
	args := []any{"Network", network}
	var sizes []int // positions in args of sizes, formatted together below
	for i := 0; i+1 < len(p.Args); i += 2 {
		name, v := p.Args[i], p.Args[i+1]
		switch x := v.(type) {
		case int:
			v = l.Number(x)
		case int64:
			sizes = append(sizes, len(args)+1)
		case string:
			switch {
			case x != KindImage && x != KindVideo && x != KindGIF && x != KindDocument:
				// a kind Warta has no word for is shown as it came
			case name == "Kind":
				v = l.T(fmt.Sprintf("channel.kind.%s", x))
			case name == "Kinds" || name == "OtherKinds":
				v = l.T(fmt.Sprintf("channel.kinds.%s", x))
			}
		}
		args = append(args, name, v)
	}
	formatSizes(l, args, sizes)
	return l.T(p.Key, args...)
}

// formatSizes writes byte counts as KB, MB or GB with up to two decimals; when two sizes would
// read the same ("5 MB, over the limit of 5 MB") it writes them in bytes.
func formatSizes(l *i18n.Locale, args []any, at []int) {
	text := func(b int64, exact bool) string {
		units := []struct {
			size float64
			name string
		}{{1e9, "GB"}, {1e6, "MB"}, {1e3, "KB"}}
		for _, u := range units {
			if !exact && float64(b) >= u.size {
				return l.Number(math.Round(float64(b)/u.size*100)/100) + " " + u.name
			}
		}
		return l.Number(b) + " B"
	}
	seen := map[string]bool{}
	exact := false
	for _, i := range at {
		s := text(args[i].(int64), false)
		exact = exact || seen[s]
		seen[s] = true
	}
	for _, i := range at {
		args[i] = text(args[i].(int64), exact)
	}
}
