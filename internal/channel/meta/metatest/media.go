package metatest

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // formats Meta takes, for their dimensions
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
)

// fetched is what the server learnt of a media file: its sniffed type, size and dimensions.
type fetched struct {
	mime          string
	size          int
	width, height int
}

// maxFetch bounds a download: Facebook's 10 GB videos are out of a test's reach.
const maxFetch = 1 << 30

// fetchMedia downloads a media URL as Meta's servers do ("We cURL media used in publishing
// attempts, so the media must be hosted on a publicly accessible server").
func (s *Server) fetchMedia(u string) (fetched, error) {
	resp, err := s.fetch.Get(u)
	if err != nil {
		return fetched{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fetched{}, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return readMedia(resp.Body)
}

// readMedia sniffs a file's type from its bytes, not from what the sender claims.
func readMedia(r io.Reader) (fetched, error) {
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		return fetched{}, err
	}
	head = head[:n]
	rest, err := io.Copy(io.Discard, io.LimitReader(r, maxFetch))
	if err != nil {
		return fetched{}, err
	}
	f := fetched{mime: http.DetectContentType(head), size: n + int(rest)}
	if n == 0 {
		return fetched{}, fmt.Errorf("empty file")
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(head)); err == nil {
		f.width, f.height = cfg.Width, cfg.Height
	}
	return f, nil
}
