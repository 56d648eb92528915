package press

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/platform/web"
)

// Field limits.
const (
	maxName  = 200
	maxShort = 200
	maxNotes = 10000
	maxMany  = 20 // emails, phones, beats… per contact
)

// HashEmail is the one-way hash the suppression list keeps of an address: SHA-256 of the
// trimmed, lower-case address, in hex.
func HashEmail(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// key is how names are compared: lower-case with runs of spaces made one.
func key(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// NormalizePhone writes a phone number in E.164 where it can: Indonesian numbers written
// 0812…, 62812… or 812… become +62812…; "00" becomes "+". ok is false when the result is not
// a plausible E.164 number (the input is returned trimmed).
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var digits strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		} else if !strings.ContainsRune(" -.()/+", r) {
			return s, false
		}
	}
	d := digits.String()
	var out string
	switch {
	case strings.HasPrefix(s, "+"):
		out = "+" + d
	case strings.HasPrefix(d, "00"):
		out = "+" + d[2:]
	case strings.HasPrefix(d, "0"):
		out = "+62" + d[1:]
	case strings.HasPrefix(d, "62"):
		out = "+" + d
	case strings.HasPrefix(d, "8"):
		out = "+62" + d
	default:
		out = "+" + d
	}
	if !e164.MatchString(out) {
		return s, false
	}
	return out, true
}

