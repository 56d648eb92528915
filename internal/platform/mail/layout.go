package mail

import (
	"html/template"
	"strings"
)

// layout is a single-column email page with inline styles only (mail clients drop style sheets)
// and no external resources (images, fonts), so it looks the same offline and tracks nobody.
var layout = template.Must(template.New("layout").Parse(`<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;border:1px solid #e5e7eb;border-radius:8px;">
<tr><td style="padding:28px 32px 4px 32px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:20px;line-height:1.3;font-weight:bold;color:#111827;">{{.Title}}</td></tr>
<tr><td style="padding:12px 32px 28px 32px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.6;color:#1f2937;">{{.Content}}</td></tr>
</table>
{{- if .Footer}}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;">
<tr><td style="padding:16px 32px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:12px;line-height:1.5;color:#6b7280;">{{.Footer}}</td></tr>
</table>
{{- end}}
</td></tr>
</table>
</body>
</html>
`))

// Layout wraps an email's HTML in Warta's page. title and footer are plain text and are escaped;
// htmlContent is inserted as it is, so it must be HTML the caller built safely (escaped or
// sanitised). Put links, such as an unsubscribe link, in htmlContent.
func Layout(title, htmlContent, footer string) string {
	var b strings.Builder
	err := layout.Execute(&b, struct {
		Title   string
		Content template.HTML
		Footer  string
	}{title, template.HTML(htmlContent), footer})
	if err != nil {
		// Executing a parsed template into a strings.Builder with string fields cannot fail.
		panic(err)
	}
	return b.String()
}
