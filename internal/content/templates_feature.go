package content

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
)

//go:embed builtin/*.md
var builtinFiles embed.FS

// Template is a reusable item whose [[placeholders]] are filled in when it is used. Built-in
// templates (a press release in Indonesian and English conventions, holding statements, an
// announcement) have a Key and no ID.
type Template struct {
	ID       int64     `json:"id,omitempty"`
	Key      string    `json:"key"`
	Name     string    `json:"name"`
	Kind     string    `json:"kind"`
	Lang     string    `json:"language"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	Variants []Variant `json:"variants"`
	BuiltIn  bool      `json:"built_in"`
}

var placeholder = regexp.MustCompile(`\[\[([^\[\]\n]{1,120})\]\]`)

// Placeholders lists a template's [[placeholders]] in order of first appearance.
func (t Template) Placeholders() []string {
	var out []string
	seen := map[string]bool{}
	texts := []string{t.Title, t.Body}
	for _, v := range t.Variants {
		texts = append(texts, v.Text, v.FirstComment)
	}
	for _, s := range texts {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				out = append(out, m[1])
			}
		}
	}
	return out
}

// fill replaces each [[placeholder]] that has a value; those left empty stay visible.
func fill(s string, values map[string]string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if v := strings.TrimSpace(values[m[2:len(m)-2]]); v != "" {
			return v
		}
		return m
	})
}

// builtins are parsed once: each file is "title\n---\nbody", named kind.lang.md.
var builtins = func() []Template {
	var out []Template
	_ = fs.WalkDir(builtinFiles, "builtin", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := builtinFiles.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "builtin/"), ".md")
		kind, lang, _ := strings.Cut(name, ".")
		title, body, _ := strings.Cut(string(raw), "\n---\n")
		out = append(out, Template{Key: "builtin:" + name, Kind: kind, Lang: lang, Title: strings.TrimSpace(title), Body: strings.TrimSpace(body), BuiltIn: true})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}()

// Templates lists the built-in templates and the workspace's own.
func (s *Service) Templates(ctx context.Context, wsID int64) ([]Template, error) {
	out := append([]Template(nil), builtins...)
	rows, err := s.d.Query(ctx, `SELECT id, name, lang, title, body, variants FROM content_templates WHERE workspace_id = ? ORDER BY LOWER(name), id`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t Template
		var variants string
		if err := rows.Scan(&t.ID, &t.Name, &t.Lang, &t.Title, &t.Body, &variants); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(variants), &t.Variants)
		t.Key, t.Kind = fmt.Sprintf("ws:%d", t.ID), "own"
		out = append(out, t)
	}
	return out, rows.Err()
}

// Template finds a template by key ("builtin:press-release.id" or "ws:12").
func (s *Service) Template(ctx context.Context, wsID int64, key string) (Template, error) {
	all, err := s.Templates(ctx, wsID)
	if err != nil {
		return Template{}, err
	}
	for _, t := range all {
		if t.Key == key {
			return t, nil
		}
	}
	return Template{}, db.ErrNotFound
}

// UseTemplate creates a draft from a template with its placeholders filled in.
func (s *Service) UseTemplate(ctx context.Context, a audit.Actor, wsID int64, key string, values map[string]string) (*Item, error) {
	t, err := s.Template(ctx, wsID, key)
	if err != nil {
		return nil, err
	}
	in := Input{Title: fill(t.Title, values), Body: fill(t.Body, values), Lang: t.Lang}
	for _, v := range t.Variants {
		in.Variants = append(in.Variants, Variant{Network: v.Network, Text: fill(v.Text, values), FirstComment: fill(v.FirstComment, values)})
	}
	it, probs, err := s.Save(ctx, a, wsID, 0, in)
	if err == nil && !probs.OK() {
		// A variant filled in over its limit: keep the draft without that text checked; the
		// editor shows the count as soon as it opens.
		in.Variants = nil
		it, _, err = s.Save(ctx, a, wsID, 0, in)
	}
	return it, err
}

// SaveAsTemplate keeps an item as one of the workspace's templates.
func (s *Service) SaveAsTemplate(ctx context.Context, a audit.Actor, wsID, itemID int64, name string) (int64, error) {
	it, err := getItem(ctx, s.d, wsID, itemID)
	if err != nil {
		return 0, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = it.Title
	}
	variants, err := json.Marshal(it.Variants)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO content_templates (workspace_id, name, lang, title, body, variants, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, wsID, name, it.Lang, it.Title, it.Body, string(variants), nullID(a.UserID), now()).Scan(&id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "content.template_saved", "content_template", id, map[string]audit.Change{"name": {To: name}}))
	})
	return id, err
}

// DeleteTemplate removes one of the workspace's own templates.
func (s *Service) DeleteTemplate(ctx context.Context, a audit.Actor, wsID, id int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM content_templates WHERE workspace_id = ? AND id = ?`, wsID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "content.template_deleted", "content_template", id, nil))
	})
}
