package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// JSON writes v as the response body.
func JSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteAPIError writes {"error": {"code", "message", "fields"}} in the caller's language.
func WriteAPIError(w http.ResponseWriter, r *http.Request, e *Error) {
	l := LocaleOf(r)
	body := map[string]any{"code": e.Code, "message": l.T(e.Key)}
	if len(e.Fields) > 0 {
		fields := map[string]string{}
		for k, v := range e.Fields {
			if e.Raw {
				fields[k] = v
				continue
			}
			fields[k] = l.T(v)
		}
		body["fields"] = fields
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="warta"`)
	}
	_ = JSON(w, e.Status, map[string]any{"error": body})
}

// DecodeJSON reads a JSON request body of at most 1 MiB into v.
func DecodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &Error{Status: http.StatusBadRequest, Code: "bad_json", Key: "error.bad_json"}
	}
	return nil
}

// Page is one page of a list in the API: items and the cursor of the next page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Cursor reads ?cursor= (an id to continue after) and ?limit= (1–100, default 50).
func Cursor(r *http.Request) (after int64, limit int, err error) {
	limit = 50
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return 0, 0, &Error{Status: http.StatusBadRequest, Code: "bad_limit", Key: "error.bad_limit"}
		}
		limit = n
	}
	if s := r.URL.Query().Get("cursor"); s != "" {
		after, err = strconv.ParseInt(s, 10, 64)
		if err != nil || after < 0 {
			return 0, 0, &Error{Status: http.StatusBadRequest, Code: "bad_cursor", Key: "error.bad_cursor"}
		}
	}
	return after, limit, nil
}

// NextPage builds the page from limit+1 fetched items: the extra one only says there is more.
func NextPage[T any](items []T, limit int, id func(T) int64) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextCursor = strconv.FormatInt(id(items[limit-1]), 10)
	}
	return p
}
