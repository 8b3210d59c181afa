// A cert-manager DNS-01 webhook solver for the test environment, in the shape
// of cert-manager's webhook-example. It is authoritative for one zone through
// an in-process DNS server (bind9 forwards the zone here), so a TXT record
// Present puts in is what pebble sees. Every call is logged and served as
// JSON so tests can check what the apiserver handed over.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"

	"github.com/miekg/dns"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/cert-manager/cert-manager/pkg/acme/webhook/apis/acme/v1alpha1"
	"github.com/cert-manager/cert-manager/pkg/acme/webhook/cmd"
)

// Zero TTLs, also for negative answers (SOA minimum), so bind9 never serves a
// cached TXT answer after Present or CleanUp changed it.
const ttl = 0

type call struct {
	Action            string          `json:"action"`
	UID               string          `json:"uid"`
	DNSName           string          `json:"dnsName"`
	ResolvedFQDN      string          `json:"resolvedFQDN"`
	ResolvedZone      string          `json:"resolvedZone"`
	Key               string          `json:"key"`
	ResourceNamespace string          `json:"resourceNamespace"`
	Config            json.RawMessage `json:"config"`
	Success           bool            `json:"success"`
	Error             string          `json:"error,omitempty"`
}

// What a test may put in an issuer's webhook config to make a call fail, or
// a record vanish: visibleForQueries > 0 serves a presented value to that
// many TXT questions only (a self check sees it, the CA's lookup after it does not).
type solverConfig struct {
	FailPresent       string `json:"failPresent"`
	FailCleanUp       string `json:"failCleanUp"`
	VisibleForQueries int    `json:"visibleForQueries"`
}

// One presented value; answersLeft < 0 means always.
type txtValue struct {
	value       string
	answersLeft int
}

type solver struct {
	zone      string
	dnsAddr   string
	callsAddr string

	mu    sync.Mutex
	txt   map[string][]txtValue // canonical name → values, in Present order
	calls []call
}

func (s *solver) Name() string { return "certops-test" }

func (s *solver) Present(ch *v1alpha1.ChallengeRequest) error {
	return s.record(ch, func(config solverConfig, name string) error {
		if config.FailPresent != "" {
			return errors.New(config.FailPresent)
		}
		// Present may be repeated for one challenge: keep a value once.
		if !slices.ContainsFunc(s.txt[name], func(held txtValue) bool { return held.value == ch.Key }) {
			answers := -1
			if config.VisibleForQueries > 0 {
				answers = config.VisibleForQueries
			}
			s.txt[name] = append(s.txt[name], txtValue{value: ch.Key, answersLeft: answers})
		}
		return nil
	})
}

func (s *solver) CleanUp(ch *v1alpha1.ChallengeRequest) error {
	return s.record(ch, func(config solverConfig, name string) error {
		if config.FailCleanUp != "" {
			return errors.New(config.FailCleanUp)
		}
		// Only this value: another challenge for the same name keeps its own.
		values := slices.DeleteFunc(s.txt[name], func(held txtValue) bool { return held.value == ch.Key })
		if len(values) == 0 {
			delete(s.txt, name)
		} else {
			s.txt[name] = values
		}
		return nil
	})
}

// record runs one Present or CleanUp under the lock and logs it, failed or not.
func (s *solver) record(ch *v1alpha1.ChallengeRequest, apply func(solverConfig, string) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw := json.RawMessage("{}")
	if ch.Config != nil && len(ch.Config.Raw) > 0 {
		raw = json.RawMessage(ch.Config.Raw)
	}
	err := func() error {
		var config solverConfig
		if err := json.Unmarshal(raw, &config); err != nil {
			return fmt.Errorf("cannot parse solver config: %w", err)
		}
		name := dns.CanonicalName(ch.ResolvedFQDN)
		if !dns.IsSubDomain(s.zone, name) {
			return fmt.Errorf("resolvedFQDN %q is outside the zone %q this solver serves", ch.ResolvedFQDN, s.zone)
		}
		return apply(config, name)
	}()
	entry := call{
		Action:            string(ch.Action),
		UID:               string(ch.UID),
		DNSName:           ch.DNSName,
		ResolvedFQDN:      ch.ResolvedFQDN,
		ResolvedZone:      ch.ResolvedZone,
		Key:               ch.Key,
		ResourceNamespace: ch.ResourceNamespace,
		Config:            raw,
		Success:           err == nil,
	}
	if err != nil {
		entry.Error = err.Error()
	}
	s.calls = append(s.calls, entry)
	klog.InfoS("solver call", "action", entry.Action, "fqdn", entry.ResolvedFQDN, "success", entry.Success, "error", entry.Error)
	return err
}

