package publish

import (
	"encoding/json"

	"warta.dev/warta/internal/channel"
)

// A broken rule found just before publishing is stored with its arguments' types, so the publish
// log can say it in each reader's language: an int is a count, an int64 a size in bytes.
type storedProblem struct {
	Network channel.Network `json:"network"`
	Field   string          `json:"field"`
	Key     string          `json:"key"`
	Args    []storedArg     `json:"args,omitempty"`
}

type storedArg struct {
	Name  string  `json:"name"`
	Int   *int    `json:"int,omitempty"`
	Bytes *int64  `json:"bytes,omitempty"`
	Str   *string `json:"str,omitempty"`
}

func encodeProblem(p channel.Problem) string {
	sp := storedProblem{Network: p.Network, Field: p.Field, Key: p.Key}
	for i := 0; i+1 < len(p.Args); i += 2 {
		a := storedArg{Name: p.Args[i].(string)}
		switch v := p.Args[i+1].(type) {
		case int:
			a.Int = &v
		case int64:
			a.Bytes = &v
		case string:
			a.Str = &v
		}
		sp.Args = append(sp.Args, a)
	}
	b, _ := json.Marshal(sp)
	return string(b)
}

func decodeProblem(s string) (channel.Problem, bool) {
	var sp storedProblem
	if err := json.Unmarshal([]byte(s), &sp); err != nil || sp.Key == "" {
		return channel.Problem{}, false
	}
	p := channel.Problem{Network: sp.Network, Field: sp.Field, Key: sp.Key}
	for _, a := range sp.Args {
		var v any
		switch {
		case a.Int != nil:
			v = *a.Int
		case a.Bytes != nil:
			v = *a.Bytes
		case a.Str != nil:
			v = *a.Str
		}
		p.Args = append(p.Args, a.Name, v)
	}
	return p, true
}
