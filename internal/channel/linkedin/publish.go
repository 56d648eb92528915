package linkedin

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

// Posts API body (learn.microsoft.com "Posts API": create a post).
type postRequest struct {
	Author         string       `json:"author"`
	Commentary     string       `json:"commentary"`
	Visibility     string       `json:"visibility"`
	Distribution   distribution `json:"distribution"`
	Content        *content     `json:"content,omitempty"`
	LifecycleState string       `json:"lifecycleState"`
	ReshareOff     bool         `json:"isReshareDisabledByAuthor"`
}

type distribution struct {
	FeedDistribution string   `json:"feedDistribution"`
	TargetEntities   []string `json:"targetEntities"`
	ThirdParty       []string `json:"thirdPartyDistributionChannels"`
}

type mediaRef struct {
	ID      string `json:"id"`
	AltText string `json:"altText,omitempty"`
	Title   string `json:"title,omitempty"`
}

type content struct {
	Media      *mediaRef `json:"media,omitempty"`
	MultiImage *struct {
		Images []mediaRef `json:"images"`
	} `json:"multiImage,omitempty"`
}

// duplicateRE finds the earlier post in LinkedIn's 422 "Content is a duplicate of urn:li:share:…".
var duplicateRE = regexp.MustCompile(`urn:li:(?:share|ugcPost):\d+`)

func postURL(urn string) string { return "https://www.linkedin.com/feed/update/" + urn + "/" }

// enc encodes a URN for a path or a query, as Rest.li 2.0 wants it.
func enc(urn string) string { return url.QueryEscape(urn) }

func (c *connector) Publish(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	ct, err := c.content(ctx, a, p.Media)
	if err != nil {
		return channel.Published{}, err
	}
	post := postRequest{
		Author: a.RemoteID, Commentary: escape(p.Text), Visibility: "PUBLIC",
		Distribution: distribution{FeedDistribution: "MAIN_FEED", TargetEntities: []string{}, ThirdParty: []string{}},
		Content:      ct, LifecycleState: "PUBLISHED",
	}
	var hdr http.Header
	var urn string
	if err := c.call(ctx, http.MethodPost, c.api("/rest/posts"), a.Secret.AccessToken, post, nil, &hdr); err != nil {
		// LinkedIn refuses the same text again and names the post that has it: an earlier
		// attempt whose answer was lost, so the post is there.
		e := channel.AsError(err)
		if urn = duplicateRE.FindString(e.Reason); e.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(strings.ToLower(e.Reason), "duplicate") || urn == "" {
			return channel.Published{}, err
		}
	} else if urn = hdr.Get("X-Restli-Id"); urn == "" {
		return channel.Published{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "POST /rest/posts answered without x-restli-id"}
	}
	pub := channel.Published{RemoteID: urn, URL: postURL(urn), At: c.env.Clock()}
	if p.FirstComment != "" {
		// The post is out: a comment that fails is reported as what did not go out, not as a
		// failed post, which the engine would publish again. It is not retried: a comment takes
		// no idempotency key, so a repeat after a lost answer could comment twice.
		comment := map[string]any{"actor": a.RemoteID, "object": urn, "message": map[string]string{"text": p.FirstComment}}
		if err := c.call(ctx, http.MethodPost, c.api("/rest/socialActions/"+enc(urn)+"/comments"), a.Secret.AccessToken, comment, nil, nil); err != nil {
			pub.Incomplete = channel.IncompleteComment(err)
		}
	}
	return pub, nil
}

// content uploads the media: images (and GIFs) through the Images API, one alone or several as
// a multi-image post; a video or a document alone.
func (c *connector) content(ctx context.Context, a *channel.Account, files []channel.MediaFile) (*content, error) {
	var images []mediaRef
	for _, f := range files {
		switch f.Kind {
		case channel.KindVideo, channel.KindDocument:
			if len(files) > 1 {
				return nil, &channel.Error{Kind: channel.Rejected, Reason: "LinkedIn takes a video or a document alone in a post"}
			}
			id, err := c.uploadFile(ctx, a, f)
			if err != nil {
				return nil, err
			}
			return &content{Media: &mediaRef{ID: id, Title: f.Name}}, nil
		default:
			id, err := c.uploadFile(ctx, a, f)
			if err != nil {
				return nil, err
			}
			images = append(images, mediaRef{ID: id, AltText: f.Alt})
		}
	}
	switch len(images) {
	case 0:
		return nil, nil
	case 1:
		return &content{Media: &images[0]}, nil
	}
	ct := &content{MultiImage: &struct {
		Images []mediaRef `json:"images"`
	}{images}}
	return ct, nil
}