// Initialize runs as the webhook apiserver's post-start hook; an error here
// ends the process, so a port already taken fails the start loudly.
func (s *solver) Initialize(_ *rest.Config, stop <-chan struct{}) error {
	packets, err := net.ListenPacket("udp", s.dnsAddr)
	if err != nil {
		return fmt.Errorf("dns over udp: %w", err)
	}
	stream, err := net.Listen("tcp", s.dnsAddr)
	if err != nil {
		return fmt.Errorf("dns over tcp: %w", err)
	}
	// The calls log listens last: once it answers, DNS answers too.
	callsListener, err := net.Listen("tcp", s.callsAddr)
	if err != nil {
		return fmt.Errorf("calls log: %w", err)
	}
	handler := dns.HandlerFunc(s.serveDNS)
	servers := []*dns.Server{{PacketConn: packets, Handler: handler}, {Listener: stream, Handler: handler}}
	for _, server := range servers {
		go func() {
			if err := server.ActivateAndServe(); err != nil {
				klog.ErrorS(err, "dns server stopped")
			}
		}()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /calls", s.serveCalls)
	httpServer := &http.Server{Handler: mux}
	go func() {
		if err := httpServer.Serve(callsListener); !errors.Is(err, http.ErrServerClosed) {
			klog.ErrorS(err, "calls log stopped")
		}
	}()
	go func() {
		<-stop
		for _, server := range servers {
			_ = server.Shutdown()
		}
		_ = httpServer.Close()
	}()
	klog.InfoS("solver serving", "zone", s.zone, "dns", s.dnsAddr, "calls", s.callsAddr)
	return nil
}

func (s *solver) serveCalls(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	body, err := json.Marshal(append([]call{}, s.calls...))
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func (s *solver) serveDNS(w dns.ResponseWriter, request *dns.Msg) {
	reply := new(dns.Msg)
	reply.SetReply(request)
	if opt := request.IsEdns0(); opt != nil {
		reply.SetEdns0(1232, false)
	}
	if len(request.Question) != 1 {
		reply.Rcode = dns.RcodeFormatError
		_ = w.WriteMsg(reply)
		return
	}
	question := request.Question[0]
	name := dns.CanonicalName(question.Name)
	if !dns.IsSubDomain(s.zone, name) {
		reply.Rcode = dns.RcodeNameError
		_ = w.WriteMsg(reply)
		return
	}
	reply.Authoritative = true
	header := func(rrtype uint16) dns.RR_Header {
		return dns.RR_Header{Name: question.Name, Rrtype: rrtype, Class: dns.ClassINET, Ttl: ttl}
	}
	apex := name == s.zone
	switch question.Qtype {
	case dns.TypeA:
		reply.Answer = append(reply.Answer, &dns.A{Hdr: header(dns.TypeA), A: net.IPv4(127, 0, 0, 1)})
	case dns.TypeTXT:
		s.mu.Lock()
		for index := range s.txt[name] {
			held := &s.txt[name][index]
			if held.answersLeft == 0 {
				continue
			}
			if held.answersLeft > 0 {
				held.answersLeft--
			}
			reply.Answer = append(reply.Answer, &dns.TXT{Hdr: header(dns.TypeTXT), Txt: []string{held.value}})
		}
		s.mu.Unlock()
	case dns.TypeSOA:
		if apex {
			reply.Answer = append(reply.Answer, s.soa())
		}
	case dns.TypeNS:
		if apex {
			reply.Answer = append(reply.Answer, &dns.NS{Hdr: header(dns.TypeNS), Ns: "ns." + s.zone})
		}
	}
	// No data of that type (every name exists): NOERROR with the SOA, which
	// is also how cert-manager finds the zone of a name.
	if len(reply.Answer) == 0 {
		reply.Ns = append(reply.Ns, s.soa())
	}
	_ = w.WriteMsg(reply)
}

func (s *solver) soa() dns.RR {
	return &dns.SOA{
		Hdr:     dns.RR_Header{Name: s.zone, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: ttl},
		Ns:      "ns." + s.zone,
		Mbox:    "hostmaster." + s.zone,
		Serial:  1,
		Refresh: 60,
		Retry:   60,
		Expire:  3600,
		Minttl:  ttl,
	}
}

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func main() {
	groupName := env("CERTOPS_SOLVER_GROUP", "acme.certops.test")
	cmd.RunWebhookServer(groupName, &solver{
		zone:      dns.CanonicalName(env("CERTOPS_SOLVER_ZONE", "webhook.test.")),
		dnsAddr:   env("CERTOPS_SOLVER_DNS_ADDR", "127.0.0.1:5353"),
		callsAddr: env("CERTOPS_SOLVER_CALLS_ADDR", "127.0.0.1:8053"),
		txt:       map[string][]txtValue{},
	})
}
