package dedupe

import (
	"net/url"
	"slices"
	"strings"
)

// Canonical gives the address of an article as every copy of its link should read: scheme and
// host in lower case; no "www.", and no "m." or "amp." in front of a host (mobile and AMP
// editions); no default port, user name or fragment; no tracking parameters (utm_*, fbclid and
// the like, see trackingParams); no AMP marker (an "amp" path segment, ?amp, ?amp=1,
// outputType=amp, name.amp.html); the remaining query parameters sorted; no trailing slash except
// for the root. Parameters that choose content (id=, page=) stay.
//
// A portal that moves the section into the path on its mobile or AMP host (m.detik.com/news/…
// for news.detik.com/…) still gives two addresses: Fingerprint finds those copies by their text.
//
// Anything that is not an absolute http or https URL comes back trimmed and otherwise unchanged.
func Canonical(rawURL string) string {
	s := strings.TrimSpace(rawURL)
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return s
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	host = strings.TrimPrefix(host, "www.")
	for _, p := range []string{"m.", "amp."} {
		if rest, ok := strings.CutPrefix(host, p); ok && strings.Contains(rest, ".") {
			host = rest
			break
		}
	}
	if strings.Contains(host, ":") { // IPv6
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" && !(u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443") {
		host += ":" + port
	}

	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(u.Scheme)
	b.WriteString("://")
	b.WriteString(host)
	b.WriteString(canonicalPath(u.EscapedPath()))
	if q := canonicalQuery(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	return b.String()
}

// canonicalPath drops AMP segments and the trailing slash.
func canonicalPath(p string) string {
	segs := strings.Split(p, "/")
	kept := segs[:0]
	for _, seg := range segs {
		if strings.EqualFold(seg, "amp") {
			continue
		}
		kept = append(kept, seg)
	}
	if n := len(kept); n > 0 {
		last := kept[n-1]
		if base, ok := cutSuffixFold(last, ".amp.html"); ok {
			kept[n-1] = base + ".html"
		} else if base, ok := cutSuffixFold(last, ".amp"); ok && base != "" {
			kept[n-1] = base
		}
	}
	p = strings.TrimRight(strings.Join(kept, "/"), "/")
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

// canonicalQuery drops tracking and AMP parameters and sorts the rest by name, then value. The
// parameters are kept as written (not decoded and encoded again), so a value the site reads
// verbatim is not changed.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var kept []string
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		k = strings.ToLower(k)
		if tracking(k) || k == "amp" || (k == "outputtype" || k == "output") && strings.EqualFold(v, "amp") {
			continue
		}
		kept = append(kept, part)
	}
	slices.SortStableFunc(kept, func(a, b string) int {
		ka, _, _ := strings.Cut(a, "=")
		kb, _, _ := strings.Cut(b, "=")
		if c := strings.Compare(ka, kb); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return strings.Join(kept, "&")
}

// trackingParams say where a reader came from, never which page they read. Names are compared in
// lower case.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
	"yclid": true, "msclkid": true, "twclid": true, "ttclid": true, "li_fat_id": true,
	"mc_cid": true, "mc_eid": true, "igshid": true, "igsh": true,
	"ref": true, "ref_src": true, "ref_url": true,
	"_ga": true, "_gl": true, "_hsenc": true, "_hsmi": true, "mkt_tok": true,
	"cmpid": true, "s_cid": true, "ocid": true, "xtor": true, "wt_mc": true, "wt.mc_id": true,
	"spm": true, "utm": true,
	// AMP viewers and caches
	"amp_js_v": true, "amp_gsa": true, "usqp": true, "__amp_source_origin": true,
}

// trackingPrefixes start whole families of campaign parameters: utm_source, at_medium (AT
// Internet), pk_campaign and mtm_source (Matomo), hsa_ad (HubSpot), ns_source (comScore).
var trackingPrefixes = []string{"utm_", "at_", "pk_", "mtm_", "hsa_", "ns_"}

func tracking(name string) bool {
	if trackingParams[name] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