func (c *connector) Find(ctx context.Context, a *channel.Account, p channel.Post) (*channel.Published, error) {
	q := url.Values{"author": {a.RemoteID}, "q": {"author"}, "count": {"20"}, "sortBy": {"LAST_MODIFIED"}}
	var out struct {
		Elements []struct {
			ID          string `json:"id"`
			Commentary  string `json:"commentary"`
			CreatedAt   int64  `json:"createdAt"`
			PublishedAt int64  `json:"publishedAt"`
		} `json:"elements"`
	}
	err := c.call(ctx, http.MethodGet, c.api("/rest/posts")+"?"+q.Encode(), a.Secret.AccessToken, nil, &out, nil)
	if err != nil {
		// Reading a member's posts needs r_member_social, which LinkedIn grants to few apps.
		if channel.AsError(err).Status == http.StatusForbidden {
			return nil, channel.ErrCannotTell
		}
		return nil, err
	}
	for _, e := range out.Elements {
		if channel.SameText(p, unescape(e.Commentary)) {
			at := e.PublishedAt
			if at == 0 {
				at = e.CreatedAt
			}
			return &channel.Published{RemoteID: e.ID, URL: postURL(e.ID), At: time.UnixMilli(at)}, nil
		}
	}
	return nil, nil
}

// Metrics reads a page post's likes and comments (GET /rest/socialActions/{urn}). LinkedIn
// gives a member's posts to no one but the member's own apps with r_member_social.
func (c *connector) Metrics(ctx context.Context, a *channel.Account, ids []string) (map[string]channel.Metrics, error) {
	if a.Kind != KindOrganization {
		return nil, channel.ErrNotOffered
	}
	out := map[string]channel.Metrics{}
	for _, id := range ids {
		var s struct {
			Likes struct {
				Total int64 `json:"totalLikes"`
			} `json:"likesSummary"`
			Comments struct {
				Total int64 `json:"aggregatedTotalComments"`
			} `json:"commentsSummary"`
		}
		if err := c.call(ctx, http.MethodGet, c.api("/rest/socialActions/"+enc(id)), a.Secret.AccessToken, nil, &s, nil); err != nil {
			return nil, err
		}
		out[id] = channel.Metrics{Likes: s.Likes.Total, Replies: s.Comments.Total, Reposts: -1, Views: -1}
	}
	return out, nil
}

// uploadFile registers a file with the Images, Documents or Videos API, sends its bytes to the
// upload URLs LinkedIn gives, and returns its URN once LinkedIn can use it.
func (c *connector) uploadFile(ctx context.Context, a *channel.Account, f channel.MediaFile) (string, error) {
	rc, err := f.Open(ctx)
	if err != nil {
		return "", &channel.Error{Kind: channel.Temporary, Reason: "cannot read " + f.Name, Err: err}
	}
	defer rc.Close()
	switch f.Kind {
	case channel.KindVideo:
		return c.uploadVideo(ctx, a, f, rc)
	case channel.KindDocument:
		var init struct {
			Value struct {
				UploadURL string `json:"uploadUrl"`
				Document  string `json:"document"`
			} `json:"value"`
		}
		if err := c.initialize(ctx, a, "documents", nil, &init); err != nil {
			return "", err
		}
		if _, err := c.put(ctx, a, init.Value.UploadURL, rc, f.Size); err != nil {
			return "", err
		}
		return init.Value.Document, c.await(ctx, a, "documents", init.Value.Document)
	}
	var init struct {
		Value struct {
			UploadURL string `json:"uploadUrl"`
			Image     string `json:"image"`
		} `json:"value"`
	}
	if err := c.initialize(ctx, a, "images", nil, &init); err != nil {
		return "", err
	}
	_, err = c.put(ctx, a, init.Value.UploadURL, rc, f.Size)
	return init.Value.Image, err
}

