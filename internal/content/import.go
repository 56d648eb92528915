package content

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/db"
)

// ImportRow is one post of a bulk import, checked.
type ImportRow struct {
	Line     int
	Title    string
	At       *time.Time
	Variants []Variant
	Problems []ImportProblem
	// MediaURLs are downloaded into the media library when the import is confirmed.
	MediaURLs []string
}

// ImportProblem is what is wrong with a row: a catalog key with the value at fault, or a channel
// rule's message already in the user's language.
type ImportProblem struct {
	Key, Value, Text string
}

// MediaNames finds library assets by file name, and downloads media named by URL, for imports.
type MediaNames interface {
	IDByName(ctx context.Context, wsID int64, name string) (int64, bool, error)
	// Fetch downloads a file from a URL (through the safe client) into the media library.
	Fetch(ctx context.Context, a audit.Actor, wsID int64, rawURL string) (int64, error)
}

// headers are the column names a spreadsheet may use, in English and Indonesian.
var headers = map[string]string{
	"date": "date", "tanggal": "date", "time": "time", "jam": "time", "waktu": "time",
	"channels": "channels", "channel": "channels", "kanal": "channels", "text": "text", "teks": "text", "isi": "text",
	"media": "media", "title": "title", "judul": "title",
}

// aliases are names people give networks in spreadsheets.
var aliases = map[string]channel.Network{"twitter": channel.X, "ig": channel.Instagram, "fb": channel.Facebook, "bsky": channel.Bluesky}

