package release

import (
	"bytes"
	"context"
	"html/template"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// Render writes a release out in one of its language versions: lang picks the linked version,
// and falls back to the release's own when it has none in lang. The words around the fields
// (embargo, narahubung…) are in the version's language, whatever the reader's.
func (s *Service) Render(ctx context.Context, wsID, id int64, lang string) (*Rendered, error) {
	r, err := s.Get(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	if other, ok := r.Versions[lang]; ok && other != r.ID {
		if r, err = s.Get(ctx, wsID, other); err != nil {
			return nil, err
		}
	}
	var files []Attachment
	if s.media != nil && len(r.Attachments) > 0 {
		if files, err = s.media.Attachments(ctx, wsID, r.Attachments); err != nil {
			return nil, err
		}
	}
	return s.render(r, files)
}

// view is what the release fragment template shows.
type view struct {
	L            *i18n.Locale
	R            *Release
	Banner       string
	Dateline     string
	Body         template.HTML
	Boilerplate  template.HTML
	Files        []Attachment
	ContactEmail string
}

var fragment = template.Must(template.New("release").Parse(`<article class="release" lang="{{.R.Lang}}">
<p class="release-embargo"><strong>{{.Banner}}</strong></p>
{{with .R.Number}}<p class="release-number">{{$.L.T "release.render.number" "Number" .}}</p>{{end}}
<h1>{{.R.Headline}}</h1>
{{with .R.Subheadline}}<p class="release-subheadline"><em>{{.}}</em></p>{{end}}
{{with .Dateline}}<p class="release-dateline"><strong>{{.}}</strong> –</p>{{end}}
<div class="release-body">{{.Body}}</div>
<p class="release-end">###</p>
{{with .Boilerplate}}<div class="release-boilerplate">{{.}}</div>{{end}}
{{if or .R.ContactName .R.ContactPhone .R.ContactEmail}}<div class="release-contact"><p><strong>{{.L.T "release.render.contact"}}</strong></p>
<p>{{with .R.ContactName}}{{.}}{{end}}{{with .R.ContactRole}}, {{.}}{{end}}{{with .R.ContactPhone}}<br>{{$.L.T "release.render.phone"}} {{.}}{{end}}{{with .ContactEmail}}<br>{{$.L.T "release.render.email"}} <a href="mailto:{{.}}">{{.}}</a>{{end}}</p></div>{{end}}
{{if .Files}}<div class="release-attachments"><p><strong>{{.L.T "release.render.attachments"}}</strong></p><ul>
{{range .Files}}<li>{{if .URL}}<a href="{{.URL}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}{{with .Credit}} ({{.}}){{end}}</li>
{{end}}</ul></div>{{end}}
</article>`))

func (s *Service) render(r *Release, files []Attachment) (*Rendered, error) {
	l := s.bundle.Locale(r.Lang, r.Location())
	out := &Rendered{ReleaseID: r.ID, Lang: r.Lang, Subject: r.Headline, Lift: r.Embargo}
	banner := ImmediateLine(s.bundle, r.Lang)
	// Once the embargo has lifted, the release is for immediate use: a line saying it is still
	// embargoed would mislead whoever reads it after the lift (newsroom subscribers, late sends).
	if r.Embargo != nil && r.Embargo.After(time.Now()) {
		out.Embargo = EmbargoLine(s.bundle, r.Lang, *r.Embargo, r.Location())
		out.Subject = "[" + out.Embargo + "] " + r.Headline
		banner = out.Embargo
	}
	v := view{L: l, R: r, Banner: banner, Dateline: dateline(l, r), Body: content.Render(r.Body), Files: files}
	if strings.TrimSpace(r.Boilerplate) != "" {
		v.Boilerplate = content.Render(r.Boilerplate)
	}
	if r.ContactEmail != "" && web.ValidEmail(r.ContactEmail) {
		v.ContactEmail = r.ContactEmail
	}
	var buf bytes.Buffer
	if err := fragment.Execute(&buf, v); err != nil {
		return nil, err
	}
	out.HTML = template.HTML(buf.String()) // #nosec: fields escaped by html/template, Markdown sanitised by content.Render
	out.Text = text(l, r, banner, files)
	return out, nil
}

// dateline is "JAKARTA, 3 Desember 2026": the city in capitals, as releases write it.
func dateline(l *i18n.Locale, r *Release) string {
	var parts []string
	if r.DatelineCity != "" {
		parts = append(parts, strings.ToUpper(r.DatelineCity))
	}
	if r.DatelineDate != "" {
		parts = append(parts, datelineDate(l, r.DatelineDate))
	}
	return strings.Join(parts, ", ")
}

// text is the release as plain text: Markdown is already readable as it is.
func text(l *i18n.Locale, r *Release, banner string, files []Attachment) string {
	var b strings.Builder
	line := func(s string) {
		b.WriteString(s)
		b.WriteString("\n")
	}
	line(banner)
	if r.Number != "" {
		line(l.T("release.render.number", "Number", r.Number))
	}
	line("")
	line(strings.ToUpper(r.Headline))
	if r.Subheadline != "" {
		line(r.Subheadline)
	}
	line("")
	body := strings.TrimSpace(r.Body)
	if d := dateline(l, r); d != "" {
		body = d + " – " + body
	}
	line(body)
	line("")
	line("###")
	if bp := strings.TrimSpace(r.Boilerplate); bp != "" {
		line("")
		line(bp)
	}
	if r.ContactName != "" || r.ContactPhone != "" || r.ContactEmail != "" {
		line("")
		line(l.T("release.render.contact"))
		who := r.ContactName
		if r.ContactRole != "" {
			who += ", " + r.ContactRole
		}
		if who != "" {
			line(who)
		}
		if r.ContactPhone != "" {
			line(l.T("release.render.phone") + " " + r.ContactPhone)
		}
		if r.ContactEmail != "" {
			line(l.T("release.render.email") + " " + r.ContactEmail)
		}
	}
	if len(files) > 0 {
		line("")
		line(l.T("release.render.attachments"))
		for _, f := range files {
			if f.URL != "" {
				line("- " + f.Name + ": " + f.URL)
			} else {
				line("- " + f.Name)
			}
		}
	}
	return b.String()
}

var (
	mdLink    = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdMarks   = strings.NewReplacer("**", "", "__", "", "*", "", "_", "", "`", "", "~", "")
	mdHeading = regexp.MustCompile(`^\s{0,3}(#{1,6}|>|[-+*]|\d+[.)])\s+`)
)

// lead is the body's first paragraph as plain text, at most max characters.
func lead(md string, max int) string {
	var para []string
	for _, ln := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		ln = strings.TrimSpace(ln)
		if ln == "" {
			if len(para) > 0 {
				break
			}
			continue
		}
		para = append(para, ln)
	}
	s := strings.Join(para, " ")
	s = mdHeading.ReplaceAllString(s, "")
	s = mdMarks.Replace(mdLink.ReplaceAllString(s, "$1"))
	if utf8.RuneCountInString(s) > max {
		cut := []rune(s)[:max]
		if i := strings.LastIndexByte(string(cut), ' '); i > max/2 {
			return string(cut)[:i] + "…"
		}
		return string(cut) + "…"
	}
	return s
}

// WhatsApp is the release as a message for a WhatsApp group, in the release's language: the
// headline in bold, the embargo line in italics, a short lead and the newsroom link.
func (s *Service) WhatsApp(ctx context.Context, wsID, id int64, wsSlug string) (string, error) {
	r, err := s.Get(ctx, wsID, id)
	if err != nil {
		return "", err
	}
	l := s.bundle.Locale(r.Lang, r.Location())
	plain := strings.NewReplacer("*", "", "_", "", "~", "", "`", "")
	line := ImmediateLine(s.bundle, r.Lang)
	if r.Embargo != nil {
		line = EmbargoLine(s.bundle, r.Lang, *r.Embargo, r.Location())
	}
	var b strings.Builder
	b.WriteString("*" + plain.Replace(r.Headline) + "*\n")
	b.WriteString("_" + plain.Replace(line) + "_\n")
	if ld := lead(r.Body, 280); ld != "" {
		b.WriteString("\n")
		if d := dateline(l, r); d != "" {
			ld = d + " – " + ld
		}
		b.WriteString(ld + "\n")
	}
	b.WriteString("\n" + l.T("release.whatsapp.read_more") + " " + s.NewsroomURL(wsSlug, r.ID) + "\n")
	return b.String(), nil
}