// splitList reads a field holding several values separated by commas, semicolons or new lines.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// uniq trims, drops empties and keeps the first of values equal under norm.
func uniq(in []string, norm func(string) string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range in {
		v = strings.TrimSpace(v)
		if norm != nil {
			v = norm(v)
		}
		k := key(v)
		if v == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

var (
	langRE    = regexp.MustCompile(`^[a-z]{2}$`)
	countryRE = regexp.MustCompile(`^[A-Z]{2}$`)
	dateRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// CheckContact normalises in (trims, lower-cases emails and beats, writes phones in E.164,
// defaults the country to ID and consent to unknown) and returns each wrong field's catalog key
// under its form and API name: name, salutation, outlets, emails, phones, whatsapp, country,
// languages, socials, notes, consent_status, consent_basis. Nil means the input is valid.
func CheckContact(in *ContactInput) map[string]string {
	f := web.NewForm(nil)
	in.check(f)
	if f.Valid() {
		return nil
	}
	return f.Errors
}

func (in *ContactInput) check(f *web.Form) {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Salutation = strings.TrimSpace(in.Salutation)
	in.Province, in.City = strings.TrimSpace(in.Province), strings.TrimSpace(in.City)
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	in.WhatsApp, in.Notes = strings.TrimSpace(in.WhatsApp), strings.TrimSpace(in.Notes)
	if in.Name == "" {
		f.Fail("name", "form.required")
	} else if utf8.RuneCountInString(in.Name) > maxName {
		f.Fail("name", "form.too_long")
	}
	for field, v := range map[string]string{"salutation": in.Salutation, "province": in.Province, "city": in.City} {
		if utf8.RuneCountInString(v) > maxShort {
			f.Fail(field, "form.too_long")
		}
	}
	if utf8.RuneCountInString(in.Notes) > maxNotes {
		f.Fail("notes", "form.too_long")
	}
	if in.Country == "" {
		in.Country = "ID"
	} else if !countryRE.MatchString(in.Country) {
		f.Fail("country", "press.error.country")
	}
	in.Emails = uniq(in.Emails, strings.ToLower)
	for _, e := range in.Emails {
		if !web.ValidEmail(e) {
			f.Fail("emails", "press.error.email")
		}
	}
	phones := make([]string, 0, len(in.Phones))
	for _, p := range in.Phones {
		if strings.TrimSpace(p) == "" {
			continue
		}
		n, ok := NormalizePhone(p)
		if !ok {
			f.Fail("phones", "press.error.phone")
		}
		phones = append(phones, n)
	}
	in.Phones = uniq(phones, nil)
	if in.WhatsApp != "" {
		n, ok := NormalizePhone(in.WhatsApp)
		if !ok {
			f.Fail("whatsapp", "press.error.phone")
		}
		in.WhatsApp = n
	}
	in.Beats = uniq(in.Beats, strings.ToLower)
	in.Labels = uniq(in.Labels, nil)
	in.Languages = uniq(in.Languages, strings.ToLower)
	for _, l := range in.Languages {
		if !langRE.MatchString(l) {
			f.Fail("languages", "press.error.language")
		}
	}
	for field, n := range map[string]int{"emails": len(in.Emails), "phones": len(in.Phones), "beats": len(in.Beats), "labels": len(in.Labels),
		"languages": len(in.Languages), "outlets": len(in.Outlets)} {
		if n > maxMany {
			f.Fail(field, "press.error.too_many")
		}
	}
	socials := map[string]string{}
	for k, v := range in.Socials {
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if !slices.Contains(SocialKeys, k) || utf8.RuneCountInString(v) > maxShort {
			f.Fail("socials", "press.error.social")
			continue
		}
		socials[k] = v
	}
	in.Socials = socials
	var outlets []OutletRole
	seen := map[string]bool{}
	for _, o := range in.Outlets {
		o.Outlet, o.Role = strings.Join(strings.Fields(o.Outlet), " "), strings.TrimSpace(o.Role)
		if o.OutletID == 0 && o.Outlet == "" {
			continue
		}
		k := strconv.FormatInt(o.OutletID, 10) + "|" + key(o.Outlet)
		if o.OutletID != 0 {
			k = strconv.FormatInt(o.OutletID, 10)
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		if utf8.RuneCountInString(o.Outlet) > maxShort || utf8.RuneCountInString(o.Role) > maxShort {
			f.Fail("outlets", "form.too_long")
		}
		outlets = append(outlets, o)
	}
	in.Outlets = outlets
	c := &in.Consent
	c.Status, c.Basis, c.Source = strings.TrimSpace(c.Status), strings.TrimSpace(c.Basis), strings.TrimSpace(c.Source)
	if c.Status == "" {
		c.Status = "unknown"
	}
	if !slices.Contains(ConsentStatuses, c.Status) {
		f.Fail("consent_status", "press.error.consent_status")
	}
	if c.Basis != "" && !slices.Contains(ConsentBases, c.Basis) {
		f.Fail("consent_basis", "press.error.consent_basis")
	}
	if utf8.RuneCountInString(c.Source) > maxShort {
		f.Fail("consent_source", "form.too_long")
	}
	if !c.At.IsZero() {
		c.At = c.At.UTC().Truncate(time.Second)
	}
}

func (in *OutletInput) check(f *web.Form) {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Type = strings.TrimSpace(in.Type)
	in.ReachSource, in.ReachDate = strings.TrimSpace(in.ReachSource), strings.TrimSpace(in.ReachDate)
	in.Province, in.City = strings.TrimSpace(in.Province), strings.TrimSpace(in.City)
	in.Country, in.Language = strings.ToUpper(strings.TrimSpace(in.Country)), strings.ToLower(strings.TrimSpace(in.Language))
	in.Website, in.RSS = strings.TrimSpace(in.Website), strings.TrimSpace(in.RSS)
	in.DewanPers, in.DewanPersChecked = strings.TrimSpace(in.DewanPers), strings.TrimSpace(in.DewanPersChecked)
	if in.Name == "" {
		f.Fail("name", "form.required")
	} else if utf8.RuneCountInString(in.Name) > maxName {
		f.Fail("name", "form.too_long")
	}
	if in.Type == "" {
		in.Type = "online"
	} else if !slices.Contains(OutletTypes, in.Type) {
		f.Fail("type", "press.error.outlet_type")
	}
	if in.Reach < 0 {
		f.Fail("reach", "press.error.reach")
	}
	if in.Country == "" {
		in.Country = "ID"
	} else if !countryRE.MatchString(in.Country) {
		f.Fail("country", "press.error.country")
	}
	if in.Language != "" && !langRE.MatchString(in.Language) {
		f.Fail("language", "press.error.language")
	}
	if in.DewanPers == "" {
		in.DewanPers = "unverified"
	} else if !slices.Contains(DewanPers, in.DewanPers) {
		f.Fail("dewan_pers", "press.error.dewan_pers")
	}
	for field, v := range map[string]string{"reach_date": in.ReachDate, "dewan_pers_checked": in.DewanPersChecked} {
		if v == "" {
			continue
		}
		if _, err := time.Parse("2006-01-02", v); err != nil || !dateRE.MatchString(v) {
			f.Fail(field, "press.error.date")
		}
	}
	for field, v := range map[string]string{"website": in.Website, "rss_url": in.RSS} {
		if v != "" && !httpURL(v) {
			f.Fail(field, "press.error.url")
		}
	}
	for field, v := range map[string]string{"reach_source": in.ReachSource, "province": in.Province, "city": in.City} {
		if utf8.RuneCountInString(v) > maxShort {
			f.Fail(field, "form.too_long")
		}
	}
}

// httpURL accepts an absolute http(s) URL with a host. Nothing is fetched here.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(s) <= 2000
}

// checkConditions normalises a segment's conditions: known fields, values trimmed, empty ones dropped.
func checkConditions(cs []Condition) ([]Condition, error) {
	var out []Condition
	for _, c := range cs {
		c.Field = strings.TrimSpace(c.Field)
		if !slices.Contains(SegmentFields, c.Field) {
			return nil, ErrBadCondition
		}
		// Values stay as typed (the segment page shows them so); matching ignores case.
		var norm func(string) string
		if c.Field == "country" {
			norm = strings.ToUpper
		}
		c.Values = uniq(c.Values, norm)
		if len(c.Values) == 0 {
			continue
		}
		if c.Field == "outlet" {
			for _, v := range c.Values {
				if _, err := strconv.ParseInt(v, 10, 64); err != nil {
					return nil, ErrBadCondition
				}
			}
		}
		out = append(out, c)
	}
	return out, nil
}
