package approval

import (
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail"
)

// DigestArgs is the hourly job that sends each approver, once a day, the list of what waits for them.
type DigestArgs struct{}

// Kind names the job in the queue.
func (DigestArgs) Kind() string { return "approval_digest" }

// DigestWorker runs the digest job.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]
	S *Service
}

// Work sends the digests that are due.
func (w *DigestWorker) Work(ctx context.Context, _ *river.Job[DigestArgs]) error {
	_, err := w.S.SendDigests(ctx, time.Now())
	return err
}

// RegisterJobs adds the digest worker and runs it every hour (and when a process becomes the
// queue's leader). Call it before the queue is first used.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	jobs.Register(q, &DigestWorker{S: s})
	q.Periodic(time.Hour, DigestArgs{})
}

// SendDigests mails each approver the items that wait for them, once per day of their workspace's
// time zone and not before 07:00 there. The day is recorded with the mail in one transaction, so a
// second run (or a restart) sends nothing twice. It returns how many digests it sent.
func (s *Service) SendDigests(ctx context.Context, at time.Time) (int, error) {
	wss, err := waitingWorkspaces(ctx, s.d)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, ws := range wss {
		zone, err := i18n.LoadZone(ws.Zone)
		if err != nil {
			zone = time.UTC
		}
		local := at.In(zone)
		if local.Hour() < digestHour {
			continue
		}
		day := local.Format("2006-01-02")
		all, err := s.Pending(ctx, ws.ID)
		if err != nil {
			return sent, err
		}
		waits := map[int64][]Waiting{}
		var order []Member
		for _, w := range all {
			for _, m := range w.Undecided() {
				if len(waits[m.UserID]) == 0 {
					order = append(order, m)
				}
				waits[m.UserID] = append(waits[m.UserID], w)
			}
		}
		for _, m := range order {
			lang, err := memberLang(ctx, s.d, ws.ID, m.UserID)
			if err != nil {
				return sent, err
			}
			if lang == "" {
				lang = ws.Lang
			}
			ok := false
			err = s.d.Tx(ctx, func(tx *db.Tx) error {
				if ok, err = markDigest(ctx, tx, ws.ID, m.UserID, day); err != nil || !ok {
					return err
				}
				_, err := s.mail.SendTx(ctx, tx, s.digest(ws, m, waits[m.UserID], s.bundle.Locale(lang, zone)))
				return err
			})
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
	}
	return sent, nil
}

// digest writes one approver's mail: each item with how long it has waited, and the queue.
func (s *Service) digest(ws digestWorkspace, m Member, items []Waiting, l *i18n.Locale) mail.Message {
	base := s.baseURL + "/w/" + ws.Slug
	subject := l.T("approval.mail.digest.subject", "Count", len(items), "Workspace", ws.Name)
	intro := l.T("approval.mail.digest.intro", "Name", m.Name)
	var text, html strings.Builder
	text.WriteString(intro + "\n\n")
	html.WriteString("<p>" + template.HTMLEscapeString(intro) + "</p><ul>")
	for _, w := range items {
		link := base + approvalLink(w.Item.ID)
		since := l.T("approval.mail.digest.since", "When", l.DateTime(w.Request.StepStartedAt))
		fmt.Fprintf(&text, "- %s (%s)\n  %s\n", w.Item.Title, since, link)
		fmt.Fprintf(&html, `<li><a href="%s">%s</a> <span style="color:#4d5b6b">(%s)</span></li>`, template.HTMLEscapeString(link),
			template.HTMLEscapeString(w.Item.Title), template.HTMLEscapeString(since))
	}
	queue := base + "/approvals"
	open := l.T("approval.mail.digest.open")
	fmt.Fprintf(&text, "\n%s: %s\n\n%s", open, queue, l.T("approval.mail.digest.footer"))
	fmt.Fprintf(&html, `</ul><p><a href="%s">%s</a></p>`, template.HTMLEscapeString(queue), template.HTMLEscapeString(open))
	return mail.Message{WorkspaceID: ws.ID, To: m.Email, Kind: "approval_digest", Subject: subject, Text: text.String(),
		HTML: mail.Layout(subject, html.String(), l.T("approval.mail.digest.footer"))}
}
