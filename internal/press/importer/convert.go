package importer

import (
	"slices"
	"strconv"
	"strings"

	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/tabular"
)

// toInput turns one file row into a contact as the mapping says, with what is wrong with it. The
// input is normalised by press.CheckContact, so duplicates are compared as they will be stored.
func toInput(cells []string, mapping []string, header []string, source string, readErr string) (press.ContactInput, []Problem) {
	var probs []Problem
	if readErr != "" {
		probs = append(probs, Problem{Key: "importer.row.unreadable"})
	}
	if len(cells) != len(header) && readErr == "" {
		probs = append(probs, Problem{Key: "importer.row.ragged", Value: strconv.Itoa(len(cells)), Warn: true})
	}
	var in press.ContactInput
	var first, last string
	var outlets, roles []string
	in.Socials = map[string]string{}
	consent := ""
	for i, field := range mapping {
		if i >= len(cells) || field == "" {
			continue
		}
		v := strings.TrimSpace(cells[i])
		if v == "" {
			continue
		}
		switch field {
		case "name":
			in.Name = v
		case "first_name":
			first = v
		case "last_name":
			last = v
		case "salutation":
			in.Salutation = v
		case "email", "email2":
			in.Emails = append(in.Emails, split(v, ",; \n")...)
		case "phone", "mobile":
			for _, p := range split(v, ",;/\n") {
				n, ok := press.NormalizePhone(p)
				if !ok {
					probs = append(probs, Problem{Field: field, Key: "importer.row.bad_phone", Value: p, Warn: true})
					continue
				}
				in.Phones = append(in.Phones, n)
			}
		case "whatsapp":
			n, ok := press.NormalizePhone(v)
			if !ok {
				probs = append(probs, Problem{Field: field, Key: "importer.row.bad_phone", Value: v, Warn: true})
				continue
			}
			in.WhatsApp = n
		case "outlet":
			outlets = split(v, ";|\n")
		case "role":
			roles = split(v, ";|\n")
		case "beats":
			in.Beats = append(in.Beats, split(v, ",;|\n")...)
		case "labels":
			in.Labels = append(in.Labels, split(v, ",;|\n")...)
		case "province":
			in.Province = v
		case "city":
			in.City = v
		case "country":
			c, ok := country(v)
			if !ok {
				probs = append(probs, Problem{Field: field, Key: "importer.row.bad_country", Value: v})
				continue
			}
			in.Country = c
		case "languages":
			for _, l := range split(v, ",;|/\n") {
				code, ok := language(l)
				if !ok {
					probs = append(probs, Problem{Field: field, Key: "importer.row.bad_language", Value: l, Warn: true})
					continue
				}
				in.Languages = append(in.Languages, code)
			}
		case "x", "instagram", "linkedin", "facebook", "tiktok", "youtube", "website":
			in.Socials[field] = v
		case "notes":
			in.Notes = v
		case "consent":
			consent = v
		}
	}
	if in.Name == "" {
		in.Name = strings.TrimSpace(first + " " + last)
	}
	for i, o := range outlets {
		r := ""
		if i < len(roles) {
			r = roles[i]
		} else if len(roles) > 0 {
			r = roles[0]
		}
		in.Outlets = append(in.Outlets, press.OutletRole{Outlet: o, Role: r})
	}
	if len(outlets) == 0 && len(roles) > 0 {
		probs = append(probs, Problem{Field: "role", Key: "importer.row.role_without_outlet", Value: roles[0], Warn: true})
	}
	in.Consent = press.Consent{Status: consentStatus(consent), Source: source}
	for _, e := range in.Emails {
		if !web.ValidEmail(strings.ToLower(e)) {
			probs = append(probs, Problem{Field: "emails", Key: "importer.row.bad_email", Value: e})
		}
	}
	for field, key := range press.CheckContact(&in) {
		switch field {
		case "name":
			if key == "form.required" {
				probs = append(probs, Problem{Field: field, Key: "importer.row.no_name"})
			} else {
				probs = append(probs, Problem{Field: field, Key: "importer.row.too_long", Value: in.Name})
			}
		case "emails":
			if !slices.ContainsFunc(probs, func(p Problem) bool { return p.Field == "emails" }) {
				probs = append(probs, Problem{Field: field, Key: "importer.row.bad_email", Value: strings.Join(in.Emails, ", ")})
			}
		default:
			probs = append(probs, Problem{Field: field, Key: "importer.row.bad_field"})
		}
	}
	slices.SortStableFunc(probs, func(a, b Problem) int { return strings.Compare(a.Field, b.Field) })
	return in, probs
}

