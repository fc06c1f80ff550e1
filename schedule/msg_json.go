package schedule

import (
	"encoding/json"
	"fmt"
	"time"
)

// A Msg is stored (the audit log keeps what happened as a message, so it
// reads in the language of whoever looks later) as JSON: the format and
// each argument tagged with its type, so "%d" gets an integer back and a
// time still shows on the organisation's clock.
//
//	{"f":"%d rows: %d added","a":[{"i":3},{"i":2}]}
type msgJSON struct {
	F string    `json:"f"`
	A []argJSON `json:"a,omitempty"`
}

type argJSON struct {
	S  *string         `json:"s,omitempty"`  // string
	I  *int64          `json:"i,omitempty"`  // integer
	U  *uint64         `json:"u,omitempty"`  // unsigned integer
	F  *float64        `json:"f,omitempty"`  // float
	B  *bool           `json:"b,omitempty"`  // bool
	T  *time.Time      `json:"t,omitempty"`  // time
	D  *time.Duration  `json:"d,omitempty"`  // duration
	M  *Msg            `json:"m,omitempty"`  // message
	N  *Names          `json:"n,omitempty"`  // names
	L  []string        `json:"l,omitempty"`  // list of strings
	DL []time.Duration `json:"dl,omitempty"` // list of durations
	SP *[2]time.Time   `json:"sp,omitempty"` // time span
}

// MarshalJSON encodes m with typed arguments; a type Msg does not know is
// stored as its English text.
func (m Msg) MarshalJSON() ([]byte, error) {
	out := msgJSON{F: m.Format, A: make([]argJSON, len(m.Args))}
	for i, a := range m.Args {
		var j argJSON
		switch v := a.(type) {
		case string:
			j.S = &v
		case int:
			n := int64(v)
			j.I = &n
		case int32:
			n := int64(v)
			j.I = &n
		case int64:
			j.I = &v
		case uint32:
			n := uint64(v)
			j.U = &n
		case uint64:
			j.U = &v
		case float64:
			j.F = &v
		case bool:
			j.B = &v
		case time.Time:
			j.T = &v
		case time.Duration:
			j.D = &v
		case Msg:
			j.M = &v
		case Names:
			j.N = &v
		case []string:
			j.L = v
		case []time.Duration:
			j.DL = v
		case TimeSpan:
			j.SP = &[2]time.Time{v.Start, v.End}
		default:
			s := fmt.Sprint(RenderArg(English, a))
			j.S = &s
		}
		out.A[i] = j
	}
	return json.Marshal(out)
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (m *Msg) UnmarshalJSON(b []byte) error {
	var in msgJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	m.Format, m.Args = in.F, nil
	for _, j := range in.A {
		var a any
		switch {
		case j.S != nil:
			a = *j.S
		case j.I != nil:
			a = *j.I
		case j.U != nil:
			a = *j.U
		case j.F != nil:
			a = *j.F
		case j.B != nil:
			a = *j.B
		case j.T != nil:
			a = *j.T
		case j.D != nil:
			a = *j.D
		case j.M != nil:
			a = *j.M
		case j.N != nil:
			a = *j.N
		case j.L != nil:
			a = j.L
		case j.DL != nil:
			a = j.DL
		case j.SP != nil:
			a = TimeSpan{Start: j.SP[0], End: j.SP[1]}
		default:
			a = ""
		}
		m.Args = append(m.Args, a)
	}
	return nil
}
