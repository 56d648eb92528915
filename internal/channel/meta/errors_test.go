package meta_test

import (
	"net/http"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/meta"
)

// Meta answers most errors with HTTP 400: the kind comes from the error code in the body.
func TestClassify(t *testing.T) {
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		status  int
		header  http.Header
		body    string
		kind    channel.Kind
		key     string
		retryAt time.Time
		reason  string
	}{
		{"expired token", 400, nil,
			`{"error":{"message":"Error validating access token: Session has expired on Friday, 27-Nov-26 02:00:00 PST.","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"AbC"}}`,
			channel.Unauthorized, "", time.Time{}, "Error validating access token: Session has expired on Friday, 27-Nov-26 02:00:00 PST."},
		{"page limit with its usage header", 400,
			http.Header{"X-Business-Use-Case-Usage": {`{"1234":[{"type":"pages","call_count":100,"total_cputime":20,"total_time":25,"estimated_time_to_regain_access":17}]}`}},
			`{"error":{"message":"(#32) Page request limit reached","type":"OAuthException","code":32}}`,
			channel.RateLimited, "", now.Add(17 * time.Minute), "(#32) Page request limit reached"},
		{"app limit without an estimate", 400, http.Header{"X-App-Usage": {`{"call_count":100,"total_cputime":10,"total_time":12}`}},
			`{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4,"is_transient":true}}`,
			channel.RateLimited, "", now.Add(time.Hour), "(#4) Application request limit reached"},
		{"instagram publishing limit", 400, nil,
			`{"error":{"message":"Application request limit reached","type":"OAuthException","code":9,"error_subcode":2207042,"error_user_msg":"You reached maximum number of posts that is allowed to be published by Content Publish API."}}`,
			channel.RateLimited, channel.KeyQuota, now.Add(24 * time.Hour), "You reached maximum number of posts that is allowed to be published by Content Publish API."},
		{"media download", 400, nil,
			`{"error":{"message":"Only photo or video can be accepted as media type.","type":"OAuthException","code":9004,"error_subcode":2207052,"error_user_title":"Media download has failed.","error_user_msg":"The media could not be fetched from this uri: https://warta.example/m/1.jpg"}}`,
			channel.Rejected, channel.KeyMediaFailed, time.Time{}, "The media could not be fetched from this uri: https://warta.example/m/1.jpg"},
		{"missing permission", 403, nil,
			`{"error":{"message":"(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission","type":"OAuthException","code":200}}`,
			channel.Rejected, "", time.Time{}, "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission"},
		{"unknown error", 400, nil, `{"error":{"message":"An unknown error occurred","type":"OAuthException","code":1,"is_transient":true}}`,
			channel.Unknown, "", time.Time{}, "An unknown error occurred"},
		{"server error", 500, nil, `{"error":{"message":"An unexpected error has occurred. Please retry your request later.","type":"OAuthException","code":2,"is_transient":true}}`,
			channel.Temporary, "", time.Time{}, "An unexpected error has occurred. Please retry your request later."},
		{"gateway timeout without a body", 504, nil, ``, channel.Unknown, "", time.Time{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := c.header
			if h == nil {
				h = http.Header{}
			}
			e := meta.Classify(&http.Response{StatusCode: c.status, Header: h}, []byte(c.body), now)
			if e.Kind != c.kind || e.Key != c.key || !e.RetryAt.Equal(c.retryAt) || e.Reason != c.reason || e.Status != c.status {
				t.Errorf("got %+v", e)
			}
		})
	}
}
