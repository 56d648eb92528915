package web

import (
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Form holds what the user typed and what was wrong with it, so a failed form is shown again
// with every error beside its field and nothing typed lost. Errors are catalog keys.
type Form struct {
	Values url.Values
	Errors map[string]string
}

// ParseForm reads a posted form (at most 1 MiB).
func ParseForm(r *http.Request) *Form {
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	_ = r.ParseForm()
	return &Form{Values: r.PostForm, Errors: map[string]string{}}
}

// NewForm is an empty form, or one filled with initial values.
func NewForm(values url.Values) *Form {
	if values == nil {
		values = url.Values{}
	}
	return &Form{Values: values, Errors: map[string]string{}}
}

// Get returns a field's trimmed value.
func (f *Form) Get(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// Raw returns a field's value untrimmed (passwords).
func (f *Form) Raw(name string) string { return f.Values.Get(name) }

// Error returns the catalog key of a field's error, "" when it has none.
func (f *Form) Error(name string) string { return f.Errors[name] }

// Fail records an error for a field, keeping the first one.
func (f *Form) Fail(name, key string) {
	if _, ok := f.Errors[name]; !ok {
		f.Errors[name] = key
	}
}

// Valid reports whether no field failed.
func (f *Form) Valid() bool { return len(f.Errors) == 0 }

// Required fails every empty field among names.
func (f *Form) Required(names ...string) {
	for _, n := range names {
		if f.Get(n) == "" {
			f.Fail(n, "form.required")
		}
	}
}

// MaxLength fails a field longer than n characters.
func (f *Form) MaxLength(name string, n int) {
	if utf8.RuneCountInString(f.Get(name)) > n {
		f.Fail(name, "form.too_long")
	}
}

// Email fails a field that is not one plain email address.
func (f *Form) Email(name string) {
	v := f.Get(name)
	if v == "" {
		return
	}
	if !ValidEmail(v) {
		f.Fail(name, "form.email")
	}
}

// ValidEmail accepts one bare address such as ani@example.id.
func ValidEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	return err == nil && a.Address == v && strings.Contains(v[strings.LastIndex(v, "@"):], ".")
}

// Checked reports whether a checkbox is on.
func (f *Form) Checked(name string) bool { return f.Values.Get(name) != "" }
