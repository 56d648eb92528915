package meta

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

// GraphError is the error object of Graph and Threads answers:
// {"error":{"message","type","code","error_subcode","error_user_msg","fbtrace_id"}}
// (developers.facebook.com/docs/graph-api/guides/error-handling).
type GraphError struct {
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode,omitempty"`
	Transient bool   `json:"is_transient,omitempty"`
	UserTitle string `json:"error_user_title,omitempty"`
	UserMsg   string `json:"error_user_msg,omitempty"`
	TraceID   string `json:"fbtrace_id,omitempty"`
}

// Error codes and subcodes the connectors act on.
const (
	CodeUnknown          = 1
	CodeService          = 2
	CodeAppLimit         = 4
	CodeQuota            = 9
	CodeUserLimit        = 17
	CodePageLimit        = 32
	CodeSession          = 102
	CodeToken            = 190
	CodeHourLimit        = 613
	CodeMediaDownload    = 9004
	SubcodePublishLimit  = 2207042 // Instagram: the account's 24-hour publishing limit
	SubcodeMediaDownload = 2207052
)

// mediaCodes are Graph codes of a media file the network could not take: a missing or invalid
// image (324), an unsupported video (352), a failed download (9004) and Instagram's image checks
// (36000 size, 36001 format, 36003 aspect ratio, 36004 ...), from the Graph and Instagram error
// code references.
var mediaCodes = map[int]bool{324: true, 352: true, 9004: true, 36000: true, 36001: true, 36002: true, 36003: true, 36004: true}

// mediaSubcodes are Instagram subcodes of media it could not fetch or process.
var mediaSubcodes = map[int]bool{2207003: true, 2207004: true, 2207005: true, 2207009: true, 2207020: true,
	2207026: true, 2207052: true, 2207053: true}

// Classify turns a non-2xx answer into a channel.Error: the HTTP status says little on Graph
// (most errors are 400), the error code says what happened.
func Classify(resp *http.Response, body []byte, now time.Time) *channel.Error {
	var env struct {
		Error *GraphError `json:"error"`
	}
	_ = json.Unmarshal(body, &env)
	ge := env.Error
	if ge == nil {
		return channel.StatusError(resp, snippet(body), now)
	}
	reason := ge.Message
	if ge.UserMsg != "" {
		reason = ge.UserMsg
	}
	if resp.StatusCode >= 500 {
		return channel.StatusError(resp, reason, now)
	}
	e := &channel.Error{Status: resp.StatusCode, Reason: strings.TrimSpace(reason)}
	switch {
	case ge.Code == CodeToken || ge.Code == CodeSession || resp.StatusCode == http.StatusUnauthorized:
		e.Kind = channel.Unauthorized
	case ge.Code == CodeQuota && ge.Subcode == SubcodePublishLimit:
		// Instagram's 24-hour publishing window: the account waits, not the app.
		e.Kind, e.Key, e.RetryAt = channel.RateLimited, channel.KeyQuota, now.Add(24*time.Hour)
	case rateLimited(ge.Code) || resp.StatusCode == http.StatusTooManyRequests:
		e.Kind, e.RetryAt = channel.RateLimited, RegainAt(resp.Header, now)
	case mediaCodes[ge.Code] || mediaSubcodes[ge.Subcode]:
		e.Kind, e.Key = channel.Rejected, channel.KeyMediaFailed
	case ge.Code == CodeUnknown || ge.Code == CodeService || ge.Code < 0 || ge.Transient:
		// "Possibly a temporary issue due to downtime": the call may have been acted on.
		e.Kind = channel.Unknown
	default:
		// 10 and 200–299 (permissions), 100 (invalid parameter), 368 (blocked), 506 (duplicate).
		e.Kind = channel.Rejected
	}
	return e
}

// rateLimited: application (4), user (17), page (32) and hourly (613) limits, and the Business
// Use Case limits 80000–80014 (developers.facebook.com/docs/graph-api/overview/rate-limiting).
func rateLimited(code int) bool {
	switch code {
	case CodeAppLimit, CodeUserLimit, CodePageLimit, CodeHourLimit:
		return true
	}
	return code >= 80000 && code <= 80014
}

// RegainAt reads when a throttled app, page or account may call again: the largest
// estimated_time_to_regain_access (minutes) of X-Business-Use-Case-Usage or X-Page-Usage, then
// Retry-After, else an hour, the window Platform rate limits are counted over.
func RegainAt(h http.Header, now time.Time) time.Time {
	minutes := 0
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var buc map[string][]struct {
			Minutes int `json:"estimated_time_to_regain_access"`
		}
		if json.Unmarshal([]byte(v), &buc) == nil {
			for _, uses := range buc {
				for _, u := range uses {
					minutes = max(minutes, u.Minutes)
				}
			}
		}
	}
	for _, name := range []string{"X-Page-Usage", "X-App-Usage"} {
		var u struct {
			Minutes int `json:"estimated_time_to_regain_access"`
		}
		if v := h.Get(name); v != "" && json.Unmarshal([]byte(v), &u) == nil {
			minutes = max(minutes, u.Minutes)
		}
	}
	if minutes > 0 {
		return now.Add(time.Duration(minutes) * time.Minute)
	}
	if t := channel.RetryAfter(h, now); !t.IsZero() {
		return t
	}
	return now.Add(time.Hour)
}
