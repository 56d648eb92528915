package metatest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/facebook"
	"warta.dev/warta/internal/channel/instagram"
	"warta.dev/warta/internal/channel/meta"
	"warta.dev/warta/internal/channel/meta/metatest"
	"warta.dev/warta/internal/channel/threads"
)

// call makes one raw Graph request and returns the status and the decoded body.
func call(t *testing.T, method, u string, form url.Values) (int, map[string]any) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = http.PostForm(u, form)
	} else {
		resp, err = http.Get(u + "?" + form.Encode())
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func code(body map[string]any) float64 {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(float64)
	return c
}

// jpegServer serves a real 4:3 JPEG: the server sniffs and measures what it fetches.
func jpegServer(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 40, 30)), nil); err != nil {
		t.Fatal(err)
	}
	ms := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(b.Bytes()) }))
	t.Cleanup(ms.Close)
	return ms.URL + "/foto.jpg"
}

func TestInstagramContainerMustBeFinished(t *testing.T) {
	srv := metatest.New()
	defer srv.Close()
	p := srv.FirstPage()
	base := srv.URL() + "/" + meta.Version + "/" + p.InstagramID
	status, body := call(t, http.MethodPost, base+"/media", url.Values{"access_token": {p.Token}, "image_url": {jpegServer(t)}, "caption": {"Uji"}})
	if status != http.StatusOK {
		t.Fatalf("container: %d %v", status, body)
	}
	creation := body["id"].(string)
	status, body = call(t, http.MethodPost, base+"/media_publish", url.Values{"access_token": {p.Token}, "creation_id": {creation}})
	if status != http.StatusBadRequest || code(body) != 9007 {
		t.Errorf("publishing an unpolled container: %d %v", status, body)
	}
	for _, want := range []string{"IN_PROGRESS", "FINISHED"} {
		_, body = call(t, http.MethodGet, srv.URL()+"/"+meta.Version+"/"+creation, url.Values{"access_token": {p.Token}, "fields": {"status_code"}})
		if body["status_code"] != want {
			t.Errorf("status %v, want %s", body["status_code"], want)
		}
	}
	status, body = call(t, http.MethodPost, base+"/media_publish", url.Values{"access_token": {p.Token}, "creation_id": {creation}})
	if status != http.StatusOK || body["id"] == nil {
		t.Errorf("publishing a finished container: %d %v", status, body)
	}
}

func TestTokensAndProof(t *testing.T) {
	srv := metatest.New()
	defer srv.Close()
	p := srv.FirstPage()
	page := srv.URL() + "/" + meta.Version + "/" + p.ID
	status, body := call(t, http.MethodGet, page, url.Values{"access_token": {p.Token}, "appsecret_proof": {"00"}})
	if status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(body), "appsecret_proof") {
		t.Errorf("wrong proof: %d %v", status, body)
	}
	status, _ = call(t, http.MethodGet, page, url.Values{"access_token": {p.Token}, "appsecret_proof": {meta.Proof(p.Token, p.App.ClientSecret)}})
	if status != http.StatusOK {
		t.Errorf("right proof: %d", status)
	}
	th := srv.FirstThreadsUser()
	status, body = call(t, http.MethodGet, page, url.Values{"access_token": {th.Token}})
	if status != http.StatusBadRequest || code(body) != meta.CodeToken {
		t.Errorf("a Threads token on Graph: %d %v", status, body)
	}
	status, body = call(t, http.MethodGet, srv.URL()+"/"+meta.ThreadsVersion+"/me", url.Values{"access_token": {p.Token}})
	if status != http.StatusBadRequest || code(body) != meta.CodeToken {
		t.Errorf("a Page token on Threads: %d %v", status, body)
	}
}

// Benchmarks post from many goroutines to accounts made without the Login dialog.
func TestConcurrentPublishing(t *testing.T) {
	srv := metatest.New()
	defer srv.Close()
	srv.SetQuotaTotal(1000)
	img := jpegServer(t)
	env := channel.Env{Client: &http.Client{}, Endpoint: srv.URL(), Sleep: func(context.Context, time.Duration) error { return nil }}
	type target struct {
		conn  channel.Connector
		acct  channel.Account
		media []channel.MediaFile
	}
	var targets []target
	for i := range 3 {
		p := srv.AddPage(fmt.Sprintf("Dinas %d", i), true)
		targets = append(targets,
			target{facebook.New(env), p.FacebookAccount(), nil},
			target{instagram.New(env), p.InstagramAccount(), []channel.MediaFile{channeltest.Image("alt", img)}},
			target{threads.New(env), srv.AddThreadsUser(fmt.Sprintf("dinas%d", i)).Account(), nil})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 20 {
		for _, tg := range targets {
			wg.Go(func() {
				acct := tg.acct
				_, err := tg.conn.Publish(context.Background(), &acct, channel.Post{Text: fmt.Sprintf("Unggahan %d", i), Media: tg.media})
				if err != nil {
					errs <- fmt.Errorf("%s: %w", acct.Network, err)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(srv.Posts()); n != 20*len(targets) {
		t.Errorf("%d posts, want %d", n, 20*len(targets))
	}
	if n := len(srv.Network(channel.Instagram).Posts()); n != 60 {
		t.Errorf("%d Instagram posts, want 60", n)
	}
}
