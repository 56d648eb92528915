package channel_test

import (
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"

	"warta.dev/warta/internal/channel"
)

// What did not go out beside a published post is in the network's words, never the request's
// address, and is told in each reader's language.
func TestIncomplete(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&channel.Error{Kind: channel.Rejected, Status: 400, Reason: "(#368) Blocked"}, "first comment: (#368) Blocked"},
		{&channel.Error{Kind: channel.Temporary, Status: 500}, "first comment: HTTP 500"},
		{channel.TransportError(&url.Error{Op: "Post", URL: "https://graph.facebook.com/v27.0/1/comments?appsecret_proof=secret", Err: io.EOF}), "first comment: EOF"},
		{errors.New("boom"), "first comment: boom"},
	} {
		if got := channel.IncompleteComment(tc.err); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
	id, en := locales(t)
	comment := channel.IncompleteComment(&channel.Error{Reason: "(#368) Blocked"})
	if got := channel.IncompleteMessage(id, channel.Facebook, comment); got != "Terbit di Facebook, tetapi komentar pertamanya tidak: (#368) Blocked" {
		t.Errorf("id: %q", got)
	}
	part := channel.IncompleteThreadPart(2, 3, &channel.Error{Reason: "You are not allowed to create a Tweet with duplicate content."})
	if got := channel.IncompleteMessage(en, channel.X, part); got != "Published on X, but the thread stopped at part 2 of 3: You are not allowed to create a Tweet with duplicate content." {
		t.Errorf("en: %q", got)
	}
	if got := channel.IncompleteMessage(en, channel.X, "something else"); !strings.Contains(got, "something else") {
		t.Errorf("other: %q", got)
	}
}
