package press

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"warta.dev/warta/internal/press/tabular"
)

// ExportHeader are the columns of a contact export; the names are the import's field keys, so an
// exported file imports again as it is.
var ExportHeader = []string{"name", "salutation", "outlet", "role", "other_outlets", "email", "email2", "phone", "mobile", "whatsapp",
	"beats", "province", "city", "country", "languages", "labels", "x", "instagram", "linkedin", "facebook", "tiktok", "youtube", "website",
	"notes", "consent_status", "consent_basis", "consent_source", "consent_date", "do_not_contact", "last_contacted"}

// ExportRow is a contact as one row under ExportHeader.
func ExportRow(c Contact) []string {
	at := func(vs []string, i int) string {
		if i < len(vs) {
			return vs[i]
		}
		return ""
	}
	var outlet, role string
	var others []string
	for i, o := range c.Outlets {
		if i == 0 {
			outlet, role = o.Name, o.Role
			continue
		}
		others = append(others, o.Name)
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	}
	contacted := ""
	if c.LastContacted != nil {
		contacted = day(*c.LastContacted)
	}
	dnc := ""
	if c.DoNotContact {
		dnc = "yes"
	}
	return []string{c.Name, c.Salutation, outlet, role, strings.Join(others, ", "), at(c.Emails, 0), strings.Join(c.Emails[min(1, len(c.Emails)):], ", "),
		at(c.Phones, 0), strings.Join(c.Phones[min(1, len(c.Phones)):], ", "), c.WhatsApp, strings.Join(c.Beats, ", "), c.Province, c.City, c.Country,
		strings.Join(c.Languages, ", "), strings.Join(c.Labels, ", "), c.Socials["x"], c.Socials["instagram"], c.Socials["linkedin"],
		c.Socials["facebook"], c.Socials["tiktok"], c.Socials["youtube"], c.Socials["website"], c.Notes, c.Consent.Status, c.Consent.Basis,
		c.Consent.Source, day(c.Consent.At), dnc, contacted}
}

var errStop = errors.New("stop")

// writeExport streams the contacts that pass the filter through write (tabular's writers).
func (h *Handlers) writeExport(w http.ResponseWriter, r *http.Request, ext, contentType string,
	write func(io.Writer, []string, func(func([]string) bool)) error) error {
	f := filterFrom(r.URL.Query())
	ctx, wsID := r.Context(), ws(r)
	// Check the filter before the first byte goes out, so a bad one is an error page.
	if _, err := h.s.CountContacts(ctx, wsID, Filter{Conditions: f.Conditions, Segment: f.Segment, List: f.List}); err != nil {
		return err
	}
	name := "kontak-" + time.Now().In(zoneOf(r)).Format("2006-01-02") + "." + ext
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	var dbErr error
	err := write(w, ExportHeader, func(yield func([]string) bool) {
		dbErr = h.s.EachContact(ctx, wsID, f, func(c Contact) error {
			if !yield(ExportRow(c)) {
				return errStop
			}
			return nil
		})
	})
	if dbErr != nil && !errors.Is(dbErr, errStop) {
		// Headers are gone; the log has it and the download is cut short.
		h.srv.Log.Error("exporting contacts", "err", dbErr)
		return nil
	}
	if err != nil {
		h.srv.Log.Error("writing the contact export", "err", err)
	}
	return nil
}

func (h *Handlers) exportCSV(w http.ResponseWriter, r *http.Request) error {
	return h.writeExport(w, r, "csv", "text/csv; charset=utf-8", tabular.WriteCSV)
}

func (h *Handlers) exportXLSX(w http.ResponseWriter, r *http.Request) error {
	return h.writeExport(w, r, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		func(w io.Writer, header []string, rows func(func([]string) bool)) error {
			return tabular.WriteXLSX(w, "Kontak", header, rows)
		})
}
