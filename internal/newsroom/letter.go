package newsroom

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

// A release is emailed to the newsroom's subscribers as the newsroom published it: from its
// approved copies that are public and lifted, never from the release as it is being edited now,
// and only in the languages whose copy is public.

// mailable are the copies of a group a subscriber may be sent: public, copied, not withdrawn,
// lifted.
func mailable(ctx context.Context, c db.Conn, wsID, releaseID int64, now time.Time) ([]Story, error) {
	rows, err := c.Query(ctx, `SELECT `+storyCols+` FROM newsroom_releases n WHERE `+publicWhere+`
		AND n.group_id = (SELECT group_id FROM newsroom_releases WHERE workspace_id = ? AND release_id = ?)
		ORDER BY n.release_id <> ?, n.release_id`, wsID, now, wsID, releaseID, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Story
	for rows.Next() {
		s, err := scanStory(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, rows.Err()
}

// MailLanguages are the languages a newsroom release can be emailed in, its own first; none when
// it is not public.
func (s *Service) MailLanguages(ctx context.Context, wsID, releaseID int64) ([]string, error) {
	list, err := mailable(ctx, s.d, wsID, releaseID, s.now().UTC())
	var out []string
	for _, x := range list {
		out = append(out, x.Lang)
	}
	return out, err
}

// Letter is a newsroom release written out for its subscribers in lang (or its own language
// when it has no public copy in lang): subject, a sanitised HTML fragment and plain text.
func (s *Service) Letter(ctx context.Context, wsID, releaseID int64, lang string) (subject, htmlPart, textPart, used string, err error) {
	list, err := mailable(ctx, s.d, wsID, releaseID, s.now().UTC())
	if err != nil {
		return "", "", "", "", err
	}
	if len(list) == 0 {
		return "", "", "", "", db.ErrNotFound
	}
	st := list[0]
	for _, x := range list {
		if x.Lang == lang {
			st = x
		}
	}
	set, err := s.Settings(ctx, wsID)
	if err != nil {
		return "", "", "", "", err
	}
	base := s.URL(set)
	v := letterView{S: &st, L: s.bundle.Locale(st.Lang, zoneOf(set.wsZone)), Body: template.HTML(st.BodyHTML), // #nosec: sanitised when copied
		Boilerplate: template.HTML(st.BoilerplateHTML), URL: fmt.Sprintf("%s/releases/%d", base, st.ReleaseID), Base: base} // #nosec: sanitised when copied
	var buf bytes.Buffer
	if err := letterHTML.Execute(&buf, v); err != nil {
		return "", "", "", "", err
	}
	return st.Headline, buf.String(), letterText(v), st.Lang, nil
}

type letterView struct {
	S           *Story
	L           interface{ T(string, ...any) string }
	Body        template.HTML
	Boilerplate template.HTML
	URL, Base   string
}

// FileURL is a file's absolute address on the newsroom.
func (v letterView) FileURL(f File) string {
	return fmt.Sprintf("%s/files/%d/%s", v.Base, f.AssetID, template.URLQueryEscaper(safeName(f.Name)))
}

var letterHTML = template.Must(template.New("letter").Parse(`<article lang="{{.S.Lang}}">
<h1>{{.S.Headline}}</h1>
{{with .S.Subheadline}}<p><em>{{.}}</em></p>{{end}}
{{with .S.Dateline}}<p><strong>{{.}}</strong> –</p>{{end}}
{{.Body}}
{{with .S.Files}}<p><strong>{{$.L.T "newsroom.site.downloads"}}</strong></p><ul>{{range .}}<li><a href="{{$.FileURL .}}">{{.Name}}</a>{{with .Credit}} ({{$.L.T "newsroom.site.credit" "Credit" .}}){{end}}</li>{{end}}</ul>{{end}}
{{with .Boilerplate}}<div>{{.}}</div>{{end}}
{{with .S.Contact}}{{if or .Name .Phone .Email}}<p><strong>{{$.L.T "newsroom.site.contact"}}</strong><br>{{.Name}}{{with .Role}}, {{.}}{{end}}{{with .Phone}}<br>{{$.L.T "newsroom.site.phone"}} {{.}}{{end}}{{with .Email}}<br>{{$.L.T "newsroom.site.email"}} <a href="mailto:{{.}}">{{.}}</a>{{end}}</p>{{end}}{{end}}
<p><a href="{{.URL}}">{{.L.T "newsroom.mail.read_online"}}</a></p>
</article>`))

var blockEnd = regexp.MustCompile(`(?i)</(p|h[1-6]|li|blockquote|pre|div)>|<br\s*/?>`)

// letterText is the letter as plain text: paragraphs kept, tags dropped.
func letterText(v letterView) string {
	var b strings.Builder
	line := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			b.WriteString(s + "\n\n")
		}
	}
	line(v.S.Headline)
	line(v.S.Subheadline)
	if v.S.Dateline != "" {
		b.WriteString(v.S.Dateline + " – ")
	}
	for _, p := range strings.Split(blockEnd.ReplaceAllString(v.S.BodyHTML, "\n\n"), "\n\n") {
		line(htmlText(p))
	}
	for _, f := range v.S.Files {
		line(f.Name + ": " + v.FileURL(f))
	}
	for _, p := range strings.Split(blockEnd.ReplaceAllString(v.S.BoilerplateHTML, "\n\n"), "\n\n") {
		line(htmlText(p))
	}
	if c := v.S.Contact; c.Name != "" || c.Phone != "" || c.Email != "" {
		line(strings.Join(strings.Fields(v.L.T("newsroom.site.contact")+" "+c.Name+" "+c.Role+" "+c.Phone+" "+c.Email), " "))
	}
	line(v.L.T("newsroom.mail.read_online") + ": " + v.URL)
	return b.String()
}
