// Package pdstest runs a real Bluesky PDS (@atproto/pds, pinned in ../pds/package.json) on
// loopback for tests, with a stand-in for the PLC directory, and talks to it as a person's own
// Bluesky app would: accounts, app passwords, and reading records back.
//
// The PDS needs Node 20 or newer and its packages installed once:
//
//	cd internal/channel/bluesky/pds && npm ci
//
// Tests that use it run only with WARTA_TEST_BLUESKY=1 and are skipped otherwise.
package pdstest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// EnvVar turns the tests that need a real PDS on.
const EnvVar = "WARTA_TEST_BLUESKY"

// install is what a person runs once to install the PDS.
const install = "cd internal/channel/bluesky/pds && npm ci"

// PDS is a running PDS; it stops when the test that started it ends.
type PDS struct {
	URL string // http://127.0.0.1:port, the address a user types as the server
}

// Start starts the PLC stand-in and the PDS on free loopback ports; both stop with the test.
// Without WARTA_TEST_BLUESKY=1 it skips the test, saying how to run it; with it, a missing Node
// or PDS fails the test, saying how to install them.
func Start(t testing.TB) *PDS {
	t.Helper()
	if os.Getenv(EnvVar) != "1" {
		t.Skipf("needs a real Bluesky PDS (Node 20 or newer): %s; then run the test with %s=1", install, EnvVar)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed; the PDS needs Node 20 or newer")
	}
	dir, err := pdsDir()
	if err != nil {
		t.Fatalf("the PDS's directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@atproto", "pds", "package.json")); err != nil {
		t.Fatalf("the PDS is not installed: %s", install)
	}
	plc := httptest.NewServer(plcDirectory())
	t.Cleanup(plc.Close)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	data := t.TempDir()
	secret := func() string { b := make([]byte, 32); _, _ = rand.Read(b); return hex.EncodeToString(b) }

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, "run.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		fmt.Sprint("PDS_PORT=", port),
		"PDS_HOSTNAME=localhost",
		"PDS_DATA_DIRECTORY="+data,
		"PDS_BLOBSTORE_DISK_LOCATION="+filepath.Join(data, "blobs"),
		"PDS_JWT_SECRET="+secret(),
		"PDS_ADMIN_PASSWORD="+secret(),
		"PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX="+secret(),
		"PDS_DID_PLC_URL="+plc.URL,
		"PDS_INVITE_REQUIRED=false",
		"PDS_DEV_MODE=true",
		"LOG_ENABLED=false",
	)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// run.js exits when its stdin closes, so the PDS ends even if the test process is killed.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	started := time.Now()
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		stdin.Close()
		<-exited
	})

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			t.Fatalf("the PDS stopped: %v\n%s", err, out.String())
		default:
		}
		if resp, err := http.Get(base + "/xrpc/_health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the PDS did not answer in 90 s:\n%s", out.String())
		}
	}
	t.Logf("PDS ready at %s in %s", base, time.Since(started).Round(time.Millisecond))
	return &PDS{URL: base}
}

// pdsDir is internal/channel/bluesky/pds: found from this file's place in the source tree, or,
// when the build trimmed paths, from the module root above the working directory (a test's
// package directory).
func pdsDir() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dir := filepath.Join(filepath.Dir(file), "..", "pds")
		if _, err := os.Stat(filepath.Join(dir, "run.js")); err == nil {
			return dir, nil
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "internal", "channel", "bluesky", "pds"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Account is an account made on the PDS.
type Account struct {
	DID       string `json:"did"`
	Handle    string `json:"handle"` // without "@", as the PDS holds it: humas.test
	AccessJwt string `json:"accessJwt"`
	Email     string `json:"-"`
	Password  string `json:"-"` // the account's own password, not an app password
}

// CreateAccount makes an account; handle ends in .test (humas.test), as the PDS in development
// mode takes.
func (p *PDS) CreateAccount(t testing.TB, handle string) Account {
	t.Helper()
	a := Account{Email: strings.TrimSuffix(handle, ".test") + "@sukamaju.example", Password: "kata-sandi-utama-" + handle}
	p.XRPC(t, http.MethodPost, "com.atproto.server.createAccount", "",
		map[string]string{"handle": handle, "email": a.Email, "password": a.Password}, &a)
	return a
}

// CreateAppPassword makes an app password named name, as a person does in Bluesky's settings.
func (p *PDS) CreateAppPassword(t testing.TB, a Account, name string) string {
	t.Helper()
	var out struct{ Password string }
	p.XRPC(t, http.MethodPost, "com.atproto.server.createAppPassword", a.AccessJwt, map[string]string{"name": name}, &out)
	return out.Password
}

// RevokeAppPassword revokes the app password named name.
func (p *PDS) RevokeAppPassword(t testing.TB, a Account, name string) {
	t.Helper()
	p.XRPC(t, http.MethodPost, "com.atproto.server.revokeAppPassword", a.AccessJwt, map[string]string{"name": name}, nil)
}

// XRPC calls the PDS directly, as the user's own Bluesky app would: in is the JSON body of a
// POST, or the url.Values of a GET; out, when not nil, receives the answer. Any status but 200
// fails the test.
func (p *PDS) XRPC(t testing.TB, method, nsid, token string, in, out any) {
	t.Helper()
	var body io.Reader
	u := p.URL + "/xrpc/" + nsid
	if method == http.MethodPost {
		raw, _ := json.Marshal(in)
		body = bytes.NewReader(raw)
	} else if q, ok := in.(url.Values); ok {
		u += "?" + q.Encode()
	}
	req, _ := http.NewRequest(method, u, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", nsid, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d %s", nsid, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s: %v: %s", nsid, err, raw)
		}
	}
}