// blocking reports whether a problem list stops the row from being imported.
func blocking(probs []Problem) bool {
	return slices.ContainsFunc(probs, func(p Problem) bool { return !p.Warn })
}

func split(s, seps string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Country names as spreadsheets write them; two-letter codes pass as they are.
var countries = map[string]string{
	"indonesia": "ID", "republik indonesia": "ID", "ri": "ID", "nkri": "ID",
	"malaysia": "MY", "singapore": "SG", "singapura": "SG", "brunei": "BN", "brunei darussalam": "BN",
	"thailand": "TH", "philippines": "PH", "filipina": "PH", "vietnam": "VN", "viet nam": "VN",
	"timor leste": "TL", "timor-leste": "TL", "australia": "AU", "new zealand": "NZ", "selandia baru": "NZ",
	"japan": "JP", "jepang": "JP", "china": "CN", "tiongkok": "CN", "hong kong": "HK", "taiwan": "TW",
	"south korea": "KR", "korea selatan": "KR", "korea": "KR", "india": "IN", "netherlands": "NL", "belanda": "NL",
	"germany": "DE", "jerman": "DE", "france": "FR", "prancis": "FR", "perancis": "FR",
	"united kingdom": "GB", "uk": "GB", "inggris": "GB", "britain": "GB", "great britain": "GB",
	"united states": "US", "usa": "US", "us": "US", "amerika serikat": "US", "as": "US",
	"canada": "CA", "kanada": "CA", "saudi arabia": "SA", "arab saudi": "SA", "qatar": "QA",
	"united arab emirates": "AE", "uae": "AE", "uni emirat arab": "AE",
}

func country(v string) (string, bool) {
	k := strings.ToLower(strings.Join(strings.Fields(v), " "))
	if c, ok := countries[k]; ok {
		return c, true
	}
	if len(k) == 2 && k[0] >= 'a' && k[0] <= 'z' && k[1] >= 'a' && k[1] <= 'z' {
		return strings.ToUpper(k), true
	}
	return "", false
}

var languages = map[string]string{
	"indonesia": "id", "bahasa indonesia": "id", "indonesian": "id", "bahasa": "id", "ind": "id",
	"english": "en", "inggris": "en", "bahasa inggris": "en", "eng": "en",
	"jawa": "jv", "javanese": "jv", "sunda": "su", "sundanese": "su", "melayu": "ms", "malay": "ms",
	"mandarin": "zh", "chinese": "zh", "arab": "ar", "arabic": "ar", "japanese": "ja", "jepang": "ja",
	"korean": "ko", "korea": "ko", "dutch": "nl", "belanda": "nl", "german": "de", "jerman": "de",
	"french": "fr", "prancis": "fr",
}

func language(v string) (string, bool) {
	k := strings.ToLower(strings.Join(strings.Fields(v), " "))
	if c, ok := languages[k]; ok {
		return c, true
	}
	if len(k) == 2 && k[0] >= 'a' && k[0] <= 'z' && k[1] >= 'a' && k[1] <= 'z' {
		return k, true
	}
	if len(k) == 5 && (k[2] == '-' || k[2] == '_') { // id-ID, en_GB
		return language(k[:2])
	}
	return "", false
}

// consentStatus reads a consent column: a clear yes is granted, a clear no withdrawn, anything else
// unknown (the officer records the lawful basis afterwards).
func consentStatus(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "granted", "yes", "ya", "y", "true", "1", "opt-in", "opt in", "opted in", "setuju", "bersedia", "diberikan":
		return "granted"
	case "withdrawn", "no", "tidak", "n", "false", "0", "opt-out", "opt out", "opted out", "unsubscribed", "menolak", "dicabut", "berhenti":
		return "withdrawn"
	}
	return "unknown"
}

// hasName reports whether the mapping gives contacts a name (a full name, or a first or last name).
func hasName(mapping []string) bool {
	return slices.ContainsFunc(mapping, func(f string) bool { return f == "name" || f == "first_name" || f == "last_name" })
}

// cleanMapping keeps known fields, each on one column at most, for header's width.
func cleanMapping(m []string, width int) []string {
	out := make([]string, width)
	used := map[string]bool{}
	for i := 0; i < width && i < len(m); i++ {
		if m[i] == "" || used[m[i]] || !slices.Contains(tabular.ImportFields, m[i]) {
			continue
		}
		used[m[i]] = true
		out[i] = m[i]
	}
	return out
}
