package fetch

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"testing"
)

// Failures that loopback cannot produce, classified from the errors net/http returns for them.
func TestTransportErrorClassified(t *testing.T) {
	wrap := func(err error) error {
		return &url.Error{Op: "Get", URL: "https://kabar.example/feed", Err: &net.OpError{Op: "dial", Net: "tcp", Err: err}}
	}
	cases := []struct {
		err       error
		key       string
		temporary bool
	}{
		{wrap(&net.DNSError{Err: "no such host", Name: "kabar.example", IsNotFound: true}), ErrDNS, false},
		{wrap(&net.DNSError{Err: "server misbehaving", Name: "kabar.example", IsTemporary: true}), ErrDNS, true},
		{wrap(fmt.Errorf("something new")), ErrNetwork, true},
	}
	for _, c := range cases {
		e := transportError(context.Background(), "kabar.example", "https://kabar.example/feed", c.err)
		if e.Key != c.key || e.Temporary != c.temporary || e.Args["Host"] != "kabar.example" {
			t.Errorf("%v: got %s temporary %v args %v", c.err, e.Key, e.Temporary, e.Args)
		}
	}
}

// Hosts no one has asked for lately are forgotten, so the table does not grow for ever.
func TestGatesForgetIdleHosts(t *testing.T) {
	g := newGates(-1)
	for i := range 1000 {
		done, err := g.acquire(context.Background(), fmt.Sprintf("host-%d.example:443", i))
		if err != nil {
			t.Fatal(err)
		}
		done()
	}
	if n := len(g.hosts); n > 512 {
		t.Errorf("%d hosts remembered after 1000 single requests", n)
	}
}
