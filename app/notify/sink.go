package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// SinkConfig configures a development Sink.
type SinkConfig struct {
	// Writer, if set, gets one readable block per message.
	Writer io.Writer
	// Logger, if set, gets one Info record per message.
	Logger *slog.Logger
	// Fail, if set, decides a send's outcome: a non-nil error is returned
	// and the message is not recorded (for testing the outbox's retries
	// and dead-lettering).
	Fail func(Message) error
	// Discard keeps no messages in memory (for load tests: Count still
	// counts).
	Discard bool
}

// Sink is the development sender for every channel: it writes messages to
// a writer or log and keeps them in memory for tests. It implements Sender
// and WhatsAppSender and is safe for concurrent use.
type Sink struct {
	cfg   SinkConfig
	mu    sync.Mutex
	msgs  []Message
	count int
}

// NewSink returns a Sink.
func NewSink(cfg SinkConfig) *Sink { return &Sink{cfg: cfg} }

// Send records m.
func (s *Sink) Send(ctx context.Context, m Message) error {
	return s.record(ctx, m, "")
}

// SendTemplate records m with the template's name and parameters.
func (s *Sink) SendTemplate(ctx context.Context, m Message, t WhatsAppTemplate) error {
	return s.record(ctx, m, fmt.Sprintf("template %s/%s %q", t.Name, t.Lang, t.Params))
}

func (s *Sink) record(ctx context.Context, m Message, note string) error {
	if err := ctx.Err(); err != nil {
		return Temporary(fmt.Errorf("sink %s: %w", m.Key, err))
	}
	if s.cfg.Fail != nil {
		if err := s.cfg.Fail(m); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	if !s.cfg.Discard {
		s.msgs = append(s.msgs, m)
	}
	if s.cfg.Writer != nil {
		var b strings.Builder
		fmt.Fprintf(&b, "--- %s %s to %s <%s>\n", m.Channel, m.Key, m.ToName, m.To)
		if m.Subject != "" {
			fmt.Fprintf(&b, "Subject: %s\n", m.Subject)
		}
		if note != "" {
			fmt.Fprintf(&b, "WhatsApp %s\n", note)
		}
		if m.Invitation != nil {
			fmt.Fprintf(&b, "Calendar: %s\n", m.Invitation)
		}
		b.WriteString(m.Text)
		b.WriteString("\n")
		if _, err := io.WriteString(s.cfg.Writer, b.String()); err != nil {
			return Temporary(fmt.Errorf("sink %s: write: %w", m.Key, err))
		}
	}
	if s.cfg.Logger != nil {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "notify sink",
			slog.String("key", m.Key), slog.String("channel", string(m.Channel)),
			slog.String("to", maskNumber(m.To)), slog.Int("chars", len([]rune(m.Text))))
	}
	return nil
}

// Messages returns a copy of the messages recorded so far, in order.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Count returns how many messages were recorded.
func (s *Sink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Duplicates returns the keys recorded more than once: an at-least-once
// outbox test expects none after deduplication.
func (s *Sink) Duplicates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := make(map[string]int, len(s.msgs))
	var dup []string
	for _, m := range s.msgs {
		seen[m.Key]++
		if seen[m.Key] == 2 {
			dup = append(dup, m.Key)
		}
	}
	return dup
}
