package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Serve starts the job queue and the web server on ln and runs until ctx ends; then it stops
// taking requests, lets those in flight and running jobs finish (within the shutdown grace), and
// returns.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.Queue.Start(ctx); err != nil {
		return err
	}
	// The dispatcher hands due posts to the queue the moment they are due; it stops with the
	// server, before the queue finishes the jobs in flight.
	dctx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	dispatched := make(chan struct{})
	go func() { a.Publish.Run(dctx); close(dispatched) }()
	// Distributions record their recipients through their dispatcher, so it stops after the
	// queue: batches finishing on the way out still write what they sent.
	rctx, stopDistribute := context.WithCancel(context.WithoutCancel(ctx))
	distributed := make(chan struct{})
	go func() { a.Distribute.Run(rctx); close(distributed) }()
	// The newsroom writes its visit counts every half minute, and once more on the way out.
	nctx, stopNewsroom := context.WithCancel(context.WithoutCancel(ctx))
	counted := make(chan struct{})
	go func() { a.Newsroom.Run(nctx); close(counted) }()
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	a.Log.Info("shutting down: finishing requests and jobs in flight")
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	stopDispatch()
	<-dispatched
	stopNewsroom()
	<-counted
	err = errors.Join(err, a.Queue.Stop(sctx))
	stopDistribute()
	<-distributed
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(serveErr, err)
	}
	return err
}
