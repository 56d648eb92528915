package bluesky_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/bluesky"
	"warta.dev/warta/internal/channel/channeltest"
)

// TestRealPDS publishes through the connector to a real Bluesky PDS (@atproto/pds, pinned in
// pds/package.json) on loopback, with a stand-in for the PLC directory, and reads the records
// back from the PDS.
func TestRealPDS(t *testing.T) {
	if os.Getenv("WARTA_TEST_BLUESKY") != "1" {
		t.Skip("needs a real PDS: cd internal/channel/bluesky/pds && npm ci; WARTA_TEST_BLUESKY=1 go test ./internal/channel/bluesky/")
	}
	pds := startPDS(t)
	ctx := context.Background()

	admin := pds.createAccount(t, "humas.test")
	warga := pds.createAccount(t, "warga.test")
	var appPass struct{ Password string }
	pds.xrpc(t, http.MethodPost, "com.atproto.server.createAppPassword", admin.AccessJwt, map[string]string{"name": "Warta"}, &appPass)

	c := bluesky.New(channel.Env{Client: &http.Client{}})
	step, err := c.Start(ctx, channel.Start{Values: map[string]string{"handle": "@humas.test", "app_password": appPass.Password, "server": pds.url}})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	a := step.Accounts[0]
	if a.RemoteID != admin.DID || a.Handle != "@humas.test" || a.Name != "humas.test" || a.Server != pds.url {
		t.Errorf("account %+v", a)
	}
	if d := time.Until(a.Secret.Expiry); d < time.Hour || d > 3*time.Hour {
		t.Errorf("access token expires in %s", d)
	}

	t.Run("post with image, facets and first comment", func(t *testing.T) {
		text := "Selamat pagi 🌅🇮🇩! Info KTP keliling: https://sukamaju.go.id/ktp, bersama @warga.test #LayananPublik"
		p := channel.Post{Key: "real-pds-1", Text: text, Language: "id", FirstComment: "Jadwal per kecamatan menyusul #Sukamaju",
			Media: []channel.MediaFile{channeltest.Image("Kader posyandu menimbang bayi", "")}}
		pub, err := c.Publish(ctx, &a, p)
		if err != nil {
			t.Fatalf("publish: %v", err)
		}
		rec := pds.record(t, pub.RemoteID)
		if rec.Value.Text != text || strings.Join(rec.Value.Langs, ",") != "id" {
			t.Errorf("record %+v", rec.Value)
		}
		got := map[string]string{}
		for _, f := range rec.Value.Facets {
			for _, ft := range f.Features {
				got[text[f.Index.ByteStart:f.Index.ByteEnd]] = ft.Type + " " + ft.URI + ft.DID + ft.Tag
			}
		}
		want := map[string]string{
			"https://sukamaju.go.id/ktp": "app.bsky.richtext.facet#link https://sukamaju.go.id/ktp",
			"@warga.test":                "app.bsky.richtext.facet#mention " + warga.DID,
			"#LayananPublik":             "app.bsky.richtext.facet#tag LayananPublik",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("facets by the text they cover:\n got %v\nwant %v", got, want)
		}
		img := rec.Value.Embed.Images
		if rec.Value.Embed.Type != "app.bsky.embed.images" || len(img) != 1 || img[0].Alt != "Kader posyandu menimbang bayi" ||
			img[0].Image.MimeType != "image/png" || img[0].AspectRatio.Width != 40 || img[0].AspectRatio.Height != 30 {
			t.Errorf("embed %+v", rec.Value.Embed)
		}
		posts := pds.list(t, a.RemoteID)
		if len(posts) != 2 {
			t.Fatalf("%d records, want the post and its reply", len(posts))
		}
		replies := 0
		for _, r := range posts {
			if r.Value.Reply.Parent.URI == pub.RemoteID && r.Value.Reply.Root.CID == rec.CID {
				replies++
			}
		}
		if replies != 1 {
			t.Errorf("no reply to %s among %+v", pub.RemoteID, posts)
		}

		found, err := c.Find(ctx, &a, p)
		if err != nil || found == nil || found.RemoteID != pub.RemoteID {
			t.Errorf("find: %+v, %v", found, err)
		}
		if none, err := c.Find(ctx, &a, channel.Post{Key: "never"}); none != nil || err != nil {
			t.Errorf("find of a post never made: %+v, %v", none, err)
		}
		again, err := c.Publish(ctx, &a, p)
		if err != nil || again.RemoteID != pub.RemoteID || len(pds.list(t, a.RemoteID)) != 2 {
			t.Errorf("publishing again: %+v, %v; the PDS should refuse the taken record key", again, err)
		}
	})

	t.Run("link card", func(t *testing.T) {
		page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<html><head><meta property="og:title" content="Layanan KTP Keliling"><meta property="og:description" content="Jadwal dan lokasi."></head></html>`)
		}))
		defer page.Close()
		pub, err := c.Publish(ctx, &a, channel.Post{Key: "real-pds-card", Text: "Selengkapnya: " + page.URL + "/ktp"})
		if err != nil {
			t.Fatalf("publish: %v", err)
		}
		ext := pds.record(t, pub.RemoteID).Value.Embed.External
		if ext.URI != page.URL+"/ktp" || ext.Title != "Layanan KTP Keliling" || ext.Description != "Jadwal dan lokasi." {
			t.Errorf("card %+v", ext)
		}
	})

	t.Run("session", func(t *testing.T) {
		before := a.Secret
		if changed, err := c.Refresh(ctx, &a, 3*time.Hour); !changed || err != nil || a.Secret.RefreshToken == before.RefreshToken {
			t.Fatalf("refresh: %v, %v", changed, err)
		}
		// A refresh token the PDS refuses: a new session from the app password, by DID.
		a.Secret.RefreshToken = a.Secret.AccessToken
		if changed, err := c.Refresh(ctx, &a, 3*time.Hour); !changed || err != nil {
			t.Fatalf("refresh with a dead refresh token: %v, %v", changed, err)
		}
		if prof, err := c.Verify(ctx, &a); err != nil || prof.Handle != "@humas.test" || prof.Name != "humas.test" {
			t.Errorf("verify: %+v, %v", prof, err)
		}
		if _, err := c.Metrics(ctx, &a, []string{"at://" + a.RemoteID + "/app.bsky.feed.post/3kabc2def3gh2"}); !errors.Is(err, channel.ErrNotOffered) {
			t.Errorf("metrics from a PDS without an AppView: %v", err)
		}
		pds.xrpc(t, http.MethodPost, "com.atproto.server.revokeAppPassword", admin.AccessJwt, map[string]string{"name": "Warta"}, nil)
		_, err := c.Refresh(ctx, &a, 3*time.Hour)
		if e := channel.AsError(err); e.Kind != channel.Unauthorized || e.Reason != "Invalid identifier or password" {
			t.Errorf("refresh after the app password was revoked: %v", err)
		}
	})
}

// pdsProcess is a PDS started for a test.
type pdsProcess struct{ url string }

// startPDS starts the PLC stand-in and the PDS on free loopback ports; both stop with the test.
func startPDS(t *testing.T) *pdsProcess {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed; the PDS needs Node 20 or newer")
	}
	dir, _ := filepath.Abs("pds")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@atproto", "pds", "package.json")); err != nil {
		t.Fatalf("the PDS is not installed: cd internal/channel/bluesky/pds && npm ci")
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
	// run.js exits when its stdin closes, so the PDS ends even if this test process is killed.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	started := time.Now()
	if err := cmd.Start(); err != nil {
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
	t.Logf("PDS ready in %s", time.Since(started).Round(time.Millisecond))
	return &pdsProcess{url: base}
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

type pdsAccount struct {
	DID       string `json:"did"`
	AccessJwt string `json:"accessJwt"`
}

func (p *pdsProcess) createAccount(t *testing.T, handle string) pdsAccount {
	t.Helper()
	var a pdsAccount
	p.xrpc(t, http.MethodPost, "com.atproto.server.createAccount", "", map[string]string{
		"handle": handle, "email": strings.TrimSuffix(handle, ".test") + "@sukamaju.example", "password": "kata-sandi-utama-" + handle}, &a)
	return a
}

// xrpc calls the PDS directly, as the user's own Bluesky app would.
func (p *pdsProcess) xrpc(t *testing.T, method, nsid, token string, in, out any) {
	t.Helper()
	var body io.Reader
	u := p.url + "/xrpc/" + nsid
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

// pdsRecord is an app.bsky.feed.post record as the PDS returns it.
type pdsRecord struct {
	URI   string `json:"uri"`
	CID   string `json:"cid"`
	Value struct {
		Text   string    `json:"text"`
		Langs  []string  `json:"langs"`
		Facets []facetOf `json:"facets"`
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

func (p *pdsProcess) record(t *testing.T, uri string) pdsRecord {
	t.Helper()
	parts := strings.Split(strings.TrimPrefix(uri, "at://"), "/")
	var rec pdsRecord
	p.xrpc(t, http.MethodGet, "com.atproto.repo.getRecord", "", url.Values{"repo": {parts[0]}, "collection": {parts[1]}, "rkey": {parts[2]}}, &rec)
	return rec
}

func (p *pdsProcess) list(t *testing.T, did string) []pdsRecord {
	t.Helper()
	var out struct{ Records []pdsRecord }
	p.xrpc(t, http.MethodGet, "com.atproto.repo.listRecords", "", url.Values{"repo": {did}, "collection": {"app.bsky.feed.post"}}, &out)
	return out.Records
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
