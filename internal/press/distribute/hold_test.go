package distribute

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// waitHeld polls until the distribution waits among the held ones with nobody in flight.
func (r *rig) waitHeld(t *testing.T, id int64) *Distribution {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		held, err := r.s.HeldDistributions(context.Background(), r.ws)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range held {
			if d.ID == id && d.Counts.Sending == 0 {
				return &d
			}
		}
		if time.Now().After(deadline) {
			d, _ := r.s.Get(context.Background(), r.ws, id)
			t.Fatalf("distribution %d is not held: %+v", id, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// byAddress counts the messages the server got per address.
func (r *rig) byAddress() map[string]int {
	got := map[string]int{}
	for _, m := range r.sink.Messages() {
		got[m.To]++
	}
	return got
}

// During a hold a scheduled distribution whose time comes does not start, while a crisis
// statement's goes out; lifting the hold starts nothing until a person decides to send.
func TestHoldKeepsScheduledFromStartingButNotTheStatement(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		people := journalists(5)
		r := newRig(t, engine, newContacts(people...))
		ctx, a := context.Background(), audit.Actor{Label: "test"}
		at := time.Now().Add(400 * time.Millisecond)
		routine, err := r.s.Create(ctx, a, r.ws, Input{Kind: KindRelease, ID: 7, Lists: []int64{1}, At: &at}, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.s.Hold(ctx, a, r.ws, " "); !errors.Is(err, ErrNoReason) {
			t.Errorf("a hold without a reason: %v", err)
		}
		if err := r.s.Hold(ctx, a, r.ws, "Krisis: banjir bandang"); err != nil {
			t.Fatal(err)
		}
		if err := r.s.Hold(ctx, a, r.ws, "Lagi"); !errors.Is(err, ErrHeld) {
			t.Errorf("a second hold: %v", err)
		}
		if h, err := r.s.Holding(ctx, r.ws); err != nil || h == nil || h.Reason != "Krisis: banjir bandang" || h.ByName != "test" {
			t.Errorf("holding: %+v %v", h, err)
		}
		if _, err := r.s.Create(ctx, a, r.ws, Input{Kind: KindRelease, ID: 7, Lists: []int64{1}}, false); !errors.Is(err, ErrHeld) {
			t.Errorf("sending an ordinary distribution now during the hold: %v", err)
		}
		statement, err := r.s.Create(ctx, a, r.ws, Input{Kind: KindRelease, ID: 7, Lists: []int64{1}, ThroughHold: true}, false)
		if err != nil {
			t.Fatal(err)
		}
		if d := r.wait(t, statement.ID, Done); d.Counts.Sent != 5 {
			t.Fatalf("the crisis statement: %+v", d.Counts)
		}
		held := r.waitHeld(t, routine.ID)
		if held.State != Paused || held.HeldAt == nil || held.StartedAt != nil {
			t.Errorf("the routine distribution due during the hold: %+v", held)
		}
		if _, err := r.s.DecideHeld(ctx, a, r.ws, nil, DecideSend, time.Time{}); !errors.Is(err, ErrHeld) {
			t.Errorf("sending held distributions while the hold is on: %v", err)
		}
		if err := r.s.Unhold(ctx, a, r.ws); err != nil {
			t.Fatal(err)
		}
		if err := r.s.Unhold(ctx, a, r.ws); !errors.Is(err, ErrNotHeld) {
			t.Errorf("lifting a hold twice: %v", err)
		}
		time.Sleep(500 * time.Millisecond) // ten rounds of the dispatcher
		if got, _ := r.s.Get(ctx, r.ws, routine.ID); got.State != Paused || len(r.sink.Messages()) != 5 {
			t.Fatalf("lifting the hold started it by itself: %s, %d messages", got.State, len(r.sink.Messages()))
		}
		if n, err := r.s.DecideHeld(ctx, a, r.ws, nil, DecideSend, time.Time{}); err != nil || n != 1 {
			t.Fatalf("send all held: %d %v", n, err)
		}
		if d := r.wait(t, routine.ID, Done); d.Counts.Sent != 5 || d.HeldAt != nil {
			t.Errorf("after deciding to send: %+v", d)
		}
		if held, _ := r.s.HeldDistributions(ctx, r.ws); len(held) != 0 {
			t.Errorf("still held after the decision: %+v", held)
		}
		for _, p := range people {
			if n := r.byAddress()[p.Email]; n != 2 {
				t.Errorf("%s got %d messages, want one of each distribution", p.Email, n)
			}
		}
	})
}

// A hold stops a distribution that is sending before its next recipient: those not reached stay
// queued, and after the decision to send each recipient has exactly one message.
func TestHoldStopsSendingMidway(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		people := journalists(60)
		r := newRig(t, engine, newContacts(people...))
		ctx, a := context.Background(), audit.Actor{Label: "test"}
		var once sync.Once
		held := make(chan error, 1)
		r.sink.Refuse(func(to string) *smtp.SMTPError {
			if to == people[10].Email {
				once.Do(func() { held <- r.s.Hold(ctx, a, r.ws, "Krisis") })
			}
			return nil
		})
		d := r.send(t)
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		stopped := r.waitHeld(t, d.ID)
		if stopped.StartedAt == nil || stopped.Counts.Sent+stopped.Counts.Queued != 60 || stopped.Counts.Queued == 0 {
			t.Fatalf("stopped with %+v, want some sent and the rest queued", stopped.Counts)
		}
		time.Sleep(300 * time.Millisecond)
		if n := len(r.sink.Messages()); n != stopped.Counts.Sent {
			t.Fatalf("the server got %d messages during the hold, %d recorded as sent", n, stopped.Counts.Sent)
		}
		if err := r.s.Unhold(ctx, a, r.ws); err != nil {
			t.Fatal(err)
		}
		if n, err := r.s.DecideHeld(ctx, a, r.ws, []int64{d.ID}, DecideSend, time.Time{}); err != nil || n != 1 {
			t.Fatalf("send: %d %v", n, err)
		}
		if done := r.wait(t, d.ID, Done); done.Counts.Sent != 60 {
			t.Errorf("after sending on: %+v", done.Counts)
		}
		got := r.byAddress()
		for _, p := range people {
			if got[p.Email] != 1 {
				t.Errorf("%s got %d messages", p.Email, got[p.Email])
			}
		}
	})
}