// Record is an app.bsky.feed.post record as the PDS returns it.
type Record struct {
	URI   string `json:"uri"`
	CID   string `json:"cid"`
	Value struct {
		Text   string   `json:"text"`
		Langs  []string `json:"langs"`
		Facets []Facet  `json:"facets"`
		Embed  struct {
			Type   string `json:"$type"`
			Images []struct {
				Alt   string `json:"alt"`
				Image struct {
					MimeType string `json:"mimeType"`
				} `json:"image"`
				AspectRatio struct{ Width, Height int } `json:"aspectRatio"`
			} `json:"images"`
			External struct{ URI, Title, Description string } `json:"external"`
		} `json:"embed"`
		Reply struct {
			Root, Parent struct{ URI, CID string }
		} `json:"reply"`
	} `json:"value"`
}

// Facet is an app.bsky.richtext.facet: a UTF-8 byte range of the text and what it is.
type Facet struct {
	Index struct {
		ByteStart int `json:"byteStart"`
		ByteEnd   int `json:"byteEnd"`
	} `json:"index"`
	Features []struct {
		Type string `json:"$type"`
		URI  string `json:"uri"` // #link
		DID  string `json:"did"` // #mention
		Tag  string `json:"tag"` // #tag
	} `json:"features"`
}

// ByText describes a record's facets by the text they cover: "#Tag" → "app.bsky.richtext.facet#tag Tag".
// A range outside the text, or not on UTF-8 boundaries, shows as itself ("[5:99]").
func (r Record) ByText() map[string]string {
	text := r.Value.Text
	out := map[string]string{}
	for _, f := range r.Value.Facets {
		s, e := f.Index.ByteStart, f.Index.ByteEnd
		key := fmt.Sprintf("[%d:%d]", s, e)
		if 0 <= s && s < e && e <= len(text) && isBoundary(text, s) && isBoundary(text, e) {
			key = text[s:e]
		}
		for _, ft := range f.Features {
			out[key] = ft.Type + " " + ft.URI + ft.DID + ft.Tag
		}
	}
	return out
}

// isBoundary says whether byte i of s starts a character (or is its end).
func isBoundary(s string, i int) bool { return i == len(s) || s[i]&0xC0 != 0x80 }

// Record reads a record by its at:// URI (at://did/collection/rkey) with com.atproto.repo.getRecord.
func (p *PDS) Record(t testing.TB, uri string) Record {
	t.Helper()
	parts := strings.Split(strings.TrimPrefix(uri, "at://"), "/")
	if !strings.HasPrefix(uri, "at://") || len(parts) != 3 {
		t.Fatalf("not a record's at:// URI: %q", uri)
	}
	var rec Record
	p.XRPC(t, http.MethodGet, "com.atproto.repo.getRecord", "", url.Values{"repo": {parts[0]}, "collection": {parts[1]}, "rkey": {parts[2]}}, &rec)
	return rec
}

// Posts lists an account's app.bsky.feed.post records.
func (p *PDS) Posts(t testing.TB, did string) []Record {
	t.Helper()
	var out struct{ Records []Record }
	p.XRPC(t, http.MethodGet, "com.atproto.repo.listRecords", "", url.Values{"repo": {did}, "collection": {"app.bsky.feed.post"}}, &out)
	return out.Records
}

// plcDirectory is a stand-in for plc.directory: it keeps the genesis operation the PDS sends for
// a new account (POST /:did) and answers the DID document made from it (GET /:did), the way
// @did-plc/lib's formatDidDoc does.
func plcDirectory() http.Handler {
	type operation struct {
		Type                string            `json:"type"`
		VerificationMethods map[string]string `json:"verificationMethods"`
		AlsoKnownAs         []string          `json:"alsoKnownAs"`
		Services            map[string]struct {
			Type     string `json:"type"`
			Endpoint string `json:"endpoint"`
		} `json:"services"`
	}
	var mu sync.Mutex
	ops := map[string]operation{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		did := strings.TrimPrefix(r.URL.Path, "/")
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodPost {
			var op operation
			if err := json.NewDecoder(r.Body).Decode(&op); err != nil || op.Type != "plc_operation" || op.VerificationMethods["atproto"] == "" {
				http.Error(w, `{"message":"invalid operation"}`, http.StatusBadRequest)
				return
			}
			ops[did] = op
			return
		}
		op, ok := ops[did]
		if !ok {
			http.Error(w, `{"message":"DID not registered: `+did+`"}`, http.StatusNotFound)
			return
		}
		doc := map[string]any{
			"@context":    []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1", "https://w3id.org/security/suites/secp256k1-2019/v1"},
			"id":          did,
			"alsoKnownAs": op.AlsoKnownAs,
			"verificationMethod": []map[string]string{{"id": did + "#atproto", "type": "Multikey", "controller": did,
				"publicKeyMultibase": strings.TrimPrefix(op.VerificationMethods["atproto"], "did:key:")}},
			"service": []map[string]string{{"id": "#atproto_pds", "type": op.Services["atproto_pds"].Type,
				"serviceEndpoint": op.Services["atproto_pds"].Endpoint}},
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	})
}

// syncBuffer collects the PDS's output for a failure message.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
