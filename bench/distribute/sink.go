package main

import (
	"bufio"
	"bytes"
	"net"
	"sync/atomic"
)

// leanSink is the smallest SMTP server that accepts and discards: enough of RFC 5321 for a
// client that says EHLO, MAIL, RCPT, DATA, RSET and QUIT, and PIPELINING, so that what the
// benchmark measures is the sender rather than a full server's parsing.
type leanSink struct {
	ln    net.Listener
	count atomic.Int64
}

func startLeanSink() (*leanSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &leanSink{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s, nil
}

func (s *leanSink) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *leanSink) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	w := bufio.NewWriterSize(c, 4<<10)
	reply := func(line string) bool {
		w.WriteString(line)
		// Answers to pipelined commands go out together.
		if r.Buffered() == 0 {
			return w.Flush() == nil
		}
		return true
	}
	if !reply("220 sink ESMTP\r\n") {
		return
	}
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		verb := bytes.ToUpper(bytes.TrimSpace(line))
		if i := bytes.IndexAny(verb, " :"); i >= 0 {
			verb = verb[:i]
		}
		switch string(verb) {
		case "EHLO":
			if !reply("250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n") {
				return
			}
		case "DATA":
			if !reply("354 end with .\r\n") {
				return
			}
			for {
				l, err := r.ReadSlice('\n')
				if err != nil {
					return
				}
				if len(l) <= 3 && (string(l) == ".\r\n" || string(l) == ".\n") {
					break
				}
			}
			s.count.Add(1)
			if !reply("250 queued\r\n") {
				return
			}
		case "QUIT":
			reply("221 bye\r\n")
			return
		default:
			if !reply("250 OK\r\n") {
				return
			}
		}
	}
}