// initialize is POST /rest/{images|documents|videos}?action=initializeUpload for the author.
func (c *connector) initialize(ctx context.Context, a *channel.Account, api string, extra map[string]any, out any) error {
	req := map[string]any{"owner": a.RemoteID}
	for k, v := range extra {
		req[k] = v
	}
	body := map[string]any{"initializeUploadRequest": req}
	return c.call(ctx, http.MethodPost, c.api("/rest/"+api+"?action=initializeUpload"), a.Secret.AccessToken, body, out, nil)
}

// put sends bytes to an upload URL LinkedIn gave, with the member's token.
func (c *connector) put(ctx context.Context, a *channel.Account, u string, r io.Reader, size int64) (http.Header, error) {
	if u == "" {
		return nil, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "initializeUpload answered without an upload URL"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, r)
	if err != nil {
		return nil, &channel.Error{Kind: channel.Rejected, Reason: err.Error(), Err: err}
	}
	req.ContentLength = size
	req.Header.Set("Authorization", "Bearer "+a.Secret.AccessToken)
	req.Header.Set("Content-Type", "application/octet-stream")
	var hdr http.Header
	err = c.do(req, nil, &hdr)
	return hdr, err
}

// uploadVideo: initializeUpload with the size, a PUT of each part LinkedIn asks for (keeping
// each part's ETag), then finalizeUpload with the ETags in order (learn.microsoft.com
// "Videos API").
func (c *connector) uploadVideo(ctx context.Context, a *channel.Account, f channel.MediaFile, r io.Reader) (string, error) {
	var init struct {
		Value struct {
			Video        string `json:"video"`
			UploadToken  string `json:"uploadToken"`
			Instructions []struct {
				UploadURL string `json:"uploadUrl"`
				FirstByte int64  `json:"firstByte"`
				LastByte  int64  `json:"lastByte"`
			} `json:"uploadInstructions"`
		} `json:"value"`
	}
	extra := map[string]any{"fileSizeBytes": f.Size, "uploadCaptions": false, "uploadThumbnail": false}
	if err := c.initialize(ctx, a, "videos", extra, &init); err != nil {
		return "", err
	}
	etags := []string{}
	for _, in := range init.Value.Instructions {
		n := in.LastByte - in.FirstByte + 1
		hdr, err := c.put(ctx, a, in.UploadURL, io.LimitReader(r, n), n)
		if err != nil {
			return "", err
		}
		etags = append(etags, hdr.Get("ETag"))
	}
	fin := map[string]any{"finalizeUploadRequest": map[string]any{"video": init.Value.Video, "uploadToken": init.Value.UploadToken, "uploadedPartIds": etags}}
	if err := c.call(ctx, http.MethodPost, c.api("/rest/videos?action=finalizeUpload"), a.Secret.AccessToken, fin, nil, nil); err != nil {
		return "", err
	}
	return init.Value.Video, c.await(ctx, a, "videos", init.Value.Video)
}

const (
	pollEvery = 5 * time.Second
	pollMax   = 30 * time.Minute
)

// await polls GET /rest/{videos|documents}/{urn} until LinkedIn has processed the file.
func (c *connector) await(ctx context.Context, a *channel.Account, api, urn string) error {
	for waited := time.Duration(0); ; waited += pollEvery {
		var st struct {
			Status string `json:"status"`
		}
		if err := c.call(ctx, http.MethodGet, c.api("/rest/"+api+"/"+enc(urn)), a.Secret.AccessToken, nil, &st, nil); err != nil {
			return err
		}
		switch st.Status {
		case "AVAILABLE":
			return nil
		case "PROCESSING_FAILED":
			return &channel.Error{Kind: channel.Rejected, Key: channel.KeyMediaFailed, Reason: "PROCESSING_FAILED"}
		}
		if waited >= pollMax {
			return &channel.Error{Kind: channel.Temporary, Key: channel.KeyMediaFailed, Reason: "LinkedIn was still processing the file after 30 minutes"}
		}
		if err := c.env.Wait(ctx, pollEvery); err != nil {
			return &channel.Error{Kind: channel.Temporary, Reason: err.Error(), Err: err}
		}
	}
}