// ParseImport reads a CSV of posts (date, time, channels, text, media; a header row names them)
// and checks every row against the workspace's zone, the channel rules and the media library.
// msg renders the channel rules' messages; a problem with the whole file comes back as a catalog
// key. Nothing is saved.
func (s *Service) ParseImport(ctx context.Context, wsID int64, data []byte, zone *time.Location, names MediaNames, msg func(channel.Problem) string) ([]ImportRow, string, error) {
	opts, err := s.countOptions(ctx, wsID)
	if err != nil {
		return nil, "", err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, "content.import.error.encoding", nil
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err == io.EOF {
		return nil, "content.import.error.empty", nil
	}
	if err != nil {
		return nil, "content.import.error.csv", nil
	}
	col := map[string]int{}
	for i, h := range head {
		if name, ok := headers[strings.ToLower(strings.TrimSpace(h))]; ok {
			col[name] = i
		}
	}
	for _, need := range []string{"date", "channels", "text"} {
		if _, ok := col[need]; !ok {
			return nil, "content.import.error.columns", nil
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []ImportRow
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "content.import.error.csv", nil
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		row := ImportRow{Line: line, Title: get(rec, "title")}
		text := get(rec, "text")
		if row.Title == "" {
			row.Title = firstWords(text, 80)
		}
		if at, ok := parseWhen(get(rec, "date"), get(rec, "time"), zone); ok {
			row.At = &at
			if !at.After(time.Now()) {
				row.Problems = append(row.Problems, ImportProblem{Key: "content.import.error.past"})
			}
		} else {
			row.Problems = append(row.Problems, ImportProblem{Key: "content.import.error.date"})
		}
		var media []int64
		var pending []channel.Media
		for _, name := range splitAny(get(rec, "media")) {
			if u, err := url.Parse(name); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
				row.MediaURLs = append(row.MediaURLs, name)
				pending = append(pending, channel.Media{Kind: guessKind(u.Path), Alt: "-"})
				continue
			}
			if names == nil {
				break
			}
			id, ok, err := names.IDByName(ctx, wsID, name)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				row.Problems = append(row.Problems, ImportProblem{Key: "content.import.error.media", Value: name})
				continue
			}
			media = append(media, id)
		}
		chans := splitAny(get(rec, "channels"))
		if len(chans) == 0 {
			row.Problems = append(row.Problems, ImportProblem{Key: "content.import.error.no_channel"})
		}
		for _, c := range chans {
			n := channel.Network(strings.ToLower(c))
			if a, ok := aliases[string(n)]; ok {
				n = a
			}
			if _, ok := channel.Lookup(n); !ok {
				row.Problems = append(row.Problems, ImportProblem{Key: "content.import.error.channel", Value: c})
				continue
			}
			v := Variant{Network: n, Text: text, Media: media}
			cv, err := s.channelVariant(ctx, wsID, v)
			if err != nil {
				return nil, "", err
			}
			// Files still to download count by the kind their name suggests, until they are here.
			cv.Media = append(cv.Media, pending...)
			for _, p := range channel.Check(cv, opts) {
				if p.Key != channel.ProblemAltMissing {
					row.Problems = append(row.Problems, ImportProblem{Text: msg(p)})
				}
			}
			row.Variants = append(row.Variants, v)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, "content.import.error.empty", nil
	}
	return rows, "", nil
}

// FetchImportMedia downloads the rows' media URLs into the library and checks the rows again with
// the real files; a download that fails becomes that row's problem.
func (s *Service) FetchImportMedia(ctx context.Context, a audit.Actor, wsID int64, rows []ImportRow, names MediaNames, msg func(channel.Problem) string) error {
	opts, err := s.countOptions(ctx, wsID)
	if err != nil {
		return err
	}
	for i := range rows {
		row := &rows[i]
		if len(row.MediaURLs) == 0 {
			continue
		}
		var ids []int64
		for _, u := range row.MediaURLs {
			id, err := names.Fetch(ctx, a, wsID, u)
			if err != nil {
				row.Problems = append(row.Problems, ImportProblem{Key: "content.import.error.download", Value: u})
				continue
			}
			ids = append(ids, id)
		}
		for j := range row.Variants {
			v := &row.Variants[j]
			v.Media = append(v.Media, ids...)
			cv, err := s.channelVariant(ctx, wsID, *v)
			if err != nil {
				return err
			}
			for _, p := range channel.Check(cv, opts) {
				if p.Key != channel.ProblemAltMissing {
					row.Problems = append(row.Problems, ImportProblem{Text: msg(p)})
				}
			}
		}
	}
	return nil
}

// guessKind reads a file's kind from its name, for checks before it is downloaded.
func guessKind(p string) string {
	switch strings.ToLower(path.Ext(p)) {
	case ".mp4", ".mov", ".webm":
		return channel.KindVideo
	case ".gif":
		return channel.KindGIF
	case ".pdf", ".docx", ".xlsx", ".pptx":
		return channel.KindDocument
	}
	return channel.KindImage
}

// ImportRows saves checked rows in one transaction: all of them, or none. Rows with a time are
// scheduled where the workspace does not require approval; otherwise they wait as drafts with
// their planned time.
func (s *Service) ImportRows(ctx context.Context, a audit.Actor, wsID int64, lang string, rows []ImportRow) (int, error) {
	required := false
	if s.workflow != nil {
		var err error
		if required, err = s.workflow.Required(ctx, wsID); err != nil {
			return 0, err
		}
	}
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		for _, row := range rows {
			if len(row.Problems) > 0 {
				return ErrImportProblems
			}
			t := now()
			it := &Item{WorkspaceID: wsID, OwnerID: a.UserID, Status: Draft, Title: row.Title, Lang: lang, Variants: row.Variants, CreatedAt: t, UpdatedAt: t, Version: 1}
			if err := insertItem(ctx, tx, it); err != nil {
				return err
			}
			if err := replaceVariants(ctx, tx, wsID, it.ID, it.Variants); err != nil {
				return err
			}
			if err := insertVersion(ctx, tx, it, 1, a.UserID, a.Label); err != nil {
				return err
			}
			status := Scheduled
			if required {
				status = Draft
			}
			// An image without alt text cannot be published: such a post waits as a draft, with its
			// planned time, until someone writes the alt text and schedules it.
			if s.media != nil && status == Scheduled && s.media.CheckPublishable(ctx, wsID, it.mediaIDs()) != nil {
				status = Draft
			}
			if err := setStatus(ctx, tx, wsID, it.ID, status, row.At, nil); err != nil {
				return err
			}
			if err := s.published(ctx, tx, wsID, it.ID, nil, nil); err != nil {
				return err
			}
			if s.media != nil {
				if err := s.media.SetUsage(ctx, tx, wsID, "content", fmt.Sprint(it.ID), it.Title, itemLink(it), it.mediaIDs()); err != nil {
					return err
				}
			}
			if err := audit.Record(ctx, tx, a.Entry(wsID, "content.imported", "content", it.ID, map[string]audit.Change{
				"title": {To: it.Title}, "line": {To: row.Line}})); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// ErrImportProblems refuses an import while any row has a problem.
var ErrImportProblems = fmt.Errorf("content: the import still has rows with problems")

// parseWhen reads 2026-12-03 or 03/12/2026 (Indonesian day first) and 09:30 or 09.30, in zone.
func parseWhen(date, clock string, zone *time.Location) (time.Time, bool) {
	if clock == "" {
		clock = "09:00"
	}
	clock = strings.ReplaceAll(clock, ".", ":")
	for _, layout := range []string{"2006-01-02 15:04", "02/01/2006 15:04", "2/1/2006 15:04", "02-01-2006 15:04"} {
		if t, err := time.ParseInLocation(layout, date+" "+clock, zone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func splitAny(s string) []string {
	var out []string
	for _, x := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func firstWords(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > n/2 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}