// A held distribution cancelled sends nothing; one rescheduled goes out at its new time.
func TestHeldCancelledOrRescheduled(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		r := newRig(t, engine, newContacts(journalists(4)...))
		ctx, a := context.Background(), audit.Actor{Label: "test"}
		at := time.Now().Add(300 * time.Millisecond)
		first, err := r.s.Create(ctx, a, r.ws, Input{Kind: KindRelease, ID: 7, Lists: []int64{1}, At: &at}, false)
		if err != nil {
			t.Fatal(err)
		}
		second, err := r.s.Create(ctx, a, r.ws, Input{Kind: KindRelease, ID: 7, Lists: []int64{1}, At: &at}, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.s.Hold(ctx, a, r.ws, "Krisis"); err != nil {
			t.Fatal(err)
		}
		r.waitHeld(t, first.ID)
		r.waitHeld(t, second.ID)
		if _, err := r.s.DecideHeld(ctx, a, r.ws, []int64{first.ID}, "later", time.Time{}); !errors.Is(err, ErrDecision) {
			t.Errorf("an unknown decision: %v", err)
		}
		if n, err := r.s.DecideHeld(ctx, a, r.ws, []int64{first.ID}, DecideCancel, time.Time{}); err != nil || n != 1 {
			t.Fatalf("cancel during the hold: %d %v", n, err)
		}
		if err := r.s.Unhold(ctx, a, r.ws); err != nil {
			t.Fatal(err)
		}
		if _, err := r.s.DecideHeld(ctx, a, r.ws, []int64{second.ID}, DecideReschedule, time.Now().Add(-time.Minute)); !errors.Is(err, ErrPast) {
			t.Errorf("rescheduling to the past: %v", err)
		}
		if n, err := r.s.DecideHeld(ctx, a, r.ws, []int64{second.ID}, DecideReschedule, time.Now().Add(400*time.Millisecond)); err != nil || n != 1 {
			t.Fatalf("reschedule: %d %v", n, err)
		}
		if d := r.wait(t, second.ID, Done); d.Counts.Sent != 4 {
			t.Errorf("the rescheduled distribution: %+v", d.Counts)
		}
		if d, _ := r.s.Get(ctx, r.ws, first.ID); d.State != Cancelled || d.Counts.Sent != 0 {
			t.Errorf("the cancelled distribution: %s %+v", d.State, d.Counts)
		}
		if n := len(r.sink.Messages()); n != 4 {
			t.Errorf("the server got %d messages, want only the rescheduled one's 4", n)
		}
	})
}
