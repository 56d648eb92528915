package distribute_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/press/distribute"
)

// The distributions page says while distributions are held, lists what the hold stopped, and
// lets a person send it once the hold is lifted; sending now is refused with a reason meanwhile.
func TestHeldDistributionsOnThePage(t *testing.T) {
	engines(t, func(t *testing.T, st *site) {
		ctx, a := context.Background(), audit.Actor{Label: "Oka"}
		owner := st.signIn("owner@humas.example")
		at := time.Now().Add(300 * time.Millisecond)
		d, err := st.s.Create(ctx, a, st.ws.ID, distribute.Input{Kind: distribute.KindRelease, ID: 7, Lists: []int64{1}, At: &at}, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.s.Hold(ctx, a, st.ws.ID, "Krisis: banjir bandang"); err != nil {
			t.Fatal(err)
		}
		st.wait(d.ID, distribute.Paused)
		list := owner.Get(st.path("/press/distributions"))
		mustSee(t, "distributions page during the hold", list, `id="hold"`, "Distributions are on hold.", "Krisis: banjir bandang", `id="held"`,
			`data-held="`+strconv.FormatInt(d.ID, 10)+`"`, "Apply to all held")

		send := url.Values{"decision": {distribute.DecideSend}, "all": {"1"}}
		if r := owner.Post(st.path("/press/distributions/held"), send); r.Status != http.StatusSeeOther {
			t.Fatalf("decide during the hold: %d %s", r.Status, text(r.Body))
		}
		mustSee(t, "after sending during the hold", owner.Get(st.path("/press/distributions")), "nothing starts sending until the hold is lifted")
		r := owner.Post(st.path("/press/distributions"), url.Values{"source": {"release:7"}, "lists": {"1"}, "action": {"send"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("sending a new distribution now during the hold: %d", r.Status)
		}
		mustSee(t, "new distribution during the hold", r, "nothing starts sending until the hold is lifted")

		if err := st.s.Unhold(ctx, a, st.ws.ID); err != nil {
			t.Fatal(err)
		}
		list = owner.Get(st.path("/press/distributions"))
		mustSee(t, "distributions page after the hold", list, "do not start by themselves")
		if r := owner.Post(st.path("/press/distributions/held"), url.Values{"decision": {distribute.DecideSend}, "id": {strconv.FormatInt(d.ID, 10)}}); r.Status != http.StatusSeeOther {
			t.Fatalf("decide: %d %s", r.Status, text(r.Body))
		}
		if got := st.wait(d.ID, distribute.Done); got.Counts.Sent != 3 || len(st.sink.Messages()) != 3 {
			t.Errorf("after deciding to send: %+v, %d messages", got.Counts, len(st.sink.Messages()))
		}
	})
}
